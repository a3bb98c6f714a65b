"""Tests for ucap_cli.toml.locate: positions of TOML keys and values."""

from __future__ import annotations

import math
import random
import re
import time
import tomllib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from datetime import time as dtime
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ucap_cli.toml.locate import KeyPath, Position, SourceMap, build_source_map

P = Position


def load(text: str) -> dict[str, Any]:
    return tomllib.loads(text.removeprefix("\ufeff"))


# --------------------------------------------------------------------------- examples


def test_comments_and_quoted_keys() -> None:
    text = '# comment\ntitle = "x"   # c\n"a b" = 1\n\'lit\' = 2\nport = 8_080\n'
    m = build_source_map(text)
    assert m.key(("title",)) == P(2, 1) and m.value(("title",)) == P(2, 9)
    assert m.key(("a b",)) == P(3, 1) and m.value(("a b",)) == P(3, 9)
    assert m.key(("lit",)) == P(4, 1) and m.value(("lit",)) == P(4, 9)
    assert m.value(("port",)) == P(5, 8)
    assert m.table(()) == m.value(()) == P(1, 1)
    assert m.key(()) is None


def test_escaped_key_names_are_decoded() -> None:
    text = '"a\\u00e9\\"" = 1\n"\\U0001F600" = 2\n'
    assert set(load(text)) == {'aé"', "😀"}
    m = build_source_map(text)
    assert m.key(('aé"',)) == P(1, 1) and m.value(('aé"',)) == P(1, 15)
    assert m.value(("😀",)) == P(2, 16)


def test_dotted_keys() -> None:
    text = 'period.start = 2017-03-01\n "x" . y = 2\na.b.c = true\na.b.d = 1\n'
    load(text)
    m = build_source_map(text)
    assert m.key(("period", "start")) == P(1, 8)
    assert m.value(("period", "start")) == P(1, 16)
    assert m.table(("period",)) == m.key(("period",)) == P(1, 1)
    assert m.key(("x", "y")) == P(2, 8) and m.value(("x", "y")) == P(2, 12)
    assert m.key(("x",)) == P(2, 2)
    assert m.key(("a", "b", "c")) == P(3, 5) and m.value(("a", "b", "c")) == P(3, 9)
    assert m.table(("a", "b")) == P(3, 3)  # first mention wins
    assert m.value(("a", "b", "d")) == P(4, 9)


def test_table_headers() -> None:
    text = '[city]\nname = "Z"\n[ a . "b" ]\nc = 1\n[a]\nd = 2\n'
    load(text)
    m = build_source_map(text)
    assert m.table(("city",)) == m.value(("city",)) == P(1, 1)
    assert m.key(("city",)) == P(1, 2)
    assert m.value(("city", "name")) == P(2, 8)
    assert m.key(("a", "b")) == P(3, 7) and m.table(("a", "b")) == P(3, 1)
    assert m.value(("a", "b", "c")) == P(4, 5)
    # `a` was implicit in `[ a . "b" ]`; its own header later takes over
    assert m.key(("a",)) == P(5, 2) and m.table(("a",)) == P(5, 1)
    assert m.value(("a", "d")) == P(6, 5)


AOT = """\
[[activities]]
kind = "a"
[[activities.agreements]]
kind = "m"
[[activities]]
kind = "b"
[[activities]]
kind = "c"
[activities.details]
x = 1
[[activities.agreements]]
kind = "n"
[[activities.agreements]]
kind = "o"
"""


