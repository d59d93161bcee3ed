"""Charts over periods: ticket volume and KPI lines, one line per series, stacked bars."""

from __future__ import annotations

import json

import altair as alt
import polars as pl

from lib.charts.look import (
    CATEGORY_COLORS,
    COLORS,
    KPI_AXIS_TITLE_LIMIT,
    KPI_HEIGHT,
    LINE_DASHES,
    LINE_HEIGHT,
    SELECTION_FIELD,
    _finish,
    _is_temporal,
    _line_points,
    _number_format,
    _period_axis,
    _raw_and_label,
    _series_colors,
    _time_axis,
    _time_unit_format,
    _wall_clock,
)


def volume_trend(
    frame: pl.DataFrame,
    *,
    x: str,
    y: str,
    x_title: str,
    y_title: str,
    title: str,
    time_unit: str = "day",
) -> alt.Chart:
    """Line of ticket counts per period, with points when there are few periods.

    Parameters
    ----------
    frame : pl.DataFrame
        One row per period: a Date/Datetime column ``x`` and a count column ``y``.
    x, y : str
        Column names in ``frame``.
    x_title, y_title, title : str
        Already translated texts.
    time_unit : str
        The period length (hour, day, week, month, quarter, year); sets label formats.

    Returns
    -------
    alt.Chart
        Container-wide line chart.
    """
    data = (
        frame.select(pl.col(x).alias("period"), pl.col(y).alias("count")).drop_nulls("period").sort("period")
    )
    data = _wall_clock(data, "period")
    label_format = _time_unit_format(time_unit)
    points = _line_points(data.height, size=50)
    chart = (
        alt.Chart(data)
        .mark_line(color=COLORS["primary"], strokeWidth=2, point=points)
        .encode(
            x=alt.X("period:T", title=x_title, axis=_time_axis(data["period"], time_unit)),
            y=alt.Y("count:Q", title=y_title, axis=alt.Axis(format=",d", tickMinStep=1)),
            tooltip=[
                alt.Tooltip("period:T", title=x_title, format=label_format),
                alt.Tooltip("count:Q", title=y_title, format=",d"),
            ],
        )
        .properties(height=LINE_HEIGHT)
    )
    return _finish(chart, title)


def kpi_trend(
    frame: pl.DataFrame,
    *,
    x: str,
    y: str,
    x_title: str,
    y_title: str,
    title: str,
    target: float | None = None,
    y_format: str = ",.1f",
    time_unit: str = "day",
    target_title: str | None = None,
) -> alt.Chart | alt.LayerChart:
    """Small line chart of one KPI per period, with an optional dashed target rule.

    Parameters
    ----------
    frame : pl.DataFrame
        One row per period. ``x`` may be a Date/Datetime (time axis) or text labels
        such as ``2024-W03`` (kept in frame order).
    x, y : str
        Column names in ``frame``.
    x_title, y_title, title : str
        Already translated texts. The value axis shows ``y_title`` only when it differs from
        ``title`` (tooltips always do), cut to KPI_AXIS_TITLE_LIMIT px.
    target : float, optional
        Draw a dashed rule at this value.
    y_format : str
        d3 format for the axis, tooltips and the target label, e.g. ``.0%`` for rates.
    time_unit : str
        Period length for a time axis; ignored for text periods.
    target_title : str, optional
        Translated word for the rule's label (e.g. "目标"); no label when omitted.

    Returns
    -------
    alt.Chart | alt.LayerChart
        A Chart, or a LayerChart when a target rule is drawn.
    """
    data = frame.select(pl.col(x).alias("period"), pl.col(y).alias("kpi")).drop_nulls("period")
    data = _wall_clock(data, "period")
    if _is_temporal(data.schema["period"]):
        data = data.sort("period")
        label_format = _time_unit_format(time_unit)
        x_encoding = alt.X("period:T", title=x_title, axis=_time_axis(data["period"], time_unit))
        x_tooltip = alt.Tooltip("period:T", title=x_title, format=label_format)
    else:
        data = data.with_columns(pl.col("period").cast(pl.String))
        x_encoding = alt.X(
            "period:O", title=x_title, sort=data["period"].to_list(), axis=alt.Axis(labelAngle=0)
        )
        x_tooltip = alt.Tooltip("period:O", title=x_title)
    points = _line_points(data.height, size=40)
    # In the app the chart is KPI_HEIGHT tall with its title and axes, so the plot is about 100 px: a
    # vertical axis title longer than that ("Resolution SLA rate (T3)") pushed the chart title out of
    # the top. The title already names the KPI, so a repeat is left out and any other is cut short.
    axis_title = None if y_title == title else y_title
    y_axis = alt.Axis(format=y_format, titleLimit=KPI_AXIS_TITLE_LIMIT)
    line = (
        alt.Chart(data)
        .mark_line(color=COLORS["primary"], strokeWidth=2, point=points)
        .encode(
            x=x_encoding,
            # A KPI such as CSAT moves between 4.1 and 4.4: a zero baseline would flatten it.
            y=alt.Y("kpi:Q", title=axis_title, scale=alt.Scale(zero=False), axis=y_axis),
            tooltip=[x_tooltip, alt.Tooltip("kpi:Q", title=y_title, format=y_format)],
        )
    )
    if target is None:
        return _finish(line.properties(height=KPI_HEIGHT), title)

    goal = alt.Chart(pl.DataFrame({"target": [float(target)], "label": [target_title or ""]}))
    rule = goal.mark_rule(color=COLORS["target"], strokeDash=[6, 4], strokeWidth=1.5).encode(
        y="target:Q",
        tooltip=[alt.Tooltip("target:Q", title=target_title or y_title, format=y_format)],
    )
    layers = [line, rule]
    if target_title:
        # The label text comes from the data, only the developer's format is in the expression.
        text = (
            goal.transform_calculate(text=f"datum.label + ' ' + format(datum.target, {json.dumps(y_format)})")
            .mark_text(align="right", baseline="bottom", dy=-3, color=COLORS["target"], fontSize=11)
            .encode(y="target:Q", x=alt.value("width"), text="text:N")
        )
        layers.append(text)
    return _finish(alt.layer(*layers).properties(height=KPI_HEIGHT), title)


