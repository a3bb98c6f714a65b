"""Start-up cost: each command imports only what it uses (ucap runs on every commit)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO

HEAVY = ("rich.table", "rich.console", "ucap_cli.summary", "ucap_cli.render.summary", "tomli_w")


def imported_modules(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ucap_cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert "Traceback" not in done.stderr
    return {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if "|" in line}


@pytest.mark.parametrize(
    "args", [("--version",), ("validate", "records"), ("validate", "--format", "json")]
)
def test_version_and_validate_do_not_import_views_or_rich(args: tuple[str, ...]) -> None:
    modules = imported_modules(*args)
    assert "ucap_cli" in modules
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_version_does_not_import_pydantic_or_the_model() -> None:
    modules = imported_modules("--version")
    assert not modules & {"ucap_cli.model", "ucap_cli.load", "pydantic"}
