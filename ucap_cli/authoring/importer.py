"""U-CAP one-page summaries (the programme's text layout) -> draft record text.

The summary is a column layout ("City:", then the lead city and the partners, separated by
tabs, `|` or runs of spaces), followed by free text: key focus, challenges, objectives, the
dated activity paragraphs ("→ April 2017: ...") with their sub-points, expected results and a
contact. HTML tags, Markdown links, emphasis and escapes are read as plain text.

Agreements are read from an activity's text and sub-points ("MoU signed between A and B",
"signs five MoUs with EU pilot cities", "a detailed cooperation agreement", "letter of intent",
"MoU signed on the following fields:" and its bullets) and put on that activity; one the text
calls an earlier one ("a follow-up to the MoU signed in April 2017") is not added again, and
one that cannot be placed is said in the notes.

Everything read literally is written as it is; everything inferred (an activity's kind, title,
place and cities, a partner's country from its region, a missing comma between themes...) is
marked `# TODO: check` in the draft, and what could not be placed is listed for the user.

The summary that `ucap show ID --format summary` writes (docs/summary-document.md) is read
literally, guessing nothing: it adds to the layout a few forms this reader takes as they are
written. `Title:` and `Programme:` lines; "Name (ALIAS)" for a city's alias; a list written
with semicolons is split on them only; a bulleted key focus is "Theme: text"; after an activity's
dated line, a details line `Kind: visit · Where: ... · Cities: A, B · Until: 3 July 2017`, then
its summary, then its outputs as bullets, `Agreement: MoU \u00d75 · Parties: ... · Fields: ... ·
Title: ...` and `Link: ...` bullets among them; an expected result is a bullet followed by
`Status: planned · Theme: ... · Organisations: ...`. A backslash before punctuation (or one of
→ ○ ◦ ▪ • ·) makes that character plain text, never structure, as in Markdown.
"""

from __future__ import annotations

import difflib
import html
import importlib.util
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ucap_cli.record import vocab
from ucap_cli.record.countries import find_country, suggest_country
from ucap_cli.record.dates import DateError, parse_partial_date
from ucap_cli.toml.layout import Attached, Notes, render
from ucap_cli.toml.locate import KeyPath

