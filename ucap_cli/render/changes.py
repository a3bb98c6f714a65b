"""The writers of `changes`: the terminal view, Markdown (for a report), JSON and CSV.

The terminal and Markdown views write the same outline of each record's changes (`outline`):
lines at a depth, each with a marker (`+` added, `-` removed, `~` changed) and plain text,
which each writer makes safe its own way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ucap_cli import __version__
from ucap_cli.check.problems import Problem
from ucap_cli.record.data import as_data
from ucap_cli.record.dates import PartialDate
from ucap_cli.record.model import Activity, Agreement, City, ExpectedResult, Period, Record
from ucap_cli.render import jsonout
from ucap_cli.render.records import UNKNOWN, period_text
from ucap_cli.render.registry import Options, Screen
from ucap_cli.render.safe import one_line
from ucap_cli.render.tabular import (
    ERROR_MARKER,
    agreement_line,
    cell,
    files_json,
    markdown_note,
    markdown_text,
    note_lines,
    plural,
    problem_json,
    problem_text,
    write_csv,
)
from ucap_cli.views.changes import (
    ActivityChange,
    Changes,
    FieldChange,
    RecordChange,
    Totals,
)
from ucap_cli.views.report import Report
from ucap_cli.views.timeline import span_label

ADDED, REMOVED, CHANGED = "+", "\u2212", "~"  # the minus sign: a hyphen reads as a list
ARROW = "\u2192"
# Fields shown by name only: long text, where old -> new would fill the screen.
_BY_NAME = frozenset({"summary", "extra"})
_LABELS = {
    "urban_agenda": "EU Urban Agenda",
    "sdgs": "SDGs",
    "city": "lead city",
    "expected_results": "expected results",
}
SECTIONS = (
    ("added", "Added records"),
    ("removed", "Removed records"),
    ("changed", "Changed records"),
    ("unreadable", "Records that could not be read"),
)


@dataclass(frozen=True)
class Line:
    """One line of a record's outline: its depth (0: under the record's heading), a marker
    (`+`, `-`, `~` or none) and its text (plain: not yet made safe)."""

    depth: int
    marker: str
    text: str


# --------------------------------------------------------------------------- words


def label(name: str) -> str:
    """A field's name in words: `urban_agenda` -> `EU Urban Agenda`."""
    return _LABELS.get(name, name.replace("_", " "))


def value_text(value: Any) -> str:
    """A field's value in words: dates as written, lists joined, tables by their name."""
    if value is None:
        return "none"
    if isinstance(value, PartialDate):
        return value.display()
    if isinstance(value, Period):
        return period_text(value.start, value.end, short=False)
    if isinstance(value, City):
        return value.name
    if isinstance(value, Agreement):
        return agreement_line(value)
    if isinstance(value, list | tuple):
        return "; ".join(value_text(v) for v in value) if value else "none"
    if hasattr(value, "model_dump"):
        return cell(value.model_dump(mode="json"))
    return str(value)


def _items(values: Any) -> list[str]:
    return [value_text(v) for v in values or ()]


def change_text(change: FieldChange) -> str:
    """`status: planned → done`; `themes: + Energy; − Logistics`; `summary changed`."""
    name, old, new = change.name, change.old, change.new
    if name in _BY_NAME:
        return f"{label(name)} changed"
    if isinstance(old, list | tuple) or isinstance(new, list | tuple):
        before, after = _items(old), _items(new)
        gone = [v for v in before if v not in after]
        came = [v for v in after if v not in before]
        parts = [f"{ADDED} {v}" for v in came] + [f"{REMOVED} {v}" for v in gone]
        if not parts:  # the same items in another order, or repeated
            return f"{label(name)}: {'; '.join(before) or 'none'} {ARROW} {'; '.join(after)}"
        return f"{label(name)}: {'; '.join(parts)}"
    if isinstance(old, Period) and isinstance(new, Period):
        return "; ".join(
            f"period {part}: {_date_text(getattr(old, part))} {ARROW} "
            f"{_date_text(getattr(new, part))}"
            for part in ("start", "end")
            if getattr(old, part) != getattr(new, part)
        )
    if isinstance(old, City) and isinstance(new, City) and old.name == new.name:
        details = [f for f in City.model_fields if getattr(old, f) != getattr(new, f)]
        pairs = "; ".join(
            f"{f} {value_text(getattr(old, f))} {ARROW} {value_text(getattr(new, f))}"
            for f in details
        )
        return f"{label(name)} {old.name}: {pairs}"
    return f"{label(name)}: {value_text(old)} {ARROW} {value_text(new)}"


