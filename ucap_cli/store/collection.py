"""A collection: the record files of a run, loaded and checked together."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from ucap_cli.check.findings import Finding
from ucap_cli.check.loader import (
    RecordFile,
    check_file,
    display_path,
    expand_paths,
    find_record_files,
    load_file,
    load_record,
    load_slim,
    read_text,
)
from ucap_cli.check.problems import Problem, count
from ucap_cli.check.rules import IdOwner, duplicate_ids
from ucap_cli.config import DEFAULT_MAX_FILE_SIZE, Config
from ucap_cli.errors import ExitCode, UcapError, UsageError
from ucap_cli.store.cache import Verdict, VerdictCache
from ucap_cli.store.workers import MIN_FILES, map_batches, map_files
from ucap_cli.toml.lines import toml_lines
from ucap_cli.toml.parser import TOMLDecodeError, TooDeepError, parse_document

# A top-level `id = "slug"` line: a slug needs no escapes, so this reads it exactly.
_ID_LINE = re.compile(r'[ \t]*id[ \t]*=[ \t]*"([a-z0-9]+(?:-[a-z0-9]+)*)"[ \t]*(?:#.*)?')

if TYPE_CHECKING:
    from ucap_cli.record.model import Record
    from ucap_cli.store.parsed import ParsedCache

Progress = Callable[[int, int], None]
T = TypeVar("T")


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
    cache_warning: str | None = None  # why the cache was not used, when ucap did not make it
    _lines: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def source_line(self, problem: Problem) -> str | None:
        """The text of the (TOML) line a problem points at, when the file could be read."""
        lines = self._lines.get(problem.path)
        if lines is None:
            text = self.sources.get(problem.path)
            if text is None:
                return None
            lines = self._lines[problem.path] = toml_lines(text)
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


def records_among(config: Config, paths: Sequence[Path]) -> list[Path]:
    """Those of `paths` that are records: in the records folder, not hidden in it (as the
    collection skips hidden files and folders), not the configuration file, and `.toml` files
    (or folders). The pre-commit hooks pass every staged `.toml` file: this keeps the records.
    """
    folder = os.path.abspath(config.records)
    settings = os.path.abspath(config.source) if config.source else None
    kept = []
    for path in paths:
        absolute = os.path.abspath(path)
        if absolute == settings or not (path.suffix == ".toml" or path.is_dir()):
            continue
        inside = os.path.relpath(absolute, folder).split(os.sep)
        if inside[0] == os.pardir or any(part.startswith(".") and part != "." for part in inside):
            continue
        kept.append(path)
    return kept


def load_collection(
    config: Config,
    paths: Sequence[Path] = (),
    progress: Progress | None = None,
    *,
    keep_data: bool = True,
) -> Collection:
    """Load and check the given files (or the records folder), with the duplicate-id check.

    Files are loaded on every core when there are many; each keeps its record and problems,
    its raw data only with `keep_data` (JSON output needs it), its text only with problems.
    """
    targets = record_paths(config, paths)
    load = partial(
        load_slim,
        context=config.validation_context(),
        max_size=config.max_file_size,
        keep_data=keep_data,
    )
    files = list(map_files(load, targets, progress))
    _check_ids(files, _others(config, targets) if paths else [])
    return Collection(files, config)


@dataclass(frozen=True, slots=True)
class Reduced(Generic[T]):
    """What a view keeps of one file: its product, and enough to report the file if skipped."""

    path: Path
    display: str
    id: str | None  # the id the file declares, for the duplicate-id check
    product: T | None  # None when the file has no record (or the view keeps nothing of it)
    skipped: Problem | None  # the first problem of a file without a record


class Reduction(NamedTuple, Generic[T]):
    """What `reduce_collection` gives: each file's `Reduced`, in path order, and why the cache
    was not used when something in it was not of its making."""

    files: list[Reduced[T]]
    cache_warning: str | None


class Folding(NamedTuple):
    """What `fold_collection` gives: the fold of the products (None when no file gave one),
    the first problem of each file without a record, and `Reduction.cache_warning`."""

    product: Any
    skipped: list[Problem]
    cache_warning: str | None


def reduce_collection(
    config: Config,
    reduce: Callable[[RecordFile], T | None],
    progress: Progress | None = None,
    *,
    use_cache: bool = True,
) -> Reduction[T]:
    """Load each file of the records folder and keep only `reduce(file)` of it, in path order.

    For views of large collections: files are loaded (on every core when there are many,
    parsed data taken from the cache unless `use_cache` is false) and reduced one at a time,
    so no more than one record is held per process. `reduce` must be picklable; it is given
    only files that have a record. Files that share an id are loaded again with the
    duplicate-id problems reported, then reduced, as `load_collection` would have them.
    With the cache, its entries of files no longer in the folder are removed first.
    """
    paths = record_paths(config)
    cache = _parsed_cache(config, paths) if use_cache else None
    work = partial(_reduce_file, reduce=reduce, load=_loader(config, cache))
    results = list(map_files(work, paths, progress))
    warning = _closed(cache)
    found = duplicate_ids(IdOwner(r.path, r.display, r.id) for r in results)
    for index, result in enumerate(results):
        if result.path in found:
            results[index] = _reduced(_reported(config, result.path, found), reduce)
    return Reduction(results, warning)


def fold_collection(
    config: Config,
    reduce: Callable[[RecordFile], Any],  # a product, or None
    fold: Callable[[list[Any]], Any],  # products -> one product
    progress: Progress | None = None,
    *,
    use_cache: bool = True,
) -> Folding:
    """`reduce_collection` for products that merge: `fold` of every file's product (None when
    no file gave one), and the first problem of each file that has no record, in path order.

    Each worker folds the products of its files, so one product a batch crosses processes.
    `fold` must not depend on the order of the products, nor `reduce` on the duplicate-id
    problems (E201): only the files without a record are loaded again for those. With the
    cache, its entries of files no longer in the folder are removed first.
    """
    paths = record_paths(config)
    cache = _parsed_cache(config, paths) if use_cache else None
    work = partial(_fold_batch, reduce=reduce, fold=fold, load=_loader(config, cache))
    folded: list[Any] = []
    files: list[Reduced[None]] = []
    for product, batch in map_batches(work, paths, progress):
        if product is not None:
            folded.append(product)
        files += batch
    warning = _closed(cache)
    found = duplicate_ids(IdOwner(f.path, f.display, f.id) for f in files)
    skipped = [
        _reduced(_reported(config, f.path, found), reduce).skipped if f.path in found else f.skipped
        for f in files
        if f.skipped is not None
    ]
    return Folding(fold(folded) if folded else None, [p for p in skipped if p is not None], warning)


def _parsed_cache(config: Config, paths: Sequence[Path]) -> ParsedCache:
    """The project's cache of parsed files of the records folder, for the configuration's
    settings: looked through (anything in it not of its making stops it, before any worker
    starts) and kept to the folder's files `paths`."""
    from ucap_cli.store.parsed import ParsedCache

    settings = [config.validation_context(), config.max_file_size]
    cache = ParsedCache(config.root, config.records, settings)
    cache.prune(paths)
    return cache


