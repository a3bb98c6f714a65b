"""The changes view's data: what changed in the records between two revisions.

`compare` is pure: it takes the record files that changed, as they are at each revision
(`Version`: a path, the record as far as it could be read, its first error), pairs them into
records, and says what changed in each: the record added, removed or moved; its fields; its
partners; its activities added, removed or changed (and the agreements added to them); its
expected results. `build_changes` asks the store for the files git says changed.

Activities and expected results have no id: how one is recognised across revisions is the
rule of `pair_activities` and `pair_results` (docs/changes.md says it in words).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any, Literal, TypeVar

from ucap_cli.check.loader import RecordFile
from ucap_cli.check.problems import Problem
from ucap_cli.check.result import FileStatus
from ucap_cli.config import Config
from ucap_cli.record import vocab
from ucap_cli.record.fields import activity_fields, record_fields
from ucap_cli.record.model import Activity, Agreement, City, ExpectedResult, Record
from ucap_cli.store.history import Revision, read_changes
from ucap_cli.views.query import Filters, activity_matches, record_matches
from ucap_cli.views.report import Report

T = TypeVar("T")
CLOSE = 60  # similarity (0-100) from which two titles or texts are close
Kind = Literal["added", "removed", "changed", "unreadable"]
# Fields of a record compared one by one, not as a whole value.
_ITEMISED = ("partners", "activities", "expected_results")


@dataclass(frozen=True)
class Version:
    """A record file at one revision: its path as shown, its record as far as it could be
    read (None: its TOML could not be read), and its first error."""

    path: str
    record: Record | None
    error: Problem | None = None


@dataclass(frozen=True)
class FieldChange:
    """A field whose value changed: its name, and its value before and after (None: absent)."""

    name: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ActivityChange:
    """An activity found at both revisions (`how`: by which rule) that changed: its fields
    but agreements, in the model's order, and the agreements added to it and removed."""

    old: Activity
    new: Activity
    how: str
    fields: tuple[FieldChange, ...] = ()
    agreements_added: tuple[Agreement, ...] = ()
    agreements_removed: tuple[Agreement, ...] = ()


@dataclass(frozen=True)
class ResultChange:
    """An expected result found at both revisions that changed."""

    old: ExpectedResult
    new: ExpectedResult
    fields: tuple[FieldChange, ...]

    @property
    def status_changed(self) -> bool:
        """True when its status changed."""
        return self.old.status != self.new.status


@dataclass(frozen=True)
class PartnerChange:
    """A partner city (same name) whose details changed."""

    old: City
    new: City
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class RecordChange:
    """What changed in one record. `kind`: added, removed, changed (moved included), or
    unreadable (its file's TOML could not be read at a revision: see the errors)."""

    kind: Kind
    id: str
    title: str
    old_path: str | None
    new_path: str | None
    old_error: Problem | None = None
    new_error: Problem | None = None
    fields: tuple[FieldChange, ...] = ()
    partners_added: tuple[City, ...] = ()
    partners_removed: tuple[City, ...] = ()
    partners_changed: tuple[PartnerChange, ...] = ()
    activities_added: tuple[Activity, ...] = ()
    activities_removed: tuple[Activity, ...] = ()
    activities_changed: tuple[ActivityChange, ...] = ()
    results_added: tuple[ExpectedResult, ...] = ()
    results_removed: tuple[ExpectedResult, ...] = ()
    results_changed: tuple[ResultChange, ...] = ()
    old: Record | None = field(default=None, repr=False, compare=False)
    new: Record | None = field(default=None, repr=False, compare=False)

    @property
    def moved(self) -> bool:
        """True when the record's file has a new path."""
        return (
            self.kind == "changed"
            and self.old_path is not None
            and self.new_path is not None
            and self.old_path != self.new_path
        )

    @property
    def has_changes(self) -> bool:
        """True when anything changed (a move, a field, a partner, an activity, a result)."""
        return self.kind != "changed" or bool(
            self.moved
            or self.fields
            or self.partners_added
            or self.partners_removed
            or self.partners_changed
            or self.activities_added
            or self.activities_removed
            or self.activities_changed
            or self.results_added
            or self.results_removed
            or self.results_changed
        )

    @property
    def agreements_added(self) -> int:
        """Agreements signed in activities added, and added to activities (counting `count`)."""
        return sum(a.count for act in self.activities_added for a in act.agreements) + sum(
            a.count for c in self.activities_changed for a in c.agreements_added
        )

    @property
    def agreements_removed(self) -> int:
        """Agreements of activities removed, and removed from activities (counting `count`)."""
        return sum(a.count for act in self.activities_removed for a in act.agreements) + sum(
            a.count for c in self.activities_changed for a in c.agreements_removed
        )

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The record file's first error at each revision where it has one."""
        return tuple(e for e in (self.old_error, self.new_error) if e is not None)


