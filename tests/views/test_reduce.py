"""Views reduced where each record is loaded give exactly what the whole collection gave.

- Summary: tallies of single records, merged in the records' order, equal one tally of all.
- Timeline and list JSON written in pieces (`timeline_json`, `array_lines`) is the text of
  one `dumps` of the whole document, escapes included.
- Through the CLI, on a collection large enough for worker processes: `timeline`, `summary` and
  `list` print what the oracle (tests/oracle.py) computes in this process from every file
  loaded at once, records with errors included.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import oracle
import pytest
from conftest import LYON_GRAZ, PUNE, edited, generate_records, write_record
from hypothesis import given, settings
from hypothesis import strategies as st

from ucap_cli import __version__
from ucap_cli.check.loader import RecordFile
from ucap_cli.config import load_config
from ucap_cli.record import vocab
from ucap_cli.record.data import encode
from ucap_cli.record.dates import parse_partial_date
from ucap_cli.record.model import Activity, Record
from ucap_cli.render import jsonout
from ucap_cli.render import summary as summary_render
from ucap_cli.render import timeline as timeline_render
from ucap_cli.render.registry import Options
from ucap_cli.store.scratch import FOLDER
from ucap_cli.store.workers import MIN_FILES
from ucap_cli.toml.parser import loads
from ucap_cli.views.query import Filters, parse_filters
from ucap_cli.views.report import Report
from ucap_cli.views.summary import GRANULARITIES, Summary, Tally, combine, tally
from ucap_cli.views.timeline import (
    EncodedTimeline,
    Timeline,
    TimelinePart,
    activity_json,
    assemble,
    assemble_json,
    part,
)

PAST = time.time() - 3 * 24 * 3600  # old enough for every cache to keep what it read

# --- random records ----------------------------------------------------------------------

# The same cities spelt differently (case, accents, hyphens): one city each to the summary.
CITIES = (
    "Lyon",
    "LYON",
    "lyon",
    "Lyön",
    "Málaga",
    "MALAGA",
    "malaga",
    "Graz",
    "GRAZ",
    "Kraków",
    "krakow",
    "São Paulo",
    "sao-paulo",
    "郑州",
    "Pune",
)
COUNTRIES = ("France", "FR", "fra", "Austria", "AT", "Spain", "ESP", "India", "CN", "China", "JPN")
THEMES = ("Mobility", "mobility", "MOBILITY", "Logistics", "Énergie", "energie", "Water")
ORGANISATIONS = ("TCL", "tcl", "Graz Linien", "GRAZ LINIEN", "Ville de Lyon", "Mairie  de Lyon")
WHERE = ("Graz", "Málaga and Lyon", "lyon", "Kraków / Pune", "郑州")
# Record text as it comes: accents, CJK, emoji, bidi and C1 controls, a formula.
TEXTS = (
    "Workshop",
    "Réunion à Málaga",
    "会议 in 郑州",
    "evil \u202e reversed \u2066isolate\u2069",
    "C1 \x85 next \x9b2J",
    "🚀 launch",
    "=SUM(A1)",
)


# Strategies are built once: building them per draw costs more than drawing from them.
DATES = st.one_of(
    st.integers(2015, 2021).map(str),
    st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(2015, 2021), st.integers(1, 12)),
    st.builds(
        lambda y, m, d: f"{y}-{m:02d}-{d:02d}",
        st.integers(2015, 2021),
        st.integers(1, 12),
        st.integers(1, 28),
    ),
)  # "2017", "2017-06" or "2017-06-15"


def in_order(first: str, second: str, ongoing: bool) -> dict[str, str]:
    """{'start': ..., 'end': ...} with the end never before the start; no end when ongoing."""
    if parse_partial_date(second).last < parse_partial_date(first).first:
        first, second = second, first
    return {"start": first} if ongoing else {"start": first, "end": second}


def some(values: Sequence[str], most: int = 3) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(values), max_size=most)


CITY = st.fixed_dictionaries(
    {"name": st.sampled_from(CITIES), "country": st.sampled_from(COUNTRIES)},
    optional={"short": st.sampled_from(("GRZ", "LY", "SP"))},
)
AGREEMENT = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(vocab.AGREEMENT_KINDS),
        "parties": st.lists(st.sampled_from(CITIES), min_size=1, max_size=2),
        "count": st.integers(1, 5),
    }
)
ACTIVITY = st.builds(
    lambda when, rest: {
        "date": when["start"],
        **({"end": when["end"]} if "end" in when else {}),
        **rest,
    },
    st.builds(in_order, DATES, DATES, st.booleans()),
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(vocab.ACTIVITY_KINDS),
            "title": st.sampled_from(TEXTS),
            "status": st.sampled_from(("done", "planned", "cancelled")),
            "cities": some(CITIES),
            "organisations": some(ORGANISATIONS),
            "themes": some(THEMES, 2),
            "agreements": st.lists(AGREEMENT, max_size=2),
        },
        optional={"where": st.sampled_from(WHERE), "summary": st.sampled_from(TEXTS)},
    ),
)
RESULT = st.fixed_dictionaries(
    {
        "text": st.sampled_from(TEXTS),
        "status": st.sampled_from(vocab.RESULT_STATUSES),
        "organisations": some(ORGANISATIONS, 2),
    }
)
RECORD_DATA = st.fixed_dictionaries(
    {
        "schema_version": st.just(1),
        "themes": st.lists(st.sampled_from(THEMES), min_size=1, max_size=3, unique_by=vocab.fold),
        "sdgs": st.lists(st.integers(1, 17), unique=True, max_size=3),
        "urban_agenda": st.lists(
            st.sampled_from(vocab.URBAN_AGENDA_TOPICS), unique=True, max_size=2
        ),
        "period": st.builds(in_order, DATES, DATES, st.booleans()),
        "city": CITY,
        "partners": st.lists(CITY, min_size=1, max_size=3),
        "activities": st.lists(ACTIVITY, max_size=4),
        "expected_results": st.lists(RESULT, max_size=2),
    },
    optional={"title": st.sampled_from(TEXTS)},
)
# A record, with a mask of the activities a query kept.
PICK = st.tuples(RECORD_DATA, st.lists(st.booleans(), min_size=4, max_size=4))


@dataclass(frozen=True)
class Picked:
    """A record and the activities a query kept of it (a `RecordActivities`)."""

    record: Record
    activities: tuple[Activity, ...]


def picked_records(drawn: list[tuple[dict[str, Any], list[bool]]]) -> list[Picked]:
    """Records with distinct ids (in no particular order), each with some of its activities."""
    picked = []
    for index, (data, keep) in enumerate(drawn):
        record = Record.model_validate({**data, "id": f"r{index}"})
        chosen = [a for a, kept in zip(record.activities, keep, strict=False) if kept]
        picked.append(Picked(record, tuple(chosen)))
    return picked


SELECTIONS = st.lists(PICK, max_size=5).map(picked_records)
FILTERS = st.builds(
    Filters,
    cities=st.lists(st.sampled_from(CITIES), max_size=1).map(tuple),
    kinds=st.lists(st.sampled_from(vocab.ACTIVITY_KINDS), max_size=2).map(tuple),
    sdgs=st.lists(st.integers(1, 17), max_size=1).map(tuple),
    themes=st.lists(st.sampled_from(THEMES), max_size=1).map(tuple),
    since=st.none() | DATES.map(parse_partial_date),
)  # record- and activity-level options, often none


def as_files(picked: Sequence[Picked]) -> list[RecordFile]:
    return [
        RecordFile(Path(f"{p.record.id}.toml"), f"{p.record.id}.toml", record=p.record)
        for p in picked
    ]


def summaries(tally: Tally) -> list[dict[str, Any]]:
    """The summary's JSON data for every interval."""
    return [tally.summary(interval).to_json() for interval in GRANULARITIES]