TODO = "# TODO: check"
MAX_PARTNERS = 50  # a one-page summary names a handful; more is a misread line

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATED = re.compile(
    rf"^(?:→\s*)?(?:(?P<day>\d{{1,2}})(?:\s*[-\u2013]\s*(?P<day2>\d{{1,2}}))?\s+)?"
    rf"(?P<month>{_MONTH})\.?\s+(?P<year>(?:19|20)\d\d)\s*(?:[:\-\u2013\u2014]\s*|$)(?P<rest>.*)$",
    re.IGNORECASE,
)
_DATED_ISO = re.compile(
    r"^(?:→\s*)?(?P<year>(?:19|20)\d\d)(?:-(?P<month>\d\d))?\s*[:\-\u2013\u2014]\s*(?P<rest>.*)$"
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_UPPER = "A-ZÀ-ÖØ-Þ"
# A place name: up to six capitalised words joined by spaces or hyphens ("Agii
# Anargiri-Kamatero"); bounded and unambiguous, so matching stays linear on any text.
_PLACE = rf"[{_UPPER}][\w'\u2019]*(?:[ -][{_UPPER}][\w'\u2019]*){{0,5}}"
_PLACES = rf"{_PLACE}(?:,\s*{_PLACE})*(?:,?\s+and\s+{_PLACE})?"
_WHERE = (
    re.compile(rf"\bvisit(?:ed|s|ing)?\s+(?P<place>{_PLACE})"),
    re.compile(rf"(?P<place>{_PLACE})\s+(?:hosts|hosted|welcomes|welcomed)\b"),
    re.compile(rf"\bto\s+(?P<place>{_PLACES})"),
    re.compile(rf"\b(?:in|at)\s+\(?(?P<place>{_PLACE})\)?"),
)
_HOSTED = re.compile(
    r"\b(?:organi[sz]\w*|host\w*)\b(?:\s+of)?\s+(?:the\s+|an?\s+)?[^.;]{0,200}?"
    r"\b(?P<kind>conference|seminar|forum|workshop|visit|meeting|training|mission)s?\b",
    re.IGNORECASE,
)
# Words that name an activity's kind; the earliest in its text wins.
_KIND_WORDS = (
    ("field-visit", r"field[- ]visits?|site visits?"),
    ("visit", r"visit(?:s|ed|ing)?|delegation|study tours?"),
    ("mission", r"missions?"),
    ("meeting", r"meetings?|met"),
    ("workshop", r"workshops?"),
    ("conference", r"conferences?"),
    ("seminar", r"seminars?|webinars?"),
    ("forum", r"forums?|fora"),
    ("signing", r"sign(?:s|ed|ing)|signature"),
    ("training", r"trainings?"),
    ("media", r"interviews?|press|media"),
)
_KIND = re.compile(
    "|".join(rf"\b(?P<{kind.replace('-', '_')}>{words})\b" for kind, words in _KIND_WORDS),
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“(]?[A-Z" + _UPPER[3:] + r"])")
_BULLET = re.compile(r"^(?P<indent>\s*)(?:[-*+•]|\d{1,2}[.)])\s+(?P<text>.*)$")
# The details line of an activity (after its dated line) and of an expected result.
_DETAILS = re.compile(r"^\s*(?P<label>Kind|Status): ")

# Section labels of the one-page layout (matched on the folded label, whole).
_COLUMNS = {
    "title": r"title",
    "programme": r"programmes?|programs?",
    "city": r"(lead )?cit(y|ies)( names?)?",
    "partners": r"partners?( cit(y|ies))?",
    "region": r"(province|state|department|region)\b.*",
    "country": r"countr(y|ies)",
    "population": r"population\b.*",
    "size": r"(size|area|surface)\b.*",
    "period": r"(period|duration)\b.*",
    "themes": r"(cooperation )?themes?( of cooperation)?",
    "goals": r"(related )?sdgs?\b.*",
}
_TEXTS = {
    "focus": r"key focus\b.*",
    "challenges": r"(key )?challenges?\b.*",
    "objectives": r"(main )?objectives?\b.*",
    "activities": r"(short description of )?(the )?(main |key )?activities\b.*",
    "results": r"expected results?\b.*",
    "contact": r"(for further information\b.*|contacts?( details)?|further information)",
}
_LABEL = re.compile(r"^\s*(?P<label>[^:\t|]{1,120}?)\s*(?::|\t|\||\s{2,}|$)(?P<rest>.*)$")


@dataclass
class Draft:
    """An imported record: its data, the values guessed, and what could not be placed."""

    record_id: str
    data: dict[str, Any]
    guesses: dict[KeyPath, str] = field(default_factory=dict)  # path -> why it is a guess
    unplaced: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source: str = ""

    @property
    def text(self) -> str:
        """The draft as a record file, every guess marked `# TODO: check`."""
        notes: dict[KeyPath, Notes] = {
            path: Notes(inline=[f"{TODO}: {why}" if why else TODO])
            for path, why in self.guesses.items()
        }
        header = [
            "# Draft record imported by `ucap import` from "
            f"{_one_line(self.source) or 'standard input'}.",
            f"# Values marked `{TODO}` were guessed: check them against the summary,",
            "# then remove the marks. Run `ucap validate` when done.",
            "",
        ]
        notes.setdefault(("schema_version",), Notes()).before = header
        return render(self.data, Attached(notes))


@dataclass
class _Activity:
    date: str
    end: str | None
    paragraphs: list[str] = field(default_factory=list)
    points: list[str] = field(default_factory=list)
    listing: bool = False  # bullets now complete the last paragraph ("...including:")
    moved: int = 0  # sub-points found under "Expected results"
    lists: dict[int, list[str]] = field(default_factory=dict)  # paragraph -> its bullets


@dataclass(frozen=True)
class _Block:
    text: str
    bullet: bool
    level: int
    details: bool = False  # a `Kind: ...` or `Status: ...` line (see the module's docstring)


def import_summary(text: str, *, source: str, record_id: str | None = None) -> Draft:
    """Read a U-CAP summary and build a draft record (see the module's docstring)."""
    text = protect(text)
    sections = _sections(_structure(text))
    draft = Draft(record_id or "", {}, source=source)
    _Reader(draft, sections, text).read()
    draft.record_id = restore(draft.record_id)
    draft.data = restore(draft.data)
    draft.guesses = {path: restore(why) for path, why in draft.guesses.items()}
    draft.unplaced = restore(draft.unplaced)
    draft.notes = restore(draft.notes)
    return draft


# --------------------------------------------------------------------------- escapes

# A backslash before one of these makes it plain text. Each escaped character is held, while
# the summary is read, as a Unicode noncharacter (reserved for a program's internal use), so
# that no pattern of the reader sees it; the values read get it back at the end.
ESCAPABLE = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~→○◦▪•·"
_SLOTS = [chr(0xFDD0 + n) for n in range(32)] + [
    chr(plane * 0x10000 + 0xFFFE + n) for plane in (1, 2, 3) for n in (0, 1)
]
_HOLD = dict(zip(ESCAPABLE, _SLOTS, strict=True))
_GIVE_BACK = str.maketrans({slot: char for char, slot in _HOLD.items()})
_SLOT = re.compile("[" + "".join(_SLOTS) + "]")
_ESCAPE = re.compile("\\\\([" + re.escape(ESCAPABLE) + "])")


def protect(text: str) -> str:
    """`text` with each backslash-escaped character held (noncharacters in the input, which
    mean nothing, become U+FFFD first)."""
    text = _SLOT.sub("\ufffd", text)
    return _ESCAPE.sub(lambda match: _HOLD[match.group(1)], text) if "\\" in text else text


def restore(value: Any) -> Any:
    """`value` (text, or lists and tables of it) with the held characters given back."""
    if isinstance(value, str):
        return value.translate(_GIVE_BACK)
    if isinstance(value, list):
        return [restore(v) for v in value]
    if isinstance(value, dict):
        return {k: restore(v) for k, v in value.items()}
    return value


# --------------------------------------------------------------------------- text


def _structure(text: str) -> str:
    """Plain lines from HTML/Markdown: block tags become line breaks, cells become tabs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t]{9,}", "\t", text)  # keeps columns apart, and every match below short
    text = re.sub(r"(?i)</?(?:td|th)\b[^<>]*>", "\t", text)
    text = re.sub(r"(?i)<li\b[^<>]*>", "\n- ", text)
    text = re.sub(r"(?i)</?(?:p|br|ul|ol|tr|div|h\d|table|li)\b[^<>]*>", "\n", text)
    text = re.sub(r"[ \t]*[○◦▪][ \t]*", "\n  - ", text)
    text = re.sub(r"[ \t]*•[ \t]*", "\n- ", text)
    text = re.sub(r"(?<=\S)[ \t]*→", "\n→", text)
    return text


def clean(text: str) -> str:
    """Inline markup removed (tags, Markdown links, emphasis, escapes), spaces collapsed."""
    # Every pattern is bounded so that cleaning stays linear on any text.
    text = re.sub(r"<[^<>]{0,500}>", " ", text)
    text = html.unescape(text)
    text = re.sub(r"\[((?:\\.|[^\[\]\\]){0,500})\]\([^()\s]{0,500}\)", r"\1", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|])", r"\1", text)
    text = re.sub(r"(\*\*|__)(.{1,500}?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)(.{1,500}?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = text.replace("**", "")
    return " ".join(text.split())


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _fold_label(label: str) -> str:
    label = clean(label).strip(" .:*_#>|")
    return " ".join(vocab.fold(label).replace("…", "...").rstrip(".").split())


def _sections(text: str) -> list[tuple[str, str, list[str]]]:
    """(name, rest of the label line, following lines) for each recognised section."""
    sections: list[tuple[str, str, list[str]]] = [("preamble", "", [])]
    columns_open = True
    summary_next = False  # the line after an activity's details line is its summary
    for raw in text.split("\n"):
        if summary_next and raw.strip():
            sections[-1][2].append(raw)
            summary_next = False
            continue
        details = _DETAILS.match(raw)
        summary_next = bool(details and details.group("label") == "Kind")
        line = re.sub(r"^[\s>#|]+", "", raw) if not _BULLET.match(raw) else raw
        name, rest = _label(line, columns_open)
        if name is None:
            sections[-1][2].append(raw)
            continue
        if name in _TEXTS:
            columns_open = False
        sections.append((name, rest, []))
    return sections


def _label(line: str, columns_open: bool) -> tuple[str | None, str]:
    if not line.strip() or line.lstrip().startswith(("-", "→", "*   ", "+ ")):
        return None, ""
    match = _LABEL.match(line.replace("**", ""))
    if match is None:
        return None, ""
    label = _fold_label(match.group("label"))
    if len(label) > 90:
        return None, ""
    patterns = {**(_COLUMNS if columns_open else {}), **_TEXTS}
    for name, pattern in patterns.items():
        if re.fullmatch(pattern, label):
            return name, match.group("rest")
    return None, ""


def _columns(rest: str) -> list[str]:
    """The cells of a column line: split on tabs, `|` or two spaces or more."""
    cells = [clean(c) for c in re.split(r"\t+|\s*\|\s*|\s{2,}", rest.strip(" \t|*_:"))]
    return [c for c in cells if c]


def _items(text: str) -> list[str]:
    """A list written with commas, semicolons or a final "and"; one written with semicolons
    ("Paris, France; Rome, Italy") is split on them only, each item kept as written."""
    if ";" in text:
        return [p.strip() for p in text.split(";") if p.strip()]
    parts = re.split(r"\s*,\s*|\s+and\s+", text)
    return [p.strip(" .") for p in parts if p.strip(" .")]


_ALIASED = re.compile(r"(?P<name>.+?)\s+\((?P<short>[^()]+)\)")


def _city_item(text: str) -> dict[str, Any]:
    """A city as a column names it: "Agii Anargiri-Kamatero (AAK)" gives its alias too."""
    match = _ALIASED.fullmatch(text)
    if match is None:
        return {"name": text}
    return {"name": match.group("name"), "short": match.group("short").strip()}


def _theme_items(text: str, focus_themes: list[str]) -> tuple[list[str], bool]:
    """The themes of a `Cooperation Themes` line, and whether a missing comma was guessed
    ("Mobility Smart Cities", when "Smart Cities" is a theme of the key focus). A list
    written with semicolons is split on them only, guessing nothing."""
    if ";" in text:
        return _unique(_items(text)), False
    themes: list[str] = []
    split = False
    for item in re.split(r"\s*[,;]\s*", text):
        item = item.strip(" .")
        for known in focus_themes:
            tail = item[-len(known) :]
            if len(item) > len(known) and vocab.fold(tail) == vocab.fold(known):
                head = item[: -len(known)].strip(" ,;&")
                if head:
                    themes.append(head)
                    item, split = known, True
                break
        if item and vocab.fold(item) not in {vocab.fold(t) for t in themes}:
            themes.append(item)
    return themes, split


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for item in items:
        if vocab.fold(item) not in seen:
            seen.add(vocab.fold(item))
            kept.append(item)
    return kept


def read_list(text: str, *, cell: bool = False) -> list[str]:
    """The items a list written in a summary stands for, as `ucap import` reads them (a
    `cell` is read as the one value of a column line). The summary writer checks with this
    that its lists read back."""
    if cell:
        cells = _columns(protect(text))
        text = cells[0] if len(cells) == 1 else "\t".join(cells)
    else:
        text = clean(protect(text))
    return list(restore(_items(text)))


def read_themes(text: str, focus_themes: list[str]) -> list[str]:
    """The themes a `Cooperation Themes` value stands for, beside the key focus's themes as
    they are written (see `read_list`)."""
    cells = _columns(protect(text))
    focus = [clean(protect(theme)) for theme in focus_themes]
    return list(restore(_theme_items(" ".join(cells), focus)[0]))


def read_city(text: str) -> dict[str, Any]:
    """A city of the `City` line as `ucap import` reads it (see `read_list`)."""
    return dict(restore(_city_item(clean(protect(text)))))


def _missing(cell: str) -> bool:
    return vocab.fold(cell).strip(" ./-") in {"", "n a", "na", "n/a", "none", "unknown", "tbd"}


def _blocks(lines: list[str]) -> list[_Block]:
    """Paragraphs (consecutive plain lines joined) and bullets with their nesting level."""
    blocks: list[_Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            text = clean(" ".join(paragraph))
            if text:
                blocks.append(_Block(text, False, 0))
            paragraph.clear()

    for raw in lines:
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        bullet = _BULLET.match(line)
        if _DETAILS.match(line):
            flush()
            blocks.append(_Block(clean(line), False, 0, details=True))
        elif bullet and not line.lstrip().startswith("**"):
            flush()
            text = clean(bullet.group("text"))
            level = 1 if len(bullet.group("indent").replace("\t", "  ")) >= 1 else 0
            if text:
                blocks.append(_Block(text, True, level))
        elif line.lstrip().startswith("→"):
            flush()
            paragraph.append(line.strip())
        else:
            paragraph.append(line.strip())
    flush()
    return blocks


def _paragraphs(rest: str, lines: list[str]) -> list[str]:
    return [b.text for b in _blocks([rest, *lines])]


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s]


def _dated(text: str) -> tuple[str, str | None, str] | None:
    """(date, end, rest) when `text` starts with a date ("June 2017:", "2018-09:")."""
    match = _DATED.match(text)
    if match:
        month = _MONTHS[match.group("month").lower()]
        year = int(match.group("year"))
        base = f"{year:04d}-{month:02d}"
        day, day2 = match.group("day"), match.group("day2")
        first = f"{base}-{int(day):02d}" if day else base
        end = f"{base}-{int(day2):02d}" if day and day2 else None
        if not _real_date(first) or (end and not _real_date(end)):
            first, end = base, None  # "31 June": keep the month
        return first, end, match.group("rest").strip()
    match = _DATED_ISO.match(text)
    if match:
        month_text = match.group("month")
        if month_text and not 1 <= int(month_text) <= 12:
            return None
        date = match.group("year") + (f"-{month_text}" if month_text else "")
        return date, None, match.group("rest").strip()
    return None


_SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mio": 1e6, "million": 1e6, "bn": 1e9}
_SCALES["billion"] = 1e9


def _real_date(text: str) -> bool:
    try:
        parse_partial_date(text)
    except DateError:
        return False
    return True


def _number(text: str) -> int | float | None:
    """10 million -> 10000000, "7,446 km²" -> 7446; None for N/A and the like."""
    match = re.search(
        r"(\d[\d,.\u202f\u00a0 ]{0,30})\s*(million|mio|m|billion|bn|thousand|k)?\b", text, re.I
    )
    if match is None:
        return None
    raw = re.sub(r"[\u202f\u00a0 ]", "", match.group(1)).rstrip(".,")
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", raw):
        raw = raw.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", raw):
        raw = raw.replace(".", "").replace(",", ".")
    else:
        raw = raw.replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        return None
    value *= _SCALES.get((match.group(2) or "").lower(), 1)
    if value <= 0:
        return None
    return int(value) if value.is_integer() else value


@cache
def _subdivisions() -> dict[str, str]:
    """ISO 3166-2 subdivision name (compared as city_key) -> country alpha-2 code."""
    spec = importlib.util.find_spec("pycountry")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover
        return {}
    database = Path(next(iter(spec.submodule_search_locations))) / "databases" / "iso3166-2.json"
    try:
        entries = json.loads(database.read_text(encoding="utf-8"))["3166-2"]
    except (OSError, ValueError, KeyError):  # pragma: no cover - a broken install
        return {}
    index: dict[str, str] = {}
    for entry in entries:
        name = re.sub(r"\s+(sheng|shi|zizhiqu)$", "", entry["name"], flags=re.I)
        index.setdefault(vocab.city_key(name), entry["code"].split("-")[0])
    return index


def _country_of_region(region: str) -> str | None:
    code = _subdivisions().get(vocab.city_key(region))
    found = find_country(code) if code else None
    return found.name if found else None


def _country_name(text: str) -> tuple[str | None, bool]:
    """(country as written, or the closest known one, or None; whether it was a guess)."""
    if find_country(text):
        return text, False
    suggestion = suggest_country(text)
    return suggestion, suggestion is not None


# --------------------------------------------------------------------------- reading


class _Reader:
    """Fills a Draft from the sections of a summary."""

    def __init__(self, draft: Draft, sections: list[tuple[str, str, list[str]]], raw: str):
        self.draft = draft
        self.data = draft.data
        self.raw = raw
        self.cells: dict[str, list[str]] = {}
        self.texts: dict[str, tuple[str, list[str]]] = {}
        self.preamble = ""
        for name, rest, lines in sections:
            if name in _COLUMNS:
                if name not in self.cells:
                    self.cells[name] = _columns(rest)
                for line in lines:
                    if clean(line):
                        self.draft.unplaced.append(f"{name}: {clean(line)}")
            elif name in _TEXTS:
                previous = self.texts.get(name, ("", []))
                self.texts[name] = (previous[0] or rest, [*previous[1], *lines])
            else:
                self.preamble = " ".join(clean(line) for line in lines)
        self.full = clean(raw)
        self.focus_themes: list[str] = []
        # Agreements the text calls earlier ones ("a follow-up to the MoU signed in April
        # 2017"): (activity index, its date, the mention), looked for once all are read.
        self.earlier_agreements: list[tuple[int, str, AgreementMention]] = []

    def guess(self, path: KeyPath, why: str = "") -> None:
        self.draft.guesses[path] = why

    def read(self) -> None:
        self.data["schema_version"] = 1
        self.data["id"] = ""
        self.read_programme()
        self.read_period()
        focus = self.read_focus()
        self.read_themes()
        self.read_goals()
        self.read_contact()
        if focus:
            self.data["summary"] = " ".join(f"{t}: {x}" if t else x for t, x in focus)
        for name in ("challenges", "objectives"):
            if name in self.texts:
                items = _paragraphs(*self.texts[name])
                if items:
                    self.data[name] = items
        if self.draft.source:
            self.data["sources"] = [self.draft.source]
        self.read_cities()
        if focus:
            self.data["focus"] = [{"theme": t, "text": x} for t, x in focus if t]
        self.read_activities()
        self.draft.record_id = self.draft.record_id or vocab.slug(
            self.data.get("city", {}).get("name", "") or "record"
        )
        self.data["id"] = self.draft.record_id
        self.data = {k: v for k, v in self.data.items() if v not in ("", [], {})}
        self.draft.data = self.data

    def read_programme(self) -> None:
        for name in ("title", "programme"):
            if self.cells.get(name):
                self.data[name] = " ".join(self.cells[name])
        if "programme" in self.data:
            return
        if re.search(r"\bIUC\b|International Urban Cooperation", self.preamble):
            asia = re.search(r"asia", self.full, re.I)
            self.data["programme"] = "IUC Asia" if asia else "IUC"
            self.guess(("programme",), "from the heading" + (" and the contact" if asia else ""))

    def read_period(self) -> None:
        cells = self.cells.get("period")
        if not cells:
            self.draft.unplaced.append("period: no 'Period of cooperation' line")
            return
        text = " ".join(cells)
        found = re.findall(
            rf"(?:(?:\b(\d{{1,2}})\s+)?({_MONTH})\.?\s+)?((?:19|20)\d\d)\b", text, re.I
        )
        dates = []
        for day, month, year in found:
            date = f"{int(year):04d}-{_MONTHS[month.lower()]:02d}" if month else year
            if day and _real_date(f"{date}-{int(day):02d}"):
                date = f"{date}-{int(day):02d}"
            dates.append(date)
        if not dates:
            self.draft.unplaced.append(f"period: {text!r} has no date")
            return
        self.data["period"] = {"start": dates[0]}
        if len(dates) > 1:
            self.data["period"]["end"] = dates[-1]

    def read_focus(self) -> list[tuple[str, str]]:
        if "focus" not in self.texts:
            return []
        focus: list[tuple[str, str]] = []
        rest, lines = self.texts["focus"]
        for block in _blocks([rest, *lines]):
            paragraph = block.text
            theme, colon, text = paragraph.partition(": ")
            if block.bullet and colon and theme and text:  # "- Theme: text", read whole
                focus.append((theme, text))
                self.focus_themes.append(theme)
                continue
            match = re.match(r"^(?P<theme>[^:.]{2,60}):\s*(?P<text>.+)$", paragraph)
            if match:
                theme = match.group("theme").strip()
                focus.append((theme, match.group("text").strip()))
                self.focus_themes.append(theme)
            else:
                focus.append(("", paragraph))
        return focus

    def read_themes(self) -> None:
        cells = self.cells.get("themes")
        if not cells:
            self.draft.unplaced.append("themes: no 'Cooperation Themes' line")
            return
        themes, split = _theme_items(" ".join(cells), self.focus_themes)
        if themes:
            self.data["themes"] = themes
        if split:
            self.guess(("themes",), "a comma seemed to be missing")

    def read_goals(self) -> None:
        cells = self.cells.get("goals")
        if not cells:
            return
        text = " ".join(cells)
        sdgs: list[int] = []
        for group in re.findall(r"\bSDGs?\s*#?\s*((?:\d{1,2}(?:\s*(?:,|&|and)\s*)?)+)", text, re.I):
            for number in re.findall(r"\d{1,2}", group):
                if 1 <= int(number) <= 17 and int(number) not in sdgs:
                    sdgs.append(int(number))
        if sdgs:
            self.data["sdgs"] = sdgs
        match = re.search(r"urban agenda(?: topics?)?\s*:?\s*(?P<topics>.*)$", text, re.I)
        if match is None:
            return
        topics: list[str] = []
        for item in re.split(r"\s*[,;]\s*", match.group("topics")):
            item = item.strip(" .")
            if not item:
                continue
            official = vocab.match_topic(item)
            if official is None:
                self.draft.unplaced.append(
                    f"urban_agenda: {item!r} is not an EU Urban Agenda topic"
                )
            elif official not in topics:
                topics.append(official)
        if topics:
            self.data["urban_agenda"] = topics

    def read_contact(self) -> None:
        """The address of the contact section (as written, when it is all the section's first
        paragraph says); without a contact section, the last address in the summary."""
        if "contact" in self.texts:
            from ucap_cli.record.model import EMAIL  # pydantic: imported only here

            paragraphs = _paragraphs(*self.texts["contact"])
            if paragraphs and EMAIL.fullmatch(paragraphs[0]):
                self.data["contact"] = paragraphs[0]
                return
            emails = _EMAIL.findall(" ".join(paragraphs))
        else:
            emails = _EMAIL.findall(self.raw)
        if emails:
            self.data["contact"] = emails[-1].rstrip(".")

    # ----------------------------------------------------------------------- cities

    def read_cities(self) -> None:
        names = self.cells.get("city", [])
        if not names:
            self.draft.unplaced.append("city: no 'City' line")
            return
        partner_names = _items(names[1]) if len(names) > 1 else []
        if "partners" in self.cells:
            partner_names += [
                n for cell in self.cells["partners"] for n in _items(cell) if n not in partner_names
            ]
        if len(partner_names) > MAX_PARTNERS:
            self.draft.unplaced.append(
                f"partners: {len(partner_names)} names, more than {MAX_PARTNERS}; kept the first"
            )
            del partner_names[MAX_PARTNERS:]
        lead = _city_item(names[0])
        self.data["city"] = lead
        partners = [_city_item(n) for n in partner_names]
        self.data["partners"] = partners
        for index, partner in enumerate(partners):
            if "short" not in partner:
                self.expand_alias(index, partner)
        regions = self.cells.get("region", [])
        countries = self.cells.get("country", [])
        if regions and not _missing(regions[0]):
            lead["region"] = regions[0]
        if countries and not _missing(countries[0]):
            name, guessed = _country_name(countries[0])
            if name:
                lead["country"] = name
                if guessed:
                    self.guess(("city", "country"), f"the summary says {countries[0]!r}")
            else:
                self.draft.unplaced.append(f"city.country: {countries[0]!r} is not a country")
        else:
            self.draft.unplaced.append("city.country: not found")
        self.read_numbers(lead, partners)
        partner_regions = _items(regions[1]) if len(regions) > 1 else []
        partner_countries = _items(countries[1]) if len(countries) > 1 else []
        self.partner_regions(partners, partner_regions, partner_countries)
        self.partner_countries(partners, partner_countries)
        lead_order = ("name", "short", "region", "country", "population", "area_km2")
        self.data["city"] = {k: lead[k] for k in lead_order if k in lead}

    def expand_alias(self, index: int, partner: dict[str, Any]) -> None:
        """A partner given as an abbreviation ("AKK") -> the full name written in the text."""
        short = partner["name"]
        if not re.fullmatch(r"[A-Z]{2,6}", short):
            return
        found = {
            m.group(2): m.group(1)
            for m in re.finditer(
                rf"({_PLACE})\s*\(([A-Z]{{2,6}})\)",
                self.full,
            )
        }
        best = None
        if short in found:
            best = short
        else:
            for alias, name in found.items():
                initials = "".join(w[0] for w in re.split(r"[\s-]+", name) if w).upper()
                near = difflib.SequenceMatcher(None, alias, short).ratio() >= 0.6
                if near and (sorted(alias) == sorted(short) or initials == alias):
                    best = alias
                    break
        named = {vocab.city_key(n) for _, names in self.cities() for n in names}
        if best is None or vocab.city_key(found[best]) in named:
            return  # nothing to expand to, or a city named already: never the same one twice
        partner["name"] = found[best]
        partner["short"] = best
        path = ("partners", index)
        self.guess((*path, "name"), f"the summary's partner column says {short!r}")
        if best != short:
            self.guess((*path, "short"), f"written {best!r} in the text, {short!r} in the column")
        self.draft.notes.append(f"partner {short!r} read as {found[best]!r} ({best})")

    def read_numbers(self, lead: dict[str, Any], partners: list[dict[str, Any]]) -> None:
        for cell_name, key in (("population", "population"), ("size", "area_km2")):
            cells = self.cells.get(cell_name, [])
            if cells and not _missing(cells[0]):
                value = _number(cells[0])
                if value is None:
                    self.draft.unplaced.append(f"city.{key}: {cells[0]!r} is not a number")
                else:
                    lead[key] = int(value) if key == "population" else value
            values = _items(cells[1]) if len(cells) > 1 else []
            if values and all(_missing(v) for v in values):
                continue
            if len(values) == len(partners):
                for partner, value_text in zip(partners, values, strict=True):
                    number = None if _missing(value_text) else _number(value_text)
                    if number is not None:
                        partner[key] = int(number) if key == "population" else number
            elif values:
                self.draft.unplaced.append(
                    f"partners.{key}: {', '.join(values)} (not one value per partner)"
                )

    def partner_regions(
        self, partners: list[dict[str, Any]], regions: list[str], countries: list[str]
    ) -> None:
        """Each partner's region; a country's name in the region column is taken for the
        partner's country when the country column does not give one."""
        if not regions:
            return
        if len(regions) != len(partners):
            self.draft.unplaced.append(
                f"partners.region: {', '.join(regions)} (not one region per partner)"
            )
            for region in regions:  # still usable to find countries
                country = _country_of_region(region)
                for partner in partners:
                    if "region" not in partner and _country_hint(self.full, partner) == country:
                        partner["region"] = region
            return
        for index, (partner, region) in enumerate(zip(partners, regions, strict=True)):
            if _missing(region):
                continue
            given = len(countries) == len(partners) and not _missing(countries[index])
            if find_country(region) and not given:
                partner["_country"] = region
                self.draft.unplaced.append(
                    f"partners[{index + 1}].region: the region column says {region!r}, a "
                    "country; used as its country"
                )
            else:
                partner["region"] = region

    def partner_countries(self, partners: list[dict[str, Any]], countries: list[str]) -> None:
        aligned = len(countries) == len(partners)
        left = [c for c in countries if not _missing(c)]
        for index, partner in enumerate(partners):
            path = ("partners", index, "country")
            given = partner.pop("_country", None)
            if aligned and not _missing(countries[index]):
                name, guessed = _country_name(countries[index])
                if name:
                    partner["country"] = name
                    if guessed:
                        self.guess(path, f"the summary says {countries[index]!r}")
                    continue
            candidates = [
                (given, "from the region column"),
                (_country_hint(self.full, partner), "from the text"),
                (
                    _country_of_region(partner["region"]) if "region" in partner else None,
                    f"{partner.get('region')} is there",
                ),
            ]
            for country, why in candidates:
                if country and find_country(country):
                    partner["country"] = find_country(country).name  # type: ignore[union-attr]
                    self.guess(path, why)
                    break
        for partner in partners:
            if "country" in partner:
                found = find_country(partner["country"])
                left = [c for c in left if find_country(c) != found]
        without = [p for p in partners if "country" not in p]
        if len(without) == 1 and len(left) == 1 and find_country(left[0]):
            index = partners.index(without[0])
            without[0]["country"] = left[0]
            self.guess(("partners", index, "country"), "the only country left in its column")
            without = []
        for partner in without:
            self.draft.unplaced.append(f"partners: no country found for {partner['name']!r}")
        order = ("name", "short", "region", "country", "population", "area_km2")
        partners[:] = [{k: p[k] for k in order if k in p} for p in partners]

    # ----------------------------------------------------------------------- activities

    def read_activities(self) -> None:
        blocks: list[_Block | None] = []
        for name in ("activities", "results"):
            if name in self.texts:
                if name == "results":
                    blocks.append(None)  # where "Expected results" starts
                rest, lines = self.texts[name]
                blocks.extend(_blocks([rest, *lines]))
        activities: list[_Activity | dict[str, Any]] = []  # a dict: read as written
        results: list[str | dict[str, Any]] = []
        current: _Activity | None = None
        in_results = False
        index = 0
        while index < len(blocks):
            block = blocks[index]
            index += 1
            if block is None:
                in_results = True
                continue
            following = blocks[index] if index < len(blocks) else None
            details = following.text if following and following.details else ""
            if in_results and block.bullet and details.startswith("Status: "):
                results.append(self.written_result(block.text, details))
                current, index = None, index + 1
                continue
            dated = None if block.details else _dated(block.text)
            if dated and not block.bullet and details.startswith("Kind: "):
                index = self.written_activity(dated, blocks, index, activities)
                current = None
                continue
            if dated:
                date, end, rest = dated
                current = _Activity(date, end, [rest] if rest else [], listing=rest.endswith(":"))
                activities.append(current)
                if in_results:
                    self.draft.notes.append(
                        f"activity {date} found under 'Expected results': placed as an activity"
                    )
                continue
            if not in_results:
                if current is None:
                    self.draft.unplaced.append(f"activities: {block.text}")
                else:
                    self.add_to(current, block)
                continue
            continues = block.text[:1].islower() or block.level > 0
            if current is not None and continues:
                current.moved += 1
                self.add_to(current, block)
                continue
            current = None
            results.append(block.text)
        moved = [
            f"{a.date} ({a.moved})" for a in activities if isinstance(a, _Activity) and a.moved
        ]
        if moved:
            self.draft.notes.append(
                "sub-points found under 'Expected results' placed with their activities: "
                + ", ".join(moved)
            )
        kept = [a for a in activities if isinstance(a, dict) or a.paragraphs]
        self.data["activities"] = [
            a if isinstance(a, dict) else self.activity(number, a) for number, a in enumerate(kept)
        ]
        self.data["expected_results"] = [
            r if isinstance(r, dict) else self.result(number, r) for number, r in enumerate(results)
        ]
        self.check_earlier_agreements()
        self.note_other_agreements([r["text"] if isinstance(r, dict) else r for r in results])

    # ----------------------------------------------------------------------- written forms

    def details(self, text: str, where: str) -> dict[str, str]:
        """`Kind: visit · Where: Málaga · ...` -> {"kind": "visit", "where": "Málaga", ...};
        a part without a known label is said in what could not be placed."""
        found: dict[str, str] = {}
        for part in text.split(" · "):
            label, colon, value = part.partition(": ")
            key = _DETAIL_KEYS.get(label.strip().lower())
            if key and colon and key not in found:
                found[key] = value.strip()
            elif part.strip():
                self.draft.unplaced.append(f"{where}: {part.strip()}")
        return found

    def written_activity(
        self,
        dated: tuple[str, str | None, str],
        blocks: list[_Block | None],
        index: int,
        activities: list[_Activity | dict[str, Any]],
    ) -> int:
        """An activity as the summary writer writes it (its dated line, then `blocks[index]`
        its details line): read as written, nothing guessed. The index of the next block."""
        date, end, title = dated
        block = blocks[index]
        assert block is not None
        where = f"activities[{len(activities) + 1}] ({date})"
        details = self.details(block.text, where)
        index += 1
        entry: dict[str, Any] = {"date": date, "kind": details.get("kind", ""), "title": title}
        until = details.pop("until", None)
        ends = _dated(until + ":") if until else None
        if until and (ends is None or ends[2]):
            self.draft.unplaced.append(f"{where}: 'Until: {until}' is not a date")
        elif ends:
            end = ends[0]
        if end:
            entry["end"] = end
        for key in ("status", "where"):
            if details.get(key):
                entry[key] = details[key]
        for key in ("cities", "organisations", "themes"):
            if details.get(key):
                entry[key] = _items(details[key])
        following = blocks[index] if index < len(blocks) else None
        if following and not (following.bullet or following.details or following.text[:1] == "→"):
            entry["summary"] = following.text
            index += 1
        while index < len(blocks):
            following = blocks[index]
            if following is None or not following.bullet:
                break
            index += 1
            label, colon, rest = following.text.partition(": ")
            if colon and label == "Agreement":
                entry.setdefault("agreements", []).append(self.written_agreement(rest, where))
            elif colon and label == "Link":
                entry.setdefault("links", []).append(rest)
            else:
                entry.setdefault("outputs", []).append(following.text)
        activities.append(entry)
        return index

    def written_agreement(self, text: str, where: str) -> dict[str, Any]:
        """`MoU \u00d75 · Parties: A, B · Fields: ... · Title: ...` (after `Agreement: `)."""
        words, _, rest = text.partition(" · ")
        details = self.details(rest, f"{where} agreement")
        count = re.search("\\s*[\u00d7x]\\s*(\\d{1,6})$", words)
        if count:
            words = words[: count.start()]
        kind = _agreement_kind(words)
        if kind is None:
            self.draft.unplaced.append(f"{where}: {words!r} is not a kind of agreement")
        entry: dict[str, Any] = {"kind": kind or words}
        entry["parties"] = _items(details.get("parties", ""))
        if count and int(count.group(1)) > 1:
            entry["count"] = int(count.group(1))
        if details.get("fields"):
            entry["fields"] = _items(details["fields"])
        if details.get("title"):
            entry["title"] = details["title"]
        return entry

    def written_result(self, text: str, details_text: str) -> dict[str, Any]:
        """An expected result and its `Status: ... · Theme: ... · Organisations: ...` line."""
        details = self.details(details_text, f"expected result {text[:40]!r}")
        entry: dict[str, Any] = {"text": text}
        for key in ("theme", "status"):
            if details.get(key):
                entry[key] = details[key]
        if details.get("organisations"):
            entry["organisations"] = _items(details["organisations"])
        return entry

    def add_to(self, activity: _Activity, block: _Block) -> None:
        text = block.text
        if not block.bullet:
            activity.paragraphs.append(text)
            activity.listing = text.endswith(":")
        elif activity.listing and activity.paragraphs:
            last = activity.paragraphs[-1]
            activity.lists.setdefault(len(activity.paragraphs) - 1, []).append(text.rstrip(",;. "))
            joiner = " " if last.endswith(":") else ", "
            activity.paragraphs[-1] = last.rstrip(",.") + joiner + text.rstrip(",;. ")
        elif text[:1].islower() and activity.points:
            activity.points[-1] = activity.points[-1].rstrip() + " " + text
        elif text[:1].islower() and not activity.points and activity.paragraphs:
            activity.paragraphs[-1] += " " + text
        else:
            activity.points.append(text)

    def cities(self) -> list[tuple[str, tuple[str, ...]]]:
        """(name, names and aliases) of the lead city and the partners."""
        found = []
        for city in [self.data.get("city", {}), *self.data.get("partners", [])]:
            if city.get("name"):
                names = (city["name"], *([city["short"]] if city.get("short") else []))
                found.append((city["name"], names))
        return found

    def activity(self, index: int, activity: _Activity) -> dict[str, Any]:
        paragraphs = [
            p if p.endswith((".", "!", "?", ":")) else p + "." for p in activity.paragraphs
        ]
        summary = " ".join(paragraphs)
        first = _sentences(paragraphs[0])[0].rstrip(".")
        path = ("activities", index)
        entry: dict[str, Any] = {"date": activity.date}
        if activity.end:
            entry["end"] = activity.end
        entry["kind"] = _guess_kind(paragraphs[0])
        self.guess((*path, "kind"))
        entry["title"] = first if len(first) <= 100 else first[:97].rsplit(" ", 1)[0] + "…"
        self.guess((*path, "title"), "the first sentence")
        where = self.where(first)
        if where:
            entry["where"] = where
            self.guess((*path, "where"))
        entry["cities"] = self.activity_cities(" ".join([summary, *activity.points]), first)
        self.guess((*path, "cities"))
        entry["summary"] = summary
        if activity.points:
            entry["outputs"] = [
                p if p.endswith((".", "!", "?")) else p + "." for p in activity.points
            ]
            self.guess((*path, "outputs"), "the sub-points")
        mentions = [
            m
            for number, paragraph in enumerate(activity.paragraphs)
            for m in find_agreements(paragraph, activity.lists.get(number))
        ]
        mentions += [m for point in activity.points for m in find_agreements(point)]
        agreements = self.agreements(index, entry, mentions)
        if agreements:
            entry["agreements"] = agreements
        return entry

    def agreements(
        self, index: int, entry: dict[str, Any], mentions: list[AgreementMention]
    ) -> list[dict[str, Any]]:
        """The agreements an activity's text mentions, each once; the rest said in the notes."""
        where = f"activities[{index + 1}] ({entry['date']})"
        placed: list[_Agreement] = []
        for mention in mentions:
            if not mention.kind:
                self.draft.notes.append(
                    f"{where}: {mention.words!r} is not recorded as an agreement (no kind, and "
                    f"nothing says it was signed): {_excerpt(mention.sentence)}"
                )
                continue
            if mention.earlier or (mention.dated and not _same_time(mention.dated, entry["date"])):
                self.earlier_agreements.append((index, entry["date"], mention))
                continue
            same = next((a for a in placed if a.same(mention)), None)
            if same is None:
                same = _Agreement(mention)
                placed.append(same)
            same.learn(mention)
        agreements = []
        for number, agreement in enumerate(placed):
            path = ("activities", index, "agreements", number)
            words = agreement.first.words
            if not agreement.parties:
                agreement.parties = list(entry["cities"])
                self.guess((*path, "parties"), "the text names no parties: the activity's cities")
            elif not agreement.named:
                self.guess((*path, "parties"), f"read from the words around {words!r}")
            if agreement.kind == "other":
                self.guess((*path, "kind"), f"the text says {words!r}")
            elif agreement.uncounted:
                self.guess((*path, "kind"), f"the text says {words!r}: how many?")
                self.draft.notes.append(
                    f"{where}: {words!r} gives no number: recorded as one agreement"
                )
            agreements.append(agreement.data())
        return agreements

    def check_earlier_agreements(self) -> None:
        """Notes for the earlier agreements the text refers to that no activity records."""
        activities = self.data.get("activities", [])
        for index, date, mention in self.earlier_agreements:
            candidates = [
                a
                for number, a in enumerate(activities)
                if (_same_time(mention.dated, a["date"]) if mention.dated else number <= index)
            ]
            if any(g["kind"] == mention.kind for a in candidates for g in a.get("agreements", [])):
                continue  # recorded where it was signed
            when = f"signed in {mention.dated}" if mention.dated else "made before"
            self.draft.notes.append(
                f"activities[{index + 1}] ({date}) refers to {mention.words!r} {when}, which "
                "no activity of the summary records: not added (add it to the activity it "
                f"was signed at): {_excerpt(mention.sentence)}"
            )

    def note_other_agreements(self, results: list[str]) -> None:
        """Agreements mentioned outside the activities are said in the notes, not dropped."""
        texts = [(f"expected_results[{i + 1}]", text) for i, text in enumerate(results)]
        for name in ("focus", "challenges", "objectives"):
            if name in self.texts:
                texts += [(name, text) for text in _paragraphs(*self.texts[name])]
        for name, text in texts:
            for mention in find_agreements(text):
                self.draft.notes.append(
                    f"{name} mentions {mention.words!r}: agreements are recorded on the "
                    "activity they were signed at, so it is not added"
                )

    def where(self, sentence: str) -> str | None:
        known = {vocab.city_key(n) for _, names in self.cities() for n in names}
        for pattern in _WHERE:
            for match in pattern.finditer(sentence):
                place = match.group("place")
                parts = re.split(r",\s*|,?\s+and\s+", place)
                if all(_plausible_place(p, known) for p in parts):
                    return place
        return None

    def activity_cities(self, text: str, first: str) -> list[str]:
        """The lead city, then the cities the text names, in the order it names them."""
        folded = vocab.fold(text)
        lead = self.data.get("city", {}).get("name")
        seen: list[tuple[int, str]] = []
        for name, names in self.cities():
            spots = [
                m.start()
                for n in names
                for m in re.finditer(rf"\b{re.escape(vocab.fold(n))}\b", folded)
            ]
            if spots and name != lead:
                seen.append((min(spots), name))
        found = ([lead] if lead else []) + [name for _, name in sorted(seen)]
        # A list of destinations ("to Nice, Granada and Rome") names cities that are not partners.
        known = {vocab.city_key(n) for _, names in self.cities() for n in names}
        for match in re.finditer(rf"\bto\s+(?P<place>{_PLACES})", first):
            parts = re.split(r",\s*|,?\s+and\s+", match.group("place"))
            if len(parts) > 1 and all(_plausible_place(p, known) for p in parts):
                for part in parts:
                    if vocab.city_key(part) not in known and part not in found:
                        found.append(part)
        return found

    def result(self, index: int, text: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"text": text}
        for colon in reversed([m.start() for m in re.finditer(r":\s", text[:62])]):
            label = text[:colon]
            theme = self.known_theme(label)
            if theme and "." not in label:
                rest = text[colon + 1 :].strip()
                entry["text"] = rest[:1].upper() + rest[1:]
                entry["theme"] = theme
                self.guess(("expected_results", index, "theme"), f"from {label!r}")
                break
        return entry

    def known_theme(self, label: str) -> str | None:
        themes = [*self.data.get("themes", []), *self.focus_themes]
        key = vocab.topic_key(label)
        best, score = None, 0.0
        for theme in themes:
            ratio = difflib.SequenceMatcher(None, key, vocab.topic_key(theme)).ratio()
            if ratio > score:
                best, score = theme, ratio
        return best if score >= 0.85 else None


_DETAIL_KEYS = {
    key: key
    for key in (
        "kind", "status", "where", "cities", "organisations", "themes", "until", "theme",
        "parties", "fields", "title",
    )
}  # fmt: skip


def _agreement_kind(words: str) -> str | None:
    """The kind of agreement `words` name: "MoU", "cooperation agreement", "letter of
    intent", "other agreement" (or the kind's code)."""
    if words.strip() in vocab.AGREEMENT_KINDS:
        return words.strip()
    match = _AGREEMENT.fullmatch(words.strip()) or re.fullmatch(
        r"(?i)other\s+(?P<other>agreements?)", words.strip()
    )
    return (match.lastgroup or "other").replace("_", "-") if match else None


def _plausible_place(place: str, known: set[str]) -> bool:
    if vocab.city_key(place) in known:
        return True
    if find_country(place) or place.isupper() or len(place) < 3:
        return False
    return place.split()[0].lower() not in {"the", "eu", "european", "several", "further"}


def _country_hint(text: str, partner: dict[str, Any]) -> str | None:
    """A country the text puts the partner in: "Málaga in Spain", "Rome (Italy)"."""
    for name in (partner.get("name"), partner.get("short")):
        if not name:
            continue
        pattern = (
            rf"{re.escape(name)}(?:\s*\([A-Z]{{2,6}}\))?\s*(?:,\s*|\s+in\s+|\s*\()(?P<c>{_PLACE})"
        )
        for match in re.finditer(pattern, text):
            found = find_country(match.group("c"))
            if found:
                return found.name
    return None


def _guess_kind(text: str) -> str:
    """The activity kind its text suggests: what was hosted or organised, else the first word."""
    hosted = _HOSTED.search(text)
    if hosted:
        return hosted.group("kind").lower()
    match = _KIND.search(text)
    if match and match.lastgroup:
        return match.lastgroup.replace("_", "-")
    return "other"


# --------------------------------------------------------------------------- agreements

_AGREEMENT = re.compile(
    r"\b(?:(?P<mou>memorand(?:um|ums|a)\s+of\s+understanding|mou(?:s|'s|\u2019s)?)"
    r"|(?P<cooperation_agreement>co-?operation\s+agreements?)"
    r"|(?P<letter_of_intent>letters?\s+of\s+intent|(?-i:L[oO]Is?))"
    r"|(?P<other>agreements?))\b",
    re.IGNORECASE,
)
_PLURAL = re.compile(r"(?i)^(?:memoranda|memorandums|mous\b|letters|lois\b)|agreements$")
_NUMBER_WORDS = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    "twenty",
)  # fmt: skip
_COUNTS = {word: number for number, word in enumerate(_NUMBER_WORDS, 1)} | {
    "a": 1,
    "an": 1,
    "single": 1,
}
_VAGUE = {"several", "multiple", "various", "some", "many", "numerous", "few"}
_DEFINITE = {"the", "this", "that", "these", "those", "its", "their", "his", "her", "our", "said"}
_EARLIER = {"previous", "earlier", "existing", "former", "prior", "original", "aforementioned"}
# Words that end a party's name ("between A and B as a follow-up", "with Nice in May 2018").
_PARTY_END = {
    "as", "in", "at", "during", "to", "which", "who", "that", "was", "were", "is", "are", "has",
    "have", "had", "will", "would", "with", "within", "under", "following", "after", "before",
    "regarding", "concerning", "covering", "including", "signed", "agreed", "aiming", "aimed",
    "focusing", "focused", "about", "among", "while", "where", "when", "whereby", "from", "by",
    "through", "via", "into", "per", "since", "until", "also", "both",
}  # fmt: skip
# Words that may join the words of a name ("University of Zhengzhou", "Hub for Greek SMEs"),
# when a capitalised word follows them.
_JOINING = {"of", "on", "for", "de", "del", "della", "di", "du", "des", "la", "le", "the", "&"}
_NOT_ADJECTIVES = _PARTY_END | _JOINING
_SIGNED = re.compile(
    r"(?:\b(?:has|have|had|will|to|did)\s+)?\b(?:sign(?:s|ed|ing)?|conclud(?:es|ed|ing|e)|"
    r"agreed\s+on|agrees\s+on|reach(?:es|ed)?|enter(?:s|ed)?\s+into|adopt(?:s|ed)?|"
    r"finali[sz](?:es|ed|e))\s*$",
    re.IGNORECASE,
)
_SIGNING = re.compile(r"(?i)\bsign(?:s|ed|ing|ature|atures)?\b|\bconclu(?:de|des|ded|ding|sion)\b")
_FOLLOW_UP = re.compile(
    r"(?:\bfollow[- ]?ups?\s+(?:to|of|on)|\bfollowing\s+up\s+on|\baccording\s+to|"
    r"\bin\s+line\s+with|\bimplement\w*(?:\s+of)?|\bbased\s+on|\bpursuant\s+to|\bunder|"
    r"\bwithin|\brenew\w*(?:\s+of)?|\breview\w*(?:\s+of)?|\bextension\s+of|\bextend\w*|"
    r"\bamend\w*(?:\s+(?:of|to))?)\s*$",
    re.IGNORECASE,
)
_SIGNED_WHEN = re.compile(
    r"\s*(?:(?:that|which)\s+)?(?:(?:was|were|had\s+been|has\s+been|already|previously)\s+)*"
    r"(?:signed|concluded|agreed|adopted|made|reached)?\s*"
    r"(?:\b(?:in|on|of|from|dated|since)\s+)"
    rf"(?:(?P<day>\d{{1,2}})\s+)?(?:(?P<month>{_MONTH})\.?\s+)?(?P<year>(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_SIGNED_BEFORE = re.compile(
    r"\s*(?:(?:that|which)\s+)?(?:was|were|had\s+been|has\s+been)?\s*(?:signed|concluded)\s+"
    r"(?:last\s+year|previously|earlier|before|in\s+the\s+past)\b",
    re.IGNORECASE,
)
_FIELDS = re.compile(
    r"\b(?:on|in|for|covering|regarding|concerning|about)\s+(?:the\s+)?(?:following\s+)?"
    r"(?:fields|areas|topics|sectors|subjects|themes|issues|domains)(?:\s+of)?\s*:\s*"
    r"(?P<rest>.*)$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w'\u2019&-]+|\(\d{1,3}\)")
