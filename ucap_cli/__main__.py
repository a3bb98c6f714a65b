"""`python -m ucap_cli` and the `ucap` console script."""

from __future__ import annotations

# Not even `typing` is imported before `main` runs: Ctrl-C is handled from its first line on.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import sys
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

            sys.unraisablehook = _unraisable

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


def _unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """Ctrl-C that lands in code Python runs on the side (a weak reference's callback while
    a module is imported, a `__del__`) cannot be raised: Python would print "Exception
    ignored" and go on as if nothing happened. End the run there, with the usual one line."""
    import os
    import sys

    if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
        _say_interrupted()
        # Every write is atomic: at worst a temporary file is left, which a later run removes.
        os._exit(INTERRUPTED)
    sys.__unraisablehook__(unraisable)


def _say_interrupted() -> None:
    """`ucap: interrupted` on stderr, unless the command already said so."""
    import sys

    app = sys.modules.get("ucap_cli.cli.app")
    if not getattr(app, "interrupt_reported", False):
        sys.stderr.write("ucap: interrupted\n")
        sys.stderr.flush()


def _interrupted() -> NoReturn:
    """Say `ucap: interrupted` once (unless the command already did) and exit 130."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt this
    _say_interrupted()
    raise SystemExit(INTERRUPTED)


if __name__ == "__main__":
    main()
