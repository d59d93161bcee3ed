"""The charts' declared look (fonts, colours, sizes, drill-down names) and the helpers every builder shares."""

from __future__ import annotations

import datetime as dt
import math

import altair as alt
import polars as pl

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
    # Series that are good, neutral or bad by nature (promoters, passives, detractors).
    "good": "#009E73",
    "neutral": "#B0B0B0",
    "bad": "#D55E00",
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
KPI_AXIS_TITLE_LIMIT = 90  # px; below the ~100 px plot a KPI_HEIGHT chart keeps in the app
BAR_STEP = 24
BOX_STEP = 30
HEAT_STEP = 24
# Statistic rules on histograms (mean, P50, P90 …), in the order given.
MARKER_COLORS = [COLORS["text"], "#E69F00", "#009E73", "#CC79A7"]
MARKER_FONT_SIZE = 11
MARKER_ROW = 15  # px per label row: more than the font size, so rows never touch
MARKER_TOP = 2  # px from the top to the first row
LINE_DASHES = [[1, 0], [6, 3], [2, 2]]  # solid, dashed, dotted: series 1–8, 9–16, 17–24
# Log axes label powers of ten (1-2-5 steps when the axis spans LOG_FINE_DECADES or less), written
# with the digits they need: 0.01, 0.5, 1, 20, 10,000. A fixed-decimals format wrote 0.001 as "0.0".
LOG_FORMAT = ",.1~r"
LOG_FINE_DECADES = 2.5

# Drill-down: bar-like builders take ``select=True`` and then carry a click selection named
# SELECTION; Streamlit returns event["selection"][SELECTION] as [{SELECTION_FIELD: raw value}].
SELECTION = "pick"
SELECTION_FIELD = "category"
HEATMAP_FIELDS = ("x", "y")  # a heat-map click returns both raw coordinates
MISSING = "—"  # shown for an empty category, and what a click on it returns
FADED = 0.3  # opacity of the marks not picked
SMALL = 0.35  # fill opacity of groups too small to trust


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


def _log_ticks(low: float, high: float) -> list[float]:
    """Tick values for a log axis from ``low`` to ``high``: powers of ten, or 1-2-5 steps over few decades."""
    if not (0 < low < high) or math.isinf(high):
        return []
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    multiples = (1, 2, 5) if math.log10(high / low) <= LOG_FINE_DECADES else (1,)
    # Decimal strings so 0.2 is the float 0.2, and the d3 format prints it as "0.2".
    steps = (float(f"{m}e{e}") for e in range(first, last + 1) for m in multiples)
    return [value for value in steps if low <= value <= high]


def _log_decades(low: float, high: float) -> list[float]:
    """The domain of a log axis widened to whole decades, e.g. 0.3–42 → 0.1–100."""
    if not low > 0:
        return [low, high]
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(max(high, low)))
    return [float(f"1e{first}"), float(f"1e{max(last, first + 1)}")]


def _log_axis(low: float, high: float, **axis) -> alt.Axis:
    """A log axis over [``low``, ``high``] with `_log_ticks` labelled in LOG_FORMAT."""
    return alt.Axis(values=_log_ticks(low, high) or alt.Undefined, format=LOG_FORMAT, **axis)


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


def _series_colors(
    data: pl.DataFrame, labels: dict | None, colors: dict | None = None
) -> tuple[pl.DataFrame, alt.Scale]:
    """A ``rank`` column and a colour scale over the series present in ``data``.

    Colours are assigned by position in the full order (``labels`` first), so a series
    keeps its colour when a filter removes another one; ``colors`` (raw value → colour)
    overrides that for series whose colour carries meaning.
    """
    order = _ordered(data[SELECTION_FIELD].unique().to_list(), {str(key): 0 for key in labels or {}})
    present = set(data[SELECTION_FIELD].to_list())
    ranks = {raw: rank for rank, raw in enumerate(order)}
    shown = [raw for raw in order if raw in present]
    label_of = dict(zip(data[SELECTION_FIELD], data["label"], strict=True))
    scale = alt.Scale(
        domain=[label_of[raw] for raw in shown],
        range=[
            {str(k): v for k, v in (colors or {}).items()}.get(
                raw, CATEGORY_COLORS[ranks[raw] % len(CATEGORY_COLORS)]
            )
            for raw in shown
        ],
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


# ---- Building charts fast ---------------------------------------------------------------


def _build_encodings_fast() -> None:
    """Two costs of Altair 6.3 that grow with the number of encodings, not with the data.

    - Every encoding given as a string ("value:Q") or a dict (`alt.value`, a condition) is turned
      into a channel by `SchemaBase.from_dict`, which first hashes the JSON schema of each of
      Altair's ~600 classes into a lookup table (`_FromDict`, 5 ms, every time): 0.6 s of the
      Efficiency page's re-render at any data size. The table depends only on the classes, so it is
      built once here. Private API (`altair.utils.schemapi._FromDict`, checked by
      tests/test_private_apis.py); the public alternative is to give every encoding as a channel
      object (`alt.X("value:Q")`) in every builder.
    - Debug mode validates every object against its schema as it is made (another 0.2 s there).
      Off: each builder's whole spec is still validated by `to_dict()` in tests/test_charts_*.py.
    """
    from altair.utils import schemapi

    alt.utils.schemapi.disable_debug_mode()
    original = schemapi._FromDict.__init__
    if getattr(original, "_built_once", False):
        return
    tables: dict[tuple, dict] = {}

    def init(self, wrapper_classes, /) -> None:
        classes = tuple(wrapper_classes)
        if classes not in tables:
            original(self, classes)
            tables[classes] = self.class_dict
        self.class_dict = tables[classes]

    init._built_once = True
    schemapi._FromDict.__init__ = init


_build_encodings_fast()
