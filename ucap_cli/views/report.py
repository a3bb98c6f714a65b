"""What every view returns: its data, and the files behind it that have errors.

A record with errors never disappears from a view: it is shown as far as it could be read, and
every output format says which files have errors (the writers' notes, JSON's `problems`, a CSV
column). A file whose TOML could not be read at all is left out, and the output says which and
why. Either way the command exits 1, so that a script can tell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ucap_cli.check.result import FileStatus

T = TypeVar("T")


@dataclass(frozen=True)
class Report(Generic[T]):
    """A view's data; the files with errors (in path order); why the cache was not used."""

    data: T
    files: list[FileStatus] = field(default_factory=list)
    cache_warning: str | None = None

    @property
    def flagged(self) -> list[FileStatus]:
        """Files with errors whose records are in the view, as far as they could be read."""
        return [f for f in self.files if f.readable]

    @property
    def left_out(self) -> list[FileStatus]:
        """Files left out: not TOML (or past a limit), so nothing of them could be read."""
        return [f for f in self.files if not f.readable]


def with_errors(files: list[FileStatus]) -> list[FileStatus]:
    """The files that have an error."""
    return [f for f in files if f.error is not None]
