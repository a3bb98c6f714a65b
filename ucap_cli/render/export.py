"""`--export FILE.svg|.html|.txt`: exactly what a terminal view shows, for slides and reports."""

from __future__ import annotations

from pathlib import Path

from rich.console import RenderableType

from ucap_cli.errors import UsageError
from ucap_cli.render.console import make_recording_console

EXPORT_SUFFIXES = {".svg": "svg", ".html": "html", ".htm": "html", ".txt": "text"}


def export_kind(path: Path) -> str:
    """'svg', 'html' or 'text' from the file's extension; any other is a UsageError."""
    kind = EXPORT_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise UsageError(
            f"--export: cannot tell the format of {str(path)!r} from its extension",
            hint="use FILE.svg, FILE.html or FILE.txt",
        )
    return kind


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
