"""Country names as people in EU programmes write them: accepted spellings, suggestions for
unknown ones (other languages' names among them), the data file's entries, and the same
names through `validate`, `list --country` and `summary`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LYON_GRAZ, PUNE, REPO, VALID_RECORD, Run, edited, write_collection
from hypothesis import given, settings
from hypothesis import strategies as st

from ucap_cli.record import countries
from ucap_cli.record.countries import find_country, name_key, suggest_country
from ucap_cli.store import cache
from ucap_cli.toml.parser import loads

FAST = settings(max_examples=200, deadline=None)
DATA = loads(Path(countries.__file__).with_name("countries.toml").read_text("utf-8"))
ACCEPTED_TABLES = ("eu_names", "eu_names_in_own_languages", "usual")
SUGGESTED_TABLES = ("other_languages", "parts_of_countries")

# --------------------------------------------------------------------------- accepted names

ACCEPTED = [
    # ISO 3166-1 short, common and official names, codes; case, accents, spaces
    ("China", "CN"),
    ("CN", "CN"),
    ("chn", "CN"),
    ("People's Republic of China", "CN"),
    ("Korea, Republic of", "KR"),
    ("South Korea", "KR"),
    ("North Korea", "KP"),
    ("Democratic People's Republic of Korea", "KP"),
    ("Russian Federation", "RU"),
    ("Czechia", "CZ"),
    ("Czech Republic", "CZ"),
    ("Türkiye", "TR"),
    ("Turkiye", "TR"),
    ("North Macedonia", "MK"),
    ("Côte d'Ivoire", "CI"),
    ("COTE D\u2019IVOIRE", "CI"),  # a typographic apostrophe
    ("Cote d'Ivoire", "CI"),
    ("Cabo Verde", "CV"),
    ("Eswatini", "SZ"),
    ("Myanmar", "MM"),
    ("Netherlands", "NL"),
    ("Kingdom of the Netherlands", "NL"),
    ("Viet Nam", "VN"),
    ("Vietnam", "VN"),
    ("Laos", "LA"),
    ("Moldova", "MD"),
    ("Syria", "SY"),
    ("Iran", "IR"),
    ("Bolivia", "BO"),
    ("Venezuela", "VE"),
    ("Tanzania", "TZ"),
    ("Taiwan", "TW"),
    ("United States", "US"),
    ("USA", "US"),
    ("US", "US"),
    ("United States of America", "US"),
    ("U.S.A.", "US"),
    ("United Kingdom", "GB"),
    ("  united   kingdom ", "GB"),
    ("GB", "GB"),
    ("United Arab Emirates", "AE"),
    ("Hellenic Republic", "GR"),
    ("Federal Republic of Germany", "DE"),
    ("Timor-Leste", "TL"),
    ("Timor Leste", "TL"),
    ("Guinea-Bissau", "GW"),
    ("Bosnia and Herzegovina", "BA"),
    ("Bosnia & Herzegovina", "BA"),  # & is "and"
    ("St Lucia", "LC"),  # St is Saint
    ("St. Kitts and Nevis", "KN"),
    ("Saint Vincent and the Grenadines", "VC"),
    ("The Gambia", "GM"),  # "the" does not matter
    ("the Netherlands", "NL"),
    ("The Netherlands", "NL"),
    ("The Bahamas", "BS"),
    ("Åland Islands", "AX"),
    ("Aland Islands", "AX"),
    ("Curacao", "CW"),
    ("São Tomé and Príncipe", "ST"),
    # the EU Interinstitutional Style Guide: codes, Kosovo, names
    ("UK", "GB"),
    ("U.K.", "GB"),
    ("EL", "GR"),
    ("el", "GR"),
    ("Kosovo", "XK"),
    ("XK", "XK"),
    ("Kosovo*", "XK"),  # as the style guide writes it, with its footnote mark
    ("Republic of Korea", "KR"),
    ("Russia", "RU"),
    ("Brunei", "BN"),
    ("Micronesia", "FM"),
    ("Palestine", "PS"),
    ("Holy See", "VA"),
    ("Myanmar/Burma", "MM"),
    ("Democratic Republic of the Congo", "CD"),
    ("Congo", "CG"),  # the Republic of the Congo, as ISO and the style guide name it
    ("Republic of the Congo", "CG"),
    # the Member States in their own languages (style guide 7.1.1)
    ("Deutschland", "DE"),
    ("Österreich", "AT"),
    ("Osterreich", "AT"),
    ("España", "ES"),
    ("Espana", "ES"),
    ("Italia", "IT"),
    ("Polska", "PL"),
    ("Sverige", "SE"),
    ("Suomi", "FI"),
    ("Magyarország", "HU"),
    ("Nederland", "NL"),
    ("België", "BE"),
    ("Česko", "CZ"),
    ("Éire", "IE"),
    ("Ελλάδα", "GR"),
    ("Κύπρος", "CY"),
    ("България", "BG"),
    # the usual short and former forms
    ("Korea", "KR"),  # as EU programmes use it
    ("DPRK", "KP"),
    ("Turkey", "TR"),
    ("Ivory Coast", "CI"),
    ("Cape Verde", "CV"),
    ("Swaziland", "SZ"),
    ("Burma", "MM"),
    ("Macedonia", "MK"),
    ("Former Yugoslav Republic of Macedonia", "MK"),
    ("FYROM", "MK"),
    ("Vatican", "VA"),
    ("UAE", "AE"),
    ("DR Congo", "CD"),
    ("DRC", "CD"),
    ("Congo-Kinshasa", "CD"),
    ("Congo-Brazzaville", "CG"),
    ("East Timor", "TL"),
    ("Great Britain", "GB"),
    ("Holland", "NL"),
    ("Bosnia-Herzegovina", "BA"),
    ("Republic of Ireland", "IE"),
    ("Macau", "MO"),
    ("Lao PDR", "LA"),
    ("Republic of Kosovo", "XK"),
]


def test_the_table_has_at_least_eighty_spellings() -> None:
    assert len(ACCEPTED) >= 80
    assert len({typed for typed, _ in ACCEPTED}) == len(ACCEPTED)


@pytest.mark.parametrize(("typed", "alpha_2"), ACCEPTED)
def test_accepted_spellings(typed: str, alpha_2: str) -> None:
    country = find_country(typed)
    assert country is not None, typed
    assert country.alpha_2 == alpha_2


def test_a_country_is_named_by_its_iso_short_name() -> None:
    assert find_country("UK") == find_country("GBR")
    assert find_country("UK").name == "United Kingdom"  # type: ignore[union-attr]
    assert find_country("EL").alpha_3 == "GRC"  # type: ignore[union-attr]
    kosovo = find_country("Kosovo")
    assert kosovo is not None and (kosovo.alpha_2, kosovo.alpha_3) == ("XK", "XKX")


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "The",
        "Europe",
        "EU",
        "XX",
        "Atlantis",
        "America",  # no country in particular
        "England",  # part of a country: suggested, not accepted
        "Scotland",
        "Rusia",
        "Nigera",  # Latvian for Niger, but one letter from Nigeria: not accepted
        "Sambia",  # German for Zambia, one letter from Gambia
        "Slovenčina",  # a wrong Slovak translation (of Iran)
        "Chnia",
        # names in the EU's other languages are suggested, not accepted
        "Niemcy",
        "Allemagne",
        "Granada",  # Spanish for Grenada, and a city
        "Irak",
    ],
)
def test_names_that_are_not_accepted(typed: str) -> None:
    assert find_country(typed) is None


# --------------------------------------------------------------------------- suggestions

SUGGESTED = [
    # typos
    ("Rusia", "Russia"),
    ("Russsia", "Russia"),
    ("Chnia", "China"),
    ("Frnace", "France"),
    ("Germnay", "Germany"),
    ("Itlay", "Italy"),
    ("Greeece", "Greece"),
    ("Grece", "Greece"),  # French Grèce, only suggested
    ("Untied Kingdom", "United Kingdom"),
    ("United Kingdon", "United Kingdom"),
    ("Nehterlands", "Netherlands"),
    ("Netherland", "Netherlands"),
    ("Austrai", "Austria"),  # not Australia: one swap against two edits
    ("Austrlia", "Australia"),
    ("Phillipines", "Philippines"),
    ("Kazahkstan", "Kazakhstan"),
    ("Russian Federaton", "Russian Federation"),
    ("Czech Repulic", "Czech Republic"),
    ("Ivory Cost", "Ivory Coast"),
    ("Kosvo", "Kosovo"),
    ("Nigera", "Nigeria"),
    # word order, words left out or added
    ("Republic of Korae", "Republic of Korea"),
    ("Korea, Republic", "Korea, Republic of"),
    ("Republic Korea", "Republic of Korea"),
    ("Republic of Korea (South)", "Republic of Korea"),  # not "Republic of South Africa"
    ("Kingdom United", "United Kingdom"),
    ("Guinea Equatorial", "Equatorial Guinea"),
    ("Republic Czech", "Czech Republic"),
    ("Netherlands, Kingdom of the", "Kingdom of the Netherlands"),
    # other languages
    ("Deutchland", "Deutschland"),
    ("Östereich", "Österreich"),
    ("Oesterreich", "Österreich"),
    ("Bundesrepublik Deutchland", "Germany"),
    # other languages: the country's spelling in English
    ("Niemcy", "Germany"),  # pl
    ("Allemagne", "Germany"),  # fr
    ("Tyskland", "Germany"),  # sv, da
    ("Německo", "Germany"),  # cs
    ("Германия", "Germany"),  # bg
    ("Frankreich", "France"),  # de
    ("Ισπανία", "Spain"),  # el
    ("Corea del Sur", "South Korea"),  # es
    ("Bundesrepublik Deutschland", "Germany"),  # an official name
    ("Irak", "Iraq"),  # many languages; one letter from Iran, so listed in the data file
    ("Granada", "Grenada"),  # Spanish
    ("Morroco", "Morocco"),  # not the Portuguese "Marrocos", as close
    ("Osterrike", "Österreich"),  # Swedish misspelt: the English list's closest spelling
    # parts of a country
    ("England", "United Kingdom"),
    ("Scotland", "United Kingdom"),
    ("Wales", "United Kingdom"),
    ("Northern Ireland", "United Kingdom"),
    # nothing close enough, or two countries as close: no guess
    ("Atlantis", None),
    ("Narnia", None),
    ("Qqqqqq", None),
    ("Europe", None),
    ("EU", None),
    ("Slovania", None),  # Slovenia or Slovakia
    ("Sambia", None),  # Zambia or Gambia
    ("Ira", None),  # Iran or Iraq
    ("", None),
]


@pytest.mark.parametrize(("typed", "suggestion"), SUGGESTED)
def test_suggestions(typed: str, suggestion: str | None) -> None:
    assert find_country(typed) is None
    assert suggest_country(typed) == suggestion
    if suggestion is not None:
        assert find_country(suggestion) is not None  # a suggestion is always accepted


@pytest.mark.parametrize(
    ("typed", "wrong"),
    [
        ("Rusia", "TN"),  # difflib's old answer: Tunisia
        ("Republic of Korae", "IQ"),  # "Republic of Iraq"
        ("Österreich", "CR"),  # "Costa Rica"
        ("Deutchland", "TH"),  # "Thailand"
        ("Slovencia", "IR"),  # "Slovenčina", a wrong Slovak translation of Iran
        ("Republic of Korea (South)", "ZA"),
    ],
)
def test_no_wrong_country_is_suggested(typed: str, wrong: str) -> None:
    country = find_country(typed) or find_country(suggest_country(typed) or "")
    assert country is not None and country.alpha_2 != wrong


@FAST
@given(st.text(max_size=40))
def test_any_text_is_answered_and_every_suggestion_is_accepted(text: str) -> None:
    found = find_country(text)
    suggestion = suggest_country(text)
    assert found is None or found.alpha_2.isupper()
    assert suggestion is None or find_country(suggestion) is not None


@st.composite
def retyped_names(draw: st.DrawFn) -> tuple[str, str]:
    """An accepted name respelt with other case, spaces, punctuation and "the", and its code."""
    typed, alpha_2 = draw(st.sampled_from([case for case in ACCEPTED if len(case[0]) > 3]))
    words = typed.split()
    out = draw(st.sampled_from(["", "the ", "The ", " "]))
    for word in words:
        out += "".join(draw(st.sampled_from([c.lower(), c.upper()])) for c in word)
        out += draw(st.sampled_from([" ", "  ", " - ", ". "]))
    return out, alpha_2


@FAST
@given(retyped_names())
def test_retyped_names_are_the_same_country(case: tuple[str, str]) -> None:
    typed, alpha_2 = case
    country = find_country(typed)
    assert country is not None and country.alpha_2 == alpha_2, typed


# --------------------------------------------------------------------------- the data file


def test_every_data_file_name_is_accepted_as_its_country() -> None:
    seen: dict[str, str] = {}
    for table in ACCEPTED_TABLES:
        for name, alpha_2 in DATA[table].items():
            key = name_key(name)
            assert key not in seen, f"{name!r} ({table}) is also in {seen[key]}"
            seen[key] = table
            country = find_country(name)
            assert country is not None and country.alpha_2 == alpha_2, (table, name)
    for code, alpha_2 in DATA["eu_codes"].items():
        assert find_country(code).alpha_2 == alpha_2  # type: ignore[union-attr]


def test_no_data_file_name_is_an_iso_name_of_another_country() -> None:
    iso = {
        name_key(name): entry["alpha_2"]
        for entry in countries._iso_entries()
        for name in countries._iso_names(entry)
    }
    for table in (*ACCEPTED_TABLES, *SUGGESTED_TABLES):
        for name, alpha_2 in DATA[table].items():
            assert iso.get(name_key(name), alpha_2) == alpha_2, (table, name)


@pytest.mark.parametrize("table", SUGGESTED_TABLES)
def test_names_of_the_last_tables_are_suggested_never_accepted(table: str) -> None:
    for name, alpha_2 in DATA[table].items():
        assert find_country(name) is None
        suggestion = suggest_country(name)
        assert suggestion is not None and find_country(suggestion).alpha_2 == alpha_2  # type: ignore[union-attr]


def test_wrong_translations_are_in_the_catalogues_and_ignored() -> None:
    """Each entry is a real error of pycountry's catalogues (else it is stale), and is not
    suggested for the country it was wrongly given to."""
    translations = {
        (translation, entry["alpha_2"])
        for catalogue in countries._catalogues()
        for entry in countries._iso_entries()
        for name in countries._iso_names(entry)
        if (translation := catalogue.get(name))
    }
    for translation, alpha_2 in DATA["wrong_translations"].items():
        assert (translation, alpha_2) in translations
        suggestion = suggest_country(translation)
        found = find_country(suggestion) if suggestion else None
        assert found is None or found.alpha_2 != alpha_2, translation


def test_every_eu_language_but_english_has_a_catalogue() -> None:
    folder = countries._pycountry_folder() / "locales"
    missing = [
        language
        for language in countries.EU_LANGUAGES
        if not (folder / language / "LC_MESSAGES" / "iso3166-1.mo").is_file()
    ]
    assert missing == ["en"]
    assert len(countries.EU_LANGUAGES) == 24


def test_catalogues_and_rapidfuzz_are_read_only_for_a_suggestion() -> None:
    script = (
        "import sys\n"
        "from ucap_cli.record import countries as c\n"
        "for name in ('Republic of Korea', 'UK', 'EL', 'Kosovo', 'Deutschland', 'Niemcy'):\n"
        "    c.find_country(name)\n"
        "assert c._translated.cache_info().currsize == 0\n"
        "assert 'rapidfuzz' not in sys.modules and 'gettext' not in sys.modules\n"
        "assert c.suggest_country('Niemcy') == 'Germany'\n"
        "assert c._translated.cache_info().currsize == 1 and 'rapidfuzz' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_verdict_cache_is_dropped_when_the_data_file_changes() -> None:
    data = Path(countries.__file__).with_name("countries.toml")
    stat = data.stat()
    cache.code_fingerprint.cache_clear()
    before = cache.code_fingerprint()
    try:
        os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        cache.code_fingerprint.cache_clear()
        assert cache.code_fingerprint() != before
    finally:
        os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        cache.code_fingerprint.cache_clear()


def test_the_data_files_are_package_data() -> None:
    """`pip install .` (not editable) ships every data file of the package: pyproject's
    package-data names each (CI installs that way, then validates the bundled record)."""
    import fnmatch

    config = loads((REPO / "pyproject.toml").read_text("utf-8"))
    declared = config["tool"]["setuptools"]["package-data"]
    files = sorted(p for p in (REPO / "ucap_cli").rglob("*") if p.is_file() and p.suffix != ".py")
    files = [p for p in files if "__pycache__" not in p.parts]
    assert files
    for file in files:
        package = ".".join(file.parent.relative_to(REPO).parts)
        patterns = declared.get(package, [])
        assert any(fnmatch.fnmatch(file.name, pattern) for pattern in patterns), file


# --------------------------------------------------------------------------- through the CLI


@pytest.mark.parametrize(
    "written", ["Republic of Korea", "UK", "EL", "Kosovo", "Deutschland", "The Netherlands"]
)
def test_validate_accepts_the_names(run: Run, tmp_path: Path, written: str) -> None:
    record = edited(VALID_RECORD, ('country = "AT"', f"country = {json.dumps(written)}"))
    write_collection(tmp_path / "records", {"demo": record})
    result = run("validate", "--strict", "--no-cache", "records")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("written", "suggestion"),
    [
        ("Rusia", "Russia"),
        ("Republic of Korae", "Republic of Korea"),
        ("Scotland", "United Kingdom"),
        ("Nigera", "Nigeria"),
        ("Atlantis", None),
    ],
)
def test_validate_suggests_for_an_unknown_name(
    run: Run, tmp_path: Path, written: str, suggestion: str | None
) -> None:
    record = edited(VALID_RECORD, ('country = "France"', f"country = {json.dumps(written)}"))
    write_collection(tmp_path / "records", {"demo": record})
    result = run("validate", "--no-cache", "records")
    assert result.exit_code == 1
    hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
    assert (
        f"records/demo.toml:17:11: error E109 city.country: unknown country {written!r}: "
        f"expected an ISO 3166-1 name or code{hint}\n"
    ) in result.output


COUNTRIES = {
    "seoul": ("Seoul", "Republic of Korea"),
    "athens": ("Athens", "EL"),
    "berlin": ("Berlin", "Deutschland"),
    "leeds": ("Leeds", "UK"),
    "york": ("York", "United Kingdom"),
}


@pytest.fixture
def named_countries(tmp_path: Path) -> Path:
    """Five records, each led by a city whose country is written one of the ways above."""
    records = {
        name: edited(
            VALID_RECORD,
            ('id = "demo"', f'id = "{name}"'),
            ('name = "Lyon"', f'name = "{city}"'),
            ('country = "France"', f"country = {json.dumps(country)}"),
            ('cities = ["Lyon", "GRZ"]', f'cities = ["{city}", "GRZ"]'),
            ('parties = ["Lyon", "Graz"]', f'parties = ["{city}", "Graz"]'),
        )
        for name, (city, country) in COUNTRIES.items()
    }
    return write_collection(tmp_path / "records", records)


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("South Korea", ["seoul"]),
        ("Korea", ["seoul"]),
        ("KR", ["seoul"]),
        ("EL", ["athens"]),
        ("Greece", ["athens"]),
        ("Ελλάδα", ["athens"]),
        ("Deutschland", ["berlin"]),
        ("Germany", ["berlin"]),
        ("GB", ["leeds", "york"]),
        ("UK", ["leeds", "york"]),
        ("Great Britain", ["leeds", "york"]),
        ("Austria", ["athens", "berlin", "leeds", "seoul", "york"]),  # Graz, every partner
    ],
)
def test_list_country_takes_the_same_names(
    run: Run, named_countries: Path, country: str, expected: list[str]
) -> None:
    result = run("list", "--records", str(named_countries), "-f", "json", "--country", country)
    assert result.exit_code == 0, result.output
    assert sorted(record["id"] for record in json.loads(result.stdout)) == expected


@pytest.mark.parametrize(
    ("country", "suggestion"), [("Nigera", "Nigeria"), ("Niemcy", "Germany"), ("Rusia", "Russia")]
)
def test_an_unknown_country_option_is_a_usage_error_with_a_suggestion(
    run: Run, named_countries: Path, country: str, suggestion: str
) -> None:
    result = run("list", "--records", str(named_countries), "--country", country)
    assert result.exit_code == 2
    assert f"--country: unknown country {country!r} (did you mean {suggestion!r}?)" in (
        result.output
    )


def test_summary_counts_countries_by_code(run: Run, named_countries: Path) -> None:
    result = run("summary", "--records", str(named_countries), "--format", "json")
    assert result.exit_code == 0, result.output
    overview = json.loads(result.stdout)["overview"]
    # UK and United Kingdom are one country; Austria is the partners' (Graz).
    assert overview["countries"] == 5
    assert sorted(overview["names"]["countries"]) == [
        "Austria",
        "Germany",
        "Greece",
        "Korea, Republic of",
        "United Kingdom",
    ]


def test_the_bundled_and_test_records_are_still_valid(run: Run, tmp_path: Path) -> None:
    write_collection(tmp_path / "records", {"lyon-graz": LYON_GRAZ, "pune": PUNE})
    assert run("validate", "--no-cache", "records").exit_code == 0
    assert run("validate", "--no-cache", str(REPO / "records")).exit_code == 0
