"""`ucap results`: every expected result of the matching records, with totals by status."""

from typing import TYPE_CHECKING, Annotated, Optional

from ucap_cli.cli.filters import with_filters
from ucap_cli.cli.options import NoCacheOption, RecordsOption
from ucap_cli.cli.views import format_option, limit_option

if TYPE_CHECKING:
    from ucap_cli.views.query import Filters


@with_filters("results")
def results(
    filters: "Filters",
    output_format: Annotated[str, format_option("results")] = "table",
    limit: Annotated[Optional[int], limit_option("expected results")] = None,  # noqa: UP045
    records: RecordsOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """List every expected result of the matching records: record, theme, status, text and
    organisations, in the records' order; then the totals by status.

    --status keeps the expected results of that status (planned, in-progress, achieved,
    dropped); the other filters choose records, as in `ucap list`. A record with errors
    shows the expected results that could be read, and a note names its error (exit 1).
    """
    from ucap_cli.cli.views import row_limit, show_report
    from ucap_cli.config import load_config
    from ucap_cli.render.progress import progress_on_stderr
    from ucap_cli.views.results import build_results

    with progress_on_stderr() as progress:
        report = build_results(
            load_config(records=records),
            filters,
            limit=row_limit(limit, output_format),
            progress=progress,
            use_cache=not no_cache,
        )
    show_report("results", output_format, report)
