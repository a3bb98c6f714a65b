"""The collection as tables: what `ucap export` publishes, defined once.

Each table has a name, columns with their types and constraints, a primary key, foreign keys
to its parents, the columns the SQLite export indexes (those the filters ask about) and those
it indexes for full-text search. The Data Package's Table Schemas (render/datapackage.py) and
the SQLite DDL (render/sqlite.py) are both written from `tables()`.

Columns that are fields of the record model are found by walking the model's field lists
(record/fields.py `key_order`), and take their type, constraints and description from the
model's JSON Schema: a field added to the model reaches the export without a change here. A
table (`period`, `city`) is flattened into its parent's columns (`period_start`, `city_name`);
a list of tables becomes a child table (`partners`, `activities`...); a list of values becomes
a JSON array column, except the lists that filters and reports count by, which are child
tables of one value per row (`themes`, `sdgs`, `urban_agenda`, an activity's `cities`).

Every row starts with its record's key (`records.id`, `record_id` elsewhere), then its place
in the record (`activity`: the activity's place among the record's activities, 1 for the
first in the file; `position`: the place in its list), then the values. `record_rows` makes a
record's rows without the record's key, which the writer's encoding puts first (the record's
id; views/export.py gives a record whose id a file before it has taken another key).
"""

from __future__ import annotations

import json
import math
import re
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal

from pydantic_core import PydanticUndefined

from ucap_cli.record import vocab
from ucap_cli.record.fields import TablePath, inner_model, key_order

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ucap_cli.record.model import Record

ColumnType = Literal["string", "integer", "number", "boolean", "array", "object"]
Value = str | int | float | None
Row = tuple[Value, ...]

RECORD_KEY = "record_id"  # the first column of every table but `records` (whose key is `id`)


