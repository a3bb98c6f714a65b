"""docs/reports.md tells the truth: each `$ ucap ...` of its console blocks, run on the
bundled records at 80 columns, prints what the page shows, and writes the files it says."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from conftest import REPO, Run

PAGE = (REPO / "docs" / "reports.md").read_text(encoding="utf-8")
_FENCE = re.compile(r"^```console\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def examples() -> list[tuple[str, str]]:
    """(command, output) for each `$ ucap` line of the page's console blocks."""
    found: list[tuple[str, str]] = []
    for block in _FENCE.findall(PAGE):
        command: str | None = None
        output: list[str] = []
        for line in [*block.splitlines(), "$ end"]:
            if line.startswith("$ "):
                if command is not None:
                    found.append((command, "\n".join(output)))
                command, output = line[2:], []
            else:
                output.append(line)
    return found


def normalised(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines())


def test_the_page_has_examples() -> None:
    commands = [command for command, _ in examples()]
    assert "ucap agreements --during 2018" in commands
    assert any(command.startswith("ucap results") for command in commands)
    assert any(" -o " in command for command in commands)


@pytest.mark.parametrize(("command", "shown"), examples(), ids=[c for c, _ in examples()])
def test_examples_are_real_outputs(run: Run, tmp_path: Path, command: str, shown: str) -> None:
    shutil.copytree(REPO / "records", tmp_path / "records")
    arguments = shlex.split(command)
    assert arguments[0] == "ucap"
    result = run(*arguments[1:], env={"COLUMNS": "80"})
    assert normalised(result.output) == normalised(shown)
    if "-o" in arguments and result.exit_code == 0:
        assert (tmp_path / arguments[arguments.index("-o") + 1]).stat().st_size > 0
