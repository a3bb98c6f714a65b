"""`ucap add activity|result|partner`: only the new table is added, byte for byte."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, VALID_RECORD, Run, edited, write_record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from record_strategies import DATES, RECORDS, Commented, places

from ucap_cli.authoring.edit import append_entry
from ucap_cli.errors import WriteError
from ucap_cli.toml.layout import format_text, render
from ucap_cli.toml.parser import loads

# The arrays of tables `ucap add` appends to, by the name of its command.
TABLES = {"activity": "activities", "result": "expected_results", "partner": "partners"}

# Comments everywhere, odd spacing, a literal string, a multi-line string holding a fake
# header, a sub-table of the last activity, and a comment block above the next table.
ODD = """\
# A record kept by hand.   Odd spacing is deliberate.
schema_version   =  1
id = 'demo'      # literal string
themes = [ "Mobility",
    "Logistics" ]  # two themes

[period]
  start = "2017-03"   # month only
  end = "2018-11"

[city]
name = "Lyon"
country = "France"
[[partners]]
name   = "Graz"   # the partner
country = "AT"

[[activities]]
date = "2017-06"
kind = "visit"
title = "Graz delegation visits Lyon"
summary = \"\"\"
[[expected_results]]
not a header: inside a string
\"\"\"
cities = ["Lyon", "Graz"]
  [[activities.agreements]]
  kind = "mou"   # signed
  parties = ["Lyon", "Graz"]


