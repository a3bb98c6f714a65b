"""Views of records for `list` and `show`: Rich tables and layouts, JSON, CSV and Markdown.

JSON is the records as data (as in the file, dates as ISO strings); CSV and Markdown are flat
views for spreadsheets and reports. Record text is untrusted: it never becomes markup.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ucap_cli.check.loader import RecordFile
from ucap_cli.check.problems import Problem
from ucap_cli.errors import UsageError
from ucap_cli.record import vocab
from ucap_cli.record.model import Activity, Agreement, City, ExpectedResult, Period, Record
from ucap_cli.render import jsonout
from ucap_cli.render.safe import one_line, visible
from ucap_cli.views.query import Filters, Match, match_record, ordered, sort_field

FIELDS: tuple[str, ...] = tuple(Record.model_fields)
# The keys of the record's tables that --fields can choose one by one (`extra.*`: any key).
SUB_FIELDS: tuple[str, ...] = tuple(
    f"{table}.{key}"
    for table, model in (("period", Period), ("city", City))
    for key in model.model_fields
)
ERROR_MARKER = "!"
ERROR_HINT = f"{ERROR_MARKER} the record has validation errors: run `ucap validate`"
SEPARATOR = "; "

# Summary columns of `list` (table, Markdown and the default CSV).
COLUMNS = ("id", "lead city", "partners", "period", "themes", "SDGs", "activities")
CSV_COLUMNS = (
    "id",
    "title",
    "city",
    "country",
    "partners",
    "start",
    "end",
    "programme",
    "themes",
    "sdgs",
    "urban_agenda",
    "activities",
    "activities_total",
)

_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_ENTITY = re.compile(r"&(?=#?\w+;)")  # `&lt;` typed in a record must print as typed
_MARKDOWN_ESCAPED = re.compile(r"[\\`\[\]]")  # backslashes, code spans, link brackets
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- data -----------------------------------------------------------------------------------


def as_data(value: Any) -> Any:
    """TOML data -> JSON data: dates and times become the ISO strings they were written as."""
    if isinstance(value, dict):
        return {key: as_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_data(item) for item in value]
    if isinstance(value, dt.date | dt.time):  # dt.datetime is a dt.date
        return value.isoformat()
    return value


def parse_fields(text: str | None, output_format: str = "json") -> tuple[str, ...]:
    """`a,b.c` -> the record keys to keep (empty: all): top-level keys, or a key of a table
    (`period.start`, `city.name`, `extra.anything`); unknown keys are a UsageError."""
    if text is None:
        return ()
    fields = tuple(dict.fromkeys(f.strip() for f in text.split(",") if f.strip()))
    hint = f"fields: {', '.join(FIELDS)}; or a key of a table: {', '.join(SUB_FIELDS)}, extra.KEY"
    if not fields:
        raise UsageError("--fields: no field given", hint=hint)
    for field in fields:
        key, dot, sub = field.partition(".")
        known = key in FIELDS and (not dot or (key == "extra" and sub) or field in SUB_FIELDS)
        if not known:
            suggestion = vocab.did_you_mean(
                vocab.closest(field, SUB_FIELDS if dot else FIELDS)
                or vocab.closest(field, (*FIELDS, *SUB_FIELDS))
            )
            raise UsageError(f"--fields: unknown field {field!r}{suggestion}", hint=hint)
    if output_format == "table":
        raise UsageError("--fields applies to --format json, csv and markdown, not table")
    return fields


def selected(data: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """The chosen keys of a record's data (all when none are chosen): `period` keeps the
    table, `period.start` only that key of it (as `{"period": {"start": ...}}`)."""
    if not fields:
        return data
    chosen: dict[str, Any] = {}
    for field in fields:
        key, _, sub = field.partition(".")
        if key not in data:
            continue
        value = data[key]
        if not sub or key in fields:  # the whole table was asked for
            chosen[key] = value
        elif isinstance(value, dict) and sub in value:
            part = chosen.setdefault(key, {})
            part[sub] = value[sub]
    return chosen


def record_data(file: RecordFile, fields: Sequence[str] = ()) -> dict[str, Any]:
    """The record as data, as written in its file; only `fields` when given."""
    return selected(as_data(file.data or {}), fields)


def to_json(value: Any) -> str:
    """Indented UTF-8 JSON; bidi controls are escaped so they cannot reorder the terminal."""
    return jsonout.dumps(value)


def json_line(file: RecordFile, fields: Sequence[str] = ()) -> str:
    """The record as data on one line of JSON: `list --format json` has a line per record."""
    return jsonout.dumps(selected(file.data or {}, fields), outline=0)


def show_json(file: RecordFile, fields: Sequence[str] = ()) -> str:
    """One record as a JSON object."""
    return to_json(record_data(file, fields))


# --- summary columns ------------------------------------------------------------------------


def period_text(record: Record, *, short: bool = False) -> str:
    """`Mar 2017 – Nov 2018` (`2017-03 – 2018-11` when short), or `... – ongoing`."""  # noqa: RUF002
    start, end = record.period.start, record.period.end
    start_text = str(start) if short else start.display()
    end_text = "ongoing" if end is None else str(end) if short else end.display()
    return f"{start_text} – {end_text}"  # noqa: RUF001


def city_text(city: City) -> str:
    """`Zhengzhou (China)`."""
    return f"{city.name} ({city.country})"


def activities_text(match: Match, activity_filtered: bool) -> str:
    """`8`, or `2/8` (matching out of all) when an activity filter is set."""
    total = len(match.record.activities)
    return f"{len(match.activities)}/{total}" if activity_filtered else str(total)


def summary_row(match: Match, activity_filtered: bool) -> tuple[str, ...]:
    """The COLUMNS of one match, as text."""
    record = match.record
    marker = "" if match.file.ok else f" {ERROR_MARKER}"
    return (
        record.id + marker,
        city_text(record.city),
        ", ".join(p.name for p in record.partners),
        period_text(record, short=True),
        ", ".join(record.themes),
        ", ".join(str(n) for n in record.sdgs),
        activities_text(match, activity_filtered),
    )


def list_table(rows: Sequence[Sequence[str]], *, terminal: bool, width: int = 80) -> Table:
    """The `list` table of `summary_row`s within `width` columns; box drawing only on a
    terminal."""
    rows = [tuple(one_line(c) for c in row) for row in rows]
    table = _table(terminal)
    widths = fit_widths(COLUMNS, rows, width - 2 * (len(COLUMNS) - 1))
    for name, column_width in zip(COLUMNS, widths, strict=True):
        table.add_column(
            name,
            width=column_width,
            overflow="fold",
            justify="right" if name == "activities" else "left",
        )
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    return table


_WORD_BREAK = re.compile(r" +")
_PHRASE_BREAK = re.compile(r"(?<=,) +| +(?=– )")  # noqa: RUF001


def _longest(cells: Sequence[str], breaks: re.Pattern[str]) -> int:
    return max(len(piece) for cell in cells for piece in breaks.split(cell))


def fit_widths(header: Sequence[str], rows: Sequence[Sequence[str]], room: int) -> list[int]:
    """Column widths within `room`. Each column gets at least its longest word, and its longest
    phrase ("Agii Anargiri-Kamatero,") where room allows, so text breaks between words and
    names; what is left goes to the columns that want more, in proportion."""
    columns = [[name, *(row[i] for row in rows)] for i, name in enumerate(header)]
    natural = [max(len(cell) for cell in column) for column in columns]
    if sum(natural) <= room:
        return natural
    least = [_longest(column, _WORD_BREAK) for column in columns]
    phrases = [_longest(column, _PHRASE_BREAK) for column in columns]
    for index in sorted(range(len(columns)), key=lambda i: phrases[i] - least[i]):
        if sum(least) - least[index] + phrases[index] <= room:
            least[index] = phrases[index]
    while sum(least) > room and max(least) > 8:  # too narrow even so: fold the longest words
        least[least.index(max(least))] -= 1
    spare = max(room - sum(least), 0)
    wanted = [n - m for n, m in zip(natural, least, strict=True)]
    total = sum(wanted) or 1
    widths = [m + spare * w // total for m, w in zip(least, wanted, strict=True)]
    for index in sorted(range(len(widths)), key=lambda i: -wanted[i]):
        if sum(widths) >= room:
            break
        if widths[index] < natural[index]:
            widths[index] += 1  # hand out what integer division left over
    return widths


def skipped_lines(files: Iterable[RecordFile]) -> list[str]:
    """One stderr line per file that could not be loaded, and a hint; none when all loaded."""
    return skip_notes(min(f.problems, key=lambda p: p.sort_key) for f in files if f.record is None)


def skip_notes(firsts: Iterable[Problem]) -> list[str]:
    """One stderr line per skipped file, from its first problem, and a hint; none when none."""
    lines = [
        f"ucap: skipped {visible(p.path)}:{p.line}:{p.column}: {p.code} {one_line(p.message)}"
        for p in firsts
    ]
    if lines:
        lines.append("  hint: run `ucap validate` for every problem")
    return lines


# --- CSV and Markdown -----------------------------------------------------------------------


def _cell(value: Any) -> str:
    """A flat CSV/Markdown value: lists joined with `; `, tables by their label."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return _label(value)
    if isinstance(value, list):
        return SEPARATOR.join(_cell(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _label(table: dict[str, Any]) -> str:
    for key in ("name", "title", "text", "theme"):
        if isinstance(table.get(key), str):
            return str(table[key])
    return json.dumps(table, ensure_ascii=False, sort_keys=True)


def _flat(data: dict[str, Any], fields: Sequence[str]) -> dict[str, str]:
    """Chosen keys of a record's data -> columns; a table becomes `key.sub` columns, and a
    key of a table (`period.start`) is one column."""
    row: dict[str, str] = {}
    for key in fields:
        table, dot, sub = key.partition(".")
        value = data.get(table)
        if dot:
            row[key] = _cell(value.get(sub)) if isinstance(value, dict) else ""
        elif isinstance(value, dict) and key != "extra":
            for sub, item in value.items():
                row[f"{key}.{sub}"] = _cell(item)
        else:
            row[key] = _cell(value)
    return row


def _csv_row(match: Match, activity_filtered: bool) -> dict[str, str]:
    record = match.record
    return {
        "id": record.id,
        "title": record.display_title,
        "city": record.city.name,
        "country": record.city.country,
        "partners": SEPARATOR.join(p.name for p in record.partners),
        "start": str(record.period.start),
        "end": str(record.period.end or ""),
        "programme": record.programme or "",
        "themes": SEPARATOR.join(record.themes),
        "sdgs": SEPARATOR.join(str(n) for n in record.sdgs),
        "urban_agenda": SEPARATOR.join(record.urban_agenda),
        "activities": str(len(match.activities)),
        "activities_total": str(len(record.activities)),
    }


def flat_row(match: Match, fields: Sequence[str], activity_filtered: bool) -> dict[str, str]:
    """A CSV row: the summary columns, or the chosen record keys flattened."""
    return _flat(record_data(match.file), fields) if fields else _csv_row(match, activity_filtered)


def flat_header(rows: Sequence[dict[str, str]], fields: Sequence[str]) -> list[str]:
    """The CSV columns of `flat_row`s: the summary columns, or every column of the fields."""
    if not fields:
        return list(CSV_COLUMNS)
    header: dict[str, None] = {}
    for field in fields:  # keep the order of --fields, sub-keys in order of appearance
        for row in rows:
            header.update(dict.fromkeys(k for k in row if k == field or _within(k, field)))
        if not rows:
            header[field] = None
    return list(header)


def _within(column: str, field: str) -> bool:
    """True when `column` is a key of the table `field` (`period.start` of `period`)."""
    return "." not in field and column.startswith(field + ".")


def neutralise(cell: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula; on one line, never cut."""
    cell = one_line(cell, limit=None)
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def to_csv(header: Sequence[str], rows: Iterable[dict[str, str]]) -> str:
    """CSV text with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(neutralise(row.get(name, "")) for name in header)
    return buffer.getvalue()


def list_csv(rows: Sequence[dict[str, str]], fields: Sequence[str]) -> str:
    """One CSV row per record, from `flat_row`s."""
    return to_csv(flat_header(rows, fields), rows)


def md_cell(text: str) -> str:
    """Text safe in a Markdown table cell: one line, `|` escaped, no raw HTML, entities, code
    spans or links (`[text](url)` prints as typed)."""
    text = _ENTITY.sub("&amp;", one_line(text))
    text = _MARKDOWN_ESCAPED.sub(r"\\\g<0>", text)
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def md_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(md_cell(h) for h in header) + " |"]
    lines.append("| " + " | ".join("---" for _ in header) + " |")
    lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def list_markdown(rows: Sequence[Any], fields: Sequence[str]) -> str:
    """A Markdown table: `summary_row`s, or the `flat_row`s of the chosen record keys."""
    if fields:
        header = flat_header(rows, fields)
        return md_table(header, ([row.get(h, "") for h in header] for row in rows))
    return md_table(COLUMNS, rows)


# --- list, one record at a time --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListItem:
    """A listed record reduced to what `list` prints of it, so records need not be held."""

    key: Any  # the value of the --sort field
    id: str
    ok: bool  # False when the file has validation errors (its row has the marker)
    row: Any  # table, Markdown: `summary_row`; CSV, Markdown with fields: `flat_row`;
    # JSON: `json_line` as UTF-8 (half the memory of text that has any CJK in it)


def list_item(
    file: RecordFile,
    filters: Filters,
    *,
    sort: str = "period",
    output_format: str = "table",
    fields: Sequence[str] = (),
) -> ListItem | None:
    """The file's record as `list` shows it in `output_format`; None when it does not match."""
    match = match_record(file, filters)
    if match is None:
        return None
    active = filters.has_activity_filters
    row: Any
    if output_format == "json":
        row = json_line(file, fields).encode("utf-8")
    elif output_format == "csv" or fields:
        row = flat_row(match, fields, active)
    else:
        row = summary_row(match, active)
    return ListItem(sort_field(sort)(match), match.record.id, file.ok, row)


def sort_items(items: Iterable[ListItem], reverse: bool = False) -> list[ListItem]:
    """Items by their sort key, ties by id (as `query.sort_matches` orders records)."""
    return ordered(items, lambda i: i.key, lambda i: i.id, reverse)


# --- show -----------------------------------------------------------------------------------


def sdg_text(number: int) -> str:
    """`9 Industry, innovation and infrastructure`."""
    return f"{number} {vocab.SDGS.get(number, '')}".strip()


def _location(city: City) -> str:
    parts = [p for p in (city.region, city.country) if p]
    return ", ".join(parts)


def lead_city_text(city: City) -> str:
    """`Zhengzhou (Henan, China) · population 10,000,000 · 7,446 km²`."""
    text = f"{city.name} ({_location(city)})"
    if city.population is not None:
        text += f" · population {city.population:,}"
    if city.area_km2 is not None:
        text += f" · {city.area_km2:,g} km²"
    return text


def activity_when(activity: Activity) -> str:
    """`Jun 2017`, or `Jun 2017 – Jul 2017` for an activity with an end."""  # noqa: RUF002
    if activity.end is None or activity.end == activity.date:
        return activity.date.display()
    return f"{activity.date.display()} – {activity.end.display()}"  # noqa: RUF001


def _activity_cities(activity: Activity) -> str:
    return ", ".join(activity.cities)


def _dated(activities: Iterable[Activity]) -> list[Activity]:
    return sorted(activities, key=lambda a: a.date.sort_key)


def _heading(text: str, terminal: bool) -> Text:
    return Text(text, style="bold underline" if terminal else "")


def _field(label: str, value: str) -> Text:
    return Text.assemble((f"{label}: ", "bold"), visible(value))


def _bullets(items: Iterable[str | Text], indent: int = 2) -> list[RenderableType]:
    """A list with hanging indents: wrapped lines stay aligned under the text."""
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for item in items:
        grid.add_row("-", item if isinstance(item, Text) else Text(one_line(item)))
    return [Padding(grid, (0, 0, 0, indent), expand=False)] if grid.row_count else []


def _pairs(rows: Iterable[tuple[Text, RenderableType]], indent: int = 2) -> RenderableType:
    """Two columns, a short label and its (wrapping) content, indented."""
    grid = Table.grid(padding=(0, 2, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for label, content in rows:
        grid.add_row(label, content)
    return Padding(grid, (0, 0, 0, indent), expand=False)


def show_view(match: Match, *, terminal: bool) -> RenderableType:
    """One record laid out for reading, section by section."""
    record = match.record
    parts: list[RenderableType] = [Text(one_line(record.display_title), style="bold")]
    header = [("Id", record.id), ("Lead city", lead_city_text(record.city))]
    header.append(("Period", period_text(record)))
    header += [("Programme", record.programme or ""), ("Contact", record.contact or "")]
    parts.append(
        _pairs(((Text(label, style="bold"), Text(one_line(v))) for label, v in header if v), 0)
    )
    if not match.file.ok:
        parts.append(Text(ERROR_HINT, style="yellow"))

    parts += [Text(), _heading("Partners", terminal), _partners_table(record, terminal)]

    parts += [Text(), _heading("Themes", terminal), *_bullets(record.themes)]
    if record.sdgs:
        parts += [Text("SDGs", style="bold"), *_bullets(sdg_text(n) for n in record.sdgs)]
    if record.urban_agenda:
        parts += [Text("EU Urban Agenda", style="bold"), *_bullets(record.urban_agenda)]

    if record.summary:
        parts += [Text(), _heading("Summary", terminal), Text(one_line(record.summary))]
    if record.focus:
        parts += [Text(), _heading("Focus", terminal)]
        parts += _bullets(
            Text(one_line(f.theme), style="bold") + Text(": " + one_line(f.text))
            for f in record.focus
        )
    for title, items in (("Challenges", record.challenges), ("Objectives", record.objectives)):
        if items:
            parts += [Text(), _heading(title, terminal), *_bullets(items)]

    if record.activities:
        parts += [Text(), _heading(f"Activities ({len(record.activities)})", terminal)]
        parts.append(
            _pairs(
                (Text(activity_when(a), style="bold"), _activity_body(a))
                for a in _dated(record.activities)
            )
        )

    if record.expected_results:
        parts += [Text(), _heading("Expected results", terminal)]
        parts.append(
            _pairs((Text(r.status, style="bold"), _result_body(r)) for r in record.expected_results)
        )

    if record.organisations:
        parts += [Text(), _heading("Organisations", terminal)]
        parts.append(_organisations_table(record, terminal))
    if record.sources:
        parts += [Text(), _heading("Sources", terminal), *_bullets(record.sources)]
    return Group(*parts)


def _table(terminal: bool) -> Table:
    """Plain columns, two spaces apart (the width sums rely on it); a bold header on a terminal.

    No box drawing: it would cost a column per separator and show as mojibake in some pipes.
    """
    return Table(box=None, header_style="bold" if terminal else "", pad_edge=False)


def _partners_table(record: Record, terminal: bool) -> Table:
    table = _table(terminal)
    for name in ("name", "alias", "region", "country"):
        table.add_column(name, overflow="fold")
    for partner in record.partners:
        cells = (partner.name, partner.short or "", partner.region or "", partner.country)
        table.add_row(*(Text(one_line(c)) for c in cells))
    return table


def _organisations_table(record: Record, terminal: bool) -> Table:
    table = _table(terminal)
    for name in ("name", "kind", "city", "note"):
        table.add_column(name, overflow="fold", ratio=3 if name == "note" else None)
    for org in record.organisations:
        cells = (org.name, org.kind, org.city or "", org.note or "")
        table.add_row(*(Text(one_line(c)) for c in cells))
    return table


def _details(pairs: Iterable[tuple[str, str]]) -> Text | None:
    text = "; ".join(f"{label}: {value}" for label, value in pairs if value)
    return Text(one_line(text), style="dim") if text else None


def _activity_body(activity: Activity) -> RenderableType:
    status = "" if activity.status == "done" else f" [{activity.status}]"
    lines: list[RenderableType | None] = [
        Text(f"{activity.kind}{status}  ", style="cyan") + Text(one_line(activity.title)),
        _details(
            (
                ("where", activity.where or ""),
                ("cities", _activity_cities(activity)),
                ("themes", ", ".join(activity.themes)),
            )
        ),
        _details((("organisations", ", ".join(activity.organisations)),)),
        Text(one_line(activity.summary)) if activity.summary else None,
    ]
    lines += _bullets((f"output: {o}" for o in activity.outputs), indent=0)
    lines += _bullets((_agreement_text(a) for a in activity.agreements), indent=0)
    lines += _bullets((f"link: {link}" for link in activity.links), indent=0)
    return Group(*(line for line in lines if line is not None))


def _result_body(result: ExpectedResult) -> RenderableType:
    details = _details(
        (("theme", result.theme or ""), ("organisations", ", ".join(result.organisations)))
    )
    text = Text(one_line(result.text))
    return Group(text, details) if details else text


def _agreement_text(agreement: Agreement) -> str:
    count = f"{agreement.count} x " if agreement.count > 1 else ""
    text = f"agreement: {count}{agreement.kind}"
    if agreement.title:
        text += f" “{agreement.title}”"
    text += " between " + ", ".join(agreement.parties)
    if agreement.fields:
        text += " (" + "; ".join(agreement.fields) + ")"
    return text


def show_markdown(match: Match) -> str:
    """One record as a Markdown document, for a report."""
    record = match.record
    out: list[str] = [f"# {md_cell(record.display_title)}", ""]
    out += [
        f"- **Id:** {md_cell(record.id)}",
        f"- **Lead city:** {md_cell(lead_city_text(record.city))}",
        f"- **Period:** {md_cell(period_text(record))}",
    ]
    if record.programme:
        out.append(f"- **Programme:** {md_cell(record.programme)}")
    if record.contact:
        out.append(f"- **Contact:** {md_cell(record.contact)}")
    out += ["", "## Partners", ""]
    out.append(
        md_table(
            ("name", "alias", "region", "country"),
            ((p.name, p.short or "", p.region or "", p.country) for p in record.partners),
        )
    )
    out += ["", "## Themes", "", *(f"- {md_cell(t)}" for t in record.themes)]
    if record.sdgs:
        out += ["", "SDGs:", "", *(f"- {md_cell(sdg_text(n))}" for n in record.sdgs)]
    if record.urban_agenda:
        out += ["", "EU Urban Agenda:", "", *(f"- {md_cell(t)}" for t in record.urban_agenda)]
    if record.summary:
        out += ["", "## Summary", "", md_cell(record.summary)]
    if record.focus:
        out += ["", "## Focus", ""]
        out += [f"- **{md_cell(f.theme)}:** {md_cell(f.text)}" for f in record.focus]
    for title, items in (("Challenges", record.challenges), ("Objectives", record.objectives)):
        if items:
            out += ["", f"## {title}", "", *(f"- {md_cell(i)}" for i in items)]
    if record.activities:
        out += ["", "## Activities", ""]
        for a in _dated(record.activities):
            status = "" if a.status == "done" else f" ({a.status})"
            out.append(f"- **{activity_when(a)}** {a.kind}{status}: {md_cell(a.title)}")
            if a.where or a.cities:
                place = "; ".join(filter(None, (a.where, _activity_cities(a))))
                out.append(f"  - where: {md_cell(place)}")
            if a.summary:
                out.append(f"  - {md_cell(a.summary)}")
            out += [f"  - output: {md_cell(o)}" for o in a.outputs]
            out += [f"  - {md_cell(_agreement_text(g))}" for g in a.agreements]
    if record.expected_results:
        out += ["", "## Expected results", ""]
        out.append(
            md_table(
                ("status", "result", "theme", "organisations"),
                (
                    (r.status, r.text, r.theme or "", ", ".join(r.organisations))
                    for r in record.expected_results
                ),
            )
        )
    if record.organisations:
        out += ["", "## Organisations", ""]
        out.append(
            md_table(
                ("name", "kind", "city", "note"),
                ((o.name, o.kind, o.city or "", o.note or "") for o in record.organisations),
            )
        )
    if record.sources:
        out += ["", "## Sources", "", *(f"- {md_cell(s)}" for s in record.sources)]
    return "\n".join(out) + "\n"
