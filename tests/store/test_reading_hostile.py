"""Reading what a hostile repository holds: FIFOs and devices, deep nesting, unreadable and
linked records, a million keys. Each through the real CLI; commands that could hang run in a
subprocess with a timeout, so that a regression fails instead of hanging CI.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from conftest import REPO, VALID_RECORD, Run, edited, write_record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ucap_cli.check.loader
from ucap_cli.check.loader import MAX_PROBLEMS, RecordFile, parse
from ucap_cli.toml import files
from ucap_cli.toml.parser import MAX_DEPTH, TooDeepError, parse_document

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
        # By path, as by id: something is there, and it cannot be read (not "no record file").
        "show-path": (
            ("show", where),
            1,
            f"ucap: error: {where}: cannot show the record: E001 {{}}",
        ),
        "add-path": (tuple(a.format(where) for a in ADD), 1, "ucap: error: cannot read "),
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
        # the path as the user would type it, from the project root
        reason = reason.removeprefix("cannot read: ")
        assert done.stderr.startswith(f"ucap: error: cannot read records/x.toml: {reason}")


@pytest.fixture
def fifo_collection(tmp_path: Path) -> Iterator[Path]:
    records = collection(tmp_path)
    os.mkfifo(records / "x.toml")
    (tmp_path / "summary.txt").write_text("Lyon - Graz\n", encoding="utf-8")
    yield tmp_path


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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
    # Shown as the user would type it, from the current folder (the project root here).
    assert result.stderr.startswith("ucap: error: pyproject.toml: cannot read ")


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


# --------------------------------------------------------------------------- nesting


def dotted_key(parts: int) -> str:
    """`[extra]` holding one dotted key of `parts` parts, `a.a.a... = 1`."""
    return VALID_RECORD.replace('anything = { goes = [1, "here"] }', ".".join("a" * parts) + " = 1")


def deep_arrays(levels: int) -> str:
    return VALID_RECORD + "deep = " + "[" * levels + "]" * levels + "\n"


def deep_inline_tables(levels: int) -> str:
    return VALID_RECORD + "deep = " + "{a = " * levels + "1" + " }" * levels + "\n"


EXTRA_LINE = 41  # the `anything = ...` line of VALID_RECORD, in [extra]
LAST_LINE = VALID_RECORD.count("\n") + 1  # a line appended to VALID_RECORD (in [extra])

# Each deep file: its text, and where E004 points (the value at level 65, where the branch
# passes the limit: `[extra]` is level 1, its key level 2, each part, array or table one
# more) and what it says.
DEEP = {
    "dotted-500": (dotted_key(500), EXTRA_LINE, 1 + 2 * 63, "[extra] is nested 501 levels deep"),
    "dotted-1000": (dotted_key(1000), EXTRA_LINE, 1 + 2 * 63, "[extra] is nested 1001 levels"),
    # Past the TOML parser's own limits: refused by it, reported as the same problem.
    "dotted-1001": (dotted_key(1001), EXTRA_LINE, 1 + 2 * 63, "[extra] is nested more than 1000"),
    "arrays-401": (deep_arrays(401), LAST_LINE, 8 + 63, "[extra] is nested 402 levels deep"),
    "arrays-1000": (deep_arrays(1000), LAST_LINE, 8 + 63, "[extra] is nested more than 400"),
    "inline-70": (deep_inline_tables(70), LAST_LINE, 8 + 5 * 63, "[extra] is nested 72 levels"),
    "inline-1000": (deep_inline_tables(1000), LAST_LINE, 8 + 5 * 63, "[extra] is nested more"),
    "header-300": (
        VALID_RECORD + "[" + ".".join(["extra", *"b" * 299]) + "]\nc = 1\n",
        LAST_LINE,
        8 + 2 * 63,
        "[extra] is nested 301 levels deep",
    ),
}


@pytest.mark.parametrize("case", list(DEEP))
def test_deep_nesting_is_e004_at_its_place(run: Run, tmp_path: Path, case: str) -> None:
    text, line, column, message = DEEP[case]
    write_record(tmp_path / "records", "demo", text)
    result = run("validate", "--no-cache", "--format", "json")
    assert result.exit_code == 1
    [problem] = json.loads(result.stdout)["problems"]
    assert (problem["code"], problem["severity"]) == ("E004", "error")
    assert problem["message"].startswith(message), problem["message"]
    assert problem["message"].endswith(f"; the limit is {MAX_DEPTH}")
    assert (problem["line"], problem["column"]) == (line, column)
    result = run("validate", "--no-cache")
    assert result.stdout.startswith(f"records/demo.toml:{line}:{column}: error E004 [extra] ")


# Deep values where the model validates (the loader checks the depth after validation, and
# all of a record that fails it): each is E004 alone, never a validation error or a traceback.
DEEP_IN_VALIDATED = {
    "outputs-arrays-399": VALID_RECORD.replace(
        'themes = ["Mobility"]\n',
        'themes = ["Mobility"]\noutputs = ' + "[" * 399 + "]" * 399 + "\n",
    ),
    "sdgs-arrays-200": VALID_RECORD.replace(
        "sdgs = [9, 11]", "sdgs = " + "[" * 200 + "9" + "]" * 200
    ),
    "city-dotted-999": VALID_RECORD.replace(
        "population = 513000", "population = 513000\n" + ".".join("a" * 999) + " = 1"
    ),
    "partner-inline-300": VALID_RECORD.replace(
        'short = "GRZ"', "short = " + "{a = " * 300 + "1" + " }" * 300
    ),
    "unknown-and-bad-values": VALID_RECORD.replace(
        'country = "France"', 'country = "Frnace"'
    ).replace("sdgs = [9, 11]", "sdgs = [99]")
    + "["
    + ".".join(["zzz", *"b" * 120])
    + "]\nc = 1\n",
    "extra-and-an-error": VALID_RECORD.replace(
        'contact = "team@example.org"', 'contact = "nobody"'
    ).replace('anything = { goes = [1, "here"] }', ".".join("a" * 200) + " = 1"),
}


@pytest.mark.parametrize("case", list(DEEP_IN_VALIDATED))
@pytest.mark.parametrize("command", ["validate", "list-json", "show-json"])
def test_deep_values_where_the_model_validates_are_e004_alone(
    run: Run, tmp_path: Path, case: str, command: str
) -> None:
    write_record(tmp_path / "records", "demo", DEEP_IN_VALIDATED[case])
    arguments = {
        "validate": ("validate", "--no-cache", "--format", "json"),
        "list-json": ("list", "--no-cache", "--format", "json"),
        "show-json": ("show", "demo", "--format", "json"),
    }[command]
    result = run(*arguments)
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "RecursionError" not in output
    assert result.exit_code == 1, output
    if command == "validate":
        [problem] = json.loads(result.stdout)["problems"]
        assert problem["code"] == "E004" and "nested" in problem["message"], problem
    elif command == "list-json":
        [entry] = json.loads(result.stdout)
        assert entry["left_out"] is True and entry["problems"][0]["code"] == "E004", entry
    else:
        assert "E004" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("case", list(DEEP))
@pytest.mark.parametrize(
    "command",
    ["show-json", "add", "list-json", "fmt", "fmt-check", "timeline", "summary", "show"],
)
def test_deep_nesting_in_every_command(run: Run, tmp_path: Path, case: str, command: str) -> None:
    text, line, column, message = DEEP[case]
    records = tmp_path / "records"
    write_record(records, "good", GOOD)
    path = write_record(records, "demo", text)
    before = path.read_bytes()
    arguments = {
        "show-json": ("show", "demo", "--format", "json"),
        "show": ("show", "demo"),
        "add": tuple(a.format("demo") for a in ADD),
        "list-json": ("list", "--format", "json"),
        "fmt": ("fmt",),
        "fmt-check": ("fmt", "--check"),
        "timeline": ("timeline",),
        "summary": ("summary",),
    }[command]
    result = run(*arguments)
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "RecursionError" not in output
    assert result.exit_code == 1, output
    assert path.read_bytes() == before  # nothing was written
    where = f"{line}, column {column})"
    if command.startswith("show"):
        assert result.stderr.startswith(
            f"ucap: error: records/demo.toml: cannot show the record: E004 {message}"
        ), result.stderr
        assert result.stdout == ""
    elif command == "add":
        [error] = result.stderr.splitlines()
        assert error.startswith(f"ucap: error: cannot add to this file: {message}"), error
        assert error.endswith(where), error
    elif command.startswith("fmt"):
        assert f"ucap: error: records/demo.toml: {message}" in result.stderr, result.stderr
        assert f"; the limit is {MAX_DEPTH} (at line {where}\n" in result.stderr
    else:
        skipped = f"ucap: skipped records/demo.toml:{line}:{column}: E004 {message}"
        assert skipped in result.stderr, result.stderr
        assert "Lyon" in result.stdout  # the good record is still shown
        if command == "list-json":
            entries = json.loads(result.stdout)
            assert [r["id"] for r in entries if "id" in r] == ["good"]
            # The file left out says so in the output itself (issue 13), not only on stderr.
            assert [(e["path"], e["left_out"]) for e in entries if "id" not in e] == [
                ("records/demo.toml", True)
            ]


def test_nesting_up_to_the_limit_works_in_every_command(run: Run, tmp_path: Path) -> None:
    """64 levels: [extra], a key, and 62 nested arrays holding a value."""
    deep = "[" * 62 + "1" + "]" * 62
    text = VALID_RECORD.replace('anything = { goes = [1, "here"] }', f"deep = {deep}")
    path = write_record(tmp_path / "records", "demo", text)
    assert run("validate", "--no-cache", "--strict").exit_code == 0
    shown = json.loads(run("show", "demo", "--format", "json").stdout)
    value = shown["extra"]["deep"]
    for _ in range(62):
        [value] = value
    assert value == 1
    assert run("list", "--format", "json").exit_code == 0
    assert run("fmt").exit_code == 0
    assert run(*(a.format("demo") for a in ADD)).exit_code == 0
    assert "Added" in path.read_text(encoding="utf-8")
    assert run("timeline").exit_code == run("summary").exit_code == 0


def test_the_readme_states_the_one_limit() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    [bullet] = [b for b in readme.split("\n- ") if b.startswith("**Nesting.**")]
    assert f"more than {MAX_DEPTH} levels deep" in " ".join(bullet.split())
    assert "400" not in bullet.split("E004")[0]  # the parser's own limit is not the limit


def depth(value: Any) -> int:
    """The reference: how many keys and indices lead to the deepest value (recursive)."""
    if isinstance(value, dict | list):
        children = value.values() if isinstance(value, dict) else value
        return max((1 + depth(child) for child in children), default=0)
    return 0


NESTED = st.recursive(
    st.integers(0, 9) | st.text("ab", max_size=2),
    lambda inner: (
        st.lists(inner, min_size=1, max_size=2)
        | st.dictionaries(st.sampled_from(["a", "b c", "d.e"]), inner, min_size=1, max_size=2)
    ),
    max_leaves=120,
)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A document with a branch of a chosen depth (around the limit) and random others."""
    target = draw(st.integers(MAX_DEPTH - 3, MAX_DEPTH + 3))
    value: Any = draw(st.integers())
    for _ in range(target - 1):
        value = [value] if draw(st.booleans()) else {"k": value}
    return {"branch": value, "other": draw(NESTED)}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.booleans())
