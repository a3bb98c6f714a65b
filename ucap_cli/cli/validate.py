"""`ucap validate`: check records and report problems with their locations."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ucap_cli.cli.options import (
    NoCacheOption,
    PathsArgument,
    RecordsOnlyOption,
    RecordsOption,
)
from ucap_cli.cli.views import format_option

if TYPE_CHECKING:
    from ucap_cli.check.fixes import FileFix
    from ucap_cli.check.result import Selection
    from ucap_cli.config import Config


def validate(
    paths: PathsArgument = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")] = False,
    select: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--select",
            help="Report only these codes or prefixes (E109, W3). Repeatable.",
            show_default=False,
        ),
    ] = None,
    ignore: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--ignore",
            help="Do not report these codes or prefixes. Repeatable.",
            show_default=False,
        ),
    ] = None,
    report_format: Annotated[
        Optional[str],  # noqa: UP045 - Typer reads this annotation at run time
        format_option("validate", "text; github when GITHUB_ACTIONS=true"),
    ] = None,
    records: RecordsOption = None,
    no_cache: NoCacheOption = False,
    records_only: RecordsOnlyOption = False,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Make the safe fixes (one correction meant: a misspelt key or value, a "
            "missing zero in a date, a duplicate), then report what remains.",
        ),
    ] = False,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff",
            help="Change nothing; print a unified diff of what --fix would change "
            "(exit 1 when there is something to fix).",
        ),
    ] = False,
    statistics: Annotated[
        bool,
        typer.Option("--statistics", help="One line per problem code with its count."),
    ] = False,
) -> None:
    """Check records: every problem with file:line:column, a code and a hint.

    Exit 0 when there are no errors, 1 when there are (or warnings with --strict), 2 for usage
    errors. Given files (as pre-commit does), the duplicate-id check still covers the whole
    records folder, and only the given files' problems are reported. A file is changed only
    with --fix, which ends with what it fixed and what remains (the exit status is that of
    what remains).
    """
    from ucap_cli.check.result import Selection, ValidationResult
    from ucap_cli.cli.output import emit, report_warning, stderr_lines
    from ucap_cli.config import load_config
    from ucap_cli.errors import UsageError
    from ucap_cli.render.progress import progress_on_stderr
    from ucap_cli.store.collection import validate as run
    from ucap_cli.store.files import records_among

    if diff and statistics:
        raise UsageError("--diff and --statistics cannot be used together")
    config = load_config(records=records)
    selection = Selection(
        _codes(select or [], "--select"), frozenset(_codes(ignore or [], "--ignore"))
    )
    chosen = report_format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    given = records_among(config, paths) if records_only and paths else paths or []
    none = bool(paths) and not given  # every given path skipped: check none, not the folder
    outcomes = []
    if fix or diff:
        outcomes = [] if none else _fixes(config, given, selection, write=not diff)
        if diff:
            raise typer.Exit(_show_diff(outcomes))
    if none:
        result = ValidationResult(0, [])
    else:
        with progress_on_stderr() as progress:
            result = run(config, given, selection, progress, use_cache=not no_cache)
    report_warning(result.cache_warning)
    if statistics:
        from ucap_cli.check.result import statistics as count_codes
        from ucap_cli.store.collection import fixable_codes

        fixable = fixable_codes(config, given, result, selection) if not none else set()
        emit("statistics", "json" if chosen == "json" else "text", count_codes(result, fixable))
    else:
        stderr_lines(emit("validate", chosen, result))  # `saved FILE` when -o FILE is given
    if fix:
        from ucap_cli.render.problems import fix_summary

        sys.stdout.flush()  # the closing line comes after the report, in a pipe too
        stderr_lines([fix_summary(outcomes, len(result.problems))])
    failed = any(outcome.error for outcome in outcomes)
    raise typer.Exit(max(result.exit_code(strict or config.strict), int(failed)))


def _fixes(
    config: Config, given: list[Path], selection: Selection, *, write: bool
) -> list[FileFix]:
    """The fixes of the given files (or of the records folder), made with `write`: the fixes
    made, and why a file could not be written, on stderr."""
    from ucap_cli.cli.output import report_error, stderr_lines
    from ucap_cli.errors import WriteError
    from ucap_cli.render.problems import fixed_lines
    from ucap_cli.render.progress import progress_on_stderr
    from ucap_cli.store.collection import fix

    with progress_on_stderr() as progress:
        outcomes = fix(config, given, selection, progress, write=write)
    if write:
        stderr_lines(fixed_lines(outcomes))
    for outcome in outcomes:
        if outcome.error:
            report_error(WriteError(outcome.error))
    return outcomes


def _show_diff(outcomes: list[FileFix]) -> int:
    """The unified diff of every file --fix would change, on stdout; the exit status (1 when
    there is something to fix)."""
    from ucap_cli.cli.output import stderr_lines, write
    from ucap_cli.render.problems import fix_summary
    from ucap_cli.render.safe import visible

    for outcome in outcomes:
        if outcome.changed:
            lines = outcome.diff(visible(outcome.display))
            write("\n".join(visible(line.rstrip("\r\n")) for line in lines))
    sys.stdout.flush()
    stderr_lines([fix_summary(outcomes, None)])
    return 1 if any(outcome.changed for outcome in outcomes) else 0


def _codes(values: list[str], option: str) -> tuple[str, ...]:
    from ucap_cli.check.problems import CODES
    from ucap_cli.errors import UsageError

    codes = [c.strip().upper() for value in values for c in value.split(",") if c.strip()]
    for code in codes:
        if not any(known.startswith(code) for known in CODES):
            raise UsageError(
                f"{option}: unknown problem code {code!r}",
                hint="see `ucap validate --help` and the README's code table",
            )
    return tuple(codes)
