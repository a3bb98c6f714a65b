"""The timeline view's data: matching activities in date order, grouped by year and month.

Pure: takes the records and activities a query selected, returns dataclasses; the terminal view
and the json/csv/markdown writers live in `ucap_cli.render.timeline`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ucap_cli.dates import MONTHS, PartialDate
from ucap_cli.model import Activity, Agreement, Record

DASH = "\u2013"  # en dash, for spans


class RecordActivities(Protocol):
    """A record and those of its activities a query kept (`ucap_cli.query.Match` is one)."""

    @property
    def record(self) -> Record: ...

    @property
    def activities(self) -> Sequence[Activity]: ...


@dataclass(frozen=True)
class TimelineEntry:
    """One activity on the timeline, with the record it belongs to."""

    record: Record
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

    record: Record
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
    selected = list(matches)
    labels = record_labels([m.record for m in selected])
    keyed = []
    for rank, match in enumerate(selected):
        label = labels[match.record.id]
        for index, activity in enumerate(match.activities):
            key = (activity.date.sort_key, activity.interval_end.sort_key, rank, index)
            keyed.append((key, TimelineEntry(match.record, activity, label)))
    keyed.sort(key=lambda pair: pair[0])
    periods = [
        RecordPeriod(m.record, labels[m.record.id], [a.date for a in m.activities])
        for m in selected
    ]
    periods.sort(key=lambda p: (p.start.sort_key, p.label))
    return Timeline([entry for _, entry in keyed], periods)


def record_labels(records: Sequence[Record]) -> dict[str, str]:
    """Each record's name on a shared view: its lead city, with its id when two share a city."""
    from ucap_cli.vocab import city_key

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
