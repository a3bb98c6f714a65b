"""The collection as tables (views/tables.py): one definition, derived from the record model.

Every field of the model reaches the export, as a column or a table of its own; types,
required values and enums come from the model and the vocabularies; the keys tie every child
table to its record (and activity). The writers' schemas and DDL are made from this one
definition (checked here against it, not against a second list).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, VALID_RECORD
from hypothesis import given
from hypothesis import strategies as st

from ucap_cli.check.loader import load_file
from ucap_cli.config import load_config
from ucap_cli.record import vocab
from ucap_cli.record.fields import key_order
from ucap_cli.record.model import Activity, ValidRecord
from ucap_cli.render.datapackage import table_schema
from ucap_cli.render.sqlite import create_table
from ucap_cli.store.collection import reduce_records
from ucap_cli.views.tables import CHILD_TABLES, json_list, json_text, record_rows, table, tables

# Columns that are not fields of the model: keys, and values derived from fields.
KEYS = {"id", "record_id", "activity", "position"}
DERIVED = {
    ("records", "file"),
    ("records", "city_country_code"),
    ("partners", "country_code"),
    ("sdgs", "name"),
}


def exported_fields() -> set[tuple[str, ...]]:
    """The paths of the model's fields that the export holds, as `key_order` names them."""
    found: set[tuple[str, ...]] = set()
    for each in tables():
        if each.name == "problems":
            continue
        path = tuple(each.path)
        if path:
            found.add(path)
        for column in each.columns:
            source = column.source
            if source is None or (each.name, column.name) in DERIVED:
                continue
            if source != ".":
                found.add((*path, *source.split(".")))
    found.add(("id",))  # the records' key
    return found


def model_fields() -> set[tuple[str, ...]]:
    """Every field of the model, by its path (a table's own path included)."""
    return {(*path, key) for path, keys in key_order().items() for key in keys}


def test_every_field_of_the_model_is_exported() -> None:
    exported = exported_fields()
    # A flattened table (period, city) is exported through its fields.
    flattened = {("period",), ("city",)}
    assert model_fields() - flattened == exported - flattened
    assert flattened <= {path for path in key_order() if path}


def test_activity_columns_follow_the_model() -> None:
    columns = table("activities").names
    fields = [f for f in Activity.model_fields if (("activities", f)) not in CHILD_TABLES]
    assert columns == ("record_id", "activity", *fields)
    assert table("agreements").names[:3] == ("record_id", "activity", "position")


def test_records_columns_follow_the_model_and_flatten_its_tables() -> None:
    columns = table("records").names
    assert columns[:3] == ("id", "file", "schema_version")
    assert "period_start" in columns and "period_end" in columns
    city = [c for c in columns if c.startswith("city_")]
    assert city == [
        "city_name",
        "city_short",
        "city_region",
        "city_country",
        "city_country_code",
        "city_population",
        "city_area_km2",
    ]
    lists = {name for name in ValidRecord.model_fields if (name,) in CHILD_TABLES}
    assert not lists & set(columns)


def test_types_and_constraints_come_from_the_model_and_the_vocabularies() -> None:
    activities = table("activities")
    assert activities.column("status").enum == vocab.ACTIVITY_STATUSES
    assert activities.column("status").required  # a default: always a value
    assert activities.column("kind").enum == vocab.ACTIVITY_KINDS
    assert activities.column("end").required is False
    assert activities.column("date").pattern == r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
    assert activities.column("outputs").type == "array"
    assert table("agreements").column("kind").enum == vocab.AGREEMENT_KINDS
    assert table("agreements").column("count").minimum == 1
    assert table("expected_results").column("status").enum == vocab.RESULT_STATUSES
    assert table("organisations").column("kind").enum == vocab.ORGANISATION_KINDS
    assert table("urban_agenda").column("topic").enum == vocab.URBAN_AGENDA_TOPICS
    sdg = table("sdgs").column("sdg")
    assert (sdg.type, sdg.minimum, sdg.maximum) == ("integer", 1, 17)
    records = table("records")
    assert records.column("city_population").minimum == 1
    assert records.column("city_area_km2").type == "number"
    assert records.column("extra").type == "object"
    assert records.column("schema_version").enum == (1,)
    assert records.column("period_start").required
    assert not records.column("period_end").required
    assert records.column("city_name").required and not records.column("city_short").required


def test_configured_activity_kinds_join_the_enum() -> None:
    kinds = table("activities", ("study-tour",)).column("kind").enum
    assert kinds == (*vocab.ACTIVITY_KINDS, "study-tour")


