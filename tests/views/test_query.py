"""ucap_cli.views.query: parsing filter values, matching records and activities, sorting."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import oracle
import pytest
from conftest import REPO, Run
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import select, select_activities

from ucap_cli.check.loader import RecordFile
from ucap_cli.config import load_config
from ucap_cli.errors import UsageError
from ucap_cli.record.model import Record
from ucap_cli.views.query import (
    SORT_FIELDS,
    Filters,
    activity_matches,
    match_activities,
    match_record,
    parse_filters,
    record_matches,
    sort_matches,
)


def record(**changes: Any) -> Record:
    """A small valid record; `changes` replace top-level keys."""
    data: dict[str, Any] = {
        "schema_version": 1,
        "id": "demo",
        "title": "Lyon and Graz",
        "programme": "IUC",
        "period": {"start": "2017-03", "end": "2018-11"},
        "themes": ["Mobility"],
        "sdgs": [11],
        "urban_agenda": ["Urban Mobility"],
        "city": {"name": "Lyon", "country": "France"},
        "partners": [
            {"name": "Málaga", "country": "ES"},
            {"name": "Agii Anargiri-Kamatero", "short": "AAK", "country": "GRC"},
        ],
        "activities": [
            {
                "date": "2017-06",
                "kind": "visit",
                "title": "Visit to Málaga",
                "where": "Málaga",
                "cities": ["Lyon", "Málaga"],
                "organisations": ["Málaga City Council"],
            },
            {
                "date": "2018-09-15",
                "end": "2018-09-20",
                "kind": "mission",
                "title": "Mission to Nice and Granada",
                "where": "Nice, Granada and Rome",
                "cities": ["Lyon", "AAK"],
                "summary": "Workshops on e-buses.",
                "agreements": [{"kind": "mou", "parties": ["Lyon", "Yutong Bus"]}],
            },
        ],
        "expected_results": [{"text": "A tram pilot", "status": "in-progress"}],
        "organisations": [{"name": "Société des Transports", "kind": "company"}],
    }
    data.update(changes)
    return Record.model_validate(data)


def file_of(rec: Record) -> RecordFile:
    return RecordFile(Path(f"{rec.id}.toml"), f"{rec.id}.toml", data={}, record=rec)


def matches(rec: Record, **options: Any) -> bool:
    return record_matches(rec, parse_filters(**options))


def titles(rec: Record, **options: Any) -> list[str]:
    found = select_activities([file_of(rec)], parse_filters(**options))
    return [a.title for m in found for a in m.activities]


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"sdg": ["19"]}, "--sdg: expected a Sustainable Development Goal number 1-17, got '19'"),
        ({"sdg": ["0"]}, "1-17, got '0'"),
        ({"sdg": ["nine"]}, "got 'nine'"),
        ({"since": "2017-13"}, "--since: month must be 01-12"),
        ({"until": "June 2017"}, "--until: expected"),
        ({"during": ["2017Q5"]}, "--during: expected a year"),
        ({"kind": ["visti"]}, "--kind: unknown activity kind 'visti' (did you mean 'visit'?)"),
        ({"topic": ["mobilty"]}, "(did you mean 'Urban Mobility'?)"),
        ({"country": ["Chnia"]}, "--country: unknown country 'Chnia' (did you mean 'China'?)"),
        ({"status": ["acheived"]}, "(did you mean 'achieved'?)"),
        ({"since": "2019", "until": "2018-06"}, "--since 2019 is after --until 2018-06"),
        ({"city": ["  "]}, "--city: empty value"),
    ],
)
def test_values_that_can_never_match_are_usage_errors(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        parse_filters(**options)
    assert message in str(caught.value)
    assert caught.value.exit_code == 2


def test_values_are_normalised() -> None:
    filters = parse_filters(
        country=["China", "cn", "CHN", "Türkiye"],
        topic=["mobility", "urban   MOBILITY", "Culture"],
        sdg=["9", "SDG11", 3],
        kind=["Visit"],
        status=["Achieved"],
        during=["2017Q2"],
    )
    assert filters.countries == ("CN", "CN", "CN", "TR")
    assert filters.topics == ("Urban Mobility", "Urban Mobility", "Culture/Cultural Heritage")
    assert filters.sdgs == (9, 11, 3)
    assert filters.kinds == ("visit",)
    assert filters.statuses == ("achieved",)
    assert str(filters.during[0].start) == "2017-04-01"
    assert str(filters.during[0].end) == "2017-06-30"


def test_configured_extra_kinds_are_accepted() -> None:
    with pytest.raises(UsageError):
        parse_filters(kind=["study-tour"])
    assert parse_filters(kind=["study-tour"], activity_kinds=("study-tour",)).kinds == (
        "study-tour",
    )


def test_activity_filters_flag() -> None:
    assert not Filters(sdgs=(9,), themes=("x",), statuses=("planned",)).has_activity_filters
    for options in ({"city": ["x"]}, {"kind": ["visit"]}, {"org": ["x"]}, {"since": "2017"}):
        assert parse_filters(**options).has_activity_filters


# --------------------------------------------------------------------------- record level


@pytest.mark.parametrize(
    "city",
    ["Lyon", "lyon", "MALAGA", "málaga", "Malaga ", "agii anargiri kamatero", "AAK", "aak"],
)
def test_city_matches_lead_partner_and_alias_whatever_the_spelling(city: str) -> None:
    assert matches(record(), city=[city])


def test_city_matches_an_activity_city_or_place() -> None:
    rec = record()
    assert matches(rec, city=["Granada"])  # named only in an activity's `where`
    assert matches(rec, city=["rome"])
    assert not matches(rec, city=["Tokyo"])


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"country": ["FR"]}, True),
        ({"country": ["Spain"]}, True),
        ({"country": ["Greece"]}, True),
        ({"country": ["Italy"]}, False),
        ({"theme": ["mobility"]}, True),
        ({"theme": ["Logistics"]}, False),
        ({"sdg": ["11"]}, True),
        ({"sdg": ["9"]}, False),
        ({"topic": ["Mobility"]}, True),
        ({"topic": ["Housing"]}, False),
        ({"programme": ["iuc"]}, True),
        ({"programme": ["IUC Asia"]}, False),
        ({"status": ["in-progress"]}, True),
        ({"status": ["achieved"]}, False),
        ({"kind": ["mission"]}, True),
        ({"kind": ["signing"]}, False),
        ({"org": ["societe des"]}, True),  # accents and case ignored
        ({"org": ["yutong"]}, True),  # an agreement's party
        ({"org": ["malaga city"]}, True),  # an activity's organisation
        ({"org": ["Siemens"]}, False),
        ({"search": ["e-BUSES"]}, True),  # an activity summary
        ({"search": ["tram pilot"]}, True),  # an expected result
        ({"search": ["LYON and graz"]}, True),  # the title
        ({"search": ["hydrogen"]}, False),
    ],
)
def test_each_filter_alone(options: dict[str, Any], expected: bool) -> None:
    assert matches(record(), **options) is expected


def test_same_option_twice_is_or_and_different_options_are_and() -> None:
    rec = record()
    assert matches(rec, city=["Tokyo", "Nice"])
    assert matches(rec, sdg=["3", "11"])
    assert not matches(rec, city=["Tokyo", "Osaka"])
    assert matches(rec, city=["Lyon"], sdg=["11"], kind=["visit"])
    assert not matches(rec, city=["Lyon"], sdg=["3"])
    assert not matches(rec, city=["Tokyo"], sdg=["11"])


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        # period 2017-03 .. 2018-11 at month precision: whole months count
        ({"since": "2018-11"}, True),
        ({"since": "2018-11-30"}, True),
        ({"since": "2018-12"}, False),
        ({"until": "2017-03"}, True),
        ({"until": "2017-03-01"}, True),
        ({"until": "2017-02"}, False),
        # year precision: a year overlaps when any of its days does
        ({"since": "2018"}, True),
        ({"until": "2017"}, True),
        ({"since": "2019"}, False),
        ({"until": "2016"}, False),
        ({"since": "2017-01", "until": "2017-02"}, False),
        ({"since": "2017-01", "until": "2017-03"}, True),
        ({"during": ["2017Q1"]}, True),
        ({"during": ["2016"]}, False),
        ({"during": ["2016", "2019-01"]}, False),
        ({"during": ["2016", "2018-11"]}, True),
    ],
)
def test_record_period_overlap(options: dict[str, Any], expected: bool) -> None:
    rec = record(activities=[])
    assert matches(rec, **options) is expected


def test_an_ongoing_record_matches_any_later_date() -> None:
    rec = record(period={"start": "2017-03"}, activities=[])
    assert matches(rec, since="2090")
    assert not matches(rec, until="2017-02")


def test_an_activity_outside_the_period_still_matches_its_record() -> None:
    rec = record(period={"start": "2017", "end": "2017"})
    assert not matches(
        record(period={"start": "2017", "end": "2017"}, activities=[]), during=["2018"]
    )
    assert matches(rec, during=["2018-09"])


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"during": ["2017-06-30"]}, ["Visit to Málaga"]),  # a day inside a month-date
        ({"during": ["2017"]}, ["Visit to Málaga"]),
        ({"since": "2017-07"}, ["Mission to Nice and Granada"]),
        ({"until": "2018-09-15"}, ["Visit to Málaga", "Mission to Nice and Granada"]),
        ({"until": "2018-09-14"}, ["Visit to Málaga"]),
        ({"since": "2018-09-20"}, ["Mission to Nice and Granada"]),  # the activity's end
        ({"since": "2018-09-21"}, []),
        ({"during": ["2018Q3"]}, ["Mission to Nice and Granada"]),
    ],
)
def test_activity_interval_semantics(options: dict[str, Any], expected: list[str]) -> None:
    assert titles(record(), **options) == expected


# --------------------------------------------------------------------------- activities


def test_activity_filters_choose_activities() -> None:
    rec = record()
    assert titles(rec, city=["malaga"]) == ["Visit to Málaga"]
    assert titles(rec, city=["Agii Anargiri-Kamatero"]) == ["Mission to Nice and Granada"]
    assert titles(rec, city=["Granada"]) == ["Mission to Nice and Granada"]
    assert titles(rec, kind=["visit", "mission"]) == [
        "Visit to Málaga",
        "Mission to Nice and Granada",
    ]
    assert titles(rec, org=["yutong"]) == ["Mission to Nice and Granada"]
    assert titles(rec, search=["e-bus"]) == ["Mission to Nice and Granada"]
    assert titles(rec, kind=["visit"], city=["AAK"]) == []
    assert activity_matches(rec, rec.activities[0], parse_filters(sdg=["11"]))


def test_select_activities_drops_records_without_matching_activities() -> None:
    files = [file_of(record()), file_of(record(id="other", sdgs=[3]))]
    assert [m.record.id for m in select_activities(files, parse_filters(kind=["signing"]))] == []
    chosen = select_activities(files, parse_filters(sdg=["3"]))
    assert [(m.record.id, len(m.activities)) for m in chosen] == [("other", 2)]


def test_list_keeps_a_record_matched_by_its_own_city_with_zero_activities() -> None:
    rec = record(activities=[])
    [match] = select([file_of(rec)], parse_filters(city=["Lyon"]))
    assert match.activities == ()


def test_activities_come_in_date_order() -> None:
    dated = [{"date": d, "kind": "visit", "title": d} for d in ("2018", "2017-06-15", "2017-06")]
    reordered = record(activities=dated)
    [match] = select([file_of(reordered)], Filters())
    assert [a.title for a in match.activities] == ["2017-06", "2017-06-15", "2018"]


def test_bundled_record_acceptance() -> None:
    files = oracle.load_folder(load_config(records=REPO / "records"))
    asked: tuple[dict[str, Any], ...] = (
        {"city": ["Zhengzhou"]},
        {"city": ["malaga"]},
        {"city": ["AAK"]},
        {"sdg": ["9"]},
        {"topic": ["urban mobility"]},
        {"org": ["Yutong"]},
    )
    listed = {repr(o): [m.record.id for m in select(files, parse_filters(**o))] for o in asked}
    assert all(ids == ["zhengzhou"] for ids in listed.values()), listed
    assert select(files, parse_filters(sdg=["3"])) == []
    assert select(files, parse_filters(city=["Tokyo"])) == []


def test_status_is_an_activity_status_in_the_activity_views() -> None:
    """`--status` of `timeline`/`summary` (`status_of="activities"`) keeps activities by their
    own status; in `list`/`show` it is the status of an expected result."""
    planned = {"date": "2019-03", "kind": "visit", "title": "Next visit", "status": "planned"}
    rec = record(activities=[*record().model_dump(mode="json")["activities"], planned])
    filters = parse_filters(status=["Planned"], status_of="activities")
    assert (filters.statuses, filters.activity_statuses) == ((), ("planned",))
    assert filters.has_activity_filters
    assert titles(rec, status=["planned"], status_of="activities") == ["Next visit"]
    assert titles(rec, status=["done"], status_of="activities") == [
        "Visit to Málaga",
        "Mission to Nice and Granada",
    ]
    assert titles(rec, status=["cancelled"], status_of="activities") == []
    assert match_activities(record(), filters) is None  # no planned activity
    assert match_record(record(), filters) is None
    # As the status of an expected result: the record's result is in progress.
    assert parse_filters(status=["planned"]).activity_statuses == ()
    assert not matches(rec, status=["planned"])
    assert matches(rec, status=["in-progress"])
    with pytest.raises(UsageError, match="unknown activity status 'achieved'"):
        parse_filters(status=["achieved"], status_of="activities")
    with pytest.raises(UsageError, match="unknown expected-result status 'done'"):
        parse_filters(status=["done"])


def test_what_could_not_be_read_matches_no_condition_on_it() -> None:
    """A record with errors is matched as far as it could be read: an unknown period or lead
    city matches no condition on it, and the rest of the record still can."""
    no_period = record(period=None, activities=[])
    assert matches(no_period)
    assert not matches(no_period, since="2000")
    assert not matches(no_period, during=["2017"])
    dated = record(period=None)
    assert matches(dated, during=["2017-06"])  # through its activity
    assert titles(dated, during=["2017-06"]) == ["Visit to Málaga"]
    no_lead = record(city=None, activities=[])
    assert not matches(no_lead, city=["Lyon"])
    assert matches(no_lead, city=["malaga"])  # a partner
    assert not matches(no_lead, country=["France"])
    assert matches(no_lead, country=["Spain"])
    assert no_lead.display_title == "Lyon and Graz"


# --------------------------------------------------------------------------- sorting


def test_sorting() -> None:
    files = [
        file_of(record(id="b", period={"start": "2016"})),
        file_of(record(id="a", period={"start": "2017-01"})),
        file_of(record(id="c", period={"start": "2016-12"})),
        file_of(record(id="d", period={"start": "2016"})),
    ]
    found = select(files, Filters())
    assert [m.record.id for m in found] == ["b", "d", "c", "a"]
    assert [m.record.id for m in sort_matches(found, "period", reverse=True)] == [
        "a",
        "c",
        "d",
        "b",
    ]
    assert [m.record.id for m in sort_matches(found, "id")] == ["a", "b", "c", "d"]
    with pytest.raises(UsageError, match="did you mean 'period'"):
        sort_matches(found, "perod")


def test_countries_sort_by_their_names_as_people_write_them() -> None:
    """EL is Greece (after France, where its letters would put it before), KOR Korea (after
    Italy); a user's trial saw EL sorted under E and U.K. last."""
    written = {"el": "EL", "fr": "France", "kr": "KOR", "it": "Italy", "uk": "U.K.", "at": "AT"}
    files = [
        file_of(record(id=rid, city={"name": "X", "country": country}))
        for rid, country in written.items()
    ]
    found = select(files, Filters())
    assert [m.record.id for m in sort_matches(found, "country")] == [
        "at",
        "fr",
        "el",
        "it",
        "kr",
        "uk",
    ]


