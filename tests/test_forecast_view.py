"""What the Forecast page and CLI show: the CSV table, the accuracy in words, components as people read them."""

import json
from dataclasses import replace
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
    # is off by 1 on most days and by 2 on some: in the window of days 70–83 on days 72, 75, 77, 80 and 83
    # (19 in all), in the window of days 56–69 (14 days earlier) on days 57, 60, 65 and 68 (18). Mean of the
    # two cut-offs: (19/14 + 18/14) / 2 = 1.32.
    assert words.startswith(
        "Over the last 2 back-tests (14 days ahead each), repeating the same weekday last week"
    )
    assert "off by 1.3 tickets a day" in words
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


# --- the page: choices, what it draws and the staff needed -------------------------------


def test_split_options_every_and_time_unit():
    present = ["ticket_id", "agent", "region", "channel", "created_at"]
    assert forecast_view.split_options(present) == [None, "channel", "region"]  # DIMENSIONS order, no agent
    assert forecast_view.split_options([]) == [None]
    assert forecast_view.every("week") == "1w" and forecast_view.every("day") == "1d"
    assert forecast_view.time_unit("1w") == "week" and forecast_view.time_unit("1d") == "day"


def test_events_frame_types_the_editors_rows_and_the_key_is_hashable():
    edited = pl.DataFrame(
        {
            "name": ["双11", "新品发布"],
            "start": [date(2025, 11, 11), date(2026, 3, 1)],
            "end": [date(2025, 11, 13), None],
        }
    )
    events = forecast_view.events_frame(edited)
    assert events.schema == {"name": pl.String, "start": pl.Date, "end": pl.Date}
    assert forecast_view.events_key(events) == (
        ("双11", date(2025, 11, 11), date(2025, 11, 13)),
        ("新品发布", date(2026, 3, 1), None),  # an empty end stays empty
    )
    assert hash(forecast_view.events_key(events))
    empty = forecast_view.events_frame(edited.head(0))
    assert empty.schema == events.schema and forecast_view.events_key(empty) == ()
    with pytest.raises(KeyError):  # not from the editor, which always returns all three columns
        forecast_view.events_frame(edited.drop("end"))


def test_shown_history_anomalies_and_segments(naive_only):
    total = naive_only[forecast.TOTAL]
    assert forecast_view.shown_history(total).height == 84  # fewer than half a year: all of it
    weekly = replace(total, every="1w")
    assert forecast_view.shown_history(weekly)["ds"].to_list() == total.history["ds"].tail(26).to_list()
    history = total.history.tail(20)  # from day 64 on
    assert forecast_view.shown_anomalies(replace(total, anomalies=None), history) is None
    anomalies = pl.DataFrame(
        {"ds": [START, START + timedelta(64), START + timedelta(80), None], "y": [1.0] * 4}
    )
    shown = forecast_view.shown_anomalies(replace(total, anomalies=anomalies), history)
    assert shown["ds"].to_list() == [START + timedelta(64), START + timedelta(80)]  # a null day is not shown
    result = {
        forecast.TOTAL: total,
        "电话": total,
        "微信": replace(total, prediction=None),  # too little history: not drawn
        None: total,
    }
    assert [segment for segment, _ in forecast_view.segments(result)] == ["电话", None]


def test_volume_segment_and_component_figures(naive_only):
    total = naive_only[forecast.TOTAL]
    spec = forecast_view.volume_figure(total, forecast_view.shown_history(total), "en").to_dict()
    assert spec["title"] == "Tickets: actual and forecast (model: same weekday last week)"
    text = json.dumps(spec, ensure_ascii=False)
    assert "80% interval" in text and '"Day"' in text
    segment = forecast_view.segment_figure(total, "电话", "zh").to_dict()
    assert segment["title"] == "电话" and segment["height"] == 160
    assert "80% 区间" in json.dumps(segment, ensure_ascii=False)
    frame = pl.DataFrame({"period": ["Mon", "Tue"], "value": [1.5, None]})
    component = forecast_view.component_figure("weekly", frame, None, "en").to_dict()
    assert "Day of week" in json.dumps(component)


def test_staffing_plan_by_erlang_c_and_by_workload():
    item = forecast.Forecast(
        enough=True,
        reasons=(),
        every="1d",
        horizon=2,
        interval=0.8,
        history=pl.DataFrame({"ds": [START], "y": [1.0]}),
        prediction=pl.DataFrame(
            {
                "ds": [START + timedelta(1), START + timedelta(2)],
                "yhat": [24.0, -3.0],
                "lower": [0.0] * 2,
                "upper": [30.0] * 2,
            }
        ),
    )
    # 24 tickets over 8–20 h: 2 an hour × 6 min = 0.2 erlang. One agent: C = 0.2, service level
    # 1 − 0.2·exp(−0.8·20/360) = 0.809 ≥ 80 % → 1 on the phones ÷ (1 − 30 %) = 1.43 → 2. The −3 is 0 tickets.
    plan = forecast_view.staffing_plan(item, forecast_view.Staffing("erlang_c", 6.0, 30))
    assert plan.columns == ["ds", "tickets", "agents"]
    assert plan["tickets"].to_list() == [24.0, 0.0] and plan["agents"].to_list() == [2, 0]
    # At 90 % one agent (80.9 %) is too few; two answer 98.4 % → 2 ÷ 0.7 = 2.86 → 3.
    assert forecast_view.staffing_plan(item, forecast_view.Staffing("erlang_c", 6.0, 30, level_percent=90))[
        "agents"
    ].to_list() == [3, 0]
    # Workload: 24 × 30 min = 12 h ÷ (6.5 h × 0.7 = 4.55 h) = 2.64 → 3.
    workload = forecast_view.staffing_plan(item, forecast_view.Staffing("workload", 30.0, 30))
    assert workload["agents"].to_list() == [3, 0]
    spec = forecast_view.staffing_figure(workload, "day", "en").to_dict()
    assert spec["title"] == "People needed" and spec["encoding"]["y"]["title"] == "People"


def test_backtest_table_names_models_and_leaves_out_the_candidates_coverage(naive_only):
    table = forecast_view.backtest_table(naive_only[forecast.TOTAL], "zh")
    # Prophet is back-tested without intervals: a per-candidate coverage would read 0%. The blend's is in words.
    assert "coverage" not in table.columns and set(table["model"]) == {"重复上周同一天"}
    assert table.height == 2  # two cut-offs
