"""AppTest for the Forecast page: a forecast with its accuracy and staffing, a split, too little history."""

import polars as pl
import pytest
from test_pages import goto, start, texts

from lib.analysis.tables import header
from lib.i18n import t

pytestmark = pytest.mark.slow  # each run fits Prophet a few dozen times


def test_forecast_page_shows_forecast_accuracy_and_staffing():
    at = goto(start("en"), "pages/forecast.py", "en")
    assert not at.exception, at.exception
    shown = texts(at)
    assert "back-tests (28 days ahead each)" in shown
    assert (
        "Holidays: China (mainland) — " in shown
    )  # the calendar used and why (auto, from the sample's days)
    assert "The forecast is a blend of " in shown and "weekly back-test windows" in shown
    assert "In the back-test the 80% interval held" in shown
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 2, "forecast and staffing charts"
    headings = [h.value for h in at.subheader]
    assert "Forecast" in headings and "Staff needed" in headings


def test_forecast_split_by_channel_reconciles_to_the_total():
    at = goto(start("zh"), "pages/forecast.py", "zh")
    at.selectbox(key="forecast_split").set_value("channel").run()
    assert not at.exception, at.exception
    assert "按渠道分别预测" in [h.value for h in at.subheader]
    assert "各部分按每天的比例缩放" in texts(at)
    shown = texts(at)
    assert "节假日：中国大陆——" in shown and "加权组合" in shown and "回测中，80% 区间覆盖了" in shown
    # The forecast table the page shows: each day, the channels' forecasts add up to the total's.
    day, series, tickets = (header(column, "zh") for column in ("date", "series", "yhat"))
    shown = pl.from_pandas(next(d.value for d in at.dataframe if series in d.value.columns))
    total = t("forecast.total", "zh")
    parts = shown.filter(pl.col(series) != total)
    assert parts[series].n_unique() >= 2, "no segment forecasts"
    added = parts.group_by(day).agg(pl.col(tickets).sum().alias("parts"))
    both = shown.filter(pl.col(series) == total).join(added, on=day, how="full", coalesce=True)
    assert both.height == 28 and both[tickets].null_count() == both["parts"].null_count() == 0
    # Each value is shown rounded to 2 decimals: up to 0.005 off per segment and on the total.
    assert (both[tickets] - both["parts"]).abs().max() <= 0.005 * (parts[series].n_unique() + 1) + 1e-9


def test_forecast_on_one_month_explains_what_is_missing():
    at = goto(start("en"), "pages/forecast.py", "en")
    at.radio(key="forecast_history").set_value("range").run()  # only October: 31 days
    assert not at.exception, at.exception
    assert any("Less than 8 weeks of history" in w.value for w in at.warning)
    assert not at.get("vega_lite_chart")