def test_list_help_names_every_sort_field(run: Run) -> None:
    shown = " ".join(run("list", "--help").stdout.split())
    for name in SORT_FIELDS:
        assert re.search(rf"\b{name}\b", shown.split("--sort FIELD", 1)[1].split("--", 1)[0]), name


def test_an_unknown_period_or_lead_city_sorts_last() -> None:
    files = [
        file_of(record(id="unknown", period=None, city=None)),
        file_of(record(id="ongoing", period={"start": "2016"})),
        file_of(record(id="ended", period={"start": "2017", "end": "2018"})),
    ]
    found = select(files, Filters())
    assert [m.record.id for m in found] == ["ongoing", "ended", "unknown"]
    assert [m.record.id for m in sort_matches(found, "end")] == ["ended", "ongoing", "unknown"]
    assert [m.record.id for m in sort_matches(found, "city")] == ["ended", "ongoing", "unknown"]
    reverse = sort_matches(found, "period", reverse=True)
    assert [m.record.id for m in reverse] == ["unknown", "ended", "ongoing"]


# --------------------------------------------------------------------------- properties

CITIES = ["Lyon", "Graz", "Málaga", "Nice", "Rome", "Tokyo"]
KINDS = ["visit", "mission", "workshop"]


@st.composite
def records(draw: st.DrawFn, index: int) -> Record:
    lead, *partners = draw(st.lists(st.sampled_from(CITIES), min_size=2, max_size=3, unique=True))
    activities = [
        {
            "date": f"{draw(st.integers(2016, 2019))}-{draw(st.integers(1, 12)):02d}",
            "kind": draw(st.sampled_from(KINDS)),
            "title": f"activity {n}",
            "cities": draw(st.lists(st.sampled_from(CITIES), max_size=2, unique=True)),
        }
        for n in range(draw(st.integers(0, 3)))
    ]
    return record(
        id=f"r{index}",
        city={"name": lead, "country": "FR"},
        partners=[{"name": p, "country": "IT"} for p in partners],
        sdgs=draw(st.lists(st.integers(1, 17), max_size=3, unique=True)),
        period={"start": f"{draw(st.integers(2015, 2019))}"},
        activities=activities,
    )


