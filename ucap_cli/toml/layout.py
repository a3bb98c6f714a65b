"""The canonical layout of a record file (`ucap fmt`), keeping every comment where it belongs.

Layout: keys in the order of the format page (unknown keys after the known ones, in their
order), plain values first and tables after them, each `[table]` / `[[array]]` header after
one blank line, record arrays of tables always as `[[...]]` tables, activities sorted by date
(stable), values written by tomli-w (its quoting, escapes, numbers and dates; `-nan` keeps
its sign), and arrays on one line when the line fits in 100 characters, else one element per
line with tomli-w's indentation and trailing comma.

Comments are data too. Each one belongs to a key path and a slot (`place_comments`):

- head: every comment line before the file's first key or header (a `#:schema` directive,
  a title) stays on top, whatever key comes first;
- trailing: a comment after a value, a header or an array element belongs to the last one
  that ended before it on its line (after `]`: the array; after `11,`: the element 11); one
  after an array's `[` stays after the `[`;
- above: comment lines belong to the key, header or element under them, with the blank
  lines around them; inside an array, the lines before `]` stay before `]`;
- end: the comment lines right under a table's last key (no blank line between) close that
  table, unless they also touch the next header (then they are that header's); they move
  with their table, so a comment closing an activity moves with the activity;
- footer: comment lines after a blank line at the end of the file stay at its end.

The new text is written with each comment in its slot, then checked: the same data, and
every comment in the same slot of the same key path (an activity's path follows the activity
when activities are sorted), or the file is left as it is (`CannotKeepComments`). A trailing
`# ucap: ignore[...]` keeps its value on one line, so it still suppresses what it suppressed.
An array of tables with a comment about the whole array (above, after or inside its brackets
but on no element) stays an inline array: `[[...]]` tables have no place for that comment.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import tomli_w

from ucap_cli.config import DEFAULT_MAX_FILE_SIZE
from ucap_cli.errors import InstallError, UcapError
from ucap_cli.record.dates import DateError, parse_partial_date
from ucap_cli.record.fields import key_order
from ucap_cli.toml.encoding import ForeignEncodingError, check_utf8_mark, not_utf8_message
from ucap_cli.toml.locate import KeyPath, too_deep_message
from ucap_cli.toml.parser import TOMLDecodeError, TooDeepError, loads, parse_document

WIDTH = 100  # tomli-w's line length
INDENT = "    "  # tomli-w's indentation


class FormatError(UcapError):
    """A file cannot be formatted: it is not TOML."""


class CannotKeepComments(FormatError):
    """The canonical layout would lose or move a comment out of reach; the file is kept."""


# --------------------------------------------------------------------------- scanning


@dataclass(frozen=True, slots=True)
class Comment:
    """A `# ...` comment: where it starts (1-based line and column) and its text."""

    line: int
    column: int
    text: str
    alone: bool  # nothing but spaces before it on its line


@dataclass(frozen=True, slots=True)
class Layout:
    """The comments of a TOML text and what each line holds."""

    comments: list[Comment]
    kinds: list[str]  # per line: "blank", "comment", "header" or "code"


def scan(text: str) -> Layout:
    """Find the comments and classify the lines of TOML `text` (strings are skipped exactly)."""
    comments: list[Comment] = []
    kinds: list[str] = []
    n = len(text)
    i = 0
    line_start = 0
    code = header = False
    depth = 0

    def end_line(at: int) -> None:
        nonlocal line_start, code, header
        if header:
            kinds.append("header")
        elif code:
            kinds.append("code")
        elif comments and comments[-1].line == len(kinds) + 1:
            kinds.append("comment")
        else:
            kinds.append("blank")
        line_start = at + 1
        code = header = False

    while i < n:
        c = text[i]
        if c == "\n":
            end_line(i)
            i += 1
        elif c in " \t\r":
            i += 1
        elif c == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            comments.append(
                Comment(
                    len(kinds) + 1,
                    i - line_start + 1,
                    text[i:end].rstrip(),
                    not code and not header,
                )
            )
            i = end
        elif c == "[" and depth == 0 and not code and not header:
            header = True
            i = _skip_header(text, i)
        elif c in "\"'":
            end = _skip_string(text, i)
            for _ in range(text.count("\n", i, end)):  # lines inside a multi-line string
                code = True
                end_line(text.index("\n", line_start))
            code = True
            i = end
        else:
            code = True
            if c in "[{":
                depth += 1
            elif c in "]}":
                depth = max(0, depth - 1)
            i += 1
    if i > line_start or code or header or (comments and comments[-1].line == len(kinds) + 1):
        end_line(n)
    return Layout(comments, kinds)


def _skip_string(text: str, i: int) -> int:
    """The offset just after the string starting at `i` (any of the four kinds)."""
    quote = text[i]
    n = len(text)
    if text.startswith(quote * 3, i):
        j = i + 3
        while j < n:
            if quote == '"' and text[j] == "\\":
                j += 2
            elif text.startswith(quote * 3, j):
                j += 3
                while j < n and text[j] == quote:  # up to two quotes may end the content
                    j += 1
                return j
            else:
                j += 1
        return n
    j = i + 1
    while j < n and text[j] != "\n":
        if quote == '"' and text[j] == "\\":
            j += 2
            continue
        if text[j] == quote:
            return j + 1
        j += 1
    return j


def _skip_header(text: str, i: int) -> int:
    """The offset just after the `[table]` or `[[array]]` header starting at `i`."""
    double = text.startswith("[[", i)
    j = i + (2 if double else 1)
    n = len(text)
    while j < n and text[j] != "\n":
        if text[j] in "\"'":
            j = _skip_string(text, j)
            continue
        if text[j] == "]":
            return j + (2 if double and text.startswith("]]", j) else 1)
        j += 1
    return j


# --------------------------------------------------------------------------- attaching

Slot = Literal["head", "above", "trailing", "open", "end", "footer"]


@dataclass
class Notes:
    """Comments attached to one key, table or array element (see the module docstring)."""

    before: list[str] = field(default_factory=list)  # comment lines above; "" is a blank line
    inline: list[str] = field(default_factory=list)  # trailing comments (on a table: its header)
    open: list[str] = field(default_factory=list)  # trailing comments after an array's `[`
    end: list[str] = field(default_factory=list)  # comment lines after the last key or element

    def of(self, slot: Slot) -> list[str]:
        """The list holding the comments of `slot` ("above", "trailing", "open" or "end")."""
        if slot == "above":
            return self.before
        if slot == "trailing":
            return self.inline
        return self.open if slot == "open" else self.end


@dataclass
class Attached:
    """Every comment of a document, by the key path it belongs to."""

    notes: dict[KeyPath, Notes] = field(default_factory=dict)
    footer: list[str] = field(default_factory=list)  # comment lines closing the file
    head: list[str] = field(default_factory=list)  # comment lines before the first key


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one comment belongs: a slot of a key path (`()` for head, footer, top-level end)."""

    path: KeyPath
    slot: Slot
    comment: Comment

    def describe(self) -> str:
        """`above activities[2].title`, `at the end of [city]`, `at the top of the file`."""
        from ucap_cli.check.findings import dotted

        name = dotted(self.path) if self.path else "the top-level keys"
        return {
            "head": "at the top of the file",
            "footer": "at the end of the file",
            "above": f"above {name}",
            "trailing": f"after {name}",
            "open": f"after the `[` of {name}",
            "end": f"at the end of {name}",
        }[self.slot]


