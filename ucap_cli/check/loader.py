"""A file -> TOML -> a record, with every problem found on the way.

The loader never stops at a bad file: each file yields its record, its problems, or both.
Positions are worked out only for files that have problems, so the happy path stays fast.
The model (and pydantic with it) is imported when a first file is validated: a `validate`
answered from the verdict cache, as on most commits, never needs it.

A file with errors still has a record for the views when its TOML could be read: the record
as far as it can be read (`record.readable`); only a file that is not TOML (E001, E002, E004)
has none.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ucap_cli.check import rules
from ucap_cli.check.findings import Finding, describe_validation_error
from ucap_cli.check.problems import CODES, Problem, Severity
from ucap_cli.check.rules import COLLECTION_CODES
from ucap_cli.check.suppressions import Suppression, suppressions, unused_message
from ucap_cli.toml import files
from ucap_cli.toml.edit import Fix
from ucap_cli.toml.encoding import ForeignEncodingError, check_utf8_mark
from ucap_cli.toml.lines import toml_lines
from ucap_cli.toml.locate import SourceMap, build_source_map, place_too_deep
from ucap_cli.toml.parser import (
    TOMLDecodeError,
    TooDeepError,
    check_depth,
    error_location,
    read_document,
)

if TYPE_CHECKING:
    from ucap_cli.record.model import Record

# Problems reported per file: past them a report would be unreadable (and slow to locate).
MAX_PROBLEMS = 100


@dataclass
class RecordFile:
    """One file of the collection: what could be read of it and what is wrong with it."""

    path: Path
    display: str
    text: str | None = None
    data: dict[str, Any] | None = None
    record: Record | None = None
    problems: list[Problem] = field(default_factory=list)
    fixes: list[tuple[Problem, Fix]] = field(default_factory=list)  # problems with a fix
    _source_map: SourceMap | None = field(default=None, repr=False)
    _omitted: int = field(default=0, repr=False)  # problems past MAX_PROBLEMS, counted only
    _suppressions: dict[int, Suppression] | None = field(default=None, repr=False)
    _used: set[tuple[int, str]] = field(default_factory=set, repr=False)  # (line, code)

    def forget_reading(self) -> None:
        """Forget the data, the record and every problem and fix found in them: the file is
        to be reported as one that could not be read."""
        self.data = self.record = None
        self.problems.clear()
        self.fixes.clear()
        self._omitted = 0
        self._used.clear()

    @property
    def ok(self) -> bool:
        """True when the file has no errors (warnings allowed)."""
        return not any(p.severity == "error" for p in self.problems)

    @property
    def first_error(self) -> Problem | None:
        """The error that comes first in the file, if it has any."""
        errors = [p for p in self.problems if p.severity is Severity.ERROR]
        return min(errors, key=lambda p: p.sort_key) if errors else None

    @property
    def declared_id(self) -> str | None:
        """The id the file declares, when it could be read (for the duplicate-id check)."""
        value = (self.data or {}).get("id")
        return value if isinstance(value, str) else None

    def source_map(self) -> SourceMap:
        """Key and value positions of the file, built on first use."""
        if self._source_map is None:
            if self.text is None:  # dropped after loading: read again, problems are rare
                with contextlib.suppress(OSError, ValueError):
                    self.text = files.read_text(self.path)
            self._source_map = build_source_map(self.text or "")
        return self._source_map

    def report(self, findings: Iterable[Finding], total: int | None = None) -> None:
        """Turn findings into located problems, dropping those suppressed by a comment.

        A file keeps at most MAX_PROBLEMS problems: the findings past them are counted, not
        located, and stand as one last problem, "... and N more problems in this file". With
        `total` (how many `findings` yields) a lazy `findings` is not even described past them.
        """
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
            if self._suppresses(position.line, finding.code):
                continue
            problem = Problem(
                self.display,
                position.line,
                position.column,
                finding.code,
                finding.message,
                finding.hint,
            )
            self.problems.append(problem)
            if finding.fix is not None:
                self.fixes.append((problem, finding.fix))

    def report_unused_suppressions(self) -> None:
        """W308 for the codes of each `# ucap: ignore[...]` comment that suppressed nothing.

        Call it once every finding of the file's own checks is reported (it is then known
        which codes were used); codes of the collection's checks (E201) depend on other files
        and are never reported here. Not when findings were left out past MAX_PROBLEMS.
        """
        if self._omitted or not self.text or "ucap:" not in self.text:
            return
        for line, suppression in sorted(self._suppression_map().items()):
            unused = [
                code
                for code in suppression.codes
                if (line, code) not in self._used and code not in COLLECTION_CODES
            ]
            if not unused:
                continue
            if len(self.problems) >= MAX_PROBLEMS:
                self._omit("W308", 1)
                continue
            self.problems.append(
                Problem(
                    self.display,
                    line,
                    suppression.column,
                    "W308",
                    unused_message(unused),
                    "remove the comment"
                    if len(unused) == len(suppression.codes)
                    else f"remove {', '.join(unused)} from the comment",
                )
            )

    def _suppresses(self, line: int, code: str) -> bool:
        """True when a `# ucap: ignore[...]` comment on `line` names `code` (now used)."""
        suppression = self._suppression_map().get(line)
        if suppression is None or code not in suppression.codes:
            return False
        self._used.add((line, code))
        return True

    def _suppression_map(self) -> dict[int, Suppression]:
        if self._suppressions is None:
            self._suppressions = suppressions(self.text or "")
        return self._suppressions

    def _omit(self, code: str, count: int) -> None:
        """Count `count` more problems in the closing line (placed at the end of the file, so
        that it is reported last); an error code there keeps the exit status right."""
        if self._omitted:
            last = self.problems.pop()
            code = last.code if CODES[last.code].severity == "error" else code
        self._omitted += count
        lines = toml_lines(self.text or "") or [""]
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


def parse(file: RecordFile, text: str, context: dict[str, Any], *, readable: bool = False) -> None:
    """Parse and validate `text` as the content of `file`, filling in data, record, problems.

    A valid record is a `ValidRecord`. With `readable`, a file whose TOML could be read but
    that has errors gets the record as far as it can be read (see `read_leniently`). A file
    nested deeper than the one limit (E004) is treated as a file that is not TOML: its data
    is not kept, so nothing walks it.
    """
    from ucap_cli.record.model import FREE_FORM, SCHEMA_VERSION, ValidRecord

    file.text = text
    try:
        data = read_document(text)
    except TOMLDecodeError as error:
        message, line, column = error_location(error, text)
        file.problems.append(Problem(file.display, line, column, "E002", f"TOML: {message}"))
        return
    except TooDeepError as error:
        _too_deep(file, error)
        return
    file.data = data
    version = data.get("schema_version")
    valid = False
    try:
        if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
            check_depth(data)
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
        else:
            # The depth limit, checked after validation: the model nests a few levels, so a
            # valid record can only nest deep in its free-form tables (most files are valid,
            # and walking all of their data would cost a twentieth of loading them).
            valid = _validate(file, data, context, large=len(text) > _LARGE)
            check_depth(data, FREE_FORM if valid else None)
    except TooDeepError as error:
        _too_deep(file, error)
        return
    if valid:
        assert isinstance(file.record, ValidRecord)
        file.report(rules.check_record(file.record, file.path))
    file.report(rules.todo_marks(text))  # after the errors, which the cap must never drop
    if file.record is not None:
        file.report_unused_suppressions()
    elif readable:
        read_leniently(file, context, large=len(text) > _LARGE)


def _too_deep(file: RecordFile, error: TooDeepError) -> None:
    """Report E004 alone, as for a file that is not TOML: nothing of the data is kept."""
    file.forget_reading()
    message, position = place_too_deep(error, file.source_map())
    file.problems.append(Problem(file.display, position.line, position.column, "E004", message))


def check_data(file: RecordFile, context: dict[str, Any], *, large: bool = False) -> bool:
    """Validate `file.data` (already parsed) into `file.record`, without locating anything:
    True when it is a valid record. For data read back from a cache, where the file's text is
    not at hand; a file it says no to is loaded in full to say why. `large`: the file is
    large enough to hold thousands of unknown keys (see `_validate`)."""
    from pydantic import ValidationError

    from ucap_cli.record.model import SCHEMA_VERSION, ValidRecord

    data = file.data or {}
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version > SCHEMA_VERSION:
        return False
    if large and _trimmed(data)[1]:  # thousands of unknown keys: surely not valid
        return False
    try:
        file.record = ValidRecord.model_validate(data, context=context)
    except ValidationError:
        return False
    return True


def read_leniently(file: RecordFile, context: dict[str, Any], *, large: bool = False) -> None:
    """Set `file.record` to the record its data holds as far as it can be read (None when
    nothing can): values that cannot be read are left out, and a missing or unreadable id is
    the file's name. `large`: see `check_data`."""
    from ucap_cli.record.readable import readable_record

    if file.data is None:
        return
    record = readable_record(_trimmed(file.data)[0] if large else file.data, context)
    if record is not None and not record.id:
        record = record.model_copy(update={"id": file.path.stem})
    file.record = record