collections = st.integers(1, 5).flatmap(lambda n: st.tuples(*(records(i) for i in range(n))))
OPTIONS = {
    "city": st.sampled_from(CITIES),
    "kind": st.sampled_from(KINDS),
    "sdg": st.integers(1, 17).map(str),
    "during": st.sampled_from(["2015", "2016Q3", "2017-06", "2018", "2019-12"]),
}


def ids(files: list[RecordFile], **options: Any) -> set[str]:
    return {m.record.id for m in select(files, parse_filters(**options))}


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(collections, st.data())
def test_or_is_union_and_and_is_intersection(recs: tuple[Record, ...], data: st.DataObject) -> None:
    files = [file_of(r) for r in recs]
    first, second = data.draw(
        st.lists(st.sampled_from(sorted(OPTIONS)), min_size=2, max_size=2, unique=True)
    )
    a, b = data.draw(OPTIONS[first]), data.draw(OPTIONS[first])
    assert ids(files, **{first: [a, b]}) == ids(files, **{first: [a]}) | ids(files, **{first: [b]})
    c = data.draw(OPTIONS[second])
    both = ids(files, **{first: [a], second: [c]})
    assert both == ids(files, **{first: [a]}) & ids(files, **{second: [c]})
    # activity views never hold an activity that fails the filters
    options: dict[str, Any] = {first: [a], second: [c]}
    filters = parse_filters(**options)
    for match in select_activities(files, filters):
        assert all(activity_matches(match.record, act, filters) for act in match.activities)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(collections, st.integers(2014, 2021), st.integers(1, 12))
def test_since_keeps_what_ends_on_or_after_it(
    recs: tuple[Record, ...], year: int, month: int
) -> None:
    files = [file_of(r) for r in recs]
    since = f"{year}-{month:02d}"
    first = (year, month)
    ends = {r.id: r.period.end for r in recs if r.period is not None}
    assert len(ends) == len(recs)  # every period is known
    expected = {
        r.id
        for r in recs
        if (end := ends[r.id]) is None
        or (end.year, end.month or 12) >= first
        or any((a.date.year, a.date.month or 12) >= first for a in r.activities)
    }
    assert ids(files, since=since) == expected
