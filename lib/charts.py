"""Altair chart builders for aggregated frames, and offline PNG/SVG export through vl-convert."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
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
    intervals = {"month": {"interval": "month"}, "quarter": {"interval": "month", "step": 3}, "year": "year"}
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

    Returns
    -------
    alt.LayerChart
        Bars plus value labels, container-wide, one row per bar.
    """
    label_format = value_format or _number_format(frame.schema[value])
    data = (
        frame.select(
            pl.col(category).cast(pl.String).fill_null("—").alias("category"),
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
            axis=alt.Axis(format=label_format, tickMinStep=1 if data["value"].dtype.is_integer() else alt.Undefined),
        ),
        tooltip=[
            alt.Tooltip("category:N", title=category_title),
            alt.Tooltip("value:Q", title=value_title, format=label_format),
        ],
    )
    bars = base.mark_bar(color=COLORS["primary"], cornerRadiusEnd=2)
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
