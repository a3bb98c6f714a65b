"""Shared fixtures: run the real CLI in a scratch folder, and write record files.

- `run(*args, env=None, input=None)`: invoke `ucap ARGS...` through Typer's `CliRunner`
  (`catch_exceptions=False`, so a traceback fails the test) with `NO_COLOR=1`, in a fresh
  `tmp_path` made the current folder, so config discovery does not find the repository's own
  `pyproject.toml`. Returns typer's `Result` (`exit_code`, `output` = stdout and stderr as a
  terminal shows them, `stdout`, `stderr`).
- `write_record(folder, name, text)`: write `text` to `folder/name` (`.toml` added when the
  name has no suffix), creating sub-folders; returns the path.
- `write_collection(folder, {name: text, ...})`: `write_record` for each; returns `folder`.
- `edited(text, (old, new), ...)`: `text` with the first occurrence of each `old` (which
  must occur) replaced by `new`: a variant of a record without copying it.
- `VALID_RECORD`: a small record that is valid under `--strict` when saved as `demo.toml`
  (every key kind used once: partial dates, an alias, an agreement, SDGs, a topic).
- `LYON_GRAZ`, `PUNE`: two records of the made-up collection that the summary and timeline
  tests count on (see their comment).
- `example(name)`: the text of tests/data/valid/NAME.toml, where the records above are kept
  (`VALID_RECORD` is `example("demo")`); `DATA`: the tests/data folder.
- `REPO`: the repository root (holds README.md and the bundled `records/`).
- `generate_records(out_dir, count, seed, invalid=0.0)`: bench/generate.py's collection of
  `count` records (valid under `--strict`, but a share `invalid` of files with one fault each).
- `on_terminal(*args, cwd)`: `ucap ARGS` in a subprocess whose stdout is a pseudo-terminal, as
  a person runs it; returns (exit status, output).
"""

from __future__ import annotations

import importlib
import os
import pty
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

import pytest
from typer.testing import CliRunner, Result

from ucap_cli.cli.app import app

REPO = Path(__file__).resolve().parents[1]

DATA = REPO / "tests" / "data"


def example(name: str) -> str:
    """The text of tests/data/valid/NAME.toml, exactly as stored (line ends included)."""
    return (DATA / "valid" / f"{name}.toml").read_bytes().decode("utf-8")


# Valid under --strict as `demo.toml`. Line numbers are relied on by tests: keep the file
# stable (append to it, or derive a variant with `edited`, rather than reflowing it).
VALID_RECORD = example("demo")

# A made-up collection for the summary and timeline tests, which count every number in it:
# keep both records as they are (add a record, or derive one with `edited`). Lyon leads
# Lyon-Graz, whose activities are out of order in the file (an exact-day span before a
# month-only date of the same month, a year-only date last); Graz takes part by name, by
# alias (GRZ) and as a `where`, Málaga as one of the places in "Málaga and Lyon". Pune's
# period is ongoing and it has a planned span (dated long ago: its one warning, W306).
LYON_GRAZ = example("lyon-graz")
PUNE = example("pune")


class Run(Protocol):
    """The `run` fixture's signature."""

    def __call__(
        self, *args: str, env: Mapping[str, str] | None = None, input: str | None = None
    ) -> Result: ...


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """`ucap ARGS...` in `tmp_path` (the current folder), without colour, no exception caught."""
    monkeypatch.chdir(tmp_path)
    for name in ("UCAP_RECORDS", "GITHUB_ACTIONS", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def invoke(
        *args: str, env: Mapping[str, str] | None = None, input: str | None = None
    ) -> Result:
        return runner.invoke(
            app,
            list(args),
            env={"NO_COLOR": "1", **(env or {})},
            input=input,
            catch_exceptions=False,
        )

    return invoke


def write_record(folder: Path, name: str, text: str | bytes) -> Path:
    """Write `text` (str as UTF-8, or raw bytes) to `folder/name`; `.toml` added if no suffix."""
    path = folder / name
    if not path.suffix:
        path = path.with_suffix(".toml")
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def write_collection(folder: Path, records: Mapping[str, str]) -> Path:
    """Write each `{name: text}` of `records` into `folder` with `write_record`; returns it."""
    for name, text in records.items():
        write_record(folder, name, text)
    return folder


def edited(text: str, *changes: tuple[str, str]) -> str:
    """`text` with the first occurrence of each `old` replaced by `new`; each must occur."""
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def generate_records(out_dir: Path, count: int, seed: int, invalid: float = 0.0) -> None:
    """bench/generate.py's `generate`: `count` records in `out_dir`, a share `invalid` faulty."""
    bench = str(REPO / "bench")
    sys.path.insert(0, bench)
    try:
        module = importlib.import_module("generate")
    finally:
        sys.path.remove(bench)
    module.generate(out_dir, count, seed=seed, invalid=invalid)


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
