"""`ucap changes REV [REV2]`: what changed in the records between two git revisions."""

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ucap_cli.cli.filters import with_filters
from ucap_cli.cli.options import NoCacheOption, RecordsOption
from ucap_cli.cli.views import ExportOption, format_option

if TYPE_CHECKING:
    from ucap_cli.views.query import Filters


@with_filters("results")
def changes(
    filters: "Filters",
    revision: Annotated[
        str,
        typer.Argument(
            metavar="REV",
            help="The revision to compare from: a commit, branch or tag (v2024-q3, HEAD~3).",
            show_default=False,
        ),
    ],
    to: Annotated[
        Optional[str],  # noqa: UP045 - Typer reads this annotation at run time
        typer.Argument(
            metavar="[REV2]",
            help="The revision to compare to (default: the working tree, uncommitted edits "
            "and new files included).",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[str, format_option("changes")] = "table",
    export: ExportOption = None,
    records: RecordsOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Show what changed in the records between two git revisions, as a report section.

    Records added, removed and moved; per record, its fields (title, period, lead city...),
    partners added and removed, activities added, removed and changed (status, date, title...
    old -> new, agreements added), and expected results whose status changed. Only the files
    git says changed are read. Activities have no id: an activity is recognised across
    revisions by its date, kind and title (see docs/changes.md). A record matching the filters
    at either revision is shown; activity-level filters also choose the activities whose
    changes are shown; --status is an expected result's status. A file with errors, or that
    is not TOML, at either revision is reported, and the exit status is 1.
    """
    from ucap_cli.cli.views import check_export, show_report
    from ucap_cli.config import load_config
    from ucap_cli.views.changes import build_changes

    check_export(export, output_format)
    report = build_changes(
        load_config(records=records), revision, to, filters, use_cache=not no_cache
    )
    show_report("changes", output_format, report, export=export)
