"""Every output format, and the writer of each view in it: one table.

Adding a format is one entry in FORMATS and one writer in WRITERS for each view that has it;
the commands' `--format` choices and `-o FILE`'s extensions come from here. A writer is named
as `module:function` and imported only when it is used (the render modules import Rich, which
a JSON run does not need). It takes the view's `Report` and the `Options` of the run and
returns the output: text, pieces of UTF-8 (a large JSON document, never held whole), or a
`Screen` for the terminal (what `-o FILE` saves as SVG, HTML or text).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Format:
    """An output format: its name, the file extensions that mean it, and what it is."""

    name: str
    suffixes: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Options:
    """How the run asked for output: for a person at a terminal or not (stdout is one, or
    colour was forced: `--color always`, FORCE_COLOR), and the view's flags. (Terminal views
    fit the width they are printed at, which Rich tells them.)"""

    terminal: bool = False
    details: bool = False


@dataclass(frozen=True)
class Screen:
    """A terminal view: a Rich renderable (or a list of them, one a line), printed by the
    command layer's console; `empty`, when the view has nothing to show, says so (on stderr);
    `soft_wrap`: long lines are left to the terminal to wrap (file:line:col stays clickable)."""

    renderable: Any
    empty: str | None = None
    soft_wrap: bool = False


Output = str | Iterator[bytes] | Screen  # text ends with its final newline
Writer = Callable[[Any, Options], Output]

FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("table", (".txt",), "the terminal view"),
        Format("json", (".json",), "JSON (documented in the README)"),
        Format("csv", (".csv",), "CSV, one row per record or activity"),
        Format("markdown", (".md", ".markdown"), "Markdown, for reports"),
        Format("text", (), "file:line:col lines with the source line and a hint"),
        Format("concise", (), "file:line:col lines only"),
        Format("github", (), "GitHub Actions annotations"),
        Format("sarif", (".sarif",), "SARIF 2.1.0, for code scanning"),
        # No suffix: a summary saved as .txt would be taken for the terminal view's text.
        Format("summary", (), "the U-CAP one-page summary, as text `ucap import` reads back"),
        Format("html", (".html", ".htm"), "one self-contained HTML page that prints on A4"),
    )
}

# The terminal view saved to a file (`-o FILE`, `--export FILE`): as it looks on a colour
# terminal, as an SVG picture, an HTML page or text. A format of the view that claims one of
# these suffixes itself (an HTML document of its own) takes it instead.
SCREEN_SUFFIXES = {".txt": "text", ".svg": "svg", ".html": "html", ".htm": "html"}

_R = "ucap_cli.render."
# view -> format -> writer ("module:function", imported when used). The first is the default.
WRITERS: dict[str, dict[str, str]] = {
    "list": {
        "table": _R + "records:list_screen",
        "json": _R + "records:list_json",
        "csv": _R + "records:list_csv",
        "markdown": _R + "records:list_markdown",
    },
    "show": {
        "table": _R + "show:show_screen",
        "json": _R + "show:show_json",
        "csv": _R + "show:show_csv",
        "markdown": _R + "show:show_markdown",
        "summary": _R + "summary_doc:summary_text",
        "html": _R + "summary_doc:summary_html",
    },
    "timeline": {
        "table": _R + "timeline:timeline_screen",
        "json": _R + "timeline:timeline_json",
        "csv": _R + "timeline:timeline_csv",
        "markdown": _R + "timeline:timeline_markdown",
    },
    "summary": {
        "table": _R + "summary:summary_screen",
        "json": _R + "summary:summary_json",
        "csv": _R + "summary:summary_csv",
        "markdown": _R + "summary:summary_markdown",
    },
    "agreements": {
        "table": _R + "agreements:agreements_screen",
        "json": _R + "agreements:agreements_json",
        "csv": _R + "agreements:agreements_csv",
        "markdown": _R + "agreements:agreements_markdown",
    },
    "results": {
        "table": _R + "results:results_screen",
        "json": _R + "results:results_json",
        "csv": _R + "results:results_csv",
        "markdown": _R + "results:results_markdown",
    },
    "changes": {
        "table": _R + "changes:changes_screen",
        "json": _R + "changes:changes_json",
        "csv": _R + "changes:changes_csv",
        "markdown": _R + "changes:changes_markdown",
    },
    "validate": {
        "text": _R + "problems:as_text",
        "concise": _R + "problems:as_concise",
        "json": _R + "problems:as_json",
        "github": _R + "problems:as_github",
        "sarif": _R + "problems:as_sarif",
    },
    "statistics": {  # validate --statistics
        "text": _R + "problems:as_statistics",
        "json": _R + "problems:as_statistics_json",
    },
}


def formats(view: str) -> tuple[str, ...]:
    """The formats `view` can be written in, the default first."""
    return tuple(WRITERS[view])


def writer(view: str, name: str) -> Writer:
    """The writer of `view` in format `name` (one of `formats(view)`)."""
    module, _, function = WRITERS[view][name].partition(":")
    found: Writer = getattr(importlib.import_module(module), function)
    return found


def format_of_suffix(view: str, suffix: str) -> str | None:
    """The format of `view` that files ending in `suffix` are written in, if one is: a format
    whose own suffix it is, else the terminal view saved as a picture or a page (SVG, HTML,
    text: see SCREEN_SUFFIXES)."""
    suffix = suffix.lower()
    for name in WRITERS[view]:
        if suffix in FORMATS[name].suffixes:
            return name
    if "table" in WRITERS[view] and suffix in SCREEN_SUFFIXES:
        return "table"
    return None


def suffixes(view: str) -> dict[str, tuple[str, ...]]:
    """The file extensions `-o FILE` takes for each format of `view` that has any."""
    found: dict[str, tuple[str, ...]] = {}
    for name in WRITERS[view]:
        extra = tuple(SCREEN_SUFFIXES) if name == "table" else ()
        own = tuple(dict.fromkeys((*FORMATS[name].suffixes, *extra)))
        taken = [s for s in own if format_of_suffix(view, s) == name]
        if taken:
            found[name] = tuple(taken)
    return found
