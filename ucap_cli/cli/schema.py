"""`ucap schema`: the JSON Schema of a record, for editors and other validators."""

from __future__ import annotations


def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of a record.

    Point your editor at it: put `#:schema ./ucap.schema.json` on the first line of a record
    (taplo / Even Better TOML) after `ucap schema > ucap.schema.json`.
    """
    from ucap_cli.cli.output import write
    from ucap_cli.record.schema import record_schema_json

    write(record_schema_json())
