"""What the Efficiency page shows, as aggregated frames: durations, SLA, backlog, heat map, breakdowns.

Below the data: the page's words and charts in the reader's language (`# --- the page's view`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta

import altair as alt
import duckdb
import narwhals as nw
import polars as pl

from lib import charts
from lib.analysis import lazy, tables
from lib.engine import store
from lib.engine.kpis import BY_KEY, Settings, available, columns_for, evaluate_by
from lib.engine.periods import no_time_of_day
from lib.engine.store import Frames
from lib.i18n import t
from lib.schema import DIMENSIONS

# Which duration each `distribution(which=...)` shows: its end column, hours column (`kpis.DERIVED`) and
# KPI prefix.
DURATIONS: dict[str, tuple[str, str, str]] = {
    "first_response": ("first_response_at", "first_response_hours", "first_response_hours"),
    "resolution": ("resolved_at", "resolution_hours", "resolution_hours"),
}
SLA_KEYS = ("response_sla_rate", "resolution_sla_rate")
# The dimensions the distributions can be compared by, in the picker's order (those present).
SPLITS = ("channel", "priority", "category", "region", "product", "agent")
# The two heat maps: the value drawn, the title's text key and the value's d3 format.
HEATMAPS: tuple[tuple[str, str, str], ...] = (
    ("tickets", "efficiency.arrivals", ",d"),
    ("first_response_hours_p50", "efficiency.response_by_hour", ",.1f"),
)
RATE_KEYS = ("reopen_rate", "fcr_rate", "repeat_contact_rate")
BREAKDOWN_KEYS = (
    "tickets",
    "resolved",
    "first_response_hours_p50",
    "first_response_hours_p90",
    "resolution_hours_p50",
    "resolution_hours_p90",
    *SLA_KEYS,
    "fcr_rate",
    "reopen_rate",
    "repeat_contact_rate",
)
KEYS = (*BREAKDOWN_KEYS, "first_response_hours_mean", "resolution_hours_mean", "backlog")

# Canonical columns each function needs beyond ticket_id / created_at ("a|b" = either), for the
# page's "needs column X" when it returns None. distribution needs DURATIONS[which][0] (and `by`);
# breakdown needs its `by` column; heatmap always counts arrivals (its median needs first_response_at).
NEEDS: dict[str, tuple[str, ...]] = {
    "distribution": ("first_response_at|resolved_at",),
    "sla_trend": ("first_response_at|resolved_at",),
    "backlog_trend": ("resolved_at",),
    "heatmap": (),
    "breakdown": (),
    # fcr_rate and reopen_rate also need resolved_at; repeat_contact_rate only customer_id.
    "rate_trend": ("first_contact_resolved|reopen_count|customer_id",),
}

# Log scale when the longest duration exceeds this many medians: with ~25 linear bins up to
# the maximum, the median would then sit in the first bin and the bulk of tickets be one bar.
LOG_RATIO = 20.0
LOG_MIN_HOURS = 0.1  # lowest log edge (6 min); the first bin [0, it) holds zeros and shorter times
MAX_LINEAR_BINS = 30
BOX_QUANTILES = (0.1, 0.25, 0.75)  # with the engine's p50 and p90: a box plot per group
NICE_STEPS = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)


@dataclass(frozen=True)
class Distribution:
    """A duration histogram and its summary.

    bins : bin_start, bin_end (hours, [start, end)), tickets; plus the `by` column when given
        (every group × every bin, 0 where empty); no rows without a valid duration.
        Counts add up to the valid durations.
    stats : (by), tickets (valid durations), mean, p10, p25, p50, p75, p90 — mean, p50 and
        p90 are the KPI engine's values — one row overall or per group, by tickets descending.
    log_scale : whether the bins are log-spaced (draw the x axis on a log scale).
    days : bins and stats are in days, not hours (`distribution(..., days=True)`).
    """

    bins: pl.DataFrame
    stats: pl.DataFrame
    log_scale: bool
    days: bool = False


def frames(con: duckdb.DuckDBPyConnection, scope: store.Scope) -> Frames:
    """The scoped frames every function here needs, with backlog history per period."""
    return store.scoped(
        con, scope, ticket_columns=columns_for(KEYS) | set(DIMENSIONS), by_period=True, read=("tickets",)
    )


def distribution(
    frames: Frames, which: str, by: str | None = None, days: bool = False
) -> Distribution | None:
    """Histogram of first-response or resolution hours (valid: both times present and ≥ 0).

    Parameters
    ----------
    which : "first_response" or "resolution".
    by : a dimension column; bins and stats per value (empty values as one group).
    days : bins and stats in days, linear bins a whole number of days wide: for date-only data
        (`date_only`), where every duration is a whole number of days.

    Returns None when the tickets, the duration's end column or `by` are missing. The engine holding
    the rows counts them (`lazy`): the range first (for the edges), then the tickets per bin and the
    box quantiles per group; only those rows come back.
    """
    if which not in DURATIONS:
        raise ValueError(f"which must be one of {sorted(DURATIONS)}, not {which!r}")
    end_col, derived, prefix = DURATIONS[which]
    tickets = frames.tickets
    if tickets is None or end_col not in tickets.columns or (by is not None and by not in tickets.columns):
        return None
    only_tickets = _tickets_only(frames)
    keys = tuple(f"{prefix}_{stat}" for stat in ("mean", "p50", "p90"))
    names = dict(zip(keys, ("mean", "p50", "p90"), strict=True))
    engine = evaluate_by(only_tickets, keys, by=by).rename(names)
    overall = engine if by is None else evaluate_by(only_tickets, (keys[1],)).rename({keys[1]: "p50"})
    per = 24.0 if days else 1.0  # hours in the unit shown
    engine = engine.with_columns(pl.col(name) / per for name in ("mean", "p50", "p90"))
    overall = overall.with_columns(pl.col("p50") / per)

    hours = nw.col("hours")
    valid = lazy.rows(tickets).select(*([nw.col(by)] if by else []), (nw.col(derived) / per).alias("hours"))
    valid = valid.filter(hours >= 0)
    # One query for the range (the edges need it) and the box plot's other quantiles (not KPIs, same valid
    # durations and interpolation), per group when `by`: the overall range is the groups' range.
    spread = [hours.quantile(q, interpolation="linear").alias(f"p{round(q * 100)}") for q in BOX_QUANTILES]
    reach = [
        nw.len().alias("_n"),
        hours.max().alias("_longest"),
        nw.when(hours > 0).then(hours).min().alias("_shortest"),
    ]
    summary = lazy.collect(valid.group_by(by).agg(*reach, *spread) if by else valid.select(*reach, *spread))
    count, longest = summary["_n"].sum(), summary["_longest"].max()
    p50 = overall["p50"][0] if overall.height else None
    # Whole days cannot tell 0 from 0.9 days: a median under a day counts as one (no log axis for 0s and 1s).
    log_scale = _long_tail(max(p50, 1.0) if days and p50 is not None else p50, longest)
    if not count:
        edges: list[float] = []  # nothing to count: no bins rather than one empty bar
    else:
        shortest = summary["_shortest"].min()
        edges = _log_edges(shortest, longest) if log_scale else _linear_edges(longest, whole=days)

    bins = _histogram(valid, edges, by, engine.select(by) if by else None)
    quantiles = summary.select(*([by] if by else []), *(f"p{round(q * 100)}" for q in BOX_QUANTILES))
    if by:
        valid_per_group = bins.group_by(by).agg(pl.col("tickets").sum())
        stats = engine.join(valid_per_group, on=by, how="left", nulls_equal=True)
        stats = stats.with_columns(pl.col("tickets").fill_null(0))
        stats = stats.join(quantiles, on=by, how="left", nulls_equal=True)
    else:
        stats = engine.with_columns(pl.lit(count, dtype=pl.Int64).alias("tickets"))
        stats = pl.concat([stats, quantiles], how="horizontal")
    stats = stats.select(*([by] if by else []), "tickets", "mean", "p10", "p25", "p50", "p75", "p90")
    return Distribution(bins, _by_tickets(stats, by), log_scale, days)


def date_only(frames: Frames) -> bool:
    """Whether every ticket's created_at is at midnight (a date-only export, `periods.no_time_of_day`).

    Durations are then whole days, and the weekday × hour heat maps would put every ticket at 00:00.
    """
    tickets = frames.tickets
    if tickets is None or "created_at" not in tickets.columns:
        return False
    return no_time_of_day(tickets["created_at"]) if lazy.is_local(tickets) else lazy.all_midnight(tickets)


def sla_trend(frames: Frames, settings: Settings, every: str) -> pl.DataFrame | None:
    """Response and resolution SLA rates per period ("1d", "1w", "1mo") of created_at.

    Columns: period, response_sla_rate, resolution_sla_rate, tickets. Every period from the
    first ticket to the range end is listed (tickets 0, rates null where none). None when
    neither rate can be computed.
    """
    if not _any_available(frames, SLA_KEYS, settings):
        return None
    table = evaluate_by(_tickets_only(frames), (*SLA_KEYS, "tickets"), every=every, settings=settings)
    return _every_period(table, frames, every).select("period", *SLA_KEYS, "tickets")


def backlog_trend(frames: Frames, every: str = "1d") -> pl.DataFrame | None:
    """Open tickets at each period's end (or the range end, if sooner): period, backlog.

    Every period from the first ticket's to the range end (or the last ticket's). None without
    resolved_at. `frames` must be read with `by_period=True` (as `frames()` does). The engine holding
    the rows counts created and closed tickets per day (`lazy.open_per_period`).
    """
    if frames.tickets is None or "resolved_at" not in frames.tickets.columns:
        return None
    if not frames.history_by_period:
        raise ValueError("backlog per period needs the history by period (efficiency.frames)")
    bounds = _periods(frames, every)
    if bounds is None:
        return pl.DataFrame(schema={"period": pl.Date, "backlog": pl.Int64})
    return lazy.open_per_period(frames.history, *bounds, every, frames.scope.end_exclusive)


def heatmap(frames: Frames) -> pl.DataFrame | None:
    """Arrivals and median first response by weekday × hour of created_at (wall clock).

    Columns: weekday (1 = Monday … 7), hour (0–23), tickets, first_response_hours_p50; all
    7 × 24 cells, tickets 0 and median null where empty. None without tickets.
    """
    if frames.tickets is None:
        return None
    # The engine groups by one column, so weekday and hour travel as one cell number
    # (in Int64: the Int8 parts would overflow past Saturday 08:00).
    cell = (lazy.weekday("created_at") - 1) * 24 + nw.col("created_at").dt.hour().cast(nw.Int64)
    by_cell = replace(_tickets_only(frames), tickets=lazy.with_columns(frames.tickets, cell.alias("_cell")))
    table = evaluate_by(by_cell, ("tickets", "first_response_hours_p50"), by="_cell")
    grid = pl.DataFrame({"_cell": range(7 * 24)}, schema={"_cell": pl.Int64})
    return grid.join(table, on="_cell", how="left").select(
        (pl.col("_cell") // 24 + 1).cast(pl.Int8).alias("weekday"),
        (pl.col("_cell") % 24).cast(pl.Int8).alias("hour"),
        pl.col("tickets").fill_null(0).cast(pl.Int64),
        pl.col("first_response_hours_p50").cast(pl.Float64),
    )


def breakdown(frames: Frames, settings: Settings, by: str) -> pl.DataFrame | None:
    """Efficiency KPIs per value of dimension `by`, by tickets descending (empty values as one row).

    Columns: by, tickets, resolved, first_response_hours_p50/_p90, resolution_hours_p50/_p90,
    response_sla_rate, resolution_sla_rate, fcr_rate, reopen_rate, repeat_contact_rate
    (null where not available). None when tickets have no `by` column.
    """
    if frames.tickets is None or by not in frames.tickets.columns:
        return None
    table = evaluate_by(_tickets_only(frames), BREAKDOWN_KEYS, by=by, settings=settings)
    counts = [pl.col(c).cast(pl.Int64) for c in ("tickets", "resolved")]
    return _by_tickets(table.with_columns(counts), by)


def rate_trend(frames: Frames, settings: Settings, every: str) -> pl.DataFrame | None:
    """Reopen, first-contact resolution and repeat contact rates per period of created_at.

    Columns: period, reopen_rate, fcr_rate, repeat_contact_rate, tickets; every period from
    the first ticket to the range end. None when none of the three rates can be computed.
    """
    if not _any_available(frames, RATE_KEYS, settings):
        return None
    table = evaluate_by(_tickets_only(frames), (*RATE_KEYS, "tickets"), every=every, settings=settings)
    return _every_period(table, frames, every).select("period", *RATE_KEYS, "tickets")


# --- the page's view: words and charts in the reader's language ---------------------------------


def dimensions(frames: Frames) -> list[str]:
    """The dimensions the tickets have, in `DIMENSIONS` order (what the breakdown can be by).

    Parameters
    ----------
    frames : `frames()`.

    Returns
    -------
    list of str
        Empty without tickets or without any dimension column.
    """
    return [] if frames.tickets is None else [d for d in DIMENSIONS if d in frames.tickets.columns]


def splits(present: list[str]) -> list[str]:
    """The dimensions of `present` the distributions can be compared by, in `SPLITS` order.

    Parameters
    ----------
    present : `dimensions(frames)`.

    Returns
    -------
    list of str
        Possibly empty.
    """
    return [d for d in SPLITS if d in present]


def breakdown_default(present: list[str]) -> str | None:
    """The breakdown picked first: category when present, else the first dimension, else None.

    Parameters
    ----------
    present : `dimensions(frames)`.

    Returns
    -------
    str or None
    """
    return "category" if "category" in present else (present[0] if present else None)


def sla_rule(settings: Settings, lang: str) -> str:
    """The SLA limits in words, and a note when some priority has its own (response or resolution).

    Parameters
    ----------
    settings : the targets in use.
    lang : "zh" or "en".

    Returns
    -------
    str
        E.g. "Within SLA: first response ≤ 4 h, resolution ≤ 72 h".
    """
    general, per_priority = settings.sla_hours("response")
    own = per_priority or settings.sla_hours("resolution")[1]
    return t("efficiency.sla_rule", lang, response=general, resolution=settings.resolution_target_hours) + (
        t("efficiency.sla_per_priority", lang) if own else ""
    )


def markers(stats: pl.DataFrame, lang: str) -> list[tuple[str, float | None]]:
    """The histogram's mean, P50 and P90 rules with their labels (one decimal), from the overall stats.

    Parameters
    ----------
    stats : `Distribution.stats` without `by` (one row: mean, p50, p90 …).
    lang : "zh" or "en" (the mean's name).

    Returns
    -------
    list of (label, hours)
        Three pairs, mean first; a missing value has label "" and hours None.
    """
    row = stats.row(0, named=True)
    mean = t("column.mean", lang)
    return [
        (f"{mean} {row['mean']:.1f}" if row["mean"] is not None else "", row["mean"]),
        (f"P50 {row['p50']:.1f}" if row["p50"] is not None else "", row["p50"]),
        (f"P90 {row['p90']:.1f}" if row["p90"] is not None else "", row["p90"]),
    ]


def box_title(which: str, by: str, lang: str) -> str:
    """The box plot's title (also its workbook sheet), e.g. "Resolution time by Channel".

    Parameters
    ----------
    which : "first_response" or "resolution".
    by : the dimension compared.
    lang : "zh" or "en".
    """
    return t("efficiency.box_title", lang, name=t(f"efficiency.{which}", lang), field=t(f"field.{by}", lang))


def histogram_figure(overall: Distribution, which: str, lang: str) -> alt.TopLevelMixin:
    """The duration histogram with its mean, P50 and P90, on a log axis when the bins are log-spaced.

    Parameters
    ----------
    overall : `distribution(frames, which)` (no `by`).
    which : "first_response" or "resolution".
    lang : "zh" or "en".
    """
    return charts.histogram(
        overall.bins,
        start="bin_start",
        end="bin_end",
        count="tickets",
        x_title=_unit_axis(overall, lang) + (t("efficiency.log_note", lang) if overall.log_scale else ""),
        y_title=t("kpi.tickets_axis", lang),
        title=t("efficiency.histogram_title", lang, name=t(f"efficiency.{which}", lang)),
        markers=markers(overall.stats, lang),
        log_scale=overall.log_scale,
    )


def box_figure(grouped: Distribution, which: str, by: str, log_scale: bool, lang: str) -> alt.TopLevelMixin:
    """The duration per value of `by` as boxes (P10–P90 whiskers), the 12 with the most tickets, clickable.

    Parameters
    ----------
    grouped : `distribution(frames, which, by=by)`.
    which : "first_response" or "resolution".
    by : the dimension compared.
    log_scale : the overall histogram's scale, so both charts read alike.
    lang : "zh" or "en".
    """
    return charts.box_summary(
        grouped.stats.head(12),
        group=by,
        p10="p10",
        p25="p25",
        p50="p50",
        p75="p75",
        p90="p90",
        mean="mean",
        count="tickets",
        group_title=t(f"field.{by}", lang),
        value_title=_unit_axis(grouped, lang),
        title=box_title(which, by, lang),
        mean_title=t("column.mean", lang),
        count_title=t("kpi.tickets_axis", lang),
        log_scale=log_scale,
        select=True,
    )


def backlog_figure(backlog: pl.DataFrame, lang: str) -> alt.TopLevelMixin:
    """Open tickets at each day's end as a line.

    Parameters
    ----------
    backlog : `backlog_trend(frames, "1d")`.
    lang : "zh" or "en".
    """
    return charts.volume_trend(
        backlog,
        x="period",
        y="backlog",
        x_title=t("grain.day", lang),
        y_title=t("efficiency.open_tickets", lang),
        title=t("efficiency.backlog_title", lang),
    )


def heatmap_cells(cells: pl.DataFrame, value: str) -> pl.DataFrame:
    """One heat map's data as its CSV offers it: weekday, hour and `value`.

    Parameters
    ----------
    cells : `heatmap(frames)`.
    value : "tickets" or "first_response_hours_p50".
    """
    return cells.select("weekday", "hour", value)


def heatmap_figure(
    cells: pl.DataFrame, value: str, title: str, value_format: str, lang: str
) -> alt.TopLevelMixin:
    """One heat map of `heatmap`'s cells: weekday down, hour across, empty cells marked as no data.

    Parameters
    ----------
    cells : `heatmap(frames)`.
    value : the column drawn ("tickets" or "first_response_hours_p50"; see `HEATMAPS`).
    title : the title's text key.
    value_format : d3 format of the values.
    lang : "zh" or "en".
    """
    return charts.heatmap(
        cells,
        x="hour",
        y="weekday",
        value=value,
        x_title=t("column.hour", lang),
        y_title=t("column.weekday", lang),
        value_title=tables.header(value, lang) if value != "tickets" else t("kpi.tickets_axis", lang),
        title=t(title, lang),
        y_labels={day: t(f"weekday.{day}", lang) for day in range(1, 8)},
        value_format=value_format,
        missing_title=t("efficiency.no_data", lang),
    )


# --- helpers ----------------------------------------------------------------------------


def _unit_axis(shown: Distribution, lang: str) -> str:
    return t("efficiency.days_axis" if shown.days else "efficiency.hours_axis", lang)


def _tickets_only(frames: Frames) -> Frames:
    """The frames without surveys, customers and history, for ticket KPIs only."""
    return replace(frames, surveys=None, customers=None, history=None)


def _any_available(frames: Frames, keys: tuple[str, ...], settings: Settings) -> bool:
    if frames.tickets is None:
        return False
    have = frozenset(frames.tickets.columns)
    return any(available(BY_KEY[k], have, settings) for k in keys)


def _by_tickets(table: pl.DataFrame, by: str | None) -> pl.DataFrame:
    """Most tickets first; ties by value, empty value last, so the order is stable."""
    if by is None:
        return table
    return table.sort(["tickets", by], descending=[True, False], nulls_last=True)


def _periods(frames: Frames, every: str) -> tuple[date, date] | None:
    """The first period's start (of the first ticket) and the last day shown (range end, or last ticket)."""
    first, last_ticket = lazy.span(frames.tickets)
    if first is None:
        return None
    end = frames.scope.end_exclusive
    last = (end - timedelta(microseconds=1)).date() if end else last_ticket.date()
    return pl.Series([first.date()]).dt.truncate(every)[0], last


def _every_period(table: pl.DataFrame, frames: Frames, every: str) -> pl.DataFrame:
    """`table` with a row for every period from the first ticket to the range end (or last ticket).

    The engine lists only periods that have tickets; a chart would draw a line across the gap.
    """
    bounds = None if frames.tickets is None else _periods(frames, every)
    if bounds is None:
        return table.with_columns(pl.col("tickets").cast(pl.Int64))
    periods = pl.DataFrame({"period": pl.date_range(*bounds, every, eager=True)})
    return (
        periods.join(table, on="period", how="full", coalesce=True)
        .with_columns(pl.col("tickets").fill_null(0).cast(pl.Int64))
        .sort("period")
    )


def _histogram(
    valid: nw.LazyFrame, edges: list[float], by: str | None, groups: pl.DataFrame | None
) -> pl.DataFrame:
    """Count `valid` hours into [edge, next edge) bins in the engine, for every bin (and every group of `groups`)."""
    group = [by] if by else []
    grid = pl.DataFrame(
        {"_bin": range(max(len(edges) - 1, 0)), "bin_start": edges[:-1], "bin_end": edges[1:]},
        schema={"_bin": pl.Int64, "bin_start": pl.Float64, "bin_end": pl.Float64},
    )
    if groups is not None:
        grid = groups.join(grid, how="cross")
    if not edges:  # nothing valid to count
        return grid.with_columns(pl.lit(0, dtype=pl.Int64).alias("tickets")).select(
            *group, "bin_start", "bin_end", "tickets"
        )
    # Bins found among the edges the page shows, so a value on an edge goes where the label says.
    counts = lazy.collect(
        valid.group_by(*group, lazy.bin_index("hours", edges).alias("_bin")).agg(
            nw.len().cast(nw.Int64).alias("tickets")
        )
    ).with_columns(pl.col("_bin").cast(pl.Int64), pl.col("tickets").cast(pl.Int64))
    return (
        grid.join(counts, on=[*group, "_bin"], how="left", nulls_equal=True)
        .with_columns(pl.col("tickets").fill_null(0))
        .sort(*group, "_bin", nulls_last=True)
        .select(*group, "bin_start", "bin_end", "tickets")
    )


def _long_tail(p50: float | None, longest: float | None) -> bool:
    """Log scale when the longest duration exceeds LOG_RATIO medians (also: median 0, longest not)."""
    if p50 is None or longest is None:
        return False
    return longest > LOG_RATIO * p50


def _one_two_five(k: int) -> list[float]:
    # Decimal strings so 0.2 is the float 0.2, not 2 × 0.1.
    return [float(f"{m}e{k}") for m in (1, 2, 5)]


def _log_edges(shortest_positive: float, longest: float) -> list[float]:
    """0, then 1-2-5 steps from the shortest positive time (at least LOG_MIN_HOURS) past the longest.

    The steps start at the largest one ≤ that shortest time, so [0, it) holds the zeros.
    """
    shortest = max(shortest_positive, LOG_MIN_HOURS)
    # One decade of slack each side: log10 of a float just below a power of ten may round up to it.
    k = math.floor(math.log10(shortest)) - 1
    steps = [v for e in range(k, math.floor(math.log10(longest)) + 2) for v in _one_two_five(e)]
    low = max(v for v in steps if v <= shortest)
    high = min(v for v in steps if v > longest)
    return [0.0, *[v for v in steps if low <= v <= high]]


def _linear_edges(longest: float, whole: bool = False) -> list[float]:
    """0 up past the longest time in the smallest nice step giving at most MAX_LINEAR_BINS bins.

    With `whole`, the step is a whole number (of days): each bin then holds whole durations alike.
    """
    if longest <= 0:
        return [0.0, 1.0]
    k = math.floor(math.log10(longest / MAX_LINEAR_BINS))
    # k + 1 always fits; k - 1 in case log10 rounded up; whole steps start at 1.
    exponents = range(max(k - 1, 0), max(k + 1, 0) + 1) if whole else (k - 1, k, k + 1)
    steps = (float(f"{m}e{e}") for e in exponents for m in NICE_STEPS)
    step = min(
        s for s in steps if (s.is_integer() or not whole) and math.floor(longest / s) + 1 <= MAX_LINEAR_BINS
    )
    bins = math.floor(longest / step) + 1
    if round(bins * step, 10) <= longest:  # 0.7 / 0.025 is 27.999…: the last edge must lie past the longest
        bins += 1
    return [round(i * step, 10) for i in range(bins + 1)]