_WINDOW = 300  # characters of a sentence read before and after a mention: work stays linear
_CUE = 60  # characters before a mention's words where a verb or a cue ("follow-up to") ends


@dataclass(frozen=True)
class AgreementMention:
    """What one sentence says about an agreement (or a number of agreements of one kind)."""

    kind: str  # mou, cooperation-agreement, letter-of-intent, other; "" for a word ucap can't use
    words: str  # the words that name it, as written: "five MoUs"
    count: int | None  # the number written, None when none is ("MoUs", "several MoUs")
    plural: bool
    definite: bool  # "the MoU": perhaps one named before in the same activity
    parties: tuple[str, ...] = ()
    named: bool = False  # parties written "between A and B" or "by A and B": read, not guessed
    fields: tuple[str, ...] = ()
    earlier: bool = False  # "a follow-up to the MoU", "the previous MoU": made before
    dated: str | None = None  # the date the text gives it: "the MoU signed in April 2017"
    sentence: str = ""  # where it is said (its surroundings, in a long sentence)


def find_agreements(text: str, items: list[str] | None = None) -> list[AgreementMention]:
    """The agreements a paragraph mentions, in its order.

    `items` are the bullets that complete the paragraph when it ends with a colon ("MoU
    signed on the following fields:"): they are the fields.
    """
    found: list[AgreementMention] = []
    for sentence in _sentences(text):
        for match in _AGREEMENT.finditer(sentence):
            mention = _mention(sentence, match, items or [])
            if mention is not None:
                found.append(mention)
    return found


