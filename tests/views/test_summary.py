"""`ucap summary` through the real CLI: every number, on the bundled record and a made-up one."""

# ruff: noqa: RUF001 - en dashes are what ucap prints

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest
from conftest import LYON_GRAZ, PUNE, REPO, Run, example, write_collection, write_record

from ucap_cli.record import vocab

RECORDS = str(REPO / "records")

# Three records: LYON_GRAZ and PUNE (from conftest) and tests/data/valid/lyon-kyoto.toml. Lyon
# leads two of them (spelt "LYON" in lyon-kyoto: the same city), Graz is a partner of both,
# Pune's period is ongoing; agreements use `count`. Records are taken in period order
# (lyon-kyoto, lyon-graz, pune): a name is shown as first spelt in that order.
LYON_KYOTO = example("lyon-kyoto")


@pytest.fixture
def collection(tmp_path: Path) -> str:
    """The three records in a folder; returns its path."""
    records = {"lyon-graz": LYON_GRAZ, "pune": PUNE, "lyon-kyoto": LYON_KYOTO}
    return str(write_collection(tmp_path / "recs", records))


def summary_json(run: Run, *args: str) -> dict[str, Any]:
    result = run("summary", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def counted(rows: list[dict[str, Any]], key: str, value: str) -> dict[Any, Any]:
    """{row[key]: row[value]} for the rows with a non-zero value."""
    return {row[key]: row[value] for row in rows if row[value]}


# --------------------------------------------------------------------------- the bundled record


def test_bundled_record_every_number(run: Run) -> None:
    data = summary_json(run, "--records", RECORDS)
    assert data["title"] == "Zhengzhou – Agii Anargiri-Kamatero, Málaga, Rome, Nice"
    assert data["interval"] == "year"
    assert data["overview"] == {
        "records": 1,
        "lead_cities": 1,
        "partner_cities": 4,
        # Granada took part in the September 2018 mission without being a partner (issue 13).
        "other_cities": 1,
        "countries": 5,
        "cities_from": "records",
        "activities": 8,
        # Four agreement tables; July 2018's "five MoUs" is count = 5: 1 + 1 + 1 + 5.
        "agreements": 8,
        "agreements_by_kind": {"mou": 7, "cooperation-agreement": 1},
        "period": {"start": "2017-03", "end": "2018-11", "ongoing": False},
        "activity_dates": {"first": "2017-04", "last": "2018-11"},
        "names": {
            "lead_cities": ["Zhengzhou"],
            "partner_cities": ["Agii Anargiri-Kamatero", "Málaga", "Rome", "Nice"],
            "other_cities": ["Granada"],
            "countries": ["China", "Greece", "Spain", "Italy", "France"],
        },
    }
    assert data["activities_per_period"] == [
        {"period": "2017", "label": "2017", "activities": 4},
        {"period": "2018", "label": "2018", "activities": 4},
    ]
    assert [(k["kind"], k["activities"]) for k in data["activities_per_kind"]] == [
        ("visit", 3),
        ("meeting", 2),
        ("mission", 1),
        ("conference", 1),
        ("seminar", 1),
    ]
    assert data["themes"] == [
        {"theme": "Smart Cities & Digital Transition", "records": 1, "activities": 4},
        {"theme": "Logistics", "records": 1, "activities": 3},
        {"theme": "Mobility", "records": 1, "activities": 2},
    ]
    assert [s["sdg"] for s in data["sdgs"]] == list(range(1, 18))
    assert [s["name"] for s in data["sdgs"]] == list(vocab.SDGS.values())
    assert counted(data["sdgs"], "sdg", "records") == {9: 1}
    assert [t["topic"] for t in data["urban_agenda"]] == list(vocab.URBAN_AGENDA_TOPICS)
    assert counted(data["urban_agenda"], "topic", "records") == {
        "Jobs and Skills in the Local Economy": 1,
        "Urban Mobility": 1,
        "Digital Transition": 1,
    }
    assert data["city_network"] == [
        {"lead": "Zhengzhou", "partner": "Málaga", "activities": 2},
        {"lead": "Zhengzhou", "partner": "Agii Anargiri-Kamatero", "activities": 1},
        {"lead": "Zhengzhou", "partner": "Granada", "activities": 1},  # not a partner: issue 13
        {"lead": "Zhengzhou", "partner": "Nice", "activities": 1},
        {"lead": "Zhengzhou", "partner": "Rome", "activities": 1},
    ]
    organisations = data["organisations"]
    assert len(organisations) == 24  # the Logistic and Industrial Zone (issue 13, item 8)
    assert [
        (o["name"], o["activities"], o["expected_results"], o["total"]) for o in organisations[:6]
    ] == [
        ("Zhengzhou Municipal People's Government", 3, 0, 3),
        ("Yutong Bus", 2, 1, 3),
        ("Chengang Group", 1, 2, 3),
        ("Zhengdong New Area", 1, 2, 3),
        ("Andalusia Smart City Cluster", 2, 0, 2),
        ("DRC Zhengzhou", 2, 0, 2),
    ]
    assert all(o["total"] == 1 for o in organisations[6:])
    assert sum(o["expected_results"] for o in organisations) == 10
    assert data["expected_results"] == [
        {"status": "planned", "expected_results": 7},
        {"status": "in-progress", "expected_results": 0},
        {"status": "achieved", "expected_results": 0},
        {"status": "dropped", "expected_results": 0},
    ]


def test_bundled_record_per_quarter_and_month(run: Run) -> None:
    quarters = summary_json(run, "--records", RECORDS, "--interval", "quarter")
    assert [(b["period"], b["activities"]) for b in quarters["activities_per_period"]] == [
        ("2017Q2", 3),
        ("2017Q3", 0),
        ("2017Q4", 1),
        ("2018Q1", 0),
        ("2018Q2", 1),
        ("2018Q3", 2),
        ("2018Q4", 1),
    ]
    months = summary_json(run, "--records", RECORDS, "--interval", "month")["activities_per_period"]
    assert len(months) == 20  # Apr 2017 to Nov 2018, empty months included
    assert (months[0]["period"], months[0]["label"]) == ("2017-04", "Apr 2017")
    assert counted(months, "period", "activities") == {
        "2017-04": 1,
        "2017-06": 2,
        "2017-10": 1,
        "2018-04": 1,
        "2018-07": 1,
        "2018-09": 1,
        "2018-11": 1,
    }


def test_bundled_record_terminal_view(run: Run) -> None:
    result = run("summary", "--records", RECORDS)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:10] == [
        "Summary: Zhengzhou – Agii Anargiri-Kamatero, Málaga, Rome, Nice",
        "",
        "Records         1",
        "Lead cities     1: Zhengzhou",
        "Partner cities  4: Agii Anargiri-Kamatero, Málaga, Rome, Nice",
        "Other cities    1: Granada",
        "Countries       5: China, Greece, Spain, Italy, France",
        "Activities      8 (Apr 2017 – Nov 2018)",
        "Agreements      8 (7 MoUs, 1 cooperation agreement)",
        "Time span       Mar 2017 – Nov 2018",
    ]
    assert all(len(line) <= 80 for line in lines)
    assert all(line == line.rstrip() for line in lines)
    out = result.stdout
    # All 17 SDGs and 14 topics, the covered ones with their counts and a bar.
    for number, name in vocab.SDGS.items():
        row = next(line for line in lines if line.startswith(f"{number:>2} {name}"))
        assert row.split()[-2:] == (
            ["1", "#" * len(row.split()[-1])] if number == 9 else name.split()[-2:]
        )
    for topic in vocab.URBAN_AGENDA_TOPICS:
        assert topic in out
    bars = {line.split(" #")[0].rstrip(): line.count("#") for line in lines if "#" in line}
    assert bars["2017 4"] == bars["2018 4"] > 60  # the bars use the width
    malaga, nice = (
        bars["Zhengzhou – Málaga                 2"],
        bars["Zhengzhou – Nice                   1"],
    )
    assert abs(malaga - 2 * nice) <= 1
    for heading in (
        "-- Activities per year ",
        "-- Activities per kind ",
        "-- Themes ",
        "-- Sustainable Development Goals (records) ",
        "-- EU Urban Agenda topics (records) ",
        "-- City network ",
        "-- Organisations most often named ",
        "-- Expected results by status ",
    ):
        assert any(line.startswith(heading) for line in lines), heading
    assert "planned     7 " in out


