"""ucap's cache folder, `.ucap_cache/` at the project root: scratch space in a hostile clone.

The folder is ucap's scratch space inside a repository that may be someone else's, so it is
opened level by level (`CacheFolder`): each folder with `O_NOFOLLOW | O_DIRECTORY` relative to
its parent, each file relative to its folder, and each checked before use to be a real folder
or regular file of this user's. A link, a file of another type or another user's in what a
command uses of it means the cache is not used for the rest of the run (`Unexpected`, reported
as one warning), never that something outside it is read, written or removed. Nothing is
removed but names of the cache's own making. Where the platform cannot open files relative to
a folder, there is no cache.

"""

from __future__ import annotations

import contextlib
import os
import re
import stat as st
import time
from pathlib import Path
from types import TracebackType

FOLDER = ".ucap_cache"
VERDICTS = "verdicts.json"
PARSED = "parsed"  # the folder of the parsed-data cache (cache.ParsedCache) in FOLDER
# A file changed within this many seconds of being checked could change again within the
# file system's timestamp resolution, unseen: such verdicts are not kept.
RACY_SECONDS = 2.0
ABANDONED = 3600.0  # seconds: a temporary file this old was left by a run that stopped

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_OPEN_FOLDER = os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC
# Non-blocking: a FIFO planted in the cache opens at once, then fails the regular-file check.
_OPEN_FILE = os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC
_CREATE_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
# Everything the cache folder's safety rests on; without it (Windows) there is no cache.
SUPPORTED = (
    bool(_NOFOLLOW and _DIRECTORY and _NONBLOCK)
    and hasattr(os, "getuid")
    and {os.open, os.stat, os.mkdir, os.unlink, os.rename, os.rmdir} <= os.supports_dir_fd
    and os.scandir in os.supports_fd
)
# The temporary file a cache write makes beside NAME, and what such names look like.
_TEMPORARY = re.compile(r"(?P<name>.+)\.[0-9]+\.tmp", re.DOTALL)


class Unexpected(Exception):
    """Something in the cache folder that ucap did not make: a symbolic link, a file of
    another type, another user's file. `str(error)` says what and where."""


def temporary_name(name: str) -> str:
    """The name of this process's temporary file for the cache file `name`."""
    return f"{name}.{os.getpid()}.tmp"


def temporary_of(name: str) -> str | None:
    """The cache file that `name` is a temporary file of (`temporary_name`), if it is one."""
    match = _TEMPORARY.fullmatch(name)
    return match.group("name") if match else None


def check_own(status: os.stat_result, shown: str, *, folder: bool = False) -> None:
    """Raise Unexpected unless `status` (not following links) is this user's real folder
    (`folder`) or regular file."""
    mode = status.st_mode
    if st.S_ISLNK(mode):
        raise Unexpected(f"{shown} is a symbolic link")
    if folder and not st.S_ISDIR(mode):
        raise Unexpected(f"{shown} is not a folder")
    if not folder and not st.S_ISREG(mode):
        raise Unexpected(f"{shown} is not a regular file")
    if status.st_uid != os.getuid():
        raise Unexpected(f"{shown} belongs to another user")


