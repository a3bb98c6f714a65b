"""`ucap add activity|result|partner`: only the new table is added, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import VALID_RECORD, Run, write_record

from ucap_cli.authoring import append_entry
from ucap_cli.errors import WriteError
from ucap_cli.toml import loads

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
