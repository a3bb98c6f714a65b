"""Hypothesis strategies for record data, and records written with comments in known places.

- `DATES`: partial dates as records write them (a TOML date, `YYYY-MM` or `YYYY`).
- `RECORDS`: record data (a dict) of the shape the model takes, text drawn from all of UTF-8.
- `Commented(rng).text(data)`: `data` as TOML with numbered comments at random attachment
  points; `.truth` maps each comment to the (key path, slot) it belongs to.
- `places(text)`: each comment of `text` and where `ucap fmt` says it belongs.

Shared by the tests of `ucap fmt` (tests/toml/test_fmt.py) and `ucap add`
(tests/authoring/test_add.py).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import tomli_w
from hypothesis import strategies as st

from ucap_cli.toml.layout import place_comments

_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=30
)
_WORD = st.text(alphabet="abcdefghij -_.\"'#[]=", min_size=1, max_size=8)
DATES = st.one_of(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(2000, 2030), st.integers(1, 12)),
    st.integers(2000, 2030).map(str),
)
_SCALAR = st.one_of(_TEXT, st.integers(-(10**6), 10**6), st.booleans(), DATES)
_CITY = st.fixed_dictionaries(
    {"name": _TEXT, "country": st.sampled_from(["China", "ES", "Italy"])},
    optional={"short": _TEXT, "population": st.integers(1, 10**8), "area_km2": st.floats(1, 1e4)},
)
_ACTIVITY = st.fixed_dictionaries(
    {"date": DATES, "kind": st.sampled_from(["visit", "meeting"]), "title": _TEXT},
    optional={
        "cities": st.lists(_TEXT, max_size=4),
        "summary": _TEXT,
        "agreements": st.lists(
            st.fixed_dictionaries(
                {"kind": st.just("mou"), "parties": st.lists(_TEXT, min_size=1, max_size=3)}
            ),
            max_size=2,
        ),
    },
)
_EXTRA = st.recursive(
    st.dictionaries(_WORD, _SCALAR | st.lists(_SCALAR, max_size=4), max_size=3),
    lambda inner: st.dictionaries(
        _WORD, inner | st.lists(inner, min_size=1, max_size=2), min_size=1, max_size=3
    ),
    max_leaves=8,
)
RECORDS = st.fixed_dictionaries(
    {
        "schema_version": st.just(1),
        "id": st.from_regex(r"[a-z]{1,8}", fullmatch=True),
        "period": st.fixed_dictionaries({"start": DATES}, optional={"end": DATES}),
        "themes": st.lists(_TEXT, min_size=1, max_size=3),
        "city": _CITY,
        "partners": st.lists(_CITY, min_size=1, max_size=3),
    },
    optional={
        "title": _TEXT,
        "sdgs": st.lists(st.integers(1, 17), max_size=4),
        "activities": st.lists(_ACTIVITY, max_size=5),
        "expected_results": st.lists(st.fixed_dictionaries({"text": _TEXT}), max_size=2),
        "extra": _EXTRA,
    },
)


class Commented:
    """`data` as TOML with numbered comments at random attachment points, noting each one's.

    The places follow the rule of the README: above a key, table header or element; after
    a value, a header, an element or an array's `[`; before an array's `]`; under a table's
    last key (closing it); at the top of the file (above every key) or at its end after a
    blank line.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.lines: list[str] = []
        self.truth: dict[str, tuple[tuple[str | int, ...], str]] = {}
        self.started = False  # a key or header was written: comments above are no longer head

    def comment(self, path: tuple[str | int, ...], slot: str, lead: str = "# ") -> str:
        text = f"{lead}c{len(self.truth)} [x] = 'y' \"z\""
        self.truth[text] = ((), "head") if slot == "above" and not self.started else (path, slot)
        return text

    def maybe(self, chance: float = 0.3) -> bool:
        return self.rng.random() < chance

    def trailing(self, path: tuple[str | int, ...]) -> str:
        return f"  {self.comment(path, 'trailing')}" if self.maybe() else ""

    def text(self, data: dict[str, Any]) -> str:
        if self.maybe(0.5):
            self.lines.append(self.comment((), "head", "#:schema ./ucap.schema.json "))
        if self.maybe():
            self.lines.append(self.comment((), "head"))
            if self.maybe(0.5):
                self.lines.append("")
        self.table(data, (), "", header=None)
        if self.maybe():
            self.lines += ["", self.comment((), "footer")]
        return "\n".join(self.lines) + "\n"

    def table(
        self, table: dict[str, Any], path: tuple[str | int, ...], name: str, header: str | None
    ) -> None:
        items = list(table.items())
        self.rng.shuffle(items)
        nested = [(k, v) for k, v in items if isinstance(v, dict) or tables(v)]
        if header is not None:
            if self.lines:
                self.lines.append("")
            if self.maybe():
                self.lines.append(self.comment(path, "above"))
            self.lines.append(header + self.trailing(path))
            self.started = True
        for key, value in items:
            if (key, value) not in nested:
                self.keyval(key, value, (*path, key))
        if self.started and self.maybe():
            self.lines.append(self.comment(path, "end"))
        for key, value in nested:
            child = f"{name}.{bare(key)}" if name else bare(key)
            if isinstance(value, dict):
                self.table(value, (*path, key), child, f"[{child}]")
                continue
            for index, item in enumerate(value):
                self.table(item, (*path, key, index), child, f"[[{child}]]")

    def keyval(self, key: str, value: Any, path: tuple[str | int, ...]) -> None:
        if self.maybe():
            self.lines.append(self.comment(path, "above"))
        prefix = f"{bare(key)} = "
        if not isinstance(value, list) or self.maybe(0.4):
            self.lines.append(prefix + literal(value) + self.trailing(path))
            self.started = True
            return
        opening = f" {self.comment(path, 'open')}" if self.maybe() else ""
        self.lines.append(f"{prefix}[{opening}")
        self.started = True
        for index, item in enumerate(value):
            if self.maybe():
                self.lines.append("  " + self.comment((*path, index), "above"))
            self.lines.append(f"  {literal(item)},{self.trailing((*path, index))}")
        if self.maybe():
            self.lines.append("  " + self.comment(path, "end"))
        self.lines.append("]" + self.trailing(path))


def tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def bare(key: str) -> str:
    return tomli_w.dumps({key: True})[: -len(" = true\n")]


def literal(value: Any) -> str:
    return tomli_w.dumps({"v": value})[4:-1]


def places(text: str) -> dict[str, tuple[tuple[str | int, ...], str]]:
    """Each comment of `text` and where fmt says it belongs."""
    return {p.comment.text: (p.path, p.slot) for p in place_comments(text)[1]}
