"""Combining the back-test's candidates: weights from their accuracy, shrunk toward seasonal naive when the
evidence is weak, and prediction intervals from the combination's own back-test errors.

One winner picked on a few back-test windows is noisy (issue 20: with 8–11 months of history the winner was
40 % worse than "same weekday last week" at one cut-off in four). Averaging the candidates, each weighted by
how well it did, is the M4 competition's lesson; what the back-test cannot show convincingly (a gain over
seasonal naive that is small next to its spread between windows) is handed back to seasonal naive.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

NAIVE = "seasonal_naive"
# Full weight to the back-test's blend only when its mean gain over naive is 2 standard errors (about a 95 %
# one-sided test); at 1 standard error half the weight, with no gain (or a loss) none.
FULL_EVIDENCE = 2.0
LEVELS = (0.8, 0.95)  # the interval widths whose back-test coverage is reported
BUCKET = {"1d": 7, "1w": 4}  # lead times pooled for the interval's quantiles: a week of days, 4 weeks
MIN_BUCKET_ERRORS = 20  # fewer errors in a lead-time bucket: the quantiles of all errors are used
WIDEN_STEP = 0.05
WIDEN_MAX = 4.0
WIDEN_MIN = 0.5  # the search starts here: intervals the back-test shows too wide are narrowed too


@dataclass(frozen=True)
class Blend:
    """How the forecast combines the candidates, and what its own back-test says about it."""

    weights: dict[
        str, float
    ]  # model -> share of the forecast (sum 1), shrinkage included; zero shares left out
    accuracy_weights: dict[str, float]  # inverse-MAE shares of the candidates no worse than naive
    kept: float  # share of `accuracy_weights` kept; the rest goes to seasonal naive
    windows: int  # back-test windows (origins)
    beat_naive: int  # windows where the unshrunk blend had a lower MAE than seasonal naive
    mae: float  # the blend's mean back-test MAE (final weights)
    naive_mae: float
    ratio: float | None  # mean over windows of the blend's MAE ÷ naive's (None when naive was perfect)
    offsets: pl.DataFrame  # level, bucket, lower, upper: error offsets added to yhat, widened
    widen: dict[float, float]  # level -> factor the offsets around the median error were stretched by
    coverage: dict[float, float]  # level -> back-test coverage (each window judged by the others' errors)


def accuracy_weights(mae: Mapping[str, float], naive: str = NAIVE) -> dict[str, float]:
    """Shares proportional to 1 / MAE among the candidates whose MAE is not above naive's.

    A candidate beaten by "same weekday last week" earns nothing. Models with an MAE of 0 share
    everything equally. Without naive among `mae`, every candidate is kept.
    """
    bar = mae.get(naive, math.inf)
    kept = {name: value for name, value in mae.items() if value <= bar * (1 + 1e-9)}
    perfect = [name for name, value in kept.items() if value == 0]
    if perfect:
        return {name: 1 / len(perfect) if name in perfect else 0.0 for name in mae}
    total = sum(1 / value for value in kept.values())
    return {name: (1 / kept[name]) / total if name in kept else 0.0 for name in mae}


def kept_share(ratios: Sequence[float], horizon: int, step: int) -> float:
    """How much of the back-test's weights to keep, from each window's MAE ratio (blend ÷ naive).

    The gain is 1 − the mean ratio; its standard error the ratios' standard deviation over √n, where
    n counts windows that do not overlap (windows `step` periods apart, `horizon` long, share days:
    n = windows × step ÷ horizon, at least 1). Kept = gain ÷ (FULL_EVIDENCE × standard error), within
    0–1; 0 with fewer than 2 windows or no gain, 1 when every window gained the same.
    """
    values = np.asarray([r for r in ratios if r is not None and math.isfinite(r)], dtype=float)
    if values.size < 2:
        return 0.0
    gain = 1 - float(values.mean())
    if gain <= 0:
        return 0.0
    independent = max(1.0, values.size * min(1.0, step / horizon))
    error = float(values.std(ddof=1)) / math.sqrt(independent)
    return 1.0 if error == 0 else min(1.0, gain / (FULL_EVIDENCE * error))


def shrunk(weights: Mapping[str, float], kept: float, naive: str = NAIVE) -> dict[str, float]:
    """`weights` × kept, plus (1 − kept) on naive; shares of 0 left out."""
    out = {name: share * kept for name, share in weights.items()}
    out[naive] = out.get(naive, 0.0) + (1 - kept)
    return {name: share for name, share in out.items() if share > 1e-12}


def combined(predictions: pl.DataFrame, weights: Mapping[str, float]) -> pl.DataFrame:
    """The back-test's predictions (cutoff, model, ds, y, yhat) combined: cutoff, lead, ds, y, yhat."""
    share = pl.col("model").replace_strict(dict(weights), default=0.0, return_dtype=pl.Float64)
    return (
        predictions.filter(pl.col("model").is_in(list(weights)))
        .group_by("cutoff", "ds", maintain_order=True)
        .agg(pl.col("y").first(), (pl.col("yhat") * share).sum())
        .sort("cutoff", "ds")
        .with_columns(pl.int_range(pl.len()).over("cutoff").alias("lead"))
        .select("cutoff", "lead", "ds", "y", "yhat")
    )


