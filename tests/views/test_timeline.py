"""`ucap timeline` through the real CLI: order, grouping, spans, filters, formats and exports."""

# ruff: noqa: RUF001 - en dashes and the multiplication sign are what ucap prints

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from conftest import LYON_GRAZ, PUNE, REPO, Run, edited, write_collection
from hypothesis import given, settings
from hypothesis import strategies as st

from ucap_cli.check.loader import RecordFile
from ucap_cli.record.dates import PartialDate
from ucap_cli.record.model import Record
from ucap_cli.views.query import Filters
from ucap_cli.views.timeline import Timeline, assemble, part, span_label

RECORDS = str(REPO / "records")

# The dated activities of the seed (seeds/000_66ab86ebe502f80d.txt), in its order; the seed's
# broken layout puts the last two under "Expected results", the record restores them.
SEED_ACTIVITIES = [
    ("2017-04", "Apr 2017", "Zhengzhou Municipal People's Government delegation visits Málaga"),
    ("2017-06", "Jun 2017", "Visit of Zhengzhou to Málaga and Andalucía – China Business"),
    ("2017-06", "Jun 2017", "Visit of Zhengzhou to Agii Anargiri-Kamatero (AAK)"),
    ("2017-10", "Oct 2017", "Zhengzhou hosts a visit of EU pilot city delegates"),
    ("2018-04", "Apr 2018", "Start-up (mid-term) meeting in Beijing"),
    ("2018-07", "Jul 2018", "EU-China High Level Seminar on Regional Policy hosted in"),
    ("2018-09", "Sep 2018", "Mission of Zhengzhou and Henan DRC to Nice, Granada and"),
    ("2018-11", "Nov 2018", "Meeting of Zhengzhou and EU delegates at the EU-China"),
]

# Two records: Lyon (LYON_GRAZ, activities out of order in the file, given hostile text: markup
# and an escape character in titles, HTML, a formula in an output) and Pune (ongoing).
LYON = edited(
    LYON_GRAZ,
    ('id = "lyon-graz"\n', 'id = "lyon"\nprogramme = "IUC"\n'),
    ('title = "Workshop in Graz"', 'title = "Workshop [bold]in[/] Graz"'),
    (
        'themes = ["Mobility"]\n',
        'themes = ["Mobility"]\noutputs = ["=HYPERLINK(\\"http://x\\")", "Press coverage"]\n',
    ),
    ("count = 2\n", 'count = 2\ntitle = "Two MoUs"\n'),
    ('title = "Signing in Málaga"', 'title = "Signing <script>alert(1)</script> \\u001b[31mred"'),
)


@pytest.fixture
def collection(tmp_path: Path) -> str:
    """A records folder with the Lyon and Pune records; returns its path."""
    return str(write_collection(tmp_path / "recs", {"lyon": LYON, "pune": PUNE}))


def positions(text: str, *needles: str) -> list[int]:
    """Where each needle first occurs in text (each must occur)."""
    found = [text.find(n) for n in needles]
    assert -1 not in found, [n for n, i in zip(needles, found, strict=True) if i < 0]
    return found


# --------------------------------------------------------------------------- the bundled record


