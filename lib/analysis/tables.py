"""Analysis tables as people read them: translated headers, rates in percent, rounded numbers."""

from __future__ import annotations

import polars as pl

from lib.engine.kpis import BY_KEY
from lib.i18n import CATALOGUE, t

_DECIMALS = {"ratio": 1, "hours": 1, "minutes": 1, "currency": 2, "points": 1, "score": 2}
# Shares that are not KPIs, shown in percent like the rates.
_PERCENT_COLUMNS = frozenset(
    {
        "share",
        "cumulative_share",
        "mape",
        "coverage",
        "churn_risk",
        "share_negative",
        "negative_share",
        "positive_share",
    }
)


def header(column: str, lang: str) -> str:
    """The column's name in `lang`: a KPI's label, a field's name or a `column.*` text."""
    if column in BY_KEY:
        kpi = BY_KEY[column]
        label = kpi.label[0] if lang == "zh" else kpi.label[1]
        return f"{label} (%)" if kpi.unit == "ratio" else label
    for key in (f"field.{column}", f"column.{column}"):
        if key in CATALOGUE:
            return t(key, lang) + (" (%)" if column in _PERCENT_COLUMNS else "")
    return column


def short_header(column: str, lang: str) -> str:
    """`header` without the " (%)" of a rate, for a chart's title and axis (the axis itself says %).

    Parameters
    ----------
    column : a KPI key, a field or a `column.*` name.
    lang : "zh" or "en".

    Returns
    -------
    str
        E.g. "Response SLA rate" where the table header says "Response SLA rate (%)".
    """
    return header(column, lang).replace(" (%)", "")


def blank(frame: pl.DataFrame, column: str) -> bool:
    """Whether `frame` has nothing to draw for `column`: the column is missing or every value is null.

    Parameters
    ----------
    frame : any frame.
    column : the column to look at.

    Returns
    -------
    bool
        True also for a frame without rows (nothing to draw either).
    """
    return column not in frame.columns or frame[column].is_null().all()


def display(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """`frame` with translated headers, rates ×100 and numbers rounded; the same rows in the same order.

    Used for what a page shows and for its CSV/xlsx files, so both read the same.
    """
    exprs = []
    for column, dtype in frame.schema.items():
        expr = pl.col(column)
        kpi = BY_KEY.get(column)
        if kpi is not None and dtype.is_numeric():
            if kpi.unit == "ratio":
                expr = expr * 100
            if kpi.unit in _DECIMALS:
                expr = expr.round(_DECIMALS[kpi.unit])
            elif dtype in (pl.Float32, pl.Float64):  # a forecast count: 22.13 tickets, not 22.1266
                expr = expr.round(1)
        elif column in _PERCENT_COLUMNS and dtype.is_numeric():
            expr = (expr * 100).round(1)
        elif dtype in (pl.Float32, pl.Float64):
            expr = expr.round(2)
        exprs.append(expr.alias(header(column, lang)))
    return frame.select(exprs)


_D3 = {"ratio": ".1%", "count": ",d", "currency": ",.2f", "score": ".2f"}


def d3_format(column: str) -> str:
    """How a chart writes `column`'s values: rates as %, counts whole, other numbers with one decimal."""
    kpi = BY_KEY.get(column)
    return _D3.get(kpi.unit, ",.1f") if kpi else ",.1f"
