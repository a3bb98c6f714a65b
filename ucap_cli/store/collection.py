"""The records of a folder, each loaded once and reduced by a view's function; `validate`'s run.

Above the store, the core asks for "the records of this folder, each reduced by this function"
and gets the products with each file's status; it never sees a cache entry, a worker or a
pickle. Here, files are loaded on every core when there are many, their parsed data taken from
the cache when they have not changed, and a record is held in a process only while it is
reduced. A reduce function is plain core code (query and view data): it must be picklable
(a module-level function or a functools.partial of one) and gets every file whose TOML could
be read, errors or not (`RecordFile.record` is then the record as far as it can be read).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ucap_cli.check.findings import Finding
from ucap_cli.check.loader import LARGE, RecordFile, check_data, load_file, read_leniently
from ucap_cli.check.problems import Problem
from ucap_cli.check.result import FileStatus, Selection, ValidationResult
from ucap_cli.check.rules import IdOwner, duplicate_ids
from ucap_cli.config import Config
from ucap_cli.store.cache import ParsedCache, Verdict, VerdictCache
from ucap_cli.store.files import (
    file_stat,
    other_files,
    record_paths,
    resolve_record,
    scan_id,
)
from ucap_cli.store.workers import MIN_FILES, map_batches, map_files
from ucap_cli.toml import files
from ucap_cli.toml.files import display_path

if TYPE_CHECKING:
    from ucap_cli.check.fixes import FileFix

Progress = Callable[[int, int], None]
T = TypeVar("T")


@dataclass(frozen=True)
class Reduction(Generic[T]):
    """A view's products over a folder, each with the status of its file, in path order; the
    status of every file; why the cache was not used, when something in it was not its own."""

    items: list[tuple[FileStatus, T]]
    files: list[FileStatus]
    cache_warning: str | None = None

    @property
    def products(self) -> list[T]:
        """The products alone."""
        return [product for _, product in self.items]


@dataclass(frozen=True)
class Folding(Generic[T]):
    """`Reduction` for products that merge: the merge of every product (None when no file gave
    one), the status of every file, and the cache's warning."""

    product: T | None
    files: list[FileStatus]
    cache_warning: str | None = None


def reduce_records(
    config: Config,
    reduce: Callable[[RecordFile], T | None],
    *,
    progress: Progress | None = None,
    use_cache: bool = True,
    each: Callable[[FileStatus, T], None] | None = None,
) -> Reduction[T]:
    """`reduce` of each record file of the records folder (None: nothing kept of it).

    `each`, for a view that writes as it goes: called in this process with each product as
    it comes (in path order, with its file's status before the duplicate-id check), which
    is then not kept (`items` is empty)."""
    paths = record_paths(config)
    cache = _parsed_cache(config, paths) if use_cache else None
    work = partial(_reduce_file, reduce=reduce, load=_Loader.of(config, cache))
    loaded: list[tuple[FileStatus, T | None]] = []
    for status, product in map_files(work, paths, progress):
        if each is not None and product is not None:
            each(status, product)
            product = None
        loaded.append((status, product))
    statuses = _with_duplicate_ids(config, [status for status, _ in loaded])
    items = [
        (status, product)
        for status, (_, product) in zip(statuses, loaded, strict=True)
        if product is not None
    ]
    return Reduction(items, statuses, _closed(cache))


def fold_records(
    config: Config,
    reduce: Callable[[RecordFile], T | None],
    merge: Callable[[list[T]], T],
    *,
    progress: Progress | None = None,
    use_cache: bool = True,
) -> Folding[T]:
    """`merge` of `reduce` of each record file of the records folder. Each worker merges the
    products of its files, so one product a batch crosses processes: `merge` must not depend on
    the order of the products."""
    paths = record_paths(config)
    cache = _parsed_cache(config, paths) if use_cache else None
    work = partial(_fold_batch, reduce=reduce, merge=merge, load=_Loader.of(config, cache))
    products: list[T] = []
    statuses: list[FileStatus] = []
    for product, batch in map_batches(work, paths, progress):
        if product is not None:
            products.append(product)
        statuses += batch
    product = merge(products) if products else None
    return Folding(product, _with_duplicate_ids(config, statuses), _closed(cache))


