"""Lines, suppression comments and piped output, through the real CLI.

- One notion of "line", TOML's (LF or CRLF), for locations, excerpts, `# ucap: ignore[...]`
  comments and the pre-commit id scan: U+2028, U+2029 and U+0085 are characters of a TOML
  line (in strings and comments), where `str.splitlines` broke lines at them.
- Suppression comments are real comments (a scanner that knows strings finds them); one that
  suppresses nothing is W308. Expected results' themes are checked as activities' are (W304).
- Terminal views sent to a pipe end no line with a space.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from conftest import LYON_GRAZ, PUNE, REPO, VALID_RECORD, Run, edited, write_record
from hypothesis import given, settings
from hypothesis import strategies as st

import ucap_cli.check.rules
import ucap_cli.store.cache
from ucap_cli.toml.lines import Comment, comments, toml_lines
from ucap_cli.toml.parser import loads

SEPARATORS = ["\u2028", "\u2029", "\x85"]
PAST = 1_500_000_000  # an mtime old enough for the caches to store the file


def on_terminal(*args: str, cwd: Path) -> tuple[int, str]:
    """`ucap ARGS` with stdout on a pseudo-terminal (as a person runs it): status, output."""
    leader, follower = pty.openpty()
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    for name in ("UCAP_RECORDS", "GITHUB_ACTIONS", "FORCE_COLOR"):
        env.pop(name, None)
    command = [sys.executable, "-m", "ucap_cli", *args]
    process = subprocess.Popen(command, stdout=follower, stderr=subprocess.PIPE, cwd=cwd, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the pty closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    status = process.wait(timeout=60)
    os.close(leader)
    return status, b"".join(chunks).decode().replace("\r\n", "\n")


def report(run: Run, *args: str) -> tuple[int, list[tuple[int, int, str]], list[dict[str, Any]]]:
    """Exit status, (line, column, code) of each problem, and the problems of a JSON report."""
    result = run("validate", "--format", "json", *args)
    problems = json.loads(result.stdout)["problems"]
    return result.exit_code, [(p["line"], p["column"], p["code"]) for p in problems], problems


# --------------------------------------------------------------------------- excerpts


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


# --------------------------------------------------------------------------- unused suppressions


def test_an_unused_suppression_is_reported_at_the_comment(run: Run, tmp_path: Path) -> None:
    text = edited(VALID_RECORD, ('programme = "IUC"', 'programme = "IUC"  # ucap: ignore[W303]'))
    write_record(tmp_path, "demo", text)
    status, located, problems = report(run, "demo.toml")
    assert (status, located) == (0, [(4, 20, "W308")])
    assert problems[0]["message"] == "# ucap: ignore[W303] suppresses nothing on this line"
    assert problems[0]["hint"] == "remove the comment"
    result = run("validate", "--strict", "demo.toml")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "demo.toml:4:20: warning W308 # ucap: ignore[W303] suppresses nothing on this line",
        "0 errors, 1 warning in 1 file",
    ]


def test_the_city_became_a_partner(run: Run, tmp_path: Path) -> None:
    """The issue's case: a suppression kept after the city became a partner."""
    text = edited(
        VALID_RECORD,
        ('cities = ["Lyon", "GRZ"]', 'cities = ["Lyon", "GRZ", "Bonn"]  # ucap: ignore[W303]'),
    )
    write_record(tmp_path, "demo", text)
    assert run("validate", "--strict", "demo.toml").exit_code == 0
    partner = '[[partners]]\nname = "Bonn"\ncountry = "DE"\n\n[[activities]]'
    write_record(tmp_path, "demo", text.replace("[[activities]]", partner, 1))
    status, located, _ = report(run, "demo.toml")
    assert (status, located) == (0, [(33, 35, "W308")])


def test_only_the_unused_codes_of_a_comment_are_reported(run: Run, tmp_path: Path) -> None:
    text = edited(
        VALID_RECORD,
        (
            'cities = ["Lyon", "GRZ"]',
            'cities = ["Lyon", "GRZ", "Gratz"]  # ucap: ignore[W303, w304,E999]',
        ),
    )
    write_record(tmp_path, "demo", text)
    status, located, problems = report(run, "demo.toml")
    assert (status, located) == (0, [(29, 36, "W308")])
    assert problems[0]["message"] == (
        "# ucap: ignore[W304, E999] suppresses nothing on this line (E999 is not a problem code)"
    )
    assert problems[0]["hint"] == "remove W304, E999 from the comment"


