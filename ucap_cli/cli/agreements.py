"""`ucap agreements`: every agreement of the matching activities, one row each, with totals."""

from typing import TYPE_CHECKING, Annotated, Optional

from ucap_cli.cli.filters import with_filters
from ucap_cli.cli.options import NoCacheOption, RecordsOption
from ucap_cli.cli.views import ACTIVITY_FILTERS_HELP, format_option, limit_option

if TYPE_CHECKING:
    from ucap_cli.views.query import Filters


@with_filters("activities")
def agreements(
    filters: "Filters",
    output_format: Annotated[str, format_option("agreements")] = "table",
    limit: Annotated[Optional[int], limit_option("agreements")] = None,  # noqa: UP045
    records: RecordsOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """List every agreement signed in the matching activities: date (its activity's), record,
    activity, kind (MoU, cooperation agreement, letter of intent), parties, count and title,
    in date order; then the totals by kind and by year.

    One row is one agreement table of a record (an "entry"); `count` says how many agreements
    it stands for ("signs five MoUs" is one entry of 5), and the totals count both: "4
    agreement entries, 8 agreements". A record with errors shows the agreements that could be
    read, and a note names its error (exit 1).
    """
    from ucap_cli.cli.views import row_limit, show_report
    from ucap_cli.config import load_config
    from ucap_cli.render.progress import progress_on_stderr
    from ucap_cli.views.agreements import build_agreements

    with progress_on_stderr() as progress:
        report = build_agreements(
            load_config(records=records),
            filters,
            limit=row_limit(limit, output_format),
            progress=progress,
            use_cache=not no_cache,
        )
    show_report("agreements", output_format, report)


agreements.__doc__ = f"{agreements.__doc__}\n\n{ACTIVITY_FILTERS_HELP}"
