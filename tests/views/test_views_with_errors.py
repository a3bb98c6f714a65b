"""Records with errors never disappear from a view (issue 13.1), through the real CLI.

Thirty records, six of them with one error each (a contact that is no e-mail address, an
unknown key, an unknown country, an end before the start, a bad date in `period.start`, a
bad activity date) and one file that is not TOML. `list`, `timeline`, `summary` and `show`
keep every record whose TOML parses, in every format; each output says which files have
errors and which file was left out; the exit status is 1. `--status` is an activity's status
in `timeline` and `summary`, an expected result's in `list`.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_RECORD, Run, edited, write_record
from markdown_it import MarkdownIt

NUMBERS = range(1, 31)
# The error of each faulty record: what is changed in it, and the code reported.
FAULTS: dict[str, tuple[tuple[str, str], str]] = {
    "r03": (('contact = "team@example.org"', 'contact = "nobody"'), "E113"),
    "r07": (('contact = "team@example.org"', 'contact = "team@example.org"\nbudget = 5'), "E102"),
    "r11": (('country = "AT"', 'country = "Narnia"'), "E109"),
    "r15": (('end = "2018-11"', 'end = "2016-01"'), "E106"),
    "r19": (('start = "2017-03"', 'start = "2017-13"'), "E105"),
    "r23": (('date = "2017-06"', 'date = "2017-02-30"'), "E105"),  # the visit's date
    "r27": (('urban_agenda = ["Urban Mobility"]', 'urban_agenda = ["Urban Mobility"'), "E002"),
}
LEFT_OUT = {"r27"}  # not TOML
FLAGGED = {rid: code for rid, ((_, _), code) in FAULTS.items() if rid not in LEFT_OUT}
READ = [f"r{n:02d}" for n in NUMBERS if f"r{n:02d}" not in LEFT_OUT]
# Period start, then id: r19's period could not be read, so it sorts last.
LISTED = [rid for rid in READ if rid != "r19"] + ["r19"]
# A planned workshop in every third record and in r23 (whose visit has the bad date).
PLANNED = [rid for rid in READ if int(rid[1:]) % 3 == 0 or rid == "r23"]
VISITS = [rid for rid in READ if rid != "r23"]
# Records whose expected result is achieved (the others' are planned).
ACHIEVED = [rid for rid in READ if int(rid[1:]) % 5 == 0]
# Planned workshops dated over a year ago: a warning (W306), which no view reports.
WARNED_ONLY = [rid for rid in PLANNED if rid not in FLAGGED]

FORMATS = ("table", "json", "csv", "markdown")
NOTE_HEAD = f"! {len(FLAGGED)} records with errors, read as far as they could be:"
LEFT_OUT_HEAD = "1 file left out, not readable as records:"
NOTE_END = "run `ucap validate` for every problem of these records"


def record_text(rid: str) -> str:
    text = edited(
        VALID_RECORD,
        ('id = "demo"', f'id = "{rid}"'),
        ('title = "Lyon \u2013 Graz"', f'title = "Plan {rid}"'),
        ('title = "Graz delegation visits Lyon"', f'title = "Visit {rid}"'),
    )
    if rid in PLANNED or rid in LEFT_OUT:
        workshop = (
            f'[[activities]]\ndate = "2018-10"\nkind = "workshop"\ntitle = "Planned {rid}"\n'
            'status = "planned"\n\n'
        )
        text = edited(text, ("[[expected_results]]", workshop + "[[expected_results]]"))
    if int(rid[1:]) % 5 == 0:
        text = edited(text, ('theme = "Mobility"', 'theme = "Mobility"\nstatus = "achieved"'))
    if rid in FAULTS:
        text = edited(text, FAULTS[rid][0])
    return text


@pytest.fixture
def records(tmp_path: Path) -> Path:
    """The thirty record files in `tmp_path/records` (where `run` finds them)."""
    folder = tmp_path / "records"
    for n in NUMBERS:
        write_record(folder, f"r{n:02d}", record_text(f"r{n:02d}"))
    return folder


def located(rid: str) -> str:
    """The start of a problem's text for the file of `rid`: `records/r03.toml:`."""
    return f"records/{rid}.toml:"


def names_problem(line: str, rid: str, code: str) -> bool:
    """True when `line` is the problem `code` of the file of `rid`, with a line and column."""
    head, _, rest = line.partition(" ")
    return head.startswith(located(rid)) and head.count(":") == 2 and rest.startswith(code + " ")


