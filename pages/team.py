"""Team: per agent/engineer workload, throughput, speed, quality, satisfaction and cost; ranking and outliers."""

import streamlit as st

from lib import charts
from lib.analysis import tables, team
from lib.engine.periods import GRAINS
from lib.i18n import t
from lib.ui import analysis_page, widgets

page = analysis_page.open_page("team", "team.title")
lang = page.lang
SHOWN_OUTLIERS = 8
CARDS = ("tickets", "resolved", "first_response_hours_p90", "resolution_hours_p90", "fcr_rate", "csat")

page.cards(CARDS)

frames = page.frames(team.frames)
table = page.memo("table", lambda: team.table(frames, page.settings))
if table is None:
    page.needs(team.NEEDS["table"])
    st.stop()
if table.is_empty():
    st.info(t("page.no_rows", lang))
    st.stop()

st.subheader(t("team.outliers", lang))
found = team.outliers(table)
st.caption(t("team.outlier_rule", lang, tickets=team.MIN_TICKETS))
lines = team.outlier_lines(found, lang) or [t("team.no_outliers", lang)]
for line in lines[:SHOWN_OUTLIERS]:
    st.markdown(line)
if len(lines) > SHOWN_OUTLIERS:
    with st.expander(t("team.more_outliers", lang, count=len(lines) - SHOWN_OUTLIERS)):
        for line in lines[SHOWN_OUTLIERS:]:
            st.markdown(line)

st.subheader(t("team.ranking", lang))
metrics = [
    c for c in team.TABLE_COLUMNS if c not in ("agent", "working_days") and table[c].null_count() < len(table)
]
metric = st.selectbox(
    t("team.metric", lang), metrics, format_func=lambda c: tables.header(c, lang), key="team_metric"
)
# The ranking chart keeps every agent (the agent drill only highlights one).
every_agent = page.scoped("agent")
everyone = page.memo(
    "table", lambda: team.table(page.frames(team.frames, every_agent), page.settings), scope=every_agent
)
ranked = team.ranking(everyone, metric)
median = team.team_median(everyone).get(metric)
figure = charts.driver_bars(
    ranked,
    category="agent",
    value=metric,
    count="tickets",
    category_title=t("field.agent", lang),
    value_title=tables.header(metric, lang),
    count_title=tables.header("tickets", lang),
    title=t("team.ranking_title", lang, metric=tables.header(metric, lang)),
    value_format=tables.d3_format(metric),
    select=True,
    target=median,
    target_title=t("column.median", lang),
    category_labels={None: t("team.unassigned", lang)},
)
page.chart(figure, ranked, "team_ranking", "ranking", drill="agent")

st.subheader(t("team.table", lang))
page.table(table, "team", "table", sheet=t("team.table", lang), drill="agent")

st.subheader(t("team.workload", lang))
grain = widgets.grain_picker(lang, "team_grain")
load = page.memo(f"workload_{grain}", lambda: team.workload(frames, GRAINS[grain]))
figure = charts.multi_line(
    load,
    x="period",
    series="agent",
    y="tickets",
    x_title=t(f"grain.{grain}", lang),
    y_title=t("kpi.tickets_axis", lang),
    series_title=t("field.agent", lang),
    title=t("team.workload", lang),
    series_labels={team.OTHER: t("team.other", lang), None: t("team.unassigned", lang)},
    time_unit=grain,
    y_format=",d",
)
page.chart(figure, load, "team_workload", "workload", sheet=t("team.workload", lang))
page.workbook_button()
