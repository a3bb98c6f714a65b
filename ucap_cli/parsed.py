"""A cache of parsed record files, so that views skip the TOML parsing of unchanged files.

Parsing is most of a view's cost (about 0.7 ms of the 1 ms a 10 KB record takes). One entry a
file, in `.ucap_cache/parsed/<records folder>/`, named by a hash of the file's absolute path: a
header line (the entry format, the parser's fingerprint, the file's stamp), then the parsed TOML
data, pickled. Each records folder has a subfolder of its own (named by a hash of its absolute
path, which a `records` file in it gives in full), so that keeping one folder's entries to its
current files leaves the others' alone.

An entry is used only while the file's stamp and the fingerprint are those recorded. It holds
the data alone: validation and checks still run on it, so their results are never stale.

Entries are read with an unpickler that accepts dates and times and nothing else: an entry
planted in the folder cannot run code. Every cache failure is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import pickle
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ucap_cli.cache import (
    FOLDER,
    RACY_SECONDS,
    code_fingerprint,
    ensure_folder,
    fingerprint,
    stamp,
)

_SUBFOLDER = "parsed"
_FORMAT = b"ucap-parsed-1"
_ALLOWED = {("datetime", name) for name in ("date", "datetime", "time", "timezone", "timedelta")}
_ABANDONED = 3600  # seconds: a temporary file this old was left by a run that stopped
_MARK = "records"  # in a records folder's subfolder: that folder's absolute path


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class _DataUnpickler(pickle.Unpickler):
    """Builds dicts, lists, strings, numbers and datetime values; refuses any other class."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return getattr(dt, name)
        raise pickle.UnpicklingError(f"not allowed in a cache entry: {module}.{name}")


class ParsedCache:
    """Parsed TOML data of the files of the records folder `records`, by absolute path;
    picklable, so worker processes share it.

    An entry also says whether the file was clean (nothing to report) when checked under
    `settings` on the day it was stored: then, on that day, its data need not be checked again.
    """

    def __init__(self, root: Path, records: Path, settings: Any = None) -> None:
        self.records = os.path.abspath(records)
        self.folder = root / FOLDER / _SUBFOLDER / _digest(self.records)
        self.root = root
        self._fingerprint = _digest(code_fingerprint())
        self._clean = _digest(fingerprint(settings))

    def _entry(self, path: Path) -> str:
        name = hashlib.sha256(os.fsencode(os.path.abspath(path))).hexdigest()
        return os.path.join(self.folder, name[:2], name[2:])

    def _header(self, stat: os.stat_result) -> bytes:
        fields = [_FORMAT, self._fingerprint.encode(), *(str(n).encode() for n in stamp(stat))]
        return b" ".join(fields) + b" "

    def get(self, path: Path, stat: os.stat_result) -> dict[str, Any] | None:
        """The data parsed from this version of the file (as `stat` shows it), if cached."""
        found = self.lookup(path, stat)
        return None if found is None else found[0]

    def lookup(self, path: Path, stat: os.stat_result) -> tuple[dict[str, Any], bool] | None:
        """`get`, and whether the file was found clean under this cache's settings today."""
        try:
            with open(self._entry(path), "rb") as handle:
                content = handle.read()
        except OSError:
            return None
        header = self._header(stat)
        end = content.find(b"\n", len(header))
        if not content.startswith(header) or end < 0:
            return None
        try:
            data = _DataUnpickler(io.BytesIO(content[end + 1 :])).load()
        except Exception:  # a damaged or planted entry: parse the file instead
            return None
        if not isinstance(data, dict):
            return None
        return data, content[len(header) : end] == self._clean.encode()

    def put(
        self, path: Path, stat: os.stat_result, data: dict[str, Any], *, clean: bool = False
    ) -> None:
        """Remember the data parsed from the file `stat` describes (stat taken before reading),
        and whether the file had nothing to report.

        Skipped when the file changed too recently for its stamp to be trusted.
        """
        if time.time() - stat.st_mtime < RACY_SECONDS:
            return
        entry = self._entry(path)
        # A name of this process's own, then a rename: readers see the old entry or the new one.
        temporary = f"{entry}.{os.getpid()}.tmp"
        try:
            verdict = self._clean.encode() if clean else b"-"
            pickled = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
            payload = self._header(stat) + verdict + b"\n" + pickled
            folder = os.path.dirname(entry)
            if not os.path.isdir(folder):
                ensure_folder(self.root)
                os.makedirs(folder, exist_ok=True)
                self._mark()
            with open(temporary, "wb") as handle:
                handle.write(payload)
            os.replace(temporary, entry)
        except Exception:  # a cache that cannot be written is only a slower next run
            with contextlib.suppress(OSError):
                os.unlink(temporary)

    def _mark(self) -> None:
        """Name this records folder in its subfolder, for `prune` to tell whether it is gone."""
        mark = self.folder / _MARK
        if not mark.is_file():
            temporary = f"{mark}.{os.getpid()}.tmp"
            with open(temporary, "w", encoding="utf-8") as handle:
                handle.write(self.records)
            os.replace(temporary, mark)

    def prune(self, paths: Sequence[Path]) -> int:
        """Keep the cache to about one entry a current file; `paths` are the records folder's.

        When this folder's entries outnumber its files, those of other files (deleted, renamed)
        go, as do temporary files left by a run that stopped. So do the subfolders of records
        folders that no longer exist. The number of entries and subfolders removed; failures
        are ignored (a concurrent run's entry removed here is only a miss for it).
        """
        removed = self._prune_folder(paths)
        abandoned = time.time() - _ABANDONED
        for other in _listing(str(self.folder.parent)):
            if other.path == str(self.folder):
                continue
            with contextlib.suppress(OSError):
                if other.is_dir(follow_symlinks=False):
                    if _marked_folder_exists(other.path, abandoned):
                        continue
                    shutil.rmtree(other.path, ignore_errors=True)
                elif other.stat().st_mtime < abandoned:
                    os.unlink(other.path)
                else:
                    continue
                removed += 1
        return removed

    def _prune_folder(self, paths: Sequence[Path]) -> int:
        entries = [
            entry
            for folder in _listing(str(self.folder))
            if folder.is_dir(follow_symlinks=False)
            for entry in _listing(folder.path)
        ]
        if len(entries) <= len(paths):
            return 0  # at most one entry a file: hashing every path would cost more
        keep = {self._entry(path) for path in paths}
        abandoned = time.time() - _ABANDONED
        removed = 0
        for entry in entries:
            if entry.path in keep:
                continue
            with contextlib.suppress(OSError):
                if entry.name.endswith(".tmp") and entry.stat().st_mtime > abandoned:
                    continue  # another run may be writing it
                os.unlink(entry.path)
                removed += 1
        return removed


def _marked_folder_exists(subfolder: str, abandoned: float) -> bool:
    """True when the records folder named in `subfolder` exists; a subfolder without a name
    (from an older layout, or being made) counts as existing for an hour after its last change."""
    try:
        with open(os.path.join(subfolder, _MARK), encoding="utf-8") as handle:
            return os.path.isdir(handle.read())
    except (OSError, ValueError):
        return os.stat(subfolder).st_mtime > abandoned


def _listing(folder: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except OSError:
        return []
