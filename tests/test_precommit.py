"""The real `pre-commit` runs the `ucap-validate` hook of this repository (slow: ~1 minute).

`pre-commit try-repo` installs the hook's repository into a fresh virtual environment (from
PyPI) and runs it in a scratch git repository holding one good and one broken record.

try-repo takes the repository at HEAD plus its changes to *tracked* files; a module added
but not yet committed would be missing from that snapshot. So the test commits a copy of the
working tree (tracked and untracked files, minus .gitignore'd ones) to a scratch repository
and tries that: the hook is tested exactly as the code stands.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, VALID_RECORD, write_record

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.skipif(
        importlib.util.find_spec("pre_commit") is None,
        reason="pre-commit is not installed (pip install '.[test]')",
    ),
]

BROKEN = VALID_RECORD.replace('id = "demo"', 'id = "broken"').replace(
    'country = "France"', 'country = "Frnace"'
)


def git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
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
    commit_all(target, env)


def commit_all(folder: Path, env: dict[str, str]) -> None:
    git("init", "-q", cwd=folder, env=env)
    git("add", "-A", cwd=folder, env=env)
    git("-c", "commit.gpgsign=false", "commit", "-q", "-m", "snapshot", cwd=folder, env=env)


def test_hook_passes_on_a_good_record_and_fails_on_a_broken_one(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "ucap tests",
        "GIT_AUTHOR_EMAIL": "tests@example.org",
        "GIT_COMMITTER_NAME": "ucap tests",
        "GIT_COMMITTER_EMAIL": "tests@example.org",
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1",
    }
    for name in ("UCAP_RECORDS", "GITHUB_ACTIONS", "PRE_COMMIT", "GIT_DIR", "GIT_INDEX_FILE"):
        env.pop(name, None)

    hook_repo = tmp_path / "ucap"
    hook_repo.mkdir()
    snapshot(REPO, hook_repo, env)

    work = tmp_path / "work"
    write_record(work, "records/demo", VALID_RECORD)
    write_record(work, "records/broken", BROKEN)
    commit_all(work, env)

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "ucap-validate",
             "--color", "never", "--verbose", "--files", *files],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )  # fmt: skip

    good = try_repo("records/demo.toml")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "ucap validate" in good.stdout and "Passed" in good.stdout
    assert "0 errors, 0 warnings in 1 file" in good.stdout

    broken = try_repo("records/broken.toml")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Failed" in broken.stdout
    assert (
        "records/broken.toml:17:11: error E109 city.country: unknown country 'Frnace'"
        in broken.stdout
    )
    assert "1 error, 0 warnings in 1 file" in broken.stdout
    assert "records/demo.toml" not in broken.stdout
