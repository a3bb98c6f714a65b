"""The writers of `timeline`: the terminal view (Rich renderables), JSON, CSV and Markdown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.text import Text

from ucap_cli import __version__
from ucap_cli.record.fields import activity_fields
from ucap_cli.record.model import Activity
from ucap_cli.render import jsonout
from ucap_cli.render.registry import Options, Screen
from ucap_cli.render.safe import one_line
from ucap_cli.render.tabular import (
    agreement_line,
    cell,
    files_json,
    left_out_csv_rows,
    markdown_note,
    markdown_text,
    note_lines,
    plural,
    problem_text,
    write_csv,
)
from ucap_cli.views.report import Report
from ucap_cli.views.timeline import (
    DASH,
    EncodedTimeline,
    RecordPeriod,
    Timeline,
    TimelineEntry,
    periods_axis,
)

KIND_STYLES: dict[str, str] = {
    "visit": "bold cyan",
    "mission": "bold blue",
    "meeting": "bold green",
    "workshop": "bold yellow",
    "conference": "bold magenta",
    "seminar": "bold bright_magenta",
    "forum": "bold bright_blue",
    "signing": "bold red",
    "field-visit": "bold bright_cyan",
    "training": "bold bright_green",
    "media": "bold bright_yellow",
    "other": "bold white",
}
RECORD_STYLES = ("cyan", "magenta", "green", "yellow", "blue", "red")
KIND_WIDTH = 11  # "field-visit"; longer configured kinds are cut with an ellipsis


def kind_label(kind: str) -> Text:
    """An activity kind as a short coloured label."""
    label = Text(one_line(kind), style=KIND_STYLES.get(kind, "bold"))
    label.truncate(KIND_WIDTH, overflow="ellipsis")
    return label


# --------------------------------------------------------------------------- terminal


def timeline_screen(report: Report[Timeline], options: Options) -> Screen:
    """The terminal view: a heading, the periods strip (several records), then the entries,
    and the note on records with errors."""
    timeline = report.data
    notes = [Text(line, style="yellow") for line in note_lines(report.files)]
    parts: list[RenderableType] = []
    if timeline.entries:
        parts.append(timeline_view(timeline, details=options.details))
        if notes:
            parts.append(Text(""))
    parts += notes
    empty = None if timeline.entries else "No activities match."
    return Screen(Group(*parts) if parts else None, empty=empty)


def timeline_view(timeline: Timeline, *, details: bool = False) -> RenderableType:
    """The entries' view: a heading, the periods strip (several records), then the entries."""
    parts: list[RenderableType] = [heading(timeline)]
    if timeline.several_records:
        parts += [Text(""), PeriodStrip(timeline.periods)]
    # A record's name in the entries has the colour of its bar in the periods strip.
    colours = {
        p.record.id: RECORD_STYLES[i % len(RECORD_STYLES)] for i, p in enumerate(timeline.periods)
    }
    date_width = max((cell_len(e.when) for e in timeline.entries), default=8)
    kind_width = min(KIND_WIDTH, max((len(e.activity.kind) for e in timeline.entries), default=4))
    for year in timeline.groups():
        parts += [Text(""), SectionRule(str(year.year))]
        for month in year.months:
            if month.month is not None:
                parts.append(Text(f"  {month.heading}", style="bold"))
            for entry in month.entries:
                lead = Text("    ")
                lead.append(entry.when.ljust(date_width) + " ")
                kind = kind_label(entry.activity.kind)
                kind.pad_right(kind_width - kind.cell_len + 1)
                lead.append_text(kind)
                label_style = f"bold {colours[entry.record.id]}" if timeline.several_records else ""
                parts += entry_lines(entry, lead, label_style=label_style, details=details)
    return Group(*parts)


def heading(timeline: Timeline) -> Text:
    """Two lines: what is shown (the record's title, or 'N records'), then how many and when."""
    entries = timeline.entries
    if len(timeline.periods) == 1:
        text = Text(one_line(timeline.periods[0].record.title), style="bold")
    else:
        text = Text(plural(len(timeline.periods), "record"), style="bold")
    text.append("\n" + plural(len(entries), "activity", "activities"))
    if entries:
        first = entries[0].date.display()
        last = max((e.activity.interval_end for e in entries), key=lambda d: (d.last, d.sort_key))
        text.append(f", {first}" + (f" {DASH} {last.display()}" if last.display() != first else ""))
    return text