def summary_json(summary: Summary) -> str:
    return summary_render.summary_json(Report(summary), Options())


def summary_csv(summary: Summary) -> str:
    return summary_render.summary_csv(Report(summary), Options())


def timeline_json(timeline: EncodedTimeline) -> bytes:
    return b"".join(timeline_render.timeline_json(Report(timeline), Options()))


def timeline_csv(timeline: Timeline) -> str:
    return timeline_render.timeline_csv(Report(timeline), Options())


# --- summary: tallies merge -------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(picked=SELECTIONS, cuts=st.lists(st.integers(0, 5), max_size=3))
def test_tally_of_all_records_equals_their_tallies_merged_in_order(
    picked: list[Picked], cuts: list[int]
) -> None:
    whole = Tally()
    for p in picked:
        assert whole.add(p.record, p.activities) is whole
    singles = Tally()
    for p in picked:
        assert singles.merge(Tally().add(p.record, p.activities)) is singles
    # Runs of records tallied apiece, then merged: as worker chunks would.
    bounds = sorted({0, len(picked), *(min(c, len(picked)) for c in cuts)})
    chunks = Tally()
    for start, stop in itertools.pairwise(bounds):
        part = Tally()
        for p in picked[start:stop]:
            part.add(p.record, p.activities)
        chunks.merge(part)

    expected = [oracle.summary(picked, interval).to_json() for interval in GRANULARITIES]
    assert summaries(whole) == expected
    assert summaries(singles) == expected
    assert summaries(chunks) == expected
    # The text too (JSON data compares its objects' keys in any order).
    text = summary_json(oracle.summary(picked, "month"))
    assert summary_json(singles.summary("month")) == text
    assert whole.records == singles.records == len(picked)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(picked=SELECTIONS)