def test_only_real_comments_suppress_and_are_reported(run: Run, tmp_path: Path) -> None:
    # The same words inside strings (of each kind) are data: they neither suppress nor count.
    text = edited(
        VALID_RECORD,
        ('cities = ["Lyon", "GRZ"]', "cities = ['Lyon', \"GRZ\", 'Gratz # ucap: ignore[W303]']"),
        ('title = "Lyon \u2013 Graz"', 'title = """Lyon\n# ucap: ignore[W301]"""'),
        ("anything = {", "\"# ucap: ignore[W307]\" = 1\n'# ucap: ignore[W302]' = 2\nanything = {"),
    )
    write_record(tmp_path, "demo", text)
    status, located, problems = report(run, "demo.toml")
    assert (status, located) == (0, [(30, 26, "W303")])
    assert "'Gratz # ucap: ignore[W303]'" in problems[0]["message"]


def test_a_used_suppression_is_not_reported(run: Run, tmp_path: Path) -> None:
    text = edited(
        VALID_RECORD,
        ('cities = ["Lyon", "GRZ"]', 'cities = ["Lyon", "GRZ", "Gratz"]  # ucap: ignore[W303]'),
    )
    write_record(tmp_path, "demo", text)
    result = run("validate", "--strict", "demo.toml")
    assert (result.exit_code, result.stdout) == (0, "0 errors, 0 warnings in 1 file\n")


def test_w308_is_not_suppressed_by_a_comment(run: Run, tmp_path: Path) -> None:
    text = edited(VALID_RECORD, ('programme = "IUC"', 'programme = "IUC"  # ucap: ignore[W308]'))
    write_record(tmp_path, "demo", text)
    status, located, problems = report(run, "demo.toml")
    assert (status, located) == (0, [(4, 20, "W308")])
    assert problems[0]["message"] == (
        "# ucap: ignore[W308] suppresses nothing on this line "
        "(W308 itself cannot be suppressed by a comment)"
    )


UNUSED_AND_USED = edited(
    VALID_RECORD,
    ('programme = "IUC"', 'programme = "IUC"  # ucap: ignore[W307]'),
    ('cities = ["Lyon", "GRZ"]', 'cities = ["Lyon", "GRZ", "Gratz"]  # ucap: ignore[W303]'),
)


@pytest.mark.parametrize(
    ("options", "config", "codes"),
    [
        ((), None, ["W308"]),
        (("--ignore", "W308"), None, []),
        (("--ignore", "W3"), None, []),
        ((), 'ignore = ["W308"]\n', []),
        (("--select", "W308"), None, ["W308"]),
        (("--select", "E"), None, []),
        # W303 hidden by the options is still used by the comment: no W308 for it.
        (("--ignore", "W303"), None, ["W308"]),
        ((), 'ignore = ["W303"]\n', ["W308"]),
        (("--select", "W303"), None, []),
    ],
)
def test_w308_and_the_code_options(
    run: Run, tmp_path: Path, options: tuple[str, ...], config: str | None, codes: list[str]
) -> None:
    write_record(tmp_path, "demo", UNUSED_AND_USED)
    if config:
        (tmp_path / "ucap.toml").write_text(config, encoding="utf-8")
    for _ in range(2):  # checked, then from the verdict cache
        status, located, _ = report(run, *options, "demo.toml")
        assert (status, [code for *_, code in located]) == (0, codes)
        assert all((line, column) == (4, 20) for line, column, _ in located)
        os.utime(tmp_path / "demo.toml", (PAST, PAST))


def test_the_verdict_cache_gives_the_same_answer(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "demo", UNUSED_AND_USED)
    os.utime(tmp_path / "demo.toml", (PAST, PAST))
    cold = run("validate", "demo.toml")
    assert (tmp_path / ".ucap_cache" / "verdicts.json").is_file()
    warm = run("validate", "demo.toml")
    fresh = run("validate", "--no-cache", "demo.toml")
    assert cold.stdout == warm.stdout == fresh.stdout
    assert " W308 " in cold.stdout


def test_no_w308_while_the_record_has_errors(run: Run, tmp_path: Path) -> None:
    # Its warnings are not checked yet: whether a W303 comment is used cannot be told.
    text = edited(
        UNUSED_AND_USED, ('country = "France"', 'country = "Frnace"  # ucap: ignore[W304]')
    )
    write_record(tmp_path, "demo", text)
    _, located, _ = report(run, "demo.toml")
    assert located == [(17, 11, "E109")]


