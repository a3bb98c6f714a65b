"""`python -m ucap_cli` and the `ucap` console script."""

from __future__ import annotations


def main() -> None:
    """Run the ucap command line."""
    import os
    import sys

    # ucap's models are its own: pydantic need not look for plugins in every installed
    # package's metadata on each run (tens of milliseconds, for every commit's check).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

    from ucap_cli.cli.app import COMMANDS, build_app

    # Register only the command being run: the others' modules need not be imported.
    command = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] in COMMANDS else None
    build_app(only=command)()


if __name__ == "__main__":
    main()
