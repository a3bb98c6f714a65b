"""ucap_cli/render/records.py: the writers of `list` called on a list view directly (the
table's columns and widths, JSON with problems and files left out, CSV and Markdown)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from builders import record_file, rendered, status_of
from conftest import LYON_GRAZ, PUNE, VALID_RECORD, edited

from ucap_cli.check.result import FileStatus
from ucap_cli.record.dates import PartialDate
from ucap_cli.render.fitted import Step, fit_widths, phrases
from ucap_cli.render.records import (
    COLUMNS,
    CSV_COLUMNS,
    activities_text,
    flat,
    flat_header,
    list_csv,
    list_json,
    list_markdown,
    list_screen,
    period_text,
    table_row,
)
from ucap_cli.render.registry import Options
from ucap_cli.render.tabular import problem_text
from ucap_cli.views.listing import Form, ListView, in_order, listed
from ucap_cli.views.query import Filters
from ucap_cli.views.report import Report, with_errors

BROKEN = edited(VALID_RECORD, ('id = "demo"', 'id = "broken"'), ('"France"', '"Frnace"'))
NOT_TOML = record_file('id = "nope"\nx = [\n', "nope.toml")


def report(
    form: Form = "row", fields: tuple[str, ...] = (), limit: int | None = None
) -> Report[ListView]:
    """The list view of lyon-graz, pune and a record with an error, plus a file left out."""
    files = [
        record_file(LYON_GRAZ, "lyon-graz.toml"),
        record_file(PUNE, "pune.toml"),
        record_file(BROKEN, "broken.toml"),
    ]
    rows = in_order(
        (status_of(f), item)
        for f in files
        if (item := listed(f, Filters(), form=form, fields=fields)) is not None
    )
    statuses = [*(status_of(f) for f in files), status_of(NOT_TOML)]
    view = ListView(rows[:limit] if limit else rows, len(rows), fields)
    return Report(view, with_errors(statuses))


def test_period_and_activities_columns() -> None:
    start, end = PartialDate(2017, 3), PartialDate(2018, 11)
    assert period_text(start, end, short=True) == "2017-03 \u2013 2018-11"
    assert period_text(start, end, short=False) == "Mar 2017 \u2013 Nov 2018"
    assert period_text(start, None, short=True) == "2017-03 \u2013 ongoing"
    assert period_text(None, end, short=True) == "?"
    row = listed(record_file(LYON_GRAZ), Filters()).row  # type: ignore[union-attr]
    assert row is not None
    assert (activities_text(row, False), activities_text(row, True)) == ("4", "4/4")


def test_a_table_row_marks_a_record_with_errors_and_what_is_unknown() -> None:
    file = record_file(edited(BROKEN, ('[period]\nstart = "2017-03"', "[period]\nstart = 2017")))
    item = listed(file, Filters())
    assert item is not None and item.row is not None
    assert table_row(status_of(file), item.row, False) == (
        "broken !",
        "Lyon (Frnace)",
        "Graz",
        "?",  # the period could not be read
        "Mobility, Logistics",
        "9, 11",
        "1",
    )


def test_fit_widths_within_the_room() -> None:
    header = ("id", "partners")
    rows = [(("lyon-graz",), phrases("Agii Anargiri-Kamatero, Graz, Málaga"))]
    ladder: list[Step] = [("id", "whole"), ("partners", "phrase")]
    assert fit_widths(header, rows, 80, ladder) == [9, 36]  # room enough: natural widths
    narrow = fit_widths(header, rows, 34, ladder)
    assert sum(narrow) <= 34
    assert narrow[0] == 9  # the id first on the ladder: never folded
    assert narrow[1] >= len("Agii Anargiri-Kamatero,")  # the longest phrase, where room allows
    tiny = fit_widths(header, [(("a" * 30,), ("b" * 30,))], 10, ladder)
    assert tiny == [4, 8]  # too narrow even for the words: each column at its floor


def test_the_screen_shows_the_rows_how_many_and_the_note() -> None:
    text = rendered(list_screen(report(limit=2), Options()).renderable, width=100)
    lines = text.splitlines()
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
    assert [line.split()[0] for line in lines[1:3]] == ["broken", "lyon-graz"]  # same start: by id
    assert "showing 2 of 3 records (--limit 0 for all)" in text
    assert "! 1 record with errors, read as far as it could be:" in text
    assert "1 file left out, not readable as records:" in text
    empty = list_screen(Report(ListView([], 0)), Options())
    assert (empty.renderable, empty.empty) == (None, "no records match")


def test_json_is_the_data_with_problems_and_the_files_left_out() -> None:
    data = json.loads(b"".join(list_json(report("json"), Options())))
    assert [item.get("id") for item in data] == ["broken", "lyon-graz", "pune", None]
    assert "problems" not in data[1]
    assert data[0]["problems"] == [
        {
            "path": "broken.toml",
            "line": 17,
            "column": 11,
            "code": "E109",
            "message": "city.country: unknown country 'Frnace': expected an ISO 3166-1 name or "
            "code (did you mean 'France'?)",
        }
    ]
    assert data[3]["path"] == "nope.toml" and data[3]["left_out"] is True
    assert [p["code"] for p in data[3]["problems"]] == ["E002"]
    chosen = json.loads(b"".join(list_json(report("json", ("id", "period")), Options())))
    assert chosen[1] == {"id": "lyon-graz", "period": {"start": "2017-03", "end": "2018-11"}}


def test_csv_has_the_summary_columns_and_a_problem_column() -> None:
    rows = list(csv.DictReader(io.StringIO(list_csv(report(), Options()))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(r["id"], r["activities_total"], r["problem"][:20]) for r in rows] == [
        ("broken", "1", "broken.toml:17:11 E1"),
        ("lyon-graz", "4", ""),
        ("pune", "2", ""),
        ("", "", "nope.toml:3:1 E002 T"),  # the file left out: a row of its own
    ]
    assert rows[1]["partners"] == "Graz; Málaga"


def test_csv_of_chosen_fields_flattens_tables() -> None:
    text = list_csv(report("data", ("id", "period", "city.name")), Options())
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == ["id", "period.start", "period.end", "city.name", "problem"]
    assert rows[1] == ["lyon-graz", "2017-03", "2018-11", "Lyon", ""]
    assert rows[2] == ["pune", "2019-02", "", "Pune", ""]


def test_flat_and_flat_header() -> None:
    data = {"id": "x", "period": {"start": "2017"}, "partners": [{"name": "A"}, {"name": "B"}]}
    assert flat(data, ("id", "period", "partners", "city.name")) == {
        "id": "x",
        "period.start": "2017",
        "partners": "A; B",
        "city.name": "",
    }
    rows = [{"id": "x", "period.start": "2017"}, {"id": "y", "period.end": "2018"}]
    assert flat_header(rows, ("id", "period")) == ["id", "period.start", "period.end"]
    assert flat_header([{**rows[0], "problem": "p"}], ("id",)) == ["id", "problem"]
    assert flat_header([], ("id", "period")) == ["id", "period"]


def test_markdown_is_a_table_then_the_note() -> None:
    text = list_markdown(report(), Options())
    lines = text.splitlines()
    assert lines[0] == "| " + " | ".join(COLUMNS) + " |"
    assert lines[2].startswith("| broken ! | Lyon (Frnace) | Graz |")
    assert lines[3].startswith(
        "| lyon-graz | Lyon (France) | Graz, Málaga | 2017-03 \u2013 2018-11 |"
    )
    assert "## Records with errors" in lines
    chosen = list_markdown(report("data", ("id",)), Options()).splitlines()
    assert chosen[:4] == [
        "| id |",
        "| --- |",
        "| broken |",
        "| lyon-graz |",
    ]  # no problem column: the note


@pytest.mark.parametrize("form", ["row", "data", "json"])
def test_a_file_without_a_record_is_never_listed_only_noted(form: Form) -> None:
    assert listed(NOT_TOML, Filters(), form=form) is None
    status: FileStatus = status_of(NOT_TOML)
    assert status.error is not None and not status.readable
    left_out = Report(ListView([], 0), [status])
    assert list_csv(left_out, Options()).splitlines()[1] == "," * 13 + problem_text(status.error)
