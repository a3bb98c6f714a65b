"""Lines, suppression comments and piped output, through the real CLI.

- One notion of "line", TOML's (LF or CRLF), for locations, excerpts, `# ucap: ignore[...]`
  comments and the pre-commit id scan: U+2028, U+2029 and U+0085 are characters of a TOML
  line (in strings and comments), where `str.splitlines` broke lines at them.
- Suppression comments are real comments (a scanner that knows strings finds them); one that
  suppresses nothing is W308. Expected results' themes are checked as activities' are (W304).
- Terminal views sent to a pipe end no line with a space.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import LYON_GRAZ, PUNE, REPO, Run, write_record

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
