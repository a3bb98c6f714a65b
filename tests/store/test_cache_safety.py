"""The cache folder of a hostile clone (issue 12, items 1-2), and stale temporary files (item 9).

A repository can commit anything under `.ucap_cache/`: links out of the project, a FIFO, and,
for root working in someone else's clone, files of another user. ucap must take any of it as
"no cache", say so in one `ucap: warning: cache not used: ...` line, answer as without the
cache, and never read through, write, rename or delete anything but its own files. Each attack
runs every command through the real CLI; a snapshot of everything outside the cache (a sibling
folder with old files, the project's records) is compared before and after each command.

Then: temporary files that a killed write left (`.NAME.XXXXXXXX.tmp` beside a record, the
cache's `NAME.PID.tmp`) are removed by later runs once an hour old, and nothing else is.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import LYON_GRAZ, PUNE, VALID_RECORD, Run, generate_records, write_collection

import ucap_cli.store.cache
import ucap_cli.store.scratch
from ucap_cli.store.workers import MIN_FILES

PAST = 1_500_000_000.0  # 2017: record files the cache stores
OTHER_USER = 12345

# name: arguments. The views, validate and the commands that never use the cache.
COMMANDS: dict[str, tuple[str, ...]] = {
    "validate": ("validate",),
    "list": ("list",),
    "timeline": ("timeline", "--format", "json"),
    "summary": ("summary",),
    "show": ("show", "demo"),
    "fmt --check": ("fmt", "--check"),
}
VIEWS = ("list", "timeline", "summary")
NO_CACHE = {"validate", *VIEWS}  # the commands that take --no-cache (and use the cache)

Outcome = tuple[int, str, str]  # exit code, stdout, stderr
Invoke = Callable[[tuple[str, ...]], Outcome]


def backdate(path: Path, seconds_ago: float = 2 * 3600) -> None:
    """Set the mtime of `path` (a link itself, not its target) `seconds_ago` in the past."""
    when = time.time() - seconds_ago
    os.utime(path, (when, when), follow_symlinks=False)


def make_victim(folder: Path) -> Path:
    """A folder beside the project, all of it changed over an hour ago: a precious file, a
    sibling project with its records and `.git`. Returns `folder/precious.txt`."""
    precious = folder / "precious.txt"
    files = {
        precious: b"precious data\n",
        folder / "sibling" / "records" / "demo.toml": VALID_RECORD.encode(),
        folder / "sibling" / ".git" / "HEAD": b"ref: refs/heads/main\n",
        folder / "0123456789abcdef" / "records": b"/nowhere\n",  # named like a cache part
    }
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    for path in sorted(folder.rglob("*"), reverse=True):
        backdate(path)
    backdate(folder)
    return precious


def snapshot(top: Path, skip: Path) -> dict[str, tuple[Any, ...]]:
    """Every path under `top` but those under `skip`: its type, size, mtime, mode, owner and
    content (or link target), links not followed."""
    found: dict[str, tuple[Any, ...]] = {}
    for folder, folders, files in os.walk(top):
        folders[:] = [f for f in folders if Path(folder, f) != skip]
        for name in [*folders, *files, "."]:
            path = Path(folder, name)
            if path == skip:
                continue
            status = os.lstat(path)
            if stat.S_ISLNK(status.st_mode):
                content: Any = os.readlink(path)
            elif stat.S_ISREG(status.st_mode):
                content = path.read_bytes()
            else:
                content = None
            found[str(path.relative_to(top))] = (
                stat.S_IFMT(status.st_mode),
                status.st_size if content is not None else None,
                status.st_mtime_ns,
                status.st_mode,
                status.st_uid,
                content,
            )
    return found


def state(path: Path) -> tuple[Any, ...]:
    """What a planted path is: its type, owner, link target, and content when a file."""
    status = os.lstat(path)
    target = os.readlink(path) if stat.S_ISLNK(status.st_mode) else None
    content = path.read_bytes() if stat.S_ISREG(status.st_mode) else None
    return stat.S_IFMT(status.st_mode), status.st_uid, target, content


class Project:
    """A project with three records (over an hour old) beside the victim folder, its cache made
    by `validate` and `list` runs."""

    def __init__(self, top: Path) -> None:
        self.top = top
        self.root = top / "project"
        self.records = write_collection(
            self.root / "records",
            {"demo.toml": VALID_RECORD, "pune.toml": PUNE, "lyon-graz.toml": LYON_GRAZ},
        )
        (self.root / "ucap.toml").write_text('records = "records"\n', encoding="utf-8")
        for path in self.records.iterdir():
            os.utime(path, (PAST, PAST))
        self.victim = top / "victim"
        self.precious = make_victim(self.victim)
        self.cache = self.root / ".ucap_cache"

    def places(self) -> dict[str, Path]:
        """Where the cache keeps each of its files and folders (demo.toml's entry)."""
        records = os.path.abspath(Path.cwd() / "records")
        part = self.cache / "parsed" / hashlib.sha256(records.encode()).hexdigest()[:16]
        name = hashlib.sha256(os.fsencode(os.path.join(records, "demo.toml"))).hexdigest()
        fan_out = part / name[:2]
        return {
            "cache folder": self.cache,
            "parsed": self.cache / "parsed",
            "part": part,
            "fan-out": fan_out,
            "entry": fan_out / name[2:],
            "verdicts": self.cache / "verdicts.json",
            "gitignore": self.cache / ".gitignore",
            "mark": part / "records",
            "entry temporary": fan_out / f"{name[2:]}.4242.tmp",
            "verdicts temporary": self.cache / "verdicts.json.4242.tmp",
            "mark temporary": part / "records.4242.tmp",
        }

    def outside(self) -> dict[str, tuple[Any, ...]]:
        """The snapshot of everything but the cache: the victim folder and the project."""
        return snapshot(self.top, skip=self.cache)


# The places in the cache folder itself: every command that uses the cache looks at them.
TOP = {"cache folder", "parsed", "verdicts", "gitignore", "verdicts temporary"}
FOLDERS = {"cache folder", "parsed", "part", "fan-out"}

# (place, what is planted there)
ATTACKS = [
    *[
        (place, kind)
        for place in ("cache folder", "parsed", "part", "fan-out")
        for kind in ("link to a folder outside", "link to a file outside", "a file")
    ],
    ("parsed", "link to ../.."),  # the attack: the folder holding the project
    *[
        (place, kind)
        for place in (
            "entry",
            "verdicts",
            "mark",
            "gitignore",
            "entry temporary",
            "verdicts temporary",
            "mark temporary",
        )
        for kind in ("link to a file outside", "link to a folder outside")
    ],
    ("entry", "a folder"),
    ("verdicts", "a folder"),
    *[(place, "another user's") for place in ("part", "fan-out", "entry", "verdicts", "mark")],
]
FIFOS = ["entry", "verdicts", "mark"]


def plant(project: Project, place: str, kind: str) -> tuple[Path, str]:
    """Put `kind` at `place` in the cache; where, and what the warning says of it."""
    path = project.places()[place]
    if kind == "another user's":
        os.chown(path, OTHER_USER, OTHER_USER, follow_symlinks=False)
        return path, "belongs to another user"
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
    if kind.startswith("link"):
        target = {
            "link to a folder outside": project.victim,
            "link to a file outside": project.precious,
            "link to ../..": project.top,
        }[kind]
        os.symlink(os.path.relpath(target, path.parent), path)
        backdate(path)
        return path, "is a symbolic link"
    if kind == "a FIFO":
        os.mkfifo(path)
        return path, "is not a regular file"
    if kind == "a folder":
        path.mkdir()
        return path, "is not a regular file"
    path.write_bytes(b"not a folder\n")
    return path, "is not a folder"


def cache_state(cache: Path) -> Any:
    """The snapshot of the cache folder, or what is there instead of one."""
    if cache.is_symlink() or not cache.is_dir():
        return state(cache)
    return snapshot(cache, skip=cache / "none")


def attacked(project: Project, place: str, kind: str, invoke: Invoke) -> None:
    """Run every command as without the cache, first; warm the cache; plant the attack; then
    each command must answer as before, print the one warning when it uses the cache, change
    nothing outside the cache nor the planted thing, and, when it warns, write nothing in the
    cache (although a record changed since the cache was made)."""
    expected = {
        name: invoke((*args, "--no-cache") if name in NO_CACHE else args)
        for name, args in COMMANDS.items()
    }
    assert not project.cache.exists()
    for warm in (("validate",), ("list",)):
        assert invoke(warm)[2] == expected[warm[0]][2]
    assert project.places()["entry"].is_file() and project.places()["mark"].is_file()
    assert project.places()["verdicts"].is_file()

    path, what = plant(project, place, kind)
    planted = state(path)
    shown = path.relative_to(project.root).as_posix()
    warning = f"ucap: warning: cache not used: {shown} {what}"
    warned = set(NO_CACHE) if place in TOP else set(VIEWS)

    for number, (name, args) in enumerate(COMMANDS.items(), 1):
        os.utime(project.records / "demo.toml", (PAST + number, PAST + number))
        before = project.outside()
        cache_before = cache_state(project.cache)
        code, stdout, stderr = invoke(args)
        assert project.outside() == before, name
        assert state(path) == planted, name
        if name in warned:
            assert cache_state(project.cache) == cache_before, name
        lines = stderr.splitlines()
        assert (code, stdout) == expected[name][:2], (name, stderr)
        assert [line for line in lines if line != warning] == expected[name][2].splitlines()
        assert lines.count(warning) == (name in warned), (name, stderr)
    assert project.precious.read_bytes() == b"precious data\n"


@pytest.fixture
def project(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    made = Project(tmp_path)
    monkeypatch.chdir(made.root)
    return made


def in_process(run: Run) -> Invoke:
    def invoke(args: tuple[str, ...]) -> Outcome:
        result = run(*args)
        return result.exit_code, result.stdout, result.stderr

    return invoke


def ucap(cwd: Path, args: tuple[str, ...], timeout: float = 60) -> Outcome:
    """`ucap ARGS` in a process of its own; a hang fails the test instead of blocking it."""
    env = {k: v for k, v in os.environ.items() if k not in ("UCAP_RECORDS", "GITHUB_ACTIONS")}
    done = subprocess.run(
        [sys.executable, "-m", "ucap_cli", *args],
        cwd=cwd,
        env={**env, "NO_COLOR": "1", "COLUMNS": "120"},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.slow
@pytest.mark.parametrize(("place", "kind"), ATTACKS, ids=[f"{p}: {k}" for p, k in ATTACKS])
def test_a_planted_cache_is_not_used_and_nothing_outside_changes(
    run: Run, project: Project, place: str, kind: str
) -> None:
    if kind == "another user's" and os.getuid() != 0:
        pytest.skip("making a file another user's needs root")
    attacked(project, place, kind, in_process(run))


@pytest.mark.slow
@pytest.mark.parametrize("place", FIFOS)
def test_a_fifo_in_the_cache_hangs_nothing(project: Project, place: str) -> None:
    attacked(project, place, "a FIFO", lambda args: ucap(project.root, args))


@pytest.mark.slow
def test_a_planted_cache_is_not_used_by_worker_processes_either(tmp_path: Path) -> None:
    """With 200 files the views load in worker processes: the cache is looked through before
    they start, so none of them uses it; one warning, nothing outside touched."""
    root = tmp_path / "project"
    generate_records(root / "records", MIN_FILES, seed=7)
    for path in (root / "records").rglob("*.toml"):
        os.utime(path, (PAST, PAST))
    victim = tmp_path / "victim"
    precious = make_victim(victim)
    expected = {view: ucap(root, (*COMMANDS[view], "--no-cache")) for view in VIEWS}
    assert ucap(root, COMMANDS["list"])[0] == expected["list"][0]
    entries = sorted((root / ".ucap_cache" / "parsed").glob("*/??/*"))
    assert len(entries) == MIN_FILES
    entry, fan_out = entries[0], entries[-1].parent
    entry.unlink()
    os.symlink(precious, entry)
    shutil.rmtree(fan_out)
    os.symlink(victim, fan_out)
    links = {path: os.readlink(path) for path in (entry, fan_out)}

    for view in VIEWS:
        before = snapshot(victim, skip=root)
        code, stdout, stderr = ucap(root, COMMANDS[view])
        assert (code, stdout) == expected[view][:2]
        warnings = [line for line in stderr.splitlines() if line.startswith("ucap: warning:")]
        assert len(warnings) == 1, stderr
        assert warnings[0].startswith("ucap: warning: cache not used: .ucap_cache/parsed/")
        assert warnings[0].endswith(" is a symbolic link")
        assert snapshot(victim, skip=root) == before
        assert {path: os.readlink(path) for path in links} == links
    assert precious.read_bytes() == b"precious data\n"


def test_a_cache_of_ucaps_own_making_gives_no_warning(run: Run, project: Project) -> None:
    for args in COMMANDS.values():
        assert "warning" not in run(*args).stderr
    for args in COMMANDS.values():  # warm
        assert "warning" not in run(*args).stderr


# --- stale temporary files ------------------------------------------------------------------


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_write_removes_the_stale_temporary_files_of_its_own_file(
    run: Run, project: Project
) -> None:
    records = project.records
    stale = records / ".demo.toml.k3j_x0a9.tmp"  # as tempfile.mkstemp names them
    fresh = records / ".demo.toml.ab12cd34.tmp"  # another process is writing it
    linked = records / ".demo.toml.zzzzzzzz.tmp"
    other_pattern = records / ".demo.toml.abc.tmp"
    others_file = records / ".pune.toml.q1w2e3r4.tmp"
    for path in (stale, fresh, other_pattern, others_file):
        path.write_bytes(b"half a record")
    os.symlink(project.precious, linked)
    for path in (stale, linked, other_pattern, others_file):
        backdate(path)

    added = run("add", "activity", "demo", "--date", "2018", "--kind", "visit", "--title", "T")

    assert added.exit_code == 0, added.output
    assert temporaries(records) == sorted(
        p.name for p in (fresh, linked, other_pattern, others_file)
    )
    assert project.precious.read_bytes() == b"precious data\n"

    (records / "pune.toml").write_text(PUNE + "\n\n\n", encoding="utf-8")  # fmt changes it
    formatted = run("fmt", "records/pune.toml")
    assert formatted.exit_code == 0, formatted.output
    assert temporaries(records) == sorted(p.name for p in (fresh, linked, other_pattern))


@pytest.mark.slow
def test_a_write_killed_mid_way_leaves_a_temporary_file_the_next_write_removes(
    project: Project,
) -> None:
    """SIGKILL between writing the temporary file and renaming it, then `ucap add`."""
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from ucap_cli.toml import write\n"
        "def killed(*args): os.kill(os.getpid(), signal.SIGKILL)\n"
        "os.replace = killed\n"
        "write.atomic_write(Path(sys.argv[1]), b'new text')\n"
    )
    target = project.records / "demo.toml"
    done = subprocess.run([sys.executable, "-c", script, str(target)], check=False)
    assert done.returncode == -9
    [left] = temporaries(project.records)
    assert left.startswith(".demo.toml.")
    assert ucap(project.root, ("add", "result", "demo", "--text", "More"))[0] == 0
    assert temporaries(project.records) == [left]  # fresh: another process could be writing it

    backdate(project.records / left)
    assert ucap(project.root, ("add", "result", "demo", "--text", "More"))[0] == 0
    assert temporaries(project.records) == []
    assert target.read_text(encoding="utf-8").count('text = "More"') == 2


def test_the_cache_removes_its_own_stale_temporary_files(run: Run, project: Project) -> None:
    assert run("validate").exit_code == run("list").exit_code == 0
    places = project.places()
    fan_out, part = places["fan-out"], places["part"]
    entry = places["entry"].name
    stale = [
        fan_out / f"{entry}.4242.tmp",
        part / "records.4242.tmp",
        fan_out / f"{'f' * 62}.1.tmp",
    ]
    stale_verdicts = project.cache / "verdicts.json.4242.tmp"
    fresh = [fan_out / f"{entry}.4243.tmp", project.cache / "verdicts.json.4243.tmp"]
    foreign = [fan_out / f"{entry}.tmp", part / "notes.4242.tmp", project.cache / "x.1.tmp"]
    for path in [*stale, stale_verdicts, *fresh, *foreign]:
        path.write_bytes(b"partial")
    for path in [*stale, stale_verdicts, *foreign]:
        backdate(path)

    result = run("list")
    assert (result.exit_code, result.stderr) == (0, "")
    assert [p for p in stale if p.exists()] == []
    assert stale_verdicts.exists()  # validate's, when it next saves
    os.utime(project.records / "demo.toml", (PAST + 1, PAST + 1))  # a verdict to save
    result = run("validate")
    assert (result.exit_code, result.stderr) == (0, "")
    assert not stale_verdicts.exists()
    assert all(p.exists() for p in [*fresh, *foreign])


# --- what pruning removes ---------------------------------------------------------------------


def test_pruning_removes_only_the_cache_s_own_names(run: Run, project: Project) -> None:
    """A records folder that is gone: its part's entries and its `records` file go, a file of
    another name stays, and so does the folder holding it."""
    archive = project.root / "archive"
    shutil.copytree(project.records, archive)
    assert run("list", "--records", "archive").exit_code == 0
    assert run("list").exit_code == 0
    parts = {p.name: p for p in (project.cache / "parsed").iterdir()}
    [gone] = [p for p in parts.values() if (p / "records").read_text() == str(archive)]
    stranger = gone / "notes.txt"
    stranger.write_text("mine", encoding="utf-8")
    shutil.rmtree(archive)

    result = run("list")

    assert (result.exit_code, result.stderr) == (0, "")
    assert sorted(p.relative_to(gone).as_posix() for p in gone.rglob("*")) == ["notes.txt"]
    stranger.unlink()
    assert run("list").exit_code == 0
    assert gone.exists()  # with no `records` file, a part is removed after an hour unchanged
    backdate(gone)
    assert run("list").exit_code == 0
    assert not gone.exists()
    assert len(list((project.cache / "parsed").iterdir())) == 1


def test_a_part_whose_records_file_names_another_folder_is_not_the_cache_s(
    run: Run, project: Project
) -> None:
    assert run("list").exit_code == 0
    planted = project.cache / "parsed" / ("0" * 16)
    shutil.copytree(project.places()["part"], planted)
    (planted / "records").write_text(str(project.victim), encoding="utf-8")
    before = snapshot(planted, skip=planted / "none")

    result = run("list")

    message = f"cache not used: .ucap_cache/parsed/{'0' * 16}/records does not name its folder"
    assert result.stderr.splitlines() == [f"ucap: warning: {message}"]
    assert snapshot(planted, skip=planted / "none") == before


def test_without_files_opened_relative_to_a_folder_there_is_no_cache(
    run: Run, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ucap_cli.store.scratch, "SUPPORTED", False)  # as on Windows
    expected = {name: run(*COMMANDS[name], "--no-cache").stdout for name in NO_CACHE}

    for name in NO_CACHE:
        result = run(*COMMANDS[name])
        assert (result.stdout, result.stderr) == (expected[name], "")
    assert not project.cache.exists()
