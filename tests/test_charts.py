"""Tests for lib.charts: specs via to_dict(), plus offline SVG/PNG export with Chinese text."""

from __future__ import annotations

import datetime as dt
import json
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


# ---- shared helpers for the drill-down and the newer builders ---------------------------

ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")


def visible_texts(spec) -> list[str]:
    """Every title in the spec, plus the quoted literals of Vega expressions (label texts)."""
    found = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "title" and isinstance(value, str):
                found.append(value)
            elif key in ("calculate", "expr") and isinstance(value, str):
                found += re.findall(r"'([^']*)'", value)
            else:
                found += visible_texts(value)
    elif isinstance(spec, list):
        for item in spec:
            found += visible_texts(item)
    return found


def datasets_with(spec: dict, field: str) -> list[list[dict]]:
    return [rows for rows in spec["datasets"].values() if rows and field in rows[0]]


def layer_with_params(spec: dict) -> dict:
    (view,) = [layer for layer in spec["layer"] if layer.get("name") in spec["params"][0].get("views", [])]
    return view


def box_stats() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "渠道": ["phone", "chat", None],
            "p10": [0.0, 0.5, 1.0],
            "p25": [0.25, 1.0, 2.0],
            "p50": [1.0, 2.0, 3.0],
            "p75": [3.0, 4.0, 4.0],
            "p90": [8.0, 6.0, 5.0],
            "mean": [2.5, 2.5, 3.0],
            "n": [120, 40, 1],
        }
    )


def weekday_hours() -> pl.DataFrame:
    # Two weekdays (Mon=1, Wed=3) and hours 9 and 10; Wed 10h has no row, Mon 10h a null value.
    return pl.DataFrame({"weekday": [1, 1, 3], "hour": [9, 10, 9], "hours": [2.5, None, 4.0]})


WEEKDAYS = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}


def channel_weeks() -> pl.DataFrame:
    monday = dt.date(2024, 1, 1)
    return pl.DataFrame(
        {
            "周": [monday, monday, monday, monday + dt.timedelta(weeks=1)],
            "渠道": ["email", "phone", "email", "phone"],
            "工单数": [3, 5, 2, 6],
        }
    )


CHANNELS = {"phone": "电话", "chat": "在线", "email": "邮件"}


def pareto_frame() -> pl.DataFrame:
    # Frame order is not value order; 物流 and 安装 tie at 30.
    return pl.DataFrame(
        {
            "类别": ["安装", "漏水", "物流", "其他"],
            "数量": [30, 50, 30, 10],
            "累计": [0.6667, 0.4167, 0.9167, 1.0],
            "关键": [True, True, False, False],
        }
    )


def driver_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "渠道": ["phone", "chat", "onsite", "app"],
            "一次解决率": [0.82, 0.91, 0.64, None],
            "工单数": [1200, 900, 12, 0],
            "样本少": [False, False, True, None],
        }
    )