def test_wide_terminal_puts_parts_side_by_side(run: Run) -> None:
    lines = run("summary", "--records", RECORDS, env={"COLUMNS": "170"}).stdout.splitlines()
    assert max(map(len, lines)) > 80 and max(map(len, lines)) <= 170
    assert any(
        "Sustainable Development Goals" in line and "EU Urban Agenda" in line for line in lines
    )


# --------------------------------------------------------------------------- a made-up collection


def test_collection_every_number(run: Run, collection: str) -> None:
    data = summary_json(run, "--records", collection)
    assert data["title"] is None
    assert data["overview"] == {
        "records": 3,
        "lead_cities": 2,  # LYON and Lyon are one city
        "partner_cities": 4,
        "other_cities": 0,
        "countries": 5,
        "cities_from": "records",
        "activities": 8,
        "agreements": 7,
        "agreements_by_kind": {
            "mou": 2,
            "cooperation-agreement": 1,
            "letter-of-intent": 1,
            "other": 3,
        },
        "period": {"start": "2016", "end": None, "ongoing": True},
        "activity_dates": {"first": "2016-10", "last": "2020-03"},
        "names": {
            "lead_cities": ["LYON", "Pune"],
            "partner_cities": ["Kyoto", "Graz", "Málaga", "Lyon"],
            "other_cities": [],
            "countries": ["France", "Japan", "Austria", "Spain", "India"],
        },
    }
    assert [(b["period"], b["activities"]) for b in data["activities_per_period"]] == [
        ("2016", 1),
        ("2017", 4),
        ("2018", 1),
        ("2019", 1),
        ("2020", 1),
    ]
    assert [k["kind"] for k in data["activities_per_kind"]] == [
        "visit", "mission", "meeting", "workshop", "conference", "signing", "training", "other"
    ]  # fmt: skip
    assert {k["activities"] for k in data["activities_per_kind"]} == {1}
    assert data["themes"] == [
        {"theme": "logistics", "records": 2, "activities": 0},
        {"theme": "Mobility", "records": 1, "activities": 2},
        {"theme": "Water", "records": 1, "activities": 0},
    ]
    assert counted(data["sdgs"], "sdg", "records") == {6: 1, 9: 1, 11: 2}
    assert len(data["sdgs"]) == 17 and len(data["urban_agenda"]) == 14
    assert counted(data["urban_agenda"], "topic", "records") == {
        "Air Quality": 1,
        "Housing": 1,
        "Urban Mobility": 1,
    }
    # Graz takes part by name, by alias (GRZ) and as the `where`; Málaga as one of the places
    # in "Málaga and Lyon"; pairs add up over the two records Lyon leads.
    assert [(n["lead"], n["partner"], n["activities"]) for n in data["city_network"]] == [
        ("LYON", "Graz", 3),
        ("LYON", "Kyoto", 2),
        ("LYON", "Málaga", 2),
        ("Pune", "LYON", 2),
    ]
    assert data["organisations"] == [
        {"name": "TCL", "activities": 3, "expected_results": 1, "total": 4},
        {"name": "Kyoto City", "activities": 1, "expected_results": 1, "total": 2},
        {"name": "Graz Linien", "activities": 1, "expected_results": 0, "total": 1},
    ]
    assert counted(data["expected_results"], "status", "expected_results") == {
        "in-progress": 1,
        "achieved": 1,
        "dropped": 1,
    }


