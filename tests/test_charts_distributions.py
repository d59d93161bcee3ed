"""Tests for lib.charts.distributions: histogram, box summary and heat map, as specs."""

from __future__ import annotations

from itertools import pairwise

import polars as pl
import pytest
from chart_samples import (
    BUILDERS,
    WEEKDAYS,
    box_stats,
    datasets_with,
    layer_marks,
    only_dataset,
    weekday_hours,
)

from lib import charts

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
    # Rows by value: 5.2 on top (y 2), 11.0 below (y 17); the rules start under the last row.
    assert (mean_text["encoding"]["y"], p90_text["encoding"]["y"]) == ({"value": 2}, {"value": 17})
    assert mean_rule["encoding"]["y"] == p90_rule["encoding"]["y"] == {"value": 32}
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


def _marker_layout(spec: dict) -> tuple[list[int], list[int]]:
    """The label rows' tops and the rules' tops, in pixels from the top."""
    texts = [layer["encoding"]["y"]["value"] for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    rules = [layer["encoding"]["y"]["value"] for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
    return texts, rules


@pytest.mark.parametrize("log_scale", [False, True])
def test_histogram_close_marker_labels_cannot_overlap_each_other_or_a_rule(log_scale):
    # Regression: P90 and the mean 2 % apart, both past 80 % of the width so both labels reach
    # left; the P90 label, a row under the mean's, was drawn across the mean's rule.
    bins = pl.DataFrame({"s": [0.0, 1.0, 10.0], "e": [1.0, 10.0, 1000.0], "n": [5, 40, 3]})
    spec = charts.histogram(
        bins,
        start="s",
        end="e",
        count="n",
        markers=[("Mean 880.1", 880.1), ("P50 12.0", 12.0), ("P90 905.3", 905.3)],
        log_scale=log_scale,
        x_title="",
        y_title="",
        title="",
    ).to_dict()
    texts, rules = _marker_layout(spec)
    assert len(texts) == len(rules) == 3
    # Each label its own row, rows further apart than the font is tall ...
    font = {layer["mark"]["fontSize"] for layer in spec["layer"] if layer["mark"]["type"] == "text"}
    assert sorted(texts) == texts and min(b - a for a, b in pairwise(texts)) >= max(font) + 2
    # ... and every rule starts below the last row, so no rule runs through any label.
    assert min(rules) >= max(texts) + charts.MARKER_ROW
    # The bars end under the rules' start: the y domain leaves that much headroom.
    y_max = spec["layer"][0]["encoding"]["y"]["scale"]["domainMax"]
    assert 40 / y_max * charts.LINE_HEIGHT <= charts.LINE_HEIGHT - min(rules)


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


# ---- log axes ---------------------------------------------------------------------------


def _log_box(stats: pl.DataFrame) -> dict:
    """A box chart of `stats` on a log axis, as a spec."""
    quantiles = {q: q for q in ("p10", "p25", "p50", "p75", "p90")}
    chart = charts.box_summary(
        stats, group="渠道", group_title="", value_title="", title="", log_scale=True, **quantiles
    )
    return chart.to_dict()


def test_log_axes_label_powers_of_ten_without_zero_point_zero():
    # Regression: a box chart from 0.0001 to 8,000 hours read "0.0, 0.0, 1.0, 100.0, 10,000.0".
    stats = box_stats().with_columns(pl.col("p10").replace(0.0, 0.0001), pl.col("p90") * 1000)
    spec = _log_box(stats)
    x = spec["layer"][0]["encoding"]["x"]
    assert x["scale"] == {"type": "log", "domain": [0.0001, 10000.0], "nice": False}
    assert x["axis"]["values"] == [0.0001, 0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0]
    assert x["axis"]["format"] == charts.LOG_FORMAT == ",.1~r"  # 0.0001, 1, 10,000


def test_log_axis_over_two_decades_or_less_has_one_two_five_ticks():
    bins = pl.DataFrame({"s": [0.0, 0.5, 2.0], "e": [0.5, 2.0, 30.0], "n": [5, 8, 3]})
    spec = charts.histogram(
        bins, start="s", end="e", count="n", log_scale=True, x_title="", y_title="", title=""
    ).to_dict()
    x = spec["layer"][0]["encoding"]["x"]
    assert x["scale"]["domain"] == [0.125, 30.0]  # the floor of [0, 0.5) as before
    assert x["axis"] == {"format": ",.1~r", "values": [0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0]}
    linear = charts.histogram(bins, start="s", end="e", count="n", x_title="", y_title="", title="")
    assert linear.to_dict()["layer"][0]["encoding"]["x"]["axis"] == {"format": ",.2~f"}


def test_log_box_of_one_value_still_spans_a_decade():
    stats = (
        box_stats().head(1).with_columns(pl.lit(1.0).alias(c) for c in ("p10", "p25", "p50", "p75", "p90"))
    )
    spec = _log_box(stats)
    x = spec["layer"][0]["encoding"]["x"]
    assert x["scale"]["domain"] == [1.0, 10.0]
    assert x["axis"]["values"] == [1.0, 2.0, 5.0, 10.0]
