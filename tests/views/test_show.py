"""`ucap show ID` through the real CLI (its completion: tests/cli/test_completion.py)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from conftest import REPO, VALID_RECORD, Run, write_record

from ucap_cli.record.data import as_data
from ucap_cli.record.model import Record
from ucap_cli.toml.parser import loads

RECORDS = str(REPO / "records")


def show(run: Run, *args: str) -> str:
    result = run("show", "--records", RECORDS, *args, env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_show_lays_out_the_whole_record(run: Run) -> None:
    text = show(run, "zhengzhou")
    lines = text.splitlines()
    assert lines[0] == "Zhengzhou – Agii Anargiri-Kamatero, Málaga, Rome, Nice"  # noqa: RUF001
    flat = " ".join(text.split())
    assert "Lead city Zhengzhou (Henan, China) · population 10,000,000 · 7,446 km²" in flat
    assert "Period Mar 2017 – Nov 2018" in flat  # noqa: RUF001
    assert "Programme IUC Asia" in flat
    assert "Contact IUC-ASIA_office@iuc-asia.eu" in flat
    assert "Agii Anargiri-Kamatero AAK Attica Greece" in flat
    assert "- 9 Industry, innovation and infrastructure" in flat
    assert "- Jobs and Skills in the Local Economy" in flat
    sections = ["Partners", "Themes", "Summary", "Focus", "Challenges", "Objectives"]
    sections += ["Activities (8)", "Expected results", "Organisations", "Sources"]
    positions = [lines.index(s) for s in sections]
    assert positions == sorted(positions)
    dates = ["Apr 2017", "Jun 2017", "Oct 2017", "Apr 2018", "Jul 2018", "Sep 2018", "Nov 2018"]
    activity_lines = lines[lines.index("Activities (8)") + 1 : lines.index("Expected results")]
    starts = [line.split()[:2] for line in activity_lines if line[2:3].isalpha()]
    assert [" ".join(s) for s in starts] == [dates[0], dates[1], dates[1], *dates[2:]]
    # One wording for agreements everywhere (issue 13.6): the kind, its count, then the title.
    assert (
        "- agreement: MoU ×5: Zhengzhou Municipal People's Government, EU pilot cities – "  # noqa: RUF001
        "Zhengzhou City Government signs five MoUs" in flat
    )
    assert "- output: Exploring collaboration on e-mobility with Yutong Bus" in flat
    assert "planned Test innovative urban mobility solutions" in flat
    assert "Yutong Bus company Zhengzhou Biggest e-bus producer in China." in flat
    assert not set("─│\x1b") & set(text)


def test_show_json_is_the_file_data(run: Run) -> None:
    data = json.loads(show(run, "zhengzhou", "--format", "json"))
    file_data = loads((REPO / "records" / "zhengzhou.toml").read_text(encoding="utf-8"))
    assert data == as_data(file_data)
    assert Record.model_validate(data).id == "zhengzhou"
    fields = json.loads(show(run, "zhengzhou", "-f", "json", "--fields", "id,sdgs"))
    assert fields == {"id": "zhengzhou", "sdgs": [9]}


def test_show_csv_and_markdown(run: Run) -> None:
    [row] = list(csv.DictReader(io.StringIO(show(run, "zhengzhou", "-f", "csv"))))
    assert (row["id"], row["activities"], row["urban_agenda"]) == (
        "zhengzhou",
        "8",
        "Digital Transition; Urban Mobility; Jobs and Skills in the Local Economy",
    )
    markdown = show(run, "zhengzhou", "-f", "markdown")
    assert markdown.startswith("# Zhengzhou – Agii Anargiri-Kamatero")  # noqa: RUF001
    for heading in ("## Partners", "## Activities", "## Expected results", "## Organisations"):
        assert f"\n{heading}\n" in markdown
    assert "| Agii Anargiri-Kamatero | AAK | Attica | Greece |" in markdown
    assert "- **Jul 2018** seminar: EU-China High Level Seminar" in markdown
    # The place and the cities taking part are two things, labelled as the terminal does.
    assert "  - where: Málaga\n  - cities: Zhengzhou, Málaga\n" in markdown


def test_show_markdown_labels_cities_without_a_place_as_cities(run: Run, tmp_path: Path) -> None:
    assert "where" not in VALID_RECORD
    write_record(tmp_path / "records", "demo", VALID_RECORD)
    result = run("show", "demo", "-f", "markdown")
    assert result.exit_code == 0, result.output
    markdown = result.stdout
    assert "where:" not in markdown
    assert "  - cities: Lyon, GRZ\n" in markdown


def test_unknown_id_suggests_the_closest(run: Run) -> None:
    result = run("show", "--records", RECORDS, "zhengzou")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"ucap: error: no record with id 'zhengzou' in {RECORDS} (did you mean 'zhengzhou'?)",
        "  hint: `ucap list` shows the ids",
    ]
    assert run("show", "--records", RECORDS, "tokyo").stderr.startswith(
        f"ucap: error: no record with id 'tokyo' in {RECORDS}\n"
    )


def test_show_finds_the_declared_id_and_marks_errors(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "records"
    write_record(folder, "sub/file-name", VALID_RECORD)  # id "demo" differs from the file name
    write_record(folder, "other", VALID_RECORD)  # the same id again: E201
    result = run("show", "demo")
    assert result.exit_code == 1  # the record has an error (issue 13.1)
    assert "Lyon – Graz" in result.stdout  # noqa: RUF001
    # The output itself names the error; stderr has the hint.
    flat = " ".join(result.stdout.split())
    assert (
        "! 1 record with errors, read as far as it could be: "
        "records/other.toml:2:6 E201 id 'demo' is also used by records/sub/file-name.toml "
        "run `ucap validate` for every problem of these records" in flat
    )
    assert result.stderr == "! 1 record with validation errors: run `ucap validate`\n"


def test_a_file_that_is_not_toml_cannot_be_shown(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path / "records", "demo", VALID_RECORD.replace("sdgs = [9, 11]", "sdgs = [9"))
    result = run("show", "demo")
    assert result.exit_code == 1
    assert result.stderr.startswith("ucap: error: records/demo.toml: cannot show the record: E002")
    assert "hint: run `ucap validate records/demo.toml`" in result.stderr
    assert result.stdout == ""


def test_a_record_with_an_error_is_shown_as_far_as_it_can_be_read(run: Run, tmp_path: Path) -> None:
    # Until issue 13.1 such a record could not be shown at all ("cannot show the record: E103").
    write_record(tmp_path / "records", "demo", VALID_RECORD.replace("sdgs = [9, 11]", "sdgs = 9"))
    result = run("show", "demo", env={"COLUMNS": "100"})
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "Lyon – Graz"  # noqa: RUF001
    assert "  records/demo.toml:6:8 E103 sdgs must be an array, got an integer" in lines
    assert "Activities (1)" in lines
    assert "SDGs" not in lines  # they could not be read
    assert "SDGs" in run("show", "--records", RECORDS, "zhengzhou").stdout.splitlines()
    assert result.stderr == "! 1 record with validation errors: run `ucap validate`\n"
    data = json.loads(run("show", "demo", "-f", "json").stdout)
    assert data["sdgs"] == 9  # the data as written
    assert [p["code"] for p in data["problems"]] == ["E103"]
    [row] = list(csv.DictReader(io.StringIO(run("show", "demo", "-f", "csv").stdout)))
    assert (row["sdgs"], row["activities"]) == ("", "1")
    assert row["problem"] == "records/demo.toml:6:8 E103 sdgs must be an array, got an integer"
    markdown = run("show", "demo", "-f", "markdown")
    assert markdown.exit_code == 1
    assert "\n## Records with errors\n" in markdown.stdout
    assert "- records/demo.toml:6:8 E103 sdgs must be an array, got an integer\n" in (
        markdown.stdout
    )


def test_record_text_is_shown_as_typed(run: Run, tmp_path: Path) -> None:
    text = VALID_RECORD.replace(
        'title = "Lyon – Graz"',  # noqa: RUF001
        'title = "[bold red]Lyon[/] \\u001b]8;;http://x\\u0007"',
    )
    write_record(tmp_path / "records", "demo", text)
    result = run("show", "demo")
    assert result.stdout.splitlines()[0] == "[bold red]Lyon[/] \\x1b]8;;http://x\\x07"
    markdown = run("show", "demo", "-f", "markdown").stdout
    # Escaped for Markdown, so that it renders as typed (brackets could make a link).
    assert markdown.startswith("# \\[bold red\\]Lyon\\[/\\] \\\\x1b\\]8;;http://x\\\\x07\n")


def test_show_usage_errors(run: Run) -> None:
    result = run("show", "--records", RECORDS, "zhengzhou", "--fields", "nope", "-f", "json")
    assert result.exit_code == 2
    assert "--fields: unknown field 'nope'" in result.stderr
    assert run("show", "--records", RECORDS).exit_code == 2  # no id
    missing = run("show", "--records", "nowhere", "x")
    assert missing.exit_code == 2
    assert "records folder not found: nowhere" in missing.stderr
