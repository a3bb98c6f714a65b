"""Terminal habits through a real pseudo-terminal: the pager and the colour rules.

Each run is `ucap` with its stdout on a pty of a fixed size (TIOCSWINSZ), or on a pipe, and
stderr on a pipe. Most runs fork this process (ucap already imported: fast) and call the
console script's `main` there, the pty being the child's controlling terminal as in a shell;
a few run the installed entry point as a new process (`exec=True`).
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import select
import signal
import stat
import struct
import sys
import termios
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO, VALID_RECORD, edited, write_record
from typer.testing import CliRunner

from ucap_cli.cli.app import app

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pseudo-terminals")

ESC = b"\x1b["
BASE_ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "xterm-256color"}


@dataclass
class Ran:
    """What a run showed: on the terminal (`screen`, CR-LF made LF), on a piped stdout
    (`stdout`), on stderr, and its exit status."""

    status: int
    screen: bytes
    stdout: bytes
    stderr: bytes

    @property
    def shown(self) -> bytes:
        """What went to stdout, wherever it went."""
        return self.screen + self.stdout


def run_ucap(
    *args: str,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    rows: int = 24,
    cols: int = 80,
    tty: bool = True,
    exec: bool = False,
    controlling: bool = True,
    keys: Callable[[int, bytes], bytes | None] | None = None,
    timeout: float = 30.0,
) -> Ran:
    """Run `ucap ARGS` with stdout on a `rows`x`cols` pty (or a pipe when not `tty`); stdin
    is the pty, the controlling terminal of the run unless not `controlling`.
    `keys(master_fd, screen_so_far)` may return bytes to type (each time it is called)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    full_env = {**BASE_ENV, **(env or {})}
    pid = os.fork()
    if pid == 0:  # the child: a session of its own, the pty its controlling terminal
        code = 99
        try:
            os.setsid()
            if controlling:
                fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            os.dup2(slave, 0)
            os.dup2(slave if tty else out_w, 1)
            os.dup2(err_w, 2)
            for fd in (master, slave, out_r, out_w, err_r, err_w):
                os.close(fd)
            os.chdir(cwd)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            if exec:
                os.execve(sys.executable, [sys.executable, "-m", "ucap_cli", *args], full_env)
            os.environ.clear()
            os.environ.update(full_env)
            sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
            sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
            sys.stderr = io.TextIOWrapper(
                io.FileIO(2, "w", closefd=False), encoding="utf-8", line_buffering=True
            )
            for name in ("stdin", "stdout", "stderr"):  # what shutil asks for the size
                setattr(sys, f"__{name}__", getattr(sys, name))
            sys.argv = ["ucap", *args]
            from ucap_cli.__main__ import main

            try:
                main()
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            import traceback

            os.write(2, traceback.format_exc().encode())
        finally:
            os._exit(code)  # never back into pytest
    os.close(slave)
    os.close(out_w)
    os.close(err_w)
    buffers = {master: bytearray(), out_r: bytearray(), err_r: bytearray()}
    open_fds = set(buffers)
    deadline = time.monotonic() + timeout
    status: int | None = None
    typed_for = -1
    while open_fds:
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            raise AssertionError(f"ucap {args} did not finish: {bytes(buffers[master])!r}")
        ready, _, _ = select.select(list(open_fds), [], [], 0.02)
        if status is not None and master in open_fds and master not in ready:
            open_fds.discard(master)  # ended, and its output read (a pager's child may linger)
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the pty's last slave end is closed
                data = b""
            if data:
                buffers[fd] += data
            else:
                open_fds.discard(fd)
        if keys is not None and len(buffers[master]) != typed_for:
            typed_for = len(buffers[master])
            typing = keys(master, bytes(buffers[master]))
            if typing:
                os.write(master, typing)
        if status is None:
            ended, raw = os.waitpid(pid, os.WNOHANG)
            if ended:
                status = os.waitstatus_to_exitcode(raw)
    if status is None:
        status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    os.close(master)
    os.close(out_r)
    os.close(err_r)
    return Ran(
        status,
        bytes(buffers[master]).replace(b"\r\n", b"\n"),
        bytes(buffers[out_r]),
        bytes(buffers[err_r]),
    )


