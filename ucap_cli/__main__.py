"""`python -m ucap_cli` and the `ucap` console script."""

from __future__ import annotations

from typing import NoReturn

INTERRUPTED = 130  # ExitCode.INTERRUPTED, without importing anything


def main() -> None:
    """Run the ucap command line."""
    # Everything, imports included, runs inside these `try`s: Ctrl-C at any moment (importing
    # Typer, Rich and pydantic is a good part of a short run) is one line and exit 130.
    try:
        try:
            import os
            import sys

            # ucap's models are its own: pydantic need not look for plugins in every installed
            # package's metadata on each run (tens of milliseconds, for every commit's check).
            os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

            from ucap_cli.cli.app import COMMANDS, build_app

            # Register only the command being run: the others' modules need not be imported.
            first = _command_word(sys.argv[1:])
            build_app(only=first if first in COMMANDS else None)()
        except SystemExit as done:
            if done.code == INTERRUPTED:  # Typer ends Ctrl-C while it parses silently
                raise KeyboardInterrupt from None
            _finished()
            raise
        _finished()
    except KeyboardInterrupt:
        _interrupted()


def _command_word(args: list[str]) -> str | None:
    """The command in `args`, past the run options that may come before it
    (`ucap --color never --no-pager show ...`)."""
    rest = iter(args)
    for arg in rest:
        if arg == "--color":
            next(rest, None)
        elif not (arg.startswith("--color=") or arg == "--no-pager"):
            return arg
    return None


def _finished() -> None:
    """The command is done: its output is flushed, and a Ctrl-C from now on changes nothing
    (the interpreter, tearing down, would die of it with no word, after the work was done)."""
    import contextlib
    import signal
    import sys

    with contextlib.suppress(OSError, ValueError):  # a closed pipe is reported elsewhere
        sys.stdout.flush()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _interrupted() -> NoReturn:
    """Say `ucap: interrupted` once (unless the command already did) and exit 130."""
    import signal
    import sys

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt this
    app = sys.modules.get("ucap_cli.cli.app")
    if not getattr(app, "interrupt_reported", False):
        sys.stderr.write("ucap: interrupted\n")
        sys.stderr.flush()
    raise SystemExit(INTERRUPTED)


if __name__ == "__main__":
    main()
