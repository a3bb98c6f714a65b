"""`views.changes`: how records, activities and results are recognised across revisions, and
that the changes reported explain the difference between two versions of a record."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ucap_cli.record.model import Activity, Record
from ucap_cli.views.changes import (
    RecordChange,
    Version,
    compare,
    pair_activities,
    record_change,
)
from ucap_cli.views.query import parse_filters

BASE: dict[str, Any] = {
    "schema_version": 1,
    "id": "lyon-graz",
    "themes": ["Mobility"],
    "period": {"start": "2017-03", "end": "2018-11"},
    "city": {"name": "Lyon", "country": "France"},
    "partners": [{"name": "Graz", "country": "AT"}],
}


def record(activities: list[dict[str, Any]] = (), **fields: Any) -> Record:  # type: ignore[assignment]
    return Record.model_validate({**BASE, "activities": list(activities), **fields})


def act(date: str, kind: str, title: str, **fields: Any) -> dict[str, Any]:
    return {"date": date, "kind": kind, "title": title, **fields}


def titles(activities: tuple[Activity, ...]) -> list[str]:
    return [a.title for a in activities]


# --------------------------------------------------------------------------- activities


def test_two_activities_on_one_day_one_retitled() -> None:
    old = record(
        [act("2018-02-01", "workshop", "Tram workshop"), act("2018-02-01", "visit", "Depot visit")]
    )
    new = record(
        [
            act("2018-02-01", "visit", "Depot visit"),
            act("2018-02-01", "workshop", "Tram workshop with TCL"),
        ]
    )
    change = record_change(old, new)
    assert not change.activities_added and not change.activities_removed
    (item,) = change.activities_changed
    assert (item.old.title, item.new.title, item.how) == (
        "Tram workshop",
        "Tram workshop with TCL",
        "retitled",
    )
    assert [(f.name, f.old, f.new) for f in item.fields] == [
        ("title", "Tram workshop", "Tram workshop with TCL")
    ]


def test_two_activities_on_one_day_both_retitled_pair_with_the_closest() -> None:
    old = record(
        [
            act("2018-02-01", "visit", "Visit to the tram depot"),
            act("2018-02-01", "visit", "Visit to the bus depot"),
        ]
    )
    new = record(
        [
            act("2018-02-01", "visit", "Visit to the bus depot of TCL"),
            act("2018-02-01", "visit", "Visit to the tram depot of TCL"),
        ]
    )
    change = record_change(old, new)
    pairs = sorted((c.old.title, c.new.title) for c in change.activities_changed)
    assert pairs == [
        ("Visit to the bus depot", "Visit to the bus depot of TCL"),
        ("Visit to the tram depot", "Visit to the tram depot of TCL"),
    ]


def test_two_identical_keys_on_one_day_pair_identical_first() -> None:
    # Two meetings with one title on one day: the unchanged one is not reported as changed.
    old = record(
        [
            act("2018-02-01", "meeting", "Meeting", status="planned"),
            act("2018-02-01", "meeting", "Meeting"),
        ]
    )
    new = record([act("2018-02-01", "meeting", "Meeting"), act("2018-02-01", "meeting", "Meeting")])
    change = record_change(old, new)
    (item,) = change.activities_changed
    assert [(f.name, f.old, f.new) for f in item.fields] == [("status", "planned", "done")]


def test_a_re_dated_activity_is_the_same_activity() -> None:
    old = record([act("2017", "other", "Year-only thing"), act("2017-06", "visit", "Graz visit")])
    new = record(
        [act("2017-09", "other", "Year-only thing"), act("2017-06", "visit", "Graz visit")]
    )
    (item,) = record_change(old, new).activities_changed
    assert item.how == "re-dated"
    assert [(f.name, str(f.old), str(f.new)) for f in item.fields] == [("date", "2017", "2017-09")]


def test_re_dated_pairs_with_the_nearest_date() -> None:
    old = record([act("2017-06-01", "visit", "Visit"), act("2017-12-01", "visit", "Visit")])
    new = record([act("2017-06-03", "visit", "Visit"), act("2017-12-05", "visit", "Visit")])
    pairs = sorted(
        (str(c.old.date), str(c.new.date)) for c in record_change(old, new).activities_changed
    )
    assert pairs == [("2017-06-01", "2017-06-03"), ("2017-12-01", "2017-12-05")]


def test_a_kind_changed_on_the_same_date_and_title() -> None:
    old = record([act("2017-06", "visit", "Delegation to Graz")])
    new = record([act("2017-06", "mission", "Delegation to Graz")])
    (item,) = record_change(old, new).activities_changed
    assert item.how == "kind"
    assert [(f.name, f.old, f.new) for f in item.fields] == [("kind", "visit", "mission")]


def test_re_dated_and_retitled_is_removed_and_added() -> None:
    old = record([act("2017-06", "visit", "Delegation to Graz")])
    new = record([act("2017-07", "visit", "Delegation to Graz and Vienna")])
    change = record_change(old, new)
    assert titles(change.activities_removed) == ["Delegation to Graz"]
    assert titles(change.activities_added) == ["Delegation to Graz and Vienna"]
    assert not change.activities_changed


def test_an_unrelated_title_on_the_same_day_is_not_a_retitle() -> None:
    old = record([act("2017-06-15", "workshop", "Tram workshop")])
    new = record([act("2017-06-15", "workshop", "Signing ceremony with the mayors")])
    change = record_change(old, new)
    assert (titles(change.activities_removed), titles(change.activities_added)) == (
        ["Tram workshop"],
        ["Signing ceremony with the mayors"],
    )


def test_agreements_added_to_an_existing_activity() -> None:
    mou = {"kind": "mou", "parties": ["Lyon", "Graz"]}
    coop = {"kind": "cooperation-agreement", "parties": ["Lyon", "Graz"], "count": 2}
    old = record([act("2017-06", "signing", "Signing", agreements=[mou])])
    new = record([act("2017-06", "signing", "Signing", agreements=[mou, coop])])
    change = record_change(old, new)
    (item,) = change.activities_changed
    assert not item.fields
    assert [(a.kind, a.count) for a in item.agreements_added] == [("cooperation-agreement", 2)]
    assert change.agreements_added == 2


def test_a_result_whose_status_changed_and_one_reworded() -> None:
    old = record(
        expected_results=[
            {"text": "A joint e-bus pilot", "status": "planned"},
            {"text": "Two city twinning", "status": "in-progress"},
        ]
    )
    new = record(
        expected_results=[
            {"text": "Two city twinning agreements", "status": "in-progress"},
            {"text": "A joint e-bus pilot", "status": "achieved"},
        ]
    )
    change = record_change(old, new)
    assert not change.results_added and not change.results_removed
    by_text = {
        c.new.text: [(f.name, f.old, f.new) for f in c.fields] for c in change.results_changed
    }
    assert by_text == {
        "A joint e-bus pilot": [("status", "planned", "achieved")],
        "Two city twinning agreements": [
            ("text", "Two city twinning", "Two city twinning agreements")
        ],
    }
    assert sum(c.status_changed for c in change.results_changed) == 1


def test_period_and_partners() -> None:
    old = record(partners=[{"name": "Graz", "country": "AT"}, {"name": "Málaga", "country": "ES"}])
    new = record(
        period={"start": "2017-03"},
        partners=[{"name": "graz", "country": "Austria"}, {"name": "Nice", "country": "FR"}],
    )
    change = record_change(old, new)
    assert [f.name for f in change.fields] == ["period"]
    assert [p.name for p in change.partners_added] == ["Nice"]
    assert [p.name for p in change.partners_removed] == ["Málaga"]
    (partner,) = change.partners_changed
    assert [(f.name, f.old, f.new) for f in partner.fields] == [
        ("name", "Graz", "graz"),
        ("country", "AT", "Austria"),
    ]


# --------------------------------------------------------------------------- records


def test_records_added_removed_moved_and_id_changed() -> None:
    a, b, c = record(id="a"), record(id="b"), record(id="c")
    old = [
        Version("records/a.toml", a),
        Version("records/b.toml", b),
        Version("records/x.toml", record(id="x")),
    ]
    new = [
        Version("records/2017/a.toml", a),  # moved
        Version("records/c.toml", c),  # added
        Version("records/x.toml", record(id="y")),  # its id changed
    ]  # b removed
    changes, unchanged = compare(old, new)
    summary = [(r.id, r.kind, r.moved, r.old_path, r.new_path) for r in changes]
    assert summary == [
        ("a", "changed", True, "records/a.toml", "records/2017/a.toml"),
        ("b", "removed", False, "records/b.toml", None),
        ("c", "added", False, None, "records/c.toml"),
        ("y", "changed", False, "records/x.toml", "records/x.toml"),
    ]
    assert [(f.name, f.old, f.new) for f in changes[3].fields] == [("id", "x", "y")]
    assert unchanged == 0


def test_a_file_that_is_not_toml_at_one_revision_is_not_a_removal() -> None:
    old = [Version("records/a.toml", record(id="a"))]
    new = [Version("records/a.toml", None)]
    ((change,), _) = compare(old, new)
    assert (change.kind, change.id, change.old_path, change.new_path) == (
        "unreadable",
        "a",
        "records/a.toml",
        "records/a.toml",
    )


def test_unchanged_records_are_counted_not_shown() -> None:
    old = [Version("records/a.toml", record(id="a"))]
    new = [Version("records/a.toml", record(id="a"))]
    assert compare(old, new) == ([], 1)


def test_filters_choose_records_at_either_revision() -> None:
    before = record(partners=[{"name": "Graz", "country": "AT"}, {"name": "Nice", "country": "FR"}])
    after = record()  # Nice is no longer a partner: still a change about Nice
    other = record(id="other", city={"name": "Pune", "country": "IN"})
    old = [Version("a.toml", before), Version("o.toml", other)]
    new = [Version("a.toml", after), Version("o.toml", other.model_copy(update={"title": "T"}))]
    changes, _ = compare(old, new, parse_filters(city=["nice"]))
    assert [c.id for c in changes] == ["lyon-graz"]


def test_activity_filters_choose_the_activity_changes_shown() -> None:
    old = record([act("2017-06", "visit", "Visit"), act("2018-01", "signing", "Signing")])
    new = record(
        [
            act("2017-06", "visit", "Visit", status="cancelled"),
            act("2018-01", "signing", "Signing", status="planned"),
        ]
    )
    versions = ([Version("a.toml", old)], [Version("a.toml", new)])
    (change,), _ = compare(*versions, parse_filters(kind=["signing"]))
    assert [c.new.kind for c in change.activities_changed] == ["signing"]
    assert compare(*versions, parse_filters(kind=["workshop"])) == ([], 0)


# --------------------------------------------------------------------------- property

DATES = ("2017", "2017-06", "2017-06-15", "2017-06-16", "2018-01-02")
KINDS = ("visit", "workshop", "signing")
TITLES = (
    "Visit to Graz",
    "Visit to Graz and Lyon",
    "Workshop",
    "Workshop on e-buses",
    "Signing of the MoU",
    "Meeting",
    "Depot visit",
)
agreements = st.lists(
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(("mou", "cooperation-agreement")),
            "parties": st.just(["Lyon", "Graz"]),
            "count": st.integers(1, 3),
        }
    ),
    max_size=2,
)
activities = st.fixed_dictionaries(
    {
        "date": st.sampled_from(DATES),
        "kind": st.sampled_from(KINDS),
        "title": st.sampled_from(TITLES),
        "status": st.sampled_from(("done", "planned", "cancelled")),
        "agreements": agreements,
    },
    optional={"where": st.sampled_from(("Graz", "Lyon"))},
)
results = st.fixed_dictionaries(
    {
        "text": st.sampled_from(("A pilot", "A joint e-bus pilot", "Twinning")),
        "status": st.sampled_from(("planned", "achieved")),
    }
)


@st.composite
def edited_pairs(draw: st.DrawFn) -> tuple[Record, Record]:
    """A record, and the same record after random edits: activities removed, added and
    edited (any field, agreements added), reordered; results edited; the period moved."""
    old_acts = draw(st.lists(activities, max_size=6))
    new_acts = [dict(a) for a in old_acts]
    for _ in range(draw(st.integers(0, 5))):
        operation = draw(st.sampled_from(("remove", "add", "edit")))
        if operation == "add" or not new_acts:
            new_acts.insert(draw(st.integers(0, len(new_acts))), draw(activities))
            continue
        index = draw(st.integers(0, len(new_acts) - 1))
        if operation == "remove":
            del new_acts[index]
        else:
            key = draw(st.sampled_from(("date", "kind", "title", "status", "agreements")))
            choices: dict[str, st.SearchStrategy[Any]] = {
                "date": st.sampled_from(DATES),
                "kind": st.sampled_from(KINDS),
                "title": st.sampled_from(TITLES),
                "status": st.sampled_from(("done", "planned", "cancelled")),
                "agreements": agreements,
            }
            value = draw(choices[key])
            if key == "agreements":  # agreements added to the ones it has
                value = new_acts[index]["agreements"] + value
            new_acts[index] = {**new_acts[index], key: value}
    new_acts = draw(st.permutations(new_acts))
    old_results = draw(st.lists(results, max_size=3))
    new_results = draw(st.lists(results, max_size=3)) if draw(st.booleans()) else old_results
    end = draw(st.sampled_from(("2018-11", "2019-06")))
    old = record(old_acts, expected_results=old_results)
    new = record(new_acts, expected_results=new_results, period={"start": "2017-03", "end": end})
    return old, new


def _key(model: Any) -> str:
    return str(model.model_dump_json())


def _same_items(left: Any, right: Any) -> bool:
    return sorted(map(_key, left)) == sorted(map(_key, right))


def _without(items: list[Any], gone: Any) -> list[Any]:
    items = list(items)
    for item in gone:
        items.remove(item)  # ValueError: reported removed but not there
    return items


def apply(old: Record, change: RecordChange) -> Record:
    """`old` with the reported changes applied: what `new` must be."""
    update: dict[str, Any] = {f.name: f.new for f in change.fields}
    acts = _without(old.activities, change.activities_removed)
    acts = _without(acts, [c.old for c in change.activities_changed])
    for item in change.activities_changed:
        fields = {f.name: f.new for f in item.fields}
        agreements_now = _without(item.old.agreements, item.agreements_removed)
        rebuilt = item.old.model_copy(
            update={**fields, "agreements": [*agreements_now, *item.agreements_added]}
        )
        assert rebuilt.model_copy(update={"agreements": []}) == item.new.model_copy(
            update={"agreements": []}
        )
        assert _same_items(rebuilt.agreements, item.new.agreements)
        acts.append(item.new)
    acts += change.activities_added
    results_now = _without(old.expected_results, change.results_removed)
    results_now = _without(results_now, [c.old for c in change.results_changed])
    for result_change in change.results_changed:
        fields = {f.name: f.new for f in result_change.fields}
        assert result_change.old.model_copy(update=fields) == result_change.new
        results_now.append(result_change.new)
    results_now += change.results_added
    partners = _without(old.partners, change.partners_removed)
    partners = _without(partners, [p.old for p in change.partners_changed])
    partners += [p.new for p in change.partners_changed] + list(change.partners_added)
    update.update(activities=acts, expected_results=results_now, partners=partners)
    return old.model_copy(update=update)


@settings(max_examples=300, deadline=None)
@given(edited_pairs())
def test_applying_the_changes_explains_the_difference(pair: tuple[Record, Record]) -> None:
    old, new = pair
    change = record_change(old, new)
    result = apply(old, change)
    for name in ("activities", "expected_results", "partners"):
        assert _same_items(getattr(result, name), getattr(new, name)), name
    lists: dict[str, list[Any]] = {"activities": [], "expected_results": [], "partners": []}
    assert result.model_copy(update=lists) == new.model_copy(update=lists)
    # Every reported change is a change: an activity paired with itself is not listed.
    assert all(
        c.fields or c.agreements_added or c.agreements_removed for c in change.activities_changed
    )
    assert not set(map(_key, change.activities_added)) & set(map(_key, change.activities_removed))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        activities, min_size=1, max_size=6, unique_by=lambda a: (a["date"], a["kind"], a["title"])
    ),
    st.data(),
)
def test_status_edits_alone_are_recognised_as_changes(
    acts: list[dict[str, Any]], data: st.DataObject
) -> None:
    statuses = [data.draw(st.sampled_from(("done", "planned", "cancelled"))) for _ in acts]
    old = record(acts)
    new = record([{**a, "status": s} for a, s in zip(acts, statuses, strict=True)][::-1])
    change = record_change(old, new)
    assert not change.activities_added and not change.activities_removed
    assert len(change.activities_changed) == sum(
        a["status"] != s for a, s in zip(acts, statuses, strict=True)
    )
    assert all(
        [f.name for f in c.fields] == ["status"] and c.how == "same"
        for c in change.activities_changed
    )


def test_pair_activities_leaves_a_huge_day_to_added_and_removed() -> None:
    many = [
        Activity.model_validate(act("2017-06-15", "visit", f"Visit number {i}")) for i in range(600)
    ]
    renamed = [a.model_copy(update={"title": a.title + "!"}) for a in many]
    pairs, gone, arrived = pair_activities(many, renamed)
    assert pairs == [] and len(gone) == len(arrived) == 600
