"""What the view commands share: each view's `--format`, `-o FILE`, `--export`, and writing a
report out.

A command parses its options, asks the core for the view's `Report`, and hands it to
`show_report`, which finds the writer in the format registry, prints (or saves) what it
writes, adds the notes that belong on stderr, and exits: 1 when a record has errors.

Every command that has writers in the registry gets `-o/--output FILE` from `with_output`
(the application applies it when it registers the command): the command itself never sees
the option, only the format it implies, and `emit` writes to the file.
"""

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional, TypeVar

import typer

from ucap_cli.render.registry import formats, suffixes

F = TypeVar("F", bound=Callable[..., Any])

ExportOption = Annotated[
    Optional[Path],  # noqa: UP045 - Typer reads this annotation at run time
    typer.Option(
        "--export",
        metavar="FILE",
        help="Kept as an alias of -o FILE for the terminal view: FILE.svg, FILE.html or "
        "FILE.txt, colours included (for slides and reports).",
        show_default=False,
        dir_okay=False,
    ),
]

TERMINAL_LIMIT = 50  # rows a terminal table shows by default, as `gh` does


def limit_option(rows: str) -> Any:
    """The `--limit N` option of a view of `rows` (list, agreements, results)."""
    return typer.Option(
        "--limit",
        min=0,
        metavar="N",
        help=f"At most N {rows}; 0 for all. Default: all, or {TERMINAL_LIMIT} in a terminal "
        "table (the output says how many matched; totals count them all).",
        show_default=False,
    )


def row_limit(limit: int | None, output_format: str) -> int | None:
    """The rows to show: `limit` when given (0: all), else TERMINAL_LIMIT for a table on a
    terminal, else all (None)."""
    from ucap_cli.cli.output import to_terminal

    if limit is None and output_format == "table" and to_terminal():
        limit = TERMINAL_LIMIT
    return limit or None


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
    """The lines for stderr about a report's files with errors: each file left out, and how
    many records have errors."""
    from ucap_cli.render.safe import one_line, visible
    from ucap_cli.render.tabular import error_hint

    notes = [
        f"ucap: skipped {visible(f.display)}:{f.error.line}:{f.error.column}: "
        f"{f.error.code} {one_line(f.error.message)}"
        for f in report.left_out
        if f.error is not None
    ]
    if notes:
        notes.append("  hint: run `ucap validate` for every problem")
    if report.flagged:
        notes.append(error_hint(len(report.flagged)))
    return notes


# --------------------------------------------------------------------------- -o FILE

OUTPUT = "output"  # the parameter `with_output` adds


def extensions(view: str) -> str:
    """The extensions `-o` takes for `view`: '.json (json), .csv (csv), .md/.markdown
    (markdown), .txt/.svg/.html/.htm (the terminal view)'."""
    names = {"table": "the terminal view"}
    return ", ".join(
        f"{'/'.join(ends)} ({names.get(name, name)})" for name, ends in suffixes(view).items()
    )


def output_help(view: str) -> str:
    """The help of `-o` for `view`: the extensions it takes, format by format."""
    return (
        "Write the output to FILE instead of printing it, atomically (a failed write leaves "
        f"FILE as it was). The format comes from the extension: {extensions(view)}; "
        "--format, when given, wins over the extension."
    )


def with_output(view: str, command: F) -> F:
    """`command` (the Typer function of `view`) with the `-o/--output FILE` option.

    Before the command runs, the format is settled: `--format` when given, else the one
    FILE's extension names (`registry.format_of_suffix`; one no format of the view has is a
    usage error naming them), else the command's default. The command then runs with the
    file set for `emit` (see `cli.output.output_to`). A command that has its own `-o` or
    `--output` is left as it is.
    """
    signature = inspect.signature(command, eval_str=True)
    params = list(signature.parameters.values())
    if any(p.name == OUTPUT or _declares(p, ("-o", "--output")) for p in params):
        return command
    chosen = next((p for p in params if _declares(p, ("--format",))), None)
    if chosen is None:
        return command
    default = chosen.default
    info = typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help=output_help(view),
        show_default=False,
        dir_okay=False,
    )
    added = inspect.Parameter(
        OUTPUT,
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[Optional[Path], info],  # noqa: UP045
    )
    # None: --format was not given (only then does the extension choose).
    unset = chosen.replace(default=None, annotation=_optional(chosen.annotation))
    own = [unset if p.name == chosen.name else p for p in params]
    keyword = [p for p in own if p.kind is inspect.Parameter.KEYWORD_ONLY]
    positional = [p for p in own if p.kind is not inspect.Parameter.KEYWORD_ONLY]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ucap_cli.cli.output import output_to

        output: Path | None = kwargs.pop(OUTPUT, None)
        given = kwargs.get(chosen.name)
        kwargs[chosen.name] = format_for(view, given, output, default)
        if output is not None and kwargs.get("export") is not None:
            from ucap_cli.errors import UsageError

            raise UsageError("-o and --export both name a file: give one (--export is -o's alias)")
        with output_to(output):
            return command(*args, **kwargs)

    if hasattr(wrapper, "__wrapped__"):
        del wrapper.__wrapped__  # Typer must see the new signature, not the command's
    new = signature.replace(parameters=[*positional, *keyword, added])
    wrapper.__signature__ = new  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in new.parameters.values()}
    return wrapper  # type: ignore[return-value]


def format_for(view: str, given: str | None, output: Path | None, default: Any) -> Any:
    """The format a run of `view` writes in: `given` (--format) when set; else, with an
    output file, the format its extension names; else `default`."""
    if given is not None:
        return given
    if output is None:
        return default
    from ucap_cli.errors import UsageError
    from ucap_cli.render.registry import format_of_suffix

    found = format_of_suffix(view, output.suffix)
    if found is None:
        what = f"{output.suffix!r} files" if output.suffix else "files without an extension"
        raise UsageError(
            f"-o: ucap {view} cannot tell the format of {what}: it writes {extensions(view)}",
            hint="name the file with one of these extensions, or give --format",
        )
    return found


def _declares(parameter: inspect.Parameter, names: tuple[str, ...]) -> bool:
    """True when `parameter` is a Typer option named by one of `names`."""
    for info in getattr(parameter.annotation, "__metadata__", ()):
        if isinstance(info, typer.models.OptionInfo):
            declared = (info.default, *(info.param_decls or ()))
            return any(name in declared for name in names)
    return False


def _optional(annotation: Any) -> Any:
    """`Annotated[X, info]` as `Annotated[Optional[X], info]`."""
    metadata = getattr(annotation, "__metadata__", None)
    if metadata is None:
        return annotation
    return Annotated[(Optional[annotation.__origin__], *metadata)]  # noqa: UP045
