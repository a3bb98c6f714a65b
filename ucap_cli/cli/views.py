"""What the activity views (`timeline`, `summary`) share: selection, formats and `--export`."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional, TypeVar

import typer

from ucap_cli.cli.options import OutputFormat

if TYPE_CHECKING:
    from ucap_cli.check.loader import RecordFile

T = TypeVar("T")

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
    json: Callable[[], Iterable[bytes]]  # UTF-8, in pieces
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


def reduce_selection(
    records: Path | None, reduce: Callable[["RecordFile"], T | None], *, use_cache: bool = True
) -> tuple[list[T], list[str]]:
    """`reduce` of each file of the records folder (none kept when it returns None), and a
    stderr line per skipped file."""
    from ucap_cli.cli.output import report_warning
    from ucap_cli.config import load_config
    from ucap_cli.render.progress import progress_on_stderr
    from ucap_cli.render.records import skip_notes
    from ucap_cli.store.collection import reduce_collection

    with progress_on_stderr() as progress:
        reduced, cache_warning = reduce_collection(
            load_config(records=records), reduce, progress, use_cache=use_cache
        )
    report_warning(cache_warning)
    products = [r.product for r in reduced if r.product is not None]
    return products, skip_notes(r.skipped for r in reduced if r.skipped)


def fold_selection(
    records: Path | None,
    reduce: Callable[["RecordFile"], Any],  # a product, or None
    fold: Callable[[list[Any]], Any],  # products -> one product
    *,
    use_cache: bool = True,
) -> tuple[Any, list[str]]:
    """`fold` of `reduce` of each file of the records folder (None when no file gave one), and
    a stderr line per skipped file."""
    from ucap_cli.cli.output import report_warning
    from ucap_cli.config import load_config
    from ucap_cli.render.progress import progress_on_stderr
    from ucap_cli.render.records import skip_notes
    from ucap_cli.store.collection import fold_collection

    with progress_on_stderr() as progress:
        folded, skipped, cache_warning = fold_collection(
            load_config(records=records), reduce, fold, progress, use_cache=use_cache
        )
    report_warning(cache_warning)
    return folded, skip_notes(skipped)


def show(
    view: View, output_format: OutputFormat, export: Path | None, skipped: list[str]
) -> NoReturn:
    """Print (or export) the view, then the notes on stderr; exit 1 when a file was skipped."""
    import sys

    from ucap_cli.cli.output import write, write_pieces
    from ucap_cli.render.console import make_console

    notes = list(skipped)
    if output_format is OutputFormat.json:
        write_pieces(view.json())
    elif output_format is OutputFormat.csv:
        sys.stdout.write(view.csv())
    elif output_format is OutputFormat.markdown:
        write(view.markdown())
    elif view.empty:
        notes.append(view.empty_message)
    elif export is not None:
        from ucap_cli.render.export import export_document, export_kind
        from ucap_cli.toml.write import atomic_write

        document = export_document(
            view.terminal(), export_kind(export), width=make_console().width, title=view.name
        )
        atomic_write(export, document.encode("utf-8"))
        from ucap_cli.render.safe import visible

        notes.append(f"saved {visible(str(export))}")
    else:
        make_console().print(view.terminal())
    sys.stderr.write("".join(f"{line}\n" for line in notes))
    raise typer.Exit(1 if skipped else 0)
