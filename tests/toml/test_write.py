"""The one atomic write: failures leave the original intact, locks and races lose nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import VALID_RECORD, write_record

from ucap_cli.authoring.edit import add_entry
from ucap_cli.config import load_config
from ucap_cli.errors import WriteError
from ucap_cli.toml import write
from ucap_cli.toml.parser import loads
from ucap_cli.toml.write import (
    ConcurrentEditError,
    atomic_write,
    create_text,
    lock_path,
    record_lock,
    update_text,
)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_atomic_write_replaces_the_content_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text("old\n", encoding="utf-8")
    path.chmod(0o640)
    atomic_write(path, b"new\n")
    assert path.read_bytes() == b"new\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failure_between_writing_and_renaming_leaves_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    path = tmp_path / "r.toml"
    path.write_bytes(b"original\n")
    written: list[bytes] = []

    def fail(source: str, target: object) -> None:
        written.append(Path(source).read_bytes())  # the new text was fully written...
        raise failure  # ...and the rename never happens

    monkeypatch.setattr(os, "replace", fail)
    expected = WriteError if isinstance(failure, OSError) else KeyboardInterrupt
    with pytest.raises(expected):
        atomic_write(path, b"new text\n")
    assert written == [b"new text\n"]
    assert path.read_bytes() == b"original\n"
    assert leftovers(tmp_path) == []


def test_a_failure_while_writing_leaves_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.toml"
    path.write_bytes(b"original\n")

    def fail(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(WriteError, match="Input/output error"):
        atomic_write(path, b"new\n")
    assert path.read_bytes() == b"original\n"
    assert leftovers(tmp_path) == []


def test_writing_through_a_symbolic_link_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "real.toml"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.toml"
    link.symlink_to(target)
    atomic_write(link, b"new\n")
    assert link.is_symlink()
    assert target.read_bytes() == b"new\n"


def test_create_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "r.toml"
    create_text(path, "one\n")
    with pytest.raises(WriteError, match="already exists"):
        create_text(path, "two\n")
    assert path.read_text(encoding="utf-8") == "one\n"
    assert leftovers(path.parent) == []


def test_an_edit_made_meanwhile_is_merged_once_then_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text("a\n", encoding="utf-8")
    edits = iter(["editor 1\n", "editor 2\n", "editor 3\n"])

    def change(text: str, races: int) -> str:
        if races > 0:  # another program saves the file while we compute
            path.write_text(text + next(edits), encoding="utf-8")
        return text + "ucap\n"

    calls = {"n": 0}

    def once(text: str) -> str:
        calls["n"] += 1
        return change(text, 1 if calls["n"] == 1 else 0)

    assert update_text(path, once) == "a\neditor 1\nucap\n"
    assert path.read_text(encoding="utf-8") == "a\neditor 1\nucap\n"

    def always(text: str) -> str:
        return change(text, 1)

    with pytest.raises(ConcurrentEditError, match="nothing was written"):
        update_text(path, always)
    assert path.read_text(encoding="utf-8") == "a\neditor 1\nucap\neditor 2\neditor 3\n"
    assert leftovers(tmp_path) == []


def test_a_held_lock_makes_the_second_writer_wait_then_give_up(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text("a\n", encoding="utf-8")
    with record_lock(path), pytest.raises(WriteError, match="being written by another ucap"):
        update_text(path, lambda text: text + "b\n", timeout=0.1)
    assert path.read_text(encoding="utf-8") == "a\n"
    assert not lock_path(path).exists()


def test_a_lock_file_left_by_a_crash_does_not_block(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text("a\n", encoding="utf-8")
    lock_path(path).write_text("", encoding="utf-8")  # the OS lock died with its process
    assert update_text(path, lambda text: text + "b\n", timeout=0.5) == "a\nb\n"


def test_concurrent_adds_in_threads_lose_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_record(tmp_path / "records", "demo", VALID_RECORD)
    config = load_config(tmp_path)
    slow = write.atomic_write

    def slower(*args: object, **kwargs: object) -> None:  # widen the race window
        threading.Event().wait(0.01)
        slow(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(write, "atomic_write", slower)
    titles = [f"Meeting {n}" for n in range(8)]
    threads = [
        threading.Thread(
            target=add_entry,
            args=(config, path, "activities", {"date": "2018", "kind": "meeting", "title": t}),
        )
        for t in titles
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    added = [a["title"] for a in loads(path.read_text(encoding="utf-8"))["activities"][1:]]
    assert sorted(added) == titles
    assert leftovers(path.parent) == []


@pytest.mark.slow
def test_two_ucap_processes_adding_to_one_record_lose_nothing(tmp_path: Path) -> None:
    path = write_record(tmp_path / "records", "demo", VALID_RECORD)
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("UCAP_RECORDS", None)
    ucap = [sys.executable, "-m", "ucap_cli", "add", "activity", "demo", "--kind", "meeting"]
    commands = [[*ucap, "--date", f"2018-0{n}", "--title", f"Process {n}"] for n in "12"]
    processes = [
        subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
        for command in commands
    ]
    outputs = [p.communicate(timeout=60)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    activities = loads(path.read_text(encoding="utf-8"))["activities"]
    assert sorted(a["title"] for a in activities[1:]) == [f"Process {n}" for n in "12"]
    assert leftovers(path.parent) == []
