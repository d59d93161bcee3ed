"""Altair chart builders for aggregated frames, and offline PNG/SVG export through vl-convert."""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import threading
from collections.abc import Sequence
from pathlib import Path

import altair as alt
import polars as pl
import vl_convert

logger = logging.getLogger(__name__)

# ---- Look: declared once, used by every builder --------------------------------------

# CSS font list: the browser takes the first one it has; vl-convert needs at least one
# installed family in the list or it draws no text at all, hence the generic last.
FONT = (
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', "
    "'WenQuanYi Micro Hei', sans-serif"
)
COLORS = {
    "primary": "#2F6DB5",  # bars, lines, points
    "target": "#C0392B",  # target rules
    "text": "#333333",  # titles, value labels
    "muted": "#666666",  # axis labels
    "grid": "#E6E6E6",
    "faint": "#B4C2D6",  # bars that matter less (pareto's long tail)
    "empty": "#EEEEEE",  # heat-map cells without data
}
# Okabe-Ito, colour-blind safe, for any chart that splits by category.
CATEGORY_COLORS = ["#2F6DB5", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

CONFIG = {
    "font": FONT,
    "title": {"anchor": "start", "fontSize": 15, "fontWeight": 600, "color": COLORS["text"], "offset": 12},
    "axis": {
        "labelColor": COLORS["muted"],
        "labelFontSize": 12,
        "titleColor": COLORS["text"],
        "titleFontSize": 12,
        "titleFontWeight": 500,
        "gridColor": COLORS["grid"],
        "domainColor": COLORS["muted"],
        "tickColor": COLORS["muted"],
        "labelOverlap": True,
    },
    "range": {"category": CATEGORY_COLORS},
    "view": {"stroke": None},
}

# How periods are written on time axes and in tooltips: numbers only, so the same
# labels read correctly in the Chinese and the English UI (Vega's month names are English).
TIME_FORMATS = {
    "hour": "%m-%d %H:00",
    "day": "%Y-%m-%d",
    "week": "%Y-%m-%d",
    "month": "%Y-%m",
    "quarter": "%Y Q%q",
    "year": "%Y",
}
# Up to this many periods: one tick per period and visible points on lines.
FEW_PERIODS = 16
LINE_HEIGHT = 260
KPI_HEIGHT = 180
BAR_STEP = 24
BOX_STEP = 30
HEAT_STEP = 24
# Statistic rules on histograms (mean, P50, P90 …), in the order given.
MARKER_COLORS = [COLORS["text"], "#E69F00", "#009E73", "#CC79A7"]
LINE_DASHES = [[1, 0], [6, 3], [2, 2]]  # solid, dashed, dotted: series 1–8, 9–16, 17–24

# Drill-down: bar-like builders take ``select=True`` and then carry a click selection named
# SELECTION; Streamlit returns event["selection"][SELECTION] as [{SELECTION_FIELD: raw value}].
SELECTION = "pick"
SELECTION_FIELD = "category"
HEATMAP_FIELDS = ("x", "y")  # a heat-map click returns both raw coordinates
MISSING = "—"  # shown for an empty category, and what a click on it returns
FADED = 0.3  # opacity of the marks not picked
SMALL = 0.35  # fill opacity of groups too small to trust

# ---- Export settings ------------------------------------------------------------------

EXPORT_WIDTH = 720  # px before `scale`, for charts drawn with width="container"
EXPORT_HEIGHT = 360  # px, only for height="container"
FONT_DIRECTORIES = (
    "/usr/share/fonts/opentype/noto",  # Debian/Ubuntu fonts-noto-cjk
    "/usr/share/fonts/noto-cjk",  # Arch
    "/usr/share/fonts/google-noto-cjk",  # Fedora
)
# "v6.4.1" -> "6.4": render with the Vega-Lite release Altair wrote the spec for.
_VL_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])