# --------------------------------------------------------------------------- set-up

PAGER_SCRIPT = """\
import json, os, sys
text = sys.stdin.buffer.read()
record = {
    "argv": sys.argv[1:],
    "input": text.decode("utf-8"),
    "LESS": os.environ.get("LESS"),
    "LV": os.environ.get("LV"),
    "MARK": os.environ.get("MARK"),
    "tty": os.isatty(1),
}
with open(os.environ["PAGER_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(record) + "\\n")
sys.stdout.write("PAGED\\n")
"""

# Waits for Ctrl-C, which ends it as it ends most programs: by the signal.
INTERRUPTED_PAGER = """\
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
sys.stdin.buffer.read()
sys.stdout.write("READY\\n")
sys.stdout.flush()
while True:
    signal.pause()
"""

FAILING_PAGER = "import sys\nsys.exit(3)\n"


def script(folder: Path, name: str, body: str) -> Path:
    """An executable Python script `folder/name`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@dataclass
class Setup:
    """A project with the bundled record and two more, a fake pager (logging what it was
    given) and a folder with a fake `less`, for putting first on PATH."""

    project: Path
    pager: Path
    bin: Path
    log: Path

    def run(self, *args: str, env: Mapping[str, str] | None = None, **kw: object) -> Ran:
        self.log.unlink(missing_ok=True)
        full = {"PAGER_LOG": str(self.log), **(env or {})}
        return run_ucap(*args, cwd=self.project, env=full, **kw)  # type: ignore[arg-type]

    def paged(self) -> list[dict[str, object]]:
        """What the fake pagers were given in the last run."""
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    from conftest import LYON_GRAZ, PUNE

    root = tmp_path_factory.mktemp("terminal")
    project = root / "project"
    records = project / "records"
    records.mkdir(parents=True)
    (records / "zhengzhou.toml").write_bytes((REPO / "records" / "zhengzhou.toml").read_bytes())
    write_record(records, "lyon-graz", LYON_GRAZ)
    write_record(records, "pune", PUNE)
    write_record(records, "demo", VALID_RECORD)
    tools = root / "tools"
    pager = script(tools, "pager", PAGER_SCRIPT)
    bin_folder = root / "bin"
    script(bin_folder, "less", PAGER_SCRIPT)
    # Import what the commands use in this process, so that each forked run need not.
    runner = CliRunner()
    for args in (["list"], ["show", "zhengzhou"], ["timeline"], ["summary"], ["validate"]):
        runner.invoke(app, [*args, "--records", str(records)], env={"NO_COLOR": "1"})
    for args in (["timeline", "-f", "json"], ["show", "zhengzhou", "-f", "markdown"]):
        runner.invoke(app, [*args, "--records", str(records)], env={"NO_COLOR": "1"})
    return Setup(project, pager, bin_folder, root / "pager.log")


def text(data: bytes) -> str:
    """Terminal output as text, each line without the spaces that end it."""
    return "\n".join(line.rstrip(" ") for line in data.decode("utf-8").split("\n"))


# --------------------------------------------------------------------------- the pager


@pytest.mark.parametrize(
    ("args", "rows"),
    [(("show", "zhengzhou"), 24), (("timeline",), 24), (("summary",), 24)],
    ids=["show", "timeline", "summary"],
)
def test_long_output_goes_through_the_pager(setup: Setup, args: tuple[str, ...], rows: int) -> None:
    pager = f"{setup.pager} --one 'two words'"
    ran = setup.run(*args, env={"UCAP_PAGER": pager}, rows=rows)
    assert ran.status == 0, ran.stderr
    (given,) = setup.paged()
    assert given["argv"] == ["--one", "two words"]  # split as a shell would
    assert given["tty"] is True  # the pager writes to the terminal
    assert (given["LESS"], given["LV"]) == ("FRX", "-c")  # as git sets them
    assert ran.screen == b"PAGED\n"  # all of the output went to the pager
    plain = setup.run(*args, "--no-pager", rows=rows)
    assert setup.paged() == []
    assert str(given["input"]).encode() == plain.screen  # what it would have printed
    assert plain.screen.count(b"\n") >= rows


def test_the_pager_gets_colour_and_the_terminal_width(setup: Setup) -> None:
    ran = setup.run("show", "zhengzhou", env={"UCAP_PAGER": str(setup.pager)}, cols=60)
    assert ran.status == 0
    (given,) = setup.paged()
    shown = str(given["input"])
    assert "\x1b[" in shown
    from rich.cells import cell_len
    from rich.text import Text

    widths = [cell_len(Text.from_ansi(line).plain) for line in shown.splitlines()]
    assert max(widths) <= 60
    assert max(widths) > 50  # laid out for 60 columns, not the default 80 or a pipe's

    never = setup.run("show", "zhengzhou", "--color", "never", env={"UCAP_PAGER": str(setup.pager)})
    (given,) = setup.paged()
    assert "\x1b" not in str(given["input"])
    assert never.status == 0


def test_output_that_fits_the_screen_is_printed(setup: Setup) -> None:
    ran = setup.run("show", "zhengzhou", env={"UCAP_PAGER": str(setup.pager)}, rows=400)
    assert ran.status == 0
    assert setup.paged() == []
    assert b"Zhengzhou" in ran.screen


def test_a_screenful_with_the_prompt_is_the_limit(setup: Setup) -> None:
    """Output of N lines needs N+1 rows: one more for the shell's prompt after it."""
    height = setup.run("summary", "--no-pager", rows=400).screen.count(b"\n")
    setup.run("summary", env={"UCAP_PAGER": str(setup.pager)}, rows=height + 1)
    assert setup.paged() == []
    setup.run("summary", env={"UCAP_PAGER": str(setup.pager)}, rows=height)
    assert len(setup.paged()) == 1


