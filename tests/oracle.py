"""Test oracles: the views computed the straightforward way, to compare the CLI's output with.

The package reduces each record where it is loaded (in worker processes when there are many,
from the parsed-data cache when it can) and merges what it kept. The oracle loads every file
of a folder in this process, holds them all, and computes each view in one pass over the
records, as the views are defined:

- `load_folder`: every record file of the records folder, read as far as it can be read
  (`load_file(..., readable=True)`), with E201 reported on files that share an id.
- `select` (for `list`, `show`) and `select_activities` (for `timeline`, `summary`): the
  records that `views.query` matches, each with its chosen activities, in the order asked for.
- `timeline`: every chosen activity, ordered by date with one stable sort.
- `summary`: one tally to which every chosen record is added in the records' order.
- `list_json`, `list_csv`, `timeline_json`, `stderr_notes`: the text each output must be.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ucap_cli import __version__
from ucap_cli.check.loader import RecordFile, load_file
from ucap_cli.check.result import FileStatus
from ucap_cli.check.rules import IdOwner, duplicate_ids
from ucap_cli.config import Config
from ucap_cli.record.data import as_data
from ucap_cli.record.model import Activity, Record
from ucap_cli.render import jsonout
from ucap_cli.render.safe import one_line, visible
from ucap_cli.render.tabular import problem_json, problem_text, write_csv
from ucap_cli.store.files import record_paths
from ucap_cli.toml.files import display_path
from ucap_cli.views.query import Filters, Match, match_activities, match_record, sort_matches
from ucap_cli.views.summary import Granularity, Summary, Tally
from ucap_cli.views.timeline import (
    RecordHeading,
    RecordPeriod,
    Timeline,
    TimelineEntry,
    activity_json,
    record_labels,
)

# --------------------------------------------------------------------------- loading


def load_folder(config: Config) -> list[RecordFile]:
    """Every record file of `config`'s records folder in path order, each with its record as
    far as it can be read (None only when it is not TOML) and its problems; a file whose id
    another file declares too has E201, as every view and `validate` report it."""
    context = config.validation_context()
    loaded = [
        load_file(path, display_path(path), context, max_size=config.max_file_size, readable=True)
        for path in record_paths(config)
    ]
    found = duplicate_ids(IdOwner(f.path, f.display, f.declared_id) for f in loaded)
    for file in loaded:
        if file.path in found:
            file.report(found[file.path])
    return loaded


def records(files: Iterable[RecordFile]) -> list[Record]:
    """The records of the files that have one, errors or not."""
    return [f.record for f in files if f.record is not None]


def status(file: RecordFile) -> FileStatus:
    """What a view's report says of `file`: its id, its first error, whether it was read."""
    return FileStatus(
        file.path, file.display, file.declared_id, file.first_error, file.record is not None
    )


def with_errors(files: Iterable[RecordFile]) -> list[FileStatus]:
    """The status of each file that has an error, in the files' order (a view's report)."""
    return [status(f) for f in files if f.first_error is not None]


# --------------------------------------------------------------------------- selecting


class Chosen(Protocol):
    """A record and the activities a query chose of it (a `Match`, or a test's own)."""

    @property
    def record(self) -> Record: ...

    @property
    def activities(self) -> Sequence[Activity]: ...


@dataclass(frozen=True)
class Selected(Match):
    """A `Match` that remembers the file it came from."""

    file: RecordFile


def select(
    files: Iterable[RecordFile], filters: Filters, sort: str = "period", reverse: bool = False
) -> list[Selected]:
    """The records that match every option (`list`), sorted by `sort` (ties by id)."""
    found = [
        Selected(m.record, m.activities, f)
        for f in files
        if f.record is not None and (m := match_record(f.record, filters)) is not None
    ]
    return [s for s in sort_matches(found, sort, reverse) if isinstance(s, Selected)]


def select_activities(files: Iterable[RecordFile], filters: Filters) -> list[Selected]:
    """The records the activity views keep (`match_activities`), by period start then id."""
    found = [
        Selected(m.record, m.activities, f)
        for f in files
        if f.record is not None and (m := match_activities(f.record, filters)) is not None
    ]
    return [s for s in sort_matches(found) if isinstance(s, Selected)]


# --------------------------------------------------------------------------- views


