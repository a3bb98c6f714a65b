"""`ucap list` through the real CLI: filters, formats, sorting, skipped files, usage errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import oracle
import pytest
from conftest import (
    LYON_GRAZ,
    PUNE,
    REPO,
    VALID_RECORD,
    Run,
    edited,
    write_collection,
    write_record,
)

from ucap_cli.config import load_config
from ucap_cli.record.model import ValidRecord

RECORDS = str(REPO / "records")


def listed_ids(run: Run, *args: str) -> list[str]:
    result = run("list", "--records", RECORDS, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return [item["id"] for item in json.loads(result.stdout)]


@pytest.mark.parametrize(
    "options",
    [
        ("--city", "Zhengzhou"),
        ("--city", "malaga"),
        ("--city", "AAK"),
        ("--sdg", "9"),
        ("--topic", "urban mobility"),
        ("--org", "Yutong"),
        ("--country", "CHN"),
        ("--during", "2017Q2"),
        ("--kind", "mission", "--kind", "signing"),
        ("--search", "e-bus"),
        ("--status", "planned"),
        ("--programme", "iuc asia"),
        ("--theme", "LOGISTICS"),
    ],
)
def test_the_bundled_record_is_listed(run: Run, options: tuple[str, ...]) -> None:
    assert listed_ids(run, *options) == ["zhengzhou"]
    table = run("list", "--records", RECORDS, *options)
    assert table.exit_code == 0
    assert table.stdout.splitlines()[1].startswith("zhengzhou ")


@pytest.mark.parametrize(
    "options",
    [
        ("--sdg", "3"),
        ("--city", "Tokyo"),
        ("--city", "Zhengzhou", "--sdg", "3"),  # different options: AND
        ("--since", "2018-12"),
        ("--until", "2017-02"),
        ("--status", "achieved"),
    ],
)
def test_nothing_listed_is_not_an_error(run: Run, options: tuple[str, ...]) -> None:
    assert listed_ids(run, *options) == []
    table = run("list", "--records", RECORDS, *options)
    assert (table.exit_code, table.stdout) == (0, "")
    assert table.stderr == "no records match\n"


def test_same_option_twice_is_or(run: Run) -> None:
    assert listed_ids(run, "--city", "Tokyo", "--city", "Nice") == ["zhengzhou"]
    assert listed_ids(run, "--sdg", "3", "--sdg", "4") == []


def collection(tmp_path: Path) -> Path:
    """Three records: demo (Lyon-Graz, 2017-03..2018-11), early (2015), ongoing (2019-)."""
    early = edited(
        VALID_RECORD,
        ('id = "demo"', 'id = "early"'),
        ('start = "2017-03"', 'start = "2015"'),
        ('end = "2018-11"', 'end = "2015-12"'),
        ('date = "2017-06"', "date = 2015-06-15"),
        ('name = "Lyon"', 'name = "Nantes"'),
        ('cities = ["Lyon", "GRZ"]', 'cities = ["Nantes", "Graz"]'),
        ('parties = ["Lyon", "Graz"]', 'parties = ["Nantes", "Graz"]'),
        ("sdgs = [9, 11]", "sdgs = [3]"),
    )
    ongoing = edited(
        VALID_RECORD,
        ('id = "demo"', 'id = "ongoing"'),
        ('start = "2017-03"', 'start = "2019-02"'),
        ('end = "2018-11"\n', ""),
        ('date = "2017-06"', 'date = "2019-05"'),
        ('kind = "visit"', 'kind = "workshop"'),
        ('name = "Graz"', 'name = "Málaga"'),
        ('short = "GRZ"', 'short = "MLG"'),
        ('country = "AT"', 'country = "Spain"'),
        ('cities = ["Lyon", "GRZ"]', 'cities = ["Lyon", "MLG"]'),
        ('parties = ["Lyon", "Graz"]', 'parties = ["Lyon", "Málaga"]'),
    )
    records = {"demo": VALID_RECORD, "early": early, "ongoing": ongoing}
    return write_collection(tmp_path / "records", records)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ((), ["early", "demo", "ongoing"]),
        (("--city", "lyon"), ["demo", "ongoing"]),
        (("--city", "MALAGA"), ["ongoing"]),
        (("--city", "mlg"), ["ongoing"]),
        (("--city", "grz"), ["early", "demo"]),  # the alias of their partner Graz
        (("--city", "graz"), ["early", "demo"]),
        (("--city", "nantes", "--city", "malaga"), ["early", "ongoing"]),
        (("--country", "ES"), ["ongoing"]),
        (("--country", "Austria", "--city", "Lyon"), ["demo"]),
        (("--sdg", "3"), ["early"]),
        (("--sdg", "3", "--sdg", "11"), ["early", "demo", "ongoing"]),
        (("--kind", "workshop"), ["ongoing"]),
        (("--since", "2018-11"), ["demo", "ongoing"]),  # month precision: November counts
        (("--since", "2018-12"), ["ongoing"]),
        (("--until", "2015"), ["early"]),  # year precision
        (("--until", "2015-12-31"), ["early"]),
        (("--until", "2014"), []),
        (("--since", "2016", "--until", "2017-03"), ["demo"]),
        (("--during", "2015"), ["early"]),
        (("--during", "2015Q3"), ["early"]),  # the record's period overlaps
        (("--during", "2015-06"), ["early"]),
        (("--during", "2030"), ["ongoing"]),  # no end: ongoing
        (("--org", "NANTES"), ["early"]),  # an agreement's party
        (("--search", "E-BUS pilot"), ["early", "demo", "ongoing"]),
    ],
)
def test_filters_on_a_collection(
    run: Run, tmp_path: Path, options: tuple[str, ...], expected: list[str]
) -> None:
    folder = collection(tmp_path)
    result = run("list", "--records", str(folder), "-f", "json", *options)
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.stdout)] == expected


def test_sort_reverse_and_limit(run: Run, tmp_path: Path) -> None:
    folder = str(collection(tmp_path))

    def ids(*args: str) -> list[str]:
        return [
            r["id"]
            for r in json.loads(run("list", "--records", folder, "-f", "json", *args).stdout)
        ]

    assert ids("--sort", "id") == ["demo", "early", "ongoing"]
    assert ids("--reverse") == ["ongoing", "demo", "early"]
    assert ids("--sort", "end") == ["early", "demo", "ongoing"]  # ongoing last
    assert ids("--limit", "2") == ["early", "demo"]
    assert ids("--reverse", "--limit", "1") == ["ongoing"]


def test_json_is_the_file_data_and_round_trips(run: Run, tmp_path: Path) -> None:
    folder = collection(tmp_path)
    result = run("list", "--records", str(folder), "--format", "json")
    data = json.loads(result.stdout)
    early = next(item for item in data if item["id"] == "early")
    assert early["activities"][0]["date"] == "2015-06-15"  # a TOML date, as an ISO string
    assert early["period"] == {"start": "2015", "end": "2015-12"}  # partial dates as written
    assert early["extra"] == {"anything": {"goes": [1, "here"]}}  # nothing lost
    loaded = {r.id: r for r in oracle.records(oracle.load_folder(load_config(records=folder)))}
    assert {item["id"]: ValidRecord.model_validate(item) for item in data} == loaded


def test_json_fields(run: Run) -> None:
    result = run("list", "--records", RECORDS, "-f", "json", "--fields", "id, period,sdgs")
    assert json.loads(result.stdout) == [
        {"id": "zhengzhou", "period": {"start": "2017-03", "end": "2018-11"}, "sdgs": [9]}
    ]


def test_csv_one_row_per_record(run: Run) -> None:
    result = run("list", "--records", RECORDS, "-f", "csv", "--city", "malaga")
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["id"] == "zhengzhou"
    assert row["partners"] == "Agii Anargiri-Kamatero; Málaga; Rome; Nice"
    assert row["themes"] == "Logistics; Mobility; Smart Cities & Digital Transition"
    assert (row["start"], row["end"], row["sdgs"]) == ("2017-03", "2018-11", "9")
    assert (row["activities"], row["activities_total"]) == ("2", "8")


def test_csv_fields_flatten_tables(run: Run) -> None:
    result = run("list", "--records", RECORDS, "-f", "csv", "--fields", "id,city,partners")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == [
        "id",
        "city.name",
        "city.region",
        "city.country",
        "city.population",
        "city.area_km2",
        "partners",
    ]  # and a `problem` column when a record has errors (issue 13.1)
    assert rows[1] == [
        "zhengzhou",
        "Zhengzhou",
        "Henan",
        "China",
        "10000000",
        "7446",
        "Agii Anargiri-Kamatero; Málaga; Rome; Nice",
    ]


def test_csv_neutralises_formulas(run: Run, tmp_path: Path) -> None:
    text = VALID_RECORD.replace('title = "Lyon – Graz"', 'title = "=HYPERLINK(\\"x\\")"')  # noqa: RUF001
    write_record(tmp_path / "records", "demo", text)
    result = run("list", "-f", "csv")
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["title"] == '\'=HYPERLINK("x")'


def test_markdown_table(run: Run) -> None:
    result = run("list", "--records", RECORDS, "-f", "markdown", "--kind", "visit")
    assert result.stdout.splitlines() == [
        "| id | lead city | partners | period | themes | SDGs | activities |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        "| zhengzhou | Zhengzhou (China) | Agii Anargiri-Kamatero, Málaga, Rome, Nice | "
        "2017-03 – 2018-11 | Logistics, Mobility, Smart Cities & Digital Transition | 9 | 3/8 |",  # noqa: RUF001
    ]


def test_markdown_escapes_pipes_and_html(run: Run, tmp_path: Path) -> None:
    text = VALID_RECORD.replace('name = "Graz"', 'name = "Graz | <b>x</b>"')
    write_record(tmp_path / "records", "demo", text)
    result = run("list", "-f", "markdown")
    assert "Graz \\| &lt;b&gt;x&lt;/b&gt;" in result.stdout


def test_table_without_a_terminal_has_no_box_or_colour_and_folds_at_80(run: Run) -> None:
    result = run("list", "--records", RECORDS, "--city", "malaga", env={"COLUMNS": "80"})
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "id",
        "lead",
        "city",
        "partners",
        "period",
        "themes",
        "SDGs",
        "activities",
    ]
    assert all(len(line) <= 80 for line in lines)
    assert len(lines) > 2  # folded
    # The period stays whole (issue 16); words are broken only after a hyphen, never cut.
    assert "2017-03 – 2018-11" in result.stdout  # noqa: RUF001
    assert all(word in result.stdout.split() for word in ("Anargiri-", "Kamatero,", "Málaga,"))
    assert not set("─│┃━\x1b") & set(result.stdout)
    assert lines[1].split()[-1] == "2/8"  # matching activities out of all


def test_table_uses_the_full_width_when_there_is_room(run: Run) -> None:
    result = run("list", "--records", RECORDS, env={"COLUMNS": "200"})
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert "Agii Anargiri-Kamatero, Málaga, Rome, Nice" in lines[1]
    assert lines[1].rstrip().endswith("9              8")


def test_record_text_is_not_markup(run: Run, tmp_path: Path) -> None:
    text = VALID_RECORD.replace('name = "Graz"', 'name = "[bold]Graz[/] \\u001b[31m"')
    write_record(tmp_path / "records", "demo", text)
    result = run("list", env={"COLUMNS": "200"})
    assert "[bold]Graz[/] \\x1b[31m" in result.stdout
    assert "\x1b" not in result.stdout


def test_unreadable_file_is_skipped_and_exit_is_1(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "records"
    write_record(folder, "demo", VALID_RECORD)
    write_record(folder, "broken", "id = [")
    write_record(folder, "invalid", VALID_RECORD.replace("sdgs = [9, 11]", "sdgs = [99]"))
    result = run("list", "-f", "json")
    assert result.exit_code == 1
    listed = json.loads(result.stdout)
    # The file that is not TOML is left out, and the JSON says so in an entry of its own; the
    # record with an error (it shares demo's id too) is listed as far as it could be read.
    assert [r.get("id") for r in listed] == ["demo", "demo", None]
    assert [r["problems"][0]["path"] for r in listed] == [
        "records/demo.toml",
        "records/invalid.toml",
        "records/broken.toml",
    ]
    assert listed[1]["sdgs"] == [99]  # the data as written
    assert listed[2]["left_out"] is True
    assert listed[2]["problems"][0]["code"] == "E002"
    errors = result.stderr.splitlines()
    assert errors[0].startswith("ucap: skipped records/broken.toml:1:")
    assert "E002" in errors[0]
    assert errors[1] == "  hint: run `ucap validate` for every problem"
    # the invalid record is listed, not skipped
    assert errors[2:] == ["! 2 records with validation errors: run `ucap validate`"]


def test_a_record_with_errors_that_a_filter_leaves_out_is_still_counted(
    run: Run, tmp_path: Path
) -> None:
    """Exit 1 whenever a file has an error, and stderr says how many records have errors,
    shown or not (an unknown country cannot match `--country`); it does not claim the
    record shown has errors."""
    folder = tmp_path / "records"
    write_record(folder, "lyon-graz", LYON_GRAZ.replace('country = "AT"', 'country = "Austrai"'))
    write_record(folder, "pune", PUNE)
    result = run("list", "--country", "India", "--format", "json")
    assert result.exit_code == 1
    assert [r["id"] for r in json.loads(result.stdout)] == ["pune"]
    assert result.stderr == "! 1 record with validation errors: run `ucap validate`\n"


def test_a_record_with_errors_is_listed_with_a_marker(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "records"
    write_record(folder, "demo", VALID_RECORD)
    write_record(folder, "copy", VALID_RECORD)  # same id: E201, but both records load
    result = run("list", env={"COLUMNS": "200"})
    assert result.exit_code == 1  # a record has errors (issue 13.1)
    lines = result.stdout.splitlines()
    rows = lines[1:3]
    assert [row.split()[:2] for row in rows] == [["demo", "!"], ["demo", "!"]]
    assert lines[3:] == [
        "",
        "! 2 records with errors, read as far as they could be:",
        "  records/copy.toml:2:6 E201 id 'demo' is also used by records/demo.toml",
        "  records/demo.toml:2:6 E201 id 'demo' is also used by records/copy.toml",
        "run `ucap validate` for every problem of these records",
    ]
    assert "run `ucap validate`" in result.stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--sdg", "19"), "--sdg: expected a Sustainable Development Goal number 1-17, got '19'"),
        (("--since", "2017-13"), "--since: month must be 01-12"),
        (("--during", "summer"), "--during: expected a year (2017), a quarter (2017Q2)"),
        (("--kind", "visti"), "(did you mean 'visit'?)"),
        (("--topic", "mobilty"), "(did you mean 'Urban Mobility'?)"),
        (("--country", "Chnia"), "(did you mean 'China'?)"),
        (("--status", "done"), "--status: unknown expected-result status 'done'"),
        (("--sort", "perod"), "--sort: unknown field 'perod' (did you mean 'period'?)"),
        (("--fields", "id,sdg", "-f", "csv"), "--fields: unknown field 'sdg' (did you mean"),
        (("--fields", "id", "-f", "table"), "--fields applies to --format json, csv and markdown"),
        (("--format", "xml"), "'xml' is not one of"),
        (("--limit", "-1"), "--limit"),
    ],
)
def test_usage_errors_exit_2(run: Run, options: tuple[str, ...], message: str) -> None:
    result = run("list", "--records", RECORDS, *options)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_configured_extra_kind(run: Run, tmp_path: Path) -> None:
    (tmp_path / "ucap.toml").write_text('activity_kinds = ["study-tour"]\n', encoding="utf-8")
    text = VALID_RECORD.replace('kind = "visit"', 'kind = "study-tour"')
    write_record(tmp_path / "records", "demo", text)
    result = run("list", "--kind", "study-tour", "-f", "json")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.stdout)] == ["demo"]


def test_limit_zero_lists_everything(run: Run, tmp_path: Path) -> None:
    for name in ("one", "two", "three"):
        write_record(
            tmp_path, f"{name}.toml", VALID_RECORD.replace('id = "demo"', f'id = "{name}"')
        )
    assert len(listed_ids(run, "--records", str(tmp_path), "--limit", "0")) == 3


def test_terminal_table_shows_the_first_rows_and_says_how_many_matched(tmp_path: Path) -> None:
    """In a terminal (a pty here) the table stops at 50 rows with a footer, as `gh` does."""
    import os
    import pty
    import subprocess
    import sys

    for number in range(55):
        record_id = f"r{number:02d}"
        write_record(
            tmp_path,
            f"{record_id}.toml",
            VALID_RECORD.replace('id = "demo"', f'id = "{record_id}"'),
        )
    leader, follower = pty.openpty()
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    command = [sys.executable, "-m", "ucap_cli", "list", "--records", str(tmp_path)]
    process = subprocess.Popen(command, stdout=follower, stderr=subprocess.PIPE, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the pty closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    output = b"".join(chunks).decode()
    rows = [line for line in output.splitlines() if line.startswith("r")]
    assert len(rows) == 50
    assert "showing 50 of 55 records (--limit 0 for all)" in output
