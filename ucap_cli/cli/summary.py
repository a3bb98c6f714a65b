"""`ucap summary`: the programme at a glance for the matching records and activities."""

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from ucap_cli.cli.filters import with_filters
from ucap_cli.cli.options import FormatOption, NoCacheOption, OutputFormat, RecordsOption
from ucap_cli.cli.views import ACTIVITY_FILTERS_HELP, ExportOption

if TYPE_CHECKING:
    from ucap_cli.views.query import Filters


class Interval(str, Enum):  # noqa: UP042 - Typer needs a str Enum
    """How activities are counted over time."""

    year = "year"
    quarter = "quarter"
    month = "month"


@with_filters
def summary(
    filters: "Filters",
    output_format: FormatOption = OutputFormat.table,
    export: ExportOption = None,
    interval: Annotated[
        Interval, typer.Option("--interval", help="Count activities per year, quarter or month.")
    ] = Interval.year,
    records: RecordsOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Summarise the matching records and activities: where, on what, with whom, how much.

    Overview (records, lead and partner cities, countries, activities, agreements counting
    `count`, time span); activities per year/quarter/month and per kind; themes; all 17 SDGs
    and all 14 EU Urban Agenda topics with their counts; the city network (lead x partner:
    activities in which both take part); the organisations most often named; expected results
    by status. --format json gives the numbers behind every part (see the README).
    """
    from functools import partial

    from ucap_cli.cli.views import View, check_export, fold_selection, show
    from ucap_cli.render import summary as render
    from ucap_cli.views.summary import Tally, combine, tally_file

    check_export(export, output_format)
    tally: Tally | None
    tally, skipped = fold_selection(
        records, partial(tally_file, filters=filters), combine, use_cache=not no_cache
    )
    result = (tally or Tally()).summary(interval.value)
    view = View(
        name="ucap summary",
        empty=tally is None,
        empty_message=render.empty_message(),
        terminal=lambda: render.summary_view(result),
        json=lambda: [render.as_json(result).encode("utf-8")],
        csv=lambda: render.as_csv(result),
        markdown=lambda: render.as_markdown(result),
    )
    show(view, output_format, export, skipped)


summary.__doc__ = f"{summary.__doc__}\n\n{ACTIVITY_FILTERS_HELP}"
