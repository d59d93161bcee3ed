"""Overview: KPI cards with change and status, alerts explained, ticket volume trend, top problem categories."""

import streamlit as st

from lib import charts
from lib.analysis import formatting, overview
from lib.engine.periods import GRAINS
from lib.i18n import t
from lib.ui import analysis_page, session, widgets

page = analysis_page.open_page("overview", "overview.title")
lang, con, scope, settings = page.lang, page.con, page.scope, page.settings
if session.source() == "sample":
    st.info(t("overview.sample_note", lang), icon="ℹ️")

engine = page.engine  # the session's DuckDB, or the lake (lib.ui.engines)
with page.guard():  # the lake answers the page's questions at once
    engine.prefetch(
        ("summarise", (scope, settings)),
        ("volume", (scope, GRAINS[st.session_state.get("overview_grain") or "day"])),
        ("top_categories", (page.scoped("category"),)),
    )
with page.guard(stop=True):
    summary = page.memo("summary", lambda: engine.summarise(scope, settings))  # every KPI, for the table
red = overview.alerts(summary, settings)
not_compared = overview.comparison_note(summary.comparison, lang)
with st.container(border=True):
    st.subheader(t("overview.alerts", lang))
    # Each alert now; its explanation replaces it once computed, at the end of the page.
    lines = {kpi.key: (st.empty(), overview.alert_sentence(kpi, value, settings, lang)) for kpi, value in red}
    for line, words in lines.values():
        line.markdown(f":red[●] {words}")
    waiting = st.empty()  # on the lake: says the explanations are coming
    if not red:
        st.markdown(t("overview.no_alerts", lang))
    elif not_compared:
        st.caption(t("alert.not_compared", lang, note=not_compared))
widgets.kpi_cards(summary, settings, lang)

left, right = st.columns([3, 2])
with left:
    grain = widgets.grain_picker(lang, "overview_grain", default="day")
    trend = None
    with page.guard():  # on the lake, a failed query is one sentence and the rest of the page stays
        trend = page.memo(("trend", grain), lambda: engine.volume(scope, GRAINS[grain]))
    if trend is not None:
        figure = charts.volume_trend(
            trend,
            x="period",
            y="tickets",
            x_title=t(f"grain.{grain}", lang),
            y_title=t("kpi.tickets_axis", lang),
            title=t("overview.trend", lang),
            time_unit=grain,
        )
        page.chart(figure, trend, "ticket_volume", "trend", sheet=t("overview.trend", lang))
with right:
    # Every category stays on the chart; a drill on one only highlights it.
    every_category = page.scoped("category")
    top = failed = page.FAILED
    with page.guard():
        top = page.memo("top", lambda: engine.top_categories(every_category), scope=every_category)
    if top is None:
        page.needs(("category",))
    elif top is not failed:
        figure = charts.ranked_bars(
            top,
            category="category",
            value="tickets",
            category_title=t("field.category", lang),
            value_title=t("kpi.tickets_axis", lang),
            title=t("overview.top_categories", lang),
            select=True,
        )
        page.chart(
            figure, top, "top_categories", "top", sheet=t("overview.top_categories", lang), drill="category"
        )

with st.expander(t("overview.all_kpis", lang)):
    table = overview.kpi_table(summary, settings, lang)
    widgets.table(table, "kpis", lang, key="kpi_table")
    page.add_sheet(t("overview.all_kpis", lang), table)
page.workbook_button()

# Last, once everything else is drawn (on the lake it takes the longest): each alert line gets its
# explanation in place. Against a comparison period the data does not cover,
# no change is explained.
keys = () if not_compared else tuple(lines)
why: list | None = []
if engine.kind == "spark":  # minutes on the lake: asked in the background, drawn when a look finds them
    with page.guard():
        why = engine.explain_alerts_soon(scope, settings, keys)
    if why is None:
        waiting.caption(t("lake.explaining", lang))
        widgets.rerun_when(lambda: engine.explain_alerts_soon(scope, settings, keys) is not None)
else:
    why = page.memo(("why", keys), lambda: engine.explain_alerts(scope, settings, keys))
for explanation in why or ():
    line, words = lines[explanation.key]
    because = overview.explanation_sentence(explanation, settings, lang, escape=formatting.literal)
    line.markdown(f":red[●] {words} {because}")
