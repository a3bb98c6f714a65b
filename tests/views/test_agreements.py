"""`ucap agreements` through the real CLI: rows, order, totals, filters, formats, errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from conftest import LYON_GRAZ, PUNE, REPO, Run, edited, generate_records, write_collection

from ucap_cli.render.tabular import AGREEMENT_WORDS

RECORDS = str(REPO / "records")


def agreements_json(run: Run, *arguments: str) -> dict[str, Any]:
    result = run("agreements", "--format", "json", *arguments)
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# --------------------------------------------------------------------------- bundled record


def test_bundled_record_has_four_entries_and_eight_agreements(run: Run) -> None:
    result = run("agreements", "--records", RECORDS, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "4 agreement entries, 8 agreements: 7 MoUs, 1 cooperation agreement"
    assert max(len(line) for line in lines) <= 80
    # Totals by kind and by year under the table, entries and agreements side by side.
    assert "kind                   entries  agreements" in lines
    assert "MoU                          3           7" in lines
    assert "cooperation agreement        1           1" in lines
    assert "2017         3           3" in lines
    assert "2018         1           5" in lines
    assert lines.count("total        4           8") == 1  # the year table's
    assert lines.count("total                        4           8") == 1  # the kind table's
    assert result.stderr == ""


def test_bundled_record_json(run: Run) -> None:
    data = agreements_json(run, "--records", RECORDS)
    assert data["totals"] == {
        "entries": 4,
        "agreements": 8,
        "by_kind": [
            {"kind": "mou", "entries": 3, "agreements": 7},
            {"kind": "cooperation-agreement", "entries": 1, "agreements": 1},
        ],
        "by_year": [
            {"year": 2017, "entries": 3, "agreements": 3},
            {"year": 2018, "entries": 1, "agreements": 5},
        ],
    }
    rows = data["agreements"]
    assert [(r["date"], r["kind"], r["count"]) for r in rows] == [
        ("2017-04", "mou", 1),
        ("2017-06", "cooperation-agreement", 1),
        ("2017-06", "mou", 1),
        ("2018-07", "mou", 5),
    ]
    assert rows[1] == {
        "date": "2017-06",
        "record": "zhengzhou",
        "lead_city": "Zhengzhou",
        "activity": "Visit of Zhengzhou to Málaga and Andalucía \u2013 China Business Conference",
        "kind": "cooperation-agreement",
        "parties": ["Andalusia Smart City Cluster", "Zhengzhou Municipal People's Government"],
        "count": 1,
        "fields": ["Sustainable Master Planning & Construction of the Smart City"],
        "title": "China-Europe Smart City Pilot Zone Project",
    }
    assert data["problems"] == []


def test_during_2018_is_the_five_mous_of_july(run: Run) -> None:
    data = agreements_json(run, "--records", RECORDS, "--during", "2018")
    assert data["totals"]["entries"] == 1 and data["totals"]["agreements"] == 5
    (row,) = data["agreements"]
    assert (row["date"], row["kind"], row["count"]) == ("2018-07", "mou", 5)
    shown = run("agreements", "--records", RECORDS, "--during", "2018").stdout
    assert shown.splitlines()[0] == "1 agreement entry, 5 agreements: 5 MoUs"


def test_markdown_says_entries_and_agreements(run: Run) -> None:
    result = run("agreements", "--records", RECORDS, "--format", "markdown")
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith(
        "# Agreements\n\n4 agreement entries, 8 agreements: 7 MoUs, 1 cooperation agreement.\n\n"
        "| date | record | activity | kind | parties | count | title |\n"
    )
    assert "| 2018-07 | zhengzhou | EU-China High Level Seminar on Regional Policy" in text
    assert "| mou |" not in text  # the kind's wording, as everywhere
    assert "| cooperation agreement |" in text
    assert (
        "## By kind\n\n| kind | entries | agreements |\n| --- | --- | --- |\n"
        "| MoU | 3 | 7 |\n| cooperation agreement | 1 | 1 |\n| total | 4 | 8 |\n" in text
    )
    assert "## By year\n\n| year | entries | agreements |\n" in text
    assert "| 2018 | 1 | 5 |\n| total | 4 | 8 |\n" in text


def test_csv_one_row_per_entry(run: Run) -> None:
    result = run("agreements", "--records", RECORDS, "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 4
    assert list(rows[0]) == [
        "date",
        "record",
        "lead_city",
        "activity",
        "kind",
        "parties",
        "count",
        "fields",
        "title",
        "problem",
    ]
    assert sum(int(r["count"]) for r in rows) == 8
    assert rows[2]["fields"] == (
        "Mobility and Infrastructure; Logistics and Trade; Innovation Hub for Greek SMEs"
    )
    assert {r["problem"] for r in rows} == {""}


# --------------------------------------------------------------------------- several records


@pytest.fixture
def collection(tmp_path: Path) -> str:
    """Lyon-Graz (an MoU x2 in Jun 2017, a letter of intent on 2 Jan 2018), Pune (none), and
    a third record whose agreements share Lyon-Graz's month."""
    third = edited(
        PUNE,
        ('id = "pune"', 'id = "athens"'),
        ('start = "2019-02"', 'start = "2016-01"'),
        ('title = "Pune mission to Lyon"', 'title = "Athens signs"'),
        (
            'cities = ["Pune"]\n',
            'cities = ["Pune"]\n\n[[activities.agreements]]\nkind = "other"\n'
            'parties = ["Athens", "Lyon"]\ntitle = "Joint letter"\n',
        ),
        ('date = "2019-05-03"', 'date = "2017-06"'),
    )
    folder = tmp_path / "records"
    write_collection(folder, {"lyon-graz": LYON_GRAZ, "pune": PUNE, "athens": third})
    return str(folder)