def test_zhengzhou_timeline_shows_every_seed_activity_in_order(run: Run) -> None:
    result = run("timeline", "--city", "Zhengzhou", "--records", RECORDS)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.splitlines()[:2] == [
        "Zhengzhou – Agii Anargiri-Kamatero, Málaga, Rome, Nice",
        "8 activities, Apr 2017 – Nov 2018",
    ]
    flat = " ".join(out.split())  # titles may wrap at 80 columns
    places = positions(flat, *(title for _, _, title in SEED_ACTIVITIES))
    assert places == sorted(places)
    # Each entry line starts with its date as precise as known, then the kind.
    entry_lines = [
        line.strip() for line in out.splitlines() if line.startswith("    ") and line[4] != " "
    ]
    assert [line.split()[0] + " " + line.split()[1] for line in entry_lines] == [
        shown for _, shown, _ in SEED_ACTIVITIES
    ]
    assert [line.split()[2] for line in entry_lines] == [
        "visit", "conference", "visit", "visit", "meeting", "seminar", "mission", "meeting"
    ]  # fmt: skip
    # Grouped: the year rules, then each month heading once, in order.
    headings = [
        line
        for line in out.splitlines()
        if line.startswith(("--", "  ")) and not line.startswith("   ")
    ]
    assert headings == [
        "-- 2017 " + "-" * 72,
        "  Apr 2017",
        "  Jun 2017",
        "  Oct 2017",
        "-- 2018 " + "-" * 72,
        "  Apr 2018",
        "  Jul 2018",
        "  Sep 2018",
        "  Nov 2018",
    ]
    assert all(len(line) <= 80 for line in out.splitlines())
    assert all(line == line.rstrip() for line in out.splitlines())