def test_merging_an_empty_tally_changes_nothing(picked: list[Picked]) -> None:
    tally = Tally()
    for p in picked:
        tally.add(p.record, p.activities)
    before = copy.deepcopy(tally)

    assert tally.merge(Tally()) is tally
    assert tally == before
    assert summaries(tally) == summaries(before)

    into_empty = Tally().merge(copy.deepcopy(before))
    assert into_empty == before
    assert summaries(into_empty) == summaries(before)
    nothing = [oracle.summary([], interval).to_json() for interval in GRANULARITIES]
    assert summaries(Tally().merge(Tally())) == nothing


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(picked=SELECTIONS, chosen=FILTERS, data=st.data())
def test_record_tallies_combined_in_any_order_give_the_summary_of_the_selection(
    picked: list[Picked], chosen: Filters, data: st.DataObject
) -> None:
    files = as_files(picked)
    shuffled = data.draw(st.permutations(files))
    tallies = [t for f in shuffled if (t := tally(f, chosen)) is not None]
    matches = oracle.select_activities(files, chosen)
    assert sum(t.records for t in tallies) == len(matches)
    total = combine(tallies)
    by_activities = chosen.has_activity_filters  # cities: those taking part in the activities
    for interval in GRANULARITIES:
        expected = oracle.summary(matches, interval, by_activities=by_activities)
        assert total.summary(interval).to_json() == expected.to_json()
        assert summary_csv(total.summary(interval)) == summary_csv(expected)


# --- timeline: parts and pieces ---------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(picked=SELECTIONS, chosen=FILTERS, data=st.data())
def test_timeline_parts_assembled_give_the_timeline_of_the_selection(
    picked: list[Picked], chosen: Filters, data: st.DataObject
) -> None:
    files = as_files(picked)
    shuffled = data.draw(st.permutations(files))
    whole = oracle.timeline(oracle.select_activities(files, chosen))

    def parts(json: bool) -> list[TimelinePart]:
        return [p for f in shuffled if (p := part(f, chosen, json=json)) is not None]

    text = timeline_json(assemble_json(parts(json=True)))
    assert text == oracle.timeline_json(whole).encode("utf-8")
    kept = assemble(parts(json=False))
    assert timeline_csv(kept) == timeline_csv(whole)
    assert [e.label for e in kept.entries] == [e.label for e in whole.entries]
    assert kept.entries == whole.entries
    assert kept.periods == whole.periods
    assert timeline_render.as_markdown(kept, details=True) == timeline_render.as_markdown(
        whole, details=True
    )


