"""Objects the unit tests need, built from record text without the CLI.

- `record_file(text, name="demo.toml", readable=True)`: a `RecordFile` parsed and validated
  from `text` as `check.loader.parse` does it (its path is `name`, which is never read).
- `valid_record(text)`: the `ValidRecord` of valid record text (fails if it is not valid).
- `status_of(file)`: the `FileStatus` the store gives a loaded file.
- `rendered(renderable, width=80)`: what a Rich renderable prints in a pipe `width` columns
  wide (no colour, lines without trailing spaces), as the commands print it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ucap_cli.check.loader import RecordFile, parse
from ucap_cli.check.result import FileStatus
from ucap_cli.record.model import ValidRecord
from ucap_cli.render.console import make_console


def record_file(
    text: str,
    name: str = "demo.toml",
    *,
    readable: bool = True,
    context: dict[str, Any] | None = None,
) -> RecordFile:
    """`text` parsed and validated as the content of the file `name`."""
    file = RecordFile(Path(name), name)
    parse(file, text, context or {}, readable=readable)
    return file


def valid_record(text: str) -> ValidRecord:
    """The record of valid record text."""
    file = record_file(text)
    assert file.ok, file.problems
    assert isinstance(file.record, ValidRecord)
    return file.record


def status_of(file: RecordFile) -> FileStatus:
    """The status the store gives a loaded file (as `store.collection` makes it)."""
    return FileStatus(
        file.path, file.display, file.declared_id, file.first_error, file.record is not None
    )


def rendered(renderable: Any, width: int = 80) -> str:
    """What `renderable` prints through ucap's console in a pipe `width` columns wide."""
    out = io.StringIO()
    make_console(file=out, width=width).print(renderable)
    return out.getvalue()
