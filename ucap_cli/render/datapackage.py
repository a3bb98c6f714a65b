"""`ucap export datapackage DIR`: the collection as a Frictionless Data Package.

`datapackage.json` and one CSV file per table of `views/tables.py`, each described by a Table
Schema made from that one definition: types, required values, enums from the vocabularies,
patterns, primary keys and foreign keys to `records` and `activities`.

CSV cells are neutralised as in every CSV that ucap writes (`tabular.neutralise`): no
spreadsheet runs a cell as a formula, every cell is on one line. The schema says so on each
text field and in the package's description. Records are encoded where they are loaded
(`encode_record`, in worker processes), so the parent only joins lines.

The folder is written whole beside DIR and then put in its place (`replacing_folder`): DIR
may be new, empty, or an earlier export of ucap's (its `datapackage.json` says so, and it
holds nothing else but the files that one lists); anything else is refused, and no file that
ucap did not write is ever removed.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO

from ucap_cli import __version__
from ucap_cli.config import ExportMetadata
from ucap_cli.render.tabular import neutralise
from ucap_cli.views.export import Export, Keyed
from ucap_cli.views.report import Report
from ucap_cli.views.tables import Column, Row, Table, Value, tables

DESCRIPTOR = "datapackage.json"
MARKER = "x-ucap"  # the descriptor's member that says ucap wrote the folder
MAX_DESCRIPTOR = 10 * 1024 * 1024
DEFAULT_NAME = "ucap-records"
DEFAULT_TITLE = "U-CAP records"
DEFAULT_DESCRIPTION = (
    "Urban Cooperation Action Plans (U-CAP): city-to-city cooperation plans, with their "
    "partner cities, activities, agreements and expected results."
)
KEYWORDS = ("U-CAP", "urban cooperation", "city-to-city cooperation", "SDG", "EU Urban Agenda")
NEUTRALISED = (
    "In the CSV files, text is neutralised for spreadsheets, as in every CSV that ucap writes: "
    "a line break is written as a space, another control character as a \\xNN or \\uNNNN "
    "escape, and a value that starts with =, +, -, @, a tab or a carriage return has a ' put "
    "before it, so that no spreadsheet runs it as a formula. `ucap export sqlite` keeps the "
    "exact text."
)
_TEXT_NOTE = "Neutralised for spreadsheets (see the package's description)."
_JSON_NOTE = {"array": "A JSON array of text.", "object": "A JSON object (free-form)."}
_NON_FINITE = {math.inf: "INF", -math.inf: "-INF"}
# Characters `neutralise` changes (but the line ends, which are counted), and those a
# formula starts with.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_FORMULA_FIRST = frozenset("=+-@\t\r")


@dataclass(frozen=True)
class _Cells:
    """What the CSV of a table's rows needs to know of its columns: which hold text (to
    neutralise), `text` picks them out of a row; which hold numbers."""

    texts: tuple[bool, ...]
    numbers: tuple[int, ...]
    text: Callable[[Row], tuple[Value, ...]] | None

    @classmethod
    def of(cls, texts: Sequence[bool], numbers: Sequence[int] = ()) -> _Cells:
        """The cells of columns whose `texts` flags say which hold text."""
        indexes = [i for i, text in enumerate(texts) if text]
        pick: Callable[[Row], tuple[Value, ...]] | None = None
        if len(indexes) == 1:
            one = indexes[0]
            pick = lambda row: (row[one],)  # noqa: E731
        elif indexes:
            pick = itemgetter(*indexes)
        return cls(tuple(texts), tuple(numbers), pick)


def _as_is(lines: str, rows: Sequence[Row], cells: _Cells) -> bool:
    """True when `neutralise` would change no cell of the CSV text `lines` of `rows`, and
    no number is infinite or not a number (CSV has its own words for them)."""
    if lines.count("\n") != len(rows) or _CONTROL.search(lines):
        return False
    pick = cells.text
    if pick is not None:
        firsts = {v[:1] for row in rows for v in pick(row) if v}  # type: ignore[index]
        if not firsts.isdisjoint(_FORMULA_FIRST):
            return False
    return all(
        row[i] is None or math.isfinite(row[i])  # type: ignore[arg-type]
        for i in cells.numbers
        for row in rows
    )


# --------------------------------------------------------------------------- cells (workers)


def _cell(value: Any, text: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else _NON_FINITE[value]
    if isinstance(value, str):
        return neutralise(value) if text else value
    return str(value)


def _lines(rows: Sequence[Row], cells: _Cells, *, quick: bool = True) -> str:
    """CSV lines, one per row: every cell on one line, text neutralised. `quick`: the rows
    hold no booleans (which the csv module writes as Python does, "True")."""
    if quick:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows(rows)
        lines = buffer.getvalue()
        # Most text needs no change: the lines as they are, when no cell holds a line break
        # or a control character and none starts as a formula would. Else cell by cell.
        if _as_is(lines, rows, cells):
            return lines
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    texts = cells.texts
    writer.writerows([_cell(v, t) for v, t in zip(row, texts, strict=True)] for row in rows)
    return buffer.getvalue()


def _texts(table: Table, keyed: bool) -> list[bool]:
    """For each column (the record's key first when `keyed`): is it text to neutralise."""
    columns = table.columns if keyed else table.columns[1:]
    return [c.type == "string" for c in columns]


@cache
def _record_cells() -> tuple[tuple[str, _Cells], ...]:
    """Each table of a record's rows, and its cells (the record's key left out)."""
    return tuple(
        (
            t.name,
            _Cells.of(
                _texts(t, keyed=False),
                [i for i, c in enumerate(t.columns[1:]) if c.type == "number"],
            ),
        )
        for t in tables()
        if t.name != "problems"
    )


_KEY_CELLS = _Cells.of([True])


def encode_record(key: str, rows: dict[str, list[Row]]) -> tuple[bytes, ...]:
    """A record's rows as UTF-8 CSV lines keyed by `key`, one text per table (in the order
    of `tables()`, `problems` aside). Runs where the record is loaded."""
    prefix = _key_cell(key)
    return tuple(
        _keyed(prefix, _lines(rows[name], cells).encode("utf-8")) for name, cells in _record_cells()
    )


def _key_cell(key: str) -> bytes:
    """The record's key as the first cell of a line, comma included."""
    return _lines([(key,)], _KEY_CELLS)[:-1].encode("utf-8") + b","


def _keyed(prefix: bytes, lines: bytes) -> bytes:
    """`lines` with `prefix` (a record's key cell) at the start of each."""
    if not lines:
        return lines
    return prefix + lines[:-1].replace(b"\n", b"\n" + prefix) + b"\n"


def _rekeyed(record: Keyed[tuple[bytes, ...]]) -> tuple[bytes, ...]:
    """The record's lines keyed by its key in the export, when that is not its id."""
    if record.key == record.id:
        return record.rows
    old, new = _key_cell(record.id), _key_cell(record.key)
    return tuple(
        b"".join(new + line[len(old) :] for line in lines.splitlines(keepends=True))
        for lines in record.rows
    )


# --------------------------------------------------------------------------- the descriptor


def _constraints(column: Column) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if column.required:
        found["required"] = True
    if column.enum:
        found["enum"] = list(column.enum)
    if column.pattern:  # Table Schema patterns are anchored: no ^ and $
        found["pattern"] = column.pattern.removeprefix("^").removesuffix("$")
    if column.minimum is not None:
        found["minimum"] = column.minimum
    if column.maximum is not None:
        found["maximum"] = column.maximum
    if column.min_length is not None:
        found["minLength"] = column.min_length
    return found


def field_descriptor(column: Column) -> dict[str, Any]:
    """A column as a Table Schema field."""
    notes = [column.description.rstrip(".") + "." if column.description else ""]
    if column.type == "string" and not column.enum and not column.pattern:
        notes.append(_TEXT_NOTE)
    notes.append(_JSON_NOTE.get(column.type, ""))
    field: dict[str, Any] = {"name": column.name, "type": column.type}
    description = " ".join(n for n in notes if n)
    if description:
        field["description"] = description
    constraints = _constraints(column)
    if constraints:
        field["constraints"] = constraints
    return field


def table_schema(table: Table) -> dict[str, Any]:
    """The Table Schema of a table."""
    schema: dict[str, Any] = {
        "fields": [field_descriptor(c) for c in table.columns],
        "missingValues": [""],
        "primaryKey": list(table.primary_key),
    }
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {
                "fields": list(fk.columns),
                "reference": {"resource": fk.table, "fields": list(fk.references)},
            }
            for fk in table.foreign_keys
        ]
    return schema