def _date_text(date: PartialDate | None) -> str:
    return date.display() if date is not None else "ongoing"


LONG_ITEMS = 40  # characters: a list with an item this long shows one item a line


def field_lines(change: FieldChange, depth: int, marker: str = "") -> list[Line]:
    """A field's change as outline lines: one (`change_text`), or, for a list with long
    items (outputs, challenges...), its name then an item added or removed a line."""
    old, new = change.old, change.new
    if change.name in _BY_NAME or not isinstance(old or new, list | tuple):
        return [Line(depth, marker, change_text(change))]
    before, after = _items(old), _items(new)
    gone = [v for v in before if v not in after]
    came = [v for v in after if v not in before]
    if not (gone or came) or max(map(len, gone + came)) < LONG_ITEMS:
        return [Line(depth, marker, change_text(change))]
    lines = [Line(depth, marker, f"{label(change.name)}:")]
    lines += [Line(depth + 1, ADDED, v) for v in came]
    lines += [Line(depth + 1, REMOVED, v) for v in gone]
    return lines


def activity_text(activity: Activity, *, iso: bool = False) -> str:
    """`15 Jun 2017, workshop: Workshop in Graz (planned)`; with `iso`, the dates as written
    (`2017-06-15`, `2017-06-15/2017-06-17` for a span)."""
    if iso:
        when = str(activity.date) + (f"/{activity.end}" if activity.end else "")
    else:
        when = span_label(activity.date, activity.end)
    status = "" if activity.status == "done" else f" ({activity.status})"
    return f"{when}, {activity.kind}: {activity.title}{status}"


def result_text(result: ExpectedResult) -> str:
    """`planned: A joint e-bus pilot`."""
    return f"{result.status}: {result.text}"


def totals_text(totals: Totals) -> list[str]:
    """The counts in words, one phrase each (those that are not zero)."""
    records = [
        (totals.records_added, "added"),
        (totals.records_removed, "removed"),
        (totals.records_changed, "changed"),
        (totals.records_unreadable, "unreadable"),
    ]
    words = [f"{n} {what}" for n, what in records if n]
    phrases = []
    if words:
        count = sum(n for n, _ in records)
        first = words[0].split(" ", 1)[1]
        head = f"{plural(count, 'record')}: " if len(words) > 1 else ""
        text = head + ", ".join(words) if head else f"{plural(count, 'record')} {first}"
        if totals.records_moved:
            text += f" ({totals.records_moved} moved)"
        phrases.append(text)
    activities = [
        (totals.activities_added, "added"),
        (totals.activities_removed, "removed"),
        (totals.activities_changed, "changed"),
    ]
    words = [f"{n} {what}" for n, what in activities if n]
    if words:
        count = sum(n for n, _ in activities)
        phrases.append(f"{plural(count, 'activity', 'activities')}: {', '.join(words)}")
    if totals.agreements_added:
        phrases.append(f"{plural(totals.agreements_added, 'agreement')} added")
    if totals.agreements_removed:
        phrases.append(f"{plural(totals.agreements_removed, 'agreement')} removed")
    if totals.results_status_changed:
        count = totals.results_status_changed
        phrases.append(f"{plural(count, 'expected result')} changed status")
    return phrases


def span_text(changes: Changes) -> str:
    """`from v1 (1a2b3c4) to the working tree`."""

    def side(name: str | None, commit: str | None, fallback: str) -> str:
        if name and commit and not commit.startswith(name):
            return f"{name} ({commit[:7]})"
        return name or fallback

    old = side(changes.old.name, changes.old.commit, "?")
    new = side(changes.new.name, changes.new.commit, changes.new.label)
    return f"from {old} to {new}"


def heading(changes: Changes) -> str:
    """`Changes in records from v1 (1a2b3c4) to the working tree`."""
    return f"Changes in {changes.folder} {span_text(changes)}"


# --------------------------------------------------------------------------- the outline


