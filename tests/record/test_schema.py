"""`ucap schema`: a JSON Schema (draft 2020-12) that agrees with the model."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import REPO, VALID_RECORD, Run, write_record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ucap_cli.record import vocab


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    from typer.testing import CliRunner

    from ucap_cli.cli.app import app

    result = CliRunner().invoke(app, ["schema"], env={"NO_COLOR": "1"}, catch_exceptions=False)
    assert result.exit_code == 0
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def as_json(value: Any) -> Any:
    """TOML data as JSON data: dates and times become ISO strings."""
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    return value


def errors(schema: dict[str, Any], text: str) -> list[str]:
    """The JSON Schema validator's complaints about a TOML record text."""
    validator = jsonschema.Draft202012Validator(schema)
    document = as_json(tomllib.loads(text))
    return [error.message for error in validator.iter_errors(document)]


def test_is_a_draft_2020_12_json_schema(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object"
    assert schema["title"] == "U-CAP record"
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {
        "schema_version",
        "id",
        "period",
        "themes",
        "city",
        "partners",
    }


def test_has_descriptions_and_vocabulary_labels(schema: dict[str, Any]) -> None:
    properties = schema["properties"]
    assert "ucap validate" in schema["description"]
    sdg = properties["sdgs"]["items"]
    assert (sdg["minimum"], sdg["maximum"]) == (1, 17)
    assert "9 Industry, innovation and infrastructure" in sdg["description"]
    assert sdg["x-labels"]["17"] == "Partnerships for the goals"
    topics = properties["urban_agenda"]["items"]
    for topic in vocab.URBAN_AGENDA_TOPICS:
        assert topic in topics["description"]
    assert topics["examples"] == list(vocab.URBAN_AGENDA_TOPICS)
    assert properties["extra"]["description"] == "Free-form; never validated."
    city = schema["$defs"]["City"]
    assert city["description"] and city["properties"]["name"]["description"]
    assert set(city["required"]) == {"name", "country"}
    activity = schema["$defs"]["Activity"]
    assert activity["properties"]["kind"]["examples"] == list(vocab.ACTIVITY_KINDS)
    assert activity["properties"]["status"]["enum"] == list(vocab.ACTIVITY_STATUSES)
    assert schema["$defs"]["Agreement"]["properties"]["kind"]["enum"] == list(vocab.AGREEMENT_KINDS)


def test_accepts_the_bundled_records(schema: dict[str, Any]) -> None:
    records = sorted((REPO / "records").rglob("*.toml"))
    assert records
    for path in records:
        assert errors(schema, path.read_text(encoding="utf-8")) == [], path


def test_accepts_the_valid_record_with_toml_dates(schema: dict[str, Any]) -> None:
    assert errors(schema, VALID_RECORD) == []
    with_dates = VALID_RECORD.replace('date = "2017-06"', "date = 2017-06-15")
    assert errors(schema, with_dates) == []


BROKEN = [
    ("sdgs = [9, 11]", "sdg = [9, 11]", "E102", "Additional properties are not allowed"),
    ('country = "France"\n', "", "E101", "'country' is a required property"),
    # population is optional: `anyOf: [integer > 0, null]`.
    ("population = 513000", 'population = "many"', "E103", "is not valid under any of"),
    ("population = 513000", "population = 0", "E104", "is not valid under any of"),
    ("sdgs = [9, 11]", 'sdgs = ["9"]', "E103", "is not of type 'integer'"),
    ('start = "2017-03"', 'start = "March 2017"', "E105", "does not match"),
    ("sdgs = [9, 11]", "sdgs = [9, 18]", "E110", "18 is greater than the maximum of 17"),
    ('id = "demo"', 'id = "Demo"', "E108", "does not match"),
    ('status = "planned"', 'status = "Planned"', "E112", "is not one of"),
    ('kind = "mou"', 'kind = "moo"', "E112", "is not one of"),
    ("schema_version = 1", "schema_version = 2", "E003", "1 was expected"),
    ('themes = ["Mobility", "Logistics"]', "themes = []", "E104", "should be non-empty"),
    ('title = "Graz delegation visits Lyon"', 'title = ""', "E104", "should be non-empty"),
]


@pytest.mark.parametrize(("old", "new", "code", "complaint"), BROKEN, ids=[b[2] for b in BROKEN])
def test_rejects_what_validate_rejects(
    schema: dict[str, Any], run: Run, tmp_path: Path, old: str, new: str, code: str, complaint: str
) -> None:
    text = VALID_RECORD.replace('theme = "Mobility"', 'theme = "Mobility"\nstatus = "planned"')
    assert old in text
    text = text.replace(old, new, 1)
    found = errors(schema, text)
    assert any(complaint in message for message in found), found

    write_record(tmp_path, "demo", text)
    result = run("validate", "--format", "json", "demo.toml")
    assert result.exit_code == 1
    assert [p["code"] for p in json.loads(result.stdout)["problems"]] == [code]


OPTIONAL_LINES = [
    'title = "Lyon \u2013 Graz"\n',
    'programme = "IUC"\n',
    "sdgs = [9, 11]\n",
    'urban_agenda = ["Urban Mobility"]\n',
    'contact = "team@example.org"\n',
    'end = "2018-11"\n',
    'region = "Auvergne-Rhône-Alpes"\n',
    "population = 513000\n",
    'short = "GRZ"\n',
    'themes = ["Mobility"]\n',
    '\n[extra]\nanything = { goes = [1, "here"] }\n',
    '\n[[expected_results]]\ntext = "A joint e-bus pilot"\ntheme = "Mobility"\n',
    '\n[[activities.agreements]]\nkind = "mou"\nparties = ["Lyon", "Graz"]\n',
]


@pytest.mark.slow
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sets(st.sampled_from(OPTIONAL_LINES)))
def test_schema_and_model_agree_on_optional_keys(
    schema: dict[str, Any], run: Run, tmp_path: Path, dropped: set[str]
) -> None:
    text = VALID_RECORD
    for line in dropped:
        assert line in text
        text = text.replace(line, "", 1)
    assert errors(schema, text) == []
    write_record(tmp_path, "demo", text)
    result = run("validate", "--format", "json", "demo.toml")
    assert json.loads(result.stdout)["errors"] == 0