def _mention(sentence: str, match: re.Match[str], items: list[str]) -> AgreementMention | None:
    kind = (match.lastgroup or "other").replace("_", "-")
    before = sentence[max(0, match.start() - _WINDOW) : match.start()]
    after = sentence[match.end() : match.end() + _WINDOW]
    if kind == "other" and re.search(r"(?i)\b(?:in|of|by|mutual|common)\s+$", before[-_CUE:]):
        return None  # "in agreement with", "by mutual agreement": not a document
    head, count, definite, earlier = _head(before[-120:])
    head += max(0, len(before) - 120)
    plural = bool(_PLURAL.search(match.group(0)))
    words = (before[head:] + match.group(0)).strip()
    prefix = before[:head]
    if kind == "other" and not (_SIGNING.search(before) or _SIGNING.search(after)):
        kind = ""  # an agreement no one signs may be a point agreed on, not a document
    parties, named = _parties(prefix, after)
    dated = None
    when = _SIGNED_WHEN.match(after)
    if when:
        month = when.group("month")
        dated = when.group("year") + (f"-{_MONTHS[month.lower()]:02d}" if month else "")
    earlier = (
        earlier or bool(_FOLLOW_UP.search(prefix[-_CUE:])) or bool(_SIGNED_BEFORE.match(after))
    )
    return AgreementMention(
        kind=kind,
        words=words,
        count=count,
        plural=plural,
        definite=definite,
        parties=parties,
        named=named,
        fields=_fields(after, items),
        earlier=earlier,
        dated=dated,
        sentence=sentence if len(sentence) <= 240 else f"…{before[-100:]}{match[0]}{after[:100]}…",
    )