@pytest.mark.parametrize(
    "args",
    [
        ("--no-pager", "show", "zhengzhou"),
        ("show", "zhengzhou", "--no-pager"),
        ("--color", "never", "--no-pager", "show", "zhengzhou"),
    ],
)
def test_no_pager(setup: Setup, args: tuple[str, ...]) -> None:
    ran = setup.run(*args, env={"UCAP_PAGER": str(setup.pager)})
    assert ran.status == 0
    assert setup.paged() == []
    assert ran.screen.count(b"\n") > 24


def test_list_and_validate_are_not_paged(setup: Setup) -> None:
    """`list` stops at 50 rows in a terminal and says so; validate's output is for editors."""
    for args in (("list",), ("validate",)):
        ran = setup.run(*args, env={"UCAP_PAGER": str(setup.pager)}, rows=3)
        assert setup.paged() == [], args
        assert ran.screen.count(b"\n") > 3


def test_formats_other_than_the_table_are_paged_too(setup: Setup) -> None:
    for args in (("show", "zhengzhou", "-f", "markdown"), ("timeline", "-f", "json")):
        plain = setup.run(*args, tty=False)
        ran = setup.run(*args, env={"UCAP_PAGER": str(setup.pager)}, rows=10)
        assert ran.status == 0
        (given,) = setup.paged()
        assert str(given["input"]).encode() == plain.stdout, args


def pager_used(setup: Setup, env: Mapping[str, str]) -> list[str] | None:
    """The argv of the pager that `show` ran, with `env`, or None; `less` is the fake one."""
    ran = setup.run("show", "zhengzhou", env={"PATH": f"{setup.bin}:/usr/bin:/bin", **env})
    assert ran.status == 0
    given = setup.paged()
    if not given:
        assert b"Zhengzhou" in ran.screen
        return None
    assert ran.screen == b"PAGED\n"
    return [str(a) for a in given[0]["argv"]]  # type: ignore[attr-defined]


