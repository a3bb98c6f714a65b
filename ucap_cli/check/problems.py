"""Problems found in records: values, with a location, a severity and a stable code."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a problem is: errors fail `validate`, warnings only with `--strict`."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Code:
    """A problem code: its stable identifier, severity and what it means."""

    id: str
    severity: Severity
    summary: str


def _codes(*codes: Code) -> dict[str, Code]:
    return {code.id: code for code in codes}


_E, _W = Severity.ERROR, Severity.WARNING

# The stable problem codes. The README's table is generated from, and tested against, this one.
CODES: dict[str, Code] = _codes(
    Code("E001", _E, "file cannot be read (missing, a folder, not UTF-8, too large)"),
    Code("E002", _E, "TOML syntax error"),
    Code("E003", _E, "schema_version missing, not 1, or newer than this ucap"),
    Code("E004", _E, "keys, tables and arrays nested more than 64 levels deep"),
    Code("E101", _E, "required key missing"),
    Code("E102", _E, "unknown key (with a did-you-mean suggestion)"),
    Code("E103", _E, "value has the wrong type"),
    Code("E104", _E, "value out of range or empty where one is required"),
    Code("E105", _E, "not a partial date (YYYY, YYYY-MM, YYYY-MM-DD or a TOML date)"),
    Code("E106", _E, "end date before start date"),
    Code("E107", _E, "duplicate entry in a list (themes, SDGs, topics)"),
    Code("E108", _E, "id is not a slug (lowercase letters, digits and single hyphens)"),
    Code("E109", _E, "unknown country (not an ISO 3166-1 name or code)"),
    Code("E110", _E, "SDG outside 1-17"),
    Code("E111", _E, "unknown EU Urban Agenda topic"),
    Code("E112", _E, "value not in the allowed list (kind, status)"),
    Code("E113", _E, "contact is not an e-mail address"),
    Code("E114", _E, "theme not in the configured themes"),
    Code("E201", _E, "id used by more than one file"),
    Code("W301", _W, "id differs from the file name"),
    Code("W302", _W, "activity dated outside the record's period"),
    Code("W303", _W, "activity city is neither the lead city nor a partner"),
    Code("W304", _W, "activity or expected-result theme is not one of the record's themes"),
    Code("W305", _W, "activity marked done but dated in the future"),
    Code("W306", _W, "activity still planned more than a year after its date"),
    Code("W307", _W, "partner takes part in no activity"),
    Code("W308", _W, "a `# ucap: ignore[...]` comment suppresses nothing"),
    Code("W309", _W, "value marked '# TODO: check' by ucap import: check it and remove the mark"),
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in one file, at `line:column` (1-based)."""

    path: str
    line: int
    column: int
    code: str
    message: str
    hint: str | None = None

    @property
    def severity(self) -> Severity:
        """The code's severity."""
        return CODES[self.code].severity

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        """Order of reporting: by file, then position, then code."""
        return (self.path, self.line, self.column, self.code)


def count(problems: Iterable[Problem]) -> tuple[int, int]:
    """(errors, warnings) among `problems`."""
    errors = warnings = 0
    for problem in problems:
        if problem.severity is Severity.ERROR:
            errors += 1
        else:
            warnings += 1
    return errors, warnings
