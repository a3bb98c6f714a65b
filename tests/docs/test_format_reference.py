"""docs/record-format.md, the format reference, says what the record model does.

Its tables of keys are read and compared with the model (every key, in the model's order, and
whether it is required), and its example record is a valid record.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO, Run, write_record

from ucap_cli.record.fields import inner_model, key_order
from ucap_cli.record.model import ValidRecord

REFERENCE = REPO / "docs" / "record-format.md"
# Each table's heading in the reference, and the tables of the record it describes.
SECTIONS: dict[str, list[tuple[str, ...]]] = {
    "Top level": [()],
    "Period": [("period",)],
    "City": [("city",), ("partners",)],
    "Focus": [("focus",)],
    "Activity": [("activities",)],
    "Agreement": [("activities", "agreements")],
    "Expected result": [("expected_results",)],
    "Organisation": [("organisations",)],
}
_ROW = re.compile(r"^\| `([a-z_0-9]+)` \| ([^|]+) \| (yes|no) \| .*\|$")


def tables() -> dict[str, list[tuple[str, str, bool]]]:
    """Each `### heading` of the reference with the rows (key, type, required) of its table."""
    found: dict[str, list[tuple[str, str, bool]]] = {}
    heading = None
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            heading = line[4:].strip()
        elif heading and (row := _ROW.match(line)):
            found.setdefault(heading, []).append(
                (row.group(1), row.group(2).strip(), row.group(3) == "yes")
            )
    return found


def model_at(path: tuple[str, ...]) -> type:
    model: type = ValidRecord
    for name in path:
        inner = inner_model(model.model_fields[name].annotation)  # type: ignore[attr-defined]
        assert inner is not None, path
        model = inner
    return model


def test_every_table_of_the_record_has_a_section() -> None:
    described = {path for paths in SECTIONS.values() for path in paths}
    assert described == set(key_order())
    assert set(tables()) == set(SECTIONS)


@pytest.mark.parametrize("heading", list(SECTIONS))
def test_each_table_lists_every_key_of_the_model_in_its_order(heading: str) -> None:
    rows = tables()[heading]
    for path in SECTIONS[heading]:
        assert tuple(key for key, _, _ in rows) == key_order()[path], path
        fields = model_at(path).model_fields  # type: ignore[attr-defined]
        assert {key: required for key, _, required in rows} == {
            name: field.is_required() for name, field in fields.items()
        }, path


def test_types_name_what_the_model_takes() -> None:
    """A key whose table says "array" is a list in the model, and the other way round."""
    for heading, rows in tables().items():
        for path in SECTIONS[heading]:
            fields = model_at(path).model_fields  # type: ignore[attr-defined]
            for key, kind, _ in rows:
                annotation = str(fields[key].annotation)
                assert kind.startswith("array") == ("list[" in annotation), (path, key)


def test_the_example_record_is_valid_under_strict(run: Run) -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    example = text.split("## An example record", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    write_record(Path("records"), "lyon-graz", example)
    result = run("validate", "--strict", "records")
    assert result.exit_code == 0, result.output


def test_the_readme_points_to_the_reference() -> None:
    assert "docs/record-format.md" in (REPO / "README.md").read_text(encoding="utf-8")
