"""Tests for lib.charts: specs via to_dict(), plus offline SVG/PNG export with Chinese text."""

from __future__ import annotations

import datetime as dt
import logging
import re
import struct

import polars as pl
import pytest

from lib import charts

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def daily_volume(days: int = 7) -> pl.DataFrame:
    start = dt.date(2024, 1, 1)
    return pl.DataFrame(
        {
            "日期": [start + dt.timedelta(days=i) for i in range(days)],
            "工单数": [(i * 37) % 50 + 10 for i in range(days)],
        }
    )


def categories() -> pl.DataFrame:
    # Month names sort 一月, 三月, 二月 by code point: the chart must not do that.
    return pl.DataFrame({"类别": ["一月", "二月", "三月", "物流", "安装"], "数量": [30, 55, 12, 80, 55]})


def monthly_csat() -> pl.DataFrame:
    return pl.DataFrame(
        {"月份": [dt.date(2024, m, 1) for m in range(1, 7)], "满意度": [4.1, 4.2, 4.0, 4.3, 4.35, 4.5]}
    )


def layer_marks(spec: dict) -> list[str]:
    return [layer["mark"]["type"] for layer in spec["layer"]]


def only_dataset(spec: dict) -> list[dict]:
    (rows,) = spec["datasets"].values()
    return rows


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


# ---- ranked_bars ------------------------------------------------------------------------


def test_ranked_bars_spec_sorted_explicitly_by_value():
    chart = charts.ranked_bars(
        categories(),
        category="类别",
        value="数量",
        category_title="问题类别",
        value_title="工单数",
        title="排行",
        top=4,
    )
    spec = chart.to_dict()
    assert layer_marks(spec) == ["bar", "text", "text"]
    bars = spec["layer"][0]["encoding"]
    y = bars["y"]
    assert y["type"] == "nominal"
    # Largest first, ties by name, cut to top 4, as an explicit list in every layer.
    assert y["sort"] == ["物流", "二月", "安装", "一月"]
    assert all(layer["encoding"]["y"]["sort"] == y["sort"] for layer in spec["layer"])
    assert bars["x"]["type"] == "quantitative"
    assert bars["x"]["title"] == "工单数"
    assert [item["title"] for item in bars["tooltip"]] == ["问题类别", "工单数"]
    assert [row["category"] for row in only_dataset(spec)] == y["sort"]
    labels = spec["layer"][1]["encoding"]["text"]
    assert labels["format"] == ",d"
    assert spec["title"] == "排行"
    assert spec["height"] == {"step": charts.BAR_STEP}


def test_ranked_bars_float_values_get_decimal_labels_and_override():
    frame = pl.DataFrame({"agent": ["张三", "李四"], "hours": [1.25, 3.5]})
    spec = charts.ranked_bars(
        frame, category="agent", value="hours", category_title="", value_title="", title=""
    ).to_dict()
    assert spec["layer"][1]["encoding"]["text"]["format"] == ",.1f"
    spec = charts.ranked_bars(
        frame,
        category="agent",
        value="hours",
        category_title="",
        value_title="",
        title="",
        value_format=".0%",
    ).to_dict()
    assert spec["layer"][0]["encoding"]["tooltip"][1]["format"] == ".0%"


def test_ranked_bars_column_names_with_dots_are_safe():
    # Vega-Lite reads "a.b" as a nested field; the builder renames columns internally.
    frame = pl.DataFrame({"product.line": ["A", None], "count[x]": [2, 1]})
    spec = charts.ranked_bars(
        frame, category="product.line", value="count[x]", category_title="", value_title="", title=""
    ).to_dict()
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["A", "—"]
    assert only_dataset(spec) == [{"category": "A", "value": 2}, {"category": "—", "value": 1}]


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


# ---- export -----------------------------------------------------------------------------


def bars_for_export():
    return charts.ranked_bars(
        categories(),
        category="类别",
        value="数量",
        category_title="问题类别",
        value_title="工单数",
        title="问题类别排行",
    )


def png_size(content: bytes) -> tuple[int, int]:
    return struct.unpack(">II", content[16:24])


def test_to_svg_contains_chinese_labels_and_export_width():
    svg = charts.to_svg(bars_for_export())
    assert svg.lstrip().startswith("<svg")
    assert "问题类别排行" in svg
    assert "物流" in svg
    width = re.search(r'<svg[^>]*\bwidth="(\d+)"', svg).group(1)
    assert int(width) == charts.EXPORT_WIDTH  # "container" does not collapse


def test_to_png_bytes_and_size():
    chart = charts.kpi_trend(
        monthly_csat(), x="月份", y="满意度", x_title="月份", y_title="满意度", title="客户满意度", target=4.3
    )
    png = charts.to_png(chart, scale=2)
    assert png.startswith(PNG_MAGIC)
    width, height = png_size(png)
    assert width == charts.EXPORT_WIDTH * 2
    assert 200 < height < 1000
    assert 10_000 < len(png) < 2_000_000


def test_export_without_cjk_font_folder_still_works(monkeypatch, caplog):
    monkeypatch.setattr(charts, "FONT_DIRECTORIES", ("/nonexistent/fonts",))
    monkeypatch.setattr(charts, "_fonts_registered", None)
    with caplog.at_level(logging.WARNING, logger="lib.charts"):
        png = charts.to_png(bars_for_export(), scale=1)
    assert png.startswith(PNG_MAGIC)
    assert charts.register_cjk_fonts() is False
    assert "CJK font" in caplog.text


def test_builders_leave_data_transformer_limit_on():
    import altair as alt

    assert alt.data_transformers.active == "default"
    assert alt.data_transformers.options.get("max_rows", 5000) == 5000


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
