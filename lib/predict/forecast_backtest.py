"""The back-test: candidates scored on rolling-origin cut-offs inside the history, and the winner chosen."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from lib.predict import forecast_models

MIN_TRAIN_DAYS = 28  # a back-test cut-off needs at least 4 weeks before it
# Cut-offs 4 weeks apart, not a horizon apart: for 28 days the same thing; for 180 days, four
# cut-offs a horizon apart would test models fitted on a quarter of two years' history (their
# test windows overlap instead; Prophet's own cross_validation also spaces by half a horizon).
CUTOFF_STEP_DAYS = 28
TIE_TOLERANCE = 0.01  # a candidate must beat a simpler one by more than 1% of MAE to win


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


# --- back-test --------------------------------------------------------------------------


def distinct(
    candidates: Sequence[forecast_models.Candidate],
    days: int,
    every: forecast_models.Every = "1d",
    holidays: bool = False,
) -> list[forecast_models.Candidate]:
    """`candidates` without those that would fit the same model as an earlier one on `days` of history.

    Without any seasonality or holidays (weekly rows, under two years), additive and
    multiplicative are the same model.
    """
    seen, kept = set(), []
    for candidate in candidates:
        settings = forecast_models.settings(candidate, days, every)
        if not (holidays or settings["weekly_seasonality"] or settings["yearly_seasonality"]):
            settings["seasonality_mode"] = None
        key = (candidate.kind, tuple(sorted(settings.items(), key=str)))
        if key not in seen:
            seen.add(key)
            kept.append(candidate)
    return kept


def _cutoff_days(
    ds: pl.Series,
    steps: int,
    cutoffs: int | Sequence[date],
    every: forecast_models.Every,
    step_days: int = CUTOFF_STEP_DAYS,
) -> list[date]:
    """Cut-offs (first forecast days) `step_days` apart, the last test window ending on the last day.

    Each needs MIN_TRAIN_DAYS of history before it; explicit dates are kept where a
    full test window and that history fit.
    """
    period_days = 1 if every == "1d" else 7
    min_train = max(math.ceil(MIN_TRAIN_DAYS / period_days), forecast_models.SEASON[every] + 1)
    index = {d: i for i, d in enumerate(ds.to_list())}
    if isinstance(cutoffs, int):
        step = max(1, step_days // period_days)
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
    candidates: Sequence[forecast_models.Candidate] = forecast_models.CANDIDATES,
    *,
    every: forecast_models.Every = "1d",
    interval: float = 0.8,
    holidays: pl.DataFrame | None = None,
    step_days: int = CUTOFF_STEP_DAYS,
    samples: int = forecast_models.UNCERTAINTY_SAMPLES,
    race: int = 0,
) -> Backtest:
    """Rolling-origin back-test of each candidate, `horizon` periods ahead.

    Parameters
    ----------
    series : ``ds``, ``y``, one row per period of `every`, no gaps.
    cutoffs : how many cut-offs (`step_days` apart, the last test window ending on the last
        day), or explicit first forecast days. Each model is fitted on the rows before a
        cut-off and scored on the `horizon` rows from it.
    candidates : simplest first: the winner is the lowest mean MAE, and a candidate
        within TIE_TOLERANCE of a simpler one's MAE loses to it. A candidate that would fit
        the same model as an earlier one on the whole series is left out (`distinct`).

    MASE is each cut-off's MAE divided by seasonal naive's MAE on the same cut-off
    (null when that is 0), averaged over cut-offs; MAPE skips days with y = 0 and counts them.
    `samples` 0 skips Prophet's intervals (the blend's come from the errors): coverage is then that
    of a zero-width band. `race` > 0: after that many cut-offs (the earliest), a Prophet setting worse than
    seasonal naive (a candidate) in every one of them leaves the contest (`_survivors`), not fitted again.
    """
    series = series.select(pl.col("ds").cast(pl.Date), pl.col("y").cast(pl.Float64))
    days = _cutoff_days(series["ds"], horizon, cutoffs, every, step_days)
    # Each cut-off fits the model the whole series would get (same seasonalities): what is tested
    # is what the forecast uses, even where a cut-off leaves a few weeks under a threshold.
    length = forecast_models.history_days(series, every)
    candidates = distinct(candidates, length, every, holidays is not None and holidays.height > 0)
    scores, predictions = [], []
    order = [forecast_models.NAIVE, *[c for c in candidates if c.name != forecast_models.NAIVE.name]]

    def job(cutoff: date, candidate: forecast_models.Candidate):
        train = series.filter(pl.col("ds") < cutoff)
        return lambda: forecast_models.predict(
            candidate, train, horizon, every, interval, holidays, days=length, samples=samples
        )[0]

    actuals = {cutoff: series.filter(pl.col("ds") >= cutoff).head(horizon) for cutoff in days}
    results: dict[tuple[date, str], pl.DataFrame] = {}

    def run(cuts: Sequence[date], contest: Sequence[forecast_models.Candidate]) -> None:
        jobs = [job(cutoff, candidate) for cutoff in cuts for candidate in contest]
        # Without interval samples nothing is drawn at random: the fits may run side by side, same results.
        done = forecast_models.in_parallel(jobs) if samples == 0 else [run() for run in jobs]
        keys = [(cutoff, candidate.name) for cutoff in cuts for candidate in contest]
        results.update(zip(keys, done, strict=True))

    first = days[:race] if 0 < race < len(days) else days
    run(first, order)
    if len(first) < len(days):
        order = _survivors(first, order, results, actuals) if forecast_models.NAIVE in candidates else order
        run(days[len(first) :], order)
    for cutoff in days:
        actual = actuals[cutoff]
        naive_mae = None
        for candidate in order:
            predicted = results[(cutoff, candidate.name)]
            row = _scores(actual["y"].to_numpy(), predicted)
            if candidate.name == forecast_models.NAIVE.name:
                naive_mae = row["mae"]
                if forecast_models.NAIVE not in candidates:
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


def _survivors(
    cuts: Sequence[date],
    order: Sequence[forecast_models.Candidate],
    results: dict[tuple[date, str], pl.DataFrame],
    actuals: dict[date, pl.DataFrame],
) -> list[forecast_models.Candidate]:
    """The candidates still in the contest after the cut-offs `cuts`: all but the Prophet settings whose MAE
    was above seasonal naive's in every one of them. The best Prophet setting always stays.

    The blend gives no share to a setting worse than naive on the mean MAE (`forecast_blend.accuracy_weights`):
    one that lost to naive in every window so far seldom earns a share, and its fits were a third of the
    back-test's time. A setting that merely trails another Prophet setting stays: its share would go elsewhere.
    """

    def mae(cut: date, name: str) -> float:
        return float(np.abs(results[(cut, name)]["yhat"].to_numpy() - actuals[cut]["y"].to_numpy()).mean())

    naive = forecast_models.NAIVE.name
    prophets = [c for c in order if c.kind == "prophet"]
    if not prophets or not any(c.name == naive for c in order):
        return list(order)
    best = min(prophets, key=lambda c: np.mean([mae(cut, c.name) for cut in cuts])).name
    lost = {c.name for c in prophets if all(mae(cut, c.name) > mae(cut, naive) for cut in cuts)}
    return [c for c in order if c.name == best or c.name not in lost]


def _winner(summary: pl.DataFrame) -> str | None:
    if not summary.height:
        return None
    best = summary["mae"].min()
    return summary.filter(pl.col("mae") <= best * (1 + TIE_TOLERANCE) + 1e-12)["model"][0]