def _closed(cache: ParsedCache | None) -> str | None:
    """After loading: why the cache was not used, if it was not."""
    if cache is None:
        return None
    cache.close()
    return cache.warning


def _loader(config: Config, cache: ParsedCache | None) -> Callable[[Path], RecordFile]:
    """`load_record` with the configuration's settings and `cache`: picklable, for workers."""
    context = config.validation_context()
    return partial(load_record, context=context, max_size=config.max_file_size, cache=cache)


def _reported(config: Config, path: Path, found: dict[Path, list[Finding]]) -> RecordFile:
    """The file loaded in full, with the collection's findings about it reported."""
    file = load_file(path, config.validation_context(), max_size=config.max_file_size)
    file.report(found[path])
    return file


def _fold_batch(
    paths: Sequence[Path],
    reduce: Callable[[RecordFile], Any],
    fold: Callable[[list[Any]], Any],
    load: Callable[[Path], RecordFile],
) -> tuple[Any, list[Reduced[None]]]:
    """The fold of the batch's products, and each file without its product."""
    products: list[Any] = []
    files: list[Reduced[None]] = []
    for path in paths:
        result = _reduced(load(path), reduce)
        if result.product is not None:
            products.append(result.product)
        files.append(Reduced(result.path, result.display, result.id, None, result.skipped))
    return (fold(products) if products else None), files


def _reduce_file(
    path: Path, reduce: Callable[[RecordFile], T | None], load: Callable[[Path], RecordFile]
) -> Reduced[T]:
    return _reduced(load(path), reduce)