def test_arrays_of_tables() -> None:
    doc = load(AOT)
    assert doc["activities"][2]["agreements"][1]["kind"] == "o"
    m = build_source_map(AOT)
    assert m.key(("activities",)) == P(1, 3) and m.value(("activities",)) == P(1, 1)
    for index, line in enumerate((1, 5, 7)):
        path: KeyPath = ("activities", index)
        assert m.value(path) == m.table(path) == m.key(path) == P(line, 1)
    assert m.value(("activities", 0, "agreements", 0, "kind")) == P(4, 8)
    assert m.value(("activities", 1, "kind")) == P(6, 8)
    assert m.key(("activities", 2, "details")) == P(9, 13)
    assert m.value(("activities", 2, "details", "x")) == P(10, 5)
    assert m.key(("activities", 2, "agreements")) == P(11, 14)
    assert m.value(("activities", 2, "agreements", 0)) == P(11, 1)
    assert m.value(("activities", 2, "agreements", 1, "kind")) == P(14, 8)
    assert m.value(("activities", 1, "agreements")) is None
    assert m.value(("activities", 3)) is None


STRINGS = """\
a = "q \\" # not comment"  # real
b = 'C:\\path'  # c
c = \"\"\"
multi "quoted" ""
line \\
  end\"\"\"
d = '''x '' y
z''''
e = \"\"\"ends with quotes\"\"\"\"\"
f = 1
g = "\\\\"
h = 2
i = [\"\"\"q\"\"\"\"\", '''r'''', "\\\\\\"", 3]
"""


def test_strings() -> None:
    doc = load(STRINGS)
    assert doc["d"] == "x '' y\nz'" and doc["e"] == 'ends with quotes""'
    m = build_source_map(STRINGS)
    expected = {"a": 1, "b": 2, "c": 3, "d": 7, "e": 9, "f": 10, "g": 11, "h": 12}
    for key, line in expected.items():
        assert m.key((key,)) == P(line, 1)
        assert m.value((key,)) == P(line, 5)
    assert doc["i"] == ['q""', "r'", '\\"', 3]
    assert m.value(("i", 1)) == P(13, 17)
    assert m.value(("i", 2)) == P(13, 27)
    assert m.value(("i", 3)) == P(13, 35)


def test_crlf_multiline_array() -> None:
    text = "a = [\r\n  1,\r\n  # c\r\n  2,\r\n]\r\nb = '''\r\nx\r\n'''\r\nc = 1\r\n"
    assert load(text) == {"a": [1, 2], "b": "x\n", "c": 1}
    m = build_source_map(text)
    assert m.value(("a", 1)) == P(4, 3)
    assert m.value(("b",)) == P(6, 5)
    assert m.value(("c",)) == P(9, 5)


ARRAYS = """\
themes = [  # comment [ ] ,
  "a",  # one
  # full line "x" ]
  'b' ,
  [1, [2, 3]],
  { name = "A", country = "ES" },
]
partners = [{name = "A", country = "ES"}, {name="B"}]
empty = [ ]
"""


def test_arrays_and_inline_tables() -> None:
    load(ARRAYS)
    m = build_source_map(ARRAYS)
    assert m.value(("themes",)) == P(1, 10)
    assert m.value(("themes", 0)) == m.key(("themes", 0)) == P(2, 3)
    assert m.value(("themes", 1)) == P(4, 3)
    assert m.value(("themes", 2)) == P(5, 3)
    assert m.value(("themes", 2, 0)) == P(5, 4)
    assert m.value(("themes", 2, 1)) == P(5, 7)
    assert m.value(("themes", 2, 1, 1)) == P(5, 11)
    assert m.value(("themes", 3)) == m.table(("themes", 3)) == P(6, 3)
    assert m.key(("themes", 3, "name")) == P(6, 5)
    assert m.value(("themes", 3, "name")) == P(6, 12)
    assert m.key(("themes", 3, "country")) == P(6, 17)
    assert m.value(("themes", 3, "country")) == P(6, 27)
    assert m.value(("themes", 4)) is None
    assert m.value(("partners", 1)) == P(8, 43)
    assert m.key(("partners", 1, "name")) == P(8, 44)
    assert m.value(("partners", 1, "name")) == P(8, 49)
    assert m.value(("empty",)) == P(9, 9)


