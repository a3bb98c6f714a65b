"""ucap_cli/record/model.py: `ValidRecord` (the contract) and `Record` (as far as it could be
read), validated directly: each rule's error carries its problem code, the lenient context
keeps readable values, the configuration's kinds and themes, and the helpers views use."""

from __future__ import annotations

import datetime as dt
import typing
from typing import Any

import pytest
from conftest import VALID_RECORD, edited
from pydantic import BaseModel, ValidationError

from ucap_cli.record.dates import PartialDate
from ucap_cli.record.model import (
    FREE_FORM,
    LENIENT,
    Activity,
    City,
    Period,
    Record,
    ValidRecord,
)
from ucap_cli.toml.parser import loads

DATA: dict[str, Any] = loads(VALID_RECORD)


def errors(data: dict[str, Any], context: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """(type, location, context's message or index) of each error validating `data`."""
    with pytest.raises(ValidationError) as caught:
        ValidRecord.model_validate(data, context=context)
    return [
        (e["type"], e["loc"], (e.get("ctx") or {}).get("index"))
        for e in caught.value.errors(include_url=False)
    ]


def changed(text: str, *changes: tuple[str, str]) -> dict[str, Any]:
    return loads(edited(text, *changes))


def test_the_valid_record_validates_with_every_table() -> None:
    record = ValidRecord.model_validate(DATA)
    assert (record.id, record.schema_version, record.programme) == ("demo", 1, "IUC")
    assert record.period == Period(start=PartialDate(2017, 3), end=PartialDate(2018, 11))
    assert record.city.name == "Lyon" and record.city.population == 513000
    assert [p.name for p in record.partners] == ["Graz"]
    assert record.activities[0].agreements[0].count == 1  # the default
    assert record.activities[0].status == "done"  # the default
    assert record.expected_results[0].status == "planned"  # the default
    assert record.extra == {"anything": {"goes": [1, "here"]}}  # never validated


@pytest.mark.parametrize(
    ("old", "new", "code", "location", "index"),
    [
        ('contact = "team@example.org"', 'contact = "team"', "E113", ("contact",), None),
        ('id = "demo"', 'id = "Demo"', "E108", ("id",), None),
        ('country = "AT"', 'country = "Austira"', "E109", ("partners", 0, "country"), None),
        ('"Urban Mobility"', '"Urban Mobilty"', "E111", ("urban_agenda", 0), None),
        ('kind = "visit"', 'kind = "vist"', "E112", ("activities", 0, "kind"), None),
        ('kind = "mou"', 'kind = "moo"', "E112", ("activities", 0, "agreements", 0, "kind"), None),
        ('end = "2018-11"', 'end = "2016-11"', "E106", ("period",), None),
        ('start = "2017-03"', 'start = "2017-13"', "E105", ("period", "start"), None),
        ('"Logistics"]', '"mobility"]', "E107", ("themes",), 1),
        ("sdgs = [9, 11]", "sdgs = [9, 9]", "E107", ("sdgs",), 1),
    ],
)
def test_each_rule_fails_with_its_problem_code(
    old: str, new: str, code: str, location: tuple[Any, ...], index: int | None
) -> None:
    assert errors(changed(VALID_RECORD, (old, new))) == [(code, location, index)]


def test_the_message_of_a_rule_keeps_braces_and_suggests() -> None:
    data = changed(VALID_RECORD, ('country = "AT"', 'country = "{Austira}"'))
    with pytest.raises(ValidationError) as caught:
        ValidRecord.model_validate(data)
    [error] = caught.value.errors(include_url=False)
    assert error["ctx"]["message"] == (
        "unknown country '{Austira}': expected an ISO 3166-1 name or code (did you mean 'Austria'?)"
    )


def test_an_end_before_the_start_names_the_end() -> None:
    data = changed(VALID_RECORD, ('date = "2017-06"', 'date = "2017-06"\nend = "2017-05"'))
    with pytest.raises(ValidationError) as caught:
        ValidRecord.model_validate(data)
    [error] = caught.value.errors(include_url=False)
    assert (error["type"], error["loc"], error["ctx"]["field"]) == (
        "E106",
        ("activities", 0),
        "end",
    )
    assert error["ctx"]["message"] == "2017-05 is before the activity's date 2017-06"


def test_types_are_strict_no_value_is_coerced() -> None:
    data = changed(VALID_RECORD, ("population = 513000", 'population = "513000"'))
    assert errors(data) == [("int_type", ("city", "population"), None)]
    data = changed(VALID_RECORD, ("sdgs = [9, 11]", "sdgs = [9, true]"))
    assert errors(data) == [("int_type", ("sdgs", 1), None)]


def test_the_record_keys_it_requires() -> None:
    missing = [(t, loc) for t, loc, _ in errors({"schema_version": 1, "id": "x"})]
    assert missing == [
        ("missing", ("period",)),
        ("missing", ("themes",)),
        ("missing", ("city",)),
        ("missing", ("partners",)),
    ]
    assert [t for t, *_ in errors({**DATA, "schema_version": 2})] == ["literal_error"]
    assert [t for t, *_ in errors({**DATA, "partners": []})] == ["too_short"]


def test_configured_kinds_and_themes_come_from_the_context() -> None:
    data = changed(VALID_RECORD, ('kind = "visit"', 'kind = "study-tour"'))
    assert [t for t, *_ in errors(data)] == ["E112"]
    context = {"activity_kinds": ("study-tour",)}
    assert ValidRecord.model_validate(data, context=context).activities[0].kind == "study-tour"
    assert errors(DATA, {"themes": ("Mobility",)}) == [("E114", ("themes",), 1)]
    themes = {"themes": ("mobility", "LOGISTICS")}  # compared as typed by people
    assert ValidRecord.model_validate(DATA, context=themes).themes == ["Mobility", "Logistics"]


def test_a_lenient_record_keeps_readable_values_as_written() -> None:
    data = changed(
        VALID_RECORD,
        ('country = "AT"', 'country = "Atlantis"'),
        ('"Urban Mobility"', '"Urban Mobilty"'),
        ('kind = "visit"', 'kind = "vist"\nstatus = "maybe"'),
        ('end = "2018-11"', 'end = "2016-11"'),
    )
    with pytest.raises(ValidationError):
        Record.model_validate(data)  # the rules of meaning hold without the lenient flag
    record = Record.model_validate(data, context={LENIENT: True})
    assert record.partners[0].country == "Atlantis"
    assert record.urban_agenda == ["Urban Mobilty"]
    assert (record.activities[0].kind, record.activities[0].status) == ("vist", "maybe")
    assert record.period is not None and str(record.period.end) == "2016-11"


def test_a_record_may_lack_what_a_valid_record_needs() -> None:
    record = Record.model_validate({})
    assert (record.id, record.schema_version, record.period, record.city) == ("", 1, None, None)
    assert (record.partners, record.activities, record.themes) == ([], [], [])
    assert record.display_title == "? – "  # noqa: RUF001 - the en dash ucap prints
    assert record.cities() == ()


def test_display_title_and_cities() -> None:
    record = ValidRecord.model_validate(DATA)
    assert record.display_title == "Lyon – Graz"  # noqa: RUF001 - its title
    untitled = ValidRecord.model_validate(
        {**DATA, "title": None, "partners": [*DATA["partners"], {"name": "Bonn", "country": "DE"}]}
    )
    assert untitled.display_title == "Lyon – Graz, Bonn"  # noqa: RUF001
    assert [c.name for c in untitled.cities()] == ["Lyon", "Graz", "Bonn"]
    assert untitled.partners[0].names() == ("Graz", "GRZ")
    assert untitled.partners[1].names() == ("Bonn",)


def test_dates_read_strings_and_toml_dates_and_write_iso_text() -> None:
    activity = Activity.model_validate(
        {"date": dt.date(2017, 6, 15), "end": "2017-07", "kind": "visit", "title": "x"}
    )
    assert activity.date == PartialDate(2017, 6, 15)
    assert activity.interval_end == PartialDate(2017, 7)
    assert activity.model_dump(mode="json")["date"] == "2017-06-15"
    assert activity.model_dump(mode="json")["end"] == "2017-07"
    one_day = Activity.model_validate({"date": "2017", "kind": "visit", "title": "x"})
    assert one_day.interval_end == PartialDate(2017)


def test_a_title_is_one_line() -> None:
    with pytest.raises(ValidationError) as caught:
        Activity.model_validate({"date": "2017", "kind": "visit", "title": "a\nb"})
    assert caught.value.errors(include_url=False)[0]["type"] == "E104"


def test_records_are_frozen() -> None:
    city = City.model_validate({"name": "Lyon", "country": "FR"})
    with pytest.raises(ValidationError):
        city.name = "Graz"  # type: ignore[misc]


def _unvalidated(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The key paths of `model` whose values may be anything (typed `Any`)."""
    found: list[tuple[str, ...]] = []
    for name, info in model.model_fields.items():
        stack: list[Any] = [info.annotation]
        while stack:
            annotation = stack.pop()
            if annotation is Any:
                found.append((*prefix, name))
                break
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                found += _unvalidated(annotation, (*prefix, name))
            else:
                stack.extend(typing.get_args(annotation))
    return found


def test_free_form_names_every_place_a_valid_record_can_nest_deep() -> None:
    """The loader checks the depth limit only under FREE_FORM in a valid record: everything
    else of the model must have a fixed shape."""
    assert _unvalidated(ValidRecord) == [(key,) for key in FREE_FORM]
