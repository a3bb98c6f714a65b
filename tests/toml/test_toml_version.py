"""Records are TOML 1.0: what TOML 1.1 added is an E002 with the parser's location, whatever
TOML parser is installed (tomli 2.4 and later read 1.1; ucap pins below it, falls back to a
1.0 `tomllib`, or refuses to read).

The cases are toml-test's that differ between TOML 1.0 and 1.1 (`inline-table/linebreak-*`,
`inline-table/trailing-comma`, `datetime/no-secs`, `string/basic-byte-escapes`,
`string/escape-esc`), each appended to a valid record, and each also written the 1.0 way.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO, VALID_RECORD, Run, edited, write_record

import ucap_cli.toml.parser
from ucap_cli.toml.locate import Position, build_source_map
from ucap_cli.toml.parser import reads_toml_1_0

END = VALID_RECORD.count("\n") + 1  # the first line appended to VALID_RECORD


@dataclass(frozen=True)
class Case:
    """TOML 1.1 text appended to a valid record, where a 1.0 parser stops, and the 1.0 way."""

    name: str
    toml_1_1: str
    line: int  # relative to the appended text: 1 is its first line
    column: int
    toml_1_0: str


CASES = [
    Case("inline-table/linebreak-01", "simple = { a = 1 \n}\n", 1, 18, "simple = { a = 1 }\n"),
    Case("inline-table/linebreak-02", "t = {a=1,\nb=2}\n", 1, 10, "t = {a=1,b=2}\n"),
    Case("inline-table/linebreak-03", "t = {a=1\n,b=2}\n", 1, 9, "t = {a=1,b=2}\n"),
    Case(
        "inline-table/linebreak-04",
        'json_like = {\n    first = "Tom",\n    last = "Preston-Werner"\n}\n',
        1,
        14,
        'json_like = { first = "Tom", last = "Preston-Werner" }\n',
    ),
    Case("inline-table/trailing-comma", "abc = { abc = 123, }\n", 1, 20, "abc = { abc = 123 }\n"),
    Case(
        "datetime/no-secs",
        "# No seconds in time.\nno-secs = 1987-07-05T17:45Z\n",
        2,
        21,
        "no-secs = 1987-07-05T17:45:00Z\n",
    ),
    Case("datetime/no-secs (time)", "at = 17:45\n", 1, 8, "at = 17:45:00\n"),
    Case("string/basic-byte-escapes", 'answer = "\\x33"\n', 1, 13, 'answer = "\\u0033"\n'),
    Case(
        "string/escape-esc",
        'esc = "\\e There is no escape! \\e"\n',
        1,
        10,
        'esc = "\\u001b There is no escape! \\u001b"\n',
    ),
]


def validate(run: Run, text: str, *args: str) -> tuple[int, list[str]]:
    write_record(Path("records"), "demo", text)
    done = run("validate", "--format", "concise", "--no-cache", *args)
    return done.exit_code, done.stdout.splitlines()[:-1]  # the summary line left out


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_toml_1_1_syntax_is_a_located_syntax_error(run: Run, case: Case) -> None:
    status, problems = validate(run, VALID_RECORD + case.toml_1_1)
    assert status == 1
    assert len(problems) == 1, problems
    where = f"records/demo.toml:{END + case.line - 1}:{case.column}: error E002 TOML: "
    assert problems[0].startswith(where), problems


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_same_written_the_toml_1_0_way_passes(run: Run, case: Case) -> None:
    assert validate(run, VALID_RECORD + case.toml_1_0, "--strict") == (0, [])


def test_a_record_field_written_as_a_multi_line_inline_table_is_refused(run: Run) -> None:
    table = '[period]\nstart = "2017-03"\nend = "2018-11"\n'
    multi_line = 'period = {\n  start = "2017-03",\n  end = "2018-11",\n}\n'
    status, problems = validate(run, edited(VALID_RECORD, (table, multi_line)))
    assert (status, problems) == (1, ["records/demo.toml:10:11: error E002 TOML: Invalid initial "
                                      "character for a key part"])  # fmt: skip
    one_line = 'period = { start = "2017-03", end = "2018-11" }\n'
    assert validate(run, edited(VALID_RECORD, (table, one_line)), "--strict") == (0, [])


def test_fmt_gives_the_same_verdict(run: Run) -> None:
    write_record(Path("records"), "demo", VALID_RECORD + CASES[-1].toml_1_1)
    done = run("fmt", "--check")
    assert done.exit_code == 1
    assert "records/demo.toml: not valid TOML: Unescaped '\\' in a string" in done.stderr


def test_the_locator_places_problems_after_escapes_written_the_toml_1_0_way(run: Run) -> None:
    """The scanner that locates problems reads the escapes of TOML 1.0 (`\\e` is 1.1 only)."""
    text = edited(
        VALID_RECORD,
        ('title = "Lyon \u2013 Graz"', 'title = "Lyon \\u001b\\u00e9 \\t Graz"'),
        ('region = "Auvergne-Rhône-Alpes"', '"r\\u0065gion" = "A\\u001b"\n"\\u001bcolour" = 1'),
        ('country = "France"', '"c\\u006Funtry" = "Frnace"'),
    )
    status, problems = validate(run, text)
    assert status == 1
    assert [p.split(" (did you mean")[0] for p in problems] == [
        "records/demo.toml:17:1: error E102 unknown key '\\x1bcolour' in [city]",
        "records/demo.toml:18:18: error E109 city.country: unknown country 'Frnace': expected an "
        "ISO 3166-1 name or code",
    ]


def test_the_locator_reads_no_toml_1_1_escape() -> None:
    source = build_source_map('"a\\u001b" = 1\n"b\\e" = 2\n"c\\x41" = 3\n')
    assert source.key(("a\x1b",)) == Position(1, 1)
    assert source.key(("b\x1b",)) is None and source.key(("cA",)) is None


def test_the_installed_parsers_read_toml_1_0() -> None:
    assert reads_toml_1_0(tomllib)
    parser = sys.modules[ucap_cli.toml.parser.loads.__module__].__name__
    assert parser.split(".")[0] in {"tomli", "tomllib"}
    assert reads_toml_1_0(sys.modules[parser.split(".")[0]])


def ucap(tmp_path: Path, *args: str, hide_tomli: bool = False) -> subprocess.CompletedProcess[str]:
    """`ucap ARGS...` in a subprocess in `tmp_path`; modules in `tmp_path/fake` come first on
    the path (a stand-in `tomli` or `tomllib`); `hide_tomli`: as if tomli were not installed."""
    hide = "sys.modules['tomli'] = None; " if hide_tomli else ""
    script = f"import sys; {hide}sys.argv[0] = 'ucap'; from ucap_cli.__main__ import main; main()"
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=tmp_path,
        env={
            **os.environ,
            "NO_COLOR": "1",
            "PYTHONPATH": os.pathsep.join([str(tmp_path / "fake"), str(REPO)]),
        },
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_tomllib_fallback_locates_errors_as_tomli_does(tmp_path: Path) -> None:
    """Python 3.11's tomllib gives the position only in its message: it is read from there."""
    for number, case in enumerate(CASES):
        write_record(tmp_path / "records", f"r{number}", VALID_RECORD + case.toml_1_1)
    write_record(tmp_path / "records", "end", VALID_RECORD + "x = [1,\n")  # at end of document
    with_tomli = ucap(tmp_path, "validate", "--format", "concise", "--no-cache")
    with_tomllib = ucap(tmp_path, "validate", "--format", "concise", "--no-cache", hide_tomli=True)
    assert with_tomli.returncode == with_tomllib.returncode == 1, with_tomllib.stderr
    assert with_tomllib.stdout == with_tomli.stdout
    assert f"records/end.toml:{END + 1}:1: error E002 TOML: " in with_tomllib.stdout
    assert "(at line" not in with_tomllib.stdout and "(at end" not in with_tomllib.stdout


