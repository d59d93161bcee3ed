"""Ticket-volume forecasts: seasonal naive and Prophet candidates, chosen and scored by a rolling-origin back-test."""

from __future__ import annotations

import contextlib
import logging
import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from statistics import NormalDist
from typing import Literal

import duckdb
import numpy as np
import polars as pl

from lib.engine import kpis, store

# Quiet before Prophet is ever imported: it logs "Importing plotly failed" at import
# (ERROR), INFO/WARNING lines on fits ("disabling daily seasonality", "yearly seasonality
# with less than 730 days" — we choose those settings on purpose), and cmdstanpy logs
# every optimisation through a handler of its own.
logging.getLogger("prophet").setLevel(logging.ERROR)
logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)
logging.getLogger("cmdstanpy").disabled = True

Every = Literal["1d", "1w"]
OTHER = "__other__"  # the segments outside the top N, folded together
TOTAL = "__total__"  # forecast_by's key for the sum of all segments
MIN_HISTORY_DAYS = 56  # fewer than 8 weeks: no forecast (the page says what is missing)
MIN_TRAIN_DAYS = 28  # a back-test cut-off needs at least 4 weeks before it
# Cut-offs 4 weeks apart, not a horizon apart: for 28 days the same thing; for 180 days, four
# cut-offs a horizon apart would test models fitted on a quarter of two years' history (their
# test windows overlap instead; Prophet's own cross_validation also spaces by half a horizon).
CUTOFF_STEP_DAYS = 28
YEARLY_FULL_DAYS = 730  # two years: every Prophet candidate gets Prophet's yearly seasonality (order 10)
YEARLY_LOW_ORDER = 3  # from one year, one candidate tries a broad yearly curve (see PROPHET_YEARLY)
IDLE_DAYS = 28  # a stretch this long without a ticket: the system was not in use, history starts after
# Prophet's default 1000 doubles each predict; 300 keeps the bounds within ~3% of the interval's
# width of what 5,000 samples give (benchmarks/results/forecast.md).
UNCERTAINTY_SAMPLES = 300
# Two-sided, so ~1 ordinary day in 1000 is flagged by chance. At 0.99 Olist's 19 months gave 20 days
# (Christmas lows among them); at 0.999, 5: Black Friday 2017 and its weekend, and two mid-May days.
ANOMALY_LEVEL = 0.999
TIE_TOLERANCE = 0.01  # a candidate must beat a simpler one by more than 1% of MAE to win
SEED = 20240101  # Prophet samples intervals from NumPy's global generator: same data, same numbers
SEASON = {"1d": 7, "1w": 1}  # seasonal naive: same weekday last week / last week


@dataclass(frozen=True)
class Candidate:
    """One model the back-test can choose; listed simplest first (ties go to the simpler)."""

    name: str
    kind: Literal["naive", "prophet"]
    changepoint_prior_scale: float = 0.05
    seasonality_mode: Literal["additive", "multiplicative"] = "additive"
    yearly_from_days: int = YEARLY_FULL_DAYS  # history needed before any yearly seasonality


NAIVE = Candidate("seasonal_naive", "naive")
PROPHET = Candidate("prophet", "prophet")
# A trend that may bend more (volumes that shift with launches, seasons of business).
PROPHET_FLEXIBLE = Candidate("prophet_flexible", "prophet", changepoint_prior_scale=0.5)
# Weekday swings that grow with the level (a growing business).
PROPHET_MULTIPLICATIVE = Candidate("prophet_multiplicative", "prophet", seasonality_mode="multiplicative")
# With one to two years, a yearly curve of low order: it helped on Wikipedia page views (a real
# school-year cycle) and hurt on Olist orders (a start-up ramp mistaken for a season), so
# only the back-test can tell. Outside that range it equals PROPHET and is not fitted twice.
PROPHET_YEARLY = Candidate("prophet_yearly", "prophet", yearly_from_days=365)
CANDIDATES = (NAIVE, PROPHET, PROPHET_FLEXIBLE, PROPHET_MULTIPLICATIVE, PROPHET_YEARLY)
# Segments of a split forecast only share out the total: a shorter contest keeps the page quick.
SEGMENT_CANDIDATES = (NAIVE, PROPHET)
SEGMENT_CUTOFFS = 2


