"""A progress bar on stderr for long runs on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ucap_cli.console import make_console, wants_colour

MIN_FILES = 200  # below this a run is too short for a bar to help


@contextmanager
def progress_on_stderr() -> Iterator[Callable[[int, int], None] | None]:
    """Yield a `progress(done, total)` callback when stderr is a terminal, else None."""
    if not wants_colour(sys.stderr):
        yield None
        return
    from rich.progress import Progress

    with Progress(console=make_console(stderr=True), transient=True) as bar:
        task = bar.add_task("checking", total=None)

        def advance(done: int, total: int) -> None:
            if total >= MIN_FILES and (done % 50 == 0 or done == total):
                bar.update(task, completed=done, total=total)

        yield advance