class CacheFolder:
    """A folder of the cache, held open: names in it are read, made, renamed and removed
    relative to it (`dir_fd`), never through a symbolic link, and only when they are this
    user's regular files or folders. `shown` is its path from the project root, for messages.

    Methods raise Unexpected for anything else, FileNotFoundError for a missing name and
    OSError when the file system refuses.
    """

    def __init__(self, fd: int, shown: str) -> None:
        self.fd = fd
        self.shown = shown

    def __enter__(self) -> CacheFolder:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Let go of the folder."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def shown_name(self, name: str) -> str:
        """How `name` in this folder is shown in messages."""
        return f"{self.shown}/{name}" if self.shown else name

    def folder(self, name: str, *, create: bool = False) -> CacheFolder:
        """The subfolder `name`, made first when `create` and missing."""
        if create:
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, dir_fd=self.fd)
        try:
            fd = os.open(name, _OPEN_FOLDER, dir_fd=self.fd)
        except FileNotFoundError:
            raise
        except OSError:  # a link (ELOOP), a file (ENOTDIR), or a refusal: say which
            self.status(name, folder=True)
            raise
        child = CacheFolder(fd, self.shown_name(name))
        try:
            check_own(os.fstat(fd), child.shown, folder=True)
        except BaseException:
            child.close()
            raise
        return child

    def status(self, name: str, *, folder: bool | None = False) -> os.stat_result:
        """The status of `name` (not following a link), which must be this user's regular
        file, or real folder when `folder` (either when None)."""
        status = os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        if folder is None:
            folder = st.S_ISDIR(status.st_mode)
        check_own(status, self.shown_name(name), folder=folder)
        return status

    def read(self, name: str) -> bytes:
        """The content of the file `name`."""
        try:
            fd = os.open(name, _OPEN_FILE, dir_fd=self.fd)
        except FileNotFoundError:
            raise
        except OSError:
            self.status(name)
            raise
        try:
            status = os.fstat(fd)
            check_own(status, self.shown_name(name))
            chunks = []
            while chunk := os.read(fd, status.st_size + 4096):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)

    def write(self, name: str, data: bytes) -> None:
        """Replace (or make) the file `name` with `data`, atomically: a temporary file of this
        process's (`temporary_name`), then a rename over `name`, only when that is missing or
        a regular file of this user's. On failure, nothing is left behind."""
        temporary = temporary_name(name)
        try:
            fd = os.open(temporary, _CREATE_FILE, 0o666, dir_fd=self.fd)
        except FileExistsError:  # left by a run that stopped (with this pid) or being written
            if not self.remove_stale(temporary):
                raise
            fd = os.open(temporary, _CREATE_FILE, 0o666, dir_fd=self.fd)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
            with contextlib.suppress(FileNotFoundError):
                self.status(name)
            os.replace(temporary, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=self.fd)
            raise

    def make(self, name: str, data: bytes) -> None:
        """Make the file `name` with `data` unless there is one (this user's regular file)."""
        try:
            fd = os.open(name, _CREATE_FILE, 0o666, dir_fd=self.fd)
        except FileExistsError:
            self.status(name)
            return
        try:
            os.write(fd, data)
        finally:
            os.close(fd)

    def remove_stale(self, name: str) -> bool:
        """Remove `name`, a temporary file of the cache's, when a run that stopped left it:
        a regular file of this user's, unchanged for an hour. True when it was removed."""
        try:
            status = self.status(name)
        except FileNotFoundError:
            return False
        if status.st_mtime > time.time() - ABANDONED:
            return False  # another run may be writing it
        os.unlink(name, dir_fd=self.fd)
        return True

    def listing(self) -> list[str]:
        """The names in the folder."""
        return [entry.name for entry in self.entries()]

    def entries(self) -> list[os.DirEntry[str]]:
        """What the folder holds, with the types its listing gives (no stat of each)."""
        with os.scandir(self.fd) as entries:
            return list(entries)


def open_cache(root: Path, *names: str, create: bool = False) -> CacheFolder:
    """The folder `root/.ucap_cache/NAMES...`, each level opened without following a link and
    checked to be this user's real folder; made first when `create` (the cache folder with a
    `.gitignore` that keeps it out of git). Opened so, it cannot lie outside `root`. Whatever
    else is in the cache folder itself is checked too (a few names), so that every command that
    uses the cache sees a link or a foreign file there.

    Raises Unexpected, FileNotFoundError when a level is missing, OSError on other failures
    (and where the platform cannot do this safely).
    """
    if not SUPPORTED:
        raise OSError("no safe cache folder on this platform")
    top = CacheFolder(os.open(root, os.O_RDONLY | _DIRECTORY | _CLOEXEC), "")
    try:
        folder = top.folder(FOLDER, create=create)
    finally:
        top.close()
    try:
        if create:
            folder.make(".gitignore", b"*\n")
        for name in folder.listing():
            with contextlib.suppress(FileNotFoundError):  # another run's temporary file, gone
                folder.status(name, folder=_must_be_folder(name))
        for name in names:
            inner = folder.folder(name, create=create)
            folder.close()
            folder = inner
    except BaseException:
        folder.close()
        raise
    return folder


def _must_be_folder(name: str) -> bool | None:
    """Whether `name` in the cache folder is the cache's folder (True) or file (False); None
    for other names, which are left alone."""
    if name == PARSED:
        return True
    if name in (VERDICTS, ".gitignore") or temporary_of(name) is not None:
        return False
    return None


def not_used(error: Unexpected) -> str:
    """The warning for a run whose cache was not used because of `error`."""
    return f"cache not used: {error}"
