"""The one place consoles are made: colour and box drawing only on a real terminal."""

from __future__ import annotations

import io
import os
import sys
from typing import IO, TYPE_CHECKING

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
