"""Issue 20, short histories and intervals: what the forecast may trust, checked on small series whose answer is known.

- a holiday seen only in the last days is not fitted (it could not be told from a change of level);
- under a year of history, models that stray from seasonal naive further than anywhere in the back-test give way
  to it, and the page says so;
- the back-test's dominated Prophet settings leave the contest early (fewer fits);
- intervals are calibrated on windows that do not share days, and cover about their level on seeded noise;
- Prophet's feature matrix built once per setting gives exactly the same fits.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lib.predict import forecast as fc
from lib.predict import forecast_backtest, forecast_blend, forecast_calendar, forecast_models, forecast_view

MONDAY = date(2024, 1, 1)
SHAPE = np.array([1.4, 1.2, 1.0, 1.0, 0.9, 0.3, 0.2])  # Mon..Sun


def daily(values, start: date = MONDAY) -> pl.DataFrame:
    return pl.DataFrame(
        {"ds": [start + timedelta(days=i) for i in range(len(values))], "y": [float(v) for v in values]}
    )


def holiday(name: str, days: list[date]) -> pl.DataFrame:
    return pl.DataFrame({"holiday": [name] * len(days), "ds": days, "lower_window": 0, "upper_window": 0})


# --- a holiday seen only at the end -----------------------------------------------------------


def test_a_holiday_seen_only_in_the_last_two_weeks_is_not_fitted():
    ds = pl.Series("ds", [MONDAY + timedelta(days=i) for i in range(100)])  # to 2024-04-09
    last = ds.max()
    table = pl.concat(
        [
            holiday("only_at_the_end", [last - timedelta(days=5), last - timedelta(days=4)]),
            holiday("seen_before", [MONDAY + timedelta(days=30), last - timedelta(days=2)]),
            holiday("ends_15_days_before", [last - timedelta(days=15)]),
            holiday("only_ahead", [last + timedelta(days=10)]),
        ]
    )
    kept = forecast_models._identified(table, ds)
    # Seen before (its effect can be learnt there), two weeks of days after it, or nothing to learn at all: kept.
    assert set(kept["holiday"]) == {"seen_before", "ends_15_days_before", "only_ahead"}
    assert forecast_models._identified(None, ds) is None
    # A weekly row stands for its week: 20 Mondays to 13 May cover the days to Sunday 19 May.
    weeks = pl.Series("ds", [MONDAY + timedelta(weeks=i) for i in range(20)])
    late = holiday("late", [date(2024, 5, 3)])  # 16 days before that Sunday, 10 before the last Monday
    assert forecast_models._identified(late, weeks, "1w").height == 1
    assert forecast_models._identified(late, weeks, "1d").is_empty()


def test_a_fall_that_starts_with_a_holiday_is_not_explained_away(monkeypatch):
    """22 weeks at 30 a day, then the last 10 days at half: a 'festival' covers exactly those 10 days.

    Fitted as a holiday, the fall is explained away and the old level forecast back (Prophet's trend does not
    bend in the last fifth of a history). Left out, the fall stays in the data Prophet fits.
    """
    weeks = 22
    values = np.tile(SHAPE * 30, weeks) + np.random.default_rng(3).normal(0, 1, 7 * weeks)
    values[-10:] *= 0.5
    series = daily(values)
    last = series["ds"].max()
    festival = holiday("festival", [last - timedelta(days=i) for i in range(10)])

    def next_week() -> float:
        predicted, _ = forecast_models.predict(
            forecast_models.PROPHET, series, 14, "1d", 0.8, festival, samples=0
        )
        return float(predicted["yhat"].head(7).sum())

    old, new = float((SHAPE * 30).sum()), float((SHAPE * 15).sum())
    ours = next_week()
    monkeypatch.setattr(forecast_models, "IDENTIFIED_AFTER_DAYS", 0)  # the festival fitted, as before
    fitted = next_week()
    assert fitted == pytest.approx(old, rel=0.05)
    assert ours < old - 0.3 * (old - new)


def test_the_calendar_choice_does_not_judge_the_last_two_weeks(monkeypatch):
    # 11 weeks at 300 a day, then the last 10 days (28 Mar – 6 Apr 2024) at a fifth: unusual against the weeks
    # before. Germany's Good Friday and Easter Monday fall on them; a fall of level there says nothing of holidays.
    level = np.tile(SHAPE * 300, 12)
    level[-10:] *= 0.2
    series = daily(np.random.default_rng(4).poisson(level).astype(float), start=date(2024, 1, 14))
    assert series["ds"].max() == date(2024, 4, 6)
    assert forecast_calendar.choose(series, "en").country is None
    monkeypatch.setattr(forecast_models, "IDENTIFIED_AFTER_DAYS", 0)  # judged to the last day, as before
    assert forecast_calendar.choose(series, "en").country == "DE"


# --- under a year: not beyond what the back-test saw ----------------------------------------------


def test_gaps_and_beyond_backtest_by_hand():
    ahead = {
        "seasonal_naive": np.array([10.0, 10.0]),
        "prophet": np.array([12.0, 14.0]),
        "flex": np.array([8.0, 8.0]),
    }
    # Models' part: (12+14)/2·… with shares 0.5 / 0.25 (renormalised 2/3, 1/3): 32/3, 36/3 → gaps 2/3 and 2.
    assert forecast_blend.gap(ahead, {"seasonal_naive": 0.25, "prophet": 0.5, "flex": 0.25}) == pytest.approx(
        4 / 3
    )
    assert forecast_blend.gap(ahead, {"seasonal_naive": 1.0}) is None  # no model with a share
    one, two = date(2024, 3, 4), date(2024, 3, 11)
    rows = [
        (one, "seasonal_naive", [10, 10]),
        (one, "prophet", [11, 11]),
        (two, "seasonal_naive", [10, 10]),
        (two, "prophet", [13, 7]),
    ]
    predictions = pl.DataFrame(
        [
            {"cutoff": cut, "model": m, "ds": cut + timedelta(days=i), "y": 10.0, "yhat": float(v)}
            for cut, m, values in rows
            for i, v in enumerate(values)
        ]
    )
    gaps = forecast_blend.window_gaps(predictions, {"seasonal_naive": 0.5, "prophet": 0.5})
    assert gaps == pytest.approx([1.0, 3.0])
    # Clearly further: more than 1.5 × the furthest window's 3.
    assert forecast_blend.beyond_backtest(4.6, gaps)
    assert not forecast_blend.beyond_backtest(4.5, gaps)
    assert not forecast_blend.beyond_backtest(None, gaps) and not forecast_blend.beyond_backtest(9.0, [])


def seven_months(fall: bool) -> pl.DataFrame:
    """Seven months growing steadily (no yearly signal); with `fall`, down to 40 % in the last 12 days."""
    weeks = 30
    level = np.linspace(20, 40, 7 * weeks) * np.tile(SHAPE, weeks)
    if fall:
        level[-12:] *= 0.4
    return daily(np.random.default_rng(11).poisson(level).astype(float))


@pytest.fixture(scope="module")
def fallen():
    return seven_months(fall=True)


def test_a_fall_at_the_end_of_seven_months_keeps_to_seasonal_naive(fallen):
    result = fc.forecast(fallen, 28)
    assert forecast_models.history_days(result.history, "1d") < fc.SEASON_SEEN_DAYS
    assert "beyond_backtest" in result.reasons
    assert result.model == forecast_models.NAIVE.name and result.blend.weights == {"seasonal_naive": 1.0}
    naive = forecast_models.seasonal_naive(fallen, 28)
    assert result.prediction["yhat"].to_list() == pytest.approx(naive["yhat"].to_list())
    # No yearly curve was fitted on seven months (none of the back-test's settings has one).
    assert all(
        forecast_models.settings(c, result.history.height, "1d")["yearly_seasonality"] is False
        for c in forecast_models.CANDIDATES
        if c.kind == "prophet"
    )
    for lang, words in (("en", "stray further"), ("zh", "回测的证据管不到这么远")):
        sentence = forecast_view.accuracy_sentence(result, lang)
        assert words in sentence
        assert forecast_view.accuracy_sentence(result, lang, short=True)


def test_the_same_seven_months_without_the_fall_are_not_held_back():
    result = fc.forecast(seven_months(fall=False), 28)
    assert "beyond_backtest" not in result.reasons
    assert result.blend.kept > 0 and len(result.blend.weights) > 1


# --- racing -----------------------------------------------------------------------------------


def test_a_setting_worse_than_naive_in_every_early_window_leaves_the_contest():
    one, two = date(2024, 3, 4), date(2024, 3, 11)
    actuals = {cut: pl.DataFrame({"y": [10.0, 10.0]}) for cut in (one, two)}
    errors = {  # MAE per window
        "seasonal_naive": (2.0, 2.0),
        "prophet": (1.0, 3.0),  # better once: stays
        "prophet_flexible": (1.5, 3.5),  # trails prophet everywhere but beat naive once: stays
        "prophet_multiplicative": (2.5, 2.1),  # worse than naive in both: leaves
        "prophet_yearly": (2.0, 9.0),  # level with naive once: not worse everywhere, stays
    }
    results = {
        (cut, name): pl.DataFrame({"yhat": [10.0 + e[i], 10.0 - e[i]]})
        for name, e in errors.items()
        for i, cut in enumerate((one, two))
    }
    order = [
        forecast_models.NAIVE,
        forecast_models.PROPHET,
        forecast_models.PROPHET_FLEXIBLE,
        forecast_models.PROPHET_MULTIPLICATIVE,
        forecast_models.PROPHET_YEARLY,
    ]
    kept = forecast_backtest._survivors([one, two], order, results, actuals)
    assert [c.name for c in kept] == ["seasonal_naive", "prophet", "prophet_flexible", "prophet_yearly"]
    # When every setting lost everywhere, the best of them stays (the page still compares one with naive).
    lost = [forecast_models.NAIVE, forecast_models.PROPHET_MULTIPLICATIVE, forecast_models.PROPHET_YEARLY]
    errors["prophet_yearly"] = (3.0, 9.0)
    results = {
        (cut, name): pl.DataFrame({"yhat": [10.0 + e[i], 10.0 - e[i]]})
        for name, e in errors.items()
        for i, cut in enumerate((one, two))
    }
    assert [c.name for c in forecast_backtest._survivors([one, two], lost, results, actuals)] == [
        "seasonal_naive",
        "prophet_multiplicative",
    ]
    # Without naive there is nothing to lose to.
    assert forecast_backtest._survivors([one, two], lost[1:], results, actuals) == lost[1:]


def test_the_race_fits_fewer_and_scores_survivors_on_every_window():
    values = np.tile(SHAPE * 30, 16) + np.random.default_rng(5).normal(0, 2, 7 * 16)
    series = daily(values)
    candidates = (forecast_models.NAIVE, forecast_models.PROPHET, forecast_models.PROPHET_FLEXIBLE)
    full = forecast_backtest.backtest(series, 14, 4, candidates, step_days=14, samples=0)
    raced = forecast_backtest.backtest(series, 14, 4, candidates, step_days=14, samples=0, race=2)
    assert raced.cutoffs == full.cutoffs
    per_model = raced.scores.group_by("model").len()
    assert set(per_model["len"]) == {4}  # whoever stayed was scored on all four windows
    survivors = set(per_model["model"])
    assert {"seasonal_naive", "prophet", "prophet_flexible"} >= survivors >= {"seasonal_naive"}
    # The survivors' back-test is the one without the race.
    assert_frame_equal(
        raced.predictions.sort("model", "cutoff", "ds"),
        full.predictions.filter(pl.col("model").is_in(list(survivors))).sort("model", "cutoff", "ds"),
    )


# --- intervals ------------------------------------------------------------------------------------


def test_held_out_windows_are_judged_by_windows_that_share_no_days():
    cuts = [date(2024, 3, 4) + timedelta(days=14 * k) for k in range(4)]
    errors = pl.DataFrame(
        [{"cutoff": c, "lead": i, "ds": c + timedelta(days=i), "error": 0.0} for c in cuts for i in range(28)]
    )
    # Window 2 (days 14–41) overlaps windows 1 and 3; only window 4 (42–69) shares none of its days.
    assert forecast_blend._apart(errors, cuts[1])["cutoff"].unique().to_list() == [cuts[3]]
    assert sorted(forecast_blend._apart(errors, cuts[0])["cutoff"].unique().to_list()) == cuts[2:]
    # Without day columns, or when every other window overlaps, all the others judge it.
    assert forecast_blend._apart(errors.drop("ds"), cuts[1])["cutoff"].n_unique() == 3
    assert (
        forecast_blend._apart(errors.filter(pl.col("cutoff") < cuts[2]), cuts[0])["cutoff"].to_list()
        == [cuts[1]] * 28
    )


@pytest.mark.parametrize("spread", [1.0, 5.0])
def test_intervals_cover_about_their_level_on_seeded_noise(spread):
    """Back-test errors and the days ahead drawn from the same noise: the 80 % interval holds 75–85 % of new days."""
    rng = np.random.default_rng(20240101)
    cuts = [date(2024, 1, 1) + timedelta(days=14 * k) for k in range(8)]
    errors = pl.DataFrame(
        [
            {"cutoff": c, "lead": i, "ds": c + timedelta(days=i), "error": float(rng.normal(0, spread))}
            for c in cuts
            for i in range(28)
        ]
    )
    offsets, widen, coverage = forecast_blend.interval_offsets(errors, (0.8,), bucket=7)
    assert 0.5 <= widen[0.8] <= 1.5 and coverage[0.8] >= 0.8 - 1e-9
    new = rng.normal(0, spread, (400, 28))
    rows = {row["bucket"]: row for row in offsets.iter_rows(named=True)}
    lower = np.array([rows.get(i // 7, rows[None])["lower"] for i in range(28)])
    upper = np.array([rows.get(i // 7, rows[None])["upper"] for i in range(28)])
    held = ((new >= lower) & (new <= upper)).mean()
    assert 0.75 <= held <= 0.85


def test_too_wide_intervals_are_narrowed():
    """Mostly exact days and a few far off (a quiet series with rare surprises): the held-out windows are covered
    well above 80 % at every width, and the search starts narrower than the quantiles, not at them."""
    cuts = [date(2024, 1, 1) + timedelta(days=28 * k) for k in range(6)]
    pattern = [0.0] * 12 + [-5.0, 5.0] + [0.0] * 12 + [-5.0, 5.0]
    errors = pl.DataFrame(
        [
            {"cutoff": c, "lead": i, "ds": c + timedelta(days=i), "error": e}
            for c in cuts
            for i, e in enumerate(pattern)
        ]
    )
    _, widen, coverage = forecast_blend.interval_offsets(errors, (0.8,), bucket=28)
    assert widen[0.8] == forecast_blend.WIDEN_MIN and coverage[0.8] == pytest.approx(24 / 28)
    result = fc.Forecast(
        enough=True,
        reasons=(),
        every="1d",
        horizon=28,
        interval=0.8,
        history=pl.DataFrame(),
        blend=forecast_blend.Blend({}, {}, 1.0, 6, 6, 1.0, 1.0, 1.0, pl.DataFrame(), widen, coverage),
    )
    assert "narrowed" in forecast_view.coverage_sentence(result, "en")
    assert "收窄" in forecast_view.coverage_sentence(result, "zh")


# --- the feature matrix built once ------------------------------------------------------------


def test_features_built_once_give_the_same_back_test_and_forecast():
    values = np.tile(SHAPE * 30, 12) + np.random.default_rng(9).normal(0, 2, 84)
    series = daily(values)
    closed = holiday("closed", [MONDAY + timedelta(days=d) for d in (16, 44, 72, 86)])
    candidates = (forecast_models.NAIVE, forecast_models.PROPHET, forecast_models.PROPHET_MULTIPLICATIVE)

    def run():
        tested = forecast_backtest.backtest(series, 14, 2, candidates, holidays=closed, samples=0)
        ahead, raw = forecast_models.predict(
            forecast_models.PROPHET, series, 14, "1d", 0.8, closed, in_sample=True, samples=0
        )
        return tested.predictions, ahead, raw

    forecast_models._FEATURES.clear()
    cached = run()
    assert forecast_models._FEATURES  # the matrix was kept...
    previous = forecast_models.FEATURE_CACHE
    forecast_models.FEATURE_CACHE = False
    try:
        built = run()
    finally:
        forecast_models.FEATURE_CACHE = previous
    for ours, prophets in zip(cached, built, strict=True):
        assert_frame_equal(ours, prophets)  # ...and changed nothing, to the last bit
