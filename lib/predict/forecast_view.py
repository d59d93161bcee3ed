"""What the Forecast page and `python -m lib forecast` show: the fit for a scope, its table and its accuracy in words."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from lib.engine import service_calendar
from lib.i18n import t
from lib.predict import forecast, forecast_models

TOTAL_NAME = "total"  # the segment column's value for the whole series in downloads


def calendar(series: pl.DataFrame, horizon: int, country: str, events: pl.DataFrame | None) -> pl.DataFrame:
    """Holidays (and company events) over the history and the horizon, in Prophet's format."""
    start, end = series["ds"].min(), series["ds"].max() + timedelta(days=horizon + 7)
    return service_calendar.holidays(
        start, end, country, events if events is not None and events.height else None
    )


def estimated_years(series: pl.DataFrame, horizon: int, country: str) -> list[int]:
    """Years of the history or horizon whose holidays are estimated, not published (for a warning)."""
    start, end = series["ds"].min(), series["ds"].max() + timedelta(days=horizon)
    official = "chinese_calendar" if country == "CN" else "holidays"
    return [
        year for year, source in service_calendar.coverage(start, end, country).items() if source != official
    ]


def fit(
    series: pl.DataFrame, horizon: int, interval: float, holidays: pl.DataFrame, every: str, split: str | None
) -> dict[str | None, forecast.Forecast]:
    """The total's forecast (key TOTAL) and, with a split, each segment's, reconciled to the total."""
    if split:
        return forecast.forecast_by(series, horizon, interval, holidays, every)
    return {forecast.TOTAL: forecast.forecast(series, horizon, interval, holidays, every)}


def segment_name(segment: str | None, lang: str) -> str:
    if segment == forecast.TOTAL:
        return t("forecast.total", lang)
    if segment == forecast.OTHER:
        return t("team.other", lang)
    return segment if segment is not None else t("drill.empty_value", lang)


def forecast_table(result: dict[str | None, forecast.Forecast]) -> pl.DataFrame:
    """Every prediction as one table: date, segment ("total" for the whole), yhat, lower, upper, model.

    The CSV the page offers and the CLI writes.
    """
    parts = []
    for segment, item in result.items():
        if item.prediction is None:
            continue
        name = TOTAL_NAME if segment == forecast.TOTAL else (segment if segment is not None else "")
        parts.append(
            item.prediction.select(
                pl.col("ds").cast(pl.Date).alias("date"),
                pl.lit(name, dtype=pl.String).alias("segment"),
                *[pl.col(c).round(2) for c in ("yhat", "lower", "upper")],
                pl.lit(item.model, dtype=pl.String).alias("model"),
            )
        )
    schema = {
        "date": pl.Date,
        "segment": pl.String,
        "yhat": pl.Float64,
        "lower": pl.Float64,
        "upper": pl.Float64,
        "model": pl.String,
    }
    return pl.concat(parts) if parts else pl.DataFrame(schema=schema)


def shown_table(result: dict[str | None, forecast.Forecast], lang: str) -> pl.DataFrame:
    """`forecast_table` as the page shows it: segments and models named in `lang`."""
    names = {TOTAL_NAME: t("forecast.total", lang), forecast.OTHER: t("team.other", lang)}
    models = {c.name: t(f"forecast.model_{c.name}", lang) for c in forecast_models.CANDIDATES}
    return forecast_table(result).select(
        "date",
        pl.col("segment").replace(names).alias("series"),
        "yhat",
        "lower",
        "upper",
        pl.col("model").replace(models),
    )


def component_view(name: str, frame: pl.DataFrame, lang: str) -> tuple[pl.DataFrame, str | None]:
    """A component as a person reads it: the weekly effect per weekday, the yearly one over the last year.

    Returns the frame (``period``, ``value``) and its time unit (None: text periods in order).
    """
    if name == "weekly":
        by_day = (
            frame.group_by(pl.col("ds").dt.weekday().alias("day")).agg(pl.col("value").mean()).sort("day")
        )
        return by_day.select(
            pl.col("day").replace_strict({d: t(f"weekday.{d}", lang) for d in range(1, 8)}).alias("period"),
            "value",
        ), None
    if name == "yearly":
        last = frame["ds"].max()
        return frame.filter(pl.col("ds") > last - timedelta(days=365)).rename({"ds": "period"}), "day"
    return frame.rename({"ds": "period"}), "day"


def backtest_table(item: forecast.Forecast, lang: str) -> pl.DataFrame:
    """Each candidate's back-test, per cut-off, with the model named as people read it."""
    if item.backtest is None:
        return pl.DataFrame()
    return item.backtest.scores.with_columns(
        pl.col("model").replace_strict(
            {c.name: t(f"forecast.model_{c.name}", lang) for c in forecast_models.CANDIDATES},
            default=pl.col("model"),
        )
    )


def accuracy_sentence(item: forecast.Forecast, lang: str, short: bool = False) -> str:
    """How well this forecast would have done, in plain words, against "same weekday last week"."""
    accuracy = item.accuracy
    if accuracy is None or accuracy.mase is None:
        return t("forecast.untested", lang)
    weekly = item.every == "1w"
    per = t("forecast.per_week" if weekly else "forecast.per_day", lang)
    naive_won = accuracy.model == forecast_models.NAIVE.name
    if naive_won:
        best = _best_prophet_mase(item)
        gain = None if best is None else 1 - best
    else:
        gain = 1 - accuracy.mase
    comparison = (
        ""
        if gain is None
        else t(
            "forecast.better_than_naive" if gain > 0 else "forecast.worse_than_naive",
            lang,
            share=f"{abs(gain):.0%}",
        )
    )
    if short:
        key = "forecast.accuracy_short_naive" if naive_won else "forecast.accuracy_short"
        return t(key, lang, mae=f"{accuracy.mae:,.1f}", per=per, comparison=comparison)
    words = t(
        "forecast.accuracy_naive" if naive_won else "forecast.accuracy",
        lang,
        cutoffs=accuracy.cutoffs,
        horizon=accuracy.horizon,
        unit=t("forecast.unit_week" if weekly else "forecast.unit_day", lang),
        model=t(f"forecast.model_{accuracy.model}", lang),
        mae=f"{accuracy.mae:,.1f}",
        per=per,
        mape=f"{accuracy.mape:.0%}" if accuracy.mape is not None else "—",
        comparison=comparison,
        prophet=t("forecast.prophet_lost", lang, comparison=comparison) if naive_won and comparison else "",
        coverage=f"{accuracy.coverage:.0%}",
        interval=f"{item.interval:.0%}",
    )
    return words


def _best_prophet_mase(item: forecast.Forecast) -> float | None:
    """The best Prophet setting's MASE in the back-test (what the baseline beat)."""
    if item.backtest is None:
        return None
    prophets = item.backtest.summary.filter(pl.col("model") != forecast_models.NAIVE.name).drop_nulls("mase")
    return float(prophets["mase"].min()) if prophets.height else None
