"""A progress bar on stderr for long runs on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from ucap_cli.render.console import is_tty, make_console, wants_colour

MIN_FILES = 200  # below this a run is too short for a bar to help


@contextmanager
def progress_on_stderr() -> Iterator[Callable[[int, int], None] | None]:
    """Yield a `progress(done, total)` callback when stderr is a terminal with colour (not
    merely forced colour: a bar in a log is noise), else None.

    The bar appears only once a run turns out to have at least MIN_FILES files.
    """
    if not (is_tty(sys.stderr) and wants_colour(sys.stderr)):  # a bar is for a person
        yield None
        return
    with ExitStack() as stack:
        state: dict[str, Any] = {}

        def advance(done: int, total: int) -> None:
            if total < MIN_FILES or not (done % 50 == 0 or done == total):
                return
            if "bar" not in state:
                from rich.progress import Progress

                bar = stack.enter_context(
                    Progress(console=make_console(stderr=True), transient=True)
                )
                state["bar"], state["task"] = bar, bar.add_task("checking", total=total)
            state["bar"].update(state["task"], completed=done)

        yield advance
