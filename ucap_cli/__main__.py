"""`python -m ucap_cli` and the `ucap` console script."""

from __future__ import annotations


def main() -> None:
    """Run the ucap command line."""
    from ucap_cli.cli.app import app

    app()


if __name__ == "__main__":
    main()