def _reduced(file: RecordFile, reduce: Callable[[RecordFile], T | None]) -> Reduced[T]:
    if file.record is None:
        first = min(file.problems, key=lambda p: p.sort_key)
        return Reduced(file.path, file.display, _declared_id(file), None, first)
    return Reduced(file.path, file.display, file.record.id, reduce(file), None)


def _others(config: Config, targets: list[Path]) -> list[Path]:
    """The rest of the collection, when only some of its files were given (as pre-commit does)."""
    return [path for path, _ in _other_files(config, targets)]


def _other_files(config: Config, targets: list[Path]) -> list[tuple[Path, os.stat_result | None]]:
    """`_others`, each with its stat: a link to a given file, or another name of it, is that
    file (compared by device and inode: one stat a file, no link resolved)."""
    if not config.records.is_dir():
        return []
    given = {os.path.abspath(p) for p in targets}
    given_files = {(s.st_dev, s.st_ino) for p in targets if (s := _stat(p)) is not None}
    others = []
    for path in find_record_files(config.records):
        if os.path.abspath(path) in given:
            continue
        stat = _stat(path)
        if stat is None or (stat.st_dev, stat.st_ino) not in given_files:
            others.append((path, stat))
    return others


def _check_ids(files: list[RecordFile], others: list[Path]) -> None:
    owners = [IdOwner(f.path, f.display, _declared_id(f)) for f in files]
    owners += [IdOwner(p, display_path(p), scan_id(p)) for p in others]
    found = duplicate_ids(owners)
    for file in files:
        if file.path in found:
            file.report(found[file.path])


def _declared_id(file: RecordFile) -> str | None:
    if file.record is not None:
        return file.record.id
    value = (file.data or {}).get("id")
    return value if isinstance(value, str) else None


def scan_id(path: Path, max_size: int = DEFAULT_MAX_FILE_SIZE) -> str | None:
    """The id a record file declares, read cheaply: the top-level `id` line, else a full parse.

    None when the file cannot be read, is not UTF-8 or is larger than `max_size` bytes.
    """
    try:
        text = read_text(path, max_size)
    except (OSError, ValueError):
        return None
    for line in toml_lines(text):
        stripped = line.lstrip()
        if stripped.startswith("["):
            break  # the top level ends at the first table header
        if "'''" in line or '"""' in line:
            break  # a multi-line string could hold anything: parse instead
        match = _ID_LINE.fullmatch(line)
        if match:
            return match.group(1)
    try:
        value = parse_document(text).get("id")
    except (TOMLDecodeError, TooDeepError):
        return None
    return value if isinstance(value, str) else None


def validate(
    config: Config,
    paths: Sequence[Path] = (),
    selection: Selection | None = None,
    progress: Progress | None = None,
    *,
    use_cache: bool = True,
) -> ValidationResult:
    """Validate files or the records folder; problems filtered by `selection` and the config.

    Files unchanged since the last run take their verdict from the cache; the others are
    checked, on every core when there are many. Only the text of files with problems is kept.
    """
    targets = record_paths(config, paths)
    context = config.validation_context()
    cache = VerdictCache(config.root, [context, config.max_file_size]) if use_cache else None
    if cache is not None:
        cache.load()
    verdicts: list[Verdict | None] = [None] * len(targets)
    stats = [_stat(path) for path in targets]
    displays = [display_path(path) for path in targets]
    for index, path in enumerate(targets):
        stat = stats[index]
        if cache is not None and stat is not None:
            verdicts[index] = cache.get(os.path.abspath(path), stat, displays[index])
    todo = [i for i, verdict in enumerate(verdicts) if verdict is None]
    if len(todo) >= MIN_FILES:
        # Workers fork from this process: the model imported here once, not in each of them.
        import ucap_cli.record.model  # noqa: F401
    check = partial(check_file, context=context, max_size=config.max_file_size)
    for index, verdict in zip(
        todo, map_files(check, [targets[i] for i in todo], progress), strict=True
    ):
        verdicts[index] = verdict
        stat = stats[index]
        if cache is not None and stat is not None:
            cache.put(os.path.abspath(targets[index]), stat, verdict)
    problems = [p for verdict in verdicts if verdict for p in verdict.problems]
    owners = [
        IdOwner(path, displays[i], verdict.id if verdict else None)
        for i, (path, verdict) in enumerate(zip(targets, verdicts, strict=True))
    ]
    others = _other_files(config, targets) if paths else []
    owners += [
        IdOwner(p, display_path(p), _cached_id(cache, p, stat, config.max_file_size))
        for p, stat in others
    ]
    if cache is not None:
        cache.save()
    duplicates = duplicate_ids(owners)
    for path in targets:  # problems of the files given only, not of the rest of the collection
        if path in duplicates:
            problems.extend(_located(path, duplicates[path]))
    selection = selection or Selection()
    chosen = Selection(selection.select, frozenset(selection.ignore | config.ignore))
    problems = sorted((p for p in problems if chosen.wants(p.code)), key=lambda p: p.sort_key)
    return ValidationResult(
        len(targets),
        problems,
        _sources(targets, displays, problems),
        cache.warning if cache is not None else None,
    )


