"""The safe fixes of `ucap validate --fix`, on texts: each kind, bytes kept, never a guess.

The property test mutates a valid record (with comments and odd spacing) at a few places,
each with a change `--fix` must undo (a misspelt key or value, a missing zero, a duplicate...),
plus changes it must leave alone (an unknown country, a title, a one-letter slip that may be
anything), and checks the fixed text byte for byte: it is the record with every fixable
change undone, and each other change either undone or kept as written.
"""

from __future__ import annotations

import itertools
import string
from pathlib import Path

import pytest
from conftest import Run, write_record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ucap_cli.check.fixes import fix_text
from ucap_cli.check.result import Selection
from ucap_cli.record import vocab
from ucap_cli.record.dates import padded
from ucap_cli.toml.edit import Fix, apply, same
from ucap_cli.toml.locate import TokenMap
from ucap_cli.toml.parser import TOMLDecodeError, parse_document

CONTEXT: dict[str, object] = {"activity_kinds": (), "themes": ("Mobility", "Logistics")}
PATH = Path("records/demo.toml")

# Valid under the CONTEXT's themes, with comments, odd spacing and both kinds of strings.
BASE = """\
schema_version = 1
id   = "demo"          # the file's name
title = "Lyon \u2013 Graz"
themes = [ "Mobility",   "Logistics" ]   # two themes
sdgs = [9, 11]
urban_agenda = ["Urban Mobility", 'Housing']
contact = "team@example.org"

[period]
start = "2017-03"   # month only
end = '2018-11'

[city]
name = "Lyon"
country = "France"

[[partners]]
name = "Graz"
short = "GRZ"
country = "AT"

# the first visit
[[activities]]
date = "2017-06"
kind = "visit"
title = "Graz delegation visits Lyon"
cities = ["Lyon", "GRZ"]
themes = [
  "Mobility",  # the main one
]

[[activities.agreements]]
kind    =   "mou"
parties = ["Lyon", "Graz"]

[[expected_results]]
text = "A joint e-bus pilot"
theme = "Mobility"
status = "in-progress"

[[organisations]]
name = "TCL"
kind = "company"
"""

# Places of BASE (each written once in it, none overlapping another) and changes of each
# that --fix undoes: a key or a value misspelt, in another case or with other separators,
# a missing zero, a duplicate added to a list.
FIXABLE: dict[str, list[str]] = {
    "\nsdgs = [9,": ["\nsdg = [9,", "\nSDGs = [9,", "\nsgds = [9,"],
    " 11]\n": [" 11, 9]\n", " 11, 9, 11]\n"],
    "\nthemes = [ ": ["\ntheme = [ ", "\nThemes = [ ", "\nthemse = [ "],
    '"Logistics" ]': [
        '"Logistics", "Mobility" ]',
        '"Logistics" , "mobility" ]',
        '"MOBILITY", "Logistics" ]',
    ],
    "[[organisations]]": ["[[organizations]]", "[[Organisations]]", "[[organisation]]"],
    '"Urban Mobility"': ['"urban mobility"', '"URBAN MOBILITY"', '"Urban  Mobility"'],
    "'Housing']": ["'housing']", "'Housing', \"housing\"]", "'Housing', 'Urban Mobility']"],
    'start = "2017-03"': ['start = "2017-3"'],
    'date = "2017-06"': ['date = "2017-6"'],
    'kind = "visit"': ['kind = "Visit"', 'kind = "VISIT"', 'kind = "vist"', 'kind = "visti"'],
    '=   "mou"': ['=   "MoU"', '=   "MOU"', '=   "Mou"'],
    '"in-progress"': ['"in progress"', '"In Progress"', '"in_progress"', '"inprogress"'],
    'kind = "company"': ['kind = "Company"', 'kind = "compnay"', 'kind = "COMPANY"'],
    'theme = "Mobility"': ['theme = "mobility"', 'theme = "MOBILITY"'],
}
# Places and changes that --fix must leave as written (the meaning would change, or nothing
# is meant): the country, the title, an unknown key with no close name, a partner's name.
KEPT: dict[str, list[str]] = {
    'country = "France"': ['country = "Frnace"', 'country = "Atlantis"'],
    "Graz delegation visits Lyon": ["Graz delegation visits Lyon again"],
    'contact = "team@example.org"': ['contact = "team@example.org"\nwebsite = "x"'],
    'name = "Graz"': ['name = "Gratz"'],
    "end = '2018-11'": ["end = '2016-11'"],  # before the start (E106)
}
# Values and keys of BASE a one-letter slip is made in: it may be undone, or kept.
SLIPS = [
    '"visit"',
    '"company"',
    '"in-progress"',
    '"mou"',
    "\nsdgs =",
    "\nshort =",
    "[[expected_results]]",
]


