"""Calendar helpers: the default range (last full month), period granularities, date-only columns."""

from __future__ import annotations

from datetime import date, time, timedelta

import polars as pl

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
