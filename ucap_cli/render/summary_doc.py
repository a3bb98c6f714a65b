"""The U-CAP Summary of one record: the programme's one-page layout, as text and as HTML.

`--format summary` writes the layout of the programme's summaries (the seed of the bundled
record is one), in its order and with its labels, so that `ucap import` reads it back: what
the layout has no place for is written in the few forms the importer reads as written
(docs/summary-document.md). Record text is escaped where the importer would take it for
structure: a backslash before the character, as in Markdown, and only there, so the text reads
as typed. `--format html` writes the same document as one self-contained page that prints on
A4: no script, no external file, every value of the record HTML-escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from ucap_cli.record import vocab
from ucap_cli.record.dates import PartialDate
from ucap_cli.record.model import Activity, Agreement, City, ExpectedResult, Period, Record
from ucap_cli.render.registry import Options
from ucap_cli.render.safe import one_line
from ucap_cli.render.tabular import agreement_kind, agreement_line, note_lines
from ucap_cli.views.report import Report
from ucap_cli.views.show import RecordView

HEADING = "Urban Cooperation Action Plan (U-CAP) Summary"
MISSING = "N/A"  # the seed's word for a value it does not give
UNKNOWN = "?"  # a part of a record with errors that could not be read

# The seed's labels, in its order.
CITY = "City"
REGION = "Province, State, Department..."
COUNTRY = "Country"
POPULATION = "Population"
SIZE = "Size (km²)"
PERIOD = "Period of cooperation"
THEMES = "Cooperation Themes"
GOALS = "Related SDGs and Urban Agenda topics"
FOCUS = "Key focus of cooperation themes"
CHALLENGES = "Key challenges of cooperation theme"
OBJECTIVES = "Main objectives of cooperation as described in the U-CAP"
ACTIVITIES = "Short description of main activities and key outputs (e.g. pilot projects)"
RESULTS = "Expected results and benefits"
CONTACT = "For further information (including access to the full U-CAP), please contact"

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
OUTPUT = "  \u25cb "  # the seed's sub-point of an activity: "○"
SEP = " \u00b7 "  # between the parts of a details line: " · "


# --------------------------------------------------------------------------- shared


def heading(record: Record) -> str:
    """The seed's heading, with "IUC" when the record is of an IUC programme."""
    iuc = re.search(r"\bIUC\b|International Urban Cooperation", record.programme or "")
    return f"IUC {HEADING}" if iuc else HEADING


def date_text(date: PartialDate) -> str:
    """'2017', 'June 2017', '12 June 2017': as the seed writes dates, as precise as known."""
    if date.month is None:
        return f"{date.year:04d}"
    month = f"{MONTH_NAMES[date.month - 1]} {date.year:04d}"
    return month if date.day is None else f"{date.day} {month}"


def activity_dates(activity: Activity) -> tuple[str, str | None]:
    """The date of an activity's line ('12–14 June 2017' for days of one month) and, for any
    other end, the end on its own ('3 July 2017')."""
    start, end = activity.date, activity.end
    if end is None:
        return date_text(start), None
    one_month = (start.year, start.month) == (end.year, end.month)
    if start.day is not None and end.day is not None and one_month and end.day > start.day:
        return f"{start.day}\u2013{date_text(end)}", None
    return date_text(start), date_text(end)


def period_text(period: Period | None) -> str:
    """'March 2017 until November 2018', or 'March 2017, ongoing'."""
    if period is None:
        return UNKNOWN
    if period.end is None:
        return f"{date_text(period.start)}, ongoing"
    return f"{date_text(period.start)} until {date_text(period.end)}"


def population_text(population: int | None) -> str:
    return MISSING if population is None else f"{population:,}"


def area_text(area: float | None) -> str:
    """'7,446 km²'; decimals as the record gives them ('1.2340 km²' for 1.234, which a
    summary's reader would take for 1,234 written the European way)."""
    if area is None:
        return MISSING
    if float(area).is_integer():
        text = f"{int(area):,}"
    else:
        text = format(Decimal(repr(float(area))), ",f")
        if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
            text += "0"
    return f"{text} km²"


def sdg_text(number: int) -> str:
    """'SDG 9: Industry, innovation and infrastructure'."""
    name = vocab.SDGS.get(number)
    return f"SDG {number}: {name}" if name else f"SDG {number}"


