"""Writing to the terminal from the command layer: errors, plain text, Rich renderables."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ucap_cli.errors import UcapError


def report_error(error: UcapError) -> None:
    """`ucap: error: message` (and a hint line) on stderr."""
    from ucap_cli.render.safe import visible

    lines = [f"ucap: error: {visible(str(error))}"]
    if error.hint:
        lines.append(f"  hint: {visible(error.hint)}")
    sys.stderr.write("\n".join(lines) + "\n")


def report_warning(message: str | None) -> None:
    """`ucap: warning: message` on stderr, when there is a message."""
    if message is None:
        return
    from ucap_cli.render.safe import visible

    sys.stderr.write(f"ucap: warning: {visible(message)}\n")


def write(text: str) -> None:
    """Plain text to stdout, with a final newline."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def write_pieces(pieces: Iterable[bytes]) -> None:
    """UTF-8 text given in pieces to stdout, with a final newline: large output (held as bytes,
    half the memory of text with any CJK in it) is never joined whole."""
    sys.stdout.flush()
    out = sys.stdout.buffer
    for piece in pieces:
        out.write(piece)
    out.write(b"\n")
    out.flush()


def stderr_lines(lines: Iterable[str]) -> None:
    """Each line on stderr (already made safe)."""
    sys.stderr.write("".join(f"{line}\n" for line in lines))


def emit(
    view: str,
    output_format: str,
    data: Any,
    *,
    details: bool = False,
    export: Path | None = None,
    title: str = "",
) -> list[str]:
    """Write `data` as the registry's writer of `view` in `output_format` writes it: text and
    pieces to stdout, a terminal view through the console (or to the `--export` file). The
    lines to add on stderr (a view that has nothing to show, the file saved)."""
    from ucap_cli.render.registry import Options, Screen, writer

    terminal = sys.stdout.isatty()
    output = writer(view, output_format)(data, Options(terminal=terminal, details=details))
    if isinstance(output, str):
        sys.stdout.write(output)
        return []
    if not isinstance(output, Screen):
        write_pieces(output)
        return []
    notes = [output.empty] if output.empty else []
    if output.renderable is None:
        return notes
    from ucap_cli.render.console import make_console

    console = make_console()
    if export is not None:
        from ucap_cli.render.export import export_document, export_kind
        from ucap_cli.render.safe import visible
        from ucap_cli.toml.write import atomic_write

        document = export_document(
            output.renderable, export_kind(export), width=console.width, title=title
        )
        atomic_write(export, document.encode("utf-8"))
        return [*notes, f"saved {visible(str(export))}"]
    if isinstance(output.renderable, list):
        for line in output.renderable:
            console.print(line, soft_wrap=output.soft_wrap)
    else:
        console.print(output.renderable, soft_wrap=output.soft_wrap)
    return notes