def _validate(
    file: RecordFile, data: dict[str, Any], context: dict[str, Any], *, large: bool
) -> bool:
    """Validate `data` into `file.record`, or report why it is not a record (False).

    In a `large` file, a table with thousands of unknown keys is validated with only its first
    ones (see `_trimmed`): the report, which stops after MAX_PROBLEMS, is the same, and a
    million unknown keys cost neither a million validation errors in memory nor the time to
    list them.
    """
    from pydantic import ValidationError

    from ucap_cli.record.model import ValidRecord

    trimmed, dropped = _trimmed(data) if large else (data, 0)
    try:
        file.record = ValidRecord.model_validate(trimmed, context=context)
    except ValidationError as error:
        findings = _Counted(describe_validation_error(error, data))
        before = list(file.problems), file._omitted
        file.report(findings, error.error_count() + dropped)
        if dropped and (findings.taken > _KEPT_UNKNOWN or findings.exhausted):
            # Comments suppressed so many problems that the report went past the findings
            # trimming keeps exact: report from the whole data instead (rare, and slow).
            file.problems[:], file._omitted = before
            try:
                ValidRecord.model_validate(data, context=context)
            except ValidationError as whole:
                file.report(describe_validation_error(whole, data), whole.error_count())
        return False
    return True


# Unknown keys of one table that are validated (the rest are only counted): more than the
# problems a file reports, so every problem reported is one that validating all would give.
_KEPT_UNKNOWN = 2 * MAX_PROBLEMS
# Files up to this size (characters or bytes) are validated whole: they hold at most some
# ten thousand unknown keys, and looking for them would cost more than it saves.
LARGE = _LARGE = 64 * 1024


