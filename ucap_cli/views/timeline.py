"""The timeline view's data: matching activities in date order, grouped by year and month.

Pure: takes the records and activities a query selected, returns dataclasses; the terminal view
and the json/csv/markdown writers live in `ucap_cli.render.timeline`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ucap_cli.record.dates import MONTHS, PartialDate
from ucap_cli.record.model import Activity, Agreement, Record
from ucap_cli.views.query import Filters, match_activities, ordered

if TYPE_CHECKING:
    from ucap_cli.check.loader import RecordFile

DASH = "\u2013"  # en dash, for spans


class Named(Protocol):
    """A city as the timeline shows it."""

    @property
    def name(self) -> str: ...


class Dated(Protocol):
    """A period as the timeline shows it."""

    @property
    def start(self) -> PartialDate: ...

    @property
    def end(self) -> PartialDate | None: ...


class RecordHeading(Protocol):
    """What the timeline shows of a record: a `Record`, or the `RecordRef` of one."""

    @property
    def id(self) -> str: ...

    @property
    def city(self) -> Named: ...

    @property
    def display_title(self) -> str: ...

    @property
    def period(self) -> Dated: ...


@dataclass(frozen=True, slots=True)
class CityName:
    """A city by its name alone."""

    name: str


@dataclass(frozen=True, slots=True)
class Span:
    """A period by its dates alone."""

    start: PartialDate
    end: PartialDate | None


@dataclass(frozen=True, slots=True)
class RecordRef:
    """A record's heading without its content: what worker processes send of it."""

    id: str
    city: CityName
    display_title: str
    period: Span

    @classmethod
    def of(cls, record: Record) -> RecordRef:
        """The heading of `record`."""
        period = Span(record.period.start, record.period.end)
        return cls(record.id, CityName(record.city.name), record.display_title, period)

    def __reduce__(self) -> tuple[Any, ...]:
        # Plain values across processes: a tenth of the time of pickling the objects.
        start, end = self.period.start, self.period.end
        return (_heading, (self.id, self.city.name, self.display_title, start, end))


def _heading(
    id: str, city: str, title: str, start: PartialDate, end: PartialDate | None
) -> RecordRef:
    return RecordRef(id, CityName(city), title, Span(start, end))