def test_rows_in_date_order_then_records_order(run: Run, collection: str) -> None:
    data = agreements_json(run, "--records", collection)
    rows = [(r["date"], r["record"], r["kind"], r["count"]) for r in data["agreements"]]
    # Same month: the records' order (by the start of their period: Athens 2016, Lyon 2017).
    assert rows == [
        ("2017-06", "athens", "other", 1),
        ("2017-06", "lyon-graz", "mou", 2),
        ("2018-01-02", "lyon-graz", "letter-of-intent", 1),
    ]
    assert data["totals"]["by_kind"] == [
        {"kind": "mou", "entries": 1, "agreements": 2},
        {"kind": "letter-of-intent", "entries": 1, "agreements": 1},
        {"kind": "other", "entries": 1, "agreements": 1},
    ]
    shown = run("agreements", "--records", collection).stdout
    assert shown.splitlines()[0] == (
        "3 agreement entries, 4 agreements: 2 MoUs, 1 letter of intent, 1 other agreement"
    )


def test_filters_choose_activities_and_records(run: Run, collection: str) -> None:
    def dates(*arguments: str) -> list[str]:
        return [
            r["date"]
            for r in agreements_json(run, "--records", collection, *arguments)["agreements"]
        ]

    assert dates("--kind", "signing") == ["2018-01-02"]  # the activity's kind
    assert dates("--since", "2018") == ["2018-01-02"]
    assert dates("--city", "Málaga") == ["2018-01-02"]  # a place of the activity
    assert dates("--sdg", "6") == ["2017-06"]  # record-level: Athens (Pune's copy)
    assert dates("--status", "planned") == []  # an activity's status
    assert dates("--search", "joint letter") == ["2017-06"]  # the agreement's title
    assert dates("--org", "Athens") == ["2017-06"]  # a party
    result = run("agreements", "--records", collection, "--status", "achieved")
    assert result.exit_code == 2  # --status is an activity's status here
    assert "unknown activity status 'achieved'" in result.stderr


def test_nothing_matches(run: Run, collection: str) -> None:
    result = run("agreements", "--records", collection, "--during", "2030")
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == "no agreements match\n"
    data = agreements_json(run, "--records", collection, "--during", "2030")
    assert data["agreements"] == [] and data["totals"]["entries"] == 0
    assert data["totals"]["by_kind"] == [] and data["totals"]["by_year"] == []
    markdown = run("agreements", "--records", collection, "--during", "2030", "-f", "markdown")
    assert markdown.stdout == "# Agreements\n\nNo agreements match.\n"


def test_limit_keeps_the_totals_of_every_row(run: Run, collection: str) -> None:
    result = run("agreements", "--records", collection, "--limit", "1")
    assert "showing 1 of 3 agreement entries (--limit 0 for all)" in result.stdout
    assert "total                   3           4" in result.stdout
    data = agreements_json(run, "--records", collection, "--limit", "1")
    assert len(data["agreements"]) == 1 and data["totals"]["agreements"] == 4


