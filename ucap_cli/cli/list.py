"""`ucap list`: one row per record that matches the filters."""

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ucap_cli.cli.filters import with_filters
from ucap_cli.cli.options import NoCacheOption, RecordsOption
from ucap_cli.cli.views import format_option

if TYPE_CHECKING:
    from ucap_cli.views.query import Filters

TERMINAL_LIMIT = 50  # rows a terminal table shows by default, as `gh` does

FieldsOption = Annotated[
    Optional[str],  # noqa: UP045 - Typer reads this annotation at run time
    typer.Option(
        "--fields",
        metavar="A,B,C",
        help="json/csv/markdown: only these record keys (id,title,period), or a key of a "
        "table (period.start, city.name).",
        show_default=False,
    ),
]


@with_filters("results")
def list_records(
    filters: "Filters",
    output_format: Annotated[str, format_option("list")] = "table",
    fields: FieldsOption = None,
    sort: Annotated[
        str,
        typer.Option(
            "--sort",
            metavar="FIELD",
            help="period (default; or start), end, id, title, city, country (by its name: "
            "EL is Greece), programme, partners, activities or sdgs.",
        ),
    ] = "period",
    reverse: Annotated[bool, typer.Option("--reverse", help="Reverse the order.")] = False,
    limit: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--limit",
            min=0,
            metavar="N",
            help=f"At most N records; 0 for all. Default: all, or {TERMINAL_LIMIT} in a "
            "terminal table (the footer says how many matched).",
            show_default=False,
        ),
    ] = None,
    records: RecordsOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """List the records that match the filters: id, lead city, partners, period, themes, SDGs
    and activities (matching/all when an activity filter is set).

    A record with validation errors is listed as far as it could be read, its id marked with
    "!", and a note under the list names its first error; a file that is not TOML is left out,
    and the output says so. Either way the exit status is 1.
    """
    from ucap_cli.cli.output import to_terminal
    from ucap_cli.cli.views import show_report
    from ucap_cli.config import load_config
    from ucap_cli.errors import UsageError
    from ucap_cli.record.fields import parse_fields
    from ucap_cli.render.progress import progress_on_stderr
    from ucap_cli.views.listing import Form
    from ucap_cli.views.listing import list_records as build

    chosen = parse_fields(fields)
    if chosen and output_format == "table":
        raise UsageError("--fields applies to --format json, csv and markdown, not table")
    if limit is None and output_format == "table" and to_terminal():  # not with -o FILE
        limit = TERMINAL_LIMIT
    form: Form = "json" if output_format == "json" else "data" if chosen else "row"
    with progress_on_stderr() as progress:
        report = build(
            load_config(records=records),
            filters,
            sort=sort,
            reverse=reverse,
            form=form,
            fields=chosen,
            limit=limit or None,
            progress=progress,
            use_cache=not no_cache,
        )
    show_report("list", output_format, report)
