"""`ucap export datapackage|sqlite`: the whole collection as open data, in files."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ucap_cli.cli.filters import with_filters
from ucap_cli.cli.options import NoCacheOption, RecordsOption, help_without_command

if TYPE_CHECKING:
    from ucap_cli.config import Config
    from ucap_cli.views.query import Filters

app = typer.Typer(
    name="export",
    help="Publish the collection as open data: a Frictionless Data Package (CSV files and "
    "their schemas) or a SQLite database (for SQL and Datasette).",
    invoke_without_command=True,  # bare `ucap export`: its help on stdout, exit 0
    rich_markup_mode=None,
)
app.callback()(help_without_command)


@app.command("datapackage")
@with_filters("results")
def datapackage(
    filters: "Filters",
    directory: Annotated[
        Path,
        typer.Argument(
            metavar="DIR",
            help="The folder to write: new, empty, or an earlier `ucap export datapackage`.",
            show_default=False,
        ),
    ],
    records: RecordsOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Write the records as a Frictionless Data Package in DIR.

    DIR/datapackage.json and one CSV file per table (records, partners, themes, sdgs,
    urban_agenda, focus, activities, activity_cities, agreements, expected_results,
    organisations, problems), each with its Table Schema. Title, licence and contributors
    come from the [export] table of the configuration.

    DIR is written whole beside it, then put in its place; a folder that holds files ucap
    did not write is refused. CSV text is neutralised for spreadsheets (no formulas; one line).

    The filters choose records as `ucap list` does; a chosen record is exported whole. A record
    with validation errors is exported as far as it could be read; each file with errors is a
    row of the problems table, and the exit status is 1. See docs/export.md.
    """
    from ucap_cli.render.datapackage import encode_record, package_writer

    config = _config(records)
    with package_writer(directory, config.export, config.activity_kinds) as writer:
        report = _export(config, filters, encode_record, writer.add, no_cache)
        writer.finish(report)
    tables = len(_tables(config))
    _finish(report, f"{_shown(directory)}: {tables} tables")


@app.command("sqlite")
@with_filters("results")
def sqlite(
    filters: "Filters",
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="The database to write: new, or an earlier `ucap export sqlite`.",
            show_default=False,
            dir_okay=False,
        ),
    ],
    records: RecordsOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Write the records as one SQLite database, FILE.

    The tables of the Data Package with primary and foreign keys, indexes on the columns the
    filters use, and full-text search (FTS5) on titles, summaries and expected results.
    `datasette FILE` browses and searches it.

    FILE is replaced atomically; a file that is not a database ucap exported is refused.
    The filters, and records with errors, as for `ucap export datapackage`.
    """
    from ucap_cli.render.sqlite import encode_record, sqlite_writer

    config = _config(records)
    with sqlite_writer(file, config.activity_kinds) as writer:
        report = _export(config, filters, encode_record, writer.add, no_cache)
        writer.finish(report)
    _finish(report, f"{_shown(file)}: {len(_tables(config))} tables")


def _config(records: Path | None) -> "Config":
    from ucap_cli.config import load_config

    config = load_config(records=records)
    _tables(config)  # defined once here, before workers fork: they inherit it
    return config


def _tables(config: "Config") -> Any:
    from ucap_cli.views.tables import tables

    return tables(config.activity_kinds)


def _export(config: "Config", filters: "Filters", encode: Any, write: Any, no_cache: bool) -> Any:
    from ucap_cli.render.progress import progress_on_stderr
    from ucap_cli.views.export import export_tables

    with progress_on_stderr() as progress:
        return export_tables(
            config, filters, encode, write, progress=progress, use_cache=not no_cache
        )


def _shown(path: Path) -> str:
    from ucap_cli.render.safe import visible

    return visible(str(path))


def _finish(report: Any, where: str) -> None:
    from ucap_cli.cli.output import report_warning, stderr_lines
    from ucap_cli.cli.views import problem_notes
    from ucap_cli.render.tabular import plural

    report_warning(report.cache_warning)
    export = report.data
    summary = (
        f"exported {plural(export.records, 'record')} "
        f"({plural(export.activities, 'activity', 'activities')}, "
        f"{plural(export.agreements, 'agreement')}) to {where}"
    )
    lines = [summary]
    if report.files:
        lines.append(f"{plural(len(report.files), 'file')} with errors: see the problems table")
    stderr_lines([*lines, *problem_notes(report)])
    raise typer.Exit(1 if report.files else 0)