@dataclass(frozen=True)
class Column:
    """A column: its name, its type and what its values keep to (in a valid record).

    `array` and `object` values are JSON text. `source` is where a value comes from in the
    table's item: an attribute path (`"city.name"`), `"."` for the item itself (a list of
    values), or None for a key column. `derive` turns the source's value into the column's.
    """

    name: str
    type: ColumnType
    description: str = ""
    required: bool = False
    enum: tuple[Any, ...] = ()
    pattern: str | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    min_length: int | None = None
    source: str | None = None
    derive: Callable[[Any], Value] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ForeignKey:
    """`columns` of a table refer to `references` of `table`."""

    columns: tuple[str, ...]
    table: str
    references: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table of the export; `path`: the record's lists its rows come from (`()` for the
    record itself, `("activities", "agreements")` for agreements)."""

    name: str
    description: str
    path: TablePath
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[str, ...] = ()  # columns the filters ask about
    search: tuple[str, ...] = ()  # columns of the full-text index

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """The column called `name`."""
        return next(c for c in self.columns if c.name == name)


# --------------------------------------------------------------------------- the definition

# Lists of the record that are tables of their own: path -> (table, its value column for a
# list of values). Every list of tables in the model must be here (see `_model_columns`).
CHILD_TABLES: dict[TablePath, tuple[str, str | None]] = {
    ("themes",): ("themes", "theme"),
    ("sdgs",): ("sdgs", "sdg"),
    ("urban_agenda",): ("urban_agenda", "topic"),
    ("partners",): ("partners", None),
    ("focus",): ("focus", None),
    ("activities",): ("activities", None),
    ("activities", "cities"): ("activity_cities", "city"),
    ("activities", "agreements"): ("agreements", None),
    ("expected_results",): ("expected_results", None),
    ("organisations",): ("organisations", None),
}
TABLE_ORDER = (
    "records",
    "partners",
    "themes",
    "sdgs",
    "urban_agenda",
    "focus",
    "activities",
    "activity_cities",
    "agreements",
    "expected_results",
    "organisations",
    "problems",
)
_DESCRIPTIONS = {
    "records": "One row per record (U-CAP): its lead city, period and texts.",
    "partners": "One row per record and partner city, in the record's order.",
    "themes": "The themes of each record, one a row.",
    "sdgs": "The Sustainable Development Goals of each record, one a row.",
    "urban_agenda": "The EU Urban Agenda topics of each record, one a row (official names).",
    "focus": "The key focus of each of a record's themes.",
    "activities": "One row per activity of a record: visits, signings, workshops...",
    "activity_cities": "The cities taking part in each activity, one a row.",
    "agreements": "The agreements signed during each activity; `count` for several alike.",
    "expected_results": "The results each record expects, and how far they got.",
    "organisations": "The organisations taking part in each record.",
    "problems": (
        "Each file with errors, with its first error: a record with errors is exported as far "
        "as it could be read (`record_id` names it); a file that is not TOML is left out "
        "(`left_out` is true). Run `ucap validate` for every problem."
    ),
}
# The columns the filters ask about (--programme, --since, --country, --city, --kind...).
_INDEXES: dict[str, tuple[str, ...]] = {
    "records": ("programme", "period_start", "period_end", "city_name", "city_country_code"),
    "partners": ("name", "country_code"),
    "themes": ("theme",),
    "sdgs": ("sdg",),
    "urban_agenda": ("topic",),
    "activities": ("date", "kind", "status"),
    "activity_cities": ("city",),
    "agreements": ("kind",),
    "expected_results": ("status",),
    "organisations": ("name",),
    "problems": ("record_id",),
}
_SEARCH: dict[str, tuple[str, ...]] = {
    "records": ("title", "summary"),
    "activities": ("title", "summary"),
    "expected_results": ("text",),
}
_LEVEL_KEYS = {"activities": "activity"}  # a key column named for its level; else `position`
_COUNTRY_CODE = Column(
    "country_code",
    "string",
    "The country's ISO 3166-1 alpha-2 code, found from `country` (empty when unknown).",
    pattern="^[A-Z]{2}$",
)


def _country_code(country: Any) -> str | None:
    from ucap_cli.record.countries import find_country

    found = find_country(country) if isinstance(country, str) else None
    return found.alpha_2 if found else None


def _sdg_name(number: Any) -> str | None:
    return vocab.SDGS.get(number) if isinstance(number, int) else None


FILE = "@file"  # the source of `records.file`: the record's file, not a field of it
# Columns that are not fields of the model, each placed after a column of its table.
_DERIVED: dict[tuple[str, str], Column] = {
    ("records", "id"): Column(
        "file", "string", "The record's file, relative to the records folder.", True, source=FILE
    ),
    ("records", "city_country"): replace(
        _COUNTRY_CODE, name="city_country_code", source="city.country", derive=_country_code
    ),
    ("partners", "country"): replace(_COUNTRY_CODE, source="country", derive=_country_code),
    ("sdgs", "sdg"): Column(
        "name",
        "string",
        "The goal's name.",
        enum=tuple(vocab.SDGS.values()),
        source=".",
        derive=_sdg_name,
    ),
}


@cache
def tables(activity_kinds: tuple[str, ...] = ()) -> tuple[Table, ...]:
    """The tables of the export, in order; `activity_kinds`: the kinds the configuration adds
    to the format's (the `kind` column's enum has both)."""
    from ucap_cli.record.model import ValidRecord

    found: dict[str, Table] = {}
    _add_table(found, "records", (), _model_columns(ValidRecord, (), (), found))
    activities = found["activities"]
    kinds = tuple(dict.fromkeys((*vocab.ACTIVITY_KINDS, *activity_kinds)))
    columns = tuple(replace(c, enum=kinds) if c.name == "kind" else c for c in activities.columns)
    found["activities"] = replace(activities, columns=columns)
    found["problems"] = _problems()
    return tuple(found[name] for name in TABLE_ORDER)


def table(name: str, activity_kinds: tuple[str, ...] = ()) -> Table:
    """The table called `name`."""
    return next(t for t in tables(activity_kinds) if t.name == name)


def _model_columns(
    model: type[BaseModel],
    path: TablePath,
    within: TablePath,
    found: dict[str, Table],
    required: bool = True,
) -> list[Column]:
    """The columns of `model`, the table at `path` of the record, or a table `within` it
    that is flattened into it (`city` into `records`: `city_name`...), in the format's key
    order. Its lists of tables (and the lists of CHILD_TABLES) become tables of their own."""
    schema = model.model_json_schema()
    properties, needed = schema.get("properties", {}), set(schema.get("required", ()))
    prefix = "".join(f"{name}_" for name in within)
    columns: list[Column] = []
    for key in key_order()[(*path, *within)]:
        if not path and not within and key == "id":
            continue  # the record's key, the table's first column
        field_info = model.model_fields[key]
        inner = inner_model(field_info.annotation)
        prop = properties[key]
        child = (*path, *within, key)
        if child in CHILD_TABLES:
            name, value = CHILD_TABLES[child]
            if inner is not None:
                _add_table(found, name, child, _model_columns(inner, child, (), found))
            else:
                _add_table(found, name, child, [_value_column(name, value or key, prop)])
        elif inner is not None:
            if prop.get("type") == "array":
                raise AssertionError(f"the list of tables {'.'.join(child)} has no table")
            columns += _model_columns(
                inner, path, (*within, key), found, required and key in needed
            )
        else:
            always = field_info.default_factory is not None or field_info.default not in (
                None,
                PydanticUndefined,
            )
            source = ".".join((*within, key))
            column = _schema_column(
                prefix + key, prop, (required and key in needed) or always, source
            )
            if _is_date(field_info.annotation):
                column = replace(column, derive=_date_text)
            columns.append(column)
    return columns


def _is_date(annotation: Any) -> bool:
    from ucap_cli.record.dates import PartialDate

    if annotation is PartialDate:
        return True
    return any(_is_date(arg) for arg in typing.get_args(annotation))


def _date_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _schema_column(name: str, prop: dict[str, Any], required: bool, source: str) -> Column:
    """A column from the JSON Schema of a field."""
    branches = [b for b in prop.get("anyOf", [prop]) if b.get("type") != "null"]
    value = branches[0] if branches else prop
    kind = value.get("type", "string")
    enum = tuple(value.get("enum", ()))
    if "const" in prop:
        enum = (prop["const"],)
    minimum = value.get("minimum")
    if kind == "integer" and "exclusiveMinimum" in value:
        minimum = value["exclusiveMinimum"] + 1
    return Column(
        name,
        kind,
        prop.get("description") or value.get("description") or "",
        required=required,
        enum=enum,
        pattern=value.get("pattern"),
        minimum=minimum,
        maximum=value.get("maximum"),
        min_length=value.get("minLength"),
        source=source,
    )


def _value_column(table_name: str, name: str, prop: dict[str, Any]) -> Column:
    """The value column of a table of a list of values (themes, SDGs...)."""
    column = _schema_column(name, prop.get("items", {}), True, ".")
    if table_name == "urban_agenda":
        return replace(
            column,
            enum=vocab.URBAN_AGENDA_TOPICS,
            description="An EU Urban Agenda topic, by its official name (aliases read as it).",
        )
    if table_name == "sdgs":
        return replace(column, description="The goal's number, 1 to 17.")
    if table_name == "activity_cities":
        return replace(column, description="A city taking part, as the record names it.")
    return column


def _key_columns(path: TablePath) -> list[Column]:
    """The key columns of the table at `path`: the record's, then its place at each level."""
    if not path:
        return [
            Column(
                "id",
                "string",
                "The record's id (without one, its file's name); a record whose id a file "
                "before it has taken is keyed by its file's path.",
                required=True,
            )
        ]
    columns = [Column(RECORD_KEY, "string", "The record's `id` in `records`.", required=True)]
    for depth, level in enumerate(path, 1):
        key = _LEVEL_KEYS.get(level, "position" if depth == len(path) else level)
        what = (
            "The activity's place among its record's activities (1 is the first in the file)."
            if key == "activity"
            else "The place in its list, in the record's order (1 is the first)."
        )
        columns.append(Column(key, "integer", what, required=True, minimum=1))
    return columns


