"""`ucap timeline`: the matching activities in date order, grouped by year and month."""

from typing import TYPE_CHECKING, Annotated

import typer

from ucap_cli.cli.filters import with_filters
from ucap_cli.cli.options import FormatOption, NoCacheOption, OutputFormat, RecordsOption
from ucap_cli.cli.views import ACTIVITY_FILTERS_HELP, ExportOption

if TYPE_CHECKING:
    from ucap_cli.views.query import Filters


@with_filters
def timeline(
    filters: "Filters",
    output_format: FormatOption = OutputFormat.table,
    export: ExportOption = None,
    details: Annotated[
        bool, typer.Option("--details", help="Add each activity's outputs and agreements.")
    ] = False,
    records: RecordsOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Show the matching activities in date order, grouped by year and month.

    Each activity shows its date as precise as known (Jun 2017, 15 Jun 2017, or its span),
    kind, title, place and cities; a month-only date comes before the exact days of that
    month. Across several records each entry names its record's lead city, and a strip of the
    records' periods on a shared time axis comes first. CSV has one row per activity.
    """
    from functools import partial

    from ucap_cli.cli.views import View, check_export, reduce_selection, show
    from ucap_cli.render import timeline as render
    from ucap_cli.views.timeline import Timeline, assemble, by_record, timeline_part

    check_export(export, output_format)
    # JSON and CSV entries are written where each record is loaded; the others need activities.
    entry_form = {"json": render.json_entry, "csv": render.csv_row}.get(output_format.value)
    parts, skipped = reduce_selection(
        records, partial(timeline_part, filters=filters, render=entry_form), use_cache=not no_cache
    )
    periods, entries = assemble(by_record(parts))
    result = Timeline(entries, periods)
    view = View(
        name="ucap timeline",
        empty=not entries,
        empty_message=render.empty_message(),
        terminal=lambda: render.timeline_view(result, details=details),
        json=lambda: render.json_pieces(periods, entries),
        csv=lambda: render.write_csv(render.CSV_COLUMNS, entries),
        markdown=lambda: render.as_markdown(result, details=details),
    )
    show(view, output_format, export, skipped)


timeline.__doc__ = f"{timeline.__doc__}\n\n{ACTIVITY_FILTERS_HELP}"
