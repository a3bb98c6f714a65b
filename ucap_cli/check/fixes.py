"""`ucap validate --fix`: the safe fixes of a record file, made until none is left.

A finding carries a fix when exactly one correction is meant (see `findings`, the model's
errors and `rules.name_fixes`); this module collects the fixes of the problems a run reports
(suppressed problems and codes left out by `--select`/`--ignore` keep theirs), makes them
with `toml.edit.apply` (which keeps every other byte and checks the data of the result),
validates the result again, and repeats while that finds more (a list's second duplicate
shows once the first is gone). The file is written once, atomically, under its lock.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ucap_cli.check import rules
from ucap_cli.check.findings import dotted
from ucap_cli.check.loader import RecordFile, parse
from ucap_cli.check.problems import Problem
from ucap_cli.check.result import Selection
from ucap_cli.errors import WriteError
from ucap_cli.toml import edit, files
from ucap_cli.toml.files import display_path

# The codes whose problems may carry a fix (E111 and E114 also name names that are right but
# not written as the official or configured name: `rules.name_fixes`).
CODES_WITH_FIXES = frozenset({"E102", "E105", "E107", "E111", "E112", "E114"})
MAX_PASSES = 20  # validations of one file in a run; each pass makes every fix it found
_BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class Fixed:
    """A fix made: where (in the text it was made on), the code, and what it did."""

    line: int
    column: int
    code: str
    message: str


@dataclass
class FileFix:
    """What fixing one file did: its text before and after, the fixes made, the problems
    its own checks still find (before `--select`/`--ignore`), and why it could not be
    written, if it could not."""

    path: Path
    display: str
    before: str = ""
    after: str = ""
    fixed: list[Fixed] = field(default_factory=list)
    remaining: list[Problem] = field(default_factory=list)
    error: str | None = None

    @property
    def changed(self) -> bool:
        """True when the fixes change the file."""
        return self.after != self.before

    def diff(self, name: str) -> Iterator[str]:
        """The unified diff from the file to the fixed file."""
        return difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            fromfile=name,
            tofile=f"{name} (fixed)",
        )


def fix_text(
    text: str, path: Path, display: str, context: dict[str, Any], selection: Selection
) -> tuple[str, list[Fixed], list[Problem]]:
    """`text` (a record file's, without its BOM) with every safe fix made that `selection`
    wants; the fixes made (placed in `text`), and the problems the file's own checks find in
    the result."""
    original = text
    made: list[tuple[int, str, str]] = []  # offset in `original`, code, what the fix did
    steps: list[list[edit.Edit]] = []
    for passes in range(MAX_PASSES + 1):
        file = RecordFile(path, display)
        parse(file, text, context)
        if file.data is None or passes == MAX_PASSES:
            break
        planned = [(p.code, fix) for p, fix in file.fixes if selection.wants(p.code)]
        planned += [(c, f) for c, f in rules.name_fixes(file.data, context) if selection.wants(c)]
        if not planned:
            break
        codes = {id(fix): code for code, fix in planned}
        applied = edit.apply(text, [fix for _, fix in planned])
        if not applied.made:
            break
        for fix, offset, old in applied.made:
            message = f"{dotted(fix.path)}: {fix.describe(old)}"
            made.append((edit.offset_before(offset, steps), codes[id(fix)], message))
        steps += applied.steps
        text = applied.text
    fixed = [Fixed(*_position(original, at), code, message) for at, code, message in made]
    fixed.sort(key=lambda f: (f.line, f.column))
    return text, fixed, file.problems


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of `offset` in `text`."""
    start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - start + 1


def fix_file(
    path: Path,
    *,
    context: dict[str, Any],
    selection: Selection,
    max_size: int,
    within: Path | None = None,
    write: bool = False,
) -> FileFix:
    """The fixes of one file, written (atomically, under the file's lock) with `write`. A
    file that cannot be read is left to `validate` to report (E001)."""
    outcome = FileFix(path, display_path(path))
    try:
        text = files.read_text(path, max_size)
    except (OSError, ValueError):
        return outcome

    def change(current: str) -> str | None:
        if current == outcome.before and outcome.changed:  # as read first: fixed already
            return outcome.after
        bom = _BOM if current.startswith(_BOM) else ""
        new, outcome.fixed, outcome.remaining = fix_text(
            current.removeprefix(bom), path, outcome.display, context, selection
        )
        outcome.before, outcome.after = current, bom + new
        return outcome.after if outcome.changed else None

    change(text)
    if not write or not outcome.changed:
        return outcome
    try:
        from ucap_cli.toml.write import update_text

        update_text(path, change, max_size=max_size, within=within)
    except WriteError as error:
        outcome.error = str(error)
        outcome.after, outcome.fixed = outcome.before, []
    return outcome
