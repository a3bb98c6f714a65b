"""The timeline view's data: matching activities in date order, grouped by year and month.

Each record is reduced where it is loaded (`part`) to its heading and its chosen activities
(or, for JSON, each activity's JSON, encoded there: the JSON of a view is data too), then the
parts are put in timeline order (`assemble`). Pure: no Rich, no formats; the writers live in
`ucap_cli.render.timeline`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ucap_cli.check.loader import RecordFile
from ucap_cli.config import Config
from ucap_cli.record.data import encode
from ucap_cli.record.dates import MONTHS, PartialDate
from ucap_cli.record.fields import activity_fields
from ucap_cli.record.model import Activity, Agreement, Record
from ucap_cli.record.vocab import city_key
from ucap_cli.store.collection import Progress, reduce_records
from ucap_cli.views.query import Filters, match_activities, ordered
from ucap_cli.views.report import Report, with_errors

DASH = "\u2013"  # en dash, for spans
SortKey = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class RecordHeading:
    """What a shared view shows of a record: its id, lead city and title, and its period
    (None where unknown: the record has errors there)."""

    id: str
    lead_city: str | None
    title: str
    start: PartialDate | None
    end: PartialDate | None

    @classmethod
    def of(cls, record: Record) -> RecordHeading:
        """The heading of `record`."""
        period = record.period
        return cls(
            record.id,
            record.city.name if record.city else None,
            record.display_title,
            period.start if period else None,
            period.end if period else None,
        )


@dataclass(frozen=True)
class TimelineEntry:
    """One activity on the timeline, with the record it belongs to."""

    record: RecordHeading
    activity: Activity
    label: str  # the record's name on a shared timeline: its lead city (plus id when ambiguous)

    @property
    def date(self) -> PartialDate:
        """When the activity started (or happened)."""
        return self.activity.date

    @property
    def when(self) -> str:
        """The date as precise as known, or the span: 'Jun 2017', '15-17 Jun 2017'."""
        return span_label(self.activity.date, self.activity.end)

    @property
    def agreements(self) -> int:
        """Agreements signed, counting `count` ("five MoUs" is 5)."""
        return agreement_count(self.activity.agreements)


def activity_json(record: RecordHeading, activity: Activity) -> dict[str, Any]:
    """An activity as JSON-ready data with its record's id and lead city; every key of the
    model, partial dates as the ISO strings they were given at."""
    data = activity.model_dump(mode="json")
    return {
        "record": record.id,
        "lead_city": record.lead_city,
        **{name: data[name] for name in activity_fields()},
    }


@dataclass(frozen=True)
class MonthGroup:
    """The entries of one month; `month` is None for activities dated to the year only."""

    year: int
    month: int | None
    entries: list[TimelineEntry]

    @property
    def heading(self) -> str:
        """'Jun 2017', or '2017' for year-only dates."""
        return str(self.year) if self.month is None else f"{MONTHS[self.month - 1]} {self.year}"


@dataclass(frozen=True)
class YearGroup:
    """The months of one year, in order (year-only dates first)."""

    year: int
    months: list[MonthGroup]

    @property
    def entries(self) -> list[TimelineEntry]:
        """Every entry of the year, in order."""
        return [e for m in self.months for e in m.entries]


@dataclass(frozen=True)
class RecordPeriod:
    """A record's period of cooperation and its activities on the timeline."""

    record: RecordHeading
    label: str
    dates: list[PartialDate]  # the start dates of the record's selected activities

    @property
    def start(self) -> PartialDate | None:
        """When the cooperation started (None: unknown)."""
        return self.record.start

    @property
    def end(self) -> PartialDate | None:
        """When it ended; None while ongoing (or unknown)."""
        return self.record.end

    def first_day(self) -> dt.date | None:
        """The period's first day; without a known start, that of its first activity."""
        if self.start is not None:
            return self.start.first
        return min((d.first for d in self.dates), default=None)

    def last_day(self, today: dt.date) -> dt.date | None:
        """The period's last day; an ongoing period runs to `today` (or its start's end)."""
        if self.start is None:
            return max((d.last for d in self.dates), default=None)
        return self.end.last if self.end else max(today, self.start.last)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "record": self.record.id,
            "lead_city": self.record.lead_city,
            "title": self.record.title,
            "start": str(self.start) if self.start else None,
            "end": str(self.end) if self.end else None,
            "activities": len(self.dates),
        }


@dataclass(frozen=True)
class Timeline:
    """The matching activities of the selected records, in date order."""

    entries: list[TimelineEntry]
    periods: list[RecordPeriod] = field(default_factory=list)

    @property
    def several_records(self) -> bool:
        """True when the selection spans more than one record (entries then name theirs)."""
        return len(self.periods) > 1

    def groups(self) -> list[YearGroup]:
        """The entries grouped by year, then by month."""
        years: list[YearGroup] = []
        for entry in self.entries:
            year, month = entry.date.year, entry.date.month
            if not years or years[-1].year != year:
                years.append(YearGroup(year, []))
            months = years[-1].months
            if not months or months[-1].month != month:
                months.append(MonthGroup(year, month, []))
            months[-1].entries.append(entry)
        return years


@dataclass(frozen=True)
class EncodedTimeline:
    """The timeline for JSON: the records' periods, and each activity's JSON in date order."""

    periods: list[RecordPeriod]
    entries: list[bytes]