def read_record(config: Config, ref: str) -> RecordFile:
    """The record file `ref` names (an id or a path, see `resolve_record`), loaded with its
    record as far as it can be read, and checked for an id that another file of the records
    folder also declares."""
    path = resolve_record(config, ref)
    file = load_file(
        path,
        display_path(path),
        config.validation_context(),
        max_size=config.max_file_size,
        readable=True,
    )
    owners = [IdOwner(path, file.display, file.declared_id)]
    size = config.max_file_size
    owners += [
        IdOwner(p, display_path(p), scan_id(p, size)) for p, _ in other_files(config, [path])
    ]
    found = duplicate_ids(owners)
    if path in found:
        file.report(found[path])
    return file


def load_files(
    config: Config, paths: Sequence[Path], *, use_cache: bool = True
) -> tuple[list[RecordFile], str | None]:
    """Some files of the records folder, each loaded as the views load it (from the parsed
    cache while it has not changed), with its record as far as it can be read; and why the
    cache was not used. The cache is not pruned: `paths` need not be all the folder's files."""
    cache = ParsedCache(config.root, config.records, _settings(config)) if use_cache else None
    load = _Loader.of(config, cache)
    files = [load(path) for path in paths]
    return files, _closed(cache)


# --------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class _Loader:
    """Loads a record file for the views: from the parsed-data cache when it holds this
    version of the file, else from the file. Picklable: workers get a copy."""

    context: dict[str, Any]
    max_size: int
    cache: ParsedCache | None

    @classmethod
    def of(cls, config: Config, cache: ParsedCache | None) -> _Loader:
        """The loader of `config`'s settings."""
        return cls(config.validation_context(), config.max_file_size, cache)

    def __call__(self, path: Path) -> RecordFile:
        display = display_path(path)
        stat = file_stat(path) if self.cache is not None else None
        if self.cache is not None and stat is not None and stat.st_size <= self.max_size:
            cached = self.cache.lookup(path, stat, display)
            if cached is not None:
                file = RecordFile(path, display, data=cached.data)
                large = stat.st_size > LARGE
                if cached.checked and cached.error is not None:
                    file.problems.append(cached.error)
                    read_leniently(file, self.context, large=large)
                    return file
                if check_data(file, self.context, large=large):
                    if not cached.checked:
                        self.cache.put(path, stat, cached.data, None)
                    return file
        file = load_file(path, display, self.context, max_size=self.max_size, readable=True)
        if self.cache is not None and stat is not None and file.data is not None:
            self.cache.put(path, stat, file.data, file.first_error)
        return file


def _status(file: RecordFile) -> FileStatus:
    return FileStatus(
        file.path, file.display, file.declared_id, file.first_error, file.record is not None
    )


def _reduce_file(
    path: Path, reduce: Callable[[RecordFile], T | None], load: _Loader
) -> tuple[FileStatus, T | None]:
    file = load(path)
    return _status(file), (reduce(file) if file.record is not None else None)


def _fold_batch(
    paths: Sequence[Path],
    reduce: Callable[[RecordFile], T | None],
    merge: Callable[[list[T]], T],
    load: _Loader,
) -> tuple[T | None, list[FileStatus]]:
    """The merge of the batch's products, and the status of each of its files."""
    products: list[T] = []
    statuses: list[FileStatus] = []
    for path in paths:
        status, product = _reduce_file(path, reduce, load)
        if product is not None:
            products.append(product)
        statuses.append(status)
    return (merge(products) if products else None), statuses


def _parsed_cache(config: Config, paths: Sequence[Path]) -> ParsedCache:
    """The project's cache of parsed files of the records folder, for the configuration's
    settings: looked through (anything in it not of its making stops it, before any worker
    starts) and kept to the folder's files `paths`."""
    cache = ParsedCache(config.root, config.records, _settings(config))
    cache.prune(paths)
    return cache


def _settings(config: Config) -> list[Any]:
    """What a parsed cache's verdicts depend on, besides the code and the file."""
    return [config.validation_context(), config.max_file_size]


def _closed(cache: ParsedCache | None) -> str | None:
    """After loading: why the cache was not used, if it was not."""
    if cache is None:
        return None
    cache.close()
    return cache.warning


def _with_duplicate_ids(config: Config, statuses: list[FileStatus]) -> list[FileStatus]:
    """`statuses` with E201 as the first error of each file whose id another file declares
    too, when it comes before the file's own first error."""
    found = duplicate_ids(IdOwner(s.path, s.display, s.id) for s in statuses)
    if not found:
        return statuses
    updated = []
    for status in statuses:
        if status.path in found:
            problems = _located(status.path, status.display, found[status.path], config)
            first = min([*problems, *filter(None, [status.error])], key=lambda p: p.sort_key)
            status = replace(status, error=first)
        updated.append(status)
    return updated


