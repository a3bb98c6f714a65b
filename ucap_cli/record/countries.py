"""Countries as people in EU programmes write them, known by their ISO 3166-1 codes.

A name is accepted when it is, compared as `name_key` folds it:
1. an ISO 3166-1 short, common or official name, or alpha-2/alpha-3 code (pycountry's data);
2. a name or code of record/countries.toml: the EU style guide's (UK, EL, Kosovo/XK, Czechia,
   the Member States' own names such as Deutschland) and the usual English short forms
   (Russia, South Korea, Ivory Coast...).
An unknown name gets the closest known one as a suggestion, if one is close enough; ISO's
names in the EU's other official languages (the Debian iso-codes translations pycountry
ships) suggest their country too ("Niemcy": "Germany"), but are not accepted: a city may
bear one ("Granada" is Spanish for Grenada).

pycountry's own import costs ~80 ms (it imports importlib.metadata for its version), and
`ucap validate` runs on every commit: its JSON database and gettext catalogues are read
directly, once, and the catalogues only to make a suggestion.
"""

from __future__ import annotations

import bisect
import importlib.util
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from ucap_cli.record import vocab
from ucap_cli.toml.parser import loads

# The 24 official languages of the EU, as pycountry names its translation folders (English
# has none: its names are the ISO ones).
EU_LANGUAGES: tuple[str, ...] = (
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr",
    "hu", "it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv",
)  # fmt: skip

# How close a suggestion must be: at most one edit (a letter added, left out or changed, or
# two letters swapped) in four letters of the name as written, or one in seven with the
# words of both names sorted (nearer, or "Republic of Korea (South)" would be as close to
# "Republic of South Africa" as to "Republic of Korea").
SUGGESTION_CUTOFF = 0.75
SORTED_WORDS_CUTOFF = 0.85

_DATA = Path(__file__).with_name("countries.toml")
_WORD = re.compile(r"\w+")
_WORD_FORMS = {"st": "saint"}  # "St Lucia", "St. Kitts and Nevis" (but "ST" alone is a code)


@dataclass(frozen=True, slots=True)
class Country:
    """One country: its ISO 3166-1 codes and short name (Kosovo's are the EU's)."""

    alpha_2: str
    alpha_3: str
    name: str


def name_words(text: str, fold: Callable[[str], str] = vocab.fold) -> list[str]:
    """The words of a country name as compared: folded, without punctuation or "the", with
    "&" read as "and" and "St" as "Saint"."""
    folded = fold(text)
    words = _WORD.findall(folded.replace("&", " and ") if "&" in folded else folded)
    if len(words) > 1 and ("the" in words or "st" in words):
        return [_WORD_FORMS.get(word, word) for word in words if word != "the"]
    return words


@lru_cache(maxsize=4096)
def name_key(text: str) -> str:
    """The form country names are compared in: "The Netherlands" and "netherlands" are one,
    and so are "Côte d'Ivoire" and "COTE DIVOIRE", "U.K." and "UK"."""
    return "".join(name_words(text))


def find_country(text: str) -> Country | None:
    """The country `text` names, or None (see the module's docstring)."""
    return _english().accepted.get(name_key(text))


def suggest_country(text: str) -> str | None:
    """The known country name closest to an unknown one; None when none is close enough, or
    when two countries are equally close (no guess is better than a wrong one)."""
    words = name_words(text)
    return _suggestions().closest(words) if words else None


# --- the names -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Names:
    accepted: dict[str, Country]  # name_key -> country
    # The names suggestions are drawn from: (its words, its country, the spelling suggested)
    suggested: list[tuple[list[str], Country, str]]
    usual: dict[str, str]  # alpha-2 -> the country's usual English name (common, else short)


def _words(text: str) -> list[str]:
    """`name_words`, for names read once into an index: not kept in `fold`'s cache."""
    return name_words(text, vocab.fold_once)


