"""The writers of `list`: a table for the terminal, JSON, CSV and Markdown.

JSON is the records as data (as in the file, dates as ISO strings), one record per line; a
record with errors carries them as `problems`, and a file left out is an entry of its own.
CSV and Markdown are flat views for spreadsheets and reports. Record text is untrusted: it
never becomes markup.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from ucap_cli.check.result import FileStatus
from ucap_cli.record.data import encode
from ucap_cli.record.dates import PartialDate
from ucap_cli.render import jsonout
from ucap_cli.render.fitted import FittedTable, Step
from ucap_cli.render.registry import Options, Screen
from ucap_cli.render.tabular import (
    DASH,
    ERROR_MARKER,
    SEPARATOR,
    cell,
    markdown_note,
    md_table,
    note_lines,
    problem_json,
    problem_text,
    write_csv,
)
from ucap_cli.views.listing import Listed, ListView, RecordRow
from ucap_cli.views.report import Report

UNKNOWN = "?"  # a value that could not be read (the record has errors there)
# Summary columns of `list` (table, Markdown and the default CSV).
COLUMNS = ("id", "lead city", "partners", "period", "themes", "SDGs", "activities")
# How the terminal table shares a narrow width (see render/fitted.py): first no word of the id
# (what `ucap show` takes) or of the lead city is cut between letters, and the period is on
# one line; then no word of a partner or a theme is cut; then the id whole and the lead
# city's name on one line, while the others can still be folded; partners, then themes,
# give way first.
LIST_LADDER: tuple[Step, ...] = (
    ("id", "piece"),
    ("lead city", "word"),
    ("period", "whole"),
    ("period", "word"),
    ("partners", "piece"),
    ("themes", "piece"),
    ("id", "whole"),
    ("lead city", "first"),
    ("activities", "whole"),
    ("SDGs", "word"),
    ("partners", "word"),
    ("partners", "phrase"),
    ("lead city", "whole"),
    ("SDGs", "whole"),
    ("themes", "word"),
    ("themes", "phrase"),
)
CSV_COLUMNS = (
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


# --------------------------------------------------------------------------- columns


def period_text(start: PartialDate | None, end: PartialDate | None, *, short: bool) -> str:
    """`Mar 2017 – Nov 2018` (`2017-03 – 2018-11` when short), `... – ongoing`, or `?`."""
    if start is None:
        return UNKNOWN
    start_text = str(start) if short else start.display()
    end_text = "ongoing" if end is None else str(end) if short else end.display()
    return f"{start_text} {DASH} {end_text}"


def activities_text(row: RecordRow, activity_filtered: bool) -> str:
    """`8`, or `2/8` (matching out of all) when an activity filter is set."""
    total = row.activities_total
    return f"{row.activities}/{total}" if activity_filtered else str(total)


def table_cells(
    status: FileStatus, row: RecordRow, activity_filtered: bool
) -> tuple[tuple[str, ...], ...]:
    """The COLUMNS of one record, each as the phrases a terminal keeps whole where it can (a
    city's name, a theme, the period); its id marked when it has errors."""
    marker = "" if status.error is None else f" {ERROR_MARKER}"
    lead = (row.lead_city, f"({row.country})") if row.lead_city else (UNKNOWN,)
    return (
        (row.id + marker,),
        lead,
        _listed(row.partners),
        (period_text(row.start, row.end, short=True) if row.period_known else UNKNOWN,),
        _listed(row.themes),
        _listed([str(n) for n in row.sdgs]),
        (activities_text(row, activity_filtered),),
    )


def _listed(items: Sequence[str]) -> tuple[str, ...]:
    """`A, B, C` as phrases: `A,` `B,` `C`."""
    return tuple(f"{item}," for item in items[:-1]) + tuple(items[-1:])


def table_row(status: FileStatus, row: RecordRow, activity_filtered: bool) -> tuple[str, ...]:
    """The COLUMNS of one record, as text."""
    return tuple(" ".join(cell) for cell in table_cells(status, row, activity_filtered))


def _rows(view: ListView) -> Iterator[tuple[FileStatus, RecordRow]]:
    for status, item in view.rows:
        if item.row is not None:
            yield status, item.row


# --------------------------------------------------------------------------- terminal


def list_screen(report: Report[ListView], options: Options) -> Screen:
    """The terminal table within the terminal's width, then how many were shown, and the
    note on records with errors."""
    view = report.data
    rows = [table_cells(s, r, view.activity_filtered) for s, r in _rows(view)]
    parts: list[RenderableType] = []
    if rows:
        table = FittedTable(
            COLUMNS, rows, ladder=LIST_LADDER, terminal=options.terminal, right=("activities",)
        )
        parts.append(table)
    if len(view.rows) < view.matched:
        parts.append(
            Text(f"showing {len(view.rows)} of {view.matched} records (--limit 0 for all)")
        )
    notes = note_lines(report.files)
    if notes and parts:
        parts.append(Text(""))
    parts += [Text(line, style="yellow") for line in notes]
    return Screen(Group(*parts) if parts else None, empty=None if rows else "no records match")


# --------------------------------------------------------------------------- JSON


def list_json(report: Report[ListView], options: Options) -> Iterator[bytes]:
    """An array with one record per line, as data; a record with errors has a `problems`
    member, and each file left out is an entry with its `path` and `problems`."""
    entries = (_with_problems(item.json or b"{}", status) for status, item in report.data.rows)
    left = (
        encode({"path": f.display, "left_out": True, "problems": [problem_json(f.error)]})
        for f in report.left_out
        if f.error is not None
    )
    return jsonout.array_lines(_chain(entries, left))


def _with_problems(encoded: bytes, status: FileStatus) -> bytes:
    """A record's JSON with its first error as `problems`, when it has one."""
    if status.error is None:
        return encoded
    problems = b'"problems": ' + encode([problem_json(status.error)])
    return encoded[:-1] + (b", " if encoded != b"{}" else b"") + problems + b"}"


def _chain(*parts: Iterator[bytes]) -> Iterator[bytes]:
    for part in parts:
        yield from part


# --------------------------------------------------------------------------- CSV and Markdown


def _summary_cells(status: FileStatus, row: RecordRow) -> dict[str, str]:
    return {
        "id": row.id,
        "title": row.title,
        "city": row.lead_city or "",
        "country": row.country or "",
        "partners": SEPARATOR.join(row.partners),
        "start": str(row.start or ""),
        "end": str(row.end or ""),
        "programme": row.programme or "",
        "themes": SEPARATOR.join(row.themes),
        "sdgs": SEPARATOR.join(str(n) for n in row.sdgs),
        "urban_agenda": SEPARATOR.join(row.urban_agenda),
        "activities": str(row.activities),
        "activities_total": str(row.activities_total),
        "problem": problem_text(status.error) if status.error else "",
    }


def flat(data: dict[str, Any], fields: Sequence[str]) -> dict[str, str]:
    """Chosen keys of a record's data -> columns; a table becomes `key.sub` columns, and a
    key of a table (`period.start`) is one column."""
    row: dict[str, str] = {}
    for key in fields:
        table, dot, sub = key.partition(".")
        value = data.get(table)
        if dot:
            row[key] = cell(value.get(sub)) if isinstance(value, dict) else ""
        elif isinstance(value, dict) and key != "extra":
            for name, item in value.items():
                row[f"{key}.{name}"] = cell(item)
        else:
            row[key] = cell(value)
    return row


def flat_header(rows: Sequence[dict[str, str]], fields: Sequence[str]) -> list[str]:
    """The columns of the chosen fields: in the order of --fields, a table's keys in the
    order they appear; then, when a row has one, the `problem` column (columns the user
    chose are all there is, unless a record has errors, which the output must say)."""
    header: dict[str, None] = {}
    for field in fields:
        for row in rows:
            header.update(dict.fromkeys(k for k in row if k == field or _within(k, field)))
        if not rows:
            header[field] = None
    return [*header, *(["problem"] if any(row.get("problem") for row in rows) else [])]


def _within(column: str, field: str) -> bool:
    """True when `column` is a key of the table `field` (`period.start` of `period`)."""
    return "." not in field and column.startswith(field + ".")


def _flat_rows(view: ListView) -> list[dict[str, str]]:
    rows = []
    for status, item in view.rows:
        row = flat(item.data or {}, view.fields) if view.fields else _summary_or_empty(status, item)
        if view.fields:
            row["problem"] = problem_text(status.error) if status.error else ""
        rows.append(row)
    return rows


def _summary_or_empty(status: FileStatus, item: Listed) -> dict[str, str]:
    return _summary_cells(status, item.row) if item.row is not None else {}


def _left_out_rows(report: Report[ListView]) -> list[dict[str, str]]:
    return [{"problem": problem_text(f.error)} for f in report.left_out if f.error is not None]


def list_csv(report: Report[ListView], options: Options) -> str:
    """One row per record: the summary columns, or the chosen record keys; the last column
    gives the first error of a record that has one, and a file left out has a row of its own."""
    view = report.data
    rows = _flat_rows(view) + _left_out_rows(report)
    header = flat_header(rows, view.fields) if view.fields else list(CSV_COLUMNS)
    return write_csv(header, ([row.get(name, "") for name in header] for row in rows))


def list_markdown(report: Report[ListView], options: Options) -> str:
    """A Markdown table of the summary columns (or the chosen keys), then the note on the
    records with errors."""
    view = report.data
    if view.fields:
        rows = _flat_rows(view)
        header = [h for h in flat_header(rows, view.fields) if h != "problem"]  # see the note
        table = md_table(header, ([row.get(h, "") for h in header] for row in rows))
    else:
        table = md_table(COLUMNS, (table_row(s, r, view.activity_filtered) for s, r in _rows(view)))
    return "\n".join([table, *markdown_note(report.files)]) + "\n"