def test_every_child_table_refers_to_its_record_and_activity() -> None:
    for each in tables():
        if each.name == "records":
            assert each.primary_key == ("id",)
            continue
        if each.name == "problems":
            assert each.primary_key == ("file",)
            continue
        fks = {(fk.columns, fk.table, fk.references) for fk in each.foreign_keys}
        assert (("record_id",), "records", ("id",)) in fks
        if each.path[0] == "activities" and len(each.path) > 1:
            pair = ("record_id", "activity")
            assert (pair, "activities", pair) in fks
        assert each.primary_key[0] == "record_id"
        assert set(each.primary_key) <= KEYS
        for column in each.columns:
            assert column.name in KEYS or column.source is not None
            assert (column.source is None) == (column.name in each.primary_key)


def test_a_list_of_tables_without_a_table_of_its_own_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(CHILD_TABLES, ("focus",))
    tables.cache_clear()
    try:
        with pytest.raises(AssertionError, match="the list of tables focus has no table"):
            tables()
    finally:
        monkeypatch.undo()
        tables.cache_clear()
    assert table("focus").names == ("record_id", "position", "theme", "text")


def test_the_schemas_and_the_ddl_are_made_from_the_definition() -> None:
    for each in tables():
        schema = table_schema(each)
        assert [f["name"] for f in schema["fields"]] == list(each.names)
        assert schema["primaryKey"] == list(each.primary_key)
        required = {f["name"] for f in schema["fields"] if f.get("constraints", {}).get("required")}
        assert required == {c.name for c in each.columns if c.required}
        db = sqlite3.connect(":memory:")
        if each.foreign_keys:  # the tables referred to, for the DDL to name
            for other in tables():
                if other.name in {fk.table for fk in each.foreign_keys}:
                    db.execute(create_table(other))
        db.execute(create_table(each))
        columns = [r[1] for r in db.execute(f'PRAGMA table_info("{each.name}")')]
        assert columns == list(each.names)
        db.close()


def test_the_rows_of_the_bundled_record() -> None:
    path = REPO / "records" / "zhengzhou.toml"
    file = load_file(path, "zhengzhou.toml", {}, max_size=10**7, readable=True)
    assert file.record is not None
    rows = record_rows(file.record, "zhengzhou.toml")
    assert set(rows) == {t.name for t in tables()} - {"problems"}
    assert len(rows["activities"]) == 8
    count = table("agreements").names.index("count") - 1
    assert sum(int(row[count] or 0) for row in rows["agreements"]) == 8
    for name, found in rows.items():
        width = len(table(name).columns) - 1  # the record's key is added by the export
        assert all(len(row) == width for row in found), name
    (record,) = rows["records"]
    assert record[0] == "zhengzhou.toml"
    assert rows["sdgs"] == [(1, 9, "Industry, innovation and infrastructure")]
    assert [row[:2] for row in rows["activity_cities"][:2]] == [(1, 1), (1, 2)]


def test_a_record_with_errors_gives_rows_as_far_as_it_was_read(tmp_path: Path) -> None:
    path = tmp_path / "demo.toml"
    path.write_text(
        VALID_RECORD.replace('[city]\nname = "Lyon"', "[city]\nname = 5"), encoding="utf-8"
    )
    file = load_file(path, "demo.toml", {}, max_size=10**7, readable=True)
    assert not file.ok and file.record is not None and file.record.city is None
    (record,) = record_rows(file.record, "demo.toml")["records"]
    columns = table("records").names[1:]
    assert record[columns.index("city_name")] is None
    assert record[columns.index("city_country_code")] is None
    assert len(record_rows(file.record, "demo.toml")["activities"]) == 1


@given(st.lists(st.text(st.characters(exclude_categories=["Cs"]))))
def test_json_lists_are_json_text(values: list[str]) -> None:
    assert json_list(values) == json_text(values)
    assert json.loads(json_list(values)) == values
    assert "\n" not in json_list(values) and "\u2028" not in json_list(values)
    assert "\u202e" not in json_list(values) and "\x85" not in json_list(values)


def test_non_finite_numbers_in_extra_are_their_toml_words() -> None:
    from ucap_cli.views.tables import _finite

    assert json_text(_finite({"a": float("inf"), "b": [float("-inf"), float("nan")]})) == (
        '{"a": "inf", "b": ["-inf", "nan"]}'
    )


def test_each_product_is_given_as_it_comes_and_not_kept(tmp_path: Path) -> None:
    for n in range(3):
        (tmp_path / f"r{n}.toml").write_text(
            VALID_RECORD.replace('id = "demo"', f'id = "r{n}"'), encoding="utf-8"
        )
    seen: list[Any] = []
    found = reduce_records(
        load_config(tmp_path, records=tmp_path),
        record_id_of,
        each=lambda status, product: seen.append((status.path.name, product)),
    )
    assert seen == [("r0.toml", "r0"), ("r1.toml", "r1"), ("r2.toml", "r2")]
    assert found.items == []
    assert len(found.files) == 3


def record_id_of(file: Any) -> str | None:
    return file.record.id if file.record else None