_font_lock = threading.Lock()
_fonts_registered: bool | None = None  # None: not tried yet in this process


def register_cjk_fonts() -> bool:
    """Give vl-convert the Noto CJK fonts once per process; True if a folder was found.

    When no folder exists the export still works with whatever fonts the system has,
    but Chinese text may come out as boxes; a warning is logged so the page can say so.
    """
    global _fonts_registered
    with _font_lock:
        if _fonts_registered is None:
            found = [path for path in FONT_DIRECTORIES if Path(path).is_dir()]
            for path in found:
                vl_convert.register_font_directory(path)
            if not found:
                logger.warning(
                    "No CJK font folder found in %s; Chinese text in exported charts may not render.",
                    ", ".join(FONT_DIRECTORIES),
                )
            _fonts_registered = bool(found)
        return _fonts_registered


# ---- Helpers --------------------------------------------------------------------------


def _finish(chart: alt.TopLevelMixin, title: str) -> alt.TopLevelMixin:
    return chart.properties(title=title, width="container").configure(**CONFIG)


def _number_format(dtype: pl.DataType) -> str:
    return ",d" if dtype.is_integer() else ",.1f"


def _time_unit_format(time_unit: str) -> str:
    try:
        return TIME_FORMATS[time_unit]
    except KeyError:
        raise ValueError(f"time_unit must be one of {sorted(TIME_FORMATS)}, not {time_unit!r}") from None


def _as_datetime(value: dt.date) -> alt.DateTime:
    # DateTime objects are local time, like the ISO strings Altair writes the data as,
    # so ticks land exactly on the points.
    if isinstance(value, dt.datetime):
        return alt.DateTime(
            year=value.year, month=value.month, date=value.day, hours=value.hour, minutes=value.minute
        )
    return alt.DateTime(year=value.year, month=value.month, date=value.day)


def _time_axis(periods: pl.Series, time_unit: str) -> alt.Axis:
    """Time axis with one label per period (few periods) or per calendar interval.

    Left alone, Vega puts ticks between periods (e.g. every 12 h for three days), which
    repeats labels such as ``2024-01-01`` once the format drops the hours.
    """
    label_format = _time_unit_format(time_unit)
    distinct = periods.drop_nulls().unique().sort()
    if distinct.len() <= FEW_PERIODS:
        return alt.Axis(format=label_format, values=[_as_datetime(value) for value in distinct])
    intervals = {
        "month": {"interval": "month", "step": 1},
        "quarter": {"interval": "month", "step": 3},
        "year": "year",
    }
    if time_unit in intervals:
        return alt.Axis(format=label_format, tickCount=intervals[time_unit])
    return alt.Axis(format=label_format)


def _wall_clock(data: pl.DataFrame, column: str) -> pl.DataFrame:
    """Drop a timezone but keep the local reading (09:00 Shanghai stays 09:00).

    Altair writes aware datetimes with their offset and Vega would then show them in
    the renderer's timezone (the server's for PNGs, the viewer's in the browser).
    """
    dtype = data.schema[column]
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        return data.with_columns(pl.col(column).dt.replace_time_zone(None))
    return data


def _line_points(periods: int, size: int) -> alt.OverlayMarkDef:
    """Points on a line: visible when there are few periods.

    With many periods they stay invisible but still carry the tooltip (a line mark
    alone shows the first row's values wherever it is hovered).
    """
    few = periods <= FEW_PERIODS
    return alt.OverlayMarkDef(filled=True, size=size if few else size - 10, opacity=1 if few else 0)


def _is_temporal(dtype: pl.DataType) -> bool:
    return dtype.is_temporal() and dtype != pl.Time and not isinstance(dtype, pl.Duration)


def _pick(select: bool, fields: tuple[str, ...] = (SELECTION_FIELD,)) -> alt.Parameter | None:
    """The drill-down selection, or None; double click clears it, shift-click adds to it."""
    if not select:
        return None
    return alt.selection_point(name=SELECTION, fields=list(fields), on="click", clear="dblclick")


