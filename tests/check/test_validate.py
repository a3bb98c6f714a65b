"""`ucap validate` through the real CLI: every problem code, locations, options, pre-commit mode.

Its output formats: tests/render/test_render_problems.py; its configuration: tests/test_config.py.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, VALID_RECORD, Run, edited, write_record

from ucap_cli import __version__
from ucap_cli.check.problems import CODES


@dataclass(frozen=True)
class Case:
    """A record that triggers exactly one problem, and where it must be reported."""

    code: str
    changes: tuple[tuple[str, str], ...]  # (old, new) replacements in VALID_RECORD
    line: int
    column: int
    message: str  # a fragment the message must contain
    name: str = "demo"  # file name, without .toml
    config: str | None = None  # ucap.toml text

    def text(self) -> str:
        return edited(VALID_RECORD, *self.changes)


CASES = [
    Case("E002", (('title = "Lyon \u2013 Graz"', 'title = "Lyon \u2013 Graz'),), 3, 21, "TOML: "),
    Case("E003", (("schema_version = 1", "schema_version = 2"),), 1, 18, "newer than this ucap"),
    Case("E003", (("schema_version = 1", "schema_version = 0"),), 1, 18, "must be 1, got 0"),
    Case("E003", (("schema_version = 1\n", ""),), 1, 1, "'schema_version'"),
    Case(
        "E004",  # extra.anything.goes[3] is an array at level 4, holding 61 more: 65 levels
        (('goes = [1, "here"]', 'goes = [1, "here", ' + "[" * 62 + "]" * 62 + "]"),),
        41,
        33 + 61,  # the 62nd "[", the value at level 65
        "[extra] is nested 65 levels deep; the limit is 64",
    ),
    Case(
        "E101", (('country = "France"\n', ""),), 14, 1, "missing required key 'country' in [city]"
    ),
    Case(
        "E101",
        (('title = "Graz delegation visits Lyon"\n', ""),),
        25,
        1,
        "missing required key 'title' in [activities[1]]",
    ),
    Case(
        "E102",
        (("sdgs = [9, 11]", "sdg = [9, 11]"),),
        6,
        1,
        "unknown key 'sdg' in the top level (did you mean 'sdgs'?)",
    ),
    Case(
        "E103",
        (("population = 513000", 'population = "513000"'),),
        18,
        14,
        "city.population must be an integer, got a string",
    ),
    Case("E104", (("population = 513000", "population = -1"),), 18, 14, "city.population"),
    Case(
        "E104",
        (('themes = ["Mobility", "Logistics"]', "themes = []"),),
        5,
        10,
        "themes must have at least 1 entry",
    ),
    Case("E105", (('start = "2017-03"', 'start = "2017-13"'),), 11, 9, "period.start: month"),
    Case("E105", (('start = "2017-03"', 'start = "March 2017"'),), 11, 9, "period.start"),
    Case("E106", (('end = "2018-11"', 'end = "2016-11"'),), 12, 7, "period.end: 2016-11 is before"),
    Case(
        "E107",
        (('themes = ["Mobility", "Logistics"]', 'themes = ["Mobility", "mobility"]'),),
        5,
        23,
        "themes[2]: duplicate theme 'mobility'",
    ),
    Case("E108", (('id = "demo"', 'id = "Demo"'),), 2, 6, "id: must be a slug"),
    Case(
        "E109",
        (('country = "AT"', 'country = "Austira"'),),
        23,
        11,
        "partners[1].country: unknown country 'Austira': expected an ISO 3166-1 name or code "
        "(did you mean 'Austria'?)",
    ),
    Case("E110", (("sdgs = [9, 11]", "sdgs = [9, 18]"),), 6, 12, "sdgs[2]"),
    Case(
        "E111",
        (('urban_agenda = ["Urban Mobility"]', 'urban_agenda = ["Urban Mobilty"]'),),
        7,
        17,
        "urban_agenda[1]: unknown EU Urban Agenda topic 'Urban Mobilty' "
        "(did you mean 'Urban Mobility'?)",
    ),
    Case(
        "E112",
        (('kind = "visit"', 'kind = "vist"'),),
        27,
        8,
        "activities[1].kind: must be one of visit, mission,",
    ),
    Case("E112", (('kind = "mou"', 'kind = "moo"'),), 33, 8, "activities[1].agreements[1].kind"),
    Case("E113", (('"team@example.org"', '"team"'),), 8, 11, "contact: must be an e-mail address"),
    Case(
        "E114",
        (),
        5,
        23,
        "theme 'Logistics' is not in the configured themes",
        config='themes = ["Mobility"]\n',
    ),
    Case("W301", (), 2, 6, "id 'demo' differs from the file name 'other.toml'", name="other"),
    Case(
        "W302",
        (('date = "2017-06"', 'date = "2019-06"'),),
        26,
        8,
        "activities[1].date 2019-06 is outside the record's period 2017-03 to 2018-11",
    ),
    Case(
        "W303",
        (('cities = ["Lyon", "GRZ"]', 'cities = ["Lyon", "GRZ", "Gratz"]'),),
        29,
        26,
        "activities[1].cities: 'Gratz' is neither the lead city nor a partner "
        "(did you mean 'Graz'?)",
    ),
    Case(
        "W304",
        (('themes = ["Mobility"]\n', 'themes = ["Mobilty"]\n'),),
        30,
        11,
        "'Mobilty' is not one of the record's themes (did you mean 'Mobility'?)",
    ),
    Case(
        "W304",
        (('theme = "Mobility"', 'theme = "Mobilty"'),),
        38,
        9,
        "expected_results[1].theme: 'Mobilty' is not one of the record's themes "
        "(did you mean 'Mobility'?)",
    ),
    Case(
        "W305",
        (('date = "2017-06"', 'date = "2999-06"'), ('end = "2018-11"', 'end = "2999-12"')),
        26,
        8,
        "activities[1] is marked done but dated 2999-06",
    ),
    Case(
        "W306",
        (('kind = "visit"', 'kind = "visit"\nstatus = "planned"'),),
        26,
        8,
        "activities[1] is still planned",
    ),
    Case(
        "W307",
        (('cities = ["Lyon", "GRZ"]', 'cities = ["Lyon"]'),),
        21,
        8,
        "partner 'Graz' takes part in no activity",
    ),
    Case(
        "W308",
        (("population = 513000", "population = 513000  # ucap: ignore[W303]"),),
        18,
        22,
        "# ucap: ignore[W303] suppresses nothing on this line",
    ),
    Case(
        "W309",
        (('kind = "visit"', 'kind = "visit"  # TODO: check'),),
        27,
        17,
        "value marked '# TODO: check' by ucap import: check it and remove the mark",
    ),
]


def report(run: Run, *args: str) -> tuple[int, dict[str, Any]]:
    """Exit status and the parsed JSON report of `ucap validate --format json ARGS`."""
    result = run("validate", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def located(problems: list[dict[str, Any]]) -> list[tuple[str, int, int, str]]:
    return [(p["path"], p["line"], p["column"], p["code"]) for p in problems]


# --------------------------------------------------------------------------- every code


def test_the_valid_record_is_valid_under_strict(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "demo", VALID_RECORD)
    result = run("validate", "--strict", "demo.toml")
    assert (result.exit_code, result.output) == (0, "0 errors, 0 warnings in 1 file\n")


@pytest.mark.parametrize("case", CASES, ids=[f"{c.code}-{i}" for i, c in enumerate(CASES)])
def test_each_code_is_reported_at_its_location(run: Run, tmp_path: Path, case: Case) -> None:
    write_record(tmp_path, case.name, case.text())
    if case.config:
        (tmp_path / "ucap.toml").write_text(case.config, encoding="utf-8")
    path = f"{case.name}.toml"
    severity = str(CODES[case.code].severity)

    result = run("validate", path)
    first, summary = result.stdout.splitlines()
    assert first.startswith(f"{path}:{case.line}:{case.column}: {severity} {case.code} ")
    assert case.message in first
    counts = "1 error, 0 warnings" if severity == "error" else "0 errors, 1 warning"
    assert summary == f"{counts} in 1 file"
    assert result.exit_code == (1 if severity == "error" else 0)
    assert run("validate", "--strict", path).exit_code == 1

    status, data = report(run, path)
    assert status == result.exit_code
    assert located(data["problems"]) == [(path, case.line, case.column, case.code)]
    assert data["problems"][0]["severity"] == severity


def test_every_code_has_a_case() -> None:
    covered = {case.code for case in CASES} | {"E001", "E201"}  # those two: tests below
    assert covered == set(CODES)


def test_e001_not_utf8_points_at_the_first_bad_byte(run: Run, tmp_path: Path) -> None:
    data = VALID_RECORD.encode().replace(b'name = "Lyon"', b'name = "Ly\xf6n"')
    write_record(tmp_path, "demo", data)
    result = run("validate", "demo.toml")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "demo.toml:15:11: error E001 not UTF-8 text: invalid start byte",
        "1 error, 0 warnings in 1 file",
    ]


def test_e201_duplicate_id_names_both_files(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "records/demo", VALID_RECORD)
    write_record(tmp_path, "records/sub/copy", VALID_RECORD)
    status, data = report(run)
    assert status == 1
    assert [
        (p["path"], p["line"], p["column"], p["code"], p["message"]) for p in data["problems"]
    ] == [
        ("records/demo.toml", 2, 6, "E201", "id 'demo' is also used by records/sub/copy.toml"),
        ("records/sub/copy.toml", 2, 6, "E201", "id 'demo' is also used by records/demo.toml"),
        ("records/sub/copy.toml", 2, 6, "W301", "id 'demo' differs from the file name 'copy.toml'"),
    ]


# --------------------------------------------------------------------------- locations


def test_errors_in_activity_n_and_inline_tables(run: Run, tmp_path: Path) -> None:
    text = """\