def timeline(found: Sequence[Chosen]) -> Timeline:
    """The timeline of `found` (in the records' order, as `select_activities` gives them): all
    their activities in one stable sort by start, then end (a month-only date before the exact
    days of that month), so that ties keep the records' order, then each record's own."""
    headings = [RecordHeading.of(m.record) for m in found]
    labels = record_labels(headings)
    keyed = [
        ((a.date.sort_key, a.interval_end.sort_key), TimelineEntry(h, a, labels[h.id]))
        for m, h in zip(found, headings, strict=True)
        for a in m.activities
    ]
    entries = [entry for _, entry in sorted(keyed, key=lambda item: item[0])]
    periods = [
        RecordPeriod(h, labels[h.id], [a.date for a in m.activities])
        for m, h in zip(found, headings, strict=True)
    ]
    periods.sort(key=lambda p: ((1,) if p.start is None else (0, p.start.sort_key), p.label))
    return Timeline(entries, periods)


def summary(
    found: Iterable[Chosen], interval: Granularity = "year", *, by_activities: bool = False
) -> Summary:
    """The summary of `found`: one tally, each record added in turn."""
    tally = Tally()
    for match in found:
        tally.add(match.record, match.activities, by_activities=by_activities)
    return tally.summary(interval)


# --------------------------------------------------------------------------- outputs


def timeline_json(timeline: Timeline, files: Sequence[FileStatus] = ()) -> str:
    """`timeline --format json` as one document (without the final newline)."""
    document = {
        "ucap_version": __version__,
        "records": [p.to_json() for p in timeline.periods],
        "activities": [activity_json(e.record, e.activity) for e in timeline.entries],
        "problems": [
            {**problem_json(f.error), "left_out": not f.readable}
            for f in files
            if f.error is not None
        ],
    }
    return jsonout.dumps(document, outline=2)


def list_json(found: Sequence[Selected], files: Sequence[RecordFile]) -> str:
    """`list --format json` (without the final newline): each listed record's data as written,
    with `problems` when it has an error; then an entry per file left out (not TOML)."""
    items: list[dict[str, Any]] = []
    for selected in found:
        data = as_data(selected.file.data or {})
        error = selected.file.first_error
        if error is not None:
            data["problems"] = [problem_json(error)]
        items.append(data)
    for file in files:
        error = file.first_error
        if file.record is None and error is not None:
            items.append(
                {"path": file.display, "left_out": True, "problems": [problem_json(error)]}
            )
    return jsonout.dumps(items, outline=1)


LIST_CSV_COLUMNS = (
    "id",
    "title",
    "city",
    "country",
    "partners",
    "start",
    "end",
    "programme",
    "themes",
    "sdgs",
    "urban_agenda",
    "activities",
    "activities_total",
    "problem",
)


def list_csv(found: Sequence[Selected], files: Sequence[RecordFile]) -> str:
    """`list --format csv`: the summary columns of each listed record, its first error in the
    `problem` column; then a row per file left out, with only its problem."""
    rows: list[Sequence[object]] = []
    for selected in found:
        record, error = selected.record, selected.file.first_error
        city, period = record.city, record.period
        rows.append(
            [
                record.id,
                record.display_title,
                city.name if city else "",
                city.country if city else "",
                "; ".join(p.name for p in record.partners),
                str(period.start) if period else "",
                str(period.end) if period and period.end else "",
                record.programme or "",
                "; ".join(record.themes),
                "; ".join(str(n) for n in record.sdgs),
                "; ".join(record.urban_agenda),
                len(selected.activities),
                len(record.activities),
                problem_text(error) if error else "",
            ]
        )
    for file in files:
        error = file.first_error
        if file.record is None and error is not None:
            rows.append([""] * (len(LIST_CSV_COLUMNS) - 1) + [problem_text(error)])
    return write_csv(LIST_CSV_COLUMNS, rows)


def stderr_notes(files: Sequence[RecordFile]) -> list[str]:
    """What a view writes on stderr: a line per file left out (and a hint), then how many
    records have errors, when one has."""
    lines = [
        f"ucap: skipped {visible(f.display)}:{error.line}:{error.column}: "
        f"{error.code} {one_line(error.message)}"
        for f in files
        if f.record is None and (error := f.first_error) is not None
    ]
    if lines:
        lines.append("  hint: run `ucap validate` for every problem")
    flagged = sum(f.record is not None and f.first_error is not None for f in files)
    if flagged:
        lines.append(error_hint(flagged))
    return lines


def error_hint(records: int) -> str:
    """The stderr line of a view whose files hold `records` records with errors."""
    counted = "1 record" if records == 1 else f"{records} records"
    return f"! {counted} with validation errors: run `ucap validate`"
