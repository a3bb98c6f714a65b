"""Vocabularies of the record format and the matching rules for names people type."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

SDGS: dict[int, str] = {
    1: "No poverty",
    2: "Zero hunger",
    3: "Good health and well-being",
    4: "Quality education",
    5: "Gender equality",
    6: "Clean water and sanitation",
    7: "Affordable and clean energy",
    8: "Decent work and economic growth",
    9: "Industry, innovation and infrastructure",
    10: "Reduced inequalities",
    11: "Sustainable cities and communities",
    12: "Responsible consumption and production",
    13: "Climate action",
    14: "Life below water",
    15: "Life on land",
    16: "Peace, justice and strong institutions",
    17: "Partnerships for the goals",
}

URBAN_AGENDA_TOPICS: tuple[str, ...] = (
    "Inclusion of Migrants and Refugees",
    "Air Quality",
    "Urban Poverty",
    "Housing",
    "Circular Economy",
    "Jobs and Skills in the Local Economy",
    "Climate Adaptation",
    "Energy Transition",
    "Sustainable Use of Land and Nature-Based Solutions",
    "Urban Mobility",
    "Digital Transition",
    "Innovative and Responsible Public Procurement",
    "Culture/Cultural Heritage",
    "Security in Public Spaces",
)

# Short forms people use for the partnerships, in addition to the official names.
URBAN_AGENDA_ALIASES: dict[str, str] = {
    "Migrants and refugees": "Inclusion of Migrants and Refugees",
    "Inclusion of migrants": "Inclusion of Migrants and Refugees",
    "Migration": "Inclusion of Migrants and Refugees",
    "Poverty": "Urban Poverty",
    "Jobs and skills": "Jobs and Skills in the Local Economy",
    "Adaptation": "Climate Adaptation",
    "Energy": "Energy Transition",
    "Sustainable land use": "Sustainable Use of Land and Nature-Based Solutions",
    "Land use": "Sustainable Use of Land and Nature-Based Solutions",
    "Nature-based solutions": "Sustainable Use of Land and Nature-Based Solutions",
    "Mobility": "Urban Mobility",
    "Digitalisation": "Digital Transition",
    "Digitalization": "Digital Transition",
    "Public procurement": "Innovative and Responsible Public Procurement",
    "Culture": "Culture/Cultural Heritage",
    "Cultural heritage": "Culture/Cultural Heritage",
    "Security in public space": "Security in Public Spaces",
    "Security": "Security in Public Spaces",
}

ACTIVITY_KINDS: tuple[str, ...] = (
    "visit",
    "mission",
    "meeting",
    "workshop",
    "conference",
    "seminar",
    "forum",
    "signing",
    "field-visit",
    "training",
    "media",
    "other",
)
ACTIVITY_STATUSES: tuple[str, ...] = ("done", "planned", "cancelled")
AGREEMENT_KINDS: tuple[str, ...] = ("mou", "cooperation-agreement", "letter-of-intent", "other")
RESULT_STATUSES: tuple[str, ...] = ("planned", "in-progress", "achieved", "dropped")
ORGANISATION_KINDS: tuple[str, ...] = (
    "government",
    "company",
    "university",
    "cluster",
    "agency",
    "ngo",
    "other",
)

_STOP_WORDS = frozenset({"the", "a"})
_PUNCTUATION = re.compile(r"[^\w\s]")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of `text`, with runs of spaces collapsed.

    Letters without a decomposition are transliterated (ø -> o, æ -> ae, ł -> l, þ -> th,
    ß -> ss...): every name match (cities, partners, organisations, themes, --search) uses
    this one form.
    """
    # Names repeat across activities and records: folding each spelling once saves most of
    # the time the record checks take on large collections. Long texts are not kept.
    return _fold_name(text) if len(text) <= 80 else _fold(text)


@lru_cache(maxsize=16384)
def _fold_name(text: str) -> str:
    return _fold(text)


def fold_once(text: str) -> str:
    """`fold`, for a text folded once (building an index): not kept in `fold`'s cache."""
    return _fold(text)


# Letters that NFKD does not decompose into a base letter and an accent, written the way
# people type them on a keyboard without them (Øresby as "oresby", Łódź as "lodz", Þórshöfn as
# "thorshofn"). Applied after NFKD and casefold, so lower case only: ß is already "ss", Ŀ/ŀ
# is already "l·" (its middle dot goes), Ǿ/ǿ is already ø. Typographic apostrophes become the
# one on the keyboard.
_LETTERS: dict[str, str] = {
    "ø": "o",
    "æ": "ae",
    "œ": "oe",
    "ł": "l",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ħ": "h",
    "\u0131": "i",  # dotless i
    "ŧ": "t",
    "ŋ": "n",
    "ĸ": "k",
    "ƒ": "f",
    "ƀ": "b",
    "ƶ": "z",
    "ǥ": "g",
    "ɍ": "r",
    "ʉ": "u",
    "ɨ": "i",
    "ȼ": "c",
    "ɇ": "e",
    "ə": "e",
    "·": "",
    "\u2019": "'",
    "\u2018": "'",
    "\u02bc": "'",
    "\u02bb": "'",
}
_TRANSLITERATED = frozenset(_LETTERS)
_LATIN_ACCENTS = re.compile("[\u0300-\u036f]+")  # the combining marks of Latin letters


