"""Reading what a hostile repository holds: FIFOs and devices, unreadable and linked records.
Each through the real CLI; commands that could hang run in a subprocess with a timeout, so
that a regression fails instead of hanging CI.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, VALID_RECORD, Run, edited, write_record

from ucap_cli import files

GOOD = edited(VALID_RECORD, ('id = "demo"', 'id = "good"'))
ADD = ("add", "activity", "{}", "--date", "2018", "--kind", "meeting", "--title", "Added")
NEW = (
    *("new", "fresh", "--city", "Lyon", "--country", "France", "--partner", "Graz:AT"),
    *("--start", "2017", "--theme", "Mobility"),
)
TIMEOUT = 20  # seconds: a command that waits on a FIFO would wait forever


def ucap(
    cwd: Path, *args: str, stdin: Any = subprocess.DEVNULL
) -> subprocess.CompletedProcess[str]:
    """`ucap ARGS...` in a fresh process in `cwd`; TimeoutExpired (a failure) if it hangs."""
    env = {k: v for k, v in os.environ.items() if k not in ("UCAP_RECORDS", "GITHUB_ACTIONS")}
    done = subprocess.run(
        [sys.executable, "-m", "ucap_cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=stdin,
        env={**env, "NO_COLOR": "1", "COLUMNS": "120"},
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def collection(root: Path) -> Path:
    """`records/good.toml`, a valid record."""
    write_record(root / "records", "good", GOOD)
    return root / "records"


# --------------------------------------------------------------------------- FIFOs, devices

FIFO = "cannot read: not a regular file (a FIFO)"


def reading_commands(name: str) -> dict[str, tuple[tuple[str, ...], int, str]]:
    """Each command that reads the collection, with its exit status and the line it gives
    for an unreadable `records/NAME.toml` (`{}` stands for the reason)."""
    where = f"records/{name}.toml"
    skipped = f"ucap: skipped {where}:1:1: E001 {{}}"
    return {
        "validate": (("validate", "--no-cache"), 1, f"{where}:1:1: error E001 {{}}"),
        "validate-file": (("validate", where), 1, f"{where}:1:1: error E001 {{}}"),
        "list": (("list",), 1, skipped),
        "list-json": (("list", "--format", "json"), 1, skipped),
        "timeline": (("timeline",), 1, skipped),
        "summary": (("summary",), 1, skipped),
        "show": (
            ("show", name),
            1,
            f"ucap: error: {where}: cannot show the record: E001 {{}}",
        ),
        "fmt": (("fmt",), 1, f"ucap: error: {where}: {{}}"),
        "fmt-check": (("fmt", "--check"), 1, f"ucap: error: {where}: {{}}"),
        "add": (tuple(a.format(name) for a in ADD), 1, "ucap: error: cannot read "),
        # These read every record to find an id; the unreadable one is passed over.
        "add-to-another": (tuple(a.format("good") for a in ADD), 0, ""),
        "new": (
            NEW,
            0,
            "",
        ),
        "import": (("import", "summary.txt"), 1, ""),
    }


COMMANDS = list(reading_commands("x"))


def assert_refused(done: subprocess.CompletedProcess[str], expected: str, reason: str) -> None:
    if expected:
        line = expected.format(reason)
        assert line in done.stdout + done.stderr, done.stdout + done.stderr
    if "cannot read " in expected:  # `add`: the one-line error names the file and the reason
        assert done.stderr.startswith("ucap: error: cannot read "), done.stderr
        assert f"records/x.toml: {reason.removeprefix('cannot read: ')}" in done.stderr


@pytest.fixture
def fifo_collection(tmp_path: Path) -> Iterator[Path]:
    records = collection(tmp_path)
    os.mkfifo(records / "x.toml")
    (tmp_path / "summary.txt").write_text("Lyon - Graz\n", encoding="utf-8")
    yield tmp_path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("command", COMMANDS)
def test_a_fifo_in_the_records_folder_hangs_no_command(fifo_collection: Path, command: str) -> None:
    arguments, status, expected = reading_commands("x")[command]
    done = ucap(fifo_collection, *arguments)
    assert done.returncode == status, done.stdout + done.stderr
    assert_refused(done, expected, FIFO)
    assert stat.S_ISFIFO(os.lstat(fifo_collection / "records" / "x.toml").st_mode)  # untouched


OUT = "records/x.toml is a link to a file outside the records folder"  # not written through
LINKED = ["validate", "list", "show", "fmt-check", "fmt", "add"]


def assert_linked_refused(
    done: subprocess.CompletedProcess[str], command: str, reason: str
) -> None:
    _, status, expected = reading_commands("x")[command]
    assert done.returncode == status, done.stdout + done.stderr
    if command in ("fmt", "add"):  # writers refuse the link before reading it
        [error] = [line for line in done.stderr.splitlines() if line.startswith("ucap: error")]
        assert OUT in error and error.endswith("; nothing was written"), error
    else:
        assert_refused(done, expected, reason)


@pytest.mark.parametrize("command", LINKED)
def test_a_record_linked_to_stdin_is_not_read(tmp_path: Path, command: str) -> None:
    """stdin is a pipe whose writer stays open: reading it would wait forever."""
    records = collection(tmp_path)
    (records / "x.toml").symlink_to("/dev/stdin")
    reader, writer = os.pipe()
    try:
        done = ucap(tmp_path, *reading_commands("x")[command][0], stdin=reader)
    finally:
        os.close(reader)
        os.close(writer)
    assert_linked_refused(done, command, FIFO)


@pytest.mark.parametrize("command", LINKED)
def test_a_record_linked_to_a_device_is_not_read(tmp_path: Path, command: str) -> None:
    records = collection(tmp_path)
    (records / "x.toml").symlink_to(os.devnull)
    done = ucap(tmp_path, *reading_commands("x")[command][0])
    assert_linked_refused(done, command, "cannot read: not a regular file (a device)")


def test_import_refuses_a_fifo_summary_and_a_fifo_config_is_passed_over(tmp_path: Path) -> None:
    collection(tmp_path)
    os.mkfifo(tmp_path / "summary.txt")
    done = ucap(tmp_path, "import", "summary.txt")
    assert done.returncode == 2
    assert done.stderr == ("ucap: error: cannot read summary.txt: not a regular file (a FIFO)\n"), (
        done.stderr
    )
    os.mkfifo(tmp_path / "ucap.toml")  # never opened: only a regular file is a configuration
    done = ucap(tmp_path, "validate", "--no-cache")
    assert (done.returncode, done.stdout) == (0, "0 errors, 0 warnings in 1 file\n")


def test_a_configuration_nested_past_the_parser_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    collection(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.x]\n" + ".".join("a" * 1001) + " = 1\n")
    result = run("validate")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"ucap: error: {tmp_path / 'pyproject.toml'}: cannot read ")


def test_completion_passes_over_a_fifo(tmp_path: Path) -> None:
    collection(tmp_path)
    os.mkfifo(tmp_path / "records" / "x.toml")
    env = {"_UCAP_COMPLETE": "complete_bash", "COMP_WORDS": "ucap show ", "COMP_CWORD": "2"}
    done = subprocess.run(
        [sys.executable, "-c", "from ucap_cli.cli.app import app; app(prog_name='ucap')"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **env},
        check=False,
    )
    assert "good" in done.stdout.split(), done.stdout + done.stderr


def test_the_reader_checks_the_open_file_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FIFO put in place between the check of the path and the open is caught on the open
    file (opened without blocking, so the open itself returns)."""
    fifo = tmp_path / "x.toml"
    os.mkfifo(fifo)
    regular = os.stat(REPO / "README.md")
    monkeypatch.setattr(os, "stat", lambda path: regular)
    with pytest.raises(files.NotRegularFileError, match=r"not a regular file \(a FIFO\)"):
        files.read_bytes(fifo)


