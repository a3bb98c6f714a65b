"""The `ucap` Typer application: commands are registered here, each defined in its own module."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from ucap_cli import __version__
from ucap_cli.cli import schema, validate
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
