"""Writing from the command layer: errors, plain text, Rich renderables to the terminal (and
through the pager when long, as git's and gh's output does), and a view to the file that
`-o FILE` names (atomically)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from ucap_cli.errors import UcapError

# The views whose terminal output is paged when it is taller than the screen. (`list` is not:
# in a terminal it stops at 50 rows and says how many matched, as gh does.)
PAGED_VIEWS = frozenset({"show", "timeline", "summary"})
DEFAULT_PAGER = "less -FRX"
_pager_allowed = True  # False after --no-pager


def report_error(error: UcapError) -> None:
    """`ucap: error: message` (and a hint line) on stderr."""
    from ucap_cli.render.safe import visible

    lines = [f"ucap: error: {visible(str(error))}"]
    if error.hint:
        lines.append(f"  hint: {visible(error.hint)}")
    sys.stderr.write("\n".join(lines) + "\n")


def report_warning(message: str | None) -> None:
    """`ucap: warning: message` on stderr, when there is a message."""
    if message is None:
        return
    from ucap_cli.render.safe import visible

    sys.stderr.write(f"ucap: warning: {visible(message)}\n")


def write(text: str) -> None:
    """Plain text to stdout, with a final newline."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def write_pieces(pieces: Iterable[bytes]) -> None:
    """UTF-8 text given in pieces to stdout, with a final newline: large output (held as bytes,
    half the memory of text with any CJK in it) is never joined whole."""
    sys.stdout.flush()
    out = sys.stdout.buffer
    for piece in pieces:
        out.write(piece)
    out.write(b"\n")
    out.flush()


def stderr_lines(lines: Iterable[str]) -> None:
    """Each line on stderr (already made safe)."""
    sys.stderr.write("".join(f"{line}\n" for line in lines))


# The `-o FILE` of the running command (see `cli.views.with_output`): set while it runs.
_output_file: ContextVar[Path | None] = ContextVar("ucap_output_file", default=None)


@contextlib.contextmanager
def output_to(path: Path | None) -> Iterator[None]:
    """While the block runs, views write to `path` (None: to stdout)."""
    token = _output_file.set(path)
    try:
        yield
    finally:
        _output_file.reset(token)


def output_file() -> Path | None:
    """The file the running command writes its view to (`-o FILE`), if any."""
    return _output_file.get()


def to_terminal() -> bool:
    """True when the view goes to a terminal: stdout is one, and no `-o FILE` was given."""
    return output_file() is None and sys.stdout.isatty()


def emit(
    view: str,
    output_format: str,
    data: Any,
    *,
    details: bool = False,
    export: Path | None = None,
    title: str = "",
) -> list[str]:
    """Write `data` as the registry's writer of `view` in `output_format` writes it: text and
    pieces to stdout, a terminal view through the console (through the pager when it is long);
    or all of it, atomically, to the `-o` file (or `export`, its alias). The lines to add on
    stderr (a view that has nothing to show, the file saved)."""
    from ucap_cli.render.console import is_tty, wants_colour
    from ucap_cli.render.registry import Options, Screen, writer

    target = export or output_file()
    colour = wants_colour(sys.stdout)
    # Laid out for a person on a terminal (colour or not); a terminal view saved to a file is
    # drawn as a colour terminal shows it.
    terminal = output_format == "table" if target is not None else colour or is_tty(sys.stdout)
    output = writer(view, output_format)(data, Options(terminal=terminal, details=details))
    if target is not None:
        return save(target, output, title=title)
    pager = pager_command() if view in PAGED_VIEWS else None
    if isinstance(output, str):
        if pager:
            page(pager, [output.encode(_encoding(), "replace")])
        else:
            sys.stdout.write(output)
        return []
    if not isinstance(output, Screen):
        if pager:
            page(pager, _with_newline(output))
        else:
            write_pieces(output)
        return []
    notes = [output.empty] if output.empty else []
    if output.renderable is None:
        return notes
    from ucap_cli.render.console import make_console

    console = make_console()
    if pager:
        import io

        buffer = io.StringIO()  # rendered as the terminal would show it, then paged
        _print(make_console(file=buffer, width=console.width, colour=colour), output)
        page(pager, [buffer.getvalue().encode(_encoding(), "replace")])
    else:
        _print(console, output)
    return notes


def _print(console: Any, output: Any) -> None:
    if isinstance(output.renderable, list):
        for line in output.renderable:
            console.print(line, soft_wrap=output.soft_wrap)
    else:
        console.print(output.renderable, soft_wrap=output.soft_wrap)