PAGER = "{pager}"  # the fake pager's path, in the table below
WHICH_PAGER = [
    ({}, ["-FRX"]),  # less -FRX (the fake less first on PATH)
    ({"PAGER": f"{PAGER} p"}, ["p"]),
    ({"UCAP_PAGER": f"{PAGER} u", "PAGER": f"{PAGER} p"}, ["u"]),
    ({"UCAP_PAGER": "", "PAGER": f"{PAGER} p"}, None),
    ({"UCAP_PAGER": "  "}, None),
    ({"PAGER": ""}, None),  # as git: empty means none
    ({"PAGER": "cat"}, None),
    ({"UCAP_PAGER": "cat", "PAGER": f"{PAGER} p"}, None),
    ({"TERM": "dumb"}, None),  # no less on a dumb terminal...
    ({"TERM": "dumb", "PAGER": f"{PAGER} p"}, ["p"]),  # ...unless asked for
]


@pytest.mark.parametrize(("env", "argv"), WHICH_PAGER, ids=[str(e) for e, _ in WHICH_PAGER])
def test_which_pager(setup: Setup, env: dict[str, str], argv: list[str] | None) -> None:
    filled = {name: value.replace(PAGER, str(setup.pager)) for name, value in env.items()}
    assert pager_used(setup, filled) == argv


def test_less_options_of_the_user_are_kept(setup: Setup) -> None:
    setup.run("show", "zhengzhou", env={"UCAP_PAGER": str(setup.pager), "LESS": "-S"})
    (given,) = setup.paged()
    assert given["LESS"] == "-S"


def test_a_pager_with_shell_syntax_runs_in_the_shell(setup: Setup) -> None:
    ran = setup.run("show", "zhengzhou", env={"UCAP_PAGER": f"MARK=yes {setup.pager} | cat"})
    assert ran.status == 0
    (given,) = setup.paged()
    assert given["MARK"] == "yes"
    assert ran.screen == b"PAGED\n"


def test_piped_output_is_never_paged(setup: Setup) -> None:
    for env in ({"UCAP_PAGER": str(setup.pager)}, {"PATH": str(setup.bin)}, {}):
        ran = setup.run("show", "zhengzhou", env=env, tty=False, rows=5)
        assert ran.status == 0
        assert setup.paged() == []
        assert ran.screen == b""
        assert b"Zhengzhou" in ran.stdout


def test_a_terminal_that_is_not_the_controlling_one_is_not_paged(setup: Setup) -> None:
    """A pager reads its keys from /dev/tty: on another terminal it could never be answered
    (a test's or a benchmark's pty)."""
    ran = setup.run("show", "zhengzhou", env={"UCAP_PAGER": str(setup.pager)}, controlling=False)
    assert ran.status == 0
    assert setup.paged() == []
    assert b"Zhengzhou" in ran.screen and b"\x1b[" in ran.screen  # a terminal all the same


@pytest.mark.parametrize(
    ("pager", "warning"),
    [
        ("/nonexistent/pager --flag", b"cannot run the pager '/nonexistent/pager --flag'"),
        ("nonexistent-pager-command", b"cannot run the pager 'nonexistent-pager-command'"),
        ("FAILING", b"failed (exit 3)"),
        ("exit 4;", b"failed (exit 4)"),  # through the shell
    ],
)
def test_a_pager_that_is_missing_or_fails_leaves_plain_printing(
    setup: Setup, pager: str, warning: bytes
) -> None:
    if pager == "FAILING":
        pager = str(script(setup.bin.parent / "tools", "failing", FAILING_PAGER))
    plain = setup.run("show", "zhengzhou", "--no-pager")
    ran = setup.run("show", "zhengzhou", env={"UCAP_PAGER": pager})
    assert ran.status == 0
    assert ran.screen == plain.screen
    assert ran.stderr.startswith(b"ucap: warning: ") and warning in ran.stderr
    assert ran.stderr.count(b"\n") == 1


def test_no_less_on_the_path_is_plain_printing_without_a_word(setup: Setup, tmp_path: Path) -> None:
    plain = setup.run("show", "zhengzhou", "--no-pager")
    ran = setup.run("show", "zhengzhou", env={"PATH": str(tmp_path)})
    assert (ran.status, ran.screen, ran.stderr) == (0, plain.screen, b"")