# One Chinese-titled chart per builder, for the checks every builder must pass.
BUILDERS = {
    "ranked_bars": lambda select: charts.ranked_bars(
        categories(),
        category="类别",
        value="数量",
        category_title="问题类别",
        value_title="工单数",
        title="问题类别排行",
        select=select,
    ),
    "histogram": lambda select: charts.histogram(
        pl.DataFrame({"起": [0.0, 1.0, 2.0], "止": [1.0, 2.0, 4.0], "数": [5, 8, 3]}),
        start="起",
        end="止",
        count="数",
        markers=[("平均 1.8", 1.8), ("P90 3.5", 3.5)],
        log_scale=True,
        x_title="响应时长（小时）",
        y_title="工单数",
        title="响应时长分布",
    ),
    "box_summary": lambda select: charts.box_summary(
        box_stats(),
        group="渠道",
        p10="p10",
        p25="p25",
        p50="p50",
        p75="p75",
        p90="p90",
        mean="mean",
        count="n",
        group_title="渠道",
        value_title="响应时长（小时）",
        title="各渠道响应时长",
        mean_title="平均",
        count_title="工单数",
        group_labels=CHANNELS,
        select=select,
    ),
    "heatmap": lambda select: charts.heatmap(
        weekday_hours(),
        x="hour",
        y="weekday",
        value="hours",
        x_title="小时",
        y_title="星期",
        value_title="平均响应时长",
        title="响应时长热力图",
        y_labels=WEEKDAYS,
        select=select,
        missing_title="无数据",
    ),
    "stacked_bars": lambda select: charts.stacked_bars(
        channel_weeks(),
        x="周",
        series="渠道",
        value="工单数",
        x_title="周",
        value_title="工单数",
        series_title="渠道",
        title="每周工单",
        series_labels=CHANNELS,
        time_unit="week",
        normalize=True,
        share_title="占比",
    ),
    "pareto": lambda select: charts.pareto(
        pareto_frame(),
        category="类别",
        value="数量",
        cumulative="累计",
        vital="关键",
        category_title="问题类别",
        value_title="工单数",
        cumulative_title="累计占比",
        title="问题帕累托",
        select=select,
    ),
    "multi_line": lambda select: charts.multi_line(
        channel_weeks(),
        x="周",
        series="渠道",
        y="工单数",
        x_title="周",
        y_title="工单数",
        series_title="渠道",
        title="工作量",
        series_labels=CHANNELS,
        time_unit="week",
    ),
    "driver_bars": lambda select: charts.driver_bars(
        driver_frame(),
        category="渠道",
        value="一次解决率",
        count="工单数",
        category_title="渠道",
        value_title="一次解决率",
        count_title="工单数",
        title="各渠道一次解决率",
        value_format=".0%",
        small="样本少",
        target=0.8,
        target_title="目标",
        category_labels=CHANNELS,
        select=select,
    ),
}
SELECTABLE = ["ranked_bars", "box_summary", "heatmap", "pareto", "driver_bars"]


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_no_english_words_when_titles_are_chinese(name):
    texts = visible_texts(BUILDERS[name](False).to_dict())
    assert texts  # the walk found the titles
    assert [text for text in texts if ENGLISH_WORD.search(text)] == []


def test_english_word_check_can_fail():
    spec = charts.ranked_bars(
        categories(), category="类别", value="数量", category_title="Category", value_title="数", title="排行"
    ).to_dict()
    assert "Category" in [text for text in visible_texts(spec) if ENGLISH_WORD.search(text)]


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_every_builder_exports_a_png(name):
    png = charts.to_png(BUILDERS[name](name in SELECTABLE), scale=1)
    assert png.startswith(PNG_MAGIC)
    width, height = png_size(png)
    assert width == charts.EXPORT_WIDTH
    assert 100 < height < 1000


# ---- drill-down selection ---------------------------------------------------------------


@pytest.mark.parametrize("name", SELECTABLE)
def test_selection_param_only_with_select(name):
    assert "params" not in BUILDERS[name](False).to_dict()
    spec = BUILDERS[name](True).to_dict()
    (param,) = spec["params"]
    assert param["name"] == charts.SELECTION == "pick"
    assert param["select"]["type"] == "point"
    assert param["select"]["on"] == "click"
    assert param["select"]["clear"] == "dblclick"
    expected = list(charts.HEATMAP_FIELDS) if name == "heatmap" else [charts.SELECTION_FIELD]
    assert param["select"]["fields"] == expected
    # Picked marks full, the rest faded, all full while nothing is picked.
    view = spec if "layer" not in spec else layer_with_params(spec)
    assert view["encoding"]["opacity"] == {
        "condition": [{"param": "pick", "empty": True, "value": 1.0}],
        "value": charts.FADED,
    }


