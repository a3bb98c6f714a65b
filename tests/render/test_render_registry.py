"""ucap_cli/render/registry.py: one table of formats and of each view's writers in them."""

from __future__ import annotations

import importlib
import inspect

import pytest

from ucap_cli.render.registry import FORMATS, WRITERS, format_of_suffix, formats, writer

VIEWS = (
    "list",
    "show",
    "timeline",
    "summary",
    "agreements",
    "results",
    "changes",
    "validate",
    "statistics",
)


def test_every_view_has_writers_and_every_writer_a_known_format() -> None:
    assert tuple(WRITERS) == VIEWS
    for view, by_format in WRITERS.items():
        assert set(by_format) <= set(FORMATS), view
        assert by_format, view


@pytest.mark.parametrize(("view", "fmt"), [(v, f) for v in WRITERS for f in WRITERS[v]])
def test_every_writer_is_a_function_of_the_report_and_the_options(view: str, fmt: str) -> None:
    found = writer(view, fmt)
    module, _, name = WRITERS[view][fmt].partition(":")
    assert found is getattr(importlib.import_module(module), name)
    parameters = list(inspect.signature(found).parameters)
    assert len(parameters) == 2, parameters  # (report or result, options)


def test_the_first_format_is_the_default() -> None:
    assert [formats(view)[0] for view in VIEWS] == [*["table"] * 7, "text", "text"]
    assert formats("validate") == ("text", "concise", "json", "github", "sarif")
    assert formats("list") == ("table", "json", "csv", "markdown")


@pytest.mark.parametrize(
    ("view", "suffix", "fmt"),
    [
        ("list", ".json", "json"),
        ("list", ".CSV", "csv"),
        ("list", ".md", "markdown"),
        ("summary", ".markdown", "markdown"),
        ("timeline", ".txt", "table"),
        ("validate", ".sarif", "sarif"),
        ("validate", ".json", "json"),
        ("list", ".sarif", None),  # a format list does not have
        ("show", ".xlsx", None),
        ("validate", "", None),
    ],
)
def test_a_file_suffix_names_a_format_of_the_view(view: str, suffix: str, fmt: str | None) -> None:
    assert format_of_suffix(view, suffix) == fmt


def test_no_two_formats_claim_a_suffix() -> None:
    suffixes = [s for f in FORMATS.values() for s in f.suffixes]
    assert len(suffixes) == len(set(suffixes))
    assert all(f.description for f in FORMATS.values())
