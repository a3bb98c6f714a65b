"""`ucap results` through the real CLI: rows, --status, totals, filters, formats, errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import LYON_GRAZ, PUNE, REPO, Run, edited, generate_records, write_collection

RECORDS = str(REPO / "records")
STATUSES = ("planned", "in-progress", "achieved", "dropped")


def results_json(run: Run, *arguments: str) -> dict[str, Any]:
    result = run("results", "--format", "json", *arguments)
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def by_status(data: dict[str, Any]) -> dict[str, int]:
    return {t["status"]: t["expected_results"] for t in data["totals"]["by_status"]}


# --------------------------------------------------------------------------- bundled record


def test_bundled_record_has_seven_planned(run: Run) -> None:
    result = run("results", "--records", RECORDS, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "7 expected results: 7 planned"
    assert lines[2].split() == ["record", "theme", "status", "text", "organisations"]
    assert max(len(line) for line in lines) <= 80
    assert lines[-6:] == [
        "status       expected results",
        "planned                     7",
        "in-progress                 0",
        "achieved                    0",
        "dropped                     0",
        "total                       7",
    ]
    assert result.stderr == ""


def test_bundled_record_json(run: Run) -> None:
    data = results_json(run, "--records", RECORDS)
    assert data["totals"] == {
        "expected_results": 7,
        "by_status": [
            {"status": "planned", "expected_results": 7},
            {"status": "in-progress", "expected_results": 0},
            {"status": "achieved", "expected_results": 0},
            {"status": "dropped", "expected_results": 0},
        ],
    }
    rows = data["expected_results"]
    assert len(rows) == 7
    assert rows[0] == {
        "record": "zhengzhou",
        "lead_city": "Zhengzhou",
        "theme": "Smart Cities & Digital Transition",
        "status": "planned",
        "text": "Involving European counterparts in the development of new technology "
        "solutions with Chengang Group from Zhengdong New Area.",
        "organisations": ["Chengang Group", "Zhengdong New Area"],
    }
    assert rows[2]["theme"] is None  # the record gives none
    assert rows[6]["organisations"] == [
        "Research Centre on Historical Protection of Zhengzhou University"
    ]
    assert data["problems"] == []


def test_markdown_and_csv(run: Run) -> None:
    markdown = run("results", "--records", RECORDS, "-f", "markdown").stdout
    assert markdown.startswith(
        "# Expected results\n\n7 expected results: 7 planned.\n\n"
        "| record | theme | status | text | organisations |\n| --- | --- | --- | --- | --- |\n"
        "| zhengzhou | Smart Cities & Digital Transition | planned | Involving European "
    )
    assert markdown.endswith(
        "## By status\n\n| status | expected results |\n| --- | --- |\n| planned | 7 |\n"
        "| in-progress | 0 |\n| achieved | 0 |\n| dropped | 0 |\n| total | 7 |\n"
    )
    rows = list(
        csv.DictReader(io.StringIO(run("results", "--records", RECORDS, "-f", "csv").stdout))
    )
    assert len(rows) == 7
    assert list(rows[0]) == [
        "record",
        "lead_city",
        "theme",
        "status",
        "text",
        "organisations",
        "problem",
    ]
    assert rows[0]["organisations"] == "Chengang Group; Zhengdong New Area"
    assert {r["status"] for r in rows} == {"planned"}


# --------------------------------------------------------------------------- --status, filters


@pytest.fixture
def collection(tmp_path: Path) -> str:
    """Lyon-Graz (achieved, in-progress), Pune (none), Demo (planned, dropped)."""
    demo = edited(
        PUNE,
        ('id = "pune"', 'id = "demo"'),
        ('start = "2019-02"', 'start = "2016-01"'),
    )
    demo += (
        '\n[[expected_results]]\ntext = "Plan"\ntheme = "Water"\n'
        '\n[[expected_results]]\ntext = "Gone"\nstatus = "dropped"\norganisations = ["X", "Y"]\n'
    )
    folder = tmp_path / "records"
    write_collection(folder, {"lyon-graz": LYON_GRAZ, "pune": PUNE, "demo": demo})
    return str(folder)


def test_rows_in_records_order_each_in_its_own(run: Run, collection: str) -> None:
    data = results_json(run, "--records", collection)
    rows = [(r["record"], r["status"], r["text"]) for r in data["expected_results"]]
    assert rows == [
        ("demo", "planned", "Plan"),  # starts in 2016
        ("demo", "dropped", "Gone"),
        ("lyon-graz", "achieved", "A joint e-bus pilot"),  # 2017
        ("lyon-graz", "in-progress", "Another"),
    ]
    assert by_status(data) == {"planned": 1, "in-progress": 1, "achieved": 1, "dropped": 1}
    shown = run("results", "--records", collection).stdout
    assert shown.splitlines()[0] == (
        "4 expected results: 1 planned, 1 in-progress, 1 achieved, 1 dropped"
    )


def test_status_filters_results(run: Run, collection: str) -> None:
    data = results_json(run, "--records", collection, "--status", "achieved")
    assert [r["text"] for r in data["expected_results"]] == ["A joint e-bus pilot"]
    assert by_status(data) == {"planned": 0, "in-progress": 0, "achieved": 1, "dropped": 0}
    both = results_json(run, "--records", collection, "--status", "planned", "--status", "dropped")
    assert [r["text"] for r in both["expected_results"]] == ["Plan", "Gone"]
    result = run("results", "--records", collection, "--status", "done")
    assert result.exit_code == 2
    assert "unknown expected-result status 'done'" in result.stderr
    result = run("results", "--records", collection, "--status", "achieved", "--sdg", "6")
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == "no expected results match\n"


def test_other_filters_choose_records(run: Run, collection: str) -> None:
    def records(*arguments: str) -> list[str]:
        data = results_json(run, "--records", collection, *arguments)
        return sorted({r["record"] for r in data["expected_results"]})

    assert records("--city", "Graz") == ["lyon-graz"]
    assert records("--sdg", "6") == ["demo"]  # Pune has no expected result
    assert records("--since", "2019-06") == ["demo"]  # ongoing; Lyon-Graz ended in 2018
    assert records("--kind", "training") == ["demo"]
    assert records("--search", "pilot") == ["lyon-graz"]


def test_limit_keeps_the_totals_of_every_row(run: Run, collection: str) -> None:
    result = run("results", "--records", collection, "--limit", "3")
    assert "showing 3 of 4 expected results (--limit 0 for all)" in result.stdout
    assert "total                       4" in result.stdout
    data = results_json(run, "--records", collection, "--limit", "3")
    assert len(data["expected_results"]) == 3 and data["totals"]["expected_results"] == 4


def test_generated_collection_agrees_with_summary(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "generated"
    generate_records(folder, 30, seed=5)
    data = results_json(run, "--records", str(folder))
    summary = json.loads(run("summary", "--records", str(folder), "-f", "json").stdout)
    expected = {s["status"]: s["expected_results"] for s in summary["expected_results"]}
    assert by_status(data) == expected
    assert len(data["expected_results"]) == 60  # two a record
    for status in STATUSES:
        only = results_json(run, "--records", str(folder), "--status", status)
        assert {r["status"] for r in only["expected_results"]} <= {status}
        assert len(only["expected_results"]) == expected[status]


# --------------------------------------------------------------------------- records with errors


def test_record_with_errors_is_shown_and_said(run: Run, tmp_path: Path) -> None:
    bad = edited(
        LYON_GRAZ,
        ('id = "lyon-graz"', 'id = "bad"\nfoo = 1'),
        ('status = "achieved"', 'status = "finished"'),
    )
    folder = tmp_path / "records"
    write_collection(folder, {"bad": bad, "pune": PUNE})
    (folder / "broken.toml").write_text("x = [\n", encoding="utf-8")
    result = run("results", "--records", str(folder), env={"COLUMNS": "120"})
    assert result.exit_code == 1
    assert "bad !" in result.stdout
    assert "finished" in result.stdout  # an unknown status, as written, counted apart
    assert "! 1 record with errors, read as far as it could be:" in result.stdout
    assert "1 file left out, not readable as records:" in result.stdout
    assert "ucap: skipped records/broken.toml:2:1: E002" in result.stderr
    data = results_json(run, "--records", str(folder))
    assert by_status(data) == {
        "planned": 0,
        "in-progress": 1,
        "achieved": 0,
        "dropped": 0,
        "finished": 1,
    }
    assert [(p["code"], p["left_out"]) for p in data["problems"]] == [
        ("E102", False),
        ("E002", True),
    ]
    rows = list(
        csv.DictReader(io.StringIO(run("results", "--records", str(folder), "-f", "csv").stdout))
    )
    assert [r["record"] for r in rows] == ["bad", "bad", ""]
    assert "E102" in rows[0]["problem"] and "E002" in rows[2]["problem"]
    markdown = run("results", "--records", str(folder), "-f", "markdown").stdout
    assert "| bad ! |" in markdown and "## Records with errors" in markdown
