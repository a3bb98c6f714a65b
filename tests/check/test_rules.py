"""ucap_cli/check/rules.py: the checks beyond the model (warnings W3xx, duplicate ids, TODO
marks), through the CLI and on records directly (`check_record`, `todo_marks`,
`duplicate_ids`)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from builders import valid_record
from conftest import VALID_RECORD, Run, edited, write_record

from ucap_cli.check.rules import IdOwner, check_record, duplicate_ids, todo_marks
from ucap_cli.record.model import ValidRecord
from ucap_cli.toml.locate import KeyPath, Position, SourceMap
from ucap_cli.toml.parser import loads


def report(run: Run, *args: str) -> tuple[int, list[tuple[int, int, str]], list[dict[str, Any]]]:
    """Exit status, (line, column, code) of each problem, and the problems of a JSON report."""
    result = run("validate", "--format", "json", *args)
    problems = json.loads(result.stdout)["problems"]
    return result.exit_code, [(p["line"], p["column"], p["code"]) for p in problems], problems


# --------------------------------------------------------------------------- W304 for results


def test_an_expected_result_theme_outside_the_records_themes_is_w304(
    run: Run, tmp_path: Path
) -> None:
    write_record(
        tmp_path, "demo", edited(VALID_RECORD, ('theme = "Mobility"', 'theme = "Logistic"'))
    )
    status, located, problems = report(run, "demo.toml")
    assert (status, located) == (0, [(38, 9, "W304")])
    assert problems[0]["message"] == (
        "expected_results[1].theme: 'Logistic' is not one of the record's themes "
        "(did you mean 'Logistics'?)"
    )
    # Themes compare as activity themes do, whatever their case.
    write_record(
        tmp_path, "demo", edited(VALID_RECORD, ('theme = "Mobility"', 'theme = "MOBILITY"'))
    )
    assert report(run, "demo.toml")[:2] == (0, [])


# --------------------------------------------------------------------------- check_record


def warnings_of(
    text: str, name: str = "demo.toml", on: dt.date = dt.date(2020, 1, 1)
) -> list[tuple[str, KeyPath, str]]:
    """(code, key path, message) of each finding of `check_record` about valid record text."""
    record = valid_record(text)
    return [(f.code, f.path, f.message) for f in check_record(record, Path(name), on)]


def test_a_valid_record_in_its_own_file_has_no_warnings() -> None:
    assert warnings_of(VALID_RECORD) == []


def test_w301_the_file_name_is_not_the_id() -> None:
    [(code, path, message)] = warnings_of(VALID_RECORD, "records/other.toml")
    assert (code, path) == ("W301", ("id",))
    assert message == "id 'demo' differs from the file name 'other.toml'"


def test_w302_an_activity_outside_the_period_and_an_ongoing_period() -> None:
    text = edited(VALID_RECORD, ('date = "2017-06"', 'date = "2019"'))
    assert warnings_of(text) == [
        (
            "W302",
            ("activities", 0, "date"),
            "activities[1].date 2019 is outside the record's period 2017-03 to 2018-11",
        )
    ]
    # A year-only date overlapping the period is inside it; an ongoing period reaches forever.
    assert warnings_of(edited(VALID_RECORD, ('date = "2017-06"', 'date = "2018"'))) == []
    ongoing = edited(VALID_RECORD, ('end = "2018-11"\n', ""), ('date = "2017-06"', 'date = "2019"'))
    assert warnings_of(ongoing) == []


def test_w303_a_city_neither_lead_nor_partner_matched_as_people_type_names() -> None:
    text = edited(VALID_RECORD, ('cities = ["Lyon", "GRZ"]', 'cities = ["LYON", "grz", "Gratz"]'))
    assert [(c, p) for c, p, _ in warnings_of(text)] == [("W303", ("activities", 0, "cities", 2))]


def test_w304_an_activity_theme_compared_case_insensitively() -> None:
    text = edited(VALID_RECORD, ('themes = ["Mobility"]\n', 'themes = ["MOBILITY", "Energy"]\n'))
    assert warnings_of(text) == [
        (
            "W304",
            ("activities", 0, "themes", 1),
            "activities[1].themes: 'Energy' is not one of the record's themes",
        )
    ]


@pytest.mark.parametrize(
    ("status", "date", "on", "code"),
    [
        ("done", "2017-06", dt.date(2017, 5, 31), "W305"),  # done, but after today
        ("done", "2017-06", dt.date(2017, 6, 1), None),  # its month has begun
        ("planned", "2017-06", dt.date(2018, 6, 30), None),  # within a year of its end
        ("planned", "2017-06", dt.date(2018, 7, 1), "W306"),  # still planned a year later
        ("cancelled", "2017-06", dt.date(2030, 1, 1), None),
    ],
)
def test_w305_and_w306_compare_an_activity_with_today(
    status: str, date: str, on: dt.date, code: str | None
) -> None:
    text = edited(
        VALID_RECORD,
        ('date = "2017-06"', f'date = "{date}"\nstatus = "{status}"'),
        ('end = "2018-11"', 'end = "2030"'),
    )
    assert [c for c, *_ in warnings_of(text, on=on)] == ([code] if code else [])


def test_w307_a_partner_in_no_activity_unless_there_are_no_activities() -> None:
    text = edited(VALID_RECORD, ('cities = ["Lyon", "GRZ"]', 'cities = ["Lyon"]'))
    assert warnings_of(text) == [
        ("W307", ("partners", 0, "name"), "partner 'Graz' takes part in no activity")
    ]
    data = loads(text)
    del data["activities"]
    assert check_record(ValidRecord.model_validate(data), Path("demo.toml")) == []


# --------------------------------------------------------------------------- todo marks


def test_todo_marks_are_real_comments_placed_where_they_are() -> None:
    text = 'a = "# TODO: check"\nb = 1  # TODO: check: the seed says 2\n# TODO:check\n'
    marks = todo_marks(text)
    assert [(m.code, m.position(SourceMap(text))) for m in marks] == [
        ("W309", Position(2, 8)),
        ("W309", Position(3, 1)),
    ]
    mark = "value marked '# TODO: check' by ucap import"
    assert marks[0].message == f"{mark} (the seed says 2): check it and remove the mark"
    assert marks[1].message == f"{mark}: check it and remove the mark"
    assert todo_marks("a = 1  # TODO: later\n") == []
    assert todo_marks(VALID_RECORD) == []


# --------------------------------------------------------------------------- duplicate ids


def test_duplicate_ids_name_the_other_files() -> None:
    owners = [
        IdOwner(Path("a.toml"), "records/a.toml", "x"),
        IdOwner(Path("b.toml"), "records/b.toml", "x"),
        IdOwner(Path("c.toml"), "records/c.toml", "x"),
        IdOwner(Path("d.toml"), "records/d.toml", "d"),
        IdOwner(Path("e.toml"), "records/e.toml", None),  # no id that could be read
        IdOwner(Path("f.toml"), "records/f.toml", None),
    ]
    found = duplicate_ids(owners)
    assert sorted(found) == [Path("a.toml"), Path("b.toml"), Path("c.toml")]
    [finding] = found[Path("b.toml")]
    assert (finding.code, finding.path, finding.message) == (
        "E201",
        ("id",),
        "id 'x' is also used by records/a.toml, records/c.toml",
    )
    assert duplicate_ids(owners[3:]) == {}
