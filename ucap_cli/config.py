"""Configuration: `ucap.toml` or a `pyproject.toml` with `[tool.ucap]`, found upward."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ucap_cli.errors import ConfigError
from ucap_cli.files import read_text
from ucap_cli.problems import CODES
from ucap_cli.toml import TOMLDecodeError, loads

DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
_KEYS = frozenset({"records", "activity_kinds", "themes", "ignore", "strict", "max_file_size"})


@dataclass(frozen=True)
class Config:
    """Settings in force for one run; `root` is the project root (the config file's folder)."""

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


def find_config_file(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest `ucap.toml` or `pyproject.toml` with `[tool.ucap]`, and its table."""
    for folder in (start, *start.parents):
        candidate = folder / "ucap.toml"
        if candidate.is_file():
            return candidate, _read(candidate)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table = _read(pyproject).get("tool", {}).get("ucap")
            if isinstance(table, dict):
                return pyproject, table
    return None


def _read(path: Path) -> dict[str, Any]:
    # A FIFO or a device is refused, never waited on. Only a few keys are read from the data,
    # never walked: another tool's deep tables in pyproject.toml are no concern of ucap's.
    try:
        return loads(read_text(path, DEFAULT_MAX_FILE_SIZE))
    except OSError as error:
        reason = error.strerror or error
        raise ConfigError(f"{path}: cannot read configuration: {reason}") from None
    except (ValueError, TOMLDecodeError, RecursionError) as error:  # RecursionError: nesting
        raise ConfigError(f"{path}: cannot read configuration: {error}") from None


def load_config(
    start: Path | None = None,
    records: Path | None = None,
    environ: dict[str, str] | None = None,
) -> Config:
    """The configuration for a run in `start` (default: the current folder).

    The records folder is, by priority: `records` (from `--records`), `UCAP_RECORDS`, the
    config's `records` key, then `records/` under the project root.
    """
    start = (start or Path.cwd()).resolve()
    env = os.environ if environ is None else environ
    found = find_config_file(start)
    source, table = found if found else (None, {})
    root = source.parent if source else start
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(f"{source}: unknown configuration key {unknown[0]!r}")
    folder = records or (Path(env["UCAP_RECORDS"]) if env.get("UCAP_RECORDS") else None)
    if folder is None:
        folder = root / _typed(table, "records", str, source, "records")
    return Config(
        root=root,
        records=folder,
        activity_kinds=tuple(_strings(table, "activity_kinds", source)),
        themes=tuple(_strings(table, "themes", source)),
        ignore=frozenset(_codes(_strings(table, "ignore", source), source)),
        strict=_typed(table, "strict", bool, source, False),
        max_file_size=_typed(table, "max_file_size", int, source, DEFAULT_MAX_FILE_SIZE),
        source=source,
    )


def _typed(
    table: dict[str, Any], key: str, kind: type[Any], source: Path | None, default: Any
) -> Any:
    value = table.get(key, default)
    if not isinstance(value, kind):
        raise ConfigError(f"{source}: {key} must be a {kind.__name__}")
    return value


def _strings(table: dict[str, Any], key: str, source: Path | None) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{source}: {key} must be an array of strings")
    return value


def _codes(codes: list[str], source: Path | None) -> list[str]:
    for code in codes:
        if code.upper() not in CODES:
            raise ConfigError(f"{source}: ignore lists unknown problem code {code!r}")
    return [code.upper() for code in codes]
