"""The records at a git revision: the one place that runs git.

`ucap changes` compares the records folder at two revisions. Git says which files changed
(`git diff --raw -z`, and `git ls-files --others` for new files not yet added); only those
files are read, at each revision from git's object store in one `git cat-file --batch`
process, in the working tree from disk. Each is then loaded as any record file is (with the
record as far as it could be read), so a file that is not TOML or has errors at either
revision is reported, not skipped.

Git runs as a process with an argument list, never through a shell. A revision is checked
before use (`git rev-parse --verify --end-of-options REV^{commit}`) and from then on named by
its full hash, so a revision can never be taken as an option; paths travel NUL-separated (any
byte but NUL is allowed in them) and as literal pathspecs (a `*` in a folder's name is not a
pattern). Nothing here writes to the repository: `GIT_OPTIONAL_LOCKS=0` keeps `git diff` from
refreshing the index.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ucap_cli.check.loader import RecordFile, check_data, load_bytes, read_leniently
from ucap_cli.check.problems import Problem
from ucap_cli.config import Config
from ucap_cli.errors import UsageError
from ucap_cli.store.cache import ParsedCache
from ucap_cli.store.collection import load_files
from ucap_cli.toml.files import FileTooLargeError, display_path

_ZERO = "0" * 40
_SUBMODULE, _LINK, _ABSENT = "160000", "120000", "000000"
WORKING_TREE = "the working tree"
_END = "--end-of-options"  # git takes nothing after it as an option
_LINK_MESSAGE = "cannot read: a symbolic link in git (only the working tree's links are followed)"
_MISSING_MESSAGE = "cannot read: git has no such object"


@dataclass(frozen=True)
class Repository:
    """The git repository of a records folder: git's executable, the top folder of the work
    tree, and the records folder relative to it (`records`, or `.` for the top itself)."""

    git: str
    top: Path
    folder: str
    git_dir: Path


@dataclass(frozen=True)
class Revision:
    """One side of a comparison: a commit (`name` as the user gave it, `commit` its full
    hash) or, with neither, the working tree (uncommitted edits and new files included)."""

    name: str | None = None
    commit: str | None = None

    @property
    def label(self) -> str:
        """`v2024-q3`, or `the working tree`."""
        return self.name if self.name is not None else WORKING_TREE


@dataclass(frozen=True)
class Changed:
    """A record file git says differs between the two revisions: its path from the top of
    the work tree, and its blob at each side (None: not there; `_ZERO`: in the working tree)."""

    path: str
    old: str | None
    new: str | None
    old_link: bool = False
    new_link: bool = False


@dataclass(frozen=True)
class History:
    """The files that changed, loaded at each revision (only those: in the order of their
    paths), and how many paths git named."""

    old: Revision
    new: Revision
    old_files: list[RecordFile]
    new_files: list[RecordFile]
    paths: int
    cache_warning: str | None = None


# --------------------------------------------------------------------------- running git


def open_repository(folder: Path) -> Repository:
    """The repository `folder` is in; a UsageError when git is missing, the folder does not
    exist or is not in a git work tree."""
    git = shutil.which("git")
    if git is None:
        raise UsageError(
            "git is not installed: `ucap changes` reads the records' history with git",
            hint="install git, or compare two folders' `ucap list --format json`",
        )
    if not folder.is_dir():
        raise UsageError(
            f"records folder not found: {display_path(folder)}",
            hint="pass --records PATH, or set `records` in ucap.toml",
        )
    done = _run(git, folder, ["rev-parse", "--absolute-git-dir", "--show-toplevel"], check=False)
    lines = os.fsdecode(done.stdout).split("\n")
    if done.returncode != 0 or len(lines) != 3 or not all(lines[:2]):
        raise UsageError(
            f"the records folder {display_path(folder)} is not in a git work tree",
            hint="`ucap changes` compares the records at two git revisions",
        )
    git_dir, top = Path(lines[0]), Path(lines[1])
    inside = os.path.relpath(os.path.realpath(folder), os.path.realpath(top))
    if inside == os.pardir or inside.startswith(os.pardir + os.sep):
        raise UsageError(f"the records folder {display_path(folder)} is outside its work tree")
    return Repository(git, top, Path(inside).as_posix(), git_dir)


def resolve(repo: Repository, *names: str) -> list[Revision]:
    """The commits `names` name (a hash, branch, tag, `HEAD~2`...), in one run of git; a
    UsageError for the first that names none. A name starting with `-` is refused before git
    sees it, and git is told that no option follows."""
    for name in names:
        if not name or name.startswith("-") or any(c in name for c in "\0\n\r"):
            raise UsageError(f"not a git revision: {name!r}")
    asked = [f"{name}^{{commit}}" for name in names]
    done = _run(repo.git, repo.top, ["rev-parse", _END, *asked], check=False)
    # (Without --verify, some versions of git echo `--end-of-options` first.)
    commits = [c for c in done.stdout.decode("ascii", "replace").split() if c != _END]
    if done.returncode == 0 and len(commits) == len(names) and all(map(_is_hash, commits)):
        return [Revision(name, commit) for name, commit in zip(names, commits, strict=True)]
    for name in names:  # which one: each on its own
        check = ["rev-parse", "--verify", "--quiet", _END, f"{name}^{{commit}}"]
        alone = _run(repo.git, repo.top, check, check=False)
        if alone.returncode != 0 or not _is_hash(alone.stdout.decode("ascii", "replace").strip()):
            raise UsageError(
                f"unknown git revision {name!r}",
                hint="a commit, branch or tag of the repository "
                "(`git log --oneline` lists commits)",
            )
    raise UsageError(f"git rev-parse failed: {done.stderr.decode('utf-8', 'replace').strip()}")


def _is_hash(text: str) -> bool:
    return len(text) >= 40 and all(c in "0123456789abcdef" for c in text)


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["GIT_OPTIONAL_LOCKS"] = "0"  # a read must not take the index lock to refresh it
    env["LC_ALL"] = "C"
    env.pop("GIT_EXTERNAL_DIFF", None)
    return env


def _run(
    git: str, cwd: Path, args: Sequence[str], *, check: bool = True
) -> subprocess.CompletedProcess[bytes]:
    """`git ARGS` in `cwd`, its output as bytes; with `check`, a failure is a UsageError."""
    try:
        done = subprocess.run(
            [git, "--literal-pathspecs", *args],
            cwd=cwd,
            env=_environment(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
    except OSError as error:
        raise UsageError(f"cannot run git: {error.strerror or error}") from None
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git {args[0]} failed: {message[-1] if message else done.returncode}")
    return done


# --------------------------------------------------------------------------- what changed


def changed_files(repo: Repository, old: Revision, new: Revision) -> list[Changed]:
    """The record files (`.toml`, not hidden, under the records folder) that differ between
    `old` (a commit) and `new` (a commit or the working tree), in path order. Renames are
    not followed: a moved file is removed at one path and added at another (the records are
    then paired by id)."""
    assert old.commit is not None
    sides = [old.commit] if new.commit is None else [old.commit, new.commit]
    done = _run(
        repo.git,
        repo.top,
        [
            "diff",
            "--raw",
            "-z",
            "--no-abbrev",
            "--no-renames",
            "--no-relative",
            "--no-ext-diff",
            "--ignore-submodules=all",
            *sides,
            "--",
            repo.folder,
        ],
    )
    found: dict[str, Changed] = {}
    tokens = done.stdout.split(b"\0")
    for meta, raw_path in zip(tokens[0::2], tokens[1::2], strict=False):
        if not meta.startswith(b":"):
            continue
        fields = meta[1:].decode("ascii", "replace").split()
        if len(fields) < 5:
            continue
        old_mode, new_mode, old_blob, new_blob = fields[:4]
        path = os.fsdecode(raw_path)
        if _SUBMODULE in (old_mode, new_mode) or not _is_record(repo, path):
            continue
        found[path] = Changed(
            path,
            None if old_mode == _ABSENT else old_blob,
            None if new_mode == _ABSENT else (_ZERO if new.commit is None else new_blob),
            old_link=old_mode == _LINK,
            new_link=new_mode == _LINK and new.commit is not None,
        )
    if new.commit is None:
        for path in _untracked(repo):
            found.setdefault(path, Changed(path, None, _ZERO))
    return [found[path] for path in sorted(found)]


def _untracked(repo: Repository) -> list[str]:
    """Record files of the working tree that git does not track and does not ignore."""
    done = _run(
        repo.git,
        repo.top,
        ["ls-files", "--others", "--exclude-standard", "-z", "--", repo.folder],
    )
    paths = (os.fsdecode(p) for p in done.stdout.split(b"\0") if p)
    return [p for p in paths if _is_record(repo, p)]


def _is_record(repo: Repository, path: str) -> bool:
    """True for a path git gives (from the top) that the collection would hold: a `.toml`
    file under the records folder, no part of it hidden (as `find_record_files` walks)."""
    inside = path if repo.folder == "." else path.removeprefix(repo.folder + "/")
    if inside == path and repo.folder != ".":
        return False
    parts = inside.split("/")
    return parts[-1].endswith(".toml") and not any(p.startswith(".") for p in parts)


# --------------------------------------------------------------------------- reading


def read_changes(
    config: Config, old_name: str, new_name: str | None, *, use_cache: bool = True
) -> History:
    """The record files that changed in `config`'s records folder between revision
    `old_name` and `new_name` (None: the working tree), each loaded at both revisions
    where it exists there. Parsed blobs are remembered by their id in ucap's cache (a blob
    never changes); files of the working tree as the views remember them."""
    repo = open_repository(config.records)
    if new_name is None:
        (old,), new = resolve(repo, old_name), Revision()
    else:
        old, new = resolve(repo, old_name, new_name)
    changed = changed_files(repo, old, new)
    # (blob, path, display, at a link) of each file to read from git, and at which side
    wanted: list[tuple[str, Path, str, bool]] = []
    sides: list[bool] = []  # True: the old revision
    on_disk: list[Path] = []
    for item in changed:
        location = repo.top / item.path
        if item.old is not None:
            wanted.append((item.old, location, f"{old.label}:{item.path}", item.old_link))
            sides.append(True)
        if item.new == _ZERO:
            on_disk.append(location)
        elif item.new is not None:
            wanted.append((item.new, location, f"{new.label}:{item.path}", item.new_link))
            sides.append(False)
    cache = _blob_cache(config, repo, [w[0] for w in wanted]) if use_cache and wanted else None
    loaded = _load_blobs(repo, wanted, config, cache)
    warning = cache.warning if cache is not None else None
    if cache is not None:
        cache.close()
    old_files = [f for f, at_old in zip(loaded, sides, strict=True) if at_old]
    new_files = [f for f, at_old in zip(loaded, sides, strict=True) if not at_old]
    if on_disk:
        new_files, disk_warning = load_files(config, on_disk, use_cache=use_cache)
        warning = warning or disk_warning
    return History(old, new, old_files, new_files, len(changed), warning)


def _blob_cache(config: Config, repo: Repository, blobs: Sequence[str]) -> ParsedCache:
    """The cache of parsed blobs of `repo`, kept to those of this run (`blobs`) when it holds
    more: the same comparison, run again while a report is written, parses nothing."""
    settings = [config.validation_context(), config.max_file_size, "git blobs"]
    cache = ParsedCache(config.root, repo.git_dir, settings)
    cache.prune([_blob_key(blob) for blob in blobs])
    return cache


def _blob_key(blob: str) -> Path:
    """The name a blob's entry is kept under (the cache names entries by absolute paths)."""
    return Path("/git-blob", blob)


