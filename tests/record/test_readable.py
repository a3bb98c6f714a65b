"""ucap_cli/record/readable.py: a record with errors read as far as it can be; what cannot be
read is left out (the smallest value that fails), never guessed."""

from __future__ import annotations

import copy
from typing import Any

from conftest import VALID_RECORD, edited

from ucap_cli.record.dates import PartialDate
from ucap_cli.record.model import ValidRecord
from ucap_cli.record.readable import readable_record
from ucap_cli.toml.parser import loads


def data_of(*changes: tuple[str, str]) -> dict[str, Any]:
    return loads(edited(VALID_RECORD, *changes))


def test_a_valid_record_is_read_whole() -> None:
    record = readable_record(loads(VALID_RECORD), {})
    assert record is not None
    assert record.model_dump() == ValidRecord.model_validate(loads(VALID_RECORD)).model_dump()


def test_an_activity_without_a_readable_date_is_left_out_the_others_stay() -> None:
    data = loads(VALID_RECORD + '[[activities]]\ndate = "June"\nkind = "visit"\ntitle = "Bad"\n')
    assert [a["title"] for a in data["activities"]] == ["Graz delegation visits Lyon", "Bad"]
    record = readable_record(data, {})
    assert record is not None
    assert [a.title for a in record.activities] == ["Graz delegation visits Lyon"]


def test_a_partner_without_its_country_is_left_out() -> None:
    record = readable_record(data_of(('country = "AT"\n', "")), {})
    assert record is not None
    assert (record.partners, record.city is not None) == ([], True)


def test_unreadable_values_of_a_table_are_left_out_not_the_table() -> None:
    record = readable_record(
        data_of(("population = 513000", 'population = "many"'), ('end = "2018-11"', "end = 5")),
        {},
    )
    assert record is not None and record.city is not None and record.period is not None
    assert (record.city.name, record.city.population) == ("Lyon", None)
    assert (record.period.start, record.period.end) == (PartialDate(2017, 3), None)


def test_unknown_keys_are_left_out_and_wrong_values_kept_as_written() -> None:
    record = readable_record(
        data_of(("sdgs = [9, 11]", "sdg = 1\nsdgs = [9, 11]"), ('"France"', '"Frnace"')), {}
    )
    assert record is not None and record.city is not None
    assert (record.sdgs, record.city.country) == ([9, 11], "Frnace")


def test_a_missing_table_is_unknown_and_the_data_is_not_changed() -> None:
    data = data_of(('[period]\nstart = "2017-03"\nend = "2018-11"\n', ""))
    data["city"] = "Lyon"  # a string where a table belongs
    before = copy.deepcopy(data)
    record = readable_record(data, {})
    assert record is not None
    assert (record.period, record.city, record.id) == (None, None, "demo")
    assert data == before


def test_the_context_is_kept() -> None:
    data = data_of(('kind = "visit"', 'kind = "study-tour"'))
    record = readable_record(data, {"activity_kinds": ("study-tour",)})
    assert record is not None and record.activities[0].kind == "study-tour"
