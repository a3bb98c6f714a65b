"""The canonical layout of a record file (`ucap fmt`), keeping every comment with its key.

Layout: keys in the order of the format page (unknown keys after the known ones, in their
order), plain values first and tables after them, each `[table]` / `[[array]]` header after
one blank line, record arrays of tables always as `[[...]]` tables, activities sorted by date
(stable), values written by tomli-w (its quoting, escapes, numbers and dates), and arrays on
one line when the line fits in 100 characters, else one element per line with tomli-w's
indentation and trailing comma.

Comments are data too. Each comment is attached to the key, table header or array element
it sits on (a trailing comment) or above (a comment line, with the blank lines around it),
and written back at the same place in the new layout: a comment above an activity moves with
the activity when activities are sorted. A trailing `# ucap: ignore[...]` keeps its value on
one line, so it still suppresses what it suppressed. Every result is checked: the same data
and the same comments, or the file is left as it is (`CannotKeepComments`).
"""

from __future__ import annotations

import bisect
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
from ucap_cli.dates import DateError, parse_partial_date
from ucap_cli.encoding import ForeignEncodingError, check_utf8_mark, not_utf8_message
from ucap_cli.errors import UcapError
from ucap_cli.locate import KeyPath, SourceMap, build_source_map, too_deep_message
from ucap_cli.toml import TOMLDecodeError, TooDeepError, loads, parse_document

WIDTH = 100  # tomli-w's line length
INDENT = "    "  # tomli-w's indentation

_CITY = ("name", "short", "region", "country", "population", "area_km2")
# The key order of each table of a record, as the format page lists it.
KEY_ORDER: dict[tuple[str, ...], tuple[str, ...]] = {
    (): (
        "schema_version",
        "id",
        "title",
        "programme",
        "period",
        "themes",
        "sdgs",
        "urban_agenda",
        "contact",
        "summary",
        "challenges",
        "objectives",
        "sources",
        "city",
        "partners",
        "focus",
        "activities",
        "expected_results",
        "organisations",
        "extra",
    ),
    ("period",): ("start", "end"),
    ("city",): _CITY,
    ("partners",): _CITY,
    ("focus",): ("theme", "text"),
    ("activities",): (
        "date",
        "end",
        "kind",
        "title",
        "status",
        "where",
        "cities",
        "organisations",
        "themes",
        "summary",
        "outputs",
        "links",
        "agreements",
    ),
    ("activities", "agreements"): ("kind", "parties", "count", "fields", "title"),
    ("expected_results",): ("text", "theme", "status", "organisations"),
    ("organisations",): ("name", "kind", "city", "note"),
}


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


@dataclass
class Notes:
    """Comments attached to one key, header or array element."""

    before: list[str] = field(default_factory=list)  # comment lines; "" is a blank line
    inline: list[str] = field(default_factory=list)  # trailing comments


@dataclass
class Attached:
    """Every comment of a document, by the key path it belongs to."""

    notes: dict[KeyPath, Notes] = field(default_factory=dict)
    footer: list[str] = field(default_factory=list)


def attach(text: str, data: Mapping[str, Any], layout: Layout | None = None) -> Attached:
    """Attach each comment of `text` (parsed as `data`) to the nearest key path."""
    layout = layout or scan(text)
    result = Attached()
    if not layout.comments:
        return result
    source = build_source_map(text)
    anchors = sorted((position, len(path), path) for path, position in _anchors(data, source, ()))
    keys = [(line, column) for (line, column), _, _ in anchors]
    lines = {path: line for (line, _), _, path in anchors}
    alone: dict[KeyPath | None, list[Comment]] = {}
    for comment in layout.comments:
        at = (comment.line, comment.column)
        index = bisect.bisect_left(keys, at)
        if not comment.alone:
            # The first key or element starting on the comment's line, else the last before.
            start = bisect.bisect_left(keys, (comment.line, 0))
            chosen = start if start < index else index - 1
            if chosen >= 0:
                result.notes.setdefault(anchors[chosen][2], Notes()).inline.append(comment.text)
                continue
        alone.setdefault(anchors[index][2] if index < len(anchors) else None, []).append(comment)
    for owner, comments in alone.items():
        following = lines[owner] if owner is not None else len(layout.kinds) + 1
        block = _block(comments, following, layout.kinds)
        if owner is None:
            result.footer = block
        else:
            result.notes.setdefault(owner, Notes()).before = block
    return result


def _anchors(
    value: Any, source: SourceMap, path: KeyPath
) -> Iterator[tuple[KeyPath, tuple[int, int]]]:
    """Every key path under `path` with where it starts in the text."""
    if isinstance(value, dict):
        for key, child in value.items():
            sub = (*path, key)
            found = [p for p in (source.key(sub), source.table(sub)) if p is not None]
            if found:
                start = min(found, key=lambda p: (p.line, p.column))
                yield sub, (start.line, start.column)
            yield from _anchors(child, source, sub)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            sub = (*path, index)
            found_at = source.value(sub)
            if found_at is not None:
                yield sub, (found_at.line, found_at.column)
            yield from _anchors(child, source, sub)


