"""What the lake pages ask Spark beyond the KPI summary: each page's rows as lazy Spark frames, the
Overview's volume and top categories and its alert explanations, the Forecast's daily counts, Explore's
questions. Every answer is a row per group (docs/scaling.md); `lib.lake` reads and scopes the tables.
"""

from __future__ import annotations

import narwhals as nw

from lib.engine import kpis
from lib.engine.store import Frames, Scope
from lib.errors import InputError
from lib.lake import Tables, dimension_condition, evaluate_by, evaluate_per_period, hours_between, scoped
from lib.schema import DIMENSIONS


def volume(tables: Tables, scope: Scope, every: str):
    """Tickets per period in scope (`overview.volume`)."""
    import polars as pl

    by_period = evaluate_per_period(tables, scope, kpis.Settings(), every, ("tickets",))
    return by_period.select("period", pl.col("tickets").cast(pl.Int64))


def top_categories(tables: Tables, scope: Scope):
    """The most frequent problem categories in scope (`overview.top_categories`), or None without a category."""
    from lib.analysis import overview

    if "category" not in tables.tickets.columns:
        return None
    return overview.ranked_categories(
        evaluate_by(tables, scope, kpis.Settings(), by="category", keys=("tickets",))
    )


def team_frames(tables: Tables, scope: Scope) -> Frames:
    """The Team page's rows as lazy Spark frames (`team.frames` locally): `team.table` runs its one
    `evaluate_by(by="agent")` on them, and only a row per agent comes back.

    An answer matching no ticket has no agent: it is left out here (`team.table` does it with Polars
    locally), and the column that told it goes, so `team.table` has nothing to filter.
    """
    from pyspark.sql import functions as F

    frames = scoped(tables, scope)
    if frames.surveys is None:
        return frames
    native = frames.surveys.to_native()
    if "ticket_created_at" in native.columns:
        native = native.where(F.col("ticket_created_at").isNotNull()).drop("ticket_created_at")
    return Frames(
        frames.tickets,
        nw.from_native(native),
        frames.customers,
        frames.history,
        scope=scope,
        history_by_period=False,
    )


def daily_counts(tables: Tables, scope: Scope, by: str | None = None, top: int = 5):
    """`forecast.daily_counts` on the lake: tickets per day (and `by`) counted in Spark — a row per day and
    segment comes back — then zero-filled and folded into the top segments locally, as today."""
    from lib.predict import forecast

    if by and by not in tables.tickets.columns:
        raise ValueError(f"the tickets have no column {by}")
    frames = scoped(tables, scope)
    per_day = kpis.evaluate_by(frames, ("tickets",), by=by, every="1d")
    return forecast.series_from_counts(per_day, by, top)


def efficiency_frames(tables: Tables, scope: Scope) -> Frames:
    """The Efficiency page's rows as lazy Spark frames (`efficiency.frames` locally): the tickets in scope and,
    for the backlog per day, every ticket open at some moment of the range (`store._history`, by period)."""
    from pyspark.sql import functions as F

    frames, t = scoped(tables, scope), tables.tickets
    history = frames.history
    if "resolved_at" in t.columns:
        end, start = scope.end_exclusive, scope.start_at
        keep = ["created_at", "resolved_at", *[c for c in DIMENSIONS if c in t.columns]]
        condition = dimension_condition(scope, t.columns) & (
            F.col("created_at") < F.lit(end) if end else F.lit(True)
        )
        if start:
            condition &= F.col("resolved_at").isNull() | (
                F.greatest("created_at", "resolved_at") >= F.lit(start)
            )
        still_open = F.col("resolved_at").isNull() | (
            F.col("resolved_at") >= F.lit(end) if end else F.lit(False)
        )
        history = nw.from_native(t.where(condition).select(*keep, still_open.alias("open_at_end")))
    return Frames(frames.tickets, None, None, history, scope=scope, history_by_period=True)


def satisfaction_frames(tables: Tables, scope: Scope) -> Frames:
    """The Satisfaction page's rows as lazy Spark frames (`satisfaction.frames` locally): answers with their
    ticket's facts and its resolution hours (`satisfaction.TICKET_HOURS`), the tickets for the response rate."""
    from lib.analysis.satisfaction import TICKET_HOURS

    frames = scoped(tables, scope)
    surveys = frames.surveys
    name, sources = TICKET_HOURS
    if surveys is not None and set(sources) <= set(surveys.columns):
        surveys = nw.from_native(surveys.to_native().withColumn(name, hours_between(*sources)))
    return Frames(frames.tickets, surveys, None, None, scope=scope, history_by_period=False)


def explain_alerts(
    tables: Tables, scope: Scope, summary, settings: kpis.Settings, keys: tuple[str, ...]
) -> list:
    """Why each KPI in `keys` moved between `summary`'s periods (`alerts.explain_alerts` locally), from a
    few grouped queries per KPI in Spark (`lib.analysis.alerts_lazy`); `summary` is `summarise`'s answer."""
    from lib.analysis import alerts_lazy

    comparison = summary.comparison
    previous = scoped(tables, comparison.period) if comparison is not None and comparison.covered else None
    spark = tables.tickets.sparkSession
    # Not `persist()`ed between the four queries: Spark shares a cached plan with every query of the same
    # plan, and these run on a background thread (engines.Lake.explain_alerts_soon) while pages query the
    # same scopes; unpersisting then removed blocks under another thread's job ("Block rdd_… does not exist").
    engine = alerts_lazy.Engine(small=lambda frame: nw.from_native(spark.createDataFrame(frame.to_arrow())))
    values = (summary.current, summary.previous)
    return alerts_lazy.explain_frames(scoped(tables, scope), previous, settings, keys, engine, values)


def explore(tables: Tables, scope: Scope, question, settings: kpis.Settings):
    """`explore.ask` on the lake: the question's scope read by Spark, folded and evaluated there (a row per
    group back). Backlog per period needs every period's open tickets, which the lake does not scope yet."""
    from lib.analysis import explore as asked

    settings = settings or kpis.Settings()
    asked.check(question, settings)
    if question.grain and any(kpis.kpi_of(k, settings).table == "history" for k in question.kpis):
        raise InputError("lake.backlog_per_period")
    frames = scoped(tables, asked.narrowed(scope, question))
    return asked.answer(frames, question, settings, asked.counted_by(question, settings))