@dataclass(frozen=True)
class Accuracy:
    """The chosen model's back-test, averaged over cut-offs (MASE < 1: better than the naive baseline)."""

    model: str
    cutoffs: int
    horizon: int
    mae: float
    mape: float | None  # over days with y > 0 only
    mape_days_skipped: int  # days with y = 0, left out of MAPE
    naive_mae: float  # seasonal naive's MAE on the same cut-offs (the baseline)
    mase: float | None  # mean over cut-offs of MAE ÷ seasonal naive's MAE on the same cut-off
    coverage: float  # share of actual values inside the interval


@dataclass(frozen=True)
class Backtest:
    """A rolling-origin back-test: per cut-off scores, the day-by-day predictions, the winner."""

    horizon: int
    cutoffs: tuple[date, ...]  # first forecast day of each test window
    scores: pl.DataFrame  # cutoff, model, mae, mape, mape_days_skipped, naive_mae, mase, coverage
    predictions: pl.DataFrame  # cutoff, model, ds, y, yhat, lower, upper
    summary: pl.DataFrame  # model, cutoffs, then the scores' means (days skipped: summed)
    winner: str | None  # None when no cut-off fits in the history

    def accuracy(self, model: str | None = None) -> Accuracy | None:
        """The back-test of `model` (default: the winner) as one record, None without cut-offs."""
        model = model or self.winner
        if model is None:
            return None
        rows = self.summary.filter(pl.col("model") == model)
        if not rows.height:
            return None
        return Accuracy(**rows.row(0, named=True), horizon=self.horizon)


@dataclass(frozen=True)
class Forecast:
    """A forecast with what the page shows beside it.

    `reasons` are codes for the page to explain: "no_data", "short_history" (then
    `enough` is False and there is no prediction; MIN_HISTORY_DAYS are needed),
    "idle_start" (history starts after IDLE_DAYS without a ticket; `history` is what was
    used), "no_backtest" (no cut-off fits, so the simplest candidate is used untested),
    "few_cutoffs" (fewer than asked).
    """

    enough: bool
    reasons: tuple[str, ...]
    every: Every
    horizon: int  # periods of `every`
    interval: float
    history: pl.DataFrame  # ds, y
    prediction: pl.DataFrame | None = None  # ds, yhat, lower, upper (≥ 0)
    model: str | None = None
    backtest: Backtest | None = None
    accuracy: Accuracy | None = None
    # trend / weekly / yearly / holidays -> ds, value in tickets (history and horizon), when Prophet won
    components: dict[str, pl.DataFrame] = field(default_factory=dict)
    anomalies: pl.DataFrame | None = None  # ds, y, expected, lower, upper


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
    counts = kpis.evaluate_by(frames, ("tickets",), by=by, every="1d").rename(
        {"period": "ds", "tickets": "y"}
    )
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


# --- models -----------------------------------------------------------------------------


def _z(interval: float) -> float:
    return NormalDist().inv_cdf(0.5 + interval / 2)


def _future(last: date, steps: int, every: Every) -> pl.Series:
    step = timedelta(days=1 if every == "1d" else 7)
    return pl.Series("ds", [last + step * (i + 1) for i in range(steps)], dtype=pl.Date)


