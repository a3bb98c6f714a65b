"""`ucap timeline`: the matching activities in date order, grouped by year and month."""

from typing import TYPE_CHECKING, Annotated

import typer

from ucap_cli.cli.filters import with_filters
from ucap_cli.cli.options import FormatOption, OutputFormat, RecordsOption
from ucap_cli.cli.views import ACTIVITY_FILTERS_HELP, ExportOption

if TYPE_CHECKING:
    from ucap_cli.query import Filters


@with_filters
def timeline(
    filters: "Filters",
    output_format: FormatOption = OutputFormat.table,
    export: ExportOption = None,
    details: Annotated[
        bool, typer.Option("--details", help="Add each activity's outputs and agreements.")
    ] = False,
    records: RecordsOption = None,
) -> None:
    """Show the matching activities in date order, grouped by year and month.

    Each activity shows its date as precise as known (Jun 2017, 15 Jun 2017, or its span),
    kind, title, place and cities; a month-only date comes before the exact days of that
    month. Across several records each entry names its record's lead city, and a strip of the
    records' periods on a shared time axis comes first. CSV has one row per activity.
    """
    from ucap_cli.cli.views import View, check_export, load_selection, show
    from ucap_cli.render import timeline as render
    from ucap_cli.timeline import build_timeline

    check_export(export, output_format)
    matches, skipped = load_selection(records, filters)
    result = build_timeline(matches)
    view = View(
        name="ucap timeline",
        empty=not result.entries,
        empty_message=render.empty_message(),
        terminal=lambda: render.timeline_view(result, details=details),
        json=lambda: render.as_json(result),
        csv=lambda: render.as_csv(result),
        markdown=lambda: render.as_markdown(result, details=details),
    )
    show(view, output_format, export, skipped)


timeline.__doc__ = f"{timeline.__doc__}\n\n{ACTIVITY_FILTERS_HELP}"