def test_zhengzhou_timeline_json_dates_and_agreements(run: Run) -> None:
    result = run("timeline", "--city", "zhengzhou", "--records", RECORDS, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [a["date"] for a in data["activities"]] == [d for d, _, _ in SEED_ACTIVITIES]
    assert data["records"] == [
        {
            "record": "zhengzhou",
            "lead_city": "Zhengzhou",
            "title": "Zhengzhou – Agii Anargiri-Kamatero, Málaga, Rome, Nice",
            "start": "2017-03",
            "end": "2018-11",
            "activities": 8,
        }
    ]
    july = data["activities"][5]
    assert july["kind"] == "seminar" and july["end"] is None
    assert july["agreements"] == [
        {
            "kind": "mou",
            "parties": ["Zhengzhou Municipal People's Government", "EU pilot cities"],
            "count": 5,
            "fields": [],
            "title": "Zhengzhou City Government signs five MoUs with EU pilot cities",
        }
    ]


def test_city_filter_applies_to_each_activity(run: Run) -> None:
    # AAK is the alias of Agii Anargiri-Kamatero; Rome takes part only in the September mission
    # (named in `cities`), Beijing only in `where`.
    cases = {
        "aak": ["2017-06"],
        "Rome": ["2018-09"],
        "beijing": ["2018-04", "2018-11"],
        "MALAGA": ["2017-04", "2017-06"],
    }
    for city, dates in cases.items():
        result = run("timeline", "--city", city, "--records", RECORDS, "-f", "json")
        assert [a["date"] for a in json.loads(result.stdout)["activities"]] == dates, city


def test_details_add_outputs_and_agreements(run: Run) -> None:
    plain = run("timeline", "--records", RECORDS, "--during", "2018-07").stdout
    detailed = run("timeline", "--records", RECORDS, "--during", "2018-07", "--details").stdout
    assert "five MoUs" not in plain and "Yutong" not in plain
    assert "• Exploring collaboration on e-mobility with Yutong Bus" in detailed
    assert "◆ MoU ×5: Zhengzhou Municipal People's Government, EU pilot" in detailed


# --------------------------------------------------------------------------- order and grouping


def test_month_only_before_exact_days_year_only_first_and_spans(run: Run, collection: str) -> None:
    result = run("timeline", "--records", collection, "-f", "json")
    dates = [(a["date"], a["end"], a["record"]) for a in json.loads(result.stdout)["activities"]]
    assert dates == [
        ("2017", None, "lyon"),
        ("2017-06", None, "lyon"),
        ("2017-06-15", "2017-06-17", "lyon"),
        ("2018-01-02", None, "lyon"),
        ("2019-05-03", None, "pune"),
        ("2020-02", "2020-03", "pune"),
    ]


def test_terminal_view_of_several_records(run: Run, collection: str) -> None:
    result = run("timeline", "--records", collection)
    assert result.exit_code == 0
    out = result.stdout
    lines = out.splitlines()
    assert lines[:2] == ["2 records", "6 activities, 2017 – Mar 2020"]
    # The periods strip: one bar per record on a shared axis, then the axis years.
    lyon_bar, pune_bar, axis = lines[3:6]
    assert lyon_bar.startswith("Lyon ") and lyon_bar.endswith("Mar 2017 – Nov 2018")
    assert pune_bar.startswith("Pune ") and pune_bar.endswith("Feb 2019 – ongoing")
    assert lyon_bar.index("=") < pune_bar.index("=")  # Lyon's period starts first
    assert lyon_bar.rindex("=") < pune_bar.index("=")  # and ends before Pune's starts
    assert axis.split()[:4] == ["2017", "2018", "2019", "2020"]
    assert "o" in lyon_bar and "o" in pune_bar  # the activities' dots
    # Every entry names its record's lead city; spans and precision shown.
    places = positions(
        out,
        "    2017           other    Lyon: Year-only thing",
        "  Jun 2017",
        "    Jun 2017       visit    Lyon: Graz delegation visits Lyon",
        "    15–17 Jun 2017 workshop Lyon: Workshop [bold]in[/] Graz",
        "-- 2018 ",
        "    2 Jan 2018     signing  Lyon: Signing <script>alert(1)</script> \\x1b[31mred",
        "-- 2019 ",
        "    3 May 2019     mission  Pune: Pune mission to Lyon",
        "    Feb – Mar 2020 training Pune: Training (planned)",
    )
    assert places == sorted(places)
    assert "\x1b" not in out  # a control character in a title is shown, never sent
    assert "  2017\n" not in out  # a year-only date gets no month heading


def test_single_record_has_no_periods_strip_and_no_record_names(run: Run, collection: str) -> None:
    out = run("timeline", "--records", collection, "--sdg", "6").stdout
    assert out.splitlines()[:2] == ["Pune – Lyon", "2 activities, 3 May 2019 – Mar 2020"]
    assert "ongoing" not in out and "Pune:" not in out


def test_record_level_filters_choose_records(run: Run, collection: str) -> None:
    data = json.loads(
        run("timeline", "--records", collection, "--country", "IN", "-f", "json").stdout
    )
    # --country is record-level: Pune's record has Lyon (France) as partner, Lyon's has none in
    # India; all of Pune's activities are shown.
    assert [a["record"] for a in data["activities"]] == ["pune", "pune"]
    data = json.loads(
        run("timeline", "--records", collection, "--city", "graz", "-f", "json").stdout
    )
    # --city is activity-level: Graz takes part by alias (GRZ) or as the `where`.
    assert [a["title"] for a in data["activities"]] == [
        "Graz delegation visits Lyon",
        "Workshop [bold]in[/] Graz",
    ]
    data = json.loads(
        run("timeline", "--records", collection, "--kind", "training", "-f", "json").stdout
    )
    assert [r["record"] for r in data["records"]] == ["pune"]


def _timeline(record: Record) -> Timeline:
    """The timeline of one record, every activity chosen (as the view reduces it)."""
    chosen = part(RecordFile(Path("x.toml"), "x.toml", record=record), Filters())
    assert chosen is not None
    return assemble([chosen])


def test_library_grouping_and_span_labels() -> None:
    record = Record.model_validate(_minimal_record())
    timeline = _timeline(record)
    assert isinstance(timeline, Timeline)
    groups = timeline.groups()
    assert [g.year for g in groups] == [2017, 2018]
    assert [(m.heading, [e.when for e in m.entries]) for m in groups[0].months] == [
        ("2017", ["2017"]),
        ("Jun 2017", ["Jun 2017", "1 Jun 2017", "15–17 Jun 2017"]),
        ("Dec 2017", ["Dec 2017 – Jan 2018"]),
    ]
    assert [m.heading for m in groups[1].months] == ["Mar 2018"]
    assert span_label(PartialDate(2017, 6, 28), PartialDate(2017, 7, 2)) == "28 Jun – 2 Jul 2017"
    assert span_label(PartialDate(2017, 6), PartialDate(2017, 8)) == "Jun – Aug 2017"
    assert span_label(PartialDate(2017), PartialDate(2019)) == "2017 – 2019"
    assert span_label(PartialDate(2017, 6, 1), PartialDate(2017, 6, 1)) == "1 Jun 2017"


def _minimal_record(dates: list[str] | None = None) -> dict[str, object]:
    activities = [
        {"date": d, "kind": "visit", "title": f"a{i}"}
        for i, d in enumerate(dates or ["2018-03", "2017-06-01", "2017-06", "2017"])
    ]
    if dates is None:
        activities.append(
            {"date": "2017-06-15", "end": "2017-06-17", "kind": "visit", "title": "s"}
        )
        activities.append({"date": "2017-12", "end": "2018-01", "kind": "visit", "title": "w"})
    return {
        "schema_version": 1,
        "id": "x",
        "period": {"start": "2017"},
        "themes": ["T"],
        "city": {"name": "A", "country": "FR"},
        "partners": [{"name": "B", "country": "DE"}],
        "activities": activities,
    }


_DATES = st.builds(
    lambda y, m, d, precision: (
        f"{y}" if precision == 0 else f"{y}-{m:02d}" if precision == 1 else f"{y}-{m:02d}-{d:02d}"
    ),
    st.integers(2015, 2020),
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 2),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_DATES, min_size=1, max_size=12))
def test_order_is_by_start_coarser_first(dates: list[str]) -> None:
    record = Record.model_validate(_minimal_record(dates))
    timeline = _timeline(record)
    keys = [e.date.sort_key for e in timeline.entries]
    assert keys == sorted(keys)
    assert sorted(str(e.date) for e in timeline.entries) == sorted(dates)
    # The same date keeps the file's order.
    for a, b in zip(timeline.entries, timeline.entries[1:], strict=False):
        if a.date == b.date:
            assert int(a.activity.title[1:]) < int(b.activity.title[1:])
    # Grouping loses nothing and keeps the order.
    assert [e for y in timeline.groups() for e in y.entries] == timeline.entries