def _add_table(found: dict[str, Table], name: str, path: TablePath, values: list[Column]) -> None:
    columns: list[Column] = []
    for column in [*_key_columns(path), *values]:
        columns.append(column)
        derived = _DERIVED.get((name, column.name))
        if derived is not None:
            columns.append(derived)
    foreign: list[ForeignKey] = []
    if path:
        foreign.append(ForeignKey((RECORD_KEY,), "records", ("id",)))
    if len(path) > 1 and path[0] == "activities":
        foreign.append(ForeignKey((RECORD_KEY, "activity"), "activities", (RECORD_KEY, "activity")))
    found[name] = Table(
        name,
        _DESCRIPTIONS[name],
        path,
        tuple(columns),
        tuple(c.name for c in columns if c.source is None),
        tuple(foreign),
        _INDEXES.get(name, ()),
        _SEARCH.get(name, ()),
    )


def _problems() -> Table:
    columns = (
        Column("file", "string", "The file, relative to the records folder.", required=True),
        Column(
            RECORD_KEY,
            "string",
            "The record's `id` in `records` when it is exported (empty: the file is left "
            "out, or the filters did not choose its record).",
        ),
        Column(
            "left_out",
            "boolean",
            "True when the file is not readable as a record (not TOML): nothing of it is exported.",
            required=True,
        ),
        Column("line", "integer", "The error's line (1 is the first).", minimum=1),
        Column("column", "integer", "The error's column (1 is the first).", minimum=1),
        Column("code", "string", "The problem code (see `ucap validate`).", required=True),
        Column("message", "string", "What is wrong.", required=True),
    )
    return Table(
        "problems",
        _DESCRIPTIONS["problems"],
        (),
        columns,
        ("file",),
        (ForeignKey((RECORD_KEY,), "records", ("id",)),),
        _INDEXES["problems"],
    )


# --------------------------------------------------------------------------- rows

