"""Aftersight: the router — page config, the shared sidebar, navigation over the files in pages/."""

import streamlit as st

from lib import frame, session
from lib.i18n import t

frame.configure()
frame.sidebar()
lang = session.lang()
pages = [
    st.Page("pages/overview.py", title=t("nav.overview", lang), icon=":material/dashboard:", default=True),
    st.Page("pages/data.py", title=t("nav.data", lang), icon=":material/upload_file:"),
]
st.navigation(pages).run()
