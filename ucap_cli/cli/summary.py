"""`ucap summary`: the programme at a glance for the matching records and activities."""

from typing import TYPE_CHECKING, Annotated, cast

import typer

from ucap_cli.cli.filters import with_filters
from ucap_cli.cli.options import NoCacheOption, RecordsOption
from ucap_cli.cli.views import ACTIVITY_FILTERS_HELP, ExportOption, format_option

if TYPE_CHECKING:
    from ucap_cli.views.query import Filters


def _granularity(value: str) -> str:
    from ucap_cli.views.summary import GRANULARITIES

    if value not in GRANULARITIES:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(GRANULARITIES)}.")
    return value


@with_filters("activities")
def summary(
    filters: "Filters",
    output_format: Annotated[str, format_option("summary")] = "table",
    export: ExportOption = None,
    interval: Annotated[
        str,
        typer.Option(
            "--interval",
            metavar="year|quarter|month",
            callback=_granularity,
            help="Count activities per year, quarter or month.",
        ),
    ] = "year",
    records: RecordsOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Summarise the matching records and activities: where, on what, with whom, how much.

    Overview (records, lead and partner cities, countries, activities, agreements counting
    `count`, time span); activities per year/quarter/month and per kind; themes; all 17 SDGs
    and all 14 EU Urban Agenda topics with their counts; the city network (lead x partner:
    activities in which both take part); the organisations most often named; expected results
    by status. Under an activity filter the cities are those taking part in the matching
    activities. Records with errors are counted as far as they could be read, and a note names
    their errors. --format json gives the numbers behind every part (see docs/views.md).
    """
    from ucap_cli.cli.views import check_export, show_report
    from ucap_cli.config import load_config
    from ucap_cli.render.progress import progress_on_stderr
    from ucap_cli.views.summary import Granularity, build_summary

    check_export(export, output_format)
    with progress_on_stderr() as progress:
        report = build_summary(
            load_config(records=records),
            filters,
            interval=cast("Granularity", interval),  # one of them: _granularity checked it
            progress=progress,
            use_cache=not no_cache,
        )
    show_report("summary", output_format, report, export=export)


summary.__doc__ = f"{summary.__doc__}\n\n{ACTIVITY_FILTERS_HELP}"
