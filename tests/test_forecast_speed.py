"""Issue 20b: what makes the forecast quicker leaves what CmdStan reads, or what a short history gets, unchanged."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
import stanio
from polars.testing import assert_frame_equal

from lib.predict import forecast as fc
from lib.predict import forecast_models, forecast_view


def _written(writer, path, data) -> bytes:
    writer(str(path), data)
    return path.read_bytes()


PROPHET_LIKE = {  # the shapes Prophet's CmdStanPy backend passes (`prepare_data`: ints, floats, tolist())
    "T": 3,
    "S": 2,
    "K": 2,
    "tau": 0.05,
    "trend_indicator": 0,
    "y": [0.1, 0.30000000000000004, 1 / 3],
    "t": [0.0, 0.5, 1.0],
    "cap": [0.0, 0.0, 0.0],
    "t_change": [0.25, 0.75],
    "s_a": [1.0, 1.0],
    "s_m": [0.0, 0.0],
    "X": [[1e-17, -2.5], [1234567.891, 0.0], [float("nan"), 7.0]],
    "sigmas": [10.0, 10.0],
}


def test_the_data_file_is_byte_for_byte_stanios(tmp_path):
    ours = _written(forecast_models.write_stan_json, tmp_path / "ours.json", PROPHET_LIKE)
    theirs = _written(stanio.write_stan_json, tmp_path / "theirs.json", PROPHET_LIKE)
    assert ours == theirs
    assert b"1e-17" in ours and b"0.30000000000000004" in ours


@pytest.mark.parametrize(
    "value",
    [True, (1.0, 2.0), np.array([1.0, 2.0]), [[True, False]], np.int64(3)],
    ids=["bool", "tuple", "array", "nested bools", "numpy int"],
)
def test_what_the_c_encoder_would_write_differently_goes_to_stanio(tmp_path, value):
    forecast_models._prophet_class()  # keeps stanio's writer for the fallback
    data = {"T": 2, "v": value}
    ours = _written(forecast_models.write_stan_json, tmp_path / "ours.json", data)
    assert ours == _written(stanio.write_stan_json, tmp_path / "theirs.json", data)


def test_cmdstanpy_writes_prophets_data_with_it():
    forecast_models._prophet_class()
    from cmdstanpy.utils import filesystem

    assert filesystem.write_stan_json is forecast_models.write_stan_json


# --- the fit window on long histories -----------------------------------------------------


def _series(days: int, first: float = 0.0) -> pl.DataFrame:
    """`days` of a weekly pattern (Mon..Sun 14, 12, 10, 10, 9, 3, 2) + 0, 1, 2 in turn; day 1 reads `first` more."""
    shape = np.array([14.0, 12.0, 10.0, 10.0, 9.0, 3.0, 2.0])
    values = np.resize(shape, days) + np.arange(days) % 3  # a 3-day ripple: naive's error is not 0
    values[0] += first
    start = date(2020, 1, 6)  # a Monday
    return pl.DataFrame({"ds": [start + timedelta(days=i) for i in range(days)], "y": values})


NAIVE_ONLY = (forecast_models.NAIVE,)


def test_three_years_are_fitted_whole():
    assert fc.FIT_WINDOW_DAYS == 1096
    series = _series(fc.FIT_WINDOW_DAYS, first=500.0)
    result = fc.forecast(series, horizon=7, candidates=NAIVE_ONLY)
    assert result.history.height == 1096 and result.history["ds"][0] == date(2020, 1, 6)
    assert result.reasons == ()
    assert "three years" not in forecast_view.accuracy_sentence(result, "en")


def test_a_longer_history_is_fitted_on_its_last_three_years():
    # A spike on the first of 1,100 days widens naive's interval when fitted; outside the window it cannot.
    long = _series(1100, first=500.0)
    result = fc.forecast(long, horizon=7, candidates=NAIVE_ONLY)
    assert result.history.height == 1096 and result.history["ds"][0] == date(2020, 1, 10)
    assert result.reasons == ("long_history",)  # not "idle_start": the older days were left out on purpose
    assert forecast_view.accuracy_sentence(result, "en").startswith("Only the last three years of history")
    assert "最近三年" in forecast_view.accuracy_sentence(result, "zh")
    window = fc.forecast(long.tail(1096), horizon=7, candidates=NAIVE_ONLY)
    assert_frame_equal(result.prediction, window.prediction)
    # The model's own interval would see the spike (difference of 500 a week later): the window's does not.
    whole = forecast_models.seasonal_naive(long, 7)
    assert whole["upper"][0] > forecast_models.seasonal_naive(long.tail(1096), 7)["upper"][0] + 1


def test_holidays_wholly_before_the_fitted_days_are_left_to_prophet_out():
    holidays = pl.DataFrame(
        {
            "holiday": ["old", "reaches_in", "inside", "ahead"],
            "ds": [date(2020, 1, 1), date(2020, 1, 28), date(2020, 3, 1), date(2021, 1, 1)],
            "lower_window": [0, -1, 0, -2],
            "upper_window": [3, 4, 0, 1],
        }
    )
    fitted = pl.Series("ds", [date(2020, 2, 1), date(2020, 6, 30)])
    # 28 Jan + 4 days = 1 Feb, the first fitted day: kept; 1 Jan + 3 days is before it; later ones all stay.
    kept = forecast_models._from_start(holidays, fitted)
    assert kept["holiday"].to_list() == ["reaches_in", "inside", "ahead"]
    assert forecast_models._from_start(None, fitted) is None
