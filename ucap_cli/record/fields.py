"""The record's field lists, all derived from the model: the one source of what a record holds.

`fmt`'s canonical key order, the keys `--fields` accepts, the columns of activity tables and
the JSON of activities come from here, so that a field added to the model reaches every one of
them (a test checks each against the model).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from ucap_cli.errors import UsageError
from ucap_cli.record import vocab

if TYPE_CHECKING:
    from pydantic import BaseModel

TablePath = tuple[str, ...]


def inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model class in a field's annotation (`City`, `list[City]`, `City | None`), if any."""
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = inner_model(arg)
            if found is not None:
                return found
    return None


@cache
def key_order() -> dict[TablePath, tuple[str, ...]]:
    """The keys of each table of a record in the format's order, by the table's path without
    array indices (`()` the top level, `("activities", "agreements")` an agreement)."""
    from ucap_cli.record.model import ValidRecord

    order: dict[TablePath, tuple[str, ...]] = {}

    def walk(model: type[BaseModel], path: TablePath) -> None:
        order[path] = tuple(model.model_fields)
        for name, field in model.model_fields.items():
            inner = inner_model(field.annotation)
            if inner is not None:
                walk(inner, (*path, name))

    walk(ValidRecord, ())
    return order


def record_fields() -> tuple[str, ...]:
    """The top-level keys of a record, in order."""
    return key_order()[()]


def activity_fields() -> tuple[str, ...]:
    """The keys of an activity, in order."""
    return key_order()[("activities",)]


def sub_fields() -> tuple[str, ...]:
    """The keys of the record's single tables that `--fields` can choose one by one
    (`period.start`, `city.name`...); `extra.KEY` is any key of the free-form table."""
    order = key_order()
    return tuple(f"{table}.{key}" for table in ("period", "city") for key in order[(table,)])


def parse_fields(text: str | None) -> tuple[str, ...]:
    """`a,b.c` -> the record keys to keep (empty: all): top-level keys, or a key of a table
    (`period.start`, `city.name`, `extra.anything`); unknown keys are a UsageError."""
    if text is None:
        return ()
    fields = tuple(dict.fromkeys(f.strip() for f in text.split(",") if f.strip()))
    top, sub = record_fields(), sub_fields()
    hint = f"fields: {', '.join(top)}; or a key of a table: {', '.join(sub)}, extra.KEY"
    if not fields:
        raise UsageError("--fields: no field given", hint=hint)
    for field in fields:
        key, dot, rest = field.partition(".")
        known = key in top and (not dot or (key == "extra" and rest) or field in sub)
        if not known:
            suggestion = vocab.did_you_mean(
                vocab.closest(field, sub if dot else top) or vocab.closest(field, (*top, *sub))
            )
            raise UsageError(f"--fields: unknown field {field!r}{suggestion}", hint=hint)
    return fields


def selected(data: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """The chosen keys of a record's data (all when none are chosen): `period` keeps the
    table, `period.start` only that key of it (as `{"period": {"start": ...}}`)."""
    if not fields:
        return data
    chosen: dict[str, Any] = {}
    for field in fields:
        key, _, sub = field.partition(".")
        if key not in data:
            continue
        value = data[key]
        if not sub or key in fields:  # the whole table was asked for
            chosen[key] = value
        elif isinstance(value, dict) and sub in value:
            part = chosen.setdefault(key, {})
            part[sub] = value[sub]
    return chosen
