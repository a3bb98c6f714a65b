"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

RecordsOption = Annotated[
    Optional[Path],  # noqa: UP045 - Typer reads this annotation at run time
    typer.Option(
        "--records",
        help="Records folder (default: from ucap.toml / [tool.ucap], $UCAP_RECORDS, or records/).",
        show_default=False,
    ),
]

PathsArgument = Annotated[
    Optional[list[Path]],  # noqa: UP045 - Typer reads this annotation at run time
    typer.Argument(
        help="Record files and/or folders (default: the records folder).", show_default=False
    ),
]


NoCacheOption = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Read every file again instead of reusing what was found in unchanged files "
        "(kept in .ucap_cache/ at the project root).",
    ),
]

RecordsOnlyOption = Annotated[
    bool,
    typer.Option(
        "--records-only",
        help="Of the given paths, take only the records: those in the records folder, not "
        "hidden, not the configuration file; skip the others (pyproject.toml, ruff.toml...). "
        "The pre-commit hooks pass every staged .toml file with it.",
    ),
]


def help_without_command(ctx: typer.Context) -> None:
    """A command group run without a command prints its help on stdout and succeeds."""
    if ctx.invoked_subcommand is None and not ctx.resilient_parsing:
        typer.echo(ctx.get_help())
        raise typer.Exit()