def _dated(activities: Iterable[Activity]) -> list[Activity]:
    return sorted(activities, key=lambda a: a.date.sort_key)  # stable: same day, same order


# --------------------------------------------------------------------------- escaping

_ALWAYS = frozenset("<*[\u2192\u25cb\u25e6\u25aa\u2022\u00b7")  # < * [ → ○ ◦ ▪ • ·
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
_LINE_START = re.compile(r"(?P<bullet>[-+](?=\s)|\d{1,2}(?=[.)]\s))|(?:Kind|Status)(?=: )")
_PREFIXES = ("Agreement: ", "Link: ")  # what a written bullet of an activity starts with


def plain(text: str) -> str:
    """Record text as the summary carries it: on one line, white space collapsed, control
    characters visible."""
    return " ".join(one_line(text, limit=None).split())


def escape(text: str, *, also: str = "", edges: str = "", start: bool = False) -> str:
    """`text` (made `plain`) written so that `ucap import` reads it back as it is: a backslash
    before each character it would take for markup (a tag, an entity, emphasis, a link, an
    arrow or a bullet), before those of `also` anywhere, and before those of `edges` at either
    end; `start`: the text begins a line (a bullet marker, "Kind: " are escaped)."""
    from ucap_cli.authoring.importer import ESCAPABLE  # the reader: not needed for HTML

    text = plain(text)
    out: list[str] = []
    last = len(text) - 1
    for index, char in enumerate(text):
        following = text[index + 1] if index < last else ""
        if char == "\\":
            escaped = not following or following in ESCAPABLE
        elif char == "&":
            ref = _CHARREF.match(text, index)
            escaped = ref is not None and html.unescape(ref.group()) != ref.group()
        elif char == "_":
            escaped = following == "_" or (index > 0 and text[index - 1] == "_")
        else:
            escaped = char in _ALWAYS or char in also
        if char in edges and index in (0, last):
            escaped = True
        out.append("\\" + char if escaped else char)
    written = "".join(out)
    found = _LINE_START.match(written) if start else None
    if found is None:
        return written
    if found.group() in ("-", "+"):
        return "\\" + written  # "- x" -> "\- x"
    return written[: found.end()] + "\\" + written[found.end() :]  # "1\. x", "Kind\: x"


def bullet_text(text: str) -> str:
    """An output of an activity: escaped, and never read as an agreement or a link."""
    written = escape(text)
    for prefix in _PREFIXES:
        if written.startswith(prefix):
            return prefix[:-2] + "\\" + prefix[-2:] + written[len(prefix) :]
    return written


def list_text(items: Sequence[str], *, cell: bool = False) -> str:
    """A list as the seed writes one ("A, B, C"), or with semicolons when an item has a
    comma, an "and" or other words the importer would split it on ("Trinidad and Tobago;")."""
    from ucap_cli.authoring.importer import read_list

    expected = [plain(i) for i in items if plain(i)]
    edges = "_:" if cell else ""
    text = ", ".join(escape(i, also="|" if cell else "", edges=edges) for i in expected)
    if read_list(text, cell=cell) == expected:
        return text
    written = [escape(i, also=";|" if cell else ";", edges=edges) for i in expected]
    return "; ".join(written) + (";" if len(written) == 1 else "")


def theme_list_text(themes: Sequence[str], focus_themes: Sequence[str]) -> str:
    """The record's themes as a `Cooperation Themes` value that reads back as they are."""
    from ucap_cli.authoring.importer import read_themes

    expected = [plain(t) for t in themes if plain(t)]
    text = ", ".join(escape(t, also="|", edges="_:") for t in expected)
    if read_themes(text, [focus_theme_text(f) for f in focus_themes]) == expected:
        return text
    written = [escape(t, also=";|", edges="_:") for t in expected]
    return "; ".join(written) + (";" if len(written) == 1 else "")


def city_text(city: City) -> str:
    """'Agii Anargiri-Kamatero (AAK)': a city of the `City` line, with its alias."""
    from ucap_cli.authoring.importer import read_city

    name = escape(city.name, also="|", edges="_:")
    if not city.short:
        if read_city(name) != {"name": plain(city.name)}:  # "Frankfurt (Oder)"
            name = escape(city.name, also="|()", edges="_:")
        return name
    return f"{escape(city.name, also='|()', edges='_:')} ({escape(city.short, also='|()')})"


