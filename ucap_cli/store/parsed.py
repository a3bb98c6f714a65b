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
planted in the folder cannot run code. Every folder and file is opened through
`ucap_cli.store.cache.CacheFolder` (never through a link, only this user's); anything there that is
not of the cache's making stops the cache for the run, with a `warning`. Every other cache
failure is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import pickle
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ucap_cli.store.cache import (
    ABANDONED,
    FOLDER,
    PARSED,
    RACY_SECONDS,
    CacheFolder,
    Unexpected,
    code_fingerprint,
    fingerprint,
    not_used,
    open_cache,
    stamp,
    temporary_of,
)

_FORMAT = b"ucap-parsed-1"
_ALLOWED = {("datetime", name) for name in ("date", "datetime", "time", "timezone", "timedelta")}
_MARK = "records"  # in a records folder's subfolder: that folder's absolute path
# The cache's own names in `parsed/`: a records folder's part (the digest of its path), the
# fan-out folders of the entries (also the whole layout of an older version), the entries.
_PART = re.compile(r"[0-9a-f]{16}")
_FAN_OUT = re.compile(r"[0-9a-f]{2}")
_ENTRY = re.compile(r"[0-9a-f]{62}")


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
    `warning` says why the cache stopped being used, when something in it was not of its
    making (in this process: `prune` looks through all of it).
    """

    def __init__(self, root: Path, records: Path, settings: Any = None) -> None:
        self.records = os.path.abspath(records)
        self.part = _digest(self.records)
        self.folder = root / FOLDER / PARSED / self.part
        self.root = root
        self._fingerprint = _digest(code_fingerprint())
        self._clean = _digest(fingerprint(settings))
        self.warning: str | None = None
        self._open: CacheFolder | None = None  # this records folder's part, in this process
        self._marked = False

    def __getstate__(self) -> dict[str, Any]:
        # A worker opens the folder for itself.
        return {**self.__dict__, "_open": None, "_marked": False}

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # also at interpreter exit
            self.close()

    def close(self) -> None:
        """Let go of the cache folder (it is opened again when needed)."""
        folder = getattr(self, "_open", None)
        if folder is not None:
            folder.close()
            self._open = None

    def _name(self, path: Path) -> str:
        return hashlib.sha256(os.fsencode(os.path.abspath(path))).hexdigest()

    def _header(self, stat: os.stat_result) -> bytes:
        fields = [_FORMAT, self._fingerprint.encode(), *(str(n).encode() for n in stamp(stat))]
        return b" ".join(fields) + b" "

    def _refuse(self, error: Unexpected) -> None:
        """Stop using the cache for the rest of the run: something in it is not its own."""
        if self.warning is None:
            self.warning = not_used(error)
        self.close()

    def _part(self, *, create: bool) -> CacheFolder | None:
        """This records folder's part of the cache, open; None when it is not there (and not
        `create`), cannot be opened, or the cache is not used."""
        if self.warning is None and self._open is None:
            try:
                self._open = open_cache(self.root, PARSED, self.part, create=create)
            except Unexpected as error:
                self._refuse(error)
            except OSError:
                pass
        return self._open

    def get(self, path: Path, stat: os.stat_result) -> dict[str, Any] | None:
        """The data parsed from this version of the file (as `stat` shows it), if cached."""
        found = self.lookup(path, stat)
        return None if found is None else found[0]

    def lookup(self, path: Path, stat: os.stat_result) -> tuple[dict[str, Any], bool] | None:
        """`get`, and whether the file was found clean under this cache's settings today."""
        part = self._part(create=False)
        if part is None:
            return None
        name = self._name(path)
        try:
            with part.folder(name[:2]) as fan_out:
                content = fan_out.read(name[2:])
        except Unexpected as error:
            self._refuse(error)
            return None
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
        try:
            verdict = self._clean.encode() if clean else b"-"
            pickled = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
            part = self._part(create=True)
            if part is None:
                return
            if not self._marked:  # name the records folder, for `prune` to tell if it is gone
                try:
                    part.status(_MARK)
                except FileNotFoundError:
                    part.write(_MARK, self.records.encode("utf-8"))
                self._marked = True
            name = self._name(path)
            with part.folder(name[:2], create=True) as fan_out:
                # A temporary file, then a rename: readers see the old entry or the new one.
                fan_out.write(name[2:], self._header(stat) + verdict + b"\n" + pickled)
        except Unexpected as error:
            self._refuse(error)
        except Exception:  # a cache that cannot be written is only a slower next run
            pass

    def prune(self, paths: Sequence[Path]) -> int:
        """Keep the cache to about one entry a current file; `paths` are the records folder's.

        When this folder's entries outnumber its files, those of other files (deleted, renamed)
        go, as do temporary files left by a run that stopped. So do the subfolders of records
        folders that no longer exist. Run before loading, so that anything in `parsed/` not of
        the cache's making stops the cache before any worker starts; all that is looked at is
        checked before anything is removed, and only the cache's own names are removed. The
        number of entries and subfolders removed; failures are ignored (a concurrent run's
        entry removed here is only a miss for it).
        """
        if self.warning is not None:
            return 0
        try:
            with open_cache(self.root, PARSED) as parsed:
                plan = _Plan()
                self._plan_part(parsed, paths, plan)
                for name in parsed.listing():
                    if name != self.part:
                        _plan_other(parsed, name, plan)
                return plan.carry_out(parsed)
        except Unexpected as error:
            self._refuse(error)
        except OSError:
            pass
        return 0

    def _plan_part(self, parsed: CacheFolder, paths: Sequence[Path], plan: _Plan) -> None:
        """This records folder's entries of files not in `paths`, when they outnumber its
        files, and its stale temporary files."""
        try:
            part = parsed.folder(self.part)
        except FileNotFoundError:
            return
        entries: list[tuple[str, str]] = []
        with part:
            top = _listing(part)
            plan.files((self.part,), top.stale, "stale", counted=True)
            for fan_out in top.fan_outs:
                with part.folder(fan_out) as folder:
                    inside = _listing(folder)
                plan.files((self.part, fan_out), inside.stale, "stale", counted=True)
                entries += [(fan_out, entry) for entry in inside.entries]
        if len(entries) <= len(paths):
            return  # at most one entry a file: hashing every path would cost more
        keep = {self._name(path) for path in paths}
        unwanted: dict[str, list[str]] = {}
        for fan_out, entry in entries:
            if fan_out + entry not in keep:
                unwanted.setdefault(fan_out, []).append(entry)
        with parsed.folder(self.part) as part:
            for fan_out, names in unwanted.items():
                with part.folder(fan_out) as folder:
                    for name in names:
                        folder.status(name)  # this user's, before anything is removed
                plan.files((self.part, fan_out), names, "entry", counted=True)