LENIENT_TOMLI = '''\
"""A TOML 1.1 parser's stand-in: tomllib, plus the \\\\e escape of TOML 1.1."""
import tomllib
from tomllib import TOMLDecodeError

def loads(text, /, *, parse_float=float):
    return tomllib.loads(text.replace("\\\\e", "\\\\u001b"), parse_float=parse_float)
'''

ANYTHING_GOES = '''\
"""A TOML parser's stand-in that accepts every text (so TOML 1.1 too)."""
class TOMLDecodeError(ValueError):
    pass

def loads(text, /, *, parse_float=float):
    return {}
'''


def test_a_toml_1_1_tomli_is_passed_over_for_a_toml_1_0_tomllib(tmp_path: Path) -> None:
    write_record(tmp_path / "fake", "tomli.py", LENIENT_TOMLI)
    write_record(tmp_path / "records", "demo", VALID_RECORD + CASES[-1].toml_1_1)
    done = ucap(tmp_path, "validate", "--format", "concise", "--no-cache")
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"records/demo.toml:{END}:10: error E002 TOML: Unescaped '\\'" in done.stdout


def test_without_a_toml_1_0_parser_ucap_refuses_to_read(tmp_path: Path) -> None:
    write_record(tmp_path / "fake", "tomli.py", ANYTHING_GOES)
    write_record(tmp_path / "fake", "tomllib.py", ANYTHING_GOES)
    write_record(tmp_path / "records", "demo", VALID_RECORD)
    for args in (["validate"], ["list"], ["fmt", "--check"]):
        done = ucap(tmp_path, *args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        assert done.stdout == ""
        assert "records are TOML 1.0, but this installation's TOML parser reads TOML 1.1" in (
            done.stderr
        )
        assert "pip install 'tomli>=2.2.1,<2.4'" in done.stderr
