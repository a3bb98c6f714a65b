"""Line and column of the keys and values of a TOML document.

`tomllib` reports no positions, so this module re-scans text that already parsed and
records, for every key path, where its key and its value are written. It is a lenient,
linear-time scanner with an explicit stack: it never raises, and paths it could not
place (invalid text, nesting deeper than `_MAX_DEPTH`) are simply unknown.

The scan is lazy: it goes only as far into the text as the questions asked so far need (a
place once found is final, except a table only named on the way to another, `a` of `[a.b]`,
which a later `[a]` may still define). The first problems of a 10 MB file are located
without scanning all of it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from ucap_cli.toml.parser import MAX_DEPTH, TooDeepError
from ucap_cli.toml.parser import KeyPath as KeyPath  # the key paths positions are asked for

_MAX_DEPTH = 128  # longest key path recorded; deeper text is skipped, not recursed into
_CHUNK = 1 << 16  # characters scanned at a time when a question needs more of the text
# `key = value` alone on its line, with a bare key and a value that is a number, a boolean, a
# date or a one-line string without escapes: most lines, read by one match.
_SIMPLE = re.compile(
    r"""[ \t]*([A-Za-z0-9_-]+)[ \t]*=[ \t]*"""
    r"""([^ \t\r\n"'\[\]{}#,=]+|"[^"\\\x00-\x1f\x7f]*"|'[^'\x00-\x08\x0a-\x1f\x7f]*')"""
    r"""[ \t]*(?:#[^\n]*)?(?:\r?\n|\Z)"""
)
_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_HEX = frozenset("0123456789abcdefABCDEF")
_SCALAR_END = frozenset(" \t\r\n,[]{}#=\"'")
_BLANK = frozenset(" \t\r\n")
_ESCAPES = {  # TOML 1.0's (1.1 adds \e and \xHH: records are TOML 1.0)
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "f": "\f",
    "r": "\r",
    '"': '"',
    "\\": "\\",
}


@dataclass(frozen=True, slots=True)
class Position:
    """A place in the text: 1-based line and 1-based column counted in characters."""

    line: int
    column: int


class SourceMap:
    """Where the keys, values and tables of one TOML document are written."""

    __slots__ = ("_lines", "_scanner")

    def __init__(self, text: str) -> None:
        """Map `text` (without its BOM), scanning it only as far as questions need."""
        self._scanner = _Scanner(text)
        self._lines = [0]  # offsets of the line starts found so far

    def _at(self, offset: int | None) -> Position | None:
        if offset is None:
            return None
        lines, text = self._lines, self._scanner.s
        while lines[-1] <= offset and lines[-1] >= 0:  # line starts up to `offset`, once
            end = text.find("\n", lines[-1])
            if end < 0:
                lines.append(-1)  # no more lines
                break
            lines.append(end + 1)
        row = bisect_right(lines, offset, hi=len(lines) - (lines[-1] < 0)) - 1
        return Position(row + 1, offset - lines[row] + 1)

    def _find(self, found: dict[KeyPath, int], path: KeyPath) -> int | None:
        """Where `found` places `path`, scanning on until that place is final."""
        scanner = self._scanner
        while True:
            offset = found.get(path)
            if offset is not None and path not in scanner.reopenable:
                return offset
            if not scanner.advance():
                return found.get(path)

    def key(self, path: KeyPath) -> Position | None:
        """Where the last component of `path` is written as a key (array element: its value)."""
        path = tuple(path)
        if path and isinstance(path[-1], int):
            return self.value(path)
        return self._at(self._find(self._scanner.keys, path))

    def value(self, path: KeyPath) -> Position | None:
        """Where the value at `path` starts (a table: its header, `{` or first dotted key)."""
        path = tuple(path)
        return self.table(path) if not path else self._at(self._find(self._scanner.values, path))

    def table(self, path: KeyPath) -> Position | None:
        """Where the table at `path` opens: header, `[[`, `{` or first dotted key; root 1:1."""
        path = tuple(path)
        if not path:
            return Position(1, 1)
        return self._at(self._find(self._scanner.tables, path))

    def nearest(self, path: KeyPath) -> Position:
        """Best known position for `path`: its value, its key, else its nearest known ancestor."""
        path = tuple(path)
        found = self.value(path) or self.key(path)
        while found is None and path:
            path = path[:-1]
            found = self.table(path) or self.key(path) or self.value(path)
        return found or Position(1, 1)

    def first_deeper(self, depth: int) -> KeyPath | None:
        """The first path written (in text order) with more than `depth` parts, cut to
        `depth` + 1 parts; `depth` must be less than `_MAX_DEPTH`."""
        scanner = self._scanner
        if scanner.watch is None:
            scanner.watch = depth
            scanner.deep = [(o, p) for p, o in scanner.values.items() if len(p) > depth]
        while not scanner.deep and scanner.advance():
            pass
        return min(scanner.deep)[1][: depth + 1] if scanner.deep else None


class _Stop(Exception):
    """The text is not understood at the scanner's current offset."""


class _Frame:
    """An open array (`array`) or inline table, and how many items it has so far."""

    __slots__ = ("array", "count", "path")

    def __init__(self, path: KeyPath, array: bool) -> None:
        self.path = path
        self.array = array
        self.count = 0


class _Scanner:
    """Single pass over the text, filling offset tables for every key path it meets."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.n = len(text)
        self.i = 0
        self.keys: dict[KeyPath, int] = {}
        self.values: dict[KeyPath, int] = {}
        self.tables: dict[KeyPath, int] = {}
        self.implicit: set[KeyPath] = set()  # tables only mentioned on the way to another
        self.reopenable: set[KeyPath] = set()  # those by a header: `[a]` may follow `[a.b]`
        self.arrays: dict[KeyPath, int] = {}  # array-of-tables path -> elements so far
        self.current: KeyPath = ()  # the table the statements being read go in
        self.watch: int | None = None  # when set, paths longer than this are noted in `deep`
        self.deep: list[tuple[int, KeyPath]] = []
        # When set (`TokenMap`), every place each key path is written as a key, in text order:
        # `[[a]]` and `[a.b]` write `a` again; the tables above keep only the first.
        self.every_key: dict[KeyPath, list[int]] | None = None

    def peek(self) -> str:
        return self.s[self.i] if self.i < self.n else ""

    def advance(self) -> bool:
        """Scan about `_CHUNK` more characters; False when the text was scanned already."""
        if self.i >= self.n:
            return False
        stop = self.i + _CHUNK
        simple, s = _SIMPLE.match, self.s
        try:
            while self.i < self.n and self.i < stop:
                line = simple(s, self.i)
                if line is not None and len(self.current) < _MAX_DEPTH:  # the common case, fast
                    path = (*self.current, line.group(1))
                    self.define(path, line.start(1), line.start(2), table=False)
                    self.i = line.end()
                    continue
                try:
                    self.current = self.statement(self.current)
                except _Stop:  # resume on the next line; offsets only ever grow
                    end = self.s.find("\n", self.i)
                    self.i = self.n if end < 0 else end + 1
        except Exception:  # a locator must never break error reporting
            self.i = self.n
        return True

    def statement(self, current: KeyPath) -> KeyPath:
        self.skip_ws()
        c = self.peek()
        if c in ("", "\r", "\n"):
            self.i += 1
            return current
        if c == "[":
            current = self.header()
        elif c != "#":
            self.keyval(current)
        self.skip_ws()
        if self.peek() == "#":
            end = self.s.find("\n", self.i)
            self.i = self.n if end < 0 else end
        if self.peek() not in ("", "\r", "\n"):
            raise _Stop
        return current

    def skip_ws(self) -> None:
        s, i, n = self.s, self.i, self.n
        while i < n and (s[i] == " " or s[i] == "\t"):
            i += 1
        self.i = i

    def skip_blank(self) -> None:
        """Skip whitespace, newlines and comments (inside arrays and inline tables)."""
        s, n = self.s, self.n
        while self.i < n:
            c = s[self.i]
            if c in _BLANK:
                self.i += 1
            elif c == "#":
                end = s.find("\n", self.i)
                self.i = n if end < 0 else end
            else:
                return

    def define(
        self, path: KeyPath, key: int, value: int, *, table: bool, implicit: bool = False
    ) -> None:
        """Record a key path; the first mention wins unless it was only implicit."""
        if self.every_key is not None:
            self.every_key.setdefault(path, []).append(key)
        if path in self.keys and (implicit or path not in self.implicit):
            return
        self.keys[path] = key
        self.values[path] = value
        if self.watch is not None and len(path) > self.watch:
            self.deep.append((value, path))
        if table:
            self.tables[path] = value
        if implicit:
            self.implicit.add(path)
        else:
            self.implicit.discard(path)
            self.reopenable.discard(path)

    def header(self) -> KeyPath:
        start = self.i
        aot = self.s.startswith("[[", start)
        self.i += 2 if aot else 1
        parts = self.key()
        self.skip_ws()
        close = "]]" if aot else "]"
        if not self.s.startswith(close, self.i):
            raise _Stop
        self.i += len(close)
        path: KeyPath = ()
        for name, offset in parts[:-1]:
            path += (name,)
            if len(path) > _MAX_DEPTH:
                raise _Stop
            if path not in self.keys:
                self.reopenable.add(path)
            self.define(path, offset, offset, table=True, implicit=True)
            if path in self.arrays:  # `[a.b]` after `[[a]]` extends the last element of `a`
                path += (self.arrays[path] - 1,)
        if len(path) >= _MAX_DEPTH:
            raise _Stop
        name, offset = parts[-1]
        path += (name,)
        if not aot:
            self.define(path, offset, start, table=True)
            return path
        self.define(path, offset, start, table=False)
        index = self.arrays.get(path, 0)
        self.arrays[path] = index + 1
        path += (index,)
        self.values[path] = self.tables[path] = start
        if self.watch is not None and len(path) > self.watch:
            self.deep.append((start, path))
        return path

    def keyval(self, base: KeyPath) -> None:
        path, key = self.dotted(base)
        self.value(path, key)

    def dotted(self, base: KeyPath) -> tuple[KeyPath, int]:
        """Read `key = ` under `base`; record implicit tables; return full path and key offset."""
        parts = self.key()
        if len(base) + len(parts) > _MAX_DEPTH:  # placed as far as recorded, then skipped
            path = base
            for name, offset in parts[: max(0, _MAX_DEPTH - len(base))]:
                path += (name,)
                self.define(path, offset, offset, table=True, implicit=True)
            raise _Stop
        self.skip_ws()
        if self.peek() != "=":
            raise _Stop
        self.i += 1
        self.skip_ws()
        path = base
        for name, offset in parts[:-1]:
            path += (name,)
            self.define(path, offset, offset, table=True, implicit=True)
        name, offset = parts[-1]
        return (*path, name), offset

    def key(self) -> list[tuple[str, int]]:
        """Read a possibly dotted key; return each part's name and offset."""
        parts: list[tuple[str, int]] = []
        s, n = self.s, self.n
        while True:  # every part, however many: the caller records at most _MAX_DEPTH
            self.skip_ws()
            start = self.i
            c = self.peek()
            if c == '"':
                name = self.basic()
            elif c == "'":
                name = self.literal()
            else:
                end = start
                while end < n and s[end] in _BARE:
                    end += 1
                if end == start:
                    raise _Stop
                name = s[start:end]
                self.i = end
            parts.append((name, start))
            self.skip_ws()
            if self.peek() != ".":
                return parts
            self.i += 1

    def basic(self) -> str:
        """Read a one-line basic string, returning its decoded text."""
        s, n, i = self.s, self.n, self.i + 1
        out: list[str] = []
        while i < n:
            c = s[i]
            if c == '"':
                self.i = i + 1
                return "".join(out)
            if c == "\n":
                break
            if c != "\\":
                out.append(c)
                i += 1
                continue
            esc = s[i + 1 : i + 2]
            if esc in _ESCAPES:
                out.append(_ESCAPES[esc])
                i += 2
                continue
            width = 4 if esc == "u" else 8 if esc == "U" else 0
            digits = s[i + 2 : i + 2 + width]
            if not width or len(digits) != width or not _HEX.issuperset(digits):
                break
            code = int(digits, 16)
            if code > 0x10FFFF:
                break
            out.append(chr(code))
            i += 2 + width
        self.i = i
        raise _Stop

    def literal(self) -> str:
        """Read a one-line literal string, returning its text."""
        s, start = self.s, self.i + 1
        eol = s.find("\n", start)
        end = s.find("'", start, self.n if eol < 0 else eol)
        if end < 0:
            raise _Stop
        self.i = end + 1
        return s[start:end]

    def multiline(self, quote: str) -> None:
        """Skip a multi-line string opened by three `quote` characters."""
        s, n, i = self.s, self.n, self.i + 3
        close = quote * 3
        while i < n:
            if quote == "'":
                i = s.find(close, i)
                if i < 0:
                    break
            elif s[i] == "\\":
                i += 2
                continue
            elif not s.startswith(close, i):
                i += 1
                continue
            i += 3
            for _ in range(2):  # up to two quotes may end the content itself
                if i < n and s[i] == quote:
                    i += 1
            self.i = i
            return
        self.i = n  # unterminated: give up on the rest rather than rescan it
        raise _Stop

    def scalar(self) -> None:
        """Skip a string, number, boolean or date/time value."""
        s, n, i = self.s, self.n, self.i
        c = self.peek()
        if c in ('"', "'"):
            if s.startswith(c * 3, i):
                self.multiline(c)
            elif c == '"':
                self.basic()
            else:
                self.literal()
            return
        end = i
        while end < n and s[end] not in _SCALAR_END:
            end += 1
        if end == i:
            raise _Stop
        if (
            end - i == 10
            and s[i + 4] == "-"
            and s[end : end + 1] == " "
            and s[end + 1 : end + 2].isdigit()
        ):  # local date, space, time
            end += 1
            while end < n and s[end] not in _SCALAR_END:
                end += 1
        self.i = end

    def value(self, path: KeyPath, key: int | None) -> None:
        """Read the value at `path`; arrays and inline tables nest on an explicit stack."""
        stack: list[_Frame] = []
        while True:
            start = self.i
            c = self.peek()
            if key is not None:
                self.define(path, key, start, table=c == "{")
            else:
                first = self.values.setdefault(path, start) == start
                if first and self.watch is not None and len(path) > self.watch:
                    self.deep.append((start, path))
                if c == "{":
                    self.tables.setdefault(path, start)
            if c in ("[", "{"):
                if len(path) >= _MAX_DEPTH:
                    raise _Stop
                self.i += 1
                stack.append(_Frame(path, c == "["))
            else:
                self.scalar()
            while stack:  # find the next item, closing finished containers
                top = stack[-1]
                self.skip_blank()
                c = self.peek()
                if c == ("]" if top.array else "}"):
                    self.i += 1
                    stack.pop()
                    continue
                if top.count:
                    if c != ",":
                        raise _Stop
                    self.i += 1
                    self.skip_blank()
                    if self.peek() == ("]" if top.array else "}"):
                        continue  # trailing comma; closed on the next turn
                if top.array:
                    path, key = (*top.path, top.count), None
                else:
                    path, key = self.dotted(top.path)
                top.count += 1
                break
            else:
                return


Span = tuple[int, int]  # [start, end) offsets of a token in the text


class TokenMap:
    """Where each key and each scalar value of a TOML text is written, as spans of offsets
    into the text (as given: a BOM counts), for editing the text in place (`toml.edit`).

    Unlike `SourceMap`, the text is scanned whole at once, and a key written more than once
    (`a` of `[[a]]`, `[[a]]`, `[a.b]`) has each of its places.
    """

    def __init__(self, text: str) -> None:
        """Scan `text`, which must be valid TOML (its spans are not checked otherwise)."""
        self._bom = 1 if text.startswith("\ufeff") else 0
        self._scanner = _Scanner(text[self._bom :])
        self._scanner.every_key = {}
        while self._scanner.advance():
            pass

    def key_spans(self, path: KeyPath) -> list[Span]:
        """Every span where the last part of `path` is written as a key (quotes included)."""
        scanner = self._scanner
        found = (scanner.every_key or {}).get(tuple(path), [])
        spans = []
        for start in dict.fromkeys(found):
            end = self._token_end(start, key=True)
            if end is not None:
                spans.append((start + self._bom, end + self._bom))
        return spans

    def value_span(self, path: KeyPath) -> Span | None:
        """The span of the scalar value at `path` (a string with its quotes, a number, a date),
        or None (no such value, or an array or a table)."""
        start = self._scanner.values.get(tuple(path))
        if start is None or self._scanner.s[start : start + 1] in ("[", "{", ""):
            return None
        end = self._token_end(start, key=False)
        return None if end is None else (start + self._bom, end + self._bom)

    def _token_end(self, start: int, *, key: bool) -> int | None:
        token = _Scanner(self._scanner.s)
        token.i = start
        try:
            if not key:
                token.scalar()
            elif token.peek() == '"':
                token.basic()
            elif token.peek() == "'":
                token.literal()
            else:
                end, s = start, token.s
                while end < token.n and s[end] in _BARE:
                    end += 1
                token.i = end
        except _Stop:
            return None
        return token.i if token.i > start else None


def build_source_map(text: str) -> SourceMap:
    """Map every key path of TOML `text` to its position; never raises."""
    if text.startswith("\ufeff"):
        text = text[1:]  # the BOM is not a column: line 1 starts after it
    return SourceMap(text)


def place_too_deep(error: TooDeepError, source: SourceMap) -> tuple[str, Position]:
    """The message of `error` and where it points: at the first value past the limit on the
    deepest branch (when the parser gave up, on the first branch past the limit)."""
    if error.path is not None:
        return str(error), source.nearest(error.path)
    path = source.first_deeper(MAX_DEPTH)
    if path is None:
        return str(error), Position(1, 1)
    return error.describe(path, table=source.table(path[:1]) is not None), source.nearest(path)


def too_deep_message(error: TooDeepError, text: str) -> str:
    """`error`'s message with its place in `text`, as the TOML parser gives one:
    '[extra] is nested 501 levels deep; the limit is 64 (at line 3, column 131)'."""
    message, position = place_too_deep(error, build_source_map(text))
    return f"{message} (at line {position.line}, column {position.column})"