# Lyon leads LYON_GRAZ and this one, whose texts carry bidi and C1 controls (TOML escapes).
LYON_BIDI = edited(
    LYON_GRAZ,
    ('id = "lyon-graz"', 'id = "lyon-bidi"\ntitle = "Lyon \\u202eevil\\u202c \\u0085 plan"'),
    ('title = "Workshop in Graz"', 'title = "Workshop \\u2066in\\u2069 Graz \\u009b2J"'),
    ('where = "Graz"', 'where = "Graz"\nsummary = "DEL \\u007f, NEL \\u0085, RLO \\u202e end"'),
)
# CJK names and text, and an emoji.
ZHENGZHOU = edited(
    PUNE,
    ('id = "pune"', 'id = "zhengzhou-cjk"'),
    ('name = "Pune"', 'name = "郑州"\nshort = "Zhengzhou"'),
    ('country = "IN"', 'country = "China"'),
    ('title = "Training"', 'title = "培训 🚀 河南"'),
)
TEXT_CASES = {
    "empty": [],
    "one": [LYON_GRAZ],
    "shared-lead": [LYON_GRAZ, LYON_BIDI],
    "bidi": [LYON_BIDI],
    "cjk": [ZHENGZHOU],
    "all": [PUNE, LYON_BIDI, ZHENGZHOU, LYON_GRAZ],
}


@pytest.mark.parametrize("case", TEXT_CASES)
def test_timeline_json_pieces_are_the_text_of_as_json(case: str) -> None:
    files = [
        RecordFile(Path(f"{n}.toml"), f"{n}.toml", record=Record.model_validate(loads(text)))
        for n, text in enumerate(TEXT_CASES[case])
    ]
    whole = oracle.timeline(oracle.select_activities(files, Filters()))
    text = oracle.timeline_json(whole)
    entries = [encode(activity_json(e.record, e.activity)) for e in whole.entries]
    assert timeline_json(EncodedTimeline(whole.periods, entries)) == text.encode("utf-8")

    data = json.loads(text)
    assert data["ucap_version"] == __version__
    assert len(data["records"]) == len(files)
    assert len(data["activities"]) == sum(len(f.record.activities) for f in files if f.record)
    # Controls are \u escapes in the text and come back as the characters they were.
    for raw in ("\u202e", "\x85", "\x9b", "\x7f", "\u2066"):
        assert raw not in text
    if case in ("bidi", "shared-lead", "all"):
        assert "\\u202e" in text and "\\u0085" in text and "\\u009b" in text
        titles = {a["title"] for a in data["activities"]}
        assert "Workshop \u2066in\u2069 Graz \x9b2J" in titles
        records = {r["record"]: r for r in data["records"]}
        assert records["lyon-bidi"]["title"] == "Lyon \u202eevil\u202c \x85 plan"
    if case in ("cjk", "all"):
        assert "培训 🚀 河南" in text  # CJK and emoji stay as they are
    if case == "shared-lead":
        assert sorted(p.label for p in whole.periods) == ["Lyon (lyon-bidi)", "Lyon (lyon-graz)"]
    assert data["problems"] == []
    if case == "empty":
        expected = (
            f'{{\n  "ucap_version": "{__version__}",\n  "records": [],\n  "activities": [],'
            '\n  "problems": []\n}'
        )
        assert text == expected


