"""The filters people ask with, and which records and activities pass them; pure, no output.

The same option given twice means OR, different options mean AND. Record-level options (SDG,
topic, theme, country, programme, an expected result's status) choose records;
activity-level options (city, kind, organisation, dates, search, an activity's status) choose
activities, and match a record when the record itself or any of its activities matches.
`--status` is the status of an expected result in the record views (`list`, `show`) and the
status of an activity in the activity views (`timeline`, `summary`).

Records may have errors: the matching reads them as far as they could be read, and a part
that could not be read (an unknown period or lead city) matches no condition on it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from ucap_cli.errors import UsageError
from ucap_cli.record import vocab
from ucap_cli.record.countries import find_country, suggest_country
from ucap_cli.record.dates import (
    DateError,
    Interval,
    PartialDate,
    parse_partial_date,
    parse_period,
    span,
)
from ucap_cli.record.model import Activity, Record

# Splits a free-text `where` ("Nice, Granada and Rome") into the places it names.
_PLACES = re.compile(r"\s*(?:,|;|/|&|\band\b)\s*", re.IGNORECASE)
_SDG = re.compile(r"(?:sdg)?\s*(\d{1,3})", re.IGNORECASE)
T = TypeVar("T")


@dataclass(frozen=True)
class Filters:
    """What to keep; empty tuples and None mean "no condition"."""

    cities: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2 codes
    themes: tuple[str, ...] = ()
    sdgs: tuple[int, ...] = ()
    topics: tuple[str, ...] = ()  # official Urban Agenda names
    kinds: tuple[str, ...] = ()  # activity kinds
    orgs: tuple[str, ...] = ()
    since: PartialDate | None = None
    until: PartialDate | None = None
    during: tuple[Interval, ...] = ()
    search: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # expected-result status
    activity_statuses: tuple[str, ...] = ()

    @property
    def has_activity_filters(self) -> bool:
        """True when an option that chooses activities is set."""
        return bool(
            self.cities
            or self.kinds
            or self.orgs
            or self.since
            or self.until
            or self.during
            or self.search
            or self.activity_statuses
        )

    @property
    def window(self) -> Interval | None:
        """The `--since`/`--until` range, or None when neither is given."""
        if self.since is None and self.until is None:
            return None
        start = self.since.first if self.since else dt.date.min
        return Interval(start, self.until.last if self.until else None)


@dataclass(frozen=True)
class Match:
    """A record that passed, with its activities that passed (in date order)."""

    record: Record
    activities: tuple[Activity, ...]


# --- parsing option values ---------------------------------------------------------------


def parse_filters(
    *,
    city: Iterable[str] = (),
    country: Iterable[str] = (),
    theme: Iterable[str] = (),
    sdg: Iterable[str | int] = (),
    topic: Iterable[str] = (),
    kind: Iterable[str] = (),
    org: Iterable[str] = (),
    since: str | None = None,
    until: str | None = None,
    during: Iterable[str] = (),
    search: Iterable[str] = (),
    programme: Iterable[str] = (),
    status: Iterable[str] = (),
    activity_kinds: tuple[str, ...] = (),
    status_of: Literal["results", "activities"] = "results",
) -> Filters:
    """Option values -> Filters; a value that can never match is a UsageError with a hint.

    `status_of`: what `--status` is the status of, expected results or activities."""
    since_date = _date("--since", since)
    until_date = _date("--until", until)
    if since_date and until_date and since_date.first > until_date.last:
        raise UsageError(f"--since {since_date} is after --until {until_date}: nothing can match")
    return Filters(
        cities=_texts("--city", city),
        countries=tuple(_country(v) for v in _texts("--country", country)),
        themes=_texts("--theme", theme),
        sdgs=tuple(_sdg(v) for v in sdg),
        topics=tuple(_topic(v) for v in _texts("--topic", topic)),
        kinds=tuple(_kind(v, (*vocab.ACTIVITY_KINDS, *activity_kinds)) for v in kind),
        orgs=_texts("--org", org),
        since=since_date,
        until=until_date,
        during=tuple(_period(v) for v in during),
        search=_texts("--search", search),
        programmes=_texts("--programme", programme),
        statuses=tuple(_status(v) for v in status) if status_of == "results" else (),
        activity_statuses=(
            tuple(_status(v, "activity") for v in status) if status_of == "activities" else ()
        ),
    )


def _texts(option: str, values: Iterable[str]) -> tuple[str, ...]:
    found = tuple(v.strip() for v in values)
    if any(not v for v in found):
        raise UsageError(f"{option}: empty value")
    return found


def _date(option: str, value: str | None) -> PartialDate | None:
    if value is None:
        return None
    try:
        return parse_partial_date(value.strip())
    except DateError as error:
        raise UsageError(f"{option}: {error}", hint="e.g. 2017, 2017-06 or 2017-06-15") from None


def _period(value: str) -> Interval:
    try:
        return parse_period(value)
    except DateError as error:
        raise UsageError(f"--during: {error}") from None


def _sdg(value: str | int) -> int:
    match = _SDG.fullmatch(str(value).strip())
    number = int(match.group(1)) if match else None
    if number is None or number not in vocab.SDGS:
        raise UsageError(
            f"--sdg: expected a Sustainable Development Goal number 1-17, got {str(value)!r}",
            hint="SDGs are numbered 1 to 17 (`ucap show` lists the names of a record's SDGs)",
        )
    return number


def _topic(value: str) -> str:
    official = vocab.match_topic(value)
    if official is None:
        suggestion = vocab.did_you_mean(vocab.suggest_topic(value))
        raise UsageError(
            f"--topic: unknown EU Urban Agenda topic {value!r}{suggestion}",
            hint="topics: " + "; ".join(vocab.URBAN_AGENDA_TOPICS),
        )
    return official


def _country(value: str) -> str:
    country = find_country(value)
    if country is None:
        suggestion = vocab.did_you_mean(suggest_country(value))
        raise UsageError(
            f"--country: unknown country {value!r}{suggestion}",
            hint="use an ISO 3166-1 name or code (China, CN, CHN)",
        )
    return country.alpha_2


def _kind(value: str, allowed: tuple[str, ...]) -> str:
    kind = value.strip().lower()
    if kind not in allowed:
        suggestion = vocab.did_you_mean(vocab.closest(kind, allowed))
        raise UsageError(
            f"--kind: unknown activity kind {value!r}{suggestion}",
            hint="kinds: " + ", ".join(allowed),
        )
    return kind


def _status(value: str, of: Literal["expected-result", "activity"] = "expected-result") -> str:
    status = value.strip().lower()
    allowed = vocab.RESULT_STATUSES if of == "expected-result" else vocab.ACTIVITY_STATUSES
    if status not in allowed:
        suggestion = vocab.did_you_mean(vocab.closest(status, allowed))
        raise UsageError(
            f"--status: unknown {of} status {value!r}{suggestion}",
            hint="statuses: " + ", ".join(allowed),
        )
    return status


# --- matching -----------------------------------------------------------------------------


def _contains(needles: Iterable[str], haystacks: Iterable[str]) -> bool:
    """True when one of the needles is a case/accent-insensitive substring of a haystack."""
    folded = [vocab.fold(n) for n in needles]
    return any(n in vocab.fold(h) for h in haystacks for n in folded)


def _city_keys(record: Record, wanted: tuple[str, ...]) -> set[str]:
    """The keys of the cities asked for, widened with the names/aliases of the record's cities."""
    keys = {vocab.city_key(c) for c in wanted}
    for city in record.cities():
        names = {vocab.city_key(n) for n in city.names()}
        if names & keys:
            keys |= names
    return keys


