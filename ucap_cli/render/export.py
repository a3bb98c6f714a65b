"""`-o FILE.svg|.html|.txt` (and its alias `--export`): exactly what a terminal view shows,
for slides and reports."""

from __future__ import annotations

from pathlib import Path

from rich.console import Group, RenderableType
from rich.text import Text

from ucap_cli.errors import UsageError
from ucap_cli.render.console import make_recording_console
from ucap_cli.render.registry import SCREEN_SUFFIXES, Screen


def export_kind(path: Path) -> str:
    """'svg', 'html' or 'text' from the file's extension; any other is a UsageError."""
    kind = SCREEN_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise UsageError(
            f"--export: cannot tell the format of {str(path)!r} from its extension",
            hint="use FILE.svg, FILE.html or FILE.txt",
        )
    return kind


def screen_kind(path: Path) -> str:
    """'svg', 'html' or 'text' from the file's extension: text for any other (a terminal
    view written where `--format table` said, whatever the file is called)."""
    return SCREEN_SUFFIXES.get(path.suffix.lower(), "text")


def export_document(view: RenderableType, kind: str, *, width: int, title: str) -> str:
    """`view` rendered as a colour terminal `width` columns wide, as SVG, HTML or text.

    Rich escapes the text in SVG and HTML, so record text cannot become markup there.
    """
    console = make_recording_console(width)
    console.print(view)
    if kind == "svg":
        return console.export_svg(title=title)
    if kind == "html":
        return console.export_html()
    return "".join(line.rstrip() + "\n" for line in console.export_text().splitlines())


def export_screen(screen: Screen, kind: str, *, width: int, title: str) -> str:
    """A writer's terminal view as `export_document` writes it (a list of renderables: one
    a line). A view with nothing to show says so first: on a terminal that line goes to
    stderr, to keep stdout empty for a script, but a saved file must say it."""
    view = screen.renderable
    parts = view if isinstance(view, list) else [] if view is None else [view]
    if screen.empty:
        parts = [Text(screen.empty), *parts]
    shown = parts[0] if len(parts) == 1 else Group(*parts) if parts else Text("")
    return export_document(shown, kind, width=width, title=title)