@pytest.mark.parametrize("name", SELECTABLE)
def test_streamlit_accepts_the_selection(name):
    from streamlit.elements.vega_charts import _parse_selection_mode, _stabilize_vega_json_spec

    spec = json.loads(_stabilize_vega_json_spec(json.dumps(BUILDERS[name](True).to_dict())))
    assert _parse_selection_mode(spec, charts.SELECTION) == ["pick"]


def test_selection_field_carries_the_raw_value_not_the_label():
    spec = BUILDERS["driver_bars"](True).to_dict()
    (rows,) = datasets_with(spec, "category")
    assert [(row["category"], row["label"]) for row in rows] == [
        ("phone", "电话"),
        ("chat", "在线"),
        ("onsite", "onsite"),
        ("app", "app"),
    ]
    assert spec["layer"][0]["encoding"]["y"]["field"] == "label"


def test_ranked_bars_select_keeps_labels_unfaded_layers_without_params():
    spec = BUILDERS["ranked_bars"](True).to_dict()
    assert spec["params"][0]["views"] == [spec["layer"][0]["name"]]
    assert all("name" not in layer for layer in spec["layer"][1:])


# ---- histogram --------------------------------------------------------------------------


def test_histogram_linear_bars_and_marker_rules():
    bins = pl.DataFrame({"s": [0.0, 4.0, 8.0], "e": [4.0, 8.0, 12.0], "n": [10, 6, 2]})
    spec = charts.histogram(
        bins,
        start="s",
        end="e",
        count="n",
        markers=[("平均 5.2", 5.2), ("P90 11.0", 11.0), ("空", None)],
        x_title="时长",
        y_title="工单数",
        title="分布",
    ).to_dict()
    assert layer_marks(spec) == ["bar", "rule", "text", "rule", "text"]  # the None marker is skipped
    bars = spec["layer"][0]["encoding"]
    assert (bars["x"]["field"], bars["x2"]["field"], bars["y2"]) == ("x0", "x1", {"datum": 0})
    assert bars["x"]["scale"] == {"type": "linear", "domain": [0.0, 12.0], "nice": False}
    # Two label rows of 15 px (+4) out of 260 px: the tallest bar (10) ends below them.
    assert bars["y"]["scale"]["domainMax"] == pytest.approx(10 / (1 - 34 / 260))
    assert [item["title"] for item in bars["tooltip"]] == ["时长", "工单数"]
    (rows,) = datasets_with(spec, "bin_start")
    assert [(row["x0"], row["x1"], row["tickets"]) for row in rows] == [(0, 4, 10), (4, 8, 6), (8, 12, 2)]
    mean_rule, mean_text, p90_rule, p90_text = spec["layer"][1:]
    assert mean_rule["mark"]["color"] == mean_text["mark"]["color"] == charts.MARKER_COLORS[0]
    assert p90_rule["mark"]["color"] == charts.MARKER_COLORS[1]
    # Rows by value: 5.2 on top (y 2), 11.0 below (y 17); each rule starts at its label.
    assert (mean_text["encoding"]["y"], p90_text["encoding"]["y"]) == ({"value": 2}, {"value": 17})
    assert mean_rule["encoding"]["y"] == {"value": 2}
    # 11 of 12 is past 80 % of the width: that label goes left of its rule.
    assert (mean_text["mark"]["align"], p90_text["mark"]["align"]) == ("left", "right")


def test_histogram_marker_rows_follow_values_not_argument_order():
    bins = pl.DataFrame({"s": [0.0], "e": [100.0], "n": [1]})
    spec = charts.histogram(
        bins,
        start="s",
        end="e",
        count="n",
        markers=[("P90", 90.0), ("P50", 10.0)],
        x_title="",
        y_title="",
        title="",
    ).to_dict()
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    # P50 (10) takes the top row; P90 keeps the first marker colour.
    assert [(layer["encoding"]["y"]["value"], layer["mark"]["color"]) for layer in texts] == [
        (2, charts.MARKER_COLORS[1]),
        (17, charts.MARKER_COLORS[0]),
    ]


