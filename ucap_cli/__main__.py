"""`python -m ucap_cli` and the `ucap` console script."""

from __future__ import annotations

from typing import NoReturn

INTERRUPTED = 130  # ExitCode.INTERRUPTED, without importing anything


def main() -> None:
    """Run the ucap command line."""
    # Everything, imports included, runs inside this `try`: Ctrl-C at any moment of start-up
    # (importing Typer, Rich and pydantic takes a while) is one line and exit 130.
    try:
        import os
        import sys

        # ucap's models are its own: pydantic need not look for plugins in every installed
        # package's metadata on each run (tens of milliseconds, for every commit's check).
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

        from ucap_cli.cli.app import COMMANDS, build_app

        # Register only the command being run: the others' modules need not be imported.
        command = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] in COMMANDS else None
        build_app(only=command)()
    except KeyboardInterrupt:
        _interrupted()
    except SystemExit as done:
        # Typer turns Ctrl-C while it parses the command line into a silent exit 130.
        if done.code == INTERRUPTED:
            _interrupted()
        raise


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
