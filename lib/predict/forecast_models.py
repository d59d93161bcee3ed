"""Forecast models: the candidates (seasonal naive and Prophet variants) and how each is fitted and predicts."""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import logging
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import NormalDist
from typing import Literal, TypeVar

import numpy as np
import polars as pl

# Quiet before Prophet is ever imported: it logs "Importing plotly failed" at import
# (ERROR), INFO/WARNING lines on fits ("disabling daily seasonality", "yearly seasonality
# with less than 730 days" — we choose those settings on purpose), and cmdstanpy logs
# every optimisation through a handler of its own.
logging.getLogger("prophet").setLevel(logging.ERROR)
logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)
logging.getLogger("cmdstanpy").disabled = True
# The same pandas deprecation `_prophet_call` silences, for the whole process too: warning filters are
# process-wide and `catch_warnings` is not thread-safe, so with fits on two threads (`in_parallel`) and
# sessions on others, one predict was once seen outside every ignoring context.
warnings.filterwarnings(
    "ignore", message="The inplace keyword", category=DeprecationWarning, module="prophet"
)

Every = Literal["1d", "1w"]
YEARLY_FULL_DAYS = 730  # two years: every Prophet candidate gets Prophet's yearly seasonality (order 10)
YEARLY_LOW_ORDER = 3  # from one year, one candidate tries a broad yearly curve (see PROPHET_YEARLY)
# Prophet's default 1000 doubles each predict; 300 keeps the bounds within ~3% of the interval's
# width of what 5,000 samples give (benchmarks/results/forecast.md).
UNCERTAINTY_SAMPLES = 300
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


# --- models -----------------------------------------------------------------------------