@cache
def _english() -> _Names:
    """ISO 3166-1's names and codes, and those of record/countries.toml."""
    data = _data()
    countries: dict[str, Country] = {}
    usual: dict[str, str] = {}
    accepted: dict[str, Country] = {}
    suggested: list[tuple[list[str], Country, str]] = []

    def add(country: Country, *spellings: str) -> None:
        for spelling in spellings:
            words = _words(spelling)
            accepted.setdefault("".join(words), country)
            suggested.append((words, country, spelling))

    def add_codes(country: Country, *codes: str) -> None:
        for code in codes:
            accepted.setdefault(code.casefold(), country)

    for entry in _iso_entries():
        country = Country(entry["alpha_2"], entry["alpha_3"], entry["name"])
        countries[country.alpha_2] = country
        usual[country.alpha_2] = entry.get("common_name") or country.name
        add(country, *_iso_names(entry))
        add_codes(country, country.alpha_2, country.alpha_3)
    for alpha_2, entry in data["countries"].items():
        country = countries[alpha_2] = Country(alpha_2, entry["alpha_3"], entry["name"])
        usual[alpha_2] = country.name
        add(country, country.name)
        add_codes(country, country.alpha_2, country.alpha_3)
    for code, alpha_2 in data["eu_codes"].items():
        add_codes(countries[alpha_2], code)
    for table in ("eu_names", "eu_names_in_own_languages", "usual"):
        for spelling, alpha_2 in data[table].items():
            add(countries[alpha_2], spelling)
    for table in ("other_languages", "parts_of_countries"):  # suggested, never accepted
        for name, alpha_2 in data[table].items():
            suggested.append((_words(name), countries[alpha_2], usual[alpha_2]))
    return _Names(accepted, suggested, usual)


@cache
def _translated() -> _Names:
    """ISO 3166-1's names in the EU's other languages, to suggest their countries from: those
    that name one country and are not English names. Read for the first suggestion, once."""
    english = _english()
    countries = {country.alpha_2: country for country in english.accepted.values()}
    wanted = [(name, entry["alpha_2"]) for entry in _iso_entries() for name in _iso_names(entry)]
    named: dict[str, str] = {}  # translation -> the country it names
    clashes: dict[str, set[str]] = {}  # translation -> the countries it names, if two
    for catalogue in _catalogues():
        get = catalogue.get
        for name, alpha_2 in wanted:
            translation = get(name)
            if translation and (first := named.setdefault(translation, alpha_2)) != alpha_2:
                clashes.setdefault(translation, {first}).add(alpha_2)
    for translation, alpha_2 in _data()["wrong_translations"].items():
        if translation in clashes:  # keep the other country, if one is left
            codes = clashes.pop(translation) - {alpha_2}
            if len(codes) == 1:
                named[translation] = codes.pop()
                continue
        if named.get(translation) == alpha_2:
            del named[translation]
    for translation in clashes:
        del named[translation]
    by_key: dict[str, set[str]] = {}  # the same by key: languages share many spellings
    words_of: dict[str, list[str]] = {}
    for translation, alpha_2 in named.items():
        words = _words(translation)
        key = "".join(words)
        by_key.setdefault(key, set()).add(alpha_2)
        words_of.setdefault(key, words)
    suggested = [
        (words_of[key], countries[alpha_2], english.usual[alpha_2])
        for key, codes in by_key.items()
        if len(codes) == 1 and key not in english.accepted and (alpha_2 := next(iter(codes)))
    ]
    return _Names({}, suggested, english.usual)


def _catalogues() -> Iterator[Mapping[str, str]]:
    """pycountry's iso3166-1 gettext catalogues of the EU languages (msgid -> msgstr)."""
    import gettext  # only here: most runs never read a catalogue

    locales = _pycountry_folder() / "locales"
    for language in EU_LANGUAGES:
        try:
            with open(locales / language / "LC_MESSAGES" / "iso3166-1.mo", "rb") as handle:
                catalogue: Mapping[str, str] = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        except OSError:  # English has none; a packager may leave languages out
            continue
        yield catalogue


@cache
def _data() -> dict[str, dict[str, Any]]:
    """record/countries.toml: its tables, each of names (or codes) and alpha-2 codes."""
    tables: dict[str, dict[str, Any]] = loads(_DATA.read_text(encoding="utf-8"))
    return tables


@cache
def _iso_entries() -> list[dict[str, str]]:
    """pycountry's ISO 3166-1 entries (alpha_2, alpha_3, name, common_name, official_name)."""
    database = _pycountry_folder() / "databases" / "iso3166-1.json"
    entries: list[dict[str, str]] = json.loads(database.read_text(encoding="utf-8"))["3166-1"]
    return entries


def _iso_names(entry: dict[str, str]) -> Iterator[str]:
    """An ISO entry's short, common and official names, those it has, each once."""
    seen: set[str] = set()
    for field in ("name", "common_name", "official_name"):
        name = entry.get(field)
        if name and name not in seen:
            seen.add(name)
            yield name


