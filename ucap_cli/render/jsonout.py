"""JSON text for every view: exact data, readable outline, fast on large outputs.

`json.dumps(indent=...)` runs the pure-Python encoder (about 1.5 ms per record); the compact
C encoder is ten times faster. So the first `outline` levels are laid out one entry per line,
like `indent=2`, and everything deeper is written compactly: `ucap list --format json` is an
array with one record per line.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

# DEL, C1 controls (\x9b is a CSI to some terminals) and bidi controls (they could reorder
# what a terminal shows) are written as \u escapes, which JSON's own encoder leaves raw;
# JSON readers get the same characters back.
_BIDI = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_INDENT = "  "
_BATCH = 512


def _default(value: object) -> str:
    if isinstance(value, dt.date | dt.time):  # TOML dates and times: as written, ISO
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON data")


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), default=_default)


def dumps(value: Any, *, outline: int = 64) -> str:
    """`value` as JSON; objects and arrays nested less than `outline` deep get a line per entry."""
    return _BIDI.sub(lambda m: f"\\u{ord(m.group()):04x}", _dump(value, 0, outline))


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
    return dumps(value, outline=0).encode("utf-8")