def test_collection_quarters_and_months_with_a_year_only_date(run: Run, collection: str) -> None:
    quarters = summary_json(run, "--records", collection, "--interval", "quarter")
    rows = [(b["period"], b["activities"]) for b in quarters["activities_per_period"]]
    assert rows[:5] == [("2016Q4", 1), ("2017", 1), ("2017Q1", 0), ("2017Q2", 3), ("2017Q3", 0)]
    assert len(rows) == 15 and rows[-1] == ("2020Q1", 1)
    assert sum(n for _, n in rows) == 8
    months = summary_json(run, "--records", collection, "--interval", "month")
    rows = [(b["period"], b["activities"]) for b in months["activities_per_period"]]
    assert len(rows) == 42  # Oct 2016 to Feb 2020 (41 months) and the year-only "2017"
    assert [r for r in rows if r[1]] == [
        ("2016-10", 1),
        ("2017", 1),
        ("2017-06", 3),
        ("2018-01", 1),
        ("2019-05", 1),
        ("2020-02", 1),
    ]


def test_activity_filter_counts_matching_activities_of_chosen_records(
    run: Run, collection: str
) -> None:
    data = summary_json(run, "--records", collection, "--city", "graz")
    overview = data["overview"]
    assert (overview["records"], overview["activities"], overview["agreements"]) == (2, 3, 2)
    assert overview["period"] == {"start": "2016", "end": "2018-11", "ongoing": False}
    # "2017-06" covers June to its last day: it ends after 2017-06-20.
    assert overview["activity_dates"] == {"first": "2017-06", "last": "2017-06"}
    # Under an activity filter the cities are those taking part in the matching activities
    # (issue 13): Málaga, a partner of LYON, takes part in none of Graz's.
    assert [(n["partner"], n["activities"]) for n in data["city_network"]] == [
        ("Graz", 3),
        ("Kyoto", 1),
    ]
    assert overview["cities_from"] == "activities"
    assert "Málaga" not in overview["names"]["partner_cities"]
    assert data["activities_per_period"] == [{"period": "2017", "label": "2017", "activities": 3}]
    # Record-level: --sdg chooses the records, all their activities count.
    data = summary_json(run, "--records", collection, "--sdg", "11")
    assert (data["overview"]["records"], data["overview"]["activities"]) == (2, 6)