def test_histogram_log_scale_clamps_zero_edges_but_tooltips_keep_them():
    bins = pl.DataFrame({"s": [0.0, 0.5, 2.0, -2.0], "e": [0.5, 2.0, 4.0, 0.0], "n": [5, 8, 3, 1]})
    spec = charts.histogram(
        bins,
        start="s",
        end="e",
        count="n",
        markers=[("P10 0", 0.0)],
        log_scale=True,
        x_title="",
        y_title="",
        title="",
    ).to_dict()
    (rows,) = datasets_with(spec, "bin_start")
    # [-2, 0) cannot sit on a log axis; [0, 0.5) is drawn from 0.5 * 0.5 / 2 = 0.125: a factor 4,
    # as wide as [0.5, 2).
    assert [(row["bin_start"], row["x0"], row["x1"]) for row in rows] == [
        (0, 0.125, 0.5),
        (0.5, 0.5, 2),
        (2, 2, 4),
    ]
    assert spec["layer"][0]["encoding"]["x"]["scale"] == {
        "type": "log",
        "domain": [0.125, 4.0],
        "nice": False,
    }
    assert datasets_with(spec, "label") == [[{"value": 0.125, "label": "P10 0"}]]  # marker on the floor


def test_histogram_log_floor_with_a_single_positive_edge():
    bins = pl.DataFrame({"s": [0], "e": [5], "n": [7]})
    spec = charts.histogram(
        bins, start="s", end="e", count="n", log_scale=True, x_title="", y_title="", title=""
    )
    (rows,) = datasets_with(spec.to_dict(), "bin_start")
    assert (rows[0]["x0"], rows[0]["x1"]) == (0.5, 5)  # 5 / 10


def test_histogram_nulls_and_empty_frames():
    bins = pl.DataFrame({"s": [0.0, None, 2.0], "e": [1.0, 2.0, 3.0], "n": [4, 9, None]})
    spec = charts.histogram(bins, start="s", end="e", count="n", x_title="", y_title="", title="").to_dict()
    (rows,) = datasets_with(spec, "bin_start")
    assert [(row["bin_start"], row["tickets"]) for row in rows] == [(0, 4), (2, 0)]
    assert "domainMax" not in spec["layer"][0]["encoding"]["y"].get("scale", {})  # no markers: no headroom
    empty = bins.clear()
    for log_scale in (False, True):
        spec = charts.histogram(
            empty,
            start="s",
            end="e",
            count="n",
            markers=[("P50", 1.0)],
            log_scale=log_scale,
            x_title="",
            y_title="",
            title="",
        ).to_dict()
        low, high = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
        assert 0 <= low < high


# ---- box_summary ------------------------------------------------------------------------


def test_box_summary_layers_order_and_tooltips():
    spec = BUILDERS["box_summary"](False).to_dict()
    assert layer_marks(spec) == ["rule", "bar", "tick", "point"]
    whisker, box, median, mean = (layer["encoding"] for layer in spec["layer"])
    assert (whisker["x"]["field"], whisker["x2"]["field"]) == ("x_p10", "x_p90")
    assert (box["x"]["field"], box["x2"]["field"]) == ("x_p25", "x_p75")
    assert (median["x"]["field"], mean["x"]["field"]) == ("x_p50", "x_mean")
    assert whisker["x"]["scale"]["type"] == "linear"
    # Frame order, labels translated, the empty group shown as MISSING.
    assert whisker["y"]["sort"] == ["电话", "在线", charts.MISSING]
    assert [item["title"] for item in box["tooltip"]] == [
        "渠道",
        "P10",
        "P25",
        "P50",
        "P75",
        "P90",
        "平均",
        "工单数",
    ]
    assert box["tooltip"][-1]["format"] == ",d"
    (rows,) = datasets_with(spec, "x_p10")
    assert [row["category"] for row in rows] == ["phone", "chat", charts.MISSING]
    assert [row["x_p10"] for row in rows] == [row["p10"] for row in rows]  # linear: drawn as given


