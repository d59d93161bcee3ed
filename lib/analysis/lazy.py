"""Small questions a page asks of its rows in whichever engine holds them, through narwhals.

Locally the rows are Polars frames (`store.scoped`); on the lake they are narwhals lazy frames over
Spark (`lib.lake`). The functions here are written once in narwhals and run on both: the engine does
the counting, and only a row per bin, day or group comes back (on the lake nothing else leaves Spark).
"""

from __future__ import annotations

from datetime import date, datetime

import narwhals as nw
import numpy as np
import polars as pl

from lib.engine.kpis import with_derived


def is_local(frame: object) -> bool:
    """Whether `frame` is rows already in the app (a Polars frame), not an engine's lazy table."""
    return isinstance(frame, pl.DataFrame)


def rows(frame) -> nw.LazyFrame:
    """`frame` as a narwhals lazy frame with the DERIVED durations (a lake frame already has them)."""
    return nw.from_native(with_derived(frame)) if is_local(frame) else nw.from_native(frame).lazy()


def collect(lazy: nw.LazyFrame) -> pl.DataFrame:
    """The (small) answer as a Polars frame, times as the local engine has them (wall clock, no zone).

    Spark hands its timestamps back in the session's zone (UTC, `lake.session`), which is the wall clock
    the lake stored.
    """
    found = lazy.collect(backend="polars").to_native()
    zoned = [c for c, dtype in found.schema.items() if isinstance(dtype, pl.Datetime) and dtype.time_zone]
    return found.with_columns(
        pl.col(c).dt.convert_time_zone("UTC").dt.replace_time_zone(None).dt.cast_time_unit("us")
        for c in zoned
    )


def rows_of(frame) -> nw.LazyFrame:
    """`frame` as a narwhals lazy frame, as it is."""
    return nw.from_native(frame).lazy()


def _in_kind(frame, method: str, *args):
    """`frame.method(*args)` in narwhals, the result in `frame`'s own kind (a Polars frame stays one)."""
    if is_local(frame):
        return getattr(nw.from_native(frame), method)(*args).to_native()
    return getattr(nw.from_native(frame), method)(*args)


def with_columns(frame, *exprs: nw.Expr):
    """`frame` with narwhals `exprs` added, in its own kind (a Polars frame stays one, a lake frame lazy)."""
    return _in_kind(frame, "with_columns", *exprs)


def select(frame, *exprs: nw.Expr):
    """`frame.select(exprs)` in its own kind."""
    return _in_kind(frame, "select", *exprs)


def filter(frame, condition: nw.Expr):  # noqa: A001  (the frame method's own name)
    """`frame.filter(condition)` in its own kind."""
    return _in_kind(frame, "filter", condition)


def weekday(column: str) -> nw.Expr:
    """ISO weekday, 1 = Monday … 7 = Sunday (narwhals 2.29 on Spark numbers Sunday 0)."""
    day = nw.col(column).dt.weekday()
    return nw.when(day == 0).then(nw.lit(7)).otherwise(day).cast(nw.Int64)


def span(tickets) -> tuple[datetime | None, datetime | None]:
    """First and last created_at of `tickets` (None, None without any)."""
    if is_local(tickets):
        return tickets["created_at"].min(), tickets["created_at"].max()
    found = collect(
        rows(tickets).select(nw.col("created_at").min().alias("a"), nw.col("created_at").max().alias("b"))
    )
    return found["a"][0], found["b"][0]


def all_midnight(tickets) -> bool:
    """Whether every present created_at is at 00:00 (a date-only export); False when none is present."""
    created = nw.col("created_at")
    midnight = (
        (created.dt.hour() == 0)
        & (created.dt.minute() == 0)
        & (created.dt.second() == 0)
        & (created.dt.microsecond() == 0)
    )
    found = collect(
        rows(tickets).select(
            created.count().alias("present"), (~midnight).cast(nw.Int64).sum().alias("timed")
        )
    )
    present, timed = found["present"][0], found["timed"][0]
    return bool(present) and not timed


def bin_index(column: str, edges: list[float]) -> nw.Expr:
    """The bin [edge, next edge) each value falls in: how many edges lie at or below it, less one."""
    return (nw.sum_horizontal(*[(nw.col(column) >= edge).cast(nw.Int64) for edge in edges]) - 1).cast(
        nw.Int64
    )


def day(column: str) -> nw.Expr:
    return nw.col(column).dt.truncate("1d").cast(nw.Date)


def open_per_period(history, first: date, last: date, every: str, range_end: datetime | None) -> pl.DataFrame:
    """Open tickets at each period's end (or `range_end`, if sooner), periods of `every` from `first` to `last`.

    A ticket is closed at e when max(created, resolved) < e, so open(e) = #created < e − #closed < e.
    Every end is a midnight, so the engine counts created and closed tickets per day (days before the
    first period as its first day, days after the last end as that end): a row per day comes back.
    Columns: period, backlog.
    """
    periods = pl.DataFrame({"period": pl.date_range(first, last, every, eager=True)})
    ends = periods.select(pl.col("period").dt.offset_by(every).alias("end"))["end"]
    if range_end is not None:  # a scope's end is the midnight after its last day
        ends = ends.clip(upper_bound=range_end.date())
    low, high = first, ends.max()

    def per_day(when: nw.Expr) -> pl.DataFrame:
        clamped = nw.when(when < low).then(nw.lit(low)).when(when > high).then(nw.lit(high)).otherwise(when)
        return collect(
            rows(history).filter(~when.is_null()).group_by(clamped.alias("day")).agg(nw.len().alias("n"))
        )

    created = per_day(day("created_at"))
    closing = nw.when(~nw.col("resolved_at").is_null()).then(nw.max_horizontal("created_at", "resolved_at"))
    closed = per_day(closing.dt.truncate("1d").cast(nw.Date))

    def before(counts: pl.DataFrame) -> np.ndarray:
        ordered = counts.sort("day")
        total = np.concatenate([[0], np.cumsum(ordered["n"].to_numpy())])
        at = np.searchsorted(ordered["day"].to_numpy(), ends.to_numpy(), side="left")
        return total[at]

    open_count = before(created) - before(closed)
    return periods.with_columns(pl.Series("backlog", open_count, dtype=pl.Int64))
