"""`ucap show ID|PATH`: one record in full, laid out for reading."""

from typing import Annotated

import typer

from ucap_cli.cli.completion import complete_ids
from ucap_cli.cli.list import FieldsOption
from ucap_cli.cli.options import FormatOption, OutputFormat, RecordsOption


def show(
    record: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="The record's id, or the path of its .toml file.",
            autocompletion=complete_ids,
        ),
    ],
    output_format: FormatOption = OutputFormat.table,
    fields: FieldsOption = None,
    records: RecordsOption = None,
) -> None:
    """Show one record: header, partners, themes with SDGs and Urban Agenda topics, focus,
    challenges, objectives, activities in date order, expected results and organisations.

    An unknown id or path is a usage error (exit 2) that suggests the closest ids.
    """
    import sys

    from ucap_cli.cli.output import write
    from ucap_cli.config import load_config
    from ucap_cli.render import records as view
    from ucap_cli.render.console import make_console
    from ucap_cli.store.collection import find_record
    from ucap_cli.views.query import Filters, select

    chosen = view.parse_fields(fields, output_format.value)
    file = find_record(load_config(records=records), record)
    [match] = select([file], Filters())
    if output_format is OutputFormat.json:
        write(view.show_json(file, chosen))
    elif output_format is OutputFormat.csv:
        sys.stdout.write(view.list_csv([view.flat_row(match, chosen, False)], chosen))
    elif output_format is OutputFormat.markdown:
        write(view.show_markdown(match))
    else:
        console = make_console()
        console.print(view.show_view(match, terminal=console.is_terminal))