def outline(change: RecordChange) -> list[Line]:
    """The lines under a record's heading: what changed in it."""
    if change.kind == "unreadable":  # (a path at a commit names it: `v1:records/a.toml`)
        return [Line(0, "", problem_text(e)) for e in change.errors]
    if change.kind in ("added", "removed"):
        return _whole(change)
    lines: list[Line] = []
    if change.moved:
        lines.append(Line(0, CHANGED, f"moved: {change.old_path} {ARROW} {change.new_path}"))
    shown = [f for f in change.fields if f.name not in _BY_NAME]
    for f in shown:
        lines += field_lines(f, 0, CHANGED)
    partners = [f"{ADDED} {p.name}" for p in change.partners_added]
    partners += [f"{REMOVED} {p.name}" for p in change.partners_removed]
    if partners:
        lines.append(Line(0, CHANGED, "partners: " + "; ".join(partners)))
    for partner in change.partners_changed:
        details = "; ".join(change_text(f) for f in partner.fields)
        lines.append(Line(0, CHANGED, f"partner {partner.new.name}: {details}"))
    if change.activities_added or change.activities_removed or change.activities_changed:
        lines.append(Line(0, "", "activities:"))
        lines += [Line(1, ADDED, activity_text(a)) for a in change.activities_added]
        lines += [Line(1, REMOVED, activity_text(a)) for a in change.activities_removed]
        for item in change.activities_changed:
            lines += _activity_lines(item)
    if change.results_added or change.results_removed or change.results_changed:
        lines.append(Line(0, "", "expected results:"))
        lines += [Line(1, ADDED, result_text(r)) for r in change.results_added]
        lines += [Line(1, REMOVED, result_text(r)) for r in change.results_removed]
        for result in change.results_changed:
            status = [f for f in result.fields if f.name == "status"]
            others = [f for f in result.fields if f.name != "status"]
            head = result.new.text
            if status:
                head = f"{result.old.status} {ARROW} {result.new.status}: {head}"
            lines.append(Line(1, CHANGED, head))
            for f in others:
                lines += field_lines(f, 2)
    hidden = [f for f in change.fields if f.name in _BY_NAME]
    if hidden:
        lines.append(Line(0, CHANGED, "also changed: " + ", ".join(label(f.name) for f in hidden)))
    return lines


def _activity_lines(item: ActivityChange) -> list[Line]:
    lines = [Line(1, CHANGED, activity_text(item.old))]
    for f in item.fields:
        lines += field_lines(f, 2)
    lines += [Line(2, ADDED, f"agreement: {agreement_line(a)}") for a in item.agreements_added]
    lines += [Line(2, REMOVED, f"agreement: {agreement_line(a)}") for a in item.agreements_removed]
    return lines


def _whole(change: RecordChange) -> list[Line]:
    """An added or removed record in one line: its file, period, partners and counts."""
    record = change.new if change.kind == "added" else change.old
    assert record is not None
    path = change.new_path if change.kind == "added" else change.old_path
    parts = [path or ""]
    period = record.period
    parts.append(period_text(period.start, period.end, short=False) if period else UNKNOWN)
    if record.partners:
        parts.append("with " + ", ".join(p.name for p in record.partners))
    activities = change.activities_added if change.kind == "added" else change.activities_removed
    counts = plural(len(activities), "activity", "activities")
    agreements = change.agreements_added if change.kind == "added" else change.agreements_removed
    if agreements:
        counts += f", {plural(agreements, 'agreement')}"
    parts.append(counts)
    return [Line(0, "", " \u00b7 ".join(p for p in parts if p))]


def _heading(change: RecordChange) -> tuple[str, str]:
    """A record's id (marked when it has errors) and title."""
    marker = f" {ERROR_MARKER}" if change.errors and change.kind != "unreadable" else ""
    return change.id + marker, change.title


def _grouped(records: Sequence[RecordChange]) -> Iterator[tuple[str, str, list[RecordChange]]]:
    for kind, title in SECTIONS:
        chosen = [r for r in records if r.kind == kind]
        if chosen:
            yield kind, title, chosen


_KIND_MARKERS = {"added": ADDED, "removed": REMOVED, "changed": CHANGED, "unreadable": "!"}


# --------------------------------------------------------------------------- terminal


