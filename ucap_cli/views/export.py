"""The export view: the chosen records as rows of the tables of `views/tables.py`.

Each record file is reduced where it is loaded (on every core when there are many, from the
parsed-data cache when unchanged) to its rows, which the writer's `encode` turns there into
what it writes (CSV lines, or compact data for SQLite): the parent only joins them, and holds
each record's rows as compact bytes rather than as objects. The filters choose records as
`ucap list` does, and a chosen record is exported whole.

A record with errors is exported as far as it could be read; a file that is not TOML has
nothing to export. Both are rows of the `problems` table. Each record is keyed by its id
(without one, its file's name); a record whose id a file before it has (E201) is keyed by its
path, so that no record is left out and every key is unique.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Generic, TypeVar

from ucap_cli.check.loader import RecordFile
from ucap_cli.check.result import FileStatus
from ucap_cli.config import Config
from ucap_cli.store.collection import Progress, reduce_records
from ucap_cli.views.query import Filters, match_record
from ucap_cli.views.report import Report, with_errors
from ucap_cli.views.tables import Row, record_rows

T = TypeVar("T")
# A writer's encoding of a record's rows, given the record's id (which the rows are keyed by).
Encode = Callable[[str, dict[str, list[Row]]], T]


@dataclass(frozen=True, slots=True)
class Exported(Generic[T]):
    """A record reduced to its rows, encoded; the id it declares; counts for the summary."""

    id: str
    rows: T
    activities: int
    agreements: int


@dataclass(frozen=True, slots=True)
class Keyed(Generic[T]):
    """A chosen record's key in the export, the id its rows were encoded with (the key,
    unless a file before it has taken that id), and its encoded rows."""

    key: str
    id: str
    rows: T


@dataclass(frozen=True)
class Export:
    """What was exported: how many records, activities and agreements (counting `count`),
    and the rows of the `problems` table (keys included)."""

    records: int
    activities: int
    agreements: int
    problems: list[Row]


def file_label(path: Path, root: Path) -> str:
    """The file as the export names it: relative to the records folder `root`, with `/`."""
    absolute, folder = os.path.abspath(path), os.path.join(os.path.abspath(root), "")
    label = absolute[len(folder) :] if absolute.startswith(folder) else absolute
    return label.replace(os.sep, "/")


def exported(
    file: RecordFile, filters: Filters, root: Path, encode: Encode[T]
) -> Exported[T] | None:
    """The file's record as rows keyed by its id, encoded by `encode`; None when the filters
    leave it out."""
    record = file.record
    if record is None or match_record(record, filters) is None:
        return None
    rows = record_rows(record, file_label(file.path, root))
    agreements = sum(a.count for activity in record.activities for a in activity.agreements)
    return Exported(record.id, encode(record.id, rows), len(record.activities), agreements)


def export_tables(
    config: Config,
    filters: Filters,
    encode: Encode[T],
    write: Callable[[Keyed[T]], None],
    *,
    progress: Progress | None = None,
    use_cache: bool = True,
) -> Report[Export]:
    """Each record of the records folder that matches `filters`, as rows encoded by `encode`,
    given to `write` with its key as it comes (in path order: the writer never holds the
    whole collection); the `problems` table of the files with errors."""
    keys: dict[Path, str] = {}
    taken: set[str] = set()
    counts = [0, 0, 0]

    def keyed(status: FileStatus, product: Exported[T]) -> None:
        key = _key(product.id, file_label(status.path, config.records), taken)
        keys[status.path] = key
        taken.add(key)
        counts[0] += 1
        counts[1] += product.activities
        counts[2] += product.agreements
        write(Keyed(key, product.id, product.rows))

    reduce = partial(exported, filters=filters, root=config.records, encode=encode)
    found = reduce_records(config, reduce, progress=progress, use_cache=use_cache, each=keyed)
    files = with_errors(found.files)
    problems = [_problem(status, keys.get(status.path), config.records) for status in files]
    records, activities, agreements = counts
    export = Export(records, activities, agreements, problems)
    return Report(export, files, found.cache_warning)


def _key(declared: str, label: str, taken: set[str]) -> str:
    """The record's id; its file's path when the id is taken (then `#2`...)."""
    if declared and declared not in taken:
        return declared
    key, number = label, 1
    while key in taken:
        number += 1
        key = f"{label}#{number}"
    return key


def _problem(status: FileStatus, key: str | None, root: Path) -> Row:
    error = status.error
    assert error is not None  # only files with errors are given
    return (
        file_label(status.path, root),
        key,
        not status.readable,
        error.line,
        error.column,
        error.code,
        error.message,
    )
