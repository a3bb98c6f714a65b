"""Writing from the command layer: errors, plain text, Rich renderables to the terminal, and
a view to the file that `-o FILE` names (atomically)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from ucap_cli.errors import UcapError


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
    pieces to stdout, a terminal view through the console; or all of it, atomically, to the
    `-o` file (or `export`, its alias). The lines to add on stderr (a view that has nothing
    to show, the file saved)."""
    from ucap_cli.render.registry import Options, Screen, writer

    target = export or output_file()
    # A terminal view saved to a file is drawn as a colour terminal shows it.
    terminal = output_format == "table" if target is not None else sys.stdout.isatty()
    output = writer(view, output_format)(data, Options(terminal=terminal, details=details))
    if target is not None:
        return save(target, output, title=title)
    if isinstance(output, str):
        sys.stdout.write(output)
        return []
    if not isinstance(output, Screen):
        write_pieces(output)
        return []
    notes = [output.empty] if output.empty else []
    if output.renderable is None:
        return notes
    from ucap_cli.render.console import make_console

    console = make_console()
    if isinstance(output.renderable, list):
        for line in output.renderable:
            console.print(line, soft_wrap=output.soft_wrap)
    else:
        console.print(output.renderable, soft_wrap=output.soft_wrap)
    return notes


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


def _with_newline(pieces: Iterable[bytes]) -> Iterator[bytes]:
    yield from pieces
    yield b"\n"
