"""Writing to the terminal from the command layer: errors, plain text, Rich renderables."""

from __future__ import annotations

import sys
from collections.abc import Iterable

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