def test_box_summary_log_scale_draws_zero_at_half_the_smallest_positive():
    spec = charts.box_summary(
        box_stats(),
        group="渠道",
        p10="p10",
        p25="p25",
        p50="p50",
        p75="p75",
        p90="p90",
        mean="mean",
        group_title="",
        value_title="",
        title="",
        log_scale=True,
    ).to_dict()
    assert spec["layer"][0]["encoding"]["x"]["scale"]["type"] == "log"
    (rows,) = datasets_with(spec, "x_p10")
    # Smallest positive value is phone's p25 = 0.25, so phone's p10 of 0 is drawn at 0.125.
    assert (rows[0]["p10"], rows[0]["x_p10"], rows[0]["x_p25"]) == (0.0, 0.125, 0.25)


def test_box_summary_without_mean_and_count():
    spec = charts.box_summary(
        box_stats().head(1),
        group="渠道",
        p10="p10",
        p25="p25",
        p50="p50",
        p75="p75",
        p90="p90",
        group_title="渠道",
        value_title="时长",
        title="",
    ).to_dict()
    assert layer_marks(spec) == ["rule", "bar", "tick"]
    assert [item["title"] for item in spec["layer"][1]["encoding"]["tooltip"]] == [
        "渠道",
        "P10",
        "P25",
        "P50",
        "P75",
        "P90",
    ]
    empty = charts.box_summary(
        box_stats().clear(),
        group="渠道",
        p10="p10",
        p25="p25",
        p50="p50",
        p75="p75",
        p90="p90",
        group_title="",
        value_title="",
        title="",
        log_scale=True,
    ).to_dict()
    assert empty["layer"][0]["encoding"]["y"]["sort"] == []


# ---- heatmap ----------------------------------------------------------------------------


def test_heatmap_full_grid_numeric_order_and_grey_nulls():
    spec = BUILDERS["heatmap"](False).to_dict()
    assert spec["mark"]["type"] == "rect"
    assert spec["mark"]["invalid"] == "show"  # null cells drawn (grey), not filtered out
    encoding = spec["encoding"]
    # 9 before 10 (as numbers), Monday first; every weekday of the labels gets a row.
    assert encoding["x"]["sort"] == ["9", "10"]
    assert encoding["y"]["sort"] == list(WEEKDAYS.values())
    assert encoding["color"]["condition"] == {
        "test": "!isValid(datum.value)",
        "value": charts.COLORS["empty"],
    }
    assert encoding["color"]["scale"] == {"scheme": "blues"}
    assert [item["title"] for item in encoding["tooltip"]] == ["小时", "星期", "平均响应时长"]
    rows = only_dataset(spec)
    cells = {(row["x"], row["y"]): row["value"] for row in rows}
    assert len(cells) == 2 * 7
    # Mon 9h given; Mon 10h null in the frame; Wed 10h absent from the frame: both grey.
    assert (cells[(9, 1)], cells[(10, 1)], cells[(9, 3)], cells[(10, 3)], cells[(9, 7)]) == (
        2.5,
        None,
        4.0,
        None,
        None,
    )
    assert {row["missing"] for row in rows} == {"无数据"}
    assert "datum.missing" in spec["transform"][0]["calculate"]


def test_heatmap_values_outside_the_labels_follow_sorted():
    frame = pl.DataFrame({"h": [10, 9], "d": ["a", "a"], "v": [1, 2]})
    spec = charts.heatmap(
        frame, x="h", y="d", value="v", x_title="", y_title="", value_title="", title="", x_labels={0: "零点"}
    ).to_dict()
    assert spec["encoding"]["x"]["sort"] == ["零点", "9", "10"]
    assert spec["encoding"]["y"]["sort"] == ["a"]