def seasonal_naive(
    history: pl.DataFrame, steps: int, every: Every = "1d", interval: float = 0.8
) -> pl.DataFrame:
    """Repeat the last season (daily: same weekday last week; weekly: last week), with a normal interval.

    The interval's spread is that of the history's seasonal differences, widened by
    the square root of the number of seasons ahead (Hyndman & Athanasopoulos, FPP3 §5.5).
    """
    season = SEASON[every]
    y = history["y"].to_numpy().astype(float)
    differences = y[season:] - y[:-season]
    sigma = float(np.sqrt(np.mean(differences**2))) if differences.size else 0.0
    ahead = np.arange(steps)
    yhat = y[-season:][ahead % season]
    spread = _z(interval) * sigma * np.sqrt(ahead // season + 1)
    return _clipped(_future(history["ds"][-1], steps, every), yhat, yhat - spread, yhat + spread)


def _clipped(ds: pl.Series, yhat, lower, upper) -> pl.DataFrame:
    return pl.DataFrame({"ds": ds}).with_columns(
        pl.Series(name, np.clip(np.asarray(values, dtype=float), 0, None))
        for name, values in (("yhat", yhat), ("lower", lower), ("upper", upper))
    )


def _settings(candidate: Candidate, days: int, every: Every) -> dict:
    """Prophet's settings for `candidate` on `days` of history.

    Yearly needs two full years to be identified (Prophet's own rule); with less, only a
    candidate asking for it earlier gets a low-order curve (3 Fourier pairs: broad peaks
    and troughs, not single weeks). Weekly seasonality needs daily rows.
    """
    yearly: bool | int = (
        True
        if days >= YEARLY_FULL_DAYS
        else YEARLY_LOW_ORDER
        if days >= candidate.yearly_from_days
        else False
    )
    return {
        "changepoint_prior_scale": candidate.changepoint_prior_scale,
        "seasonality_mode": candidate.seasonality_mode,
        "weekly_seasonality": every == "1d",
        "yearly_seasonality": yearly,
        "daily_seasonality": False,
    }


def _prophet_holidays(holidays: pl.DataFrame | None, every: Every):
    if holidays is None or not holidays.height:
        return None
    frame = holidays.select("holiday", pl.col("ds").cast(pl.Date), "lower_window", "upper_window")
    if every == "1w":
        # A weekly row stands for its Monday: "this week holds (the window of) the holiday".
        days = pl.date_ranges(
            pl.col("ds") + pl.duration(days=pl.col("lower_window")),
            pl.col("ds") + pl.duration(days=pl.col("upper_window")),
        )
        frame = (
            frame.select("holiday", days.alias("ds"))
            .explode("ds")
            .select("holiday", pl.col("ds").dt.truncate("1w"), lower_window=0, upper_window=0)
            .unique(maintain_order=True)
        )
    return frame.to_pandas()


@contextlib.contextmanager
def _prophet_call() -> Iterator[None]:
    """Around every Prophet fit and predict: seeded and without pandas' deprecation noise.

    Prophet 1.5 calls `drop(..., inplace=True)`, which pandas 3.1 deprecates (Pandas4Warning,
    a DeprecationWarning); nothing for us to change, so it is ignored for these calls only.
    Prophet draws its intervals from NumPy's global generator: seeded, then put back.
    """
    from pandas.errors import Pandas4Warning

    state = np.random.get_state()
    np.random.seed(SEED)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The inplace keyword", category=Pandas4Warning)
            yield
    finally:
        np.random.set_state(state)


def _prophet_class():
    """Prophet, imported on first use (half a second the CLI and other pages need not pay), kept quiet."""
    import cmdstanpy
    from prophet import Prophet

    # prophet.forecaster sets its logger to INFO when imported: lower it again afterwards.
    logging.getLogger("prophet").setLevel(logging.ERROR)
    cmdstanpy.disable_logging()
    return Prophet


def _prophet_fit(
    candidate: Candidate,
    history: pl.DataFrame,
    every: Every,
    interval: float,
    holidays,
    days: int | None = None,
):
    """`candidate` fitted to `history`, its seasonalities chosen for `days` (default: the history's)."""
    model = _prophet_class()(
        growth="linear",
        holidays=_prophet_holidays(holidays, every),
        interval_width=interval,
        uncertainty_samples=UNCERTAINTY_SAMPLES,
        mcmc_samples=0,
        **_settings(candidate, days or _days(history, every), every),
    )
    with _prophet_call():
        return model.fit(_pandas(history))


def _pandas(frame: pl.DataFrame):
    return frame.select(
        pl.col("ds").cast(pl.Datetime("ns")), *[c for c in frame.columns if c != "ds"]
    ).to_pandas()


def _prophet_predict(model, ds: pl.Series) -> pl.DataFrame:
    """Prophet's full output for `ds` as Polars (ds as Date)."""
    with _prophet_call():
        out = model.predict(_pandas(pl.DataFrame({"ds": ds})))
    return pl.from_pandas(out).with_columns(pl.col("ds").cast(pl.Date))


def _predict(
    candidate: Candidate,
    history: pl.DataFrame,
    steps: int,
    every: Every,
    interval: float,
    holidays,
    in_sample: bool = False,
    days: int | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """The next `steps` periods after `history` (ds, yhat, lower, upper ≥ 0), and for Prophet its
    raw output (with `in_sample`, over the history too: components and anomalies need it).

    `days` sets the seasonalities (default: the history's length); the back-test passes the
    whole series' so that it tests the model the forecast will use.
    """
    if candidate.kind == "naive":
        return seasonal_naive(history, steps, every, interval), None
    model = _prophet_fit(candidate, history, every, interval, holidays, days)
    future = _future(history["ds"][-1], steps, every)
    raw = _prophet_predict(model, pl.concat([history["ds"], future]) if in_sample else future)
    ahead = raw.tail(steps)
    return _clipped(ahead["ds"], ahead["yhat"], ahead["yhat_lower"], ahead["yhat_upper"]), raw


# --- back-test --------------------------------------------------------------------------


def _days(history: pl.DataFrame, every: Every) -> int:
    return history.height * (1 if every == "1d" else 7)


def distinct(
    candidates: Sequence[Candidate], days: int, every: Every = "1d", holidays: bool = False
) -> list[Candidate]:
    """`candidates` without those that would fit the same model as an earlier one on `days` of history.

    Without any seasonality or holidays (weekly rows, under two years), additive and
    multiplicative are the same model.
    """
    seen, kept = set(), []
    for candidate in candidates:
        settings = _settings(candidate, days, every)
        if not (holidays or settings["weekly_seasonality"] or settings["yearly_seasonality"]):
            settings["seasonality_mode"] = None
        key = (candidate.kind, tuple(sorted(settings.items(), key=str)))
        if key not in seen:
            seen.add(key)
            kept.append(candidate)
    return kept


def _cutoff_days(ds: pl.Series, steps: int, cutoffs: int | Sequence[date], every: Every) -> list[date]:
    """Cut-offs (first forecast days) CUTOFF_STEP_DAYS apart, the last test window ending on the last day.

    Each needs MIN_TRAIN_DAYS of history before it; explicit dates are kept where a
    full test window and that history fit.
    """
    period_days = 1 if every == "1d" else 7
    min_train = max(math.ceil(MIN_TRAIN_DAYS / period_days), SEASON[every] + 1)
    index = {d: i for i, d in enumerate(ds.to_list())}
    if isinstance(cutoffs, int):
        step = CUTOFF_STEP_DAYS // period_days
        starts = [ds.len() - steps - step * k for k in range(cutoffs - 1, -1, -1)]
    else:
        starts = [index.get(d, -1) for d in cutoffs]
    return [ds[i] for i in starts if i >= min_train and i + steps <= ds.len()]


def _scores(actual: np.ndarray, predicted: pl.DataFrame) -> dict:
    yhat = predicted["yhat"].to_numpy()
    errors = np.abs(yhat - actual)
    positive = actual > 0
    inside = (actual >= predicted["lower"].to_numpy()) & (actual <= predicted["upper"].to_numpy())
    return {
        "mae": float(errors.mean()),
        "mape": float((errors[positive] / actual[positive]).mean()) if positive.any() else None,
        "mape_days_skipped": int((~positive).sum()),
        "coverage": float(inside.mean()),
    }


SCORES_SCHEMA = {
    "cutoff": pl.Date,
    "model": pl.String,
    "mae": pl.Float64,
    "mape": pl.Float64,
    "mape_days_skipped": pl.Int64,
    "naive_mae": pl.Float64,
    "mase": pl.Float64,
    "coverage": pl.Float64,
}
PREDICTIONS_SCHEMA = {
    "cutoff": pl.Date,
    "model": pl.String,
    "ds": pl.Date,
    "y": pl.Float64,
    "yhat": pl.Float64,
    "lower": pl.Float64,
    "upper": pl.Float64,
}


def backtest(
    series: pl.DataFrame,
    horizon: int,
    cutoffs: int | Sequence[date] = 4,
    candidates: Sequence[Candidate] = CANDIDATES,
    *,
    every: Every = "1d",
    interval: float = 0.8,
    holidays: pl.DataFrame | None = None,
) -> Backtest:
    """Rolling-origin back-test of each candidate, `horizon` periods ahead.

    Parameters
    ----------
    series : ``ds``, ``y``, one row per period of `every`, no gaps.
    cutoffs : how many cut-offs (4 weeks apart, the last test window ending on the last
        day), or explicit first forecast days. Each model is fitted on the rows before a
        cut-off and scored on the `horizon` rows from it.
    candidates : simplest first: the winner is the lowest mean MAE, and a candidate
        within TIE_TOLERANCE of a simpler one's MAE loses to it. A candidate that would fit
        the same model as an earlier one on the whole series is left out (`distinct`).

    MASE is each cut-off's MAE divided by seasonal naive's MAE on the same cut-off
    (null when that is 0), averaged over cut-offs; MAPE skips days with y = 0 and counts them.
    """
    series = series.select(pl.col("ds").cast(pl.Date), pl.col("y").cast(pl.Float64))
    days = _cutoff_days(series["ds"], horizon, cutoffs, every)
    # Each cut-off fits the model the whole series would get (same seasonalities): what is tested
    # is what the forecast uses, even where a cut-off leaves a few weeks under a threshold.
    length = _days(series, every)
    candidates = distinct(candidates, length, every, holidays is not None and holidays.height > 0)
    scores, predictions = [], []
    for cutoff in days:
        train = series.filter(pl.col("ds") < cutoff)
        actual = series.filter(pl.col("ds") >= cutoff).head(horizon)
        naive_mae = None
        for candidate in [NAIVE, *[c for c in candidates if c.name != NAIVE.name]]:
            predicted, _ = _predict(candidate, train, horizon, every, interval, holidays, days=length)
            row = _scores(actual["y"].to_numpy(), predicted)
            if candidate.name == NAIVE.name:
                naive_mae = row["mae"]
                if NAIVE not in candidates:
                    continue  # scored only as the MASE baseline
            row["naive_mae"] = naive_mae
            row["mase"] = row["mae"] / naive_mae if naive_mae else None
            scores.append({"cutoff": cutoff, "model": candidate.name, **row})
            predictions.append(
                predicted.with_columns(pl.lit(cutoff).alias("cutoff"), pl.lit(candidate.name).alias("model"))
                .join(actual, on="ds")
                .select("cutoff", "model", "ds", "y", "yhat", "lower", "upper")
            )
    score_frame = pl.DataFrame(scores, schema=SCORES_SCHEMA)
    order = {c.name: i for i, c in enumerate(candidates)}
    summary = (
        score_frame.group_by("model")
        .agg(
            pl.len().alias("cutoffs"),
            pl.col("mae").mean(),
            pl.col("mape").mean(),
            pl.col("mape_days_skipped").sum(),
            pl.col("naive_mae").mean(),
            pl.col("mase").mean(),
            pl.col("coverage").mean(),
        )
        .sort(pl.col("model").replace_strict(order, return_dtype=pl.Int64))
    )
    return Backtest(
        horizon=horizon,
        cutoffs=tuple(days),
        scores=score_frame,
        predictions=pl.concat(predictions) if predictions else pl.DataFrame(schema=PREDICTIONS_SCHEMA),
        summary=summary,
        winner=_winner(summary),
    )


def _winner(summary: pl.DataFrame) -> str | None:
    if not summary.height:
        return None
    best = summary["mae"].min()
    return summary.filter(pl.col("mae") <= best * (1 + TIE_TOLERANCE) + 1e-12)["model"][0]


# --- forecast ---------------------------------------------------------------------------


def forecast(
    series: pl.DataFrame,
    horizon: int = 28,
    interval: float = 0.8,
    holidays: pl.DataFrame | None = None,
    every: Every = "1d",
    candidates: Sequence[Candidate] = CANDIDATES,
    cutoffs: int = 4,
) -> Forecast:
    """Forecast a daily series `horizon` days ahead with the candidate that did best in the back-test.

    Parameters
    ----------
    series : daily ``ds``, ``y`` without gaps (`daily_counts`).
    horizon : days ahead; weekly forecasts cover ceil(horizon / 7) whole weeks.
    interval : width of the prediction interval (0.8 or 0.95).
    holidays : Prophet-style table (holiday, ds, lower_window, upper_window), covering
        the history and the horizon; for weekly forecasts a holiday marks its week.
    every : "1d", or "1w" to sum to Monday weeks first (incomplete end weeks dropped);
        weekly seasonal naive repeats last week, i.e. the sum of the daily baseline.

    Anomalies are history days outside ANOMALY_LEVEL of the chosen model's in-sample fit
    (see `anomalies`). Seasonal naive has no fit of its own (it would echo a spike a week
    later), so then the fit of the first Prophet candidate is used.
    """
    daily = series.select(pl.col("ds").cast(pl.Date), pl.col("y").cast(pl.Float64)).sort("ds")
    active = _active(daily)
    history = to_weeks(active) if every == "1w" else active
    steps = math.ceil(horizon / 7) if every == "1w" else horizon
    reasons = ("idle_start",) if active.height < daily.height else ()
    base = Forecast(
        enough=False, reasons=reasons, every=every, horizon=steps, interval=interval, history=history
    )
    if not daily.height or not daily["y"].sum():
        return replace(base, reasons=("no_data",))
    if active.height < MIN_HISTORY_DAYS or not history.height:
        return replace(base, reasons=(*reasons, "short_history"))
    tested = backtest(history, steps, cutoffs, candidates, every=every, interval=interval, holidays=holidays)
    if len(tested.cutoffs) < cutoffs:
        reasons += ("few_cutoffs",) if tested.cutoffs else ("no_backtest",)
    chosen = next(c for c in candidates if c.name == tested.winner) if tested.winner else candidates[0]
    prediction, raw = _predict(chosen, history, steps, every, interval, holidays, in_sample=True)
    if raw is None:
        reference = next((c for c in candidates if c.kind == "prophet"), PROPHET)
        _, raw = _predict(reference, history, steps, every, interval, holidays, in_sample=True)
    multiplicative = chosen.seasonality_mode == "multiplicative"
    return replace(
        base,
        enough=True,
        reasons=reasons,
        prediction=prediction,
        model=chosen.name,
        backtest=tested,
        accuracy=tested.accuracy(),
        components=_components(raw, multiplicative) if chosen.kind == "prophet" else {},
        anomalies=anomalies(history, raw.head(history.height).select("ds", "yhat")),
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
    half = _z(level) * pl.max_horizontal(pl.lit(robust), pl.col("expected").clip(lower_bound=1).sqrt())
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
    every: Every = "1d",
    candidates: Sequence[Candidate] = CANDIDATES,
    cutoffs: int = 4,
    segment_candidates: Sequence[Candidate] = SEGMENT_CANDIDATES,
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
