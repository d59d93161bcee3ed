"""Efficiency: response and resolution distributions, SLA over time, backlog, when work piles up, breakdowns."""

import polars as pl
import streamlit as st

from lib import charts
from lib.analysis import efficiency, overview, tables
from lib.engine.kpis import BY_KEY
from lib.engine.periods import GRAINS
from lib.i18n import t
from lib.schema import DIMENSIONS
from lib.ui import analysis_page, widgets

page = analysis_page.open_page("efficiency", "efficiency.title")
lang = page.lang
settings = page.settings
page.cards(
    (
        "first_response_hours_p90",
        "resolution_hours_p90",
        "response_sla_rate",
        "resolution_sla_rate",
        "backlog",
        "fcr_rate",
        "reopen_rate",
        "repeat_contact_rate",
    )
)
frames = page.frames(efficiency.frames)
present = [d for d in DIMENSIONS if d in frames.tickets.columns]

# ---- distributions ---------------------------------------------------------------------
st.subheader(t("efficiency.distributions", lang))
splits = [d for d in ("channel", "priority", "category", "region", "product", "agent") if d in present]
split = (
    widgets.dimension_picker(t("efficiency.split_by", lang), splits, lang, "efficiency_split", splits[0])
    if splits
    else None
)
for column, which in zip(st.columns(2), ("first_response", "resolution"), strict=True):
    with column:
        name = t(f"efficiency.{which}", lang)
        overall = page.memo(f"dist_{which}", lambda which=which: efficiency.distribution(frames, which))
        if overall is None or overall.bins.is_empty():
            page.needs((efficiency.DURATIONS[which][0],))
            continue
        stats = overall.stats.row(0, named=True)
        markers = [
            (
                f"{t('column.mean', lang)} {stats['mean']:.1f}" if stats["mean"] is not None else "",
                stats["mean"],
            ),
            (f"P50 {stats['p50']:.1f}" if stats["p50"] is not None else "", stats["p50"]),
            (f"P90 {stats['p90']:.1f}" if stats["p90"] is not None else "", stats["p90"]),
        ]
        figure = charts.histogram(
            overall.bins,
            start="bin_start",
            end="bin_end",
            count="tickets",
            x_title=t("efficiency.hours_axis", lang)
            + (t("efficiency.log_note", lang) if overall.log_scale else ""),
            y_title=t("kpi.tickets_axis", lang),
            title=t("efficiency.histogram_title", lang, name=name),
            markers=markers,
            log_scale=overall.log_scale,
        )
        page.chart(figure, overall.bins, f"{which}_histogram", f"hist_{which}", sheet=name)
        if not split:
            continue
        everyone = page.scoped(split)
        grouped = page.memo(
            f"dist_{which}_{split}",
            lambda which=which, everyone=everyone: efficiency.distribution(
                page.frames(efficiency.frames, everyone), which, by=split
            ),
            scope=everyone,
        )
        figure = charts.box_summary(
            grouped.stats.head(12),
            group=split,
            p10="p10",
            p25="p25",
            p50="p50",
            p75="p75",
            p90="p90",
            mean="mean",
            count="tickets",
            group_title=t(f"field.{split}", lang),
            value_title=t("efficiency.hours_axis", lang),
            title=t("efficiency.box_title", lang, name=name, field=t(f"field.{split}", lang)),
            mean_title=t("column.mean", lang),
            count_title=t("kpi.tickets_axis", lang),
            log_scale=overall.log_scale,
            select=True,
        )
        page.chart(
            figure,
            grouped.stats,
            f"{which}_by_{split}",
            f"box_{which}",
            drill=split,
            sheet=t("efficiency.box_title", lang, name=name, field=t(f"field.{split}", lang)),
        )

# ---- over time -------------------------------------------------------------------------
st.subheader(t("efficiency.over_time", lang))
grain = widgets.grain_picker(lang, "efficiency_grain")
every = GRAINS[grain]


