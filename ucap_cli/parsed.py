"""A cache of parsed record files, so that views skip the TOML parsing of unchanged files.

Parsing is most of a view's cost (about 0.7 ms of the 1 ms a 10 KB record takes). One entry a
file, in `.ucap_cache/parsed/`, named by a hash of the file's absolute path: a header line (the
entry format, the parser's fingerprint, the file's stamp), then the parsed TOML data, pickled.
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
import time
from collections.abc import Iterable
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


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class _DataUnpickler(pickle.Unpickler):
    """Builds dicts, lists, strings, numbers and datetime values; refuses any other class."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return getattr(dt, name)
        raise pickle.UnpicklingError(f"not allowed in a cache entry: {module}.{name}")


class ParsedCache:
    """Parsed TOML data by absolute path; picklable, so worker processes share it.

    An entry also says whether the file was clean (nothing to report) when checked under
    `settings` on the day it was stored: then, on that day, its data need not be checked again.
    """

    def __init__(self, root: Path, settings: Any = None) -> None:
        self.folder = root / FOLDER / _SUBFOLDER
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
            with open(temporary, "wb") as handle:
                handle.write(payload)
            os.replace(temporary, entry)
        except Exception:  # a cache that cannot be written is only a slower next run
            with contextlib.suppress(OSError):
                os.unlink(temporary)

    def prune(self, paths: Iterable[Path]) -> int:
        """Remove every entry but those of `paths` (the files of the records folder): entries
        of deleted or renamed files would never be read again. Temporary files left by a run
        that stopped go too. The number of files removed; failures are ignored."""
        keep = {self._entry(path) for path in paths}
        abandoned = time.time() - _ABANDONED
        removed = 0
        for folder in _listing(str(self.folder)):
            if not folder.is_dir(follow_symlinks=False):
                continue
            for entry in _listing(folder.path):
                if entry.path in keep:
                    continue
                with contextlib.suppress(OSError):
                    if entry.name.endswith(".tmp") and entry.stat().st_mtime > abandoned:
                        continue  # another run may be writing it
                    os.unlink(entry.path)
                    removed += 1
        return removed


def _listing(folder: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except OSError:
        return []
