"""Per-browser-session state: the session's DuckDB, language, scope and settings (the only Streamlit state)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from lib import churn, ingest, service_calendar, store
from lib.kpis import Settings

_CON = "_aftersight_con"
_SOURCE = "_aftersight_source"  # "sample" | "upload" | "empty"
_VERSION = "_aftersight_version"
_MEMO = "_aftersight_memo"
_MEMO_ROWS = "_aftersight_memo_rows"
_SETTINGS = "_aftersight_settings"
_EVENTS = "_aftersight_events"
_ACTIONS = "_aftersight_churn_actions"
_REPORTS = "_aftersight_reports"
_SERVICE_REPORT = "_aftersight_service_report"
MEMO_SIZE = 64
ROWS_MEMO_SIZE = 3


def connection() -> duckdb.DuckDBPyConnection:
    """This session's database; the sample data is loaded on the first visit.

    Kept in session_state, never in a global cache: one user's uploads must never
    be visible to another session (NOTES.md).
    """
    if _CON not in st.session_state:
        con = store.connect()
        ingest.load_sample(con)
        st.session_state[_CON] = con
        st.session_state[_SOURCE] = "sample"
        st.session_state[_VERSION] = 1
    return st.session_state[_CON]


def source() -> str:
    connection()
    return st.session_state[_SOURCE]


def changed(source_kind: str) -> None:
    """Record that the data changed (new upload, sample reloaded, cleared)."""
    st.session_state[_SOURCE] = source_kind
    st.session_state[_VERSION] = st.session_state.get(_VERSION, 0) + 1
    st.session_state.pop(_MEMO, None)
    st.session_state.pop(_MEMO_ROWS, None)


def version() -> int:
    connection()
    return st.session_state[_VERSION]


def lang() -> str:
    return st.session_state.get("_keep_lang", st.query_params.get("lang", "zh"))


def settings() -> Settings:
    return st.session_state.get(_SETTINGS, Settings())


def set_settings(value: Settings) -> None:
    """Targets changed (Settings page or a loaded mapping file): every KPI status follows."""
    st.session_state[_SETTINGS] = value


def events() -> pl.DataFrame:
    """The team's company events (promotions, launches, recalls) that forecasts treat as holidays."""
    return st.session_state.get(_EVENTS, service_calendar.events_from_saved([]))


def set_events(value: pl.DataFrame) -> None:
    st.session_state[_EVENTS] = value


def churn_actions() -> dict[str, str]:
    """The team's own wording of the action suggested for each churn reason (others: the default)."""
    return st.session_state.get(_ACTIONS, {})


def set_churn_actions(value: dict[str, str]) -> None:
    st.session_state[_ACTIONS] = dict(value)


def saved_settings() -> dict:
    """What the mapping file carries besides the mappings: targets, company events, churn actions."""
    return settings().to_dict() | {
        "events": service_calendar.events_to_saved(events()),
        "churn_actions": churn_actions(),
    }


def apply_saved(saved: dict) -> None:
    """Targets, events and churn actions from a loaded mapping file (malformed parts fall back)."""
    set_settings(Settings.from_dict(saved))
    set_events(service_calendar.events_from_saved(saved.get("events")))
    actions = saved.get("churn_actions")
    if isinstance(actions, dict):
        set_churn_actions({str(k): str(v)[:200] for k, v in actions.items() if isinstance(v, str)})


def reports() -> list:
    """Validation reports of the files loaded in this session, newest last."""
    return st.session_state.setdefault(_REPORTS, [])


def memo(key: tuple, compute: Callable[[], Any], *, rows: bool = False) -> Any:
    """Compute once per (data version, key) in this session; a few results kept.

    Session-scoped on purpose: `st.cache_data` is global and would mix sessions.
    `rows=True` marks a result holding scoped rows (large at a million tickets), of
    which only the last few are kept; aggregated results are small and more are kept.
    """
    name, size = (_MEMO_ROWS, ROWS_MEMO_SIZE) if rows else (_MEMO, MEMO_SIZE)
    cache: dict = st.session_state.setdefault(name, {})
    full_key = (version(), *key)
    if full_key in cache:
        cache[full_key] = cache.pop(full_key)  # most recently used last
    else:
        while len(cache) >= size:
            cache.pop(next(iter(cache)))
        cache[full_key] = compute()
    return cache[full_key]


def churn_score(con: duckdb.DuckDBPyConnection, value: Settings) -> churn.ChurnResult:
    """The churn model's scores for this data (all of it, whatever the range): shared by the Churn and
    Report pages, so the slow training happens once per data version and targets.
    """
    return memo(("churn_score", value), lambda: churn.score(con, value))


def has_churn_score(value: Settings) -> bool:
    return (version(), "churn_score", value) in st.session_state.get(_MEMO, {})


def service_report(key: tuple) -> Any:
    """The report generated for `key` (data version, scope, settings, language, options), or None."""
    saved = st.session_state.get(_SERVICE_REPORT)
    return saved[1] if saved and saved[0] == (version(), *key) else None


def set_service_report(key: tuple, value: Any) -> None:
    """Keep only the latest report: it holds drawn charts and can be large."""
    st.session_state[_SERVICE_REPORT] = ((version(), *key), value)
    st.session_state["_aftersight_report_generation"] = st.session_state.get("_aftersight_report_generation", 0) + 1


def report_generation() -> int:
    """Changes with each generated report: the edit boxes start again from its text."""
    return st.session_state.get("_aftersight_report_generation", 0)


def scope() -> store.Scope:
    """The scope the sidebar set (see app.py), or the whole data set before it ran."""
    return st.session_state.get("_aftersight_scope", store.Scope())


def set_scope(value: store.Scope) -> None:
    st.session_state["_aftersight_scope"] = value


def parse_query_date(name: str) -> date | None:
    try:
        return date.fromisoformat(st.query_params.get(name, ""))
    except ValueError:
        return None