def descriptor(
    chosen: Sequence[Table],
    metadata: ExportMetadata,
    sizes: dict[str, int],
    counts: dict[str, int],
) -> dict[str, Any]:
    """`datapackage.json`: the package's metadata, and each table's file and schema."""
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": metadata.name or DEFAULT_NAME,
        "title": metadata.title or DEFAULT_TITLE,
        "description": f"{metadata.description or DEFAULT_DESCRIPTION}\n\n{NEUTRALISED}",
    }
    if metadata.homepage:
        package["homepage"] = metadata.homepage
    if metadata.licence:
        licence = metadata.licence
        is_url = licence.startswith(("http://", "https://"))
        package["licenses"] = [{"path": licence} if is_url else {"name": licence}]
    if metadata.contributors:
        package["contributors"] = [dict(person) for person in metadata.contributors]
    package["keywords"] = list(metadata.keywords or KEYWORDS)
    package["resources"] = [
        {
            "name": t.name,
            "path": f"{t.name}.csv",
            "profile": "tabular-data-resource",
            "description": t.description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": sizes[t.name],
            "dialect": {"delimiter": ",", "lineTerminator": "\n", "header": True},
            "schema": table_schema(t),
        }
        for t in chosen
    ]
    package[MARKER] = {"version": __version__, "format_version": 1, **counts}
    return package


