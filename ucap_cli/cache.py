"""A cache of validation verdicts, so unchanged files are not parsed again.

An entry is keyed by the file's absolute path and trusted only while the file's size,
modification time (ns), inode and change time are those recorded. The whole cache is dropped
when anything that could change a verdict differs: ucap's code, the configuration that
validation reads, or today's date (W305/W306 depend on it). It lives in `.ucap_cache/` at the
project root (ignored by git); `--no-cache` bypasses it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ucap_cli import __version__
from ucap_cli.problems import CODES, Problem

FOLDER = ".ucap_cache"
_FILE = "verdicts.json"
# A file changed within this many seconds of being checked could change again within the
# file system's timestamp resolution, unseen: such verdicts are not kept.
RACY_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Verdict:
    """What validating one file found, before collection checks: its id and its problems."""

    id: str | None
    problems: tuple[Problem, ...]


def stamp(stat: os.stat_result) -> list[int]:
    """What identifies one version of a file."""
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns]


@functools.cache
def code_fingerprint() -> str:
    """ucap's version, its TOML parser, and when each of their modules (and ucap's data
    files) last changed."""
    from ucap_cli.toml import loads

    package = Path(__file__).parent
    code = sorted(
        (str(p.relative_to(package)), p.stat().st_mtime_ns)
        for p in (*package.rglob("*.py"), *package.glob("data/*"))  # data: country names
    )
    parser = sys.modules[loads.__module__].__file__ or loads.__module__
    with contextlib.suppress(OSError):
        parser += f" {os.stat(parser).st_mtime_ns}"
    return json.dumps([__version__, sys.version, parser, code])


def fingerprint(settings: Any) -> str:
    """Everything besides a file's content that a verdict depends on, as one string."""
    return json.dumps([code_fingerprint(), settings, dt.date.today().isoformat()], default=str)


def ensure_folder(root: Path) -> Path:
    """The cache folder under `root`, created with a `.gitignore` that keeps it out of git."""
    folder = root / FOLDER
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    return folder


class VerdictCache:
    """Verdicts by absolute path; `load` and `save` never raise (a cache is optional)."""

    def __init__(self, root: Path, settings: Any) -> None:
        self.path = root / FOLDER / _FILE
        self.fingerprint = fingerprint(settings)
        self._entries: dict[str, list[Any]] = {}
        self._ids: dict[str, list[Any]] = {}  # files outside the run: [stamp, declared id]
        self._dirty = False

    def load(self) -> VerdictCache:
        """Read the cache file, if it is there and was made under the same fingerprint."""
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            content = json.loads(self.path.read_text(encoding="utf-8"))
            if content["fingerprint"] == self.fingerprint and isinstance(content["entries"], dict):
                self._entries = content["entries"]
                ids = content.get("ids", {})
                self._ids = ids if isinstance(ids, dict) else {}
        return self

    def get(self, path: str, stat: os.stat_result, display: str) -> Verdict | None:
        """The verdict for this version of the file, if known, its problems shown at `display`."""
        entry = self._entries.get(path)
        try:
            if entry is None or entry[0] != stamp(stat):
                return None
            problems = tuple(Problem(display, *p) for p in entry[2])
            if all(p.code in CODES for p in problems):
                return Verdict(entry[1], problems)
        except (TypeError, KeyError, IndexError):  # a damaged cache: check the file again
            pass
        return None

    def put(self, path: str, stat: os.stat_result, verdict: Verdict) -> None:
        """Remember a verdict, unless the file changed too recently to be sure of its stamp."""
        if time.time() - stat.st_mtime < RACY_SECONDS:
            return
        problems = [[p.line, p.column, p.code, p.message, p.hint] for p in verdict.problems]
        self._entries[path] = [stamp(stat), verdict.id, problems]
        self._dirty = True

    def scanned_id(self, path: str, stat: os.stat_result) -> tuple[bool, str | None]:
        """(True, the id) when the id this version of the file declares was scanned before.

        Not the id of its verdict: that one comes from parsing the whole file, and a file
        outside the run must get the same answer whether or not it was ever validated.
        """
        entry = self._ids.get(path)
        if not isinstance(entry, list) or len(entry) != 2 or entry[0] != stamp(stat):
            return False, None
        return (True, entry[1]) if entry[1] is None or isinstance(entry[1], str) else (False, None)

    def put_id(self, path: str, stat: os.stat_result, declared: str | None) -> None:
        """Remember the id a file outside the run declares (`collection.scan_id`)."""
        if time.time() - stat.st_mtime < RACY_SECONDS:
            return
        self._ids[path] = [stamp(stat), declared]
        self._dirty = True

    def save(self) -> None:
        """Write the cache atomically if it changed; failures are ignored."""
        if not self._dirty:
            return
        from ucap_cli.write import atomic_write

        content = {"fingerprint": self.fingerprint, "entries": self._entries, "ids": self._ids}
        with contextlib.suppress(Exception):
            ensure_folder(self.path.parent.parent)
            atomic_write(self.path, json.dumps(content, ensure_ascii=False).encode("utf-8"))
