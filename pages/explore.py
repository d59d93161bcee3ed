"""Explore (自助分析): any KPI by up to two dimensions and/or a time grain, saved views, the team's measures."""

import streamlit as st

from lib.i18n import t
from lib.ui import analysis_page, explore_page, explore_views, measures_panel, session

page = analysis_page.open_page("explore", "explore.title")
st.caption(t("explore.intro", page.lang))
settings = session.settings()
question = explore_page.builder(page, settings)
explore_views.show(page, question)
if question is not None:
    explore_page.show(page, question, settings)
measures_panel.show(page)
page.workbook_button()
