"""Record text is data in every output: one hostile record through every view and format.

Terminal formats print markup as typed and escape control characters; HTML and SVG escape
everything; CSV cells cannot run as spreadsheet formulas; JSON gives back the exact strings.
Random Unicode (wide, combining, right-to-left, emoji) never breaks a view or its alignment.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from conftest import Run, write_record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from typer.testing import Result

from ucap_cli.toml.parser import loads

MARKUP = "[bold red]x[/] [link=https://evil]click[/link]"
ESC = "\x1b[31mred\x1b[0m"
OSC = "\x1b]8;;https://evil\x07link\x1b]8;;\x07"
CONTROLS = "bel\x07 bs\x08 c1\x9b2J del\x7f"
BIDI = "rlo\u202eevil\u2066x\u2069"
HTML = "<script>alert(1)</script> &amp; &"
HOSTILE = f"{MARKUP} {ESC} {OSC} {CONTROLS} {BIDI} {HTML}"
NOWHERE = f"Nowhere {MARKUP} {ESC}"  # an activity city that is no partner: a W303 warning
OTHER = f"Other {BIDI}"  # an activity theme that is not the record's: a W304 warning

RECORD: dict[str, Any] = {
    "schema_version": 1,
    "id": "evil",
    "title": HOSTILE,
    "programme": '=HYPERLINK("https://evil","x")',
    "period": {"start": "2017-03", "end": "2018-11"},
    "themes": ["@SUM(1+1)", f"T {HOSTILE}"],
    "contact": "a\x1b[31m@evil.org",
    "summary": f"\rCR {HOSTILE}",
    "challenges": [HOSTILE],
    "objectives": ["-1+1"],
    "sources": ["\tTAB"],
    "city": {"name": f"+cmd {ESC}", "region": BIDI, "country": "France", "short": OSC},
    "partners": [{"name": f"P {HOSTILE}", "country": "AT", "short": "-2"}],
    "focus": [{"theme": HOSTILE, "text": HOSTILE}],
    "activities": [
        {
            "date": "2017-06",
            "kind": "visit",
            "title": f"A {HOSTILE}",
            "where": HOSTILE,
            "cities": [f"+cmd {ESC}", f"P {HOSTILE}", NOWHERE],
            "organisations": [f"=1+1 {HOSTILE}"],
            "themes": [f"T {HOSTILE}", OTHER],
            "summary": HOSTILE,
            "outputs": [HOSTILE],
            "links": [OSC],
            "agreements": [
                {"kind": "mou", "parties": [HOSTILE], "fields": [HOSTILE], "title": HOSTILE}
            ],
        }
    ],
    "expected_results": [{"text": HOSTILE, "theme": HOSTILE, "organisations": [f"@org {HOSTILE}"]}],
    "organisations": [
        {"name": f"=org {HOSTILE}", "kind": "other", "city": HOSTILE, "note": HOSTILE}
    ],
    "extra": {"k": HOSTILE, HOSTILE: 1},
}

# What must never reach a terminal raw: C0 controls but tab and newline, DEL, C1, bidi controls.
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """The hostile record as records/evil.toml; returns the project folder."""
    write_record(tmp_path / "records", "evil", tomli_w.dumps(RECORD))
    return tmp_path


def output_of(run: Run, *arguments: str, width: int = 100) -> tuple[Result, str]:
    """Run ucap; the result and everything it printed, checked for raw control characters."""
    result = run(*arguments, env={"COLUMNS": str(width)})
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    leaked = sorted({f"U+{ord(c):04X}" for c in UNSAFE.findall(output)})
    assert not leaked, f"{arguments}: raw {leaked}"
    return result, output


def assert_as_typed(output: str) -> None:
    """Markup is printed as typed and escape sequences as visible escapes."""
    assert "[bold red]x[/]" in output
    assert "[link=https://evil]click[/link]" in output
    assert "\\x1b[31mred\\x1b[0m" in output


TERMINAL_VIEWS = [
    ["list"],
    ["show", "evil"],
    ["timeline"],
    ["timeline", "--details"],
    ["summary"],
]


@pytest.mark.usefixtures("hostile")
@pytest.mark.parametrize("arguments", TERMINAL_VIEWS, ids=" ".join)
def test_terminal_views(run: Run, arguments: list[str]) -> None:
    # Wide enough for the list table not to fold a cell in the middle of the markup.
    result, output = output_of(run, *arguments, width=1000 if arguments == ["list"] else 100)
    assert result.exit_code == 0, output
    assert_as_typed(output)
    if arguments[0] != "list":  # the table lists no bidi text
        assert "rlo\\u202eevil\\u2066x\\u2069" in output
    assert "<script>alert(1)</script>" in output  # plain text: nothing to escape


@pytest.mark.usefixtures("hostile")
@pytest.mark.parametrize("report", ["text", "concise", "github"])
def test_validate_terminal_formats(run: Run, report: str) -> None:
    result, output = output_of(run, "validate", "--no-cache", "--format", report)
    assert result.exit_code == 0  # warnings only
    assert "W303" in output and "W304" in output
    assert "[bold red]x[/] [link=https://evil]click[/link] \\x1b[31mred\\x1b[0m" in output
    assert "Other rlo\\u202eevil\\u2066x\\u2069" in output


@pytest.mark.usefixtures("hostile")
@pytest.mark.parametrize("report", ["json", "sarif"])
def test_validate_json_formats_are_exact(run: Run, report: str) -> None:
    result, _ = output_of(run, "validate", "--no-cache", "--format", report)
    data = json.loads(result.stdout)
    if report == "json":
        messages = [p["message"] for p in data["problems"]]
    else:
        messages = [r["message"]["text"] for r in data["runs"][0]["results"]]
    assert any(repr(NOWHERE) in m for m in messages)
    assert any(repr(OTHER) in m for m in messages)


def hostile_file_name(folder: Path) -> str:
    """A record whose file name is hostile (its id, a slug, differs: W301)."""
    name = f"x{ESC}{BIDI}"
    write_record(folder / "records", name, tomli_w.dumps({**RECORD, "id": "named"}))
    return f"records/{name}.toml"


@pytest.mark.parametrize("report", ["text", "concise", "github", "json", "sarif"])
def test_a_hostile_file_name(run: Run, tmp_path: Path, report: str) -> None:
    path = hostile_file_name(tmp_path)
    result, output = output_of(run, "validate", "--no-cache", "--format", report)
    assert "W301" in output
    if report == "json":
        assert path in {p["path"] for p in json.loads(result.stdout)["problems"]}
    elif report == "sarif":
        [run_log] = json.loads(result.stdout)["runs"]
        uris = {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run_log["results"]
        }
        assert path in uris
    else:
        assert "records/x\\x1b[31mred\\x1b[0mrlo\\u202eevil\\u2066x\\u2069.toml" in output


def test_a_hostile_file_name_that_cannot_be_loaded(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path / "records", f"bad{ESC}", "a = [")
    for arguments in (["list"], ["timeline"], ["summary"], ["fmt", "--check"]):
        result, output = output_of(run, *arguments)
        assert result.exit_code == 1
        assert "records/bad\\x1b[31mred\\x1b[0m.toml" in output, arguments


# --------------------------------------------------------------------------- JSON


def strings(value: Any) -> list[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *strings(v)]]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return [value] if isinstance(value, str) else []


@pytest.mark.usefixtures("hostile")
def test_json_gives_back_the_exact_strings(run: Run) -> None:
    listed, _ = output_of(run, "list", "-f", "json")
    assert json.loads(listed.stdout) == [RECORD]
    shown, _ = output_of(run, "show", "evil", "-f", "json")
    assert json.loads(shown.stdout) == RECORD
    timeline, _ = output_of(run, "timeline", "-f", "json")
    data = json.loads(timeline.stdout)
    assert data["records"][0]["title"] == HOSTILE
    [activity] = data["activities"]
    assert (activity["title"], activity["where"]) == (f"A {HOSTILE}", HOSTILE)
    assert activity["cities"] == RECORD["activities"][0]["cities"]
    summary, _ = output_of(run, "summary", "-f", "json")
    data = json.loads(summary.stdout)
    assert data["title"] == HOSTILE
    found = set(strings(data))
    assert {f"+cmd {ESC}", f"P {HOSTILE}", f"T {HOSTILE}", f"=1+1 {HOSTILE}"} <= found
    assert f"@org {HOSTILE}" in found


# --------------------------------------------------------------------------- CSV


def cells(text: str) -> list[list[str]]:
    """CSV text as rows of cells; none of them may start a formula."""
    rows = list(csv.reader(io.StringIO(text)))
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START), cell
    return rows


@pytest.mark.usefixtures("hostile")
def test_csv_cells_are_neutralised(run: Run) -> None:
    result, _ = output_of(run, "list", "-f", "csv")
    header, row = cells(result.stdout)
    record = dict(zip(header, row, strict=True))
    assert record["programme"] == "'" + RECORD["programme"]
    assert record["city"] == "'+cmd \\x1b[31mred\\x1b[0m"
    assert record["themes"].startswith("'@SUM(1+1); T [bold red]x[/]")
    result, _ = output_of(
        run, "list", "-f", "csv", "--fields", "id,summary,objectives,sources,partners,extra"
    )
    header, row = cells(result.stdout)
    record = dict(zip(header, row, strict=True))
    assert (record["objectives"], record["sources"]) == ("'-1+1", "'\tTAB")
    assert record["summary"].startswith(" CR [bold red]x[/]")  # the CR became a space
    result, _ = output_of(run, "show", "evil", "-f", "csv")
    assert dict(zip(*cells(result.stdout), strict=True))["programme"] == "'" + RECORD["programme"]
    result, _ = output_of(run, "show", "evil", "-f", "csv", "--fields", "objectives")
    assert cells(result.stdout) == [["objectives"], ["'-1+1"]]
    result, _ = output_of(run, "timeline", "-f", "csv", "--details")
    header, row = cells(result.stdout)
    activity = dict(zip(header, row, strict=True))
    assert activity["lead_city"] == "'+cmd \\x1b[31mred\\x1b[0m"
    assert activity["organisations"].startswith("'=1+1 ")
    result, _ = output_of(run, "summary", "-f", "csv")
    keys = {row[1] for row in cells(result.stdout)}
    assert {"'@SUM(1+1)", "'+cmd \\x1b[31mred\\x1b[0m"} <= keys
    assert any(key.startswith("'=1+1 ") for key in keys)
    assert any(key.startswith("'@org ") for key in keys)


# --------------------------------------------------------------------------- Markdown


@pytest.mark.usefixtures("hostile")
@pytest.mark.parametrize(
    "arguments", [["list"], ["show", "evil"], ["timeline", "--details"], ["summary"]], ids=str
)
def test_markdown_is_text_not_markup(run: Run, arguments: list[str]) -> None:
    result, output = output_of(run, *arguments, "-f", "markdown")
    assert result.exit_code == 0
    assert "<script>" not in output  # as &lt;script&gt; or \\<script\\>
    assert "[link=https://evil]" not in output  # brackets escaped: no link, no markup
    assert "\\[link=https://evil\\]click\\[/link\\]" in output
    assert "&amp;amp;" in output or "\\&amp;" in output  # an entity typed prints as typed


# --------------------------------------------------------------------------- exports


@pytest.mark.usefixtures("hostile")
@pytest.mark.parametrize("kind", ["html", "svg", "txt"])
@pytest.mark.parametrize("view", ["timeline", "summary"])
def test_exports_escape_everything(run: Run, tmp_path: Path, view: str, kind: str) -> None:
    export = tmp_path / f"out.{kind}"
    arguments = [view, "--details"] if view == "timeline" else [view]
    result, _ = output_of(run, *arguments, "--export", str(export))
    assert result.exit_code == 0
    document = export.read_text(encoding="utf-8")
    assert not UNSAFE.search(document)
    if kind == "txt":
        assert_as_typed(document)
        return
    assert "<script>" not in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    assert "https://evil" in document and "href" not in document  # a link shown, not made
    if kind == "svg":
        ElementTree.fromstring(document)  # well-formed XML: no raw control character
    else:
        plain = re.sub(r"<[^>]+>", "", document).replace("&#160;", " ")
        assert "[bold red]x[/]" in plain


# --------------------------------------------------------------------------- random Unicode


UNICODE = (
    st.lists(
        st.sampled_from(
            [
                *"abcXYZ -,.",
                *"\u0301\u0308\u0327\u20dd",  # combining marks
                *"\u4e2d\u6587\u5b57\u6f22\uac00\uff21\u3042",  # CJK, Hangul, fullwidth, kana
                *"\u05d0\u05d1\u0627\u0644\u0639",  # Hebrew and Arabic letters (right to left)
                "\U0001f600",
                "\U0001f1eb\U0001f1f7",  # a flag
                "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # a family: a ZWJ sequence
                "\u2764\ufe0f",
                "\u200b",  # zero width space
            ]
        ),
        min_size=1,
        max_size=30,
    )
    .map("".join)
    .filter(lambda s: s.strip("\u200b ") != "")
)


@st.composite
def unicode_records(draw: st.DrawFn) -> str:
    """A valid record whose names, titles and themes are random Unicode."""
    city, partner, theme = draw(UNICODE), draw(UNICODE), draw(UNICODE)
    record = {
        "schema_version": 1,
        "id": "uni",
        "title": draw(UNICODE),
        "period": {"start": "2017-03", "end": "2019-11"},
        "themes": [theme],
        "city": {"name": city, "region": draw(UNICODE), "country": "CN"},
        "partners": [{"name": partner, "country": "IL"}],
        "activities": [
            {
                "date": "2018-05",
                "kind": "meeting",
                "title": draw(UNICODE),
                "where": draw(UNICODE),
                "cities": [city, partner],
                "organisations": [draw(UNICODE)],
                "themes": [theme],
                "outputs": [draw(UNICODE)],
            }
        ],
        "expected_results": [{"text": draw(UNICODE), "organisations": [draw(UNICODE)]}],
    }
    return tomli_w.dumps(record)


def column_starts(header: str) -> list[int]:
    """Cell offsets where the list table's columns start, from its last header line (the
    header is aligned to the bottom, so every column has text there)."""
    return [m.start() for m in re.finditer(r"(?:^|(?<=  ))\S", header)]


def gap_before(line: str, start: int) -> bool:
    """True when cells `start - 2` and `start - 1` of `line` are spaces (or past its end).

    Measured as Rich measures: by grapheme, so an emoji sequence is one wide character.
    """
    if cell_len(line) <= start - 2:
        return True
    cuts = [i for i in range(len(line) + 1) if cell_len(line[:i]) == start - 2]
    return bool(cuts) and line[cuts[-1] : cuts[-1] + 2] in ("  ", " ", "")


@pytest.mark.slow
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(unicode_records(), st.sampled_from([50, 80, 120]))
def test_random_unicode_keeps_every_view_within_the_width(
    run: Run, tmp_path: Path, text: str, width: int
) -> None:
    write_record(tmp_path / "records", "uni", text)
    write_record(tmp_path / "records", "other", text.replace('id = "uni"', 'id = "other"'))
    for arguments in (["list"], ["show", "uni"], ["timeline", "--details"], ["summary"]):
        result = run(*arguments, env={"COLUMNS": str(width)})
        assert result.exit_code == 0, result.output
        assert result.stdout.strip()
        for line in result.stdout.splitlines():
            assert cell_len(line) <= width, (arguments, line)
        if arguments == ["list"]:
            lines = result.stdout.splitlines()
            last_header = next(i for i, line in enumerate(lines) if line.startswith("id "))
            starts = column_starts(lines[last_header])
            assert len(starts) == 7, lines[last_header]
            # The two cells before each column are spaces on every line (the last column,
            # right-justified, is found by where its header ends, not where it starts).
            for line in lines:
                for start in starts[1:-1]:
                    assert gap_before(line, start), (line, start)
    assert loads(text)["id"] == "uni"


# --------------------------------------------------------------------------- writing commands


def test_fmt_diff_and_add_escape_record_text(run: Run, tmp_path: Path) -> None:
    text = tomli_w.dumps(RECORD).replace("schema_version = 1", "schema_version  =  1")
    path = write_record(tmp_path / "records", "evil", text)
    result, output = output_of(run, "fmt", "--diff")
    assert result.exit_code == 0
    assert "+schema_version = 1" in output
    assert "rlo\\u202eevil\\u2066x\\u2069" in output  # a context line of the diff
    result, output = output_of(
        run, "add", "activity", "evil", "--date", "2018", "--kind", "visit", "--title", "T"
    )
    assert result.exit_code == 0, output
    assert f"W303 activities[1].cities: {NOWHERE!r}".replace("\x1b", "\\x1b") in output
    assert loads(path.read_text(encoding="utf-8"))["title"] == HOSTILE  # written back exactly
