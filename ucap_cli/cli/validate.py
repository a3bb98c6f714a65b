"""`ucap validate`: check records and report problems with their locations."""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from ucap_cli.cli.options import (
    NoCacheOption,
    PathsArgument,
    RecordsOnlyOption,
    RecordsOption,
)


class ReportFormat(str, Enum):  # noqa: UP042 - Typer needs a str Enum
    """Report formats of `ucap validate`."""

    text = "text"
    concise = "concise"
    json = "json"
    github = "github"
    sarif = "sarif"


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
        Optional[ReportFormat],  # noqa: UP045
        typer.Option(
            "--format",
            "-f",
            help="text (default; github when GITHUB_ACTIONS=true), concise, json, github or sarif.",
            show_default=False,
        ),
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
    from ucap_cli.cli.output import report_warning, write
    from ucap_cli.config import load_config
    from ucap_cli.render import problems as view
    from ucap_cli.render.console import make_console
    from ucap_cli.render.progress import progress_on_stderr
    from ucap_cli.store.collection import Selection, ValidationResult, records_among
    from ucap_cli.store.collection import validate as run

    config = load_config(records=records)
    selection = Selection(
        _codes(select or [], "--select"), frozenset(_codes(ignore or [], "--ignore"))
    )
    chosen = report_format or (
        ReportFormat.github if os.environ.get("GITHUB_ACTIONS") == "true" else ReportFormat.text
    )
    given = records_among(config, paths) if records_only and paths else paths or []
    if paths and not given:  # every given path skipped: check none, not the whole folder
        result = ValidationResult(0, [])
    else:
        with progress_on_stderr() as progress:
            result = run(config, given, selection, progress, use_cache=not no_cache)
    report_warning(result.cache_warning)
    if chosen is ReportFormat.json:
        write(view.as_json(result))
    elif chosen is ReportFormat.sarif:
        write(view.as_sarif(result))
    elif chosen is ReportFormat.github:
        write(view.as_github(result))
    else:
        if sys.stdout.isatty():
            console = make_console()
            for line in view.text_lines(result, detailed=chosen is ReportFormat.text):
                console.print(line, soft_wrap=True)
        else:
            write(view.as_plain(result))
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
