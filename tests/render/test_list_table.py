"""The `list` table fits the terminal: the period and the lead city's name are never broken
while the other columns could still be folded to make room (issue 16).

Through the CLI with the bundled record and with long names, and with hypothesis over names
and widths on the table itself.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from conftest import REPO, VALID_RECORD, Run, edited, write_record
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from ucap_cli.render.fitted import FLOOR, GAP, LONG, FittedTable, pieces, wrap
from ucap_cli.render.records import COLUMNS, LIST_LADDER

RECORDS = str(REPO / "records")
PERIOD = "2017-03 – 2018-11"  # noqa: RUF001


def kept(word: str, output: str) -> bool:
    """`word` shows whole, or broken only after its hyphens (`Anargiri-` / `Kamatero,`)
    (a comma after it or not)."""
    found = {token.rstrip(",") for token in output.split()}
    word = word.rstrip(",")
    return word in found or all(piece in found for piece in pieces(word))


def test_bundled_record_at_80_columns(run: Run) -> None:
    result = run("list", "--records", RECORDS, env={"COLUMNS": "80"})
    lines = result.stdout.splitlines()
    assert all(cell_len(line) <= 80 for line in lines)
    assert lines[0].split() == ["id", "lead", "city", *COLUMNS[2:]]  # the header on one line
    row = lines[1]
    assert row.split()[:2] == ["zhengzhou", "Zhengzhou"]
    assert PERIOD in row  # before: 2017-03 / - / 2018-11, on three lines
    text = "Agii Anargiri-Kamatero, Málaga, Rome, Nice Logistics, Mobility, Smart Cities & "
    assert all(kept(word, result.stdout) for word in (text + "Digital Transition").split())


def test_wider_terminals_keep_more_together(run: Run) -> None:
    at_100 = run("list", "--records", RECORDS, env={"COLUMNS": "100"}).stdout
    assert "Agii Anargiri-Kamatero," in at_100  # a partner's name whole
    at_120 = run("list", "--records", RECORDS, env={"COLUMNS": "120"}).stdout
    assert "Zhengzhou (China)" in at_120
    assert "Logistics, Mobility," in at_120


LONG_CITY = "Sankt-Peterburg Kolpinsky Rayon"
LONG_PARTNERS = [
    ("Villafranca de los Caballeros", "ES"),
    ("Llanfairpwllgwyngyll-gogerychwyrndrobwll", "GB"),
    ("Castellammare di Stabia", "IT"),
]


def long_record() -> str:
    text = edited(
        VALID_RECORD,
        ('name = "Lyon"', f'name = "{LONG_CITY}"'),
        ('country = "France"', 'country = "Russian Federation"'),
        ('cities = ["Lyon", "GRZ"]', f'cities = ["{LONG_CITY}", "GRZ"]'),
        ('parties = ["Lyon", "Graz"]', f'parties = ["{LONG_CITY}", "Graz"]'),
        ('themes = ["Mobility", "Logistics"]', 'themes = ["Mobility", "Logistics", "Energy"]'),
    )
    for name, country in LONG_PARTNERS:
        text += f'\n[[partners]]\nname = "{name}"\ncountry = "{country}"\n'
    return text


def test_long_names_at_80_columns(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "records"
    write_record(folder, "demo", long_record())
    result = run("list", "--records", str(folder), env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert all(cell_len(line) <= 80 for line in lines)
    assert PERIOD in lines[1]
    # No word of the lead city is cut; its name would take 31 of the 68 columns the others
    # need at the least, so it breaks between words. At 100 columns it is on one line.
    assert lines[1].split()[1] == "Sankt-Peterburg"
    assert lines[2].split()[:2] == ["Kolpinsky", "Rayon"]
    assert all(kept(word, result.stdout) for word in ("Mobility,", "Logistics,", "Energy"))
    # The partners gave way (folded to their header's width). At 100 columns no word of them
    # is cut, but for the 21 letters before the hyphen of Llanfairpwllgwyngyll- (longer than
    # LONG: cut where it must be), before the lead city's name gets a line of its own.
    wide = run("list", "--records", str(folder), env={"COLUMNS": "100"}).stdout
    for name, _ in LONG_PARTNERS[::2]:
        assert all(kept(word, wide) for word in name.split()), name
    assert "Sankt-Peterburg Kolpinsky Rayon" not in wide
    wider = run("list", "--records", str(folder), env={"COLUMNS": "120"}).stdout
    assert LONG_CITY in wider
    for name, _ in LONG_PARTNERS:
        assert all(kept(word, wider) for word in name.split()), name


THEMES = ["Smart Cities & Digital Transition", "Climate Adaptation", "Mobility"]


def test_long_ids_and_countries_at_80_columns(run: Run, tmp_path: Path) -> None:
    """Records as a programme names them (a user's trial): ids of two city names, a lead
    city's country in its long form, themes of several words. At 80 columns not all of it
    fits unbroken: the period takes three lines, a theme its own comma's line, but no id
    (what `ucap show` takes) and no city is cut between letters (before: `seou` / `l-` /
    `mala` / `ga`, `Digita` / `l`)."""
    folder = tmp_path / "records"
    cities = [
        ("seoul-malaga", "서울", "Republic of Korea", "Málaga"),
        ("thessaloniki-oresby", "Thessaloniki", "EL", "Øresby"),
        ("gross-lindenau-utrecht", "Groß Lindenau", "Germany", "Utrecht"),
    ]
    for rid, city, country, partner in cities:
        write_record(
            folder,
            rid,
            edited(
                VALID_RECORD,
                ('id = "demo"', f'id = "{rid}"'),
                ('name = "Lyon"', f'name = "{city}"'),
                ('country = "France"', f'country = "{country}"'),
                ('name = "Graz"', f'name = "{partner}"'),
                (
                    'themes = ["Mobility", "Logistics"]',
                    f"themes = {THEMES!r}".replace("'", '"'),
                ),
                ('cities = ["Lyon", "GRZ"]', "cities = []"),
                ('parties = ["Lyon", "Graz"]', f'parties = ["{city}"]'),
                ('themes = ["Mobility"]', "themes = []"),
            ),
        )
    result = run("list", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert all(cell_len(line) <= 80 for line in result.stdout.splitlines())
    words = [rid for rid, *_ in cities]
    words += [
        w for _, city, country, partner in cities for w in f"{city} ({country}) {partner}".split()
    ]
    words += [word for theme in THEMES for word in theme.split()]
    assert all(kept(word, result.stdout) for word in words), result.stdout
    # The agreements table keeps the ids and the parties' names the same way.
    shown = run("agreements", env={"COLUMNS": "80"}).stdout
    names = [rid for rid, *_ in cities] + [w for _, city, *_ in cities for w in city.split()]
    assert all(kept(word, shown) for word in names), shown


# --------------------------------------------------------------------------- hypothesis

# Each word of a lead city holds one marker letter that no other word or cell has, so that a
# word or a name found on a line of the table can only be that word or name, unbroken.
MARKERS = "ABCDEFGHIJKLMNOPRSTUVWXYZ"
TAIL = "ÀÂÇÈÊÎÔÙÜ東京"
OTHER = "abcdefghijklmnopqrstuvwxyzáé"

Cells = tuple[tuple[str, ...], ...]


def name(alphabet: str, longest: int) -> st.SearchStrategy[str]:
    """Words of `alphabet` joined by spaces or hyphens."""
    word = st.text(alphabet, min_size=1, max_size=longest)
    return st.builds(
        lambda words, joins: "".join(w + j for w, j in zip(words, joins, strict=False))[:-1],
        st.lists(word, min_size=1, max_size=4),
        st.lists(st.sampled_from([" ", "-"]), min_size=4, max_size=4),
    )


def listed(items: list[str]) -> tuple[str, ...]:
    return tuple(f"{i}," for i in items[:-1]) + tuple(items[-1:])


@st.composite
def lead_names(draw: st.DrawFn, count: int) -> list[str]:
    markers = iter(MARKERS)
    names = []
    for _ in range(count):
        words = [
            next(markers) + draw(st.text(TAIL, max_size=12)) for _ in range(draw(st.integers(1, 4)))
        ]
        joins = [draw(st.sampled_from([" ", "-"])) for _ in words[1:]]
        names.append(words[0] + "".join(j + w for j, w in zip(joins, words[1:], strict=True)))
    return names


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[Cells], int]:
    count = draw(st.integers(1, 6))
    years = draw(st.lists(st.integers(1990, 2089), min_size=count, max_size=count, unique=True))
    rows: list[Cells] = []
    for lead, year in zip(draw(lead_names(count)), years, strict=True):
        end = draw(st.sampled_from(["ongoing", f"{year + 1}-11", f"{year + 3}"]))
        rows.append(
            (
                (draw(st.text("xyz-", min_size=1, max_size=16)),),
                (lead, f"({draw(name('Qq', 12))})"),
                listed(draw(st.lists(name(OTHER, 20), max_size=5))),
                (f"{year}-03 – {end}",),  # noqa: RUF001
                listed(draw(st.lists(name(OTHER, 16), max_size=5))),
                listed([str(n) for n in draw(st.lists(st.integers(1, 17), max_size=4))]),
                (str(draw(st.integers(0, 200))),),
            )
        )
    return rows, draw(st.integers(40, 170))


def render(rows: list[Cells], width: int) -> list[str]:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, highlight=False)
    console.print(FittedTable(COLUMNS, rows, ladder=LIST_LADDER, terminal=False))
    return out.getvalue().splitlines()


def longest(texts: Iterable[str]) -> int:
    return max((cell_len(t) for t in texts), default=0)


def folded(column: int, rows: list[Cells]) -> int:
    """How narrow a column may be folded: to its header's longest word, at least FLOOR
    cells, or less when all of it needs less."""
    header = COLUMNS[column]
    whole = max(cell_len(header), longest(" ".join(row[column]) for row in rows))
    return min(whole, max(FLOOR, longest(header.split())))


def room_left(rows: list[Cells], width: int, kept: dict[int, int]) -> int:
    """The cells left with the columns of `kept` at those widths, the others folded."""
    others = sum(folded(i, rows) for i in range(len(COLUMNS)) if i not in kept)
    return width - GAP * (len(COLUMNS) - 1) - others - sum(kept.values())


@settings(max_examples=40, deadline=None)
@given(tables())
def test_period_and_lead_city_stay_whole_while_others_can_fold(
    table: tuple[list[Cells], int],
) -> None:
    period_and_lead_city_stay_whole(*table)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None)
@given(tables())
def test_period_and_lead_city_stay_whole_while_others_can_fold_more_examples(
    table: tuple[list[Cells], int],
) -> None:
    period_and_lead_city_stay_whole(*table)


def period_and_lead_city_stay_whole(rows: list[Cells], width: int) -> None:
    """The rule, checked on the table as printed: first no piece of an id and no word of a
    lead city cut, and the period whole; then no piece of a partner or a theme cut (those
    longer than LONG aside); then the ids whole and the lead cities' names on one line."""
    lines = render(rows, width)
    assert all(cell_len(line) <= width for line in lines)
    periods = [row[3][0] for row in rows]
    leads = [row[1] for row in rows]
    period = max(cell_len("period"), longest(periods))
    id_pieces = kept_width(0, rows, longest(p for row in rows for p in pieces(row[0][0])))
    lead_words = longest(["lead", *(w for lead in leads for p in lead for w in p.split())])
    first = {0: id_pieces, 1: lead_words, 3: period}
    if room_left(rows, width, first) >= 0:
        # the period whole, no word of the lead city cut, no piece of an id
        texts = [*periods, *(w for lead in leads for w in lead[0].split())]
        for text in texts + [p for row in rows for p in pieces(row[0][0])]:
            assert any(text in line for line in lines), (text, lines)
    short = {i: kept_width(i, rows, longest(short_pieces(i, rows))) for i in (2, 4)}
    if room_left(rows, width, first | short) >= 0:
        # ...then no piece of a partner or a theme cut
        for i in (2, 4):
            for piece in short_pieces(i, rows):
                assert any(piece in line for line in lines), (piece, lines)
    ids = max(cell_len("id"), longest(row[0][0] for row in rows))
    lead_names_ = max(lead_words, cell_len("lead city"), longest(lead[0] for lead in leads))
    if room_left(rows, width, {3: period, 1: lead_names_, 0: ids} | short) >= 0:
        # ...and, the id whole, the lead city's name on one line
        for lead in leads:
            assert any(lead[0] in line for line in lines), (lead[0], lines)


def short_pieces(column: int, rows: list[Cells]) -> list[str]:
    """The pieces of a column's words that are kept whole where room allows (LONG at most),
    trailing commas included."""
    found = (p for row in rows for phrase in row[column] for w in phrase.split() for p in pieces(w))
    return [p for p in found if cell_len(p) <= LONG]


def kept_width(column: int, rows: list[Cells], wanted: int) -> int:
    """The width a column has when it is given `wanted` cells: no less than it is folded
    to, no more than all of it needs."""
    header = COLUMNS[column]
    whole = max(cell_len(header), longest(" ".join(row[column]) for row in rows))
    return min(whole, max(folded(column, rows), wanted))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(name(OTHER + "東", 24), max_size=6),
    st.integers(1, 40),
)
def test_wrap_keeps_every_character_within_the_width(phrases: list[str], width: int) -> None:
    cell = listed(phrases)
    lines = wrap(cell, width)
    assert all(cell_len(line) <= max(width, 2) for line in lines)  # 東 needs 2
    assert "".join(lines).replace(" ", "") == "".join(cell).replace(" ", "")
    for phrase in cell:  # a phrase that fits is on one line
        if cell_len(phrase) <= width:
            assert any(phrase in line for line in lines), (phrase, lines)
    for line in lines:
        assert line == line.strip() and not re.search(r"  ", line)


