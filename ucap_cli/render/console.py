"""The one place consoles are made, and where colour is decided: colour and box drawing on a
real terminal, or where `--color always`, FORCE_COLOR or CLICOLOR_FORCE ask for them."""

from __future__ import annotations

import io
import os
import sys
from typing import IO, TYPE_CHECKING, Literal, cast

if TYPE_CHECKING:
    from rich.console import Console


COLOUR_CHOICES = ("auto", "always", "never")
_choice = "auto"  # the run's --color (set by the command layer)


def choose_colour(choice: str) -> None:
    """Set the run's `--color` choice: auto, always or never."""
    global _choice
    if choice not in COLOUR_CHOICES:
        raise ValueError(choice)
    _choice = choice


def colour_choice() -> str:
    """The run's `--color` choice."""
    return _choice


def _set(name: str) -> bool:
    """FORCE_COLOR / CLICOLOR_FORCE convention: set to anything but "" or "0"."""
    return os.environ.get(name, "") not in ("", "0")


def wants_colour(stream: IO[str]) -> bool:
    """The one rule for colour (and box drawing, Unicode bars): `--color always|never` first;
    then NO_COLOR (set, not empty) turns it off; FORCE_COLOR or CLICOLOR_FORCE (set, not
    empty, not "0") turn it on, even through a pipe; then TERM=dumb turns it off; else colour
    when `stream` is a terminal. (The order of CPython's own colour rule.)"""
    if _choice != "auto":
        return _choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if _set("FORCE_COLOR") or _set("CLICOLOR_FORCE"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return is_tty(stream)


def is_tty(stream: IO[str]) -> bool:
    """True when `stream` is a terminal."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed
        return False


def make_console(
    *,
    stderr: bool = False,
    file: IO[str] | None = None,
    width: int | None = None,
    colour: bool | None = None,
) -> Console:
    """A console for stdout (or stderr, or `file`) that follows `wants_colour`; `colour`, when
    given, decides instead (a buffer rendered for the terminal, as for the pager)."""
    from rich.console import Console  # imported here: plain output needs no Rich (start-up)

    stream = file or (sys.stderr if stderr else sys.stdout)
    terminal = wants_colour(stream) if colour is None else colour
    if colour is None and not is_tty(stream):
        stream = cast("IO[str]", TrimmedLines(stream))  # Rich only writes, flushes and asks
    return Console(
        file=stream,
        width=width,
        force_terminal=terminal,
        no_color=not terminal,
        color_system=_colour_system() if terminal else None,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
        legacy_windows=False,
    )


def _colour_system() -> Literal["auto", "standard"]:
    """Rich's guess from TERM and COLORTERM, except where it would guess none: colour that
    was asked for (TERM=dumb with --color always) is the basic 16 colours."""
    term = os.environ.get("TERM", "").strip().lower()
    return "standard" if term in ("dumb", "unknown") else "auto"


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