def fixed(text: str, context: dict[str, object] = CONTEXT) -> str:
    return fix_text(text, PATH, str(PATH), dict(context), Selection())[0]


def test_the_base_record_has_nothing_to_fix() -> None:
    new, made, problems = fix_text(BASE, PATH, str(PATH), dict(CONTEXT), Selection())
    assert (new, made, problems) == (BASE, [], [])
    for place in [*FIXABLE, *KEPT, *SLIPS]:
        assert BASE.count(place) == 1, place


def _with(text: str, changes: list[tuple[str, str]]) -> str:
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def _span(place: str) -> tuple[int, int]:
    start = BASE.index(place)
    return start, start + len(place)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _slip(word: str, data: st.DataObject) -> str:
    """`word` (a quoted value or a key) with one letter deleted, swapped, replaced, added or
    in the other case: whatever it becomes."""
    letters = [i for i, ch in enumerate(word) if ch.isalpha()]
    at = data.draw(st.sampled_from(letters))
    kind = data.draw(st.sampled_from(["delete", "swap", "replace", "insert", "case"]))
    letter = data.draw(st.sampled_from(string.ascii_lowercase + "-_"))
    if kind == "delete":
        return word[:at] + word[at + 1 :]
    if kind == "swap" and at + 1 < len(word) and word[at + 1].isalpha():
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if kind == "replace":
        return word[:at] + letter + word[at + 1 :]
    if kind == "insert":
        return word[:at] + letter + word[at:]
    return word[:at] + word[at].swapcase() + word[at + 1 :]


def _mutated(data: st.DataObject) -> tuple[str, set[str]] | None:
    """BASE with a few fixable changes, changes to keep and slips; the texts --fix may give
    back: BASE with exactly the kept changes and some of the slips, byte for byte (every
    fixable change undone, nothing else touched: so the data outside the fixed values is
    the mutated record's). None when the slips made it TOML no more."""
    fixable_places = data.draw(
        st.lists(st.sampled_from(sorted(FIXABLE)), unique=True, max_size=4), label="fixable"
    )
    fixes = [(p, data.draw(st.sampled_from(FIXABLE[p]))) for p in fixable_places]
    kept_places = data.draw(
        st.lists(st.sampled_from(sorted(KEPT)), unique=True, max_size=2), label="kept"
    )
    kept = [(p, data.draw(st.sampled_from(KEPT[p]))) for p in kept_places]
    slip_places = data.draw(
        st.lists(st.sampled_from(SLIPS), unique=True, max_size=2), label="slips"
    )
    slips = [(p, _slip(p, data)) for p in slip_places]
    # Places must not overlap: a slip in a value that a fixable change also touches is moot.
    touched = [_span(p) for p, _ in fixes + kept]
    slips = [(p, new) for p, new in slips if not any(_overlap(_span(p), t) for t in touched)]
    mutated = _with(BASE, fixes + kept + slips)
    try:
        parse_document(mutated)
    except TOMLDecodeError:  # a slip that made a key of a sibling's name: not TOML
        return None
    allowed = {
        _with(BASE, kept + list(chosen))
        for n in range(len(slips) + 1)
        for chosen in itertools.combinations(slips, n)
    }
    return mutated, allowed


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.data())
def test_fixing_a_mutated_record_undoes_the_fixable_changes_and_nothing_else(
    data: st.DataObject,
) -> None:
    drawn = _mutated(data)
    if drawn is None:
        return
    mutated, allowed = drawn
    result = fixed(mutated)
    assert result in allowed, (mutated, result)
    if allowed == {BASE}:  # fixable changes only: the record as it was
        assert same(parse_document(result), parse_document(BASE))
    assert fixed(result) == result  # a second run changes nothing


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,  # one folder for every example: each rewrites it
    ],
)
@given(data=st.data())
def test_the_same_through_the_cli(run: Run, data: st.DataObject) -> None:
    drawn = _mutated(data)
    if drawn is None:
        return
    mutated, allowed = drawn
    write_record(Path.cwd(), "ucap.toml", 'themes = ["Mobility", "Logistics"]\n')
    path = write_record(Path("records"), "demo", mutated)
    run("validate", "--fix")
    result = path.read_text(encoding="utf-8")
    assert result in allowed, (mutated, result)
    again = run("validate", "--fix")
    assert path.read_text(encoding="utf-8") == result
    assert "0 fixes made" in again.stderr


