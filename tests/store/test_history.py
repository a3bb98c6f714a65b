"""`store.history`, the one module that runs git: what it asks git, what it reads, and what
it never does (take a revision as an option, read a file git did not name, parse a blob it
has parsed before)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import PUNE, VALID_RECORD, edited, write_record

from ucap_cli.config import load_config
from ucap_cli.errors import UsageError
from ucap_cli.store import history

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(root: Path, *args: str) -> None:
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@ucap.invalid",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=root,
        capture_output=True,
        check=True,
    )


def commit(root: Path, tag: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", tag)
    git(root, "tag", tag)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    git(tmp_path, "init", "-q")
    write_record(tmp_path / "records", "demo", VALID_RECORD)
    commit(tmp_path, "v1")
    return tmp_path


def test_a_revision_like_an_option_never_reaches_git(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = history.open_repository(repo / "records")
    calls: list[Any] = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(a))
    for name in ("-x", "--output=x", "", "v1\n--all", "a\0b"):
        with pytest.raises(UsageError, match="not a git revision"):
            history.resolve(found, name)
    assert calls == []


def test_resolve_names_the_revision_that_does_not_exist(repo: Path) -> None:
    found = history.open_repository(repo / "records")
    (v1,) = history.resolve(found, "v1")
    assert len(v1.commit or "") == 40 and v1.label == "v1"
    with pytest.raises(UsageError, match="unknown git revision 'nope'"):
        history.resolve(found, "v1", "nope")
    assert history.Revision().label == "the working tree"


def test_changed_files_are_the_collection_s(repo: Path) -> None:
    records = repo / "records"
    write_record(records, "notes.txt", "not a record")
    write_record(records, ".hidden", PUNE)
    write_record(records, ".drafts/pune", PUNE)
    write_record(records, "sub dir/pune ü", PUNE)
    write_record(repo / "elsewhere", "pune", PUNE)
    (repo / ".gitignore").write_text("records/ignored.toml\n", encoding="utf-8")
    write_record(records, "ignored", PUNE)
    found = history.open_repository(records)
    (v1,) = history.resolve(found, "v1")
    untracked = history.changed_files(found, v1, history.Revision())
    assert [c.path for c in untracked] == ["records/sub dir/pune ü.toml"]
    assert untracked[0].old is None
    commit(repo, "v2")
    (v2,) = history.resolve(found, "v2")
    committed = history.changed_files(found, v1, v2)
    assert [c.path for c in committed] == ["records/sub dir/pune ü.toml"]  # not the ignored
    assert all(c.old is None and c.new and len(c.new) == 40 for c in committed)


def test_the_records_folder_at_the_top_of_the_work_tree(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    write_record(tmp_path, "demo", VALID_RECORD)
    commit(tmp_path, "v1")
    write_record(tmp_path, "pune", PUNE)
    found = history.open_repository(tmp_path)
    assert found.folder == "."
    (v1,) = history.resolve(found, "v1")
    assert [c.path for c in history.changed_files(found, v1, history.Revision())] == ["pune.toml"]


def test_many_blobs_stream_through_one_cat_file(repo: Path) -> None:
    records = repo / "records"
    padding = "# " + "x" * 8000 + "\n"  # 300 files of 10 KB: far more than a pipe holds
    for number in range(300):
        write_record(
            records, f"r{number:03}", edited(PUNE, ('"pune"', f'"r{number:03}"')) + padding
        )
    commit(repo, "v2")
    for number in range(300):
        write_record(records, f"r{number:03}", edited(PUNE, ('"pune"', f'"r{number:03}"')))
    commit(repo, "v3")
    loaded = history.read_changes(load_config(), "v2", "v3", use_cache=False)
    assert len(loaded.old_files) == len(loaded.new_files) == 300
    assert all(f.record is not None and f.ok for f in loaded.old_files + loaded.new_files)
    assert loaded.old_files[5].display == "v2:records/r005.toml"


def test_blobs_parsed_once_are_taken_from_the_cache(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_record(repo / "records", "demo", VALID_RECORD.replace("2018-11", "2019-02"))
    commit(repo, "v2")
    first = history.read_changes(load_config(), "v1", "v2")

    def no_git_reads(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a cached blob was read again")

    monkeypatch.setattr(history, "_blobs", no_git_reads)
    again = history.read_changes(load_config(), "v1", "v2")
    assert [f.record for f in again.old_files + again.new_files] == [
        f.record for f in first.old_files + first.new_files
    ]
    with pytest.raises(AssertionError, match="read again"):
        history.read_changes(load_config(), "v1", "v2", use_cache=False)


@pytest.mark.skipif(os.name == "nt", reason="symbolic links")
def test_a_symbolic_link_at_a_revision_is_reported(repo: Path) -> None:
    (repo / "records" / "link.toml").symlink_to("demo.toml")
    commit(repo, "v2")
    loaded = history.read_changes(load_config(), "v1", "v2")
    (link,) = loaded.new_files
    assert link.record is None
    assert link.problems[0].code == "E001"
    assert "symbolic link" in link.problems[0].message
    # In the working tree, a link is read as the views read it.
    loaded = history.read_changes(load_config(), "v1", None)
    (link,) = loaded.new_files
    assert link.record is not None and link.record.id == "demo"
