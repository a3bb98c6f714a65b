"""ucap_cli/render/export.py: `--export FILE.svg|.html|.txt`, what a terminal view shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text

from ucap_cli.errors import UsageError
from ucap_cli.render.export import export_document, export_kind

VIEW = Text("Lyon <script>alert(1)</script> & Graz   ", style="bold red")


@pytest.mark.parametrize(
    ("name", "kind"),
    [("a.svg", "svg"), ("b.SVG", "svg"), ("c.html", "html"), ("d.htm", "html"), ("e.txt", "text")],
)
def test_the_kind_comes_from_the_extension(name: str, kind: str) -> None:
    assert export_kind(Path(name)) == kind


@pytest.mark.parametrize("name", ["a.png", "a", "a.svg.bak"])
def test_another_extension_is_a_usage_error_with_a_hint(name: str) -> None:
    with pytest.raises(UsageError) as caught:
        export_kind(Path(name))
    assert str(caught.value) == f"--export: cannot tell the format of {name!r} from its extension"
    assert caught.value.hint == "use FILE.svg, FILE.html or FILE.txt"


def test_text_is_the_view_without_trailing_spaces() -> None:
    text = export_document(VIEW, "text", width=60, title="t")
    assert text == "Lyon <script>alert(1)</script> & Graz\n"


@pytest.mark.parametrize("kind", ["svg", "html"])
def test_svg_and_html_escape_the_text(kind: str) -> None:
    document = export_document(VIEW, kind, width=60, title="Timeline")
    assert "<script>" not in document
    assert "&lt;script&gt;" in document or "&#60;script&#62;" in document
    if kind == "svg":
        assert document.lstrip().startswith("<svg") and "Timeline" in document


def test_the_width_is_the_terminal_width() -> None:
    long = Text("word " * 30)
    narrow = export_document(long, "text", width=20, title="t")
    assert max(len(line) for line in narrow.splitlines()) <= 20
    assert len(narrow.splitlines()) > 1
