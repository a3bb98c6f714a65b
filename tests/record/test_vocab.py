"""Vocabularies and name matching: Urban Agenda topics, city names, countries, SDGs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Run, write_collection
from hypothesis import given, settings
from hypothesis import strategies as st

from ucap_cli.record import vocab
from ucap_cli.record.countries import find_country, suggest_country

FAST = settings(max_examples=150, deadline=None)


# --------------------------------------------------------------------------- Urban Agenda


def test_fourteen_topics_and_seventeen_sdgs() -> None:
    assert len(vocab.URBAN_AGENDA_TOPICS) == 14
    assert sorted(vocab.SDGS) == list(range(1, 18))
    assert vocab.SDGS[9] == "Industry, innovation and infrastructure"
    assert set(vocab.URBAN_AGENDA_ALIASES.values()) <= set(vocab.URBAN_AGENDA_TOPICS)


@pytest.mark.parametrize(
    ("typed", "official"),
    [
        # The format page's examples.
        ("Jobs & Skills in Local Economy", "Jobs and Skills in the Local Economy"),
        ("Culture and cultural heritage", "Culture/Cultural Heritage"),
        ("Security in public space", "Security in Public Spaces"),
        ("Sustainable land use", "Sustainable Use of Land and Nature-Based Solutions"),
        ("Migrants and refugees", "Inclusion of Migrants and Refugees"),
        # The rule: case, & and /, punctuation, repeated spaces, the/a.
        ("urban mobility", "Urban Mobility"),
        ("  URBAN   MOBILITY!! ", "Urban Mobility"),
        ("Jobs and Skills in a Local Economy", "Jobs and Skills in the Local Economy"),
        ("jobs/skills in the local economy", "Jobs and Skills in the Local Economy"),
        ("Culture / Cultural Heritage", "Culture/Cultural Heritage"),
        ("Sustainable use of land & nature based solutions", vocab.URBAN_AGENDA_TOPICS[8]),
        ("Innovative & responsible public procurement", vocab.URBAN_AGENDA_TOPICS[11]),
        ("Mobility", "Urban Mobility"),
        ("Culture", "Culture/Cultural Heritage"),
    ],
)
def test_topic_matching_rule(typed: str, official: str) -> None:
    assert vocab.match_topic(typed) == official


@pytest.mark.parametrize("typed", ["Urban Mobilty", "Transport", "", "Jobs", "Urban"])
def test_unknown_topics_do_not_match(typed: str) -> None:
    assert vocab.match_topic(typed) is None


def test_unknown_topic_suggests_the_closest() -> None:
    assert vocab.suggest_topic("Urban Mobilty") == "Urban Mobility"
    assert vocab.suggest_topic("Air quality!") == "Air Quality"
    assert vocab.suggest_topic("Climate adaption") == "Climate Adaptation"
    assert vocab.suggest_topic("zzzz qqqq") is None


@st.composite
def retyped_topics(draw: st.DrawFn) -> tuple[str, str]:
    """An official topic as a person might type it, and the topic."""
    official = draw(st.sampled_from(vocab.URBAN_AGENDA_TOPICS))
    words: list[str] = []
    for word in official.replace("/", " / ").split():
        if word.casefold() == "and":
            word = draw(st.sampled_from(["and", "&", "/", "AND"]))
        elif word != "/":
            word = "".join(draw(st.sampled_from([c.lower(), c.upper()])) for c in word)
            word += draw(st.sampled_from(["", "", ",", ".", "!"]))
        words.append(word)
        if draw(st.integers(0, 5)) == 0:
            words.append(draw(st.sampled_from(["the", "a", "The", "A"])))
    gaps = [draw(st.sampled_from([" ", "  ", " \t "])) for _ in words]
    typed = "".join(gap + word for gap, word in zip(gaps, words, strict=True))
    return typed, official


@FAST
@given(retyped_topics())
def test_retyped_topics_match_their_official_name(case: tuple[str, str]) -> None:
    typed, official = case
    assert vocab.match_topic(typed) == official


@FAST
@given(st.text(max_size=30))
def test_topic_matching_never_fails(text: str) -> None:
    found = vocab.match_topic(text)
    assert found is None or found in vocab.URBAN_AGENDA_TOPICS
    suggestion = vocab.suggest_topic(text)
    assert suggestion is None or suggestion in vocab.URBAN_AGENDA_TOPICS


# --------------------------------------------------------------------------- city names


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Málaga", "malaga"),
        ("Málaga", "MÁLAGA"),
        ("Málaga", "Ma laga"),
        ("Agii Anargiri-Kamatero", "agii anargiri kamatero"),
        ("Agii Anargiri-Kamatero", "AgiiAnargiriKamatero"),
        ("Provence-Alpes-Côte d'Azur", "provence alpes cote dazur"),
        ("Zürich", "zurich"),
        ("São Paulo", "sao-paulo"),
        ("Øresby", "oresby"),
        ("Łódź", "Lodz"),
        ("Groß Lindenau", "gross-lindenau"),
        ("Þórshöfn", "Thorshofn"),
    ],
)
def test_city_key_ignores_case_accents_spaces_and_hyphens(a: str, b: str) -> None:
    assert vocab.city_key(a) == vocab.city_key(b)


@pytest.mark.parametrize(("a", "b"), [("Rome", "Roma"), ("Nice", "Nîmes"), ("Graz", "Gratz")])
def test_city_key_keeps_different_cities_apart(a: str, b: str) -> None:
    assert vocab.city_key(a) != vocab.city_key(b)


ACCENTS = ["\u0301", "\u0300", "\u0302", "\u0308", "\u0303", "\u0327"]  # combining marks


@st.composite
def respelled(draw: st.DrawFn) -> tuple[str, str]:
    """An ASCII city name and a respelling with other case, accents, spaces and hyphens."""
    name = draw(st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=15))
    out = ""
    for char in name:
        out += draw(st.sampled_from([char, char.upper()]))
        if draw(st.integers(0, 3)) == 0:
            out += draw(st.sampled_from(ACCENTS))
        if draw(st.integers(0, 5)) == 0:
            out += draw(st.sampled_from([" ", "-", "  ", "'"]))
    return name, out


@FAST
@given(respelled())
def test_respelled_city_names_have_the_same_key(case: tuple[str, str]) -> None:
    name, spelling = case
    assert vocab.city_key(spelling) == vocab.city_key(name) == name


# Letters that do not decompose under NFKD, as people type them without the letter.
TRANSLITERATED = [
    ("Øresby", "oresby"),
    ("ØRESBY", "oresby"),
    ("Æbeltoft", "aebeltoft"),
    ("Œuvre", "oeuvre"),
    ("Straße", "strasse"),
    ("STRASSE", "strasse"),
    ("Groß Lindenau", "gross lindenau"),
    ("Łódź", "lodz"),
    ("ŁÓDŹ", "lodz"),
    ("Đakovo", "dakovo"),
    ("Điện Biên", "dien bien"),
    ("Reyðarfjörður", "reydarfjordur"),
    ("Þórshöfn", "thorshofn"),
    ("Ħamrun", "hamrun"),
    ("Diyarbak\u0131r", "diyarbakir"),  # dotless i
    ("İstanbul", "istanbul"),
    ("Ŀeida", "leida"),
    ("Paral·lel", "parallel"),  # Catalan l·l
    ("Ŧ Ŋ ĸ", "t n k"),
    ("Ǿrsted", "orsted"),  # decomposes to Ø and an accent
    ("Gəncə", "gence"),
    ("Côte d\u2019Azur", "cote d'azur"),  # typographic apostrophe
    ("Málaga", "malaga"),
    ("Αθήνα", "αθηνα"),  # other scripts keep their letters, without accents
    ("Москва", "москва"),
    ("東京", "東京"),
]


@pytest.mark.parametrize(("name", "folded"), TRANSLITERATED)
def test_fold_transliterates_letters_without_a_decomposition(name: str, folded: str) -> None:
    assert vocab.fold(name) == folded
    assert vocab.fold_once(name) == folded
    assert vocab.fold(folded) == folded  # folding is idempotent


@FAST
@given(st.text(max_size=40))
def test_fold_is_idempotent_and_lower_case(text: str) -> None:
    folded = vocab.fold(text)
    assert vocab.fold(folded) == folded
    assert folded == folded.strip() and "  " not in folded


def test_fold_and_closest() -> None:
    assert vocab.fold("  Málaga   City ") == "malaga city"
    assert vocab.closest("Gratz", ["Graz", "Lyon"]) == "Graz"
    assert vocab.closest("MALAGA", ["Málaga"]) == "Málaga"
    assert vocab.closest("Tokyo", ["Graz", "Lyon"]) is None
    assert vocab.did_you_mean("sdgs") == " (did you mean 'sdgs'?)"
    assert vocab.did_you_mean(None) == ""


# --------------------------------------------------------------------------- countries


@pytest.mark.parametrize(
    ("typed", "alpha_2"),
    [
        ("China", "CN"),
        ("CN", "CN"),
        ("CHN", "CN"),
        ("china", "CN"),
        ("cn", "CN"),
        ("Greece", "GR"),
        ("Spain", "ES"),
        ("Türkiye", "TR"),
        ("Turkiye", "TR"),
        ("Bolivia", "BO"),  # common name
        ("Bolivia, Plurinational State of", "BO"),  # short name
        ("Plurinational State of Bolivia", "BO"),  # official name
        ("Korea, Republic of", "KR"),
        ("Taiwan", "TW"),
        ("  united   kingdom ", "GB"),
    ],
)
def test_find_country(typed: str, alpha_2: str) -> None:
    country = find_country(typed)
    assert country is not None and country.alpha_2 == alpha_2


@pytest.mark.parametrize("typed", ["Chnia", "Frnace", "Europe", "", "XX", "Atlantis"])
def test_unknown_countries(typed: str) -> None:
    assert find_country(typed) is None


def test_suggest_country() -> None:
    assert suggest_country("Chnia") == "China"
    assert suggest_country("Frnace") == "France"
    assert suggest_country("Qqqqqqq") is None


def test_every_iso_country_is_found_by_its_codes() -> None:
    import json
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("pycountry")
    assert spec is not None and spec.submodule_search_locations
    folder = Path(next(iter(spec.submodule_search_locations)))
    entries = json.loads((folder / "databases" / "iso3166-1.json").read_text("utf-8"))["3166-1"]
    assert len(entries) >= 249
    for entry in entries:
        for spelling in (entry["alpha_2"], entry["alpha_3"], entry["name"]):
            found = find_country(spelling)
            assert found is not None and found.alpha_2 == entry["alpha_2"], spelling


# --------------------------------------------------------------------------- names through the CLI

NORDIC = """\
schema_version = 1
id = "nordic"
title = "Øresby and Þórshöfn: harbours of Œresund"
programme = "Øresund Cities"
themes = ["Mobility", "Føroyar Fisheries"]