@dataclass
class _Listing:
    """The cache's own names in a folder; others (this user's files and folders) are left out,
    and left alone."""

    entries: list[str] = field(default_factory=list)
    fan_outs: list[str] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # temporary files left by runs that stopped


def _listing(folder: CacheFolder) -> _Listing:
    """What `folder` holds, each name checked: Unexpected for a link, a special file, or
    another user's file or folder. Entries are checked by the type the listing gives; their
    owner when they are read or planned for removal (a stat of each of thousands would cost
    more than all the rest of pruning)."""
    found = _Listing()
    abandoned = time.time() - ABANDONED
    for item in folder.entries():
        name = item.name
        try:
            if item.is_symlink():
                raise Unexpected(f"{folder.shown_name(name)} is a symbolic link")
            if item.is_dir(follow_symlinks=False):
                if _FAN_OUT.fullmatch(name):
                    found.fan_outs.append(name)  # its owner is checked when it is opened
                else:
                    folder.status(name, folder=True)  # not the cache's: left alone
                continue
            if item.is_file(follow_symlinks=False) and _ENTRY.fullmatch(name):
                found.entries.append(name)
                continue
            status = folder.status(name)
        except FileNotFoundError:  # another run's temporary file, renamed meanwhile
            continue
        if name == _MARK:
            found.marks.append(name)
        elif status.st_mtime < abandoned:
            made_for = temporary_of(name)
            if made_for is not None and (made_for == _MARK or _ENTRY.fullmatch(made_for)):
                found.stale.append(name)
    return found


