"""A collection: the record files of a run, loaded and checked together."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ucap_cli.checks import IdOwner, duplicate_ids
from ucap_cli.config import Config
from ucap_cli.errors import ExitCode, UsageError
from ucap_cli.load import RecordFile, display_path, expand_paths, find_record_files, load_file
from ucap_cli.model import Record
from ucap_cli.problems import Problem, count
from ucap_cli.toml import TOMLDecodeError, loads

# A top-level `id = "slug"` line: a slug needs no escapes, so this reads it exactly.
_ID_LINE = re.compile(r'[ \t]*id[ \t]*=[ \t]*"([a-z0-9]+(?:-[a-z0-9]+)*)"[ \t]*(?:#.*)?')

Progress = Callable[[int, int], None]


@dataclass
class Collection:
    """The loaded files of a run, in path order."""

    files: list[RecordFile]
    config: Config

    @property
    def records(self) -> list[Record]:
        """Every record that loaded, errors or not."""
        return [f.record for f in self.files if f.record is not None]

    @property
    def problems(self) -> list[Problem]:
        """Every problem of every file, in reporting order."""
        return sorted((p for f in self.files for p in f.problems), key=lambda p: p.sort_key)


@dataclass
class Selection:
    """Which problem codes to report: `select` (prefixes, empty = all) minus `ignore`."""

    select: tuple[str, ...] = ()
    ignore: frozenset[str] = field(default_factory=frozenset)

    def wants(self, code: str) -> bool:
        """True when problems with `code` are reported."""
        if any(code.startswith(prefix) for prefix in self.ignore):
            return False
        return not self.select or any(code.startswith(prefix) for prefix in self.select)


@dataclass
class ValidationResult:
    """What `validate` found: the files checked and the problems reported."""

    files_checked: int
    problems: list[Problem]
    sources: dict[str, str] = field(default_factory=dict)

    def source_line(self, problem: Problem) -> str | None:
        """The text of the line a problem points at, when the file could be read."""
        text = self.sources.get(problem.path)
        if text is None:
            return None
        lines = text.splitlines()
        return lines[problem.line - 1] if 0 < problem.line <= len(lines) else None

    @property
    def errors(self) -> int:
        """Number of errors."""
        return count(self.problems)[0]

    @property
    def warnings(self) -> int:
        """Number of warnings."""
        return count(self.problems)[1]

    def exit_code(self, strict: bool) -> ExitCode:
        """1 when there are errors, or warnings under `strict`; else 0."""
        failed = self.errors or (strict and self.warnings)
        return ExitCode.PROBLEMS if failed else ExitCode.OK


def record_paths(config: Config, paths: Sequence[Path] = ()) -> list[Path]:
    """The files a command works on: `paths` (files/folders), else the records folder."""
    if paths:
        return expand_paths(paths)
    if not config.records.is_dir():
        raise UsageError(
            f"records folder not found: {display_path(config.records)}",
            hint="pass a path, --records PATH, or set `records` in ucap.toml",
        )
    return find_record_files(config.records)


def load_collection(
    config: Config, paths: Sequence[Path] = (), progress: Progress | None = None
) -> Collection:
    """Load and check the given files (or the records folder), with the duplicate-id check."""
    targets = record_paths(config, paths)
    context = config.validation_context()
    files = []
    for done, path in enumerate(targets, 1):
        files.append(load_file(path, context, max_size=config.max_file_size))
        if progress is not None:
            progress(done, len(targets))
    _check_ids(files, _others(config, targets) if paths else [])
    return Collection(files, config)


def _others(config: Config, targets: list[Path]) -> list[Path]:
    """The rest of the collection, when only some of its files were given (as pre-commit does)."""
    if not config.records.is_dir():
        return []
    given = {p.resolve() for p in targets}
    return [p for p in find_record_files(config.records) if p.resolve() not in given]


def _check_ids(files: list[RecordFile], others: list[Path]) -> None:
    owners = [IdOwner(f.path, f.display, _declared_id(f)) for f in files]
    owners += [IdOwner(p, display_path(p), scan_id(p)) for p in others]
    found = duplicate_ids(owners)
    for file in files:
        if file.path in found:
            file.report(found[file.path])


def _declared_id(file: RecordFile) -> str | None:
    value = (file.data or {}).get("id")
    return value if isinstance(value, str) else None


def scan_id(path: Path) -> str | None:
    """The id a record file declares, read cheaply: the top-level `id` line, else a full parse."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("["):
            break  # the top level ends at the first table header
        if "'''" in line or '"""' in line:
            break  # a multi-line string could hold anything: parse instead
        match = _ID_LINE.fullmatch(line)
        if match:
            return match.group(1)
    try:
        value = loads(text).get("id")
    except (TOMLDecodeError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def validate(
    config: Config,
    paths: Sequence[Path] = (),
    selection: Selection | None = None,
    progress: Progress | None = None,
) -> ValidationResult:
    """Validate files or the records folder; problems filtered by `selection` and the config."""
    collection = load_collection(config, paths, progress)
    selection = selection or Selection()
    ignore = selection.ignore | config.ignore
    chosen = Selection(selection.select, frozenset(ignore))
    problems = [p for p in collection.problems if chosen.wants(p.code)]
    with_problems = {p.path for p in problems}
    sources = {f.display: f.text for f in collection.files if f.display in with_problems and f.text}
    return ValidationResult(len(collection.files), problems, sources)
