"""ucap_cli/render/problems.py: the report of `ucap validate` in each of its formats (text on a
terminal and piped, concise, JSON, GitHub annotations, SARIF), through the CLI, then the
writers called on a validation result directly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_RECORD, Run, write_record

from ucap_cli import __version__
from ucap_cli.check.problems import CODES, Problem
from ucap_cli.check.result import ValidationResult
from ucap_cli.render.problems import (
    as_concise,
    as_github,
    as_json,
    as_plain,
    as_sarif,
    as_text,
    first_line,
    summary_line,
)
from ucap_cli.render.registry import Options, Screen


def report(run: Run, *args: str) -> tuple[int, dict[str, Any]]:
    """Exit status and the parsed JSON report of `ucap validate --format json ARGS`."""
    result = run("validate", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def two_problems(tmp_path: Path) -> Path:
    """demo.toml with an error (E109, line 17) and a warning (W303, line 29)."""
    text = VALID_RECORD.replace('country = "France"', 'country = "Frnace"')
    write_record(tmp_path, "records/ok", VALID_RECORD.replace('id = "demo"', 'id = "ok"'))
    path = write_record(tmp_path, "records/demo", text)
    # W3xx are checked once a record has no errors: the warning lives in a second file.
    write_record(
        tmp_path,
        "records/warn",
        VALID_RECORD.replace('id = "demo"', 'id = "warn"').replace(
            'cities = ["Lyon", "GRZ"]', 'cities = ["Lyon", "GRZ", "Gratz"]'
        ),
    )
    return path


E109_MESSAGE = (
    "city.country: unknown country 'Frnace': expected an ISO 3166-1 name or code "
    "(did you mean 'France'?)"
)


W303_MESSAGE = (
    "activities[1].cities: 'Gratz' is neither the lead city nor a partner (did you mean 'Graz'?)"
)


W303_HINT = (
    "add it as a partner, fix the spelling, or add `# ucap: ignore[W303]` to the line if that "
    "is deliberate"
)


@pytest.mark.usefixtures("two_problems")
@pytest.mark.parametrize("fmt", [None, "text", "concise"])
def test_text_and_concise(run: Run, fmt: str | None) -> None:
    result = run("validate", *(["--format", fmt] if fmt else []))
    assert result.exit_code == 1
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        f"records/demo.toml:17:11: error E109 {E109_MESSAGE}",
        f"records/warn.toml:29:26: warning W303 {W303_MESSAGE}",
        "1 error, 1 warning in 3 files",
    ]


def test_text_on_a_terminal_shows_the_source_line_a_caret_and_the_hint(
    tmp_path: Path, two_problems: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ucap_cli.config import load_config
    from ucap_cli.render.problems import text_lines
    from ucap_cli.store.collection import validate

    monkeypatch.chdir(tmp_path)
    result = validate(load_config(tmp_path))
    lines = [line.plain for line in text_lines(result, detailed=True)]
    assert lines == [
        f"records/demo.toml:17:11: error E109 {E109_MESSAGE}",
        ' 17 | country = "Frnace"',
        "    |           ^",
        f"records/warn.toml:29:26: warning W303 {W303_MESSAGE}",
        ' 29 | cities = ["Lyon", "GRZ", "Gratz"]',
        "    |                          ^",
        f"  hint: {W303_HINT}",
        "1 error, 1 warning in 3 files",
    ]


@pytest.mark.parametrize(
    ("old", "new", "source", "caret"),
    [
        (
            'country = "France"',
            '\tcountry =\t"Frnace"',
            '    country =   "Frnace"',
            "                ^",
        ),
        (
            'cities = ["Lyon", "GRZ"]',
            'cities = ["里昂", "Gratz", "Lyon", "GRZ"]',
            'cities = ["里昂", "Gratz", "Lyon", "GRZ"]',
            "                  ^",  # 里昂 takes four cells
        ),
    ],
)
def test_caret_stands_under_the_column_with_tabs_and_wide_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, source: str, caret: str
) -> None:
    from ucap_cli.config import load_config
    from ucap_cli.render.problems import text_lines
    from ucap_cli.store.collection import validate

    monkeypatch.chdir(tmp_path)
    write_record(tmp_path, "demo", VALID_RECORD.replace(old, new))
    result = validate(load_config(tmp_path), [tmp_path / "demo.toml"])
    shown = [line.plain for line in text_lines(result, detailed=True)]
    at = max(i for i, text in enumerate(shown) if text.startswith("demo.toml:"))
    assert "Frnace" in shown[at] or "Gratz" in shown[at]
    assert shown[at + 1].split(" | ", 1)[1] == source
    assert shown[at + 2].split(" | ", 1)[1] == caret


@pytest.mark.usefixtures("two_problems")
def test_json_field_by_field(run: Run) -> None:
    result = run("validate", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "ucap_version": __version__,
        "files_checked": 3,
        "errors": 1,
        "warnings": 1,
        "problems": [
            {
                "path": "records/demo.toml",
                "line": 17,
                "column": 11,
                "severity": "error",
                "code": "E109",
                "message": E109_MESSAGE,
                "hint": None,
            },
            {
                "path": "records/warn.toml",
                "line": 29,
                "column": 26,
                "severity": "warning",
                "code": "W303",
                "message": W303_MESSAGE,
                "hint": W303_HINT,
            },
        ],
    }


def test_json_with_no_problems(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "demo", VALID_RECORD)
    status, data = report(run, "demo.toml")
    assert (status, data) == (
        0,
        {
            "ucap_version": __version__,
            "files_checked": 1,
            "errors": 0,
            "warnings": 0,
            "problems": [],
        },
    )


@pytest.mark.usefixtures("two_problems")
@pytest.mark.parametrize("env", [{}, {"GITHUB_ACTIONS": "true"}])
def test_github_annotations(run: Run, env: dict[str, str]) -> None:
    args = ["validate"] if env else ["validate", "--format", "github"]
    result = run(*args, env=env)
    assert result.exit_code == 1
    error, warning, summary = result.stdout.splitlines()
    assert error == (f"::error file=records/demo.toml,line=17,col=11,title=E109::{E109_MESSAGE}")
    assert warning == (
        f"::warning file=records/warn.toml,line=29,col=26,title=W303::{W303_MESSAGE} "
        f"(hint: {W303_HINT})"
    )
    assert summary == "1 error, 1 warning in 3 files"


def test_github_escapes_properties_and_data(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "a,b:c%", VALID_RECORD.replace('id = "demo"', 'id = "x"'))
    result = run("validate", "--format", "github", "--select", "W301", "a,b:c%.toml")
    assert result.stdout.splitlines()[0] == (
        "::warning file=a%2Cb%3Ac%25.toml,line=2,col=6,title=W301::id 'x' differs from the "
        "file name 'a,b:c%25.toml' (hint: rename the file to x.toml or set id = 'a,b:c%25')"
    )


def test_github_actions_false_keeps_text(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "demo", VALID_RECORD.replace('"France"', '"Frnace"'))
    result = run("validate", "demo.toml", env={"GITHUB_ACTIONS": "false"})
    assert result.stdout.startswith("demo.toml:17:11: error E109 ")
    result = run("validate", "--format", "json", "demo.toml", env={"GITHUB_ACTIONS": "true"})
    assert json.loads(result.stdout)["errors"] == 1


@pytest.mark.usefixtures("two_problems")
def test_sarif(run: Run) -> None:
    result = run("validate", "--format", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0"
    assert "sarif" in log["$schema"]
    (sarif_run,) = log["runs"]
    assert sarif_run["columnKind"] == "unicodeCodePoints"  # columns count characters
    driver = sarif_run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("ucap", __version__)
    assert [rule["id"] for rule in driver["rules"]] == ["E109", "W303"]
    assert driver["rules"][0]["shortDescription"]["text"] == CODES["E109"].summary
    assert [r["defaultConfiguration"]["level"] for r in driver["rules"]] == ["error", "warning"]
    first, second = sarif_run["results"]
    assert (first["ruleId"], first["ruleIndex"], first["level"]) == ("E109", 0, "error")
    assert first["message"]["text"] == E109_MESSAGE
    assert first["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "records/demo.toml"},
                "region": {"startLine": 17, "startColumn": 11},
            }
        }
    ]
    assert (second["ruleId"], second["ruleIndex"], second["level"]) == ("W303", 1, "warning")
    assert second["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 29,
        "startColumn": 26,
    }


def test_unknown_format_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "demo", VALID_RECORD)
    result = run("validate", "--format", "xml", "demo.toml")
    assert result.exit_code == 2
    assert "xml" in result.stderr


# --------------------------------------------------------------------------- the writers


RESULT = ValidationResult(
    3,
    [
        Problem("records/a,b:c%.toml", 17, 11, "E109", "unknown country 'Fr\x1b[2Jance'"),
        Problem("records/w.toml", 29, 26, "W303", "'Gratz'\nis no partner", W303_HINT),
    ],
    sources={"records/w.toml": "\n" * 28 + 'cities = ["Lyon", "GRZ", "Gratz"]\n'},
)


def test_the_summary_line_counts_in_words() -> None:
    assert summary_line(RESULT) == "1 error, 1 warning in 3 files"
    assert summary_line(ValidationResult(1, [])) == "0 errors, 0 warnings in 1 file"


def test_first_lines_are_clickable_and_escaped() -> None:
    assert first_line(RESULT.problems[0]) == (
        "records/a,b:c%.toml:17:11: error E109 unknown country 'Fr\\x1b[2Jance'"
    )
    assert first_line(RESULT.problems[1]) == (
        "records/w.toml:29:26: warning W303 'Gratz'\\x0ais no partner"
    )


def test_text_is_plain_in_a_pipe_and_a_screen_on_a_terminal() -> None:
    plain = as_text(RESULT, Options())
    assert plain == as_concise(RESULT, Options()) == as_plain(RESULT) + "\n"
    assert isinstance(plain, str) and plain.splitlines()[-1] == "1 error, 1 warning in 3 files"
    screen = as_text(RESULT, Options(terminal=True))
    assert isinstance(screen, Screen) and screen.soft_wrap
    shown = [line.plain for line in screen.renderable]
    assert shown[2:5] == [
        ' 29 | cities = ["Lyon", "GRZ", "Gratz"]',
        "    |                          ^",
        f"  hint: {W303_HINT}",
    ]  # the first problem's file has no source kept: no excerpt
    concise = as_concise(RESULT, Options(terminal=True))
    assert isinstance(concise, Screen) and len(concise.renderable) == 3


def test_json_is_every_problem_with_its_hint() -> None:
    data = json.loads(as_json(RESULT))
    assert (data["files_checked"], data["errors"], data["warnings"]) == (3, 1, 1)
    assert data["problems"][0]["message"] == "unknown country 'Fr\x1b[2Jance'"  # exact data
    assert [p["hint"] for p in data["problems"]] == [None, W303_HINT]


def test_as_github_escapes_properties_and_data() -> None:
    error, warning, summary = as_github(RESULT).splitlines()
    assert error == (
        "::error file=records/a%2Cb%3Ac%25.toml,line=17,col=11,title=E109::"
        "unknown country 'Fr\\x1b[2Jance'"
    )
    assert warning.startswith("::warning file=records/w.toml,line=29,col=26,title=W303::")
    assert "%0A" not in warning and "\\x0a" in warning  # a line break is escaped as in text
    assert warning.endswith(f" (hint: {W303_HINT})")
    assert summary == "1 error, 1 warning in 3 files"


def test_sarif_rules_are_the_codes_used_in_order() -> None:
    doubled = ValidationResult(2, [*RESULT.problems, RESULT.problems[0]])
    log = json.loads(as_sarif(doubled))
    (sarif_run,) = log["runs"]
    assert [r["id"] for r in sarif_run["tool"]["driver"]["rules"]] == ["E109", "W303"]
    assert [(r["ruleId"], r["ruleIndex"]) for r in sarif_run["results"]] == [
        ("E109", 0),
        ("W303", 1),
        ("E109", 0),
    ]
    assert sarif_run["results"][1]["message"]["text"].endswith(f" (hint: {W303_HINT})")
    assert as_sarif(ValidationResult(0, [])).count('"results": []') == 1