def test_csv_is_every_number_in_long_form(run: Run, collection: str) -> None:
    result = run("summary", "--records", collection, "--format", "csv", "--interval", "quarter")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["part", "key", "name", "measure", "value"]
    table = {(r["part"], r["key"], r["measure"]): r["value"] for r in rows}
    assert table[("overview", "", "agreements")] == "7"
    assert table[("overview", "other", "agreements")] == "3"
    assert table[("overview", "", "ongoing")] == "true"
    assert table[("activities_per_quarter", "2017Q2", "activities")] == "3"
    assert table[("themes", "logistics", "records")] == "2"
    assert table[("sdgs", "11", "records")] == "2"
    network = [(r["key"], r["name"], r["value"]) for r in rows if r["part"] == "city_network"]
    assert network == [
        ("LYON", "Graz", "3"),
        ("LYON", "Kyoto", "2"),
        ("LYON", "Málaga", "2"),
        ("Pune", "LYON", "2"),
    ]
    assert table[("organisations", "TCL", "expected_results")] == "1"
    assert table[("expected_results", "dropped", "expected_results")] == "1"
    assert sum(r["part"] == "sdgs" for r in rows) == 17
    assert sum(r["part"] == "urban_agenda" for r in rows) == 14


def test_markdown(run: Run, collection: str) -> None:
    out = run("summary", "--records", collection, "--format", "markdown").stdout
    assert out.startswith("# Summary: 3 records\n")
    for line in (
        "| Agreements | 7 (2 MoUs, 1 cooperation agreement, 1 letter of intent, "
        "3 other agreements) |",
        "| Time span | 2016 – ongoing |",
        "## Activities per year",
        "| 2017 | 4 |",
        "| logistics | 2 | 0 |",
        "| 11 | Sustainable cities and communities | 2 |",
        "| Security in Public Spaces | 0 |",
        "| LYON | Graz | 3 |",
        "| TCL | 3 | 1 | 4 |",
        "| dropped | 1 |",
    ):
        assert line in out, line


