"""What the Forecast page and `python -m lib forecast` show: the fit for a scope, its table and its accuracy in words.

Below them, what only the page needs: its choices, its charts and the staff plan from its inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import altair as alt
import polars as pl

from lib import charts
from lib.engine import service_calendar, shared
from lib.i18n import t
from lib.predict import (
    forecast,
    forecast_backtest,
    forecast_blend,
    forecast_calendar,
    forecast_models,
    staffing,
)
from lib.schema import DIMENSIONS

TOTAL_NAME = "total"  # the segment column's value for the whole series in downloads
# Context drawn before the forecast, in periods of the fit: half a year on the total's chart,
# a quarter on each segment's.
SHOWN_HISTORY = {"1d": 182, "1w": 26}
SEGMENT_HISTORY = {"1d": 91, "1w": 13}


def calendar(series: pl.DataFrame, horizon: int, country: str, events: pl.DataFrame | None) -> pl.DataFrame:
    """Holidays (and company events) over the history and the horizon, in Prophet's format."""
    start, end = series["ds"].min(), series["ds"].max() + timedelta(days=horizon + 7)
    return service_calendar.holidays(
        start, end, country, events if events is not None and events.height else None
    )


@dataclass(frozen=True)
class Calendar:
    """The holiday calendar a forecast uses: the choice (and why) and its Prophet table with the events."""

    country: str | None
    choice: forecast_calendar.Choice
    table: pl.DataFrame


def choose_calendar(
    series: pl.DataFrame,
    horizon: int,
    setting: str,
    events: pl.DataFrame | None,
    lang: str,
    hints: Sequence[str] = (),
) -> Calendar:
    """The calendar for `setting` ("auto", "none" or a country) over `series` (per segment: their total).

    With "auto" the calendar is chosen from the history's unusual days (`forecast_calendar.choose`),
    the UI language `lang` and the data's `hints` putting their countries first on a tie.
    """
    total = series.group_by("ds").agg(pl.col("y").sum()).sort("ds") if "segment" in series.columns else series
    choice = forecast_calendar.resolve(forecast._active(total.select("ds", "y")), setting, lang, hints)
    return Calendar(choice.country, choice, forecast_calendar.table(series, horizon, choice.country, events))


def calendar_sentence(calendar_: Calendar, lang: str) -> str:
    """Which calendar the forecast used and why, in one sentence."""
    choice = calendar_.choice
    if choice.reason == "set":
        if choice.country is None:
            return t("forecast.calendar_set_none", lang)
        return t("forecast.calendar_set", lang, country=t(f"country.{choice.country}", lang))
    if choice.country is None:
        tried = "、" if lang == "zh" else ", "
        return t("forecast.calendar_none_fits", lang, tried=tried.join(choice.tried), unusual=choice.unusual)
    return t(
        "forecast.calendar_explains",
        lang,
        country=t(f"country.{choice.country}", lang),
        explained=choice.explained,
        holidays=choice.holidays,
        share=forecast_calendar.rate_text(choice.other_share),
    )


def estimated_years(series: pl.DataFrame, horizon: int, country: str | None) -> list[int]:
    """Years of the history or horizon whose holidays are estimated, not published (for a warning)."""
    start, end = series["ds"].min(), series["ds"].max() + timedelta(days=horizon)
    if (
        country is None
        or not forecast_calendar.is_known(country)
        or country
        in (
            forecast_calendar.AUTO,
            forecast_calendar.NONE,
        )
    ):
        return []
    official = "chinese_calendar" if country == "CN" else "holidays"
    return [
        year for year, source in service_calendar.coverage(start, end, country).items() if source != official
    ]


def fit(
    series: pl.DataFrame, horizon: int, interval: float, holidays: pl.DataFrame, every: str, split: str | None
) -> dict[str | None, forecast.Forecast]:
    """The total's forecast (key TOTAL) and, with a split, each segment's, reconciled to the total.

    Computed once per server process for the same series, calendar and choices, and shared by
    every session that asks (the back-test's Prophet fits are most of a page's first open).
    """
    key = ("forecast", shared.fingerprint(series, holidays), horizon, interval, every, split, _CODE)
    return _SHARED.get(key, lambda: _fit(series, horizon, interval, holidays, every, split))


