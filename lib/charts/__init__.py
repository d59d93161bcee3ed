"""Altair chart builders for aggregated frames, and offline PNG/SVG export through vl-convert."""

# Re-exported so callers keep writing `charts.ranked_bars(...)`, `charts.SELECTION`, `charts.to_png(...)`.
# These are bindings, not the modules' globals: to patch a setting (e.g. FONT_DIRECTORIES or the
# font registration state), patch the module that reads it, here `lib.charts.export`.
from lib.charts.bars import driver_bars, pareto, ranked_bars
from lib.charts.distributions import QUANTILES, box_summary, heatmap, histogram
from lib.charts.export import (
    EXPORT_HEIGHT,
    EXPORT_WIDTH,
    FONT_DIRECTORIES,
    register_cjk_fonts,
    to_png,
    to_svg,
)
from lib.charts.forecast import SERIES as FORECAST_SERIES
from lib.charts.forecast import forecast_band
from lib.charts.look import (
    BAR_STEP,
    BOX_STEP,
    CATEGORY_COLORS,
    COLORS,
    CONFIG,
    FADED,
    FEW_PERIODS,
    FONT,
    HEAT_STEP,
    HEATMAP_FIELDS,
    KPI_AXIS_TITLE_LIMIT,
    KPI_HEIGHT,
    LINE_DASHES,
    LINE_HEIGHT,
    LOG_FORMAT,
    MARKER_COLORS,
    MARKER_ROW,
    MISSING,
    SELECTION,
    SELECTION_FIELD,
    SMALL,
    TIME_FORMATS,
)
from lib.charts.trends import BAR_TIME_UNITS, kpi_trend, multi_line, stacked_bars, volume_trend

__all__ = [
    # look
    "BAR_STEP",
    "BOX_STEP",
    "CATEGORY_COLORS",
    "COLORS",
    "CONFIG",
    "FADED",
    "FEW_PERIODS",
    "FONT",
    "HEAT_STEP",
    "HEATMAP_FIELDS",
    "KPI_AXIS_TITLE_LIMIT",
    "KPI_HEIGHT",
    "LINE_DASHES",
    "LINE_HEIGHT",
    "LOG_FORMAT",
    "MARKER_COLORS",
    "MARKER_ROW",
    "MISSING",
    "SELECTION",
    "SELECTION_FIELD",
    "SMALL",
    "TIME_FORMATS",
    # trends
    "BAR_TIME_UNITS",
    "kpi_trend",
    "multi_line",
    "stacked_bars",
    "volume_trend",
    # bars
    "driver_bars",
    "pareto",
    "ranked_bars",
    # distributions
    "QUANTILES",
    "box_summary",
    "heatmap",
    "histogram",
    # forecast
    "FORECAST_SERIES",
    "forecast_band",
    # export
    "EXPORT_HEIGHT",
    "EXPORT_WIDTH",
    "FONT_DIRECTORIES",
    "register_cjk_fonts",
    "to_png",
    "to_svg",
]
