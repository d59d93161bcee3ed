"""Charts of distributions: histogram of pre-binned counts, quantile boxes, heat map."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import altair as alt
import polars as pl

from lib.charts.look import (
    BOX_STEP,
    COLORS,
    HEAT_STEP,
    HEATMAP_FIELDS,
    LINE_HEIGHT,
    LOG_FORMAT,
    MARKER_COLORS,
    MARKER_FONT_SIZE,
    MARKER_ROW,
    MARKER_TOP,
    MISSING,
    _fade,
    _finish,
    _log_axis,
    _log_decades,
    _number_format,
    _ordered,
    _pick,
    _pickable,
    _raw_and_label,
)


def _log_floor_of_bins(data: pl.DataFrame) -> float:
    """Where a log axis draws bin edges ≤ 0: the first bin gets the log width of the next one.

    Bins [0, 1), [1, 2), [2, 4) draw the first from 0.5; with a single positive edge e, from e / 10.
    """
    edges = pl.concat([data["bin_start"], data["bin_end"]]).unique().sort()
    edges = edges.filter(edges > 0)
    if edges.len() == 0:
        return 1.0
    if edges.len() == 1:
        return edges[0] / 10
    return edges[0] ** 2 / edges[1]


def _position(value: float, low: float, high: float, log_scale: bool) -> float:
    """Where ``value`` sits between the axis ends, 0 to 1."""
    if high <= low:
        return 0.0
    if log_scale:
        return math.log(value / low) / math.log(high / low)
    return (value - low) / (high - low)


def histogram(
    bins: pl.DataFrame,
    *,
    start: str,
    end: str,
    count: str,
    x_title: str,
    y_title: str,
    title: str,
    markers: Sequence[tuple[str, float | None]] = (),
    log_scale: bool = False,
    x_format: str = ",.2~f",
) -> alt.LayerChart:
    """Bars of pre-binned counts, with labelled vertical rules for statistics such as P50 and P90.

    Parameters
    ----------
    bins : pl.DataFrame
        One row per bin: its ``start`` and ``end`` (numbers) and the ticket ``count``.
    start, end, count : str
        Column names in ``bins``.
    x_title, y_title, title : str
        Already translated texts.
    markers : sequence of (label, value)
        Rules drawn at ``value`` with the already formatted ``label`` (e.g. ``("P90 30.1", 30.1)``);
        a None value is skipped. Each label has its own row above the rules, so none can overlap.
    log_scale : bool
        Log x axis. Edges at or below 0 cannot sit on it: they are drawn from a floor where the
        first bin is as wide (in log terms) as the next one, e.g. [0, 1) from 0.5 when the next
        bin is [1, 2); markers below the floor sit on it. Bins ending at or below 0 are left out.
        Tooltips always show the true edges.
    x_format : str
        d3 format for the x axis and the tooltip's bin range.

    Returns
    -------
    alt.LayerChart
        Bars plus one rule and label per marker, container-wide.
    """
    data = (
        bins.select(
            pl.col(start).cast(pl.Float64).alias("bin_start"),
            pl.col(end).cast(pl.Float64).alias("bin_end"),
            pl.col(count).fill_null(0).alias("tickets"),
        )
        .drop_nulls(["bin_start", "bin_end"])
        .sort("bin_start")
    )
    floor = None
    if log_scale:
        data = data.filter(pl.col("bin_end") > 0)
        floor = _log_floor_of_bins(data)
    lowest = pl.lit(floor if floor is not None else -math.inf)
    data = data.with_columns(
        pl.max_horizontal("bin_start", lowest).alias("x0"), pl.max_horizontal("bin_end", lowest).alias("x1")
    )
    shown = [(label, max(float(value), floor or -math.inf)) for label, value in markers if value is not None]
    positions = [*data["x0"].to_list(), *data["x1"].to_list(), *(value for _, value in shown)]
    low, high = (min(positions), max(positions)) if positions else (floor or 0.0, floor or 0.0)
    if high <= low:  # nothing, or a single value, to draw: give the axis some span
        high = low * 10 if log_scale else low + 1
    scale = alt.Scale(type="log" if log_scale else "linear", domain=[low, high], nice=False)
    # Headroom above the tallest bar for the marker labels (one row each) and the rules' start.
    label_share = min(0.5, (MARKER_TOP + 2 + MARKER_ROW * len(shown)) / LINE_HEIGHT) if shown else 0.0
    tallest = data["tickets"].max() or 0
    y_scale = alt.Scale(domainMax=tallest / (1 - label_share)) if shown and tallest > 0 else alt.Undefined
    x_axis = _log_axis(low, high) if log_scale else alt.Axis(format=x_format)
    count_format = _number_format(data.schema["tickets"])
    edge = json.dumps(x_format)
    bars = (
        alt.Chart(data)
        .transform_calculate(
            bin_range=f"format(datum.bin_start, {edge}) + ' – ' + format(datum.bin_end, {edge})"
        )
        .mark_bar(color=COLORS["primary"], stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("x0:Q", title=x_title, scale=scale, axis=x_axis),
            x2="x1:Q",
            y=alt.Y(
                "tickets:Q", title=y_title, scale=y_scale, axis=alt.Axis(format=count_format, tickMinStep=1)
            ),
            y2=alt.datum(0),  # bars ranged on x need their base on y spelled out
            tooltip=[
                alt.Tooltip("bin_range:N", title=x_title),
                alt.Tooltip("tickets:Q", title=y_title, format=count_format),
            ],
        )
    )
    layers = [bars]
    # One row per label, smallest value on top, and every rule starting under the last row: two
    # labels never share a row and no rule runs through a label, however close the values are
    # (a label reaching left used to cross the rule of a smaller value just below it).
    by_value = sorted(range(len(shown)), key=lambda index: shown[index][1])
    rules_top = MARKER_TOP + MARKER_ROW * len(shown)
    for row, index in enumerate(by_value):
        label, value = shown[index]
        color = MARKER_COLORS[index % len(MARKER_COLORS)]
        top = MARKER_TOP + MARKER_ROW * row
        # Labels past 80 % of the width go to the rule's left so they are not cut off.
        right = _position(value, low, high, log_scale) > 0.8
        marker = alt.Chart(pl.DataFrame({"value": [value], "label": [label]}))
        layers.append(
            marker.mark_rule(color=color, strokeDash=[5, 3], strokeWidth=1.5).encode(
                x="value:Q",
                y=alt.value(rules_top),
                y2=alt.value("height"),
                tooltip=[alt.Tooltip("label:N", title=x_title)],
            )
        )
        layers.append(
            marker.mark_text(
                align="right" if right else "left",
                dx=-4 if right else 4,
                baseline="top",
                color=color,
                fontSize=MARKER_FONT_SIZE,
                fontWeight=600,
            ).encode(x="value:Q", y=alt.value(top), text="label:N")
        )
    return _finish(alt.layer(*layers).properties(height=LINE_HEIGHT), title)


QUANTILES = ("p10", "p25", "p50", "p75", "p90")


def box_summary(
    stats: pl.DataFrame,
    *,
    group: str,
    p10: str,
    p25: str,
    p50: str,
    p75: str,
    p90: str,
    group_title: str,
    value_title: str,
    title: str,
    mean: str | None = None,
    count: str | None = None,
    mean_title: str | None = None,
    count_title: str | None = None,
    group_labels: dict | None = None,
    log_scale: bool = False,
    value_format: str = ",.1f",
    select: bool = False,
) -> alt.LayerChart:
    """One horizontal box per group from pre-computed quantiles: whisker P10–P90, box P25–P75,
    white tick at P50 and, if given, a diamond at the mean.

    Parameters
    ----------
    stats : pl.DataFrame
        One row per group, in the order to draw them (not resorted), with the five quantiles
        (linear-interpolated, as the KPI engine computes them) and optionally mean and count.
    group, p10, p25, p50, p75, p90 : str
        Column names in ``stats``.
    group_title, value_title, title : str
        Already translated texts; quantiles are called P10 … P90 in tooltips.
    mean, count : str, optional
        Columns for the mean point and the tooltip's count.
    mean_title, count_title : str, optional
        Their tooltip titles (default ``value_title`` for the mean, no count title).
    group_labels : dict, optional
        Raw group value -> shown label; unlisted values are shown as they are.
    log_scale : bool
        Log value axis; values at or below 0 are drawn at half the smallest positive value.
    value_format : str
        d3 format for the axis and tooltips.
    select : bool
        Clickable boxes: the selection ``SELECTION`` returns ``{SELECTION_FIELD: raw group as text}``.

    Returns
    -------
    alt.LayerChart
        Whisker, box, median and mean layers, one row per group, container-wide.
    """
    columns = dict(zip(QUANTILES, (p10, p25, p50, p75, p90), strict=True))
    if mean is not None:
        columns["mean"] = mean
    data = stats.select(
        *_raw_and_label(group, group_labels),
        *(pl.col(column).cast(pl.Float64).alias(name) for name, column in columns.items()),
        *([pl.col(count).alias("count")] if count is not None else []),
    )
    floor = -math.inf
    if log_scale:
        positive = pl.concat([data[name] for name in columns]).drop_nulls()
        positive = positive.filter(positive > 0)
        floor = positive.min() / 2 if positive.len() else 1.0
    data = data.with_columns(pl.max_horizontal(name, pl.lit(floor)).alias(f"x_{name}") for name in columns)
    pick = _pick(select)
    y = alt.Y("label:N", title=group_title, sort=data["label"].to_list(), axis=alt.Axis(labelLimit=200))
    tooltip = [alt.Tooltip("label:N", title=group_title)]
    tooltip += [alt.Tooltip(f"{name}:Q", title=name.upper(), format=value_format) for name in QUANTILES]
    if mean is not None:
        tooltip.append(alt.Tooltip("mean:Q", title=mean_title or value_title, format=value_format))
    if count is not None:
        count_format = _number_format(data.schema["count"])
        tooltip.append(alt.Tooltip("count:Q", title=count_title or "", format=count_format))
    base = alt.Chart(data).encode(y=y, tooltip=tooltip, opacity=_fade(pick))
    scale, axis = alt.Scale(type="linear", zero=False), alt.Axis(format=value_format)
    if log_scale:
        drawn = pl.concat([data[f"x_{name}"] for name in columns]).drop_nulls()
        # Whole decades, so the powers of ten labelled are the axis' ends.
        domain = _log_decades(drawn.min(), drawn.max()) if drawn.len() else None
        scale = alt.Scale(type="log", domain=domain or alt.Undefined, nice=False)
        axis = _log_axis(*domain) if domain else alt.Axis(format=LOG_FORMAT)
    whisker = base.mark_rule(color=COLORS["muted"], strokeWidth=1.5).encode(
        x=alt.X("x_p10:Q", title=value_title, scale=scale, axis=axis), x2="x_p90:Q"
    )
    box = base.mark_bar(color=COLORS["primary"], size=14, cornerRadius=2).encode(x="x_p25:Q", x2="x_p75:Q")
    median = base.mark_tick(color="white", thickness=2, size=14).encode(x="x_p50:Q")
    layers = [whisker, box.add_params(pick) if pick is not None else box, median]
    if mean is not None:
        layers.append(
            base.mark_point(shape="diamond", filled=True, color=COLORS["text"], size=45).encode(x="x_mean:Q")
        )
    return _finish(alt.layer(*layers).properties(height=alt.Step(BOX_STEP)), title)


def _axis_values(values: pl.Series, labels: dict | None) -> pl.DataFrame:
    """Every axis value (``labels``' keys first, then the rest sorted) with its shown text."""
    order = _ordered(values.drop_nulls().unique().to_list(), labels)
    shown = [str((labels or {}).get(value, value)) for value in order]
    return pl.DataFrame({"raw": pl.Series(order, dtype=values.dtype, strict=False), "label": shown})


def heatmap(
    frame: pl.DataFrame,
    *,
    x: str,
    y: str,
    value: str,
    x_title: str,
    y_title: str,
    value_title: str,
    title: str,
    x_labels: dict | None = None,
    y_labels: dict | None = None,
    value_format: str = ",.1f",
    select: bool = False,
    missing_title: str = MISSING,
    scheme: str = "blues",
    count: str | None = None,
    count_title: str | None = None,
) -> alt.Chart:
    """Grid of coloured cells, e.g. hour 0–23 across by weekday 1–7 down (Monday on top).

    Parameters
    ----------
    frame : pl.DataFrame
        One row per cell: ``x``, ``y`` and ``value``; a null value, or a cell with no row,
        is drawn light grey.
    x, y, value : str
        Column names in ``frame``.
    x_title, y_title, value_title, title : str
        Already translated texts.
    x_labels, y_labels : dict, optional
        Raw value -> shown label (e.g. ``{1: "周一", …, 7: "周日"}``). Their keys also fix the
        axis order and the full grid, so hours without tickets still get a cell; values not
        listed follow, sorted. Without labels an axis is the sorted values present.
    value_format : str
        d3 format for the legend and tooltip.
    select : bool
        Clickable cells: the selection ``SELECTION`` returns ``{"x": raw x, "y": raw y}``
        (``HEATMAP_FIELDS``), with the raw values' own types.
    missing_title : str
        Tooltip text for a cell without data.
    scheme : str
        Vega sequential colour scheme.
    count, count_title : str, optional
        A column of the cases behind each cell's value (tickets, answers), shown in the tooltip.

    Returns
    -------
    alt.Chart
        Container-wide rect chart, one row of cells per ``y`` value.
    """
    data = frame.select(
        pl.col(x).alias("x"),
        pl.col(y).alias("y"),
        pl.col(value).alias("value"),
        *([pl.col(count).alias("count")] if count else []),
    )
    data = data.drop_nulls(["x", "y"])
    xs = _axis_values(data["x"], x_labels).rename({"raw": "x", "label": "x_label"})
    ys = _axis_values(data["y"], y_labels).rename({"raw": "y", "label": "y_label"})
    grid = (
        xs.join(ys, how="cross")
        .join(data, on=["x", "y"], how="left")
        .with_columns(missing=pl.lit(missing_title))
    )
    pick = _pick(select, HEATMAP_FIELDS)
    text = f"isValid(datum.value) ? format(datum.value, {json.dumps(value_format)}) : datum.missing"
    chart = (
        alt.Chart(grid)
        .transform_calculate(value_text=text)
        .mark_rect(stroke="white", strokeWidth=1, invalid="show")
        .encode(
            x=alt.X("x_label:O", title=x_title, sort=xs["x_label"].to_list(), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("y_label:O", title=y_title, sort=ys["y_label"].to_list()),
            color=alt.when("!isValid(datum.value)")
            .then(alt.value(COLORS["empty"]))
            .otherwise(
                alt.Color(
                    "value:Q",
                    title=value_title,
                    scale=alt.Scale(scheme=scheme),
                    legend=alt.Legend(format=value_format, gradientLength=120),
                )
            ),
            tooltip=[
                alt.Tooltip("x_label:O", title=x_title),
                alt.Tooltip("y_label:O", title=y_title),
                alt.Tooltip("value_text:N", title=value_title),
                *([alt.Tooltip("count:Q", title=count_title or count, format=",d")] if count else []),
            ],
        )
        .properties(height=alt.Step(HEAT_STEP))
    )
    return _finish(_pickable(chart, pick), title)
