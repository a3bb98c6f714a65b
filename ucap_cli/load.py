"""Files -> TOML -> records, with every problem found on the way.

The loader never stops at a bad file: each file yields its record, its problems, or both.
Positions are worked out only for files that have problems, so the happy path stays fast.
The model (and pydantic with it) is imported when a first file is validated: a `validate`
answered from the verdict cache, as on most commits, never needs it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ucap_cli import checks
from ucap_cli.cache import Verdict
from ucap_cli.config import DEFAULT_MAX_FILE_SIZE
from ucap_cli.encoding import ForeignEncodingError, check_utf8_mark
from ucap_cli.errors import UsageError
from ucap_cli.findings import Finding, describe_validation_error
from ucap_cli.locate import SourceMap, build_source_map
from ucap_cli.problems import CODES, Problem
from ucap_cli.toml import TOMLDecodeError, loads

if TYPE_CHECKING:
    from ucap_cli.model import Record
    from ucap_cli.parsed import ParsedCache

# Problems reported per file: past them a report would be unreadable (and slow to locate).
MAX_PROBLEMS = 100
_SUPPRESS = re.compile(r"#\s*ucap:\s*ignore\[([A-Za-z0-9,\s]+)\]")


@dataclass
class RecordFile:
    """One file of the collection: what could be read of it and what is wrong with it."""

    path: Path
    display: str
    text: str | None = None
    data: dict[str, Any] | None = None
    record: Record | None = None
    problems: list[Problem] = field(default_factory=list)
    _source_map: SourceMap | None = field(default=None, repr=False)
    _omitted: int = field(default=0, repr=False)  # problems past MAX_PROBLEMS, counted only

    @property
    def ok(self) -> bool:
        """True when the file has no errors (warnings allowed)."""
        return not any(p.severity == "error" for p in self.problems)

    def source_map(self) -> SourceMap:
        """Key and value positions of the file, built on first use."""
        if self._source_map is None:
            if self.text is None:  # dropped after loading: read again, problems are rare
                with contextlib.suppress(OSError, ValueError):
                    self.text = read_text(self.path)
            self._source_map = build_source_map(self.text or "")
        return self._source_map

    def slimmed(self, *, keep_data: bool) -> RecordFile:
        """This file without its text (kept when it has problems) and its data (kept when asked,
        or when there is no record to read the id from).

        Large collections stay within memory: views need the record, rarely the raw data.
        """
        self.text = self.text if self.problems else None
        self.data = self.data if keep_data or self.record is None else None
        self._source_map = None
        return self

    def report(self, findings: Iterable[Finding], total: int | None = None) -> None:
        """Turn findings into located problems, dropping those suppressed by a comment.

        A file keeps at most MAX_PROBLEMS problems: the findings past them are counted, not
        located, and stand as one last problem, "... and N more problems in this file". With
        `total` (how many `findings` yields) a lazy `findings` is not even described past them.
        """
        lines: list[str] | None = None
        remaining = iter(findings)
        for taken, finding in enumerate(remaining, 1):
            if self._omitted or len(self.problems) >= MAX_PROBLEMS:
                if total is not None:  # lazy findings (pydantic errors): count, not describe
                    self._omit(finding.code, 1 + total - taken)
                else:
                    rest = [finding, *remaining]
                    worst = next((f for f in rest if CODES[f.code].severity == "error"), finding)
                    self._omit(worst.code, len(rest))
                return
            position = finding.position(self.source_map())
            if lines is None:
                lines = (self.text or "").splitlines()
            line_text = lines[position.line - 1] if 0 < position.line <= len(lines) else ""
            if _suppressed(line_text, finding.code):
                continue
            self.problems.append(
                Problem(
                    self.display,
                    position.line,
                    position.column,
                    finding.code,
                    finding.message,
                    finding.hint,
                )
            )

    def _omit(self, code: str, count: int) -> None:
        """Count `count` more problems in the closing line (placed at the end of the file, so
        that it is reported last); an error code there keeps the exit status right."""
        if self._omitted:
            last = self.problems.pop()
            code = last.code if CODES[last.code].severity == "error" else code
        self._omitted += count
        lines = (self.text or "").splitlines() or [""]
        self.problems.append(
            Problem(
                self.display,
                len(lines),
                len(lines[-1]) + 1,
                code,
                f"... and {self._omitted:,} more problems in this file",
                f"fix the first {MAX_PROBLEMS} and run `ucap validate` again",
            )
        )


def _suppressed(line: str, code: str) -> bool:
    match = _SUPPRESS.search(line)
    if match is None:
        return False
    return code in {c.strip().upper() for c in match.group(1).split(",")}


def display_path(path: Path) -> str:
    """The path as the user would type it: relative to the current folder when inside it."""
    if not path.is_absolute():
        return os.path.normpath(path)
    text, folder = str(path), _folder(os.getcwd())
    if os.name == "nt":  # pragma: no cover - Windows compares paths without case
        with contextlib.suppress(ValueError):
            return str(path.relative_to(folder))
        return text
    if text == folder:
        return "."
    inside = folder.rstrip(os.sep) + os.sep  # the root folder already ends with one
    return text[len(inside) :] if text.startswith(inside) else text


@lru_cache(maxsize=8)
def _folder(cwd: str) -> str:
    return str(Path(cwd).resolve())


def read_text(path: Path, max_size: int = DEFAULT_MAX_FILE_SIZE) -> str:
    """The UTF-8 text of a record file (BOM dropped), or OSError/UnicodeDecodeError/ValueError."""
    with path.open("rb") as handle:
        raw = handle.read(max_size + 1)
    if len(raw) > max_size:
        raise ValueError(f"file is larger than the limit of {max_size:,} bytes (max_file_size)")
    check_utf8_mark(raw)
    return raw.decode("utf-8-sig")


def parse(file: RecordFile, text: str, context: dict[str, Any]) -> None:
    """Parse and validate `text` as the content of `file`, filling in data, record, problems."""
    from pydantic import ValidationError

    from ucap_cli.model import SCHEMA_VERSION, Record

    file.text = text
    try:
        file.data = loads(text)
    except TOMLDecodeError as error:
        message = str(getattr(error, "msg", error))
        line, column = getattr(error, "lineno", 1), getattr(error, "colno", 1)
        file.problems.append(Problem(file.display, line, column, "E002", f"TOML: {message}"))
        return
    except RecursionError:
        file.problems.append(
            Problem(file.display, 1, 1, "E002", "TOML: arrays or tables nested too deeply")
        )
        return
    version = file.data.get("schema_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        file.report(
            [
                Finding(
                    "E003",
                    f"schema_version {version} is newer than this ucap (reads version "
                    f"{SCHEMA_VERSION})",
                    ("schema_version",),
                    "value",
                    hint="upgrade ucap: pip install --upgrade ucap",
                )
            ]
        )
        return
    try:
        file.record = Record.model_validate(file.data, context=context)
    except ValidationError as error:
        file.report(describe_validation_error(error, file.data), error.error_count())
    else:
        file.report(checks.check_record(file.record, file.path))
    file.report(checks.todo_marks(text))  # after the errors, which the cap must never drop


def load_file(
    path: Path, context: dict[str, Any], *, max_size: int = DEFAULT_MAX_FILE_SIZE
) -> RecordFile:
    """Read, parse and validate one record file; I/O and decoding failures become problems."""
    file = RecordFile(path, display_path(path))
    try:
        text = read_text(path, max_size)
    except UnicodeDecodeError as error:
        line, column = _byte_position(path, error.start)
        file.problems.append(
            Problem(
                file.display,
                line,
                column,
                "E001",
                f"not UTF-8 text: {error.reason}",
                "save the file as UTF-8",
            )
        )
        return file
    except ForeignEncodingError as error:
        file.problems.append(
            Problem(file.display, 1, 1, "E001", str(error), "ucap reads UTF-8 only")
        )
        return file
    except (OSError, ValueError) as error:
        file.problems.append(Problem(file.display, 1, 1, "E001", _io_message(error)))
        return file
    parse(file, text, context)
    return file


def load_record(
    path: Path,
    context: dict[str, Any],
    *,
    max_size: int = DEFAULT_MAX_FILE_SIZE,
    cache: ParsedCache | None = None,
) -> RecordFile:
    """`load_file`, with the parsing skipped when `cache` has this version of the file.

    Cached data is validated and checked as parsed data is. A file with anything to report is
    loaded in full instead, so that its problems are located in its text exactly as ever.
    """
    if cache is None:
        return load_file(path, context, max_size=max_size)
    try:
        stat = path.stat()  # before reading: a later change gets a new stamp, never old data
    except OSError:
        return load_file(path, context, max_size=max_size)
    cached = cache.lookup(path, stat) if stat.st_size <= max_size else None
    if cached is not None:
        data, clean = cached
        file = RecordFile(path, display_path(path), data=data)
        if _clean(file, context, checked=clean):
            if not clean:
                cache.put(path, stat, data, clean=True)
            return file
    file = load_file(path, context, max_size=max_size)
    # Stored when new, and again when a file checked on another day (or under other
    # settings) is clean after all: its warnings all suppressed by comments.
    if file.data is not None and (cached is None or not file.problems):
        cache.put(path, stat, file.data, clean=not file.problems)
    return file


def _clean(file: RecordFile, context: dict[str, Any], *, checked: bool) -> bool:
    """Validate and check `file.data` into `file.record` (`checked`: found clean under the
    same settings today, so only validated); False if there is anything to report."""
    from pydantic import ValidationError

    from ucap_cli.model import SCHEMA_VERSION, Record

    version = (file.data or {}).get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version > SCHEMA_VERSION:
        return False
    try:
        file.record = Record.model_validate(file.data, context=context)
    except ValidationError:
        return False
    return checked or not checks.check_record(file.record, file.path)


def _byte_position(path: Path, offset: int) -> tuple[int, int]:
    try:
        data = path.read_bytes()
    except OSError:
        return 1, 1
    # utf-8-sig counts `offset` from after the BOM it strips.
    head = data.removeprefix(b"\xef\xbb\xbf")[:offset]
    line = head.count(b"\n") + 1
    column = len(head.rsplit(b"\n", 1)[-1].decode("utf-8", "replace")) + 1
    return line, column


def _io_message(error: OSError | ValueError) -> str:
    if isinstance(error, IsADirectoryError):
        return "cannot read: is a folder, not a file"
    if isinstance(error, FileNotFoundError):
        return "cannot read: no such file (a broken link, or removed while reading)"
    if isinstance(error, PermissionError):
        return "cannot read: permission denied"
    if isinstance(error, OSError) and error.errno == errno.ELOOP:
        return "cannot read: a loop of symbolic links"
    if isinstance(error, OSError):
        return f"cannot read: {error.strerror or error}"
    return str(error)


def find_record_files(folder: Path) -> list[Path]:
    """Every `*.toml` file under `folder`, recursively, skipping hidden files and folders."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(
            Path(dirpath, name)
            for name in sorted(filenames)
            if name.endswith(".toml") and not name.startswith(".")
        )
    return found


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files and folders from the command line -> record files; a missing path is a usage error."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(find_record_files(path))
        elif path.exists() or path.is_symlink():
            files.append(path)
        else:
            raise UsageError(f"no such file or folder: {path}")
    # One file given twice (`records records/a.toml`, `a.toml ./a.toml`) is checked once,
    # else it would clash with itself in the duplicate-id check.
    unique: dict[Path, Path] = {}
    for file in files:
        unique.setdefault(real_path(file), file)
    return list(unique.values())