def test_nested_inline_tables() -> None:
    text = "p = { a.b = 1, c = { d = [ {e = 2} ] } }\nq = 3\n"
    load(text)
    m = build_source_map(text)
    assert m.value(("p",)) == m.table(("p",)) == P(1, 5)
    assert m.key(("p", "a", "b")) == P(1, 9) and m.value(("p", "a", "b")) == P(1, 13)
    assert m.table(("p", "a")) == m.key(("p", "a")) == P(1, 7)
    assert m.value(("p", "c")) == P(1, 20)
    assert m.value(("p", "c", "d", 0)) == P(1, 28)
    assert m.key(("p", "c", "d", 0, "e")) == P(1, 29)
    assert m.value(("p", "c", "d", 0, "e")) == P(1, 33)
    assert m.value(("q",)) == P(2, 5)


SCALARS = """\
i1 = +99
i2 = 1_000
hx = 0xDEAD_beef
oc = 0o755
bn = 0b1101
f1 = -3.14e-2
f2 = inf
f3 = -nan
t = true
odt = 1979-05-27T07:32:00Z
odt2 = 1979-05-27 07:32:00.999-07:00
ldt = 1979-05-27T07:32:00
ld = 1979-05-27
lt = 07:32:00.5
after = [1979-05-27 07:32:00, 2]
"""


def test_scalar_types() -> None:
    doc = load(SCALARS)
    m = build_source_map(SCALARS)
    for number, line in enumerate(SCALARS.splitlines(), start=1):
        key = line.split(" ")[0]
        assert m.key((key,)) == P(number, 1)
        assert m.value((key,)) == P(number, line.index("= ") + 3)
    assert doc["after"][1] == 2
    assert m.value(("after", 0)) == P(15, 10)
    assert m.value(("after", 1)) == P(15, 31)


def test_crlf_bom_tabs_and_unicode() -> None:
    text = '\ufeffname = "Málaga"\r\n\tcity\t=\t\'日本\' # c\r\n["ü"]\r\nx = 1\r\nk = ["😀", 2]\r\n'
    load(text)
    m = build_source_map(text)
    assert m.key(("name",)) == P(1, 1) and m.value(("name",)) == P(1, 8)
    assert m.key(("city",)) == P(2, 2) and m.value(("city",)) == P(2, 9)
    assert m.key(("ü",)) == P(3, 2) and m.table(("ü",)) == P(3, 1)
    assert m.value(("ü", "x")) == P(4, 5)
    assert m.value(("ü", "k", 1)) == P(5, 11)


def test_nearest() -> None:
    m = build_source_map(AOT + "[city]\nname = 'Z'\n")
    assert m.nearest(("activities", 1, "kind")) == P(6, 8)
    assert m.nearest(("activities", 1, "missing")) == P(5, 1)
    assert m.nearest(("activities", 1, "agreements", 0)) == P(5, 1)
    assert m.nearest(("city", "country")) == P(15, 1)
    assert m.nearest(("nothing", "here")) == P(1, 1)
    assert m.nearest(()) == P(1, 1)
    dotted = build_source_map("x = 1\nperiod.start = 1\n")
    assert dotted.nearest(("period", "end")) == P(2, 1)


def test_invalid_text_keeps_what_it_understood() -> None:
    m = build_source_map("a = 1\nb = \nc = [1, 2\nd = 3\ne = '''\nf = 2\n")
    assert m.value(("a",)) == P(1, 5)
    assert m.value(("c", 1)) == P(3, 9)
    assert m.value(("d",)) is None  # the rest of the line where `c` broke off is skipped
    assert m.value(("f",)) is None  # swallowed by the unterminated string
    assert build_source_map("").nearest(("a",)) == P(1, 1)


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 100_000,
        "a = " + "{b=" * 100_000,
        "[" * 100_000,
        "a" + ".a" * 100_000 + " = 1",
        "[" + ".".join("a" * 50_000) + "]",
        "a = " + "[" * 50_000 + "]" * 50_000,
        "a = '''\n" * 20_000,
        "x = 'unterminated\n" * 20_000,
        '"\\' * 50_000,
        "a = [\n" * 50_000,
    ],
)
def test_pathological_input_is_fast_and_safe(text: str) -> None:
    start = time.perf_counter()
    m = build_source_map(text)
    assert m.nearest(("a", 0, 0, 0)).line >= 1
    assert time.perf_counter() - start < 2