def _head(before: str) -> tuple[int, int | None, bool, bool]:
    """Where the words naming an agreement start in `before` (the text before its kind:
    "... signs five detailed "), the number written, whether it is definite ("the MoU"), and
    whether it is called an earlier one ("the previous MoU")."""
    head = edge = len(before)
    count: int | None = None
    definite = found = False
    adjectives: list[str] = []
    for word in reversed(list(_WORD.finditer(before))[-6:]):
        if before[word.end() : edge].strip():
            break  # punctuation between them: another clause
        text, lower = word.group(0), word.group(0).lower()
        edge = word.start()
        if text.startswith("("):  # "five (5) MoUs"
            continue
        if text.isdigit() or lower in _COUNTS:
            count = int(text) if text.isdigit() else _COUNTS[lower]
        elif lower in _DEFINITE:
            definite = True
        elif lower not in _VAGUE:
            if len(adjectives) < 3 and lower.isalpha() and lower not in _NOT_ADJECTIVES:
                adjectives.append(lower)
                continue
            break
        head, found = word.start(), True
        break
    earlier = any(word in _EARLIER for word in adjectives)
    return (head if found else len(before)), count, definite, earlier


def _parties(prefix: str, after: str) -> tuple[tuple[str, ...], bool]:
    """The parties the sentence names, and whether written "between A and B" / "by A and B"."""
    between = re.match(
        r"\s*(?:(?:was|were|is|are|has\s+been|have\s+been|being)\s+)?"
        r"(?:signed|concluded|agreed|reached|made)?\s*\b(?P<word>between|by)\s+",
        after,
        re.IGNORECASE,
    )
    if between:
        parties = _split_parties(_phrase(after[between.end() :]))
        if parties:
            return parties, len(parties) > 1
    found: list[str] = []
    verb = _SIGNED.search(prefix, max(0, len(prefix) - _CUE))
    if verb:
        found += _split_parties(_subject(prefix[: verb.start()]))
    with_ = re.match(
        r"\s*(?:(?:was|were)\s+)?(?:(?:signed|concluded|agreed)\s+)?with\s+", after, re.I
    )
    if with_:
        found += [p for p in _split_parties(_phrase(after[with_.end() :])) if p not in found]
    return tuple(found), False