def _cached_id(
    cache: VerdictCache | None, path: Path, stat: os.stat_result | None, max_size: int
) -> str | None:
    """The id of a file outside the run: from the cache, else a quick scan (then remembered)."""
    if cache is None or stat is None:
        return scan_id(path, max_size)
    key = os.path.abspath(path)
    known, declared = cache.scanned_id(key, stat)
    if not known:
        declared = scan_id(path, max_size)
        cache.put_id(key, stat, declared)
    return declared


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def _located(path: Path, findings: list[Finding]) -> list[Problem]:
    """Problems for findings about a file that was checked without keeping its text."""
    file = RecordFile(path, display_path(path))
    try:
        file.text = read_text(path)
    except (OSError, ValueError):
        file.text = ""
    file.report(findings)
    return file.problems


def _sources(targets: list[Path], displays: list[str], problems: list[Problem]) -> dict[str, str]:
    """The text of each file with problems, for showing the lines they point at."""
    wanted = {p.path for p in problems}
    sources = {}
    for path, display in zip(targets, displays, strict=True):
        if display in wanted:
            with contextlib.suppress(OSError, ValueError):
                sources[display] = read_text(path)
    return sources


def resolve_record(config: Config, ref: str) -> Path:
    """The file a command's record reference names; an unknown one is a UsageError.

    `ref` is the path of a `.toml` file (relative to the current folder, or a file name in the
    records folder: `records/x.toml`, `x.toml`, `/abs/x.toml`), or a record id: the file of
    the records folder that declares it (`records/ID.toml` first), else the one named ID.toml.
    """
    import difflib

    size = config.max_file_size
    if ref.endswith(".toml") or "/" in ref or os.sep in ref:
        for candidate in (Path(ref), config.records / ref):
            if candidate.is_file():
                return candidate
        wanted, what = Path(ref).stem, f"no record file {ref!r}"
        declared: dict[Path, str | None] = {}
        if config.records.is_dir():
            declared = {path: scan_id(path, size) for path in find_record_files(config.records)}
    else:
        direct = config.records / f"{ref}.toml"
        if direct.is_file() and scan_id(direct, size) == ref:
            return direct  # the usual layout, found without reading every file's id
        targets = record_paths(config)
        declared = {path: scan_id(path, size) for path in targets}
        found = [p for p, i in declared.items() if i == ref] or [
            p for p in targets if p.stem == ref
        ]
        if found:
            return found[0]
        wanted, what = ref, f"no record with id {ref!r}"
    ids = sorted({i or p.stem for p, i in declared.items()})
    close = difflib.get_close_matches(wanted, ids, n=3, cutoff=0.5)
    raise UsageError(
        f"{what} in {display_path(config.records)}"
        + (f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""),
        hint="`ucap list` shows the ids",
    )


def find_record(config: Config, ref: str) -> RecordFile:
    """Load the record `ref` names (see `resolve_record`), with the duplicate-id check against
    the rest of the records folder; a file without a record is a UcapError."""
    path = resolve_record(config, ref)
    file = load_file(path, config.validation_context(), max_size=config.max_file_size)
    _check_ids([file], _others(config, [path]))
    if file.record is None:
        first = min(file.problems, key=lambda p: p.sort_key)
        raise UcapError(
            f"{file.display}: cannot show the record: {first.code} {first.message}",
            hint=f"run `ucap validate {file.display}`",
        )
    return file