def entry_lines(
    entry: TimelineEntry, lead: Text, *, label_style: str = "", details: bool = False
) -> list[RenderableType]:
    """Title (after the record's lead city in `label_style`, if given), place and cities; with
    `details`, each output and agreement as a bullet whose lines wrap under its own text."""
    activity = entry.activity
    body = Text()
    if label_style:
        body.append(one_line(entry.label), style=label_style)
        body.append(": ")
    body.append(one_line(activity.title))
    if activity.status != "done":
        style = "yellow" if activity.status == "planned" else "red"
        body.append(f" ({activity.status})", style=style)
    place = place_line(activity)
    if place:
        body.append("\n" + place, style="dim")
    lines: list[RenderableType] = [Hanging(lead, body)]
    if details:
        indent = " " * lead.cell_len
        for output in activity.outputs:
            bullet = Text.assemble(indent, ("\u2022 ", "dim"))
            lines.append(Hanging(bullet, Text(one_line(output))))
        for agreement in activity.agreements:
            bullet = Text.assemble(indent, ("\u25c6 ", "yellow"))
            lines.append(Hanging(bullet, Text(one_line(agreement_line(agreement)))))
    return lines


def place_line(activity: Activity) -> str:
    """'in Málaga; with Zhengzhou, Málaga' (made safe), or ''."""
    parts = []
    if activity.where:
        parts.append(f"in {activity.where}")
    if activity.cities:
        parts.append("with " + ", ".join(activity.cities))
    return one_line("; ".join(parts))


class Hanging:
    """`lead` then `body` wrapped beside it, continuation lines indented to the body's column.

    Unlike a table, it pads nothing, so copied or exported text has no trailing spaces.
    """

    def __init__(self, lead: Text, body: Text) -> None:
        self.lead, self.body = lead, body

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        indent = self.lead.cell_len
        room = max(options.max_width - indent, 12)
        for index, line in enumerate(self.body.wrap(console, room, overflow="fold")):
            line.rstrip()
            yield Text.assemble(self.lead if index == 0 else " " * indent, line)


class SectionRule:
    """A heading drawn across the width: `── 2017 ─────` (ASCII off a terminal)."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        line = "\u2500" if options.is_terminal and not options.ascii_only else "-"
        label = f" {one_line(self.label)} "
        rest = max(0, options.max_width - cell_len(label) - 2)
        yield Text(line * 2 + label + line * rest, "bold")


class PeriodStrip:
    """The records' periods as bars on a shared time axis, scaled to the width available.

    Each bar runs from the period's first day to its last (ongoing: today); a dot marks each
    selected activity.
    """

    def __init__(self, periods: Sequence[RecordPeriod], today: dt.date | None = None) -> None:
        self.periods = list(periods)
        self.today = today or dt.date.today()

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.periods:
            return
        fancy = options.is_terminal and not options.ascii_only
        bar_char, dot_char = ("\u2501", "\u25cf") if fancy else ("=", "o")
        first, last = periods_axis(self.periods, self.today)
        width = options.max_width
        labels = [one_line(p.label) for p in self.periods]
        spans = [self._span_text(p) for p in self.periods]
        label_width = min(max(cell_len(s) for s in labels), max(8, width // 4))
        span_width = max(cell_len(s) for s in spans)
        bar_width = width - label_width - span_width - 2
        if bar_width < 12:  # too narrow for the dates column: drop it
            span_width, bar_width = 0, width - label_width - 1
        bar_width = max(bar_width, 4)
        days = max((last - first).days, 1)

        def column(day: dt.date) -> int:
            return min(bar_width - 1, max(0, round((day - first).days / days * (bar_width - 1))))

        for index, (period, label, span_text) in enumerate(
            zip(self.periods, labels, spans, strict=True)
        ):
            style = RECORD_STYLES[index % len(RECORD_STYLES)]
            cells = [" "] * bar_width
            begin, end = period.first_day(), period.last_day(self.today)
            if begin is not None and end is not None and period.start is not None:
                for col in range(column(begin), column(end) + 1):
                    cells[col] = bar_char
            for date in period.dates:
                cells[column(date.first)] = dot_char
            row = Text(label, style="bold")
            row.truncate(label_width, overflow="ellipsis", pad=True)
            row.append(" ")
            row.append("".join(cells), style=style)
            if span_width:
                row.append(" " + span_text, style="dim")
            yield row
        yield Text(" " * (label_width + 1) + self._axis(first, last, bar_width, column), "dim")

    @staticmethod
    def _span_text(period: RecordPeriod) -> str:
        if period.start is None:
            return "period unknown"
        end = period.end.display() if period.end else "ongoing"
        return f"{period.start.display()} {DASH} {end}"

    @staticmethod
    def _axis(first: dt.date, last: dt.date, width: int, column: Callable[[dt.date], int]) -> str:
        axis = [" "] * width
        marks = [(first, str(first.year))]
        marks += [(dt.date(y, 1, 1), str(y)) for y in range(first.year + 1, last.year + 1)]
        free_from = 0
        for day, label in marks:
            col = column(day)
            if col < free_from or col + len(label) > width:
                continue
            axis[col : col + len(label)] = label
            free_from = col + len(label) + 1
        return "".join(axis).rstrip()


# --------------------------------------------------------------------------- writers


def timeline_json(report: Report[EncodedTimeline], options: Options) -> Iterator[bytes]:
    """The records' periods and the activities in timeline order, as JSON, in pieces; the
    files with errors as `problems`."""
    timeline = report.data
    yield b'{\n  "ucap_version": ' + jsonout.encoded(__version__) + b',\n  "records": '
    yield from jsonout.array_lines(
        (jsonout.encoded(p.to_json()) for p in timeline.periods), level=1
    )
    yield b',\n  "activities": '
    yield from jsonout.array_lines(iter(timeline.entries), level=1)
    yield b',\n  "problems": '
    yield from jsonout.array_lines((jsonout.encoded(p) for p in files_json(report.files)), level=1)
    yield b"\n}"


def csv_columns() -> tuple[str, ...]:
    """One column per key of an activity (from the model), after its record's id and lead
    city; then the record's first error."""
    return ("record", "lead_city", *activity_fields(), "problem")


