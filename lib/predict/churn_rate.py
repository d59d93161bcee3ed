"""The monthly churn rate (churned ÷ customers active at the month start) and its forecast, bounded in [0, 1]."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import numpy as np
import polars as pl

from lib.engine import kpis, shared, store
from lib.predict import churn_features, forecast_backtest, forecast_models

MIN_RATE_MONTHS = 12  # fewer months: no rate forecast
RATE_FLOOR = 1e-4  # a month with no churner is forecast as 0.01 % (−log 0 is infinite)


def _month(day: date) -> date:
    return date(day.year, day.month, 1)


def monthly_rate(con: duckdb.DuckDBPyConnection, scope: store.Scope | None = None) -> pl.DataFrame:
    """Churned customers ÷ customers active at the month start, per whole month (SPEC §2).

    Each month is one call of the KPI engine's `churn_rate` on a one-month scope, so the
    two can never disagree. Months run from the first ticket (or churn) to the last whole
    month of data, inside `scope`'s dates; of its filters only region applies to customers.

    Returns
    -------
    pl.DataFrame
        ``month`` (Date), ``customers``, ``churned`` (Int64), ``churn_rate`` (Float64).
    """
    scope = scope or store.Scope()
    schema = {"month": pl.Date, "customers": pl.Int64, "churned": pl.Int64, "churn_rate": pl.Float64}
    loaded = store.tables(con)
    if "customers" not in loaded or "churned_at" not in store.columns(con, "customers"):
        return pl.DataFrame(schema=schema)
    first, last = _span(con)
    if first is None:
        return pl.DataFrame(schema=schema)
    start = max(_month(first), _month(scope.start) if scope.start else date.min)
    if scope.start and scope.start.day != 1:
        start = churn_features.next_month(start)  # only whole months inside the scope
    stop = min(
        _month(last + timedelta(days=1)), churn_features.next_month(scope.end) if scope.end else date.max
    )
    if scope.end and (scope.end + timedelta(days=1)).day != 1:
        stop = _month(scope.end)
    rows, month = [], start
    while month < stop:
        end = churn_features.next_month(month) - timedelta(days=1)
        frames = store.scoped(con, store.Scope(month, end, scope.filters), read=("customers",))
        customers = frames.customers
        churned = int(customers["churned_in_scope"].sum())
        rate = kpis.evaluate(frames, ("churn_rate",))["churn_rate"]
        rows.append({"month": month, "customers": customers.height, "churned": churned, "churn_rate": rate})
        month = churn_features.next_month(month)
    return pl.DataFrame(rows, schema=schema)


def _span(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    """First and last day with data: tickets if loaded, else churn dates."""
    bounds = store.date_bounds(con)
    if bounds:
        return bounds
    low, high = con.cursor().execute("SELECT min(churned_at), max(churned_at) FROM customers").fetchall()[0]
    return (low.date(), high.date()) if low else (None, None)


@dataclass(frozen=True)
class RateForecast:
    """The churn-rate forecast with its back-test (rates in [0, 1], months as `ds`).

    `reasons`: "no_data", "short_history" (fewer than MIN_RATE_MONTHS months; no forecast).
    `accuracy` is the chosen model's back-test on the rate scale; its naive baseline is
    "same as last month" (MASE < 1: better than that).
    """

    enough: bool
    reasons: tuple[str, ...]
    horizon: int  # months
    interval: float
    history: pl.DataFrame  # ds, y (the rate)
    prediction: pl.DataFrame | None = None  # ds, yhat, lower, upper in [0, 1]
    model: str | None = None
    backtest: forecast_backtest.Backtest | None = None  # on the −log(rate) scale the models were fitted on
    accuracy: forecast_backtest.Accuracy | None = None


# Rate forecasts shared by the sessions of a server process, per monthly rate (its content) and choices.
_SHARED = shared.Shared("churn_rate", size=8)
_CODE = shared.code_version(__file__, forecast_backtest.__file__, forecast_models.__file__)


def shared_rate_forecast(rate: pl.DataFrame, horizon_months: int = 6, interval: float = 0.8) -> RateForecast:
    """`rate_forecast`, computed once per process for the same monthly rates and shared by every session."""
    key = ("churn_rate", shared.fingerprint(rate), horizon_months, interval, _CODE)
    return _SHARED.get(key, lambda: rate_forecast(rate, horizon_months, interval))


def rate_forecast(rate: pl.DataFrame, horizon_months: int = 6, interval: float = 0.8) -> RateForecast:
    """Forecast `monthly_rate`'s ``churn_rate`` `horizon_months` ahead, bounded in [0, 1].

    The models forecast y = −ln(rate): the forecast module clips at 0, which here means
    rate ≤ 1, and exp(−y) > 0, so every forecast and bound is a valid rate; a ratio
    trend also suits rates. Months are fitted as the forecast module's weekly rows, so its
    naive baseline is last month, without weekly or yearly seasonality (two years of
    monthly rates cannot identify a yearly curve), back-test cut-offs 4 months apart.
    """
    history = rate.select(pl.col("month").alias("ds"), pl.col("churn_rate").alias("y")).drop_nulls()
    base = RateForecast(False, (), horizon_months, interval, history)
    if not history.height:
        return RateForecast(False, ("no_data",), horizon_months, interval, history)
    if history.height < MIN_RATE_MONTHS:
        return RateForecast(False, ("short_history",), horizon_months, interval, history)
    # Stand-in Mondays, one per month: the forecast module steps weekly rows by 7 days.
    stand_in = [date(2001, 1, 1) + timedelta(weeks=i) for i in range(history.height + horizon_months)]
    months = [history["ds"][0]]
    for _ in range(history.height + horizon_months - 1):
        months.append(churn_features.next_month(months[-1]))
    to_month = pl.DataFrame({"ds": stand_in, "month": months}, schema={"ds": pl.Date, "month": pl.Date})
    series = pl.DataFrame(
        {"ds": stand_in[: history.height], "y": -np.log(np.clip(history["y"].to_numpy(), RATE_FLOOR, 1.0))},
        schema={"ds": pl.Date, "y": pl.Float64},
    )
    candidates = (forecast_models.NAIVE, forecast_models.PROPHET, forecast_models.PROPHET_FLEXIBLE)
    tested = forecast_backtest.backtest(series, horizon_months, 4, candidates, every="1w", interval=interval)
    chosen = (
        next(c for c in candidates if c.name == tested.winner) if tested.winner else forecast_models.NAIVE
    )
    predicted, _ = forecast_models.predict(chosen, series, horizon_months, "1w", interval, None)

    def as_rate(frame: pl.DataFrame) -> pl.DataFrame:
        # Higher y is a lower rate: the bounds swap.
        return frame.join(to_month, on="ds").select(
            pl.col("month").alias("ds"),
            (-pl.col("yhat")).exp().alias("yhat"),
            (-pl.col("upper")).exp().alias("lower"),
            (-pl.col("lower")).exp().alias("upper"),
        )

    return RateForecast(
        True,
        base.reasons,
        horizon_months,
        interval,
        history,
        prediction=as_rate(predicted),
        model=chosen.name,
        backtest=tested,
        accuracy=_rate_accuracy(tested, chosen.name),
    )


def _rate_accuracy(tested: forecast_backtest.Backtest, model: str) -> forecast_backtest.Accuracy | None:
    """The back-test of `model` rescored on the rate scale (coverage is the same on either)."""
    if not tested.cutoffs:
        return None
    rates = tested.predictions.with_columns(  # higher −log(rate) is a lower rate: the bounds swap
        (-pl.col("y")).exp(),
        (-pl.col("yhat")).exp(),
        (-pl.col("upper")).exp().alias("lower"),
        (-pl.col("lower")).exp().alias("upper"),
    )
    per_cutoff = []
    for cutoff in tested.cutoffs:
        rows = rates.filter(pl.col("cutoff") == cutoff)
        chosen, naive = (
            rows.filter(pl.col("model") == model),
            rows.filter(pl.col("model") == forecast_models.NAIVE.name),
        )
        mae = float((chosen["yhat"] - chosen["y"]).abs().mean())
        naive_mae = float((naive["yhat"] - naive["y"]).abs().mean())
        positive = chosen.filter(pl.col("y") > 0)
        per_cutoff.append(
            {
                "mae": mae,
                "naive_mae": naive_mae,
                "mase": mae / naive_mae if naive_mae else None,
                "mape": float(((positive["yhat"] - positive["y"]).abs() / positive["y"]).mean())
                if positive.height
                else None,
                "skipped": chosen.height - positive.height,
                "coverage": float(chosen.select(pl.col("y").is_between("lower", "upper").mean()).item()),
            }
        )
    frame = pl.DataFrame(per_cutoff)
    return forecast_backtest.Accuracy(
        model=model,
        cutoffs=frame.height,
        horizon=tested.horizon,
        mae=frame["mae"].mean(),
        mape=frame["mape"].mean(),
        mape_days_skipped=int(frame["skipped"].sum()),
        naive_mae=frame["naive_mae"].mean(),
        mase=frame["mase"].mean(),
        coverage=frame["coverage"].mean(),
    )