def _fade(pick: alt.Parameter | None) -> dict | object:
    """Opacity: picked marks full, the others faded, all full while nothing is picked; Undefined without."""
    if pick is None:
        return alt.Undefined
    return alt.when(pick, empty=True).then(alt.value(1.0)).otherwise(alt.value(FADED))


def _pickable(layer: alt.Chart, pick: alt.Parameter | None) -> alt.Chart:
    """The one layer that carries the selection (Vega-Lite wants a param on a single view)."""
    if pick is None:
        return layer
    return layer.add_params(pick).encode(opacity=_fade(pick))


def _raw_and_label(column: str, labels: dict | None) -> list[pl.Expr]:
    """The raw value as text in SELECTION_FIELD (what a click returns) and its shown label."""
    raw = pl.col(column).cast(pl.String).fill_null(MISSING)
    mapping = {str(key): str(label) for key, label in (labels or {}).items()}
    return [raw.alias(SELECTION_FIELD), raw.replace(mapping).alias("label")]


def _ordered(present: list, labels: dict | None) -> list:
    """Values in the order of ``labels``' keys, then the rest sorted: stable across filters."""
    known = list(labels or {})
    seen = set(known)
    return known + sorted({value for value in present if value not in seen})


def _series_colors(data: pl.DataFrame, labels: dict | None) -> tuple[pl.DataFrame, alt.Scale]:
    """A ``rank`` column and a colour scale over the series present in ``data``.

    Colours are assigned by position in the full order (``labels`` first), so a series
    keeps its colour when a filter removes another one.
    """
    order = _ordered(data[SELECTION_FIELD].unique().to_list(), {str(key): 0 for key in labels or {}})
    present = set(data[SELECTION_FIELD].to_list())
    ranks = {raw: rank for rank, raw in enumerate(order)}
    shown = [raw for raw in order if raw in present]
    label_of = dict(zip(data[SELECTION_FIELD], data["label"], strict=True))
    scale = alt.Scale(
        domain=[label_of[raw] for raw in shown],
        range=[CATEGORY_COLORS[ranks[raw] % len(CATEGORY_COLORS)] for raw in shown],
    )
    return data.with_columns(
        pl.col(SELECTION_FIELD).replace_strict(ranks, return_dtype=pl.Int32).alias("rank")
    ), scale


def _period_axis(data: pl.DataFrame, x_title: str, time_unit: str | None) -> tuple[pl.DataFrame, dict]:
    """The ``period`` axis shared by stacked bars and multi-line charts: time or text.

    Returns the data (wall-clock times, or text in frame order) and the pieces to encode
    the axis: ``temporal``, ``axis`` or ``sort``, ``tooltip``.
    """
    data = _wall_clock(data, "period")
    if _is_temporal(data.schema["period"]):
        if time_unit is None:
            raise ValueError("time_unit is required when x is a date or datetime")
        label_format = _time_unit_format(time_unit)
        return data, {
            "temporal": True,
            "axis": _time_axis(data["period"], time_unit),
            "tooltip": alt.Tooltip("period:T", title=x_title, format=label_format),
        }
    data = data.with_columns(pl.col("period").cast(pl.String).fill_null(MISSING))
    return data, {
        "temporal": False,
        "sort": data["period"].unique(maintain_order=True).to_list(),
        "tooltip": alt.Tooltip("period:N", title=x_title),
    }


