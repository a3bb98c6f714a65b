"""Partial dates: parsing, the ISO round trip, ordering and interval semantics."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ucap_cli.record.dates import (
    DateError,
    Interval,
    PartialDate,
    parse_partial_date,
    parse_period,
    span,
)

FAST = settings(max_examples=150, deadline=None)
VALID_TEXT = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")


@st.composite
def partial_dates(draw: st.DrawFn) -> PartialDate:
    """Any valid partial date, at year, month or day precision."""
    day = draw(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)))
    precision = draw(st.sampled_from(["year", "month", "day"]))
    if precision == "year":
        return PartialDate(day.year)
    if precision == "month":
        return PartialDate(day.year, day.month)
    return PartialDate(day.year, day.month, day.day)


def p(text: str) -> PartialDate:
    return parse_partial_date(text)


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2017", PartialDate(2017)),
        ("2017-06", PartialDate(2017, 6)),
        ("2017-06-15", PartialDate(2017, 6, 15)),
        ("2016-02-29", PartialDate(2016, 2, 29)),
        (dt.date(2017, 6, 15), PartialDate(2017, 6, 15)),
    ],
)
def test_parses_the_three_precisions_and_toml_dates(value: object, expected: PartialDate) -> None:
    parsed = parse_partial_date(value)
    assert parsed == expected
    assert parsed.precision == ("day" if expected.day else "month" if expected.month else "year")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2017-13", "month must be 01-12"),
        ("2017-00", "month must be 01-12"),
        ("2017-02-30", "day must be 01-28 for 2017-02"),
        ("2017-02-29", "day must be 01-28 for 2017-02"),
        ("2017-06-00", "day must be 01-30 for 2017-06"),
        ("0000", "year must be 0001 or later"),
        ("June 2017", 'expected "YYYY", "YYYY-MM" or "YYYY-MM-DD"'),
        ("2017-6", 'expected "YYYY"'),
        ("2017-06-1", 'expected "YYYY"'),
        ("17-06", 'expected "YYYY"'),
        ("2017/06", 'expected "YYYY"'),
        (" 2017", 'expected "YYYY"'),
        ("2017-06-15T10:00", 'expected "YYYY"'),
        ("", 'expected "YYYY"'),
        ("٢٠١٧", 'expected "YYYY"'),  # Arabic-Indic digits are not ISO digits
        (dt.datetime(2017, 6, 15, 10, 0), "not a date-time"),
        (dt.datetime(2017, 6, 15, tzinfo=dt.UTC), "not a date-time"),
        (dt.time(10, 0), "got time"),
        (2017, "got int"),
        (True, "got bool"),
        (None, "got NoneType"),
    ],
)
def test_rejects_what_is_not_a_partial_date(value: object, message: str) -> None:
    with pytest.raises(DateError, match=re.escape(message)):
        parse_partial_date(value)


@FAST
@given(partial_dates())
def test_iso_text_round_trips(date: PartialDate) -> None:
    assert parse_partial_date(str(date)) == date
    assert VALID_TEXT.fullmatch(str(date))


@FAST
@given(st.dates())
def test_toml_dates_are_day_precision(day: dt.date) -> None:
    parsed = parse_partial_date(day)
    assert parsed.precision == "day"
    assert parsed.first == parsed.last == day
    assert str(parsed) == day.isoformat()


@FAST
@given(st.text(max_size=12))
def test_any_other_string_is_rejected(text: str) -> None:
    if VALID_TEXT.fullmatch(text):
        return
    with pytest.raises(DateError):
        parse_partial_date(text)


@FAST
@given(st.from_regex(VALID_TEXT, fullmatch=True))
def test_well_formed_strings_parse_or_say_what_is_out_of_range(text: str) -> None:
    try:
        parsed = parse_partial_date(text)
    except DateError as error:
        assert re.search(r"(year|month|day) must be", str(error))
    else:
        assert str(parsed) == text


def test_display_is_as_precise_as_known() -> None:
    assert [p(t).display() for t in ("2017", "2017-06", "2017-06-05")] == [
        "2017",
        "Jun 2017",
        "5 Jun 2017",
    ]


# --------------------------------------------------------------------------- intervals


def test_a_partial_date_stands_for_an_interval() -> None:
    assert (p("2017").first, p("2017").last) == (dt.date(2017, 1, 1), dt.date(2017, 12, 31))
    assert (p("2017-06").first, p("2017-06").last) == (dt.date(2017, 6, 1), dt.date(2017, 6, 30))
    assert p("2016-02").last == dt.date(2016, 2, 29)
    assert p("2017-02").last == dt.date(2017, 2, 28)
    assert p("2017-06-15").first == p("2017-06-15").last == dt.date(2017, 6, 15)


@FAST
@given(partial_dates(), st.dates())
def test_interval_contains_exactly_its_days(date: PartialDate, day: dt.date) -> None:
    inside = date.first <= day <= date.last
    assert span(date, date).overlaps(Interval(day, day)) is inside
    assert Interval(day, day).overlaps(span(date, date)) is inside
    assert (parse_partial_date(day) == date) is (date.precision == "day" and inside)


@FAST
@given(partial_dates())
def test_interval_bounds_are_consistent(date: PartialDate) -> None:
    assert date.first <= date.last
    assert date.first.year == date.last.year == date.year
    if date.precision == "month":
        assert date.first.month == date.last.month == date.month
        assert (date.last + dt.timedelta(days=1)).day == 1


@FAST
@given(partial_dates(), partial_dates(), st.booleans())
def test_overlap_is_symmetric_and_open_ended_reaches_forever(
    a: PartialDate, b: PartialDate, open_ended: bool
) -> None:
    first = span(a, None if open_ended else a)
    second = span(b, b)
    assert first.overlaps(second) is second.overlaps(first)
    expected = (open_ended or b.first <= a.last) and a.first <= b.last
    assert first.overlaps(second) is expected


# --------------------------------------------------------------------------- ordering


def test_coarser_sorts_before_the_finer_dates_it_contains() -> None:
    assert p("2017-06") < p("2017-06-01") < p("2017-07")
    assert p("2017") < p("2017-01") < p("2017-01-01") < p("2017-01-02") < p("2018")
    assert p("2017-06") <= p("2017-06")
    assert not p("2017-06-01") < p("2017-06")
    unordered = ["2017-07", "2017-06-01", "2017", "2017-06", "2016-12-31", "2017-06-30"]
    assert [str(d) for d in sorted(map(p, unordered))] == [
        "2016-12-31",
        "2017",
        "2017-06",
        "2017-06-01",
        "2017-06-30",
        "2017-07",
    ]


@FAST
@given(partial_dates(), partial_dates())
def test_ordering_is_by_start_then_coarser_first(a: PartialDate, b: PartialDate) -> None:
    if a.first < b.first:
        assert a < b and not b < a
    if a.first == b.first and a != b:
        coarser, finer = (a, b) if a.last > b.last else (b, a)
        assert coarser < finer
    assert (a <= b) is (a < b or a == b)
    assert (a < b) + (b < a) + (a == b) == 1


# --------------------------------------------------------------------------- --during periods


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2017", dt.date(2017, 1, 1), dt.date(2017, 12, 31)),
        ("2017Q2", dt.date(2017, 4, 1), dt.date(2017, 6, 30)),
        ("2017-q4", dt.date(2017, 10, 1), dt.date(2017, 12, 31)),
        ("2017-06", dt.date(2017, 6, 1), dt.date(2017, 6, 30)),
        ("2017-06-15", dt.date(2017, 6, 15), dt.date(2017, 6, 15)),
    ],
)
def test_parse_period(text: str, start: dt.date, end: dt.date) -> None:
    assert parse_period(text) == Interval(start, end)


@pytest.mark.parametrize("text", ["2017Q5", "June", "2017-13", "٢٠١٧", ""])
def test_parse_period_rejects(text: str) -> None:
    with pytest.raises(DateError):
        parse_period(text)