# --------------------------------------------------------------------------- formats


def test_csv_one_row_per_activity_formulas_neutralised(run: Run, collection: str) -> None:
    result = run("timeline", "--records", collection, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 6
    # Every key of an activity, in the model's order (issue 14: the model is the one source).
    assert list(rows[0]) == [
        "record", "lead_city", "date", "end", "kind", "title", "status", "where", "cities",
        "organisations", "themes", "summary", "outputs", "links", "agreements", "problem",
    ]  # fmt: skip
    visit = rows[1]
    assert visit["date"] == "2017-06" and visit["cities"] == "Lyon; GRZ"
    assert visit["agreements"] == "2"  # count = 2
    assert visit["outputs"].startswith("'=HYPERLINK(")
    assert rows[2]["end"] == "2017-06-17" and rows[5]["status"] == "planned"


def test_markdown(run: Run, collection: str) -> None:
    out = run("timeline", "--records", collection, "--format", "markdown", "--details").stdout
    assert out.startswith("# Timeline: 2 records\n\n6 activities, 2017 – Mar 2020\n")
    assert "| lyon | Lyon | Mar 2017 – Nov 2018 | 4 |" in out
    places = positions(
        out,
        "## 2017",
        "- **2017** `other` Lyon: Year-only thing",
        "### Jun 2017",
        "- **Jun 2017** `visit` Lyon: Graz delegation visits Lyon – with Lyon, GRZ",
        "  - agreement: MoU ×2: Lyon, Graz – Two MoUs",  # one wording: as `show` has it
        "- **15–17 Jun 2017** `workshop` Lyon: Workshop \\[bold\\]in\\[/\\] Graz – in Graz",
        "## 2018",
        "Signing \\<script\\>alert(1)\\</script\\>",
    )
    assert places == sorted(places)


def test_empty_result_is_one_line_and_exit_0(run: Run, collection: str) -> None:
    result = run("timeline", "--records", collection, "--city", "Atlantis")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "No activities match.\n"
    data = json.loads(
        run("timeline", "--records", collection, "--city", "Atlantis", "-f", "json").stdout
    )
    assert data["activities"] == [] and data["records"] == []


def test_help_explains_activity_and_record_filters(run: Run) -> None:
    out = " ".join(run("timeline", "--help").stdout.split())
    assert "activity-level filters apply to each activity" in out
    assert "--city keeps the activities in which that city takes part" in out
    # --status is an activity's status in an activity view (issue 13: "what is planned next").
    assert (
        "Record-level filters (--sdg, --topic, --theme, --country, --programme) "
        "choose the records" in out
    )
    assert "--status (an activity's status: done, planned or cancelled)" in out
    for option in ("--details", "--export", "--format", "--city", "--during", "--records"):
        assert option in out


# --------------------------------------------------------------------------- exports


def _terminal_glyphs(text: str) -> str:
    """The export draws as a terminal does; off a terminal the same view uses ASCII."""
    return text.replace("\u2500", "-").replace("\u2501", "=").replace("\u25cf", "o")


def test_export_txt_is_the_terminal_view(run: Run, collection: str, tmp_path: Path) -> None:
    shown = run("timeline", "--records", collection, "--details").stdout
    result = run("timeline", "--records", collection, "--details", "--export", "t.txt")
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == "saved t.txt\n"
    saved = (tmp_path / "t.txt").read_text(encoding="utf-8")
    assert _terminal_glyphs(saved) == shown
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_export_svg_and_html(run: Run, collection: str, tmp_path: Path) -> None:
    assert run("timeline", "--records", collection, "--export", "t.svg").exit_code == 0
    root = ElementTree.parse(tmp_path / "t.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    svg_text = "".join(root.itertext()).replace("\xa0", " ")
    assert "Pune mission to Lyon" in svg_text
    assert run("timeline", "--records", collection, "--export", "t.html").exit_code == 0
    page = (tmp_path / "t.html").read_text(encoding="utf-8")
    for title in ("Graz delegation visits Lyon", "Year-only thing", "Pune mission to Lyon"):
        assert title in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page


def test_export_usage_errors(run: Run, collection: str, tmp_path: Path) -> None:
    result = run("timeline", "--records", collection, "--export", "t.pdf")
    assert result.exit_code == 2
    assert "--export: cannot tell the format of 't.pdf'" in result.stderr
    result = run("timeline", "--records", collection, "--export", "t.svg", "-f", "json")
    assert result.exit_code == 2
    assert not (tmp_path / "t.pdf").exists() and not (tmp_path / "t.svg").exists()
    result = run("timeline", "--records", collection, "--export", str(tmp_path / "no" / "t.svg"))
    assert result.exit_code == 1 and "cannot write" in result.stderr


def test_export_replaces_an_existing_file(run: Run, collection: str, tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text("old\n", encoding="utf-8")
    assert run("timeline", "--records", collection, "--export", "t.txt").exit_code == 0
    assert (tmp_path / "t.txt").read_text(encoding="utf-8").startswith("2 records\n")


def test_wider_terminal_uses_the_width(run: Run, collection: str) -> None:
    narrow = run("timeline", "--records", collection, env={"COLUMNS": "80"}).stdout.splitlines()
    wide = run("timeline", "--records", collection, env={"COLUMNS": "140"}).stdout.splitlines()
    assert max(map(len, narrow)) <= 80
    assert max(map(len, wide)) > 80 and max(map(len, wide)) <= 140
