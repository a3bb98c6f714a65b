"""The results view's data: every expected result of the selected records, one row each.

The filters choose records as in `list` (an activity-level option is passed when the record
itself or one of its activities passes it); `--status` chooses the expected results of that
status. Each record is reduced where it is loaded (`results_part`) to its rows; `assemble`
puts them in the records' order (by start, then id; each record's results in its own order)
and totals them by status. Pure: no Rich, no formats; the writers live in
`ucap_cli.render.results`.
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
from ucap_cli.record.vocab import RESULT_STATUSES
from ucap_cli.store.collection import Progress, reduce_records
from ucap_cli.views.query import Filters, match_record, ordered, start_key
from ucap_cli.views.report import Report, with_errors


@dataclass(frozen=True, slots=True)
class ResultRow:
    """One expected result, with its record's id and lead city; `error`: the first error of
    its record's file (None: the record has none)."""

    record: str
    lead_city: str | None
    theme: str | None
    status: str
    text: str
    organisations: tuple[str, ...]
    error: Problem | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data: the expected result's keys (as in the record) after its record."""
        return {
            "record": self.record,
            "lead_city": self.lead_city,
            "theme": self.theme,
            "status": self.status,
            "text": self.text,
            "organisations": list(self.organisations),
        }


@dataclass(frozen=True, slots=True)
class ResultsPart:
    """One record's rows, reduced where the record was loaded, with the record's place in the
    records' order (by start, then id)."""

    record: str
    start: tuple[Any, ...]
    rows: tuple[ResultRow, ...]


@dataclass(frozen=True, slots=True)
class StatusTotal:
    """How many of the listed expected results have `status`."""

    status: str
    results: int

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {"status": self.status, "expected_results": self.results}


@dataclass(frozen=True)
class ResultsView:
    """The rows (at most the limit); how many matched in all; the totals by status: the four
    of the format always, in its order, then any other status a record with errors has."""

    rows: list[ResultRow]
    matched: int
    by_status: list[StatusTotal]


def results_part(file: RecordFile, filters: Filters) -> ResultsPart | None:
    """The expected results of the file's record, when it matches, that `filters` choose."""
    record = file.record
    if record is None:
        return None
    match = match_record(record, filters)
    if match is None:
        return None
    lead = record.city.name if record.city else None
    statuses = set(filters.statuses)
    rows = tuple(
        ResultRow(record.id, lead, r.theme, r.status, r.text, tuple(r.organisations))
        for r in record.expected_results
        if not statuses or r.status in statuses
    )
    return ResultsPart(record.id, start_key(record), rows) if rows else None


def assemble(
    items: Iterable[tuple[FileStatus, ResultsPart]], limit: int | None = None
) -> ResultsView:
    """The rows of the parts in the records' order, each with its file's first error; the
    totals by status over every row, and at most `limit` rows."""
    parts = ordered(items, lambda item: item[1].start, lambda item: item[1].record)
    rows = [
        row if status.error is None else replace(row, error=status.error)
        for status, part in parts
        for row in part.rows
    ]
    counts = dict.fromkeys(RESULT_STATUSES, 0)
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return ResultsView(
        rows[:limit] if limit else rows,
        len(rows),
        [StatusTotal(status, count) for status, count in counts.items()],
    )


def build_results(
    config: Config,
    filters: Filters,
    *,
    limit: int | None = None,
    progress: Progress | None = None,
    use_cache: bool = True,
) -> Report[ResultsView]:
    """The expected results of the records folder's records that `filters` choose."""
    reduce = partial(results_part, filters=filters)
    found = reduce_records(config, reduce, progress=progress, use_cache=use_cache)
    view = assemble(found.items, limit)
    return Report(view, with_errors(found.files), found.cache_warning)
