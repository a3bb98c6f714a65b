"""The writers of `agreements`: a table for the terminal with the totals under it, JSON, CSV
and Markdown.

Every format says how many agreement tables ("entries") and how many agreements (counting
`count`) it lists: "4 agreement entries, 8 agreements". Kinds are worded as everywhere
(`tabular.agreement_kind`) in the table and Markdown; JSON and CSV keep the record's value
(`mou`). Record text is untrusted: it never becomes markup.
"""

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
    agreement_kind,
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
from ucap_cli.views.agreements import AgreementRow, AgreementsView, Total
from ucap_cli.views.report import Report

COLUMNS = ("date", "record", "activity", "kind", "parties", "count", "title")
# How the terminal table shares a narrow width (see render/fitted.py): the date and the count
# whole and no word cut (the record's id, what `ucap show` takes, first), then the id whole;
# the texts give way first.
LADDER: tuple[Step, ...] = (
    ("date", "whole"),
    ("record", "piece"),
    ("count", "whole"),
    ("kind", "word"),
    ("activity", "piece"),
    ("parties", "piece"),
    ("title", "piece"),
    ("record", "whole"),
    ("activity", "word"),
    ("parties", "word"),
    ("title", "word"),
    ("kind", "whole"),
    ("parties", "phrase"),
)
CSV_COLUMNS = (
    "date",
    "record",
    "lead_city",
    "activity",
    "kind",
    "parties",
    "count",
    "fields",
    "title",
    "problem",
)
EMPTY = "no agreements match"


def headline(view: AgreementsView) -> str:
    """'4 agreement entries, 8 agreements: 7 MoUs, 1 cooperation agreement'."""
    text = f"{plural(view.entries, 'agreement entry', 'agreement entries')}, "
    text += plural(view.agreements, "agreement")
    kinds = [plural_kind(t) for t in view.by_kind]
    return text + (": " + ", ".join(kinds) if kinds else "")


def plural_kind(total: Total) -> str:
    """'7 MoUs', '1 cooperation agreement'."""
    return f"{total.agreements} {agreement_kind(total.key, total.agreements)}"


def table_row(row: AgreementRow) -> tuple[str, ...]:
    """The COLUMNS of one agreement, as text; its record marked when it has errors."""
    marker = "" if row.error is None else f" {ERROR_MARKER}"
    return (
        str(row.date),
        row.record + marker,
        row.activity,
        agreement_kind(row.kind),
        ", ".join(row.parties),
        str(row.count),
        row.title or "",
    )


def table_cells(row: AgreementRow) -> tuple[tuple[str, ...], ...]:
    """The COLUMNS of one agreement as the phrases a terminal keeps whole where it can: each
    party's name; a text (the activity, the title) is one phrase, broken between words."""
    return tuple(
        tuple(phrases(cell)) if name == "parties" else (cell,)
        for name, cell in zip(COLUMNS, table_row(row), strict=True)
    )


def totals_rows(totals: Sequence[Total], label: str, view: AgreementsView) -> list[list[str]]:
    """The rows of a totals table: `label`, entries, agreements, then a total row."""
    header = [label, "entries", "agreements"]
    rows = [
        [agreement_kind(t.key) if label == "kind" else t.key, str(t.entries), str(t.agreements)]
        for t in totals
    ]
    return [header, *rows, ["total", str(view.entries), str(view.agreements)]]


# --------------------------------------------------------------------------- terminal


def agreements_screen(report: Report[AgreementsView], options: Options) -> Screen:
    """The headline, the table of agreements within the terminal's width, how many were
    shown, the totals by kind and by year, and the note on records with errors."""
    view = report.data
    parts: list[RenderableType] = []
    if view.rows:
        parts += [Text(one_line(headline(view)), style="bold"), Text("")]
        rows = [table_cells(row) for row in view.rows]
        table = FittedTable(
            COLUMNS, rows, ladder=LADDER, terminal=options.terminal, right=("count",)
        )
        parts.append(table)
        if len(view.rows) < view.entries:
            parts.append(
                Text(
                    f"showing {len(view.rows)} of {view.entries} agreement entries "
                    "(--limit 0 for all)"
                )
            )
        for label, totals in (("kind", view.by_kind), ("year", view.by_year)):
            header, *totals_table = totals_rows(totals, label, view)
            right = ("entries", "agreements")
            cells = [tuple((cell,) for cell in row) for row in totals_table]
            table = FittedTable(header, cells, terminal=options.terminal, right=right)
            parts += [Text(""), table]
    notes = note_lines(report.files)
    if notes and parts:
        parts.append(Text(""))
    parts += [Text(line, style="yellow") for line in notes]
    return Screen(Group(*parts) if parts else None, empty=None if view.rows else EMPTY)


# --------------------------------------------------------------------------- JSON


def agreements_json(report: Report[AgreementsView], options: Options) -> Iterator[bytes]:
    """The totals, then one agreement per line, then the files with errors as `problems`."""
    view = report.data
    totals = {
        "entries": view.entries,
        "agreements": view.agreements,
        "by_kind": [t.to_json("kind") for t in view.by_kind],
        "by_year": [t.to_json("year") for t in view.by_year],
    }
    yield b'{\n  "ucap_version": ' + jsonout.encoded(__version__)
    yield b',\n  "totals": ' + jsonout.dumps(totals, outline=2).replace("\n", "\n  ").encode()
    yield b',\n  "agreements": '
    yield from jsonout.array_lines((jsonout.encoded(r.to_json()) for r in view.rows), level=1)
    yield b',\n  "problems": '
    yield from jsonout.array_lines((jsonout.encoded(p) for p in files_json(report.files)), level=1)
    yield b"\n}"


# --------------------------------------------------------------------------- CSV


def agreements_csv(report: Report[AgreementsView], options: Options) -> str:
    """One row per agreement entry (`count`: how many agreements it stands for); `problem`:
    the first error of its record (a file left out has a row of its own)."""
    rows: list[Sequence[object]] = [
        (
            str(row.date),
            row.record,
            row.lead_city or "",
            row.activity,
            row.kind,
            SEPARATOR.join(row.parties),
            row.count,
            SEPARATOR.join(row.fields),
            row.title or "",
            problem_text(row.error) if row.error else "",
        )
        for row in report.data.rows
    ]
    rows += left_out_csv_rows(report.left_out, len(CSV_COLUMNS))
    return write_csv(CSV_COLUMNS, rows)


# --------------------------------------------------------------------------- Markdown


def agreements_markdown(report: Report[AgreementsView], options: Options) -> str:
    """A heading, the headline, the table of agreements, the totals by kind and by year, then
    the note on records with errors."""
    view = report.data
    lines = ["# Agreements", ""]
    if not view.rows:
        lines.append(EMPTY.capitalize() + ".")
    else:
        lines += [markdown_text(headline(view)) + ".", ""]
        lines.append(md_table(COLUMNS, [table_row(row) for row in view.rows]))
        if len(view.rows) < view.entries:
            lines += ["", f"Showing {len(view.rows)} of {view.entries} agreement entries."]
        for label, totals in (("kind", view.by_kind), ("year", view.by_year)):
            header, *rows = totals_rows(totals, label, view)
            lines += ["", f"## By {label}", "", md_table(header, rows)]
    return "\n".join([*lines, *markdown_note(report.files)]) + "\n"