# About the results below.
[[expected_results]]
text = "A joint e-bus pilot"
"""


def inserted(before: str, after: str, anchor: str, block: str) -> bool:
    """True when `after` is `before` with `block` inserted right after `anchor` (unique)."""
    assert before.count(anchor) == 1, anchor
    return after == before.replace(anchor, anchor + block)


def test_activity_is_inserted_after_the_last_activity_and_nothing_else_changes(run: Run) -> None:
    text = ODD
    path = write_record(Path("records"), "demo", text)
    result = run(
        "add", "activity", "demo", "--date", "2018-11-05", "--kind", "workshop",
        "--title", 'E-bus "pilot" workshop', "--city", "Lyon", "--city", "Graz",
        "--org", "Yutong Bus", "--output", "A proposal", "--summary", "Two days.",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == "records/demo.toml: added a [[activities]] table\n"
    after = path.read_text(encoding="utf-8")
    assert inserted(text, after, '  parties = ["Lyon", "Graz"]\n', (
        "\n"
        "[[activities]]\n"
        'date = "2018-11-05"\n'
        'kind = "workshop"\n'
        'title = "E-bus \\"pilot\\" workshop"\n'
        'cities = ["Lyon", "Graz"]\n'
        'organisations = ["Yutong Bus"]\n'
        'summary = "Two days."\n'
        'outputs = ["A proposal"]\n'
    ))  # fmt: skip
    data = loads(after)
    assert [a["title"] for a in data["activities"]] == [
        "Graz delegation visits Lyon",
        'E-bus "pilot" workshop',
    ]
    assert data["activities"][0]["agreements"][0]["parties"] == ["Lyon", "Graz"]
    assert not [p.name for p in Path("records").iterdir() if p.name.startswith(".")]


def test_crlf_and_bom_are_kept(run: Run) -> None:
    text = "\ufeff" + VALID_RECORD.replace("\n", "\r\n")
    path = write_record(Path("records"), "demo", text)
    result = run("add", "result", "demo", "--text", "Less traffic", "--status", "achieved")
    assert result.exit_code == 0, result.output
    after = path.read_bytes().decode("utf-8")
    block = '\r\n[[expected_results]]\r\ntext = "Less traffic"\r\nstatus = "achieved"\r\n'
    assert inserted(text, after, 'theme = "Mobility"\r\n', block)


def test_first_activity_goes_before_the_comment_block_of_the_next_table(run: Run) -> None:
    text = ODD.split("[[activities]]")[0] + "# About the results below.\n[[expected_results]]\n"
    text += 'text = "A pilot"\n'
    path = write_record(Path("records"), "demo", text)
    result = run("add", "activity", "demo", "--date", "2018", "--kind", "visit", "--title", "T")
    assert result.exit_code == 0, result.output
    block = '\n[[activities]]\ndate = "2018"\nkind = "visit"\ntitle = "T"\n'
    assert inserted(text, path.read_text(encoding="utf-8"), 'country = "AT"\n', block)


def test_partner_goes_after_the_last_partner(run: Run) -> None:
    path = write_record(Path("records"), "demo", ODD)
    result = run(
        "add", "partner", "demo", "--name", "Málaga", "--country", "ES",
        "--region", "Andalucía", "--population", "570000", "--area-km2", "395",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    block = (
        '\n[[partners]]\nname = "Málaga"\nregion = "Andalucía"\ncountry = "ES"\n'
        "population = 570000\narea_km2 = 395\n"
    )
    assert inserted(ODD, path.read_text(encoding="utf-8"), 'country = "AT"\n', block)


def test_an_invalid_activity_is_refused_and_nothing_is_written(run: Run) -> None:
    path = write_record(Path("records"), "demo", VALID_RECORD)
    before = path.read_bytes()
    result = run(
        "add", "activity", "demo", "--date", "June 2018", "--kind", "wrokshop", "--title", "T"
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "ucap: error: not written: records/demo.toml would have 2 errors\n"
    )
    assert "  error E105 activities[2].date: " in result.stderr
    assert "(did you mean 'workshop'?)" in result.stderr
    assert path.read_bytes() == before
    assert sorted(p.name for p in Path("records").iterdir()) == ["demo.toml"]


def test_warnings_are_shown_and_the_activity_written(run: Run) -> None:
    path = write_record(Path("records"), "demo", VALID_RECORD)
    result = run(
        "add", "activity", str(path), "--date", "2019-02", "--kind", "visit", "--title", "Late"
    )
    assert result.exit_code == 0
    assert "warning W302 activities[2].date 2019-02 is outside the record's period" in (
        result.stderr
    )
    assert loads(path.read_text(encoding="utf-8"))["activities"][1]["title"] == "Late"


def test_unknown_record_and_missing_options_are_usage_errors(run: Run) -> None:
    write_record(Path("records"), "demo", VALID_RECORD)
    result = run("add", "activity", "nope", "--date", "2018", "--kind", "visit", "--title", "T")
    assert result.exit_code == 2
    assert "ucap: error: no record with id 'nope' in records" in result.stderr
    assert run("add", "activity", "demo", "--date", "2018").exit_code == 2


def test_a_record_with_errors_cannot_gain_entries(run: Run) -> None:
    path = write_record(Path("records"), "demo", ODD.replace("id = ", "notes_text = 1\nid = "))
    before = path.read_bytes()
    result = run("add", "result", "demo", "--text", "More")
    assert result.exit_code == 1
    assert "error E102 unknown key 'notes_text'" in result.stderr
    assert path.read_bytes() == before


def test_layouts_that_cannot_take_a_table_are_refused() -> None:
    inline = "schema_version = 1\nactivities = []\n"
    with pytest.raises(WriteError, match=r"written as `activities = \[...\]`"):
        append_entry(inline, "activities", {"date": "2018", "kind": "visit", "title": "T"})
    # A sub-table of the last activity written after another table: appending would adopt it.
    scattered = (
        '[[activities]]\ntitle = "A"\n\n[[expected_results]]\ntext = "R"\n\n'
        '[[activities.agreements]]\nkind = "mou"\n'
    )
    with pytest.raises(WriteError, match="cannot add a \\[\\[activities\\]\\] table safely"):
        append_entry(scattered, "activities", {"title": "B"})
    with pytest.raises(WriteError, match="not valid TOML"):
        append_entry("a = [", "activities", {"title": "B"})


def test_append_to_a_file_without_final_newline() -> None:
    text = '[[partners]]\nname = "Graz"'
    assert append_entry(text, "partners", {"name": "Rome"}) == (
        '[[partners]]\nname = "Graz"\n\n[[partners]]\nname = "Rome"\n'
    )


# --------------------------------------------------------------------------- canonical additions

ZHENGZHOU = (REPO / "records" / "zhengzhou.toml").read_text(encoding="utf-8")


def test_an_activity_goes_to_its_date_and_fmt_check_passes_after_it(run: Run) -> None:
    path = write_record(Path("records"), "zhengzhou", ZHENGZHOU)
    result = run(
        "add", "activity", "zhengzhou", "--date", "2018-10", "--kind", "meeting",
        "--title", "Follow-up meeting", "--city", "Zhengzhou",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    after = path.read_text(encoding="utf-8")
    # After the September 2018 mission (and its last line), before the November meeting.
    anchor = ZHENGZHOU[: ZHENGZHOU.index('date = "2018-11"')].rsplit("[[activities]]", 1)[0]
    block = (
        '[[activities]]\ndate = "2018-10"\nkind = "meeting"\ntitle = "Follow-up meeting"\n'
        'cities = ["Zhengzhou"]\n\n'
    )
    assert after == anchor + block + ZHENGZHOU[len(anchor) :]
    dates = [a["date"] for a in loads(after)["activities"]]
    assert dates[-3:] == ["2018-09", "2018-10", "2018-11"]
    check = run("fmt", "--check")
    assert check.exit_code == 0, check.output


FORMATTED = format_text(VALID_RECORD)
ADDITIONS = {
    "first activity": ["activity", "--date", "2016", "--kind", "visit", "--title", "T"],
    "same month, month only": ["activity", "--date", "2017-06", "--kind", "visit", "--title", "T"],
    "between": ["activity", "--date", "2017-12-01", "--kind", "visit", "--title", "T"],
    "last activity": ["activity", "--date", "2018-11", "--kind", "visit", "--title", "T"],
    "result": ["result", "--text", "Less traffic", "--status", "achieved"],
    "partner": ["partner", "--name", "Rome", "--country", "Italy", "--population", "2800000"],
}


@pytest.mark.parametrize("record", ["zhengzhou", "valid"])
@pytest.mark.parametrize("addition", ADDITIONS)
def test_every_addition_to_a_formatted_record_leaves_it_formatted(
    run: Run, record: str, addition: str
) -> None:
    text = ZHENGZHOU if record == "zhengzhou" else FORMATTED
    path = write_record(Path("records"), "demo", text.replace('id = "zhengzhou"', 'id = "demo"'))
    assert run("fmt", "--check").exit_code == 0
    command, *options = ADDITIONS[addition]
    result = run("add", command, "demo", *options)
    assert result.exit_code == 0, result.output
    check = run("fmt", "--check")
    assert check.exit_code == 0, check.output + path.read_text(encoding="utf-8")


DAYS = edited(
    FORMATTED,
    (
        '[[activities]]\ndate = "2017-06"\n',
        '[[activities]]\ndate = "2017-06-15"\n',
    ),
    (
        "\n[[expected_results]]",
        "# Closes the workshop: minutes to come.\n\n# Above the July meeting.\n[[activities]]\n"
        'date = "2017-07"\nkind = "meeting"\ntitle = "July meeting"\n\n[[expected_results]]',
    ),
)


def test_a_month_goes_before_the_days_of_that_month_and_a_day_after_the_same_day(
    run: Run,
) -> None:
    path = write_record(Path("records"), "demo", DAYS)
    assert run("fmt", "--check").exit_code == 0
    add = ("add", "activity", "demo", "--kind", "visit", "--date")
    assert run(*add, "2017-06", "--title", "Month only").exit_code == 0
    assert run(*add, "2017-06-15", "--title", "Same day").exit_code == 0
    assert run(*add, "2017-07", "--title", "Same month as July").exit_code == 0
    after = path.read_text(encoding="utf-8")
    titles = [a["title"] for a in loads(after)["activities"]]
    assert titles == [
        "Month only", "Graz delegation visits Lyon", "Same day", "July meeting",
        "Same month as July",
    ]  # fmt: skip
    assert run("fmt", "--check").exit_code == 0
    # The comment closing the workshop stays under it (its agreement), the one above the
    # July meeting stays above it.
    assert '"Graz"]\n# Closes the workshop: minutes to come.\n\n[[activities]]\n' in after
    assert '"Same day"\n\n# Above the July meeting.\n[[activities]]\n' in after


def test_an_unreadable_date_in_the_file_puts_the_activity_last(run: Run) -> None:
    text = FORMATTED.replace('date = "2017-06"', 'date = "June 2017"')
    path = write_record(Path("records"), "demo", text)
    result = run("add", "activity", "demo", "--date", "2017", "--kind", "visit", "--title", "T")
    assert result.exit_code == 1  # the file's own date is an error: nothing written
    assert path.read_text(encoding="utf-8") == text
    assert append_entry(text, "activities", {"date": "2017", "title": "T"}).index(
        'date = "2017"'
    ) > text.index('date = "June 2017"')


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RECORDS, st.randoms(use_true_random=False), st.sampled_from(sorted(TABLES)), DATES)
def test_adding_to_a_formatted_commented_record_keeps_it_formatted(
    data: dict[str, Any], rng: random.Random, kind: str, date: Any
) -> None:
    text = format_text(Commented(rng).text(data))
    table = TABLES[kind]
    entry = {
        "activity": {"date": date, "kind": "visit", "title": "Added by the test"},
        "result": {"text": "Added by the test"},
        "partner": {"name": "Added by the test", "country": "Italy"},
    }[kind]
    if data.get(table) == []:  # written `table = []`: refused with a hint
        with pytest.raises(WriteError, match="written as"):
            append_entry(text, table, entry)
        return
    new = append_entry(text, table, entry)
    assert format_text(new) == new
    # Every comment of the file is still where it was (the new entry took an index).
    index = loads(new)[table].index(loads(render({table: [entry]}))[table][0])

    def before_adding(path: tuple[str | int, ...]) -> tuple[str | int, ...]:
        if path[:1] == (table,) and len(path) > 1 and int(path[1]) > index:
            return (table, int(path[1]) - 1, *path[2:])
        return path

    moved = {c: (before_adding(path), slot) for c, (path, slot) in places(new).items()}
    assert moved == places(text)
