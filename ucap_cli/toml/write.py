"""The one way ucap writes a file: atomically, under a per-file lock, never over someone's edit.

`atomic_write` puts the new bytes in a temporary file in the same folder, flushes and fsyncs
it, then renames it over the target (`os.replace`), so a reader sees the old file or the new
one, never half of one; on any failure, Ctrl-C included, the temporary file is removed and the
target is untouched. `update_text` and `create_text` add a lock (`.<name>.lock`, beside the
file) so two ucap processes writing one record take turns, and a compare-before-replace so an
edit made meanwhile by another program is never silently overwritten. A temporary file that
a killed write left (`.NAME.XXXXXXXX.tmp`) is removed by the next write of NAME in that run
once it is an hour old.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ucap_cli.errors import UsageError, WriteError
from ucap_cli.toml.encoding import ForeignEncodingError, check_utf8_mark, not_utf8_message
from ucap_cli.toml.files import FileTooLargeError, display_path, read_bytes

LOCK_TIMEOUT = 10.0  # seconds to wait for another ucap writing the same file
_POLL = 0.02
STALE = 3600.0  # seconds: a temporary file this old was left by a write that was killed
# `atomic_write`'s temporary files, as tempfile.mkstemp names them: `.NAME.` + 8 + `.tmp`.
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp", re.DOTALL)
# The temporary files found in each folder written to in this process, by NAME: one listing
# a folder, however many of its files are written (`fmt` of thousands of records).
_temporaries: dict[str, dict[str, list[str]]] = {}


class ConcurrentEditError(WriteError):
    """The file changed on disk between reading it and replacing it."""


def lock_path(path: Path) -> Path:
    """The lock file of `path`: hidden, beside it, so collections never see it."""
    return path.with_name(f".{path.name}.lock")


def _target(path: Path) -> Path:
    """Write through a symbolic link to the file it points at, keeping the link."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def confined_target(path: Path, within: Path | None = None) -> Path:
    """`_target`, for a file of the collection: a link is written through only to a file in
    the folder `within` (the records folder) or in the link's own folder; any other link is a
    WriteError. A cloned repository's `records/cfg.toml -> ../../other/pyproject.toml` must
    not make `fmt` or `add` rewrite another project's file.
    """
    target = _target(path)
    if target is path:
        return path
    folders = [path.parent, *([within] if within is not None else [])]
    for folder in folders:
        real = os.path.realpath(folder)
        if os.path.commonpath([real, target]) == real:
            return target
    from ucap_cli.toml.files import display_path

    where = "the records folder" if within is not None else "its folder"
    raise WriteError(
        f"{display_path(path)} is a link to a file outside {where} ({display_path(target)}); "
        "nothing was written",
        hint="ucap writes through a link only to a file in the records folder",
    )


