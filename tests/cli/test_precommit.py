"""The real `pre-commit` runs this repository's hooks on commits of a scratch records repository.

Slow (pre-commit installs ucap into a fresh virtual environment, from the package index): the
environment is installed once for the module, in a shared PRE_COMMIT_HOME, and every scratch
repository uses it through the same `repo`/`rev`.

The hooks' repository is a snapshot: pre-commit takes a repository at a commit, and a module
added but not yet committed would be missing from it. So the module commits a copy of the
working tree (tracked and untracked files, minus .gitignore'd ones) to a scratch repository and
uses that commit: the hooks are tested exactly as the code stands.

The scratch repositories are configured with the README's example, as written, with only what
the README tells the user to fill in: the repository's URL and the commit to pin.

At the end, quick tests (not slow) of `--records-only`, which the hooks pass, through the CLI.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from conftest import REPO, VALID_RECORD, Run, edited, write_record

from ucap_cli.toml.layout import format_text

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


T = TypeVar("T", bound=Callable[..., None])


def slow(test: T) -> T:
    """A test of the real pre-commit: slow, and skipped where pre-commit is not installed."""
    needs = pytest.mark.skipif(
        importlib.util.find_spec("pre_commit") is None,
        reason="pre-commit is not installed (pip install '.[test]')",
    )
    marked: T = pytest.mark.slow(needs(test))
    return marked


RECORD = format_text(VALID_RECORD)  # what the ucap-fmt hook lets through
BROKEN = RECORD.replace('id = "demo"', 'id = "broken"').replace(
    'country = "France"', 'country = "Frnace"'
)
# A partner Málaga, and an activity city misspelt 'Malaaga': valid, with warnings (W303, W307).
MALAGA = '[[partners]]\nname = "Málaga"\ncountry = "ES"\n\n'
WARNED = edited(
    RECORD,
    ('id = "demo"', 'id = "warned"'),
    ("[[activities]]\n", MALAGA + "[[activities]]\n"),
    ('cities = ["Lyon", "GRZ"]', 'cities = ["Lyon", "GRZ", "Malaaga"]'),
)
PYPROJECT = """\
[project]
name = "our-plans"
version = "1"

[tool.ucap]
records = "records"
"""
UCAP_TOML = 'records = "records"\nactivity_kinds = ["study-tour"]\n'
# The README's placeholders, which it tells the user to replace.
README_URL = "https://example.org/your/ucap"
README_REV = "COMMIT-SHA"


def git(*args: str, cwd: Path, env: dict[str, str], check: bool = True) -> str:
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=check,
    )
    return done.stdout


def snapshot(source: Path, target: Path, env: dict[str, str]) -> None:
    """Commit the working tree of `source` (untracked files too) as a new repository."""
    listed = git(
        "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=source, env=env
    )
    for name in filter(None, listed.split("\0")):
        path = source / name
        if path.is_file():  # listed but deleted in the working tree: skip
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / name)
    git("init", "-q", cwd=target, env=env)
    git("add", "-A", cwd=target, env=env)
    git("commit", "-q", "-m", "snapshot", cwd=target, env=env)


def readme_config() -> str:
    """The `.pre-commit-config.yaml` block of the README, as written."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", readme, re.DOTALL)
    assert len(blocks) == 1, "the README has one .pre-commit-config.yaml example"
    return str(blocks[0])


@dataclass
class Hooks:
    """This repository's hooks, committed, and what runs them."""

    repo: Path
    rev: str
    env: dict[str, str]
    config: str  # the README's example with the URL and the commit filled in


@dataclass
class Commit:
    """What `git commit` printed (pre-commit's report) and whether it committed."""

    output: str
    committed: bool