def changes_screen(report: Report[Changes], options: Options) -> Screen:
    """The terminal view: a heading with the counts, then each record's changes, grouped
    (added, removed, changed, unreadable), then the note on files with errors."""
    from rich.console import Group, RenderableType
    from rich.text import Text

    from ucap_cli.render.timeline import Hanging, SectionRule

    changes = report.data
    styles = {ADDED: "green", REMOVED: "red", CHANGED: "yellow", "!": "bold red", "": ""}
    notes = [Text(one_line(line), style="yellow") for line in note_lines(report.files)]
    if not changes.records:
        empty = f"No records {_matching(changes)}changed {span_text(changes)}."
        return Screen(Group(*notes) if notes else None, empty=one_line(empty))
    head = Text(one_line(heading(changes)), style="bold")
    parts: list[RenderableType] = [head]
    parts += [Hanging(Text(""), Text(one_line(line))) for line in _summary(changes)]
    for kind, title, records in _grouped(changes.records):
        parts += [Text(""), SectionRule(title)]
        for record in records:
            ident, name = _heading(record)
            marker = _KIND_MARKERS[kind]
            lead = Text.assemble((marker + " ", styles.get(marker, "")), (one_line(ident), "bold"))
            lead.append("  ")
            parts.append(Hanging(lead, Text(one_line(name))))
            for line in outline(record):
                indent = "    " + "    " * line.depth
                lead = Text(indent)
                lead.append((line.marker or " ") + " ", style=styles[line.marker])
                parts.append(Hanging(lead, Text(one_line(line.text))))
    if notes:
        parts += [Text(""), *notes]
    return Screen(Group(*parts))


def _summary(changes: Changes) -> list[str]:
    """The lines under the heading: the files compared, then the counts."""
    files = plural(changes.files, "record file")
    line = f"{files} changed"
    if changes.unchanged:
        line += f" ({changes.unchanged} only in comments or layout)"
    phrases = totals_text(changes.totals)
    return [f"{line}; " + "; ".join(phrases)] if phrases else [line]


# --------------------------------------------------------------------------- Markdown


def _matching(changes: Changes) -> str:
    """'matching the filters ' when filters chose the records (other records may have
    changed), else ''."""
    return "matching the filters " if changes.filtered else ""


def changes_markdown(report: Report[Changes], options: Options) -> str:
    """A report section: a heading, the counts, then a section per kind of change with a
    sub-heading per changed record, and the note on files with errors."""
    changes = report.data
    lines = [f"# {markdown_text(heading(changes))}", ""]
    lines.append(markdown_text("; ".join(_summary(changes))) + ".")
    if not changes.records:
        lines += ["", f"No records {_matching(changes)}changed."]
    for kind, title, records in _grouped(changes.records):
        lines += ["", f"## {title}", ""]
        if kind in ("added", "removed"):
            for record in records:
                ident, name = _heading(record)
                (detail,) = outline(record)
                lines.append(
                    f"- **{markdown_text(ident)}** {markdown_text(name)} "
                    f"({markdown_text(detail.text)})"
                )
            continue
        for number, record in enumerate(records):
            _, name = _heading(record)
            flag = f" {ERROR_MARKER}" if record.errors and kind != "unreadable" else ""
            if number:
                lines.append("")
            title = f": {markdown_text(name)}" if name else ""
            lines += [f"### {markdown_text(record.id)}{title}{flag}", ""]
            for line in outline(record):
                marker = {ADDED: "added: ", REMOVED: "removed: "}.get(line.marker, "")
                text = line.text
                if line.marker in (ADDED, REMOVED) and text.startswith("agreement: "):
                    text = text.removeprefix("agreement: ")
                    marker = f"agreement {marker}"
                lines.append("  " * line.depth + f"- {marker}{markdown_text(text)}")
    return "\n".join([*lines, *markdown_note(report.files)]) + "\n"


# --------------------------------------------------------------------------- JSON


def _json(value: Any) -> Any:
    """A field's value as JSON data: tables and dates as `ucap show --format json` has them."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, PartialDate):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return as_data(value)


def _fields_json(fields: Iterable[FieldChange]) -> list[dict[str, Any]]:
    return [{"field": f.name, "old": _json(f.old), "new": _json(f.new)} for f in fields]


def _activity_change_json(item: ActivityChange) -> dict[str, Any]:
    return {
        "how": item.how,
        "old": _json(item.old),
        "new": _json(item.new),
        "fields": _fields_json(item.fields),
        "agreements_added": _json(item.agreements_added),
        "agreements_removed": _json(item.agreements_removed),
    }


def record_json(change: RecordChange) -> dict[str, Any]:
    """One record's changes as JSON data (see docs/changes.md)."""
    shown: Record | None = change.new or change.old
    period = shown.period if shown else None
    return {
        "id": change.id,
        "change": change.kind,
        "title": change.title,
        "lead_city": shown.city.name if shown and shown.city else None,
        "period": _json(period),
        "path": change.new_path,
        "old_path": change.old_path,
        "moved": change.moved,
        "fields": _fields_json(change.fields),
        "partners": {
            "added": _json(change.partners_added),
            "removed": _json(change.partners_removed),
            "changed": [
                {"name": p.new.name, "fields": _fields_json(p.fields)}
                for p in change.partners_changed
            ],
        },
        "activities": {
            "added": _json(change.activities_added),
            "removed": _json(change.activities_removed),
            "changed": [_activity_change_json(c) for c in change.activities_changed],
        },
        "expected_results": {
            "added": _json(change.results_added),
            "removed": _json(change.results_removed),
            "changed": [
                {"old": _json(c.old), "new": _json(c.new), "fields": _fields_json(c.fields)}
                for c in change.results_changed
            ],
        },
        "agreements_added": change.agreements_added,
        "agreements_removed": change.agreements_removed,
        "problems": {
            "old": _problem(change.old_error),
            "new": _problem(change.new_error),
        },
    }


