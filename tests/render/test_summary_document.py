"""`ucap show ID --format summary` and `--format html`: the U-CAP Summary document.

The text follows the seed's layout (its labels, in its order); the HTML page holds the same
sections, needs nothing but itself (no script, no external file), prints on A4 and shows every
value of the record as text, however hostile. (That `ucap import` reads the text back:
tests/authoring/test_round_trip.py.)
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import tomli_w
from conftest import REPO, VALID_RECORD, Run, edited, write_record

from ucap_cli.render.registry import format_of_suffix, formats

SEED = Path(__file__).parents[1] / "data" / "000_66ab86ebe502f80d.txt"
RECORDS = str(REPO / "records")

# The seed's section labels, in its order (as the summary writes them).
LABELS = [
    "City:",
    "Province, State, Department...:",
    "Country:",
    "Population:",
    "Size (km²)",
    "Period of cooperation",
    "Cooperation Themes:",
    "Related SDGs and Urban Agenda topics:",
    "Key focus of cooperation themes:",
    "Key challenges of cooperation theme:",
    "Main objectives of cooperation as described in the U-CAP:",
    "Short description of main activities and key outputs (e.g. pilot projects):",
    "Expected results and benefits:",
    "For further information (including access to the full U-CAP), please",
]
SECTIONS = {
    "cities", "facts", "period", "themes", "goals", "focus", "challenges", "objectives",
    "activities", "results", "contact",
}  # fmt: skip


def in_order(text: str, labels: list[str]) -> bool:
    positions = [text.find(label) for label in labels]
    return -1 not in positions and positions == sorted(positions)


class Page(HTMLParser):
    """What a browser would see of a page: its elements, their attributes, its text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.style: list[str] = []
        self.open: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "br"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, (self.open, tag)  # well nested
        self.open.pop()

    def handle_data(self, data: str) -> None:
        (self.style if self.open and self.open[-1] == "style" else self.text).append(data)

    @property
    def ids(self) -> set[str]:
        return {str(attrs["id"]) for _, attrs in self.tags if attrs.get("id")}

    def shown(self) -> str:
        return " ".join("".join(self.text).split())

    def classes(self, name: str) -> list[dict[str, str | None]]:
        return [a for _, a in self.tags if name in str(a.get("class") or "").split()]


