"""The `ucap` Typer application: commands are registered here, each defined in its own module."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Annotated, Any, NoReturn, Optional

import typer
from typer.core import TyperGroup

from ucap_cli import __version__
from ucap_cli.cli.options import help_without_command
from ucap_cli.errors import ExitCode, UcapError

interrupt_reported = False  # `ucap: interrupted` was said (ucap_cli.__main__ says it otherwise)
# click's UsageError, from the click Typer runs on (its own copy from Typer 0.28 on).
ClickUsageError: type[Exception] = typer.BadParameter.__bases__[0]


# The options of the whole run, given before the command (`ucap --color never list`) or after
# it (`ucap list --color never`): the app's callback defines them, and UcapGroup gives every
# command the same option objects. They set the run's state through their callbacks.
RUN_OPTIONS = ("color", "no_pager")


class UcapGroup(TyperGroup):
    """Turns ucap's errors and Ctrl-C into a one-line message and an exit status; gives every
    command the run options (--color, --no-pager)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        shared = [p for p in self.params if p.name in RUN_OPTIONS]
        stack = list(self.commands.values())
        while stack:
            command = stack.pop()
            names = {p.name for p in command.params}
            command.params.extend(p for p in shared if p.name not in names)
            stack.extend(getattr(command, "commands", {}).values())

    def make_context(self, info_name: Any, args: Any, parent: Any = None, **extra: Any) -> Any:
        """A fresh run (tests run many in one process): colour and pager as by default."""
        if parent is None:
            from ucap_cli.cli.output import allow_pager
            from ucap_cli.render.console import choose_colour

            choose_colour("auto")
            allow_pager(True)
        try:
            return super().make_context(info_name, args, parent, **extra)
        except ClickUsageError as error:  # the run options, before the command
            _usage_error(error)

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
        except ClickUsageError as error:  # a command's options, parsed as it is invoked
            _usage_error(error)
        except KeyboardInterrupt:
            global interrupt_reported
            interrupt_reported = True
            typer.echo("ucap: interrupted", err=True)
            ctx.exit(ExitCode.INTERRUPTED)
        except BrokenPipeError:
            ctx.exit(ExitCode.OK)


def _usage_error(error: Any) -> NoReturn:
    """A bad command line (click's UsageError) as one `ucap: error:` line and a hint, like
    ucap's own usage errors (click would print four: the usage, a hint, a blank line and the
    error), exit 2."""
    from ucap_cli.render.safe import visible

    context = getattr(error, "ctx", None)
    command = context.command_path if context is not None else "ucap"
    sys.stderr.write(
        f"ucap: error: {visible(error.format_message())}\n"
        f"  hint: `{visible(command)} --help` shows the usage\n"
    )
    raise SystemExit(ExitCode.USAGE)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ucap {__version__}")
        raise typer.Exit()


def _colour(value: str | None) -> str | None:
    from ucap_cli.render.console import COLOUR_CHOICES, choose_colour

    if value is not None:
        if value not in COLOUR_CHOICES:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(COLOUR_CHOICES)}.")
        choose_colour(value)
    return value


def _no_pager(value: bool) -> bool:
    if value:
        from ucap_cli.cli.output import allow_pager

        allow_pager(False)
    return value


def main(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    color: Annotated[
        Optional[str],  # noqa: UP045 - Typer reads this annotation at run time
        typer.Option(
            "--color",
            metavar="WHEN",
            callback=_colour,
            expose_value=False,
            autocompletion=lambda: ["auto", "always", "never"],
            help="Colour and box drawing: auto (on a terminal, unless NO_COLOR is set; "
            "FORCE_COLOR or CLICOLOR_FORCE force them), always or never.",
            show_default=False,
        ),
    ] = None,
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager",
            callback=_no_pager,
            expose_value=False,
            help="Print long terminal output instead of sending it to the pager "
            "($UCAP_PAGER, $PAGER, or less -FRX).",
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
    "agreements": ("ucap_cli.cli.agreements", "agreements"),
    "results": ("ucap_cli.cli.results", "results"),
    "changes": ("ucap_cli.cli.changes", "changes"),
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
    from ucap_cli.render.registry import WRITERS

    for name, (module, attribute) in COMMANDS.items():
        if only is None or name == only:
            target = getattr(importlib.import_module(module), attribute)
            if isinstance(target, typer.Typer):
                application.add_typer(target, name=name)
            else:
                if name in WRITERS:  # a view: `-o FILE` writes it to a file
                    from ucap_cli.cli.views import with_output

                    target = with_output(name, target)
                application.command(name=name)(target)
    return application


def __getattr__(name: str) -> typer.Typer:
    """`app`, the full application, built on first use (tests and completion import it)."""
    if name == "app":
        globals()["app"] = application = build_app()
        return application
    raise AttributeError(name)
