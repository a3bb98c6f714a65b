"""What the view commands share: each view's `--format`, `--export`, and writing a report out.

A command parses its options, asks the core for the view's `Report`, and hands it to
`show_report`, which finds the writer in the format registry, prints (or exports) what it
writes, adds the notes that belong on stderr, and exits: 1 when a record has errors.
"""

from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional

import typer

from ucap_cli.render.registry import formats

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
    "aliases included); --kind, --org, --since/--until/--during, --search and --status (an "
    "activity's status: done, planned or cancelled) likewise keep the activities that match. "
    "Record-level filters (--sdg, --topic, --theme, --country, --programme) choose the "
    "records whose activities are shown."
)


def format_option(view: str, default: str | None = None) -> Any:
    """The `--format/-f` option of `view`: its formats, from the registry (`default` says
    which is the default, when it is not the first)."""
    choices = formats(view)

    def check(value: str | None) -> str | None:
        if value is not None and value not in choices:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(choices)}.")
        return value

    return typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        callback=check,
        autocompletion=lambda: list(choices),
        help=f"{', '.join(choices)} (default: {default or choices[0]}).",
        show_default=False,
    )


def check_export(export: Path | None, output_format: str) -> None:
    """Usage errors of `--export`, raised before anything is loaded."""
    if export is None:
        return
    from ucap_cli.errors import UsageError
    from ucap_cli.render.export import export_kind

    export_kind(export)
    if output_format != "table":
        raise UsageError(
            f"--export saves the terminal view; it cannot be combined with --format {output_format}"
        )


def show_report(
    view: str,
    output_format: str,
    report: Any,
    *,
    details: bool = False,
    export: Path | None = None,
) -> NoReturn:
    """Write `report` (a view's `Report`) in `output_format`, then the notes on stderr: why
    the cache was not used, the files left out, a hint when records have errors. Exit 1 when
    a file has errors, else 0."""
    from ucap_cli.cli.output import emit, report_warning, stderr_lines

    report_warning(report.cache_warning)
    saved = emit(view, output_format, report, details=details, export=export, title=f"ucap {view}")
    stderr_lines([*problem_notes(report), *saved])
    raise typer.Exit(1 if report.files else 0)


def problem_notes(report: Any) -> list[str]:
    """The lines for stderr about a report's files with errors: each file left out, and a
    hint when records with errors are in the view."""
    from ucap_cli.render.safe import one_line, visible
    from ucap_cli.render.tabular import ERROR_HINT

    notes = [
        f"ucap: skipped {visible(f.display)}:{f.error.line}:{f.error.column}: "
        f"{f.error.code} {one_line(f.error.message)}"
        for f in report.left_out
        if f.error is not None
    ]
    if notes:
        notes.append("  hint: run `ucap validate` for every problem")
    if report.flagged:
        notes.append(ERROR_HINT)
    return notes
