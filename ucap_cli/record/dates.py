"""Partial dates: "2017", "2017-06", "2017-06-15" or a TOML date, each standing for an interval."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

# re.ASCII: `\d` would otherwise accept other scripts' digits ("٢٠١٧").
_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)
_PERIOD = re.compile(r"(\d{4})(?:[-_ ]?[Qq]([1-4])|-(\d{2})(?:-(\d{2}))?)?", re.ASCII)

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class DateError(ValueError):
    """A value is not a partial date; the message says what was expected."""


@dataclass(frozen=True, slots=True, order=False)
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        """'year', 'month' or 'day'."""
        if self.month is None:
            return "year"
        return "month" if self.day is None else "day"

    @property
    def first(self) -> dt.date:
        """The first day of the interval."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def last(self) -> dt.date:
        """The last day of the interval."""
        if self.day is not None:
            return self.first
        month = self.month or 12
        return dt.date(self.year, month, _month_length(self.year, month))

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Orders by start; a coarser date sorts before finer dates it contains."""
        return (self.year, self.month or 0, self.day or 0)

    def __reduce__(self) -> tuple[type[PartialDate], tuple[int, int | None, int | None]]:
        # Across processes as its three numbers: a third of the time of the slots' state.
        return (PartialDate, (self.year, self.month, self.day))

    def __lt__(self, other: PartialDate) -> bool:
        return self.sort_key < other.sort_key

    def __le__(self, other: PartialDate) -> bool:
        return self.sort_key <= other.sort_key

    def __str__(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def display(self) -> str:
        """Human form as precise as known: '2017', 'Jun 2017', '15 Jun 2017'."""
        if self.month is None:
            return str(self.year)
        if self.day is None:
            return f"{MONTHS[self.month - 1]} {self.year}"
        return f"{self.day} {MONTHS[self.month - 1]} {self.year}"

    @classmethod
    def from_date(cls, value: dt.date) -> PartialDate:
        """A TOML local date is a day-precision partial date."""
        return cls(value.year, value.month, value.day)


_UNPADDED = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?", re.ASCII)


def padded(text: str) -> str | None:
    """`text` with the zero its month or day is missing ("2018-7" -> "2018-07"), when that
    makes it a partial date; else None."""
    match = _UNPADDED.fullmatch(text)
    if match is None:
        return None
    year, month, day = match.groups()
    fixed = f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
    if fixed == text:
        return None
    try:
        _from_text(fixed)
    except DateError:
        return None
    return fixed


def parse_partial_date(value: object) -> PartialDate:
    """Parse a TOML value into a partial date, or raise DateError saying what was expected."""
    if isinstance(value, dt.datetime):
        raise DateError('expected a date such as 2017-06-15 or "2017-06", not a date-time')
    if isinstance(value, dt.date):
        return _from_date(value)
    if not isinstance(value, str):
        raise DateError(
            f'expected a date ("YYYY", "YYYY-MM", "YYYY-MM-DD" or a TOML date), '
            f"got {type(value).__name__}"
        )
    return _from_text(value)


# Records repeat a few hundred dates; partial dates are immutable, so each is parsed once.
@lru_cache(maxsize=4096)
def _from_date(value: dt.date) -> PartialDate:
    return PartialDate.from_date(value)


@lru_cache(maxsize=4096)
def _from_text(value: str) -> PartialDate:
    match = _PARTIAL.fullmatch(value)
    if match is None:
        raise DateError(f'expected "YYYY", "YYYY-MM" or "YYYY-MM-DD", got {value!r}')
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    return _checked(year, month, day, value)


def _checked(year: int, month: int | None, day: int | None, text: str) -> PartialDate:
    if year < 1:
        raise DateError(f"year must be 0001 or later, got {text!r}")
    if month is not None and not 1 <= month <= 12:
        raise DateError(f"month must be 01-12, got {text!r}")
    if day is not None:
        assert month is not None
        last = _month_length(year, month)
        if not 1 <= day <= last:
            raise DateError(f"day must be 01-{last:02d} for {year:04d}-{month:02d}, got {text!r}")
    return PartialDate(year, month, day)


@lru_cache(maxsize=4096)
def _month_length(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


@dataclass(frozen=True, slots=True)
class Interval:
    """A closed range of days; `end=None` means open-ended (ongoing)."""

    start: dt.date
    end: dt.date | None

    def overlaps(self, other: Interval) -> bool:
        """True when the two intervals share at least one day."""
        starts_before_other_ends = other.end is None or self.start <= other.end
        ends_after_other_starts = self.end is None or self.end >= other.start
        return starts_before_other_ends and ends_after_other_starts


@lru_cache(maxsize=4096)
def span(start: PartialDate, end: PartialDate | None) -> Interval:
    """The days covered from the start of `start` to the end of `end` (open when None)."""
    return Interval(start.first, end.last if end is not None else None)


def parse_period(text: str) -> Interval:
    """Parse a `--during` value: a year `2017`, a quarter `2017Q2`, a month `2017-06` or a day."""
    match = _PERIOD.fullmatch(text.strip())
    if match is None:
        raise DateError(
            f"expected a year (2017), a quarter (2017Q2), a month (2017-06) or a day, got {text!r}"
        )
    year_text, quarter, month, day = match.groups()
    year = int(year_text)
    if quarter:
        first_month = 3 * (int(quarter) - 1) + 1
        return Interval(
            dt.date(year, first_month, 1),
            PartialDate(year, first_month + 2).last,
        )
    date = _checked(year, int(month) if month else None, int(day) if day else None, text)
    return Interval(date.first, date.last)


def today() -> dt.date:
    """Today's date; one place so tests can reason about status warnings."""
    return dt.date.today()
