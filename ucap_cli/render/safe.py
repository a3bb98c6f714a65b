"""Record text is data: make control characters and escape sequences visible, never active."""

from __future__ import annotations

import re

# C0 and C1 controls (tab allowed) plus DEL, and the bidi overrides that can reorder a line.
_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """`text` with every control character written as a \\xNN / \\uNNNN escape."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(_escape, text)


def one_line(text: str) -> str:
    """`text` on one line: newlines become spaces, other controls are escaped."""
    return visible(" ".join(text.split("\n")).replace("\r", " "))


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