# What identifies a blob's version besides its id: nothing, a blob never changes. So one
# stamp for all, old enough to be stored at once.
_BLOB_STAMP = os.stat_result(
    (0o100644, 0, 0, 1, 0, 0, 0, 0, 0, 0), {"st_atime_ns": 0, "st_mtime_ns": 0, "st_ctime_ns": 0}
)


def _load_blobs(
    repo: Repository,
    wanted: Sequence[tuple[str, Path, str, bool]],
    config: Config,
    cache: ParsedCache | None,
) -> list[RecordFile]:
    """Each (blob, path, display, link) of `wanted` loaded: from the cache when it holds the
    blob's parsed data, else from its contents, read in one `git cat-file --batch`."""
    context = config.validation_context()
    found: list[RecordFile | None] = []
    for blob, path, display, link in wanted:
        if link:
            found.append(_unread(path, display, _LINK_MESSAGE))
        else:
            found.append(_cached(cache, blob, path, display, context) if cache else None)
    missing = sorted({w[0] for w, f in zip(wanted, found, strict=True) if f is None})
    contents = dict(_blobs(repo, missing, config.max_file_size)) if missing else {}
    files = []
    for (blob, path, display, _), file in zip(wanted, found, strict=True):
        if file is None:
            content = contents.get(blob, _MISSING_MESSAGE)
            if isinstance(content, str):
                file = _unread(path, display, content)
            else:
                file = load_bytes(content, path, display, context, readable=True)
                if cache is not None and file.data is not None:
                    cache.put(_blob_key(blob), _BLOB_STAMP, file.data, file.first_error)
        files.append(file)
    return files