[period]
start = "2019"

[city]
name = "Øresby"
country = "DK"

[[partners]]
name = "Æbeltoft"
country = "DK"

[[partners]]
name = "Łódź"
country = "PL"

[[partners]]
name = "Đakovo"
country = "HR"

[[partners]]
name = "Þórshöfn"
country = "IS"

[[activities]]
date = "2019-05"
kind = "visit"
title = "Visit to Groß Lindenau"
where = "Groß Lindenau"
cities = ["Øresby", "Łódź"]
organisations = ["Straßenbahn Øresby", "Œuvre des Ports"]
"""

PLAIN = """\
schema_version = 1
id = "plain"
title = "Lodz and Gross Lindenau"
themes = ["Mobility"]

[period]
start = "2019"

[city]
name = "Lodz"
country = "PL"

[[partners]]
name = "Gross Lindenau"
country = "DE"
"""


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--city", "oresby", ["nordic"]),
        ("--city", "ØRESBY", ["nordic"]),
        ("--city", "aebeltoft", ["nordic"]),
        ("--city", "lodz", ["nordic", "plain"]),
        ("--city", "Łódź", ["nordic", "plain"]),
        ("--city", "dakovo", ["nordic"]),
        ("--city", "thorshofn", ["nordic"]),
        ("--city", "Gross Lindenau", ["nordic", "plain"]),  # an activity's `where`
        ("--city", "groß-lindenau", ["nordic", "plain"]),
        ("--org", "strassenbahn oresby", ["nordic"]),
        ("--org", "oeuvre", ["nordic"]),
        ("--search", "thorshofn", ["nordic"]),
        ("--search", "oeresund", ["nordic"]),
        ("--search", "gross lindenau", ["nordic", "plain"]),
        ("--search", "Łódź", ["plain"]),  # a title; city names are not --search text
        ("--theme", "foroyar fisheries", ["nordic"]),
        ("--programme", "oresund cities", ["nordic"]),
    ],
)
def test_names_fold_the_way_people_type_them(
    run: Run, tmp_path: Path, option: str, value: str, expected: list[str]
) -> None:
    folder = write_collection(tmp_path / "records", {"nordic": NORDIC, "plain": PLAIN})
    result = run("list", "--records", str(folder), "-f", "json", "--sort", "id", option, value)
    assert result.exit_code == 0, result.output
    assert [record["id"] for record in json.loads(result.stdout)] == expected


def test_the_collection_of_names_is_valid(run: Run, tmp_path: Path) -> None:
    write_collection(tmp_path / "records", {"nordic": NORDIC, "plain": PLAIN})
    result = run("validate", "--no-cache", "records")
    assert result.exit_code == 0, result.output