STDERR = [
    "ucap: skipped records/r27.toml:8:1: E002 TOML: Unclosed array",
    "  hint: run `ucap validate` for every problem",
    f"! {len(FLAGGED)} records with validation errors: run `ucap validate`",
]


def check_note(lines: list[str]) -> None:
    """The closing note of a terminal view: the records with errors, then the file left out,
    each with its first problem."""
    start = lines.index(NOTE_HEAD)
    note = lines[start:]
    flagged = sorted(FLAGGED)
    assert len(note) == 1 + len(flagged) + 1 + 1 + 1, note
    for line, rid in zip(note[1 : 1 + len(flagged)], flagged, strict=True):
        assert names_problem(line.strip(), rid, FLAGGED[rid]), line
    assert note[-3:-1] == [LEFT_OUT_HEAD, "  records/r27.toml:8:1 E002 TOML: Unclosed array"]
    assert note[-1] == NOTE_END


def markdown_blocks(markdown: str, heading: str = "Records with errors") -> list[tuple[str, str]]:
    """The blocks after `heading` as a Markdown renderer reads them: ("paragraph", text) or
    ("item", text) for each entry of a list."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    start = next(i for i, t in enumerate(tokens) if t.type == "inline" and t.content == heading)
    return [
        ("item" if t.level > 1 else "paragraph", t.content)
        for t in tokens[start + 1 :]
        if t.type == "inline"
    ]


def check_markdown_note(markdown: str) -> None:
    """The Markdown note: each group of files is a list of its own, under its own sentence."""
    blocks = markdown_blocks(markdown)
    flagged = sorted(FLAGGED)
    assert [kind for kind, _ in blocks] == [
        "paragraph",
        *["item"] * len(flagged),
        "paragraph",
        "item",
        "paragraph",
    ], blocks
    assert blocks[0][1] == NOTE_HEAD
    for (_, text), rid in zip(blocks[1 : 1 + len(flagged)], flagged, strict=True):
        assert names_problem(text, rid, FLAGGED[rid]), text
    assert blocks[-3][1] == LEFT_OUT_HEAD
    assert names_problem(blocks[-2][1], "r27", "E002")
    assert blocks[-1][1] == NOTE_END


def check_problems_json(problems: list[dict[str, Any]]) -> None:
    """A top-level `problems` array: every file with an error, and whether it was left out."""
    assert [(p["path"], p["code"], p["left_out"]) for p in problems] == [
        (f"records/{rid}.toml", code, rid in LEFT_OUT) for rid, (_, code) in sorted(FAULTS.items())
    ]
    assert all(isinstance(p["line"], int) and isinstance(p["column"], int) for p in problems)


def check_list(output_format: str, stdout: str) -> None:
    if output_format == "json":
        listed = json.loads(stdout)
        assert [r.get("id") for r in listed] == [*LISTED, None]
        for item in listed[:-1]:
            problems = item.get("problems")
            if item["id"] in FLAGGED:
                assert [(p["path"], p["code"]) for p in problems] == [
                    (f"records/{item['id']}.toml", FLAGGED[item["id"]])
                ]
            else:
                assert problems is None, item
        assert listed[-1]["path"] == "records/r27.toml"
        assert listed[-1]["left_out"] is True
        assert [p["code"] for p in listed[-1]["problems"]] == ["E002"]
        assert listed[LISTED.index("r07")]["budget"] == 5  # the data as written
    elif output_format == "csv":
        rows = list(csv.DictReader(io.StringIO(stdout)))
        assert [row["id"] for row in rows] == [*LISTED, ""]
        for row in rows[:-1]:
            if row["id"] in FLAGGED:
                assert names_problem(row["problem"], row["id"], FLAGGED[row["id"]]), row
            else:
                assert row["problem"] == "", row
        assert names_problem(rows[-1]["problem"], "r27", "E002")
        r19 = rows[LISTED.index("r19")]
        assert (r19["start"], r19["end"], r19["activities"]) == ("", "", "1")  # period unknown
    elif output_format == "table":
        lines = stdout.splitlines()
        table = lines[1 : 1 + len(LISTED)]
        assert [row.split()[0] for row in table] == LISTED
        assert [row.split()[1] == "!" for row in table] == [rid in FLAGGED for rid in LISTED]
        assert "  ?  " in table[-1]  # r19's period
        check_note(lines)
    else:
        lines = stdout.splitlines()
        table = [line for line in lines if line.startswith("| r")]
        assert [row.split()[1] for row in table] == LISTED
        assert [row.split()[2] == "!" for row in table] == [rid in FLAGGED for rid in LISTED]
        check_markdown_note(stdout)


def check_timeline(output_format: str, stdout: str) -> None:
    titles = {f"Visit {rid}" for rid in VISITS} | {f"Planned {rid}" for rid in PLANNED}
    if output_format == "json":
        data = json.loads(stdout)
        assert sorted(r["record"] for r in data["records"]) == READ
        assert {a["title"] for a in data["activities"]} == titles
        assert len(data["activities"]) == len(titles)
        check_problems_json(data["problems"])
    elif output_format == "csv":
        rows = list(csv.DictReader(io.StringIO(stdout)))
        assert {row["title"] for row in rows[:-1]} == titles
        assert sorted({row["record"] for row in rows[:-1]}) == READ
        for row in rows[:-1]:
            code = FLAGGED.get(row["record"])
            assert (
                names_problem(row["problem"], row["record"], code) if code else not row["problem"]
            )
        assert rows[-1]["record"] == ""
        assert names_problem(rows[-1]["problem"], "r27", "E002")
    elif output_format == "table":
        flat = " ".join(stdout.split())
        assert f"{len(READ)} records {len(titles)} activities" in flat
        for rid in VISITS:
            assert f"Lyon ({rid}): Visit {rid}" in flat
        for rid in PLANNED:
            assert f"Lyon ({rid}): Planned {rid} (planned)" in flat
        check_note(stdout.splitlines())
    else:
        assert stdout.startswith(f"# Timeline: {len(READ)} records\n")
        for rid in VISITS:
            assert f"Lyon ({rid}): Visit {rid}" in stdout
        for rid in PLANNED:
            assert f"Lyon ({rid}): Planned {rid} (planned)" in stdout
        check_markdown_note(stdout)


def check_summary(output_format: str, stdout: str) -> None:
    activities = len(VISITS) + len(PLANNED)
    if output_format == "json":
        data = json.loads(stdout)
        overview = data["overview"]
        assert (overview["records"], overview["activities"]) == (len(READ), activities)
        assert overview["names"]["countries"] == ["France", "Austria"]  # Narnia (E109): no country
        check_problems_json(data["problems"])
    elif output_format == "csv":
        rows = list(csv.reader(io.StringIO(stdout)))
        assert ["overview", "", "", "records", str(len(READ))] in rows
        assert ["overview", "", "", "activities", str(activities)] in rows
        problems = [row for row in rows if row[0] == "problems"]
        assert [(row[1], row[3]) for row in problems] == [
            (f"records/{rid}.toml", "left_out" if rid in LEFT_OUT else "read")
            for rid in sorted(FAULTS)
        ]
        for row in problems:
            rid = Path(row[1]).stem
            assert names_problem(row[2], rid, FAULTS[rid][1])
    elif output_format == "table":
        flat = " ".join(stdout.split())
        assert f"Records {len(READ)} " in flat
        assert f"Activities {activities} " in flat
        check_note(stdout.splitlines())
    else:
        assert f"| Records | {len(READ)} |" in stdout
        assert f"| Activities | {activities} (" in stdout
        check_markdown_note(stdout)


CHECKS = {"list": check_list, "timeline": check_timeline, "summary": check_summary}


@pytest.mark.parametrize("output_format", FORMATS)
@pytest.mark.parametrize("view", CHECKS)
def test_every_record_that_parses_is_in_every_view_and_format(
    run: Run, records: Path, view: str, output_format: str
) -> None:
    result = run(view, "--format", output_format, env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert result.stderr.splitlines() == STDERR
    CHECKS[view](output_format, result.stdout)
    for rid in WARNED_ONLY:  # a warning is no error: no view reports it
        assert located(rid) not in result.stdout


@pytest.mark.parametrize("output_format", FORMATS)
@pytest.mark.parametrize("rid", sorted(FLAGGED))
def test_show_shows_a_record_with_an_error_in_every_format(
    run: Run, records: Path, rid: str, output_format: str
) -> None:
    result = run("show", rid, "--format", output_format, env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert result.stderr == "! 1 record with validation errors: run `ucap validate`\n"
    code = FLAGGED[rid]
    stdout = result.stdout
    activities = [f"Visit {rid}"] * (rid in VISITS) + [f"Planned {rid}"] * (rid in PLANNED)
    if output_format == "json":
        data = json.loads(stdout)
        assert (data["id"], data["title"]) == (rid, f"Plan {rid}")
        assert [(p["path"], p["code"]) for p in data["problems"]] == [(f"records/{rid}.toml", code)]
    elif output_format == "csv":
        [row] = list(csv.DictReader(io.StringIO(stdout)))
        assert (row["id"], row["title"]) == (rid, f"Plan {rid}")
        assert names_problem(row["problem"], rid, code)
        stdout = " ".join(activities)  # a row has the number of activities, not their titles
        assert row["activities"] == str(len(activities))
    elif output_format == "table":
        lines = stdout.splitlines()
        assert lines[0] == f"Plan {rid}"
        note = lines.index("! 1 record with errors, read as far as it could be:")
        assert names_problem(lines[note + 1].strip(), rid, code)
        assert lines[note + 2] == NOTE_END
    else:
        assert stdout.startswith(f"# Plan {rid}\n")
        blocks = markdown_blocks(stdout)
        assert [kind for kind, _ in blocks] == ["paragraph", "item", "paragraph"]
        assert names_problem(blocks[1][1], rid, code)
    for title in activities:  # the activities that could be read
        assert title in stdout


@pytest.mark.parametrize("output_format", FORMATS)
def test_show_of_a_file_that_is_not_toml_says_why_and_of_a_clean_record_has_no_note(
    run: Run, records: Path, output_format: str
) -> None:
    left_out = run("show", "r27", "--format", output_format)
    assert left_out.exit_code == 1
    assert left_out.stdout == ""
    assert left_out.stderr.splitlines() == [
        "ucap: error: records/r27.toml: cannot show the record: E002 TOML: Unclosed array",
        "  hint: run `ucap validate records/r27.toml`",
    ]
    clean = run("show", "r01", "--format", output_format)
    assert clean.exit_code == 0  # other files' errors are not this record's
    assert (clean.stderr, "records/" in clean.stdout) == ("", False)


def test_timeline_status_keeps_the_activities_of_that_status(run: Run, records: Path) -> None:
    planned = run("timeline", "--status", "planned", "-f", "json")
    assert planned.exit_code == 1  # records still have errors
    data = json.loads(planned.stdout)
    assert [(a["record"], a["title"], a["status"]) for a in data["activities"]] == [
        (rid, f"Planned {rid}", "planned") for rid in PLANNED
    ]
    assert sorted(r["record"] for r in data["records"]) == PLANNED  # r03, r15, r23 included
    table = run("timeline", "--status", "planned", env={"COLUMNS": "200"}).stdout
    assert "Visit" not in table
    assert f"{len(PLANNED)} records {len(PLANNED)} activities" in " ".join(table.split())

    done = json.loads(run("timeline", "--status", "done", "-f", "json").stdout)
    assert sorted(a["title"] for a in done["activities"]) == [f"Visit {rid}" for rid in VISITS]
    both = json.loads(
        run("timeline", "--status", "done", "--status", "planned", "-f", "json").stdout
    )
    assert len(both["activities"]) == len(VISITS) + len(PLANNED)

    summary = json.loads(run("summary", "--status", "planned", "-f", "json").stdout)
    assert summary["overview"]["activities"] == len(PLANNED)
    assert summary["activities_per_kind"] == [{"kind": "workshop", "activities": len(PLANNED)}]

    wrong = run("timeline", "--status", "achieved")
    assert wrong.exit_code == 2
    assert "--status: unknown activity status 'achieved'" in wrong.stderr


def test_list_status_still_filters_by_expected_result_status(run: Run, records: Path) -> None:
    achieved = run("list", "--status", "achieved", "-f", "json")
    assert achieved.exit_code == 1
    listed = json.loads(achieved.stdout)
    assert [r.get("id") for r in listed] == [*ACHIEVED, None]  # r15 has an error: listed too
    assert [p["code"] for p in listed[ACHIEVED.index("r15")]["problems"]] == ["E106"]
    planned = json.loads(run("list", "--status", "planned", "-f", "json").stdout)
    assert [r.get("id") for r in planned] == [rid for rid in LISTED if rid not in ACHIEVED] + [None]
    wrong = run("list", "--status", "done")
    assert wrong.exit_code == 2
    assert "--status: unknown expected-result status 'done'" in wrong.stderr
