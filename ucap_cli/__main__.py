"""`python -m ucap_cli` and the `ucap` console script."""

from __future__ import annotations


def main() -> None:
    """Run the ucap command line."""
    import sys

    from ucap_cli.cli.app import COMMANDS, build_app

    # Register only the command being run: the others' modules need not be imported.
    command = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] in COMMANDS else None
    build_app(only=command)()


if __name__ == "__main__":
    main()