def _quantiles(errors: np.ndarray, level: float) -> tuple[float, float, float]:
    low, middle, high = np.quantile(errors, [(1 - level) / 2, 0.5, (1 + level) / 2])
    return float(low), float(middle), float(high)


def _bands(errors: pl.DataFrame, level: float, bucket: int) -> dict[int | None, tuple[float, float, float]]:
    """Error quantiles (low, median, high) per lead-time bucket with enough errors, and for all (key None)."""
    bands: dict[int | None, tuple[float, float, float]] = {
        None: _quantiles(errors["error"].to_numpy(), level)
    }
    for (key,), rows in errors.partition_by("_bucket", as_dict=True).items():
        if rows.height >= MIN_BUCKET_ERRORS:
            bands[key] = _quantiles(rows["error"].to_numpy(), level)
    return bands


def _inside(errors: pl.DataFrame, bands: dict, factor: float) -> np.ndarray:
    inside = []
    for key, error in errors.select("_bucket", "error").iter_rows():
        low, middle, high = bands.get(key, bands[None])
        inside.append(middle + (low - middle) * factor <= error <= middle + (high - middle) * factor)
    return np.asarray(inside, dtype=bool)


def _apart(errors: pl.DataFrame, window) -> pl.DataFrame:
    """The errors of the windows other than `window` whose days do not overlap it (all others if none).

    Origins 14 days apart with a 28-day horizon share half their days: judged by a neighbour's errors on
    the same days, a window looked covered more often than a window of days not seen yet would be.
    """
    own = errors.filter(pl.col("cutoff") == window)
    others = errors.filter(pl.col("cutoff") != window)
    if "ds" not in errors.columns:
        return others
    first, last = own["ds"].min(), own["ds"].max()
    spans = others.group_by("cutoff").agg(
        pl.col("ds").min().alias("_first"), pl.col("ds").max().alias("_last")
    )
    apart = spans.filter((pl.col("_last") < first) | (pl.col("_first") > last))["cutoff"]
    return others.filter(pl.col("cutoff").is_in(apart.implode())) if apart.len() else others


