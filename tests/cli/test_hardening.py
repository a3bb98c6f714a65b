"""Hostile files, faults and races through the real CLI.

Whatever a record file holds, every reading command answers with a clear message and an exit
status, never a traceback or a hang; an interrupted write leaves the old file or the new one
and nothing else; reading commands change nothing. (Untrusted text in outputs:
tests/render/test_untrusted_text.py.)
"""

from __future__ import annotations

import errno
import json
import os
import pathlib
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_RECORD, Run, edited, write_record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import Result

from ucap_cli.authoring.edit import append_entry
from ucap_cli.check.loader import MAX_PROBLEMS
from ucap_cli.check.problems import CODES
from ucap_cli.store.files import find_record_files
from ucap_cli.toml import write
from ucap_cli.toml.layout import format_text

GOOD = edited(VALID_RECORD, ('id = "demo"', 'id = "good"'))
ADD = ("add", "activity", "demo", "--date", "2018", "--kind", "meeting", "--title", "Added")


def clean(result: Result) -> str:
    """The whole output, after checking that it holds no traceback."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    return output


def collection(root: Path, demo: str | bytes | None) -> Path:
    """`records/good.toml` (valid) and, unless None, `records/demo.toml` holding `demo`."""
    write_record(root / "records", "good", GOOD)
    if demo is not None:
        write_record(root / "records", "demo", demo)
    return root / "records"


# --------------------------------------------------------------------------- hostile files


@dataclass(frozen=True)
class Hostile:
    """A broken file and what each kind of command says about it."""

    content: Callable[[], bytes]
    load: str  # validate, list, show, timeline and summary: "CODE message"
    fmt: str  # `ucap fmt --check`: the message after "ucap: error: records/demo.toml: "
    add: str  # `ucap add activity demo`: a part of its one-line error


def _big() -> bytes:
    return VALID_RECORD.encode() + b"#" + b"x" * (50 * 1024 * 1024) + b"\n"


HOSTILE = {
    # Past the TOML parser's own limit (400): the one nesting limit's problem all the same.
    "deep-arrays": Hostile(
        lambda: b"a = " + b"[" * 100_000,
        "E004 a is nested more than 400 levels deep; the limit is 64",
        "a is nested more than 400 levels deep; the limit is 64 (at line 1, column 69)",
        "cannot add to this file: a is nested more than 400 levels deep; the limit is 64",
    ),
    "deep-inline-tables": Hostile(
        lambda: b"a = " + b"{a=" * 100_000,
        "E004 [a] is nested more than 400 levels deep; the limit is 64",
        "[a] is nested more than 400 levels deep; the limit is 64 (at line 1, column 197)",
        "cannot add to this file: [a] is nested more than 400 levels deep; the limit is 64",
    ),
    "50-MB": Hostile(
        _big,
        "E001 file is larger than the limit of 10,485,760 bytes (max_file_size)",
        "larger than the limit of 10,485,760 bytes (max_file_size)",
        "records/demo.toml is larger than the limit of 10,485,760 bytes (max_file_size); "
        "nothing was written",
    ),
    "NUL-byte": Hostile(
        lambda: VALID_RECORD.replace('"IUC"', '"I\x00UC"').encode(),
        "E002 TOML: Illegal character '\\x00'",
        "not valid TOML: Illegal character '\\x00' (at line 4, column 15)",
        "cannot add to a file that is not valid TOML: Illegal character '\\x00' (at line 4",
    ),
    "invalid-UTF-8": Hostile(
        lambda: VALID_RECORD.replace("Lyon \u2013 Graz", "Lyon \xe9 Graz").encode("latin-1"),
        "E001 not UTF-8 text: invalid continuation byte",
        "not UTF-8 text: invalid continuation byte (line 3, column 15)",
        "records/demo.toml: not UTF-8 text: invalid continuation byte (line 3, column 15)",
    ),
    "UTF-16": Hostile(
        lambda: VALID_RECORD.encode("utf-16"),  # with its byte order mark, as Notepad saves
        "E001 UTF-16: save the file as UTF-8",
        "UTF-16: save the file as UTF-8",
        "records/demo.toml: UTF-16: save the file as UTF-8",
    ),
    "UTF-16-BE": Hostile(
        lambda: b"\xfe\xff" + VALID_RECORD.encode("utf-16-be"),
        "E001 UTF-16: save the file as UTF-8",
        "UTF-16: save the file as UTF-8",
        "records/demo.toml: UTF-16: save the file as UTF-8",
    ),
    "UTF-32": Hostile(
        lambda: VALID_RECORD.encode("utf-32"),
        "E001 UTF-32: save the file as UTF-8",
        "UTF-32: save the file as UTF-8",
        "records/demo.toml: UTF-32: save the file as UTF-8",
    ),
}

# Every reading command, with the exit status and the line it gives for a broken records/demo.toml
READERS = ["validate", "list", "show", "timeline", "summary", "fmt", "add"]


def run_reader(run: Run, command: str) -> Result:
    """Run one of READERS on the collection in the current folder."""
    arguments = {
        "validate": ("validate", "--no-cache"),
        "list": ("list",),
        "show": ("show", "demo"),
        "timeline": ("timeline",),
        "summary": ("summary",),
        "fmt": ("fmt", "--check"),
        "add": ADD,
    }[command]
    return run(*arguments)


def assert_reported(result: Result, command: str, load: str, fmt: str, add: str) -> None:
    """`records/demo.toml` is reported by `command` with the right words and exit status 1;
    the good record is still shown by the views."""
    output = clean(result)
    assert result.exit_code == 1, output
    where = "records/demo.toml"
    if command == "validate":
        [line] = [ln for ln in result.stdout.splitlines() if ln.startswith(where)]
        assert line.endswith(load) and ": error E0" in line, line
    elif command in ("list", "timeline", "summary"):
        assert f"ucap: skipped {where}:" in result.stderr
        assert f": {load}\n" in result.stderr, result.stderr
        assert "Lyon" in result.stdout  # the good record is still there
    elif command == "show":
        assert result.stderr.startswith(f"ucap: error: {where}: cannot show the record: {load}\n")
    elif command == "fmt":
        assert f"ucap: error: {where}: {fmt}\n" in result.stderr, result.stderr
    else:
        [line] = result.stderr.splitlines()[:1]
        assert line.startswith("ucap: error: ") and add in line, result.stderr


@pytest.mark.parametrize("command", READERS)
@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_file_is_reported_by_every_command(
    run: Run, tmp_path: Path, case: str, command: str
) -> None:
    hostile = HOSTILE[case]
    records = collection(tmp_path, hostile.content())
    before = (records / "demo.toml").read_bytes()
    started = time.monotonic()
    result = run_reader(run, command)
    assert time.monotonic() - started < 5
    assert_reported(result, command, hostile.load, hostile.fmt, hostile.add)
    assert (records / "demo.toml").read_bytes() == before
    assert sorted(p.name for p in records.iterdir()) == ["demo.toml", "good.toml"]


@pytest.mark.slow
def test_the_size_limit_is_checked_before_reading_and_can_be_raised(
    run: Run, tmp_path: Path
) -> None:
    records = collection(tmp_path, _big())
    (tmp_path / "ucap.toml").write_text("max_file_size = 60_000_000\n", encoding="utf-8")
    assert (records / "demo.toml").stat().st_size < 60_000_000
    result = run("validate", "--no-cache", "--format", "json")
    assert (result.exit_code, json.loads(result.stdout)["problems"]) == (0, [])
    (tmp_path / "ucap.toml").write_text("max_file_size = 1000\n", encoding="utf-8")
    result = run("validate", "--no-cache")
    assert result.stdout.splitlines()[0] == (
        "records/demo.toml:1:1: error E001 file is larger than the limit of 1,000 bytes "
        "(max_file_size)"
    )


# --------------------------------------------------------------------------- many problems


def many_keys(count: int, *, where: str = "top") -> str:
    """VALID_RECORD with `count` tiny keys `kN = 1`: unknown keys at the top level, or valid
    ones inside the free-form [extra] table."""
    keys = "".join(f"k{n}=1\n" for n in range(count))
    if where == "extra":
        return VALID_RECORD + keys
    head, tail = VALID_RECORD.split("[period]")
    return head + keys + "[period]" + tail


@pytest.mark.slow
def test_a_million_unknown_keys_give_a_short_report_quickly(run: Run, tmp_path: Path) -> None:
    text = many_keys(1_000_000)
    assert len(text) < 10 * 1024 * 1024  # within the default limit
    collection(tmp_path, text.encode())
    started = time.monotonic()
    result = run("validate", "--no-cache", "--format", "json", "records/demo.toml")
    elapsed = time.monotonic() - started
    assert elapsed < 40  # about 3 s here (10 s when all of pydantic's errors were listed)
    report = json.loads(result.stdout)
    problems = report["problems"]
    assert (result.exit_code, len(problems)) == (1, MAX_PROBLEMS + 1)
    assert [p["message"] for p in problems[:2]] == [
        "unknown key 'k0' in the top level",
        "unknown key 'k1' in the top level",
    ]
    assert [p["line"] for p in problems[:MAX_PROBLEMS]] == list(range(10, 10 + MAX_PROBLEMS))
    last = problems[-1]
    assert last["message"] == "... and 999,900 more problems in this file"
    assert (last["code"], last["severity"]) == ("E102", "error")
    assert last["line"] == text.count("\n")  # placed at the end: reported last
    assert last["hint"] == f"fix the first {MAX_PROBLEMS} and run `ucap validate` again"


@pytest.mark.parametrize("command", ["list", "show", "timeline", "summary", "fmt", "add"])
def test_many_unknown_keys_in_every_command(run: Run, tmp_path: Path, command: str) -> None:
    collection(tmp_path, many_keys(20_000).encode())
    result = run_reader(run, command)
    output = clean(result)
    assert result.exit_code == 1
    if command == "fmt":  # formatting does not validate: it would reformat the file
        assert "would reformat records/demo.toml\n" in result.stdout
    elif command == "add":
        refusal = result.stderr.splitlines()
        assert refusal[0].startswith("ucap: error: not written: ")
        assert len(refusal) == 1 + 2 * (MAX_PROBLEMS + 1)  # each problem and its hint
        assert "  error E102 ... and 19,900 more problems in this file" in refusal
    else:
        assert "E102 unknown key 'k0' in the top level" in output
        assert len(output.splitlines()) < 100


def test_the_cap_keeps_the_worst_severity_and_counts_later_findings(tmp_path: Path) -> None:
    from ucap_cli.check.findings import Finding
    from ucap_cli.check.loader import RecordFile

    file = RecordFile(tmp_path / "x.toml", "x.toml", text="a = 1\nb = 2\n")
    file.report([Finding("W303", "w", ("a",))] * (MAX_PROBLEMS + 1))
    assert file.problems[-1].code == "W303"
    file.report([Finding("W303", "w", ("a",)), Finding("E201", "e", ("b",))])
    assert len(file.problems) == MAX_PROBLEMS + 1
    last = file.problems[-1]
    assert (last.code, last.message) == ("E201", "... and 3 more problems in this file")
    assert (last.line, last.column) == (2, 6)
    assert CODES[last.code].severity == "error"
    assert not file.ok


def test_a_megabyte_line_is_not_printed_under_its_problem(tmp_path: Path) -> None:
    from ucap_cli.config import load_config
    from ucap_cli.render.problems import text_lines
    from ucap_cli.store.collection import validate

    text = VALID_RECORD.replace('kind = "visit"', f'kind = "{"v" * 1_000_000}"')
    path = write_record(tmp_path / "records", "demo", text)
    result = validate(load_config(tmp_path), [path], use_cache=False)
    message, summary = (line.plain for line in text_lines(result, detailed=True))
    assert message.startswith(f"{path}:27:8: error E112 activities[1].kind: must be one of ")
    assert summary == "1 error, 0 warnings in 1 file"  # no megabyte source line between them


# --------------------------------------------------------------------------- long lines, CRLF


def test_very_long_values_are_cut_in_terminal_views_not_in_data(run: Run, tmp_path: Path) -> None:
    long = "Ab " * 350_000  # a line of a megabyte
    text = edited(
        VALID_RECORD,
        ('title = "Lyon \u2013 Graz"', f'title = "{long}"'),
        ('name = "Lyon"', f'name = "Lyon {long[:200_000]}"'),
    )
    write_record(tmp_path / "records", "demo", text)  # alone: the views show its title
    for arguments, cut in (
        (["list"], "(+190,014"),  # "Lyon Ab Ab ... (France)"
        (["show", "demo"], "(+1,040,000"),  # the title
        (["timeline"], "(+1,040,000"),
        (["summary"], "(+1,040,000"),
    ):
        started = time.monotonic()
        result = run(*arguments)
        assert time.monotonic() - started < 5, arguments
        assert result.exit_code == 0, clean(result)
        assert len(result.stdout) < 100_000, arguments
        assert cut in result.stdout, arguments
        assert "characters)" in result.stdout
    shown = run("show", "demo", "-f", "csv", "--fields", "title").stdout
    assert shown == f"title\n{long}\n"  # the whole title
    assert json.loads(run("show", "demo", "-f", "json").stdout)["title"] == long
    assert run("validate", "--no-cache").exit_code == 0  # W303 warnings only


def test_crlf_files_work_in_every_command(run: Run, tmp_path: Path) -> None:
    records = collection(tmp_path, VALID_RECORD.replace("\n", "\r\n").encode())
    assert run("validate", "--no-cache", "--strict").exit_code == 0
    assert run("list", "-f", "csv").stdout.splitlines()[1].startswith("demo,Lyon \u2013 Graz,")
    assert run("show", "demo").stdout.splitlines()[0] == "Lyon \u2013 Graz"
    assert "Graz delegation visits Lyon" in run("timeline").stdout
    assert run("summary", "-f", "json").exit_code == 0
    result = run(*ADD)
    assert result.exit_code == 0, clean(result)
    written = (records / "demo.toml").read_bytes()
    assert written.count(b"\r\n") == written.count(b"\n")  # still CRLF throughout
    assert run("fmt").exit_code == 0
    written = (records / "demo.toml").read_bytes()
    assert written.count(b"\r\n") == written.count(b"\n")


# --------------------------------------------------------------------------- the file system


def folder_cases(tmp_path: Path) -> None:
    """A broken link, a loop of two links, and a link to the folder itself in records/."""
    records = collection(tmp_path, None)
    (records / "gone.toml").symlink_to(records / "missing.toml")
    (records / "a.toml").symlink_to("b.toml")
    (records / "b.toml").symlink_to("a.toml")
    (records / "loop").symlink_to(".")  # never followed: no file is found twice


def test_links_broken_and_looping_in_the_records_folder(run: Run, tmp_path: Path) -> None:
    folder_cases(tmp_path)
    loop = "E001 cannot read: a loop of symbolic links"
    gone = "E001 cannot read: no such file (a broken link, or removed while reading)"
    result = run("validate", "--no-cache")
    assert (result.exit_code, result.stdout) == (
        1,
        f"records/a.toml:1:1: error {loop}\n"
        f"records/b.toml:1:1: error {loop}\n"
        f"records/gone.toml:1:1: error {gone}\n"
        "3 errors, 0 warnings in 4 files\n",
    )
    result = run("validate", "--no-cache", "records/a.toml", "records/good.toml")
    assert result.stdout == (f"records/a.toml:1:1: error {loop}\n1 error, 0 warnings in 2 files\n")
    for command in ("list", "timeline", "summary"):
        result = run(command)
        assert result.exit_code == 1
        assert clean(result).count("ucap: skipped records/") == 3
        assert f"ucap: skipped records/a.toml:1:1: {loop}\n" in result.stderr
        assert "Lyon" in result.stdout
    result = run("show", "a")
    assert result.stderr.startswith(f"ucap: error: records/a.toml: cannot show the record: {loop}")
    result = run("fmt", "--check")
    assert "ucap: error: records/a.toml: cannot read: Too many levels of symbolic links\n" in (
        result.stderr
    )
    assert "ucap: error: records/gone.toml: cannot read: No such file or directory\n" in (
        result.stderr
    )
    assert result.exit_code == 1
    for name, reason in (("a", "Too many levels of symbolic links"), ("gone", "No such file")):
        result = run("add", "activity", name, "--date", "2018", "--kind", "visit", "--title", "T")
        assert result.exit_code == 1
        assert clean(result).startswith("ucap: error: cannot read ")
        assert f"records/{name}.toml: {reason}" in result.stderr
    assert not (tmp_path / "records" / "missing.toml").exists()  # not created through the link
    assert sorted(p.name for p in (tmp_path / "records").iterdir()) == [
        "a.toml", "b.toml", "gone.toml", "good.toml", "loop"
    ]  # fmt: skip


def test_validating_through_a_looping_link_is_not_a_crash(run: Run, tmp_path: Path) -> None:
    folder_cases(tmp_path)
    result = run("validate", "--no-cache", "records/loop/a.toml", "records/loop")
    assert result.exit_code == 1
    assert "records/loop/a.toml:1:1: error E001 cannot read: a loop of symbolic links" in (
        clean(result)
    )


@pytest.fixture
def unreadable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening any `demo.toml` for reading fails with EACCES, as a file without read
    permission does for a user who is not root (the tests run as root, who can read anything).
    ucap reads files with `os.open` (ucap_cli/files.py), other code with `Path.open`."""
    real_open, real_os_open = pathlib.Path.open, os.open

    def deny(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if self.name == "demo.toml" and not set(mode) & set("wax"):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, mode, *args, **kwargs)

    def deny_os(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        writing = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        if os.path.basename(os.fspath(path)) == "demo.toml" and not writing:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", deny)
    monkeypatch.setattr(os, "open", deny_os)


@pytest.mark.parametrize("command", READERS)
@pytest.mark.usefixtures("unreadable")
def test_an_unreadable_file(run: Run, tmp_path: Path, command: str) -> None:
    collection(tmp_path, VALID_RECORD.encode())
    result = run_reader(run, command)
    assert_reported(
        result,
        command,
        "E001 cannot read: permission denied",
        "cannot read: Permission denied",
        "records/demo.toml: Permission denied",
    )
    assert not (tmp_path / "records" / ".demo.toml.lock").exists()


@pytest.fixture
def listing_race(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """The records folder is listed with `records/demo.toml`, which is then gone (or, when the
    test makes it so, a folder) by the time it is read."""
    real = find_record_files
    demo = Path("records/demo.toml")

    def listing(folder: Path) -> list[Path]:
        return sorted([*real(folder), demo])

    monkeypatch.setattr("ucap_cli.store.files.find_record_files", listing)
    monkeypatch.setattr("ucap_cli.authoring.edit.find_record", lambda config, ref: demo)
    collection(tmp_path, None)
    yield tmp_path / demo


@pytest.mark.parametrize("command", READERS)
def test_a_file_removed_between_listing_and_reading(
    run: Run, listing_race: Path, command: str
) -> None:
    result = run_reader(run, command)
    assert_reported(
        result,
        command,
        "E001 cannot read: no such file (a broken link, or removed while reading)",
        "cannot read: No such file or directory",
        "records/demo.toml: No such file or directory",
    )
    assert not listing_race.exists()
    assert sorted(p.name for p in listing_race.parent.iterdir()) == ["good.toml"]


@pytest.mark.parametrize("command", READERS)
def test_a_file_that_became_a_folder(run: Run, listing_race: Path, command: str) -> None:
    listing_race.mkdir()
    result = run_reader(run, command)
    assert_reported(
        result,
        command,
        "E001 cannot read: is a folder, not a file",
        "cannot read: Is a directory",
        "records/demo.toml: Is a directory",
    )


def test_a_folder_named_like_a_record_is_a_folder(run: Run, tmp_path: Path) -> None:
    records = collection(tmp_path, None)
    (records / "demo.toml").mkdir()
    assert run("validate", "--no-cache").stdout == "0 errors, 0 warnings in 1 file\n"
    result = run("show", "demo")
    assert result.exit_code == 2
    assert result.stderr.startswith("ucap: error: no record with id 'demo'")
    result = run(*ADD)
    assert result.exit_code == 2
    assert result.stderr.startswith("ucap: error: no record with id 'demo' in ")


def test_a_damaged_verdict_cache_is_checked_again(run: Run, tmp_path: Path) -> None:
    records = collection(tmp_path, VALID_RECORD.replace('country = "AT"', 'country = "XX"'))
    (tmp_path / "ucap.toml").write_text("", encoding="utf-8")
    past = time.time() - 3600  # verdicts of files changed just now are not cached
    for path in records.iterdir():
        os.utime(path, (past, past))
    expected = run("validate", "--no-cache", "--format", "json").stdout
    assert run("validate", "--format", "json").stdout == expected
    cache = tmp_path / ".ucap_cache" / "verdicts.json"
    content = json.loads(cache.read_text(encoding="utf-8"))
    assert len(content["entries"]) == 2
    for damage in (
        lambda entry: [entry[0], entry[1], [[1]]],
        lambda entry: [entry[0], entry[1], [[1, 1, "Z999", "m", None]]],
        lambda entry: [entry[0]],
        lambda entry: "entry",
        lambda entry: None,
    ):
        damaged = {path: damage(entry) for path, entry in content["entries"].items()}
        cache.write_text(json.dumps({**content, "entries": damaged}), encoding="utf-8")
        result = run("validate", "--format", "json")
        assert (result.exit_code, result.stdout) == (1, expected), clean(result)
    cache.write_text(json.dumps({**content, "entries": []}), encoding="utf-8")
    assert run("validate", "--format", "json").stdout == expected


# --------------------------------------------------------------------------- interrupted writes


class Faulty:
    """A file object that fails at one step, after writing half of what it was given."""

    def __init__(self, handle: Any, step: str, failure: BaseException) -> None:
        self.handle, self.step, self.failure = handle, step, failure

    def __enter__(self) -> Faulty:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()

    def write(self, data: bytes) -> int:
        if self.step == "write":
            self.handle.write(data[: len(data) // 2])
            raise self.failure
        return int(self.handle.write(data))

    def flush(self) -> None:
        if self.step == "flush":
            raise self.failure
        self.handle.flush()

    def fileno(self) -> int:
        return int(self.handle.fileno())


STEPS = ["open", "write", "flush", "fsync", "chmod", "rename", "dir-fsync"]


def inject(monkeypatch: pytest.MonkeyPatch, step: str, failure: BaseException) -> None:
    """Make the atomic write fail at `step` with `failure`."""

    def fail(*args: object, **kwargs: object) -> Any:
        raise failure

    if step == "open":
        monkeypatch.setattr(tempfile, "mkstemp", fail)
    elif step in ("write", "flush"):
        real_fdopen = os.fdopen
        monkeypatch.setattr(
            os, "fdopen", lambda fd, mode: Faulty(real_fdopen(fd, mode), step, failure)
        )
    elif step in ("fsync", "dir-fsync"):
        real_fsync = os.fsync

        def fsync(fd: int) -> None:
            if stat.S_ISDIR(os.fstat(fd).st_mode) == (step == "dir-fsync"):
                raise failure
            real_fsync(fd)

        monkeypatch.setattr(os, "fsync", fsync)
    elif step == "chmod":
        monkeypatch.setattr(os, "chmod", fail)
    else:
        monkeypatch.setattr(os, "replace", fail)


def expected_after(command: str, old: str) -> str:
    """What the file holds after `command` succeeds."""
    if command == "fmt":
        return format_text(old)
    return append_entry(old, "activities", {"date": "2018", "kind": "meeting", "title": "Added"})


@pytest.mark.parametrize("failure", ["OSError", "KeyboardInterrupt"])
@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("command", ["add", "fmt"])
def test_a_fault_at_each_step_of_the_write_leaves_old_or_new(
    run: Run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    step: str,
    failure: str,
) -> None:
    old = VALID_RECORD.replace("sdgs = [9, 11]", "sdgs = [ 9,11 ]")  # fmt has work to do
    records = collection(tmp_path, old.encode())
    new = expected_after(command, old)
    assert new != old
    error = (
        OSError(errno.EIO, "Input/output error") if failure == "OSError" else KeyboardInterrupt()
    )
    inject(monkeypatch, step, error)
    result = run(*ADD) if command == "add" else run("fmt", "records/demo.toml")
    output = clean(result)
    content = (records / "demo.toml").read_text(encoding="utf-8")
    after_rename = step == "dir-fsync"  # durability of the rename is best effort
    assert content == (new if after_rename else old)
    assert sorted(p.name for p in records.iterdir()) == ["demo.toml", "good.toml"]  # no temp, lock
    if failure == "KeyboardInterrupt":
        assert (result.exit_code, output) == (130, "ucap: interrupted\n")
    elif after_rename:
        assert result.exit_code == 0, output
    else:
        assert result.exit_code == 1
        assert output.startswith("ucap: error: "), output
        reason = "Input/output error"
        assert reason in output.splitlines()[0]


def interrupted(script: str, folder: Path, ready: Path, *, group: bool) -> tuple[int, str, str]:
    """Run `script` in a Python process, Ctrl-C it once `ready` exists: (status, stdout, stderr).

    `group`: the process gets its own process group and the whole group gets SIGINT, as a
    terminal's job does on Ctrl-C (worker processes included); else only the process does.
    """
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("UCAP_RECORDS", None)
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=group,
    )
    deadline = time.monotonic() + 30
    while not ready.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    if group:
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    return process.returncode, stdout, stderr


@pytest.mark.slow
@pytest.mark.parametrize("command", ["add", "fmt"])
def test_ctrl_c_during_a_real_write(tmp_path: Path, command: str) -> None:
    """SIGINT while the new text is being synced: exit 130, one line, the old file, no temp."""
    old = VALID_RECORD.replace("sdgs = [9, 11]", "sdgs = [ 9,11 ]")
    records = collection(tmp_path, old.encode())
    ready = tmp_path / "writing"
    arguments = list(ADD) if command == "add" else ["fmt"]
    script = f"""
import os, sys, time
def slow(fd):
    open({str(ready)!r}, "w").close()
    time.sleep(60)
os.fsync = slow
sys.argv = ["ucap", *{arguments!r}]
from ucap_cli.__main__ import main
main()
"""
    process = interrupted(script, tmp_path, ready, group=False)
    assert process == (130, "", "ucap: interrupted\n")
    assert (records / "demo.toml").read_text(encoding="utf-8") == old
    assert sorted(p.name for p in records.iterdir()) == ["demo.toml", "good.toml"]


@pytest.mark.slow
def test_ctrl_c_while_worker_processes_check_files(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group: the workers stay quiet, ucap says one line."""
    from ucap_cli.store.workers import MIN_FILES, workers

    if workers() < 2:
        pytest.skip("one core: no worker processes")
    for n in range(MIN_FILES + 50):
        write_record(tmp_path / "records", f"r{n}", GOOD.replace('"good"', f'"r{n}"'))
    ready = tmp_path / "checking"
    script = f"""
import sys, time
from pathlib import Path
import ucap_cli.store.collection
real = ucap_cli.store.collection.map_files
def slow(*args, **kwargs):  # ucap itself is slow: the workers wait for work, idle
    for done, result in enumerate(real(*args, **kwargs)):
        if done == 0:
            time.sleep(1)
            Path({str(ready)!r}).touch()
            time.sleep(60)
        yield result
ucap_cli.store.collection.map_files = slow
sys.argv = ["ucap", "validate", "--no-cache"]
from ucap_cli.__main__ import main
main()
"""
    process = interrupted(script, tmp_path, ready, group=True)
    assert process == (130, "", "ucap: interrupted\n")


class Clock:
    """`time` for ucap_cli.toml.write: every look at the clock is five seconds later; no waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        self.now += 5
        return self.now

    def sleep(self, seconds: float) -> None:
        pass


def test_a_second_writer_fails_clearly_while_the_record_is_locked(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = collection(tmp_path, VALID_RECORD.encode())
    monkeypatch.setattr(write, "time", Clock())  # the 10 s wait passes at once
    with write.record_lock(records / "demo.toml"):  # another ucap is writing the record
        result = run(*ADD)
        assert result.exit_code == 1
        assert clean(result) == (
            f"ucap: error: {records / 'demo.toml'} is being written by another ucap "
            "(lock .demo.toml.lock); try again\n"
            f"  hint: if no ucap is running, remove {records / '.demo.toml.lock'}\n"
        )
    assert (records / "demo.toml").read_text(encoding="utf-8") == VALID_RECORD
    assert run(*ADD).exit_code == 0  # the lock is gone with its holder


# --------------------------------------------------------------------------- fuzzing


FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SWAPS = [
    ('"2017-03"', "2017"),
    ('"2017-03"', "2017-03-01T10:00:00Z"),
    ('["Mobility", "Logistics"]', '"Mobility"'),
    ("[9, 11]", '["9", 11.5]'),
    ("513000", '"513000"'),
    ('"visit"', "{ kind = 1 }"),
    ('"AT"', "[]"),
    ("schema_version = 1", "schema_version = true"),
    ('title = "Graz delegation visits Lyon"', "title = 12:00:00"),
]
TABLES = ["[period]", "[city]", "[[partners]]", "[[activities]]", "[extra]"]


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    """VALID_RECORD with bytes flipped, a table duplicated, a value of another type, or cut."""
    text = VALID_RECORD
    for _ in range(draw(st.integers(0, 2))):
        old, new = draw(st.sampled_from(SWAPS))
        text = text.replace(old, new, 1)
    if draw(st.booleans()):
        header = draw(st.sampled_from(TABLES))
        start = text.index(header)
        end = text.find("\n[", start + len(header))
        block = text[start : len(text) if end < 0 else end + 1]
        at = draw(st.sampled_from([start, len(text)]))
        text = text[:at] + block + text[at:]
    data = bytearray(text.encode())
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data) - 1))
        data[at] ^= draw(st.integers(1, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


@pytest.mark.slow
@FUZZ
@given(mutated_bytes())
def test_mutated_records_through_every_reading_command(
    run: Run, tmp_path: Path, content: bytes
) -> None:
    collection(tmp_path, content)
    result = run("validate", "--no-cache", "--format", "json")
    report = json.loads(result.stdout)
    assert result.exit_code == (1 if report["errors"] else 0)
    broken = {p["path"] for p in report["problems"] if p["severity"] == "error"}
    clashes = {p["path"] for p in report["problems"] if p["code"] == "E201"}
    assert broken - clashes <= {"records/demo.toml"}  # demo.toml may take the other's id
    for arguments in (
        ["list", "-f", "csv"],
        ["list"],
        ["show", "demo", "-f", "markdown"],
        ["timeline", "--details"],
        ["summary", "-f", "json"],
    ):
        result = run(*arguments)
        clean(result)
        assert result.exit_code in (0, 1), arguments


# --------------------------------------------------------------------------- reading only


READ_ONLY = [
    ["validate"],
    ["validate", "--format", "json"],
    ["validate", "--no-cache", "--format", "sarif"],
    ["list"],
    ["list", "-f", "json"],
    ["list", "-f", "csv"],
    ["list", "-f", "markdown"],
    ["show", "demo"],
    ["show", "demo", "-f", "json"],
    ["timeline", "--details"],
    ["timeline", "-f", "csv"],
    ["summary"],
    ["summary", "-f", "markdown"],
    ["fmt", "--check"],
    ["fmt", "--diff"],
    ["schema"],
]


def snapshot(folder: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every path under `folder` (hidden ones too), its mtime and content (None: a folder)."""
    state: dict[str, tuple[int, bytes | None]] = {".": (folder.stat().st_mtime_ns, None)}
    for path in folder.rglob("*"):
        info = path.lstat()
        content = path.read_bytes() if stat.S_ISREG(info.st_mode) else None
        state[str(path.relative_to(folder))] = (info.st_mtime_ns, content)
    return state


def test_reading_commands_change_nothing(run: Run, tmp_path: Path) -> None:
    records = collection(tmp_path, VALID_RECORD.replace("sdgs = [9, 11]", "sdgs = [ 9,11 ]"))
    write_record(records, "crlf", GOOD.replace('"good"', '"crlf"').replace("\n", "\r\n"))
    write_record(records, "bom", b"\xef\xbb\xbf" + GOOD.replace('"good"', '"bom"').encode())
    write_record(records, "sub/broken", "a = [")
    write_record(records, "sub/errors", GOOD.replace('"good"', '"errors"').replace("AT", "XX"))
    (tmp_path / "ucap.toml").write_text("", encoding="utf-8")
    past = time.time() - 3600  # an hour ago: a rewrite would show in the times
    for path in [records, *records.rglob("*"), tmp_path / "ucap.toml"]:
        os.utime(path, (past, past))
    before = snapshot(records)
    config = (tmp_path / "ucap.toml").stat().st_mtime_ns
    for arguments in READ_ONLY:
        clean(run(*arguments))
        assert snapshot(records) == before, arguments
    assert (tmp_path / "ucap.toml").stat().st_mtime_ns == config
    # The only thing written anywhere: the verdict cache, at the project root.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".ucap_cache", "records", "ucap.toml"]
