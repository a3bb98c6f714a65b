"""`ucap fmt`: rewrite records in the canonical layout, keeping every comment."""

from typing import Annotated

import typer

from ucap_cli.cli.options import PathsArgument, RecordsOnlyOption, RecordsOption


def fmt(
    paths: PathsArgument = None,
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 if a file would change.")
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Change nothing; print a unified diff of the changes.")
    ] = False,
    records: RecordsOption = None,
    records_only: RecordsOnlyOption = False,
) -> None:
    """Rewrite records in one canonical layout, so that diffs between versions stay small.

    Keys in the format's order, activities sorted by date, values written by tomli-w, arrays
    on one line when they fit in 100 characters. Comments stay with their keys; a file whose
    comments cannot be kept is left as it is and reported. Formatting a formatted file
    changes nothing. Exit 1 with --check when a file would change, or when a file is not TOML.
    """
    from ucap_cli.cli.output import write
    from ucap_cli.config import load_config
    from ucap_cli.render.safe import visible
    from ucap_cli.store.files import record_paths, records_among
    from ucap_cli.toml.files import display_path
    from ucap_cli.toml.layout import format_files, summary

    config = load_config(records=records)
    given = records_among(config, paths) if records_only and paths else paths or []
    outcomes = format_files(
        # every given path skipped: format none, not the whole records folder
        [] if paths and not given else record_paths(config, given),
        write=not (check or diff),
        max_size=config.max_file_size,
        within=config.records,
    )
    failed = False
    for outcome in outcomes:
        shown = visible(display_path(outcome.path))
        if outcome.status == "error":
            typer.echo(f"ucap: error: {shown}: {visible(outcome.message)}", err=True)
            failed = True
        elif outcome.status == "kept":
            typer.echo(f"{shown}: left unchanged: {visible(outcome.message)}", err=True)
        elif outcome.status == "changed":
            failed = failed or check
            if diff:
                write("\n".join(visible(line.rstrip("\r\n")) for line in outcome.diff(shown)))
            elif check:
                write(f"would reformat {shown}")
    typer.echo(summary(outcomes, written=not (check or diff)), err=True)
    raise typer.Exit(1 if failed else 0)
