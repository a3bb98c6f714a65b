"""What the activity views (`timeline`, `summary`) share: selection, formats and `--export`."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional

import typer

from ucap_cli.cli.options import OutputFormat

if TYPE_CHECKING:
    from ucap_cli.query import Filters, Match

ExportOption = Annotated[
    Optional[Path],  # noqa: UP045 - Typer reads this annotation at run time
    typer.Option(
        "--export",
        metavar="FILE",
        help="Save the terminal view, colours included, to FILE.svg, FILE.html or FILE.txt "
        "(for slides and reports) instead of printing it.",
        show_default=False,
        dir_okay=False,
    ),
]

ACTIVITY_FILTERS_HELP = (
    "Filters in this activity view: activity-level filters apply to each activity. --city "
    "keeps the activities in which that city takes part (named in their cities or where, "
    "aliases included); --kind, --org, --since/--until/--during and --search likewise keep "
    "the activities that match. Record-level filters (--sdg, --topic, --theme, --country, "
    "--programme, --status) choose the records whose activities are shown."
)


@dataclass(frozen=True)
class View:
    """One result in every format; the callables are only called for the format asked for."""

    name: str  # "ucap timeline", "ucap summary": the export's title
    empty: bool
    empty_message: str
    terminal: Callable[[], Any]  # a Rich renderable
    json: Callable[[], str]
    csv: Callable[[], str]
    markdown: Callable[[], str]


def check_export(export: Path | None, output_format: OutputFormat) -> None:
    """Usage errors of `--export`, raised before anything is loaded."""
    if export is None:
        return
    from ucap_cli.errors import UsageError
    from ucap_cli.render.export import export_kind

    export_kind(export)
    if output_format is not OutputFormat.table:
        raise UsageError(
            f"--export saves the terminal view; it cannot be combined with --format "
            f"{output_format.value}"
        )


def load_selection(records: Path | None, filters: "Filters") -> tuple[list["Match"], list[str]]:
    """The records and activities the filters select, and a stderr line per skipped file."""
    from ucap_cli.collection import load_collection
    from ucap_cli.config import load_config
    from ucap_cli.query import select_activities
    from ucap_cli.render.progress import progress_on_stderr
    from ucap_cli.render.records import skipped_lines

    with progress_on_stderr() as progress:
        collection = load_collection(
            load_config(records=records), progress=progress, keep_data=False
        )
    return select_activities(collection.files, filters), skipped_lines(collection.files)


def show(
    view: View, output_format: OutputFormat, export: Path | None, skipped: list[str]
) -> NoReturn:
    """Print (or export) the view, then the notes on stderr; exit 1 when a file was skipped."""
    import sys

    from ucap_cli.cli.output import write
    from ucap_cli.console import make_console

    notes = list(skipped)
    if output_format is OutputFormat.json:
        write(view.json())
    elif output_format is OutputFormat.csv:
        sys.stdout.write(view.csv())
    elif output_format is OutputFormat.markdown:
        write(view.markdown())
    elif view.empty:
        notes.append(view.empty_message)
    elif export is not None:
        from ucap_cli.render.export import export_document, export_kind
        from ucap_cli.write import atomic_write

        document = export_document(
            view.terminal(), export_kind(export), width=make_console().width, title=view.name
        )
        atomic_write(export, document.encode("utf-8"))
        notes.append(f"saved {export}")
    else:
        make_console().print(view.terminal())
    sys.stderr.write("".join(f"{line}\n" for line in notes))
    raise typer.Exit(1 if skipped else 0)