# Forecasts shared by the sessions of a server process (a few kept; each holds a back-test's predictions).
_SHARED = shared.Shared("forecast", size=16)
_CODE = shared.code_version(
    *(Path(m.__file__) for m in (forecast, forecast_models, forecast_backtest, forecast_blend))
)


def _fit(
    series: pl.DataFrame, horizon: int, interval: float, holidays: pl.DataFrame, every: str, split: str | None
) -> dict[str | None, forecast.Forecast]:
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
    models[forecast.BLEND] = t("forecast.model_blend", lang)
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
    """Each candidate's back-test, per cut-off, with the model named as people read it.

    Without the candidates' own interval coverage: the back-test fits Prophet without intervals (the
    blend's come from its errors, and their coverage is in the accuracy sentence).
    """
    if item.backtest is None:
        return pl.DataFrame()
    return item.backtest.scores.drop("coverage").with_columns(
        pl.col("model").replace_strict(
            {c.name: t(f"forecast.model_{c.name}", lang) for c in forecast_models.CANDIDATES},
            default=pl.col("model"),
        )
    )


def accuracy_sentence(item: forecast.Forecast, lang: str, short: bool = False) -> str:
    """How the forecast is made and how well it would have done, in plain words, against "same weekday last week".

    With a blend: which models and their shares, the back-test's error, and the intervals' back-test coverage;
    first, when only the last three years were fitted, that (`forecast.FIT_WINDOW_DAYS`).
    """
    accuracy = item.accuracy
    window = "" if short or "long_history" not in item.reasons else t("forecast.reason_long_history", lang)
    beyond = "beyond_backtest" in item.reasons
    if beyond and not short:
        window = " ".join(part for part in (window, t("forecast.reason_beyond_backtest", lang)) if part)
    if accuracy is None or accuracy.mase is None:
        return " ".join(part for part in (window, t("forecast.untested", lang)) if part)
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
        key = "forecast.accuracy_short_beyond" if beyond and naive_won else key
        return t(key, lang, mae=f"{accuracy.mae:,.1f}", per=per, comparison=comparison)
    unit = t("forecast.unit_week" if weekly else "forecast.unit_day", lang)
    if item.blend is not None and accuracy.model == forecast.BLEND:
        words = t(
            "forecast.accuracy_blend",
            lang,
            cutoffs=accuracy.cutoffs,
            horizon=accuracy.horizon,
            unit=unit,
            mae=f"{accuracy.mae:,.1f}",
            per=per,
            comparison=comparison,
        )
    else:
        words = t(
            "forecast.accuracy_naive" if naive_won else "forecast.accuracy",
            lang,
            cutoffs=accuracy.cutoffs,
            horizon=accuracy.horizon,
            unit=unit,
            model=t(f"forecast.model_{accuracy.model}", lang),
            mae=f"{accuracy.mae:,.1f}",
            per=per,
            mape=f"{accuracy.mape:.0%}" if accuracy.mape is not None else "—",
            comparison=comparison,
            prophet=t("forecast.prophet_lost", lang, comparison=comparison)
            if naive_won and comparison and not beyond
            else "",
            coverage=f"{accuracy.coverage:.0%}",
            interval=f"{item.interval:.0%}",
        )
    if item.blend is None:
        return " ".join(part for part in (window, words) if part)
    mixed = blend_sentence(item, lang) if len(item.blend.weights) > 1 else ""
    return " ".join(part for part in (window, mixed, words, coverage_sentence(item, lang)) if part)


def blend_sentence(item: forecast.Forecast, lang: str) -> str:
    """ "A blend of …, each weighted by how well it did in the last N back-test windows" (and any shrinking)."""
    blend = item.blend
    if blend is None:
        return ""
    comma = "、" if lang == "zh" else ", "
    parts = comma.join(
        f"{t(f'forecast.model_{name}', lang)} {share:.0%}"
        for name, share in sorted(blend.weights.items(), key=lambda pair: -pair[1])
    )
    shrunk = (
        t(
            "forecast.blend_shrunk",
            lang,
            beat=blend.beat_naive,
            windows=blend.windows,
            share=f"{1 - blend.kept:.0%}",
        )
        if blend.kept < 1 and forecast_models.NAIVE.name in blend.weights
        else ""
    )
    return t(
        "forecast.blend",
        lang,
        parts=parts,
        windows=blend.windows,
        shrunk=shrunk,
        step=forecast.CUTOFF_STEP_DAYS,
    )


