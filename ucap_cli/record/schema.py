"""The JSON Schema of a record, derived from the model so the two cannot drift apart."""

from __future__ import annotations

import json
from typing import Any

from ucap_cli.record import vocab
from ucap_cli.record.model import ValidRecord

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def record_schema() -> dict[str, Any]:
    """The record's JSON Schema with `$schema`, titles, and SDG/topic labels."""
    schema = ValidRecord.model_json_schema(mode="validation")
    schema = {"$schema": DIALECT, **{k: v for k, v in schema.items() if k != "$schema"}}
    schema["description"] = (
        "A U-CAP record (format version 1). Some rules need the whole collection or today's "
        "date and are checked only by `ucap validate`: country names, city names in activities, "
        "topic aliases, duplicate ids."
    )
    properties = schema["properties"]
    properties["sdgs"]["items"]["description"] = "; ".join(
        f"{n} {name}" for n, name in vocab.SDGS.items()
    )
    properties["urban_agenda"]["items"]["description"] = (
        "An EU Urban Agenda topic (case-insensitive, aliases allowed): "
        + "; ".join(vocab.URBAN_AGENDA_TOPICS)
    )
    return schema


def record_schema_json() -> str:
    """The schema as indented JSON text."""
    return json.dumps(record_schema(), indent=2, ensure_ascii=False)