def _phrase(text: str) -> str:
    """The words at the start of `text` that name parties: up to the end of the clause."""
    tokens = list(re.finditer(r"\S+", text[:_WINDOW]))[:20]
    end = 0
    for position, token in enumerate(tokens):
        raw = token.group(0)
        if raw[0] in "([{\"\u201c'":
            break
        word = raw.rstrip(".,;:!?)]}\"\u201d'")
        lower = word.lower()
        if not word or lower in _PARTY_END:
            break
        if lower in _JOINING and lower != "the":
            following = next(
                (t.group(0) for t in tokens[position + 1 :] if t.group(0).lower() not in _JOINING),
                "",
            )
            if not following[:1].isupper():
                break
        end = token.start() + len(word)
        if raw[len(word) :] and raw[len(word)] != ",":
            break  # the sentence or clause ends here
    return re.sub(r"(?i)(?:\s*,|\s+(?:and|the))+$", "", text[:end])


def _subject(text: str) -> str:
    """The name written just before a verb ("Zhengzhou City Government" signs ...)."""
    tokens = list(re.finditer(r"\S+", text[-_WINDOW:]))[-20:]
    start: int | None = None
    lower_tail = 0
    for token in reversed(tokens):
        word = token.group(0).rstrip(",")
        if not word or not re.fullmatch(r"[\w'\u2019&-]+", word):
            break
        if word[0].isupper():
            start = token.start()
        elif start is None and lower_tail < 2 and word.isalpha() and word not in _PARTY_END:
            lower_tail += 1  # "EU pilot cities": lower-case words after a name
        elif start is None or word.lower() not in _JOINING | {"and"}:
            break
    if start is None:
        return ""
    return text[-_WINDOW:][start:].strip(" ,")


