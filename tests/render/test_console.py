"""ucap_cli/render/console.py: colour and box drawing only on a real terminal, NO_COLOR and
TERM=dumb honoured, markup in text never interpreted, lines in a pipe without trailing spaces."""

from __future__ import annotations

import io

import pytest
from rich.table import Table
from rich.text import Text

from ucap_cli.render.console import (
    TrimmedLines,
    make_console,
    make_recording_console,
    wants_colour,
)


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("environ", "terminal", "colour"),
    [
        ({}, True, True),
        ({}, False, False),
        ({"NO_COLOR": "1"}, True, False),
        ({"TERM": "dumb"}, True, False),
        ({"TERM": "xterm-256color"}, True, True),
    ],
)
def test_wants_colour(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], terminal: bool, colour: bool
) -> None:
    for name in ("NO_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    stream = Terminal() if terminal else io.StringIO()
    assert wants_colour(stream) is colour


def test_trimmed_lines_drop_trailing_spaces_but_keep_inner_ones() -> None:
    out = io.StringIO()
    stream = TrimmedLines(out)
    for piece in ("a   ", "b  \n", "   \n", "c ", "", " d\n", "end  "):
        stream.write(piece)
    assert out.getvalue() == "a   b\n\nc  d\nend"  # spaces held back until the line goes on
    assert (stream.isatty(), stream.encoding) == (False, "utf-8")


def test_a_console_in_a_pipe_prints_plain_text_and_no_markup() -> None:
    out = io.StringIO()
    console = make_console(file=out, width=40)
    table = Table("name", "n")
    table.add_row("[bold]Lyon[/bold]", "1")
    console.print(Text("styled :smile:", style="bold red"), "[red]x[/red]", table)
    text = out.getvalue()
    assert "\x1b" not in text  # no colour, no bold
    assert "[bold]Lyon[/bold]" in text and "[red]x[/red]" in text and ":smile:" in text
    assert all(line == line.rstrip(" ") for line in text.splitlines())


def test_a_console_on_a_terminal_has_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    out = Terminal()
    make_console(file=out, width=40).print(Text("red", style="red"))
    assert "\x1b[" in out.getvalue()


def test_a_recording_console_exports_what_it_printed() -> None:
    console = make_recording_console(30)
    console.print(Text("Lyon", style="bold"), "[b]as typed[/b]")
    assert console.export_text() == "Lyon [b]as typed[/b]\n"
    assert console.width == 30
