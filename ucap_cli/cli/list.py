"""`ucap list`: one row per record that matches the filters."""

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ucap_cli.cli.filters import with_filters
from ucap_cli.cli.options import FormatOption, NoCacheOption, OutputFormat, RecordsOption

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


@with_filters
def list_records(
    filters: "Filters",
    output_format: FormatOption = OutputFormat.table,
    fields: FieldsOption = None,
    sort: Annotated[
        str,
        typer.Option(
            "--sort",
            metavar="FIELD",
            help="period (default), id, title, city, country, programme, end, partners, "
            "activities or sdgs.",
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

    A record with validation errors is listed with a "!" marker; a file that cannot be loaded
    is reported on stderr and skipped (exit 1).
    """
    import sys
    from functools import partial

    from ucap_cli.cli.output import report_warning, write, write_pieces
    from ucap_cli.config import load_config
    from ucap_cli.render import jsonout
    from ucap_cli.render import records as view
    from ucap_cli.render.console import make_console
    from ucap_cli.render.progress import progress_on_stderr
    from ucap_cli.store.collection import reduce_collection
    from ucap_cli.views.query import sort_field

    chosen = view.parse_fields(fields, output_format.value)
    sort_field(sort)  # an unknown --sort field fails before any loading
    reduce = partial(
        view.list_item, filters=filters, sort=sort, output_format=output_format.value, fields=chosen
    )
    with progress_on_stderr() as progress:
        reduced, cache_warning = reduce_collection(
            load_config(records=records), reduce, progress, use_cache=not no_cache
        )
    report_warning(cache_warning)
    matched = view.sort_items((r.product for r in reduced if r.product), reverse)
    if limit is None and output_format is OutputFormat.table and sys.stdout.isatty():
        limit = TERMINAL_LIMIT
    items = matched[:limit] if limit else matched
    rows = [item.row for item in items]
    if output_format is OutputFormat.json:
        write_pieces(jsonout.array_lines(rows))
    elif output_format is OutputFormat.csv:
        sys.stdout.write(view.list_csv(rows, chosen))
    elif output_format is OutputFormat.markdown:
        write(view.list_markdown(rows, chosen))
    elif items:
        console = make_console()
        console.print(view.list_table(rows, terminal=console.is_terminal, width=console.width))
        if len(items) < len(matched):
            console.print(f"showing {len(items)} of {len(matched)} records (--limit 0 for all)")
    skipped = view.skip_notes(r.skipped for r in reduced if r.skipped)
    notes = [view.ERROR_HINT] if not chosen and not all(i.ok for i in items) else []
    if not items and output_format is OutputFormat.table:
        notes.append("no records match")
    sys.stderr.write("".join(f"{line}\n" for line in [*skipped, *notes]))
    raise typer.Exit(1 if skipped else 0)
