"""Tests for lib.charts.trends: volume and KPI lines, stacked bars, multi-line charts, as specs."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from chart_samples import CHANNELS, channel_weeks, daily_volume, layer_marks, monthly_csat, only_dataset

from lib import charts

# ---- volume_trend -----------------------------------------------------------------------


def test_volume_trend_spec():
    spec = charts.volume_trend(
        daily_volume(), x="日期", y="工单数", x_title="日期", y_title="工单数", title="每日工单量"
    ).to_dict()
    assert spec["mark"]["type"] == "line"
    assert spec["mark"]["point"]["opacity"] == 1  # few periods: points visible
    assert spec["encoding"]["x"]["type"] == "temporal"
    assert spec["encoding"]["y"]["type"] == "quantitative"
    assert spec["encoding"]["x"]["title"] == "日期"
    assert spec["encoding"]["x"]["axis"]["format"] == "%Y-%m-%d"
    assert len(spec["encoding"]["x"]["axis"]["values"]) == 7  # one tick per day
    tooltip_formats = [item.get("format") for item in spec["encoding"]["tooltip"]]
    assert tooltip_formats == ["%Y-%m-%d", ",d"]
    assert spec["title"] == "每日工单量"
    assert spec["width"] == "container"
    assert spec["config"]["font"] == charts.FONT


def test_volume_trend_many_periods_hides_points_but_keeps_tooltips():
    spec = charts.volume_trend(
        daily_volume(90), x="日期", y="工单数", x_title="d", y_title="n", title="t"
    ).to_dict()
    assert spec["mark"]["point"]["opacity"] == 0
    assert "values" not in spec["encoding"]["x"]["axis"]
    assert spec["encoding"]["tooltip"]


def test_volume_trend_month_format_and_sorted_rows():
    frame = pl.DataFrame(
        {"m": [dt.date(2024, 3, 1), dt.date(2024, 1, 1), dt.date(2024, 2, 1)], "n": [3, 1, 2]}
    )
    spec = charts.volume_trend(
        frame, x="m", y="n", x_title="月", y_title="n", title="t", time_unit="month"
    ).to_dict()
    assert spec["encoding"]["x"]["axis"]["format"] == "%Y-%m"
    assert [row["count"] for row in only_dataset(spec)] == [1, 2, 3]


def test_volume_trend_rejects_unknown_time_unit():
    with pytest.raises(ValueError, match="time_unit"):
        charts.volume_trend(
            daily_volume(), x="日期", y="工单数", x_title="", y_title="", title="", time_unit="fortnight"
        )


# ---- kpi_trend --------------------------------------------------------------------------


def test_kpi_trend_without_target_is_a_single_line():
    spec = charts.kpi_trend(
        monthly_csat(),
        x="月份",
        y="满意度",
        x_title="月份",
        y_title="满意度",
        title="CSAT",
        time_unit="month",
    ).to_dict()
    assert spec["mark"]["type"] == "line"
    assert spec["encoding"]["y"]["scale"]["zero"] is False
    assert spec["encoding"]["y"]["axis"]["format"] == ",.1f"
    assert "layer" not in spec


def test_kpi_trend_with_target_has_dashed_rule_and_label():
    spec = charts.kpi_trend(
        monthly_csat(),
        x="月份",
        y="满意度",
        x_title="月份",
        y_title="满意度",
        title="CSAT",
        target=4.3,
        y_format=".2f",
        time_unit="month",
        target_title="目标",
    ).to_dict()
    assert layer_marks(spec) == ["line", "rule", "text"]
    rule = spec["layer"][1]
    assert rule["mark"]["strokeDash"]
    assert rule["mark"]["color"] == charts.COLORS["target"]
    assert rule["encoding"]["y"]["field"] == "target"
    targets = [rows for rows in spec["datasets"].values() if rows and "target" in rows[0]]
    assert targets == [[{"target": 4.3, "label": "目标"}]]
    assert spec["layer"][0]["encoding"]["tooltip"][1]["format"] == ".2f"


def test_kpi_trend_text_periods_keep_frame_order():
    frame = pl.DataFrame({"week": ["2024-W10", "2024-W09", "2024-W11"], "rate": [0.8, 0.75, 0.9]})
    spec = charts.kpi_trend(
        frame, x="week", y="rate", x_title="周", y_title="解决率", title="t", target=0.85, y_format=".0%"
    ).to_dict()
    x = spec["layer"][0]["encoding"]["x"]
    assert x["type"] == "ordinal"
    assert x["sort"] == ["2024-W10", "2024-W09", "2024-W11"]
    assert layer_marks(spec) == ["line", "rule"]  # no target_title: no label


def test_timezone_aware_periods_keep_their_wall_clock_time():
    # Regression: aware datetimes were written with "+0800" and drawn 8 h early.
    hours = pl.DataFrame(
        {"hour": [dt.datetime(2024, 1, 1, 9), dt.datetime(2024, 1, 1, 10)], "n": [4, 6]}
    ).with_columns(pl.col("hour").dt.replace_time_zone("Asia/Shanghai"))
    spec = charts.volume_trend(
        hours, x="hour", y="n", x_title="小时", y_title="工单数", title="t", time_unit="hour"
    ).to_dict()
    assert [row["period"] for row in only_dataset(spec)] == ["2024-01-01T09:00:00", "2024-01-01T10:00:00"]
    assert spec["encoding"]["x"]["axis"]["values"][0]["hours"] == 9


# ---- stacked_bars -----------------------------------------------------------------------


def test_stacked_bars_over_weeks_sum_duplicates_and_keep_colours_stable():
    spec = charts.stacked_bars(
        channel_weeks(),
        x="周",
        series="渠道",
        value="工单数",
        x_title="周",
        value_title="工单数",
        series_title="渠道",
        title="",
        series_labels=CHANNELS,
        time_unit="week",
    ).to_dict()
    encoding = spec["encoding"]
    assert spec["mark"]["type"] == "bar"
    assert encoding["x"]["timeUnit"] == {"unit": "yearmonthdate", "step": 7, "binned": True}
    assert encoding["x"]["axis"]["format"] == "%Y-%m-%d"
    assert encoding["y"]["stack"] == "zero"
    assert encoding["y"]["axis"]["format"] == ",d"
    # chat has no rows: email keeps the third colour (its place in the labels), not the second.
    assert encoding["color"]["scale"] == {
        "domain": ["电话", "邮件"],
        "range": [charts.CATEGORY_COLORS[0], charts.CATEGORY_COLORS[2]],
    }
    assert encoding["order"] == {"field": "rank", "type": "quantitative", "sort": "descending"}
    rows = only_dataset(spec)
    # Week 1: email 3 + 2 = 5 and phone 5 (half each); week 2: phone 6 (all of it).
    assert [(row["period"], row["label"], row["value"], row["share"], row["rank"]) for row in rows] == [
        ("2024-01-01T00:00:00", "邮件", 5, 0.5, 2),
        ("2024-01-01T00:00:00", "电话", 5, 0.5, 0),
        ("2024-01-08T00:00:00", "电话", 6, 1.0, 0),
    ]
    assert len(encoding["tooltip"]) == 3  # no share unless normalized


def test_stacked_bars_with_meaningful_colours_for_some_series():
    spec = charts.stacked_bars(
        channel_weeks(),
        x="周",
        series="渠道",
        value="工单数",
        x_title="周",
        value_title="工单数",
        series_title="渠道",
        title="",
        series_labels=CHANNELS,
        time_unit="week",
        series_colors={"email": charts.COLORS["bad"]},
    ).to_dict()
    # email is drawn in the "bad" colour; phone keeps its place in the palette
    assert spec["encoding"]["color"]["scale"]["range"] == [charts.CATEGORY_COLORS[0], charts.COLORS["bad"]]


def test_stacked_bars_normalized_over_categories():
    frame = pl.DataFrame(
        {"区域": ["华南", "华东", "华南"], "保修": ["保外", "保内", "保内"], "成本": [1.5, 2.0, 0.5]}
    )
    spec = charts.stacked_bars(
        frame,
        x="区域",
        series="保修",
        value="成本",
        x_title="区域",
        value_title="成本",
        series_title="保修",
        title="",
        normalize=True,
        share_title="占比",
    ).to_dict()
    encoding = spec["encoding"]
    assert (encoding["x"]["type"], encoding["x"]["sort"]) == ("nominal", ["华南", "华东"])  # frame order
    assert encoding["y"]["stack"] == "normalize"
    assert encoding["y"]["axis"]["format"] == ".0%"
    assert encoding["tooltip"][-1] == {
        "field": "share",
        "type": "quantitative",
        "title": "占比",
        "format": ".1%",
    }
    assert encoding["color"]["scale"]["domain"] == ["保内", "保外"]  # no labels: sorted
    shares = {(row["period"], row["category"]): row["share"] for row in only_dataset(spec)}
    assert shares == {("华南", "保外"): 0.75, ("华东", "保内"): 1.0, ("华南", "保内"): 0.25}


def test_stacked_bars_needs_a_time_unit_for_dates_and_tolerates_clashing_names():
    with pytest.raises(ValueError, match="time_unit"):
        charts.stacked_bars(
            channel_weeks(),
            x="周",
            series="渠道",
            value="工单数",
            x_title="",
            value_title="",
            series_title="",
            title="",
        )
    clashing = pl.DataFrame({"label": ["a"], "value": ["s"], "category": [1]})
    spec = charts.stacked_bars(
        clashing,
        x="label",
        series="value",
        value="category",
        x_title="",
        value_title="",
        series_title="",
        title="",
    ).to_dict()
    assert [(row["period"], row["category"], row["value"]) for row in only_dataset(spec)] == [("a", "s", 1)]
    empty = charts.stacked_bars(
        channel_weeks().clear(),
        x="周",
        series="渠道",
        value="工单数",
        x_title="",
        value_title="",
        series_title="",
        title="",
        time_unit="week",
    ).to_dict()
    assert empty["encoding"]["color"]["scale"]["domain"] == []


# ---- multi_line -------------------------------------------------------------------------


def test_multi_line_one_colour_per_series_in_label_order():
    frame = pl.DataFrame(
        {
            "周": [dt.date(2024, 1, 8), dt.date(2024, 1, 1), dt.date(2024, 1, 1)],
            "工程师": ["李四", "张三", "李四"],
            "工单数": [4, 3, 5],
        }
    )
    spec = charts.multi_line(
        frame,
        x="周",
        series="工程师",
        y="工单数",
        x_title="周",
        y_title="工单数",
        series_title="工程师",
        title="工作量",
        series_labels={"张三": "张三", "李四": "李四"},
        time_unit="week",
    ).to_dict()
    encoding = spec["encoding"]
    assert spec["mark"]["type"] == "line"
    assert spec["mark"]["point"]["opacity"] == 1
    assert encoding["x"]["type"] == "temporal"
    assert encoding["color"]["scale"]["domain"] == ["张三", "李四"]
    assert encoding["color"]["sort"] == ["张三", "李四"]
    assert [item.get("format") for item in encoding["tooltip"]] == ["%Y-%m-%d", None, ",d"]
    assert [(row["period"][:10], row["category"]) for row in only_dataset(spec)] == [
        ("2024-01-01", "张三"),
        ("2024-01-01", "李四"),
        ("2024-01-08", "李四"),
    ]


def test_multi_line_text_periods_keep_frame_order():
    frame = pl.DataFrame({"p": ["2024-W10", "2024-W09"], "s": ["a", "a"], "y": [1.5, 2.0]})
    spec = charts.multi_line(
        frame, x="p", series="s", y="y", x_title="", y_title="", series_title="", title="", time_unit=None
    ).to_dict()
    assert spec["encoding"]["x"]["sort"] == ["2024-W10", "2024-W09"]
    assert spec["encoding"]["y"]["axis"]["format"] == ",.1f"


def test_many_monthly_periods_get_a_valid_tick_interval():
    # Regression: over 16 months the axis asked for tickCount {"interval": "month"} without
    # a step, which Vega-Lite's schema rejects, so a two-year monthly chart raised.
    frame = pl.DataFrame({"m": pl.date_range(dt.date(2024, 1, 1), dt.date(2025, 12, 1), "1mo", eager=True)})
    frame = frame.with_columns(n=pl.lit(1))
    spec = charts.volume_trend(
        frame, x="m", y="n", x_title="", y_title="", title="", time_unit="month"
    ).to_dict()
    assert spec["encoding"]["x"]["axis"]["tickCount"] == {"interval": "month", "step": 1}


def test_multi_line_past_eight_series_dashes_tell_repeated_colours_apart():
    names = [f"工程师{i:02d}" for i in range(10)]
    frame = pl.DataFrame({"周": [dt.date(2024, 1, 1)] * 10, "工程师": names, "工单数": list(range(10))})
    spec = charts.multi_line(
        frame,
        x="周",
        series="工程师",
        y="工单数",
        x_title="",
        y_title="",
        series_title="",
        title="",
        time_unit="week",
    ).to_dict()
    colors, dashes = spec["encoding"]["color"]["scale"], spec["encoding"]["strokeDash"]["scale"]
    assert colors["domain"] == dashes["domain"] == names
    assert colors["range"][8] == colors["range"][0]  # colours repeat after eight …
    assert dashes["range"] == [[1, 0]] * 8 + [[6, 3]] * 2  # … so the ninth and tenth are dashed


def test_kpi_trend_axis_title_cannot_push_the_chart_title_out():
    # Regression: in the app "Resolution SLA rate (T3)" was the title and the y-axis title of a
    # 180 px chart; the vertical axis title, longer than the ~100 px plot, pushed the title off the top.
    frame = monthly_csat()
    long = "Resolution SLA rate (T3)"
    spec = charts.kpi_trend(
        frame, x="月份", y="满意度", x_title="", y_title=long, title=long, target=4.3, time_unit="month"
    ).to_dict()
    line = spec["layer"][0]["encoding"]["y"]
    assert line["title"] is None  # the chart title names the KPI already
    assert line["axis"]["titleLimit"] == charts.KPI_AXIS_TITLE_LIMIT <= charts.KPI_HEIGHT / 2
    assert spec["layer"][0]["encoding"]["tooltip"][1]["title"] == long  # tooltips keep the name
    other = charts.kpi_trend(
        frame, x="月份", y="满意度", x_title="", y_title="工单数", title="趋势", time_unit="month"
    ).to_dict()
    assert other["encoding"]["y"]["title"] == "工单数"
    assert other["encoding"]["y"]["axis"]["titleLimit"] == charts.KPI_AXIS_TITLE_LIMIT
