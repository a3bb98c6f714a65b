"""ucap_cli/render/jsonout.py: JSON text for every view, an outline over compact values, and
large arrays written in pieces; exact data whatever it holds."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ucap_cli.render.jsonout import array_lines, dumps, encoded

VALUE: dict[str, Any] = {
    "id": "demo",
    "sdgs": [9, 11],
    "city": {"name": "Málaga", "tags": []},
    "activities": [{"date": "2017-06", "cities": ["Lyon", "GRZ"]}],
    "none": None,
    "empty": {},
}


def test_a_full_outline_is_indent_2() -> None:
    assert dumps(VALUE) == json.dumps(VALUE, indent=2, ensure_ascii=False)


def test_deeper_than_the_outline_is_compact() -> None:
    assert dumps(VALUE, outline=1) == (
        "{\n"
        '  "id": "demo",\n'
        '  "sdgs": [9, 11],\n'
        '  "city": {"name": "Málaga", "tags": []},\n'
        '  "activities": [{"date": "2017-06", "cities": ["Lyon", "GRZ"]}],\n'
        '  "none": null,\n'
        '  "empty": {}\n'
        "}"
    )
    assert dumps([1, [2, [3]]], outline=0) == "[1, [2, [3]]]"
    assert dumps("text") == '"text"'


def test_controls_are_escaped_and_read_back_exactly() -> None:
    text = 'a\u202eb\x9bc\x7fd\u2066e\n"郑州" 🚀'
    out = dumps({"t": text})
    for raw in ("\u202e", "\x9b", "\x7f", "\u2066"):
        assert raw not in out
    assert "郑州" in out and "🚀" in out  # other text stays readable
    assert json.loads(out) == {"t": text}


def test_encoded_is_one_line_of_utf8_and_dates_are_iso_text() -> None:
    value = {"date": dt.date(2017, 6, 15), "name": "Málaga", "lines": "a\nb"}
    line = encoded(value)
    assert b"\n" not in line
    assert json.loads(line) == {"date": "2017-06-15", "name": "Málaga", "lines": "a\nb"}


def test_array_lines_writes_what_dumps_would_in_pieces() -> None:
    for count in (0, 1, 2, 511, 512, 513, 1500):
        items = [{"n": n, "t": "é"} for n in range(count)]
        pieces = list(array_lines(encoded(item) for item in items))
        assert b"".join(pieces).decode() == dumps(items, outline=1)
        assert len(pieces) == (1 if count == 0 else 1 + -(-count // 512))  # batches, then "]"


def test_array_lines_at_a_level_fits_in_an_outline() -> None:
    items = [{"n": 1}, {"n": 2}]
    inner = b"".join(array_lines((encoded(i) for i in items), level=1)).decode()
    document = '{\n  "records": ' + inner + "\n}"
    assert document == dumps({"records": items}, outline=2)
    empty = b"".join(array_lines(iter([]), level=1)).decode()
    assert '{\n  "records": ' + empty + "\n}" == dumps({"records": []})
