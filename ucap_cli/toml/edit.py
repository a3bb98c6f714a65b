"""Fixes of a TOML text, made in place: each replaces one token's text (a key, a string, an
array element), and every other byte (comments, spacing, order) stays as it was.

A `Fix` names what to change by key path; where it is written comes from the source positions
(`locate.TokenMap`). `apply` makes the fixes it can on a text, then parses the result and
checks that its data is the text's data with exactly those changes: a fix whose edit would
touch anything else is not made (it never guesses at the text).
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ucap_cli.toml.locate import KeyPath, Span, TokenMap
from ucap_cli.toml.parser import TOMLDecodeError, TooDeepError, parse_document

Action = Literal["rename", "replace", "remove"]
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_BASIC_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_BASIC_ESCAPES |= {'"': '\\"', "\\": "\\\\"}


@dataclass(frozen=True, slots=True)
class Fix:
    """One safe correction: rename the key at `path` to `value`, replace the string at `path`
    with `value`, or remove the array element at `path` (its last part is the index)."""

    path: KeyPath
    action: Action
    value: str | None = None

    def old(self, data: dict[str, Any]) -> Any:
        """What is at `path` now: the key's name for a rename, else the value."""
        return self.path[-1] if self.action == "rename" else _lookup(data, self.path)

    def describe(self, old: Any) -> str:
        """What the fix does, in words: "renamed 'sdg' to 'sdgs'", "'MoU' -> 'mou'"..."""
        if self.action == "rename":
            return f"renamed {old!r} to {self.value!r}"
        if self.action == "replace":
            return f"{old!r} -> {self.value!r}"
        return f"removed the duplicate {old!r}"


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text in [start, end) with `text`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Planned:
    """A fix, the edits that make it, and where the token it fixes starts."""

    fix: Fix
    edits: list[Edit]
    at: int


@dataclass
class Applied:
    """The fixed text; each fix made, with where its first edit starts (in the text given)
    and the value it changed; the fixes not made (they overlap one made, or could not be made
    safely); the edits, in the steps they were made in (see `offset_before`)."""

    text: str
    made: list[tuple[Fix, int, Any]] = field(default_factory=list)
    left: list[Fix] = field(default_factory=list)
    steps: list[list[Edit]] = field(default_factory=list)


def offset_before(offset: int, steps: list[list[Edit]]) -> int:
    """Where `offset` of a text edited in `steps` (each a list of edits of the text the
    previous ones left) was before them; in a replaced span, where that span started."""
    for edits in reversed(steps):
        shift = 0
        for edit in sorted(edits, key=_start):
            start = edit.start + shift
            if offset < start:
                break
            if offset < start + len(edit.text):
                offset = start
                break
            shift += len(edit.text) - (edit.end - edit.start)
        offset -= shift
    return offset


def apply(text: str, fixes: Sequence[Fix]) -> Applied:
    """Make `fixes` on TOML `text` (earlier fixes first when two overlap), keeping every byte
    around them; the result parses to the text's data with those changes and no other."""
    try:
        data = parse_document(text)
    except (TOMLDecodeError, TooDeepError):
        return Applied(text, left=list(fixes))
    tokens = TokenMap(text)
    planned: list[Planned] = []
    taken: list[Edit] = []
    left: list[Fix] = []
    for fix in fixes:
        plan = _edits(fix, text, tokens, data)
        if plan is None or any(_overlap(e, other) for e in plan.edits for other in taken):
            left.append(fix)
            continue
        planned.append(plan)
        taken += plan.edits
    if not planned:
        return Applied(text, left=left)
    result = _made(text, data, planned)
    if result is not None:
        result.left = left
        return result
    # Together they did not give the data expected: each alone, on the text as fixed so far.
    applied = Applied(text, left=left)
    for plan in planned:
        single = _single(applied.text, plan.fix)
        if single is None:
            applied.left.append(plan.fix)
            continue
        applied.text = single.text
        applied.made += [(f, offset_before(o, applied.steps), old) for f, o, old in single.made]
        applied.steps += single.steps
    applied.made.sort(key=lambda m: m[1])
    return applied


def _single(text: str, fix: Fix) -> Applied | None:
    data = parse_document(text)
    plan = _edits(fix, text, TokenMap(text), data)
    return _made(text, data, [plan]) if plan is not None else None


def _made(text: str, data: dict[str, Any], planned: list[Planned]) -> Applied | None:
    """`text` with the planned edits, when it parses to `data` changed by their fixes."""
    edits = sorted((edit for plan in planned for edit in plan.edits), key=_start)
    new = text
    for edit in reversed(edits):
        new = new[: edit.start] + edit.text + new[edit.end :]
    expected = copy.deepcopy(data)
    made = []
    # Later places first: removing an element never moves the path of a fix made after it.
    for plan in sorted(planned, key=lambda p: -p.at):
        old = plan.fix.old(data)
        if not _change(expected, plan.fix):
            return None
        made.append((plan.fix, plan.at, old))
    try:
        parsed = parse_document(new)
    except (TOMLDecodeError, TooDeepError):
        return None
    if not same(parsed, expected):
        return None
    made.sort(key=lambda m: m[1])
    return Applied(new, made, steps=[edits])