@dataclass(frozen=True)
class Totals:
    """How much changed, over the records shown."""

    records_added: int = 0
    records_removed: int = 0
    records_changed: int = 0
    records_moved: int = 0
    records_unreadable: int = 0
    activities_added: int = 0
    activities_removed: int = 0
    activities_changed: int = 0
    agreements_added: int = 0
    agreements_removed: int = 0
    results_status_changed: int = 0

    def to_json(self) -> dict[str, int]:
        """JSON-ready data."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class Changes:
    """The changes between two revisions, record by record (in id order); `files`: how many
    record files git said changed; `unchanged`: of their records, how many did not change
    (a comment or the layout did), filters aside; `filtered`: filters chose the records."""

    old: Revision
    new: Revision
    folder: str
    records: list[RecordChange]
    files: int = 0
    unchanged: int = 0
    filtered: bool = False

    @property
    def totals(self) -> Totals:
        """The counts of every kind of change."""
        shown = self.records
        return Totals(
            records_added=sum(r.kind == "added" for r in shown),
            records_removed=sum(r.kind == "removed" for r in shown),
            records_changed=sum(r.kind == "changed" for r in shown),
            records_moved=sum(r.moved for r in shown),
            records_unreadable=sum(r.kind == "unreadable" for r in shown),
            activities_added=sum(len(r.activities_added) for r in shown),
            activities_removed=sum(len(r.activities_removed) for r in shown),
            activities_changed=sum(len(r.activities_changed) for r in shown),
            agreements_added=sum(r.agreements_added for r in shown),
            agreements_removed=sum(r.agreements_removed for r in shown),
            results_status_changed=sum(c.status_changed for r in shown for c in r.results_changed),
        )


# --------------------------------------------------------------------------- pairing


def similarity(a: str, b: str) -> float:
    """How close two texts are, 0 to 100, case and accents aside: 100 when one contains the
    other, else the share of their characters that match, in order (difflib's ratio)."""
    from difflib import SequenceMatcher

    left, right = vocab.fold(a), vocab.fold(b)
    if left and right and (left in right or right in left):
        return 100.0
    return 100.0 * SequenceMatcher(None, left, right, autojunk=False).ratio()


Pair = tuple[int, int, str]
Score = Callable[[int, int], "tuple[float, ...] | None"]
# Candidate pairs one pass may score: past them (a record with thousands of activities on one
# day), the pass pairs nothing, and the activities left are shown removed and added.
MAX_CANDIDATES = 250_000


@dataclass(frozen=True)
class Pass:
    """One rule of pairing: items are candidates when their `key`s are equal (None: never),
    and the candidate pairs are taken best `score` first (None: not a candidate)."""

    name: str
    key: Callable[[Any], Any]
    score: Score


def _greedy(
    old: Sequence[T], new: Sequence[T], passes: Sequence[Pass]
) -> tuple[list[Pair], list[int], list[int]]:
    """Pair items of `old` with items of `new`, pass after pass, among those still unpaired:
    each pass scores the candidate pairs and takes the best first (ties: in list order). The
    pairs (old index, new index, the pass's name), then the indices left unpaired on each
    side."""
    free_old, free_new = set(range(len(old))), set(range(len(new)))
    pairs: list[Pair] = []
    for rule in passes:
        if not free_old or not free_new:
            break
        buckets: dict[Any, tuple[list[int], list[int]]] = {}
        for i in sorted(free_old):
            key = rule.key(old[i])
            if key is not None:
                buckets.setdefault(key, ([], []))[0].append(i)
        for j in sorted(free_new):
            key = rule.key(new[j])
            if key in buckets:
                buckets[key][1].append(j)
        if sum(len(a) * len(b) for a, b in buckets.values()) > MAX_CANDIDATES:
            continue
        candidates = [
            (s, i, j)
            for olds, news in buckets.values()
            for i in olds
            for j in news
            if (s := rule.score(i, j)) is not None
        ]
        candidates.sort(key=lambda c: (tuple(-x for x in c[0]), c[1], c[2]))
        for _, i, j in candidates:
            if i in free_old and j in free_new:
                pairs.append((i, j, rule.name))
                free_old.discard(i)
                free_new.discard(j)
    return sorted(pairs), sorted(free_old), sorted(free_new)


def pair_activities(
    old: Sequence[Activity], new: Sequence[Activity]
) -> tuple[list[Pair], list[int], list[int]]:
    """Which activity of `new` each activity of `old` is, by these rules, in turn, each among
    the activities not yet paired:

    1. `same`: the same date, kind and title (an identical activity first, then in order);
    2. `kind`: the same date and title (its kind changed);
    3. `re-dated`: the same title (case and accents aside) on another date: the same kind
       first, then the nearest date;
    4. `retitled`: the same date and a close title (one contains the other, or at least
       CLOSE per cent of their characters match, in order): the same kind first, then the
       closest title.

    An activity both re-dated and retitled is not recognised: it is removed and added."""

    def identical(i: int, j: int) -> tuple[float, ...]:
        return (float(old[i] == new[j]),)

    def nearest(i: int, j: int) -> tuple[float, ...] | None:
        a, b = old[i], new[j]
        if a.date == b.date:
            return None
        return (float(a.kind == b.kind), -float(abs((a.date.first - b.date.first).days)))

    def closest(i: int, j: int) -> tuple[float, ...] | None:
        a, b = old[i], new[j]
        close = similarity(a.title, b.title)
        return (float(a.kind == b.kind), close) if close >= CLOSE else None

    return _greedy(
        old,
        new,
        (
            Pass("same", lambda a: (a.date, a.kind, a.title), identical),
            Pass("kind", lambda a: (a.date, a.title), lambda i, j: (0.0,)),
            Pass("re-dated", lambda a: vocab.fold(a.title), nearest),
            Pass("retitled", lambda a: a.date, closest),
        ),
    )


def pair_results(
    old: Sequence[ExpectedResult], new: Sequence[ExpectedResult]
) -> tuple[list[Pair], list[int], list[int]]:
    """Which expected result of `new` each of `old` is: the same text (an identical result
    first), then a close text (as activity titles), the same theme first."""

    def reworded(i: int, j: int) -> tuple[float, ...] | None:
        a, b = old[i], new[j]
        close = similarity(a.text, b.text)
        return (float(a.theme == b.theme), close) if close >= CLOSE else None

    return _greedy(
        old,
        new,
        (
            Pass("same", lambda r: r.text, lambda i, j: (float(old[i] == new[j]),)),
            Pass("reworded", lambda r: 0, reworded),
        ),
    )


def pair_partners(
    old: Sequence[City], new: Sequence[City]
) -> tuple[list[Pair], list[int], list[int]]:
    """Partners are the same city when their names are (case, accents and spaces aside)."""
    return _greedy(
        old,
        new,
        (Pass("same", lambda c: vocab.city_key(c.name), lambda i, j: (float(old[i] == new[j]),)),),
    )


# --------------------------------------------------------------------------- comparing


def field_changes(old: Any, new: Any, names: Iterable[str]) -> tuple[FieldChange, ...]:
    """The fields of `names` whose values differ between two tables (None: no table)."""
    return tuple(
        FieldChange(name, a, b)
        for name in names
        if (a := getattr(old, name, None)) != (b := getattr(new, name, None))
    )


def _multiset_difference(old: Sequence[T], new: Sequence[T]) -> tuple[list[T], list[T]]:
    """Items of `old` not in `new` and items of `new` not in `old`, counting repeats."""
    left = list(new)
    removed = []
    for item in old:
        if item in left:
            left.remove(item)
        else:
            removed.append(item)
    return removed, left


def activity_change(old: Activity, new: Activity, how: str) -> ActivityChange | None:
    """What changed in an activity (None: nothing)."""
    if old == new:
        return None
    names = (n for n in activity_fields() if n != "agreements")
    fields = field_changes(old, new, names)
    removed, added = _multiset_difference(old.agreements, new.agreements)
    if not (fields or removed or added):
        return None
    return ActivityChange(old, new, how, fields, tuple(added), tuple(removed))


def record_change(
    old: Record | None,
    new: Record | None,
    *,
    old_path: str | None = None,
    new_path: str | None = None,
) -> RecordChange:
    """What changed from record `old` to record `new`; a record added when `old` is None,
    removed when `new` is None (every part of it added or removed)."""
    kind: Kind = "added" if old is None else "removed" if new is None else "changed"
    names = (n for n in record_fields() if n not in _ITEMISED)
    fields = field_changes(old, new, names) if old is not None and new is not None else ()
    shown = new if new is not None else old
    assert shown is not None, "a record at one revision at least"
    # (No empty Record is made for a missing side: that would build the lenient model's
    # validator, a tenth of a second, for nothing.)
    before = _Parts.of(old)
    after = _Parts.of(new)

    partner_pairs, partners_gone, partners_new = pair_partners(before.partners, after.partners)
    partners_changed = []
    for i, j, _ in partner_pairs:
        details = field_changes(before.partners[i], after.partners[j], City.model_fields)
        if details:
            partners_changed.append(PartnerChange(before.partners[i], after.partners[j], details))

    pairs, gone, arrived = pair_activities(before.activities, after.activities)
    changed = [
        c
        for i, j, how in pairs
        if (c := activity_change(before.activities[i], after.activities[j], how)) is not None
    ]

    result_pairs, results_gone, results_new = pair_results(
        before.expected_results, after.expected_results
    )
    results_changed = []
    for i, j, _ in result_pairs:
        a, b = before.expected_results[i], after.expected_results[j]
        details = field_changes(a, b, ExpectedResult.model_fields)
        if details:
            results_changed.append(ResultChange(a, b, details))

    return RecordChange(
        kind=kind,
        id=shown.id,
        title=shown.display_title,
        old_path=old_path,
        new_path=new_path,
        fields=fields,
        partners_added=tuple(after.partners[j] for j in partners_new),
        partners_removed=tuple(before.partners[i] for i in partners_gone),
        partners_changed=tuple(partners_changed),
        activities_added=_dated(after.activities[j] for j in arrived),
        activities_removed=_dated(before.activities[i] for i in gone),
        activities_changed=tuple(sorted(changed, key=lambda c: c.new.date.sort_key)),
        results_added=tuple(after.expected_results[j] for j in results_new),
        results_removed=tuple(before.expected_results[i] for i in results_gone),
        results_changed=tuple(results_changed),
        old=old,
        new=new,
    )


@dataclass(frozen=True)
class _Parts:
    """The lists of a record compared item by item (empty for a record that is not there)."""

    partners: Sequence[City] = ()
    activities: Sequence[Activity] = ()
    expected_results: Sequence[ExpectedResult] = ()

    @classmethod
    def of(cls, record: Record | None) -> _Parts:
        if record is None:
            return cls()
        return cls(record.partners, record.activities, record.expected_results)


def _dated(activities: Iterable[Activity]) -> tuple[Activity, ...]:
    return tuple(sorted(activities, key=lambda a: a.date.sort_key))


def _key(version: Version) -> str:
    """The id a file's record is paired by: its id, else (not TOML) the file's name."""
    if version.record is not None:
        return version.record.id
    return PurePath(version.path).stem


def pair_versions(
    old: Sequence[Version], new: Sequence[Version]
) -> list[tuple[Version | None, Version | None]]:
    """The files of both revisions paired into records: the same id at the same path, then
    the same id at another path (a move), then the same path (its id changed, or its TOML
    could not be read at a revision); the rest were added or removed."""
    none = lambda i, j: (0.0,)  # noqa: E731 - every candidate is as good: in path order

    def readable_id(version: Version) -> str | None:
        return version.record.id if version.record is not None else None

    pairs, gone, arrived = _greedy(
        old,
        new,
        (
            Pass("same", lambda v: (_key(v), v.path), none),
            Pass("moved", readable_id, none),
            Pass("path", lambda v: v.path, none),
        ),
    )
    found: list[tuple[Version | None, Version | None]] = [(old[i], new[j]) for i, j, _ in pairs]
    found += [(old[i], None) for i in gone]
    found += [(None, new[j]) for j in arrived]
    return found


def compare(
    old: Sequence[Version], new: Sequence[Version], filters: Filters | None = None
) -> tuple[list[RecordChange], int]:
    """The records that changed between two revisions, given the files that changed as they
    are at each (a file absent at a revision is not in its list), in id order; and how many
    paired records did not change at all. `filters` choose the records that match at either
    revision (a record whose TOML could not be read is always shown); activity-level filters
    also choose the activities whose changes are shown."""
    filters = filters or Filters()
    changes: list[RecordChange] = []
    unchanged = 0
    for before, after in pair_versions(old, new):
        a = before.record if before else None
        b = after.record if after else None
        old_path = before.path if before else None
        new_path = after.path if after else None
        old_error = before.error if before else None
        new_error = after.error if after else None
        if (before and a is None) or (after and b is None):
            shown = b or a
            version = after or before
            assert version is not None
            changes.append(
                RecordChange(
                    "unreadable",
                    shown.id if shown else _key(version),
                    shown.display_title if shown else "",
                    old_path,
                    new_path,
                    old_error,
                    new_error,
                    old=a,
                    new=b,
                )
            )
            continue
        change = record_change(a, b, old_path=old_path, new_path=new_path)
        change = replace(change, old_error=old_error, new_error=new_error)
        if not change.has_changes:
            unchanged += 1
            continue
        if not any(r is not None and record_matches(r, filters) for r in (a, b)):
            continue
        if filters.has_activity_filters:
            change = _chosen_activities(change, filters)
        if change.has_changes:
            changes.append(change)
    changes.sort(key=lambda c: (c.id, c.new_path or c.old_path or ""))
    return changes, unchanged


def _chosen_activities(change: RecordChange, filters: Filters) -> RecordChange:
    """`change` with only the activity changes of activities that `filters` choose at either
    revision."""
    old, new = change.old, change.new

    def chosen(record: Record | None, activity: Activity) -> bool:
        return record is not None and activity_matches(record, activity, filters)

    return replace(
        change,
        activities_added=tuple(a for a in change.activities_added if chosen(new, a)),
        activities_removed=tuple(a for a in change.activities_removed if chosen(old, a)),
        activities_changed=tuple(
            c for c in change.activities_changed if chosen(old, c.old) or chosen(new, c.new)
        ),
    )


# --------------------------------------------------------------------------- the view


def version_of(file: RecordFile) -> Version:
    """A loaded record file as `compare` takes it: its path as shown in the working tree
    (its display names the revision it was read at)."""
    from ucap_cli.toml.files import display_path

    return Version(display_path(file.path), file.record, file.first_error)


def _status(file: RecordFile) -> FileStatus:
    return FileStatus(
        file.path, file.display, file.declared_id, file.first_error, file.record is not None
    )


def build_changes(
    config: Config,
    old: str,
    new: str | None = None,
    filters: Filters | None = None,
    *,
    use_cache: bool = True,
) -> Report[Changes]:
    """What changed in the records folder from revision `old` to revision `new` (None: the
    working tree, uncommitted edits and new files included); only the files git says
    changed are read. The report's files: those with errors at either revision."""
    from ucap_cli.toml.files import display_path

    history = read_changes(config, old, new, use_cache=use_cache)
    records, unchanged = compare(
        [version_of(f) for f in history.old_files],
        [version_of(f) for f in history.new_files],
        filters,
    )
    files = [_status(f) for f in (*history.old_files, *history.new_files) if f.first_error]
    data = Changes(
        history.old,
        history.new,
        display_path(config.records),
        records,
        history.paths,
        unchanged,
        filtered=filters is not None and filters != Filters(),
    )
    return Report(data, sorted(files, key=lambda f: f.display), history.cache_warning)
