"""The record model is the one source of field lists: every field reaches every list.

fmt's key order, `--fields`, the JSON of records and activities, the timeline's CSV columns
and the JSON Schema each derive from the model; these tests fail when a field of the model is
missing from any of them (and so when someone hard-codes a list again).
"""

from __future__ import annotations

import json

import pytest
from conftest import REPO, Run

from ucap_cli.record.fields import activity_fields, key_order, parse_fields, record_fields
from ucap_cli.record.model import Activity, ValidRecord
from ucap_cli.record.schema import record_schema
from ucap_cli.render.timeline import csv_columns

RECORDS = str(REPO / "records")


def test_the_key_order_is_the_models() -> None:
    assert key_order()[()] == tuple(ValidRecord.model_fields)
    assert key_order()[("activities",)] == tuple(Activity.model_fields)
    assert record_fields() == tuple(ValidRecord.model_fields)
    assert activity_fields() == tuple(Activity.model_fields)


@pytest.mark.parametrize("name", list(ValidRecord.model_fields))
def test_every_record_field_can_be_chosen_and_is_in_the_schema(name: str) -> None:
    assert parse_fields(name) == (name,)
    assert name in record_schema()["properties"]


def test_every_activity_field_is_in_the_json_and_the_csv_of_the_timeline(run: Run) -> None:
    data = json.loads(run("timeline", "--records", RECORDS, "-f", "json").stdout)
    for entry in data["activities"]:
        assert list(entry) == ["record", "lead_city", *Activity.model_fields]
    header = run("timeline", "--records", RECORDS, "-f", "csv").stdout.splitlines()[0]
    assert header.split(",") == list(csv_columns())
    assert csv_columns() == ("record", "lead_city", *Activity.model_fields, "problem")


def test_every_activity_field_is_in_the_schema() -> None:
    schema = record_schema()
    activity = schema["$defs"]["Activity"]["properties"]
    assert list(activity) == list(Activity.model_fields)
