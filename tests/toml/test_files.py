"""toml/files.py: reading a file that changes size while it is read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ucap_cli.toml import files


@pytest.fixture
def stale_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """`os.fstat` reports a file 10 bytes shorter than it is, as if it grew after the call."""
    real = os.fstat

    def fstat(fd: int) -> os.stat_result:
        info = real(fd)
        values = list(info)
        values[6] = max(info.st_size - 10, 0)  # st_size
        return os.stat_result(values)

    monkeypatch.setattr(os, "fstat", fstat)  # as `files` calls it


@pytest.mark.usefixtures("stale_size")
def test_a_file_that_grew_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_bytes(b"x" * 100)
    assert files.read_bytes(path, 1000) == b"x" * 100
    assert files.read_bytes(path, 100) == b"x" * 100


@pytest.mark.usefixtures("stale_size")
def test_a_file_that_grew_past_the_limit_is_too_large(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_bytes(b"x" * 100)
    with pytest.raises(files.FileTooLargeError):
        files.read_bytes(path, 95)


def test_the_limit_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_bytes(b"x" * 100)
    assert files.read_bytes(path, 100) == b"x" * 100
    with pytest.raises(files.FileTooLargeError):
        files.read_bytes(path, 99)
    (tmp_path / "empty.toml").write_bytes(b"")
    assert files.read_bytes(tmp_path / "empty.toml", 0) == b""
