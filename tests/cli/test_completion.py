"""Shell completion: the values offered (ids, cities, themes, kinds), through the shell protocol,
and quoted so that the shell reads back the value."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import REPO, VALID_RECORD, Run, edited, write_record

from ucap_cli.cli.completion import complete_cities, complete_ids, complete_kinds, complete_themes

RECORDS = str(REPO / "records")


def test_completion_reads_the_collection(tmp_path: Path) -> None:
    ctx = SimpleNamespace(params={"records": REPO / "records"})
    assert complete_ids(ctx, "zh") == ["zhengzhou"]
    assert complete_ids(ctx, "x") == []
    assert complete_cities(ctx, "Má") == ["Málaga"]
    assert complete_cities(ctx, "Ma") == ["Malaga"]
    assert complete_cities(ctx, "ma") == ["malaga"]  # Typer keeps exact prefixes only
    assert complete_cities(ctx, "A") == ["AAK", "Agii Anargiri-Kamatero"]
    assert complete_themes(ctx, "Smart") == ["Smart Cities & Digital Transition"]
    assert complete_kinds(ctx, "m") == ["media", "meeting", "mission"]
    broken = SimpleNamespace(params={"records": tmp_path / "missing"})
    write_record(tmp_path, "bad", "id = [")
    assert complete_ids(broken, "") == []
    assert complete_ids(SimpleNamespace(params={"records": tmp_path}), "") == []


def test_completion_through_the_shell_protocol(run: Run) -> None:
    env = {
        "_UCAP_COMPLETE": "complete_bash",
        "COMP_WORDS": f"ucap list --records {RECORDS} --city ro",
        "COMP_CWORD": "5",
    }
    result = run(env=env)
    assert result.stdout.split() == ["rome"]


# --------------------------------------------------------------------------- completion quoting

THEMES = '["Mobility", "Smart Cities & Digital Transition", "Costs $HOME `id` \\"x\\" \\\\ y!"]'


def _completion_project(tmp_path: Path) -> Path:
    text = edited(
        VALID_RECORD,
        ('themes = ["Mobility", "Logistics"]', f"themes = {THEMES}"),
        ('name = "Graz"', 'name = "O\'Brien"'),
        ('name = "Lyon"', 'name = "Málaga"'),
    )
    write_record(tmp_path, "records/demo", text)
    return tmp_path


def _complete(folder: Path, shell: str, line: str) -> list[str]:
    """What `ucap` answers a Tab press at the end of `line` in `shell` (Typer's protocol)."""
    env = {**os.environ, "_UCAP_COMPLETE": f"complete_{shell}", "NO_COLOR": "1"}
    env.pop("UCAP_RECORDS", None)
    if shell == "bash":  # the script passes COMP_WORDS joined by newlines (its IFS)
        words = shlex_words(line)
        env |= {"COMP_WORDS": "\n".join(words), "COMP_CWORD": str(len(words) - 1)}
    else:
        env |= {"_TYPER_COMPLETE_ARGS": line, "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    ucap = str(Path(sys.executable).parent / "ucap")
    done = subprocess.run([ucap], cwd=folder, env=env, capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    return done.stdout.splitlines()


def shlex_words(line: str) -> list[str]:
    """The words of a command line as bash's COMP_WORDS has them: split at unquoted spaces,
    quotes kept (a last word of a single space means a new, empty word)."""
    words = re.findall(r"""(?:[^\s'"\\]|\\.|'[^']*'?|"(?:[^"\\]|\\.)*"?)+""", line)
    return [*words, ""] if line.endswith(" ") else words


def _read_back_by_bash(word: str) -> str:
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", f"printf '%s\\n' {word}"],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], "HOME": "/nonexistent"},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("--theme Sm", "Smart Cities & Digital Transition"),
        ("--theme Co", 'Costs $HOME `id` "x" \\ y!'),
        ("--city O", "O'Brien"),
        ("--city Má", "Málaga"),
    ],
)
@pytest.mark.parametrize("quote", ["", "'", '"'])
def test_bash_completion_inserts_one_word_that_reads_back_as_the_value(
    tmp_path: Path, typed: str, value: str, quote: str
) -> None:
    option, prefix = typed.split(" ")
    [word] = _complete(_completion_project(tmp_path), "bash", f"ucap list {option} {quote}{prefix}")
    # Bash puts the word in place of what was typed (after the quote that was opened, which
    # it then closes): that is what the shell reads.
    inserted = f"{quote}{word}{quote}"
    if shutil.which("bash"):
        assert _read_back_by_bash(inserted) == value + "\n"
    if not quote:
        assert word == (value if value == "Málaga" else shlex.quote(value))


def test_zsh_and_fish_completion_are_left_to_the_shells_quoting(tmp_path: Path) -> None:
    folder = _completion_project(tmp_path)
    zsh = _complete(folder, "zsh", "ucap list --theme Sm")
    assert zsh == ["_arguments '*: :((\"Smart Cities & Digital Transition\"))'"]
    assert _complete(folder, "fish", "ucap list --theme Sm") == [
        "Smart Cities & Digital Transition"
    ]
    everyone = ["GRZ", "Lyon", "Málaga", "'O'\"'\"'Brien'"]  # activity cities too
    assert _complete(folder, "bash", "ucap list --city ") == everyone


def test_values_with_control_characters_are_not_offered(tmp_path: Path) -> None:
    text = VALID_RECORD.replace('"Logistics"', '"Lo\\u001b[2Jgistics", "Lo\\ngistics", "Local"')
    write_record(tmp_path, "records/demo", text)
    assert _complete(tmp_path, "bash", "ucap list --theme Lo") == ["Local"]
    assert _complete(tmp_path, "fish", "ucap list --theme Lo") == ["Local"]
