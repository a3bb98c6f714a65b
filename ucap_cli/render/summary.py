"""The writers of `summary`: the terminal view (horizontal bars), JSON, CSV and Markdown."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from ucap_cli import __version__
from ucap_cli.record.dates import PartialDate
from ucap_cli.render import jsonout
from ucap_cli.render.registry import Options, Screen
from ucap_cli.render.safe import one_line
from ucap_cli.render.tabular import (
    DASH,
    agreement_kind,
    files_json,
    markdown_note,
    markdown_text,
    note_lines,
    plural,
    problem_text,
    write_csv,
)
from ucap_cli.render.timeline import Hanging, SectionRule, kind_label
from ucap_cli.views.report import Report
from ucap_cli.views.summary import Overview, Summary

TOP_ORGANISATIONS = 10  # in the terminal view and Markdown; JSON and CSV have them all
TOP_LINKS = 30  # city network pairs in the terminal view (the most active, when there are more)
MAX_NAMES = 8  # names listed in the overview before "+ N more"
SIDE_BY_SIDE = 150  # from this width, pairs of parts sit next to each other
MAX_BAR = 100  # longer bars only make the eye travel
_EIGHTHS = " \u258f\u258e\u258d\u258c\u258b\u258a\u2589"


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart; `dim` rows (nothing counted) show no number."""

    label: Text
    value: int
    note: str = ""
    dim: bool = False


