"""Bar charts of categories: ranked bars, a KPI per group (drivers), pareto."""

from __future__ import annotations

import json

import altair as alt
import polars as pl

from lib.charts.look import (
    BAR_STEP,
    COLORS,
    LINE_HEIGHT,
    MISSING,
    SELECTION_FIELD,
    SMALL,
    _fade,
    _finish,
    _number_format,
    _pick,
    _pickable,
    _raw_and_label,
)


def ranked_bars(
    frame: pl.DataFrame,
    *,
    category: str,
    value: str,
    category_title: str,
    value_title: str,
    title: str,
    top: int = 10,
    value_format: str | None = None,
    select: bool = False,
) -> alt.LayerChart:
    """Horizontal bars of the ``top`` categories by value, largest first, labelled at the ends.

    Parameters
    ----------
    frame : pl.DataFrame
        One row per category.
    category, value : str
        Column names in ``frame``; categories are shown as text.
    category_title, value_title, title : str
        Already translated texts.
    top : int
        How many bars to keep.
    value_format : str, optional
        d3 format for labels and tooltips; default ``,d`` for integers, ``,.1f`` otherwise.
    select : bool
        Make bars clickable: the selection ``SELECTION`` returns ``{SELECTION_FIELD: category}``
        (the category as text, ``MISSING`` for an empty one).

    Returns
    -------
    alt.LayerChart
        Bars plus value labels, container-wide, one row per bar.
    """
    label_format = value_format or _number_format(frame.schema[value])
    data = (
        frame.select(
            pl.col(category).cast(pl.String).fill_null(MISSING).alias("category"),
            pl.col(value).alias("value"),
        )
        .drop_nulls("value")
        # Ties broken by name so the order is the same on every run.
        .sort(["value", "category"], descending=[True, False])
        .head(top)
    )
    # Explicit order: Vega sorts text by code point (一月, 三月, 二月) otherwise.
    order = data["category"].to_list()
    base = alt.Chart(data).encode(
        y=alt.Y("category:N", title=category_title, sort=order, axis=alt.Axis(labelLimit=200)),
        # Whole numbers: no fractional ticks (which would print as 0, 1, 1, 2, 2 …).
        x=alt.X(
            "value:Q",
            title=value_title,
            axis=alt.Axis(
                format=label_format, tickMinStep=1 if data["value"].dtype.is_integer() else alt.Undefined
            ),
        ),
        tooltip=[
            alt.Tooltip("category:N", title=category_title),
            alt.Tooltip("value:Q", title=value_title, format=label_format),
        ],
    )
    pick = _pick(select)
    bars = _pickable(base.mark_bar(color=COLORS["primary"], cornerRadiusEnd=2), pick)
    label = {"color": COLORS["text"], "fontSize": 12, "baseline": "middle"}
    labels_right = (
        base.mark_text(align="left", dx=4, **label)
        .encode(text=alt.Text("value:Q", format=label_format))
        .transform_filter(alt.FieldGTEPredicate(field="value", gte=0))
    )
    labels_left = (
        base.mark_text(align="right", dx=-4, **label)
        .encode(text=alt.Text("value:Q", format=label_format))
        .transform_filter(alt.FieldLTPredicate(field="value", lt=0))
    )
    chart = alt.layer(bars, labels_right, labels_left).properties(height=alt.Step(BAR_STEP))
    return _finish(chart, title)


