"""Rules that look at a whole record, or at the whole collection, beyond what the model checks."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ucap_cli.check.findings import Finding
from ucap_cli.record import vocab
from ucap_cli.record.dates import span, today
from ucap_cli.toml.edit import Fix
from ucap_cli.toml.locate import KeyPath, Position, SourceMap

if TYPE_CHECKING:
    from ucap_cli.record.model import ValidRecord

PLANNED_GRACE = dt.timedelta(days=365)
# Codes of the checks across the collection, which a file's own checks cannot tell about.
COLLECTION_CODES = frozenset({"E201"})


def check_record(record: ValidRecord, path: Path, on: dt.date | None = None) -> list[Finding]:
    """Warnings about one valid record: names, dates against its period and against today."""
    on = on or today()
    findings: list[Finding] = []
    if path.stem != record.id:
        findings.append(
            Finding(
                "W301",
                f"id {record.id!r} differs from the file name {path.name!r}",
                ("id",),
                hint=f"rename the file to {record.id}.toml or set id = {path.stem!r}",
            )
        )
    findings.extend(_activity_findings(record, on))
    findings.extend(_result_themes(record))
    findings.extend(_idle_partners(record))
    return findings


def _activity_findings(record: ValidRecord, on: dt.date) -> Iterator[Finding]:
    period = span(record.period.start, record.period.end)
    known = {vocab.city_key(name): city.name for city in record.cities() for name in city.names()}
    themes = {vocab.fold(theme) for theme in record.themes}
    for index, activity in enumerate(record.activities):
        at = ("activities", index)
        if not period.overlaps(span(activity.date, activity.interval_end)):
            end = record.period.end or "ongoing"
            yield Finding(
                "W302",
                f"activities[{index + 1}].date {activity.date} is outside the record's period "
                f"{record.period.start} to {end}",
                (*at, "date"),
            )
        for position, city in enumerate(activity.cities):
            if vocab.city_key(city) not in known:
                suggestion = vocab.closest(city, [*known.values(), *_aliases(record)])
                yield Finding(
                    "W303",
                    f"activities[{index + 1}].cities: {city!r} is neither the lead city nor a "
                    f"partner{vocab.did_you_mean(suggestion)}",
                    (*at, "cities", position),
                    hint="add it as a partner, fix the spelling, or add "
                    "`# ucap: ignore[W303]` to the line if that is deliberate",
                )
        for position, theme in enumerate(activity.themes):
            if vocab.fold(theme) not in themes:
                suggestion = vocab.closest(theme, record.themes)
                yield Finding(
                    "W304",
                    f"activities[{index + 1}].themes: {theme!r} is not one of the record's "
                    f"themes{vocab.did_you_mean(suggestion)}",
                    (*at, "themes", position),
                )
        if activity.status == "done" and activity.date.first > on:
            yield Finding(
                "W305",
                f"activities[{index + 1}] is marked done but dated {activity.date}, after today",
                (*at, "date"),
                hint='set status = "planned"',
            )
        if activity.status == "planned" and activity.interval_end.last < on - PLANNED_GRACE:
            yield Finding(
                "W306",
                f"activities[{index + 1}] is still planned but dated {activity.date}, "
                "over a year ago",
                (*at, "date"),
                hint='set status = "done" or "cancelled"',
            )


def _result_themes(record: ValidRecord) -> Iterator[Finding]:
    """W304 for expected results, as for activities: a theme must be one of the record's."""
    themes = {vocab.fold(theme) for theme in record.themes}
    for index, result in enumerate(record.expected_results):
        if result.theme is not None and vocab.fold(result.theme) not in themes:
            suggestion = vocab.closest(result.theme, record.themes)
            yield Finding(
                "W304",
                f"expected_results[{index + 1}].theme: {result.theme!r} is not one of the "
                f"record's themes{vocab.did_you_mean(suggestion)}",
                ("expected_results", index, "theme"),
            )


def _aliases(record: ValidRecord) -> list[str]:
    return [city.short for city in record.cities() if city.short]


