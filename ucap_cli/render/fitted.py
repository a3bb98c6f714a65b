"""Tables fitted to the width they are printed at, broken where a reader expects it.

A cell is a sequence of phrases: a city's name, a theme, a period. Text breaks between
phrases first; a phrase that cannot fit breaks between its words, a word after a hyphen
between letters (`Anargiri-` / `Kamatero`), and only a piece longer than its column is cut.

How wide each column gets is a ladder of steps, most important first: "no piece of the id
cut", "no word of the lead city cut", "the period whole", ..., "the themes' names whole".
Every column starts at its floor: the longest word of its header, at least FLOOR cells (or
less, when it needs less); each step widens one column to what it needs at that level when
the room left allows it, else is skipped. A column that could not have its pieces whole then
takes what room is left before the steps after the ladder's last "pieces whole" step, so that
it cuts as few words as it can (a piece longer than LONG cells asks for no room: it is cut
wherever it stands). What is left over goes to the columns that want more, in proportion.
So the columns that matter most are never broken, and a word is cut between letters only
where folding the others cannot make room.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions, JustifyMethod, RenderResult
from rich.table import Table
from rich.text import Text

from ucap_cli.render.safe import MAX_SHOWN, one_line
from ucap_cli.render.tabular import ERROR_MARKER

Level = Literal["piece", "word", "first", "phrase", "whole"]
Cell = Sequence[str]  # the phrases of a cell, shown joined by spaces
Step = tuple[str, Level]  # a column (by its header) and what it should hold unbroken

FLOOR = 4  # cells: no column is folded narrower (nor narrower than its header's words)
GAP = 2  # cells between columns
LONG = 16  # cells: a longer piece (`Llanfairpwllgwyngyll-`) may be cut between letters
MARKER = ERROR_MARKER  # a record with errors, after its id

_SPACES = re.compile(r" +")
_AFTER_HYPHEN = re.compile(r"(?<=[^\W\d_]-)(?=[^\W\d_])")  # Anargiri-|Kamatero, not 2017-|03


def phrases(text: str) -> Cell:
    """A cell of plain text as its phrases: `A, B, C` is `A,` `B,` `C`."""
    parts = text.split(", ")
    return tuple(f"{part}," for part in parts[:-1]) + tuple(parts[-1:])


def words(phrase: str) -> list[str]:
    """The words of `phrase`: what lies between its spaces; a MARKER stays with the word
    before it (`demo !` is one word: the marker never goes to a line of its own)."""
    found: list[str] = []
    for word in _SPACES.split(phrase):
        if word == MARKER and found:
            found[-1] += f" {word}"
        elif word:
            found.append(word)
    return found


def _unmarked(unit: str) -> str:
    return unit.removesuffix(f" {MARKER}")


def pieces(word: str) -> list[str]:
    """The pieces of `word`: a hyphen between letters ends one."""
    return _AFTER_HYPHEN.split(word)


def need(cell: Cell, level: Level) -> int:
    """Cells of width `cell` needs to keep each of its units at `level` unbroken: its pieces
    (but those longer than LONG), words, first phrase (and the others' words), phrases, or the
    whole cell on one line."""
    if not cell:
        return 0
    if level == "whole":
        return cell_len(" ".join(cell))
    if level == "phrase":
        return max(cell_len(phrase) for phrase in cell)
    if level == "first":
        return max([cell_len(cell[0]), *(need((phrase,), "word") for phrase in cell[1:])])
    units = (w for phrase in cell for w in words(phrase))
    if level == "piece":
        # A piece longer than LONG (its marker aside) is cut wherever it stands: it asks for
        # no room.
        units = (p for w in units for p in pieces(w) if cell_len(_unmarked(p)) <= LONG)
    return max((cell_len(unit) for unit in units), default=0)


def column_need(header: str, cells: Sequence[Cell], level: Level) -> int:
    """What a column needs at `level`: each cell's need, and its header's (split into words
    at the lowest levels, whole from `first` on)."""
    head: Cell = (header,)
    return max(
        [need(head, "word" if level in ("piece", "word") else "whole")]
        + [need(cell, level) for cell in cells]
    )


def fit_widths(
    header: Sequence[str], rows: Sequence[Sequence[Cell]], room: int, ladder: Sequence[Step]
) -> list[int]:
    """Column widths within `room` cells (gaps not included), climbing `ladder`."""
    columns = [[row[i] for row in rows] for i in range(len(header))]
    whole = [column_need(h, c, "whole") for h, c in zip(header, columns, strict=True)]
    if sum(whole) <= room:
        return whole
    widths = [min(w, max(FLOOR, need((h,), "word"))) for w, h in zip(whole, header, strict=True)]
    if sum(widths) >= room:
        return widths
    index = {name: i for i, name in enumerate(header)}
    # The steps up to the last that keeps pieces whole; then the columns whose pieces could
    # not all be kept take what room is left, in the ladder's order (cut words are worse than
    # the steps after them: a name on one line); then those steps.
    last = max((n for n, (_, level) in enumerate(ladder) if level == "piece"), default=-1)
    cutting = [(name, level) for name, level in ladder[: last + 1] if level == "piece"]
    for steps, partly in (
        (ladder[: last + 1], False),
        (cutting, True),
        (ladder[last + 1 :], False),
    ):
        for name, level in steps:
            i = index[name]
            target = column_need(header[i], columns[i], level) if widths[i] < whole[i] else 0
            left = room - sum(widths)
            if target > widths[i] and (partly or target - widths[i] <= left):
                widths[i] += min(target - widths[i], left)
    spare = room - sum(widths)
    wanted = [w - n for w, n in zip(whole, widths, strict=True)]
    total = sum(wanted) or 1
    widths = [n + spare * w // total for n, w in zip(widths, wanted, strict=True)]
    for i in sorted(range(len(widths)), key=lambda i: -wanted[i]):
        if sum(widths) >= room:
            break
        if widths[i] < whole[i]:
            widths[i] += 1  # hand out what integer division left over
    return widths


def wrap(cell: Cell, width: int) -> list[str]:
    """The lines of `cell` in a column `width` cells wide: phrases kept whole where they fit,
    else broken between words, then after hyphens, then cut."""
    lines: list[str] = []
    line = ""

    def add(unit: str, joiner: str) -> bool:
        nonlocal line
        if not line or cell_len(line) + len(joiner) + cell_len(unit) <= width:
            if not line and cell_len(unit) > width:
                return False
            line = f"{line}{joiner}{unit}" if line else unit
            return True
        lines.append(line)
        line = ""
        return add(unit, joiner)

    for phrase in cell:
        if add(phrase, " "):
            continue
        for word in words(phrase):
            if add(word, " "):
                continue
            joiner = " "
            for piece in pieces(word):
                if not add(piece, joiner):
                    if line:
                        lines.append(line)
                    *cut, line = chop_cells(piece, width)
                    lines.extend(cut)
                joiner = ""
    return [*lines, line] if line or not lines else lines


def _shown(cell: Cell) -> tuple[str, ...]:
    """The phrases of `cell` on one line each, controls escaped; a cell too long to lay out
    is cut as a whole (one_line says how much was left out) and becomes one phrase."""
    joined = " ".join(cell)
    if len(joined) > MAX_SHOWN:
        return (one_line(joined),)
    return tuple(one_line(phrase) for phrase in cell)


class FittedTable:
    """A table of `rows` (cells of phrases) fitted to the width it is printed at; no box
    drawing (it would cost a column per separator and show as mojibake in some pipes); a bold
    header on a terminal; `right`: the columns aligned right (numbers)."""

    def __init__(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Cell]],
        *,
        ladder: Sequence[Step] = (),
        terminal: bool,
        right: Sequence[str] = (),
    ) -> None:
        self.header = tuple(header)
        self.rows = [tuple(_shown(cell) for cell in row) for row in rows]
        self.ladder = tuple(ladder)
        self.terminal = terminal
        self.right = frozenset(right)
        self._widths: dict[int, list[int]] = {}  # room -> widths (Rich may ask twice)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        table = Table(box=None, header_style="bold" if self.terminal else "", pad_edge=False)
        room = options.max_width - GAP * (len(self.header) - 1)
        if room not in self._widths:
            self._widths[room] = fit_widths(self.header, self.rows, room, self.ladder)
        widths = self._widths[room]
        for name, width in zip(self.header, widths, strict=True):
            justify: JustifyMethod = "right" if name in self.right else "left"
            table.add_column(name, width=width, overflow="fold", justify=justify)
        for row in self.rows:
            table.add_row(*(Text("\n".join(wrap(c, w))) for c, w in zip(row, widths, strict=True)))
        yield table
