"""The TOML parser ucap reads with: a TOML 1.0 parser, because records are TOML 1.0.

`tomli` (mypyc-compiled, pinned below 2.4) when installed, else the standard library's
`tomllib`, which is tomli vendored: the same language and error messages. tomli 2.4 and later
(and the `tomllib` of newer Pythons) read TOML 1.1, whose additions TOML 1.0 tools and editors
reject: a record would pass here and fail there. So a parser is used only if it rejects every
TOML 1.1 addition (a check of a few microseconds); with none available, `loads` refuses to read
(InstallError) rather than give a verdict that depends on the install.

`parse_document` is how ucap reads a TOML document a person wrote: the parser, then one
limit on nesting, `MAX_DEPTH`, so that whatever walks the data afterwards (validation, views,
JSON output, `fmt`, `add`) can do so recursively without ever running out of stack. The
record loader takes the two steps itself (`read_document`, then `check_depth` after
validation, of only what the model leaves free-form when the record is valid).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from types import ModuleType
from typing import Any, NoReturn

from ucap_cli.errors import InstallError

# One document per TOML 1.1 addition (toml-test's cases that differ between 1.0 and 1.1):
# a TOML 1.0 parser rejects each of them.
TOML_1_1_ONLY = (
    "t = { a = 1,\n  b = 2 }\n",  # newline inside an inline table
    "t = { a = 1, }\n",  # trailing comma in an inline table
    "t = 07:32\n",  # time without seconds
    's = "\\x41"\n',  # \xHH escape
    's = "\\e"\n',  # \e escape
)

PIN = "tomli>=2.2.1,<2.4"  # the range in pyproject.toml


def reads_toml_1_0(parser: ModuleType) -> bool:
    """True when `parser` (tomli, tomllib or a module like them) rejects every TOML 1.1
    addition."""
    for document in TOML_1_1_ONLY:
        try:
            parser.loads(document)
        except parser.TOMLDecodeError:
            continue
        return False
    return True


def _candidates() -> Iterator[ModuleType]:
    try:
        import tomli
    except ImportError:
        pass
    else:
        yield tomli
    import tomllib

    yield tomllib


def _refuse(text: str) -> NoReturn:
    raise InstallError(
        "records are TOML 1.0, but this installation's TOML parser reads TOML 1.1 "
        "(and so would accept what TOML 1.0 tools reject)",
        hint=f"pip install '{PIN}'",
    )


_PARSER = next((p for p in _candidates() if reads_toml_1_0(p)), None)
if _PARSER is not None:
    # The parser's own function, not a wrapper: the verdict cache fingerprints its module.
    loads: Callable[[str], dict[str, Any]] = _PARSER.loads
    TOMLDecodeError: type[ValueError] = _PARSER.TOMLDecodeError
else:
    import tomllib

    loads = _refuse
    TOMLDecodeError = tomllib.TOMLDecodeError


def error_location(error: ValueError, text: str) -> tuple[str, int, int]:
    """The message of a TOML decode error without its position, its line and its column.

    tomli (2.1 and later) gives them as attributes; the `tomllib` of Python 3.11 to 3.13 only
    in the message, as `... (at line 3, column 7)` or `... (at end of document)`.
    """
    message = str(getattr(error, "msg", error))
    line, column = getattr(error, "lineno", None), getattr(error, "colno", None)
    if isinstance(line, int) and isinstance(column, int):
        return message, line, column
    found = re.search(r" \(at (?:line (\d+), column (\d+)|end of document)\)$", message)
    if found is None:
        return message, 1, 1
    message = message[: found.start()]
    if found.group(1):
        return message, int(found.group(1)), int(found.group(2))
    lines = text.split("\n")
    return message, len(lines), len(lines[-1]) + 1


# Keys, tables and arrays nested more deeply than this are refused: `a.b = [[1]]` is 4 levels
# (the value 1 is at a, b, first element, first element). The record format itself needs 6.
MAX_DEPTH = 64

KeyPath = tuple[str | int, ...]


class TooDeepError(ValueError):
    """The document nests keys, tables and arrays more than MAX_DEPTH levels deep.

    `path` leads to the first value past the limit on the deepest branch, and `depth` is that
    branch's depth; both are None when the parser itself gave up, past `at_least` levels.
    `table`: the top-level key of `path` holds a table.
    """

    def __init__(
        self,
        path: KeyPath | None,
        depth: int | None,
        *,
        table: bool = False,
        at_least: int = MAX_DEPTH,
    ) -> None:
        self.path = path
        self.depth = depth
        self.at_least = at_least
        super().__init__(self.describe(path, table=table))

    def describe(self, path: KeyPath | None, *, table: bool) -> str:
        """'[extra] is nested 501 levels deep; the limit is 64', naming the top-level key of
        `path` (as `[key]` when `table`)."""
        if path:
            key = _key_text(path[0])
            where = f"[{key}]" if table else key
        else:
            where = "the document"
        deep = f"{self.depth}" if self.depth is not None else f"more than {self.at_least}"
        return f"{where} is nested {deep} levels deep; the limit is {MAX_DEPTH}"


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _key_text(key: str | int) -> str:
    text = str(key)
    return text if _BARE_KEY.fullmatch(text) else '"' + text.encode("unicode_escape").decode() + '"'


def parse_document(text: str) -> dict[str, Any]:
    """The data of TOML `text`: TOMLDecodeError when it is not TOML, TooDeepError when it
    nests deeper than MAX_DEPTH (including past the parser's own limits)."""
    data = read_document(text)
    check_depth(data)
    return data


def read_document(text: str) -> dict[str, Any]:
    """`parse_document` without the depth check, which the caller must make (`check_depth`)
    before anything walks the data: TooDeepError only past the parser's own limits."""
    try:
        return loads(text)
    except RecursionError as error:  # tomli's own limits (400 nested arrays, 1000-part keys)
        found = re.search(r"allowed (\d+)", str(error))
        raise TooDeepError(
            None, None, at_least=int(found.group(1)) if found else MAX_DEPTH
        ) from None


def check_depth(data: dict[str, Any], within: Collection[str] | None = None) -> None:
    """TooDeepError when `data` nests deeper than MAX_DEPTH; with `within`, only under those
    top-level keys (for a caller who knows the rest is shallow: a record valid but for them).
    """
    if within is not None:
        data = {key: data[key] for key in within if key in data}
    if _deeper_than_limit(data):
        path, depth = _deepest(data)
        raise TooDeepError(path, depth, table=isinstance(data[str(path[0])], dict))


def _deeper_than_limit(data: dict[str, Any]) -> bool:
    """True when a value sits more than MAX_DEPTH keys and indices below the top level.

    Breadth-first, one level at a time, over the containers only: no recursion, and a
    record's few dozen tables and arrays cost microseconds (a few per cent of parsing them).
    """
    level: list[Any] = [data]
    for _ in range(MAX_DEPTH):
        level = [
            value
            for container in level
            for value in (container.values() if type(container) is dict else container)
            if isinstance(value, _CONTAINERS) and value
        ]
        if not level:
            return False
    return True  # non-empty containers at MAX_DEPTH: their entries are one level deeper


_CONTAINERS = (dict, list)


# A container met breadth-first: itself, the index of its parent in the level above, and its
# key (or index) in that parent.
_Node = tuple[Any, int, str | int]


def _deepest(data: dict[str, Any]) -> tuple[KeyPath, int]:
    """The deepest branch's depth, and the path along it to the first value past MAX_DEPTH."""
    levels: list[list[_Node]] = [[(data, -1, "")]]  # levels[n]: containers n keys deep
    while True:
        below: list[_Node] = []
        for index, (container, _, _) in enumerate(levels[-1]):
            items = container.items() if isinstance(container, dict) else enumerate(container)
            below.extend(
                (value, index, key)
                for key, value in items
                if isinstance(value, dict | list) and value
            )
        if not below:
            break
        levels.append(below)
    # The containers of the last level are not empty: their entries are the deepest values.
    container, _, _ = levels[-1][0]
    path: list[str | int] = [next(iter(container)) if isinstance(container, dict) else 0]
    index = 0
    for level in reversed(levels[1:]):
        _, index, key = level[index]
        path.append(key)
    path.reverse()
    return tuple(path[: MAX_DEPTH + 1]), len(levels)


__all__ = [
    "MAX_DEPTH",
    "KeyPath",
    "TOMLDecodeError",
    "TooDeepError",
    "check_depth",
    "error_location",
    "loads",
    "parse_document",
    "read_document",
    "reads_toml_1_0",
]