# DEL, C1 controls, line/paragraph separators and bidi controls: written as \u escapes in
# JSON text (JSON readers get the same characters back; a spreadsheet shows no break).
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), allow_nan=False)
_encode_string: Callable[[str], str] = json.encoder.encode_basestring


def json_text(value: Any) -> str:
    """`value` as one line of JSON text, unsafe characters escaped."""
    text = _JSON.encode(value)
    if text.isascii() and "\x7f" not in text:
        return text
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _finite(value: Any) -> Any:
    """TOML data as JSON data: dates as ISO text, `nan` and `inf` as their TOML spelling."""
    from ucap_cli.record.data import as_data

    def walk(item: Any) -> Any:
        if isinstance(item, float) and not math.isfinite(item):
            return "nan" if math.isnan(item) else ("inf" if item > 0 else "-inf")
        if isinstance(item, dict):
            return {k: walk(v) for k, v in item.items()}
        if isinstance(item, list):
            return [walk(v) for v in item]
        return item

    return walk(as_data(value))


def json_list(values: Sequence[Any]) -> str:
    """A list of text as one line of JSON text (what `json_text` makes of it, faster)."""
    if not values:
        return "[]"
    try:
        text = "[" + ", ".join(map(_encode_string, values)) + "]"
    except TypeError:  # not all text (the model's lists of text always are)
        return json_text(list(values))
    if text.isascii() and "\x7f" not in text:
        return text
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _converter(column: Column) -> Callable[[Any], Value] | None:
    """What turns the model's value into the column's, when they differ."""
    if column.derive is not None:
        return column.derive
    if column.type == "array":
        return lambda v: None if v is None else json_list(v)
    if column.type == "object":
        return lambda v: None if v is None else json_text(_finite(v))
    return None


@dataclass(frozen=True)
class _RowMaker:
    """Makes a table's rows: each item's raw values in one call, then the few conversions."""

    path: TablePath
    values: Callable[[Any], tuple[Any, ...]]
    converters: tuple[tuple[int, Callable[[Any], Value]], ...]
    file_at: int | None

    def rows(self, record: Record, file: str) -> list[Row]:
        values, converters, file_at = self.values, self.converters, self.file_at
        if not converters and file_at is None:
            return [(*places, *values(item)) for places, item in _places(record, self.path)]
        out: list[Row] = []
        for places, item in _places(record, self.path):
            raw = list(values(item))
            for index, convert in converters:
                raw[index] = convert(raw[index])
            if file_at is not None:
                raw[file_at] = file
            out.append((*places, *raw))
        return out


def _places(record: Record, path: TablePath) -> list[tuple[tuple[int, ...], Any]]:
    """(places, item) of each item at `path` of the record (places: 1-based)."""
    if not path:
        return [((), record)]
    items: list[tuple[tuple[int, ...], Any]] = [
        ((place,), item) for place, item in enumerate(getattr(record, path[0]), 1)
    ]
    for name in path[1:]:
        items = [
            ((*places, place), child)
            for places, item in items
            for place, child in enumerate(getattr(item, name), 1)
        ]
    return items


def _getter(source: str) -> Callable[[Any], Any]:
    if source == FILE:
        return lambda item: None
    if source == ".":
        return lambda item: item
    get = attrgetter(source)
    if "." not in source:
        return get

    def safe(item: Any) -> Any:
        try:
            return get(item)
        except AttributeError:  # a table the record does not have (an unknown `city`)
            return None

    return safe


def _values(sources: Sequence[str]) -> Callable[[Any], tuple[Any, ...]]:
    """An item's raw values from `sources`: one attrgetter when they are all attributes."""
    if sources and all(s not in (FILE, ".") and "." not in s for s in sources):
        get = attrgetter(*sources)
        return get if len(sources) > 1 else lambda item: (get(item),)
    getters = tuple(_getter(s) for s in sources)
    return lambda item: tuple(g(item) for g in getters)


@cache
def _row_makers() -> dict[str, _RowMaker]:
    makers: dict[str, _RowMaker] = {}
    for each in tables():
        if each.name == "problems":
            continue
        values = [c for c in each.columns if c.source is not None]
        converters = [(i, conv) for i, c in enumerate(values) if (conv := _converter(c))]
        file_at = next((i for i, c in enumerate(values) if c.source == FILE), None)
        sources = [c.source or "." for c in values]
        makers[each.name] = _RowMaker(each.path, _values(sources), tuple(converters), file_at)
    return makers


def record_rows(record: Record, file: str) -> dict[str, list[Row]]:
    """The rows of a record in each table (`problems` aside), without the record's key:
    its places, then its values (`file`: the `file` column of `records`)."""
    return {name: maker.rows(record, file) for name, maker in _row_makers().items()}
