from datetime import date, datetime

import polars as pl
import pytest

from lib.engine.periods import last_full_month, no_time_of_day
from lib.engine.store import Scope


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (date(2024, 11, 1), date(2026, 10, 31), (date(2026, 10, 1), date(2026, 10, 31))),
        (date(2024, 11, 1), date(2026, 11, 25), (date(2026, 10, 1), date(2026, 10, 31))),
        (date(2024, 2, 3), date(2024, 3, 31), (date(2024, 3, 1), date(2024, 3, 31))),
        # less than one full month of data: the whole span
        (date(2024, 3, 5), date(2024, 3, 20), (date(2024, 3, 5), date(2024, 3, 20))),
        (date(2016, 2, 29), date(2016, 3, 10), (date(2016, 2, 29), date(2016, 3, 10))),
    ],
)
def test_last_full_month(first, last, expected):
    assert last_full_month(first, last) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # whole months compare with the months before
        (date(2026, 10, 1), date(2026, 10, 31), (date(2026, 9, 1), date(2026, 9, 30))),
        (date(2026, 3, 1), date(2026, 3, 31), (date(2026, 2, 1), date(2026, 2, 28))),
        (date(2026, 1, 1), date(2026, 3, 31), (date(2025, 10, 1), date(2025, 12, 31))),
        (date(2026, 1, 1), date(2026, 1, 31), (date(2025, 12, 1), date(2025, 12, 31))),
        # other ranges: same number of days
        (date(2026, 10, 5), date(2026, 10, 11), (date(2026, 9, 28), date(2026, 10, 4))),
        (date(2026, 10, 1), date(2026, 10, 1), (date(2026, 9, 30), date(2026, 9, 30))),
    ],
)
def test_previous_period(start, end, expected):
    previous = Scope(start, end, (("channel", ("电话",)),)).previous()
    assert (previous.start, previous.end) == expected
    assert previous.filters == (("channel", ("电话",)),)


def test_open_scope_has_no_previous_period():
    assert Scope().previous() is None


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 10, 1), date(2026, 10, 31), (date(2025, 10, 1), date(2025, 10, 31))),
        (date(2024, 2, 1), date(2024, 2, 29), (date(2023, 2, 1), date(2023, 2, 28))),  # leap day
        (date(2026, 10, 5), date(2026, 10, 11), (date(2025, 10, 5), date(2025, 10, 11))),
    ],
)
def test_same_period_last_year(start, end, expected):
    previous = Scope(start, end, (("channel", ("电话",)),), compare="year").previous()
    assert (previous.start, previous.end) == expected
    assert previous.filters == (("channel", ("电话",)),)
    assert previous.compare == "year"


def test_narrowed_adds_a_drill_filter_and_respects_the_sidebar_filter():
    scope = Scope(date(2026, 10, 1), date(2026, 10, 31), (("channel", ("电话", "微信")),))
    assert scope.narrowed("category", "漏水").filters == (
        ("channel", ("电话", "微信")),
        ("category", ("漏水",)),
    )
    assert scope.narrowed("channel", "电话").filters == (("channel", ("电话",)),)
    # a value the sidebar already excludes matches nothing rather than widening the filter
    assert scope.narrowed("channel", "官网").filters == (("channel", ()),)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([datetime(2024, 3, 1), None, datetime(2024, 3, 2)], True),  # nulls say nothing either way
        ([datetime(2024, 3, 1), datetime(2024, 3, 2, 0, 0, 1)], False),  # one second past midnight
        ([datetime(2024, 3, 1), datetime(2024, 3, 2, 14, 30)], False),
        ([None, None], False),  # nothing present: no reason to say the times are missing
        ([], False),
    ],
)
def test_no_time_of_day(values, expected):
    column = pl.Series(values, dtype=pl.Datetime("us"))
    assert no_time_of_day(column) is expected
    # Local midnight in an aware column is still midnight.
    assert no_time_of_day(column.dt.replace_time_zone("Asia/Shanghai")) is expected


def test_no_time_of_day_of_a_date_column():
    assert no_time_of_day(pl.Series([date(2024, 3, 1), None]))
    assert not no_time_of_day(pl.Series([None], dtype=pl.Date))
