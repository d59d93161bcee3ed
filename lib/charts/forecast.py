"""Forecast charts: history, the forecast with its interval, and the days that fell outside it."""

from __future__ import annotations

import altair as alt
import polars as pl

from lib.charts.look import COLORS, LINE_HEIGHT, _finish, _time_axis, _time_unit_format, _wall_clock

# What each series of the chart is, in legend order; the caller gives the shown words.
SERIES = ("history", "forecast", "anomaly")


def forecast_band(
    history: pl.DataFrame,
    prediction: pl.DataFrame,
    *,
    labels: dict[str, str],
    x_title: str,
    y_title: str,
    title: str,
    interval_title: str,
    anomalies: pl.DataFrame | None = None,
    time_unit: str = "day",
    height: int = LINE_HEIGHT,
    y_format: str = ",.0f",
) -> alt.LayerChart:
    """Actual counts, the forecast line and its interval band, and anomalies as red points.

    Parameters
    ----------
    history : pl.DataFrame
        ``ds`` (Date) and ``y``: what happened.
    prediction : pl.DataFrame
        ``ds``, ``yhat``, ``lower``, ``upper``: the forecast (already clipped at zero).
    labels : dict
        Shown words for "history", "forecast" and "anomaly" (the legend).
    x_title, y_title, title, interval_title : str
        Already translated texts; ``interval_title`` names the band in tooltips (e.g. "80% 区间").
    anomalies : pl.DataFrame, optional
        ``ds`` and ``y`` of the days outside the back-test interval.
    time_unit : str
        "day" or "week": label formats.
    height : int
        Pixels; small multiples pass less.
    y_format : str
        d3 format of the values (axis and tooltips), e.g. ``.1%`` for rates.

    Returns
    -------
    alt.LayerChart
        Container-wide layered chart with a legend.
    """
    label_format = _time_unit_format(time_unit)
    history = _wall_clock(history.select(pl.col("ds").cast(pl.Date), pl.col("y").cast(pl.Float64)), "ds")
    prediction = prediction.select(
        pl.col("ds").cast(pl.Date), *[pl.col(c).cast(pl.Float64) for c in ("yhat", "lower", "upper")]
    )
    periods = pl.concat([history["ds"], prediction["ds"]])
    x = alt.X("ds:T", title=x_title, axis=_time_axis(periods, time_unit))
    date_tip = alt.Tooltip("ds:T", title=x_title, format=label_format)
    shown = SERIES if anomalies is not None and anomalies.height else SERIES[:2]
    colours = {"history": COLORS["muted"], "forecast": COLORS["primary"], "anomaly": COLORS["target"]}
    colour = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=[labels[s] for s in shown], range=[colours[s] for s in shown]),
        legend=alt.Legend(orient="top"),
    )
    band = (
        alt.Chart(prediction)
        .mark_area(color=COLORS["primary"], opacity=0.18)
        .encode(
            x=x,
            y=alt.Y("lower:Q", title=y_title, axis=alt.Axis(format=y_format)),
            y2="upper:Q",
            tooltip=[
                date_tip,
                alt.Tooltip("yhat:Q", title=labels["forecast"], format=y_format),
                alt.Tooltip("lower:Q", title=f"{interval_title} ↓", format=y_format),
                alt.Tooltip("upper:Q", title=f"{interval_title} ↑", format=y_format),
            ],
        )
    )
    actual = (
        alt.Chart(history.with_columns(pl.lit(labels["history"]).alias("series")))
        .mark_line(strokeWidth=1.2)
        .encode(
            x=x,
            y=alt.Y("y:Q", title=y_title),
            color=colour,
            tooltip=[date_tip, alt.Tooltip("y:Q", title=labels["history"], format=y_format)],
        )
    )
    line = (
        alt.Chart(prediction.with_columns(pl.lit(labels["forecast"]).alias("series")))
        .mark_line(strokeWidth=2)
        .encode(
            x=x,
            y=alt.Y("yhat:Q", title=y_title),
            color=colour,
            tooltip=[date_tip, alt.Tooltip("yhat:Q", title=labels["forecast"], format=y_format)],
        )
    )
    layers = [band, actual, line]
    if anomalies is not None and anomalies.height:
        points = anomalies.select(pl.col("ds").cast(pl.Date), pl.col("y").cast(pl.Float64)).with_columns(
            pl.lit(labels["anomaly"]).alias("series")
        )
        layers.append(
            alt.Chart(points)
            .mark_point(filled=True, size=45)
            .encode(
                x=x,
                y=alt.Y("y:Q", title=y_title),
                color=colour,
                tooltip=[date_tip, alt.Tooltip("y:Q", title=labels["anomaly"], format=y_format)],
            )
        )
    return _finish(alt.layer(*layers).properties(height=height), title)