@dataclass
class _Open:
    """An array or inline table being read, and how many elements it has so far."""

    path: KeyPath
    array: bool
    count: int = 0


_SCALAR_END = frozenset(" \t\r\n,]}#")
_DATE_TIME_GAP = frozenset(f" {digit}" for digit in "0123456789")
_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class _Placer:
    """Reads TOML text that parsed, placing each comment (the attachment rule lives here)."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.n = len(text)
        self.i = 0
        self.line = 1
        self.busy = False  # the current line holds something besides spaces and a comment
        self.last_content = 0  # the last line holding a key, value, bracket or header
        self.section: KeyPath = ()
        self.arrays: dict[KeyPath, int] = {}  # [[array]] path -> its tables so far
        self.pending: list[Comment] = []  # comment lines waiting for what follows them
        self.last: tuple[KeyPath, Slot] = ((), "end")  # where a trailing comment goes
        self.attached = Attached()
        self.placements: list[Placement] = []

    def run(self) -> None:
        s = self.s
        while self.i < self.n:
            c = s[self.i]
            if c == "\n":
                self.newline()
            elif c in " \t\r":
                self.i += 1
            elif c == "#":
                self.comment()
            elif c == "[":
                self.header()
            else:
                self.keyval(self.section)
        self.boundary(None, None)

    # ---------------------------------------------------------------- placing

    def place(self, path: KeyPath, slot: Slot, comments: list[Comment], lines: list[str]) -> None:
        self.placements.extend(Placement(path, slot, c) for c in comments)
        if slot == "head":
            self.attached.head.extend(lines)
        elif slot == "footer":
            self.attached.footer.extend(lines)
        else:
            self.attached.notes.setdefault(path, Notes()).of(slot).extend(lines)

    def resolve(self, path: KeyPath, slot: Slot, anchor: int | None) -> None:
        """The pending comment lines belong above (or at the end of) `path`, at line `anchor`."""
        comments, self.pending = self.pending, []
        if not comments:
            return
        if not self.last_content:  # nothing above them: the file's head
            path, slot = (), "head"
        self.place(path, slot, comments, _block(comments, self.last_content, anchor))

    def boundary(self, header: KeyPath | None, anchor: int | None) -> None:
        """The comment lines between the current section and the header of `header` (or EOF)."""
        if self.pending and self.last_content:
            tail = tail_length([c.line for c in self.pending], self.last_content, anchor)
            if tail:
                comments, self.pending = self.pending[:tail], self.pending[tail:]
                self.place(self.section, "end", comments, [c.text for c in comments])
        if header is None:
            self.resolve((), "footer", None)
        else:
            self.resolve(header, "above", anchor)

    # ---------------------------------------------------------------- reading

    def newline(self) -> None:
        self.i += 1
        self.line += 1
        self.busy = False

    def mark(self, path: KeyPath, slot: Slot) -> None:
        """Something was read on this line; a trailing comment after it goes to `path`/`slot`."""
        self.busy = True
        self.last_content = self.line
        self.last = (path, slot)

    def comment(self) -> None:
        end = self.s.find("\n", self.i)
        end = self.n if end < 0 else end
        column = self.i - self.s.rfind("\n", 0, self.i)
        comment = Comment(self.line, column, self.s[self.i : end].rstrip(), not self.busy)
        self.i = end
        if comment.alone:
            self.pending.append(comment)
        else:
            self.place(*self.last, [comment], [comment.text])

    def spaces(self) -> None:
        while self.i < self.n and self.s[self.i] in " \t":
            self.i += 1

    def header(self) -> None:
        line = self.line
        aot = self.s.startswith("[[", self.i)
        self.i += 2 if aot else 1
        parts = self.key()
        self.spaces()
        self.i += 2 if aot else 1
        path: KeyPath = ()
        for name in parts[:-1]:
            path += (name,)
            if path in self.arrays:  # `[a.b]` after `[[a]]` extends a's last table
                path += (self.arrays[path] - 1,)
        path += (parts[-1],)
        if aot:
            index = self.arrays.get(path, 0)
            self.arrays[path] = index + 1
            path += (index,)
        self.boundary(path, line)
        self.section = path
        self.mark(path, "trailing")

    def keyval(self, base: KeyPath) -> None:
        line = self.line
        path = (*base, *self.key())
        self.resolve(path, "above", line)
        self.spaces()
        self.i += 1  # =
        self.spaces()
        self.value(path)

    def key(self) -> list[str]:
        """A possibly dotted key: its parts, decoded."""
        s = self.s
        parts: list[str] = []
        while True:
            self.spaces()
            start = self.i
            if s[start] in "\"'":
                self.i = _skip_string(s, start)
                raw = s[start : self.i]
                parts.append(raw[1:-1] if raw[0] == "'" else loads(f"k = {raw}")["k"])
            else:
                end = start
                while end < self.n and s[end] in _BARE:
                    end += 1
                if end == start:
                    raise ValueError(f"no key at line {self.line}")
                parts.append(s[start:end])
                self.i = end
            self.spaces()
            if self.i < self.n and s[self.i] == ".":
                self.i += 1
                continue
            return parts

    def value(self, path: KeyPath) -> None:
        """Read the value at `path`; arrays and inline tables nest on an explicit stack."""
        s = self.s
        stack: list[_Open] = []
        while True:
            c = s[self.i]
            if c in "[{":
                self.i += 1
                stack.append(_Open(path, c == "["))
                # A comment after `{` is the table's own: on its header once it is a [table].
                self.mark(path, "open" if c == "[" else "trailing")
            else:
                self.scalar()
                self.mark(path, "trailing")
            while stack:
                top = stack[-1]
                self.skip_inside()
                c = s[self.i]
                if c == ("]" if top.array else "}"):
                    self.resolve(top.path, "end", self.line)
                    self.i += 1
                    stack.pop()
                    self.mark(top.path, "trailing")
                elif c == ",":
                    self.i += 1
                    self.busy = True
                    self.last_content = self.line
                elif top.array:
                    path = (*top.path, top.count)
                    top.count += 1
                    self.resolve(path, "above", self.line)
                    break
                else:
                    line = self.line
                    path = (*top.path, *self.key())
                    self.resolve(path, "above", line)
                    self.spaces()
                    self.i += 1  # =
                    self.spaces()
                    break
            else:
                return

    def skip_inside(self) -> None:
        """Skip spaces, line breaks and comments inside an array or inline table."""
        s = self.s
        while self.i < self.n:
            c = s[self.i]
            if c == "\n":
                self.newline()
            elif c in " \t\r":
                self.i += 1
            elif c == "#":
                self.comment()
            else:
                return
        raise ValueError("unclosed array or inline table")

    def scalar(self) -> None:
        """Skip a string, number, boolean or date/time value."""
        s, i = self.s, self.i
        if s[i] in "\"'":
            end = _skip_string(s, i)
            self.line += s.count("\n", i, end)
            self.i = end
            return
        end = i
        while end < self.n and s[end] not in _SCALAR_END:
            end += 1
        if end - i == 10 and s[i + 4] == "-" and s[end : end + 2] in _DATE_TIME_GAP:
            end += 1  # a local date, a space, a time
            while end < self.n and s[end] not in _SCALAR_END:
                end += 1
        if end == i:
            raise ValueError(f"no value at line {self.line}")
        self.i = end


def tail_length(lines: list[int], last_content: int, anchor: int | None) -> int:
    """How many of the comment `lines` after a section close it (the rest go below).

    The run of comment lines right under the section's last line (no blank line between)
    is its end, unless that run also touches the header at line `anchor` (then it is the
    header's). `anchor` None: the end of the file.
    """
    if not lines or lines[0] != last_content + 1:
        return 0
    run = 1
    while run < len(lines) and lines[run] == lines[run - 1] + 1:
        run += 1
    if run == len(lines) and anchor is not None and anchor == lines[-1] + 1:
        return 0
    return run


def _block(comments: list[Comment], previous: int, anchor: int | None) -> list[str]:
    """Comment lines with the blank lines before, between and after them (one at most).

    `previous` is the last line of content above them (0: none), `anchor` the line of what
    follows them (None: the end of the file).
    """
    out: list[str] = []
    if previous and comments[0].line - previous > 1:
        out.append("")
    for before, comment in zip([None, *comments], comments, strict=False):
        if before is not None and comment.line - before.line > 1:
            out.append("")
        out.append(comment.text)
    if anchor is not None and anchor - comments[-1].line > 1:
        out.append("")
    return out


def place_comments(text: str) -> tuple[Attached, list[Placement]]:
    """Attach each comment of TOML `text` (which parsed) to its key path and slot.

    Raises CannotKeepComments if the text cannot be followed (it should not happen).
    """
    placer = _Placer(text)
    try:
        placer.run()
    except (ValueError, IndexError, TOMLDecodeError) as error:
        raise CannotKeepComments(
            f"the comments could not be placed ({error}); file left as it is"
        ) from None
    return placer.attached, placer.placements


# --------------------------------------------------------------------------- writing


def _scalar(value: Any) -> str:
    if isinstance(value, float) and math.isnan(value) and math.copysign(1.0, value) < 0:
        return "-nan"  # tomli-w writes every NaN as `nan`; `-nan` keeps its sign
    return tomli_w.dumps({"v": value})[4:-1]


def _key(key: str) -> str:
    return tomli_w.dumps({key: True})[: -len(" = true\n")]


def inline_value(value: Any) -> str:
    """A value on one line: tomli-w's literals, `[a, b]` arrays, `{ k = v }` tables."""
    if isinstance(value, list):
        return "[" + ", ".join(inline_value(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {inline_value(v)}" for k, v in value.items()) + " }"
    return _scalar(value)


def _is_array_of_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _ordered(table: Mapping[str, Any], shape: tuple[str, ...]) -> list[tuple[str, Any]]:
    order = key_order().get(shape)
    if order is None:
        return list(table.items())
    rank = {key: index for index, key in enumerate(order)}
    return sorted(table.items(), key=lambda item: rank.get(item[0], len(order)))


def activity_order(activities: list[Any]) -> list[int]:
    """Indices of `activities` sorted by date (stable); source order if a date is unreadable."""
    keys = []
    for activity in activities:
        try:
            keys.append(parse_partial_date(activity.get("date")).sort_key)
        except (DateError, AttributeError):
            return list(range(len(activities)))
    return sorted(range(len(activities)), key=keys.__getitem__)


class _Writer:
    """Builds the canonical lines of a document, placing attached comments."""

    def __init__(self, attached: Attached) -> None:
        self.notes = attached.notes
        self.head = attached.head
        self.footer = attached.footer
        self.lines: list[str] = []
        self.first: KeyPath | None = None  # the first key or table written

    def text(self, data: Mapping[str, Any]) -> str:
        self.add_block(self.head, "")
        self.table(data, "", (), (), array=False)
        self.add_block(self.footer, "")
        return "".join(line + "\n" for line in self.lines)

    def note(self, path: KeyPath) -> Notes:
        return self.notes.get(path) or _NO_NOTES

    def add_block(self, block: list[str], indent: str, out: list[str] | None = None) -> None:
        """Append comment lines to `out` (default: the document), never two blank lines."""
        out = self.lines if out is None else out
        for line in block:
            if line:
                out.append(indent + line)
            elif out and out[-1] != "":
                out.append("")

    def before(
        self, paths: tuple[KeyPath, ...], indent: str, *, header: bool, out: list[str] | None = None
    ) -> None:
        """The comment lines above `paths`; a header gets one blank line before it."""
        if self.first is None and out is None:
            self.first = paths[-1]
        block = [line for path in paths for line in self.note(path).before]
        if header:
            while block and not block[0]:
                block.pop(0)
            if self.lines and self.lines[-1] != "":
                self.lines.append("")
        self.add_block(block, indent, out)

    def inline(self, path: KeyPath) -> str:
        """The trailing comments of `path`, each after two spaces."""
        return _trailing(self.note(path).inline)

    def table(
        self,
        table: Mapping[str, Any],
        name: str,
        path: KeyPath,
        shape: tuple[str, ...],
        *,
        array: bool,
    ) -> None:
        items = _ordered(table, shape)
        plain = [(k, v) for k, v in items if not self.as_tables(v, (*path, k))]
        nested = [(k, v) for k, v in items if self.as_tables(v, (*path, k))]
        if array or (name and (plain or not nested or path in self.notes)):
            self.before((path,), "", header=True)
            header = f"[[{name}]]" if array else f"[{name}]"
            self.lines.append(header + self.inline(path))
        for key, value in plain:
            self.keyval(key, value, (*path, key))
        # The comment lines closing this table's own keys (the header table's end).
        self.lines.extend(line for line in self.note(path).end if line)
        for key, value in nested:
            child = f"{name}.{_key(key)}" if name else _key(key)
            sub, sub_shape = (*path, key), (*shape, key)
            if isinstance(value, dict):
                self.table(value, child, sub, sub_shape, array=False)
                continue
            for index in _order(value, sub):
                self.table(value[index], child, (*sub, index), sub_shape, array=True)

    def as_tables(self, value: Any, path: KeyPath) -> bool:
        """Whether `value` is written as [table] / [[array]] tables rather than `key = value`.

        An array of tables stays an inline array when comments belong to the array as a
        whole (above it, after it, or inside its brackets but on no element): [[...]]
        tables have no place for them.
        """
        if isinstance(value, dict):
            return True
        return _is_array_of_tables(value) and path not in self.notes

    def keyval(self, key: str, value: Any, path: KeyPath) -> None:
        self.before((path,), "", header=False)
        prefix = f"{_key(key)} = "
        trailing = self.inline(path)
        lines = self.value(value, path, 0, len(prefix), one_line="ucap: ignore" in trailing)
        lines[0] = prefix + lines[0]
        lines[-1] += trailing
        self.lines.extend(lines)

    def value(
        self, value: Any, path: KeyPath, level: int, width: int, *, one_line: bool = False
    ) -> list[str]:
        if not isinstance(value, list):
            return [inline_value(value)]
        note = self.note(path)
        indent = INDENT * (level + 1)
        order = _order(value, path)
        items = [self.value(value[i], (*path, i), level + 1, len(indent)) for i in order]
        noted = bool(note.open or note.end) or any((*path, i) in self.notes for i in order)
        if all(len(item) == 1 for item in items) and not noted:
            single = "[" + ", ".join(item[0] for item in items) + "]"
            if one_line or width + len(single) <= WIDTH:
                return [single]
        lines = ["[" + _trailing(note.open)]
        for index, item in zip(order, items, strict=True):
            sub = (*path, index)
            self.before((sub,), indent, header=False, out=lines)
            lines.append(indent + item[0])
            lines.extend(item[1:])
            lines[-1] += "," + self.inline(sub)
        self.add_block(note.end, indent, out=lines)
        lines.append(INDENT * level + "]")
        return lines


_NO_NOTES = Notes()


def _order(value: list[Any], path: KeyPath) -> list[int]:
    """The order the elements of array `path` are written in: activities by date."""
    if path == ("activities",) and _is_array_of_tables(value):
        return activity_order(value)
    return list(range(len(value)))


def _trailing(comments: list[str]) -> str:
    return "".join(f"  {text}" for text in comments)


def render(data: Mapping[str, Any], attached: Attached | None = None) -> str:
    """`data` in the canonical layout, with `attached` comments placed (trusting the caller)."""
    return _Writer(attached or Attached()).text(data)


# --------------------------------------------------------------------------- formatting


def canonical_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` as the canonical layout holds it: activities in date order."""
    result = dict(data)
    activities = data.get("activities")
    if isinstance(activities, list) and _is_array_of_tables(activities):
        result["activities"] = [activities[i] for i in activity_order(activities)]
    return result


def format_text(text: str) -> str:
    """The canonical layout of record `text`; raises FormatError / CannotKeepComments.

    A leading BOM and the file's line ending (LF or CRLF) are kept.
    """
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    try:
        data = parse_document(body)
    except TOMLDecodeError as error:
        raise FormatError(f"not valid TOML: {error}") from None
    except TooDeepError as error:
        raise FormatError(too_deep_message(error, body)) from None
    attached, placements = place_comments(body)
    writer = _Writer(attached)
    new = writer.text(data)
    check_formatted(data, placements, new, writer.first)
    first = body.find("\n")
    if first > 0 and body[first - 1] == "\r":
        new = new.replace("\n", "\r\n")
    return bom + new


def check_formatted(
    data: Mapping[str, Any], placements: list[Placement], new: str, first: KeyPath | None
) -> None:
    """The new text must hold the same data (activities sorted) and every comment in its place.

    A comment's place is its slot and key path (an activity's path follows the activity when
    activities are sorted), and the order of the comments sharing a place. Comment lines
    above the key written `first` join the head: nothing is above them any more.
    """
    try:
        same = equal(loads(new), canonical_data(data))
    except (TOMLDecodeError, RecursionError):
        same = False
    if not same:
        raise CannotKeepComments("the canonical layout could not be checked; file left as it is")
    moved = _renumbering(data)
    before = _places(placements, moved, first)
    after = _places(place_comments(new)[1], {}, None)
    if before == after:
        return
    where = ""
    for placement in placements:
        place = _place(placement, moved, first)
        if before[place] != after.get(place):
            text = placement.comment.text
            text = text if len(text) <= 40 else text[:39] + "…"
            where = f": {text!r} (line {placement.comment.line}, {placement.describe()})"
            break
    raise CannotKeepComments(
        f"some comments cannot be kept in the canonical layout{where}; file left as it is"
    )


def _renumbering(data: Mapping[str, Any]) -> dict[KeyPath, KeyPath]:
    """Where each activity's key path goes when the canonical layout sorts the activities."""
    activities = data.get("activities")
    if not (isinstance(activities, list) and _is_array_of_tables(activities)):
        return {}
    order = activity_order(activities)
    return {("activities", old): ("activities", new) for new, old in enumerate(order)}


def _places(
    placements: list[Placement], moved: Mapping[KeyPath, KeyPath], first: KeyPath | None
) -> dict[tuple[KeyPath, Slot], list[str]]:
    """The comments of each place, in order (trailing comments joined on a line split apart)."""
    places: dict[tuple[KeyPath, Slot], list[str]] = {}
    for placement in placements:
        place = _place(placement, moved, first)
        places.setdefault(place, []).extend(_fragments(placement.comment.text))
    return places


def _place(
    placement: Placement, moved: Mapping[KeyPath, KeyPath], first: KeyPath | None
) -> tuple[KeyPath, Slot]:
    """The place of a comment of the old text in the new one (see `check_formatted`)."""
    path, slot = placement.path, placement.slot
    if slot == "above" and path == first:
        return (), "head"
    return ((*moved[path[:2]], *path[2:]) if path[:2] in moved else path), slot


def _fragments(comment: str) -> list[str]:
    """A comment cut before each inner `#`: trailing comments of one line may be joined."""
    return re.split(r"\s+(?=#)", comment)


def equal(a: Any, b: Any) -> bool:
    """Deep equality of parsed TOML values where NaN equals NaN and types must match."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):  # NaN equals NaN of the same sign
        return math.isnan(b) and math.copysign(1.0, a) == math.copysign(1.0, b)
    return bool(a == b)


# --------------------------------------------------------------------------- files


@dataclass(frozen=True)
class Outcome:
    """What formatting did (or would do) to one file."""

    path: Path
    status: Literal["unchanged", "changed", "kept", "error"]
    message: str = ""
    before: str = ""
    after: str = ""

    def diff(self, name: str) -> Iterator[str]:
        """The unified diff from the file to its canonical layout."""
        return difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            fromfile=name,
            tofile=f"{name} (formatted)",
        )


def format_file(
    path: Path,
    *,
    write: bool,
    max_size: int = DEFAULT_MAX_FILE_SIZE,
    within: Path | None = None,
) -> Outcome:
    """Format one file; with `write`, replace it (atomically, under its lock) when it changes.

    "kept": its comments cannot all be kept, so it is left as it is; "error": it cannot be
    read, is not TOML or could not be written, or (with `write`) it is a link to a file
    outside `within` (the records folder) and its own folder.
    """
    from ucap_cli.toml.files import FileTooLargeError, read_bytes

    raw = b""
    try:
        if write:
            from ucap_cli.toml.write import confined_target

            confined_target(path, within)
        raw = read_bytes(path, max_size)
        check_utf8_mark(raw)
        text = raw.decode("utf-8")
        new = format_text(text)
    except CannotKeepComments as error:
        return Outcome(path, "kept", str(error))
    except InstallError:
        raise  # the installation, not this file, is at fault: the whole run stops (exit 2)
    except FileTooLargeError as error:
        return Outcome(
            path, "error", f"larger than the limit of {error.limit:,} bytes (max_file_size)"
        )
    except (FormatError, ForeignEncodingError, UcapError) as error:
        return Outcome(path, "error", str(error))
    except UnicodeDecodeError as error:
        return Outcome(path, "error", not_utf8_message(raw, error))
    except OSError as error:
        return Outcome(path, "error", f"cannot read: {error.strerror or error}")
    if new == text:
        return Outcome(path, "unchanged")
    if write:
        from ucap_cli.toml.write import update_text

        try:
            update_text(path, format_text, max_size=max_size, within=within)
        except UcapError as error:
            return Outcome(path, "error", str(error))
    return Outcome(path, "changed", before=text, after=new)


def format_files(
    paths: Iterable[Path],
    *,
    write: bool,
    max_size: int = DEFAULT_MAX_FILE_SIZE,
    within: Path | None = None,
) -> list[Outcome]:
    """Format each file in turn (see `format_file`)."""
    return [format_file(path, write=write, max_size=max_size, within=within) for path in paths]


def summary(outcomes: list[Outcome], *, written: bool) -> str:
    """ "2 files reformatted, 1 file left unchanged" (or "would be reformatted")."""

    def files(n: int) -> str:
        return f"{n} file{'' if n == 1 else 's'}"

    counts = Counter(o.status for o in outcomes)
    parts = []
    if counts["changed"]:
        parts.append(f"{files(counts['changed'])} {'reformatted' if written else 'would change'}")
    unchanged = counts["unchanged"] + counts["kept"]
    if unchanged or not outcomes:
        parts.append(f"{files(unchanged)} {'left ' if parts else ''}unchanged")
    if counts["error"]:
        parts.append(f"{files(counts['error'])} not formatted (errors)")
    return ", ".join(parts)
