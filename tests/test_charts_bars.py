"""Tests for lib.charts.bars: ranked bars, pareto and driver bars, as specs."""

from __future__ import annotations

import polars as pl
import pytest
from chart_samples import BUILDERS, categories, datasets_with, layer_marks, only_dataset, only_dataset_with

from lib import charts

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