def test_ctrl_c_that_ends_the_pager_ends_ucap_quietly(setup: Setup) -> None:
    pager = script(setup.bin.parent / "tools", "waits", INTERRUPTED_PAGER)

    sent: list[bytes] = []

    def keys(master: int, screen: bytes) -> bytes | None:
        if b"READY" in screen and not sent:
            sent.append(b"\x03")
            return b"\x03"
        return None

    ran = setup.run("show", "zhengzhou", env={"UCAP_PAGER": str(pager)}, keys=keys)
    assert ran.status == 130
    assert ran.stderr == b"ucap: interrupted\n"  # one line, no traceback


def test_the_exit_status_survives_the_pager(setup: Setup, tmp_path: Path) -> None:
    folder = tmp_path / "records"
    write_record(folder, "demo", edited(VALID_RECORD, ("sdgs = [9, 11]", "sdgs = [99]")))
    ran = setup.run(
        "show", "demo", "--records", str(folder), env={"UCAP_PAGER": str(setup.pager)}, rows=5
    )
    assert ran.status == 1
    assert len(setup.paged()) == 1
    assert b"validation errors" in ran.stderr


@pytest.mark.skipif(not Path("/usr/bin/less").exists(), reason="needs less")
def test_real_less_ctrl_c_then_q(setup: Setup) -> None:
    """The installed `ucap` with the real `less -FRX`: a Ctrl-C in less does not end ucap
    (less takes it), `q` quits, and ucap ends as it would have: exit 0, nothing on stderr."""
    sent: list[bytes] = []

    def keys(master: int, screen: bytes) -> bytes | None:
        if b"Zhengzhou" not in screen:
            return None
        if not sent:
            sent.append(b"\x03")
            return b"\x03"
        if len(sent) == 1:
            time.sleep(0.2)
            sent.append(b"q")
            return b"q"
        return None

    ran = setup.run(
        "show", "zhengzhou", env={"PATH": "/usr/bin:/bin"}, exec=True, keys=keys, rows=20
    )
    assert ran.status == 0, ran.stderr
    assert ran.stderr == b""
    assert b"Zhengzhou" in ran.screen
    assert sent == [b"\x03", b"q"]


# --------------------------------------------------------------------------- colour


def expected_colour(
    option: str | None, no_color: str | None, force: str | None, clicolor: str | None, tty: bool
) -> bool:
    """The documented rule: --color first, then NO_COLOR, then FORCE_COLOR / CLICOLOR_FORCE
    (set to anything but "" or "0"), then whether stdout is a terminal."""
    if option in ("always", "never"):
        return option == "always"
    if no_color:
        return False
    if force not in (None, "", "0") or clicolor not in (None, "", "0"):
        return True
    return tty


COMBINATIONS = [
    (option, no_color, force, clicolor, tty)
    for option in (None, "auto", "always", "never")
    for no_color in (None, "1")
    for force in (None, "1", "0")
    for clicolor in (None, "1")
    for tty in (True, False)
]


@pytest.mark.parametrize(
    ("option", "no_color", "force", "clicolor", "tty"),
    COMBINATIONS,
    ids=[
        f"color={o}-NO_COLOR={n}-FORCE_COLOR={f}-CLICOLOR_FORCE={c}-{'tty' if t else 'pipe'}"
        for o, n, f, c, t in COMBINATIONS
    ],
)
def test_colour_rule(
    setup: Setup,
    option: str | None,
    no_color: str | None,
    force: str | None,
    clicolor: str | None,
    tty: bool,
) -> None:
    env = {
        name: value
        for name, value in (
            ("NO_COLOR", no_color),
            ("FORCE_COLOR", force),
            ("CLICOLOR_FORCE", clicolor),
        )
        if value is not None
    }
    # --color before the command in some runs, after it in others: the same option
    where = hash((no_color, force, clicolor)) % 2
    given = ("--color", option) if option else ()
    args = (*given, "list") if where else ("list", *given)
    ran = setup.run(*args, env=env, tty=tty)
    assert ran.status == 0, ran.stderr
    assert (b"\x1b[" in ran.shown) is expected_colour(option, no_color, force, clicolor, tty)
    assert ran.stderr == b""