def test_a_lead_city_of_one_phrase_and_an_empty_table_fit() -> None:
    """A cell cut whole (too long to lay out) is one phrase; a column may have no cells."""
    from ucap_cli.render.fitted import column_need, need

    assert need(("Lyon",), "first") == 4
    assert column_need("lead city", [], "first") == 9
    row = (("demo",), ("Lyon " * 30,), (), ("2017-03",), (), (), ("1",))
    assert all(cell_len(line) <= 60 for line in render([row], 60))


def test_the_agreements_table_cuts_no_party_for_a_whole_id() -> None:
    """A long record id breaks at its hyphens before a party's name is cut between letters
    (a user's trial at 80 columns: `Metropol` / `itan`)."""
    from ucap_cli.render.agreements import COLUMNS as AGREEMENT_COLUMNS
    from ucap_cli.render.agreements import LADDER

    row = (
        ("2018-03-14",),
        ("gross-lindenau-utrecht",),
        ("Smart city workshop in Kraków",),
        ("cooperation agreement",),
        ("Seoul Metropolitan Government,", "Kraków Technology Park"),
        ("2",),
        ("Two agreements on data platforms",),
    )
    out = io.StringIO()
    console = Console(file=out, width=80, color_system=None, highlight=False)
    console.print(FittedTable(AGREEMENT_COLUMNS, [row], ladder=LADDER, terminal=False))
    words = ["gross-lindenau-utrecht", "Metropolitan", "Government,", "Technology", "workshop"]
    assert all(kept(word, out.getvalue()) for word in words), out.getvalue()


