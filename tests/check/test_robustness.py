"""Any input gives problems or a usage error, never a traceback."""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from conftest import VALID_RECORD, Run, write_record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ucap_cli.check.problems import CODES
from ucap_cli.config import load_config
from ucap_cli.render.problems import summary_line, text_lines
from ucap_cli.store.collection import validate

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def check(run: Run, path: Path, content: bytes) -> dict[str, Any]:
    """Validate `content` as `path`; assert a clean outcome and sane locations."""
    path.write_bytes(content)
    result = run("validate", "--format", "json", path.name)
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    data: dict[str, Any] = json.loads(result.stdout)
    lines = max(1, content.count(b"\n") + 1)
    for problem in data["problems"]:
        assert problem["code"] in CODES
        assert 1 <= problem["line"] <= lines, problem
        assert problem["column"] >= 1, problem
        assert problem["path"] == path.name
    assert result.exit_code == (1 if data["errors"] else 0)
    # The terminal view (source line, caret, hint), through the library: one CLI call is enough.
    checked = validate(load_config(path.parent), [path])
    shown = "\n".join(line.plain for line in text_lines(checked, detailed=True))
    assert "\x1b" not in shown  # record text never reaches the terminal raw
    assert shown.splitlines()[-1] == summary_line(checked)
    assert (checked.errors, checked.warnings) == (data["errors"], data["warnings"])
    return data


@pytest.mark.slow
@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes(run: Run, tmp_path: Path, content: bytes) -> None:
    check(run, tmp_path / "fuzz.toml", content)


@pytest.mark.slow
@FUZZ
@given(st.text(alphabet=string.printable + "[]{}=\"'#.,\u00e9\u2013\ufeff\x1b", max_size=200))
def test_any_text(run: Run, tmp_path: Path, content: str) -> None:
    check(run, tmp_path / "fuzz.toml", content.encode("utf-8", "surrogatepass"))


@st.composite
def mutated_records(draw: st.DrawFn) -> bytes:
    """The valid record with lines deleted, duplicated, moved, or text spliced in."""
    lines = VALID_RECORD.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        operation = draw(st.sampled_from(["delete", "duplicate", "move", "splice", "value"]))
        if operation == "delete":
            del lines[at]
        elif operation == "duplicate":
            lines.insert(at, lines[at])
        elif operation == "move":
            lines.insert(draw(st.integers(0, len(lines))), lines.pop(at))
        elif operation == "splice":
            line = lines[at]
            cut = draw(st.integers(0, len(line)))
            junk = draw(st.sampled_from(['"', "[", "]", "{", "}", "=", ",", "x", " ", "\n", "#"]))
            lines[at] = line[:cut] + junk + line[cut:]
        elif "=" in lines[at]:
            key = lines[at].split("=", 1)[0]
            value = draw(
                st.sampled_from(
                    ["1", "-1", "0", "true", "1.5", '""', "[]", "{}", '["x"]', "[1, 2]",
                     "2017-06-15", "2017-06-15T10:00:00Z", "10:00:00", '"2017-13"',
                     '{ name = "x" }', "[{}]", '"Frnace"', '"\\u001b[31m"', "inf", "nan"]
                )
            )  # fmt: skip
            lines[at] = f"{key}= {value}\n"
    return "".join(lines).encode()


@pytest.mark.slow
@FUZZ
@given(mutated_records())
def test_mutated_records(run: Run, tmp_path: Path, content: bytes) -> None:
    check(run, tmp_path / "demo.toml", content)


KEYS = ["schema_version", "id", "period", "start", "end", "themes", "city", "partners", "name",
        "country", "activities", "date", "kind", "title", "cities", "agreements", "parties",
        "sdgs", "urban_agenda", "extra", "population", "status", "count", "x"]  # fmt: skip
SCALARS = (
    st.integers(-3, 20)
    | st.booleans()
    | st.floats(allow_nan=True)
    | st.text(max_size=8)
    | st.sampled_from(["2017", "2017-06", "France", "visit", "mou", "Urban Mobility", "demo"])
    | st.dates()
    | st.datetimes()
    | st.times()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=25,
)


@pytest.mark.slow
@FUZZ
@given(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=8))
def test_valid_toml_of_the_wrong_shape(run: Run, tmp_path: Path, document: dict[str, Any]) -> None:
    check(run, tmp_path / "demo.toml", tomli_w.dumps(document).encode())


# --------------------------------------------------------------------------- named cases


def problems_of(run: Run, name: str) -> tuple[int, list[tuple[int, int, str]], str]:
    result = run("validate", "--format", "json", name)
    data = json.loads(result.stdout)
    found = [(p["line"], p["column"], p["code"]) for p in data["problems"]]
    messages = "\n".join(p["message"] for p in data["problems"])
    return result.exit_code, found, messages


def test_empty_file(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "empty", b"")
    status, found, messages = problems_of(run, "empty.toml")
    assert status == 1
    assert found == [(1, 1, "E003")] + [(1, 1, "E101")] * 5
    assert "missing required key 'schema_version' in the top level" in messages


def test_binary_file(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "bin", bytes(range(256)))
    status, found, messages = problems_of(run, "bin.toml")
    # The first byte that is not UTF-8 is 0x80, at offset 128: line 2 (after \n, byte 10).
    assert (status, found) == (1, [(2, 118, "E001")])
    assert messages == "not UTF-8 text: invalid start byte"