def periods_axis(periods: Sequence[RecordPeriod], today: dt.date) -> tuple[dt.date, dt.date]:
    """The shared time axis of the periods: first day of the earliest to last of the latest."""
    firsts = [d for p in periods if (d := p.first_day()) is not None]
    lasts = [d for p in periods if (d := p.last_day(today)) is not None]
    return min(firsts, default=today), max(lasts, default=today)


@dataclass(frozen=True)
class TimelinePart:
    """One record's share of the timeline, reduced where the record was loaded: its heading,
    each chosen activity's start date and sort keys (start, end), and the activities
    themselves, or, with `json`, each one's JSON instead."""

    record: RecordHeading
    dates: tuple[PartialDate, ...]
    keys: tuple[tuple[SortKey, SortKey], ...]
    activities: tuple[Activity, ...] = ()
    json: tuple[bytes, ...] | None = None


def part(file: RecordFile, filters: Filters, *, json: bool = False) -> TimelinePart | None:
    """The part of the file's record that `filters` choose, if any (see `TimelinePart`)."""
    if file.record is None:
        return None
    match = match_activities(file.record, filters)
    if match is None:
        return None
    heading = RecordHeading.of(match.record)
    activities = match.activities
    dates = tuple(a.date for a in activities)
    keys = tuple((a.date.sort_key, a.interval_end.sort_key) for a in activities)
    if json:
        encoded = tuple(encode(activity_json(heading, a)) for a in activities)
        return TimelinePart(heading, dates, keys, json=encoded)
    return TimelinePart(heading, dates, keys, activities=activities)


def _by_record(parts: Iterable[TimelinePart]) -> list[TimelinePart]:
    """Parts in the records' order, as `query.sort_matches` has them: by start, then id."""
    return ordered(parts, lambda p: _start_key(p.record), lambda p: p.record.id)


def _start_key(record: RecordHeading) -> tuple[Any, ...]:
    return (1,) if record.start is None else (0, record.start.sort_key)


def _ordered(parts: list[TimelinePart]) -> tuple[list[RecordPeriod], list[tuple[int, int]]]:
    """The records' periods (by start, then label), and (part, activity) indices in timeline
    order: by date, then the parts' order, then each part's (a stable sort)."""
    labels = record_labels([p.record for p in parts])
    keyed = [(key, (i, j)) for i, p in enumerate(parts) for j, key in enumerate(p.keys)]
    order = [place for _, place in sorted(keyed, key=lambda item: item[0])]
    periods = [RecordPeriod(p.record, labels[p.record.id], list(p.dates)) for p in parts]
    periods.sort(key=lambda p: (_start_key(p.record), p.label))
    return periods, order


def assemble(parts: Iterable[TimelinePart]) -> Timeline:
    """The timeline of the parts: activities in date order (month-only before exact days of
    that month); ties keep the records' order and, within a record, its activities' order."""
    selected = _by_record(parts)
    periods, order = _ordered(selected)
    labels = {p.record.id: p.label for p in periods}
    entries = [
        TimelineEntry(selected[i].record, selected[i].activities[j], labels[selected[i].record.id])
        for i, j in order
    ]
    return Timeline(entries, periods)


def assemble_json(parts: Iterable[TimelinePart]) -> EncodedTimeline:
    """`assemble` of parts made with `json`: each activity's JSON in timeline order."""
    selected = _by_record(parts)
    periods, order = _ordered(selected)
    return EncodedTimeline(periods, [(selected[i].json or ())[j] for i, j in order])


def record_labels(records: Sequence[RecordHeading]) -> dict[str, str]:
    """Each record's name on a shared view: its lead city, with its id when two share a city
    (or when the lead city is unknown)."""
    seen: dict[str, int] = {}
    for record in records:
        key = city_key(record.lead_city or "")
        seen[key] = seen.get(key, 0) + 1
    labels = {}
    for r in records:
        if r.lead_city is None:
            labels[r.id] = r.id
        else:
            unique = seen[city_key(r.lead_city)] == 1
            labels[r.id] = r.lead_city if unique else f"{r.lead_city} ({r.id})"
    return labels


def span_label(start: PartialDate, end: PartialDate | None) -> str:
    """A date or span as precise as known: '15 Jun 2017', '15-17 Jun 2017', 'Jun - Jul 2017'."""
    if end is None or end == start:
        return start.display()
    same_year = start.year == end.year
    if same_year and start.precision == end.precision == "day" and start.month == end.month:
        return f"{start.day}{DASH}{end.display()}"
    if same_year and start.precision == "month" and end.precision == "month":
        return f"{MONTHS[(start.month or 1) - 1]} {DASH} {end.display()}"
    if same_year and start.precision == "day" and end.precision == "day":
        return f"{start.day} {MONTHS[(start.month or 1) - 1]} {DASH} {end.display()}"
    return f"{start.display()} {DASH} {end.display()}"


def agreement_count(agreements: Iterable[Agreement]) -> int:
    """Agreements signed, counting `count` ("signs five MoUs" is 5)."""
    return sum(a.count for a in agreements)


def build_timeline(
    config: Config,
    filters: Filters,
    *,
    json: bool = False,
    progress: Progress | None = None,
    use_cache: bool = True,
) -> Report[Timeline] | Report[EncodedTimeline]:
    """The timeline of the records folder's activities that `filters` choose; with `json`,
    each activity as JSON (`EncodedTimeline`)."""
    reduce = partial(part, filters=filters, json=json)
    found = reduce_records(config, reduce, progress=progress, use_cache=use_cache)
    files = with_errors(found.files)
    if json:
        return Report(assemble_json(found.products), files, found.cache_warning)
    return Report(assemble(found.products), files, found.cache_warning)
