# ruff: noqa: RUF001 - the page writes en dashes
"""docs/changes.md tells the truth: its transcripts are `ucap changes` run in the scratch
repository the page describes, built here step by step, and its synopsis names real options.

The page's transcripts are `text` blocks (test_readme's scratch project is not a git
repository): each `$ ucap changes ...` line is run, at 80 columns and without colour, and
what it prints, stdout and stderr together, must be the lines under it; its exit status is 0,
1 under "Errors" (a record with errors), 2 for a bad command line (`ucap: error: ...`).

The repository, in order of the page:

- `v2024-q3`: the bundled Zhengzhou record, committed and tagged;
- `v2024-q4`: a commit that adds `lyon-graz` (tests/data/valid/demo.toml under that id) and
  edits Zhengzhou's record (Q4 below), tagged;
- uncommitted edits of Zhengzhou's record (UNCOMMITTED);
- from the "Errors" section on: a draft that is not TOML, and an unknown country in
  lyon-graz (ERRORS).

Commits have a fixed author, committer and date, so their hashes depend only on the files;
the page shows the hashes of its own JSON example, and a change to the bundled record (which
changes the hashes) does not fail this test: the real hashes are replaced by the page's.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, VALID_RECORD, Run, edited, write_record

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

PAGE = (REPO / "docs" / "changes.md").read_text(encoding="utf-8")
ZHENGZHOU = (REPO / "records" / "zhengzhou.toml").read_text(encoding="utf-8")
LYON_GRAZ = edited(VALID_RECORD, ('id = "demo"', 'id = "lyon-graz"'))
SIGNING = """\
[[activities]]
date = "2019-03-14"
kind = "signing"
title = "Málaga and Zhengzhou sign the Smart City Pilot Zone agreement"
where = "Zhengzhou"
cities = ["Málaga", "Zhengzhou"]

[[activities.agreements]]
kind = "mou"
parties = ["Málaga City Council", "Zhengzhou Municipal People's Government"]

"""
# The Q4 commit's edits of Zhengzhou's record, as the page shows them.
Q4 = [
    ('end = "2018-11"', 'end = "2019-06"'),  # the period's
    (
        'title = "Zhengzhou hosts a visit of EU pilot city delegates"',
        'title = "Zhengzhou hosts a visit of EU pilot city delegates and companies"',
    ),
    ('date = "2018-04"\nkind = "meeting"', 'date = "2018-04-12"\nkind = "meeting"'),
    ('theme = "Mobility"\nstatus = "planned"', 'theme = "Mobility"\nstatus = "in-progress"'),
    (
        'theme = "Innovation / Start-Ups"  # ucap: ignore[W304]\nstatus = "planned"',
        'theme = "Innovation / Start-Ups"  # ucap: ignore[W304]\nstatus = "achieved"',
    ),
    ("[[expected_results]]\n", SIGNING + "[[expected_results]]\n"),
]
# Edits not committed: an output reworded, a mission cancelled.
UNCOMMITTED = [
    (
        '"Wide press coverage of Zhengzhou visit',
        '"Wide press coverage of the Zhengzhou visit',
    ),
    (
        'title = "Mission of Zhengzhou and Henan DRC to Nice, Granada and Rome"\n',
        'title = "Mission of Zhengzhou and Henan DRC to Nice, Granada and Rome"\n'
        'status = "cancelled"\n',
    ),
]
# The "Errors" section's working tree: a draft that is not TOML, a misspelt country.
DRAFT = 'id = "draft"\ntitle = Lyon – Graz, to be written\n'
ERRORS = [('country = "AT"', 'country = "Atlantis"')]

GIT_ENV = {
    "GIT_AUTHOR_NAME": "ucap docs",
    "GIT_AUTHOR_EMAIL": "docs@ucap.invalid",
    "GIT_COMMITTER_NAME": "ucap docs",
    "GIT_COMMITTER_EMAIL": "docs@ucap.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}
DATES = {"v2024-q3": "2024-09-30T12:00:00+00:00", "v2024-q4": "2024-12-20T12:00:00+00:00"}


def git(root: Path, *args: str, date: str = DATES["v2024-q3"]) -> str:
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def commit(root: Path, tag: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"Records of {tag}", date=DATES[tag])
    git(root, "tag", tag)


def build(root: Path) -> None:
    """The repository of the page, up to its uncommitted edits (ERRORS come later)."""
    git(root, "init", "-q")
    records = root / "records"
    write_record(records, "zhengzhou", ZHENGZHOU)
    commit(root, "v2024-q3")
    write_record(records, "lyon-graz", LYON_GRAZ)
    write_record(records, "zhengzhou", edited(ZHENGZHOU, *Q4))
    commit(root, "v2024-q4")
    write_record(records, "zhengzhou", edited(ZHENGZHOU, *Q4, *UNCOMMITTED))


def make_errors(root: Path) -> None:
    write_record(root / "records", "draft", DRAFT)
    write_record(root / "records", "lyon-graz", edited(LYON_GRAZ, *ERRORS))


# --------------------------------------------------------------------------- the page


_FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def transcripts() -> list[tuple[str, list[tuple[str, str]]]]:
    """(heading, [(command, output)]) of each `text` block of the page holding `$ ` lines."""
    found = []
    for match in _FENCE.finditer(PAGE):
        language, body = match.groups()
        if language != "text" or not body.startswith("$ "):
            continue
        headings = re.findall(r"^#+ (.+)$", PAGE[: match.start()], re.MULTILINE)
        steps: list[tuple[str, str]] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], ""))
            else:
                command, output = steps[-1]
                steps[-1] = (command, output + line + "\n")
        found.append((headings[-1] if headings else "", steps))
    return found


def page_commits() -> dict[str, str]:
    """The full hash the page's JSON example gives each tag."""
    shown = dict(re.findall(r'"revision": "(v[\w-]+)",\n\s*"commit": "([0-9a-f]{40})"', PAGE))
    assert set(shown) == set(DATES), shown
    return shown