# --------------------------------------------------------------------------- writing


def previous_files(directory: Path) -> frozenset[str]:
    """The files of an earlier export in `directory` (empty when it holds none): its
    `datapackage.json` and the files it lists, when that descriptor is ucap's."""
    from ucap_cli.toml.files import read_bytes

    try:
        data = json.loads(read_bytes(directory / DESCRIPTOR, MAX_DESCRIPTOR))
    except (OSError, ValueError):
        return frozenset()
    if not isinstance(data, dict) or not isinstance(data.get(MARKER), dict):
        return frozenset()
    names = {DESCRIPTOR}
    for resource in data.get("resources") or []:
        path = resource.get("path") if isinstance(resource, dict) else None
        if isinstance(path, str) and path.endswith(".csv") and "/" not in path and "\\" not in path:
            names.add(path)
    return frozenset(names)


class PackageWriter:
    """Writes the records' lines into the tables' CSV files as they come; then the problems
    and `datapackage.json` (`finish`)."""

    def __init__(self, folder: Path, chosen: Sequence[Table], metadata: ExportMetadata) -> None:
        self.folder = folder
        self.chosen = chosen
        self.metadata = metadata
        self.files: list[BinaryIO] = []
        self.finished = False
        for table in chosen:
            out = open(folder / f"{table.name}.csv", "wb")  # noqa: SIM115 - closed in `close`
            self.files.append(out)
            out.write(_lines([table.names], _Cells.of([False] * len(table.names))).encode())

    def add(self, record: Keyed[tuple[bytes, ...]]) -> None:
        """A record's lines (from `encode_record`)."""
        for out, lines in zip(self.files[:-1], _rekeyed(record), strict=True):
            out.write(lines)

    def finish(self, report: Report[Export]) -> None:
        """The problems table, then the descriptor, with each file's size and the counts."""
        problems = next(t for t in self.chosen if t.name == "problems")
        cells = _Cells.of(_texts(problems, keyed=True))
        self.files[-1].write(_lines(report.data.problems, cells, quick=False).encode())
        sizes = {t.name: out.tell() for t, out in zip(self.chosen, self.files, strict=True)}
        self.close()
        export = report.data
        counts = {
            "records": export.records,
            "activities": export.activities,
            "files_with_errors": len(report.files),
        }
        package = descriptor(self.chosen, self.metadata, sizes, counts)
        text = json.dumps(package, indent=2, ensure_ascii=False) + "\n"
        (self.folder / DESCRIPTOR).write_text(text, encoding="utf-8")
        self.finished = True

    def close(self) -> None:
        """Close the CSV files."""
        for out in self.files:
            out.close()


@contextlib.contextmanager
def package_writer(
    directory: Path, metadata: ExportMetadata, activity_kinds: tuple[str, ...] = ()
) -> Iterator[PackageWriter]:
    """A writer of the package that takes the place of `directory` when the block ends
    without an error and `finish` was called (see the module's docstring); on an error,
    `directory` is untouched."""
    from ucap_cli.toml.write import replacing_folder

    chosen = tables(activity_kinds)
    if chosen[-1].name != "problems":
        raise AssertionError("the problems table comes last")
    with replacing_folder(directory, previous_files(directory)) as folder:
        writer = PackageWriter(folder, chosen, metadata)
        try:
            yield writer
        finally:
            writer.close()
        if not writer.finished:
            raise AssertionError("the package was not finished; nothing was written")
