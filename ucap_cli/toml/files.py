"""Reading a file for the user: regular files only, never blocking, never past a size limit.

Records come from other people's repositories, where `records/x.toml` may be a FIFO, a device
or a link to `/dev/stdin`: opening one of those for reading waits for a writer forever. Every
file ucap reads for the user (records, configuration, `import`'s summary) goes through
`read_bytes`: the path is checked before it is opened (opening a device can have effects of
its own), opened non-blocking, and checked again on the open file, which may have been
swapped in between. Anything but a regular file is a NotRegularFileError (an OSError).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from functools import lru_cache
from pathlib import Path

from ucap_cli.toml.encoding import check_utf8_mark

# O_NONBLOCK makes the open itself return at once on a FIFO; reading a regular file never
# blocks, so the flag is left on. O_NOCTTY: a terminal device never becomes ours.
_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class NotRegularFileError(OSError):
    """The path names a FIFO, a device or a socket: ucap reads regular files only."""


class FileTooLargeError(ValueError):
    """The file is larger than the size limit (`max_file_size`)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"file is larger than the limit of {limit:,} bytes (max_file_size)")
        self.limit = limit


def kind_of(mode: int) -> str:
    """What a file of `st_mode` `mode` is, in words: "a FIFO", "a device", "a socket"..."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _check(mode: int, path: str | os.PathLike[str]) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):  # the message every reader gave before
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
    raise NotRegularFileError(
        errno.EINVAL, f"not a regular file ({kind_of(mode)})", os.fspath(path)
    )


def read_bytes(path: str | os.PathLike[str], max_size: int | None = None) -> bytes:
    """The bytes of the regular file `path`; OSError (NotRegularFileError for a FIFO, device
    or socket), or FileTooLargeError when it holds more than `max_size` bytes."""
    _check(os.stat(path).st_mode, path)
    fd = os.open(path, _FLAGS)
    with open(fd, "rb") as handle:  # closes fd, whatever happens
        info = os.fstat(fd)
        _check(info.st_mode, path)
        if max_size is None:
            return handle.read()
        if info.st_size > max_size:
            raise FileTooLargeError(max_size)
        # The size, and one byte more to see whether it grew since: asking for max_size + 1
        # bytes would allocate that much (10 MiB) for every file.
        data = handle.read(info.st_size + 1)
        if len(data) > info.st_size:
            data += handle.read(max_size + 1 - len(data))
    if len(data) > max_size:
        raise FileTooLargeError(max_size)
    return data


def read_text(path: str | os.PathLike[str], max_size: int | None = None) -> str:
    """The UTF-8 text of `path` (a leading BOM dropped): `read_bytes`, then
    ForeignEncodingError for UTF-16/32 or UnicodeDecodeError."""
    raw = read_bytes(path, max_size)
    check_utf8_mark(raw)
    return raw.decode("utf-8-sig")


def display_path(path: Path) -> str:
    """The path as the user would type it: relative to the current folder when inside it."""
    if not path.is_absolute():
        return os.path.normpath(path)
    text, folder = str(path), _folder(os.getcwd())
    if os.name == "nt":  # pragma: no cover - Windows compares paths without case
        with contextlib.suppress(ValueError):
            return str(path.relative_to(folder))
        return text
    if text == folder:
        return "."
    inside = folder.rstrip(os.sep) + os.sep  # the root folder already ends with one
    return text[len(inside) :] if text.startswith(inside) else text


@lru_cache(maxsize=8)
def _folder(cwd: str) -> str:
    return str(Path(cwd).resolve())
