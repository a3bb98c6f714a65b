"""`ucap validate`: check records and report problems with their locations."""

from __future__ import annotations

import os
from typing import Annotated, Optional

import typer

from ucap_cli.cli.options import (
    NoCacheOption,
    PathsArgument,
    RecordsOnlyOption,
    RecordsOption,
)
from ucap_cli.cli.views import format_option


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
) -> None:
    """Check records: every problem with file:line:column, a code and a hint.

    Exit 0 when there are no errors, 1 when there are (or warnings with --strict), 2 for usage
    errors. Given files (as pre-commit does), the duplicate-id check still covers the whole
    records folder, and only the given files' problems are reported.
    """
    from ucap_cli.check.result import Selection, ValidationResult
    from ucap_cli.cli.output import emit, report_warning, stderr_lines
    from ucap_cli.config import load_config
    from ucap_cli.render.progress import progress_on_stderr
    from ucap_cli.store.collection import validate as run
    from ucap_cli.store.files import records_among

    config = load_config(records=records)
    selection = Selection(
        _codes(select or [], "--select"), frozenset(_codes(ignore or [], "--ignore"))
    )
    chosen = report_format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    given = records_among(config, paths) if records_only and paths else paths or []
    if paths and not given:  # every given path skipped: check none, not the whole folder
        result = ValidationResult(0, [])
    else:
        with progress_on_stderr() as progress:
            result = run(config, given, selection, progress, use_cache=not no_cache)
    report_warning(result.cache_warning)
    stderr_lines(emit("validate", chosen, result))  # `saved FILE` when -o FILE is given
    raise typer.Exit(result.exit_code(strict or config.strict))


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
