"""Record text is data: make control characters and escape sequences visible, never active."""

from __future__ import annotations

import re

# C0 and C1 controls (tab allowed) plus DEL, the line and paragraph separators (which break a
# line where TOML sees none), and the bidi overrides that can reorder a line.
_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
MAX_SHOWN = 10_000  # characters of one value that terminal and Markdown views show


def visible(text: str) -> str:
    """`text` with every control character written as a \\xNN / \\uNNNN escape."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(_escape, text)


def one_line(text: str, limit: int | None = MAX_SHOWN) -> str:
    """`text` on one line: newlines become spaces, other controls are escaped.

    Past `limit` characters the text is cut, saying how much was left out: laying out a
    value of megabytes would take a terminal view minutes (None: never cut, as CSV needs).
    """
    if limit is not None and len(text) > limit:
        text = f"{text[:limit]}… (+{len(text) - limit:,} characters)"
    return visible(" ".join(text.split("\n")).replace("\r", " "))


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
