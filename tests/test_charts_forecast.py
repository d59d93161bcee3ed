"""The forecast chart: history, forecast band and anomalies, as a spec and as a PNG with Chinese text."""

from datetime import date, timedelta

import polars as pl

from lib import charts

LABELS = {"history": "实际", "forecast": "预测", "anomaly": "异常"}


def frames(days: int = 14, ahead: int = 7):
    start = date(2026, 1, 1)
    history = pl.DataFrame(
        {"ds": [start + timedelta(d) for d in range(days)], "y": [float(10 + d % 7) for d in range(days)]}
    )
    future = [start + timedelta(days + d) for d in range(ahead)]
    prediction = pl.DataFrame(
        {"ds": future, "yhat": [12.0] * ahead, "lower": [8.0] * ahead, "upper": [16.0] * ahead}
    )
    return history, prediction


def build(**kwargs):
    history, prediction = frames()
    return charts.forecast_band(
        history,
        prediction,
        labels=LABELS,
        x_title="日",
        y_title="工单数",
        title="工单量预测",
        interval_title="80% 区间",
        **kwargs,
    )


def test_layers_band_history_and_forecast_with_a_legend_of_what_is_drawn():
    spec = build().to_dict()
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["area", "line", "line"]
    band = spec["layer"][0]["encoding"]
    assert band["y"]["field"] == "lower" and band["y2"]["field"] == "upper"
    legend = spec["layer"][1]["encoding"]["color"]["scale"]
    assert legend["domain"] == ["实际", "预测"]  # no anomaly entry without anomalies


def test_anomalies_are_red_points():
    anomalies = pl.DataFrame({"ds": [date(2026, 1, 5)], "y": [40.0]})
    spec = build(anomalies=anomalies).to_dict()
    assert spec["layer"][-1]["mark"]["type"] == "point"
    scale = spec["layer"][1]["encoding"]["color"]["scale"]
    assert scale["domain"] == ["实际", "预测", "异常"]
    assert scale["range"][-1] == charts.COLORS["target"]


def test_png_renders():
    png = charts.to_png(build())
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000
