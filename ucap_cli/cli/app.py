"""The `ucap` Typer application: commands are registered here, each defined in its own module."""

from __future__ import annotations

import importlib
import os
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from ucap_cli import __version__
from ucap_cli.cli.options import help_without_command
from ucap_cli.errors import ExitCode, UcapError

interrupt_reported = False  # `ucap: interrupted` was said (ucap_cli.__main__ says it otherwise)


class UcapGroup(TyperGroup):
    """Turns ucap's errors and Ctrl-C into a one-line message and an exit status."""

    def _main_shell_completion(
        self, ctx_args: Any, prog_name: str, complete_var: str | None = None
    ) -> Any:
        """Shell completion (a Tab press), with values quoted for bash."""
        # click's name for the variable; set only when the shell asks for completions
        name = prog_name.replace("-", "_").replace(".", "_")
        if os.environ.get(complete_var or f"_{name}_COMPLETE".upper()):
            from ucap_cli.cli.completion import install_bash_quoting

            install_bash_quoting()
        return super()._main_shell_completion(ctx_args, prog_name, complete_var)

    # `Any`: the Context class is click's or typer's vendored copy, depending on Typer's version.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except UcapError as error:
            from ucap_cli.cli.output import report_error

            report_error(error)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            global interrupt_reported
            interrupt_reported = True
            typer.echo("ucap: interrupted", err=True)
            ctx.exit(ExitCode.INTERRUPTED)
        except BrokenPipeError:
            ctx.exit(ExitCode.OK)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ucap {__version__}")
        raise typer.Exit()


def main(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Validate, query and author U-CAP records (Urban Cooperation Action Plans) kept as TOML."""
    help_without_command(ctx)


# Command name -> (module, function or Typer sub-app). Modules are imported only when their
# command is registered, so `ucap validate` (run on every commit) skips the others' imports.
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("ucap_cli.cli.validate", "validate"),
    "schema": ("ucap_cli.cli.schema", "schema"),
    "list": ("ucap_cli.cli.list", "list_records"),
    "show": ("ucap_cli.cli.show", "show"),
    "timeline": ("ucap_cli.cli.timeline", "timeline"),
    "summary": ("ucap_cli.cli.summary", "summary"),
    "new": ("ucap_cli.cli.new", "new"),
    "add": ("ucap_cli.cli.add", "app"),
    "fmt": ("ucap_cli.cli.fmt", "fmt"),
    "import": ("ucap_cli.cli.import_", "import_"),
    "export": ("ucap_cli.cli.export", "app"),
}


def build_app(only: str | None = None) -> typer.Typer:
    """The application with every command, or with just `only` (what `ucap ONLY ...` runs)."""
    application = typer.Typer(
        cls=UcapGroup,
        name="ucap",
        help=main.__doc__,
        invoke_without_command=True,  # bare `ucap`: its help on stdout, exit 0
        add_completion=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    application.callback()(main)
    for name, (module, attribute) in COMMANDS.items():
        if only is None or name == only:
            target = getattr(importlib.import_module(module), attribute)
            if isinstance(target, typer.Typer):
                application.add_typer(target, name=name)
            else:
                application.command(name=name)(target)
    return application


def __getattr__(name: str) -> typer.Typer:
    """`app`, the full application, built on first use (tests and completion import it)."""
    if name == "app":
        globals()["app"] = application = build_app()
        return application
    raise AttributeError(name)
