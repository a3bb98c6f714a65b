"""Record files on disk: finding them, naming them as the user would, and reading their ids.

The collection is every `*.toml` file under the records folder, recursively, skipping hidden
files and folders; links to folders are not followed, so a link cannot make the walk loop.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Sequence
from pathlib import Path
from stat import S_ISDIR

from ucap_cli.config import Config
from ucap_cli.errors import UsageError
from ucap_cli.toml import files
from ucap_cli.toml.files import display_path
from ucap_cli.toml.lines import toml_lines
from ucap_cli.toml.parser import TOMLDecodeError, TooDeepError, parse_document

# A top-level `id = "slug"` line: a slug needs no escapes, so this reads it exactly.
_ID_LINE = re.compile(r'[ \t]*id[ \t]*=[ \t]*"([a-z0-9]+(?:-[a-z0-9]+)*)"[ \t]*(?:#.*)?')


def find_record_files(folder: Path) -> list[Path]:
    """Every `*.toml` file under `folder`, recursively, skipping hidden files and folders."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(
            Path(dirpath, name)
            for name in sorted(filenames)
            if name.endswith(".toml") and not name.startswith(".")
        )
    return found


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files and folders from the command line -> record files; a missing path is a usage error.

    Any other path is a file to read, even one that cannot be read (no permission, a loop of
    links, a FIFO): reading it reports why, as E001, like any file of the collection.
    """
    found: list[Path] = []
    for path in paths:
        kind = _path_kind(path)
        if kind == "missing":
            raise UsageError(f"no such file or folder: {path}")
        if kind == "folder":
            found.extend(find_record_files(path))
        else:
            found.append(path)
    # One file given twice (`records records/a.toml`, `a.toml ./a.toml`) is checked once,
    # else it would clash with itself in the duplicate-id check.
    unique: dict[Path, Path] = {}
    for file in found:
        unique.setdefault(real_path(file), file)
    return list(unique.values())


def _path_kind(path: Path) -> str:
    """ "folder", "file" or "missing" (nothing there, not even a broken link)."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "file" if os.path.lexists(path) else "missing"  # a broken link: E001
    except (OSError, ValueError):  # no permission to search its folder, a loop of links...
        return "file"
    return "folder" if S_ISDIR(mode) else "file"


def real_path(path: Path) -> Path:
    """`path` with its symbolic links resolved; a loop of links is left as it is, where
    `Path.resolve` would raise (reading the file then reports the loop)."""
    return Path(os.path.realpath(path))


def record_paths(config: Config, paths: Sequence[Path] = ()) -> list[Path]:
    """The files a command works on: `paths` (files/folders), else the records folder."""
    if paths:
        return expand_paths(paths)
    if not config.records.is_dir():
        raise UsageError(
            f"records folder not found: {display_path(config.records)}",
            hint="pass a path, --records PATH, or set `records` in ucap.toml",
        )
    return find_record_files(config.records)


def records_among(config: Config, paths: Sequence[Path]) -> list[Path]:
    """Those of `paths` that are records: in the records folder, not hidden in it (as the
    collection skips hidden files and folders), not the configuration file, and `.toml` files
    (or folders). The pre-commit hooks pass every staged `.toml` file: this keeps the records.
    """
    folder = os.path.abspath(config.records)
    settings = os.path.abspath(config.source) if config.source else None
    kept = []
    for path in paths:
        absolute = os.path.abspath(path)
        if absolute == settings or not (path.suffix == ".toml" or path.is_dir()):
            continue
        inside = os.path.relpath(absolute, folder).split(os.sep)
        if inside[0] == os.pardir or any(part.startswith(".") and part != "." for part in inside):
            continue
        kept.append(path)
    return kept


def scan_id(path: Path, max_size: int) -> str | None:
    """The id a record file declares, read cheaply: the top-level `id` line, else a full parse.

    None when the file cannot be read, is not UTF-8 or is larger than `max_size` bytes.
    """
    try:
        text = files.read_text(path, max_size)
    except (OSError, ValueError):
        return None
    for line in toml_lines(text):
        stripped = line.lstrip()
        if stripped.startswith("["):
            break  # the top level ends at the first table header
        if "'''" in line or '"""' in line:
            break  # a multi-line string could hold anything: parse instead
        match = _ID_LINE.fullmatch(line)
        if match:
            return match.group(1)
    try:
        value = parse_document(text).get("id")
    except (TOMLDecodeError, TooDeepError):
        return None
    return value if isinstance(value, str) else None


def other_files(config: Config, targets: list[Path]) -> list[tuple[Path, os.stat_result | None]]:
    """The rest of the collection when only `targets` were given (as pre-commit does), each
    with its stat: a link to a given file, or another name of it, is that file (compared by
    device and inode: one stat a file, no link resolved)."""
    if not config.records.is_dir():
        return []
    given = {os.path.abspath(p) for p in targets}
    given_files = {(s.st_dev, s.st_ino) for p in targets if (s := file_stat(p)) is not None}
    others = []
    for path in find_record_files(config.records):
        if os.path.abspath(path) in given:
            continue
        stat = file_stat(path)
        if stat is None or (stat.st_dev, stat.st_ino) not in given_files:
            others.append((path, stat))
    return others


def file_stat(path: Path) -> os.stat_result | None:
    """`path`'s stat, or None when it cannot be had."""
    try:
        return path.stat()
    except OSError:
        return None


def resolve_record(config: Config, ref: str) -> Path:
    """The file a command's record reference names; an unknown one is a UsageError.

    `ref` is the path of a `.toml` file (relative to the current folder, or a file name in the
    records folder: `records/x.toml`, `x.toml`, `/abs/x.toml`), or a record id: the file of
    the records folder that declares it (`records/ID.toml` first), else the one named ID.toml.
    """
    size = config.max_file_size
    if ref.endswith(".toml") or "/" in ref or os.sep in ref:
        for candidate in (Path(ref), config.records / ref):
            # Something there that is not a folder (a FIFO, a dangling link) is the file
            # meant: reading it says what it is (E001), not "no record file".
            if os.path.lexists(candidate) and not candidate.is_dir():
                return candidate
        wanted, what = Path(ref).stem, f"no record file {ref!r}"
        declared: dict[Path, str | None] = {}
        if config.records.is_dir():
            declared = {path: scan_id(path, size) for path in find_record_files(config.records)}
    else:
        direct = config.records / f"{ref}.toml"
        if direct.is_file() and scan_id(direct, size) == ref:
            return direct  # the usual layout, found without reading every file's id
        targets = record_paths(config)
        declared = {path: scan_id(path, size) for path in targets}
        found = [p for p, i in declared.items() if i == ref] or [
            p for p in targets if p.stem == ref
        ]
        if found:
            return found[0]
        wanted, what = ref, f"no record with id {ref!r}"
    ids = sorted({i or p.stem for p, i in declared.items()})
    close = difflib.get_close_matches(wanted, ids, n=3, cutoff=0.5)
    raise UsageError(
        f"{what} in {display_path(config.records)}"
        + (f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""),
        hint="`ucap list` shows the ids",
    )