# ---- Builders ---------------------------------------------------------------------------


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
        Already translated texts.
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
    line = (
        alt.Chart(data)
        .mark_line(color=COLORS["primary"], strokeWidth=2, point=points)
        .encode(
            x=x_encoding,
            # A KPI such as CSAT moves between 4.1 and 4.4: a zero baseline would flatten it.
            y=alt.Y("kpi:Q", title=y_title, scale=alt.Scale(zero=False), axis=alt.Axis(format=y_format)),
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
        a None value is skipped. Labels are stacked in rows so close rules stay readable.
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
    # Headroom above the tallest bar for the marker labels (15 px per row).
    label_share = min(0.5, (4 + 15 * len(shown)) / LINE_HEIGHT) if shown else 0.0
    tallest = data["tickets"].max() or 0
    y_scale = alt.Scale(domainMax=tallest / (1 - label_share)) if shown and tallest > 0 else alt.Undefined
    count_format = _number_format(data.schema["tickets"])
    edge = json.dumps(x_format)
    bars = (
        alt.Chart(data)
        .transform_calculate(
            bin_range=f"format(datum.bin_start, {edge}) + ' – ' + format(datum.bin_end, {edge})"
        )
        .mark_bar(color=COLORS["primary"], stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("x0:Q", title=x_title, scale=scale, axis=alt.Axis(format=x_format)),
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
    # Label rows from the smallest value down, each rule starting at its own label: a label
    # reaching right then never crosses the rule of a larger value (that one starts lower).
    by_value = sorted(range(len(shown)), key=lambda index: shown[index][1])
    for row, index in enumerate(by_value):
        label, value = shown[index]
        color = MARKER_COLORS[index % len(MARKER_COLORS)]
        top = 2 + 15 * row
        # Labels past 80 % of the width go to the rule's left so they are not cut off.
        right = _position(value, low, high, log_scale) > 0.8
        marker = alt.Chart(pl.DataFrame({"value": [value], "label": [label]}))
        layers.append(
            marker.mark_rule(color=color, strokeDash=[5, 3], strokeWidth=1.5).encode(
                x="value:Q",
                y=alt.value(top),
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
                fontSize=11,
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
    scale = alt.Scale(type="log" if log_scale else "linear", zero=False)
    whisker = base.mark_rule(color=COLORS["muted"], strokeWidth=1.5).encode(
        x=alt.X("x_p10:Q", title=value_title, scale=scale, axis=alt.Axis(format=value_format)), x2="x_p90:Q"
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

    Returns
    -------
    alt.Chart
        Container-wide rect chart, one row of cells per ``y`` value.
    """
    data = frame.select(pl.col(x).alias("x"), pl.col(y).alias("y"), pl.col(value).alias("value"))
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
            ],
        )
        .properties(height=alt.Step(HEAT_STEP))
    )
    return _finish(_pickable(chart, pick), title)


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
    data, scale = _series_colors(data, series_labels)
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


# ---- Export -----------------------------------------------------------------------------


def _export_spec(chart: alt.TopLevelMixin) -> dict:
    register_cjk_fonts()
    spec = chart.to_dict()
    # "container" means "as wide as the page"; outside a page vl-convert falls back to
    # 300 px, so give images a fixed size, padding included.
    if spec.get("width") == "container" or spec.get("height") == "container":
        fit = []
        if spec.get("width") == "container":
            spec["width"] = EXPORT_WIDTH
            fit.append("x")
        if spec.get("height") == "container":
            spec["height"] = EXPORT_HEIGHT
            fit.append("y")
        spec["autosize"] = {"type": "fit" if len(fit) == 2 else f"fit-{fit[0]}", "contains": "padding"}
    return spec


def to_svg(chart: alt.TopLevelMixin) -> str:
    """SVG text of ``chart``, rendered offline (``EXPORT_WIDTH`` px wide for container charts)."""
    return vl_convert.vegalite_to_svg(_export_spec(chart), vl_version=_VL_VERSION, allowed_base_urls=[])


def to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """PNG bytes of ``chart``, rendered offline; ``scale`` 2 gives sharp images on HiDPI screens."""
    return vl_convert.vegalite_to_png(
        _export_spec(chart), vl_version=_VL_VERSION, scale=scale, allowed_base_urls=[]
    )
