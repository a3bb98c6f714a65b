"""ucap_cli/render/timeline.py: the writers of `timeline` called on a timeline directly
(labels, heading, CSV columns from the model, JSON in pieces, Markdown headings)."""

from __future__ import annotations

import csv
import io
import json

from builders import record_file, rendered, status_of
from conftest import LYON_GRAZ, PUNE, VALID_RECORD, edited

from ucap_cli import __version__
from ucap_cli.check.loader import RecordFile
from ucap_cli.record.fields import activity_fields
from ucap_cli.record.model import Activity
from ucap_cli.render.registry import Options
from ucap_cli.render.timeline import (
    KIND_WIDTH,
    csv_columns,
    heading,
    kind_label,
    place_line,
    timeline_csv,
    timeline_json,
    timeline_markdown,
    timeline_screen,
)
from ucap_cli.views.query import Filters
from ucap_cli.views.report import Report, with_errors
from ucap_cli.views.timeline import EncodedTimeline, Timeline, assemble, assemble_json, part

BROKEN = edited(VALID_RECORD, ('id = "demo"', 'id = "broken"'), ('"France"', '"Frnace"'))


def files(*texts: tuple[str, str]) -> list[RecordFile]:
    return [record_file(text, name) for name, text in texts]


COLLECTION = (("lyon-graz.toml", LYON_GRAZ), ("pune.toml", PUNE), ("broken.toml", BROKEN))


def timeline(*texts: tuple[str, str]) -> Report[Timeline]:
    loaded = files(*texts)
    parts = [p for f in loaded if (p := part(f, Filters())) is not None]
    return Report(assemble(parts), with_errors([status_of(f) for f in loaded]))


def encoded(*texts: tuple[str, str]) -> Report[EncodedTimeline]:
    loaded = files(*texts)
    parts = [p for f in loaded if (p := part(f, Filters(), json=True)) is not None]
    return Report(assemble_json(parts), with_errors([status_of(f) for f in loaded]))


def test_kind_labels_are_cut_to_one_width() -> None:
    assert kind_label("visit").plain == "visit"
    assert kind_label("field-visit").plain == "field-visit"
    long = kind_label("international-study-tour")
    assert long.cell_len == KIND_WIDTH and long.plain.endswith("…")
    assert kind_label("a\x1bb").plain == "a\\x1bb"


def test_place_line() -> None:
    def activity(**keys: object) -> Activity:
        return Activity.model_validate({"date": "2017", "kind": "visit", "title": "t", **keys})

    assert place_line(activity()) == ""
    assert place_line(activity(where="Málaga")) == "in Málaga"
    assert place_line(activity(where="Graz", cities=["Lyon", "GRZ"])) == "in Graz; with Lyon, GRZ"
    assert place_line(activity(cities=["a\nb"])) == "with a b"


def test_the_heading_says_what_how_many_and_when() -> None:
    one = timeline(("lyon-graz.toml", LYON_GRAZ)).data
    assert heading(one).plain == "Lyon \u2013 Graz, Málaga\n4 activities, 2017 \u2013 2 Jan 2018"
    several = timeline(*COLLECTION).data
    assert heading(several).plain == "3 records\n7 activities, 2017 \u2013 Mar 2020"
    assert heading(Timeline([])).plain == "0 records\n0 activities"


def test_the_screen_groups_by_year_names_records_and_ends_with_the_note() -> None:
    report = timeline(*COLLECTION)
    text = rendered(timeline_screen(report, Options(details=True)).renderable, width=200)
    assert "Workshop in Graz" in text and "Lyon (broken)" in text and "Lyon (lyon-graz)" in text
    assert "MoU \u00d72: Lyon, Graz" in text  # details: the agreements
    assert text.index("2017") < text.index("2018") < text.index("2019")
    assert text.rstrip().splitlines()[-3:] == [
        "! 1 record with errors, read as far as it could be:",
        "  broken.toml:17:11 E109 city.country: unknown country 'Frnace': expected an ISO "
        "3166-1 name or code (did you mean 'France'?)",
        "run `ucap validate` for every problem of these records",
    ]
    empty = timeline_screen(Report(Timeline([])), Options())
    assert (empty.renderable, empty.empty) == (None, "No activities match.")


def test_csv_columns_come_from_the_model() -> None:
    assert csv_columns() == ("record", "lead_city", *activity_fields(), "problem")
    rows = list(csv.DictReader(io.StringIO(timeline_csv(timeline(*COLLECTION), Options()))))
    # By date; on the same date, in the records' order (by start, then id: broken first).
    records = ["lyon-graz", "broken", "lyon-graz", "lyon-graz", "lyon-graz", "pune", "pune"]
    assert [r["record"] for r in rows] == records
    signing = next(
        r
        for r in rows
        if r["title"] == "Graz delegation visits Lyon" and r["record"] == "lyon-graz"
    )
    assert signing["agreements"] == "2"  # counting `count`
    assert rows[1]["problem"].startswith("broken.toml:17:11 E109 ")
    assert all(r["problem"] == "" for r in rows if r["record"] != "broken")


def test_csv_gives_a_file_left_out_a_row_of_its_own() -> None:
    report = timeline(("pune.toml", PUNE), ("nope.toml", "x = [\n"))
    *_, last = list(csv.reader(io.StringIO(timeline_csv(report, Options()))))
    assert last[:-1] == [""] * (len(csv_columns()) - 1) and last[-1].startswith("nope.toml:")


def test_json_is_the_periods_the_activities_and_the_problems() -> None:
    data = json.loads(b"".join(timeline_json(encoded(*COLLECTION), Options())))
    assert list(data) == ["ucap_version", "records", "activities", "problems"]
    assert data["ucap_version"] == __version__
    assert [r["record"] for r in data["records"]] == ["broken", "lyon-graz", "pune"]
    assert data["records"][2] == {
        "record": "pune",
        "lead_city": "Pune",
        "title": "Pune \u2013 Lyon",
        "start": "2019-02",
        "end": None,
        "activities": 2,
    }
    first = data["activities"][0]
    assert list(first) == ["record", "lead_city", *activity_fields()]
    assert (first["record"], first["date"], first["title"]) == (
        "lyon-graz",
        "2017",
        "Year-only thing",
    )
    assert [(p["path"], p["code"], p["left_out"]) for p in data["problems"]] == [
        ("broken.toml", "E109", False)
    ]


def test_markdown_has_a_heading_per_year_and_month() -> None:
    text = timeline_markdown(timeline(("lyon-graz.toml", LYON_GRAZ)), Options(details=True))
    lines = text.splitlines()
    assert lines[:3] == [
        "# Timeline: Lyon \u2013 Graz, Málaga",
        "",
        "4 activities, 2017 \u2013 2 Jan 2018",
    ]
    headings = [line for line in lines if line.startswith("#")][1:]
    assert headings == ["## 2017", "### Jun 2017", "## 2018", "### Jan 2018"]
    assert "- **2017** `other` Year-only thing \u2013 with Lyon, malaga" in lines
    assert "  - agreement: MoU \u00d72: Lyon, Graz" in lines
    several = timeline_markdown(timeline(*COLLECTION), Options()).splitlines()
    assert "| record | lead city | period | activities |" in several
    assert "## Records with errors" in several
