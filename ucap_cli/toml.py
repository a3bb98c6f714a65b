"""The TOML parser ucap reads with: `tomli` (mypyc-compiled) when installed, else `tomllib`.

Both are the same parser (tomllib is tomli vendored into the standard library): the same
accepted language and the same error messages; tests check both on one corpus.

`parse_document` is how ucap reads a TOML document a person wrote: the parser, then one
limit on nesting, `MAX_DEPTH`, so that whatever walks the data afterwards (validation, views,
JSON output, `fmt`, `add`) can do so recursively without ever running out of stack.
"""

from __future__ import annotations

import re
from typing import Any

try:
    from tomli import TOMLDecodeError, loads
except ImportError:  # pragma: no cover - tomli is a dependency, tomllib the fallback
    from tomllib import TOMLDecodeError, loads  # type: ignore[assignment]

# Keys, tables and arrays nested more deeply than this are refused: `a.b = [[1]]` is 4 levels
# (the value 1 is at a, b, first element, first element). The record format itself needs 6.
MAX_DEPTH = 64

KeyPath = tuple[str | int, ...]

__all__ = ["MAX_DEPTH", "KeyPath", "TOMLDecodeError", "TooDeepError", "loads", "parse_document"]


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
    try:
        data = loads(text)
    except RecursionError as error:  # tomli's own limits (400 nested arrays, 1000-part keys)
        found = re.search(r"allowed (\d+)", str(error))
        raise TooDeepError(
            None, None, at_least=int(found.group(1)) if found else MAX_DEPTH
        ) from None
    if _deeper_than_limit(data):
        path, depth = _deepest(data)
        raise TooDeepError(path, depth, table=isinstance(data[str(path[0])], dict))
    return data


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
