"""The writers of `show`: one record laid out for reading, as JSON, CSV and Markdown.

A record with errors is shown as far as it could be read, with a note naming its first error;
a part that could not be read shows as `?`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ucap_cli.record import vocab
from ucap_cli.record.data import as_data
from ucap_cli.record.fields import selected
from ucap_cli.record.model import Activity, City, ExpectedResult, Record
from ucap_cli.render import jsonout
from ucap_cli.render.records import CSV_COLUMNS, UNKNOWN, flat, flat_header, period_text
from ucap_cli.render.registry import Options, Screen
from ucap_cli.render.safe import one_line
from ucap_cli.render.tabular import (
    DASH,
    agreement_line,
    markdown_note,
    md_cell,
    md_table,
    note_lines,
    problem_json,
    problem_text,
    write_csv,
)
from ucap_cli.views.listing import record_row
from ucap_cli.views.report import Report
from ucap_cli.views.show import RecordView


def sdg_text(number: int) -> str:
    """`9 Industry, innovation and infrastructure`."""
    return f"{number} {vocab.SDGS.get(number, '')}".strip()


def lead_city_text(city: City | None) -> str:
    """`Zhengzhou (Henan, China) · population 10,000,000 · 7,446 km²`, or `?`."""
    if city is None:
        return UNKNOWN
    location = ", ".join(p for p in (city.region, city.country) if p)
    text = f"{city.name} ({location})"
    if city.population is not None:
        text += f" · population {city.population:,}"
    if city.area_km2 is not None:
        text += f" · {city.area_km2:,g} km²"
    return text


def record_period(record: Record) -> str:
    """`Mar 2017 – Nov 2018`, `Mar 2017 – ongoing`, or `?` when it could not be read."""
    period = record.period
    return period_text(period.start, period.end, short=False) if period else UNKNOWN


def activity_when(activity: Activity) -> str:
    """`Jun 2017`, or `Jun 2017 – Jul 2017` for an activity with an end."""
    if activity.end is None or activity.end == activity.date:
        return activity.date.display()
    return f"{activity.date.display()} {DASH} {activity.end.display()}"


def _dated(activities: Iterable[Activity]) -> list[Activity]:
    return sorted(activities, key=lambda a: a.date.sort_key)


# --------------------------------------------------------------------------- terminal


def show_screen(report: Report[RecordView], options: Options) -> Screen:
    """One record laid out for reading, section by section."""
    record = report.data.record
    terminal = options.terminal
    parts: list[RenderableType] = [Text(one_line(record.display_title), style="bold")]
    header = [("Id", record.id), ("Lead city", lead_city_text(record.city))]
    header.append(("Period", record_period(record)))
    header += [("Programme", record.programme or ""), ("Contact", record.contact or "")]
    parts.append(
        _pairs(((Text(label, style="bold"), Text(one_line(v))) for label, v in header if v), 0)
    )
    parts += [Text(line, style="yellow") for line in note_lines(report.files)]

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
    return Screen(Group(*parts))


def _heading(text: str, terminal: bool) -> Text:
    return Text(text, style="bold underline" if terminal else "")


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


def _table(terminal: bool) -> Table:
    """Plain columns, two spaces apart; a bold header on a terminal; no box drawing."""
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
                ("cities", ", ".join(activity.cities)),
                ("themes", ", ".join(activity.themes)),
            )
        ),
        _details((("organisations", ", ".join(activity.organisations)),)),
        Text(one_line(activity.summary)) if activity.summary else None,
    ]
    lines += _bullets((f"output: {o}" for o in activity.outputs), indent=0)
    lines += _bullets((f"agreement: {agreement_line(a)}" for a in activity.agreements), indent=0)
    lines += _bullets((f"link: {link}" for link in activity.links), indent=0)
    return Group(*(line for line in lines if line is not None))


def _result_body(result: ExpectedResult) -> RenderableType:
    details = _details(
        (("theme", result.theme or ""), ("organisations", ", ".join(result.organisations)))
    )
    text = Text(one_line(result.text))
    return Group(text, details) if details else text


# --------------------------------------------------------------------------- writers


def _data(view: RecordView) -> dict[str, Any]:
    """The record as data, as written in its file; only the chosen fields when given."""
    return selected(as_data(view.file.data or {}), view.fields)


def show_json(report: Report[RecordView], options: Options) -> str:
    """The record as a JSON object, as written in its file; its first error as `problems`
    when it has one."""
    data = _data(report.data)
    for status in report.files:
        if status.error is not None:
            data = {**data, "problems": [problem_json(status.error)]}
    return jsonout.dumps(data) + "\n"


def show_csv(report: Report[RecordView], options: Options) -> str:
    """One row: the summary columns of `list`, or the chosen keys; then the first error."""
    view = report.data
    problem = next((problem_text(s.error) for s in report.files if s.error), "")
    if view.fields:
        row = flat(_data(view), view.fields)
        row["problem"] = problem
        header = flat_header([row], view.fields)
        return write_csv(header, [[row.get(h, "") for h in header]])
    summary = record_row(view.record)
    cells = [
        summary.id,
        summary.title,
        summary.lead_city or "",
        summary.country or "",
        "; ".join(summary.partners),
        str(summary.start or ""),
        str(summary.end or ""),
        summary.programme or "",
        "; ".join(summary.themes),
        "; ".join(str(n) for n in summary.sdgs),
        "; ".join(summary.urban_agenda),
        summary.activities,
        summary.activities_total,
        problem,
    ]
    return write_csv(CSV_COLUMNS, [cells])


def show_markdown(report: Report[RecordView], options: Options) -> str:
    """The record as a Markdown document, for a report."""
    record = report.data.record
    out: list[str] = [f"# {md_cell(record.display_title)}", ""]
    out += [
        f"- **Id:** {md_cell(record.id)}",
        f"- **Lead city:** {md_cell(lead_city_text(record.city))}",
        f"- **Period:** {md_cell(record_period(record))}",
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
            if a.where:
                out.append(f"  - where: {md_cell(a.where)}")
            if a.cities:
                out.append(f"  - cities: {md_cell(', '.join(a.cities))}")
            if a.organisations:
                out.append(f"  - organisations: {md_cell(', '.join(a.organisations))}")
            if a.themes:
                out.append(f"  - themes: {md_cell(', '.join(a.themes))}")
            if a.summary:
                out.append(f"  - {md_cell(a.summary)}")
            out += [f"  - output: {md_cell(o)}" for o in a.outputs]
            out += [f"  - agreement: {md_cell(agreement_line(g))}" for g in a.agreements]
            out += [f"  - link: {md_cell(link)}" for link in a.links]
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
    out += markdown_note(report.files)
    return "\n".join(out) + "\n"