# Vega time units for bars that span their whole period (data already floored to it).
BAR_TIME_UNITS = {
    "hour": ("yearmonthdatehours", 1),
    "day": ("yearmonthdate", 1),
    "week": ("yearmonthdate", 7),
    "month": ("yearmonth", 1),
    "quarter": ("yearmonth", 3),
    "year": ("year", 1),
}


def stacked_bars(
    frame: pl.DataFrame,
    *,
    x: str,
    series: str,
    value: str,
    x_title: str,
    value_title: str,
    series_title: str,
    title: str,
    series_labels: dict | None = None,
    time_unit: str | None = None,
    normalize: bool = False,
    value_format: str | None = None,
    share_title: str = "%",
    series_colors: dict | None = None,
) -> alt.Chart:
    """Stacked bars per period (a time axis) or per category, one colour per series.

    Parameters
    ----------
    frame : pl.DataFrame
        One row per (``x``, ``series``); duplicates are added up. ``x`` as Date/Datetime gives
        bars spanning each period (floored to ``time_unit`` by the caller); otherwise ``x`` is
        text kept in frame order.
    x, series, value : str
        Column names in ``frame``.
    x_title, value_title, series_title, title : str
        Already translated texts.
    series_labels : dict, optional
        Raw series value -> shown label. Its key order is the legend and stack order (first on
        top) and picks the colours from ``CATEGORY_COLORS``; other series follow, sorted.
    time_unit : str, optional
        Period length; required when ``x`` is temporal.
    normalize : bool
        Stack to 100 % per bar; the tooltip adds each series' share.
    value_format : str, optional
        d3 format for values; default ``,d`` for integers, ``,.1f`` otherwise.
    share_title : str
        Tooltip title of the share (normalize only).
    series_colors : dict, optional
        Raw series value -> colour, for series whose colour means something (e.g.
        ``COLORS["good"]`` for promoters); others take the palette by position.

    Returns
    -------
    alt.Chart
        Container-wide stacked bar chart with a legend.
    """
    data = (
        frame.select(
            pl.col(x).alias("period"), *_raw_and_label(series, series_labels), pl.col(value).alias("value")
        )
        .drop_nulls("period")
        .group_by("period", SELECTION_FIELD, "label", maintain_order=True)
        .agg(pl.col("value").sum())
    )
    data = data.with_columns((pl.col("value") / pl.col("value").sum().over("period")).alias("share"))
    data, scale = _series_colors(data, series_labels, series_colors)
    data, axis = _period_axis(data, x_title, time_unit)
    number_format = value_format or _number_format(data.schema["value"])
    if axis["temporal"]:
        unit, step = BAR_TIME_UNITS[time_unit]
        time_axis = axis["axis"]
        # Labels sit under bar centres; tick marks and grid lines would fall between them.
        time_axis.ticks = time_axis.grid = False
        x_encoding = alt.X(
            "period:T",
            title=x_title,
            axis=time_axis,
            timeUnit=alt.TimeUnitParams(unit=unit, step=step, binned=True),
            bandPosition=0,
        )
    else:
        x_encoding = alt.X(
            "period:N", title=x_title, sort=axis["sort"], axis=alt.Axis(labelAngle=0, labelLimit=120)
        )
    tooltip = [
        axis["tooltip"],
        alt.Tooltip("label:N", title=series_title),
        alt.Tooltip("value:Q", title=value_title, format=number_format),
    ]
    if normalize:
        tooltip.append(alt.Tooltip("share:Q", title=share_title, format=".1%"))
    chart = (
        alt.Chart(data)
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=x_encoding,
            y=alt.Y(
                "value:Q",
                title=value_title,
                stack="normalize" if normalize else "zero",
                axis=alt.Axis(format=".0%" if normalize else number_format),
            ),
            color=alt.Color("label:N", title=series_title, scale=scale, sort=scale.domain),
            # Descending rank stacks the legend's first series on top, as the legend reads.
            order=alt.Order("rank:Q", sort="descending"),
            tooltip=tooltip,
        )
        .properties(height=LINE_HEIGHT)
    )
    return _finish(chart, title)


