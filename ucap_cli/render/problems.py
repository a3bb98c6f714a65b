"""Views of a validation result: text, concise, json, github annotations and SARIF."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ucap_cli import __version__
from ucap_cli.check.problems import CODES, Problem, Severity
from ucap_cli.check.result import CodeCount, ValidationResult
from ucap_cli.render import jsonout
from ucap_cli.render.registry import Options, Screen
from ucap_cli.render.safe import MAX_SHOWN, visible

if TYPE_CHECKING:
    from rich.text import Text

    from ucap_cli.check.fixes import FileFix


def summary_line(result: ValidationResult) -> str:
    """`N errors, M warnings in K files`."""

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return (
        f"{plural(result.errors, 'error')}, {plural(result.warnings, 'warning')} "
        f"in {plural(result.files_checked, 'file')}"
    )


def first_line(problem: Problem) -> str:
    """`path:line:col: severity CODE message`, clickable in editors."""
    return (
        f"{visible(problem.path)}:{problem.line}:{problem.column}: "
        f"{problem.severity} {problem.code} {visible(problem.message)}"
    )


def as_plain(result: ValidationResult) -> str:
    """The text view without Rich (for pipes and files): first lines, then the summary."""
    return "\n".join([*(first_line(p) for p in result.problems), summary_line(result)])


def as_text(result: ValidationResult, options: Options) -> Screen | str:
    """On a terminal: each problem with its source line, a caret and its hint, in colour;
    elsewhere the plain first lines (no Rich is imported)."""
    if not options.terminal:
        return as_plain(result) + "\n"
    return Screen(list(text_lines(result, detailed=True)), soft_wrap=True)


def as_concise(result: ValidationResult, options: Options) -> Screen | str:
    """The first lines and the summary (for pre-commit logs)."""
    if not options.terminal:
        return as_plain(result) + "\n"
    return Screen(list(text_lines(result, detailed=False)), soft_wrap=True)


def text_lines(result: ValidationResult, *, detailed: bool) -> Iterator[Text]:
    """The text view; `detailed` adds the source line, a caret and the hint (for terminals)."""
    from rich.cells import cell_len
    from rich.text import Text

    for problem in result.problems:
        style = "bold red" if problem.severity is Severity.ERROR else "yellow"
        line = Text(f"{visible(problem.path)}:{problem.line}:{problem.column}: ", style="bold")
        line.append(str(problem.severity), style=style)
        line.append(f" {problem.code} ", style=style)
        line.append(visible(problem.message))
        yield line
        if not detailed:
            continue
        source = result.source_line(problem)
        if source is not None and len(source) <= MAX_SHOWN:  # a megabyte line: message only
            number = str(problem.line)
            gutter = " " * len(number)
            prefix = source[: problem.column - 1]
            # Tabs expanded here and wide (CJK) characters counted as two cells, so the
            # caret stands under the column on the terminal.
            yield Text(f" {number} | ", style="blue") + Text(visible(source).expandtabs(4))
            caret_at = cell_len(visible(prefix).expandtabs(4))
            yield Text(f" {gutter} | ", style="blue") + Text(" " * caret_at + "^", style=style)
        if problem.hint:
            yield Text("  hint: ", style="cyan") + Text(visible(problem.hint))
    yield Text(summary_line(result), style="bold")


def as_json(result: ValidationResult, options: Options | None = None) -> str:
    """The documented JSON report."""
    report = {
        "ucap_version": __version__,
        "files_checked": result.files_checked,
        "errors": result.errors,
        "warnings": result.warnings,
        "problems": [
            {
                "path": p.path,
                "line": p.line,
                "column": p.column,
                "severity": str(p.severity),
                "code": p.code,
                "message": p.message,
                "hint": p.hint,
            }
            for p in result.problems
        ],
    }
    return jsonout.dumps(report) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(result: ValidationResult, options: Options | None = None) -> str:
    """GitHub Actions workflow commands, one annotation per problem.

    Control characters are escaped as in the text view: the Actions log renders ANSI codes.
    """
    lines = []
    for p in result.problems:
        level = "error" if p.severity is Severity.ERROR else "warning"
        message = p.message + (f" (hint: {p.hint})" if p.hint else "")
        lines.append(
            f"::{level} file={_escape_property(visible(p.path))},line={p.line},col={p.column},"
            f"title={p.code}::{_escape_data(visible(message))}"
        )
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def as_sarif(result: ValidationResult, options: Options | None = None) -> str:
    """A SARIF 2.1.0 log for code-scanning dashboards."""
    used = sorted({p.code for p in result.problems})
    rules: list[dict[str, Any]] = [
        {
            "id": code,
            "shortDescription": {"text": CODES[code].summary},
            "defaultConfiguration": {
                "level": "error" if CODES[code].severity is Severity.ERROR else "warning"
            },
        }
        for code in used
    ]
    results = [
        {
            "ruleId": p.code,
            "ruleIndex": used.index(p.code),
            "level": "error" if p.severity is Severity.ERROR else "warning",
            "message": {"text": p.message + (f" (hint: {p.hint})" if p.hint else "")},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": p.path.replace("\\", "/")},
                        "region": {"startLine": p.line, "startColumn": p.column},
                    }
                }
            ],
        }
        for p in result.problems
    ]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ucap",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
                # Our columns count characters; SARIF's default may be UTF-16 code units.
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return jsonout.dumps(log) + "\n"


def as_statistics(rows: list[CodeCount], options: Options | None = None) -> str:
    """`validate --statistics`: one line per code, its count, `[*]` when `--fix` fixes some
    of them, and what the code means (tab-separated, as `ruff check --statistics`)."""
    if not rows:
        return ""
    width = max(len(str(row.count)) for row in rows)
    marks = any(row.fixable for row in rows)
    lines = []
    for row in rows:
        mark = ("[*] " if row.fixable else "[ ] ") if marks else ""
        lines.append(f"{row.count:>{width}}\t{row.code}\t{mark}{CODES[row.code].summary}")
    return "\n".join(lines) + "\n"


def as_statistics_json(rows: list[CodeCount], options: Options | None = None) -> str:
    """`validate --statistics --format json`: an array of {code, count, fixable, summary}."""
    return (
        jsonout.dumps(
            [
                {
                    "code": row.code,
                    "count": row.count,
                    "fixable": row.fixable,
                    "summary": CODES[row.code].summary,
                }
                for row in rows
            ]
        )
        + "\n"
    )


def fixed_lines(outcomes: list[FileFix]) -> list[str]:
    """`path:line:col: fixed CODE what` for every fix made (made safe for the terminal)."""
    return [
        f"{visible(o.display)}:{f.line}:{f.column}: fixed {f.code} {visible(f.message)}"
        for o in outcomes
        for f in o.fixed
    ]


def fix_summary(outcomes: list[FileFix], remaining: int | None) -> str:
    """`3 fixes made in 2 files; 1 problem remains` (`would be made`, for --diff: None)."""
    made = sum(len(o.fixed) for o in outcomes)
    changed = sum(1 for o in outcomes if o.fixed)
    verb = "made" if remaining is not None else "to make"
    text = f"{_count(made, 'fix', 'fixes')} {verb}"
    if made:
        text += f" in {_count(changed, 'file', 'files')}"
    if remaining is not None:
        left = "none" if not remaining else _count(remaining, "problem", "problems")
        text += f"; {left} {'remains' if remaining < 2 else 'remain'}"
    return text


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