def test_the_depth_limit_agrees_with_a_recursive_count(doc: dict[str, Any], inline: bool) -> None:
    text = tomli_w.dumps({"t": doc} if inline else doc)
    data = tomllib.loads(text)
    expected = depth(data)
    if expected <= MAX_DEPTH:
        assert parse_document(text) == data
        return
    with pytest.raises(TooDeepError) as raised:
        parse_document(text)
    error = raised.value
    assert error.depth == expected
    assert error.path is not None and len(error.path) == MAX_DEPTH + 1
    value: Any = data
    for part in error.path:  # a real path, down the deepest branch
        value = value[part]
    assert MAX_DEPTH + 1 + depth(value) == expected


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


@pytest.mark.slow
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


# --------------------------------------------------------------------------- a million keys


def many_keys(count: int, where: str) -> str:
    """VALID_RECORD with `count` keys `kN=1`: unknown keys at the top level or in [city], or
    valid ones in [extra] ("late": followed by a table with an error, found at the end)."""
    keys = "".join(f"k{n}=1\n" for n in range(count))
    if where == "top":
        head, tail = VALID_RECORD.split("[period]")
        return head + keys + "[period]" + tail
    if where == "city":
        return VALID_RECORD.replace("population = 513000\n", "population = 513000\n" + keys)
    if where == "late":
        return edited(
            VALID_RECORD,
            ("[[expected_results]]", "[extra]\n" + keys + "\n[[expected_results]]"),
            ('theme = "Mobility"\n\n[extra]', 'status = "bad"\n\n[extra.more]'),
        )
    return VALID_RECORD + keys