def test_generated_collection_agrees_with_summary(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "generated"
    generate_records(folder, 30, seed=4)
    data = agreements_json(run, "--records", str(folder), "--limit", "0")
    summary = json.loads(run("summary", "--records", str(folder), "-f", "json").stdout)
    assert data["totals"]["agreements"] == summary["overview"]["agreements"]
    assert {t["kind"]: t["agreements"] for t in data["totals"]["by_kind"]} == summary["overview"][
        "agreements_by_kind"
    ]
    assert len(data["agreements"]) == data["totals"]["entries"] > 10
    dates = [r["date"] for r in data["agreements"]]
    assert dates == sorted(dates, key=lambda d: tuple(int(p) for p in d.split("-")))
    by_year: dict[int, int] = {}
    for row in data["agreements"]:
        year = int(row["date"][:4])
        by_year[year] = by_year.get(year, 0) + row["count"]
    assert {t["year"]: t["agreements"] for t in data["totals"]["by_year"]} == by_year


# --------------------------------------------------------------------------- records with errors


def test_record_with_errors_is_shown_and_said(run: Run, tmp_path: Path) -> None:
    bad = edited(
        LYON_GRAZ,
        ('id = "lyon-graz"', 'id = "bad"\nfoo = 1'),
        ('kind = "letter-of-intent"', 'kind = "treaty"'),
    )
    folder = tmp_path / "records"
    write_collection(folder, {"bad": bad, "pune": PUNE})
    (folder / "broken.toml").write_text("x = [\n", encoding="utf-8")
    result = run("agreements", "--records", str(folder), env={"COLUMNS": "120"})
    assert result.exit_code == 1
    out = result.stdout
    assert "bad !" in out
    assert "treaty" in out  # an unknown kind, as written
    assert "! 1 record with errors, read as far as it could be:" in out
    assert "E102 unknown key 'foo'" in out
    assert "1 file left out, not readable as records:" in out
    assert "ucap: skipped records/broken.toml:2:1: E002" in result.stderr

    data = agreements_json(run, "--records", str(folder))
    assert data["totals"]["agreements"] == 3
    assert [(p["path"], p["code"], p["left_out"]) for p in data["problems"]] == [
        ("records/bad.toml", "E102", False),
        ("records/broken.toml", "E002", True),
    ]
    rows = list(
        csv.DictReader(io.StringIO(run("agreements", "--records", str(folder), "-f", "csv").stdout))
    )
    assert [r["record"] for r in rows] == ["bad", "bad", ""]
    assert all("E102" in r["problem"] for r in rows[:2])
    assert "E002" in rows[2]["problem"]
    markdown = run("agreements", "--records", str(folder), "-f", "markdown").stdout
    assert "## Records with errors" in markdown and "| bad ! |" in markdown


def test_record_text_is_data(run: Run, tmp_path: Path) -> None:
    hostile = "[bold]x[/] \x1b[31m <b>|</b> =1+1"
    record: dict[str, Any] = {
        "schema_version": 1,
        "id": "evil",
        "period": {"start": "2017"},
        "city": {"name": "Lyon", "country": "FR"},
        "themes": ["Mobility"],
        "activities": [
            {
                "date": "2017-06",
                "kind": "visit",
                "title": hostile,
                "agreements": [{"kind": "mou", "parties": [hostile], "title": hostile}],
            }
        ],
    }
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "evil.toml").write_text(tomli_w.dumps(record), encoding="utf-8")
    shown = run("agreements", "--records", "records", env={"COLUMNS": "200"})
    assert "\x1b" not in shown.stdout and "\\x1b[31m" in shown.stdout
    assert "[bold]x[/]" in shown.stdout
    markdown = run("agreements", "--records", "records", "-f", "markdown").stdout
    assert "<b>" not in markdown and "&lt;b&gt;\\|&lt;/b&gt;" in markdown
    rows = list(
        csv.DictReader(io.StringIO(run("agreements", "--records", "records", "-f", "csv").stdout))
    )
    assert rows[0]["title"].startswith("[bold]")
    assert rows[0]["parties"] == "[bold]x[/] \\x1b[31m <b>|</b> =1+1"
    data = agreements_json(run, "--records", "records")
    assert data["agreements"][0]["title"] == hostile


def test_every_kind_has_its_wording(run: Run, tmp_path: Path) -> None:
    kinds = list(AGREEMENT_WORDS)
    text = LYON_GRAZ
    for kind in kinds:
        text += (
            f'\n[[activities]]\ndate = "2019-01"\nkind = "signing"\ntitle = "{kind}"\n'
            f'\n[[activities.agreements]]\nkind = "{kind}"\nparties = ["A"]\ncount = 2\n'
        )
    write_collection(tmp_path / "records", {"lyon-graz": text})
    out = run("agreements", "--records", "records", env={"COLUMNS": "200"}).stdout
    assert out.splitlines()[0] == (
        "6 agreement entries, 11 agreements: 4 MoUs, 2 cooperation agreements, "
        "3 letters of intent, 2 other agreements"
    )
    for one, _ in AGREEMENT_WORDS.values():
        assert f" {one} " in out