def assert_self_contained(page: Page) -> None:
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "iframe", "object", "embed", "img", "link", "base", "form"}
    for tag, attrs in page.tags:
        assert not {"src", "href", "srcset", "action", "style"} & set(attrs), (tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    style = "".join(page.style)
    assert "url(" not in style and "@import" not in style
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", style)
    assert "@media print" in style


# --------------------------------------------------------------------------- text


def test_the_summary_has_the_seeds_labels_in_its_order(run: Run) -> None:
    result = run("show", "zhengzhou", "--records", RECORDS, "--format", "summary")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert in_order(SEED.read_text(encoding="utf-8"), LABELS)  # the seed's own order
    assert in_order(text, LABELS)
    assert text.startswith("IUC Urban Cooperation Action Plan (U-CAP) Summary\n\n")
    assert "City:\tZhengzhou\tAgii Anargiri-Kamatero (AAK), Málaga, Rome, Nice\n" in text
    assert "Period of cooperation\tMarch 2017 until November 2018\n" in text
    assert (
        "\n→ July 2018: EU-China High Level Seminar on Regional Policy hosted in Zhengzhou\n"
        in text
    )
    assert (
        "  ○ Agreement: MoU \u00d75 · Parties: Zhengzhou Municipal People's Government, EU pilot "
        "cities · Title: Zhengzhou City Government signs five MoUs with EU pilot cities\n"
    ) in text
    assert text.endswith("please contact:\nIUC-ASIA_office@iuc-asia.eu\n")
    # Activities in date order, as the seed lists them.
    dates = re.findall(r"^→ (\w+ \d{4}):", text, re.M)
    assert dates[:3] == ["April 2017", "June 2017", "June 2017"]
    assert len(dates) == 8


def test_record_text_cannot_become_structure_or_escape_sequences(run: Run) -> None:
    hostile = "\x1b[31mred\x1b[0m → <p>x</p> **b** Kind: y"
    write_record(
        Path("records"),
        "demo",
        edited(VALID_RECORD, ('"Graz delegation visits Lyon"', f'"{hostile}"')).replace(
            "\x1b", "\\u001b"
        ),
    )
    result = run("show", "demo", "--format", "summary")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert (
        "→ June 2017: \\x1b\\[31mred\\x1b\\[0m \\→ \\<p>x\\</p> \\*\\*b\\*\\* Kind: y\n"
        in result.stdout
    )


# --------------------------------------------------------------------------- HTML


def test_the_html_page_has_every_section_and_needs_nothing_else(run: Run) -> None:
    result = run("show", "zhengzhou", "--records", RECORDS, "--format", "html")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith('<!DOCTYPE html>\n<html lang="en">\n')
    page = Page(result.stdout)
    assert not page.open  # every element closed
    assert page.ids >= SECTIONS
    assert_self_contained(page)
    assert len(page.classes("activity")) == 8
    assert len(page.classes("agreement")) == 4
    shown = page.shown()
    for label in LABELS[:-1]:
        assert label.rstrip(":") in shown, label
    assert "Zhengzhou \u2013 Agii Anargiri-Kamatero, Málaga, Rome, Nice" in shown
    assert "MoU \u00d75: Zhengzhou Municipal People's Government, EU pilot cities" in shown
    assert "IUC-ASIA_office@iuc-asia.eu" in shown


HOSTILE = '<script>alert(1)</script><img src="https://evil.example/x.png" onerror=alert(2)>'
LINK = 'https://evil.example/?a=<b>&c="d"'


def hostile_record() -> dict[str, Any]:
    """A valid record with markup in every kind of value."""

    def h(name: str) -> str:
        return f"{name} {HOSTILE} & &amp; ' \""

    return {
        "schema_version": 1,
        "id": "demo",
        "title": h("Title"),
        "programme": h("Programme"),
        "themes": [h("Theme one"), h("Theme two")],
        "sdgs": [11],
        "urban_agenda": ["Housing"],
        "contact": "<script>@evil.example",
        "challenges": [h("Challenge")],
        "objectives": [h("Objective")],
        "period": {"start": "2020-01"},
        "city": {"name": h("Lead"), "short": "LD", "region": h("Region"), "country": "France"},
        "partners": [{"name": h("Partner"), "region": h("Partner region"), "country": "Spain"}],
        "focus": [{"theme": h("Focus theme"), "text": h("Focus text")}],
        "activities": [
            {
                "date": "2020-02-03",
                "end": "2020-03-04",
                "kind": "visit",
                "status": "planned",
                "title": h("Activity"),
                "where": h("Where"),
                "cities": [h("City a"), h("City b")],
                "organisations": [h("Organisation")],
                "themes": [h("Activity theme")],
                "summary": h("Summary"),
                "outputs": [h("Output")],
                "links": [LINK],
                "agreements": [
                    {
                        "kind": "mou",
                        "parties": [h("Party a"), h("Party b")],
                        "fields": [h("Field")],
                        "title": h("Agreement title"),
                    }
                ],
            }
        ],
        "expected_results": [
            {"text": h("Result"), "theme": h("Result theme"), "organisations": [h("Org")]}
        ],
    }


def strings(value: Any, key: str = "") -> list[str]:
    """Every text of a record that the page shows (kinds of agreement are shown as words)."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings(v, k)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v, key)]
    if isinstance(value, str) and key not in ("date", "end", "start", "kind"):
        return [value]
    return []


def test_every_value_of_a_hostile_record_is_shown_as_text(run: Run) -> None:
    data = hostile_record()
    write_record(Path("records"), "demo", tomli_w.dumps(data))
    result = run("show", "demo", "--format", "html")
    assert result.exit_code == 0, result.output
    page = Page(result.stdout)
    assert not page.open
    assert_self_contained(page)
    shown = page.shown()
    values = strings(data)
    assert len(values) > 30
    for value in values:
        assert value in shown, value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=&quot;https://evil" in result.stdout
    assert "<title>U-CAP Summary: Title &lt;script&gt;" in result.stdout


def test_a_record_with_errors_is_shown_with_a_note(run: Run) -> None:
    write_record(
        Path("records"), "demo", edited(VALID_RECORD, ('country = "AT"', 'country = "Narnia"'))
    )
    text = run("show", "demo", "--format", "summary")
    assert text.exit_code == 1
    assert "\n! 1 record with errors, read as far as it could be:\n" in text.stdout
    assert "E109 partners[1].country: unknown country 'Narnia'" in text.stdout
    assert text.stderr == "! 1 record with validation errors: run `ucap validate`\n"
    page = run("show", "demo", "--format", "html")
    assert page.exit_code == 1
    assert "problems" in Page(page.stdout).ids
    assert "E109 partners[1].country: unknown country" in Page(page.stdout).shown()


def test_the_formats_are_the_show_views_only(run: Run) -> None:
    assert formats("show")[-2:] == ("summary", "html")
    assert format_of_suffix("show", ".html") == "html"
    assert format_of_suffix("show", ".txt") == "table"  # the terminal view's text, as before
    for view in ("list", "timeline", "summary", "validate"):
        assert not {"summary", "html"} & set(formats(view))
    write_record(Path("records"), "demo", VALID_RECORD)
    result = run("show", "demo", "--format", "summary", "--fields", "title")
    assert result.exit_code == 2
    assert "--fields applies to --format json, csv and markdown, not summary" in result.output