def _places(activity: Activity) -> Iterator[str]:
    yield from activity.cities
    if activity.where:
        yield activity.where
        yield from (p for p in _PLACES.split(activity.where) if p)


def activity_places(activity: Activity) -> list[str]:
    """The places an activity names: its `cities`, its `where` and each place `where` lists."""
    return list(_places(activity))


def _activity_orgs(activity: Activity) -> Iterator[str]:
    yield from activity.organisations
    for agreement in activity.agreements:
        yield from agreement.parties


def _activity_text(activity: Activity) -> Iterator[str]:
    yield activity.title
    if activity.summary:
        yield activity.summary
    yield from activity.outputs
    yield from (a.title for a in activity.agreements if a.title)


def _record_orgs(record: Record) -> Iterator[str]:
    yield from (o.name for o in record.organisations)
    yield from (o for r in record.expected_results for o in r.organisations)
    for activity in record.activities:
        yield from _activity_orgs(activity)


def _record_text(record: Record) -> Iterator[str]:
    yield record.display_title
    if record.summary:
        yield record.summary
    yield from (f.text for f in record.focus)
    yield from record.challenges
    yield from record.objectives
    yield from (r.text for r in record.expected_results)


def _activity_span(activity: Activity) -> Interval:
    return span(activity.date, activity.interval_end)