def coverage_sentence(item: forecast.Forecast, lang: str) -> str:
    """The back-test coverage of the 80% and 95% intervals (each window judged by the others' errors)."""
    blend = item.blend
    if blend is None or not blend.coverage:
        return ""
    widened = any(factor > 1 for factor in blend.widen.values())
    narrowed = not widened and any(factor < 1 for factor in blend.widen.values())
    return t(
        "forecast.coverage",
        lang,
        c80=f"{blend.coverage.get(0.8, float('nan')):.0%}",
        c95=f"{blend.coverage.get(0.95, float('nan')):.0%}",
        widened=t("forecast.widened", lang) if widened else t("forecast.narrowed", lang) if narrowed else "",
    )


def _best_prophet_mase(item: forecast.Forecast) -> float | None:
    """The best Prophet setting's MASE in the back-test (what the baseline beat)."""
    if item.backtest is None:
        return None
    prophets = item.backtest.summary.filter(pl.col("model") != forecast_models.NAIVE.name).drop_nulls("mase")
    return float(prophets["mase"].min()) if prophets.height else None


# --- the page: choices, what it draws and the staff needed -----------------------------------


def split_options(present: Sequence[str]) -> list[str | None]:
    """What the forecast can be split by: None (no split), then the dimensions present except agent.

    Parameters
    ----------
    present : the tickets' columns.

    Returns
    -------
    list
        None first, then dimensions in `DIMENSIONS` order (agents come and go: no forecast per agent).
    """
    return [None, *[d for d in DIMENSIONS if d in present and d != "agent"]]


def every(grain: str) -> str:
    """The fit's period for the grain picked: "1w" for "week", else "1d"."""
    return "1w" if grain == "week" else "1d"


def time_unit(every: str) -> str:
    """The charts' time unit for a fit's period: "week" for "1w", else "day"."""
    return "week" if every == "1w" else "day"


def events_frame(edited: object) -> pl.DataFrame:
    """The company events as the data editor returns them, typed as `service_calendar.EVENT_SCHEMA`.

    Parameters
    ----------
    edited : the editor's value (a Polars frame of name, start, end, or anything `pl.DataFrame` reads).

    Returns
    -------
    pl.DataFrame
        Columns name (String), start and end (Date); an empty cell stays null.
    """
    return pl.DataFrame(edited, schema=service_calendar.EVENT_SCHEMA)


def events_key(events: pl.DataFrame) -> tuple[tuple, ...]:
    """The events as a hashable value, for the page's cache key: one tuple per row, in order."""
    return tuple(events.rows())


def shown_history(item: forecast.Forecast) -> pl.DataFrame:
    """The history drawn before the total's forecast: its last `SHOWN_HISTORY` periods.

    Parameters
    ----------
    item : a forecast (its `every` picks the length).

    Returns
    -------
    pl.DataFrame
        The tail of `item.history` (ds, y).
    """
    return item.history.tail(SHOWN_HISTORY[item.every])


def shown_anomalies(item: forecast.Forecast, history: pl.DataFrame) -> pl.DataFrame | None:
    """The anomalies within the drawn `history` (from its first day on); None when there are none to test.

    Parameters
    ----------
    item : the forecast whose `anomalies` are marked.
    history : what the chart draws (`shown_history(item)`).

    Returns
    -------
    pl.DataFrame or None
        `item.anomalies`' rows on or after the first `ds` of `history`.
    """
    if item.anomalies is None:
        return None
    return item.anomalies.filter(pl.col("ds") >= history["ds"].min())


def segments(result: dict[str | None, forecast.Forecast]) -> list[tuple[str | None, forecast.Forecast]]:
    """The split's parts that have a forecast, in `result`'s order (the total left out).

    Parameters
    ----------
    result : `fit(..., split=...)`.

    Returns
    -------
    list of (segment, forecast)
        A segment with too little history (no prediction) is not listed.
    """
    return [(k, f) for k, f in result.items() if k != forecast.TOTAL and f.prediction is not None]


