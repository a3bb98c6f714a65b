"""The README tells the truth: commands, problem codes, and example outputs."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from ucap_cli.check.problems import CODES
from ucap_cli.cli.app import app

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
ENV = {"NO_COLOR": "1", "COLUMNS": "100"}
_FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```$", re.MULTILINE | re.DOTALL)
_SHELL = re.compile(r"[|<>;&`$()]")


def fenced(language: str) -> list[str]:
    """The README's code blocks in `language`, dedented (blocks may sit in list items)."""
    return [textwrap.dedent(body) for _, lang, body in _FENCE.findall(README) if lang == language]


def commands() -> list[tuple[str, object]]:
    """(`ucap NAME [SUB]`, click command) for every registered command, sub-commands too."""
    found: list[tuple[str, object]] = []

    def walk(prefix: str, command: object) -> None:
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            found.append((f"{prefix} {name}", sub))
            walk(f"{prefix} {name}", sub)

    walk("ucap", typer.main.get_command(app))
    return found


def test_commands_are_found() -> None:
    names = [name for name, _ in commands()]
    assert "ucap validate" in names and "ucap schema" in names


@pytest.mark.parametrize(("name", "command"), commands(), ids=[n for n, _ in commands()])
def test_every_command_has_help_and_is_in_the_readme(name: str, command: object) -> None:
    help_text = getattr(command, "help", None) or getattr(command, "short_help", None)
    assert help_text and help_text.strip(), f"{name} has no help text"
    assert re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", README), f"{name} not in README"


def test_every_command_answers_help() -> None:
    runner = CliRunner()
    for name, _ in commands():
        result = runner.invoke(app, [*name.split()[1:], "--help"], env=ENV, catch_exceptions=False)
        assert result.exit_code == 0, name
        assert result.stdout.startswith(f"Usage: {name}"), result.stdout[:200]


def test_problem_code_table_matches_the_codes() -> None:
    table = README.split("<!-- codes:start -->", 1)[1].split("<!-- codes:end -->", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| (\w+) \| (.+?) \|$", table, re.MULTILINE)
    assert rows == [(c.id, str(c.severity), c.summary) for c in CODES.values()]


# --------------------------------------------------------------------------- console examples


@dataclass(frozen=True)
class Example:
    """One `$ ucap ...` line of a console block and the output the README shows for it."""

    command: str
    output: str


def examples() -> list[Example]:
    found = []
    for block in fenced("console"):
        command: str | None = None
        output: list[str] = []
        for line in [*block.splitlines(), "$ end"]:
            if line.startswith("$ "):
                if command is not None:
                    found.append(Example(command, "\n".join(output)))
                command = line[2:] if line.startswith("$ ucap") else None
                output = []
            else:
                output.append(line)
    return found


def normalised(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines())


def test_the_readme_has_console_examples() -> None:
    assert any(example.command == "ucap validate" for example in examples())


@pytest.mark.parametrize("example", examples(), ids=[e.command for e in examples()])
def test_console_examples_are_real_outputs(
    example: Example, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    for name in ("UCAP_RECORDS", "GITHUB_ACTIONS", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    if _SHELL.search(example.command):  # pipes, redirections: a real shell
        bin_folder = str(Path(sys.executable).parent)
        env = {**os.environ, **ENV, "PATH": bin_folder + os.pathsep + os.environ["PATH"]}
        done = subprocess.run(
            example.command, shell=True, cwd=REPO, env=env, capture_output=True, text=True
        )
        output = done.stdout + done.stderr
    else:
        args = shlex.split(example.command)[1:]
        output = CliRunner().invoke(app, args, env=ENV, catch_exceptions=False).output
    assert normalised(output) == normalised(example.output)


def test_error_example_is_the_real_output_for_a_misspelt_country(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The text and JSON examples of a problem: the bundled record with 'Chnia' for 'China'."""
    from ucap_cli.config import load_config
    from ucap_cli.render.problems import text_lines
    from ucap_cli.store.collection import validate

    original = (REPO / "records" / "zhengzhou.toml").read_text(encoding="utf-8")
    assert original.count('country = "China"') == 1
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "zhengzhou.toml").write_text(
        original.replace('country = "China"', 'country = "Chnia"'), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("UCAP_RECORDS", raising=False)

    (text_example,) = [b for b in fenced("text") if "Chnia" in b]
    result = validate(load_config(tmp_path))
    shown = "\n".join(line.plain for line in text_lines(result, detailed=True))
    assert shown.startswith(text_example.rstrip("\n"))

    (json_example,) = [b for b in fenced("json") if "Chnia" in b]
    runner = CliRunner()
    output = runner.invoke(app, ["validate", "--format", "json"], env=ENV, catch_exceptions=False)
    assert json.loads(output.stdout) == json.loads(json_example)