def test_large_document_is_linear() -> None:
    item = '[[activities]]\nkind = "visit"  # c\ntags = ["a", "b", { x = 1 }]\n'
    text = item * 10_000
    start = time.perf_counter()
    m = build_source_map(text)
    assert time.perf_counter() - start < 3
    assert m.value(("activities", 9_999, "tags", 2, "x")) == P(30_000, 25)


# --------------------------------------------------------------------------- properties

KEYS = st.text(
    st.sampled_from(
        [
            *"abzAZ09_-",
            " ",
            ".",
            '"',
            "'",
            "\\",
            "#",
            "=",
            "[",
            "]",
            "é",
            "日",
            "😀",
            "\t",
            "\n",
            "\x7f",
            "\x01",
        ]
    ),
    max_size=5,
)
STRS = st.text(st.characters(codec="utf-8"), max_size=10) | st.text(
    st.sampled_from([*"ab \"'\\\n\r\t#=[]{},", "日", "😀", "\x00", "\x7f"]), max_size=12
)
OFFSETS = st.sampled_from(
    [None, UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]
)
SCALAR = st.one_of(
    STRS,
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    st.booleans(),
    st.dates(),
    st.times(),
    st.datetimes(timezones=OFFSETS),
)


def _extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    tables = st.dictionaries(KEYS, children, max_size=4)
    return st.lists(children, max_size=4) | tables | st.lists(tables, min_size=1, max_size=3)


VALUES = st.recursive(SCALAR, _extend, max_leaves=16)
DOCS = st.dictionaries(KEYS, VALUES, max_size=6)

_BARE_RE = re.compile(r"[A-Za-z0-9_-]+")
_SHORT = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def _escape(text: str, multiline: bool = False) -> str:
    """Escape for a basic string; multi-line keeps newlines and quotes not followed by one."""
    out: list[str] = []
    for i, ch in enumerate(text):
        if multiline and (ch == "\n" or (ch == '"' and text[i + 1 : i + 2] != '"')):
            out.append(ch)
        elif ch in _SHORT:
            out.append(_SHORT[ch])
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch)
    return "".join(out)


def _literal_ok(text: str, multiline: bool = False) -> bool:
    """Can `text` be written as a literal string (multi-line: no `''` run, no CR)?"""
    if "''" in text or ("'" in text and not multiline):
        return False
    allowed = "\t\n" if multiline else "\t"
    return not any((ord(c) < 0x20 and c not in allowed) or c == "\x7f" for c in text)


