"""One notion of "line", TOML's (LF or CRLF), through the real CLI and in ucap_cli/toml/lines.py.

Locations, excerpts, `# ucap: ignore[...]` comments and the pre-commit id scan count lines as
TOML does: U+2028, U+2029 and U+0085 are characters of a TOML line (in strings and comments),
where `str.splitlines` broke lines at them. Suppression comments are real comments (a scanner
that knows strings finds them).

Elsewhere: unused suppressions (W308) in tests/check/test_suppressions.py, W304 for expected
results in tests/check/test_rules.py, piped terminal views in tests/render/test_piped_views.py.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from conftest import VALID_RECORD, Run, edited, on_terminal, write_record
from hypothesis import given, settings
from hypothesis import strategies as st

from ucap_cli.toml.lines import Comment, comments, toml_lines
from ucap_cli.toml.parser import loads

SEPARATORS = ["\u2028", "\u2029", "\x85"]
PAST = 1_500_000_000  # an mtime old enough for the caches to store the file


def report(run: Run, *args: str) -> tuple[int, list[tuple[int, int, str]], list[dict[str, Any]]]:
    """Exit status, (line, column, code) of each problem, and the problems of a JSON report."""
    result = run("validate", "--format", "json", *args)
    problems = json.loads(result.stdout)["problems"]
    return result.exit_code, [(p["line"], p["column"], p["code"]) for p in problems], problems


# --------------------------------------------------------------------------- excerpts


@pytest.mark.slow
@pytest.mark.parametrize("separator", SEPARATORS)
def test_the_excerpt_is_the_line_the_problem_points_at(tmp_path: Path, separator: str) -> None:
    # The separator in the title (line 3) made every excerpt after it show the line above.
    text = edited(
        VALID_RECORD,
        ('title = "Lyon \u2013 Graz"', f'title = "Lyon{separator}Graz"'),
        ('country = "France"', 'country = "Frnace"'),
    )
    write_record(tmp_path, "demo", text)
    status, output = on_terminal("validate", "demo.toml", cwd=tmp_path)
    assert status == 1
    lines = output.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("demo.toml:17:11: error E109")))
    assert lines[at + 1 : at + 3] == [' 17 | country = "Frnace"', "    |           ^"]


@pytest.mark.slow
@pytest.mark.parametrize("separator", SEPARATORS)
def test_an_excerpt_shows_a_separator_escaped(tmp_path: Path, separator: str) -> None:
    text = edited(VALID_RECORD, ('country = "France"', f'country = "Fr{separator}nace"'))
    write_record(tmp_path, "demo", text)
    status, output = on_terminal("validate", "demo.toml", cwd=tmp_path)
    assert status == 1
    escaped = f"\\u{ord(separator):04x}" if ord(separator) > 0xFF else f"\\x{ord(separator):02x}"
    assert f' 17 | country = "Fr{escaped}nace"\n' in output
    assert separator not in output  # never a raw line break, in the message either


@pytest.mark.parametrize("separator", ["\u2028", "\u2029"])
def test_terminal_views_show_a_separator_escaped(run: Run, tmp_path: Path, separator: str) -> None:
    text = VALID_RECORD.replace("Lyon \u2013 Graz", f"Lyon{separator}Graz").replace(
        "Graz delegation visits Lyon", f"Lyon{separator}Graz"
    )
    write_record(tmp_path / "records", "demo", text)
    for command in (("show", "demo"), ("timeline",)):
        result = run(*command)
        assert result.exit_code == 0
        assert f"Lyon\\u{ord(separator):04x}Graz" in result.stdout
        assert separator not in result.stdout


# --------------------------------------------------------------------------- suppressions


@pytest.mark.parametrize("separator", SEPARATORS)
@pytest.mark.parametrize(
    ("comment_line", "problem", "code"),
    [
        # The comment is on the line above the problem: the line the shifted count pointed at.
        (
            (
                'region = "Auvergne-Rhône-Alpes"',
                'region = "Auvergne-Rhône-Alpes"  # ucap: ignore[E109]',
            ),
            ('country = "France"', 'country = "Frnace"'),
            "E109",
        ),
        (
            (
                'title = "Graz delegation visits Lyon"',
                'title = "Graz visits"  # ucap: ignore[W303]',
            ),
            ('cities = ["Lyon", "GRZ"]', 'cities = ["Lyon", "GRZ", "Gratz"]'),
            "W303",
        ),
    ],
)
def test_a_comment_suppresses_on_its_own_line_only(
    run: Run,
    tmp_path: Path,
    separator: str,
    comment_line: tuple[str, str],
    problem: tuple[str, str],
    code: str,
) -> None:
    text = edited(
        VALID_RECORD,
        ('title = "Lyon \u2013 Graz"', f'title = "Lyon{separator}Graz"'),
        comment_line,
        problem,
    )
    write_record(tmp_path, "demo", text)
    result = run("validate", "--strict", "demo.toml")
    assert result.exit_code == 1  # was 0: the problem suppressed by the comment above it
    assert f" {code} " in result.stdout
    # On the problem's own line, the comment suppresses it.
    moved = text.replace(f"  # ucap: ignore[{code}]", "").replace(
        problem[1], f"{problem[1]}  # ucap: ignore[{code}]"
    )
    write_record(tmp_path, "demo", moved)
    result = run("validate", "--strict", "demo.toml")
    assert (result.exit_code, result.stdout) == (0, "0 errors, 0 warnings in 1 file\n")


# --------------------------------------------------------------------------- the id scan


@pytest.mark.parametrize("separator", SEPARATORS)
def test_pre_commit_finds_a_duplicate_id_behind_a_separator(
    run: Run, tmp_path: Path, separator: str
) -> None:
    # The other file's comment held a separator and a decoy `id = ...` after it: the scan of
    # its lines took the decoy for its id, and the duplicate went unseen.
    records = tmp_path / "records"
    write_record(records, "demo", VALID_RECORD)
    other = f'schema_version = 1\n# was{separator}id = "decoy"\n' + VALID_RECORD.split("\n", 1)[1]
    write_record(records, "copy", other)
    result = run("validate", "records/demo.toml")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "records/demo.toml:2:6: error E201 id 'demo' is also used by records/copy.toml"
    )
    again = run("validate", "records/demo.toml")  # the id remembered in the cache
    assert (again.exit_code, again.stdout) == (1, result.stdout)


# --------------------------------------------------------------------------- lines.py


@given(st.text(alphabet="ab \n\r\u2028\u2029\x85\x0b\x0c\x1c"))
def test_toml_lines_split_at_lf_and_crlf_only(text: str) -> None:
    pieces = text.split("\n")
    if not pieces[-1]:  # after a final line end (or in ""): no line
        pieces.pop()
    assert toml_lines(text) == [piece.removesuffix("\r") for piece in pieces]
    if "\r" not in text:
        assert toml_lines(text.replace("\n", "\r\n")) == toml_lines(text)
    if not any(c in text for c in "\r\u2028\u2029\x85\x0b\x0c\x1c"):
        assert toml_lines(text) == text.splitlines()


_TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x7f"),
    max_size=12,
)
_COMMENT = st.text(
    alphabet=st.characters(
        exclude_categories=["Cs", "Cc"], exclude_characters="\x7f", include_characters="\t"
    ),
    max_size=12,
)


def _written(value: str, style: int) -> str:
    """`value` as a TOML string of one of the four kinds (basic when another cannot hold it)."""
    controls = any((ord(c) < 0x20 and c != "\t") or c == "\x7f" for c in value)
    if style == 1 and not controls and "'" not in value:
        return f"'{value}'"
    if style == 2 and not controls and "'''" not in value and not value.endswith("'"):
        return f"'''{value}'''"
    if style == 3:
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        escaped = "".join(
            c if c in "\n\t" or not (ord(c) < 0x20 or c == "\x7f") else f"\\u{ord(c):04x}"
            for c in escaped
        )
        if escaped.startswith("\n"):  # a line end just after the quotes is not content
            escaped = "\\n" + escaped[1:]
        return f'"""{escaped}"""'
    return tomli_w.dumps({"k": value}).split(" = ", 1)[1].rstrip("\n")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(_TEXT, st.integers(0, 3), st.booleans(), st.none() | _COMMENT, st.booleans()),
        max_size=6,
    )
)
def test_comments_are_found_exactly_and_strings_are_skipped(
    entries: list[tuple[str, int, bool, str | None, bool]],
) -> None:
    text, expected, data = "", [], {}
    for index, (value, style, quoted_key, comment, crlf) in enumerate(entries):
        key = f'"k#{index}"' if quoted_key else f"k{index}"
        text += f"{key} = {_written(value, style)}"
        data[f"k#{index}" if quoted_key else f"k{index}"] = value
        if comment is not None:
            line = text.count("\n") + 1
            column = len(text) - (text.rfind("\n") + 1) + 3
            text += f"  # {comment}"
            expected.append(Comment(line, column, f"# {comment}"))
        text += "\r\n" if crlf else "\n"
    assert loads(text) == data  # the document is what it was meant to be
    assert list(comments(text)) == expected


@given(st.text(alphabet="ab#\"'\\\n\r\u2028 "))
def test_comments_never_fail_on_any_text(text: str) -> None:
    found = list(comments(text))
    assert all(c.text.startswith("#") and "\n" not in c.text for c in found)


@pytest.mark.slow
def test_comments_are_found_in_linear_time() -> None:
    # Each kind of unclosed string, a million characters on one line or on many.
    hostile = [
        "'a" * 500_000,
        "'\n" * 500_000,
        '"a' * 500_000,
        '"""' + "a" * 10**6,
        "'''\n" * 250_000,
    ]
    start = time.perf_counter()
    for text in hostile:
        list(comments(text))
    assert time.perf_counter() - start < 5  # quadratic scanning takes hours
