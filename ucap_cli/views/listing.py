"""The list view's data: one row per matching record, in the order asked for.

Each record is reduced where it is loaded (`listed`), to the form the output needs: the row of
summary columns, the record's chosen data (`--fields`), or its data as JSON. Pure: no Rich, no
formats; `render/records.py` writes the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from ucap_cli.check.loader import RecordFile
from ucap_cli.check.result import FileStatus
from ucap_cli.config import Config
from ucap_cli.record.data import as_data, encode
from ucap_cli.record.dates import PartialDate
from ucap_cli.record.fields import selected
from ucap_cli.record.model import Record
from ucap_cli.store.collection import Progress, reduce_records
from ucap_cli.views.query import Filters, Match, match_record, ordered, sort_field
from ucap_cli.views.report import Report, with_errors

# What `list` keeps of a record: its summary row, its chosen data, or its data as JSON.
Form = Literal["row", "data", "json"]


@dataclass(frozen=True, slots=True)
class RecordRow:
    """The summary columns of a listed record; None where the record's value is unknown."""

    id: str
    title: str
    lead_city: str | None
    country: str | None
    partners: tuple[str, ...]
    start: PartialDate | None
    end: PartialDate | None
    period_known: bool
    programme: str | None
    themes: tuple[str, ...]
    sdgs: tuple[int, ...]
    urban_agenda: tuple[str, ...]
    activities: int  # those the filters chose
    activities_total: int

    @classmethod
    def of(cls, match: Match) -> RecordRow:
        """The row of a matching record."""
        record = match.record
        city, period = record.city, record.period
        return cls(
            id=record.id,
            title=record.display_title,
            lead_city=city.name if city else None,
            country=city.country if city else None,
            partners=tuple(p.name for p in record.partners),
            start=period.start if period else None,
            end=period.end if period else None,
            period_known=period is not None,
            programme=record.programme,
            themes=tuple(record.themes),
            sdgs=tuple(record.sdgs),
            urban_agenda=tuple(record.urban_agenda),
            activities=len(match.activities),
            activities_total=len(record.activities),
        )


@dataclass(frozen=True, slots=True)
class Listed:
    """A listed record reduced to what `list` prints of it, so that records need not be held:
    the value of its sort field, its id, and one of `row`, `data` or `json` (see `Form`)."""

    key: Any
    id: str
    row: RecordRow | None = None
    data: dict[str, Any] | None = None
    json: bytes | None = None


def listed(
    file: RecordFile,
    filters: Filters,
    *,
    sort: str = "period",
    form: Form = "row",
    fields: Sequence[str] = (),
) -> Listed | None:
    """The file's record as `list` keeps it, in `form`; None when it does not match."""
    record = file.record
    if record is None:
        return None
    match = match_record(record, filters)
    if match is None:
        return None
    key = sort_field(sort)(match)
    if form == "json":
        return Listed(key, record.id, json=encode(selected(file.data or {}, fields)))
    if form == "data":
        return Listed(key, record.id, data=as_data(selected(file.data or {}, fields)))
    return Listed(key, record.id, row=RecordRow.of(match))


def in_order(
    items: Iterable[tuple[FileStatus, Listed]], reverse: bool = False
) -> list[tuple[FileStatus, Listed]]:
    """Listed records by their sort key, ties by id (as `query.sort_matches` orders records)."""
    return ordered(items, lambda i: i[1].key, lambda i: i[1].id, reverse)


@dataclass(frozen=True)
class ListView:
    """The rows of `list` (at most the limit, in order), each with its file's status; how
    many records matched; the `--fields` asked for; whether an activity filter was set."""

    rows: list[tuple[FileStatus, Listed]]
    matched: int
    fields: tuple[str, ...] = ()
    activity_filtered: bool = False


def list_records(
    config: Config,
    filters: Filters,
    *,
    sort: str = "period",
    reverse: bool = False,
    form: Form = "row",
    fields: Sequence[str] = (),
    limit: int | None = None,
    progress: Progress | None = None,
    use_cache: bool = True,
) -> Report[ListView]:
    """The records of the records folder that match `filters`, in the order asked for."""
    sort_field(sort)  # an unknown --sort field fails before any loading
    reduce = partial(listed, filters=filters, sort=sort, form=form, fields=tuple(fields))
    found = reduce_records(config, reduce, progress=progress, use_cache=use_cache)
    rows = in_order(found.items, reverse)
    view = ListView(
        rows[:limit] if limit else rows, len(rows), tuple(fields), filters.has_activity_filters
    )
    return Report(view, with_errors(found.files), found.cache_warning)


def record_row(record: Record) -> RecordRow:
    """The row of one record with all its activities (`show --format csv`)."""
    match = match_record(record, Filters())
    assert match is not None  # no filter: every record matches
    return RecordRow.of(match)
