"""The `ucap` Typer application: commands are registered here, each defined in its own module."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from ucap_cli import __version__
from ucap_cli.cli import add, import_, new, schema, validate
from ucap_cli.cli import fmt as fmt_command
from ucap_cli.cli import show as show_command
from ucap_cli.cli.list import list_records
from ucap_cli.cli.summary import summary
from ucap_cli.cli.timeline import timeline
from ucap_cli.errors import ExitCode, UcapError


class UcapGroup(TyperGroup):
    """Turns ucap's errors and Ctrl-C into a one-line message and an exit status."""

    # `Any`: the Context class is click's or typer's vendored copy, depending on Typer's version.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except UcapError as error:
            from ucap_cli.cli.output import report_error

            report_error(error)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            typer.echo("ucap: interrupted", err=True)
            ctx.exit(ExitCode.INTERRUPTED)
        except BrokenPipeError:
            ctx.exit(ExitCode.OK)


app = typer.Typer(
    cls=UcapGroup,
    name="ucap",
    help="Validate, query and author U-CAP records (Urban Cooperation Action Plans) kept as TOML.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ucap {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Validate, query and author U-CAP records (Urban Cooperation Action Plans) kept as TOML."""


app.command(name="validate")(validate.validate)
app.command(name="schema")(schema.schema)
app.command(name="list")(list_records)
app.command(name="show")(show_command.show)
app.command(name="timeline")(timeline)
app.command(name="summary")(summary)
app.command(name="new")(new.new)
app.add_typer(add.app, name="add")
app.command(name="fmt")(fmt_command.fmt)
app.command(name="import")(import_.import_)