def pareto(
    frame: pl.DataFrame,
    *,
    category: str,
    value: str,
    cumulative: str,
    vital: str,
    category_title: str,
    value_title: str,
    cumulative_title: str,
    title: str,
    value_format: str | None = None,
    select: bool = False,
) -> alt.LayerChart:
    """Pareto chart: bars largest first, the cumulative share as a line on a 0–100 % right axis
    and a dashed rule at 80 %; the "vital few" bars in the primary colour, the rest muted.

    Parameters
    ----------
    frame : pl.DataFrame
        One row per category with its ``value``, its ``cumulative`` share (0–1, computed by the
        caller in the same largest-first order) and the boolean ``vital``.
    category, value, cumulative, vital : str
        Column names in ``frame``.
    category_title, value_title, cumulative_title, title : str
        Already translated texts.
    value_format : str, optional
        d3 format for values; default ``,d`` for integers, ``,.1f`` otherwise.
    select : bool
        Clickable bars: the selection ``SELECTION`` returns ``{SELECTION_FIELD: category as text}``.

    Returns
    -------
    alt.LayerChart
        Bars, line and rule with independent y scales, container-wide.
    """
    data = (
        frame.select(
            pl.col(category).cast(pl.String).fill_null(MISSING).alias(SELECTION_FIELD),
            pl.col(value).alias("value"),
            pl.col(cumulative).cast(pl.Float64).alias("cumulative"),
            pl.col(vital).fill_null(False).alias("vital"),
        )
        .drop_nulls("value")
        .sort(["value", SELECTION_FIELD], descending=[True, False])
    )
    number_format = value_format or _number_format(data.schema["value"])
    order = data[SELECTION_FIELD].to_list()
    pick = _pick(select)
    # Long category names on many bars: slant them rather than let Vega drop every other one.
    x = alt.X(
        f"{SELECTION_FIELD}:N",
        title=category_title,
        sort=order,
        axis=alt.Axis(labelAngle=0 if len(order) <= 8 else -40, labelLimit=120),
    )
    tooltip = [
        alt.Tooltip(f"{SELECTION_FIELD}:N", title=category_title),
        alt.Tooltip("value:Q", title=value_title, format=number_format),
        alt.Tooltip("cumulative:Q", title=cumulative_title, format=".1%"),
    ]
    base = alt.Chart(data).encode(x=x, tooltip=tooltip)
    bars = base.mark_bar(cornerRadiusEnd=2).encode(
        y=alt.Y("value:Q", title=value_title, axis=alt.Axis(format=number_format)),
        color=alt.when(alt.datum.vital)
        .then(alt.value(COLORS["primary"]))
        .otherwise(alt.value(COLORS["faint"])),
    )
    share = alt.Scale(domain=[0, 1], nice=False)
    line = base.mark_line(
        color=COLORS["target"],
        strokeWidth=2,
        point=alt.OverlayMarkDef(filled=True, size=30, color=COLORS["target"]),
    ).encode(
        y=alt.Y(
            "cumulative:Q", title=cumulative_title, scale=share, axis=alt.Axis(format=".0%", orient="right")
        )
    )
    mark = alt.Chart(pl.DataFrame({"share": [0.8]}))
    rule = mark.mark_rule(color=COLORS["muted"], strokeDash=[6, 4], strokeWidth=1).encode(
        y=alt.Y("share:Q", scale=share, axis=None)
    )
    label = mark.mark_text(
        align="right", baseline="bottom", dx=-2, dy=-2, color=COLORS["muted"], fontSize=11
    ).encode(
        y=alt.Y("share:Q", scale=share, axis=None),
        x=alt.value("width"),
        text=alt.Text("share:Q", format=".0%"),
    )
    chart = alt.layer(_pickable(bars, pick), line, rule, label).resolve_scale(y="independent")
    return _finish(chart.properties(height=LINE_HEIGHT), title)


