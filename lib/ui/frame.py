"""The frame every page shares: page config and the sidebar (language, date range, filters in the URL)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from lib.engine import store
from lib.engine.periods import last_full_month
from lib.errors import InputError
from lib.i18n import t
from lib.ui import session


def configure() -> None:
    # No page_icon: a Material icon favicon is fetched from Google's servers.
    st.set_page_config(page_title="Aftersight", layout="wide")


def _legacy_first_run() -> bool:
    """True on a session's first run when Streamlit used its `pages/` folder routing.

    With a `pages/` folder beside app.py, Streamlit routes runs through its older
    pages-folder path until some run of the process has called `st.navigation`
    (always, under AppTest). Widgets drawn on that path get other ids than on the
    normal path, so a session that starts there would lose its sidebar choices on
    the next run. Such a first run is restarted on the normal path; nothing the
    user did is lost yet.

    The one use of Streamlit's internal `PagesManager.uses_pages_directory`, pinned with
    streamlit==1.67.0 and checked by tests/test_private_apis.py. No public switch exists; the public
    way out is to rename `pages/` (Streamlit then never takes that path), which would break every
    link and test that names a page file.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager  # internal, see docstring
    except ImportError:  # a Streamlit without it has no such path to leave
        return False
    if getattr(PagesManager, "uses_pages_directory", False) and _SEEN not in st.session_state:
        PagesManager.uses_pages_directory = False
        st.rerun()
    return bool(PagesManager.uses_pages_directory)


def start() -> None:
    """app.py's first call: page config, after leaving the legacy path on a first run."""
    _legacy_first_run()
    configure()


def ensure() -> None:
    """A page's first call: draw the frame if Streamlit ran the page without app.py.

    That happens for a fresh server's first deep link (restarted through app.py,
    see `_legacy_first_run`) and for AppTest runs after the first, where the page
    draws the frame itself so widget ids stay the same from run to run.
    """
    if _legacy_first_run():
        configure()
        sidebar()


_SEEN = "_aftersight_frame_seen"
LANG_OPTIONS = {"zh": "中文", "en": "English"}
COMPARE_OPTIONS = ("previous", "year")


def _seed(key: str, from_url, default=None) -> None:
    """Give a sidebar widget its value before it is drawn.

    Streamlit drops a widget's state after a run that did not draw it, so the
    value is kept in a shadow key too. First visit: the URL (a copied link
    reproduces the view), else the default.
    """
    if key not in st.session_state:
        value = st.session_state.get(f"_keep_{key}", from_url if from_url is not None else default)
        if value is not None:
            st.session_state[key] = value


def _keep(key: str, value) -> None:
    st.session_state[f"_keep_{key}"] = value


def sidebar() -> None:
    """Language, date range and filters; sets the session's scope and mirrors it in the URL."""
    st.session_state[_SEEN] = True
    url_lang = st.query_params.get("lang")
    _seed("lang", url_lang if url_lang in LANG_OPTIONS else None, "zh")
    lang = st.sidebar.radio(
        "语言 / Language", list(LANG_OPTIONS), format_func=LANG_OPTIONS.get, key="lang", horizontal=True
    )
    _keep("lang", lang)
    try:
        engine = session.engine()  # the session's DuckDB, or the lake when the administrator set one
        bounds = engine.date_bounds()
    except InputError:  # the page says why (lib.ui.analysis_page.open_page)
        engine, bounds = None, None
    if bounds is None:
        session.set_scope(store.Scope())
        st.query_params.from_dict({"lang": lang})
        return
    first, last = bounds
    for key in ("range", "_keep_range"):
        if key in st.session_state and not _inside(st.session_state[key], first, last):
            # New data that the old range does not fit: start again from its last full month.
            st.session_state[key] = last_full_month(first, last)
    start_q, end_q = session.parse_query_date("start"), session.parse_query_date("end")
    url_range = (start_q, end_q) if start_q and end_q and _inside((start_q, end_q), first, last) else None
    _seed("range", url_range, last_full_month(first, last))
    picked = st.sidebar.date_input(
        t("sidebar.range", lang),
        min_value=first,
        max_value=last,
        key="range",
        help=t("sidebar.range_help", lang),
    )
    _keep("range", picked)
    # While the user has clicked only the first day of a new range, keep the whole span.
    start, end = (picked[0], picked[-1]) if isinstance(picked, tuple) and len(picked) == 2 else (first, last)
    url_compare = st.query_params.get("compare")
    _seed("compare", url_compare if url_compare in COMPARE_OPTIONS else None, "previous")
    compare = st.sidebar.radio(
        t("sidebar.compare_with", lang),
        COMPARE_OPTIONS,
        format_func=lambda option: t(f"sidebar.compare_{option}", lang),
        key="compare",
        horizontal=True,
    )
    _keep("compare", compare)
    filters = []
    try:
        dimensions = engine.dimension_values()
    except InputError:  # the lake answered the dates but not this: no filters until it does
        dimensions = {}
    for dim, values in dimensions.items():
        key = f"filter_{dim}"
        url_values = [v for v in st.query_params.get_all(dim) if v in values]
        _seed(key, url_values or None)
        if key in st.session_state:  # values that vanished with new data
            st.session_state[key] = [v for v in st.session_state[key] if v in values]
        chosen = st.sidebar.multiselect(
            t(f"field.{dim}", lang), values, key=key, placeholder=t("sidebar.all", lang)
        )
        _keep(key, chosen)
        if chosen:
            filters.append((dim, tuple(chosen)))
    scope = store.Scope(start, end, tuple(filters), compare=compare)
    session.set_scope(scope)
    previous = scope.previous()
    st.sidebar.caption(t("sidebar.compare", lang, start=previous.start, end=previous.end) if previous else "")
    params = {"lang": lang, "start": start.isoformat(), "end": end.isoformat()}
    if compare != COMPARE_OPTIONS[0]:  # links stay short in the usual case
        params["compare"] = compare
    params.update({dim: list(values) for dim, values in filters})
    params.update(page_params())
    st.query_params.from_dict(params)


# A page's own URL parameters start so (Explore's question: lib.analysis.explore.PREFIX); the sidebar
# keeps them when it rewrites the URL, the page sets them.
PAGE_PARAM_PREFIX = "x_"


def page_params() -> dict[str, list[str]]:
    """The URL parameters a page owns (see PAGE_PARAM_PREFIX), as they are now."""
    return {k: st.query_params.get_all(k) for k in st.query_params if k.startswith(PAGE_PARAM_PREFIX)}


def _inside(value, first: date, last: date) -> bool:
    return (
        isinstance(value, tuple)
        and bool(value)
        and all(first <= d <= last for d in value)
        and value[0] <= value[-1]
    )