def interval_offsets(
    errors: pl.DataFrame, levels: Sequence[float] = LEVELS, bucket: int = 7
) -> tuple[pl.DataFrame, dict[float, float], dict[float, float]]:
    """Interval offsets from back-test errors (cutoff, lead, error = actual − predicted), widened to cover.

    For each level, the errors' quantiles (1 − level)/2 and (1 + level)/2 per bucket of `bucket` lead
    times (all errors where a bucket has fewer than MIN_BUCKET_ERRORS) are the offsets. Coverage is
    judged honestly: each window's errors against the quantiles of the errors of the other windows that do not
    share its days (`_apart`; errors with a `ds` column). While that
    falls short of the level, the offsets are stretched around the median error by WIDEN_STEP, from
    WIDEN_MIN (narrower than the quantiles when they over-cover) to at most WIDEN_MAX. With one window, its own quantiles and coverage.

    Returns offsets (level, bucket, lower, upper; bucket null = every lead time), factor and coverage per level.
    """
    errors = errors.with_columns((pl.col("lead") // bucket).alias("_bucket"))
    windows = errors["cutoff"].unique().sort().to_list()
    rows, widen, coverage = [], {}, {}
    for level in levels:
        bands = _bands(errors, level, bucket)
        if len(windows) < 2:
            factor, covered = 1.0, float(_inside(errors, bands, 1.0).mean())
        else:
            held = [
                (errors.filter(pl.col("cutoff") == w), _bands(_apart(errors, w), level, bucket))
                for w in windows
            ]
            factor = WIDEN_MIN
            while True:
                covered = float(np.concatenate([_inside(own, others, factor) for own, others in held]).mean())
                if covered >= level - 1e-9 or factor >= WIDEN_MAX - 1e-9:
                    break
                factor = round(factor + WIDEN_STEP, 10)
        widen[level], coverage[level] = factor, covered
        for key, (low, middle, high) in bands.items():
            rows.append(
                {
                    "level": level,
                    "bucket": key,
                    "lower": middle + (low - middle) * factor,
                    "upper": middle + (high - middle) * factor,
                }
            )
    schema = {"level": pl.Float64, "bucket": pl.Int64, "lower": pl.Float64, "upper": pl.Float64}
    return pl.DataFrame(rows, schema=schema), widen, coverage


def blend(
    predictions: pl.DataFrame,
    every: str = "1d",
    step: int = 7,
    shrink: bool = True,
    levels: Sequence[float] = LEVELS,
    keep_at_most: float = 1.0,
) -> Blend | None:
    """The blend from a back-test's day-by-day predictions (cutoff, model, ds, y, yhat); None without any.

    `step` is the spacing of the back-test's origins in periods (for the evidence of overlapping
    windows); `shrink` False keeps the accuracy weights whole (naive is not a candidate); `keep_at_most`
    caps the share kept (0: seasonal naive alone, see `beyond_backtest`).
    """
    if predictions.is_empty():
        return None
    windows = predictions["cutoff"].unique().sort().to_list()
    mae = {
        name: float(rows["error"].mean())
        for (name,), rows in predictions.with_columns((pl.col("y") - pl.col("yhat")).abs().alias("error"))
        .partition_by("model", as_dict=True, maintain_order=True)
        .items()
    }
    weights = accuracy_weights(mae)
    per_window = _window_mae(predictions)
    horizon = int(predictions.filter(pl.col("cutoff") == windows[0]).height / predictions["model"].n_unique())
    naive_by_window = per_window.get(NAIVE)
    blended = _window_mae(combined(predictions, weights).with_columns(pl.lit("_blend").alias("model")))[
        "_blend"
    ]
    ratios = (
        [b / n if n else None for b, n in zip(blended, naive_by_window, strict=True)]
        if naive_by_window
        else []
    )
    kept = min(kept_share(ratios, horizon, step), keep_at_most) if shrink and NAIVE in mae else 1.0
    final = shrunk(weights, kept) if shrink and NAIVE in mae else {k: v for k, v in weights.items() if v > 0}
    both = combined(predictions, final)
    final_mae = _window_mae(both.with_columns(pl.lit("_final").alias("model")))["_final"]
    final_ratios = [b / n for b, n in zip(final_mae, naive_by_window or [], strict=False) if n]
    offsets, widen, coverage = interval_offsets(
        both.select("cutoff", "lead", "ds", (pl.col("y") - pl.col("yhat")).alias("error")),
        levels,
        BUCKET.get(every, 7),
    )
    return Blend(
        weights=final,
        accuracy_weights=weights,
        kept=kept,
        windows=len(windows),
        beat_naive=sum(1 for r in ratios if r is not None and r < 1),
        mae=float(np.mean(final_mae)),
        naive_mae=mae.get(NAIVE, math.nan),
        ratio=float(np.mean(final_ratios)) if final_ratios else None,
        offsets=offsets,
        widen=widen,
        coverage=coverage,
    )


# "Clearly further": in a steady series the gap at the origin is as likely as any of the 8 windows' to be the
# largest (1 time in 9); half as far again as the furthest seen is beyond what the back-test covered.
TESTED_REACH = 1.5


def gap(ahead: Mapping[str, np.ndarray], weights: Mapping[str, float], naive: str = NAIVE) -> float | None:
    """Mean absolute gap between the models' part of a blend (`weights` without naive, renormalised) and
    seasonal naive, over the days of `ahead` (model -> yhat); None without both."""
    models = {name: share for name, share in weights.items() if name != naive and share > 0 and name in ahead}
    total = sum(models.values())
    if naive not in ahead or not total:
        return None
    part = sum(np.asarray(ahead[name], dtype=float) * (share / total) for name, share in models.items())
    return float(np.mean(np.abs(part - np.asarray(ahead[naive], dtype=float))))


def window_gaps(predictions: pl.DataFrame, weights: Mapping[str, float], naive: str = NAIVE) -> list[float]:
    """`gap` in each back-test window (cutoff order): how far the models' forecasts strayed from naive's there."""
    out = []
    for (_,), rows in (
        predictions.sort("cutoff").partition_by("cutoff", as_dict=True, maintain_order=True).items()
    ):
        ahead = {
            name: part["yhat"].to_numpy()
            for (name,), part in rows.partition_by("model", as_dict=True).items()
        }
        value = gap(ahead, weights, naive)
        if value is not None:
            out.append(value)
    return out


def beyond_backtest(origin_gap: float | None, gaps: Sequence[float]) -> bool:
    """Whether the forecast's models stray from seasonal naive clearly further (TESTED_REACH times) than in
    every back-test window.

    The back-test's evidence for leaving naive was gathered where the models' forecasts stayed within the
    gaps it saw; further out it says nothing. With less than a year of history no model has seen the season
    ahead, so such a forecast extrapolates a trend or a level it cannot check: a fall at the end of a
    football season (Wikipedia, 9 months to 2010-02-23: the models expected the old level back, 2.8× naive's
    error) looks the same to them as a dip that passes.
    """
    return origin_gap is not None and bool(gaps) and origin_gap > TESTED_REACH * max(gaps) + 1e-12


def _window_mae(predictions: pl.DataFrame) -> dict[str, list[float]]:
    """Per model, the MAE of each window in cut-off order."""
    table = (
        predictions.group_by("model", "cutoff")
        .agg((pl.col("y") - pl.col("yhat")).abs().mean().alias("mae"))
        .sort("model", "cutoff")
    )
    return {
        name: rows["mae"].to_list() for (name,), rows in table.partition_by("model", as_dict=True).items()
    }


def forecast(blend_: Blend, ahead: Mapping[str, pl.DataFrame], level: float, bucket: int = 7) -> pl.DataFrame:
    """The blended forecast: Σ weight × each model's yhat (`ahead`: model -> ds, yhat), with the interval
    from the back-test's error offsets at `level` for each lead time; yhat and bounds ≥ 0."""
    names = [name for name in blend_.weights if name in ahead]
    total = sum(blend_.weights[name] for name in names)
    first = ahead[names[0]].select("ds")
    yhat = sum(ahead[name]["yhat"].to_numpy() * (blend_.weights[name] / total) for name in names)
    offsets = blend_.offsets.filter(pl.col("level") == level)
    pooled = offsets.filter(pl.col("bucket").is_null()).row(0, named=True)
    by_bucket = {row["bucket"]: row for row in offsets.drop_nulls("bucket").iter_rows(named=True)}
    leads = np.arange(first.height) // bucket
    lower = np.array([by_bucket.get(int(b), pooled)["lower"] for b in leads])
    upper = np.array([by_bucket.get(int(b), pooled)["upper"] for b in leads])
    return first.with_columns(
        pl.Series("yhat", np.clip(yhat, 0, None)),
        pl.Series("lower", np.clip(yhat + lower, 0, None)),
        pl.Series("upper", np.clip(yhat + upper, 0, None)),
    )