def test_heatmap_empty_frame():
    spec = charts.heatmap(
        weekday_hours().clear(),
        x="hour",
        y="weekday",
        value="hours",
        x_title="",
        y_title="",
        value_title="",
        title="",
    ).to_dict()
    assert spec["encoding"]["x"]["sort"] == []


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


# ---- pareto -----------------------------------------------------------------------------


def test_pareto_sorted_desc_vital_coloured_share_axis():
    spec = BUILDERS["pareto"](False).to_dict()
    assert layer_marks(spec) == ["bar", "line", "rule", "text"]
    assert spec["resolve"] == {"scale": {"y": "independent"}}
    bars, line, rule, label = (layer["encoding"] for layer in spec["layer"])
    # Largest first; the 30 / 30 tie broken by name (安 before 物).
    assert bars["x"]["sort"] == ["漏水", "安装", "物流", "其他"]
    assert bars["color"] == {
        "condition": [{"test": "datum.vital", "value": charts.COLORS["primary"]}],
        "value": charts.COLORS["faint"],
    }
    assert line["y"]["field"] == "cumulative"
    assert line["y"]["scale"] == {"domain": [0, 1], "nice": False}
    assert line["y"]["axis"] == {"format": ".0%", "orient": "right"}
    assert spec["layer"][2]["mark"]["strokeDash"]
    assert rule["y"]["scale"] == line["y"]["scale"]
    assert datasets_with(spec, "share") == [[{"share": 0.8}]]
    assert [item["title"] for item in bars["tooltip"]] == ["问题类别", "工单数", "累计占比"]


def test_pareto_nulls():
    frame = pl.DataFrame(
        {"c": ["a", None, "b"], "n": [3, 2, None], "cum": [0.6, 1.0, None], "v": [True, None, False]}
    )
    spec = charts.pareto(
        frame,
        category="c",
        value="n",
        cumulative="cum",
        vital="v",
        category_title="",
        value_title="",
        cumulative_title="",
        title="",
    ).to_dict()
    (rows,) = datasets_with(spec, "vital")
    assert rows == [
        {"category": "a", "value": 3, "cumulative": 0.6, "vital": True},
        {"category": charts.MISSING, "value": 2, "cumulative": 1.0, "vital": False},
    ]


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


# ---- driver_bars ------------------------------------------------------------------------


def test_driver_bars_frame_order_labels_counts_small_and_target():
    spec = BUILDERS["driver_bars"](False).to_dict()
    assert layer_marks(spec) == ["bar", "text", "text", "text", "rule", "text"]
    bars = spec["layer"][0]
    assert bars["encoding"]["y"]["sort"] == ["电话", "在线", "onsite", "app"]  # not resorted
    # Values 0.64 … 0.91 and target 0.8: domain 0 to 0.91 + 35 % of 0.91 for the labels.
    assert bars["encoding"]["x"]["scale"] == {"domain": [0.0, pytest.approx(0.91 * 1.35)], "nice": False}
    assert bars["encoding"]["fillOpacity"] == {
        "condition": [{"test": "datum.small", "value": charts.SMALL}],
        "value": 1.0,
    }
    assert bars["encoding"]["strokeDash"]["condition"][0]["value"] == [3, 2]
    assert [item["title"] for item in bars["encoding"]["tooltip"]] == ["渠道", "一次解决率", "工单数"]
    counts = spec["layer"][3]
    assert counts["encoding"]["x"] == {"value": "width"}
    assert counts["transform"] == [{"calculate": "'n=' + format(datum.count, \",d\")", "as": "n_text"}]
    rows = only_dataset_with(spec, "small")
    # The null value row stays (its count still shows); a null small flag counts as not small.
    assert [(row["value"], row["count"], row["small"]) for row in rows] == [
        (0.82, 1200, False),
        (0.91, 900, False),
        (0.64, 12, True),
        (None, 0, False),
    ]
    assert datasets_with(spec, "target") == [[{"target": 0.8, "label": "目标"}]]
    assert spec["layer"][4]["mark"]["strokeDash"] == [6, 4]


