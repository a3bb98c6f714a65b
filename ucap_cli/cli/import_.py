"""`ucap import`: a U-CAP one-page summary -> a draft record, guesses marked for checking."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from ucap_cli.cli.options import RecordsOption


def import_(
    summary: Annotated[
        Path,
        typer.Argument(
            metavar="SUMMARY", help="The U-CAP summary, as a text file ('-' reads stdin)."
        ),
    ],
    output: Annotated[
        Optional[Path],  # noqa: UP045 - Typer reads this annotation at run time
        typer.Option(
            "--output",
            "-o",
            help="Write the draft to this new file (default: print it).",
            show_default=False,
        ),
    ] = None,
    records: RecordsOption = None,
) -> None:
    """Turn a U-CAP summary into a draft record.

    Every field that could be read is filled in; every value that had to be guessed is
    marked `# TODO: check` (W309 until removed); what could not be placed is listed on
    stderr, with the draft's problems (at `<draft>:LINE:COL` when the draft is printed).
    Exit 1 when the draft has errors (it is written all the same, to be fixed).
    """
    from ucap_cli.authoring.edit import check, id_owner, write_draft
    from ucap_cli.authoring.importer import import_summary
    from ucap_cli.check.problems import Severity
    from ucap_cli.cli.add import report_warnings
    from ucap_cli.cli.output import write
    from ucap_cli.config import load_config
    from ucap_cli.errors import UsageError
    from ucap_cli.record.vocab import slug
    from ucap_cli.render.safe import one_line, visible
    from ucap_cli.toml.files import display_path, read_text

    config = load_config(records=records)
    stdin = str(summary) == "-"
    try:
        text = _read_stdin() if stdin else read_text(summary)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        reason = getattr(error, "strerror", None) or error
        raise UsageError(f"cannot read {'stdin' if stdin else summary}: {reason}") from None
    record_id = slug(output.stem) if output else None
    draft = import_summary(text, source="" if stdin else str(summary), record_id=record_id)
    target = output or config.records / f"{draft.record_id}.toml"
    # A printed draft is checked as if it were the record file it would become (for the
    # id/file name rule), but its problems name the draft: that file may hold another record.
    problems = check(target, draft.text, config, display=None if output else "<draft>")
    problems = [p for p in problems if p.code != "W309"]  # counted below, not listed
    if output:
        write_draft(config, draft.text, output)
        typer.echo(f"{visible(display_path(output))}: draft record {draft.record_id!r}", err=True)
    else:
        write(draft.text)
    typer.echo(f"{len(draft.guesses)} guessed values are marked '# TODO: check'", err=True)
    for note in draft.notes:
        typer.echo(f"note: {one_line(note)}", err=True)
    owner = id_owner(config, draft.record_id)
    if owner is not None and (output is None or owner.resolve() != output.resolve()):
        typer.echo(
            f"note: id {draft.record_id!r} is already used by {visible(display_path(owner))}: "
            "change it (and the file name) before adding the draft to the collection",
            err=True,
        )
    for item in draft.unplaced:
        typer.echo(f"not placed: {one_line(item)}", err=True)
    report_warnings(problems)
    errors = sum(p.severity is Severity.ERROR for p in problems)
    raise typer.Exit(1 if errors else 0)


def _read_stdin() -> str:
    import sys

    from ucap_cli.config import DEFAULT_MAX_FILE_SIZE

    raw = sys.stdin.buffer.read(DEFAULT_MAX_FILE_SIZE + 1)
    if len(raw) > DEFAULT_MAX_FILE_SIZE:
        raise ValueError(f"larger than the limit of {DEFAULT_MAX_FILE_SIZE:,} bytes")
    return raw.decode("utf-8-sig")
