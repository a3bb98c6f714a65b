"""The project root and its configuration (`ucap.toml` or `[tool.ucap]`), found upward."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ucap_cli.check.problems import CODES
from ucap_cli.errors import ConfigError
from ucap_cli.toml.files import read_text
from ucap_cli.toml.locate import KeyPath
from ucap_cli.toml.parser import TOMLDecodeError, error_location, loads

DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
_KEY_ORDER = ("records", "activity_kinds", "themes", "ignore", "strict", "max_file_size")
_KEYS = frozenset(_KEY_ORDER)


@dataclass(frozen=True)
class Config:
    """Settings in force for one run; `root` is the project root (see `find_project`)."""

    root: Path
    records: Path
    activity_kinds: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    ignore: frozenset[str] = frozenset()
    strict: bool = False
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    source: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def validation_context(self) -> dict[str, Any]:
        """What the model's validators need from the configuration."""
        return {"activity_kinds": self.activity_kinds, "themes": self.themes}


@dataclass(frozen=True)
class ConfigFile:
    """A configuration as written: its file, its table, its text, and where the table is in it
    (`()` in ucap.toml, `("tool", "ucap")` in pyproject.toml)."""

    path: Path
    table: dict[str, Any]
    text: str
    base: KeyPath = ()


def find_project(start: Path) -> tuple[Path, ConfigFile | None]:
    """The project root and its configuration, found as git finds its root: the nearest folder,
    from `start` upward, that holds `ucap.toml`, a `pyproject.toml` with `[tool.ucap]`, or a
    `records/` folder (`start` itself when none does)."""
    for folder in (start, *start.parents):
        candidate = folder / "ucap.toml"
        if candidate.is_file():
            data, text = _read(candidate)
            return folder, ConfigFile(candidate, data, text)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            data, text = _read(pyproject)
            tool = data.get("tool")
            table = tool.get("ucap") if isinstance(tool, dict) else None
            if isinstance(table, dict):
                return folder, ConfigFile(pyproject, table, text, ("tool", "ucap"))
        if (folder / "records").is_dir():
            return folder, None
    return start, None


def _read(path: Path) -> tuple[dict[str, Any], str]:
    # A FIFO or a device is refused, never waited on. Only a few keys are read from the data,
    # never walked: another tool's deep tables in pyproject.toml are no concern of ucap's.
    try:
        text = read_text(path, DEFAULT_MAX_FILE_SIZE)
    except OSError as error:
        reason = error.strerror or error
        raise ConfigError(f"{_shown(path)}: cannot read configuration: {reason}") from None
    except ValueError as error:  # not UTF-8, or too large
        raise ConfigError(f"{_shown(path)}: cannot read configuration: {error}") from None
    try:
        return loads(text), text
    except TOMLDecodeError as error:
        message, line, column = error_location(error, text)
        raise ConfigError(
            f"{_shown(path)}:{line}:{column}: cannot read configuration: {message}"
        ) from None
    except RecursionError as error:  # nesting past the parser's own limits
        raise ConfigError(f"{_shown(path)}: cannot read configuration: {error}") from None


def load_config(
    start: Path | None = None,
    records: Path | None = None,
    environ: dict[str, str] | None = None,
) -> Config:
    """The configuration for a run in `start` (default: the current folder).

    The project root is found upward from `start` (see `find_project`). The records folder
    is, by priority: `records` (from `--records`), `UCAP_RECORDS`, the config's `records` key
    (relative to the root), then `records/` under the project root. A key that is unknown or
    of the wrong type is a ConfigError that names its line and column.
    """
    start = (start or Path.cwd()).resolve()
    env = os.environ if environ is None else environ
    root, found = find_project(start)
    unknown = [key for key in found.table if key not in _KEYS] if found else []
    if found and unknown:
        raise _unknown_key(found, unknown[0])
    folder = records or (Path(env["UCAP_RECORDS"]) if env.get("UCAP_RECORDS") else None)
    if folder is None:
        folder = root / _typed(found, "records", str, "records")
    return Config(
        root=root,
        records=folder,
        activity_kinds=tuple(_strings(found, "activity_kinds")),
        themes=tuple(_strings(found, "themes")),
        ignore=frozenset(_codes(found)),
        strict=_typed(found, "strict", bool, False),
        max_file_size=_typed(found, "max_file_size", int, DEFAULT_MAX_FILE_SIZE),
        source=found.path if found else None,
    )


_KIND_NAMES = {str: "a string", bool: "a bool (true or false)", int: "a positive integer"}
_TYPE_NAMES = {str: "a string", bool: "a bool", int: "an integer", float: "a number"}
_TYPE_NAMES |= {list: "an array", dict: "a table"}


def _typed(found: ConfigFile | None, key: str, kind: type[Any], default: Any) -> Any:
    if found is None or key not in found.table:
        return default
    value = found.table[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _located(found, (key,), f"{key} must be {_KIND_NAMES[kind]}, got {_described(value)}")
    if kind is int and value < 1:
        raise _located(found, (key,), f"{key} must be {_KIND_NAMES[kind]}, got {value}")
    return value


def _strings(found: ConfigFile | None, key: str) -> list[str]:
    if found is None or key not in found.table:
        return []
    value = found.table[key]
    message = f"{key} must be an array of strings"
    if not isinstance(value, list):
        raise _located(found, (key,), f"{message}, got {_described(value)}")
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise _located(found, (key, index), f"{message}, got {_described(item)} in it")
    return value


def _codes(found: ConfigFile | None) -> list[str]:
    codes = _strings(found, "ignore")
    for index, code in enumerate(codes):
        assert found is not None  # the codes were read from it
        if code.upper() not in CODES:
            from ucap_cli.record import vocab

            suggestion = vocab.did_you_mean(vocab.closest(code.upper(), CODES))
            raise _located(
                found,
                ("ignore", index),
                f"ignore lists unknown problem code {code!r}{suggestion}",
                hint="the README's table of problem codes lists them",
            )
    return [code.upper() for code in codes]


def _described(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), f"a {type(value).__name__}")


def _unknown_key(found: ConfigFile, key: str) -> ConfigError:
    from ucap_cli.record import vocab

    suggestion = vocab.did_you_mean(vocab.closest(key, sorted(_KEYS)))
    return _located(
        found,
        (key,),
        f"unknown configuration key {key!r}{suggestion}",
        part="key",
        hint="keys: " + ", ".join(_KEY_ORDER),
    )


def _located(
    found: ConfigFile, path: KeyPath, message: str, *, part: str = "value", hint: str | None = None
) -> ConfigError:
    """`file:line:column: message`, pointing at the key or the value at `path` of the table."""
    from ucap_cli.toml.locate import build_source_map

    source = build_source_map(found.text)
    full = (*found.base, *path)
    position = (source.key(full) if part == "key" else source.value(full)) or source.nearest(full)
    return ConfigError(
        f"{_shown(found.path)}:{position.line}:{position.column}: {message}", hint=hint
    )


def _shown(path: Path) -> str:
    from ucap_cli.toml.files import display_path

    return display_path(path)
