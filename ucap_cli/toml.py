"""The TOML parser ucap reads with: a TOML 1.0 parser, because records are TOML 1.0.

`tomli` (mypyc-compiled, pinned below 2.4) when installed, else the standard library's
`tomllib`, which is tomli vendored: the same language and error messages. tomli 2.4 and later
(and the `tomllib` of newer Pythons) read TOML 1.1, whose additions TOML 1.0 tools and editors
reject: a record would pass here and fail there. So a parser is used only if it rejects every
TOML 1.1 addition (a check of a few microseconds); with none available, `loads` refuses to read
(InstallError) rather than give a verdict that depends on the install.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
    import re  # only on this error path: nothing compiled on the way to a valid file

    found = re.search(r" \(at (?:line (\d+), column (\d+)|end of document)\)$", message)
    if found is None:
        return message, 1, 1
    message = message[: found.start()]
    if found.group(1):
        return message, int(found.group(1)), int(found.group(2))
    lines = text.split("\n")
    return message, len(lines), len(lines[-1]) + 1


__all__ = ["TOMLDecodeError", "error_location", "loads", "reads_toml_1_0"]