schema_version = 1
id = "inline"
themes = ["Mobility"]
period = { start = "2017-03", end = "2018-11" }
city = { name = "Lyon", country = "Frnace" }
partners = [
  { name = "Graz", country = "AT" },
  { name = "Bonn" },
]

[[activities]]
date = "2017-06"
kind = "visit"
title = "one"
cities = ["Lyon", "Graz", "Bonn"]

[[activities]]
date = "2017-07"
kind = "visit"
cities = ["Lyon", "Graz"]

[[activities]]
date = "2017-08"
kind = "vsit"
title = "three"
agreements = [{ kind = "mou", parties = [], cont = 2 }]
"""
    write_record(tmp_path, "inline", text)
    status, data = report(run, "inline.toml")
    assert status == 1
    assert [(p["line"], p["column"], p["code"]) for p in data["problems"]] == [
        (5, 35, "E109"),  # inside the inline `city` table
        (8, 3, "E101"),  # partners[2] lacks country: its `{`
        (17, 1, "E101"),  # activities[2] lacks title: its header
        (24, 8, "E112"),  # activities[3].kind
        (26, 41, "E104"),  # an empty array in an inline table in activities[3]
        (26, 45, "E102"),  # an unknown key in that inline table
    ]
    messages = [p["message"] for p in data["problems"]]
    assert messages[1] == "missing required key 'country' in [partners[2]]"
    assert messages[2] == "missing required key 'title' in [activities[2]]"
    assert messages[4] == "activities[3].agreements[1].parties must have at least 1 entry"
    assert messages[5] == (
        "unknown key 'cont' in [activities[3].agreements[1]] (did you mean 'count'?)"
    )


def test_missing_keys_point_at_the_table_that_lacks_them(run: Run, tmp_path: Path) -> None:
    text = (
        VALID_RECORD.replace('parties = ["Lyon", "Graz"]\n', "")
        .replace('text = "A joint e-bus pilot"\n', "")
        .replace('start = "2017-03"\n', "")
    )
    write_record(tmp_path, "demo", text)
    status, data = report(run, "demo.toml")
    assert (status, located(data["problems"])) == (
        1,
        [
            ("demo.toml", 10, 1, "E101"),  # [period]
            ("demo.toml", 31, 1, "E101"),  # [[activities.agreements]]
            ("demo.toml", 34, 1, "E101"),  # [[expected_results]]
        ],
    )
    assert [p["hint"] for p in data["problems"]][1] == (
        "add `parties = ...` to [activities[1].agreements[1]]"
    )


def test_dotted_keys_locate_their_table(run: Run, tmp_path: Path) -> None:
    text = VALID_RECORD.replace(
        '[city]\nname = "Lyon"\nregion = "Auvergne-Rhône-Alpes"\ncountry = "France"\n'
        "population = 513000\n",
        "",
    ).replace(
        'contact = "team@example.org"\n', 'contact = "team@example.org"\ncity.name = "Lyon"\n'
    )
    write_record(tmp_path, "demo", text)
    status, data = report(run, "demo.toml")
    assert (status, located(data["problems"])) == (1, [("demo.toml", 9, 1, "E101")])
    assert data["problems"][0]["message"] == "missing required key 'country' in [city]"


def test_unknown_keys_suggest_the_intended_key(run: Run, tmp_path: Path) -> None:
    text = (
        VALID_RECORD.replace("sdgs = [9, 11]", "sdg = [9, 11]")
        .replace('date = "2017-06"', 'dat = "2017-06"\ndate = "2017-06"')
        .replace('short = "GRZ"', 'shrot = "GRZ"')
        .replace("[extra]", "[extra]\nsdg = 1")  # never validated
        + "colour = 1\n"  # after [extra]: inside it, fine
    )
    text = text.replace("programme =", 'custom_field = "x"\nprogramme =')
    write_record(tmp_path, "demo", text)
    _, data = report(run, "demo.toml")
    got = [(p["line"], p["code"], p["message"], p["hint"]) for p in data["problems"]]
    assert got == [
        (
            4,
            "E102",
            "unknown key 'custom_field' in the top level",
            "custom fields belong in the [extra] table",
        ),
        (
            7,
            "E102",
            "unknown key 'sdg' in the top level (did you mean 'sdgs'?)",
            "rename 'sdg' to 'sdgs'",
        ),
        (
            23,
            "E102",
            "unknown key 'shrot' in [partners[1]] (did you mean 'short'?)",
            "rename 'shrot' to 'short'",
        ),
        (
            27,
            "E102",
            "unknown key 'dat' in [activities[1]] (did you mean 'date'?)",
            "rename 'dat' to 'date'",
        ),
    ]


def test_every_problem_in_a_file_is_reported(run: Run, tmp_path: Path) -> None:
    text = """\