def normalised(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines())


def test_the_page_shows_every_part_of_the_scenario() -> None:
    commands = [command for _, steps in transcripts() for command, _ in steps]
    assert "ucap changes v2024-q3 v2024-q4" in commands  # between two tags
    assert "ucap changes v2024-q4" in commands  # to the working tree
    for option in ("--city", "--format markdown", "--format csv", "--format json"):
        assert any(option in command for command in commands), option
    assert all(command.startswith("ucap changes ") for command in commands)


def test_the_page_s_transcripts_are_real(run: Run, tmp_path: Path) -> None:
    build(tmp_path)
    real = {tag: git(tmp_path, "rev-parse", tag).strip() for tag in DATES}
    shown = page_commits()
    errors_made = False
    for heading, steps in transcripts():
        if heading == "Errors" and not errors_made:
            make_errors(tmp_path)
            errors_made = True
        for command, expected in steps:
            result = run(*shlex.split(command)[1:], env={"COLUMNS": "80"})
            output = result.output
            for tag in DATES:  # the page's hashes for the real ones (see the docstring)
                output = output.replace(real[tag], shown[tag])
                output = output.replace(real[tag][:7], shown[tag][:7])
            assert normalised(output) == normalised(expected), f"$ {command}"
            if expected.startswith("ucap: error: "):
                assert result.exit_code == 2, command
            else:
                assert result.exit_code == (1 if errors_made else 0), command
    assert errors_made


def test_the_synopsis_names_real_options(run: Run) -> None:
    """The `sh` block at the top: every option it names is an option of `ucap changes`, and
    its formats are the view's."""
    from ucap_cli.render.registry import formats

    (synopsis,) = [body for language, body in _FENCE.findall(PAGE) if language == "sh"]
    assert synopsis.startswith("ucap changes REV [REV2] [FILTERS]")
    help_text = run("changes", "--help", env={"COLUMNS": "200"}).stdout
    options = re.findall(r"--[\w-]+", synopsis)
    assert options and all(re.search(rf"{option}\b", help_text) for option in options), options
    (listed,) = re.findall(r"--format ([\w|]+)", synopsis)
    assert set(listed.split("|")) == set(formats("changes"))
