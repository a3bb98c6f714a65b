"""ucap_cli/render/safe.py: record text shown on a terminal is data, never an escape sequence."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ucap_cli.render.safe import MAX_SHOWN, one_line, visible

# C0 controls but tab (newline included), DEL, C1, the line and paragraph separators and the
# bidi controls: what may never reach a terminal raw.
UNSAFE = [
    *map(chr, [*range(0x00, 0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0)]),
    "\u2028",
    "\u2029",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("a\x07b", "a\\x07b"),
        ("\x9b1m", "\\x9b1m"),
        ("\x7f", "\\x7f"),
        ("Lyon\u2028Graz", "Lyon\\u2028Graz"),
        ("\u202eevil", "\\u202eevil"),
        ("a\nb", "a\\x0ab"),
    ],
)
def test_visible_escapes_controls(text: str, shown: str) -> None:
    assert visible(text) == shown


def test_visible_keeps_tabs_and_all_other_text() -> None:
    text = "Málaga\t郑州 \u2013 🚀 «Œuvre» ß ﬁ"
    assert visible(text) is text  # nothing to escape: the very string


@given(st.text())
def test_nothing_unsafe_is_left_and_nothing_else_changes(text: str) -> None:
    shown = visible(text)
    assert not any(char in shown for char in UNSAFE)
    if not any(char in text for char in UNSAFE):
        assert shown == text


def test_one_line_joins_lines_and_escapes_the_rest() -> None:
    assert one_line("first\nsecond\r\nthird") == "first second  third"
    assert one_line("a\x1b[31mred") == "a\\x1b[31mred"


def test_one_line_cuts_a_long_value_and_says_how_much_was_left_out() -> None:
    text = "x" * (MAX_SHOWN + 1234)
    assert one_line(text) == "x" * MAX_SHOWN + "… (+1,234 characters)"
    assert one_line("abcdef", limit=3) == "abc… (+3 characters)"
    assert one_line("abc", limit=3) == "abc"
    assert one_line(text, limit=None) == text  # CSV cells are never cut