def test_not_utf8_reports_the_position(run: Run, tmp_path: Path) -> None:
    content = 'schema_version = 1\nid = "café"\n'.encode("latin-1")
    write_record(tmp_path, "latin", content)
    assert problems_of(run, "latin.toml")[:2] == (1, [(2, 10, "E001")])
    write_record(tmp_path, "latin", b"\xef\xbb\xbf" + content)  # a BOM does not shift it
    assert problems_of(run, "latin.toml")[:2] == (1, [(2, 10, "E001")])
    write_record(tmp_path, "utf16", VALID_RECORD.encode("utf-16"))
    status, found, _ = problems_of(run, "utf16.toml")
    assert (status, found) == (1, [(1, 1, "E001")])


def test_bom_is_tolerated_and_does_not_shift_columns(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "demo", b"\xef\xbb\xbf" + VALID_RECORD.encode())
    assert run("validate", "--strict", "demo.toml").stdout == "0 errors, 0 warnings in 1 file\n"
    broken = VALID_RECORD.replace("schema_version = 1", "schema_version = 2")
    write_record(tmp_path, "demo", b"\xef\xbb\xbf" + broken.encode())
    assert problems_of(run, "demo.toml")[:2] == (1, [(1, 18, "E003")])


def test_crlf_line_endings(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "demo", VALID_RECORD.replace("\n", "\r\n").encode())
    assert run("validate", "--strict", "demo.toml").exit_code == 0
    broken = VALID_RECORD.replace('country = "France"', 'country = "Frnace"')
    write_record(tmp_path, "demo", broken.replace("\n", "\r\n").encode())
    assert problems_of(run, "demo.toml")[:2] == (1, [(17, 11, "E109")])


def test_a_folder_named_like_a_record(run: Run, tmp_path: Path) -> None:
    (tmp_path / "x.toml").mkdir()
    result = run("validate", "x.toml")  # a folder given: its records are checked (none)
    assert (result.exit_code, result.stdout) == (0, "0 errors, 0 warnings in 0 files\n")
    write_record(tmp_path, "records/x.toml/inner", "a = [")
    write_record(tmp_path, "records/good", VALID_RECORD.replace('id = "demo"', 'id = "good"'))
    status, found, _ = problems_of(run, "records")
    assert (status, found) == (1, [(1, 6, "E002")])
    result = run("validate", "--format", "json")
    assert [p["path"] for p in json.loads(result.stdout)["problems"]] == [
        "records/x.toml/inner.toml"
    ]


def test_a_broken_link(run: Run, tmp_path: Path) -> None:
    (tmp_path / "gone.toml").symlink_to(tmp_path / "missing.toml")
    status, found, messages = problems_of(run, "gone.toml")
    assert (status, found) == (1, [(1, 1, "E001")])
    assert "no such file" in messages


def test_unreadable_file(run: Run, tmp_path: Path) -> None:
    import os

    path = write_record(tmp_path, "demo", VALID_RECORD)
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user who can read any file (root)")
        status, found, messages = problems_of(run, "demo.toml")
        assert (status, found, messages) == (1, [(1, 1, "E001")], "cannot read: permission denied")
    finally:
        path.chmod(0o644)


def test_file_larger_than_the_limit(run: Run, tmp_path: Path) -> None:
    (tmp_path / "ucap.toml").write_text("max_file_size = 100\n", encoding="utf-8")
    write_record(tmp_path, "demo", VALID_RECORD)
    status, found, messages = problems_of(run, "demo.toml")
    assert (status, found) == (1, [(1, 1, "E001")])
    assert messages == "file is larger than the limit of 100 bytes (max_file_size)"


def test_missing_path(run: Run) -> None:
    result = run("validate", "missing.toml")
    assert result.exit_code == 2
    assert result.stderr == "ucap: error: no such file or folder: missing.toml\n"
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "content",
    [
        "a = " + "[" * 100_000,
        "a = " + "[" * 100_000 + "]" * 100_000,
        "a = " + "{b = " * 20_000 + "1" + "}" * 20_000,
        "[" + "a." * 50_000 + "b]\n",
    ],
    ids=["open-arrays", "closed-arrays", "inline-tables", "dotted-header"],
)
def test_deep_nesting_is_a_clean_problem(run: Run, tmp_path: Path, content: str) -> None:
    write_record(tmp_path, "deep", content)
    result = run("validate", "deep.toml")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stdout.splitlines()[-1].startswith("1 error") or "E1" in result.stdout


def test_deep_but_parseable_values_are_located(run: Run, tmp_path: Path) -> None:
    # Nested as deep as the limit allows (64 levels: [extra].deep and 62 arrays); 400 levels,
    # which this test used before the one limit, are E004 (tests/store/test_reading_hostile.py).
    deep = "[" * 61 + "1" + "]" * 61
    text = VALID_RECORD.replace("sdgs = [9, 11]", f"sdgs = {deep}").replace(
        'anything = { goes = [1, "here"] }', f"deep = [{deep}]"
    )
    write_record(tmp_path, "demo", text)
    status, found, messages = problems_of(run, "demo.toml")
    assert (status, found) == (1, [(6, 9, "E103")])
    assert messages == "sdgs[1] must be an integer, got an array"


def test_control_characters_in_record_text_are_escaped(run: Run, tmp_path: Path) -> None:
    text = VALID_RECORD.replace('kind = "visit"', 'kind = "\\u001b[2J\\u202evisit"')
    write_record(tmp_path, "demo", text)
    result = run("validate", "demo.toml")
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\u202e" not in result.output
    assert "got '\\x1b[2J\\u202evisit'" in result.stdout
