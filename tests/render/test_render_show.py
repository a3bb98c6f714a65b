"""ucap_cli/render/show.py: the writers of `show` called on a record view directly; a record
with errors is shown as far as it could be read, with its first error."""

from __future__ import annotations

import csv
import io
import json

from builders import record_file, rendered, status_of
from conftest import LYON_GRAZ, PUNE, VALID_RECORD, edited

from ucap_cli.record.model import Activity, City
from ucap_cli.render.records import CSV_COLUMNS
from ucap_cli.render.registry import Options
from ucap_cli.render.show import (
    activity_when,
    lead_city_text,
    record_period,
    sdg_text,
    show_csv,
    show_json,
    show_markdown,
    show_screen,
)
from ucap_cli.toml.parser import loads
from ucap_cli.views.report import Report
from ucap_cli.views.show import RecordView

FULL = edited(
    VALID_RECORD,
    ('contact = "team@example.org"', 'contact = "team@example.org"\nsummary = "Buses | trams"'),
    ("[extra]", '[[organisations]]\nname = "TCL"\nkind = "company"\n\n[extra]'),
)


def report(text: str, fields: tuple[str, ...] = (), name: str = "demo.toml") -> Report[RecordView]:
    """The show view of `text`, as `views.show.show_record` makes it."""
    file = record_file(text, name)
    assert file.record is not None
    status = status_of(file)
    return Report(RecordView(file, file.record, fields), [status] if status.error else [])


def test_the_parts_of_the_record() -> None:
    assert sdg_text(9) == "9 Industry, innovation and infrastructure"
    city = City(
        name="Zhengzhou", region="Henan", country="China", population=10_000_000, area_km2=7446
    )
    assert lead_city_text(city) == "Zhengzhou (Henan, China) · population 10,000,000 · 7,446 km²"
    assert lead_city_text(City(name="Pune", country="IN")) == "Pune (IN)"
    assert lead_city_text(None) == "?"
    record = report(PUNE).data.record
    assert record_period(record) == "Feb 2019 \u2013 ongoing"
    assert record_period(record.model_copy(update={"period": None})) == "?"
    one = Activity.model_validate({"date": "2017-06", "kind": "visit", "title": "x"})
    two = Activity.model_validate(
        {"date": "2017-06", "end": "2017-07", "kind": "visit", "title": "x"}
    )
    assert (activity_when(one), activity_when(two)) == ("Jun 2017", "Jun 2017 \u2013 Jul 2017")


def test_the_screen_lays_out_each_section_in_order() -> None:
    text = rendered(show_screen(report(FULL), Options()).renderable, width=100)
    lines = text.splitlines()
    assert lines[0] == "Lyon \u2013 Graz"
    headings = [
        line
        for line in lines
        if line
        in {"Partners", "Themes", "Summary", "Activities (1)", "Expected results", "Organisations"}
    ]
    assert headings == [
        "Partners",
        "Themes",
        "Summary",
        "Activities (1)",
        "Expected results",
        "Organisations",
    ]
    assert "Lead city  Lyon (Auvergne-Rhône-Alpes, France) · population 513,000" in lines
    assert "  - 9 Industry, innovation and infrastructure" in lines
    assert any(line.startswith("  Jun 2017  visit  Graz delegation visits Lyon") for line in lines)
    assert any("agreement: MoU: Lyon, Graz" in line for line in lines)
    assert "Buses | trams" in text
    assert "!" not in text  # no errors: no note


def test_a_record_with_an_error_shows_the_note_under_its_heading() -> None:
    text = rendered(
        show_screen(report(edited(FULL, ('"France"', '"Frnace"'))), Options()).renderable, 100
    )
    lines = text.splitlines()
    at = lines.index("! 1 record with errors, read as far as it could be:")
    assert lines[at + 1].startswith("  demo.toml:18:11 E109 ")  # FULL has one more line
    assert lines.index("Partners") > at


def test_json_is_the_data_as_written_with_the_first_error() -> None:
    assert json.loads(show_json(report(LYON_GRAZ, name="lyon-graz.toml"), Options())) == json.loads(
        json.dumps(loads(LYON_GRAZ), default=str)
    )
    broken = json.loads(
        show_json(report(edited(LYON_GRAZ, ('"AT"', '"Atlantis"')), ("id",)), Options())
    )
    assert list(broken) == ["id", "problems"]
    assert [(p["line"], p["code"]) for p in broken["problems"]] == [(18, "E109")]


def test_csv_is_one_row_of_the_list_columns_or_the_chosen_keys() -> None:
    header, row = list(csv.reader(io.StringIO(show_csv(report(VALID_RECORD), Options()))))
    assert tuple(header) == CSV_COLUMNS
    assert dict(zip(header, row, strict=True)) == {
        "id": "demo",
        "title": "Lyon \u2013 Graz",
        "city": "Lyon",
        "country": "France",
        "partners": "Graz",
        "start": "2017-03",
        "end": "2018-11",
        "programme": "IUC",
        "themes": "Mobility; Logistics",
        "sdgs": "9; 11",
        "urban_agenda": "Urban Mobility",
        "activities": "1",
        "activities_total": "1",
        "problem": "",
    }
    chosen = show_csv(
        report(edited(VALID_RECORD, ('"France"', '"Frnace"')), ("id", "city.name")), Options()
    )
    header, row = list(csv.reader(io.StringIO(chosen)))
    assert (header, row[:2]) == (["id", "city.name", "problem"], ["demo", "Lyon"])
    assert row[2].startswith("demo.toml:17:11 E109 ")


def test_markdown_is_a_document_whose_record_text_is_text() -> None:
    hostile = edited(
        FULL, ('title = "Graz delegation visits Lyon"', 'title = "<b>[x](http://y)</b>"')
    )
    text = show_markdown(report(hostile), Options())
    lines = text.splitlines()
    assert lines[0] == "# Lyon \u2013 Graz"
    assert "## Partners" in lines and "## Expected results" in lines and "## Organisations" in lines
    assert "- **Id:** demo" in lines
    assert "- **Jun 2017** visit: &lt;b&gt;\\[x\\](http://y)&lt;/b&gt;" in lines
    assert "  - agreement: MoU: Lyon, Graz" in lines
    assert "## Records with errors" not in lines
    assert "## Summary" in lines and "Buses \\| trams" in lines