def _block(comments: list[Comment], following: int, kinds: list[str]) -> list[str]:
    """Comment lines with the blank lines before, between and after them (one at most)."""

    def blank_between(first: int, last: int) -> bool:  # 1-based lines strictly between
        return any(kinds[k] == "blank" for k in range(first, min(last - 1, len(kinds))))

    out: list[str] = []
    first = comments[0].line
    if first >= 2 and kinds[first - 2] == "blank":
        out.append("")
    for previous, comment in zip([None, *comments], comments, strict=False):
        if previous is not None and blank_between(previous.line, comment.line):
            out.append("")
        out.append(comment.text)
    if blank_between(comments[-1].line, following):
        out.append("")
    return out


# --------------------------------------------------------------------------- writing


def _scalar(value: Any) -> str:
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
    order = KEY_ORDER.get(shape)
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
        self.footer = attached.footer
        self.lines: list[str] = []

    def text(self, data: Mapping[str, Any]) -> str:
        self.table(data, "", (), (), array=False, extra=())
        if self.footer:
            self.add_block(self.footer, "")
        return "".join(line + "\n" for line in self.lines)

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
        block = [line for path in paths for line in self.notes.get(path, Notes()).before]
        if header:
            while block and not block[0]:
                block.pop(0)
            if self.lines:
                self.lines.append("")
        self.add_block(block, indent, out)

    def inline(self, *paths: KeyPath) -> str:
        """The trailing comments of `paths`, each after two spaces."""
        found = [text for path in paths for text in self.notes.get(path, Notes()).inline]
        return "".join(f"  {text}" for text in found)

    def table(
        self,
        table: Mapping[str, Any],
        name: str,
        path: KeyPath,
        shape: tuple[str, ...],
        *,
        array: bool,
        extra: tuple[KeyPath, ...],
    ) -> None:
        items = _ordered(table, shape)
        plain = [(k, v) for k, v in items if not _is_table(v)]
        nested = [(k, v) for k, v in items if _is_table(v)]
        noted = any(p in self.notes for p in (path, *extra))
        if array or (name and (plain or not nested or noted)):
            self.before((*extra, path), "", header=True)
            header = f"[[{name}]]" if array else f"[{name}]"
            self.lines.append(header + self.inline(*extra, path))
            extra = ()
        for key, value in plain:
            self.keyval(key, value, (*path, key))
        for key, value in nested:
            child = f"{name}.{_key(key)}" if name else _key(key)
            sub, sub_shape = (*path, key), (*shape, key)
            if isinstance(value, dict):
                self.table(value, child, sub, sub_shape, array=False, extra=extra)
                extra = ()
                continue
            order = activity_order(value) if sub == ("activities",) else range(len(value))
            for position, index in enumerate(order):
                self.table(
                    value[index],
                    child,
                    (*sub, index),
                    sub_shape,
                    array=True,
                    extra=(*extra, sub) if position == 0 else (),
                )
            extra = ()

    def keyval(self, key: str, value: Any, path: KeyPath) -> None:
        self.before((path,), "", header=False)
        prefix = f"{_key(key)} = "
        trailing = self.inline(path)
        lines = self.value(value, path, 0, len(prefix), one_line="ucap: ignore" in trailing)
        lines[0] = prefix + lines[0] + trailing
        self.lines.extend(lines)

    def value(
        self, value: Any, path: KeyPath, level: int, width: int, *, one_line: bool = False
    ) -> list[str]:
        if not isinstance(value, list) or not value:
            return [inline_value(value)]
        indent = INDENT * (level + 1)
        items = [
            self.value(item, (*path, index), level + 1, len(indent))
            for index, item in enumerate(value)
        ]
        noted = any((*path, index) in self.notes for index in range(len(value)))
        if all(len(item) == 1 for item in items) and not noted:
            single = "[" + ", ".join(item[0] for item in items) + "]"
            if one_line or width + len(single) <= WIDTH:
                return [single]
        lines = ["["]
        for index, item in enumerate(items):
            sub = (*path, index)
            self.before((sub,), indent, header=False, out=lines)
            lines.append(indent + item[0])
            lines.extend(item[1:])
            lines[-1] += "," + self.inline(sub)
        lines.append(INDENT * level + "]")
        return lines


def _is_table(value: Any) -> bool:
    """A value written as `[table]` or `[[array]]` tables rather than `key = value`."""
    return isinstance(value, dict) or _is_array_of_tables(value)


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
    layout = scan(body)
    new = render(data, attach(body, data, layout))
    _check(data, layout, new)
    first = body.find("\n")
    if first > 0 and body[first - 1] == "\r":
        new = new.replace("\n", "\r\n")
    return bom + new


def _check(data: Mapping[str, Any], layout: Layout, new: str) -> None:
    """The new text must hold the same data (activities sorted) and the same comments."""
    try:
        same = equal(loads(new), canonical_data(data))
    except (TOMLDecodeError, RecursionError):
        same = False
    if not same:
        raise CannotKeepComments("the canonical layout could not be checked; file left as it is")
    kept = Counter(part for c in scan(new).comments for part in _fragments(c.text))
    if kept != Counter(part for c in layout.comments for part in _fragments(c.text)):
        raise CannotKeepComments(
            "some comments cannot be kept in the canonical layout (e.g. inside an inline "
            "table); file left as it is"
        )


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
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
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
    from ucap_cli.files import FileTooLargeError, read_bytes

    raw = b""
    try:
        if write:
            from ucap_cli.write import confined_target

            confined_target(path, within)
        raw = read_bytes(path, max_size)
        check_utf8_mark(raw)
        text = raw.decode("utf-8")
        new = format_text(text)
    except CannotKeepComments as error:
        return Outcome(path, "kept", str(error))
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
        from ucap_cli.write import update_text

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
