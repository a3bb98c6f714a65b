"""What `validate` found, which problem codes it reports, and the exit status that follows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ucap_cli.check.problems import Problem, count
from ucap_cli.errors import ExitCode
from ucap_cli.toml.lines import toml_lines


@dataclass(frozen=True, slots=True)
class FileStatus:
    """What a view knows of a file besides its product, as the store found it: the id it
    declares, its first error (None: it has none) and whether its TOML could be read (else
    nothing of it is in a view, and `error` says why)."""

    path: Path
    display: str
    id: str | None
    error: Problem | None
    readable: bool


@dataclass
class Selection:
    """Which problem codes to report: `select` (prefixes, empty = all) minus `ignore`."""

    select: tuple[str, ...] = ()
    ignore: frozenset[str] = field(default_factory=frozenset)

    def wants(self, code: str) -> bool:
        """True when problems with `code` are reported."""
        if any(code.startswith(prefix) for prefix in self.ignore):
            return False
        return not self.select or any(code.startswith(prefix) for prefix in self.select)


@dataclass
class ValidationResult:
    """What `validate` found: the files checked and the problems reported."""

    files_checked: int
    problems: list[Problem]
    sources: dict[str, str] = field(default_factory=dict)
    cache_warning: str | None = None  # why the cache was not used, when ucap did not make it
    _lines: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def source_line(self, problem: Problem) -> str | None:
        """The text of the (TOML) line a problem points at, when the file could be read."""
        lines = self._lines.get(problem.path)
        if lines is None:
            text = self.sources.get(problem.path)
            if text is None:
                return None
            lines = self._lines[problem.path] = toml_lines(text)
        return lines[problem.line - 1] if 0 < problem.line <= len(lines) else None

    @property
    def errors(self) -> int:
        """Number of errors."""
        return count(self.problems)[0]

    @property
    def warnings(self) -> int:
        """Number of warnings."""
        return count(self.problems)[1]

    def exit_code(self, strict: bool) -> ExitCode:
        """1 when there are errors, or warnings under `strict`; else 0."""
        failed = self.errors or (strict and self.warnings)
        return ExitCode.PROBLEMS if failed else ExitCode.OK


@dataclass(frozen=True, slots=True)
class CodeCount:
    """One line of `validate --statistics`: a code, how many problems have it, and whether
    `--fix` fixes some of them."""

    code: str
    count: int
    fixable: bool


def statistics(result: ValidationResult, fixable: set[str]) -> list[CodeCount]:
    """The problems of `result` counted by code, most frequent first (as `ruff --statistics`);
    `fixable`: the codes that `--fix` fixes some problems of."""
    counts: dict[str, int] = {}
    for problem in result.problems:
        counts[problem.code] = counts.get(problem.code, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [CodeCount(code, n, code in fixable) for code, n in ordered]