class Project:
    """A scratch records repository with the README's pre-commit configuration installed."""

    def __init__(self, folder: Path, hooks: Hooks) -> None:
        self.folder, self.env = folder, hooks.env
        folder.mkdir(parents=True)
        git("init", "-q", cwd=folder, env=self.env)
        (folder / ".pre-commit-config.yaml").write_text(hooks.config, encoding="utf-8")
        self.pre_commit("install")

    def pre_commit(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", *args],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    def write(self, name: str, text: str) -> None:
        write_record(self.folder, name, text)

    def commit(self, *names: str) -> Commit:
        """Stage `names` and commit them, through the installed pre-commit hook."""
        before = git(
            "rev-parse", "-q", "--verify", "HEAD", cwd=self.folder, env=self.env, check=False
        )
        git("add", *names, cwd=self.folder, env=self.env)
        done = subprocess.run(
            ["git", "-c", "commit.gpgsign=false", "commit", "-m", "change"],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        after = git(
            "rev-parse", "-q", "--verify", "HEAD", cwd=self.folder, env=self.env, check=False
        )
        committed = done.returncode == 0 and after != before
        if not committed:
            git("reset", "-q", cwd=self.folder, env=self.env)  # unstage what was refused
        return Commit(done.stdout + done.stderr, committed)


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> Hooks:
    base = tmp_path_factory.mktemp("pre-commit")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(base / "pre-commit-home"),
        "PRE_COMMIT_COLOR": "never",
        "GIT_AUTHOR_NAME": "ucap tests",
        "GIT_AUTHOR_EMAIL": "tests@example.org",
        "GIT_COMMITTER_NAME": "ucap tests",
        "GIT_COMMITTER_EMAIL": "tests@example.org",
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1",
    }
    for name in ("UCAP_RECORDS", "GITHUB_ACTIONS", "PRE_COMMIT", "GIT_DIR", "GIT_INDEX_FILE"):
        env.pop(name, None)
    repo = base / "ucap"
    repo.mkdir()
    snapshot(REPO, repo, env)
    rev = git("rev-parse", "HEAD", cwd=repo, env=env).strip()
    config = readme_config()
    assert config.count(README_URL) == 1 and config.count(README_REV) == 1, config
    hooks = Hooks(repo, rev, env, config.replace(README_URL, str(repo)).replace(README_REV, rev))
    # Install the hooks' environment once, for every test of the module.
    installed = Project(base / "install", hooks).pre_commit("install-hooks")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return hooks


@pytest.fixture
def project(tmp_path: Path, hooks: Hooks) -> Project:
    """A records repository whose first commit (a valid record, both configuration files)
    passed the hooks."""
    project = Project(tmp_path / "plans", hooks)
    project.write("records/demo", RECORD)
    project.write("pyproject.toml", PYPROJECT)
    project.write("ucap.toml", UCAP_TOML)
    first = project.commit(".")
    assert first.committed, first.output
    return project


@slow
def test_a_clean_commit_passes_and_says_what_was_checked(project: Project) -> None:
    project.write("records/lyon/demo-2", RECORD.replace('id = "demo"', 'id = "demo-2"'))
    done = project.commit(".")
    assert done.committed, done.output
    assert re.search(r"^ucap validate\.+Passed$", done.output, re.MULTILINE), done.output
    assert re.search(r"^ucap fmt\.+Passed$", done.output, re.MULTILINE), done.output
    # verbose: the passing hook's report is shown
    assert "- hook id: ucap-validate\n" in done.output
    assert "0 errors, 0 warnings in 1 file\n" in done.output


@slow
def test_a_commit_of_the_configuration_only_passes(project: Project) -> None:
    project.write("pyproject.toml", PYPROJECT + "\n[tool.ruff]\nline-length = 100\n")
    project.write("ucap.toml", UCAP_TOML + 'ignore = ["W307"]\n')
    done = project.commit("pyproject.toml", "ucap.toml")
    assert done.committed, done.output
    assert "missing required key" not in done.output
    assert re.search(r"^ucap validate\.+\(no files to check\)Skipped$", done.output, re.MULTILINE)


@slow
def test_other_toml_files_of_the_repository_are_not_records(project: Project) -> None:
    """Only the records folder holds records: ucap skips the other staged TOML files."""
    others = {
        ".taplo.toml": 'include = ["records/**/*.toml"]\n',
        "ruff.toml": "line-length = 100\n",
        "tools/Cargo.toml": '[package]\nname = "x"\nversion = "0.1.0"\n',
        # hidden: not part of the collection
        "records/.drafts/half.toml": 'title = "not yet a record"\n',
    }
    for name, text in others.items():
        project.write(name, text)
    done = project.commit(*others)
    assert done.committed, done.output
    assert "0 errors, 0 warnings in 0 files\n" in done.output
    assert "error" not in done.output.replace("0 errors", "")
    assert "would reformat" not in done.output


@slow
def test_a_bad_record_blocks_the_commit_with_its_location(project: Project) -> None:
    project.write("records/broken", BROKEN)
    done = project.commit(".")
    assert not done.committed
    assert re.search(r"^ucap validate\.+Failed$", done.output, re.MULTILINE), done.output
    assert (
        "records/broken.toml:17:11: error E109 city.country: unknown country 'Frnace'"
        in done.output
    )
    assert "1 error, 0 warnings in 1 file" in done.output
    assert "records/demo.toml" not in done.output  # only the staged files are reported


@slow
def test_a_warning_is_shown_on_a_passing_commit_and_blocks_with_the_strict_hook(
    project: Project,
) -> None:
    project.write("records/warned", WARNED)
    warning = (
        "records/warned.toml:33:26: warning W303 activities[1].cities: 'Malaaga' is neither "
        "the lead city nor a partner (did you mean 'Málaga'?)"
    )
    done = project.commit(".")
    assert done.committed, done.output
    assert re.search(r"^ucap validate\.+Passed$", done.output, re.MULTILINE), done.output
    assert warning in done.output
    assert "records/warned.toml:26:8: warning W307 partner 'Málaga' takes part in no activity" in (
        done.output
    )
    assert "0 errors, 2 warnings in 1 file" in done.output

    # The README's strict variant: the same warning fails the commit.
    config = project.folder / ".pre-commit-config.yaml"
    strict = config.read_text(encoding="utf-8").replace(
        "id: ucap-validate\n", "id: ucap-validate-strict\n"
    )
    config.write_text(strict, encoding="utf-8")
    project.write("records/warned", WARNED + "# edited\n")
    blocked = project.commit(".")
    assert not blocked.committed
    assert re.search(r"^ucap validate --strict\.+Failed$", blocked.output, re.MULTILINE)
    assert warning in blocked.output


@slow
def test_the_fmt_hook_blocks_a_record_out_of_the_canonical_layout(project: Project) -> None:
    unordered = edited(
        RECORD,
        ('id = "demo"\n', ""),
        ("schema_version = 1\n", 'schema_version = 1\nid = "other"\n'),
    )
    unordered = edited(
        unordered,
        ('programme = "IUC"\n', ""),
        ('contact = "team@example.org"\n', 'contact = "team@example.org"\nprogramme = "IUC"\n'),
    )
    project.write("records/other", unordered)
    done = project.commit(".")
    assert not done.committed
    assert re.search(r"^ucap validate\.+Passed$", done.output, re.MULTILINE), done.output
    assert re.search(r"^ucap fmt\.+Failed$", done.output, re.MULTILINE), done.output
    assert "would reformat records/other.toml" in done.output


@slow
def test_the_hooks_check_the_given_files(project: Project) -> None:
    """`pre-commit run --files` (what try-repo runs): a good record passes, a broken one fails
    with its location, and the other files are not reported."""
    project.write("records/broken", BROKEN)
    good = project.pre_commit("run", "ucap-validate", "--files", "records/demo.toml")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "ucap validate" in good.stdout and "Passed" in good.stdout
    assert "0 errors, 0 warnings in 1 file" in good.stdout

    broken = project.pre_commit("run", "ucap-validate", "--files", "records/broken.toml")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Failed" in broken.stdout
    assert (
        "records/broken.toml:17:11: error E109 city.country: unknown country 'Frnace'"
        in broken.stdout
    )
    assert "1 error, 0 warnings in 1 file" in broken.stdout
    assert "records/demo.toml" not in broken.stdout


@slow
def test_the_readme_example_pins_the_commit_that_autoupdate_freeze_pins(
    tmp_path: Path, hooks: Hooks
) -> None:
    """The README: fill in your URL, then `pre-commit autoupdate --freeze` pins the commit
    (the snapshot has no release tags, as this repository has none yet: the last commit)."""
    folder = tmp_path / "plans"
    folder.mkdir()
    git("init", "-q", cwd=folder, env=hooks.env)
    config = folder / ".pre-commit-config.yaml"
    config.write_text(readme_config().replace(README_URL, str(hooks.repo)), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "autoupdate", "--freeze"],
        cwd=folder,
        env=hooks.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert config.read_text(encoding="utf-8") == hooks.config

    # Once ucap has release tags: the newest tag's commit, named in a comment.
    config.write_text(readme_config().replace(README_URL, str(hooks.repo)), encoding="utf-8")
    git("tag", "v0.1.0", cwd=hooks.repo, env=hooks.env)
    try:
        again = subprocess.run(
            [sys.executable, "-m", "pre_commit", "autoupdate", "--freeze"],
            cwd=folder,
            env=hooks.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        git("tag", "-d", "v0.1.0", cwd=hooks.repo, env=hooks.env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"    rev: {hooks.rev}  # frozen: v0.1.0\n" in config.read_text(encoding="utf-8")


# `--records-only`, which the hooks pass: quick checks through the CLI, without pre-commit.
OTHERS = {
    ".taplo.toml": 'include = ["records/**/*.toml"]\n',
    "ruff.toml": "line-length = 100\n",
    "tools/Cargo.toml": '[package]\nname = "x"\nversion = "0.1.0"\n',
    "records/.drafts/half.toml": 'title = "not yet a record"\n',
    "records/notes.md": "# Notes\n",
}


def write_project(folder: Path, ucap_toml: str = UCAP_TOML) -> None:
    write_record(folder, "pyproject.toml", PYPROJECT)
    write_record(folder, "ucap.toml", ucap_toml)
    for name, text in OTHERS.items():
        write_record(folder, name, text)


def test_records_only_skips_every_given_file_that_is_not_a_record(run: Run) -> None:
    write_project(Path.cwd())
    given = ["pyproject.toml", "ucap.toml", *OTHERS]
    done = run("validate", "--format", "concise", "--records-only", *given)
    assert (done.exit_code, done.stdout) == (0, "0 errors, 0 warnings in 0 files\n")
    formatted = run("fmt", "--check", "--records-only", *given)
    assert (formatted.exit_code, formatted.stdout) == (0, ""), formatted.output
    assert formatted.stderr == "0 files unchanged\n"

    write_record(Path("records"), "broken", BROKEN)
    write_record(Path("records"), "demo", RECORD)
    done = run("validate", "--format", "concise", "--records-only", "records/broken.toml", *given)
    assert done.exit_code == 1
    assert done.stdout.splitlines() == [
        "records/broken.toml:17:11: error E109 city.country: unknown country 'Frnace': expected "
        "an ISO 3166-1 name or code (did you mean 'France'?)",
        "1 error, 0 warnings in 1 file",
    ]
    assert run("fmt", "--check", "--records-only", "records/demo.toml", *given).exit_code == 0


def test_records_only_follows_the_configured_records_folder(run: Run) -> None:
    write_project(Path.cwd(), 'records = "plans"\n')
    write_record(Path("plans"), "broken", BROKEN)
    write_record(Path("records"), "elsewhere", BROKEN.replace('"broken"', '"elsewhere"'))
    done = run(
        "validate", "--format", "concise", "--records-only", "plans/broken.toml",
        "records/elsewhere.toml",
    )  # fmt: skip
    assert done.exit_code == 1
    assert done.stdout.splitlines()[0].startswith("plans/broken.toml:17:11: error E109")
    assert done.stdout.splitlines()[-1] == "1 error, 0 warnings in 1 file"


def test_records_only_with_the_records_folder_at_the_project_root(run: Run) -> None:
    write_project(Path.cwd(), 'records = "."\n')
    write_record(Path.cwd(), "demo", RECORD)
    given = ["ucap.toml", ".taplo.toml", "records/.drafts/half.toml", "demo.toml"]
    done = run("validate", "--format", "concise", "--records-only", *given)
    assert (done.exit_code, done.stdout) == (0, "0 errors, 0 warnings in 1 file\n")


def test_without_records_only_a_given_file_is_checked_as_a_record(run: Run) -> None:
    """What a user types is checked as typed: only the hooks skip what is not a record."""
    write_project(Path.cwd())
    done = run("validate", "--format", "concise", "ruff.toml")
    assert done.exit_code == 1
    assert "ruff.toml:1:1: error E101 missing required key 'id'" in done.stdout
    write_record(Path("records"), "broken", BROKEN)
    whole = run("validate", "--format", "concise", "--records-only")  # no path: the folder
    assert (whole.exit_code, whole.stdout) == (1, run("validate", "--format", "concise").stdout)
    assert whole.stdout.endswith("1 error, 0 warnings in 1 file\n")