def timeline_csv(report: Report[Timeline], options: Options) -> str:
    """One row per activity; lists joined with '; ', `agreements` counts `count`; `problem`:
    the first error of the activity's record (a file left out has a row of its own)."""
    errors = {f.display: problem_text(f.error) for f in report.flagged if f.error is not None}
    by_id = {f.id: e for f in report.flagged if f.id and (e := errors.get(f.display))}
    rows: list[Sequence[object]] = [
        (*csv_row(entry), by_id.get(entry.record.id, "")) for entry in report.data.entries
    ]
    columns = csv_columns()
    rows += left_out_csv_rows(report.left_out, len(columns))
    return write_csv(columns, rows)


def csv_row(entry: TimelineEntry) -> tuple[object, ...]:
    """The columns of one activity, but its record's problem: lists joined with '; ',
    `agreements` as how many were signed (counting `count`)."""
    activity = entry.activity
    values = [
        entry.agreements if name == "agreements" else cell(getattr(activity, name))
        for name in activity_fields()
    ]
    return (entry.record.id, entry.record.lead_city or "", *values)


def timeline_markdown(report: Report[Timeline], options: Options) -> str:
    """Headings per year and month, one bullet per activity (details as sub-bullets), then
    the note on records with errors."""
    lines = as_markdown(report.data, details=options.details) if report.data.entries else []
    return "\n".join([*lines, *markdown_note(report.files)]).lstrip("\n") + "\n"


def as_markdown(timeline: Timeline, *, details: bool = False) -> list[str]:
    """The lines of the timeline in Markdown."""
    title, counts = heading(timeline).plain.split("\n")
    lines = [f"# Timeline: {markdown_text(title)}", "", counts]
    if timeline.several_records:
        lines += ["", "| record | lead city | period | activities |", "| --- | --- | --- | --- |"]
        for p in timeline.periods:
            end = p.end.display() if p.end else "ongoing"
            span = f"{p.start.display()} {DASH} {end}" if p.start else "?"
            lines.append(
                f"| {markdown_text(p.record.id)} | {markdown_text(p.record.lead_city or '?')} | "
                f"{span} | {len(p.dates)} |"
            )
    for year in timeline.groups():
        lines += ["", f"## {year.year}"]
        for month in year.months:
            if month.month is not None:
                lines += ["", f"### {month.heading}"]
            lines.append("")
            for entry in month.entries:
                lines += list(_markdown_entry(entry, timeline.several_records, details))
    return lines


def _markdown_entry(entry: TimelineEntry, several: bool, details: bool) -> Iterator[str]:
    a = entry.activity
    line = f"- **{entry.when}** `{a.kind}` "
    if several:
        line += f"{markdown_text(entry.label)}: "
    line += markdown_text(a.title)
    if a.status != "done":
        line += f" ({a.status})"
    where = [f"in {a.where}"] if a.where else []
    place = "; ".join(where + (["with " + ", ".join(a.cities)] if a.cities else []))
    if place:
        line += f" {DASH} {markdown_text(place)}"
    yield line
    if details:
        for output in a.outputs:
            yield f"  - {markdown_text(output)}"
        for agreement in a.agreements:
            yield f"  - agreement: {markdown_text(agreement_line(agreement))}"
