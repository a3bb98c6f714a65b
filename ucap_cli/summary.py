"""The summary view's numbers: where, on what, with whom and how much, for the selected records.

Pure: takes the records and activities a query selected and counts; every number the terminal
view draws is here, and `Summary.to_json()` is the documented JSON of `ucap summary`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ucap_cli import vocab
from ucap_cli.countries import find_country
from ucap_cli.dates import MONTHS, PartialDate
from ucap_cli.model import Activity, City, Record
from ucap_cli.query import activity_places
from ucap_cli.timeline import RecordActivities, agreement_count

Interval = Literal["year", "quarter", "month"]
INTERVALS: tuple[Interval, ...] = ("year", "quarter", "month")


@dataclass(frozen=True)
class Overview:
    """The headline numbers."""

    records: int
    lead_cities: list[str]
    partner_cities: list[str]
    countries: list[str]
    activities: int
    agreements: int
    agreements_by_kind: dict[str, int]
    start: PartialDate | None  # earliest start of the records' periods
    end: PartialDate | None  # latest end; None when a period is ongoing (or no records)
    ongoing: bool
    first_activity: PartialDate | None
    last_activity: PartialDate | None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "records": self.records,
            "lead_cities": len(self.lead_cities),
            "partner_cities": len(self.partner_cities),
            "countries": len(self.countries),
            "activities": self.activities,
            "agreements": self.agreements,
            "agreements_by_kind": dict(self.agreements_by_kind),
            "period": {
                "start": _iso(self.start),
                "end": _iso(self.end),
                "ongoing": self.ongoing,
            },
            "activity_dates": {
                "first": _iso(self.first_activity),
                "last": _iso(self.last_activity),
            },
            "names": {
                "lead_cities": list(self.lead_cities),
                "partner_cities": list(self.partner_cities),
                "countries": list(self.countries),
            },
        }


@dataclass(frozen=True)
class Bucket:
    """Activities in one year, quarter or month; `key` is `2017`, `2017Q2` or `2017-06`."""

    key: str
    label: str
    activities: int

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {"period": self.key, "label": self.label, "activities": self.activities}


@dataclass(frozen=True)
class KindCount:
    """Activities of one kind."""

    kind: str
    activities: int

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {"kind": self.kind, "activities": self.activities}


@dataclass(frozen=True)
class ThemeCount:
    """A cooperation theme: records that name it and activities tagged with it."""

    theme: str
    records: int
    activities: int

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {"theme": self.theme, "records": self.records, "activities": self.activities}


@dataclass(frozen=True)
class SdgCount:
    """A Sustainable Development Goal and the records that relate to it."""

    number: int
    name: str
    records: int

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {"sdg": self.number, "name": self.name, "records": self.records}


@dataclass(frozen=True)
class TopicCount:
    """An EU Urban Agenda topic and the records that relate to it."""

    topic: str
    records: int

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {"topic": self.topic, "records": self.records}


@dataclass(frozen=True)
class CityLink:
    """A lead city and a partner, with the number of activities in which both take part."""

    lead: str
    partner: str
    activities: int

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {"lead": self.lead, "partner": self.partner, "activities": self.activities}


@dataclass(frozen=True)
class OrganisationCount:
    """An organisation and how often it is named by activities and expected results."""

    name: str
    activities: int
    expected_results: int

    @property
    def total(self) -> int:
        """Activities plus expected results naming it."""
        return self.activities + self.expected_results

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "name": self.name,
            "activities": self.activities,
            "expected_results": self.expected_results,
            "total": self.total,
        }


@dataclass(frozen=True)
class StatusCount:
    """Expected results with one status."""

    status: str
    expected_results: int

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {"status": self.status, "expected_results": self.expected_results}


@dataclass(frozen=True)
class Summary:
    """Every number of `ucap summary`."""

    title: str | None  # the record's title when exactly one record is summarised
    overview: Overview
    interval: Interval
    periods: list[Bucket]
    kinds: list[KindCount]
    themes: list[ThemeCount]
    sdgs: list[SdgCount]
    topics: list[TopicCount]
    network: list[CityLink]
    organisations: list[OrganisationCount]
    results: list[StatusCount]

    def to_json(self) -> dict[str, Any]:
        """The numbers behind every part of the view (documented in the README)."""
        return {
            "title": self.title,
            "overview": self.overview.to_json(),
            "interval": self.interval,
            "activities_per_period": [b.to_json() for b in self.periods],
            "activities_per_kind": [k.to_json() for k in self.kinds],
            "themes": [t.to_json() for t in self.themes],
            "sdgs": [s.to_json() for s in self.sdgs],
            "urban_agenda": [t.to_json() for t in self.topics],
            "city_network": [link.to_json() for link in self.network],
            "organisations": [o.to_json() for o in self.organisations],
            "expected_results": [r.to_json() for r in self.results],
        }


def build_summary(matches: Iterable[RecordActivities], interval: Interval = "year") -> Summary:
    """Count everything the summary shows for the selected records and activities."""
    selected = [(m.record, list(m.activities)) for m in matches]
    records = [record for record, _ in selected]
    activities = [a for _, acts in selected for a in acts]
    results = [e for r in records for e in r.expected_results]
    return Summary(
        title=records[0].display_title if len(records) == 1 else None,
        overview=overview(selected),
        interval=interval,
        periods=activities_per_period(activities, interval),
        kinds=activities_per_kind(activities),
        themes=theme_counts(selected),
        sdgs=[
            SdgCount(n, name, sum(n in r.sdgs for r in records)) for n, name in vocab.SDGS.items()
        ],
        topics=[
            TopicCount(topic, sum(topic in r.urban_agenda for r in records))
            for topic in vocab.URBAN_AGENDA_TOPICS
        ],
        network=city_network(selected),
        organisations=organisation_counts(selected),
        results=[
            StatusCount(status, sum(e.status == status for e in results))
            for status in vocab.RESULT_STATUSES
        ],
    )


def overview(selected: Sequence[tuple[Record, list[Activity]]]) -> Overview:
    """Records, cities, countries, activities, agreements and the time span."""
    records = [record for record, _ in selected]
    activities = [a for _, acts in selected for a in acts]
    by_kind: Counter[str] = Counter()
    for activity in activities:
        for agreement in activity.agreements:
            by_kind[agreement.kind] += agreement.count
    ongoing = any(r.period.end is None for r in records)
    ends = [r.period.end for r in records if r.period.end is not None]
    return Overview(
        records=len(records),
        lead_cities=_distinct_cities(r.city for r in records),
        partner_cities=_distinct_cities(p for r in records for p in r.partners),
        countries=_countries(c for r in records for c in r.cities()),
        activities=len(activities),
        agreements=agreement_count(g for a in activities for g in a.agreements),
        agreements_by_kind={kind: by_kind[kind] for kind in vocab.AGREEMENT_KINDS if by_kind[kind]},
        start=min((r.period.start for r in records), key=_start_key, default=None),
        end=None if ongoing else max(ends, key=_end_key, default=None),
        ongoing=ongoing,
        first_activity=min((a.date for a in activities), key=_start_key, default=None),
        last_activity=max((a.interval_end for a in activities), key=_end_key, default=None),
    )


def _start_key(date: PartialDate) -> tuple[int, int, int]:
    return date.sort_key


def _end_key(date: PartialDate) -> tuple[object, ...]:
    # Latest end: by last day covered, then the coarser date ("2018" outlasts "2018-12-31").
    return (date.last, -len(str(date)))


def _iso(date: PartialDate | None) -> str | None:
    return str(date) if date is not None else None


def _distinct_cities(cities: Iterable[City]) -> list[str]:
    names: dict[str, str] = {}
    for city in cities:
        names.setdefault(vocab.city_key(city.name), city.name)
    return list(names.values())


def _countries(cities: Iterable[City]) -> list[str]:
    names: dict[str, str] = {}
    for city in cities:
        country = find_country(city.country)
        key, name = (country.alpha_2, country.name) if country else (city.country, city.country)
        names.setdefault(key, name)
    return list(names.values())


def activities_per_period(activities: Sequence[Activity], interval: Interval) -> list[Bucket]:
    """Activities per year, quarter or month, from the first to the last, empty ones included.

    An activity dated to the year only has its own bucket (`2017`) before that year's quarters
    or months; one dated to the month only counts in that month and its quarter.
    """
    counts: Counter[tuple[int, int]] = Counter(_bucket(a.date, interval) for a in activities)
    if not counts:
        return []
    keys = set(counts)
    steps = {"year": 1, "quarter": 4, "month": 12}[interval]
    if interval != "year":
        finer = sorted(k for k in keys if k[1])
        if finer:
            (year, part), (last_year, last_part) = finer[0], finer[-1]
            while (year, part) <= (last_year, last_part):
                keys.add((year, part))
                year, part = (year + 1, 1) if part == steps else (year, part + 1)
    else:
        years = [k[0] for k in keys]
        keys |= {(y, 0) for y in range(min(years), max(years) + 1)}
    return [Bucket(*_bucket_names(key, interval), counts[key]) for key in sorted(keys)]


def _bucket(date: PartialDate, interval: Interval) -> tuple[int, int]:
    if interval == "year" or date.month is None:
        return (date.year, 0)
    return (date.year, (date.month - 1) // 3 + 1 if interval == "quarter" else date.month)


def _bucket_names(key: tuple[int, int], interval: Interval) -> tuple[str, str]:
    year, part = key
    if part == 0:
        return str(year), str(year)
    if interval == "quarter":
        return f"{year}Q{part}", f"{year} Q{part}"
    return f"{year}-{part:02d}", f"{MONTHS[part - 1]} {year}"


def activities_per_kind(activities: Sequence[Activity]) -> list[KindCount]:
    """Activities per kind, most frequent first (ties in the vocabulary's order)."""
    counts = Counter(a.kind for a in activities)
    order = {kind: i for i, kind in enumerate(vocab.ACTIVITY_KINDS)}
    kinds = sorted(counts, key=lambda k: (-counts[k], order.get(k, len(order)), k))
    return [KindCount(kind, counts[kind]) for kind in kinds]


def theme_counts(selected: Sequence[tuple[Record, list[Activity]]]) -> list[ThemeCount]:
    """Themes by the records naming them, then the activities tagged with them."""
    names: dict[str, str] = {}
    records: Counter[str] = Counter()
    activities: Counter[str] = Counter()
    for record, acts in selected:
        for theme in {vocab.fold(t): t for t in record.themes}.items():
            names.setdefault(*theme)
            records[theme[0]] += 1
        for activity in acts:
            for theme in {vocab.fold(t): t for t in activity.themes}.items():
                names.setdefault(*theme)
                activities[theme[0]] += 1
    keys = sorted(names, key=lambda k: (-records[k], -activities[k], k))
    return [ThemeCount(names[k], records[k], activities[k]) for k in keys]


def taking_part(activity: Activity) -> set[str]:
    """City keys of the places an activity names (`cities`, `where`), as `--city` reads them."""
    return {key for place in activity_places(activity) if (key := vocab.city_key(place))}


def takes_part(city: City, places: set[str]) -> bool:
    """True when the city, by name or alias, is among `places` (from `taking_part`)."""
    return any(vocab.city_key(name) in places for name in city.names())


def city_network(selected: Sequence[tuple[Record, list[Activity]]]) -> list[CityLink]:
    """Lead city x partner: activities in which both take part (pairs with none included).

    Pairs are summed over records by city (name-insensitively); each lead city's partners come
    most active first.
    """
    names: dict[str, str] = {}
    counts: Counter[tuple[str, str]] = Counter()
    for record, acts in selected:
        lead = vocab.city_key(record.city.name)
        names.setdefault(lead, record.city.name)
        places = [taking_part(a) for a in acts]
        for partner in record.partners:
            key = vocab.city_key(partner.name)
            names.setdefault(key, partner.name)
            counts[(lead, key)] += sum(
                takes_part(record.city, p) and takes_part(partner, p) for p in places
            )
    leads = list(dict.fromkeys(lead for lead, _ in counts))
    pairs = sorted(counts, key=lambda k: (leads.index(k[0]), -counts[k], vocab.fold(names[k[1]])))
    return [CityLink(names[a], names[b], counts[(a, b)]) for a, b in pairs]


def organisation_counts(
    selected: Sequence[tuple[Record, list[Activity]]],
) -> list[OrganisationCount]:
    """Organisations named by the activities and expected results, most often named first."""
    names: dict[str, str] = {}
    activities: Counter[str] = Counter()
    results: Counter[str] = Counter()
    for record, acts in selected:
        for counter, lists in (
            (activities, [a.organisations for a in acts]),
            (results, [e.organisations for e in record.expected_results]),
        ):
            for named in lists:
                for key, name in {vocab.fold(n): n for n in named}.items():
                    names.setdefault(key, name)
                    counter[key] += 1
    rows = [OrganisationCount(names[k], activities[k], results[k]) for k in names]
    rows.sort(key=lambda o: (-o.total, -o.activities, vocab.fold(o.name)))
    return rows