def real_path(path: Path) -> Path:
    """`path` with its symbolic links resolved; a loop of links is left as it is, where
    `Path.resolve` would raise (reading the file then reports the loop)."""
    return Path(os.path.realpath(path))


def load_files(
    paths: Iterable[Path], context: dict[str, Any], *, max_size: int = DEFAULT_MAX_FILE_SIZE
) -> Iterator[RecordFile]:
    """Load each path in turn."""
    for path in paths:
        yield load_file(path, context, max_size=max_size)


def check_file(
    path: Path, context: dict[str, Any], max_size: int = DEFAULT_MAX_FILE_SIZE
) -> Verdict:
    """Validate one file and keep only what `validate` reports (worker processes return it)."""
    file = load_file(path, context, max_size=max_size)
    declared = (file.data or {}).get("id")
    return Verdict(declared if isinstance(declared, str) else None, tuple(file.problems))


def load_slim(
    path: Path,
    context: dict[str, Any],
    max_size: int = DEFAULT_MAX_FILE_SIZE,
    keep_data: bool = True,
    cache: ParsedCache | None = None,
) -> RecordFile:
    """`load_record`, then `slimmed`: what worker processes send back for the views."""
    file = load_record(path, context, max_size=max_size, cache=cache)
    return file.slimmed(keep_data=keep_data)