def _in_time(interval: Interval, filters: Filters) -> bool:
    window = filters.window
    if window is not None and not interval.overlaps(window):
        return False
    return not filters.during or any(interval.overlaps(p) for p in filters.during)


def _record_level(record: Record, filters: Filters) -> bool:
    """The options that only a record can answer: SDG, topic, theme, country, programme, status."""
    if filters.sdgs and not set(filters.sdgs) & set(record.sdgs):
        return False
    if filters.topics and not set(filters.topics) & set(record.urban_agenda):
        return False
    if filters.themes and not {vocab.fold(t) for t in filters.themes} & {
        vocab.fold(t) for t in record.themes
    }:
        return False
    if filters.countries:
        codes = {c.alpha_2 for city in record.cities() if (c := find_country(city.country))}
        if not codes & set(filters.countries):
            return False
    if filters.programmes and vocab.fold(record.programme or "") not in {
        vocab.fold(p) for p in filters.programmes
    }:
        return False
    return not filters.statuses or bool(
        set(filters.statuses) & {r.status for r in record.expected_results}
    )


def activity_matches(record: Record, activity: Activity, filters: Filters) -> bool:
    """True when `activity` (of `record`) passes every activity-level option."""
    if filters.cities:
        keys = _city_keys(record, filters.cities)
        if not any(vocab.city_key(place) in keys for place in _places(activity)):
            return False
    if filters.kinds and activity.kind not in filters.kinds:
        return False
    if filters.activity_statuses and activity.status not in filters.activity_statuses:
        return False
    if filters.orgs and not _contains(filters.orgs, _activity_orgs(activity)):
        return False
    if not _in_time(_activity_span(activity), filters):
        return False
    return not filters.search or _contains(filters.search, _activity_text(activity))


def record_matches(record: Record, filters: Filters) -> bool:
    """True when `record` passes every option; an activity-level option is passed when the
    record itself or any one of its activities passes it."""
    if not _record_level(record, filters):
        return False
    activities = record.activities
    if filters.cities:
        keys = _city_keys(record, filters.cities)
        own = any(vocab.city_key(n) in keys for c in record.cities() for n in c.names())
        if not own and not any(vocab.city_key(p) in keys for a in activities for p in _places(a)):
            return False
    if filters.kinds and not any(a.kind in filters.kinds for a in activities):
        return False
    if filters.activity_statuses and not any(
        a.status in filters.activity_statuses for a in activities
    ):
        return False
    if filters.orgs and not _contains(filters.orgs, _record_orgs(record)):
        return False
    period = record.period
    if (filters.window or filters.during) and not (
        (period is not None and _in_time(span(period.start, period.end), filters))
        or any(_in_time(_activity_span(a), filters) for a in activities)
    ):
        return False
    return not filters.search or _contains(
        filters.search, (*_record_text(record), *(t for a in activities for t in _activity_text(a)))
    )


