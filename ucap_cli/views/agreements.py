"""The agreements view's data: every agreement of the selected activities, one row each.

An agreement's date is its activity's date. One agreement table of a record is one row (an
"entry"); it may stand for several agreements (`count = 5`: "signs five MoUs"), so the totals
count both: entries (rows) and agreements (the sum of `count`). The bundled record has 4
entries and 8 agreements (7 MoUs, 1 cooperation agreement).

Each record is reduced where it is loaded (`agreements_part`) to its rows; `assemble` puts
them in date order and totals them by kind and by year. Activity-level filters choose the
activities whose agreements are listed (`--status` is the activity's status), record-level
ones the records, as in `timeline`. Pure: no Rich, no formats; the writers live in
`ucap_cli.render.agreements`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from ucap_cli.check.loader import RecordFile
from ucap_cli.check.problems import Problem
from ucap_cli.check.result import FileStatus
from ucap_cli.config import Config
from ucap_cli.record.dates import PartialDate
from ucap_cli.record.vocab import AGREEMENT_KINDS
from ucap_cli.store.collection import Progress, reduce_records
from ucap_cli.views.query import Filters, match_activities, ordered, start_key
from ucap_cli.views.report import Report, with_errors


@dataclass(frozen=True, slots=True)
class AgreementRow:
    """One agreement table of a record, with its activity's date and title; `error`: the
    first error of its record's file (None: the record has none)."""

    date: PartialDate
    record: str
    lead_city: str | None
    activity: str
    kind: str
    parties: tuple[str, ...]
    count: int
    fields: tuple[str, ...]
    title: str | None
    error: Problem | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data: the agreement's keys (as in the record) after its date, record
        and activity."""
        return {
            "date": str(self.date),
            "record": self.record,
            "lead_city": self.lead_city,
            "activity": self.activity,
            "kind": self.kind,
            "parties": list(self.parties),
            "count": self.count,
            "fields": list(self.fields),
            "title": self.title,
        }


@dataclass(frozen=True, slots=True)
class AgreementsPart:
    """One record's rows, reduced where the record was loaded, with the record's place in the
    records' order (by start, then id)."""

    record: str
    start: tuple[Any, ...]
    rows: tuple[AgreementRow, ...]


@dataclass(frozen=True, slots=True)
class Total:
    """Entries (agreement tables) and agreements (counting `count`) of one kind or year."""

    key: str  # an agreement kind ("mou") or a year ("2017")
    entries: int
    agreements: int

    def to_json(self, name: str) -> dict[str, Any]:
        """JSON-ready data, the key under `name` (a year as a number)."""
        key: str | int = int(self.key) if name == "year" else self.key
        return {name: key, "entries": self.entries, "agreements": self.agreements}


@dataclass(frozen=True)
class AgreementsView:
    """The rows in date order (at most the limit); how many entries and agreements matched in
    all; the totals by kind (known kinds in the format's order, then any other as written)
    and by year."""

    rows: list[AgreementRow]
    entries: int
    agreements: int
    by_kind: list[Total]
    by_year: list[Total]


def agreements_part(file: RecordFile, filters: Filters) -> AgreementsPart | None:
    """The agreements of the file's record's activities that `filters` choose, if any."""
    record = file.record
    if record is None:
        return None
    match = match_activities(record, filters)
    if match is None:
        return None
    lead = record.city.name if record.city else None
    rows = tuple(
        AgreementRow(
            date=activity.date,
            record=record.id,
            lead_city=lead,
            activity=activity.title,
            kind=agreement.kind,
            parties=tuple(agreement.parties),
            count=agreement.count,
            fields=tuple(agreement.fields),
            title=agreement.title,
        )
        for activity in match.activities
        for agreement in activity.agreements
    )
    if not rows:
        return None
    return AgreementsPart(record.id, start_key(record), rows)


def assemble(
    items: Iterable[tuple[FileStatus, AgreementsPart]], limit: int | None = None
) -> AgreementsView:
    """The rows of the parts in date order (ties: the records' order, then each record's own
    order, activities by date), each with its file's first error; the totals over every row,
    and at most `limit` rows."""
    parts = ordered(items, lambda item: item[1].start, lambda item: item[1].record)
    keyed = [
        (row.date.sort_key, row if status.error is None else replace(row, error=status.error))
        for status, part in parts
        for row in part.rows
    ]
    keyed.sort(key=lambda pair: pair[0])  # stable: ties keep the records' order
    rows = [row for _, row in keyed]
    return AgreementsView(
        rows[:limit] if limit else rows,
        len(rows),
        sum(row.count for row in rows),
        _totals(rows, lambda row: row.kind, _kind_order),
        _totals(rows, lambda row: str(row.date.year), lambda key: (int(key),)),
    )


def _kind_order(kind: str) -> tuple[Any, ...]:
    known = AGREEMENT_KINDS
    return (known.index(kind),) if kind in known else (len(known), kind)


def _totals(rows: list[AgreementRow], key: Any, order: Any) -> list[Total]:
    entries: dict[str, int] = {}
    agreements: dict[str, int] = {}
    for row in rows:
        name = key(row)
        entries[name] = entries.get(name, 0) + 1
        agreements[name] = agreements.get(name, 0) + row.count
    return [Total(name, entries[name], agreements[name]) for name in sorted(entries, key=order)]


def build_agreements(
    config: Config,
    filters: Filters,
    *,
    limit: int | None = None,
    progress: Progress | None = None,
    use_cache: bool = True,
) -> Report[AgreementsView]:
    """The agreements of the records folder's activities that `filters` choose."""
    reduce = partial(agreements_part, filters=filters)
    found = reduce_records(config, reduce, progress=progress, use_cache=use_cache)
    view = assemble(found.items, limit)
    return Report(view, with_errors(found.files), found.cache_warning)
