"""JSON text for every view: exact data, readable outline, fast on large outputs.

`json.dumps(indent=...)` runs the pure-Python encoder (about 1.5 ms per record); the compact
C encoder is ten times faster. So the first `outline` levels are laid out one entry per line,
like `indent=2`, and everything deeper is written compactly: `ucap list --format json` is an
array with one record per line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ucap_cli.record.data import COMPACT as _COMPACT
from ucap_cli.record.data import encode, escape_unsafe

_INDENT = "  "
_BATCH = 512


def dumps(value: Any, *, outline: int = 64) -> str:
    """`value` as JSON; objects and arrays nested less than `outline` deep get a line per entry.

    Control and bidi characters are escaped as in `record.data.encode`."""
    return escape_unsafe(_dump(value, 0, outline))


def _dump(value: Any, level: int, outline: int) -> str:
    if level >= outline or not isinstance(value, dict | list) or not value:
        return _COMPACT.encode(value)
    pad = _INDENT * (level + 1)
    if isinstance(value, dict):
        entries = [
            f"{pad}{_COMPACT.encode(str(key))}: {_dump(item, level + 1, outline)}"
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(entries) + "\n" + _INDENT * level + "}"
    entries = [pad + _dump(item, level + 1, outline) for item in value]
    return "[\n" + ",\n".join(entries) + "\n" + _INDENT * level + "]"


def array_lines(items: Iterable[bytes], level: int = 0) -> Iterator[bytes]:
    """A JSON array of UTF-8 encoded values (`dumps(value, outline=0)`), one per line, in
    pieces: the text `dumps` gives for the array at depth `level` of an outline one level
    deeper, written without ever being held whole (pieces of up to _BATCH values)."""
    pad = (_INDENT * (level + 1)).encode()
    separator = b",\n" + pad
    opening = b"[\n" + pad
    batch: list[bytes] = []
    for item in items:
        batch.append(item)
        if len(batch) == _BATCH:
            yield opening + separator.join(batch)
            opening, batch = separator, []
    if batch:
        yield opening + separator.join(batch)
    elif opening != separator:  # nothing at all
        yield b"[]"
        return
    yield b"\n" + (_INDENT * level).encode() + b"]"


def encoded(value: Any) -> bytes:
    """`value` as one line of UTF-8 JSON: an item for `array_lines`."""
    return encode(value)