def _unread(path: Path, display: str, message: str) -> RecordFile:
    file = RecordFile(path, display)
    file.problems.append(Problem(display, 1, 1, "E001", message))
    return file


def _cached(
    cache: ParsedCache, blob: str, path: Path, display: str, context: dict[str, Any]
) -> RecordFile | None:
    """The file of `blob` from its cached data, when the cache holds it and says what it is
    (valid, or its first error); None to load it from its contents. The size of the blob is
    not known here: it is taken as large (which costs little when it is not)."""
    cached = cache.lookup(_blob_key(blob), _BLOB_STAMP, display)
    if cached is None:
        return None
    file = RecordFile(path, display, data=cached.data)
    if cached.checked and cached.error is not None:
        file.problems.append(cached.error)
        read_leniently(file, context, large=True)
        return file
    return file if check_data(file, context, large=True) else None


def _blobs(
    repo: Repository, blobs: Sequence[str], max_size: int
) -> Iterator[tuple[str, bytes | str]]:
    """Each blob's contents from one `git cat-file --batch` (or why it could not be had:
    too large, missing), in the order asked. The hashes are written by a thread while the
    contents are read, so that neither pipe fills up."""
    try:
        process = subprocess.Popen(
            [repo.git, "cat-file", "--batch"],
            cwd=repo.top,
            env=_environment(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError as error:
        raise UsageError(f"cannot run git: {error.strerror or error}") from None
    assert process.stdin is not None and process.stdout is not None
    request = "".join(f"{blob}\n" for blob in blobs).encode("ascii")
    writer = threading.Thread(target=_feed, args=(process.stdin, request), daemon=True)
    writer.start()
    try:
        for blob in blobs:
            yield blob, _read_object(process.stdout, max_size)
    finally:
        writer.join()
        process.stdout.close()
        process.wait()


def _feed(stream: IO[bytes], data: bytes) -> None:
    try:
        stream.write(data)
    except OSError:  # git stopped reading (it failed): the reader says so
        pass
    finally:
        with contextlib.suppress(OSError):
            stream.close()


def _read_object(stream: IO[bytes], max_size: int) -> bytes | str:
    """One answer of `git cat-file --batch`: the contents, or why there are none."""
    header = stream.readline()
    fields = header.split()
    if len(fields) != 3 or fields[1] != b"blob":
        if not header:
            raise UsageError("git cat-file stopped before giving every file")
        return _MISSING_MESSAGE
    size = int(fields[2])
    if size > max_size:
        remaining = size + 1
        while remaining:
            chunk = stream.read(min(remaining, 1 << 20))
            if not chunk:
                break
            remaining -= len(chunk)
        return str(FileTooLargeError(max_size))
    content = stream.read(size)
    stream.read(1)  # the newline after the contents
    return content