@pytest.mark.parametrize(
    ("env", "args", "tty", "colour"),
    [
        ({"TERM": "dumb"}, (), True, False),
        ({"TERM": "dumb", "FORCE_COLOR": "1"}, (), True, True),
        ({"TERM": "dumb"}, ("--color", "always"), True, True),
        ({"TERM": "dumb"}, ("--color=always",), False, True),
        ({"FORCE_COLOR": ""}, (), False, False),  # empty: as if not set
        ({"FORCE_COLOR": "yes"}, (), False, True),  # any other value forces
        ({"CLICOLOR_FORCE": ""}, (), False, False),
        ({"CLICOLOR_FORCE": "0"}, (), False, False),
        ({"NO_COLOR": ""}, (), True, True),  # empty: as if not set
        ({"NO_COLOR": "0"}, (), True, False),  # any value turns colour off, "0" too
    ],
)
def test_colour_edge_cases(
    setup: Setup, env: dict[str, str], args: tuple[str, ...], tty: bool, colour: bool
) -> None:
    ran = setup.run("list", *args, env=env, tty=tty)
    assert (b"\x1b[" in ran.shown) is colour


@pytest.mark.parametrize("view", [("summary",), ("timeline",), ("show", "zhengzhou")])
def test_color_never_on_a_terminal_is_what_a_pipe_gets(setup: Setup, view: tuple[str, ...]) -> None:
    """No colour, no box drawing, no Unicode bars: the same text as through a pipe."""
    never = setup.run(*view, "--color", "never", "--no-pager", cols=90)
    piped = setup.run(*view, tty=False, env={"COLUMNS": "90"})
    assert text(never.screen) == text(piped.stdout)
    assert not {"\x1b", "─", "█", "━", "●"} & set(text(never.screen))


@pytest.mark.parametrize("view", [("summary",), ("timeline",)])
def test_color_always_through_a_pipe_is_what_a_terminal_gets(
    setup: Setup, view: tuple[str, ...]
) -> None:
    always = setup.run(*view, "--color", "always", tty=False, env={"COLUMNS": "90"})
    terminal = setup.run(*view, "--no-pager", cols=90)
    assert "\x1b[" in text(always.stdout) and "─" in text(always.stdout)
    assert text(always.stdout) == text(terminal.screen)


def test_a_bad_color_is_a_usage_error(setup: Setup) -> None:
    for args in (("--color", "sometimes", "list"), ("list", "--color", "sometimes")):
        ran = setup.run(*args)
        assert ran.status == 2
        assert b"'sometimes' is not one of auto, always, never" in ran.stderr
        assert ran.screen == b""


def test_forced_colour_puts_no_progress_bar_into_a_log(monkeypatch: pytest.MonkeyPatch) -> None:
    from ucap_cli.render.progress import progress_on_stderr

    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with progress_on_stderr() as progress:
        assert progress is None


def test_run_options_before_the_command_keep_the_fast_start() -> None:
    """`ucap --color never --no-pager validate` still registers only `validate`."""
    import subprocess

    program = (
        "import sys\n"
        "from ucap_cli.__main__ import main\n"
        "sys.argv = ['ucap', '--color', 'never', '--no-pager', 'validate', 'records']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('ucap_cli.cli.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", ""), "NO_COLOR": "1"},
        check=False,
    )
    assert done.stdout.startswith("0 errors"), done.stderr[-2000:]
    commands = done.stdout.splitlines()[-1]
    assert commands == str(
        [
            "ucap_cli.cli.app",
            "ucap_cli.cli.options",
            "ucap_cli.cli.output",
            "ucap_cli.cli.validate",
            "ucap_cli.cli.views",
        ]
    )
