"""Ticket-volume forecasts: daily counts, the back-test's winner forecast ahead with anomalies, split forecasts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import duckdb
import numpy as np
import polars as pl

from lib.engine import kpis, store
from lib.predict import forecast_backtest, forecast_blend, forecast_models

OTHER = "__other__"  # the segments outside the top N, folded together
TOTAL = "__total__"  # forecast_by's key for the sum of all segments
MIN_HISTORY_DAYS = 56  # fewer than 8 weeks: no forecast (the page says what is missing)
IDLE_DAYS = 28  # a stretch this long without a ticket: the system was not in use, history starts after
# Two-sided, so ~1 ordinary day in 1000 is flagged by chance. At 0.99 Olist's 19 months gave 20 days
# (Christmas lows among them); at 0.999, 5: Black Friday 2017 and its weekend, and two mid-May days.
ANOMALY_LEVEL = 0.999
# Segments of a split forecast only share out the total: a shorter contest keeps the page quick.
SEGMENT_CANDIDATES = (forecast_models.NAIVE, forecast_models.PROPHET)
SEGMENT_CUTOFFS = 2
# Back-test origins two weeks apart, as many as fit up to this: 8 windows of 28 days cover the last 18 weeks.
# A week apart (same cost) they covered only the last 11 weeks: on Olist at 2018-01-05 those held Black
# Friday and Christmas, the blend fell back to naive just before naive's worst month (MAE ratio 0.83; two
# weeks apart 0.53; benchmarks/results/forecast.md).
CUTOFFS = 8
CUTOFF_STEP_DAYS = 14
# Fits use at most the last three years (issue 20b). Three years show each season three times, and every
# back-test cut-off (the earliest 18 weeks + the horizon before the end) still leaves the two years Prophet
# needs for its full yearly term (YEARLY_FULL_DAYS), so the model tested and fitted is the same as on a longer
# history. Older years cost time (each Prophet fit grows with the rows: 8 years took ~50 s) and mostly
# describe a business that has since changed. Decided before measuring; benchmarks/results/forecast.md.
FIT_WINDOW_DAYS = 3 * 365 + 1
# After the first half of the back-test's origins, a Prophet setting worse than seasonal naive in each of them is
# not fitted again (forecast_backtest._survivors): fewer fits for nearly the same blend.
RACE_CUTOFFS = CUTOFFS // 2
# Below this much history no candidate fits a yearly curve: none has seen the season ahead, and a forecast that
# strays from naive further than anywhere in the back-test falls back to naive (forecast_blend.beyond_backtest).
SEASON_SEEN_DAYS = forecast_models.PROPHET_YEARLY.yearly_from_days
BLEND = "blend"  # Forecast.model when more than one candidate has a share


@dataclass(frozen=True)
class Forecast:
    """A forecast with what the page shows beside it.

    `reasons` are codes for the page to explain: "no_data", "short_history" (then
    `enough` is False and there is no prediction; MIN_HISTORY_DAYS are needed),
    "idle_start" (history starts after IDLE_DAYS without a ticket; `history` is what was
    used), "long_history" (only the last FIT_WINDOW_DAYS were fitted), "no_backtest" (no cut-off fits, so the simplest candidate is used untested),
    "few_cutoffs" (fewer than asked), "beyond_backtest" (under a year of history, the models strayed from
    seasonal naive further than in any back-test window: seasonal naive alone is used).
    """

    enough: bool
    reasons: tuple[str, ...]
    every: forecast_models.Every
    horizon: int  # periods of `every`
    interval: float
    history: pl.DataFrame  # ds, y
    prediction: pl.DataFrame | None = None  # ds, yhat, lower, upper (≥ 0)
    model: str | None = None
    backtest: forecast_backtest.Backtest | None = None
    accuracy: forecast_backtest.Accuracy | None = None
    # trend / weekly / yearly / holidays -> ds, value in tickets (history and horizon), when Prophet won
    components: dict[str, pl.DataFrame] = field(default_factory=dict)
    anomalies: pl.DataFrame | None = None  # ds, y, expected, lower, upper
    blend: forecast_blend.Blend | None = None  # the candidates' shares and the interval's back-test


# --- data -------------------------------------------------------------------------------


def daily_counts(
    con: duckdb.DuckDBPyConnection, scope: store.Scope, by: str | None = None, top: int = 5
) -> pl.DataFrame:
    """Tickets created per day in `scope`, zero-filled, optionally per value of dimension `by`.

    Days run from the first to the last day with a ticket in the scope (a range
    reaching past the data would otherwise add days that look like zero tickets).
    With `by`, the `top` values by volume keep their own series and the rest become
    OTHER. Empty values (null) count as a value of their own, as in the KPI engine's
    breakdowns: their own series if among the top, else part of OTHER.

    Returns
    -------
    pl.DataFrame
        ``ds`` (Date), ``segment`` (String, only with `by`; largest first), ``y`` (Float64).
    """
    schema = {"ds": pl.Date, **({"segment": pl.String} if by else {}), "y": pl.Float64}
    # The count per day reads only the creation time (and `by`): a fraction of the KPI columns.
    frames = store.scoped(
        con, scope, ticket_columns={"created_at", *([by] if by else [])}, by_period=False, read=("tickets",)
    )
    if frames.tickets is None or not frames.tickets.height:
        return pl.DataFrame(schema=schema)
    if by and by not in frames.tickets.columns:
        raise ValueError(f"the tickets have no column {by}")
    return series_from_counts(kpis.evaluate_by(frames, ("tickets",), by=by, every="1d"), by, top)


def series_from_counts(per_day: pl.DataFrame, by: str | None = None, top: int = 5) -> pl.DataFrame:
    """`daily_counts` from tickets per day (and `by`), as `kpis.evaluate_by(..., every="1d")` gives them on
    any engine (the lake aggregates in Spark): zero-filled days, the top segments and OTHER.
    """
    schema = {"ds": pl.Date, **({"segment": pl.String} if by else {}), "y": pl.Float64}
    if per_day.is_empty():
        return pl.DataFrame(schema=schema)
    counts = per_day.rename({"period": "ds", "tickets": "y"})
    days = pl.DataFrame({"ds": pl.date_range(counts["ds"].min(), counts["ds"].max(), "1d", eager=True)})
    if not by:
        return days.join(counts, on="ds", how="left").select("ds", pl.col("y").fill_null(0).cast(pl.Float64))
    counts = counts.with_columns(pl.col(by).cast(pl.String).alias("segment"))
    volume = counts.group_by("segment").agg(pl.col("y").sum())
    volume = volume.sort(["y", "segment"], descending=[True, False], nulls_last=True)
    kept = volume["segment"].head(top).to_list() if volume.height > top else volume["segment"].to_list()
    folded = (
        pl.when(pl.col("segment").is_in(kept, nulls_equal=True))
        .then(pl.col("segment"))
        .otherwise(pl.lit(OTHER))
    )
    counts = counts.with_columns(folded.alias("segment")).group_by("ds", "segment").agg(pl.col("y").sum())
    names = kept + ([OTHER] if volume.height > top else [])
    order = pl.DataFrame({"segment": names}, schema={"segment": pl.String}).with_row_index("_rank")
    grid = order.join(days, how="cross")
    return (
        grid.join(counts, on=["segment", "ds"], how="left", nulls_equal=True)
        .sort("_rank", "ds")
        .select("ds", "segment", pl.col("y").fill_null(0).cast(pl.Float64))
    )


def to_weeks(series: pl.DataFrame) -> pl.DataFrame:
    """Daily rows summed to weeks starting on Monday (`ds` = the Monday), per `segment` if present.

    Incomplete first and last weeks are dropped: a week with three days of data
    would look like a drop in volume.
    """
    keys = ["segment"] if "segment" in series.columns else []
    weeks = series.group_by([*keys, pl.col("ds").dt.truncate("1w")], maintain_order=True).agg(
        pl.col("y").sum(), pl.len().alias("_days")
    )
    return weeks.filter(pl.col("_days") == 7).drop("_days").sort([*keys, "ds"], maintain_order=True)


# --- forecast ---------------------------------------------------------------------------


def forecast(
    series: pl.DataFrame,
    horizon: int = 28,
    interval: float = 0.8,
    holidays: pl.DataFrame | None = None,
    every: forecast_models.Every = "1d",
    candidates: Sequence[forecast_models.Candidate] = forecast_models.CANDIDATES,
    cutoffs: int = CUTOFFS,
) -> Forecast:
    """Forecast a daily series `horizon` days ahead with a blend of the candidates (`forecast_blend`).

    Parameters
    ----------
    series : daily ``ds``, ``y`` without gaps (`daily_counts`).
    horizon : days ahead; weekly forecasts cover ceil(horizon / 7) whole weeks.
    interval : width of the prediction interval (0.8 or 0.95).
    holidays : Prophet-style table (holiday, ds, lower_window, upper_window), covering
        the history and the horizon; for weekly forecasts a holiday marks its week.
    every : "1d", or "1w" to sum to Monday weeks first (incomplete end weeks dropped);
        weekly seasonal naive repeats last week, i.e. the sum of the daily baseline.

    Only the last FIT_WINDOW_DAYS (three years) are fitted and returned as `history`: a longer series
    gets the forecast of its last three years.

    The back-test runs from up to `cutoffs` origins CUTOFF_STEP_DAYS apart; each candidate's share is
    its accuracy there, shrunk toward seasonal naive when the gain is not convincing, and the
    interval comes from the blend's back-test errors (widened until it covers). `model` is
    BLEND when more than one candidate has a share, else that candidate's name.

    Anomalies and components come from the in-sample fit of the Prophet candidate with the
    largest share. Seasonal naive has no fit of its own (it would echo a spike a week later),
    so without a Prophet share the first Prophet candidate is fitted for them.
    """
    daily = series.select(pl.col("ds").cast(pl.Date), pl.col("y").cast(pl.Float64)).sort("ds")
    used = _active(daily)
    active = used.tail(FIT_WINDOW_DAYS)
    history = to_weeks(active) if every == "1w" else active
    steps = math.ceil(horizon / 7) if every == "1w" else horizon
    reasons = ("idle_start",) if used.height < daily.height else ()
    reasons += ("long_history",) if active.height < used.height else ()
    base = Forecast(
        enough=False, reasons=reasons, every=every, horizon=steps, interval=interval, history=history
    )
    if not daily.height or not daily["y"].sum():
        return replace(base, reasons=("no_data",))
    if active.height < MIN_HISTORY_DAYS or not history.height:
        return replace(base, reasons=(*reasons, "short_history"))
    tested = forecast_backtest.backtest(
        history,
        steps,
        cutoffs,
        candidates,
        every=every,
        interval=interval,
        holidays=holidays,
        step_days=CUTOFF_STEP_DAYS,
        samples=0,
        race=RACE_CUTOFFS,
    )
    if len(tested.cutoffs) < cutoffs:
        reasons += ("few_cutoffs",) if tested.cutoffs else ("no_backtest",)
    step = max(1, CUTOFF_STEP_DAYS // (7 if every == "1w" else 1))
    naive_in = any(c.name == forecast_models.NAIVE.name for c in candidates)
    levels = tuple(sorted({*forecast_blend.LEVELS, interval}))
    mixed = forecast_blend.blend(tested.predictions, every, step, shrink=naive_in, levels=levels)
    by_name = {c.name: c for c in candidates}
    if mixed is None:  # nothing back-tested: the simplest candidate, with its own interval
        chosen = candidates[0]
        prediction, raw = forecast_models.predict(
            chosen, history, steps, every, interval, holidays, in_sample=True
        )
        shares = {chosen.name: 1.0}
    else:
        # Below a year the back-test's evidence holds only as far as it was tested (`beyond_backtest`): every
        # model with an accuracy share is fitted to measure how far they stray from naive.
        guard = (
            naive_in and mixed.kept > 0 and forecast_models.history_days(history, every) < SEASON_SEEN_DAYS
        )
        names = list(dict.fromkeys([*mixed.weights, *(mixed.accuracy_weights if guard else ())]))
        names = [name for name in names if name in mixed.weights or mixed.accuracy_weights.get(name, 0) > 0]

        def fit(candidate: forecast_models.Candidate):
            return lambda: forecast_models.predict(
                candidate, history, steps, every, interval, holidays, in_sample=True, samples=0
            )

        fitted = forecast_models.in_parallel([fit(by_name.get(n, forecast_models.NAIVE)) for n in names])
        ahead = {name: pair[0] for name, pair in zip(names, fitted, strict=True)}
        raws = {name: pair[1] for name, pair in zip(names, fitted, strict=True)}
        if guard and forecast_blend.beyond_backtest(
            forecast_blend.gap({n: f["yhat"].to_numpy() for n, f in ahead.items()}, mixed.accuracy_weights),
            forecast_blend.window_gaps(tested.predictions, mixed.accuracy_weights),
        ):
            mixed = forecast_blend.blend(
                tested.predictions, every, step, shrink=True, levels=levels, keep_at_most=0.0
            )
            reasons += ("beyond_backtest",)
        shares = mixed.weights
        prediction = forecast_blend.forecast(mixed, ahead, interval, forecast_blend.BUCKET[every])
        prophets = [n for n in sorted(shares, key=shares.get, reverse=True) if raws.get(n) is not None]
        chosen = by_name[prophets[0]] if prophets else by_name.get(next(iter(shares)), forecast_models.NAIVE)
        raw = raws[prophets[0]] if prophets else None
    reference = next((c for c in candidates if c.kind == "prophet"), forecast_models.PROPHET)
    if raw is None and mixed is not None and raws.get(reference.name) is not None:
        raw = raws[reference.name]  # fitted for the guard: the same fit as below
    if raw is None:
        _, raw = forecast_models.predict(
            reference, history, steps, every, interval, holidays, in_sample=True, samples=0
        )
    multiplicative = chosen.seasonality_mode == "multiplicative"
    return replace(
        base,
        enough=True,
        reasons=reasons,
        prediction=prediction,
        model=BLEND if len(shares) > 1 else next(iter(shares)),
        backtest=tested,
        accuracy=_accuracy(tested, mixed, interval),
        components=_components(raw, multiplicative) if chosen.kind == "prophet" else {},
        anomalies=anomalies(history, raw.head(history.height).select("ds", "yhat")),
        blend=mixed,
    )


def _accuracy(
    tested: forecast_backtest.Backtest, mixed: forecast_blend.Blend | None, interval: float
) -> forecast_backtest.Accuracy | None:
    """The blend's back-test as the page's accuracy record (a lone candidate's own, with the blend's coverage)."""
    if mixed is None:
        return tested.accuracy()
    if len(mixed.weights) == 1:
        own = tested.accuracy(next(iter(mixed.weights)))
        if own is not None:
            return replace(own, coverage=mixed.coverage[interval])
    return forecast_backtest.Accuracy(
        model=BLEND,
        cutoffs=mixed.windows,
        horizon=tested.horizon,
        mae=mixed.mae,
        mape=None,
        mape_days_skipped=0,
        naive_mae=mixed.naive_mae,
        mase=mixed.ratio,
        coverage=mixed.coverage[interval],
    )


def _active(daily: pl.DataFrame) -> pl.DataFrame:
    """The rows after the last stretch of IDLE_DAYS or more days without a ticket (all rows if none).

    Exports often begin with a trickle of test or migrated tickets and a gap before real
    use; fitted as zeros, that gap bends the trend (Olist: 86 empty days in late 2016).
    """
    runs = daily.with_row_index("_row").with_columns((pl.col("y") != 0).cum_sum().alias("_run"))
    idle = runs.filter(pl.col("y") == 0).group_by("_run").agg(pl.len().alias("_days"), pl.col("_row").max())
    idle = idle.filter(pl.col("_days") >= IDLE_DAYS)
    return daily.slice(int(idle["_row"].max()) + 1) if idle.height else daily


def anomalies(history: pl.DataFrame, fitted: pl.DataFrame, level: float = ANOMALY_LEVEL) -> pl.DataFrame:
    """History rows outside `fitted` (ds, yhat) ± z(level) × spread; ds, y, expected, lower, upper.

    The spread is the residuals' robust one (1.4826 × median absolute deviation), so the
    spikes being looked for do not widen it, but at least √max(expected, 1), a count's own
    Poisson noise: on a sparse series (mostly 0 or 1 a day) the MAD is near 0 and every
    ticket would count as an anomaly.
    """
    both = history.join(fitted, on="ds").rename({"yhat": "expected"})
    residuals = (both["y"] - both["expected"]).to_numpy()
    robust = 1.4826 * float(np.median(np.abs(residuals - np.median(residuals)))) if residuals.size else 0.0
    half = forecast_models.z(level) * pl.max_horizontal(
        pl.lit(robust), pl.col("expected").clip(lower_bound=1).sqrt()
    )
    band = both.with_columns(
        (pl.col("expected") - half).clip(lower_bound=0).alias("lower"),
        (pl.col("expected") + half).alias("upper"),
    )
    return band.filter((pl.col("y") < pl.col("lower")) | (pl.col("y") > pl.col("upper")))


def _components(raw: pl.DataFrame, multiplicative: bool) -> dict[str, pl.DataFrame]:
    """Trend and seasonal/holiday effects in tickets per period (multiplicative factors × trend)."""
    out = {"trend": raw.select("ds", pl.col("trend").alias("value"))}
    for name in ("weekly", "yearly", "holidays"):
        if name in raw.columns:
            value = pl.col(name) * pl.col("trend") if multiplicative else pl.col(name)
            out[name] = raw.select("ds", value.alias("value"))
    return out


# --- split forecasts --------------------------------------------------------------------


def forecast_by(
    frame: pl.DataFrame,
    horizon: int = 28,
    interval: float = 0.8,
    holidays: pl.DataFrame | None = None,
    every: forecast_models.Every = "1d",
    candidates: Sequence[forecast_models.Candidate] = forecast_models.CANDIDATES,
    cutoffs: int = 4,
    segment_candidates: Sequence[forecast_models.Candidate] = SEGMENT_CANDIDATES,
    segment_cutoffs: int = SEGMENT_CUTOFFS,
) -> dict[str | None, Forecast]:
    """A forecast for the total (key TOTAL) and for each segment of `daily_counts(..., by=...)`.

    Each segment is forecast on its own, then `reconcile` scales the segments so that
    they add up to the total's forecast day by day. The total gets every candidate;
    segments, which only split it, a shorter contest (`segment_candidates` on
    `segment_cutoffs` cut-offs): six segments with the total's would take ~17 s.
    """
    total = frame.group_by("ds").agg(pl.col("y").sum()).sort("ds")
    result = {TOTAL: forecast(total, horizon, interval, holidays, every, candidates, cutoffs)}
    for (segment,), rows in frame.partition_by("segment", as_dict=True, maintain_order=True).items():
        result[segment] = forecast(
            rows.select("ds", "y"), horizon, interval, holidays, every, segment_candidates, segment_cutoffs
        )
    return reconcile(result)


def reconcile(forecasts: dict[str | None, Forecast]) -> dict[str | None, Forecast]:
    """Top-down proportional reconciliation: segments rescaled each period to add up to the total.

    The total is forecast directly, as the least noisy series; each period every segment's
    yhat, lower and upper are multiplied by total yhat ÷ the segments' summed yhat. Intervals
    take the same factor (they do not add up, nor should they: segment errors partly cancel
    in the total). Where the segments all forecast 0, the total is split by their shares of
    the last 8 weeks. A segment without a forecast (too little history, e.g. a channel opened
    last month) keeps its recent share out of the split, so the others do not absorb it.
    Back-test figures stay those of each segment's own forecast.
    """
    total = forecasts.get(TOTAL)
    if total is None or total.prediction is None:
        return forecasts
    recent = 56 if total.every == "1d" else 8
    volume = {k: float(f.history["y"].tail(recent).sum()) for k, f in forecasts.items() if k != TOTAL}
    shown = [k for k in volume if forecasts[k].prediction is not None]
    if not shown:
        return forecasts
    shown_volume = sum(volume[k] for k in shown)
    covered = shown_volume / sum(volume.values()) if shown_volume else 1.0
    sums = (
        pl.concat(forecasts[k].prediction.select("ds", "yhat") for k in shown)
        .group_by("ds")
        .agg(pl.col("yhat").sum().alias("_sum"))
    )
    target = total.prediction.join(sums, on="ds", how="left").select(
        "ds",
        pl.when(pl.col("_sum") > 0).then(pl.col("yhat") * covered / pl.col("_sum")).alias("_factor"),
        *[(pl.col(c) * covered).alias(f"_split_{c}") for c in ("yhat", "lower", "upper")],
    )
    out = dict(forecasts)
    for key in shown:
        share = volume[key] / shown_volume if shown_volume else 1 / len(shown)
        scaled = (
            forecasts[key]
            .prediction.join(target, on="ds", how="left")
            .select(
                "ds",
                *[
                    pl.coalesce(pl.col(c) * pl.col("_factor"), pl.col(f"_split_{c}") * share).alias(c)
                    for c in ("yhat", "lower", "upper")
                ],
            )
        )
        out[key] = replace(forecasts[key], prediction=scaled)
    return out
