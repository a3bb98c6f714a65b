"""ucap_cli/check/rules.py: the checks beyond the model (warnings W3xx, duplicate ids, TODO
marks)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import VALID_RECORD, Run, edited, write_record


def report(run: Run, *args: str) -> tuple[int, list[tuple[int, int, str]], list[dict[str, Any]]]:
    """Exit status, (line, column, code) of each problem, and the problems of a JSON report."""
    result = run("validate", "--format", "json", *args)
    problems = json.loads(result.stdout)["problems"]
    return result.exit_code, [(p["line"], p["column"], p["code"]) for p in problems], problems


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