class Writer:
    """A randomised hand-written TOML serializer (inline tables, dotted keys, comments)."""

    def __init__(self, rnd: random.Random) -> None:
        self.r = rnd
        self.out: list[str] = []

    def coin(self, p: float = 0.5) -> bool:
        return self.r.random() < p

    def sp(self) -> str:
        return self.r.choice(["", " ", "  ", "\t"])

    def comment(self) -> str:
        return self.r.choice(["", "", "  # note", " # \"q\" [x] = {y} 'z'", "\t#"])

    def key(self, name: str) -> str:
        if _BARE_RE.fullmatch(name) and self.coin(0.8):
            return name
        if _literal_ok(name) and self.coin():
            return f"'{name}'"
        return f'"{_escape(name)}"'

    def dotted(self, names: list[str]) -> str:
        return self.r.choice([".", " . ", ". ", "\t.", "."]).join(map(self.key, names))

    def string(self, text: str) -> str:
        style = self.r.randrange(4)
        if style == 1 and _literal_ok(text):
            return f"'{text}'"
        if style == 2:
            return '"""\n' + _escape(text, multiline=True) + '"""'
        if style == 3 and _literal_ok(text, multiline=True) and not text.startswith("\n"):
            return "'''" + text + "'''"
        return f'"{_escape(text)}"'

    def integer(self, value: int) -> str:
        style = self.r.randrange(5)
        if style == 1 and value >= 0:
            return self.r.choice(["0x{:X}", "0x{:x}", "0o{:o}", "0b{:b}"]).format(value)
        if style == 2 and abs(value) >= 10:
            return f"{value:_}"
        if style == 3 and value >= 0:
            return f"+{value}"
        return str(value)

    def scalar(self, value: Any) -> str:
        if isinstance(value, str):
            return self.string(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return self.integer(value)
        if isinstance(value, float):
            if math.isinf(value):
                return ("-" if value < 0 else self.r.choice(["", "+"])) + "inf"
            return repr(value)
        if isinstance(value, datetime):
            return value.isoformat(sep=self.r.choice("T "))
        assert isinstance(value, date | dtime)
        return value.isoformat()

    def value(self, value: Any, indent: str) -> str:
        if isinstance(value, dict):
            items = [
                f"{self.dotted(list(k))}{self.sp()}={self.sp()}{self.value(v, indent)}"
                for k, v in self.flatten(value)
            ]
            return "{" + self.sp() + ("," + self.sp()).join(items) + self.sp() + "}"
        if isinstance(value, list):
            if not value or self.coin():
                inner = ("," + self.sp()).join(self.value(v, indent) for v in value)
                return "[" + self.sp() + inner + self.sp() + "]"
            deeper = indent + "  "
            lines = ["[" + self.comment()]
            for v in value:
                if self.coin(0.2):
                    lines.append(deeper + '# full-line comment, "x" ]')
                lines.append(deeper + self.value(v, deeper) + self.sp() + "," + self.comment())
            if self.coin():  # drop the trailing comma
                lines[-1] = lines[-1].rsplit(",", 1)[0]
            return "\n".join([*lines, indent + "]"])
        return self.scalar(value)

    def flatten(self, table: dict[str, Any]) -> Iterator[tuple[tuple[str, ...], Any]]:
        """Yield (dotted key, value), splitting non-empty sub-tables into dotted keys at random."""
        for k, v in table.items():
            if isinstance(v, dict) and v and self.coin(0.4):
                for sub, w in self.flatten(v):
                    yield (k, *sub), w
            else:
                yield (k,), v

    def table(self, names: list[str], table: dict[str, Any]) -> None:
        later: list[tuple[str, Any, bool]] = []
        inline: dict[str, Any] = {}
        for k, v in table.items():
            aot = isinstance(v, list) and v and all(isinstance(e, dict) for e in v)
            if (isinstance(v, dict) or aot) and self.coin(0.6):
                later.append((k, v, bool(aot)))
            else:
                inline[k] = v
        for keys, v in self.flatten(inline):
            indent = self.r.choice(["", "", "  ", "\t"])
            self.out.append(
                f"{indent}{self.dotted(list(keys))}{self.sp()}={self.sp()}"
                f"{self.value(v, indent)}{self.comment()}\n"
            )
        for k, v, aot in later:
            path = [*names, k]
            for element in v if aot else [v]:
                if self.coin(0.3):
                    self.out.append("\n# section\n")
                left, right = ("[[", "]]") if aot else ("[", "]")
                self.out.append(
                    f"{left}{self.sp()}{self.dotted(path)}{self.sp()}{right}{self.comment()}\n"
                )
                self.table(path, element)

    def dump(self, doc: dict[str, Any]) -> str:
        self.table([], doc)
        text = "".join(self.out)
        if self.coin(0.3):
            text = text.replace("\n", "\r\n")
        if self.coin(0.2):
            text = "\ufeff" + text
        return text


def walk(value: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, Any]]:
    if path:
        yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk(v, (*path, i))


def offset(text: str, pos: Position) -> int:
    lines = text.split("\n")
    assert 1 <= pos.line <= len(lines) and 1 <= pos.column <= len(lines[pos.line - 1]) + 1
    return sum(len(line) + 1 for line in lines[: pos.line - 1]) + pos.column - 1


