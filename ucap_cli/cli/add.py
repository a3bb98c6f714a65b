"""`ucap add activity|result|partner`: one more entry in a record, the rest kept as it is."""

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ucap_cli.cli.options import RecordsOption, help_without_command

app = typer.Typer(
    name="add",
    help="Add an activity, an expected result or a partner to a record.",
    invoke_without_command=True,  # bare `ucap add`: its help on stdout, exit 0
    rich_markup_mode=None,
)
app.callback()(help_without_command)

RecordArgument = Annotated[
    str, typer.Argument(metavar="ID", help="The record's id, or the path of its .toml file.")
]
Text = Optional[str]  # noqa: UP045 - Typer reads these annotations at run time
Texts = Optional[list[str]]  # noqa: UP045


@app.command("activity")
def activity(
    record: RecordArgument,
    date: Annotated[str, typer.Option(help='When: "2018-11", "2018-11-05" or "2018".')],
    kind: Annotated[str, typer.Option(help="visit, mission, meeting, workshop, seminar, ...")],
    title: Annotated[str, typer.Option(help="One line saying what happened.")],
    end: Annotated[Text, typer.Option(help="Last day, for an event spanning days.")] = None,
    status: Annotated[Text, typer.Option(help="done (default), planned or cancelled.")] = None,
    where: Annotated[Text, typer.Option(help="The place it happened.")] = None,
    city: Annotated[Texts, typer.Option(help="A participating city. Repeatable.")] = None,
    org: Annotated[Texts, typer.Option(help="An organisation taking part. Repeatable.")] = None,
    theme: Annotated[Texts, typer.Option(help="One of the record's themes. Repeatable.")] = None,
    summary: Annotated[Text, typer.Option(help="A paragraph on what happened.")] = None,
    output: Annotated[Texts, typer.Option(help="What came out of it. Repeatable.")] = None,
    link: Annotated[Texts, typer.Option(help="A link. Repeatable.")] = None,
    records: RecordsOption = None,
) -> None:
    """Append an [[activities]] table to a record; the rest of the file stays byte for byte.

    The result is validated before it replaces the file: if the record would have errors,
    nothing is written, the problems are shown and the exit status is 1.
    """
    entry: dict[str, Any] = {"date": date, "end": end, "kind": kind, "title": title}
    entry |= {"status": status, "where": where, "cities": city, "organisations": org}
    entry |= {"themes": theme, "summary": summary, "outputs": output, "links": link}
    _add(records, record, "activities", entry)


@app.command("result")
def result(
    record: RecordArgument,
    text: Annotated[str, typer.Option(help="The expected result.")],
    theme: Annotated[Text, typer.Option(help="The theme it serves.")] = None,
    status: Annotated[
        Text, typer.Option(help="planned (default), in-progress, achieved or dropped.")
    ] = None,
    org: Annotated[Texts, typer.Option(help="An organisation involved. Repeatable.")] = None,
    records: RecordsOption = None,
) -> None:
    """Append an [[expected_results]] table to a record (validated, written atomically)."""
    entry = {"text": text, "theme": theme, "status": status, "organisations": org}
    _add(records, record, "expected_results", entry)


@app.command("partner")
def partner(
    record: RecordArgument,
    name: Annotated[str, typer.Option(help='As the city writes itself ("Málaga").')],
    country: Annotated[str, typer.Option(help='An ISO 3166-1 name or code ("Spain", "ES").')],
    short: Annotated[Text, typer.Option(help='An alias used in activities ("AAK").')] = None,
    region: Annotated[Text, typer.Option(help="Province, state or region.")] = None,
    population: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(help="Inhabitants.", show_default=False),
    ] = None,
    area_km2: Annotated[
        Optional[float],  # noqa: UP045
        typer.Option("--area-km2", help="Area in square kilometres.", show_default=False),
    ] = None,
    records: RecordsOption = None,
) -> None:
    """Append a [[partners]] table after the record's last partner (validated, atomically)."""
    entry: dict[str, Any] = {"name": name, "short": short, "region": region, "country": country}
    entry |= {"population": population}
    if area_km2 is not None:
        entry["area_km2"] = int(area_km2) if area_km2.is_integer() else area_km2
    _add(records, record, "partners", entry)


def _add(records: Optional[Path], ref: str, table: str, entry: dict[str, Any]) -> None:  # noqa: UP045
    from ucap_cli.authoring.edit import InvalidRecordError, add_entry, find_record
    from ucap_cli.cli.output import write
    from ucap_cli.config import load_config
    from ucap_cli.render.safe import visible
    from ucap_cli.toml.files import display_path

    config = load_config(records=records)
    path = find_record(config, ref)
    values = {k: v for k, v in entry.items() if v is not None and v != []}
    try:
        written = add_entry(config, path, table, values)
    except InvalidRecordError as error:
        report_refusal(error)
        raise typer.Exit(1) from None
    write(f"{visible(display_path(written.path))}: added a [[{table}]] table")
    report_warnings(written.warnings)


def report_refusal(error: Any) -> None:
    """`ucap: error: not written: ...` and each error of the would-be record, on stderr."""
    from ucap_cli.cli.output import report_error
    from ucap_cli.render.safe import one_line

    report_error(error)
    for problem in error.problems:
        typer.echo(f"  {problem.severity} {problem.code} {one_line(problem.message)}", err=True)
        if problem.hint:
            typer.echo(f"    hint: {one_line(problem.hint)}", err=True)


def report_warnings(problems: list[Any]) -> None:
    """The warnings of a written record, one `path:line:col: warning ...` line each."""
    from ucap_cli.render.problems import first_line

    for problem in problems:
        typer.echo(first_line(problem), err=True)
