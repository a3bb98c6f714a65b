"""`ucap import` of `ucap show ID --format summary` gives the record back.

See docs/summary-document.md.

The property: on every field the summary carries, the imported record equals the original,
nothing is guessed, and the draft is valid. Over the bundled record and over generated valid
records whose text is random Unicode salted with what the importer reads as structure (markup,
entities, escapes, arrows and bullets, list separators, labels, dates, "N/A"...). The fields the
layout has no place for are listed once, in NOT_CARRIED, as the documentation lists them.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from conftest import REPO, Run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ucap_cli.authoring.importer import import_summary
from ucap_cli.record import vocab
from ucap_cli.record.countries import find_country
from ucap_cli.record.model import ValidRecord
from ucap_cli.render.summary_doc import summary_lines

SEED = Path(__file__).parents[1] / "data" / "000_66ab86ebe502f80d.txt"
SEED_DRAFT = Path(__file__).parents[1] / "data" / "000_66ab86ebe502f80d.draft.toml"

# What the summary cannot carry (docs/summary-document.md says why): compared on the rest.
NOT_CARRIED = frozenset({"id", "schema_version", "summary", "sources", "organisations", "extra"})
# Words a summary writes for a value it does not give: a region or country spelt so reads as
# none (documented), so the generator leaves them out.
MISSING_WORDS = frozenset({"", "n a", "na", "n/a", "none", "unknown", "tbd"})


def carried(data: dict[str, Any]) -> dict[str, Any]:
    """The fields of a (valid) record that the summary carries, as the model reads them;
    activities in date order, as the document lists them (same date: as in the record)."""
    record = ValidRecord.model_validate(data)
    dumped = record.model_dump(mode="json", exclude=set(NOT_CARRIED))
    dumped["activities"].sort(key=lambda a: [int(n) for n in a["date"].split("-")])
    return dumped


def round_trip(run: Run, data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """`ucap show demo --format summary`, then `ucap import` of that text: the imported
    record and the import's report (stderr). Both commands must succeed."""
    for folder in ("records", "out"):
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir()
    Path("records/demo.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    shown = run("show", "demo", "--format", "summary")
    assert shown.exit_code == 0, shown.output
    Path("summary.txt").write_text(shown.stdout, encoding="utf-8")
    imported = run("import", "summary.txt", "-o", "out/demo.toml")
    assert imported.exit_code == 0, imported.output
    return tomllib.loads(Path("out/demo.toml").read_text(encoding="utf-8")), imported.stderr


# --------------------------------------------------------------------------- the bundled record


def test_the_bundled_record_comes_back(run: Run) -> None:
    original = tomllib.loads((REPO / "records" / "zhengzhou.toml").read_text(encoding="utf-8"))
    back, report = round_trip(run, original)
    assert carried(back) == carried(original)
    assert "0 guessed values are marked" in report
    # What is not carried: the importer's own sources and summary, no organisations.
    assert back["sources"] == ["summary.txt"]
    assert "organisations" not in back
    assert set(original) - set(back) == {"organisations"}


def test_the_seed_still_imports_as_before() -> None:
    """The forms the summary writer uses do not change how a real summary is read: the seed's
    draft is byte for byte the one `ucap import` made before they existed."""
    draft = import_summary(
        SEED.read_text(encoding="utf-8"), source="seed.txt", record_id="zhengzhou"
    )
    assert draft.text == SEED_DRAFT.read_text(encoding="utf-8")


WRITTEN = """\
Urban Cooperation Action Plan (U-CAP) Summary

Title:\tPune \\- Lyon\\:
City:\tPune (PNQ)\tFrankfurt \\(Oder\\), Port of Spain (POS)
Province, State, Department...:\tMaharashtra\tBrandenburg, N/A
Country:\tIN\tGermany; Trinidad and Tobago
Population:\t3,124,458\tN/A; 37,074
Size (km²)\t331.26 km²\tN/A, N/A
Period of cooperation\t15 March 2019, ongoing
Cooperation Themes:\tWater; Smart Cities, Mobility
Related SDGs and Urban Agenda topics:\tSDG 6: Clean water; EU Urban Agenda topics: Air Quality
Key focus of cooperation themes:
- Water\\: supply: Pilot **leak** detection.
Short description of main activities and key outputs (e.g. pilot projects):

\u2192 3\u20135 May 2019: Pune mission to Frankfurt
Kind: mission · Status: planned · Where: Frankfurt \\(Oder\\) · \
Cities: Pune; Frankfurt (Oder) · Until: 2 June 2019
Expected results: a \\<b>bold\\</b> plan \\&amp; more.
  ○ Agreement\\: signed, as an output.
  ○ Agreement: letter of intent \u00d72 · Parties: Pune, Frankfurt · Fields: Water · Title: LoI
  ○ Link: https://example.org/a\\_\\_b

Expected results and benefits:

- June 2019: a date, then text
  Status: achieved · Theme: Water

For further information (including access to the full U-CAP), please contact:
a\\_\\_b@example.org
"""


def test_a_written_summary_is_read_as_written() -> None:
    """The forms of docs/summary-document.md, one each: nothing guessed, nothing left over."""
    draft = import_summary(WRITTEN, source="", record_id="pune")
    assert not draft.guesses and not draft.unplaced
    data = tomllib.loads(draft.text)
    assert data["title"] == "Pune - Lyon:"
    assert data["city"] == {
        "name": "Pune", "short": "PNQ", "region": "Maharashtra", "country": "IN",
        "population": 3124458, "area_km2": 331.26,
    }  # fmt: skip
    assert data["partners"] == [
        {"name": "Frankfurt (Oder)", "region": "Brandenburg", "country": "Germany"},
        {"name": "Port of Spain", "short": "POS", "country": "Trinidad and Tobago",
         "population": 37074},
    ]  # fmt: skip
    assert data["period"] == {"start": "2019-03-15"}
    assert data["themes"] == ["Water", "Smart Cities, Mobility"]
    assert (data["sdgs"], data["urban_agenda"]) == ([6], ["Air Quality"])
    assert data["focus"] == [{"theme": "Water: supply", "text": "Pilot leak detection."}]
    assert data["activities"] == [
        {
            "date": "2019-05-03",
            "end": "2019-06-02",
            "kind": "mission",
            "title": "Pune mission to Frankfurt",
            "status": "planned",
            "where": "Frankfurt (Oder)",
            "cities": ["Pune", "Frankfurt (Oder)"],
            "summary": "Expected results: a <b>bold</b> plan &amp; more.",
            "outputs": ["Agreement: signed, as an output."],
            "links": ["https://example.org/a__b"],
            "agreements": [
                {
                    "kind": "letter-of-intent",
                    "parties": ["Pune", "Frankfurt"],
                    "count": 2,
                    "fields": ["Water"],
                    "title": "LoI",
                }
            ],
        }
    ]
    assert data["expected_results"] == [
        {"text": "June 2019: a date, then text", "theme": "Water", "status": "achieved"}
    ]
    assert data["contact"] == "a__b@example.org"


# --------------------------------------------------------------------------- generated records

# Random text, salted with what a summary reader takes for structure.
_CHARS = st.characters(
    blacklist_categories=("Cc", "Cs", "Cn", "Zl", "Zp"),
    blacklist_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
)
_SALT = st.sampled_from(
    [
        "<script>alert(1)</script>", "<p>", "</td>", "&amp;", "&lt", "&#42;", "R&D", "**", "__",
        "*x*", "[a](b)", "\\", "\\*", "\\:", "\\\\", "→", "○", "◦", "▪", "•", "·", " · ", ":",
        ": ", ";", ",", ", ", " and ", ".", "- ", "+ ", "1. ", "2) ", "#", ">", "|", "(", ")",
        " (AB)", "Kind: ", "Status: ", "Agreement: ", "Link: ", "June 2017: ", "2018-03: ",
        "Expected results", "Contact", "Key challenges", "Activities", "N/A", "\u00d75", "'", '"',
        "Málaga", "Agii Anargiri-Kamatero", "\u00a0", "\u3000", "\t", "  ", "\n", "é", "中文",
    ]
)  # fmt: skip


def _normalised(text: str) -> str:
    return " ".join(text.split())


TEXT = (
    st.lists(st.one_of(_SALT, st.text(_CHARS, min_size=1, max_size=8)), min_size=1, max_size=8)
    .map(lambda parts: _normalised("".join(parts)))
    .filter(bool)
)
NAME = TEXT.filter(lambda t: vocab.fold(t).strip(" ./-") not in MISSING_WORDS)
COUNTRY = st.sampled_from(
    [
        "China", "Greece", "Spain", "ES", "FRA", "Italy", "Korea, Republic of",
        "Bosnia and Herzegovina", "Côte d'Ivoire", "Trinidad and Tobago", "Türkiye",
        "United States", "DE", "Viet Nam",
        "Lao People's Democratic Republic", "Saint Vincent and the Grenadines", "Brazil", "IN",
    ]
)  # fmt: skip
YEAR = st.integers(1900, 2099)


@st.composite
def partial_date(draw: st.DrawFn, after: str | None = None) -> str:
    """ "YYYY", "YYYY-MM" or "YYYY-MM-DD" (not before `after`, when given)."""
    while True:
        year = draw(YEAR)
        precision = draw(st.sampled_from(("year", "month", "day")))
        month = draw(st.integers(1, 12))
        day = draw(st.integers(1, 28))
        text = {"year": f"{year}", "month": f"{year}-{month:02d}"}.get(
            precision, f"{year}-{month:02d}-{day:02d}"
        )
        if after is None or _last(text) >= _first(after):
            return text


def _first(text: str) -> tuple[int, ...]:
    parts = [int(n) for n in text.split("-")]
    return (*parts, *[1] * (3 - len(parts)))


def _last(text: str) -> tuple[int, ...]:
    parts = [int(n) for n in text.split("-")]
    return (*parts, *[31 if len(parts) == 2 else 12, 31][len(parts) - 1 :])


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def unique(strategy: st.SearchStrategy[str], **kwargs: Any) -> st.SearchStrategy[list[str]]:
    return st.lists(strategy, unique_by=vocab.fold, **kwargs)


@st.composite
def city(draw: st.DrawFn) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": draw(NAME.filter(lambda t: not t.isupper() or len(t) > 6))}
    short = draw(optional(st.from_regex(r"[A-Z]{2,5}", fullmatch=True)))
    if short:
        entry["short"] = short
    region = draw(optional(NAME))
    if region:
        entry["region"] = region
    entry["country"] = draw(COUNTRY)
    population = draw(optional(st.integers(1, 10**10)))
    if population:
        entry["population"] = population
    area = draw(optional(st.floats(0.001, 1e7) | st.integers(1, 10**6)))
    if area:
        entry["area_km2"] = area
    return entry


def _with(entry: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, [], ""):
        entry[key] = value


@st.composite
def activity(draw: st.DrawFn) -> dict[str, Any]:
    date = draw(partial_date())
    entry: dict[str, Any] = {"date": date}
    _with(entry, "end", draw(optional(partial_date(after=date))))
    entry["kind"] = draw(st.sampled_from(vocab.ACTIVITY_KINDS))
    entry["title"] = draw(TEXT)
    _with(entry, "status", draw(optional(st.sampled_from(vocab.ACTIVITY_STATUSES))))
    _with(entry, "where", draw(optional(TEXT)))
    for key in ("cities", "organisations", "themes", "outputs", "links"):
        _with(entry, key, draw(st.lists(TEXT, max_size=3)))
    _with(entry, "summary", draw(optional(TEXT)))
    agreements = []
    for _ in range(draw(st.integers(0, 2))):
        agreement: dict[str, Any] = {
            "kind": draw(st.sampled_from(vocab.AGREEMENT_KINDS)),
            "parties": draw(st.lists(TEXT, min_size=1, max_size=3)),
        }
        _with(agreement, "count", draw(optional(st.integers(1, 12))))
        _with(agreement, "fields", draw(st.lists(TEXT, max_size=3)))
        _with(agreement, "title", draw(optional(TEXT)))
        agreements.append(agreement)
    _with(entry, "agreements", agreements)
    return entry


@st.composite
def record(draw: st.DrawFn) -> dict[str, Any]:
    """A valid record (the model says so), every key of the format used now and then."""
    start = draw(partial_date())
    focus_themes = draw(unique(TEXT, max_size=3))
    data: dict[str, Any] = {"schema_version": 1, "id": "demo"}
    _with(data, "title", draw(optional(TEXT)))
    _with(data, "programme", draw(optional(st.sampled_from(["IUC", "IUC Asia"]) | TEXT)))
    data["themes"] = draw(unique(TEXT, min_size=1, max_size=4))
    _with(data, "sdgs", draw(st.lists(st.integers(1, 17), unique=True, max_size=4)))
    topics = st.sampled_from(vocab.URBAN_AGENDA_TOPICS)
    _with(data, "urban_agenda", draw(st.lists(topics, unique=True, max_size=3)))
    local = st.text(
        st.characters(
            blacklist_categories=("Cc", "Cs", "Cn", "Zs", "Zl", "Zp"), blacklist_characters="@"
        ),
        min_size=1,
        max_size=10,
    )
    _with(data, "contact", draw(optional(st.builds("{}@{}.{}".format, local, local, local))))
    _with(data, "summary", draw(optional(TEXT)))
    for key in ("challenges", "objectives", "sources"):
        _with(data, key, draw(st.lists(TEXT, max_size=3)))
    data["period"] = {"start": start}
    _with(data["period"], "end", draw(optional(partial_date(after=start))))
    data["city"] = draw(city())
    data["partners"] = draw(st.lists(city(), min_size=1, max_size=4))
    names = [c["name"] for c in [data["city"], *data["partners"]]]
    shorts = [c["short"] for c in [data["city"], *data["partners"]] if "short" in c]
    # Aliases are names of their own: unique, and no city is called another's alias.
    if len({*map(vocab.fold, shorts)}) < len(shorts) or {*map(vocab.fold, shorts)} & {
        *map(vocab.fold, names)
    }:
        for entry in [data["city"], *data["partners"]]:
            entry.pop("short", None)
    _with(data, "focus", [{"theme": t, "text": draw(TEXT)} for t in focus_themes])
    _with(data, "activities", draw(st.lists(activity(), max_size=4)))
    results = []
    for _ in range(draw(st.integers(0, 3))):
        result: dict[str, Any] = {"text": draw(TEXT)}
        _with(result, "theme", draw(optional(TEXT)))
        _with(result, "status", draw(optional(st.sampled_from(vocab.RESULT_STATUSES))))
        _with(result, "organisations", draw(st.lists(TEXT, max_size=3)))
        results.append(result)
    _with(data, "expected_results", results)
    if draw(st.booleans()):
        data["organisations"] = [{"name": draw(TEXT), "kind": "company", "note": draw(TEXT)}]
        data["extra"] = {"anything": draw(TEXT)}
    ValidRecord.model_validate(data)  # the generator makes valid records only
    assert all(find_country(c["country"]) for c in [data["city"], *data["partners"]])
    return data


@pytest.mark.slow
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=record())
def test_generated_records_come_back_through_the_cli(run: Run, data: dict[str, Any]) -> None:
    back, report = round_trip(run, data)
    assert carried(back) == carried(data)
    assert "0 guessed values are marked" in report
    assert "not placed" not in report


@settings(max_examples=20, deadline=None)
@given(data=record())
def test_generated_records_come_back(data: dict[str, Any]) -> None:
    """The same property without the commands around it: quick enough for every run."""
    text = "\n".join(summary_lines(ValidRecord.model_validate(data))) + "\n"
    draft = import_summary(text, source="summary.txt", record_id="demo")
    assert carried(tomllib.loads(draft.text)) == carried(data)
    assert not draft.guesses
    assert not draft.unplaced