schema_version = 1
id = "many"
themes = ["Mobility"]
sdgs = [true, 0, 9]
extra = 5

[period]
start = "2017"

[city]
name = "Lyon"
country = "France"
population = 1.5

[[partners]]
name = "Graz"
country = "AT"

[[activities]]
dat = "2017"
kind = "{bad}"
title = "x"
status = "Done"

[[activities.agreements]]
kind = "mou"
count = 0
"""
    write_record(tmp_path, "many", text)
    status, data = report(run, "many.toml")
    assert status == 1
    assert [(p["line"], p["column"], p["code"]) for p in data["problems"]] == [
        (4, 9, "E103"),
        (4, 15, "E110"),
        (5, 9, "E103"),
        (13, 14, "E103"),
        (19, 1, "E101"),
        (20, 1, "E102"),
        (21, 8, "E112"),
        (23, 10, "E112"),
        (25, 1, "E101"),
        (27, 9, "E104"),
    ]
    assert (data["errors"], data["warnings"], data["files_checked"]) == (10, 0, 1)
    assert "got '{bad}'" in data["problems"][6]["message"]  # braces kept as typed


def test_problems_in_several_files_are_sorted_by_path(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "records/b", VALID_RECORD.replace('id = "demo"', 'id = "b"'))
    write_record(tmp_path, "records/a", VALID_RECORD.replace('id = "demo"', 'id = "a!"'))
    write_record(tmp_path, "records/.hidden", "not toml at all")
    write_record(tmp_path, "records/.git/x", "not toml at all")
    write_record(tmp_path, "records/notes.txt", "not toml at all")
    status, data = report(run, "records")
    assert (status, located(data["problems"])) == (1, [("records/a.toml", 2, 6, "E108")])
    assert data["files_checked"] == 2


# --------------------------------------------------------------------------- options


def warning_record(tmp_path: Path) -> Path:
    """demo.toml with one W303 (line 29) and one W304 (line 30)."""
    text = VALID_RECORD.replace(
        'cities = ["Lyon", "GRZ"]', 'cities = ["Lyon", "GRZ", "Gratz"]'
    ).replace('themes = ["Mobility"]\n', 'themes = ["Mobilty"]\n')
    return write_record(tmp_path, "demo", text)


def test_strict_makes_warnings_fail(run: Run, tmp_path: Path) -> None:
    warning_record(tmp_path)
    plain = run("validate", "demo.toml")
    strict = run("validate", "--strict", "demo.toml")
    assert (plain.exit_code, strict.exit_code) == (0, 1)
    assert plain.stdout == strict.stdout
    assert plain.stdout.splitlines()[-1] == "0 errors, 2 warnings in 1 file"


@pytest.mark.parametrize(
    ("options", "codes"),
    [
        ((), ["W303", "W304"]),
        (("--select", "W303"), ["W303"]),
        (("--select", "w304"), ["W304"]),
        (("--select", "W3"), ["W303", "W304"]),
        (("--select", "E"), []),
        (("--select", "W303,W304"), ["W303", "W304"]),
        (("--select", "W303", "--select", "W304"), ["W303", "W304"]),
        (("--ignore", "W303"), ["W304"]),
        (("--ignore", "W303,W304"), []),
        (("--ignore", "W3"), []),
        (("--select", "W3", "--ignore", "W304"), ["W303"]),
    ],
)
def test_select_and_ignore(
    run: Run, tmp_path: Path, options: tuple[str, ...], codes: list[str]
) -> None:
    warning_record(tmp_path)
    status, data = report(run, *options, "demo.toml")
    assert (status, [p["code"] for p in data["problems"]]) == (0, codes)
    assert data["warnings"] == len(codes)
    assert run("validate", "--strict", *options, "demo.toml").exit_code == (1 if codes else 0)


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_unknown_codes_are_usage_errors(run: Run, tmp_path: Path, option: str) -> None:
    warning_record(tmp_path)
    result = run("validate", option, "X999", "demo.toml")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"ucap: error: {option}: unknown problem code 'X999'\n")
    assert result.stdout == ""


def test_suppression_comment(run: Run, tmp_path: Path) -> None:
    text = (
        VALID_RECORD.replace(
            'cities = ["Lyon", "GRZ"]',
            'cities = [\n  "Lyon",\n  "GRZ",\n  "Gratz",  # ucap: ignore[W303]\n  "Bonn",\n]',
        )
        .replace('themes = ["Mobility"]\n', 'themes = ["Mobilty"]  # ucap: ignore[w304, E999]\n')
        .replace("population = 513000", "population = 0  # ucap: ignore[W303]")
    )
    write_record(tmp_path, "demo", text)
    status, data = report(run, "demo.toml")
    # Bonn is still reported (its line has no comment); the E104 comment names another code.
    assert located(data["problems"]) == [("demo.toml", 18, 14, "E104")]
    fixed = text.replace("population = 0", "population = 1")
    write_record(tmp_path, "demo", fixed)
    status, data = report(run, "demo.toml")
    # Now that the record has no errors, the comments that suppress nothing are W308.
    assert (status, located(data["problems"])) == (
        0,
        [
            ("demo.toml", 18, 17, "W308"),
            ("demo.toml", 33, 3, "W303"),
            ("demo.toml", 35, 23, "W308"),
        ],
    )
    assert "'Bonn'" in data["problems"][1]["message"]
    assert data["problems"][2]["message"] == (
        "# ucap: ignore[E999] suppresses nothing on this line (E999 is not a problem code)"
    )


# --------------------------------------------------------------------------- pre-commit mode


def test_given_files_are_checked_against_the_whole_collection(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "records/demo", VALID_RECORD)
    write_record(tmp_path, "records/sub/twin", VALID_RECORD)  # same id, elsewhere
    write_record(tmp_path, "records/broken", "id = [")  # problems, but not given
    write_record(tmp_path, "records/good", VALID_RECORD.replace('id = "demo"', 'id = "good"'))

    status, data = report(run, "records/demo.toml", "records/good.toml")
    assert status == 1
    assert data["files_checked"] == 2
    assert [
        (p["path"], p["line"], p["column"], p["code"], p["message"]) for p in data["problems"]
    ] == [
        ("records/demo.toml", 2, 6, "E201", "id 'demo' is also used by records/sub/twin.toml"),
    ]
    status, data = report(run, "records/good.toml")
    assert (status, data["problems"], data["files_checked"]) == (0, [], 1)

    # The same file given twice (absolute, ./, through its folder) is checked once.
    again = (str(tmp_path / "records/good.toml"), "./records/good.toml", "records/../records")
    status, data = report(run, "records/good.toml", *again)
    assert data["files_checked"] == 4
    assert [p["path"] for p in data["problems"]] == [
        "records/broken.toml",
        "records/demo.toml",
        "records/sub/twin.toml",
        "records/sub/twin.toml",  # W301
    ]


def test_a_given_file_outside_the_records_folder(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "records/demo", VALID_RECORD)
    write_record(tmp_path, "drafts/demo", VALID_RECORD)
    status, data = report(run, "drafts/demo.toml")
    assert (status, located(data["problems"])) == (1, [("drafts/demo.toml", 2, 6, "E201")])
    assert data["problems"][0]["message"] == "id 'demo' is also used by records/demo.toml"


# --------------------------------------------------------------------------- usage errors


def test_missing_path_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "demo", VALID_RECORD)
    result = run("validate", "demo.toml", "nope.toml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "ucap: error: no such file or folder: nope.toml\n"


def test_unknown_option_is_a_usage_error(run: Run) -> None:
    result = run("validate", "--bogus")
    assert result.exit_code == 2
    assert "No such option: --bogus" in result.stderr


def test_no_arguments_prints_help_and_version(run: Run) -> None:
    result = run()
    assert "validate" in result.output and "Usage: ucap" in result.output
    assert run("--version").stdout == f"ucap {__version__}\n"


# --------------------------------------------------------------------------- bundled records


def test_bundled_records_pass_strict(run: Run) -> None:
    records = REPO / "records"
    count = len(list(records.rglob("*.toml")))
    result = run("validate", "--strict", str(records))
    expected = f"0 errors, 0 warnings in {count} file{'s' * (count != 1)}\n"
    assert (result.exit_code, result.stdout) == (0, expected)


def test_validate_never_changes_a_file(run: Run, tmp_path: Path) -> None:
    files = [
        write_record(tmp_path, "records/demo", VALID_RECORD),
        write_record(tmp_path, "records/bad", VALID_RECORD.replace("sdgs", "sdg")),
        write_record(tmp_path, "records/broken", b"\xff\xfe = [\n"),
        write_record(tmp_path, "records/bom", b"\xef\xbb\xbf" + VALID_RECORD.encode()),
    ]
    before = {f: (f.read_bytes(), os.stat(f).st_mtime_ns) for f in files}
    listing = sorted(tmp_path.rglob("*"))
    for fmt in ("text", "json", "github", "sarif", "concise"):
        run("validate", "--format", fmt)
        run("validate", "--format", fmt, *map(str, files))
    assert {f: (f.read_bytes(), os.stat(f).st_mtime_ns) for f in files} == before
    assert sorted(p for p in tmp_path.rglob("*") if ".hypothesis" not in p.parts) == listing
