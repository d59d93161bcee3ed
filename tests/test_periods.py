from datetime import date, datetime

import polars as pl
import pytest

from lib.engine import periods, store
from lib.engine.periods import coverage, last_full_month, no_time_of_day
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


# ---- how much of a comparison period the data covers (periods.coverage) ------------------------

FOURTH_QUARTER = Scope(date(2024, 10, 1), date(2024, 12, 31))


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        (date(2023, 5, 1), "covered"),  # the data starts long before
        (date(2024, 10, 1), "covered"),  # on the first day
        (date(2024, 10, 2), "covered"),  # the first day had no ticket: a quiet day, not a gap
        (date(2024, 10, 3), "partial"),  # two days missing
        (date(2024, 11, 16), "partial"),  # half the quarter
        (date(2024, 12, 31), "partial"),  # only its last day
        (date(2025, 1, 1), "none"),  # the data starts after it ends
    ],
)
def test_coverage_depends_on_where_the_data_starts(first, expected):
    found = coverage(FOURTH_QUARTER, (first, date(2026, 10, 31)))
    assert (found.state, found.data_from, found.period) == (expected, first, FOURTH_QUARTER)
    assert found.covered == (expected == "covered")


def test_coverage_of_a_one_day_period_has_no_grace_day():
    day = Scope(date(2026, 9, 30), date(2026, 9, 30))
    assert coverage(day, (date(2026, 10, 1), date(2026, 10, 31))).state == "none"
    assert coverage(day, (date(2026, 9, 30), date(2026, 10, 31))).state == "covered"


def test_coverage_without_tickets_is_none():
    assert coverage(FOURTH_QUARTER, None).state == "none"


def test_comparison_coverage_reads_the_datas_first_day(con):
    created = [datetime(2024, 11, 16, 9), datetime(2025, 2, 1)]
    store.load(con, "tickets", pl.DataFrame({"ticket_id": ["A", "B"], "created_at": created}))
    found = periods.comparison_coverage(con, Scope(date(2025, 1, 1), date(2025, 3, 31)))
    assert (found.period, found.state, found.data_from) == (FOURTH_QUARTER, "partial", date(2024, 11, 16))
    assert periods.comparison_coverage(con, Scope()) is None  # no comparison period at all
    # a filter does not move the data's start: the export starts where it starts
    filtered = Scope(date(2025, 1, 1), date(2025, 3, 31), (("channel", ("电话",)),))
    assert periods.comparison_coverage(con, filtered).data_from == date(2024, 11, 16)


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