def trend_row(data: pl.DataFrame | None, keys: tuple[str, ...], label: str) -> None:
    """One small KPI line per key, side by side, with the KPI's target."""
    if data is None:
        page.needs(tuple(need for k in keys for need in BY_KEY[k].needs))
        return
    for column, key in zip(st.columns(len(keys)), keys, strict=True):
        kpi = BY_KEY[key]
        with column:
            if data[key].is_null().all():
                st.markdown(f"**{tables.header(key, lang).replace(' (%)', '')}**")
                page.needs(overview.missing_columns(kpi, frozenset(frames.tickets.columns)) or kpi.needs)
                continue
            figure = charts.kpi_trend(
                data,
                x="period",
                y=key,
                x_title=t(f"grain.{grain}", lang),
                y_title=tables.header(key, lang).replace(" (%)", ""),
                title=tables.header(key, lang).replace(" (%)", ""),
                target=settings.target(kpi),
                y_format=tables.d3_format(key),
                time_unit=grain,
                target_title=t("kpi.target", lang),
            )
            page.chart(figure, data.select("period", key), f"{key}_{grain}", f"trend_{key}")
    page.add_sheet(label, data)


sla = page.memo(f"sla_{grain}", lambda: efficiency.sla_trend(frames, settings, every))
trend_row(sla, efficiency.SLA_KEYS, t("efficiency.sla_sheet", lang))
general, per_priority = settings.sla_hours("response")
st.caption(
    t("efficiency.sla_rule", lang, response=general, resolution=settings.resolution_target_hours)
    + (t("efficiency.sla_per_priority", lang) if per_priority or settings.sla_hours("resolution")[1] else "")
)
rates = page.memo(f"rates_{grain}", lambda: efficiency.rate_trend(frames, settings, every))
trend_row(rates, efficiency.RATE_KEYS, t("efficiency.rates_sheet", lang))

backlog = page.memo("backlog", lambda: efficiency.backlog_trend(frames, "1d"))
if backlog is None:
    page.needs(efficiency.NEEDS["backlog_trend"])
else:
    counts = backlog.with_columns(pl.col("backlog").cast(pl.Int64))
    figure = charts.volume_trend(
        counts,
        x="period",
        y="backlog",
        x_title=t("grain.day", lang),
        y_title=t("efficiency.open_tickets", lang),
        title=t("efficiency.backlog_title", lang),
    )
    page.chart(figure, counts, "backlog_daily", "backlog", sheet=t("efficiency.backlog_title", lang))

# ---- when work piles up -------------------------------------------------------------------
st.subheader(t("efficiency.heatmaps", lang))
cells = page.memo("heatmap", lambda: efficiency.heatmap(frames))
weekdays = {day: t(f"weekday.{day}", lang) for day in range(1, 8)}
for column, (value, title, value_format) in zip(
    st.columns(2),
    (
        ("tickets", "efficiency.arrivals", ",d"),
        ("first_response_hours_p50", "efficiency.response_by_hour", ",.1f"),
    ),
    strict=True,
):
    with column:
        if cells[value].is_null().all():
            st.markdown(f"**{t(title, lang)}**")
            page.needs(("first_response_at",))
            continue
        figure = charts.heatmap(
            cells,
            x="hour",
            y="weekday",
            value=value,
            x_title=t("column.hour", lang),
            y_title=t("column.weekday", lang),
            value_title=tables.header(value, lang) if value != "tickets" else t("kpi.tickets_axis", lang),
            title=t(title, lang),
            y_labels=weekdays,
            value_format=value_format,
            missing_title=t("efficiency.no_data", lang),
        )
        page.chart(figure, cells.select("weekday", "hour", value), f"heatmap_{value}", f"heat_{value}")
page.add_sheet(t("efficiency.heatmaps", lang), cells)

# ---- breakdowns ---------------------------------------------------------------------------
st.subheader(t("efficiency.breakdowns", lang))
by = widgets.dimension_picker(
    t("efficiency.breakdown_by", lang),
    present,
    lang,
    "efficiency_by",
    default="category" if "category" in present else (present[0] if present else None),
)
if by:
    everyone = page.scoped(by)
    table = page.memo(
        f"breakdown_{by}",
        lambda: efficiency.breakdown(page.frames(efficiency.frames, everyone), settings, by),
        scope=everyone,
    )
    page.table(
        table,
        f"efficiency_by_{by}",
        f"breakdown_{by}",
        sheet=t("efficiency.breakdown_sheet", lang, field=t(f"field.{by}", lang)),
        drill=by,
    )
elif not present:
    page.needs(("channel|category|priority",))
page.workbook_button()