@pytest.mark.parametrize(
    ("old", "new"),
    [(place, change) for place, changes in FIXABLE.items() for change in changes],
)
def test_each_fixable_change_alone_is_undone_exactly(old: str, new: str) -> None:
    assert fixed(BASE.replace(old, new)) == BASE


@pytest.mark.parametrize(
    ("old", "new"),
    [(place, change) for place, changes in KEPT.items() for change in changes],
)
def test_changes_that_would_change_meaning_are_left_as_written(old: str, new: str) -> None:
    text = BASE.replace(old, new)
    assert fixed(text) == text


@pytest.mark.parametrize(
    ("text", "why"),
    [
        # `visitt` is one letter from `visit` and from the configured `visits`
        ('kind = "visitt"', "two allowed kinds are as close"),
        # `sdg` while `sdgs` is written too: renaming would lose a value
        ("sdgs = [9]\nsdg = [11]", "the name is taken"),
        # no kind is close to it
        ('kind = "banquet"', "no candidate"),
        # two letters or fewer: too short to tell a slip from another word
        ('kind = "vi"', "too short"),
    ],
)
def test_ambiguous_cases_are_left_alone(text: str, why: str) -> None:
    source = BASE.replace('kind = "visit"', text) if "kind" in text else BASE
    if "sdg" in text:
        source = BASE.replace("sdgs = [9, 11]", text)
    context = {**CONTEXT, "activity_kinds": ("visits",)}
    assert fixed(source, context) == source, why


def test_a_suppressed_or_ignored_problem_keeps_its_text() -> None:
    suppressed = BASE.replace('kind = "visit"', 'kind = "Visit"  # ucap: ignore[E112]')
    assert fixed(suppressed) == suppressed
    text = BASE.replace('kind = "visit"', 'kind = "Visit"').replace("\nsdgs", "\nsdg")
    no_e112 = Selection(ignore=frozenset({"E112"}))
    only_keys = fix_text(text, PATH, str(PATH), dict(CONTEXT), no_e112)
    assert only_keys[0] == text.replace("\nsdg", "\nsdgs")
    assert [f.code for f in only_keys[1]] == ["E102"]


def test_names_are_written_as_configured_only_when_themes_are_configured() -> None:
    text = BASE.replace('theme = "Mobility"', 'theme = "mobility"')
    assert fixed(text) == BASE
    assert fixed(text, {"activity_kinds": (), "themes": ()}) == text


def test_fixes_are_reported_where_they_were_made_in_the_file() -> None:
    text = BASE.replace("'Housing']", "'Housing', 'Housing']").replace("\nsdgs", "\nsdg")
    _, made, _ = fix_text(text, PATH, str(PATH), dict(CONTEXT), Selection())
    assert [(f.line, f.column, f.code, f.message) for f in made] == [
        (5, 1, "E102", "sdg: renamed 'sdg' to 'sdgs'"),
        (6, 46, "E107", "urban_agenda[3]: removed the duplicate 'Housing'"),
    ]


# --------------------------------------------------------------------------- the editor


@pytest.mark.parametrize(
    ("text", "index", "expected"),
    [
        ('a = ["x", "y", "x"]\n', 2, 'a = ["x", "y"]\n'),
        ('a = ["x", "x", "y"]\n', 1, 'a = ["x", "y"]\n'),
        ('a = [ "x" ,  "x" ]\n', 1, 'a = [ "x" ]\n'),
        ('a = [\n  "x",\n  "x",\n  "y",\n]\n', 1, 'a = [\n  "x",\n  "y",\n]\n'),
        ('a = [\n  "x",\n  "y",\n  "x"\n]\n', 2, 'a = [\n  "x",\n  "y",\n]\n'),
        ('a = [\n  "x",  # one\n  "x",  # two\n]\n', 1, 'a = [\n  "x",  # one\n  # two\n]\n'),
        ("a = [1,\n 2, # c\n 1]\n", 2, "a = [1,\n 2, # c\n ]\n"),
    ],
)
def test_removing_an_element_keeps_the_rest_of_the_array(
    text: str, index: int, expected: str
) -> None:
    made = apply(text, [Fix(("a", index), "remove")])
    assert made.text == expected
    assert len(made.made) == 1


def test_a_key_written_in_several_headers_is_renamed_in_each() -> None:
    text = '[[activites]]\nkind = "visit"\n\n[activites.x]\ny = 1\n\n[[activites]]\nkind = "m"\n'
    made = apply(text, [Fix(("activites",), "rename", "activities")])
    assert made.text == text.replace("activites", "activities")