def _fold(text: str) -> str:
    # Fast paths first: most names are ASCII (casefold is lower, NFKD changes nothing), and
    # most others are Latin letters with accents, which one regular expression strips, or
    # with the letters above.
    if text.isascii():
        return " ".join(text.lower().split())
    folded = _LATIN_ACCENTS.sub("", unicodedata.normalize("NFKD", text).casefold())
    if not folded.isascii():
        for letter in _TRANSLITERATED.intersection(folded):
            folded = folded.replace(letter, _LETTERS[letter])
        if not folded.isascii():  # other scripts: their own combining marks
            folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(folded.split())


@lru_cache(maxsize=16384)
def city_key(name: str) -> str:
    """The form city names are compared in: no case, accents, spaces or hyphens."""
    return "".join(ch for ch in fold(name) if ch.isalnum())


def topic_key(text: str) -> str:
    """The form Urban Agenda topics are compared in (see the format's matching rule)."""
    text = fold(text).replace("&", " and ").replace("/", " and ")
    text = _PUNCTUATION.sub(" ", text)
    return " ".join(word for word in text.split() if word not in _STOP_WORDS)


_TOPIC_INDEX: dict[str, str] = {topic_key(t): t for t in URBAN_AGENDA_TOPICS} | {
    topic_key(alias): t for alias, t in URBAN_AGENDA_ALIASES.items()
}


def match_topic(text: str) -> str | None:
    """The official Urban Agenda topic `text` stands for, or None."""
    return _TOPIC_INDEX.get(topic_key(text))


def closest(word: str, candidates: Iterable[str], *, key: str | None = None) -> str | None:
    """The candidate closest to `word` (compared folded), if any is reasonably close."""
    pool = list(candidates)
    folded = {fold(c): c for c in pool}
    found = difflib.get_close_matches(fold(key or word), list(folded), n=1, cutoff=0.6)
    return folded[found[0]] if found else None


def suggest_topic(text: str) -> str | None:
    """The official topic closest to an unknown one."""
    found = difflib.get_close_matches(topic_key(text), list(_TOPIC_INDEX), n=1, cutoff=0.5)
    return _TOPIC_INDEX[found[0]] if found else None


def did_you_mean(suggestion: str | None) -> str:
    """' (did you mean 'x'?)' or ''."""
    return f" (did you mean {suggestion!r}?)" if suggestion else ""


def slug(text: str) -> str:
    """The record id a name suggests: its letters and digits folded to ASCII (`Łódź Bonn`
    is `lodz-bonn`), runs of anything else as one hyphen; `record` when nothing is left."""
    return "-".join(re.findall(r"[a-z0-9]+", fold(text))) or "record"


def name_key(text: str) -> str:
    """The form names are compared in for a fix: no case, accents or separators (spaces,
    hyphens, underscores, `/`), `&` read as `and` ("In progress" and "in-progress" meet)."""
    return "".join(ch for ch in fold(text).replace("&", "and") if ch.isalnum())


def _spelling_limit(key: str) -> int:
    """Edits a misspelling of a name of this length may have: none below three letters, one
    up to seven, two past that ("sdg" for "sdgs", "organizations" for "organisations")."""
    return 0 if len(key) < 3 else 1 if len(key) <= 7 else 2


def single_candidate(
    word: str, candidates: Iterable[str] | Mapping[str, str], *, spelling: bool = True
) -> str | None:
    """The one candidate `word` surely stands for, or None (never a guess between two).

    The candidate written the same but for case, accents and separators (`name_key`), when
    exactly one is; else, with `spelling`, the candidate within a small edit distance of it
    (see `_spelling_limit`), when exactly one is. A mapping maps names to what they stand for
    (aliases to their topic): names that stand for the same thing count as one, which is
    returned.
    """
    meaning = dict(candidates) if isinstance(candidates, Mapping) else {c: c for c in candidates}
    wanted = name_key(word)
    if not wanted:
        return None
    same = {meaning[c] for c in meaning if name_key(c) == wanted}
    if same or not spelling:
        return same.pop() if len(same) == 1 else None
    limit = _spelling_limit(wanted)
    if not limit:
        return None
    from rapidfuzz.distance import OSA

    close = {
        meaning[c]
        for c in meaning
        if OSA.distance(wanted, name_key(c), score_cutoff=limit) <= limit
    }
    return close.pop() if len(close) == 1 else None


def official_topic(text: str) -> str | None:
    """The official Urban Agenda topic `text` is written as, but for case, `&`/`/` for
    `and`, punctuation and the words `the`/`a` (not an alias such as "Mobility")."""
    official = match_topic(text)
    if official is None or topic_key(official) != topic_key(text):
        return None
    return official


def suggest_topic_fix(text: str) -> str | None:
    """The official topic an unknown one is a misspelling of, when only one can be meant:
    the official names and the aliases are candidates, each standing for its topic."""
    return single_candidate(text, {**{t: t for t in URBAN_AGENDA_TOPICS}, **URBAN_AGENDA_ALIASES})
