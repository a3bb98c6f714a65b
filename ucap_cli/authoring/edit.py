"""Writing records: a new record file, and one more activity, result or partner in a record.

Adding never rewrites what is there: the new `[[table]]` is inserted as text where `ucap fmt`
would put it, so that a formatted file stays formatted, and comments, order and spacing of
the rest of the file stay byte for byte. An activity goes after every activity dated at or
before it (fmt's stable sort by date; after the last one when a date cannot be read), a
result or partner after the last of its kind, a first entry before the first table the
format page puts after it. It goes after the comment lines that close the table before it
and above the comment lines of the header after it (fmt's attachment rule). The result is
re-parsed (the record must have gained exactly that entry and nothing else must have
changed) and re-validated before it replaces the file; when it has errors nothing is written
and the problems are returned.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ucap_cli.check.loader import RecordFile, parse
from ucap_cli.check.problems import Problem, Severity
from ucap_cli.config import Config
from ucap_cli.errors import UsageError, WriteError
from ucap_cli.record.dates import DateError, parse_partial_date
from ucap_cli.record.fields import key_order
from ucap_cli.record.model import SLUG
from ucap_cli.store.files import find_record_files, resolve_record, scan_id
from ucap_cli.toml.files import display_path
from ucap_cli.toml.layout import equal, render, scan, tail_length
from ucap_cli.toml.locate import KeyPath, SourceMap, build_source_map, too_deep_message
from ucap_cli.toml.parser import TOMLDecodeError, TooDeepError, loads, parse_document


class InvalidRecordError(WriteError):
    """The record would have errors: nothing was written; `problems` says why."""

    def __init__(self, message: str, problems: list[Problem]) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class Written:
    """A record file that was written, and the warnings it has."""

    path: Path
    warnings: list[Problem]


# --------------------------------------------------------------------------- finding


def find_record(config: Config, ref: str) -> Path:
    """The file of record `ref`: an id or the path of its file, as every command reads it."""
    return resolve_record(config, ref)


def id_owner(config: Config, record_id: str) -> Path | None:
    """The file of the collection that already declares `record_id`, if any."""
    if not config.records.is_dir():
        return None
    return next(
        (
            p
            for p in find_record_files(config.records)
            if scan_id(p, config.max_file_size) == record_id
        ),
        None,
    )


# --------------------------------------------------------------------------- checking


def check(path: Path, text: str, config: Config, *, display: str | None = None) -> list[Problem]:
    """Parse and validate `text` as the content of `path`; the problems it would have.

    They are shown at `display` (default: the path), e.g. `<draft>` for a text not written to
    `path`, so that they never name a file that holds something else.
    """
    file = RecordFile(path, display or display_path(path))
    parse(file, text.removeprefix("\ufeff"), config.validation_context())
    return [p for p in file.problems if p.code not in config.ignore]


def _split(problems: list[Problem], what: str) -> list[Problem]:
    """Raise InvalidRecordError when `problems` has errors; else return the warnings."""
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        count = f"{len(errors)} error{'s' if len(errors) > 1 else ''}"
        raise InvalidRecordError(f"not written: {what} would have {count}", errors)
    return problems


# --------------------------------------------------------------------------- new records


def new_record(
    record_id: str,
    *,
    city: str,
    country: str,
    partners: list[tuple[str, str]],
    start: str,
    themes: list[str],
    end: str | None = None,
    region: str | None = None,
    title: str | None = None,
    programme: str | None = None,
    contact: str | None = None,
) -> dict[str, Any]:
    """The data of a new record (only the keys that were given)."""
    period = {"start": start} | ({"end": end} if end else {})
    lead = {"name": city} | ({"region": region} if region else {}) | {"country": country}
    data: dict[str, Any] = {"schema_version": 1, "id": record_id}
    data |= {k: v for k, v in (("title", title), ("programme", programme)) if v}
    data |= {"period": period, "themes": themes}
    if contact:
        data["contact"] = contact
    data["city"] = lead
    data["partners"] = [{"name": name, "country": where} for name, where in partners]
    return data


def create_record(config: Config, data: Mapping[str, Any], path: Path | None = None) -> Written:
    """Write a new record file (default `records/ID.toml`), refusing to overwrite or reuse an id."""
    record_id = str(data["id"])
    if not SLUG.fullmatch(record_id):
        raise UsageError(
            f"id {record_id!r} is not a slug",
            hint="use lowercase letters, digits and single hyphens, e.g. zhengzhou-aak",
        )
    path = path or config.records / f"{record_id}.toml"
    if path.exists() or path.is_symlink():
        raise WriteError(f"{display_path(path)} already exists; nothing was written")
    owner = id_owner(config, record_id)
    if owner is not None:
        raise WriteError(
            f"id {record_id!r} is already used by {display_path(owner)}; nothing was written"
        )
    text = render(data)
    warnings = _split(check(path, text, config), f"the new record {display_path(path)}")
    from ucap_cli.toml.write import create_text

    create_text(path, text)
    return Written(path, warnings)


def write_draft(config: Config, text: str, path: Path) -> None:
    """Write an imported draft to a new file (no validation: a draft may be incomplete)."""
    from ucap_cli.toml.write import create_text

    if path.exists() or path.is_symlink():
        raise WriteError(f"{display_path(path)} already exists; nothing was written")
    create_text(path, text)


# --------------------------------------------------------------------------- adding


def add_entry(config: Config, path: Path, table: str, entry: Mapping[str, Any]) -> Written:
    """Add `entry` to the `[[table]]` array of the record in `path`, validated, atomically."""
    from ucap_cli.toml.write import update_text

    warnings: list[Problem] = []

    def change(text: str) -> str:
        new = append_entry(text, table, entry)
        warnings[:] = _split(check(path, new, config), display_path(path))
        return new

    update_text(path, change, max_size=config.max_file_size, within=config.records)
    return Written(path, warnings)


def append_entry(text: str, table: str, entry: Mapping[str, Any]) -> str:
    """`text` with a `[[table]]` holding `entry` inserted at its place, the rest byte for byte.

    Raises WriteError when the file is not TOML, when `table` is written in a way a table
    cannot be appended to, or when the re-parsed result is not exactly the old data plus
    `entry`.
    """
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    try:
        data = parse_document(body)
    except TOMLDecodeError as error:
        raise WriteError(f"cannot add to a file that is not valid TOML: {error}") from None
    except TooDeepError as error:
        raise WriteError(f"cannot add to this file: {too_deep_message(error, body)}") from None
    source = build_source_map(body)
    existing = data.get(table)
    if existing is not None and not _written_as_tables(existing, table, source):
        raise WriteError(
            f"cannot add: `{table}` is written as `{table} = [...]`, not as [[{table}]] tables",
            hint=f"write it as [[{table}]] tables (an empty `{table} = []` line can go)",
        )
    newline = "\r\n" if _uses_crlf(body) else "\n"
    chunk = render({table: [dict(entry)]})
    position = _position(existing or [], table, entry)
    at = _insertion_offset(body, data, table, source, position)
    head, tail = body[:at], body[at:]
    insert = ""
    if head and not head.endswith("\n"):
        insert += "\n"
    if head:
        insert += "\n"
    insert += chunk
    if tail and not tail.startswith(("\n", "\r\n")):
        insert += "\n"
    new_body = head + insert.replace("\n", newline) + tail
    _check_added(data, new_body, table, loads(chunk)[table][0], position)
    return bom + new_body


def _uses_crlf(text: str) -> bool:
    first = text.find("\n")
    return first > 0 and text[first - 1] == "\r"


def _written_as_tables(value: Any, table: str, source: SourceMap) -> bool:
    """True when `table` is written as `[[table]]` headers (not `table = [...]`)."""
    if not (isinstance(value, list) and value and all(isinstance(v, dict) for v in value)):
        return False
    key, first = source.key((table,)), source.value((table, 0))
    return (
        key is not None
        and first is not None
        and (first.line, first.column)
        < (
            key.line,
            key.column,
        )
    )


def _position(entries: list[Any], table: str, entry: Mapping[str, Any]) -> int:
    """The index `entry` takes in `entries`: after every activity dated at or before it."""
    if table != "activities":
        return len(entries)
    try:
        key = parse_partial_date(entry.get("date")).sort_key
        keys = [parse_partial_date(e.get("date")).sort_key for e in entries]
    except (DateError, AttributeError):
        return len(entries)  # fmt keeps the file's order then: after the last one
    return next((i + 1 for i in reversed(range(len(keys))) if keys[i] <= key), 0)


def _check_added(old: dict[str, Any], new_text: str, table: str, entry: Any, position: int) -> None:
    try:
        new = parse_document(new_text)
    except (TOMLDecodeError, TooDeepError):
        new = None
    expected = dict(old)
    entries = old.get(table, [])
    expected[table] = [*entries[:position], entry, *entries[position:]]
    if new is None or not equal(new, expected):
        raise WriteError(
            f"cannot add a [[{table}]] table safely to this file's layout; nothing was written",
            hint="run `ucap fmt` on the file, then try again",
        )


def _insertion_offset(
    body: str, data: dict[str, Any], table: str, source: SourceMap, position: int
) -> int:
    """Where the new `[[table]]` taking index `position` goes (see the module docstring)."""
    kinds = scan(body).kinds
    starts = _line_starts(body)
    entries = data.get(table) or []
    if position < len(entries):
        anchor = _line(source, (table, position))
    elif entries:
        last = (table, len(entries) - 1)
        first_line = _line(source, last) or len(kinds)
        own = {line for path in _table_paths(entries[-1], last) if (line := _line(source, path))}
        anchor = next(
            (
                number
                for number in range(first_line + 1, len(kinds) + 1)
                if kinds[number - 1] == "header" and number not in own
            ),
            None,
        )
    else:
        order = key_order()[()]
        rank = order.index(table)
        later = [
            line
            for key, value in data.items()
            if (order.index(key) if key in order else len(order)) > rank
            and (line := _table_line(source, key, value)) is not None
        ]
        anchor = min(later, default=None)
    return _boundary(kinds, starts, anchor, len(body))


def _boundary(kinds: list[str], starts: list[int], anchor: int | None, size: int) -> int:
    """The offset between what ends before line `anchor` (None: the end) and that line.

    That is after the last key or header and the comment lines closing its table, before
    the comment lines above the header at `anchor`; after the file's leading comments.
    """
    last = len(kinds) if anchor is None else anchor - 1
    content = last
    while content >= 1 and kinds[content - 1] not in ("code", "header"):
        content -= 1
    if content == 0:
        line = last  # only the file's head above: keep it on top
    else:
        comments = [n for n in range(content + 1, last + 1) if kinds[n - 1] == "comment"]
        closing = tail_length(comments, content, anchor)
        line = comments[closing - 1] if closing else content
    return starts[line] if line < len(starts) else size


def _line_starts(text: str) -> list[int]:
    """Offsets of the line starts: `starts[n]` is where line n+1 (1-based) begins."""
    starts = [0]
    index = text.find("\n")
    while index >= 0:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return starts


def _line(source: SourceMap, path: KeyPath) -> int | None:
    found = source.table(path)
    return found.line if found else None


def _table_line(source: SourceMap, key: str, value: Any) -> int | None:
    """The line of the first header of top-level table `key`, if it is one."""
    if isinstance(value, dict):
        return _line(source, (key,))
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return _line(source, (key, 0))
    return None


def _table_paths(value: Any, path: KeyPath) -> Iterator[KeyPath]:
    """The key paths of the tables nested in `value` (its sub-tables and their entries)."""
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, dict):
                yield (*path, key)
            yield from _table_paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            if isinstance(child, dict):
                yield (*path, index)
            yield from _table_paths(child, (*path, index))