def test_a_duplicate_id_suppression_is_never_reported_unused(run: Run, tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_record(
        records, "demo", VALID_RECORD.replace('id = "demo"', 'id = "demo"  # ucap: ignore[E201]')
    )
    result = run("validate", "--strict", "records/demo.toml")
    assert (result.exit_code, result.stdout) == (0, "0 errors, 0 warnings in 1 file\n")
    write_record(records, "copy", VALID_RECORD)  # now it suppresses E201 in demo.toml
    status, located, problems = report(run, "--select", "E", "records")
    assert (status, located) == (1, [(2, 6, "E201")])
    assert problems[0]["path"] == "records/copy.toml"


def test_an_unused_suppression_shows_the_day_it_comes_with_and_without_the_caches(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A done activity dated in the future is W305 until that day comes; the comment that
    # suppresses it then suppresses nothing. A verdict cached the day before must not hide the
    # W308; the views, which show no warnings, read the record alike with and without the cache.
    soon = dt.date.today() + dt.timedelta(days=30)
    text = edited(
        VALID_RECORD,
        ('date = "2017-06"', f'date = "{soon.isoformat()}"  # ucap: ignore[W305]'),
        ('end = "2018-11"', f'end = "{soon.year + 1}"'),
    )
    path = write_record(tmp_path / "records", "demo", text)
    os.utime(path, (PAST, PAST))

    def views() -> list[tuple[int, str, str]]:
        """`list` and `timeline` as JSON, with the cache (twice: cold, warm) and without."""
        results = []
        for view in ("list", "timeline"):
            for options in ((), (), ("--no-cache",)):
                result = run(view, "--format", "json", *options)
                results.append((result.exit_code, result.stdout, result.stderr))
        return results

    shown = views()
    assert [(status, stderr) for status, _, stderr in shown] == [(0, "")] * 6
    assert shown[0] == shown[1] == shown[2] and shown[3] == shown[4] == shown[5]
    assert "problems" not in json.loads(shown[0][1])[0]  # a record without errors
    assert json.loads(shown[3][1])["problems"] == []
    assert report(run, "records") == report(run, "records") == report(run, "--no-cache", "records")
    assert report(run, "records")[:2] == (0, [])
    assert (tmp_path / ".ucap_cache" / "verdicts.json").is_file()  # today's verdict, cached

    later = soon + dt.timedelta(days=1)
    monkeypatch.setattr(ucap_cli.check.rules, "today", lambda: later)
    monkeypatch.setattr(ucap_cli.store.cache, "dt", _Datetime(later))
    unused = (0, [(26, 22, "W308")])
    assert report(run, "--no-cache", "records")[:2] == unused
    assert report(run, "records")[:2] == report(run, "records")[:2] == unused  # cold, warm
    assert views() == shown


class _Datetime(types.SimpleNamespace):
    """A stand-in for the `datetime` module whose `date.today()` is a given day."""

    def __init__(self, day: dt.date) -> None:
        class Date(dt.date):
            @classmethod
            def today(cls) -> Date:
                return cls(day.year, day.month, day.day)

        super().__init__(**{**vars(dt), "date": Date})


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


def test_the_bundled_record_uses_its_suppression(run: Run) -> None:
    # records/zhengzhou.toml keeps the seed's theme of an expected result with a comment.
    text = (REPO / "records" / "zhengzhou.toml").read_text(encoding="utf-8")
    assert 'theme = "Innovation / Start-Ups"  # ucap: ignore[W304]' in text
    result = run("validate", "--strict", "--no-cache", str(REPO / "records"))
    assert (result.exit_code, result.stdout) == (0, "0 errors, 0 warnings in 1 file\n")
    result = run("fmt", "--check", str(REPO / "records"))
    assert result.exit_code == 0


# --------------------------------------------------------------------------- piped views


@pytest.mark.parametrize(
    "command",
    [
        ("show", "zhengzhou"),
        ("show", "lyon-graz"),
        ("list",),
        ("timeline",),
        ("summary",),
        ("validate",),
        ("validate", "--format", "concise"),
    ],
)
def test_piped_terminal_views_end_no_line_with_a_space(
    run: Run, tmp_path: Path, command: tuple[str, ...]
) -> None:
    records = tmp_path / "records"
    write_record(records, "zhengzhou", (REPO / "records" / "zhengzhou.toml").read_text("utf-8"))
    write_record(records, "lyon-graz", LYON_GRAZ)
    write_record(records, "pune", PUNE.replace('country = "IN"', 'country = "Inida"'))
    result = run(*command)
    lines = result.stdout.splitlines()
    assert len(lines) > 1
    assert [line for line in lines if line.endswith(" ")] == []


def test_a_terminal_still_gets_the_padded_table(tmp_path: Path) -> None:
    write_record(tmp_path / "records", "lyon-graz", LYON_GRAZ)
    status, output = on_terminal("show", "lyon-graz", cwd=tmp_path)
    assert status == 0
    assert any(line.endswith(" ") for line in output.splitlines())


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
