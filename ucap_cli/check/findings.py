"""Findings: problems located by key path, before they are given a line and column.

Validation speaks in key paths (`activities[2].kind`); the source map turns a path into a
position only when a file has something to report.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ucap_cli.check.problems import CODES
from ucap_cli.record import vocab
from ucap_cli.toml.edit import Fix
from ucap_cli.toml.locate import KeyPath, Position, SourceMap

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

Part = Literal["key", "value", "table"]


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem at a key path: `part` says whether the key, its value or its table is at fault;
    `fix`, the one correction meant, when there is one (`ucap validate --fix` makes it)."""

    code: str
    message: str
    path: KeyPath
    part: Part = "value"
    hint: str | None = None
    fix: Fix | None = None

    def position(self, source: SourceMap) -> Position:
        """Where the finding points in the file, falling back to the nearest known ancestor."""
        found = {
            "key": source.key,
            "value": source.value,
            "table": source.table,
        }[self.part](self.path)
        return found or source.nearest(self.path)


def dotted(path: KeyPath) -> str:
    """`("activities", 2, "kind")` -> `activities[3].kind`: entries count from 1, as people do."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "the record"


def _table_name(path: KeyPath) -> str:
    return f"[{dotted(path)}]" if path else "the top level"


_TYPE_NAMES = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "list": "an array",
    "dict": "a table",
    "date": "a date",
    "datetime": "a date-time",
    "time": "a time",
}
_EXPECTED_BY_ERROR = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "an array",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
}


def _type_name(value: object) -> str:
    return _TYPE_NAMES.get(type(value).__name__, type(value).__name__)


def _model_at(path: KeyPath) -> type[BaseModel] | None:
    """The model class of the table at `path`, walking the Record's field annotations."""
    from ucap_cli.record.model import Record

    model: type[BaseModel] | None = Record
    for part in path:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return None
        model = inner_model(model.model_fields[part].annotation)
    return model


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


def _lookup(data: Any, path: KeyPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def describe_validation_error(error: ValidationError, data: dict[str, Any]) -> Iterator[Finding]:
    """Every pydantic error of a record as a finding with a problem code and a plain message.

    Lazy: a file with a million unknown keys has only its first problems described.
    """
    for item in error.errors(include_url=False):
        finding = _describe(item, data)
        if finding is not None:
            yield finding


def _describe(item: Any, data: dict[str, Any]) -> Finding | None:
    kind: str = item["type"]
    path: KeyPath = tuple(p for p in item["loc"] if isinstance(p, str | int))
    context: dict[str, Any] = item.get("ctx") or {}
    value = item.get("input")
    name = dotted(path)
    if kind in CODES:  # a custom error of the model: its type is the problem code
        if "index" in context:
            path = (*path, context["index"])
        if "field" in context:
            path = (*path, context["field"])
        hint = 'write "2017", "2017-06" or 2017-06-15' if kind == "E105" else None
        fix = None
        if isinstance(context.get("fix"), str):  # the one value meant (see the model's _fail)
            fix = Fix(path, "replace", context["fix"])
        elif kind == "E107":  # a duplicate: the later one goes
            fix = Fix(path, "remove")
        return Finding(kind, f"{dotted(path)}: {context['message']}", path, hint=hint, fix=fix)
    if kind == "missing":
        parent, key = path[:-1], path[-1]
        return Finding(
            "E003" if path == ("schema_version",) else "E101",
            f"missing required key {key!r} in {_table_name(parent)}",
            parent,
            "table",
            hint=f"add `{key} = ...` to {_table_name(parent)}",
        )
    if kind == "extra_forbidden":
        parent, key = path[:-1], str(path[-1])
        model = _model_at(parent)
        known = list(model.model_fields) if model else []
        table = _lookup(data, parent)
        free = [k for k in known if not (isinstance(table, dict) and k in table)]
        meant = vocab.single_candidate(key, free)  # never a name the table already has
        suggestion = meant or vocab.closest(key, known)
        where = _table_name(parent)
        if suggestion:
            hint = f"rename {key!r} to {suggestion!r}"
        elif parent:  # only the record has an [extra] table: not an activity, partner...
            hint = f"custom fields belong in the record's top-level [extra] table, not in {where}"
        else:
            hint = "custom fields belong in the [extra] table"
        return Finding(
            "E102",
            f"unknown key {key!r} in {where}{vocab.did_you_mean(suggestion)}",
            path,
            "key",
            hint=hint,
            fix=Fix(path, "rename", meant) if meant else None,
        )
    if path == ("schema_version",):
        return Finding("E003", f"schema_version must be 1, got {value!r}", path)
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", context.get("expected", ""))
        suggestion = vocab.closest(str(value), allowed)
        return Finding(
            "E112",
            f"{name}: must be one of {', '.join(allowed)}, got {value!r}"
            f"{vocab.did_you_mean(suggestion)}",
            path,
        )
    if kind in _EXPECTED_BY_ERROR:
        actual = _lookup(data, path)
        return Finding(
            "E103",
            f"{name} must be {_EXPECTED_BY_ERROR[kind]}, got {_type_name(actual)}",
            path,
        )
    if path[:1] == ("sdgs",) and kind in {"greater_than_equal", "less_than_equal"}:
        return Finding("E110", f"{name}: SDG must be a number from 1 to 17, got {value!r}", path)
    if kind == "too_short":
        if isinstance(value, str):
            return Finding("E104", f"{name} must not be empty", path)
        return Finding(
            "E104", f"{name} must have at least {context.get('min_length', 1)} entry", path
        )
    if kind == "string_too_short":
        return Finding("E104", f"{name} must not be empty", path)
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        bound = next(iter(context.values()), "")
        bound = f"{bound:g}" if isinstance(bound, float) else bound
        relation = {
            "greater_than": "greater than",
            "greater_than_equal": "at least",
            "less_than": "less than",
            "less_than_equal": "at most",
        }[kind]
        return Finding("E104", f"{name} must be {relation} {bound}, got {value!r}", path)
    return Finding("E103", f"{name}: {item['msg']}", path)