# JSON values as records hold them: text with controls, bidi, emoji and CJK; nesting.
SPECIAL = ("\u202e", "\x85", "\x9b", "\x7f", "\u2066", "🚀", "郑", "é", '"', "\\", "\n", "\u2028")
JSON_TEXT = st.text(st.sampled_from(SPECIAL) | st.characters(exclude_categories=["Cs"]), max_size=8)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | JSON_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(JSON_TEXT, inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(JSON_VALUES, max_size=5), key=JSON_TEXT)
def test_array_lines_is_the_text_of_dumps(values: list[Any], key: str) -> None:
    items = [jsonout.encoded(v) for v in values]
    assert all(b"\n" not in item for item in items)
    whole = b"".join(jsonout.array_lines(items))
    assert whole == jsonout.dumps(values, outline=1).encode("utf-8")
    assert json.loads(whole) == values

    # At level 1: the value of a key of an object laid out one level deeper.
    if key == "first":
        key = "second"
    document = {"first": "\u202e", key: values}
    inner = b"".join(jsonout.array_lines(items, level=1))
    head = b'{\n  "first": "\\u202e",\n  '
    assert head + jsonout.encoded(key) + b": " + inner + b"\n}" == jsonout.dumps(
        document, outline=2
    ).encode("utf-8")


# --- through the CLI, with worker processes -----------------------------------------------------

GENERATED = MIN_FILES + 4  # with the files below, well past the worker threshold


@dataclass(frozen=True)
class Project:
    """A large collection and its files loaded in this process, without workers."""

    root: Path
    files: list[RecordFile]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("large")
    records = root / "records"
    generate_records(records, GENERATED, seed=23, invalid=0.02)
    extra = records / "extra"
    write_record(extra, "lyon-graz", LYON_GRAZ)
    write_record(extra, "lyon-bidi", LYON_BIDI)
    write_record(extra, "zhengzhou-cjk", ZHENGZHOU)
    write_record(extra, "pune", PUNE)
    # Three files share an id (E201): two records, and one with an unknown key besides.
    write_record(extra, "copy-of-lyon-graz", LYON_GRAZ)
    write_record(extra, "broken-lyon-graz", edited(LYON_GRAZ, ("sdgs =", "sdg = [11]\nsdgs =")))
    for path in records.rglob("*.toml"):
        os.utime(path, (PAST, PAST))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        files = oracle.load_folder(load_config())
    assert len(files) == GENERATED + 6
    return Project(root, files)


def expected_timeline(files: list[RecordFile], chosen: Filters, output: str) -> bytes:
    whole = oracle.timeline(oracle.select_activities(files, chosen))
    errors = oracle.with_errors(files)
    if output == "json":
        return (oracle.timeline_json(whole, errors) + "\n").encode("utf-8")
    return timeline_render.timeline_csv(Report(whole, errors), Options()).encode("utf-8")


def expected_summary(files: list[RecordFile], chosen: Filters, output: str, interval: Any) -> bytes:
    found = oracle.select_activities(files, chosen)
    result = oracle.summary(found, interval, by_activities=chosen.has_activity_filters)
    write = summary_render.summary_json if output == "json" else summary_render.summary_csv
    return write(Report(result, oracle.with_errors(files)), Options()).encode("utf-8")


def expected_list(
    files: list[RecordFile],
    chosen: Filters,
    output: str,
    sort: str = "period",
    reverse: bool = False,
) -> bytes:
    """The list's text: the records with errors included, the files left out at the end."""
    found = oracle.select(files, chosen, sort, reverse)
    if output == "json":
        return (oracle.list_json(found, files) + "\n").encode("utf-8")
    return oracle.list_csv(found, files).encode("utf-8")