# --------------------------------------------------------------------------- validate


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
    Given files (as pre-commit gives them), the duplicate-id check still covers the whole
    records folder, and only the given files' problems are reported.
    """
    targets = record_paths(config, paths)
    context = config.validation_context()
    cache = VerdictCache(config.root, [context, config.max_file_size]) if use_cache else None
    if cache is not None:
        cache.load()
    verdicts: list[Verdict | None] = [None] * len(targets)
    # The stamps the cache keys verdicts by (no cache, no need to look: CI runs --no-cache).
    stats = [file_stat(path) if cache is not None else None for path in targets]
    displays = [display_path(path) for path in targets]
    for index, path in enumerate(targets):
        stat = stats[index]
        if cache is not None and stat is not None:
            verdicts[index] = cache.get(os.path.abspath(path), stat, displays[index])
    todo = [i for i, verdict in enumerate(verdicts) if verdict is None]
    if len(todo) >= MIN_FILES:
        # Workers fork from this process: the model imported here once, not in each of them.
        import ucap_cli.record.model  # noqa: F401
    check = partial(_verdict, context=context, max_size=config.max_file_size)
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
    others = other_files(config, targets) if paths else []
    owners += [
        IdOwner(p, display_path(p), _cached_id(cache, p, stat, config.max_file_size))
        for p, stat in others
    ]
    if cache is not None:
        cache.save()
    duplicates = duplicate_ids(owners)
    for path, display in zip(targets, displays, strict=True):
        if path in duplicates:  # the given files' problems only, not the rest's
            problems.extend(_located(path, display, duplicates[path], config))
    selection = selection or Selection()
    chosen = Selection(selection.select, frozenset(selection.ignore | config.ignore))
    problems = sorted((p for p in problems if chosen.wants(p.code)), key=lambda p: p.sort_key)
    return ValidationResult(
        len(targets),
        problems,
        _sources(targets, displays, problems, config.max_file_size),
        cache.warning if cache is not None else None,
    )


def fix(
    config: Config,
    paths: Sequence[Path] = (),
    selection: Selection | None = None,
    progress: Progress | None = None,
    *,
    write: bool,
) -> list[FileFix]:
    """The safe fixes of files or of the records folder (`check.fixes`), made with `write`;
    `selection` and the configuration's `ignore` choose the codes whose fixes are made."""
    from ucap_cli.check.fixes import fix_file

    targets = record_paths(config, paths)
    selection = selection or Selection()
    chosen = Selection(selection.select, frozenset(selection.ignore | config.ignore))
    if len(targets) >= MIN_FILES:
        import ucap_cli.record.model  # noqa: F401  (imported once, before workers fork)
    work = partial(
        fix_file,
        context=config.validation_context(),
        selection=chosen,
        max_size=config.max_file_size,
        within=config.records,
        write=write,
    )
    return list(map_files(work, targets, progress))


def fixable_codes(
    config: Config, paths: Sequence[Path], result: ValidationResult, selection: Selection
) -> set[str]:
    """The codes of `result`'s problems that `--fix` fixes some of: found by fixing, without
    writing, the files that have a problem of a code that can have a fix."""
    from ucap_cli.check.fixes import CODES_WITH_FIXES

    wanted = {p.path for p in result.problems if p.code in CODES_WITH_FIXES}
    targets = [path for path in record_paths(config, paths) if display_path(path) in wanted]
    if not targets:
        return set()
    outcomes = fix(config, targets, selection, write=False)
    return {f.code for o in outcomes for f in o.fixed} & {p.code for p in result.problems}


def _verdict(path: Path, context: dict[str, Any], max_size: int) -> Verdict:
    """Validate one file and keep only what `validate` reports (what workers send back)."""
    file = load_file(path, display_path(path), context, max_size=max_size)
    return Verdict(file.declared_id, tuple(file.problems))


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


def _located(path: Path, display: str, findings: list[Finding], config: Config) -> list[Problem]:
    """Problems for findings about a file whose text was not kept (the collection's checks)."""
    file = RecordFile(path, display)
    try:
        file.text = files.read_text(path, config.max_file_size)
    except (OSError, ValueError):
        file.text = ""
    file.report(findings)
    return file.problems


def _sources(
    targets: list[Path], displays: list[str], problems: list[Problem], max_size: int
) -> dict[str, str]:
    """The text of each file with problems, for showing the lines they point at."""
    wanted = {p.path for p in problems}
    sources = {}
    for path, display in zip(targets, displays, strict=True):
        if display in wanted:
            with contextlib.suppress(OSError, ValueError):
                sources[display] = files.read_text(path, max_size)
    return sources