def test_terminal_view_of_the_collection(run: Run, collection: str) -> None:
    out = run("summary", "--records", collection).stdout
    assert "Time span       2016 – ongoing" in out
    assert "Lead cities     2: LYON, Pune" in out
    assert "LYON – Graz   3 " in out
    assert "TCL         4 " in out


def test_empty_result(run: Run, collection: str) -> None:
    result = run("summary", "--records", collection, "--sdg", "17")
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == "No records match.\n"
    data = summary_json(run, "--records", collection, "--sdg", "17")
    assert data["overview"]["records"] == 0 and data["activities_per_period"] == []
    assert len(data["sdgs"]) == 17


def test_a_record_with_errors_counts_and_a_file_not_toml_is_left_out_exit_1(
    run: Run, collection: str
) -> None:
    # TOML that parses, with errors (no period, city, partners...): counted as far as it can
    # be read (issue 13); a file that is not TOML is left out. Both are named in the output.
    write_record(Path(collection), "broken", "schema_version = 1\nid = 'broken'\n")
    write_record(Path(collection), "garbled", "schema_version = [\n")
    result = run("summary", "--records", collection, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["overview"]["records"] == 4
    problems = {Path(p["path"]).name: p for p in data["problems"]}
    assert problems["broken.toml"]["left_out"] is False
    assert problems["broken.toml"]["code"] == "E101"
    assert problems["garbled.toml"]["left_out"] is True
    assert "ucap: skipped " in result.stderr and "garbled.toml" in result.stderr


def test_an_unknown_country_is_not_counted(run: Run, tmp_path: Path) -> None:
    """Countries are counted by ISO code: `Greeece` (E109) is no country, and beside `Greece`
    it would count one country twice."""
    folder = tmp_path / "records"
    write_record(folder, "lyon-graz", LYON_GRAZ.replace('country = "AT"', 'country = "Austrai"'))
    write_record(folder, "pune", PUNE)
    assert "Austrai" in (folder / "lyon-graz.toml").read_text(encoding="utf-8")
    result = run("summary", "--format", "json")
    assert result.exit_code == 1
    overview = json.loads(result.stdout)["overview"]
    assert overview["names"]["countries"] == ["France", "Spain", "India"]
    assert overview["countries"] == 3
    assert [p["code"] for p in json.loads(result.stdout)["problems"]] == ["E109"]


def test_help_and_bad_interval(run: Run) -> None:
    out = " ".join(run("summary", "--help").stdout.split())
    assert "activity-level filters apply to each activity" in out
    assert "--interval" in out and "--export" in out
    result = run("summary", "--records", RECORDS, "--interval", "week")
    assert result.exit_code == 2


# --------------------------------------------------------------------------- exports


def test_export_svg_html_txt(run: Run, tmp_path: Path) -> None:
    for name in ("s.svg", "s.html", "s.txt"):
        result = run("summary", "--records", RECORDS, "--export", name)
        assert result.exit_code == 0 and result.stderr == f"saved {name}\n"
    root = ElementTree.parse(tmp_path / "s.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "Industry, innovation and infrastructure" in "".join(root.itertext()).replace(
        "\xa0", " "
    )
    page = (tmp_path / "s.html").read_text(encoding="utf-8")
    assert "8 (7 MoUs, 1 cooperation agreement)" in page
    text = (tmp_path / "s.txt").read_text(encoding="utf-8")
    shown = run("summary", "--records", RECORDS).stdout
    # The export draws as a terminal does (box rules, block bars); the text is the same.
    assert text.replace("\u2500", "-").splitlines()[:9] == shown.splitlines()[:9]
    assert "\u2588" in text and "#" not in text
    assert len(text.splitlines()) == len(shown.splitlines())