def same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, datetime | dtime) and a.utcoffset() != b.utcoffset():
        return False
    return bool(a == b)


def parses_to(rest: str, value: Any) -> bool:
    """Does some prefix of `rest` (ending at a plausible token end) parse as `value`?"""
    if rest[:1] in ("'", '"'):
        ends = [i + 1 for i, ch in enumerate(rest) if ch == rest[0]][:60]
    else:
        ends = [*[i for i, ch in enumerate(rest) if ch in " \t\r\n,]}#"][:3], len(rest)]
    for end in ends:
        try:
            parsed = tomllib.loads("v = " + rest[:end])["v"]
        except tomllib.TOMLDecodeError:
            continue
        if same(parsed, value):
            return True
    return False


def is_key(rest: str, name: str) -> bool:
    if rest[:1] not in ("'", '"'):
        return bool(_BARE_RE.match(rest)) and _BARE_RE.match(rest)[0] == name  # type: ignore[index]
    for end in [i + 1 for i, ch in enumerate(rest[:200]) if ch == rest[0]][1:]:
        try:
            if list(tomllib.loads(rest[:end] + " = 1")) == [name]:
                return True
        except tomllib.TOMLDecodeError:
            continue
    return False


def check(text: str, doc: dict[str, Any]) -> None:
    assert load(text) == doc
    m = build_source_map(text)
    body = text.removeprefix("\ufeff")
    for path, value in walk(doc):
        pos = m.value(path)
        assert pos is not None, path
        rest = body[offset(body, pos) :]
        if isinstance(value, dict):
            assert m.table(path) == pos, path
        elif isinstance(value, list):
            assert rest.startswith("["), path
        else:
            assert parses_to(rest, value), (path, rest[:40])
        key = m.key(path)
        assert key is not None, path
        name = path[-1]
        if isinstance(name, int):
            assert key == pos
        else:
            assert is_key(body[offset(body, key) :], name), (path, key)
        assert m.nearest(path) == pos


SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.slow
@SETTINGS
@given(DOCS)
def test_tomli_w_output_is_located(doc: dict[str, Any]) -> None:
    check(tomli_w.dumps(doc), doc)
    if not any(isinstance(v, str) and "\r" in v for _, v in walk(doc)):  # tomli_w keeps a raw CR
        check(tomli_w.dumps(doc, multiline_strings=True, indent=1), doc)


@pytest.mark.slow
@SETTINGS
@given(DOCS, st.randoms(use_true_random=False))
def test_hand_written_styles_are_located(doc: dict[str, Any], rnd: random.Random) -> None:
    check(Writer(rnd).dump(doc), doc)


PATHS = st.lists(st.one_of(KEYS, st.integers(-2, 5)), max_size=4).map(tuple)


def _assert_sane(m: SourceMap, path: KeyPath) -> None:
    pos = m.nearest(path)
    assert pos.line >= 1 and pos.column >= 1
    for found in (m.key(path), m.value(path), m.table(path)):
        assert found is None or (found.line >= 1 and found.column >= 1)


@settings(max_examples=200, deadline=None)
@given(st.text(), PATHS)
def test_arbitrary_text_never_raises(text: str, path: KeyPath) -> None:
    _assert_sane(build_source_map(text), path)


@settings(max_examples=50, deadline=None)
@given(DOCS, st.randoms(use_true_random=False), st.data())
def test_damaged_documents_never_raise(
    doc: dict[str, Any], rnd: random.Random, data: st.DataObject
) -> None:
    text = Writer(rnd).dump(doc)
    cut = data.draw(st.integers(0, len(text)))
    junk = data.draw(st.sampled_from(["", "[", "{", '"', "'''", '"""', "\\", "=", "\n", "]]"]))
    damaged = text[:cut] + junk + text[cut:]
    m = build_source_map(damaged)
    for path, _ in walk(doc):
        _assert_sane(m, path)