@cache
def _pycountry_folder() -> Path:
    spec = importlib.util.find_spec("pycountry")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - a dependency
        raise RuntimeError("pycountry is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


# --- suggestions ---------------------------------------------------------------------------

# A country chosen, its English spelling is suggested when it is at least this close (for
# "Morroco", "Morocco" rather than the Portuguese "Marrocos"); else the closest spelling.
_ENGLISH_SPELLING_CUTOFF = 0.6


class _Pool:
    """Names of one origin (English, or the other languages) in the order of their keys'
    lengths, so that a name is compared only with those whose length allows a match."""

    def __init__(self, given: Iterable[tuple[list[str], Country, str]]) -> None:
        names: list[tuple[str, str, str, str]] = []
        seen: set[tuple[str, str]] = set()
        for words, country, shown in given:
            key = "".join(words)
            # Names of three letters or fewer are one edit away from too many others.
            if len(key) < 4 or (key, country.alpha_2) in seen:
                continue
            seen.add((key, country.alpha_2))
            names.append((key, "".join(sorted(words)), shown, country.alpha_2))
        names.sort(key=lambda name: len(name[0]))  # stable: the first spellings first
        self.keys = [name[0] for name in names]
        self.sorted_keys = [name[1] for name in names]  # the key with its words sorted
        self.shown = [name[2] for name in names]  # the spelling to suggest
        self.countries = [name[3] for name in names]  # alpha-2 codes
        self.lengths = [len(key) for key in self.keys]

    def scores(
        self, words: list[str], cutoff: float, *, sorted_words: bool = True
    ) -> dict[int, tuple[float, float]]:
        """index -> (similarity, as written) of the names at least `cutoff` similar to the
        name of `words`, as written or (with `sorted_words`) with the words of both sorted."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        key = "".join(words)
        low = bisect.bisect_left(self.lengths, len(key) * cutoff)
        high = bisect.bisect_right(self.lengths, len(key) / cutoff)
        passes = [(key, self.keys, cutoff)]
        if sorted_words and len(words) > 1:
            passes.append(("".join(sorted(words)), self.sorted_keys, SORTED_WORDS_CUTOFF))
        found: dict[int, tuple[float, float]] = {}
        for sorted_pass, (query, choices, least) in enumerate(passes):
            for _, score, index in process.extract(
                query,
                choices[low:high],
                scorer=OSA.normalized_similarity,
                processor=None,
                score_cutoff=max(cutoff, least),
                limit=None,
            ):
                best, as_written = found.get(low + index, (0.0, 0.0))
                found[low + index] = (max(best, score), as_written if sorted_pass else score)
        return found

    def near(self, key: str, alpha_2: str) -> bool:
        """True when a name of another country than `alpha_2` is one edit from `key`."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        low = bisect.bisect_left(self.lengths, len(key) - 1)
        high = bisect.bisect_right(self.lengths, len(key) + 1)
        return any(
            self.countries[low + index] != alpha_2
            for _, _, index in process.extract(
                key, self.keys[low:high], scorer=OSA.distance, score_cutoff=1, limit=None
            )
        )


class _Suggestions:
    """The names suggestions are drawn from: English, then the other EU languages'."""

    def __init__(self, english: _Names, translated: _Names) -> None:
        self.english = _Pool(english.suggested)
        self.translated = _Pool(translated.suggested)
        self.english_names = english.usual

    def closest(self, words: list[str]) -> str | None:
        """The spelling to suggest for the name of `words`, if any."""
        english = self.english.scores(words, _ENGLISH_SPELLING_CUTOFF)
        translated = {
            index: scores
            # Words in another order are looked for among English names only: twice as
            # fast, and other languages' names are seldom written so.
            for index, scores in self.translated.scores(
                words, SUGGESTION_CUTOFF, sorted_words=False
            ).items()
            if not _confusable(self.translated.keys[index], self.translated.countries[index])
        }
        close = [
            (score, pool, index)
            for pool, found in ((self.english, english), (self.translated, translated))
            for index, (score, _) in found.items()
            if score >= SUGGESTION_CUTOFF
        ]
        if not close:
            return None
        best = max(score for score, _, _ in close)
        countries = {pool.countries[index] for score, pool, index in close if score == best}
        if len(countries) > 1:
            return None  # two countries equally close: a guess could be wrong
        country = countries.pop()
        # That country's English spelling closest to the name as written, if one is close
        # enough to be recognised ("Morocco" for "Morroco", not the Portuguese "Marrocos");
        # else its usual English name ("Germany" for "Niemcy").
        own = [i for i in english if self.english.countries[i] == country]
        if own:
            return self.english.shown[max(own, key=lambda i: (english[i], -i))]
        return self.english_names[country]


@cache
def _suggestions() -> _Suggestions:
    return _Suggestions(_english(), _translated())


@lru_cache(maxsize=1024)
def _confusable(key: str, alpha_2: str) -> bool:
    """True when `key`, another language's name of `alpha_2`, is one edit from an English
    name of another country ("Nigera", Latvian for Niger, and "Nigeria"): then it could be
    that name misspelt, and is not suggested from."""
    return _suggestions().english.near(key, alpha_2)