class RecordActivities(Protocol):
    """A record and those of its activities a query kept (`ucap_cli.views.query.Match` is one)."""

    @property
    def record(self) -> Record: ...

    @property
    def activities(self) -> Sequence[Activity]: ...


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
    def end(self) -> PartialDate | None:
        """When an activity spanning days ended."""
        return self.activity.end

    @property
    def when(self) -> str:
        """The date as precise as known, or the span: 'Jun 2017', '15-17 Jun 2017'."""
        return span_label(self.activity.date, self.activity.end)

    @property
    def agreements(self) -> int:
        """Agreements signed, counting `count` ("five MoUs" is 5)."""
        return agreement_count(self.activity.agreements)

    def to_json(self) -> dict[str, Any]:
        """The entry as JSON-ready data; partial dates as the ISO strings they were given at."""
        a = self.activity
        return {
            "record": self.record.id,
            "lead_city": self.record.city.name,
            "date": str(a.date),
            "end": str(a.end) if a.end else None,
            "kind": a.kind,
            "status": a.status,
            "title": a.title,
            "where": a.where,
            "cities": list(a.cities),
            "organisations": list(a.organisations),
            "themes": list(a.themes),
            "summary": a.summary,
            "outputs": list(a.outputs),
            "links": list(a.links),
            "agreements": [agreement_json(g) for g in a.agreements],
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
    def start(self) -> PartialDate:
        """When the cooperation started."""
        return self.record.period.start

    @property
    def end(self) -> PartialDate | None:
        """When it ended; None while ongoing."""
        return self.record.period.end

    def last_day(self, today: dt.date) -> dt.date:
        """The period's last day; an ongoing period runs to `today` (or its start's end)."""
        return self.end.last if self.end else max(today, self.start.last)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "record": self.record.id,
            "lead_city": self.record.city.name,
            "title": self.record.display_title,
            "start": str(self.start),
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

    def to_json(self) -> dict[str, Any]:
        """The records' periods and the activities in order."""
        return {
            "records": [p.to_json() for p in self.periods],
            "activities": [e.to_json() for e in self.entries],
        }


def periods_axis(periods: Sequence[RecordPeriod], today: dt.date) -> tuple[dt.date, dt.date]:
    """The shared time axis of the periods: first day of the earliest to last of the latest."""
    return min(p.start.first for p in periods), max(p.last_day(today) for p in periods)


def build_timeline(matches: Iterable[RecordActivities]) -> Timeline:
    """Order the matching activities by date (month-only before exact days of that month).

    Ties keep the records' order and, within a record, the order of its `[[activities]]`.
    """
    periods, entries = assemble(TimelinePart.of(m.record, m.activities) for m in matches)
    return Timeline(entries, periods)


@dataclass(frozen=True)
class TimelinePart:
    """One record's share of the timeline, reduced where the record was loaded: its heading,
    and each chosen activity as the output needs it (the activity, or its JSON or CSV form)."""

    record: RecordRef
    dates: list[PartialDate]  # the start dates of the chosen activities, in their order
    keys: list[tuple[tuple[int, int, int], tuple[int, int, int]]]  # each activity's start, end
    entries: list[Any]

    @classmethod
    def of(
        cls,
        record: Record,
        activities: Sequence[Activity],
        render: Callable[[TimelineEntry], Any] | None = None,
    ) -> TimelinePart:
        """The part of `record` with `activities`, each `render`ed (kept as it is without)."""
        ref = RecordRef.of(record)
        return cls(
            ref,
            [a.date for a in activities],
            [(a.date.sort_key, a.interval_end.sort_key) for a in activities],
            [render(TimelineEntry(ref, a, "")) for a in activities] if render else list(activities),
        )


def timeline_part(
    file: RecordFile, filters: Filters, render: Callable[[TimelineEntry], Any] | None = None
) -> TimelinePart | None:
    """The part of the file's record that `filters` choose, if any (see `TimelinePart.of`)."""
    match = match_activities(file, filters)
    return None if match is None else TimelinePart.of(match.record, match.activities, render)


def by_record(parts: Iterable[TimelinePart]) -> list[TimelinePart]:
    """Parts in the records' order, as `query.sort_matches` has them: by start, then id."""
    return ordered(parts, lambda p: p.record.period.start.sort_key, lambda p: p.record.id)


def assemble(parts: Iterable[TimelinePart]) -> tuple[list[RecordPeriod], list[Any]]:
    """The records' periods (by start, then label) and every entry in timeline order: by date,
    then the parts' order, then each part's. Entries kept as activities become TimelineEntry."""
    selected = list(parts)
    labels = record_labels([part.record for part in selected])
    keys = [key for part in selected for key in part.keys]
    entries = []
    for part in selected:
        if part.entries and isinstance(part.entries[0], Activity):
            label = labels[part.record.id]
            entries += [TimelineEntry(part.record, a, label) for a in part.entries]
        else:
            entries += part.entries
    # A stable sort by date: entries of the same dates keep the parts' order, then their own.
    order = sorted(range(len(keys)), key=keys.__getitem__)
    periods = [RecordPeriod(p.record, labels[p.record.id], p.dates) for p in selected]
    periods.sort(key=lambda p: (p.start.sort_key, p.label))
    return periods, [entries[i] for i in order]


def record_labels(records: Sequence[RecordHeading]) -> dict[str, str]:
    """Each record's name on a shared view: its lead city, with its id when two share a city."""
    from ucap_cli.record.vocab import city_key

    seen: dict[str, int] = {}
    for record in records:
        key = city_key(record.city.name)
        seen[key] = seen.get(key, 0) + 1
    return {
        r.id: r.city.name if seen[city_key(r.city.name)] == 1 else f"{r.city.name} ({r.id})"
        for r in records
    }


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


def agreement_json(agreement: Agreement) -> dict[str, Any]:
    """An agreement as JSON-ready data."""
    return {
        "kind": agreement.kind,
        "parties": list(agreement.parties),
        "count": agreement.count,
        "fields": list(agreement.fields),
        "title": agreement.title,
    }