def cities_text(cities: Sequence[City]) -> str:
    """The partners of the `City` line; semicolons between them when a name needs them."""
    from ucap_cli.authoring.importer import read_city, read_list

    texts = [city_text(c) for c in cities]
    expected = [
        {"name": plain(c.name), **({"short": plain(c.short)} if c.short else {})} for c in cities
    ]
    text = ", ".join(texts)
    if [read_city(i) for i in read_list(text, cell=True)] == expected:
        return text
    return "; ".join(t.replace(";", "\\;") for t in texts) + (";" if len(texts) == 1 else "")


def focus_theme_text(theme: str) -> str:
    """A theme of the key focus, before the colon of "- Theme: text"."""
    return escape(theme, also=":")


def details_line(parts: Iterable[tuple[str, str]]) -> str:
    """`Kind: visit · Where: Málaga`: the parts that have a value."""
    return SEP.join(f"{label}: {value}" for label, value in parts if value)


# --------------------------------------------------------------------------- text


def summary_text(report: Report[RecordView], options: Options) -> str:
    """The record as the programme's one-page U-CAP summary (see the module's docstring)."""
    return "\n".join(summary_lines(report.data.record, note_lines(report.files))) + "\n"


def summary_lines(record: Record, notes: Sequence[str] = ()) -> list[str]:
    """The lines of the summary document of `record`; `notes` close it (records with errors)."""
    lead = record.city
    partners = list(record.partners)
    out = [heading(record), ""]
    if record.title:
        out.append(f"Title:\t{escape(record.title, also='|', edges='_:')}")
    if record.programme:
        out.append(f"Programme:\t{escape(record.programme, also='|', edges='_:')}")

    def column(label: str, first: str, rest: str) -> None:
        out.append(f"{label}\t{first}\t{rest}" if partners else f"{label}\t{first}")

    def values(texts: Sequence[str | None]) -> str:
        return list_text([MISSING if t is None else t for t in texts], cell=True)

    def field(text: str | None) -> str:
        return MISSING if text is None else escape(text, also="|", edges="_:")

    column(f"{CITY}:", city_text(lead) if lead else UNKNOWN, cities_text(partners))
    column(
        f"{REGION}:", field(lead.region) if lead else UNKNOWN, values([p.region for p in partners])
    )
    column(
        f"{COUNTRY}:",
        field(lead.country) if lead else UNKNOWN,
        values([p.country for p in partners]),
    )
    column(
        f"{POPULATION}:",
        population_text(lead.population) if lead else UNKNOWN,
        values([None if p.population is None else population_text(p.population) for p in partners]),
    )
    column(
        SIZE,
        area_text(lead.area_km2) if lead else UNKNOWN,
        values([None if p.area_km2 is None else area_text(p.area_km2) for p in partners]),
    )
    out.append(f"{PERIOD}\t{period_text(record.period)}")
    focus_themes = [f.theme for f in record.focus]
    out.append(f"{THEMES}:\t{theme_list_text(record.themes, focus_themes) or MISSING}")
    goals = "; ".join(sdg_text(n) for n in record.sdgs)
    if record.urban_agenda:
        topics = ", ".join(escape(t, also="|,;") for t in record.urban_agenda)
        goals += (". " if goals else "") + f"EU Urban Agenda topics: {topics}"
    out.append(f"{GOALS}:\t{goals or MISSING}")

    out.append(f"{FOCUS}:")
    out += [f"- {focus_theme_text(f.theme)}: {escape(f.text)}" for f in record.focus]
    out.append(f"{CHALLENGES}:")
    out += [f"- {escape(c)}" for c in record.challenges if plain(c)]
    out.append(f"{OBJECTIVES}:")
    out += [f"- {escape(o)}" for o in record.objectives if plain(o)]

    out.append(f"{ACTIVITIES}:")
    for activity in _dated(record.activities):
        out += ["", *activity_lines(activity)]

    out += ["", f"{RESULTS}:", ""]
    for result in record.expected_results:
        out += result_lines(result)

    out += [
        "",
        f"{CONTACT}:",
        escape(record.contact, also=":", start=True) if record.contact else MISSING,
    ]
    if notes:
        out += ["", *notes]
    return out


