"""The forecast blend by hand: accuracy weights, shrinkage toward naive, interval offsets and their widening."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from lib.predict import forecast_blend as fb

NAIVE = "seasonal_naive"


def test_weights_are_inverse_mae_among_candidates_no_worse_than_naive():
    weights = fb.accuracy_weights({NAIVE: 4.0, "prophet": 2.0, "prophet_flexible": 6.0})
    # 1/4 and 1/2 of 3/4: naive 1/3, Prophet 2/3; the flexible trend lost to naive and gets nothing.
    assert weights == pytest.approx({NAIVE: 1 / 3, "prophet": 2 / 3, "prophet_flexible": 0.0})
    assert fb.accuracy_weights({NAIVE: 0.0, "prophet": 1.0}) == {NAIVE: 1.0, "prophet": 0.0}
    # Without naive among them every candidate is kept.
    assert fb.accuracy_weights({"a": 1.0, "b": 3.0}) == pytest.approx({"a": 0.75, "b": 0.25})


def test_kept_share_is_the_gain_over_two_standard_errors():
    # Ratios 0.8, 1.0, 0.9, 1.1: gain 0.05; standard deviation √(0.05/3) = 0.1291.
    # Windows a horizon apart: 4 independent, standard error 0.0645, kept 0.05 / 0.1291 = 0.387.
    assert fb.kept_share([0.8, 1.0, 0.9, 1.1], horizon=7, step=7) == pytest.approx(0.3873, abs=1e-4)
    # Weekly origins with 28-day windows overlap: 4 × 7/28 = 1 independent window, kept 0.05 / 0.2582.
    assert fb.kept_share([0.8, 1.0, 0.9, 1.1], horizon=28, step=7) == pytest.approx(0.1936, abs=1e-4)
    assert fb.kept_share([1.0, 1.2], 7, 7) == 0.0  # no gain: all to naive
    assert fb.kept_share([0.5], 7, 7) == 0.0  # one window is no evidence
    assert fb.kept_share([0.5, 0.5], 7, 7) == 1.0  # the same gain every time
    assert fb.kept_share([0.5, 0.7], 7, 7) == 1.0  # gain 0.4 over 2 × 0.1: capped at 1


def test_shrinking_hands_the_rest_to_naive():
    assert fb.shrunk({NAIVE: 1 / 3, "prophet": 2 / 3}, 0.5) == pytest.approx({NAIVE: 2 / 3, "prophet": 1 / 3})
    assert fb.shrunk({NAIVE: 0.0, "prophet": 1.0}, 0.0) == {NAIVE: 1.0}


def predictions() -> pl.DataFrame:
    """Two windows of two days, y = 10: naive off by (2, 2) and (0, 4), Prophet by (1, 0) and (1, 1)."""
    a, b = date(2024, 3, 4), date(2024, 3, 11)
    rows = [
        (a, NAIVE, [12, 8]),
        (a, "prophet", [11, 10]),
        (b, NAIVE, [10, 14]),
        (b, "prophet", [9, 11]),
    ]
    return pl.DataFrame(
        [
            {"cutoff": cut, "model": model, "ds": cut + timedelta(days=i), "y": 10.0, "yhat": float(v)}
            for cut, model, values in rows
            for i, v in enumerate(values)
        ]
    )


def test_blend_of_a_hand_back_test():
    blend = fb.blend(predictions(), "1d", step=1)
    # MAE naive 2, Prophet 0.75: shares 1/2 : 4/3 = 3/11 : 8/11.
    assert blend.accuracy_weights == pytest.approx({NAIVE: 3 / 11, "prophet": 8 / 11})
    # Window 1: blend 124/11, 104/11 → MAE 10/11 (ratio 5/11); window 2: 102/11, 130/11 → 14/11 (7/11).
    # Gain 6/11 over a standard error of 0.1286 (1 independent window: step 1 of horizon 2): kept whole.
    assert blend.kept == 1.0 and blend.weights == pytest.approx(blend.accuracy_weights)
    assert blend.windows == 2 and blend.beat_naive == 2
    assert blend.mae == pytest.approx(12 / 11) and blend.ratio == pytest.approx(6 / 11)
    assert blend.naive_mae == pytest.approx(2.0)


def test_blend_without_naive_among_the_candidates_is_not_shrunk():
    only = predictions().filter(pl.col("model") == "prophet")
    blend = fb.blend(only, "1d", step=1, shrink=False)
    assert blend.weights == {"prophet": 1.0} and blend.kept == 1.0 and blend.ratio is None
    assert fb.blend(only.clear()) is None


def test_interval_offsets_widen_until_the_held_out_windows_are_covered():
    one, two = date(2024, 3, 4), date(2024, 3, 11)
    errors = pl.DataFrame(
        {
            "cutoff": [one] * 4 + [two] * 4,
            "lead": [0, 1, 2, 3] * 2,
            "error": [-0.9, 0.0, 0.0, 0.9, -2.0, 0.0, 0.0, 2.0],
        }
    )
    offsets, widen, coverage = fb.interval_offsets(errors, levels=(0.6,), bucket=7)
    # Window 1 judged by window 2's 20%/50%/80% quantiles (−0.8, 0, 0.8) holds 2 of 4 errors, window 2 by
    # window 1's (−0.36, 0, 0.36) 2 of 4: 50% < 60%. Stretched in steps of 0.05 to ×1.15 (±0.92), window
    # 1's ±0.9 fall inside: 6 of 8.
    assert widen == {0.6: 1.15} and coverage == {0.6: 0.75}
    # All eight errors: quantiles −0.54, 0, 0.54 (linear), × 1.15. Fewer than 20 errors: no per-week rows.
    assert offsets.rows() == [(0.6, None, pytest.approx(-0.621), pytest.approx(0.621))]


def test_forecast_adds_the_offsets_per_week_ahead_and_clips_at_zero():
    offsets = pl.DataFrame(
        {
            "level": [0.8, 0.8, 0.8],
            "bucket": [None, 0, 1],
            "lower": [-5.0, -1.0, -3.0],
            "upper": [5.0, 2.0, 4.0],
        }
    )
    blend = fb.Blend(
        weights={NAIVE: 0.25, "prophet": 0.75},
        accuracy_weights={},
        kept=1.0,
        windows=2,
        beat_naive=2,
        mae=1.0,
        naive_mae=2.0,
        ratio=0.5,
        offsets=offsets,
        widen={0.8: 1.0},
        coverage={0.8: 0.8},
    )
    ds = pl.Series("ds", [date(2024, 4, 1) + timedelta(days=i) for i in range(3)])
    ahead = {
        NAIVE: pl.DataFrame({"ds": ds, "yhat": [4.0, 8.0, 4.0]}),
        "prophet": pl.DataFrame({"ds": ds, "yhat": [8.0, 4.0, 0.0]}),
    }
    out = fb.forecast(blend, ahead, 0.8, bucket=2)
    # yhat = 0.25 × naive + 0.75 × Prophet = 7, 5, 1; leads 0–1 in bucket 0, lead 2 in bucket 1.
    assert out["yhat"].to_list() == [7.0, 5.0, 1.0]
    assert out["lower"].to_list() == [6.0, 4.0, 0.0]  # 1 − 3 clipped at 0
    assert out["upper"].to_list() == [9.0, 7.0, 5.0]