def save(target: Path, output: Any, *, title: str = "") -> list[str]:
    """Write a writer's `output` to `target` atomically (text and pieces as stdout would get
    them; a terminal view as SVG, HTML or text, by the file's extension, at the terminal's
    width); the lines to add on stderr: a view that has nothing to show, the file saved."""
    from ucap_cli.render.registry import Screen
    from ucap_cli.render.safe import visible
    from ucap_cli.toml.write import atomic_write

    notes: list[str] = []
    if isinstance(output, str):
        atomic_write(target, output.encode("utf-8"))
    elif not isinstance(output, Screen):
        atomic_write(target, _with_newline(output))
    else:
        from ucap_cli.render.console import make_console
        from ucap_cli.render.export import export_screen, screen_kind

        notes = [output.empty] if output.empty else []
        width = make_console().width
        document = export_screen(output, screen_kind(target), width=width, title=title)
        atomic_write(target, document.encode("utf-8"))
    return [*notes, f"saved {visible(str(target))}"]


def _encoding() -> str:
    return getattr(sys.stdout, "encoding", None) or "utf-8"


def _with_newline(pieces: Iterable[bytes]) -> Iterator[bytes]:
    yield from pieces
    yield b"\n"


# --------------------------------------------------------------------------- the pager


def allow_pager(allowed: bool) -> None:
    """`--no-pager` (False), or a fresh run (True)."""
    global _pager_allowed
    _pager_allowed = allowed


def pager_command() -> str | None:
    """The pager for this run's terminal output, or None: none when stdout is not a terminal
    (or not the controlling one), after --no-pager, or when the first of UCAP_PAGER and PAGER
    that is set is empty or `cat`; `less -FRX` when neither is set (unless TERM=dumb)."""
    from ucap_cli.render.console import is_tty

    if not _pager_allowed or not is_tty(sys.stdout) or not _reads_keys_where_it_writes():
        return None
    for name in ("UCAP_PAGER", "PAGER"):
        value = os.environ.get(name)
        if value is not None:
            value = value.strip()
            return None if value in ("", "cat") else value
    return None if os.environ.get("TERM") == "dumb" else DEFAULT_PAGER


def _reads_keys_where_it_writes() -> bool:
    """True when stdout is the controlling terminal, where a pager reads its keys (/dev/tty):
    a terminal that is not (a test's or a benchmark's pseudo-terminal) could show the pager but
    never answer it."""
    if os.name == "nt":
        return True
    try:
        os.tcgetpgrp(sys.stdout.fileno())  # ENOTTY unless it is the controlling terminal
    except (OSError, ValueError):
        return False
    return True


def page(command: str, chunks: Iterable[bytes]) -> None:
    """Write `chunks` (encoded text) to stdout, through the pager `command` when they are
    taller than the screen (its rows, less one for the prompt). A pager that cannot be
    started, or that fails, leaves the text printed as without it; Ctrl-C that ends the pager
    ends ucap (exit 130); quitting the pager before the end is not an error."""
    import shutil

    rows = shutil.get_terminal_size().lines
    held: list[bytes] = []
    lines = 0
    rest = iter(chunks)
    for chunk in rest:
        held.append(chunk)
        lines += chunk.count(b"\n")
        if lines >= rows:  # the output and the prompt after it do not fit
            break
    else:
        _write_bytes(held)
        return
    if not _run_pager(command, held, rest):
        _write_bytes(held)


def _write_bytes(chunks: Iterable[bytes]) -> None:
    sys.stdout.flush()
    out = sys.stdout.buffer
    for chunk in chunks:
        out.write(chunk)
    out.flush()


_SHELL_SYNTAX = frozenset("|&;<>()$`*?[]#~=%{}\n")


def _run_pager(command: str, held: list[bytes], rest: Iterator[bytes]) -> bool:
    """Run the pager on `held` then `rest` (everything is added to `held`, to be printed
    should the pager fail). True when it did its job (or the user quit it early)."""
    import shlex
    import signal
    import subprocess

    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # as git does: colours through, no screen clearing
    env.setdefault("LV", "-c")
    shell = bool(_SHELL_SYNTAX & set(command))
    sys.stdout.flush()
    try:
        args: str | list[str] = command if shell else shlex.split(command)
        process = subprocess.Popen(args, shell=shell, stdin=subprocess.PIPE, env=env)
    except (OSError, ValueError) as error:
        if command != DEFAULT_PAGER:
            report_warning(f"cannot run the pager {command!r} ({error}); printing without it")
        for chunk in rest:
            held.append(chunk)
        return False
    # Ctrl-C is the pager's now (less uses it to stop a search): ucap waits for it to end.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    status = None
    try:
        stdin = process.stdin
        assert stdin is not None
        try:
            for chunk in held:
                stdin.write(chunk)
            for chunk in rest:
                held.append(chunk)
                stdin.write(chunk)
            stdin.close()
        except (BrokenPipeError, OSError):  # the pager was quit before the end
            pass
        status = process.wait()
    finally:
        if status not in (-signal.SIGINT, 128 + signal.SIGINT):
            signal.signal(signal.SIGINT, previous)
    if status in (-signal.SIGINT, 128 + signal.SIGINT):
        raise KeyboardInterrupt  # (Ctrl-C stays ignored: more of them change nothing now)
    if status > 0:
        for chunk in rest:
            held.append(chunk)
        report_warning(f"the pager {command!r} failed (exit {status}); printing without it")
        return False
    return True