def activity_lines(activity: Activity) -> list[str]:
    """→ its date and title; its details line; its summary; its outputs, links, agreements."""
    when, until = activity_dates(activity)
    lines = [f"\u2192 {when}: {escape(activity.title)}"]
    lines.append(
        details_line(
            (
                ("Kind", escape(activity.kind) or UNKNOWN),
                ("Status", escape(activity.status) if activity.status != "done" else ""),
                ("Where", escape(activity.where) if activity.where else ""),
                ("Cities", list_text(activity.cities)),
                ("Organisations", list_text(activity.organisations)),
                ("Themes", list_text(activity.themes)),
                ("Until", until or ""),
            )
        )
    )
    if activity.summary and plain(activity.summary):
        lines.append(escape(activity.summary, start=True))
    lines += [OUTPUT + bullet_text(o) for o in activity.outputs if plain(o)]
    lines += [f"{OUTPUT}Link: {escape(link)}" for link in activity.links if plain(link)]
    lines += [f"{OUTPUT}Agreement: {agreement_text(a)}" for a in activity.agreements]
    return lines


def agreement_text(agreement: Agreement) -> str:
    """`MoU ×5 · Parties: A, B · Fields: ... · Title: ...` (after `Agreement: `)."""
    kind = escape(agreement_kind(agreement.kind))
    if agreement.count > 1:
        kind += f" \u00d7{agreement.count}"
    details = details_line(
        (
            ("Parties", list_text(agreement.parties)),
            ("Fields", list_text(agreement.fields)),
            ("Title", escape(agreement.title) if agreement.title else ""),
        )
    )
    return kind + SEP + details if details else kind


def result_lines(result: ExpectedResult) -> list[str]:
    """- its text, then `Status: planned · Theme: ... · Organisations: ...`."""
    return [
        f"- {escape(result.text)}",
        "  "
        + details_line(
            (
                ("Status", escape(result.status)),
                ("Theme", escape(result.theme) if result.theme else ""),
                ("Organisations", list_text(result.organisations)),
            )
        ),
    ]


# --------------------------------------------------------------------------- HTML

# Print first: A4 with its margins; on a screen, the page on a grey desk. No web fonts, no
# images, no script: the page needs nothing but itself.
_STYLE = """\
@page { size: A4; margin: 14mm 14mm 16mm; }
* { box-sizing: border-box; }
html { font: 9.5pt/1.4 "Liberation Sans", Arial, Helvetica, sans-serif; color: #1d1d1f;
  background: #e8eaed; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; }
main { width: 210mm; min-height: 297mm; margin: 8mm auto; padding: 14mm 14mm 16mm;
  background: #fff; box-shadow: 0 1px 4px rgba(0, 0, 0, .25); overflow-wrap: anywhere; }
header { border-bottom: 2pt solid #0b4f8a; padding-bottom: 2mm; margin-bottom: 3mm; }
.programme { margin: 0; font-size: 8pt; font-weight: 700; letter-spacing: .08em;
  text-transform: uppercase; color: #0b4f8a; }
h1 { margin: .5mm 0 1mm; font-size: 15pt; color: #0b4f8a; }
.title { margin: 0; font-size: 11.5pt; font-weight: 700; }
h2 { margin: 4mm 0 1.5mm; padding-bottom: .6mm; font-size: 10pt; color: #0b4f8a;
  border-bottom: .6pt solid #b7c5d8; break-after: avoid; page-break-after: avoid; }
h3 { margin: 0; font-size: 9.5pt; }
p { margin: 0 0 1mm; }
ul { margin: .5mm 0 1mm; padding-left: 5mm; }
li { margin: 0 0 .6mm; }
table { width: 100%; border-collapse: collapse; table-layout: auto; }
th, td { padding: .9mm 1.6mm; text-align: left; vertical-align: top;
  border-bottom: .5pt solid #d7dde6; overflow-wrap: break-word; }
.cities td:nth-child(2), .cities td:nth-child(3), .facts td { overflow-wrap: anywhere; }
thead th { font-size: 8pt; color: #4a5a70; border-bottom: .8pt solid #8fa2bd; }
tbody th { width: 34mm; font-weight: 700; color: #33445c; }
.cities td:first-child { font-weight: 700; white-space: nowrap; }
.cities .lead td { background: #eef3f9; }
.number { text-align: right; white-space: nowrap; }
.missing { color: #8a94a3; }
.activity { margin: 0 0 2.4mm; break-inside: avoid; page-break-inside: avoid; }
.when { color: #0b4f8a; white-space: nowrap; margin-right: 1.5mm; }
.details { margin: .2mm 0 .6mm; font-size: 8pt; color: #4a5a70; }
.details b { font-weight: 600; }
.outputs { list-style: circle; }
.agreement { list-style: square; }
.agreement .kind { font-weight: 700; }
.link { font-size: 8pt; color: #4a5a70; }
.results { list-style: none; padding-left: 0; }
.results li { margin-bottom: 1mm; }
.status { display: inline-block; min-width: 15mm; margin-right: 1mm; padding: 0 1mm;
  font-size: 7.5pt; font-weight: 700; text-transform: uppercase; color: #0b4f8a;
  border: .5pt solid #9fb3cf; border-radius: 1mm; text-align: center; }
.problems { margin: 0 0 3mm; padding: 1.5mm 2.5mm; border-left: 2pt solid #c2410c;
  background: #fff4ec; font-size: 8.5pt; }
.problems p { margin: 0; white-space: pre-wrap; }
footer { margin-top: 5mm; padding-top: 1.5mm; font-size: 7.5pt; color: #6b7686;
  border-top: .5pt solid #d7dde6; }
@media print {
  html { background: none; }
  main { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; }
}
"""


