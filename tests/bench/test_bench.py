"""The benchmark suite (bench/): its quick mode runs here so that it never rots."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ucap_cli.cli.app import app

BENCH = Path(__file__).resolve().parents[2] / "bench"
# Each ucap case of bench/run.py and the command it needs.
UCAP_CASES = {
    "validate-one": "validate",
    "validate-edited": "validate",
    "validate-large": "validate",
    "list": "list",
    "list-json": "list",
    "timeline-json": "timeline",
    "summary": "summary",
    "agreements": "agreements",
    "agreements-json": "agreements",
    "results": "results",
    "results-json": "results",
    "export-datapackage": "export",
    "export-sqlite": "export",
    "broken-validate-cold": "validate",
    **{
        f"broken-{view}{cold}": view.split("-")[0]
        for view in ("list", "list-json", "timeline-json", "summary")
        for cold in ("", "-cold")
    },
    # `changes` between two revisions, and its reference: git diff --stat + list (issue 15)
    "changes": "changes",
    "changes-reference": "list",
}


def _generate(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH / "generate.py"), str(out), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _validate(folder: Path, *args: str) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "ucap_cli", "validate", "--format", "json", *args, str(folder)],
        capture_output=True,
        text=True,
        check=False,
        cwd=folder,
        timeout=60,
    )
    return done.returncode, json.loads(done.stdout)


def _exists(command: str) -> bool:
    return CliRunner().invoke(app, [command, "--help"]).exit_code == 0


@pytest.mark.slow
def test_quick_run_prints_a_figure_for_every_existing_command(tmp_path: Path) -> None:
    report = tmp_path / "bench.json"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--quick",
            "--data",
            str(tmp_path / "data"),
            "--json",
            str(report),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(report.read_text(encoding="utf-8"))
    assert results["quick"] is True
    assert results["collections"]["large"]["records"] == 100
    cases = {case["key"]: case for case in results["cases"]}
    assert set(cases) == set(UCAP_CASES)  # no peers without --peers
    lines = done.stdout.splitlines()
    for key, command in UCAP_CASES.items():
        case = cases[key]
        if not _exists(command):
            assert case["status"] == "skipped"
            assert f"`ucap {command}` does not exist yet" in done.stdout
            continue
        assert case["status"] == "ok", case["note"]
        assert len(case["runs"]) == 1
        assert case["wall_seconds"] > 0
        assert case["peak_bytes"] > 1_000_000
        row = next(line for line in lines if line.startswith(case["label"] + " "))
        assert f"{case['wall_seconds']:.3f}" in row.split()
        assert f"{case['peak_bytes'] / 1e6:.1f}" in row.split()
    # Quick runs give ratios only: the budgets are judged on 10,000 records.
    assert all(budget["pass"] is None for budget in results["budgets"])
    assert "PASS" not in done.stdout
    assert "FAIL" not in done.stdout
    # The edited case works on a copy of the collection, and its file is put back.
    (original,) = [
        p for p in (tmp_path / "data").glob("n100-*") if not p.name.endswith(("-edited", "-i0.05"))
    ]
    copy = original.with_name(f"{original.name}-edited")
    assert sorted(f.read_bytes() for f in copy.rglob("*.toml")) == sorted(
        f.read_bytes() for f in original.rglob("*.toml")
    )


def test_generated_records_are_valid_under_strict(tmp_path: Path) -> None:
    out = tmp_path / "records"
    done = _generate(out, "--count", "25", "--seed", "5")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("wrote 25 records (0 invalid")
    status, report = _validate(out, "--strict")
    assert (status, report["files_checked"], report["errors"], report["warnings"]) == (0, 25, 0, 0)
    files = sorted(out.rglob("*.toml"))
    assert len(files) == 25
    assert all(len(f.relative_to(out).parts) == 3 for f in files)  # programme/year/id.toml
    sizes = [f.stat().st_size for f in files]
    assert min(sizes) >= 8_000 and max(sizes) <= 12_500
    text = "".join(f.read_text(encoding="utf-8") for f in files)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)  # CJK
    assert any(ch in text for ch in "áéíóúłńőčěšžø")  # accented European names


@pytest.mark.slow
@pytest.mark.parametrize(("count", "share", "expected"), [(40, "0.1", 4), (20, "0.05", 1)])
def test_invalid_share_gives_that_many_files_with_errors(
    tmp_path: Path, count: int, share: str, expected: int
) -> None:
    out = tmp_path / "records"
    done = _generate(out, "--count", str(count), "--invalid", share, "--seed", "3")
    assert done.returncode == 0, done.stderr
    assert f"({expected} invalid," in done.stdout
    status, report = _validate(out)
    assert status == 1
    assert report["files_checked"] == count
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    assert len({p["path"] for p in errors}) == expected
    assert report["warnings"] == 0
    # The faults come in turn: unknown key, bad date, unknown country, TOML syntax error.
    codes = sorted(p["code"] for p in errors)
    assert codes == sorted(["E102", "E105", "E109", "E002"][:expected])


def test_generator_is_deterministic_and_keeps_existing_files(tmp_path: Path) -> None:
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        assert _generate(tmp_path / name, "--count", "3", "--seed", seed).returncode == 0

    def contents(name: str) -> list[bytes]:
        return [f.read_bytes() for f in sorted((tmp_path / name).rglob("*.toml"))]

    assert contents("a") == contents("b")
    assert contents("a") != contents("c")
    again = _generate(tmp_path / "a", "--count", "3")
    assert again.returncode == 2
    assert "is not empty" in again.stderr
