"""What reading commands remember about unchanged files, in ucap's cache folder (`scratch`).

Verdicts (`validate`): an entry is keyed by the file's absolute path and trusted only while the
file's size, modification time (ns), inode and change time are those recorded. The whole cache
is dropped when anything that could change a verdict differs: ucap's code, the configuration
that validation reads, or today's date (W305/W306 depend on it). `--no-cache` bypasses it.

Parsed data: so that views skip the TOML parsing of unchanged files.

Parsing is most of a view's cost (about 0.7 ms of the 1 ms a 10 KB record takes). One entry a
file, in `.ucap_cache/parsed/<records folder>/`, named by a hash of the file's absolute path: a
header line (the entry format, the parser's fingerprint, the file's stamp), then the parsed TOML
data, pickled. Each records folder has a subfolder of its own (named by a hash of its absolute
path, which a `records` file in it gives in full), so that keeping one folder's entries to its
current files leaves the others' alone.

An entry is used only while the file's stamp and the fingerprint are those recorded. It holds
the data and what validating it found under the settings of the run that stored it (valid, or
the first error): validation still runs on it, so a view's record is never stale, and a file
with an error is not located again while the settings stay the same.

Entries are read with an unpickler that accepts dates and times and nothing else: an entry
planted in the folder cannot run code. Every folder and file is opened through
`scratch.CacheFolder` (never through a link, only this user's); anything there that is
not of the cache's making stops the cache for the run, with a `warning`. Every other cache
failure is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import io
import json
import os
import pickle
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ucap_cli import __version__
from ucap_cli.check.problems import CODES, Problem
from ucap_cli.store.scratch import (
    ABANDONED,
    FOLDER,
    PARSED,
    RACY_SECONDS,
    VERDICTS,
    CacheFolder,
    Unexpected,
    not_used,
    open_cache,
    temporary_of,
)


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
    from ucap_cli.toml.parser import loads

    package = Path(__file__).parents[1]
    code = sorted(
        (str(p.relative_to(package)), p.stat().st_mtime_ns)
        for p in (*package.rglob("*.py"), *package.rglob("*.toml"))  # .toml: country names
    )
    parser = sys.modules[loads.__module__].__file__ or loads.__module__
    with contextlib.suppress(OSError):
        parser += f" {os.stat(parser).st_mtime_ns}"
    return json.dumps([__version__, sys.version, parser, code])


def fingerprint(settings: Any) -> str:
    """Everything besides a file's content that a verdict depends on, as one string."""
    return json.dumps([code_fingerprint(), settings, dt.date.today().isoformat()], default=str)


class VerdictCache:
    """Verdicts by absolute path; `load` and `save` never raise (a cache is optional).

    `warning` says why the cache was not used, when something in it was not of ucap's making.
    """

    def __init__(self, root: Path, settings: Any) -> None:
        self.root = root
        self.fingerprint = fingerprint(settings)
        self.warning: str | None = None
        self._entries: dict[str, list[Any]] = {}
        self._ids: dict[str, list[Any]] = {}  # files outside the run: [stamp, declared id]
        self._dirty = False

    def load(self) -> VerdictCache:
        """Read the cache file, if it is there and was made under the same fingerprint."""
        try:
            with open_cache(self.root) as folder:
                text = folder.read(VERDICTS)
        except Unexpected as error:
            self.warning = not_used(error)
            return self
        except OSError:
            return self
        with contextlib.suppress(ValueError, TypeError, KeyError):
            content = json.loads(text)
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
        """Write the cache file atomically if it changed, and remove the temporary files of
        saves that were stopped; failures are ignored, and nothing is written once the cache
        was found not to be ucap's (`warning`)."""
        if not self._dirty or self.warning is not None:
            return
        content = {"fingerprint": self.fingerprint, "entries": self._entries, "ids": self._ids}
        try:
            with open_cache(self.root, create=True) as folder:
                for name in folder.listing():
                    if temporary_of(name) == VERDICTS or _old_temporary(name):
                        folder.remove_stale(name)
                folder.write(VERDICTS, json.dumps(content, ensure_ascii=False).encode("utf-8"))
        except Unexpected as error:
            self.warning = not_used(error)
        except Exception:  # a cache that cannot be written is only a slower next run
            pass


def _old_temporary(name: str) -> bool:
    """A temporary file of a save by an older ucap, which wrote the file with `atomic_write`."""
    return re.fullmatch(r"\.verdicts\.json\.[a-z0-9_]{8}\.tmp", name) is not None


# --------------------------------------------------------------------------- parsed data

_FORMAT = b"ucap-parsed-2"  # 2: the verdict is valid, or the first error
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


@dataclass(frozen=True, slots=True)
class Cached:
    """A file's parsed data, and what validating it found when it was stored: `checked` when
    that was under the settings of this run, `error` then its first error (None: valid)."""

    data: dict[str, Any]
    checked: bool
    error: Problem | None


class ParsedCache:
    """Parsed TOML data of the files of the records folder `records`, by absolute path;
    picklable, so worker processes share it.

    An entry also says what validating the file found under `settings` (and this ucap):
    whether it was valid, or its first error, located. A view needs no more of a file.
    `warning` says why the cache stopped being used, when something in it was not of its
    making (in this process: `prune` looks through all of it).
    """

    def __init__(self, root: Path, records: Path, settings: Any = None) -> None:
        self.records = os.path.abspath(records)
        self.part = _digest(self.records)
        self.folder = root / FOLDER / PARSED / self.part
        self.root = root
        self._fingerprint = _digest(code_fingerprint())
        # Errors depend on the code and the settings, not on the day (only warnings do).
        self._checked = _digest(json.dumps([code_fingerprint(), settings], default=str))
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

    def lookup(self, path: Path, stat: os.stat_result, display: str) -> Cached | None:
        """The data parsed from this version of the file (as `stat` shows it), if cached, and
        what validating it found; its error is shown at `display`."""
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
        return Cached(data, *self._verdict(content[len(header) : end], display))

    def _verdict(self, text: bytes, display: str) -> tuple[bool, Problem | None]:
        """(checked, first error) from an entry's verdict: `-`, or the settings' digest and
        `ok` or the error as JSON."""
        settings, _, found = text.partition(b" ")
        if settings != self._checked.encode():
            return False, None
        if found == b"ok":
            return True, None
        try:
            line, column, code, message, hint = json.loads(found)
            if code in CODES and isinstance(line, int) and isinstance(column, int):
                return True, Problem(display, line, column, code, str(message), hint)
        except (ValueError, TypeError):
            pass
        return False, None  # damaged: validate again

    def put(
        self, path: Path, stat: os.stat_result, data: dict[str, Any], error: Problem | None
    ) -> None:
        """Remember the data parsed from the file `stat` describes (stat taken before reading),
        and its first error under this cache's settings (None: valid).

        Skipped when the file changed too recently for its stamp to be trusted.
        """
        if time.time() - stat.st_mtime < RACY_SECONDS:
            return
        try:
            found = (
                b"ok"
                if error is None
                else json.dumps(
                    [error.line, error.column, error.code, error.message, error.hint],
                    ensure_ascii=True,  # one line, whatever the message holds
                ).encode()
            )
            verdict = self._checked.encode() + b" " + found
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