class _Counted(Iterator[Finding]):
    """The findings of an iterator, counting how many were taken, and whether all were."""

    def __init__(self, findings: Iterator[Finding]) -> None:
        self._findings = findings
        self.taken = 0
        self.exhausted = False

    def __next__(self) -> Finding:
        try:
            finding = next(self._findings)
        except StopIteration:
            self.exhausted = True
            raise
        self.taken += 1
        return finding


@dataclass(frozen=True)
class _Shape:
    """A table of the record format: its keys, and the shapes of the tables under them."""

    keys: frozenset[str]
    tables: dict[str, _Shape]


@lru_cache(maxsize=1)
def _record_shape() -> _Shape:
    from ucap_cli.check.findings import inner_model
    from ucap_cli.record.model import ValidRecord

    def shape(model: Any) -> _Shape:
        fields = model.model_fields
        inner = {name: inner_model(field.annotation) for name, field in fields.items()}
        return _Shape(frozenset(fields), {n: shape(m) for n, m in inner.items() if m})

    return shape(ValidRecord)


def _trimmed(data: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """`data` with each table of the format keeping at most `_KEPT_UNKNOWN` unknown keys (in
    the order written), and how many were left out. Pydantic lists a table's unknown keys last,
    in that order, after its other problems: the first `_KEPT_UNKNOWN` problems of `data`
    and of its trimmed copy are the same. Costs nothing for a table with few keys."""
    dropped = 0

    def trim(table: dict[str, Any], shape: _Shape) -> dict[str, Any]:
        nonlocal dropped
        result = table
        if len(table) > len(shape.keys) + _KEPT_UNKNOWN:
            unknown = [key for key in table if key not in shape.keys]
            if len(unknown) > _KEPT_UNKNOWN:
                surplus = set(unknown[_KEPT_UNKNOWN:])
                dropped += len(surplus)
                result = {k: v for k, v in table.items() if k not in surplus}
        for key, inner in shape.tables.items():  # the format's tables: at most three deep
            value = result.get(key)
            new: Any = value
            if isinstance(value, dict):
                new = trim(value, inner)
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, dict) and (kept := trim(item, inner)) is not item:
                        new = list(new) if new is value else new
                        new[index] = kept
            if new is not value:
                result = dict(result) if result is table else result
                result[key] = new
        return result

    return trim(data, _record_shape()), dropped


def load_file(
    path: Path,
    display: str,
    context: dict[str, Any],
    *,
    max_size: int,
    readable: bool = False,
) -> RecordFile:
    """Read, parse and validate one record file (see `parse`); I/O and decoding failures
    become problems. `display`: the path as problems show it."""
    file = RecordFile(path, display)
    try:
        raw = files.read_bytes(path, max_size)
    except (OSError, ValueError) as error:
        file.problems.append(Problem(file.display, 1, 1, "E001", _io_message(error)))
        return file
    return load_bytes(raw, path, display, context, readable=readable, file=file)


def load_bytes(
    raw: bytes,
    path: Path,
    display: str,
    context: dict[str, Any],
    *,
    readable: bool = False,
    file: RecordFile | None = None,
) -> RecordFile:
    """`load_file` of contents already read (a file at a git revision): decoding failures
    become problems. `path` names the file (its stem is the id of a record without one)."""
    file = file or RecordFile(path, display)
    try:
        check_utf8_mark(raw)
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _byte_position(raw, error.start)
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
    parse(file, text, context, readable=readable)
    return file


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
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