# Runs `python -m ucap_cli ARGV` and, at exit, writes its peak memory (VmHWM) to UCAP_TEST_PEAK.
# Not ru_maxrss from wait4: Linux carries the parent's peak across fork and exec into it, and
# after the rest of the suite the pytest process itself holds more than the bound below.
_PEAK_WRAPPER = """
import atexit, os, runpy, sys
def peak():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    with open(os.environ["UCAP_TEST_PEAK"], "w") as out:
        out.write(str(int(line.split()[1]) * 1024))
atexit.register(peak)
sys.argv[0] = "ucap"
runpy.run_module("ucap_cli", run_name="__main__")
"""


def measured(cwd: Path, *args: str) -> tuple[int, str, float, int]:
    """`ucap ARGS` in a child process: its exit status, its stdout, its wall time (s) and its
    peak memory (bytes, as Linux counts it)."""
    out, peak = cwd / "out.txt", cwd / "peak.txt"
    started = time.monotonic()
    with out.open("wb") as stdout:
        status = subprocess.run(
            [sys.executable, "-c", _PEAK_WRAPPER, *args],
            cwd=cwd,
            stdout=stdout,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "NO_COLOR": "1", "UCAP_TEST_PEAK": str(peak)},
            check=False,
        ).returncode
    elapsed = time.monotonic() - started
    return status, out.read_text(encoding="utf-8"), elapsed, int(peak.read_text())


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="peak memory as Linux reports it")
@pytest.mark.parametrize("where", ["top", "city", "extra", "late"])
def test_a_million_keys_take_seconds_and_bounded_memory(tmp_path: Path, where: str) -> None:
    """About 3 s and 300 MB here (10 s and 1.5 GB before; "late", whose one problem is
    located by scanning the whole file: 5 s and 550 MB); the bounds leave room for a slower
    machine, and catch a return to listing a million problems."""
    text = many_keys(1_000_000, where)
    assert 8_000_000 < len(text) < 10 * 1024 * 1024  # within the default size limit
    write_record(tmp_path / "records", "demo", text)
    status, out, elapsed, peak = measured(tmp_path, "validate", "--no-cache", "--format", "json")
    assert elapsed < 60 and peak < 800 * 1024 * 1024, (elapsed, peak)
    problems = json.loads(out)["problems"]
    if where == "extra":
        assert (status, problems) == (0, [])
        return
    if where == "late":
        [problem] = problems
        assert (status, problem["code"], problem["line"]) == (1, "E112", 1_000_040)
        return
    assert (status, len(problems)) == (1, MAX_PROBLEMS + 1)
    table = "the top level" if where == "top" else "[city]"
    assert problems[0]["message"] == f"unknown key 'k0' in {table}"
    assert problems[-1]["message"] == "... and 999,900 more problems in this file"


