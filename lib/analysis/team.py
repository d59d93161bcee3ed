"""What the Team page shows, as plain data: per-agent KPIs, the team median, outliers, workload."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import polars as pl

from lib.analysis import formatting, tables
from lib.engine import service_calendar, store
from lib.engine.kpis import BY_KEY, Settings, columns_for, evaluate_by
from lib.i18n import t

# The series that gathers every agent outside the top ones (the page translates it).
OTHER = "__other__"
# Per-agent KPIs, all from the engine; throughput_per_day is derived from `resolved` here.
TABLE_KPIS = (
    "tickets",
    "resolved",
    "first_response_hours_p50",
    "first_response_hours_p90",
    "resolution_hours_p50",
    "resolution_hours_p90",
    "fcr_rate",
    "reopen_rate",
    "csat",
    "cost_per_ticket",
    "handle_minutes_mean",
)
TABLE_COLUMNS = ("agent", "tickets", "resolved", "working_days", "throughput_per_day", *TABLE_KPIS[2:])
# How a metric is judged in `outliers`; volumes (tickets, resolved, working_days) are not judged.
BETTER: dict[str, str] = {
    "throughput_per_day": "higher",
    **{k: BY_KEY[k].better for k in TABLE_KPIS if BY_KEY[k].better is not None},
}
NEEDS: dict[str, tuple[str, ...]] = {"table": ("agent",), "workload": ("agent",)}
WORKING_CALENDAR = "CN"  # whose public holidays and make-up days count (lib.engine.service_calendar)
MIN_TICKETS = 10  # fewer tickets in the range: too few to call a person an outlier


def frames(con: duckdb.DuckDBPyConnection, scope: store.Scope) -> store.Frames:
    """The scoped tables with only the ticket columns the Team page uses."""
    return store.scoped(
        con,
        scope,
        ticket_columns=columns_for(TABLE_KPIS, by="agent"),
        by_period=False,
        read=("tickets", "surveys"),
    )


def _has_agent(frames: store.Frames) -> bool:
    return frames.tickets is not None and "agent" in frames.tickets.columns


def _working_days(scope: store.Scope, tickets: pl.DataFrame) -> int | None:
    """Working days in the scope's range on the Chinese calendar (Monday–Friday less the official days
    off, plus the make-up working days); an open end takes the created_at span. None when the range
    cannot be known (open scope and no ticket).
    """
    start, end = scope.start, scope.end
    if start is None or end is None:
        if tickets["created_at"].drop_nulls().is_empty():
            return None
        start = start or tickets["created_at"].min().date()
        end = end or tickets["created_at"].max().date()
    return service_calendar.working_days(start, end, WORKING_CALENDAR)


def table(frames: store.Frames, settings: Settings | None = None) -> pl.DataFrame | None:
    """One row per agent (a null agent is the unassigned tickets), busiest first.

    Columns: agent, tickets, resolved, working_days, throughput_per_day (resolved ÷
    working days), first_response_hours_p50/_p90, resolution_hours_p50/_p90,
    fcr_rate, reopen_rate, csat, cost_per_ticket, handle_minutes_mean — KPIs null
    where their columns are missing. An agent with survey answers in range but no
    ticket in scope has a row with 0 tickets. None without an `agent` column.
    """
    if not _has_agent(frames):
        return None
    surveys = frames.surveys
    if surveys is not None and "ticket_created_at" in surveys.columns:
        # An answer matching no ticket has no agent: keep it out of the unassigned row.
        surveys = surveys.filter(pl.col("ticket_created_at").is_not_null())
    per_agent = evaluate_by(replace(frames, surveys=surveys), TABLE_KPIS, by="agent", settings=settings)
    days = _working_days(frames.scope, frames.tickets)
    has_resolved = "resolved_at" in frames.tickets.columns
    resolved = pl.col("resolved").cast(pl.Int64)
    return (
        per_agent.with_columns(
            pl.col("tickets").cast(pl.Int64).fill_null(0),
            resolved.fill_null(0) if has_resolved else resolved,
            pl.lit(days, dtype=pl.Int64).alias("working_days"),
        )
        .with_columns(
            pl.when(pl.col("working_days") > 0)
            .then(pl.col("resolved") / pl.col("working_days"))
            .otherwise(None)
            .cast(pl.Float64)
            .alias("throughput_per_day")
        )
        .select(TABLE_COLUMNS)
        .sort(["tickets", "agent"], descending=[True, False], nulls_last=True)
    )


def _numeric(table: pl.DataFrame) -> list[str]:
    return [c for c, dtype in table.schema.items() if c != "agent" and dtype.is_numeric()]


def team_median(table: pl.DataFrame) -> dict[str, float | None]:
    """The median of each numeric column over the agents (unassigned left out); None where no value."""
    assigned = table.filter(pl.col("agent").is_not_null())
    medians = assigned.select(pl.col(_numeric(table)).cast(pl.Float64).fill_nan(None).median())
    return {c: medians[c][0] for c in medians.columns}


def outliers(
    table: pl.DataFrame,
    columns: tuple[str, ...] | None = None,
    k: float = 1.5,
    min_tickets: int = MIN_TICKETS,
) -> pl.DataFrame:
    """Agents whose value lies outside median ± k × IQR of a metric across agents.

    Only agents with at least `min_tickets` tickets are judged (and make up the
    median): a rate over two tickets says nothing about a person.

    IQR from linear quantiles 0.25 / 0.75. Metrics with fewer than 4 agents having a
    value, volumes that are not judged (tickets, resolved, working_days) and the
    unassigned row are left out. `direction` says "better" or "worse" by the KPI's
    `better`. Sorted worst first (worse before better, then farthest from the median
    in IQRs). Columns: agent, metric, value, median, low, high, direction.
    """
    judged = [c for c in (columns or tuple(BETTER)) if c in BETTER and c in table.columns]
    schema = {
        "agent": pl.String,
        "metric": pl.String,
        "value": pl.Float64,
        "median": pl.Float64,
        "low": pl.Float64,
        "high": pl.Float64,
        "direction": pl.String,
    }
    if not judged or table.is_empty():
        return pl.DataFrame(schema=schema)
    enough = pl.col("tickets") >= min_tickets if "tickets" in table.columns else pl.lit(True)
    long = (
        table.filter(pl.col("agent").is_not_null() & enough)
        .select("agent", *[pl.col(c).cast(pl.Float64) for c in judged])
        .unpivot(index="agent", variable_name="metric", value_name="value")
        .with_columns(pl.col("value").fill_nan(None))
        .drop_nulls("value")
    )
    value = pl.col("value")
    iqr = value.quantile(0.75, interpolation="linear") - value.quantile(0.25, interpolation="linear")
    fences = (
        long.group_by("metric")
        .agg(pl.len().alias("_agents"), value.median().alias("median"), iqr.alias("_iqr"))
        .filter(pl.col("_agents") >= 4)
        .with_columns(
            (pl.col("median") - k * pl.col("_iqr")).alias("low"),
            (pl.col("median") + k * pl.col("_iqr")).alias("high"),
        )
    )
    higher_is_better = pl.col("metric").replace_strict(BETTER, return_dtype=pl.String) == "higher"
    above = pl.col("value") > pl.col("high")
    distance = (pl.col("value") - pl.col("median")).abs()
    return (
        long.join(fences, on="metric")
        .filter((pl.col("value") < pl.col("low")) | above)
        .with_columns(
            pl.when(above == higher_is_better)
            .then(pl.lit("better"))
            .otherwise(pl.lit("worse"))
            .alias("direction"),
            # IQR 0: every value off the median is an outlier; rank those by raw distance.
            pl.when(pl.col("_iqr") > 0).then(distance / pl.col("_iqr")).otherwise(distance).alias("_score"),
        )
        .sort(["direction", "_score", "metric", "agent"], descending=[True, True, False, False])
        .select(list(schema))
    )


def workload(frames: store.Frames, every: str, top: int = 8) -> pl.DataFrame | None:
    """Tickets per period for the `top` busiest agents and one OTHER series for the rest.

    Long form (period, agent, tickets), every series on every period with tickets (0
    where an agent had none), series in order of volume and OTHER last. The unassigned
    tickets (agent None) compete for a top place like any agent. None without `agent`.
    """
    if not _has_agent(frames):
        return None
    schema = {"period": pl.Date, "agent": pl.String, "tickets": pl.Int64}
    if isinstance(frames.tickets, pl.DataFrame) and frames.tickets.is_empty():  # a lake's lazy rows: no check
        return pl.DataFrame(schema=schema)
    totals = evaluate_by(frames, ("tickets",), by="agent").sort(
        ["tickets", "agent"], descending=[True, False], nulls_last=True
    )
    leaders = totals.head(top).with_row_index("_rank")
    per_period = evaluate_by(frames, ("tickets",), by="agent", every=every)
    ranked = per_period.join(
        leaders.select("agent", "_rank"), on="agent", how="left", nulls_equal=True
    ).select(
        "period",
        pl.when(pl.col("_rank").is_null()).then(pl.lit(OTHER)).otherwise(pl.col("agent")).alias("agent"),
        pl.col("_rank").fill_null(top),
        pl.col("tickets").cast(pl.Int64),
    )
    series = ranked.select("agent", "_rank").unique()
    grid = ranked.select("period").unique().join(series, how="cross")
    summed = ranked.group_by("period", "agent", "_rank").agg(pl.col("tickets").sum())
    return (
        grid.join(summed, on=["period", "agent", "_rank"], how="left", nulls_equal=True)
        .with_columns(pl.col("tickets").fill_null(0))
        .sort("period", "_rank")
        .select(list(schema))
    )


def ranking(table: pl.DataFrame, metric: str) -> pl.DataFrame:
    """The agents best first on `metric` (by its good direction; volumes largest first), no value last."""
    lower_first = BETTER.get(metric) == "lower"
    return table.sort([metric, "agent"], descending=[not lower_first, False], nulls_last=True)


def metric_value(metric: str, value: float | None, lang: str) -> str:
    """A metric as people read it: a KPI formatted by its unit, throughput with one decimal."""
    if metric in BY_KEY:
        return formatting.value(BY_KEY[metric], value, lang)
    return "—" if value is None else f"{value:,.1f}"


def outlier_lines(found: pl.DataFrame, lang: str) -> list[str]:
    """`outliers` in plain words, one line per person and direction, worst first.

    E.g. "李强: clearly worse than the team on CSAT 22.2 (median 79.6), reopen rate 20.3 % (4.9 %)".
    """
    lines = []
    for (agent, direction), rows in found.group_by(["agent", "direction"], maintain_order=True):
        parts = [
            t(
                "team.outlier_metric",
                lang,
                metric=tables.header(row["metric"], lang).replace(" (%)", ""),
                value=metric_value(row["metric"], row["value"], lang),
                median=metric_value(row["metric"], row["median"], lang),
            )
            for row in rows.iter_rows(named=True)
        ]
        sep = "；" if lang == "zh" else "; "
        lines.append(
            t(f"team.outlier_{direction}", lang, agent=formatting.literal(agent), metrics=sep.join(parts))
        )
    return lines
