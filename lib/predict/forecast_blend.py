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


def interval_offsets(
    errors: pl.DataFrame, levels: Sequence[float] = LEVELS, bucket: int = 7
) -> tuple[pl.DataFrame, dict[float, float], dict[float, float]]:
    """Interval offsets from back-test errors (cutoff, lead, error = actual − predicted), widened to cover.

    For each level, the errors' quantiles (1 − level)/2 and (1 + level)/2 per bucket of `bucket` lead
    times (all errors where a bucket has fewer than MIN_BUCKET_ERRORS) are the offsets. Coverage is
    judged honestly: each window's errors against the quantiles of the other windows' errors. While that
    falls short of the level, the offsets are stretched around the median error by WIDEN_STEP (at most
    WIDEN_MAX). With one window, its own quantiles and coverage.

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
                (
                    errors.filter(pl.col("cutoff") == w),
                    _bands(errors.filter(pl.col("cutoff") != w), level, bucket),
                )
                for w in windows
            ]
            factor = 1.0
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
) -> Blend | None:
    """The blend from a back-test's day-by-day predictions (cutoff, model, ds, y, yhat); None without any.

    `step` is the spacing of the back-test's origins in periods (for the evidence of overlapping
    windows); `shrink` False keeps the accuracy weights whole (naive is not a candidate).
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
    kept = kept_share(ratios, horizon, step) if shrink and NAIVE in mae else 1.0
    final = shrunk(weights, kept) if shrink and NAIVE in mae else {k: v for k, v in weights.items() if v > 0}
    both = combined(predictions, final)
    final_mae = _window_mae(both.with_columns(pl.lit("_final").alias("model")))["_final"]
    final_ratios = [b / n for b, n in zip(final_mae, naive_by_window or [], strict=False) if n]
    offsets, widen, coverage = interval_offsets(
        both.select("cutoff", "lead", (pl.col("y") - pl.col("yhat")).alias("error")),
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
