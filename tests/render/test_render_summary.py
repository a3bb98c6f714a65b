"""ucap_cli/render/summary.py: the writers of `summary` called on a summary directly (bars,
the overview's wording, every number in CSV and JSON, Markdown tables)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from builders import record_file, rendered, status_of
from conftest import LYON_GRAZ, PUNE
from rich.text import Text

from ucap_cli import __version__
from ucap_cli.check.problems import Problem
from ucap_cli.check.result import FileStatus
from ucap_cli.render.registry import Options
from ucap_cli.render.summary import (
    CSV_COLUMNS,
    MAX_NAMES,
    Bar,
    Bars,
    agreements_text,
    csv_rows,
    overview_rows,
    summary_csv,
    summary_json,
    summary_markdown,
    summary_screen,
)
from ucap_cli.views.query import Filters
from ucap_cli.views.report import Report
from ucap_cli.views.summary import Summary, combine, tally

LEFT_OUT = FileStatus(
    Path("nope.toml"), "nope.toml", None, Problem("nope.toml", 1, 5, "E002", "TOML: bad"), False
)


def summary(*texts: str, interval: str = "year") -> Summary:
    tallies = [t for text in texts if (t := tally(record_file(text), Filters())) is not None]
    return combine(tallies).summary(interval)  # type: ignore[arg-type]


def test_bars_scale_to_the_width_and_the_largest_value() -> None:
    bars = Bars(
        [
            Bar(Text("visit"), 4),
            Bar(Text("a label far too long to be shown whole"), 2),
            Bar(Text("none"), 0, dim=True),
        ]
    )
    lines = rendered(bars, width=40).splitlines()
    assert len(lines) == 3
    assert all(len(line) <= 40 for line in lines)
    full, half = lines[0].count("#"), lines[1].count("#")
    assert abs(full - 2 * half) <= 1 and full >= 10  # no terminal: plain '#' bars
    assert lines[1].startswith("a label far too long to be…")  # cut with an ellipsis
    assert lines[2].rstrip() == "none"  # a dim row with nothing counted shows no number
    assert rendered(Bars([]), width=40) == "(none)\n"


def test_bars_notes_go_first_when_room_is_short() -> None:
    rows = [Bar(Text("Lyon"), 3, note="Lyon: 3 activities of 3")]
    assert "activities of 3" in rendered(Bars(rows), width=80)
    assert "activities" not in rendered(Bars(rows), width=30)


def test_the_overview_in_words() -> None:
    both = summary(LYON_GRAZ, PUNE)
    rows = dict(overview_rows(both.overview))
    assert rows["Records"] == "2"
    assert rows["Lead cities"] == "2: Lyon, Pune"
    assert rows["Agreements"] == "3 (2 MoUs, 1 letter of intent)" == agreements_text(both.overview)
    assert rows["Time span"] == "Mar 2017 \u2013 ongoing"
    assert rows["Activities"] == "6 (2017 \u2013 Mar 2020)"
    empty = dict(overview_rows(nothing().overview))
    assert (empty["Records"], empty["Lead cities"], empty["Time span"]) == ("0", "0", "-")


def nothing() -> Summary:
    """The summary of no records."""
    return combine([]).summary("year")


def test_long_lists_of_names_say_how_many_more() -> None:
    names = [f"City {n}" for n in range(MAX_NAMES + 3)]
    overview = nothing().overview
    crowded = type(overview)(**{**vars(overview), "partner_cities": names})
    rows = dict(overview_rows(crowded))
    assert (
        rows["Partner cities"] == f"{MAX_NAMES + 3}: " + ", ".join(names[:MAX_NAMES]) + " + 3 more"
    )


def test_csv_has_every_number_in_long_form_then_the_problems() -> None:
    text = summary_csv(Report(summary(LYON_GRAZ, PUNE), [LEFT_OUT]), Options())
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert ["overview", "", "", "records", "2"] in rows
    assert ["overview", "mou", "MoU", "agreements", "2"] in rows
    assert ["activities_per_year", "2017", "2017", "activities", "3"] in rows
    assert ["overview", "", "", "ongoing", "true"] in rows
    assert rows[-1] == ["problems", "nope.toml", "nope.toml:1:5 E002 TOML: bad", "left_out", "1"]
    assert len(rows) - 2 == len(list(csv_rows(summary(LYON_GRAZ, PUNE))))


def test_json_is_the_summary_with_the_version_and_problems() -> None:
    both = summary(LYON_GRAZ, PUNE, interval="quarter")
    data = json.loads(summary_json(Report(both, [LEFT_OUT]), Options()))
    assert data == {
        "ucap_version": __version__,
        **both.to_json(),
        "problems": [
            {
                "path": "nope.toml",
                "line": 1,
                "column": 5,
                "code": "E002",
                "message": "TOML: bad",
                "left_out": True,
            }
        ],
    }
    assert data["interval"] == "quarter"
    assert data["activities_per_period"][0] == {"period": "2017", "label": "2017", "activities": 1}


def test_markdown_has_a_table_per_part() -> None:
    text = summary_markdown(Report(summary(PUNE)), Options())
    lines = text.splitlines()
    assert lines[0] == "# Summary: Pune \u2013 Lyon"  # one record: its title
    assert "| Records | 1 |" in lines
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == [
        "## Activities per year",
        "## Activities per kind",
        "## Themes",
        "## Sustainable Development Goals",
        "## EU Urban Agenda topics",
        "## City network",
        "## Organisations most often named",
        "## Expected results by status",
    ]
    organisations = lines.index("## Organisations most often named")
    assert lines[organisations + 2] == "(none)"  # Pune names none


def test_nothing_to_summarise() -> None:
    screen = summary_screen(Report(nothing()), Options())
    assert (screen.renderable, screen.empty) == (None, "No records match.")
    noted = summary_screen(Report(nothing(), [LEFT_OUT]), Options())
    assert "1 file left out" in rendered(noted.renderable)
    assert summary_markdown(Report(nothing()), Options()) == "\n"


def test_the_screen_shows_the_title_and_every_part(tmp_path: Path) -> None:
    flagged = status_of(
        record_file(PUNE.replace('country = "IN"', 'country = "Inida"'), "pune.toml")
    )
    text = rendered(
        summary_screen(Report(summary(LYON_GRAZ, PUNE), [flagged]), Options()).renderable, 100
    )
    assert text.startswith("Summary: 2 records\n")
    for part in ("Activities per year", "Activities per kind", "Themes", "City network"):
        assert part in text
    assert "! 1 record with errors, read as far as it could be:" in text
