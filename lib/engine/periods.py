"""Calendar helpers: the default range (last full month), period granularities, date-only columns, and how
much of a comparison period the data covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Literal

import duckdb
import polars as pl

from lib.engine.store import Scope, date_bounds

# UI granularity -> Polars duration for `dt.truncate` / `group_by_dynamic`.
GRAINS: dict[str, str] = {"day": "1d", "week": "1w", "month": "1mo"}


def last_full_month(first: date, last: date) -> tuple[date, date]:
    """The last calendar month fully inside [first, last]; the whole span if none is.

    Data that ends on 31 October gives October; data ending 25 November also
    gives October (November is not complete yet).
    """
    month_end = last if (last + timedelta(days=1)).day == 1 else last.replace(day=1) - timedelta(days=1)
    month_start = month_end.replace(day=1)
    if month_start < first:
        return first, last
    return month_start, month_end


def no_time_of_day(values: pl.Series) -> bool:
    """Whether every present value of a date or datetime column is at midnight (a date-only export).

    Durations between such values are whole days and an hour-of-day chart would put every ticket at
    00:00. False when no value is present: nothing says the times are missing.
    """
    present = values.drop_nulls()
    if not len(present):
        return False
    if present.dtype == pl.Date:
        return True
    return bool((present.dt.time() == time(0)).all())


# A comparison period whose first day has no ticket still counts as covered: the 1st of a month or
# of a year is often a holiday or a weekend with nothing raised, and an export rarely starts mid-day.
COVERAGE_GRACE_DAYS = 1


@dataclass(frozen=True)
class Coverage:
    """How much of a comparison period the loaded tickets span (the rule is in `coverage`)."""

    period: Scope  # the comparison period
    state: Literal["covered", "partial", "none"]
    data_from: date | None  # the first ticket's creation date; None when no ticket is loaded

    @property
    def covered(self) -> bool:
        """Whether a change against the period can be shown."""
        return self.state == "covered"


def coverage(period: Scope, bounds: tuple[date, date] | None) -> Coverage:
    """How much of `period` the data spans, given the data's first and last ticket creation dates.

    The rule, on calendar dates of `created_at` over every loaded ticket (sidebar filters left out:
    a filter picks rows, it does not shorten the export):

    - "none" when the data starts after the period ends (or no ticket is loaded);
    - "partial" when it starts inside the period, later than its first day;
    - "covered" when it starts on or before the period's first day, or on the day after
      (`COVERAGE_GRACE_DAYS`: a first day without tickets is taken as a quiet day, not a gap).

    Only the start is checked: a comparison period lies before the selected range, so data that
    ends inside it leaves the selected range itself empty. An open period counts as covered.
    """
    if period.start is None or period.end is None:
        return Coverage(period, "covered", bounds[0] if bounds else None)
    if bounds is None:
        return Coverage(period, "none", None)
    first = bounds[0]
    if first > period.end:
        return Coverage(period, "none", first)
    if first > period.start + timedelta(days=COVERAGE_GRACE_DAYS):
        return Coverage(period, "partial", first)
    return Coverage(period, "covered", first)


def comparison_coverage(con: duckdb.DuckDBPyConnection, scope: Scope) -> Coverage | None:
    """The comparison period of `scope` and how much of it the loaded tickets cover; None without one.

    The one place that decides whether a change can be shown: the cards, the alerts and the report
    all ask here (through `lib.analysis.overview.summarise` or directly).
    """
    before = scope.previous()
    return None if before is None else coverage(before, date_bounds(con))
