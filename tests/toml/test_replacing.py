"""Replacing a whole file or folder (toml/write.py `replacing_file`, `replacing_folder`): the
old one or the new one, never half of either, and never a file that ucap did not write."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ucap_cli.errors import UsageError
from ucap_cli.toml.write import replacing_file, replacing_folder


def test_a_file_is_replaced_only_when_the_block_succeeds(tmp_path: Path) -> None:
    target = tmp_path / "out.db"
    target.write_bytes(b"old")
    target.chmod(0o640)
    with pytest.raises(RuntimeError), replacing_file(target) as temp:
        temp.write_bytes(b"half")
        raise RuntimeError
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.db"]
    with replacing_file(target) as temp:
        assert temp.parent == tmp_path and temp.name.startswith(".out.db.")
        temp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["out.db"]


def test_a_folder_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with replacing_folder(target, frozenset()) as temp:
        (temp / "a.csv").write_text("1", encoding="utf-8")
    assert os.listdir(target) == ["a.csv"]
    with replacing_folder(target, frozenset({"a.csv"})) as temp:
        (temp / "b.csv").write_text("2", encoding="utf-8")
    assert os.listdir(target) == ["b.csv"]
    assert sorted(os.listdir(tmp_path)) == ["out"]
    with pytest.raises(KeyboardInterrupt), replacing_folder(target, frozenset({"b.csv"})) as temp:
        (temp / "c.csv").write_text("3", encoding="utf-8")
        raise KeyboardInterrupt
    assert os.listdir(target) == ["b.csv"]
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_a_file_that_appears_meanwhile_stops_the_replacement(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "a.csv").write_text("1", encoding="utf-8")
    with pytest.raises(UsageError, match=r"holds 'mine\.txt'"):  # noqa: SIM117
        with replacing_folder(target, frozenset({"a.csv"})) as temp:
            (temp / "a.csv").write_text("2", encoding="utf-8")
            (target / "mine.txt").write_text("keep me", encoding="utf-8")
    assert sorted(os.listdir(target)) == ["a.csv", "mine.txt"]
    assert (target / "a.csv").read_text(encoding="utf-8") == "1"
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_a_folder_with_a_link_or_a_folder_in_it_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "a.csv").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(UsageError), replacing_folder(target, frozenset({"a.csv"})):
        pass
    (target / "a.csv").unlink()
    (target / "a.csv").mkdir()
    with pytest.raises(UsageError), replacing_folder(target, frozenset({"a.csv"})):
        pass
    assert os.listdir(target) == ["a.csv"]