def only_dataset_with(spec: dict, field: str) -> list[dict]:
    (rows,) = datasets_with(spec, field)
    return rows


def test_driver_bars_negative_values_without_small_or_target():
    frame = pl.DataFrame({"g": ["a", "b"], "change": [-0.2, 0.5], "n": [3, 4]})
    spec = charts.driver_bars(
        frame,
        category="g",
        value="change",
        count="n",
        category_title="",
        value_title="",
        count_title="",
        title="",
    ).to_dict()
    assert layer_marks(spec) == ["bar", "text", "text", "text"]
    # Span 0.7: 20 % of it left of -0.2, 35 % right of 0.5.
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == pytest.approx([-0.34, 0.745])
    assert [row["small"] for row in only_dataset_with(spec, "small")] == [False, False]
    empty = charts.driver_bars(
        frame.clear(),
        category="g",
        value="change",
        count="n",
        category_title="",
        value_title="",
        count_title="",
        title="",
        target=1.0,
    ).to_dict()
    assert empty["layer"][0]["encoding"]["x"]["scale"]["domain"] == pytest.approx([0.0, 1.35])


# ---- sample data: chart data checked against SQL on the same store -----------------------


@pytest.fixture(scope="module")
def sample_store():
    from lib import ingest, store

    con = store.connect()
    ingest.load_sample(con)
    yield con, store.scoped(con, store.Scope()).tickets
    con.close()


def test_sample_weekday_hour_heatmap_matches_sql(sample_store):
    con, tickets = sample_store
    counts = tickets.group_by(
        weekday=pl.col("created_at").dt.weekday(), hour=pl.col("created_at").dt.hour()
    ).agg(pl.len().alias("tickets"))
    spec = charts.heatmap(
        counts,
        x="hour",
        y="weekday",
        value="tickets",
        x_title="小时",
        y_title="星期",
        value_title="工单数",
        title="",
        x_labels={hour: str(hour) for hour in range(24)},
        y_labels=WEEKDAYS,
        value_format=",d",
    ).to_dict()
    cells = {(row["x"], row["y"]): row["value"] for row in only_dataset(spec)}
    sql = "SELECT hour(created_at), isodow(created_at), count(*) FROM tickets GROUP BY ALL"
    expected = {(hour, weekday): n for hour, weekday, n in con.execute(sql).fetchall()}
    assert len(cells) == 24 * 7
    assert {cell: n for cell, n in cells.items() if n is not None} == expected
    assert spec["encoding"]["y"]["sort"][0] == "周一"


def test_sample_monthly_channel_bars_match_sql(sample_store):
    con, tickets = sample_store
    # Daily rows floored to months: the builder must add them up per month and channel.
    daily = (
        tickets.group_by(day=pl.col("created_at").dt.date(), channel=pl.col("channel"))
        .agg(pl.len().alias("tickets"))
        .with_columns(pl.col("day").dt.truncate("1mo").alias("month"))
    )
    spec = charts.stacked_bars(
        daily,
        x="month",
        series="channel",
        value="tickets",
        x_title="月",
        value_title="工单数",
        series_title="渠道",
        title="",
        time_unit="month",
    ).to_dict()
    bars = {(row["period"][:7], row["category"]): row["value"] for row in only_dataset(spec)}
    sql = "SELECT strftime(created_at, '%Y-%m'), coalesce(channel, ?), count(*) FROM tickets GROUP BY ALL"
    expected = {(month, channel): n for month, channel, n in con.execute(sql, [charts.MISSING]).fetchall()}
    assert bars == expected
    assert sum(bars.values()) == tickets.height


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