def _plan_other(parsed: CacheFolder, name: str, plan: _Plan) -> None:
    """Remove the part `name` of `parsed/` whole when its records folder is gone (or, without
    a name, it has not changed for an hour: a part being made, or the layout of an older
    version); check anything else there."""
    if not (_PART.fullmatch(name) or _FAN_OUT.fullmatch(name)):
        parsed.status(name, folder=None)  # not the cache's: left alone
        return
    with parsed.folder(name) as part:
        try:
            named = part.read(_MARK)
        except FileNotFoundError:
            if os.fstat(part.fd).st_mtime > time.time() - ABANDONED:
                return
        else:
            try:
                records = named.decode("utf-8")
            except UnicodeDecodeError:
                records = ""
            if _digest(records) != name:
                raise Unexpected(f"{part.shown_name(_MARK)} does not name its folder")
            if os.path.isdir(records):
                return
        top = _listing(part)
        for fan_out in top.fan_outs:
            with part.folder(fan_out) as folder:
                inside = _listing(folder)
                for entry in inside.entries:
                    folder.status(entry)
            plan.files((name, fan_out), inside.entries, "entry", counted=False)
            plan.files((name, fan_out), inside.stale, "stale", counted=False)
            plan.folder((name,), fan_out, counted=False)
        for entry in top.entries:
            part.status(entry)
    plan.files((name,), top.entries + top.marks, "entry", counted=False)
    plan.files((name,), top.stale, "stale", counted=False)
    plan.folder((), name, counted=True)


@dataclass
class _Plan:
    """What pruning removes, all found (and checked) before anything is removed: (the folder's
    names under `parsed/`, a name in it, what it is, whether its removal is counted), in order,
    each folder after what it holds."""

    steps: list[tuple[tuple[str, ...], str, str, bool]] = field(default_factory=list)

    def files(self, where: tuple[str, ...], names: list[str], kind: str, *, counted: bool) -> None:
        self.steps += [(where, name, kind, counted) for name in names]

    def folder(self, where: tuple[str, ...], name: str, *, counted: bool) -> None:
        self.steps.append((where, name, "folder", counted))

    def carry_out(self, parsed: CacheFolder) -> int:
        """Remove what was planned, checking each file again; the number counted removed."""
        removed = 0
        where: tuple[str, ...] = ()
        folder: CacheFolder | None = parsed  # the folder at `where`, one open at a time
        try:
            for step_where, name, kind, counted in self.steps:
                with contextlib.suppress(OSError):
                    if step_where != where or folder is None:
                        if folder is not parsed and folder is not None:
                            folder.close()
                        where, folder = step_where, None
                        folder = _descend(parsed, where)
                    if kind == "folder":
                        os.rmdir(name, dir_fd=folder.fd)
                    elif kind == "stale":
                        if not folder.remove_stale(name):
                            continue
                    else:
                        folder.status(name)
                        os.unlink(name, dir_fd=folder.fd)
                    removed += counted
        finally:
            if folder is not parsed and folder is not None:
                folder.close()
        return removed


def _descend(parsed: CacheFolder, where: tuple[str, ...]) -> CacheFolder:
    """The folder at `where` under `parsed` (itself when `where` is empty)."""
    if not where:
        return parsed
    folder = parsed.folder(where[0])
    for name in where[1:]:
        inner = folder.folder(name)
        folder.close()
        folder = inner
    return folder