def volume_figure(item: forecast.Forecast, history: pl.DataFrame, lang: str) -> alt.TopLevelMixin:
    """The total's forecast band after its recent history, anomalies marked.

    Parameters
    ----------
    item : the total's forecast (with a prediction).
    history : the history drawn (`shown_history(item)`).
    lang : "zh" or "en".
    """
    unit = time_unit(item.every)
    return charts.forecast_band(
        history,
        item.prediction,
        labels=_series_labels(lang),
        x_title=t(f"grain.{unit}", lang),
        y_title=t("kpi.tickets_axis", lang),
        title=t("forecast.chart_title", lang, model=t(f"forecast.model_{item.model}", lang)),
        interval_title=t("forecast.interval_short", lang, level=f"{item.interval:.0%}"),
        anomalies=shown_anomalies(item, history),
        time_unit=unit,
    )


def segment_figure(item: forecast.Forecast, name: str, lang: str) -> alt.TopLevelMixin:
    """A small forecast band for one segment after its last `SEGMENT_HISTORY` periods, titled `name`.

    Parameters
    ----------
    item : the segment's (reconciled) forecast.
    name : the segment as people read it (`segment_name`).
    lang : "zh" or "en".
    """
    return charts.forecast_band(
        item.history.tail(SEGMENT_HISTORY[item.every]),
        item.prediction,
        labels=_series_labels(lang),
        x_title="",
        y_title=t("kpi.tickets_axis", lang),
        title=name,
        interval_title=t("forecast.interval_short", lang, level=f"{item.interval:.0%}"),
        time_unit=time_unit(item.every),
        height=160,
    )


def component_figure(name: str, shown: pl.DataFrame, unit: str | None, lang: str) -> alt.TopLevelMixin:
    """One Prophet component as a line of tickets (`component_view`'s frame and time unit).

    Parameters
    ----------
    name : "trend", "weekly", "yearly" or "holidays".
    shown : `component_view(name, ...)`'s frame (period, value).
    unit : its time unit; None (text periods such as weekdays) is passed on as "day".
    lang : "zh" or "en".
    """
    return charts.kpi_trend(
        shown,
        x="period",
        y="value",
        x_title="",
        y_title=t("kpi.tickets_axis", lang),
        title=t(f"forecast.component_{name}", lang),
        y_format=",.1f",
        time_unit=unit or "day",
    )


@dataclass(frozen=True)
class Staffing:
    """The page's staffing inputs, percents in 0–100 as its sliders give them (see `staffing.plan`).

    `method` "erlang_c" uses hours_open, target_seconds and level_percent; "workload" uses
    productive_hours. The defaults are the page's.
    """

    method: str
    aht_minutes: float
    shrinkage_percent: float
    hours_open: tuple[int, int] = (8, 20)
    target_seconds: float = 20
    level_percent: float = 80
    productive_hours: float = 6.5


def staffing_plan(item: forecast.Forecast, inputs: Staffing) -> pl.DataFrame:
    """Agents needed per period of a forecast, from the page's staffing inputs.

    Parameters
    ----------
    item : the total's forecast (with a prediction).
    inputs : the method and its inputs.

    Returns
    -------
    pl.DataFrame
        `staffing.plan`'s ds, tickets (yhat clipped at 0), agents (Int64).
    """
    predicted = item.prediction.select("ds", "yhat")
    shrinkage = inputs.shrinkage_percent / 100
    if inputs.method == "erlang_c":
        return staffing.plan(
            predicted,
            inputs.aht_minutes,
            method="erlang_c",
            hours_open=inputs.hours_open,
            target_seconds=inputs.target_seconds,
            service_level_target=inputs.level_percent / 100,
            shrinkage=shrinkage,
        )
    return staffing.plan(
        predicted,
        inputs.aht_minutes,
        method="workload",
        shrinkage=shrinkage,
        productive_hours=inputs.productive_hours,
    )


def staffing_figure(plan: pl.DataFrame, unit: str, lang: str) -> alt.TopLevelMixin:
    """Agents needed per period as a line.

    Parameters
    ----------
    plan : `staffing_plan`'s frame (ds, tickets, agents).
    unit : "day" or "week".
    lang : "zh" or "en".
    """
    return charts.volume_trend(
        plan,
        x="ds",
        y="agents",
        x_title=t(f"grain.{unit}", lang),
        y_title=t("forecast.agents", lang),
        title=t("forecast.staffing_title", lang),
        time_unit=unit,
    )


def _series_labels(lang: str) -> dict[str, str]:
    return {s: t(f"forecast.series_{s}", lang) for s in charts.FORECAST_SERIES}