class Bars:
    """Horizontal bars scaled to the width available: label, count, bar, note."""

    def __init__(self, rows: Sequence[Bar], style: str = "cyan") -> None:
        self.rows = list(rows)
        self.style = style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.rows:
            yield Text("(none)", style="dim")
            return
        width = options.max_width
        fancy = options.is_terminal and not options.ascii_only
        top = max(max(r.value for r in self.rows), 1)
        number_width = len(str(top))
        note_width = max(cell_len(r.note) for r in self.rows)
        min_bar = max(10, width // 4)
        label_room = width - number_width - 2 - min_bar - (note_width + 1 if note_width else 0)
        if label_room < 12 and note_width:  # notes are the first thing to go
            note_width, label_room = 0, width - number_width - 2 - min_bar
        label_width = max(1, min(max(cell_len(r.label.plain) for r in self.rows), label_room))
        bar_width = width - label_width - number_width - 2
        if note_width:
            bar_width -= note_width + 1
        bar_width = max(1, min(bar_width, MAX_BAR))
        for row in self.rows:
            line = row.label.copy()
            line.truncate(label_width, overflow="ellipsis", pad=True)
            if row.dim:
                line.stylize("dim")
            number = "" if row.dim and not row.value else str(row.value)
            line.append(" " + number.rjust(number_width))
            bar = self._bar(row.value / top * bar_width, fancy)
            if bar:
                line.append(" " + bar, style=self.style)
            if note_width and row.note:
                line.append(" " + row.note, style="dim")
            line.rstrip()
            yield line

    @staticmethod
    def _bar(length: float, fancy: bool) -> str:
        if length <= 0:
            return ""
        if not fancy:
            return "#" * max(1, round(length))
        whole, eighths = int(length), round((length - int(length)) * 8)
        if eighths == 8:
            whole, eighths = whole + 1, 0
        text = "\u2588" * whole + (_EIGHTHS[eighths] if eighths else "")
        return text or _EIGHTHS[1]


class SideBySide:
    """Two parts next to each other when the width allows, else one under the other."""

    def __init__(self, left: RenderableType, right: RenderableType) -> None:
        self.left, self.right = left, right

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.max_width < SIDE_BY_SIDE:
            yield Group(self.left, Text(""), self.right)
            return
        grid = Table.grid(padding=(0, 3), expand=True)
        grid.add_column(ratio=1)
        grid.add_column(ratio=1)
        grid.add_row(self.left, self.right)
        yield grid


# --------------------------------------------------------------------------- terminal


def summary_screen(report: Report[Summary], options: Options) -> Screen:
    """The terminal view, then the note on records with errors."""
    summary = report.data
    notes = [Text(line, style="yellow") for line in note_lines(report.files)]
    if not summary.overview.records:
        return Screen(Group(*notes) if notes else None, empty="No records match.")
    return Screen(Group(summary_view(summary), *([Text(""), *notes] if notes else [])))


def summary_view(summary: Summary) -> RenderableType:
    """The terminal view: overview, then every part as horizontal bars."""
    return Group(
        title(summary),
        Text(""),
        overview_grid(summary.overview),
        Text(""),
        SideBySide(
            _part(f"Activities per {summary.interval}", period_bars(summary)),
            _part("Activities per kind", kind_bars(summary)),
        ),
        Text(""),
        _part("Themes (activities; records)", theme_bars(summary)),
        Text(""),
        SideBySide(
            _part("Sustainable Development Goals (records)", sdg_bars(summary)),
            _part("EU Urban Agenda topics (records)", topic_bars(summary)),
        ),
        Text(""),
        SideBySide(
            _part("City network (activities in which both take part)", network_bars(summary)),
            _part(
                "Organisations most often named (activities + expected results)",
                organisation_bars(summary),
            ),
        ),
        Text(""),
        _part("Expected results by status", result_bars(summary)),
    )


def _part(name: str, body: RenderableType) -> RenderableType:
    return Group(SectionRule(name), body)


CITIES_OF_ACTIVITIES = "cities: those taking part in the matching activities"


def title(summary: Summary) -> Text:
    """'Summary: <the record's title>' or 'Summary: N records'; under an activity filter, a
    second line says that the cities are those of the matching activities."""
    text = Text(f"Summary: {_subject(summary)}", style="bold")
    if summary.overview.cities_from == "activities":
        text.append(f"\n{CITIES_OF_ACTIVITIES}", style="dim")
    return text


def _subject(summary: Summary) -> str:
    if summary.title is not None:
        return one_line(summary.title)
    return plural(summary.overview.records, "record")


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(one_line(n) for n in names[:MAX_NAMES])
    more = len(names) - MAX_NAMES
    return shown + (f" + {more} more" if more > 0 else "")


def _span(start: PartialDate | None, end: PartialDate | None, ongoing: bool = False) -> str:
    if start is None:
        return ""
    last = "ongoing" if ongoing else (end.display() if end else "")
    if not last or last == start.display():
        return start.display()
    return f"{start.display()} {DASH} {last}"


def agreements_text(overview: Overview) -> str:
    """'8 (7 MoUs, 1 cooperation agreement)'."""
    parts = [
        f"{count} {agreement_kind(kind, count)}"
        for kind, count in overview.agreements_by_kind.items()
    ]
    return str(overview.agreements) + (f" ({', '.join(parts)})" if parts else "")


def overview_rows(overview: Overview) -> list[tuple[str, str]]:
    """The overview as (label, plain text) pairs, shared by the terminal and Markdown."""
    o = overview
    rows = [
        ("Records", str(o.records)),
        ("Lead cities", f"{len(o.lead_cities)}: {_names(o.lead_cities)}".rstrip(": ")),
        ("Partner cities", f"{len(o.partner_cities)}: {_names(o.partner_cities)}".rstrip(": ")),
    ]
    if o.other_cities:  # taking part in activities without being partners
        rows.append(("Other cities", f"{len(o.other_cities)}: {_names(o.other_cities)}"))
    return [
        *rows,
        ("Countries", f"{len(o.countries)}: {_names(o.countries)}".rstrip(": ")),
        (
            "Activities",
            str(o.activities)
            + (f" ({_span(o.first_activity, o.last_activity)})" if o.first_activity else ""),
        ),
        ("Agreements", agreements_text(o)),
        ("Time span", _span(o.start, o.end, o.ongoing) or "-"),
    ]


def overview_grid(overview: Overview) -> RenderableType:
    """Label: value rows, values wrapping under themselves."""
    rows = overview_rows(overview)
    width = max(len(label) for label, _ in rows) + 2
    return Group(
        *(Hanging(Text(label.ljust(width), style="bold"), Text(value)) for label, value in rows)
    )


def period_bars(summary: Summary) -> Bars:
    """Activities per year, quarter or month."""
    return Bars([Bar(Text(b.label), b.activities, dim=not b.activities) for b in summary.periods])


def kind_bars(summary: Summary) -> Bars:
    """Activities per kind, each with its coloured label."""
    return Bars([Bar(kind_label(k.kind), k.activities) for k in summary.kinds], style="blue")


def theme_bars(summary: Summary) -> Bars:
    """Themes: activities tagged with them; records naming them as a note."""
    return Bars(
        [
            Bar(Text(one_line(t.theme)), t.activities, plural(t.records, "record"))
            for t in summary.themes
        ],
        style="green",
    )


def sdg_bars(summary: Summary) -> Bars:
    """All 17 SDGs; the covered ones highlighted with their counts."""
    return Bars(
        [
            Bar(
                Text(f"{s.number:>2} {s.name}", style="bold" if s.records else ""),
                s.records,
                dim=not s.records,
            )
            for s in summary.sdgs
        ],
        style="magenta",
    )


def topic_bars(summary: Summary) -> Bars:
    """All 14 Urban Agenda topics; the covered ones highlighted with their counts."""
    return Bars(
        [
            Bar(Text(t.topic, style="bold" if t.records else ""), t.records, dim=not t.records)
            for t in summary.topics
        ],
        style="yellow",
    )


def network_bars(summary: Summary) -> Bars:
    """Lead city - partner pairs with the activities both take part in; past TOP_LINKS pairs,
    the most active ones and a line saying how many more there are."""
    links = summary.network
    if len(links) > TOP_LINKS:
        links = sorted(links, key=lambda link: -link.activities)[:TOP_LINKS]
    rows = [
        Bar(
            Text(f"{one_line(link.lead)} {DASH} {one_line(link.partner)}"),
            link.activities,
            dim=not link.activities,
        )
        for link in links
    ]
    if len(links) < len(summary.network):
        more = len(summary.network) - len(links)
        rows.append(Bar(Text(f"+ {more} more pairs (--format csv lists them all)"), 0, dim=True))
    return Bars(rows, style="cyan")


def organisation_bars(summary: Summary) -> Bars:
    """The organisations most often named."""
    rows = [
        Bar(
            Text(one_line(o.name)),
            o.total,
            f"{o.activities} + {o.expected_results}",
        )
        for o in summary.organisations[:TOP_ORGANISATIONS]
    ]
    return Bars(rows, style="bright_blue")


def result_bars(summary: Summary) -> Bars:
    """Expected results per status."""
    return Bars(
        [
            Bar(Text(r.status), r.expected_results, dim=not r.expected_results)
            for r in summary.results
        ],
        style="green",
    )


# --------------------------------------------------------------------------- writers


def summary_json(report: Report[Summary], options: Options) -> str:
    """The numbers behind every part of the view (documented in the README), and the files
    with errors as `problems`."""
    content = {"ucap_version": __version__, **report.data.to_json()}
    return jsonout.dumps({**content, "problems": files_json(report.files)}) + "\n"


CSV_COLUMNS = ("part", "key", "name", "measure", "value")


def csv_rows(summary: Summary) -> Iterator[tuple[str, str, str, str, object]]:
    """Long form: one number per row."""
    o = summary.overview.to_json()
    measures = ("records", "lead_cities", "partner_cities", "other_cities", "countries")
    for measure in (*measures, "activities"):
        yield ("overview", "", "", measure, o[measure])
    yield ("overview", "", "", "cities_from", o["cities_from"])
    yield ("overview", "", "", "agreements", o["agreements"])
    for kind, count in o["agreements_by_kind"].items():
        yield ("overview", kind, agreement_kind(kind), "agreements", count)
    for key in ("start", "end"):
        yield ("overview", "", "", f"period_{key}", o["period"][key] or "")
    yield ("overview", "", "", "ongoing", str(o["period"]["ongoing"]).lower())
    yield ("overview", "", "", "first_activity", o["activity_dates"]["first"] or "")
    yield ("overview", "", "", "last_activity", o["activity_dates"]["last"] or "")
    for b in summary.periods:
        yield (f"activities_per_{summary.interval}", b.key, b.label, "activities", b.activities)
    for k in summary.kinds:
        yield ("activities_per_kind", k.kind, "", "activities", k.activities)
    for t in summary.themes:
        yield ("themes", t.theme, "", "records", t.records)
        yield ("themes", t.theme, "", "activities", t.activities)
    for s in summary.sdgs:
        yield ("sdgs", str(s.number), s.name, "records", s.records)
    for u in summary.topics:
        yield ("urban_agenda", u.topic, "", "records", u.records)
    for link in summary.network:
        yield ("city_network", link.lead, link.partner, "activities", link.activities)
    for g in summary.organisations:
        yield ("organisations", g.name, "", "activities", g.activities)
        yield ("organisations", g.name, "", "expected_results", g.expected_results)
    for r in summary.results:
        yield ("expected_results", r.status, "", "expected_results", r.expected_results)


def summary_csv(report: Report[Summary], options: Options) -> str:
    """Every number, one per row: part, key, name, measure, value; then a row per file with
    errors (part `problems`: the file, its first error, and whether it was left out)."""
    problems = [
        ("problems", f.display, problem_text(f.error), "left_out" if not f.readable else "read", 1)
        for f in report.files
        if f.error is not None
    ]
    return write_csv(CSV_COLUMNS, [*csv_rows(report.data), *problems])


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for row in rows:
        cells = [markdown_text(v) if isinstance(v, str) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def summary_markdown(report: Report[Summary], options: Options) -> str:
    """A report section: the overview and one table per part, then the note on records with
    errors."""
    summary = report.data
    body = as_markdown(summary).rstrip("\n") if summary.overview.records else ""
    return "\n".join([body, *markdown_note(report.files)]).lstrip("\n") + "\n"


def as_markdown(summary: Summary) -> str:
    """A report section: the overview and one table per part."""
    lines = [f"# Summary: {markdown_text(_subject(summary))}", ""]
    if summary.overview.cities_from == "activities":
        lines += [f"*{CITIES_OF_ACTIVITIES}*", ""]
    lines += _table(("overview", ""), overview_rows(summary.overview))
    parts: list[tuple[str, Sequence[str], list[Sequence[object]]]] = [
        (
            f"Activities per {summary.interval}",
            (summary.interval, "activities"),
            [(b.label, b.activities) for b in summary.periods],
        ),
        (
            "Activities per kind",
            ("kind", "activities"),
            [(k.kind, k.activities) for k in summary.kinds],
        ),
        (
            "Themes",
            ("theme", "records", "activities"),
            [(t.theme, t.records, t.activities) for t in summary.themes],
        ),
        (
            "Sustainable Development Goals",
            ("SDG", "name", "records"),
            [(s.number, s.name, s.records) for s in summary.sdgs],
        ),
        (
            "EU Urban Agenda topics",
            ("topic", "records"),
            [(t.topic, t.records) for t in summary.topics],
        ),
        (
            "City network",
            ("lead city", "partner", "activities"),
            [(n.lead, n.partner, n.activities) for n in summary.network],
        ),
        (
            "Organisations most often named",
            ("organisation", "activities", "expected results", "total"),
            [
                (o.name, o.activities, o.expected_results, o.total)
                for o in summary.organisations[:TOP_ORGANISATIONS]
            ],
        ),
        (
            "Expected results by status",
            ("status", "expected results"),
            [(r.status, r.expected_results) for r in summary.results],
        ),
    ]
    for heading, header, rows in parts:
        lines += ["", f"## {heading}", ""]
        lines += _table(header, rows) if rows else ["(none)"]
    return "\n".join(lines) + "\n"