def _h(text: str) -> str:
    """Record text as HTML text (quotes too, so that it is safe in an attribute as well)."""
    return html.escape(one_line(text, limit=None), quote=True)


def _value(text: str | None) -> str:
    return f'<span class="missing">{MISSING}</span>' if text is None else _h(text)


def _items(items: Iterable[str], css: str = "") -> str:
    rows = "".join(f"<li>{_h(i)}</li>" for i in items)
    return f"<ul{_class(css)}>{rows}</ul>" if rows else ""


def _class(css: str) -> str:
    return f' class="{css}"' if css else ""


def _section(name: str, label: str, body: str) -> str:
    empty = f'<p class="missing">{MISSING}</p>'
    return f'<section id="{name}">\n<h2>{_h(label)}</h2>\n{body or empty}\n</section>'


def summary_html(report: Report[RecordView], options: Options) -> str:
    """The summary document as one self-contained HTML page (see the module's docstring)."""
    record = report.data.record
    title = record.display_title
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="ucap">',
        f"<title>{_h(f'U-CAP Summary: {title}')}</title>",
        f"<style>\n{_STYLE}</style>",
        "</head>",
        "<body>",
        '<main class="ucap-summary">',
        "<header>",
    ]
    if record.programme:
        parts.append(f'<p class="programme">{_h(record.programme)}</p>')
    parts += [f"<h1>{_h(heading(record))}</h1>", f'<p class="title">{_h(title)}</p>', "</header>"]
    notes = note_lines(report.files)
    if notes:
        lines = "\n".join(_h(line) for line in notes)
        parts.append(f'<aside class="problems" id="problems"><p>{lines}</p></aside>')
    parts.append(_cities_html(record))
    parts.append(_facts_html(record))
    focus = "".join(f"<li><b>{_h(f.theme)}:</b> {_h(f.text)}</li>" for f in record.focus)
    parts.append(_section("focus", FOCUS, f"<ul>{focus}</ul>" if focus else ""))
    parts.append(_section("challenges", CHALLENGES, _items(record.challenges)))
    parts.append(_section("objectives", OBJECTIVES, _items(record.objectives)))
    activities = "\n".join(_activity_html(a) for a in _dated(record.activities))
    parts.append(_section("activities", ACTIVITIES, activities))
    results = "".join(_result_html(r) for r in record.expected_results)
    parts.append(
        _section("results", RESULTS, f'<ul class="results">{results}</ul>' if results else "")
    )
    contact = f"<p>{_h(record.contact)}</p>" if record.contact else ""
    parts.append(_section("contact", CONTACT, contact))
    parts += [
        f"<footer>{_h(f'Record {record.id}')} \u00b7 written by ucap</footer>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _cities_html(record: Record) -> str:
    """The seed's city columns as a table: one row per city, the lead first."""
    header = "".join(f"<th>{_h(h)}</th>" for h in ("", CITY, REGION, COUNTRY, POPULATION, SIZE))
    rows = []
    cities = [("lead", "Lead city", record.city), *(("", "Partner", p) for p in record.partners)]
    for css, role, city in cities:
        if city is None:
            rows.append(f'<tr class="lead"><td>{role}</td><td colspan="5">{UNKNOWN}</td></tr>')
            continue
        name = _h(city.name) + (f" ({_h(city.short)})" if city.short else "")
        population = None if city.population is None else population_text(city.population)
        area = None if city.area_km2 is None else area_text(city.area_km2)
        rows.append(
            f"<tr{_class(css)}><td>{role}</td><td>{name}</td><td>{_value(city.region)}</td>"
            f'<td>{_h(city.country)}</td><td class="number">{_value(population)}</td>'
            f'<td class="number">{_value(area)}</td></tr>'
        )
    body = "\n".join(rows)
    return (
        f'<section id="cities">\n<table class="cities">\n<thead><tr>{header}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody>\n</table>\n</section>"
    )


def _facts_html(record: Record) -> str:
    """Period, themes, SDGs and Urban Agenda topics: the seed's one-value lines."""
    goals = [sdg_text(n) for n in record.sdgs]
    topics = ", ".join(record.urban_agenda)
    rows = (
        ("period", PERIOD, _h(period_text(record.period))),
        ("themes", THEMES, _h(", ".join(record.themes)) or _value(None)),
        (
            "goals",
            GOALS,
            "<br>".join(
                [*(_h(g) for g in goals), *([f"EU Urban Agenda: {_h(topics)}"] if topics else [])]
            )
            or _value(None),
        ),
    )
    body = "\n".join(
        f'<tr id="{name}"><th>{_h(label)}</th><td>{value}</td></tr>' for name, label, value in rows
    )
    table = f'<table class="facts">\n<tbody>\n{body}\n</tbody>\n</table>'
    return f'<section id="facts">\n{table}\n</section>'


def _activity_html(activity: Activity) -> str:
    when, until = activity_dates(activity)
    if until:
        when = f"{when} \u2013 {until}"
    status = "" if activity.status == "done" else activity.status
    details = [
        ("", activity.kind),
        ("", status),
        ("where", activity.where or ""),
        ("cities", ", ".join(activity.cities)),
        ("organisations", ", ".join(activity.organisations)),
        ("themes", ", ".join(activity.themes)),
    ]
    line = " \u00b7 ".join(
        (f"<b>{label}:</b> {_h(value)}" if label else _h(value))
        for label, value in details
        if value
    )
    parts = [
        '<article class="activity">',
        f'<h3><span class="when">{_h(when)}</span> {_h(activity.title)}</h3>',
        f'<p class="details">{line}</p>',
    ]
    if activity.summary:
        parts.append(f"<p>{_h(activity.summary)}</p>")
    bullets = [f"<li>{_h(o)}</li>" for o in activity.outputs]
    bullets += [f'<li class="agreement">{_agreement_html(a)}</li>' for a in activity.agreements]
    if bullets:
        parts.append(f'<ul class="outputs">{"".join(bullets)}</ul>')
    parts += [f'<p class="link">{_h(link)}</p>' for link in activity.links]
    parts.append("</article>")
    return "\n".join(parts)


def _agreement_html(agreement: Agreement) -> str:
    """'MoU ×5: A, B (fields) – title', the kind in bold (the one wording of agreements)."""
    line = agreement_line(agreement)
    kind, colon, rest = line.partition(": ")
    return f'<span class="kind">{_h(kind)}</span>{colon}{_h(rest)}'


def _result_html(result: ExpectedResult) -> str:
    details = [("theme", result.theme or ""), ("organisations", ", ".join(result.organisations))]
    line = " \u00b7 ".join(f"<b>{label}:</b> {_h(value)}" for label, value in details if value)
    return (
        f'<li><span class="status">{_h(result.status)}</span> {_h(result.text)}'
        + (f'<br><span class="details">{line}</span>' if line else "")
        + "</li>"
    )