def test_the_error_marker_stays_beside_the_id(run: Run, tmp_path: Path) -> None:
    """`!` after a record's id goes with the id's last piece, never to a line of its own
    (seen in CI: the id column narrowed for the other columns' words, the `!` wrapped)."""
    from ucap_cli.render.fitted import MARKER, words
    from ucap_cli.render.tabular import ERROR_MARKER

    assert MARKER == ERROR_MARKER
    assert words("gross-lindenau-utrecht !") == ["gross-lindenau-utrecht !"]
    assert pieces(words("gross-lindenau-utrecht !")[0])[-1] == "utrecht !"
    rid = "thessaloniki-groß-lindenau"
    record = edited(
        VALID_RECORD,
        ('id = "demo"', f'id = "{rid}"'),
        ('country = "France"', 'country = "Frnace"'),  # E109: marked
        ('themes = ["Mobility", "Logistics"]', f"themes = {THEMES!r}".replace("'", '"')),
    )
    write_record(tmp_path / "records", rid, record)
    result = run("list", env={"COLUMNS": "80"})
    assert result.exit_code == 1
    lines = result.stdout.split("\n\n")[0].splitlines()  # the table, before its note
    assert not any(line.split()[:1] == ["!"] for line in lines), result.stdout
    assert any(line.split()[:2] == ["lindenau", "!"] for line in lines), result.stdout