def test_the_reader_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        files.read_bytes(tmp_path)
    with pytest.raises(files.NotRegularFileError, match=r"\(a device\)"):
        files.read_bytes(os.devnull)
    with pytest.raises(files.FileTooLargeError, match="limit of 3 bytes"):
        files.read_bytes(REPO / "README.md", 3)
    (tmp_path / "a.toml").write_bytes(b"abc")
    assert files.read_bytes(tmp_path / "a.toml", 3) == b"abc"


# --------------------------------------------------------------------------- item 9: paths


def test_a_record_that_cannot_be_reached_is_e001_not_a_usage_error(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`records/locked/` without search permission: the file can be neither stat-ed nor
    opened (EACCES), as for a user who is not root; it exists, so it is E001, exit 1."""
    collection(tmp_path)
    write_record(tmp_path / "records" / "locked", "demo", VALID_RECORD)
    real_stat, real_open = os.stat, os.open

    def denied(path: Any) -> bool:
        return "locked" in os.fspath(path)

    def stat_(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        if denied(path):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_stat(path, *args, **kwargs)

    def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if denied(path):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat_)
    monkeypatch.setattr(os, "open", open_)
    result = run("validate", "--no-cache", "records/locked/demo.toml", "records/good.toml")
    assert (result.exit_code, result.stdout) == (
        1,
        "records/locked/demo.toml:1:1: error E001 cannot read: permission denied\n"
        "1 error, 0 warnings in 2 files\n",
    )
    result = run("validate", "records/missing.toml")  # nothing there: the command line is wrong
    assert result.exit_code == 2
    assert result.stderr == "ucap: error: no such file or folder: records/missing.toml\n"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_and_unreachable_records_really(tmp_path: Path) -> None:
    records = collection(tmp_path)
    write_record(records, "a", VALID_RECORD).chmod(0)
    write_record(records / "locked", "b", VALID_RECORD)
    (records / "locked").chmod(0)
    try:
        done = ucap(tmp_path, "validate", "--no-cache", "records/a.toml", "records/locked/b.toml")
    finally:
        (records / "locked").chmod(0o755)
        (records / "a.toml").chmod(0o644)
    assert done.returncode == 1, done.stderr
    assert "records/a.toml:1:1: error E001 cannot read: permission denied" in done.stdout
    assert "records/locked/b.toml:1:1: error E001 cannot read: permission denied" in done.stdout


def linked_out(tmp_path: Path) -> tuple[Path, Path, bytes]:
    """A project whose `records/cfg.toml` links to another project's pyproject.toml."""
    project = tmp_path / "project"
    collection(project)
    other = tmp_path / "other"
    other.mkdir()
    victim = other / "pyproject.toml"
    victim.write_text(edited(VALID_RECORD, ('id = "demo"', 'id = "cfg"')) + "x   =   1\n")
    (project / "records" / "cfg.toml").symlink_to("../../other/pyproject.toml")
    return project, victim, victim.read_bytes()


@pytest.mark.parametrize("command", ["fmt", "fmt-file", "add"])
def test_fmt_and_add_do_not_write_through_a_link_out_of_the_records_folder(
    tmp_path: Path, command: str
) -> None:
    project, victim, before = linked_out(tmp_path)
    arguments = {
        "fmt": ("fmt",),
        "fmt-file": ("fmt", "records/cfg.toml"),
        "add": tuple(a.format("cfg") for a in ADD),
    }[command]
    done = ucap(project, *arguments)
    assert done.returncode == 1, done.stdout + done.stderr
    [error] = [line for line in done.stderr.splitlines() if line.startswith("ucap: error: ")]
    assert "records/cfg.toml is a link to a file outside the records folder" in error
    assert error.endswith("; nothing was written")
    assert victim.read_bytes() == before
    assert (project / "records" / "cfg.toml").is_symlink()
    assert sorted(p.name for p in victim.parent.iterdir()) == ["pyproject.toml"]
    assert ucap(project, "fmt", "--check", "records/cfg.toml").returncode == 1  # reading is fine


def test_a_link_to_a_record_inside_the_records_folder_is_written_through(tmp_path: Path) -> None:
    records = collection(tmp_path)
    real = write_record(
        records / "shared", "demo", VALID_RECORD.replace("sdgs = [9, 11]", "sdgs=[9,11]")
    )
    (records / "2019").mkdir()
    (records / "2019" / "demo.toml").symlink_to("../shared/demo.toml")
    done = ucap(tmp_path, "fmt", "records/2019/demo.toml")
    assert done.returncode == 0, done.stderr
    assert "sdgs = [9, 11]\n" in real.read_text(encoding="utf-8")
    done = ucap(tmp_path, *(a.format("records/2019/demo.toml") for a in ADD))
    assert done.returncode == 0, done.stderr
    assert (records / "2019" / "demo.toml").is_symlink()
    assert 'title = "Added"' in real.read_text(encoding="utf-8")
