"""Start-up cost: each command imports only what it uses (ucap runs on every commit)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, VALID_RECORD, edited, write_record

from ucap_cli.store.workers import MIN_FILES

PAST = 1_500_000_000  # 2017: files older than the cache's racy window

HEAVY = (
    "rich.table",
    "rich.console",
    "ucap_cli.views.summary",
    "ucap_cli.render.summary",
    "tomli_w",
)


def imported_modules(*args: str, cwd: Path = REPO) -> set[str]:
    return set(imports(*args, cwd=cwd))


def imports(*args: str, cwd: Path = REPO) -> list[str]:
    """Every module `ucap ARGS...` imports, once for each process that imports it."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ucap_cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert "Traceback" not in done.stderr
    assert done.returncode == 0, done.stdout
    return [line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if "|" in line]


@pytest.mark.parametrize(
    "args", [("--version",), ("validate", "records"), ("validate", "--format", "json")]
)
def test_version_and_validate_do_not_import_views_or_rich(args: tuple[str, ...]) -> None:
    modules = imported_modules(*args)
    assert "ucap_cli" in modules
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_version_does_not_import_pydantic_or_the_model() -> None:
    modules = imported_modules("--version")
    assert not modules & {"ucap_cli.record.model", "ucap_cli.check.loader", "pydantic"}


def test_validate_answered_from_the_cache_does_not_import_pydantic(tmp_path: Path) -> None:
    """The pre-commit case on an unchanged file: the verdict cache answers, so neither the
    model nor pydantic is imported; a changed file is validated with them."""
    shutil.copytree(REPO / "records", tmp_path / "records")
    given = write_record(tmp_path / "records", "demo", VALID_RECORD)
    for path in (tmp_path / "records").rglob("*.toml"):
        os.utime(path, (PAST, PAST))
    first = imported_modules("validate", str(given), cwd=tmp_path)
    assert {"pydantic", "ucap_cli.record.model"} <= first  # nothing cached yet

    again = imported_modules("validate", str(given), cwd=tmp_path)
    assert not again & {"pydantic", "ucap_cli.record.model"}, sorted(again & {"pydantic"})

    given.write_text(VALID_RECORD + "# changed\n", encoding="utf-8")
    changed = imported_modules("validate", str(given), cwd=tmp_path)
    assert {"pydantic", "ucap_cli.record.model"} <= changed


def test_workers_validating_many_files_start_with_the_model_imported(tmp_path: Path) -> None:
    for number in range(MIN_FILES):
        write_record(
            tmp_path / "records", f"r{number}", edited(VALID_RECORD, ("demo", f"r{number}"))
        )
    modules = imports("validate", "--no-cache", cwd=tmp_path)
    assert modules.count("ucap_cli.record.model") == 1  # in the parent, before the workers fork
