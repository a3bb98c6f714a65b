"""The filter options of `list`, `timeline` and `summary`, defined once.

`@with_filters` adds the options to a command and hands it one `filters: Filters` argument.
"""

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional, TypeVar

import typer

from ucap_cli.cli.completion import complete_cities, complete_kinds, complete_themes

if TYPE_CHECKING:
    from ucap_cli.views.query import Filters

F = TypeVar("F", bound=Callable[..., Any])

FILTER_RULE = (
    "The same option given twice means OR (--city Rome --city Nice); different options mean "
    "AND (--city Rome --sdg 11)."
)
PANEL = "Filters"

# (parameter name, option, help, completion)
_OPTIONS: tuple[tuple[str, str, str, Callable[..., Any] | None], ...] = (
    (
        "city",
        "--city",
        "Lead city, partner (name or alias) or a city of an activity; case-, accent- and "
        "space-insensitive (malaga, aak).",
        complete_cities,
    ),
    ("country", "--country", "Country of the lead city or a partner (China, CN, CHN).", None),
    ("theme", "--theme", "A theme of the record.", complete_themes),
    ("sdg", "--sdg", "Sustainable Development Goal number, 1-17.", None),
    ("topic", "--topic", 'EU Urban Agenda topic ("urban mobility", "Mobility").', None),
    ("kind", "--kind", "Activity kind (visit, mission, signing...).", complete_kinds),
    (
        "org",
        "--org",
        "Organisation named anywhere in the record (substring, case/accent-insensitive).",
        None,
    ),
    ("since", "--since", "On or after this partial date (2017, 2017-06, 2017-06-15).", None),
    ("until", "--until", "On or before this partial date (2018, 2018-11, 2018-11-30).", None),
    ("during", "--during", "Within a year (2017), a quarter (2017Q2) or a month (2017-06).", None),
    (
        "search",
        "--search",
        "Free text in titles, summaries, focus, challenges, objectives, outputs and expected "
        "results.",
        None,
    ),
    ("programme", "--programme", 'Programme ("IUC Asia").', None),
    ("status", "--status", "", None),  # its help depends on the view: see _STATUS_HELP
)
_STATUS_HELP = {
    "results": "Status of an expected result: planned, in-progress, achieved or dropped.",
    "activities": "Status of an activity: done, planned or cancelled.",
}
_SINGLE = frozenset({"since", "until"})  # a date range has one start and one end
FILTER_NAMES = tuple(name for name, *_ in _OPTIONS)


_METAVARS = {"sdg": "N", "since": "DATE", "until": "DATE", "during": "PERIOD", "search": "TEXT"}


def _parameter(name: str, option: str, help_text: str, complete: Any) -> inspect.Parameter:
    info = typer.Option(
        option,
        metavar=_METAVARS.get(name, name.upper()),
        help=help_text if name in _SINGLE else help_text + " Repeatable (OR).",
        show_default=False,
        rich_help_panel=PANEL,
        autocompletion=complete,
    )
    kind = Optional[str] if name in _SINGLE else Optional[list[str]]  # noqa: UP045
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[kind, info]
    )


def with_filters(status_of: Literal["results", "activities"]) -> Callable[[F], F]:
    """Add the filter options to a command, which takes `filters: Filters` instead;
    `status_of`: what `--status` is the status of in this view."""
    return functools.partial(_with_filters, status_of=status_of)


def _with_filters(command: F, status_of: Literal["results", "activities"]) -> F:
    signature = inspect.signature(command)
    own = [p for p in signature.parameters.values() if p.name != "filters"]
    added = [
        _parameter(name, option, text or _STATUS_HELP[status_of], complete)
        for name, option, text, complete in _OPTIONS
    ]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in FILTER_NAMES}
        kwargs["filters"] = build_filters(values, kwargs.get("records"), status_of)
        return command(**kwargs)

    wrapper.__doc__ = f"{inspect.cleandoc(command.__doc__ or '')}\n\n{FILTER_RULE}"
    del wrapper.__wrapped__  # Typer must see the new signature, not the command's
    wrapper.__signature__ = signature.replace(parameters=[*own, *added])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in (*own, *added)}
    return wrapper  # type: ignore[return-value]


def build_filters(
    values: dict[str, Any],
    records: Any = None,
    status_of: Literal["results", "activities"] = "results",
) -> "Filters":
    """Filters from the options' values; reads the configuration only when --kind needs it."""
    from ucap_cli.views.query import parse_filters

    kinds: tuple[str, ...] = ()
    if values.get("kind"):
        from ucap_cli.config import load_config

        kinds = load_config(records=records).activity_kinds
    given: dict[str, Any] = {name: values[name] for name in FILTER_NAMES if values.get(name)}
    return parse_filters(**given, activity_kinds=kinds, status_of=status_of)
