"""Lines of record text as TOML counts them, and the comments written on them.

TOML ends a line at LF (or CRLF) only. `str.splitlines` also splits at U+2028, U+2029, U+0085,
\\v, \\f and \\x1c-\\x1e, which are ordinary characters of a TOML line: every line number ucap
shows, and every line a `# ucap: ignore[...]` comment applies to, is counted here instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Where a comment or a string may start; everything else is skipped by `re.search`.
_OPENING = re.compile(r"[\"'#]")
_IN_BASIC = re.compile(r'\\.|"|\n', re.DOTALL)  # an escape, the closing quote or the line end
_IN_MULTILINE_BASIC = re.compile(r'\\.|"""', re.DOTALL)


def toml_lines(text: str) -> list[str]:
    """`text` split into its TOML lines, without their line ends (LF, or CRLF).

    Like `str.splitlines`, a final line end starts no empty line (and "" has no lines).
    """
    if not text:
        return []
    lines = text.split("\n")
    if not lines[-1]:
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


@dataclass(frozen=True, slots=True)
class Comment:
    """A TOML comment: its 1-based line and column (in characters) and its text from `#`."""

    line: int
    column: int
    text: str


def comments(text: str) -> Iterator[Comment]:
    """The comments of TOML `text`, in order; a `#` inside a string (of any of the four
    kinds, keys included) is not one. Linear in the length of the text, even when it is not
    valid TOML (an unclosed string then runs to the end of its line, or of the text)."""
    line, counted = 1, 0  # the line number at offset `counted`
    at = 0
    end_of_text = len(text)
    while (found := _OPENING.search(text, at)) is not None:
        start = found.start()
        if found.group() == "#":
            end = text.find("\n", start)
            end = end_of_text if end < 0 else end
            line += text.count("\n", counted, start)
            counted = start
            line_start = text.rfind("\n", 0, start) + 1
            yield Comment(line, start - line_start + 1, text[start:end].rstrip("\r"))
            at = end
        else:
            at = _string_end(text, start)


def _string_end(text: str, start: int) -> int:
    """The offset just after the string that opens at `start`."""
    quote = text[start]
    if text.startswith(quote * 3, start):
        if quote == "'":
            close = text.find("'''", start + 3)
            if close < 0:
                return len(text)
            end = close + 3
        else:
            at = start + 3
            while True:
                found = _IN_MULTILINE_BASIC.search(text, at)
                if found is None:
                    return len(text)
                at = found.end()
                if found.group() == '"""':
                    break
            end = at
        # Up to two more quotes belong to the content: `"""a""""` holds `a"`.
        for _ in range(2):
            if text.startswith(quote, end):
                end += 1
        return end
    if quote == "'":
        close = text.find("'", start + 1)
        # The line end is looked for only up to the closing quote: linear on one long line.
        newline = text.find("\n", start + 1, len(text) if close < 0 else close)
        if newline >= 0:
            return newline
        return len(text) if close < 0 else close + 1
    at = start + 1
    while True:
        found = _IN_BASIC.search(text, at)
        if found is None:
            return len(text)
        if found.group() == "\n":
            return found.start()
        at = found.end()
        if found.group() == '"':
            return at
