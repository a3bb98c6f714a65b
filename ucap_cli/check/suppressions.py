"""`# ucap: ignore[CODE, ...]` comments: which problems a line asks not to be reported.

A comment applies to the problems located on its own (TOML) line. One that suppresses nothing
is itself reported (W308), as ruff reports an unused `noqa`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ucap_cli.check.problems import CODES
from ucap_cli.toml.lines import comments

_SUPPRESS = re.compile(r"#\s*ucap:\s*ignore\[([A-Za-z0-9,\s]+)\]")


@dataclass(frozen=True, slots=True)
class Suppression:
    """A `# ucap: ignore[CODE, ...]` comment: where it starts and the codes it names."""

    column: int
    codes: tuple[str, ...]


def suppressions(text: str) -> dict[int, Suppression]:
    """The suppression comments of TOML `text` by line; only real comments count, not the
    same words inside a string."""
    if "ucap:" not in text:  # the usual case: no comment to look for
        return {}
    found: dict[int, Suppression] = {}
    for comment in comments(text):
        match = _SUPPRESS.search(comment.text)
        if match is not None:
            codes = (code.strip().upper() for code in match.group(1).split(","))
            found[comment.line] = Suppression(
                comment.column + match.start(), tuple(dict.fromkeys(c for c in codes if c))
            )
    return found


def unused_message(unused: list[str]) -> str:
    """The W308 message for the codes of a comment that suppressed nothing."""
    message = f"# ucap: ignore[{', '.join(unused)}] suppresses nothing on this line"
    notes = []
    unknown = [code for code in unused if code not in CODES]
    if unknown:
        are = "is not a problem code" if len(unknown) == 1 else "are not problem codes"
        notes.append(f"{', '.join(unknown)} {are}")
    if "W308" in unused:
        notes.append("W308 itself cannot be suppressed by a comment")
    return message + (f" ({'; '.join(notes)})" if notes else "")
