"""Overview: KPI cards with change and status, alerts, ticket volume trend, top problem categories."""

import streamlit as st

from lib import alerts, charts, frame, overview, session, store, ui
from lib.i18n import t
from lib.periods import GRAINS

frame.ensure()
lang = session.lang()
con = session.connection()
scope = session.scope()
settings = session.settings()

st.title(t("overview.title", lang))
if not store.tables(con).get("tickets"):
    st.info(t("overview.no_data", lang))
    st.page_link("pages/data.py", label=t("nav.data", lang), icon=":material/upload_file:")
    st.stop()

summary = session.memo(("overview", scope, settings), lambda: overview.summarise(con, scope, settings))
st.caption(t("overview.period", lang, **overview.period_words(scope)))
if session.source() == "sample":
    st.info(t("overview.sample_note", lang), icon="ℹ️")

red = overview.alerts(summary, settings)
with st.container(border=True):
    st.subheader(t("overview.alerts", lang))
    keys = tuple(kpi.key for kpi, _ in red)
    why = session.memo(("why", scope, settings, keys), lambda: alerts.explain_alerts(con, scope, settings, keys))
    for (kpi, value), explanation in zip(red, why, strict=True):
        st.markdown(
            f":red[●] {overview.alert_sentence(kpi, value, settings, lang)} "
            f"{overview.explanation_sentence(explanation, settings, lang)}"
        )
    if not red:
        st.markdown(t("overview.no_alerts", lang))

ui.kpi_cards(summary, settings, lang)

left, right = st.columns([3, 2])
with left:
    grain = (
        st.segmented_control(
            t("overview.grain", lang),
            list(GRAINS),
            format_func=lambda g: t(f"grain.{g}", lang),
            default="day",
            key="overview_grain",
        )
        or "day"
    )
    trend = session.memo(("trend", scope, grain), lambda: overview.volume(con, scope, GRAINS[grain]))
    figure = charts.volume_trend(
        trend,
        x="period",
        y="tickets",
        x_title=t(f"grain.{grain}", lang),
        y_title=t("kpi.tickets_axis", lang),
        title=t("overview.trend", lang),
        time_unit=grain,
    )
    ui.chart(figure, trend, "ticket_volume", lang, key="trend")
with right:
    top = session.memo(("top", scope), lambda: overview.top_categories(con, scope))
    if top is None:
        st.info(t("kpi.not_available", lang, columns=t("field.category", lang)))
    else:
        figure = charts.ranked_bars(
            top,
            category="category",
            value="tickets",
            category_title=t("field.category", lang),
            value_title=t("kpi.tickets_axis", lang),
            title=t("overview.top_categories", lang),
        )
        ui.chart(figure, top, "top_categories", lang, key="top")

with st.expander(t("overview.all_kpis", lang)):
    ui.table(overview.kpi_table(summary, settings, lang), "kpis", lang, key="kpi_table")
