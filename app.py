"""Aftersight: the frame — page config, shared sidebar (language, date range, filters), navigation."""

from __future__ import annotations

from datetime import date

import streamlit as st

from lib import session, store
from lib.i18n import t
from lib.periods import last_full_month

st.set_page_config(page_title="Aftersight", page_icon="📊", layout="wide")

LANG_OPTIONS = {"zh": "中文", "en": "English"}


def _init_from_url(key: str, value) -> None:
    """Seed a widget from the URL on a session's first run, so a copied link reproduces the view."""
    if key not in st.session_state and value is not None:
        st.session_state[key] = value


def sidebar() -> None:
    url_lang = st.query_params.get("lang")
    _init_from_url("lang", url_lang if url_lang in LANG_OPTIONS else "zh")
    lang = st.sidebar.segmented_control(
        "语言 / Language", list(LANG_OPTIONS), format_func=LANG_OPTIONS.get, key="lang"
    )
    if lang is None:  # clicking the selected option deselects it; keep the language
        lang = st.session_state["lang"] = "zh" if url_lang != "en" else "en"
    con = session.connection()
    bounds = store.date_bounds(con)
    if bounds is None:
        session.set_scope(store.Scope())
        st.query_params.from_dict({"lang": lang})
        return
    first, last = bounds
    if "range" in st.session_state and not _inside(st.session_state["range"], first, last):
        # New data that the old range does not fit: start again from its last full month.
        st.session_state["range"] = last_full_month(first, last)
    start_q, end_q = session.parse_query_date("start"), session.parse_query_date("end")
    url_range = (start_q, end_q) if start_q and end_q and _inside((start_q, end_q), first, last) else None
    _init_from_url("range", url_range or last_full_month(first, last))
    picked = st.sidebar.date_input(
        t("sidebar.range", lang),
        min_value=first,
        max_value=last,
        key="range",
        help=t("sidebar.range_help", lang),
    )
    start, end = (picked[0], picked[-1]) if isinstance(picked, tuple) and picked else (first, last)
    filters = []
    for dim, values in store.dimension_values(con).items():
        key = f"filter_{dim}"
        url_values = [v for v in st.query_params.get_all(dim) if v in values]
        _init_from_url(key, url_values or None)
        chosen = st.sidebar.multiselect(
            t(f"field.{dim}", lang), values, key=key, placeholder=t("sidebar.all", lang)
        )
        if chosen:
            filters.append((dim, tuple(chosen)))
    scope = store.Scope(start, end, tuple(filters))
    session.set_scope(scope)
    previous = scope.previous()
    st.sidebar.caption(
        t("sidebar.compare", lang, start=previous.start, end=previous.end) if previous else ""
    )
    params = {"lang": lang, "start": start.isoformat(), "end": end.isoformat()}
    params.update({dim: list(values) for dim, values in filters})
    st.query_params.from_dict(params)


def _inside(value, first: date, last: date) -> bool:
    return isinstance(value, tuple) and bool(value) and all(first <= d <= last for d in value) and value[0] <= value[-1]


sidebar()
lang = session.lang()
pages = [
    st.Page("pages/overview.py", title=t("nav.overview", lang), icon="📊", default=True, url_path="overview"),
    st.Page("pages/data.py", title=t("nav.data", lang), icon="📁", url_path="data"),
]
st.navigation(pages).run()
