"""`ucap timeline`: the matching activities in date order, grouped by year and month."""

from typing import TYPE_CHECKING, Annotated

import typer

from ucap_cli.cli.filters import with_filters
from ucap_cli.cli.options import NoCacheOption, RecordsOption
from ucap_cli.cli.views import ACTIVITY_FILTERS_HELP, ExportOption, format_option

if TYPE_CHECKING:
    from ucap_cli.views.query import Filters


@with_filters("activities")
def timeline(
    filters: "Filters",
    output_format: Annotated[str, format_option("timeline")] = "table",
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
    records' periods on a shared time axis comes first. CSV has one row per activity. A
    record with errors shows the activities that could be read, and a note names its error.
    """
    from ucap_cli.cli.views import check_export, show_report
    from ucap_cli.config import load_config
    from ucap_cli.render.progress import progress_on_stderr
    from ucap_cli.views.timeline import build_timeline

    check_export(export, output_format)
    with progress_on_stderr() as progress:
        report = build_timeline(
            load_config(records=records),
            filters,
            json=output_format == "json",
            progress=progress,
            use_cache=not no_cache,
        )
    show_report("timeline", output_format, report, details=details, export=export)


timeline.__doc__ = f"{timeline.__doc__}\n\n{ACTIVITY_FILTERS_HELP}"
