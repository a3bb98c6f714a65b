"""A record's data as JSON: the exact values of the file, dates as the ISO text they were.

The JSON form of a record (and of what views make of it) is data, not presentation: it is
encoded where a record is loaded, in worker processes when there are many, and the writers
only frame the pieces (`render/jsonout`). DEL, C1 controls (`\\x9b` is a CSI to some
terminals) and bidi controls (they could reorder what a terminal shows) are written as `\\u`
escapes, which JSON's own encoder leaves raw; JSON readers get the same characters back.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

_UNSAFE = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def as_data(value: Any) -> Any:
    """TOML data -> JSON data: dates and times become the ISO strings they were written as."""
    if isinstance(value, dict):
        return {key: as_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_data(item) for item in value]
    if isinstance(value, dt.date | dt.time):  # dt.datetime is a dt.date
        return value.isoformat()
    return value


def _default(value: object) -> str:
    if isinstance(value, dt.date | dt.time):  # TOML dates and times: as written, ISO
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON data")


COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), default=_default)


def escape_unsafe(text: str) -> str:
    """JSON text with DEL, C1 and bidi controls written as `\\u` escapes."""
    if text.isascii() and "\x7f" not in text:  # most text: nothing to look for
        return text
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def encode(value: Any) -> bytes:
    """`value` as one line of UTF-8 JSON (the C encoder: ten times the pure-Python one)."""
    return escape_unsafe(COMPACT.encode(value)).encode("utf-8")
