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


def excerpt_of(excerpt: str, text: str) -> bool:
    """`excerpt` (lines, a `...` line standing for lines left out) is `text` with some of its
    lines left out: its first part begins `text`, its last part ends it, and the parts are
    runs of consecutive lines of `text`, in order."""
    parts = [part.strip("\n") for part in ("\n" + excerpt + "\n").split("\n...\n")]
    lines = "\n" + text.strip("\n") + "\n"
    if not lines.startswith("\n" + parts[0] + "\n") or not lines.endswith("\n" + parts[-1] + "\n"):
        return False
    at = 0
    for part in parts:
        found = lines.find("\n" + part + "\n", at)
        if found < 0:
            return False
        at = found + len(part) + 1
    return True


def test_the_markdown_example_is_the_real_output(run: Run) -> None:
    """The `--format markdown` example of `ucap agreements`: the bundled record's, its lines
    as written (`...`: rows left out)."""
    (example,) = re.findall(r"^ *```markdown\n(.*?)^ *```$", PAGE, re.MULTILINE | re.DOTALL)
    example = "\n".join(line.removeprefix("  ") for line in example.splitlines())
    assert example.startswith("# Agreements\n") and "\n...\n" in example
    result = run("agreements", "--format", "markdown", "--records", str(REPO / "records"))
    assert result.exit_code == 0
    by_year = result.stdout.index("\n## By year")
    assert excerpt_of(example, result.stdout[:by_year])  # the page stops after `## By kind`
    assert not excerpt_of(example.replace("| 7 |", "| 8 |"), result.stdout[:by_year])