def driver_bars(
    frame: pl.DataFrame,
    *,
    category: str,
    value: str,
    count: str,
    category_title: str,
    value_title: str,
    count_title: str,
    title: str,
    value_format: str = ",.1f",
    small: str | None = None,
    select: bool = False,
    target: float | None = None,
    target_title: str | None = None,
    category_labels: dict | None = None,
) -> alt.LayerChart:
    """Horizontal bars of one KPI per group in the frame's order, labelled with the value and a
    muted ``n=…`` count at the right edge; small groups drawn faint with a dashed outline.

    Parameters
    ----------
    frame : pl.DataFrame
        One row per group, in the order to draw (not resorted). A null value keeps its row
        (with its count) but draws no bar.
    category, value, count : str
        Column names in ``frame``.
    category_title, value_title, count_title, title : str
        Already translated texts.
    value_format : str
        d3 format for value labels and tooltips, e.g. ``.0%`` for rates.
    small : str, optional
        Boolean column: True marks a group too small to trust.
    select : bool
        Clickable bars: the selection ``SELECTION`` returns ``{SELECTION_FIELD: raw category as text}``.
    target : float, optional
        Dashed vertical rule at this value.
    target_title : str, optional
        Translated word for the rule's label (e.g. "目标"); no label when omitted.
    category_labels : dict, optional
        Raw category value -> shown label.

    Returns
    -------
    alt.LayerChart
        Bars, labels and optional target rule, one row per group, container-wide.
    """
    data = frame.select(
        *_raw_and_label(category, category_labels),
        pl.col(value).cast(pl.Float64).alias("value"),
        pl.col(count).alias("count"),
        (pl.col(small).fill_null(False) if small is not None else pl.lit(False)).alias("small"),
    )
    values = [v for v in [*data["value"].drop_nulls().to_list(), target] if v is not None]
    low, high = min([0.0, *values]), max([0.0, *values])
    span = (high - low) or 1.0
    # Room on the right for the value label and the n=… column; the axis shows no numbers
    # (every bar is labelled), so the padded domain never shows as odd ticks.
    domain = [low - 0.2 * span if low < 0 else 0.0, high + 0.35 * span]
    pick = _pick(select)
    count_format = _number_format(data.schema["count"])
    tooltip = [
        alt.Tooltip("label:N", title=category_title),
        alt.Tooltip("value:Q", title=value_title, format=value_format),
        alt.Tooltip("count:Q", title=count_title, format=count_format),
    ]
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", title=category_title, sort=data["label"].to_list(), axis=alt.Axis(labelLimit=200)),
        x=alt.X(
            "value:Q",
            title=value_title,
            scale=alt.Scale(domain=domain, nice=False),
            axis=alt.Axis(labels=False, ticks=False, grid=False),
        ),
        tooltip=tooltip,
    )
    bars = base.mark_bar(
        color=COLORS["primary"],
        stroke=COLORS["primary"],
        strokeWidth=1.2,
        cornerRadiusEnd=2,
        size=BAR_STEP - 8,
    ).encode(
        fillOpacity=alt.when(alt.datum.small).then(alt.value(SMALL)).otherwise(alt.value(1.0)),
        strokeDash=alt.when(alt.datum.small).then(alt.value([3, 2])).otherwise(alt.value([1, 0])),
    )
    label_color = (
        alt.when(alt.datum.small).then(alt.value(COLORS["muted"])).otherwise(alt.value(COLORS["text"]))
    )
    text = {"fontSize": 12, "baseline": "middle"}
    labels_right = (
        base.mark_text(align="left", dx=4, **text)
        .encode(text=alt.Text("value:Q", format=value_format), color=label_color, opacity=_fade(pick))
        .transform_filter(alt.FieldGTEPredicate(field="value", gte=0))
    )
    labels_left = (
        base.mark_text(align="right", dx=-4, **text)
        .encode(text=alt.Text("value:Q", format=value_format), color=label_color, opacity=_fade(pick))
        .transform_filter(alt.FieldLTPredicate(field="value", lt=0))
    )
    counts = (
        base.transform_calculate(n_text=f"'n=' + format(datum.count, {json.dumps(count_format)})")
        .mark_text(align="right", color=COLORS["muted"], fontSize=11, baseline="middle")
        .encode(x=alt.value("width"), text="n_text:N", opacity=_fade(pick))
    )
    layers = [_pickable(bars, pick), labels_right, labels_left, counts]
    if target is not None:
        goal = alt.Chart(pl.DataFrame({"target": [float(target)], "label": [target_title or ""]}))
        layers.append(
            goal.mark_rule(color=COLORS["target"], strokeDash=[6, 4], strokeWidth=1.5).encode(
                x=alt.X("target:Q", scale=alt.Scale(domain=domain, nice=False)),
                tooltip=[alt.Tooltip("target:Q", title=target_title or value_title, format=value_format)],
            )
        )
        if target_title:
            layers.append(
                goal.transform_calculate(
                    text=f"datum.label + ' ' + format(datum.target, {json.dumps(value_format)})"
                )
                .mark_text(align="center", baseline="bottom", dy=-4, color=COLORS["target"], fontSize=11)
                .encode(x="target:Q", y=alt.value(0), text="text:N")
            )
    return _finish(alt.layer(*layers).properties(height=alt.Step(BAR_STEP)), title)
