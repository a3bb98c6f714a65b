"""`ucap show ID|PATH`: one record in full, laid out for reading."""

from typing import Annotated

import typer

from ucap_cli.cli.completion import complete_ids
from ucap_cli.cli.list import FieldsOption
from ucap_cli.cli.options import RecordsOption
from ucap_cli.cli.views import format_option


def show(
    record: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="The record's id, or the path of its .toml file.",
            autocompletion=complete_ids,
        ),
    ],
    output_format: Annotated[str, format_option("show")] = "table",
    fields: FieldsOption = None,
    records: RecordsOption = None,
) -> None:
    """Show one record: header, partners, themes with SDGs and Urban Agenda topics, focus,
    challenges, objectives, activities in date order, expected results and organisations.

    `--format summary` writes the programme's one-page U-CAP Summary (the layout `ucap
    import` reads back), `--format html` the same as a self-contained page that prints on A4.

    A record with errors is shown as far as it could be read, with a note naming its first
    error (exit 1). An unknown id or path is a usage error (exit 2) that suggests the closest
    ids.
    """
    from ucap_cli.cli.views import show_report
    from ucap_cli.config import load_config
    from ucap_cli.errors import UsageError
    from ucap_cli.record.fields import parse_fields
    from ucap_cli.views.show import show_record

    chosen = parse_fields(fields)
    if chosen and output_format not in ("json", "csv", "markdown"):
        raise UsageError(
            f"--fields applies to --format json, csv and markdown, not {output_format}"
        )
    report = show_record(load_config(records=records), record, chosen)
    show_report("show", output_format, report)