def _problem(problem: Problem | None) -> dict[str, Any] | None:
    return problem_json(problem) if problem is not None else None


def changes_json(report: Report[Changes], options: Options) -> str:
    """The changes as one JSON document (see docs/changes.md)."""
    changes = report.data
    document = {
        "ucap_version": __version__,
        "records_folder": changes.folder,
        "from": {"revision": changes.old.name, "commit": changes.old.commit},
        "to": {"revision": changes.new.name, "commit": changes.new.commit},
        "files_changed": changes.files,
        "records_unchanged": changes.unchanged,
        "totals": changes.totals.to_json(),
        "records": [record_json(r) for r in changes.records],
        "problems": files_json(report.files),
    }
    return jsonout.dumps(document, outline=5) + "\n"


# --------------------------------------------------------------------------- CSV

CSV_COLUMNS = ("record", "change", "subject", "field", "old", "new", "path", "problem")


def _csv_value(value: Any) -> str:
    """A value in a CSV cell: as `value_text`, but dates as written (ISO)."""
    if isinstance(value, PartialDate):
        return str(value)
    if isinstance(value, Period):
        return period_text(value.start, value.end, short=True)
    return "" if value is None else value_text(value)


def csv_rows(change: RecordChange) -> Iterator[tuple[str, ...]]:
    """One row per change of one record: what changed (`change`), in what (`subject`: an
    activity, a result, a partner), which `field`, its `old` and `new` values."""
    path = change.new_path or change.old_path or ""
    problem = "; ".join(problem_text(e) for e in change.errors)

    def row(
        kind: str, subject: str = "", name: str = "", old: Any = None, new: Any = None
    ) -> tuple[str, ...]:
        return (change.id, kind, subject, name, _csv_value(old), _csv_value(new), path, problem)

    if change.kind in ("added", "removed", "unreadable"):
        yield row(f"record {change.kind}")
        if change.kind == "unreadable":
            return
    if change.moved:
        yield row("record moved", "", "path", change.old_path, change.new_path)
    for f in change.fields:
        yield row("field changed", "", f.name, f.old, f.new)
    for partner in change.partners_added:
        yield row("partner added", partner.name)
    for partner in change.partners_removed:
        yield row("partner removed", partner.name)
    for p in change.partners_changed:
        for f in p.fields:
            yield row("partner changed", p.new.name, f.name, f.old, f.new)
    for activity in change.activities_added:
        subject = activity_text(activity, iso=True)
        yield row("activity added", subject)
        for agreement in activity.agreements:
            yield row("agreement added", subject, "", None, agreement_line(agreement))
    for activity in change.activities_removed:
        yield row("activity removed", activity_text(activity, iso=True))
    for item in change.activities_changed:
        subject = activity_text(item.old, iso=True)
        for f in item.fields:
            yield row("activity changed", subject, f.name, f.old, f.new)
        for agreement in item.agreements_added:
            yield row("agreement added", subject, "", None, agreement_line(agreement))
        for agreement in item.agreements_removed:
            yield row("agreement removed", subject, "", agreement_line(agreement), None)
    for result in change.results_added:
        yield row("result added", result.text)
    for result in change.results_removed:
        yield row("result removed", result.text)
    for r in change.results_changed:
        for f in r.fields:
            yield row("result changed", r.old.text, f.name, f.old, f.new)


def changes_csv(report: Report[Changes], options: Options) -> str:
    """One row per change; the record's first errors in `problem`; a file left out (not
    TOML at a revision) is a `record unreadable` row."""
    rows = [row for change in report.data.records for row in csv_rows(change)]
    return write_csv(CSV_COLUMNS, rows)
