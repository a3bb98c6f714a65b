"""The summary view's numbers: where, on what, with whom and how much, for the selected records.

Pure: takes the records and activities a query selected and counts; every number the terminal
view draws is here, and `Summary.to_json()` is the documented JSON of `ucap summary`. Records
with errors are counted as far as they could be read.

Under an activity-level filter (`--during 2018`, `--city Rome`...), the cities are those of the
matching activities: the partners that take part in them, and the other cities named in their
`cities` (a city that took part without being a partner); without one, a record's partners.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from ucap_cli.check.loader import RecordFile
from ucap_cli.config import Config
from ucap_cli.record import vocab
from ucap_cli.record.countries import find_country
from ucap_cli.record.dates import MONTHS, PartialDate
from ucap_cli.record.model import Activity, City, Record
from ucap_cli.store.collection import Progress, fold_records
from ucap_cli.views.query import Filters, activity_places, match_activities
from ucap_cli.views.report import Report, with_errors

# How activities are counted over time: per year, quarter or month (`--interval`).
Granularity = Literal["year", "quarter", "month"]
GRANULARITIES: tuple[Granularity, ...] = ("year", "quarter", "month")


@dataclass(frozen=True)
class Overview:
    """The headline numbers."""

    records: int
    lead_cities: list[str]
    partner_cities: list[str]
    other_cities: list[str]  # cities taking part in activities without being partners
    countries: list[str]
    cities_from: Literal["records", "activities"]  # partners of the records, or taking part
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
            "other_cities": len(self.other_cities),
            "countries": len(self.countries),
            "cities_from": self.cities_from,
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
                "other_cities": list(self.other_cities),
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
    """A lead city and a partner (or another city taking part in its activities), with the
    number of activities in which both take part."""

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
    interval: Granularity
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


def tally(file: RecordFile, filters: Filters) -> Tally | None:
    """The tally of the file's record and its activities that `filters` choose, if it is chosen.

    Worker processes merge these and send back one tally: a few counters, not the records."""
    if file.record is None:
        return None
    match = match_activities(file.record, filters)
    if match is None:
        return None
    return Tally().add(match.record, match.activities, by_activities=filters.has_activity_filters)


def combine(tallies: Iterable[Tally]) -> Tally:
    """The tally of all the records, whatever order the tallies come in."""
    total = Tally()
    for tally in tallies:
        total.merge(tally)
    return total


# Where a name was first seen: the record's start and id (the order of `query.sort_matches`),
# then the place in the record. Where names are spelt differently, the earliest is shown.
Rank = tuple[tuple[int, int, int], str, int]
Named = dict[str, tuple[Rank, str]]
_UNKNOWN_START = (10**6, 0, 0)  # a record whose period could not be read: ranked last


@dataclass
class Tally:
    """The summary's counts, taken one record at a time so that records need not be held.

    Tallies merge in any order: names remember where they were first seen, so the merged tally
    is the one of adding the records in order of start, then id.
    """

    records: int = 0
    title: str | None = None  # the record's title, when there is one record
    lead_cities: Named = field(default_factory=dict)  # city key -> name
    partner_cities: Named = field(default_factory=dict)
    other_cities: Named = field(default_factory=dict)  # taking part without being partners
    by_activities: bool = False  # cities of the chosen activities, not the records' partners
    countries: Named = field(default_factory=dict)  # alpha-2 (or as written) -> name
    activities: int = 0
    agreements: Counter[str] = field(default_factory=Counter)  # by kind, counting `count`
    start: PartialDate | None = None
    end: PartialDate | None = None  # the latest end of the records that have one
    ongoing: bool = False
    first_activity: PartialDate | None = None
    last_activity: PartialDate | None = None
    dates: Counter[PartialDate] = field(default_factory=Counter)  # activity start dates
    kinds: Counter[str] = field(default_factory=Counter)
    names: Named = field(default_factory=dict)  # folded theme -> as first written
    theme_records: Counter[str] = field(default_factory=Counter)
    theme_activities: Counter[str] = field(default_factory=Counter)
    sdgs: Counter[int] = field(default_factory=Counter)
    topics: Counter[str] = field(default_factory=Counter)
    network_names: Named = field(default_factory=dict)  # city key -> name
    network: Counter[tuple[str, str]] = field(default_factory=Counter)  # (lead, partner) keys
    leads: dict[str, Rank] = field(default_factory=dict)  # lead key -> its first pair's rank
    organisations: Named = field(default_factory=dict)  # folded -> as first written
    organisation_activities: Counter[str] = field(default_factory=Counter)
    organisation_results: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)

    def add(
        self, record: Record, activities: Sequence[Activity], *, by_activities: bool = False
    ) -> Tally:
        """Count `record` and those of its activities that were selected; returns self.

        `by_activities`: an activity-level filter chose them, so the partner cities counted
        are those taking part in them (see the module's docstring)."""
        period = record.period
        origin = (period.start.sort_key if period else _UNKNOWN_START), record.id
        ranks = itertools.count()

        def seen(names: Named, key: str, name: str) -> None:
            _first_seen(names, key, (*origin, next(ranks)), name)

        self.title = record.display_title if not self.records else None
        self.records += 1
        self.by_activities = self.by_activities or by_activities
        places = [taking_part(a) for a in activities]
        named = set().union(*places) if places else set()
        partners = [
            p for p in record.partners if not by_activities or not _keys(p).isdisjoint(named)
        ]
        lead = record.city
        if lead is not None:
            seen(self.lead_cities, vocab.city_key(lead.name), lead.name)
        for partner in partners:
            seen(self.partner_cities, vocab.city_key(partner.name), partner.name)
        for city in ([lead] if lead else []) + partners:
            # An unknown country is not counted (its record is flagged): `Greeece` beside
            # `Greece` would be two countries.
            if country := find_country(city.country):
                seen(self.countries, country.alpha_2, country.name)
        known = set().union(*(_keys(city) for city in record.cities()))
        others = _others(activities, known)
        for key, name in others.items():
            seen(self.other_cities, key, name)
        self.activities += len(activities)
        for activity in activities:
            for agreement in activity.agreements:
                self.agreements[agreement.kind] += agreement.count
        if period is not None:
            self.start = _earliest(self.start, period.start)
            self.end = _latest(self.end, period.end)
            self.ongoing = self.ongoing or period.end is None
        for activity in activities:
            self.first_activity = _earliest(self.first_activity, activity.date)
            self.last_activity = _latest(self.last_activity, activity.interval_end)
        self.dates.update(a.date for a in activities)
        self.kinds.update(a.kind for a in activities)
        for key, theme in {vocab.fold(t): t for t in record.themes}.items():
            seen(self.names, key, theme)
            self.theme_records[key] += 1
        for activity in activities:
            for key, theme in {vocab.fold(t): t for t in activity.themes}.items():
                seen(self.names, key, theme)
                self.theme_activities[key] += 1
        self.sdgs.update(set(record.sdgs))
        self.topics.update(set(record.urban_agenda))
        if lead is not None:
            self._network(record, lead, activities, places, partners, others, seen, origin)
        for counter, lists in (
            (self.organisation_activities, [a.organisations for a in activities]),
            (self.organisation_results, [e.organisations for e in record.expected_results]),
        ):
            for names in lists:
                for key, name in {vocab.fold(n): n for n in names}.items():
                    seen(self.organisations, key, name)
                    counter[key] += 1
        self.statuses.update(e.status for e in record.expected_results)
        return self

    def _network(
        self,
        record: Record,
        lead: City,
        activities: Sequence[Activity],
        places: list[set[str]],
        partners: list[City],
        others: dict[str, str],
        seen: Any,
        origin: tuple[tuple[int, int, int], str],
    ) -> None:
        """The lead city's pairs: each partner, and each other city taking part with it."""
        key = vocab.city_key(lead.name)
        seen(self.network_names, key, lead.name)
        lead_names = _keys(lead)
        with_lead = [p for p in places if not lead_names.isdisjoint(p)]
        for partner in partners:
            other = vocab.city_key(partner.name)
            seen(self.network_names, other, partner.name)
            names = _keys(partner)
            self.network[(key, other)] += sum(not names.isdisjoint(p) for p in with_lead)
        listed = [{vocab.city_key(c) for c in a.cities} for a in activities]
        with_lead_listed = [
            c for c, p in zip(listed, places, strict=True) if not lead_names.isdisjoint(p)
        ]
        for other, name in others.items():
            seen(self.network_names, other, name)
            self.network[(key, other)] += sum(other in c for c in with_lead_listed)
        if partners or others:
            self.leads[key] = min(self.leads.get(key, (*origin, 0)), (*origin, 0))

    def merge(self, other: Tally) -> Tally:
        """Add the counts of `other`, a tally of other records; returns self."""
        if not other.records:
            return self
        self.title = other.title if not self.records else None
        self.records += other.records
        self.by_activities = self.by_activities or other.by_activities
        for mine, theirs in (
            (self.lead_cities, other.lead_cities),
            (self.partner_cities, other.partner_cities),
            (self.other_cities, other.other_cities),
            (self.countries, other.countries),
            (self.names, other.names),
            (self.network_names, other.network_names),
            (self.organisations, other.organisations),
        ):
            for key, (rank, name) in theirs.items():
                _first_seen(mine, key, rank, name)
        for lead, rank in other.leads.items():
            self.leads[lead] = min(self.leads.get(lead, rank), rank)
        pairs: tuple[tuple[Counter[Any], Counter[Any]], ...] = (
            (self.agreements, other.agreements),
            (self.dates, other.dates),
            (self.kinds, other.kinds),
            (self.theme_records, other.theme_records),
            (self.theme_activities, other.theme_activities),
            (self.sdgs, other.sdgs),
            (self.topics, other.topics),
            (self.organisation_activities, other.organisation_activities),
            (self.organisation_results, other.organisation_results),
            (self.statuses, other.statuses),
            (self.network, other.network),
        )
        for counts, more in pairs:
            counts.update(more)
        self.activities += other.activities
        self.start = _earliest(self.start, other.start)
        self.end = _latest(self.end, other.end)
        self.ongoing = self.ongoing or other.ongoing
        self.first_activity = _earliest(self.first_activity, other.first_activity)
        self.last_activity = _latest(self.last_activity, other.last_activity)
        return self

    def summary(self, interval: Granularity = "year") -> Summary:
        """The summary of every record added, with activities counted per `interval`."""
        by_kind = self.agreements
        themes = {key: name for key, (_, name) in self.names.items()}
        return Summary(
            title=self.title if self.records == 1 else None,
            overview=Overview(
                records=self.records,
                lead_cities=_in_order(self.lead_cities),
                partner_cities=_in_order(self.partner_cities),
                other_cities=_in_order(self.other_cities),
                countries=_in_order(self.countries),
                cities_from="activities" if self.by_activities else "records",
                activities=self.activities,
                agreements=sum(by_kind.values()),
                agreements_by_kind={k: by_kind[k] for k in vocab.AGREEMENT_KINDS if by_kind[k]},
                start=self.start,
                end=None if self.ongoing else self.end,
                ongoing=self.ongoing,
                first_activity=self.first_activity,
                last_activity=self.last_activity,
            ),
            interval=interval,
            periods=_buckets(self.dates, interval),
            kinds=_kind_counts(self.kinds),
            themes=[
                ThemeCount(themes[k], self.theme_records[k], self.theme_activities[k])
                for k in sorted(
                    themes, key=lambda k: (-self.theme_records[k], -self.theme_activities[k], k)
                )
            ],
            sdgs=[SdgCount(n, name, self.sdgs[n]) for n, name in vocab.SDGS.items()],
            topics=[TopicCount(t, self.topics[t]) for t in vocab.URBAN_AGENDA_TOPICS],
            network=self._links(),
            organisations=self._organisations(),
            results=[StatusCount(s, self.statuses[s]) for s in vocab.RESULT_STATUSES],
        )

    def _links(self) -> list[CityLink]:
        # Each lead city in order of its first pair; its partners most active first.
        order = {lead: i for i, lead in enumerate(sorted(self.leads, key=self.leads.__getitem__))}
        names = {key: name for key, (_, name) in self.network_names.items()}
        counts = self.network
        pairs = sorted(counts, key=lambda k: (order[k[0]], -counts[k], vocab.fold(names[k[1]])))
        return [CityLink(names[a], names[b], counts[(a, b)]) for a, b in pairs]

    def _organisations(self) -> list[OrganisationCount]:
        rows = [
            OrganisationCount(
                name, self.organisation_activities[key], self.organisation_results[key]
            )
            for key, (_, name) in self.organisations.items()
        ]
        rows.sort(key=lambda o: (-o.total, -o.activities, vocab.fold(o.name)))
        return rows


def _first_seen(names: Named, key: str, rank: Rank, name: str) -> None:
    known = names.get(key)
    if known is None or rank < known[0]:
        names[key] = (rank, name)


def _in_order(names: Named) -> list[str]:
    """The names in the order they were first seen."""
    return [name for _, name in sorted(names.values())]


def _earliest(first: PartialDate | None, then: PartialDate | None) -> PartialDate | None:
    """The earlier start (the first of equals, as `min` keeps)."""
    if first is None or (then is not None and _start_key(then) < _start_key(first)):
        return then
    return first


def _latest(first: PartialDate | None, then: PartialDate | None) -> PartialDate | None:
    """The later end (the first of equals, as `max` keeps)."""
    if first is None or (then is not None and _end_key(then) > _end_key(first)):
        return then
    return first


def _start_key(date: PartialDate) -> tuple[int, int, int]:
    return date.sort_key


def _end_key(date: PartialDate) -> tuple[object, ...]:
    # Latest end: by last day covered, then the coarser date ("2018" outlasts "2018-12-31").
    return (date.last, date.month is None, date.day is None)


def _iso(date: PartialDate | None) -> str | None:
    return str(date) if date is not None else None


def _buckets(dates: Counter[PartialDate], interval: Granularity) -> list[Bucket]:
    """Activities per year, quarter or month, from the first to the last, empty ones included.

    An activity dated to the year only has its own bucket (`2017`) before that year's quarters
    or months; one dated to the month only counts in that month and its quarter.
    """
    counts: Counter[tuple[int, int]] = Counter()
    for date, activities in dates.items():
        counts[_bucket(date, interval)] += activities
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


def _bucket(date: PartialDate, interval: Granularity) -> tuple[int, int]:
    if interval == "year" or date.month is None:
        return (date.year, 0)
    return (date.year, (date.month - 1) // 3 + 1 if interval == "quarter" else date.month)


def _bucket_names(key: tuple[int, int], interval: Granularity) -> tuple[str, str]:
    year, part = key
    if part == 0:
        return str(year), str(year)
    if interval == "quarter":
        return f"{year}Q{part}", f"{year} Q{part}"
    return f"{year}-{part:02d}", f"{MONTHS[part - 1]} {year}"


def _kind_counts(counts: Counter[str]) -> list[KindCount]:
    """Activities per kind, most frequent first (ties in the vocabulary's order)."""
    order = {kind: i for i, kind in enumerate(vocab.ACTIVITY_KINDS)}
    kinds = sorted(counts, key=lambda k: (-counts[k], order.get(k, len(order)), k))
    return [KindCount(kind, counts[kind]) for kind in kinds]


def taking_part(activity: Activity) -> set[str]:
    """City keys of the places an activity names (`cities`, `where`), as `--city` reads them."""
    return {key for place in activity_places(activity) if (key := vocab.city_key(place))}


def _keys(city: City) -> set[str]:
    return {vocab.city_key(name) for name in city.names()}


def _others(activities: Sequence[Activity], known: set[str]) -> dict[str, str]:
    """The cities named in the activities' `cities` that are neither the lead city nor a
    partner (by name or alias), by key, as first written."""
    others: dict[str, str] = {}
    for activity in activities:
        for name in activity.cities:
            key = vocab.city_key(name)
            if key and key not in known:
                others.setdefault(key, name)
    return others


def build_summary(
    config: Config,
    filters: Filters,
    *,
    interval: Granularity = "year",
    progress: Progress | None = None,
    use_cache: bool = True,
) -> Report[Summary]:
    """The summary of the records folder's records and activities that `filters` choose."""
    found = fold_records(
        config, partial(tally, filters=filters), combine, progress=progress, use_cache=use_cache
    )
    summary = (found.product or Tally()).summary(interval)
    return Report(summary, with_errors(found.files), found.cache_warning)
