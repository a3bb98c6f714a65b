"""ucap_cli/render/tabular.py: what every writer shares. CSV cells never run as formulas,
Markdown cells make no markup, one wording for agreements, and the note every view ends with
when files have errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from ucap_cli.check.problems import Problem
from ucap_cli.check.result import FileStatus
from ucap_cli.record.model import Agreement
from ucap_cli.render.tabular import (
    agreement_kind,
    agreement_line,
    cell,
    files_json,
    markdown_note,
    markdown_text,
    md_cell,
    md_table,
    neutralise,
    note_lines,
    plural,
    problem_json,
    problem_text,
    write_csv,
)

GFM = MarkdownIt("commonmark").enable("table").enable("strikethrough")

E109 = Problem("records/a.toml", 17, 11, "E109", "city.country: unknown country 'Frnace'")
E002 = Problem("records/b.toml", 3, 1, "E002", "TOML: Expected '=' after a key")
SHOWN = FileStatus(Path("records/a.toml"), "records/a.toml", "a", E109, readable=True)
LEFT = FileStatus(Path("records/b.toml"), "records/b.toml", None, E002, readable=False)
CLEAN = FileStatus(Path("records/c.toml"), "records/c.toml", "c", None, readable=True)


@pytest.mark.parametrize(
    ("value", "cell_text"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("a\nb", "a b"),
        ("Lyon = Graz", "Lyon = Graz"),
        ("", ""),
    ],
)
def test_neutralise(value: str, cell_text: str) -> None:
    assert neutralise(value) == cell_text


def test_write_csv_has_a_header_and_neutral_one_line_cells() -> None:
    text = write_csv(("id", "note", "count"), [("a", "=1+1", 3), ("b", None, "x\r\ny")])
    assert text == "id,note,count\na,'=1+1,3\nb,,x  y\n"
    assert list(csv.reader(io.StringIO(text))) == [
        ["id", "note", "count"],
        ["a", "'=1+1", "3"],
        ["b", "", "x  y"],
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (["a", "b"], "a; b"),
        ([{"name": "Graz", "country": "AT"}, {"text": "pilot"}], "Graz; pilot"),
        ({"z": 1, "a": [2]}, '{"a": [2], "z": 1}'),
        (True, "true"),
        (False, "false"),
        (3, "3"),
    ],
)
def test_cell_flattens_lists_and_tables(value: object, text: str) -> None:
    assert cell(value) == text


@pytest.mark.parametrize(
    "text",
    [
        "a | b",
        "<script>alert(1)</script>",
        "[link](http://evil.example)",
        "`code`",
        "&lt;b&gt;",
        "**bold** _it_ ~~gone~~",
        "line\nbreak",
        "back\\slash",
    ],
)
def test_markdown_cells_and_text_render_as_typed(text: str) -> None:
    flat = " ".join(text.split("\n"))
    for made in (md_table(["col"], [[text]]), markdown_text(text)):
        html = GFM.render(made)
        assert "<script" not in html and "<a " not in html and "<code>" not in html
    html = GFM.render(markdown_text(text))  # text in a sentence: no emphasis either
    assert "<strong>" not in html and "<em>" not in html and "<s>" not in html
    rendered = GFM.render(md_table(["col"], [[text]]))
    assert "<td>" in rendered  # one cell: the pipe did not split it
    assert md_cell(text).count("\n") == 0
    plain = GFM.render(markdown_text(text))
    unescaped = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert flat in unescaped.replace("&quot;", '"')  # the reader sees what was typed


def test_md_table_keeps_numbers_and_escapes_text() -> None:
    assert md_table(["name", "n"], [["a|b", 3]]) == "| name | n |\n| --- | --- |\n| a\\|b | 3 |"


def test_plural() -> None:
    assert [plural(n, "record") for n in (0, 1, 2)] == ["0 records", "1 record", "2 records"]
    assert plural(2, "activity", "activities") == "2 activities"


def test_one_wording_for_agreements() -> None:
    assert [agreement_kind(k) for k in ("mou", "cooperation-agreement", "letter-of-intent")] == [
        "MoU",
        "cooperation agreement",
        "letter of intent",
    ]
    assert agreement_kind("letter-of-intent", 2) == "letters of intent"
    assert agreement_kind("other", 3) == "other agreements"
    assert agreement_kind("unheard-of") == "unheard-of"
    five = Agreement(kind="mou", parties=["Zhengzhou", "Málaga"], count=5)
    assert agreement_line(five) == "MoU \u00d75: Zhengzhou, Málaga"
    titled = Agreement(
        kind="cooperation-agreement", parties=["A", "B"], fields=["trade", "logistics"], title="T"
    )
    assert agreement_line(titled) == "cooperation agreement: A, B (trade; logistics) \u2013 T"


def test_problems_as_text_and_json() -> None:
    assert problem_text(E109) == "records/a.toml:17:11 E109 city.country: unknown country 'Frnace'"
    assert problem_json(E109) == {
        "path": "records/a.toml",
        "line": 17,
        "column": 11,
        "code": "E109",
        "message": "city.country: unknown country 'Frnace'",
    }
    assert files_json([CLEAN, SHOWN, LEFT]) == [
        {**problem_json(E109), "left_out": False},
        {**problem_json(E002), "left_out": True},
    ]


def test_the_note_names_records_with_errors_and_files_left_out() -> None:
    assert note_lines([CLEAN]) == []
    assert note_lines([SHOWN, CLEAN]) == [
        "! 1 record with errors, read as far as it could be:",
        "  records/a.toml:17:11 E109 city.country: unknown country 'Frnace'",
        "run `ucap validate` for every problem of these records",
    ]
    two = FileStatus(Path("records/d.toml"), "records/d.toml", "d", E109, readable=True)
    lines = note_lines([SHOWN, two, LEFT], what="activities")
    assert lines[0] == "! 2 records with errors, read as far as they could be:"
    assert lines[3:] == [
        "1 file left out, not readable as records:",
        "  records/b.toml:3:1 E002 TOML: Expected '=' after a key",
        "run `ucap validate` for every problem of these activities",
    ]


def test_the_note_escapes_what_a_file_name_or_message_holds() -> None:
    hostile = Problem("records/\x1b[2Ja.toml", 1, 1, "E102", "unknown key 'x\ny'")
    status = FileStatus(Path("a.toml"), "a.toml", "a", hostile, readable=True)
    assert note_lines([status])[1] == "  records/\\x1b[2Ja.toml:1:1 E102 unknown key 'x\\x0ay'"


def test_the_markdown_note_is_a_section_with_lists() -> None:
    assert markdown_note([CLEAN]) == []
    assert markdown_note([SHOWN, LEFT]) == [
        "",
        "## Records with errors",
        "",
        "! 1 record with errors, read as far as it could be:",
        "",
        "- records/a.toml:17:11 E109 city.country: unknown country 'Frnace'",
        "",
        "1 file left out, not readable as records:",
        "",
        "- records/b.toml:3:1 E002 TOML: Expected '=' after a key",
        "",
        "run `ucap validate` for every problem of these records",  # ucap's own words
    ]
