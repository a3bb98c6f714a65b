"""Example records as files (tests/data), validated through the real CLI, the way
check-jsonschema keeps its example-files.

- tests/data/valid/NAME.toml: a record without errors, saved as NAME.toml (its id); `ucap
  validate --strict` passes it. The only exception is a warning the record is kept with for the
  tests that use it, listed in a sidecar NAME.expected.json (pune.toml: a planned activity
  dated long ago, which the views count).
- tests/data/invalid/NAME.toml: a record with problems: one per code (`CODE-what.toml`) or a
  case of several (`inline.toml`, `many.toml`). Its sidecar NAME.expected.json lists exactly
  the problems `ucap validate` reports, in order: `line`, `column`, `code` and the whole
  `message` (a `note` tells the reader why, and is not compared). Optional keys: `file`, the
  name the record is saved under (default NAME.toml; most are variants of valid/demo.toml,
  saved as demo.toml), and `config`, the text of a ucap.toml beside it.

Each record is copied into a scratch folder and validated there: the text report line by
line, its summary and exit status, with and without `--strict`, then the JSON report. The two
codes that need more than one record file or a byte that is not UTF-8 (E201, E001) have their
own tests in test_validate.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, Run

from ucap_cli.check.problems import CODES

VALID = sorted((DATA / "valid").glob("*.toml"))
INVALID = sorted((DATA / "invalid").glob("*.toml"))
SIDECAR = ".expected.json"
# Codes whose examples are tests of their own (test_validate.py): E001 (a byte that is not
# UTF-8) and E201 (an id used by two files).
TESTED_APART = {"E001", "E201"}


def expectations(record: Path) -> dict[str, Any]:
    """The sidecar of `record` (an empty list of problems when it has none)."""
    sidecar = record.with_name(record.stem + SIDECAR)
    if not sidecar.exists():
        return {"problems": []}
    spec: dict[str, Any] = json.loads(sidecar.read_text(encoding="utf-8"))
    assert set(spec) <= {"file", "config", "problems"}, sidecar
    return spec


def counts(errors: int, warnings: int) -> str:
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def validated_as_expected(run: Run, tmp_path: Path, record: Path) -> list[dict[str, Any]]:
    """Validate a copy of `record` as its sidecar says; assert every report; its problems."""
    spec = expectations(record)
    file = spec.get("file", record.name)
    shutil.copyfile(record, tmp_path / file)
    if "config" in spec:
        (tmp_path / "ucap.toml").write_text(spec["config"], encoding="utf-8")
    problems: list[dict[str, Any]] = spec["problems"]
    severities = [str(CODES[p["code"]].severity) for p in problems]
    errors, warnings = severities.count("error"), severities.count("warning")

    result = run("validate", file)
    assert result.stdout.splitlines() == [
        *(
            f"{file}:{p['line']}:{p['column']}: {severity} {p['code']} {p['message']}"
            for p, severity in zip(problems, severities, strict=True)
        ),
        f"{counts(errors, warnings)} in 1 file",
    ]
    assert result.stderr == ""
    assert result.exit_code == (1 if errors else 0)
    assert run("validate", "--strict", file).exit_code == (1 if problems else 0)

    report = run("validate", "--format", "json", file)
    assert report.exit_code == result.exit_code
    data = json.loads(report.stdout)
    assert [
        (p["path"], p["line"], p["column"], p["severity"], p["code"], p["message"])
        for p in data["problems"]
    ] == [
        (file, p["line"], p["column"], severity, p["code"], p["message"])
        for p, severity in zip(problems, severities, strict=True)
    ]
    assert (data["errors"], data["warnings"], data["files_checked"]) == (errors, warnings, 1)
    return problems


@pytest.mark.parametrize("record", VALID, ids=[path.stem for path in VALID])
def test_a_valid_example_passes(run: Run, tmp_path: Path, record: Path) -> None:
    problems = validated_as_expected(run, tmp_path, record)
    assert [p["code"] for p in problems if CODES[p["code"]].severity == "error"] == []
    assert "file" not in expectations(record)  # saved under its own name: the id's


@pytest.mark.parametrize("record", INVALID, ids=[path.stem for path in INVALID])
def test_an_invalid_example_gives_exactly_its_problems(
    run: Run, tmp_path: Path, record: Path
) -> None:
    problems = validated_as_expected(run, tmp_path, record)
    assert problems, f"{record.name} has no expected problems"
    code, _, _ = record.stem.partition("-")
    if code in CODES:  # an example of one code has that problem only
        assert {p["code"] for p in problems} == {code}


def test_every_code_has_an_example() -> None:
    examples = {p["code"] for record in INVALID for p in expectations(record)["problems"]}
    assert examples | TESTED_APART == set(CODES)


def test_every_sidecar_belongs_to_an_example() -> None:
    for folder in (DATA / "valid", DATA / "invalid"):
        for sidecar in folder.glob("*" + SIDECAR):
            assert sidecar.with_name(sidecar.name.removesuffix(SIDECAR) + ".toml").is_file()
    for record in INVALID:
        assert record.with_name(record.stem + SIDECAR).is_file(), record.name