def _try_lock(fd: int) -> bool:
    """Take an exclusive lock on an open file without waiting; False when another holds it."""
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined,unused-ignore]
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def record_lock(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the exclusive lock of `path` (waiting up to `timeout` seconds for another ucap).

    The lock is an OS lock (flock) on `.<name>.lock`: it is released when the process ends,
    however it ends, so a crash never leaves a stale lock behind.
    """
    lock = lock_path(path)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise WriteError(f"cannot lock {path}: {error.strerror or error}") from None
        if _try_lock(fd):
            try:
                same = os.path.exists(lock) and os.path.samestat(os.fstat(fd), os.stat(lock))
            except OSError:
                same = False
            if same:  # not a lock file that its last holder removed while we waited
                break
        os.close(fd)
        if time.monotonic() >= deadline:
            raise WriteError(
                f"{path} is being written by another ucap (lock {lock.name}); try again",
                hint=f"if no ucap is running, remove {lock}",
            )
        time.sleep(_POLL)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)  # while still holding it: a waiter re-checks the inode above
        os.close(fd)


def atomic_write(
    path: Path,
    data: bytes | Iterable[bytes],
    *,
    expected: bytes | None = None,
    create: bool = False,
) -> None:
    """Replace `path` with `data` atomically; `data` may come in pieces (a large output,
    never held whole), and if making them fails, nothing is written.

    `expected`: the bytes `path` must still hold just before the rename; `create`: `path` must
    not exist then. Raises WriteError when the write fails and ConcurrentEditError when the
    file is not as expected; either way nothing was changed.
    """
    path = _target(path)
    folder = path.parent
    remove_stale_temporaries(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    except OSError as error:
        raise WriteError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise WriteError(f"cannot write in {folder}: {error.strerror or error}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in [data] if isinstance(data, bytes) else data:
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        if (create and os.path.lexists(path)) or (
            expected is not None and _current(path) != expected
        ):
            raise ConcurrentEditError(
                f"{path} changed on disk (another program?) while ucap was writing it; "
                "nothing was written",
                hint="run the command again",
            )
        os.replace(temp, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(error, OSError):
            raise WriteError(f"cannot write {path}: {error.strerror or error}") from None
        raise
    _sync_folder(folder)


@contextlib.contextmanager
def replacing_file(path: Path) -> Iterator[Path]:
    """A temporary file beside `path` (named as `atomic_write` names its own) for a writer
    that needs a file rather than bytes (a SQLite database). When the block ends without an
    error, the file is flushed to disk and renamed over `path` (through a symbolic link, to
    the file it points at); on any error, Ctrl-C included, it is removed and `path` is left
    as it was. Errors of the file system are WriteErrors."""
    path = _target(path)
    folder = path.parent
    remove_stale_temporaries(path)
    mode = _mode(path)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise WriteError(f"cannot write in {folder}: {error.strerror or error}") from None
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(error, OSError):
            raise WriteError(f"cannot write {path}: {error.strerror or error}") from None
        raise
    _sync_folder(folder)


@contextlib.contextmanager
def replacing_folder(path: Path, replaceable: frozenset[str]) -> Iterator[Path]:
    """A temporary folder beside `path` to write files in; when the block ends without an
    error it takes the place of `path`, and on any error it is removed with what was written
    in it.

    `path` may not exist, or be an empty folder, or hold nothing but regular files named in
    `replaceable` (what an earlier run wrote there): those are removed once the new folder is
    in place, and nothing else ever is. Any other `path` is a UsageError, raised before the
    block runs. The new folder takes the place of the old in two renames (the old one aside,
    the new one in): a reader sees the old files or the new ones, never a mix.
    """
    path = _target(path)
    folder = path.parent
    _replaceable_folder(path, replaceable)
    mode = _mode(path, folder=True)
    try:
        temp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder))
    except OSError as error:
        raise WriteError(f"cannot write in {folder}: {error.strerror or error}") from None
    try:
        os.chmod(temp, mode)  # mkdtemp's folder is the user's alone
        yield temp
        for entry in os.scandir(temp):
            with open(entry.path, "rb") as handle:
                os.fsync(handle.fileno())
        old = _replaceable_folder(path, replaceable)  # again: it may have changed meanwhile
        _swap_folder(temp, path, old)
    except BaseException as error:
        if temp.exists():
            shutil.rmtree(temp, ignore_errors=True)
        if isinstance(error, OSError):
            raise WriteError(f"cannot write {path}: {error.strerror or error}") from None
        raise
    _sync_folder(folder)


def _replaceable_folder(path: Path, replaceable: frozenset[str]) -> list[str] | None:
    """The files of the folder `path` to remove once it is replaced (None: no such folder);
    a UsageError when it may not be replaced."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise WriteError(f"cannot write {path}: {error.strerror or error}") from None
    if not stat.S_ISDIR(status.st_mode):
        raise UsageError(f"{path} exists and is not a folder; nothing was written")
    names: list[str] = []
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.name not in replaceable or not entry.is_file(follow_symlinks=False):
                raise UsageError(
                    f"{path} is not empty and holds {entry.name!r}, which ucap did not write "
                    "there; nothing was written",
                    hint="choose a new folder, or an empty one",
                )
            names.append(entry.name)
    return names


def _swap_folder(new: Path, path: Path, old_files: list[str] | None) -> None:
    """`new` in the place of `path`, whose `old_files` (and then itself) are removed."""
    if old_files is None:
        os.rename(new, path)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
    os.replace(path, aside)  # over the empty folder just made
    try:
        os.rename(new, path)
    except BaseException:
        os.replace(aside, path)
        raise
    for name in old_files:
        with contextlib.suppress(OSError):
            os.unlink(aside / name)
    with contextlib.suppress(OSError):  # not empty: someone put a file there meanwhile
        os.rmdir(aside)


def _mode(path: Path, *, folder: bool = False) -> int:
    """The permissions of `path`, or those a new file (or folder) gets."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return (0o777 if folder else 0o666) & ~umask
    except OSError as error:
        raise WriteError(f"cannot write {path}: {error.strerror or error}") from None


def remove_stale_temporaries(path: Path) -> None:
    """Remove the temporary files that killed writes of `path` left beside it: names exactly
    as `atomic_write` makes them for `path`, regular files (not links) of this user's, unchanged
    for an hour (so none that another process is writing). Best effort."""
    if not hasattr(os, "getuid"):  # pragma: no cover - no owners to compare on Windows
        return
    folder = os.path.abspath(path.parent)
    if folder not in _temporaries:
        found: dict[str, list[str]] = {}
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                match = _TEMPORARY.fullmatch(entry.name)
                if match:
                    found.setdefault(match.group("name"), []).append(entry.name)
        _temporaries[folder] = found
    for name in _temporaries[folder].pop(path.name, []):
        temporary = os.path.join(folder, name)
        with contextlib.suppress(OSError):
            status = os.lstat(temporary)
            if (
                stat.S_ISREG(status.st_mode)
                and status.st_uid == os.getuid()
                and status.st_mtime < time.time() - STALE
            ):
                os.unlink(temporary)


def _current(path: Path) -> bytes | None:
    try:
        return read_bytes(path)
    except FileNotFoundError:
        return None


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); best effort."""
    if os.name == "nt":  # pragma: no cover
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def update_text(
    path: Path,
    change: Callable[[str], str | None],
    *,
    timeout: float = LOCK_TIMEOUT,
    max_size: int | None = None,
    within: Path | None = None,
) -> str | None:
    """Under the file's lock: read `path`, apply `change`, write the result atomically.

    `change` gets the file's text (UTF-8, BOM kept) and returns the new text, or None to leave
    the file alone. If the file changes on disk while `change` runs (an editor saved it), the
    change is made once more on the new text; a second such race is an error. Returns what
    was written, or None. A file that is not UTF-8 text, or larger than `max_size` bytes, or a
    link to a file outside `within` and its own folder (see `confined_target`), is a
    WriteError.
    """
    confined_target(path, within)
    with record_lock(path, timeout):
        for attempt in range(2):
            original = _read(path, max_size)
            new = change(_decode(path, original))
            if new is None or new.encode("utf-8") == original:
                return None
            try:
                atomic_write(path, new.encode("utf-8"), expected=original)
            except ConcurrentEditError:
                if attempt:
                    raise
                continue
            return new
    raise AssertionError("unreachable")  # pragma: no cover


def create_text(path: Path, text: str, *, timeout: float = LOCK_TIMEOUT) -> None:
    """Write a new file atomically; refuse (WriteError) when `path` already exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with record_lock(path, timeout):
        if path.exists() or path.is_symlink():
            raise WriteError(f"{path} already exists; nothing was written")
        atomic_write(path, text.encode("utf-8"), create=True)


def _read(path: Path, max_size: int | None = None) -> bytes:
    """The file's bytes (a FIFO or a device is refused, never waited on)."""
    try:
        return read_bytes(path, max_size)
    except OSError as error:
        shown = display_path(path)
        raise WriteError(f"cannot read {shown}: {error.strerror or error}") from None
    except FileTooLargeError as error:
        raise WriteError(
            f"{path} is larger than the limit of {error.limit:,} bytes (max_file_size); "
            "nothing was written"
        ) from None


def _decode(path: Path, data: bytes) -> str:
    try:
        check_utf8_mark(data)
        return data.decode("utf-8")
    except ForeignEncodingError as error:
        raise WriteError(f"cannot read {display_path(path)}: {error}") from None
    except UnicodeDecodeError as error:
        raise WriteError(
            f"cannot read {display_path(path)}: {not_utf8_message(data, error)}",
            hint="save the file as UTF-8",
        ) from None
