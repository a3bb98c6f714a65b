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
from pathlib import Path
from typing import Any

from ucap_cli.cache import FOLDER, RACY_SECONDS, code_fingerprint, ensure_folder, stamp

_SUBFOLDER = "parsed"
_FORMAT = b"ucap-parsed-1"
_ALLOWED = {("datetime", name) for name in ("date", "datetime", "time", "timezone", "timedelta")}


class _DataUnpickler(pickle.Unpickler):
    """Builds dicts, lists, strings, numbers and datetime values; refuses any other class."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return getattr(dt, name)
        raise pickle.UnpicklingError(f"not allowed in a cache entry: {module}.{name}")


class ParsedCache:
    """Parsed TOML data by absolute path; picklable, so worker processes share it."""

    def __init__(self, root: Path) -> None:
        self.folder = root / FOLDER / _SUBFOLDER
        self.root = root
        self._fingerprint = hashlib.sha256(code_fingerprint().encode("utf-8")).hexdigest()[:16]

    def _entry(self, path: Path) -> str:
        name = hashlib.sha256(os.fsencode(os.path.abspath(path))).hexdigest()
        return os.path.join(self.folder, name[:2], name[2:])

    def _header(self, stat: os.stat_result) -> bytes:
        fields = [_FORMAT, self._fingerprint.encode(), *(str(n).encode() for n in stamp(stat))]
        return b" ".join(fields) + b"\n"

    def get(self, path: Path, stat: os.stat_result) -> dict[str, Any] | None:
        """The data parsed from this version of the file (as `stat` shows it), if cached."""
        try:
            with open(self._entry(path), "rb") as handle:
                content = handle.read()
        except OSError:
            return None
        header = self._header(stat)
        if not content.startswith(header):
            return None
        try:
            data = _DataUnpickler(io.BytesIO(content[len(header) :])).load()
        except Exception:  # a damaged or planted entry: parse the file instead
            return None
        return data if isinstance(data, dict) else None

    def put(self, path: Path, stat: os.stat_result, data: dict[str, Any]) -> None:
        """Remember the data parsed from the file `stat` describes (stat taken before reading).

        Skipped when the file changed too recently for its stamp to be trusted.
        """
        if time.time() - stat.st_mtime < RACY_SECONDS:
            return
        entry = self._entry(path)
        # A name of this process's own, then a rename: readers see the old entry or the new one.
        temporary = f"{entry}.{os.getpid()}.tmp"
        try:
            payload = self._header(stat) + pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
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