def ucap(root: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("UCAP_RECORDS", "GITHUB_ACTIONS")}
    env |= {"NO_COLOR": "1", "COLUMNS": "100", "PYTHONUTF8": "1"}
    env.pop("FORCE_COLOR", None)
    return subprocess.Popen(
        [sys.executable, "-m", "ucap_cli", *args],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finished(process: subprocess.Popen[bytes]) -> tuple[int, bytes, str]:
    stdout, stderr = process.communicate(timeout=60)
    return process.returncode, stdout, stderr.decode("utf-8")


@pytest.mark.slow
def test_views_with_worker_processes_print_what_one_process_computes(project: Project) -> None:
    files, root = project.files, project.root
    # Left out: only the generated file that is not TOML. Shown with their errors: the other
    # three generated faults (an unknown key, a bad date, an unknown country) and the three
    # files whose id is lyon-graz.
    left_out = [f for f in files if f.record is None]
    assert [(f.first_error.code if f.first_error else None) for f in left_out] == ["E002"]
    flagged = [f for f in files if f.record is not None and f.first_error is not None]
    assert len(flagged) == 3 + 3
    notes = oracle.stderr_notes(files)
    assert len(notes) == 1 + 1 + 1  # the file left out, the hint, the records with errors
    assert notes[-1] == oracle.error_hint(len(flagged))
    stderr = "".join(f"{line}\n" for line in notes)  # the same for every view below
    city = "KRAKOW"  # Kraków, as the records write it
    assert any(
        vocab.city_key(p.name) == "krakow" for f in files if f.record for p in f.record.partners
    )

    # name: (arguments, the expected stdout)
    cases: dict[str, tuple[tuple[str, ...], bytes]] = {}
    visits = parse_filters(kind=["visit"], since="2017", until="2018")
    cases["timeline-csv"] = (
        ("timeline", "--format", "csv", "--kind", "visit", "--since", "2017", "--until", "2018"),
        expected_timeline(files, visits, "csv"),
    )
    cases["summary-json"] = (
        ("summary", "--format", "json", "--sdg", "11", "--interval", "quarter"),
        expected_summary(files, parse_filters(sdg=["11"]), "json", "quarter"),
    )
    cases["summary-csv"] = (
        ("summary", "--format", "csv", "--city", city, "--interval", "month"),
        expected_summary(files, parse_filters(city=[city]), "csv", "month"),
    )
    for name, args, chosen, sort, reverse in (
        ("list-city", ("--city", city, "--sort", "id", "--reverse"), [city], "id", True),
        ("list-all", (), [], "period", False),
    ):
        text = expected_list(files, parse_filters(city=chosen), "json", sort, reverse)
        cases[name] = (("list", "--format", "json", *args), text)
    cases["list-csv"] = (
        ("list", "--format", "csv", "--kind", "visit", "--since", "2017", "--until", "2018"),
        expected_list(files, visits, "csv"),
    )
    whole_timeline = expected_timeline(files, Filters(), "json")
    cases["timeline-no-cache"] = (("timeline", "--format", "json", "--no-cache"), whole_timeline)

    # The first run is cold and writes the cache; the others read it (but --no-cache).
    cold = finished(ucap(root, "timeline", "--format", "json"))
    parsed = [p for p in (root / FOLDER / "parsed").rglob("*") if p.is_file()]
    assert len(parsed) >= MIN_FILES
    started = {name: ucap(root, *args) for name, (args, _) in cases.items()}
    results = {name: finished(process) for name, process in started.items()}

    assert cold == (1, whole_timeline, stderr)
    for name, (_, stdout) in cases.items():
        assert results[name] == (1, stdout, stderr), name
    # The outputs are not trivially empty; the records with errors are in them.
    listed = json.loads(results["list-all"][1])
    assert len([r for r in listed if "id" in r]) == GENERATED - 1 + 6
    assert [r["path"] for r in listed if r.get("left_out")] == [left_out[0].display]
    assert len([r for r in listed if "id" in r and "problems" in r]) == len(flagged)
    assert [r.get("id") for r in listed].count("lyon-graz") == 3
    assert results["list-all"][2].endswith(f"{oracle.error_hint(len(flagged))}\n")
    by_id = [r["id"] for r in json.loads(results["list-city"][1]) if "id" in r]
    assert by_id and by_id == sorted(by_id, reverse=True)
    assert len(results["timeline-csv"][1].splitlines()) > 10
    timeline = json.loads(cold[1])
    assert len(timeline["problems"]) == len(flagged) + len(left_out)
    assert {r["record"] for r in timeline["records"]} >= {"lyon-graz", "lyon-bidi"}
    assert b"\\u202e" in cold[1] and "\u202e".encode() not in cold[1]
