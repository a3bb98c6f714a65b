"""`ucap new`: write a new record file that validates, asking for what is missing."""

import sys
from collections.abc import Callable
from typing import Annotated, Any, Optional

import typer

from ucap_cli.cli.options import RecordsOption

Text = Optional[str]  # noqa: UP045 - Typer reads these annotations at run time
Texts = Optional[list[str]]  # noqa: UP045


def new(
    record_id: Annotated[
        str, typer.Argument(metavar="ID", help="The new record's id: a slug, e.g. zhengzhou.")
    ],
    city: Annotated[Text, typer.Option(help="The lead city.")] = None,
    country: Annotated[Text, typer.Option(help="The lead city's country (name or code).")] = None,
    partner: Annotated[
        Texts, typer.Option(help="A partner city as NAME:COUNTRY. Repeatable.")
    ] = None,
    start: Annotated[Text, typer.Option(help='Start of the cooperation: "2017-03".')] = None,
    theme: Annotated[Texts, typer.Option(help="A cooperation theme. Repeatable.")] = None,
    end: Annotated[Text, typer.Option(help="End of the cooperation (omit if ongoing).")] = None,
    region: Annotated[Text, typer.Option(help="The lead city's province, state or region.")] = None,
    title: Annotated[Text, typer.Option(help="A title (default: Lead – Partner, ...).")] = None,  # noqa: RUF001
    programme: Annotated[Text, typer.Option(help='The programme, e.g. "IUC Asia".')] = None,
    contact: Annotated[Text, typer.Option(help="A contact e-mail address.")] = None,
    records: RecordsOption = None,
) -> None:
    """Create records/ID.toml with the lead city, partners, start date and themes.

    Refuses to overwrite a file or to reuse an id of the collection (exit 1). Without the
    required options it asks for them on a terminal; with no terminal it fails (exit 2).
    """
    from ucap_cli.authoring.edit import InvalidRecordError, create_record, new_record
    from ucap_cli.cli.add import report_refusal, report_warnings
    from ucap_cli.cli.output import write
    from ucap_cli.config import load_config
    from ucap_cli.errors import UsageError
    from ucap_cli.render.safe import visible
    from ucap_cli.toml.files import display_path

    config = load_config(records=records)
    answers: dict[str, Any] = {
        "city": city,
        "country": country,
        "partners": [_partner(p) for p in partner or []],
        "start": start,
        "themes": [t for t in theme or [] if t.strip()],
    }
    missing = [name for name, value in answers.items() if not value]
    if missing:
        if not _interactive():
            flags = ", ".join(_FLAGS[name] for name in missing)
            raise UsageError(
                f"missing {flags}", hint="give them as options, or run on a terminal to be asked"
            )
        answers |= _ask(missing)
    data = new_record(
        record_id,
        **answers,
        end=end,
        region=region,
        title=title,
        programme=programme,
        contact=contact,
    )
    try:
        written = create_record(config, data)
    except InvalidRecordError as error:
        report_refusal(error)
        raise typer.Exit(1) from None
    write(f"{visible(display_path(written.path))}: new record {record_id!r}")
    report_warnings(written.warnings)


_FLAGS = {
    "city": "--city",
    "country": "--country",
    "partners": "--partner",
    "start": "--start",
    "themes": "--theme",
}


def _interactive() -> bool:
    """Prompts only on a real terminal: a pipe or CI gets a usage error, never a hang."""
    return sys.stdin.isatty()


def _partner(text: str) -> tuple[str, str]:
    from ucap_cli.errors import UsageError

    name, _, country = text.rpartition(":")
    if not name.strip() or not country.strip():
        raise UsageError(f"--partner {text!r}: expected NAME:COUNTRY, e.g. 'Málaga:Spain'")
    return name.strip(), country.strip()


def _ask(missing: list[str]) -> dict[str, Any]:
    """Ask on the terminal for each missing answer, until it is a valid one."""
    from rich.prompt import Prompt

    from ucap_cli.render.console import make_console

    console = make_console()

    def ask(question: str, check: Callable[[str], str | None], *, empty: bool = False) -> str:
        while True:
            answer = str(
                Prompt.ask(
                    question, console=console, default="" if empty else ..., show_default=False
                )
            ).strip()
            if empty and not answer:
                return answer
            problem = check(answer)
            if problem is None:
                return answer
            console.print(f"  {problem}", style="red")

    answers: dict[str, Any] = {}
    if "city" in missing:
        answers["city"] = ask("Lead city", _not_empty)
    if "country" in missing:
        answers["country"] = ask("Its country", _country)
    if "partners" in missing:
        partners: list[tuple[str, str]] = []
        while True:
            label = "Partner (NAME:COUNTRY)" + (", empty to finish" if partners else "")
            answer = ask(label, _partner_answer, empty=bool(partners))
            if not answer:
                break
            partners.append(_partner(answer))
        answers["partners"] = partners
    if "start" in missing:
        answers["start"] = ask('Start (YYYY, YYYY-MM or YYYY-MM-DD, e.g. "2017-03")', _date)
    if "themes" in missing:
        answer = ask("Themes (comma-separated)", _themes)
        answers["themes"] = [t.strip() for t in answer.split(",") if t.strip()]
    return answers


def _not_empty(answer: str) -> str | None:
    return None if answer else "an answer is needed"


def _country(answer: str) -> str | None:
    from ucap_cli.record.countries import find_country, suggest_country
    from ucap_cli.record.vocab import did_you_mean

    if find_country(answer):
        return None
    return f"unknown country {answer!r}{did_you_mean(suggest_country(answer))}"


def _partner_answer(answer: str) -> str | None:
    name, _, country = answer.rpartition(":")
    if not name.strip():
        return "expected NAME:COUNTRY, e.g. Málaga:Spain"
    return _country(country.strip())


def _date(answer: str) -> str | None:
    from ucap_cli.record.dates import DateError, parse_partial_date

    try:
        parse_partial_date(answer)
    except DateError as error:
        return str(error)
    return None


def _themes(answer: str) -> str | None:
    return None if any(t.strip() for t in answer.split(",")) else "at least one theme is needed"