def _split_parties(phrase: str) -> tuple[str, ...]:
    """Parties written as a list: `the X Cluster and Zhengzhou` -> (X Cluster, Zhengzhou).

    "the" is kept before a description ("the two city councils"), dropped before a name."""
    parties: list[str] = []
    for part in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", phrase):
        part = part.strip(" ,")
        if re.match(r"(?i)the\s+\S", part) and part[4:].lstrip()[:1].isupper():
            part = part[4:].lstrip()
        if part and part.lower() not in _DEFINITE and part not in parties:
            parties.append(part)
    return tuple(parties)


def _fields(after: str, items: list[str]) -> tuple[str, ...]:
    """The fields written after "on the following fields:", as bullets or inline."""
    match = _FIELDS.search(after) if ":" in after else None
    if match is None:
        return ()
    rest = match.group("rest").strip().rstrip(".")
    if items and (not rest or rest.startswith(items[0])):
        parts = items
    else:
        parts = re.split(r"\s*;\s*", rest) if ";" in rest else re.split(r"\s*,\s*", rest)
    fields = [re.sub(r"(?i)^and\s+", "", p).strip(" ,;.") for p in parts]
    return tuple(f for f in fields if f)


@dataclass
class _Agreement:
    """An agreement of an activity, as its mentions in the text describe it."""

    first: AgreementMention
    parties: list[str] = field(default_factory=list)
    named: bool = False  # parties written "between A and B"
    count: int = 1
    uncounted: bool = False  # "MoUs", with no number
    fields: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.first.kind

    def same(self, other: AgreementMention) -> bool:
        """True when `other` speaks of this agreement (named in the same activity)."""
        if self.kind != other.kind:
            return False
        if other.definite:
            return True  # "the MoU": the one just named
        if (other.count or 1) != (self.first.count or 1):
            return False
        mine = {vocab.fold(p) for p in self.parties}
        theirs = {vocab.fold(p) for p in other.parties}
        return not mine or not theirs or mine == theirs

    def learn(self, mention: AgreementMention) -> None:
        """Fill in what `mention` tells and was not known yet."""
        if mention.parties and not self.named and (mention.named or not self.parties):
            self.parties, self.named = list(mention.parties), mention.named
        if mention.count and mention.count > 1:
            self.count, self.uncounted = mention.count, False
        elif mention.count is None and mention.plural and self.count == 1:
            self.uncounted = True
        if mention.fields and not self.fields:
            self.fields = list(mention.fields)

    def data(self) -> dict[str, Any]:
        """The agreement as a record writes it."""
        entry: dict[str, Any] = {"kind": self.kind, "parties": self.parties}
        if self.count > 1:
            entry["count"] = self.count
        if self.fields:
            entry["fields"] = self.fields
        return entry


def _excerpt(text: str, width: int = 120) -> str:
    text = _one_line(text)
    return repr(text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "…")


def _same_time(dated: str, date: str) -> bool:
    """True when a date the text gives ("2017-04") and an activity's date can be the same."""
    return date.startswith(dated) or dated.startswith(date)