def _dated(activities: Iterable[Activity]) -> tuple[Activity, ...]:
    return tuple(sorted(activities, key=lambda a: a.date.sort_key))


def _chosen_activities(record: Record, filters: Filters) -> tuple[Activity, ...]:
    if not filters.has_activity_filters:
        return _dated(record.activities)
    return _dated(a for a in record.activities if activity_matches(record, a, filters))


def match_record(record: Record, filters: Filters) -> Match | None:
    """The record and its chosen activities when the record matches every option."""
    if not record_matches(record, filters):
        return None
    return Match(record, _chosen_activities(record, filters))


def match_activities(record: Record, filters: Filters) -> Match | None:
    """For activity views: the record when the record-level options choose it, with its
    matching activities; None when an activity-level option is set and none matches."""
    if not _record_level(record, filters):
        return None
    activities = _chosen_activities(record, filters)
    if activities or not filters.has_activity_filters:
        return Match(record, activities)
    return None


# --- sorting ------------------------------------------------------------------------------


def _text_key(text: str | None) -> tuple[int, str]:
    return (0, vocab.fold(text)) if text else (1, "")


def start_key(record: Record) -> tuple[Any, ...]:
    """Orders records by the start of their period; an unknown period sorts last."""
    period = record.period
    return (1,) if period is None else (0, period.start.sort_key)


def _end_key(match: Match) -> tuple[Any, ...]:
    period = match.record.period
    if period is None:
        return (2,)  # unknown: after the ongoing ones
    return (1,) if period.end is None else (0, period.end.sort_key)  # ongoing sorts last


def _country_name(record: Record) -> str | None:
    """The lead city's country by its name (`EL` sorts as Greece), or as written when it is
    not a country ucap knows."""
    written = record.city.country if record.city else None
    country = find_country(written) if written else None
    return country.name if country else written


SORT_FIELDS: dict[str, Callable[[Match], Any]] = {
    "period": lambda m: start_key(m.record),
    "start": lambda m: start_key(m.record),
    "end": _end_key,
    "id": lambda m: m.record.id,
    "title": lambda m: _text_key(m.record.display_title),
    "city": lambda m: _text_key(m.record.city.name if m.record.city else None),
    "country": lambda m: _text_key(_country_name(m.record)),
    "programme": lambda m: _text_key(m.record.programme),
    "partners": lambda m: len(m.record.partners),
    "activities": lambda m: len(m.activities),
    "sdgs": lambda m: sorted(m.record.sdgs),
}


def sort_field(field: str) -> Callable[[Match], Any]:
    """The sort key of `field` (see SORT_FIELDS); an unknown field is a UsageError."""
    key = SORT_FIELDS.get(field.strip().lower())
    if key is None:
        suggestion = vocab.did_you_mean(vocab.closest(field, SORT_FIELDS))
        raise UsageError(
            f"--sort: unknown field {field!r}{suggestion}", hint="fields: " + ", ".join(SORT_FIELDS)
        )
    return key


def ordered(
    items: Iterable[T], key: Callable[[T], Any], ident: Callable[[T], str], reverse: bool = False
) -> list[T]:
    """`items` sorted by `key`, ties by `ident` (a record's id); all reversed with `reverse`."""
    return sorted(sorted(items, key=ident, reverse=reverse), key=key, reverse=reverse)


def sort_matches(
    matches: Iterable[Match], field: str = "period", reverse: bool = False
) -> list[Match]:
    """Sort by `field` (see SORT_FIELDS), ties by id; an unknown field is a UsageError."""
    return ordered(matches, sort_field(field), lambda m: m.record.id, reverse)
