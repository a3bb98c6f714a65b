"""The writers of `results`: a table for the terminal with the totals by status under it,
JSON, CSV and Markdown. Record text is untrusted: it never becomes markup."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from rich.console import Group, RenderableType
from rich.text import Text

from ucap_cli import __version__
from ucap_cli.render import jsonout
from ucap_cli.render.fitted import FittedTable, Step, phrases
from ucap_cli.render.registry import Options, Screen
from ucap_cli.render.safe import one_line
from ucap_cli.render.tabular import (
    ERROR_MARKER,
    SEPARATOR,
    files_json,
    left_out_csv_rows,
    markdown_note,
    markdown_text,
    md_table,
    note_lines,
    plural,
    problem_text,
    write_csv,
)
from ucap_cli.views.report import Report
from ucap_cli.views.results import ResultRow, ResultsView

COLUMNS = ("record", "theme", "status", "text", "organisations")
# How the terminal table shares a narrow width (see render/fitted.py): the status whole and no
# word cut (the record's id, what `ucap show` takes, first), then the id whole; the texts
# give way first.
LADDER: tuple[Step, ...] = (
    ("record", "piece"),
    ("status", "whole"),
    ("theme", "word"),
    ("text", "piece"),
    ("organisations", "piece"),
    ("record", "whole"),
    ("text", "word"),
    ("organisations", "word"),
    ("organisations", "phrase"),
    ("theme", "phrase"),
)
CSV_COLUMNS = ("record", "lead_city", "theme", "status", "text", "organisations", "problem")
EMPTY = "no expected results match"


def headline(view: ResultsView) -> str:
    """'7 expected results: 7 planned' (the statuses that have any)."""
    counts = [f"{t.results} {t.status}" for t in view.by_status if t.results]
    text = plural(view.matched, "expected result")
    return text + (": " + ", ".join(counts) if counts else "")


def table_row(row: ResultRow) -> tuple[str, ...]:
    """The COLUMNS of one expected result, as text; its record marked when it has errors."""
    marker = "" if row.error is None else f" {ERROR_MARKER}"
    return (
        row.record + marker,
        row.theme or "",
        row.status,
        row.text,
        ", ".join(row.organisations),
    )


def table_cells(row: ResultRow) -> tuple[tuple[str, ...], ...]:
    """The COLUMNS of one expected result as the phrases a terminal keeps whole where it can:
    each organisation's name; a text (the theme, the result) is one phrase."""
    return tuple(
        tuple(phrases(cell)) if name == "organisations" else (cell,)
        for name, cell in zip(COLUMNS, table_row(row), strict=True)
    )


def totals_rows(view: ResultsView) -> list[list[str]]:
    """The rows of the totals table: status, expected results, then a total row."""
    rows = [[t.status, str(t.results)] for t in view.by_status]
    return [["status", "expected results"], *rows, ["total", str(view.matched)]]


# --------------------------------------------------------------------------- terminal


def results_screen(report: Report[ResultsView], options: Options) -> Screen:
    """The headline, the table of expected results within the terminal's width, how many
    were shown, the totals by status, and the note on records with errors."""
    view = report.data
    parts: list[RenderableType] = []
    if view.rows:
        parts += [Text(one_line(headline(view)), style="bold"), Text("")]
        rows = [table_cells(row) for row in view.rows]
        parts.append(FittedTable(COLUMNS, rows, ladder=LADDER, terminal=options.terminal))
        if len(view.rows) < view.matched:
            parts.append(
                Text(
                    f"showing {len(view.rows)} of {view.matched} expected results "
                    "(--limit 0 for all)"
                )
            )
        header, *totals = totals_rows(view)
        right = ("expected results",)
        cells = [tuple((cell,) for cell in row) for row in totals]
        parts += [Text(""), FittedTable(header, cells, terminal=options.terminal, right=right)]
    notes = note_lines(report.files)
    if notes and parts:
        parts.append(Text(""))
    parts += [Text(line, style="yellow") for line in notes]
    return Screen(Group(*parts) if parts else None, empty=None if view.rows else EMPTY)


# --------------------------------------------------------------------------- JSON


def results_json(report: Report[ResultsView], options: Options) -> Iterator[bytes]:
    """The totals by status, then one expected result per line, then the files with errors
    as `problems`."""
    view = report.data
    totals = {
        "expected_results": view.matched,
        "by_status": [t.to_json() for t in view.by_status],
    }
    yield b'{\n  "ucap_version": ' + jsonout.encoded(__version__)
    yield b',\n  "totals": ' + jsonout.dumps(totals, outline=2).replace("\n", "\n  ").encode()
    yield b',\n  "expected_results": '
    yield from jsonout.array_lines((jsonout.encoded(r.to_json()) for r in view.rows), level=1)
    yield b',\n  "problems": '
    yield from jsonout.array_lines((jsonout.encoded(p) for p in files_json(report.files)), level=1)
    yield b"\n}"


# --------------------------------------------------------------------------- CSV


def results_csv(report: Report[ResultsView], options: Options) -> str:
    """One row per expected result; `problem`: the first error of its record (a file left
    out has a row of its own)."""
    rows: list[Sequence[object]] = [
        (
            row.record,
            row.lead_city or "",
            row.theme or "",
            row.status,
            row.text,
            SEPARATOR.join(row.organisations),
            problem_text(row.error) if row.error else "",
        )
        for row in report.data.rows
    ]
    rows += left_out_csv_rows(report.left_out, len(CSV_COLUMNS))
    return write_csv(CSV_COLUMNS, rows)


# --------------------------------------------------------------------------- Markdown


def results_markdown(report: Report[ResultsView], options: Options) -> str:
    """A heading, the headline, the table of expected results, the totals by status, then
    the note on records with errors."""
    view = report.data
    lines = ["# Expected results", ""]
    if not view.rows:
        lines.append(EMPTY.capitalize() + ".")
    else:
        lines += [markdown_text(headline(view)) + ".", ""]
        lines.append(md_table(COLUMNS, [table_row(row) for row in view.rows]))
        if len(view.rows) < view.matched:
            lines += ["", f"Showing {len(view.rows)} of {view.matched} expected results."]
        header, *rows = totals_rows(view)
        lines += ["", "## By status", "", md_table(header, rows)]
    return "\n".join([*lines, *markdown_note(report.files)]) + "\n"
