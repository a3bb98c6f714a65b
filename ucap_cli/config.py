"""The project root and its configuration (`ucap.toml` or `[tool.ucap]`), found upward."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ucap_cli.check.problems import CODES
from ucap_cli.errors import ConfigError
from ucap_cli.toml.files import read_text
from ucap_cli.toml.locate import KeyPath
from ucap_cli.toml.parser import TOMLDecodeError, error_location, loads

DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
_KEY_ORDER = (
    "records",
    "activity_kinds",
    "themes",
    "ignore",
    "strict",
    "max_file_size",
    "export",
)
_KEYS = frozenset(_KEY_ORDER)
# `[export]`: what `ucap export datapackage` says of the package.
_EXPORT_KEYS = ("name", "title", "description", "homepage", "licence", "contributors", "keywords")
_CONTRIBUTOR_KEYS = ("title", "email", "path", "role", "organization")
_PACKAGE_NAME = re.compile(r"[a-z0-9._-]+")
_CONTRIBUTOR = re.compile(r"\s*(?P<title>[^<>]*?)\s*(?:<(?P<email>[^<>\s]+)>)?\s*")


@dataclass(frozen=True)
class ExportMetadata:
    """The `[export]` table: the Data Package's name, title, description, homepage, licence
    (an SPDX identifier such as "CC-BY-4.0", or a URL), contributors (each with a `title`, and
    an `email`, `path`, `role` or `organization`) and keywords. Unset: the export's defaults."""

    name: str | None = None
    title: str | None = None
    description: str | None = None
    homepage: str | None = None
    licence: str | None = None
    contributors: tuple[dict[str, str], ...] = ()
    keywords: tuple[str, ...] = ()


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
    export: ExportMetadata = ExportMetadata()

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
        export=_export(found),
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


def _export(found: ConfigFile | None) -> ExportMetadata:
    """The `[export]` table, checked: known keys, each of its type."""
    if found is None or "export" not in found.table:
        return ExportMetadata()
    table = found.table["export"]
    if not isinstance(table, dict):
        raise _located(found, ("export",), f"export must be a table, got {_described(table)}")
    for key in table:
        if key not in _EXPORT_KEYS:
            from ucap_cli.record import vocab

            suggestion = vocab.did_you_mean(vocab.closest(key, _EXPORT_KEYS))
            raise _located(
                found,
                ("export", key),
                f"unknown key {key!r} in [export]{suggestion}",
                part="key",
                hint="keys: " + ", ".join(_EXPORT_KEYS),
            )
    texts: dict[str, str | None] = {}
    for key in ("name", "title", "description", "homepage", "licence"):
        value = table.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            got = "an empty string" if isinstance(value, str) else _described(value)
            raise _located(found, ("export", key), f"export.{key} must be text, got {got}")
        texts[key] = value.strip() if isinstance(value, str) else None
    name = texts["name"]
    if name is not None and not _PACKAGE_NAME.fullmatch(name):
        raise _located(
            found,
            ("export", "name"),
            f"export.name must be lower-case letters, digits, '.', '_' or '-', got {name!r}",
        )
    keywords = table.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise _located(found, ("export", "keywords"), "export.keywords must be an array of text")
    return ExportMetadata(
        name=name,
        title=texts["title"],
        description=texts["description"],
        homepage=texts["homepage"],
        licence=texts["licence"],
        contributors=_contributors(found, table.get("contributors", [])),
        keywords=tuple(keywords),
    )


def _contributors(found: ConfigFile, value: Any) -> tuple[dict[str, str], ...]:
    """`contributors`: each "Name <email>" or a table with a `title` (and `email`, `path`,
    `role`, `organization`)."""
    message = 'export.contributors must be an array of "Name <email>" or tables with a title'
    if not isinstance(value, list):
        raise _located(found, ("export", "contributors"), f"{message}, got {_described(value)}")
    people: list[dict[str, str]] = []
    for index, item in enumerate(value):
        where = ("export", "contributors", index)
        if isinstance(item, str):
            match = _CONTRIBUTOR.fullmatch(item)
            if match is None or not match.group("title"):
                raise _located(found, where, f"{message}, got {item!r}")
            person = {"title": match.group("title")}
            if match.group("email"):
                person["email"] = match.group("email")
        elif isinstance(item, dict):
            unknown = [k for k in item if k not in _CONTRIBUTOR_KEYS]
            if unknown or not all(isinstance(v, str) and v.strip() for v in item.values()):
                what = f"unknown key {unknown[0]!r}" if unknown else "a value that is not text"
                raise _located(
                    found, where, f"{message}: {what}", hint="keys: " + ", ".join(_CONTRIBUTOR_KEYS)
                )
            if "title" not in item:
                raise _located(found, where, f"{message}: this one has no title")
            person = {k: v.strip() for k, v in item.items()}
        else:
            raise _located(found, where, f"{message}, got {_described(item)}")
        people.append(person)
    return tuple(people)


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
