"""The one place consoles are made: colour and box drawing only on a real terminal."""

from __future__ import annotations

import io
import os
import sys
from typing import IO, TYPE_CHECKING, cast

if TYPE_CHECKING:
    from rich.console import Console


def wants_colour(stream: IO[str]) -> bool:
    """Colour when `stream` is a terminal, NO_COLOR is unset and TERM is not dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def make_console(
    *, stderr: bool = False, file: IO[str] | None = None, width: int | None = None
) -> Console:
    """A console for stdout (or stderr) that honours NO_COLOR, TERM=dumb and pipes."""
    from rich.console import Console  # imported here: plain output needs no Rich (start-up)

    stream = file or (sys.stderr if stderr else sys.stdout)
    terminal = wants_colour(stream)
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()):
        stream = cast("IO[str]", TrimmedLines(stream))  # Rich only writes, flushes and asks
    return Console(
        file=stream,
        width=width,
        force_terminal=terminal,
        no_color=not terminal,
        color_system="auto" if terminal else None,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
        legacy_windows=False,
    )


class TrimmedLines(io.TextIOBase):
    """A text stream that writes to `stream` every line without the spaces it ends with.

    Rich pads table cells and padded blocks with spaces to the full width: harmless on a
    terminal, but noise in a pipe, a file or a diff. Spaces that end a write are held back
    until it is known whether the line goes on.
    """

    def __init__(self, stream: IO[str]) -> None:
        """Wrap `stream`."""
        super().__init__()
        self._stream = stream
        self._spaces = ""  # written last, not yet known to be inside a line

    def write(self, text: str) -> int:
        """Write `text`, each line without its trailing spaces."""
        if not text:
            return 0
        lines = (self._spaces + text).split("\n")
        last = lines.pop()
        kept = last.rstrip(" ")
        self._spaces = last[len(kept) :]
        self._stream.write("".join(line.rstrip(" ") + "\n" for line in lines) + kept)
        return len(text)

    def flush(self) -> None:
        """Flush the stream (spaces held back stay held: they may end their line)."""
        self._stream.flush()

    def isatty(self) -> bool:
        """False: this stream is never a terminal."""
        return False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The encoding of the stream."""
        return getattr(self._stream, "encoding", None) or "utf-8"


def make_recording_console(width: int) -> Console:
    """A console that records what it prints, as a terminal shows it, for `--export` files."""
    from rich.console import Console

    return Console(
        file=io.StringIO(),
        record=True,
        width=width,
        force_terminal=True,
        color_system="truecolor",
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
        legacy_windows=False,
    )