@pytest.mark.parametrize(
    ("key", "expected"),
    [("sdg", "sdgs"), ('"sdg"', '"sdgs"'), ("'sdg'", "'sdgs'")],
)
def test_a_renamed_key_keeps_its_quotes(key: str, expected: str) -> None:
    text = f"{key} = [1]  # note\n"
    assert apply(text, [Fix(("sdg",), "rename", "sdgs")]).text == f"{expected} = [1]  # note\n"


@pytest.mark.parametrize(
    ("value", "new", "expected"),
    [
        ("'MoU'", "mou", "'mou'"),
        ('"MoU"', "mou", '"mou"'),
        ("'''MoU'''", "mou", "'mou'"),
        ("'a'", "it's", '"it\'s"'),
        ('"a"', 'say "hi"\\', '"say \\"hi\\"\\\\"'),
    ],
)
def test_a_replaced_string_is_written_as_toml(value: str, new: str, expected: str) -> None:
    text = f"k = {value}\r\nn = 1\r\n"
    made = apply(text, [Fix(("k",), "replace", new)])
    assert made.text == f"k = {expected}\r\nn = 1\r\n"
    assert parse_document(made.text)["k"] == new


def test_a_fix_that_does_not_fit_the_text_is_not_made() -> None:
    text = 'k = 1\nt = { a = "x" }\nl = [1]\n'
    for fix in [
        Fix(("k",), "replace", "x"),  # not a string
        Fix(("t",), "replace", "x"),  # a table
        Fix(("missing",), "rename", "x"),
        Fix(("l", 5), "remove"),
        Fix(("k",), "rename", "t"),  # the name is taken
    ]:
        made = apply(text, [fix])
        assert (made.text, made.made) == (text, []), fix


def test_overlapping_fixes_make_the_first() -> None:
    text = 'a = ["x", "X"]\n'
    made = apply(text, [Fix(("a", 1), "remove"), Fix(("a", 1), "replace", "x")])
    assert made.text == 'a = ["x"]\n'
    assert [fix for fix, _, _ in made.made] == [Fix(("a", 1), "remove")]
    assert made.left == [Fix(("a", 1), "replace", "x")]


def test_the_token_map_places_keys_and_values_after_a_bom() -> None:
    text = '\ufeffk = "v"  # c\n[[t]]\n[[t]]\n'
    tokens = TokenMap(text)
    span = tokens.value_span(("k",))
    assert span is not None and text[span[0] : span[1]] == '"v"'
    assert [text[a:b] for a, b in tokens.key_spans(("t",))] == ["t", "t"]


# --------------------------------------------------------------------------- candidates


@pytest.mark.parametrize(
    ("word", "candidates", "expected"),
    [
        ("sdg", ["id", "sdgs", "themes"], "sdgs"),
        ("organizations", ["organisations", "objectives"], "organisations"),
        ("MoU", vocab.AGREEMENT_KINDS, "mou"),
        ("Signing", vocab.ACTIVITY_KINDS, "signing"),
        ("in progress", vocab.RESULT_STATUSES, "in-progress"),
        ("Réunion", ["reunion", "meeting"], "reunion"),
        ("visitt", ["visit", "visits"], None),  # two as close
        ("vi", ["visit"], None),  # too short to tell
        ("banquet", vocab.ACTIVITY_KINDS, None),
        ("Urban-Mobility", {"Urban Mobility": "U", "urban mobility": "U"}, "U"),  # one meaning
    ],
)
def test_a_single_candidate_or_none(word: str, candidates: object, expected: str | None) -> None:
    assert vocab.single_candidate(word, candidates) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2018-7", "2018-07"), ("2018-7-5", "2018-07-05"), ("2018-07-5", "2018-07-05")],
)
def test_a_missing_zero_is_added(text: str, expected: str) -> None:
    assert padded(text) == expected


@pytest.mark.parametrize("text", ["2018-07", "2018-13", "2018-2-30", "18-7", "2018-7-", "2018"])
def test_a_date_that_is_not_missing_a_zero_is_not_padded(text: str) -> None:
    assert padded(text) is None


def test_topics_are_named_officially_but_aliases_stay() -> None:
    assert vocab.official_topic("Jobs & Skills in Local Economy") == (
        "Jobs and Skills in the Local Economy"
    )
    assert vocab.official_topic("culture / cultural heritage") == "Culture/Cultural Heritage"
    assert vocab.official_topic("Mobility") is None  # an alias: a name of its own
    assert vocab.suggest_topic_fix("Urban Mobilty") == "Urban Mobility"
    assert vocab.suggest_topic_fix("Transport") is None
