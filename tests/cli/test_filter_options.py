"""The filter options every view shares (`cli/filters.with_filters`): one definition, its help
and the AND/OR rule."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer
from conftest import Run
from typer.testing import CliRunner

from ucap_cli.cli.filters import FILTER_RULE, with_filters
from ucap_cli.views.query import Filters


def test_help_documents_the_and_or_rule(run: Run) -> None:
    result = run("list", "--help")
    assert FILTER_RULE in " ".join(result.stdout.split())
    for option in ("--city", "--country", "--theme", "--sdg", "--topic", "--kind", "--org"):
        assert option in result.stdout
    for option in ("--since", "--until", "--during", "--search", "--programme", "--status"):
        assert option in result.stdout


def test_with_filters_on_any_command() -> None:
    seen: list[Any] = []
    app = typer.Typer()

    @app.command()
    @with_filters("results")
    def probe(
        filters: Filters,
        limit: Annotated[Optional[int], typer.Option("--limit")] = None,  # noqa: UP045
    ) -> None:
        """Probe."""
        seen.append((filters, limit))

    @app.command()
    def other() -> None:
        """Another command, so Typer keeps sub-commands."""

    runner = CliRunner()
    args = ["probe", "--city", "Rome", "--city", "Nice", "--sdg", "9", "--limit", "3"]
    result = runner.invoke(app, [*args, "--during", "2017Q2", "--country", "china"])
    assert result.exit_code == 0, result.output
    [(filters, limit)] = seen
    assert (filters.cities, filters.sdgs, filters.countries, limit) == (
        ("Rome", "Nice"),
        (9,),
        ("CN",),
        3,
    )
    assert filters.has_activity_filters
    help_text = " ".join(runner.invoke(app, ["probe", "--help"]).stdout.split())
    assert "Probe." in help_text
    assert FILTER_RULE in help_text
    assert "Status of an expected result" in help_text


def test_with_filters_says_what_status_is_the_status_of() -> None:
    seen: list[Filters] = []
    app = typer.Typer()

    @app.command()
    @with_filters("results")
    def results(filters: Filters) -> None:
        """Results."""
        seen.append(filters)

    @app.command()
    @with_filters("activities")
    def activities(filters: Filters) -> None:
        """Activities."""
        seen.append(filters)

    runner = CliRunner()
    assert runner.invoke(app, ["results", "--status", "achieved"]).exit_code == 0
    assert runner.invoke(app, ["activities", "--status", "planned"]).exit_code == 0
    assert [(f.statuses, f.activity_statuses) for f in seen] == [
        (("achieved",), ()),
        ((), ("planned",)),
    ]
    help_text = " ".join(runner.invoke(app, ["activities", "--help"]).stdout.split())
    assert "Status of an activity" in help_text
