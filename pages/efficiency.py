"""Efficiency: response and resolution distributions, SLA over time, backlog, when work piles up, breakdowns."""

import streamlit as st

from lib.analysis import efficiency, tables
from lib.engine.periods import GRAINS
from lib.i18n import t
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
present = efficiency.dimensions(frames)
# Date-only exports: durations in whole days, no hour-of-day heat maps (the KPIs stay in hours).
days = page.memo("date_only", lambda: efficiency.date_only(frames))

# ---- distributions ---------------------------------------------------------------------
st.subheader(t("efficiency.distributions", lang))
if days:
    st.caption(t("efficiency.whole_days", lang))
splits = efficiency.splits(present)
split = (
    widgets.dimension_picker(t("efficiency.split_by", lang), splits, lang, "efficiency_split", splits[0])
    if splits
    else None
)
for column, which in zip(st.columns(2), ("first_response", "resolution"), strict=True):
    with column:
        overall = page.memo(
            f"dist_{which}", lambda which=which: efficiency.distribution(frames, which, days=days)
        )
        if overall is None or overall.bins.is_empty():
            page.needs((efficiency.DURATIONS[which][0],))
            continue
        figure = efficiency.histogram_figure(overall, which, lang)
        page.chart(
            figure, overall.bins, f"{which}_histogram", f"hist_{which}", sheet=t(f"efficiency.{which}", lang)
        )
        if not split:
            continue
        everyone = page.scoped(split)
        grouped = page.memo(
            f"dist_{which}_{split}",
            lambda which=which, everyone=everyone: efficiency.distribution(
                page.frames(efficiency.frames, everyone), which, by=split, days=days
            ),
            scope=everyone,
        )
        figure = efficiency.box_figure(grouped, which, split, overall.log_scale, lang)
        page.chart(
            figure,
            grouped.stats,
            f"{which}_by_{split}",
            f"box_{which}",
            drill=split,
            sheet=efficiency.box_title(which, split, lang),
        )

# ---- over time -------------------------------------------------------------------------
st.subheader(t("efficiency.over_time", lang))
grain = widgets.grain_picker(lang, "efficiency_grain")
every = GRAINS[grain]
have = frozenset(frames.tickets.columns)
sla = page.memo(f"sla_{grain}", lambda: efficiency.sla_trend(frames, settings, every))
page.kpi_trends(sla, efficiency.SLA_KEYS, grain, t("efficiency.sla_sheet", lang), have=have)
st.caption(efficiency.sla_rule(settings, lang))
rates = page.memo(f"rates_{grain}", lambda: efficiency.rate_trend(frames, settings, every))
page.kpi_trends(rates, efficiency.RATE_KEYS, grain, t("efficiency.rates_sheet", lang), have=have)

backlog = page.memo("backlog", lambda: efficiency.backlog_trend(frames, "1d"))
if backlog is None:
    page.needs(efficiency.NEEDS["backlog_trend"])
else:
    figure = efficiency.backlog_figure(backlog, lang)
    page.chart(figure, backlog, "backlog_daily", "backlog", sheet=t("efficiency.backlog_title", lang))

# ---- when work piles up -------------------------------------------------------------------
st.subheader(t("efficiency.heatmaps", lang))
cells = None if days else page.memo("heatmap", lambda: efficiency.heatmap(frames))
if cells is None:
    st.caption(t("efficiency.no_hours", lang))
else:
    for column, (value, title, value_format) in zip(st.columns(2), efficiency.HEATMAPS, strict=True):
        with column:
            if tables.blank(cells, value):
                st.markdown(f"**{t(title, lang)}**")
                page.needs(("first_response_at",))
                continue
            figure = efficiency.heatmap_figure(cells, value, title, value_format, lang)
            page.chart(figure, efficiency.heatmap_cells(cells, value), f"heatmap_{value}", f"heat_{value}")
    page.add_sheet(t("efficiency.heatmaps", lang), cells)

# ---- breakdowns ---------------------------------------------------------------------------
st.subheader(t("efficiency.breakdowns", lang))
by = widgets.dimension_picker(
    t("efficiency.breakdown_by", lang),
    present,
    lang,
    "efficiency_by",
    default=efficiency.breakdown_default(present),
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
