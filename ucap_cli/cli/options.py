"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

RecordsOption = Annotated[
    Optional[Path],  # noqa: UP045 - Typer reads this annotation at run time
    typer.Option(
        "--records",
        help="Records folder (default: from ucap.toml / [tool.ucap], $UCAP_RECORDS, or records/).",
        show_default=False,
    ),
]