def bulky(text: str) -> str:
    """`text` made larger than the size from which unknown keys are trimmed: a long comment."""
    return text + "# " + "x" * ucap_cli.check.loader._LARGE + "\n"


def reports(text: str, *, trimmed: bool) -> list[tuple[int, int, str, str]]:
    file = RecordFile(Path("demo.toml"), "demo.toml")
    large = ucap_cli.check.loader._LARGE
    try:
        ucap_cli.check.loader._LARGE = large if trimmed else 1 << 40
        parse(file, text, {"activity_kinds": (), "themes": ()})
    finally:
        ucap_cli.check.loader._LARGE = large
    return [(p.line, p.column, p.code, p.message) for p in file.problems]


# Where unknown keys go: after this line of VALID_RECORD (each is there once).
KEYS_AFTER = {
    "top": 'contact = "team@example.org"\n',
    "city": "population = 513000\n",
    "activity": 'kind = "visit"\n',
    "agreement": 'kind = "mou"\n',
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(st.sampled_from(list(KEYS_AFTER)), st.integers(0, 450), min_size=1),
    st.sets(st.sampled_from(["type", "country", "date"])),
    st.integers(0, 450),
)
def test_trimming_unknown_keys_reports_what_validating_all_does(
    counts: dict[str, int], faults: set[str], suppressed: int
) -> None:
    """Up to 450 unknown keys in each of four tables, other problems, and comments that
    suppress the first unknown keys of each table: the same problems either way."""
    text = VALID_RECORD
    for where, count in counts.items():
        keys = "".join(
            f"u{n} = 1" + ("  # ucap: ignore[E102]\n" if n < suppressed else "\n")
            for n in range(count)
        )
        text = text.replace(KEYS_AFTER[where], KEYS_AFTER[where] + keys, 1)
    if "type" in faults:
        text = text.replace('programme = "IUC"', "programme = 7")
    if "country" in faults:
        text = text.replace('country = "AT"', 'country = "Atlantis"')
    if "date" in faults:
        text = text.replace('date = "2017-06"', 'date = "2017-13"')
    text = bulky(text)
    assert reports(text, trimmed=True) == reports(text, trimmed=False)


def test_a_million_suppressed_keys_are_all_suppressed(tmp_path: Path) -> None:
    """Past what trimming keeps exact, the whole data is validated: the comments still work."""
    keys = "".join(f"k{n} = 1  # ucap: ignore[E102]\n" for n in range(3000))
    text = bulky(VALID_RECORD.replace("[period]", keys + "k3000 = 2\n[period]"))
    problems = reports(text, trimmed=True)
    assert problems == reports(text, trimmed=False)
    assert [p[3] for p in problems] == ["unknown key 'k3000' in the top level"]