def _idle_partners(record: ValidRecord) -> Iterator[Finding]:
    if not record.activities:
        return
    taking_part = {
        vocab.city_key(name) for activity in record.activities for name in activity.cities
    }
    for index, partner in enumerate(record.partners):
        if not any(vocab.city_key(name) in taking_part for name in partner.names()):
            yield Finding(
                "W307",
                f"partner {partner.name!r} takes part in no activity",
                ("partners", index, "name"),
                hint="list it in the `cities` of the activities it took part in",
            )


def name_fixes(data: dict[str, Any], context: dict[str, Any]) -> Iterator[tuple[str, Fix]]:
    """Names that are right but not written as the official or configured name: an Urban
    Agenda topic in another case or with `&` for `and` (E111's list), a theme written with
    another case or separator than one of the configured `themes` (E114's list). Not
    problems, so never reported; `ucap validate --fix` writes the name, with the code of
    its list (so `--select`/`--ignore` choose them as they choose that code's fixes)."""
    topics = data.get("urban_agenda")
    for index, topic in enumerate(topics if isinstance(topics, list) else []):
        official = vocab.official_topic(topic) if isinstance(topic, str) else None
        if official is not None and official != topic:
            yield "E111", Fix(("urban_agenda", index), "replace", official)
    configured: tuple[str, ...] = tuple(context.get("themes") or ())
    if not configured:
        return
    for path, theme in _themes(data):
        name = vocab.single_candidate(theme, configured, spelling=False)
        if name is not None and name != theme:
            yield "E114", Fix(path, "replace", name)


def _themes(data: dict[str, Any]) -> Iterator[tuple[KeyPath, str]]:
    """Every theme a record names, with its key path (the record's, its activities', its
    expected results' and its focus')."""
    lists: list[tuple[KeyPath, Any]] = [(("themes",), data.get("themes"))]
    for table, key in (("activities", "themes"), ("expected_results", "theme"), ("focus", "theme")):
        entries = data.get(table)
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict) and key in entry:
                value = entry[key]
                if isinstance(value, str):
                    yield (table, index, key), value
                else:
                    lists.append(((table, index, key), value))
    for path, values in lists:
        for index, value in enumerate(values if isinstance(values, list) else []):
            if isinstance(value, str):
                yield (*path, index), value


_TOP = Position(1, 1)


@dataclass(frozen=True, slots=True)
class PlacedFinding(Finding):
    """A finding about the text itself (a comment), at a place rather than a key path."""

    at: Position = _TOP

    def position(self, source: SourceMap) -> Position:
        """Where the finding was made; the source map is not needed."""
        return self.at


# The mark `ucap import` puts on a guessed value: `# TODO: check`, or `# TODO: check: why`.
_TODO_MARK = re.compile(r"#\s*TODO:\s*check\b:?\s*(?P<why>.*)")


def todo_marks(text: str) -> list[Finding]:
    """W309 for every `# TODO: check` comment (a real comment, not text in a string)."""
    if "TODO" not in text:  # the usual case: no scan at all
        return []
    from ucap_cli.toml.layout import scan

    findings: list[Finding] = []
    for comment in scan(text).comments:
        match = _TODO_MARK.match(comment.text)
        if match is None:
            continue
        why = match.group("why").strip()
        findings.append(
            PlacedFinding(
                "W309",
                "value marked '# TODO: check' by ucap import"
                + (f" ({why})" if why else "")
                + ": check it and remove the mark",
                (),
                hint="compare the value with the summary it was imported from",
                at=Position(comment.line, comment.column),
            )
        )
    return findings


@dataclass(frozen=True, slots=True)
class IdOwner:
    """A file and the id it declares (None when it declares none that could be read)."""

    path: Path
    display: str
    id: str | None


def duplicate_ids(owners: Iterable[IdOwner]) -> dict[Path, list[Finding]]:
    """E201 for every file whose id another file of the collection also uses."""
    by_id: dict[str, list[IdOwner]] = {}
    for owner in owners:
        if owner.id is not None:
            by_id.setdefault(owner.id, []).append(owner)
    found: dict[Path, list[Finding]] = {}
    for record_id, users in by_id.items():
        if len(users) < 2:
            continue
        for owner in users:
            others = ", ".join(o.display for o in users if o is not owner)
            found.setdefault(owner.path, []).append(
                Finding(
                    "E201",
                    f"id {record_id!r} is also used by {others}",
                    ("id",),
                    hint="ids must be unique in the collection; rename one of the records",
                )
            )
    return found
