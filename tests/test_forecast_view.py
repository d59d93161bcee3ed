"""What the Forecast page and CLI show: the CSV table, the accuracy in words, components as people read them."""

from datetime import date, timedelta

import polars as pl
import pytest

from lib.predict import forecast, forecast_models, forecast_view

START = date(2026, 1, 5)  # a Monday


def weekly_pattern(days: int = 84) -> pl.DataFrame:
    """Twelve weeks of about 10 tickets on weekdays and 4 at weekends, with a 3-week wobble of 0–2."""
    ds = [START + timedelta(d) for d in range(days)]
    return pl.DataFrame(
        {"ds": ds, "y": [(4.0 if day.weekday() >= 5 else 10.0) + d % 3 for d, day in enumerate(ds)]}
    )


@pytest.fixture(scope="module")
def naive_only():
    series = weekly_pattern()
    return {forecast.TOTAL: forecast.forecast(series, 14, candidates=(forecast_models.NAIVE,), cutoffs=2)}


def test_forecast_table_is_the_csv_with_one_row_per_day(naive_only):
    table = forecast_view.forecast_table(naive_only)
    assert table.columns == ["date", "segment", "yhat", "lower", "upper", "model"]
    assert table.height == 14
    assert table["date"][0] == START + timedelta(84)  # the day after the history
    assert set(table["segment"]) == {"total"} and set(table["model"]) == {"seasonal_naive"}
    # the Monday after the history (day 84) repeats last Monday (day 77): 10 + 77 % 3 = 12
    assert table["yhat"][0] == 12.0


def test_shown_table_names_series_and_models_in_the_language(naive_only):
    shown = forecast_view.shown_table(naive_only, "zh")
    assert shown["series"][0] == "总计"
    assert shown["model"][0] == "重复上周同一天"


def test_accuracy_of_the_naive_winner_in_words(naive_only):
    words = forecast_view.accuracy_sentence(naive_only[forecast.TOTAL], "en")
    # The baseline repeats the history's last week over the whole 14-day window. With the wobble (d % 3) it
    # is off by 1 on most days and by 2 on five of the 14: in the window of days 70–83, days 72 and 75 (one
    # week on) and 77, 80 and 83 (two weeks on). Both cut-offs: 19 / 14 = 1.36.
    assert words.startswith(
        "Over the last 2 back-tests (14 days ahead each), repeating the same weekday last week"
    )
    assert "off by 1.4 tickets a day" in words
    assert "Prophet" not in words  # none was tried, so none is said to have lost


def test_weekly_component_per_weekday_and_yearly_over_the_last_year():
    days = [date(2025, 1, 1) + timedelta(d) for d in range(730)]
    frame = pl.DataFrame({"ds": days, "value": [float(day.weekday()) for day in days]})
    weekly, unit = forecast_view.component_view("weekly", frame, "en")
    assert unit is None
    assert weekly.rows() == [
        ("Mon", 0.0),
        ("Tue", 1.0),
        ("Wed", 2.0),
        ("Thu", 3.0),
        ("Fri", 4.0),
        ("Sat", 5.0),
        ("Sun", 6.0),
    ]
    yearly, unit = forecast_view.component_view("yearly", frame, "en")
    assert unit == "day" and yearly.height == 365 and yearly["period"].max() == days[-1]
