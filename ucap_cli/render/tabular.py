"""What every writer shares: CSV and Markdown cells, plurals, agreement wording, problem notes.

Record text is untrusted: CSV cells are neutralised so that a spreadsheet never runs them as a
formula, Markdown cells are escaped so that a record makes no HTML, link or code span.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from ucap_cli.check.problems import Problem
from ucap_cli.check.result import FileStatus
from ucap_cli.record.model import Agreement
from ucap_cli.render.safe import one_line, visible

DASH = "\u2013"  # en dash
SEPARATOR = "; "  # joins a list in a CSV or Markdown cell
ERROR_MARKER = "!"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ENTITY = re.compile(r"&(?=#?\w+;)")  # `&lt;` typed in a record must print as typed
_MARKDOWN_ESCAPED = re.compile(r"[\\`\[\]]")  # backslashes, code spans, link brackets
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])|&(?=#?\w+;)")

# One wording for agreement kinds everywhere: singular and plural.
AGREEMENT_WORDS = {
    "mou": ("MoU", "MoUs"),
    "cooperation-agreement": ("cooperation agreement", "cooperation agreements"),
    "letter-of-intent": ("letter of intent", "letters of intent"),
    "other": ("other agreement", "other agreements"),
}


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 activity', '3 activities'."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def error_hint(records: int) -> str:
    """The stderr line of a view whose files hold `records` records with errors (shown or
    not: a filter may miss a record because of its errors)."""
    return f"{ERROR_MARKER} {plural(records, 'record')} with validation errors: run `ucap validate`"


def agreement_kind(kind: str, count: int = 1) -> str:
    """'MoU', 'cooperation agreement', 'letters of intent' (for `count` of them)."""
    one, many = AGREEMENT_WORDS.get(kind, (kind, kind))
    return one if count == 1 else many


def agreement_line(agreement: Agreement) -> str:
    """'MoU ×5: A, B (fields) – title' as plain text (not yet made safe for a terminal)."""
    text = agreement_kind(agreement.kind)
    if agreement.count > 1:
        text += f" \u00d7{agreement.count}"
    text += ": " + ", ".join(agreement.parties)
    if agreement.fields:
        text += f" ({'; '.join(agreement.fields)})"
    if agreement.title:
        text += f" {DASH} {agreement.title}"
    return text


# --------------------------------------------------------------------------- CSV


def neutralise(cell: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula; on one line, never cut."""
    cell = one_line(cell, limit=None)
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text with a header row; every cell on one line and never a spreadsheet formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([neutralise("" if v is None else str(v)) for v in row] for row in rows)
    return buffer.getvalue()


def cell(value: Any) -> str:
    """A flat CSV/Markdown value: lists joined with `; `, tables by their label."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return _label(value)
    if isinstance(value, list | tuple):
        return SEPARATOR.join(cell(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _label(table: dict[str, Any]) -> str:
    import json

    for key in ("name", "title", "text", "theme"):
        if isinstance(table.get(key), str):
            return str(table[key])
    return json.dumps(table, ensure_ascii=False, sort_keys=True)


# --------------------------------------------------------------------------- Markdown


def md_cell(text: str) -> str:
    """Text safe in a Markdown table cell: one line, `|` escaped, no raw HTML, entities, code
    spans or links (`[text](url)` prints as typed)."""
    text = _ENTITY.sub("&amp;", one_line(text))
    text = _MARKDOWN_ESCAPED.sub(r"\\\g<0>", text)
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def md_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table; numbers as they are, text through `md_cell`."""
    lines = ["| " + " | ".join(md_cell(h) for h in header) + " |"]
    lines.append("| " + " | ".join("---" for _ in header) + " |")
    lines += [
        "| " + " | ".join(md_cell(c) if isinstance(c, str) else str(c) for c in row) + " |"
        for row in rows
    ]
    return "\n".join(lines)


def markdown_text(text: str) -> str:
    """Record text as literal Markdown inline text: one line, markup characters escaped."""
    flat = " ".join(one_line(text).split())
    return _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(0), flat)


# --------------------------------------------------------------------------- problems


def problem_text(problem: Problem) -> str:
    """`records/a.toml:3:1 E109 unknown country ...`, one line (not yet made safe)."""
    return f"{problem.path}:{problem.line}:{problem.column} {problem.code} {problem.message}"


def problem_json(problem: Problem) -> dict[str, Any]:
    """A problem as JSON-ready data."""
    return {
        "path": problem.path,
        "line": problem.line,
        "column": problem.column,
        "code": problem.code,
        "message": problem.message,
    }


def files_json(files: Sequence[FileStatus]) -> list[dict[str, Any]]:
    """The files with errors as JSON: each file's first error, and whether it was left out."""
    return [
        {**problem_json(f.error), "left_out": not f.readable} for f in files if f.error is not None
    ]


def left_out_csv_rows(files: Sequence[FileStatus], width: int) -> list[tuple[str, ...]]:
    """A CSV row of `width` cells for each file left out: empty, but for the last one, the
    `problem` column, which names the file and its first error."""
    return [("",) * (width - 1) + (problem_text(f.error),) for f in files if f.error is not None]


def note_lines(files: Sequence[FileStatus], *, what: str = "records") -> list[str]:
    """The closing note of a view whose files have errors, as plain lines (empty when none):
    the records with errors (a view shows them as far as they could be read, where they
    match) and the files left out, each with its first error."""
    shown = [f for f in files if f.readable and f.error is not None]
    left = [f for f in files if not f.readable and f.error is not None]
    lines: list[str] = []
    if shown:
        lines.append(
            f"{ERROR_MARKER} {plural(len(shown), 'record')} with errors, read as far as "
            f"{'it' if len(shown) == 1 else 'they'} could be:"
        )
        lines += [f"  {one_line(visible(problem_text(f.error)))}" for f in shown if f.error]
    if left:
        lines.append(f"{plural(len(left), 'file')} left out, not readable as records:")
        lines += [f"  {one_line(visible(problem_text(f.error)))}" for f in left if f.error]
    if lines:
        lines.append(f"run `ucap validate` for every problem of these {what}")
    return lines


def markdown_note(files: Sequence[FileStatus]) -> list[str]:
    """`note_lines` as a Markdown section (empty when no file has an error)."""
    lines = note_lines(files)
    if not lines:
        return []
    out = ["", "## Records with errors"]
    for line in lines:
        item = line.startswith("  ")
        if not (item and out[-1].startswith("- ")):
            out.append("")  # else a sentence after a list is read as part of its last item
        out.append(f"- {markdown_text(line.strip())}" if item else line)
    return out