def _start(edit: Edit) -> int:
    return edit.start


def _overlap(a: Edit, b: Edit) -> bool:
    return (a.start < b.end and b.start < a.end) or a.start == b.start


def _edits(fix: Fix, text: str, tokens: TokenMap, data: dict[str, Any]) -> Planned | None:
    """The edits that make `fix` on `text` and where the token it fixes starts, or None when
    it cannot be made safely."""
    if not fix.path:
        return None
    parent = _lookup(data, fix.path[:-1])
    if fix.action == "rename":
        old = fix.path[-1]
        if not isinstance(parent, dict) or old not in parent or fix.value is None:
            return None
        if fix.value in parent:  # the name is taken: renaming would lose a value
            return None
        spans = tokens.key_spans(fix.path)
        if not spans or any(_key_text(text[a:b]) != old for a, b in spans):
            return None
        edits = [Edit(a, b, _key_token(fix.value, text[a:b])) for a, b in spans]
        return Planned(fix, edits, spans[0][0])
    span = tokens.value_span(fix.path)
    if span is None:
        return None
    if fix.action == "replace":
        current = _lookup(data, fix.path)
        token = text[span[0] : span[1]]
        if not isinstance(current, str) or fix.value is None or token[:1] not in ("'", '"'):
            return None
        return Planned(fix, [Edit(*span, _string_token(fix.value, token))], span[0])
    index = fix.path[-1]
    if not isinstance(parent, list) or not isinstance(index, int) or index >= len(parent):
        return None
    previous = tokens.value_span((*fix.path[:-1], index - 1)) if index else None
    return Planned(fix, [Edit(*_element_removal(text, span, previous), "")], span[0])


def _element_removal(text: str, span: Span, previous: Span | None) -> Span:
    """What to cut to remove the array element at `span`: the element, and the comma and
    spaces that separate it from the next one (or, last, from the previous one); the whole
    line when the element was alone on it."""
    start, end = span
    after = _skip_spaces(text, end)
    if text[after : after + 1] == ",":
        end = _skip_spaces(text, after + 1)
    elif previous is not None and re.fullmatch(r"[ \t]*,[ \t]*", text[previous[1] : start]):
        return previous[1], end  # `, "x"` on the line of the previous element
    line_start = text.rfind("\n", 0, start) + 1
    newline = re.match(r"\r?\n", text[end:])
    if newline and not text[line_start:start].strip(" \t"):
        return line_start, end + newline.end()  # the element was alone on its line
    return start, end


def _skip_spaces(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t":
        at += 1
    return at


def _key_text(token: str) -> str | None:
    """The name a key token stands for (None when it is not one the fixes write)."""
    if token[:1] in ("'", '"'):
        try:
            value = parse_document(f"k = {token}\n")["k"]
        except (TOMLDecodeError, TooDeepError):
            return None
        return value if isinstance(value, str) else None
    return token


def _key_token(name: str, old: str) -> str:
    """`name` written as a key, quoted as the old key was (bare when it can be)."""
    if old[:1] not in ("'", '"') and _BARE_KEY.fullmatch(name):
        return name
    return _string_token(name, old if old[:1] in ("'", '"') else '"')


def _string_token(value: str, old: str) -> str:
    """`value` as a one-line TOML string: a literal string when the old one was and can be."""
    if old.startswith("'") and "'" not in value and not _CONTROL.search(value):
        return f"'{value}'"
    out = []
    for ch in value:
        if ch in _BASIC_ESCAPES:
            out.append(_BASIC_ESCAPES[ch])
        elif ch < " " or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _lookup(data: Any, path: KeyPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _change(data: dict[str, Any], fix: Fix) -> bool:
    """Make `fix` on parsed `data`; False when it does not apply there."""
    parent = _lookup(data, fix.path[:-1])
    last = fix.path[-1]
    if fix.action == "rename":
        if not isinstance(parent, dict) or last not in parent or fix.value in parent:
            return False
        assert fix.value is not None
        parent[fix.value] = parent.pop(last)
        return True
    if not isinstance(parent, dict | list):
        return False
    try:
        if fix.action == "replace":
            parent[last] = fix.value  # type: ignore[index]
        else:
            del parent[last]  # type: ignore[arg-type]
    except (KeyError, IndexError, TypeError):
        return False
    return True


def same(a: Any, b: Any) -> bool:
    """True when two parsed TOML values are equal (NaN equal to NaN; tables in any order,
    values of different types never equal: 1 is not 1.0, nor true)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)