def z(interval: float) -> float:
    """The standard normal quantile whose central `interval` (e.g. 0.8) a two-sided band covers."""
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
    spread = z(interval) * sigma * np.sqrt(ahead // season + 1)
    return _clipped(_future(history["ds"][-1], steps, every), yhat, yhat - spread, yhat + spread)


def _clipped(ds: pl.Series, yhat, lower, upper) -> pl.DataFrame:
    return pl.DataFrame({"ds": ds}).with_columns(
        pl.Series(name, np.clip(np.asarray(values, dtype=float), 0, None))
        for name, values in (("yhat", yhat), ("lower", lower), ("upper", upper))
    )


def settings(candidate: Candidate, days: int, every: Every) -> dict:
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
    Inside `in_parallel`'s workers the caller's thread has done both, once, for all of them
    (warning filters and NumPy's generator are shared by every thread).
    """
    if getattr(_WORKER, "inside", False):
        yield
        return
    from pandas.errors import Pandas4Warning

    state = np.random.get_state()
    np.random.seed(SEED)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The inplace keyword", category=Pandas4Warning)
            yield
    finally:
        np.random.set_state(state)


# Fits run two at a time: most of a Prophet fit is CmdStan's own process, so two cores do two fits.
WORKERS = 2
_WORKER = threading.local()
T = TypeVar("T")


def in_parallel(jobs: Sequence[Callable[[], T]]) -> list[T]:
    """The results of `jobs` (fits and predicts without interval samples), in order, run WORKERS at a time.

    Only for Prophet calls that draw nothing at random (`samples` 0): with samples, the order in
    which threads draw from NumPy's generator would change the intervals from run to run.
    """
    if len(jobs) < 2 or WORKERS < 2:
        return [job() for job in jobs]
    _prophet_class()  # imported once, here, not by two threads at once
    with _prophet_call(), ThreadPoolExecutor(WORKERS, thread_name_prefix="aftersight-fit") as pool:
        return list(pool.map(_as_worker, jobs))


def _as_worker(job: Callable[[], T]) -> T:
    _WORKER.inside = True
    try:
        return job()
    finally:
        _WORKER.inside = False


def _prophet_class():
    """Prophet, imported on first use (half a second the CLI and other pages need not pay), kept quiet."""
    import cmdstanpy
    from cmdstanpy.utils import filesystem
    from prophet import Prophet

    # prophet.forecaster sets its logger to INFO when imported: lower it again afterwards.
    logging.getLogger("prophet").setLevel(logging.ERROR)
    cmdstanpy.disable_logging()
    if not _STANIO_WRITE:  # once per process
        _STANIO_WRITE.append(filesystem.write_stan_json)
        filesystem.write_stan_json = write_stan_json
    return Prophet


_STANIO_WRITE: list[Callable] = []  # stanio's writer, kept for what the one-shot encoder does not take


def write_stan_json(path: str, data: dict) -> None:
    """The data file CmdStan reads, byte for byte what stanio writes, in a fraction of its time.

    About half of a Prophet fit went to writing its data (the feature matrix: rows × holidays and
    Fourier terms): stanio (without ujson) walks every number in Python and feeds `JSONEncoder.iterencode`,
    the encoder's pure-Python path. Prophet's data are ints, floats and lists of them (`tolist()`), which
    `json.dumps`' C encoder writes the same way (`float.__repr__`, the same separators). Anything else
    (booleans, which Stan wants as 0/1; tuples, which it writes as objects; NumPy arrays) goes to stanio
    as before.
    """
    try:
        text = None if any(isinstance(v, tuple) for v in data.values()) else json.dumps(data)
    except TypeError:  # a NumPy array or another type only stanio converts
        text = None
    if text is None or "true" in text or "false" in text or "{" in text[1:]:
        _STANIO_WRITE[0](path, data)
        return
    with open(path, "w") as handle:
        handle.write(text)


def _prophet_fit(
    candidate: Candidate,
    history: pl.DataFrame,
    every: Every,
    interval: float,
    holidays,
    days: int | None = None,
    samples: int = UNCERTAINTY_SAMPLES,
):
    """`candidate` fitted to `history`, its seasonalities chosen for `days` (default: the history's).

    `samples` 0: no interval (the blend takes its intervals from back-test errors; half the predict time).
    """
    model = _prophet_class()(
        growth="linear",
        holidays=_prophet_holidays(
            _identified(_from_start(holidays, history["ds"]), history["ds"], every), every
        ),
        interval_width=interval,
        uncertainty_samples=samples,
        mcmc_samples=0,
        **settings(candidate, days or history_days(history, every), every),
    )
    if FEATURE_CACHE:
        model.make_all_seasonality_features = functools.partial(
            _cached_features, model, model.make_all_seasonality_features
        )
    with _prophet_call():
        return model.fit(_pandas(history))


# Prophet builds its feature matrix (Fourier terms of each seasonality, a column per holiday day) from the dates
# alone, again for every fit and every predict: more than half of a back-test's time on two years (the
# holiday loop converts each holiday row's dates one by one). The matrix of a day does not depend on which
# other days are asked for, so it is built once per model setting over a span of days and sliced: the same
# numbers, the same fits (checked in tests/test_forecast_speed.py).
FEATURE_CACHE = True
FEATURE_SPAN_AHEAD_DAYS = 400  # built past the last day asked for, so the forecast's own days are a slice too
_FEATURES: OrderedDict = OrderedDict()
_FEATURES_LOCK = threading.Lock()
_FEATURES_KEPT = 16


def _feature_key(model) -> tuple | None:
    """What Prophet's features depend on besides the dates; None when something is not covered (regressors,
    conditional seasonalities, country holidays): then Prophet builds them itself."""
    if model.extra_regressors or model.country_holidays is not None:
        return None
    seasonal = []
    for name, props in model.seasonalities.items():
        if props.get("condition_name") is not None:
            return None
        seasonal.append((name, props["period"], props["fourier_order"], props["prior_scale"], props["mode"]))
    holidays = None
    if model.holidays is not None:
        import pandas as pd

        holidays = pd.util.hash_pandas_object(model.holidays, index=False).to_numpy().tobytes()
    return (tuple(seasonal), holidays, model.holidays_mode, model.holidays_prior_scale)


def _cached_features(model, build: Callable, df):
    """`Prophet.make_all_seasonality_features(df)` from a matrix built once per setting over a span of days."""
    import pandas as pd

    key = _feature_key(model)
    dates = pd.DatetimeIndex(df["ds"])
    if key is None or not len(dates) or (dates != dates.normalize()).any():
        return build(df)
    with _FEATURES_LOCK:
        entry = _FEATURES.get(key)
        rows = entry[0].get_indexer(dates) if entry is not None else None
        if rows is None or (rows < 0).any():
            first, last = dates.min(), dates.max() + pd.Timedelta(days=FEATURE_SPAN_AHEAD_DAYS)
            if entry is not None:
                first, last = min(first, entry[0][0]), max(last, entry[0][-1])
            span = pd.date_range(first, last, freq="D")
            holiday_names = model.train_holiday_names
            features, priors, columns, modes = build(pd.DataFrame({"ds": span}))
            entry = (span, features, priors, columns, modes, model.train_holiday_names)
            model.train_holiday_names = holiday_names  # set below, as Prophet's own call would
            _FEATURES[key] = entry
            while len(_FEATURES) > _FEATURES_KEPT:
                _FEATURES.popitem(last=False)
            rows = span.get_indexer(dates)
        _FEATURES.move_to_end(key)
    span, features, priors, columns, modes, names = entry
    if model.train_holiday_names is None and names is not None:
        model.train_holiday_names = names.copy()
    return (
        features.iloc[rows].reset_index(drop=True),
        list(priors),
        columns.copy(),
        copy.deepcopy(modes),
    )


def _from_start(holidays: pl.DataFrame | None, ds: pl.Series) -> pl.DataFrame | None:
    """The holidays whose window (to ds + upper_window) reaches the first day of `ds` or later.

    Prophet builds its holiday features by walking every row of the table: a calendar drawn for eight years
    cost a fit on the last three as much as eight. An occurrence wholly before the fitted days marks none of
    them (nor any day predicted after them). Later ones stay: the forecast's days need theirs.
    """
    if holidays is None or not holidays.height:
        return holidays
    day = pl.col("ds").cast(pl.Date)
    return holidays.filter(day + pl.duration(days=pl.col("upper_window")) >= ds.min())


# A holiday is fitted only when the history shows a stretch after one of its occurrences (two weeks): a holiday
# seen only in the last days cannot be told from a change of level that happens to start with it.
IDENTIFIED_AFTER_DAYS = 14


def _identified(holidays: pl.DataFrame | None, ds: pl.Series, every: Every = "1d") -> pl.DataFrame | None:
    """`holidays` without the holidays (by name) whose every occurrence in the history ends within the last
    IDENTIFIED_AFTER_DAYS of `ds`; holidays with no occurrence in the history are kept (Prophet gives them
    nothing to learn, as before).

    Wikipedia's views, 9 months to 2010-02-22: the Super Bowl season ended with a fall to a new level in the
    very week of China's Spring Festival and its make-up working days. Prophet (whose trend cannot bend in the
    last fifth of the history) put the fall on the holiday and forecast the old level back: 3.8× the error of
    "same weekday last week".
    """
    if holidays is None or not holidays.height or not ds.len():
        return holidays
    last = ds.max() + timedelta(days=6 if every == "1w" else 0)
    day = pl.col("ds").cast(pl.Date)
    ends = day + pl.duration(days=pl.col("upper_window"))
    seen = holidays.filter(day + pl.duration(days=pl.col("lower_window")) <= last)
    early = seen.filter(ends <= last - timedelta(days=IDENTIFIED_AFTER_DAYS))["holiday"].unique()
    late_only = set(seen["holiday"].unique().to_list()) - set(early.to_list())
    return holidays.filter(~pl.col("holiday").is_in(list(late_only))) if late_only else holidays


def _pandas(frame: pl.DataFrame):
    return frame.select(
        pl.col("ds").cast(pl.Datetime("ns")), *[c for c in frame.columns if c != "ds"]
    ).to_pandas()


def _prophet_predict(model, ds: pl.Series) -> pl.DataFrame:
    """Prophet's full output for `ds` as Polars (ds as Date)."""
    with _prophet_call():
        out = model.predict(_pandas(pl.DataFrame({"ds": ds})))
    return pl.from_pandas(out).with_columns(pl.col("ds").cast(pl.Date))


def predict(
    candidate: Candidate,
    history: pl.DataFrame,
    steps: int,
    every: Every,
    interval: float,
    holidays,
    in_sample: bool = False,
    days: int | None = None,
    samples: int = UNCERTAINTY_SAMPLES,
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """The next `steps` periods after `history` (ds, yhat, lower, upper ≥ 0), and for Prophet its
    raw output (with `in_sample`, over the history too: components and anomalies need it).

    `days` sets the seasonalities (default: the history's length); the back-test passes the
    whole series' so that it tests the model the forecast will use. With `samples` 0 Prophet draws
    no interval: lower and upper are then yhat.
    """
    if candidate.kind == "naive":
        return seasonal_naive(history, steps, every, interval), None
    model = _prophet_fit(candidate, history, every, interval, holidays, days, samples)
    future = _future(history["ds"][-1], steps, every)
    raw = _prophet_predict(model, pl.concat([history["ds"], future]) if in_sample else future)
    if "yhat_lower" not in raw.columns:
        raw = raw.with_columns(pl.col("yhat").alias("yhat_lower"), pl.col("yhat").alias("yhat_upper"))
    ahead = raw.tail(steps)
    return _clipped(ahead["ds"], ahead["yhat"], ahead["yhat_lower"], ahead["yhat_upper"]), raw


def history_days(history: pl.DataFrame, every: Every) -> int:
    """The days `history` covers: a row per day, or per week of 7 days."""
    return history.height * (1 if every == "1d" else 7)
