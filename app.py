"""Aftersight: the router — page config, the shared sidebar, navigation over the files in pages/."""

import streamlit as st

from lib.i18n import t
from lib.ui import frame, session

frame.start()
frame.sidebar()
lang = session.lang()
# No page icons: Streamlit fetches a page's Material icon from Google as its favicon.
pages = [
    st.Page("pages/overview.py", title=t("nav.overview", lang), default=True),
    st.Page("pages/efficiency.py", title=t("nav.efficiency", lang)),
    st.Page("pages/satisfaction.py", title=t("nav.satisfaction", lang)),
    st.Page("pages/team.py", title=t("nav.team", lang)),
    st.Page("pages/cost.py", title=t("nav.cost", lang)),
    st.Page("pages/explore.py", title=t("nav.explore", lang)),
    st.Page("pages/forecast.py", title=t("nav.forecast", lang)),
    st.Page("pages/churn.py", title=t("nav.churn", lang)),
    st.Page("pages/report.py", title=t("nav.report", lang)),
    st.Page("pages/data.py", title=t("nav.data", lang)),
    st.Page("pages/settings.py", title=t("nav.settings", lang)),
]
st.navigation(pages).run()