def multi_line(
    frame: pl.DataFrame,
    *,
    x: str,
    series: str,
    y: str,
    x_title: str,
    y_title: str,
    series_title: str,
    title: str,
    series_labels: dict | None = None,
    time_unit: str | None = "day",
    y_format: str | None = None,
) -> alt.Chart:
    """One line per series over periods, with a legend, e.g. tickets per agent per week.

    Parameters
    ----------
    frame : pl.DataFrame
        One row per (``x``, ``series``). ``x`` as Date/Datetime gives a time axis; text
        periods are kept in frame order.
    x, series, y : str
        Column names in ``frame``.
    x_title, y_title, series_title, title : str
        Already translated texts.
    series_labels : dict, optional
        Raw series value -> shown label; its key order fixes legend order and colours
        (``CATEGORY_COLORS``, repeating after eight series); other series follow, sorted.
    time_unit : str, optional
        Period length for a time axis.
    y_format : str, optional
        d3 format for the axis and tooltips; default ``,d`` for integers, ``,.1f`` otherwise.

    Returns
    -------
    alt.Chart
        Container-wide line chart.
    """
    data = frame.select(
        pl.col(x).alias("period"), *_raw_and_label(series, series_labels), pl.col(y).alias("y")
    )
    data, scale = _series_colors(data.drop_nulls("period"), series_labels)
    data, axis = _period_axis(data, x_title, time_unit)
    if axis["temporal"]:
        data = data.sort("period", "rank")
        x_encoding = alt.X("period:T", title=x_title, axis=axis["axis"])
    else:
        x_encoding = alt.X("period:O", title=x_title, sort=axis["sort"], axis=alt.Axis(labelAngle=0))
    number_format = y_format or _number_format(data.schema["y"])
    periods = data["period"].n_unique()
    # Past eight series the colours repeat: the next eight are dashed, then dotted, so two
    # lines never look alike (the legend shows colour and dash together).
    rank_of = dict(zip(data["label"], data["rank"], strict=True))
    dashes = alt.Scale(
        domain=scale.domain,
        range=[
            LINE_DASHES[rank_of[label] // len(CATEGORY_COLORS) % len(LINE_DASHES)] for label in scale.domain
        ],
    )
    legend = alt.Legend(symbolType="stroke", symbolStrokeWidth=2, labelLimit=160)
    chart = (
        alt.Chart(data)
        .mark_line(strokeWidth=2, point=_line_points(periods, size=40))
        .encode(
            x=x_encoding,
            y=alt.Y("y:Q", title=y_title, axis=alt.Axis(format=number_format)),
            color=alt.Color("label:N", title=series_title, scale=scale, sort=scale.domain, legend=legend),
            strokeDash=alt.StrokeDash(
                "label:N", title=series_title, scale=dashes, sort=scale.domain, legend=legend
            ),
            tooltip=[
                axis["tooltip"],
                alt.Tooltip("label:N", title=series_title),
                alt.Tooltip("y:Q", title=y_title, format=number_format),
            ],
        )
        .properties(height=LINE_HEIGHT)
    )
    return _finish(chart, title)
