"""ucap_cli/check/findings.py: problems by key path (`Finding`), where they point in the file,
and how each pydantic error of a record becomes a problem code with a plain message."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import VALID_RECORD, edited
from pydantic import ValidationError

from ucap_cli.check.findings import Finding, describe_validation_error, dotted, inner_model
from ucap_cli.record.model import Agreement, City, Record, ValidRecord
from ucap_cli.toml.locate import KeyPath, Position, build_source_map
from ucap_cli.toml.parser import loads


def described(data: dict[str, Any]) -> list[tuple[str, KeyPath, str, str, str | None]]:
    """(code, path, part, message, hint) of each finding about `data` as a ValidRecord."""
    with pytest.raises(ValidationError) as caught:
        ValidRecord.model_validate(data)
    return [
        (f.code, f.path, f.part, f.message, f.hint)
        for f in describe_validation_error(caught.value, data)
    ]


def of(*changes: tuple[str, str]) -> dict[str, Any]:
    return loads(edited(VALID_RECORD, *changes))


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), "the record"),
        (("id",), "id"),
        (("activities", 0, "kind"), "activities[1].kind"),
        (("activities", 2, "agreements", 0), "activities[3].agreements[1]"),
        (("sdgs", 1), "sdgs[2]"),
    ],
)
def test_dotted_paths_count_entries_from_one(path: KeyPath, text: str) -> None:
    assert dotted(path) == text


def test_a_finding_points_at_its_key_its_value_or_its_table() -> None:
    source = build_source_map(VALID_RECORD)
    kind = ("activities", 0, "kind")
    assert Finding("E112", "", kind, "key").position(source) == Position(27, 1)
    assert Finding("E112", "", kind, "value").position(source) == Position(27, 8)
    assert Finding("E101", "", ("period",), "table").position(source) == Position(10, 1)
    # A path the file does not have: its nearest ancestor that it has.
    assert Finding("E101", "", ("period", "middle"), "value").position(source) == Position(10, 1)


def test_a_custom_error_keeps_its_code_and_names_its_entry() -> None:
    assert described(of(('"Logistics"]', '"mobility"]'))) == [
        ("E107", ("themes", 1), "value", "themes[2]: duplicate theme 'mobility'", None)
    ]
    [(code, path, _, message, hint)] = described(of(('start = "2017-03"', 'start = "Mar"')))
    assert (code, path, hint) == (
        "E105",
        ("period", "start"),
        'write "2017", "2017-06" or 2017-06-15',
    )
    assert message.startswith("period.start: ")
    [(code, path, *_)] = described(of(('end = "2018-11"', 'end = "2016"')))
    assert (code, path) == ("E106", ("period", "end"))


def test_a_missing_key_points_at_its_table() -> None:
    assert described(of(('country = "France"\n', ""))) == [
        (
            "E101",
            ("city",),
            "table",
            "missing required key 'country' in [city]",
            "add `country = ...` to [city]",
        )
    ]
    [(code, path, part, message, _)] = described(of(("schema_version = 1\n", "")))
    assert (code, path, part, message) == (
        "E003",
        (),
        "table",
        "missing required key 'schema_version' in the top level",
    )


def test_an_unknown_key_suggests_the_key_meant_and_where_custom_fields_go() -> None:
    assert described(of(("sdgs = [9, 11]", "sdg = [9, 11]"))) == [
        (
            "E102",
            ("sdg",),
            "key",
            "unknown key 'sdg' in the top level (did you mean 'sdgs'?)",
            "rename 'sdg' to 'sdgs'",
        )
    ]
    [top] = described(of(("sdgs = [9, 11]", "sdgs = [9, 11]\nbudget = 5")))
    assert top[3:] == (
        "unknown key 'budget' in the top level",
        "custom fields belong in the [extra] table",
    )
    [nested] = described(of(('short = "GRZ"', 'short = "GRZ"\nbudget = 5')))
    assert nested[1:] == (
        ("partners", 0, "budget"),
        "key",
        "unknown key 'budget' in [partners[1]]",
        "custom fields belong in the record's top-level [extra] table, not in [partners[1]]",
    )


@pytest.mark.parametrize(
    ("old", "new", "code", "message"),
    [
        (
            "population = 513000",
            'population = "big"',
            "E103",
            "city.population must be an integer, got a string",
        ),
        ("sdgs = [9, 11]", "sdgs = [9, 1.5]", "E103", "sdgs[2] must be an integer, got a number"),
        (
            "sdgs = [9, 11]",
            'sdgs = [9, 11]\nchallenges = "many"',
            "E103",
            "challenges must be an array, got a string",
        ),
        (
            "population = 513000",
            "population = [1]",
            "E103",
            "city.population must be an integer, got an array",
        ),
        (
            "sdgs = [9, 11]",
            "sdgs = [9, 18]",
            "E110",
            "sdgs[2]: SDG must be a number from 1 to 17, got 18",
        ),
        (
            "population = 513000",
            "population = 0",
            "E104",
            "city.population must be greater than 0, got 0",
        ),
        (
            'themes = ["Mobility", "Logistics"]',
            "themes = []",
            "E104",
            "themes must have at least 1 entry",
        ),
        ('name = "Graz"', 'name = ""', "E104", "partners[1].name must not be empty"),
        ("schema_version = 1", "schema_version = 2", "E003", "schema_version must be 1, got 2"),
        ("schema_version = 1", 'schema_version = "1"', "E003", "schema_version must be 1, got '1'"),
    ],
)
def test_each_kind_of_pydantic_error_gets_its_code_and_message(
    old: str, new: str, code: str, message: str
) -> None:
    [(found, _, _, text, _)] = described(of((old, new)))
    assert (found, text) == (code, message)


def test_descriptions_are_lazy() -> None:
    data = loads(VALID_RECORD)
    data["extra"] = 1
    data.update({f"k{n}": n for n in range(1000)})
    with pytest.raises(ValidationError) as caught:
        ValidRecord.model_validate(data)
    findings = describe_validation_error(caught.value, data)
    assert next(findings).code == "E103"  # the first, without describing the thousand others
    assert sum(1 for _ in findings) == 1000


def test_inner_model_finds_the_table_in_an_annotation() -> None:
    fields = Record.model_fields
    assert inner_model(fields["city"].annotation) is City  # City | None
    assert inner_model(fields["partners"].annotation) is City  # list[City]
    assert inner_model(fields["themes"].annotation) is None
    activity = inner_model(fields["activities"].annotation)
    assert activity is not None
    assert inner_model(activity.model_fields["agreements"].annotation) is Agreement
