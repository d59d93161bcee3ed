"""Per-browser-session state: the session's DuckDB, language, scope and settings (the only Streamlit state)."""

from __future__ import annotations

import json
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lib.engine import measures, service_calendar, store
from lib.engine.kpis import Settings
from lib.errors import InputError
from lib.i18n import t
from lib.ingest import pipeline, workspace
from lib.ingest.dates import DEFAULT_ZONE, check_zone
from lib.predict import churn, forecast_calendar
from lib.ui import engines, identity, warm

_CON = "_aftersight_con"
_OWNER = "_aftersight_con_owner"
_SOURCE = "_aftersight_source"  # "sample" | "upload" | "empty" | "workspace" | "lake"
_VERSION = "_aftersight_version"
_MEMO = "_aftersight_memo"
_MEMO_ROWS = "_aftersight_memo_rows"
_SETTINGS = "_aftersight_settings"
_EVENTS = "_aftersight_events"
_ACTIONS = "_aftersight_churn_actions"
_TIMEZONE = "_aftersight_timezone"
_HOLIDAYS = "_aftersight_holiday_country"
_REPORTS = "_aftersight_reports"
_SERVICE_REPORT = "_aftersight_service_report"
_TEAM = "_aftersight_team"
_TEAM_ERROR = "_aftersight_team_error"
_APPLYING = "_aftersight_applying_team"
_TEAM_ERROR_SHOWN = "_aftersight_team_error_shown"
# The column mappings saved for this session (a loaded mapping file, the team workspace's): the Data page
# maps new files with them.
SAVED_MAPPINGS = "_aftersight_saved_mappings"
_MEASURES = "_aftersight_measures"  # the team's measure definitions (lib.engine.measures), as saved
_VIEWS = "_aftersight_explore_views"  # {name: the Explore question's URL parameters}
MEMO_SIZE = 64
ROWS_MEMO_SIZE = 3


def connection() -> duckdb.DuckDBPyConnection:
    """This session's database; the sample data is loaded on the first visit.

    Kept in session_state, never in a global cache: one user's uploads must never
    be visible to another session (NOTES.md).
    """
    owner = st.session_state.get(_OWNER)
    if _CON not in st.session_state or (owner is not None and not owner.close.alive):
        con = store.connect()
        if engines.requested():  # the pages compute on the lake: nothing to load here
            st.session_state[_SOURCE] = "lake"
        else:
            st.session_state[_SOURCE] = "workspace" if _open_team(con) else "sample"
        if st.session_state[_SOURCE] == "sample":
            pipeline.load_sample(con)
            if _browser_session():
                warm.sample_results(lang())
        st.session_state[_OWNER] = _owner_closing(con)
        st.session_state[_CON] = con
        st.session_state[_VERSION] = 1
    else:
        _follow_team(st.session_state[_CON])
    return st.session_state[_CON]


def engine() -> engines.Local | engines.Lake:
    """Where this session's pages compute: the administrator's lake (AFTERSIGHT_ENGINE=spark), else the
    session's DuckDB. Raises InputError when the lake setting is incomplete or its tables cannot be read.
    """
    setting = engines.configured()
    if setting is None:
        return engines.Local(connection())
    return engines.lake_engine(setting)


# --- the team workspace ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Team:
    """The workspace version this session shows (or last saw), and the settings it synced with it."""

    folder: Path
    version: int
    stamp: tuple | None
    tables: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)


def team() -> Team | None:
    """The team workspace this session knows (None: none configured, or it could not be read)."""
    return st.session_state.get(_TEAM)


def team_error() -> InputError | None:
    """Why the configured workspace could not be opened (the session is on the sample then)."""
    return st.session_state.get(_TEAM_ERROR)


def _open_team(con: duckdb.DuckDBPyConnection) -> bool:
    """Load the configured workspace's tables, settings and mappings; False when there is none to show."""
    folder = workspace.configured()
    if folder is None:
        return False
    try:
        stamp = workspace.stamp(folder)
        state = workspace.open_state(folder)
        if state.tables:
            workspace.load_into(con, state)
    except InputError as error:
        st.session_state[_TEAM_ERROR] = error
        st.session_state.pop(_TEAM, None)
        return False
    st.session_state.pop(_TEAM_ERROR, None)
    _adopt(state, stamp)
    return bool(state.tables)


def open_team(con: duckdb.DuckDBPyConnection) -> bool:
    """Show the team's data in this session (the Data page's button, and after an addition)."""
    opened = _open_team(con)
    if opened:
        reports().clear()
        changed("workspace")
    return opened


def _adopt(state: workspace.State, stamp: tuple | None) -> None:
    """This session now shows `state`: its settings and mappings apply, without being saved back."""
    st.session_state[_APPLYING] = True
    try:
        apply_saved(state.settings)
    finally:
        st.session_state.pop(_APPLYING, None)
    if state.mappings:
        st.session_state[SAVED_MAPPINGS] = {**st.session_state.get(SAVED_MAPPINGS, {}), **state.mappings}
    st.session_state[_TEAM] = Team(state.folder, state.version, stamp, state.tables, _plain(saved_settings()))


def _follow_team(con: duckdb.DuckDBPyConnection) -> None:
    """On a rerun: if another session changed the workspace this session shows, show the new version.

    A stat of the manifest per run; the manifest and tables are read only when it changed.
    """
    known = team()
    if known is None or st.session_state.get(_SOURCE) != "workspace":
        return
    stamp = workspace.stamp(known.folder)
    if stamp == known.stamp:
        return
    try:
        state = workspace.open_state(known.folder)
        if state.version == known.version:
            st.session_state[_TEAM] = Team(known.folder, known.version, stamp, known.tables, known.settings)
            return
        if state.tables != known.tables:
            workspace.load_into(con, state)
    except InputError as error:
        # Keep showing what this session has, try again on the next rerun; say once why.
        if st.session_state.get(_TEAM_ERROR_SHOWN) != stamp:
            st.session_state[_TEAM_ERROR_SHOWN] = stamp
            st.toast(error.message(lang()), icon=":material/error:")
        return
    data_changed = state.tables != known.tables
    _adopt(state, stamp)
    if data_changed:
        changed("workspace")
        st.toast(t("ws.changed", lang(), version=state.version), icon=":material/group:")


def _plain(settings: dict) -> dict:
    """Settings as the manifest keeps them (JSON), so a comparison says only what really changed."""
    return json.loads(json.dumps(settings, ensure_ascii=False, default=str))


def save_team_settings() -> bool:
    """Keep this session's settings for the whole team, when it shows the team's data and its user is an editor.

    Only the keys that changed since the session last synced are written (another editor's change to
    another key stays). Issues that add keys to `saved_settings()` call this after changing them.
    Returns whether the settings are the team's now.
    """
    known = team()
    if known is None or st.session_state.get(_SOURCE) != "workspace" or st.session_state.get(_APPLYING):
        return False
    if not identity.may_edit():
        return False
    now = _plain(saved_settings())
    different = {k: v for k, v in now.items() if known.settings.get(k) != v}
    if not different:
        return True
    _synced(known, workspace.save_settings(known.folder, different))
    return True


def _synced(known: Team, state: workspace.State) -> None:
    if state.tables == known.tables:  # else another addition landed meanwhile: the next rerun loads it
        st.session_state[_TEAM] = Team(
            known.folder, state.version, workspace.stamp(known.folder), state.tables, _plain(state.settings)
        )


def add_explore_view(name: str, params: dict) -> bool:
    """Save an Explore question under `name`; returns whether the team sees it (else: this session only).

    On the team's data anyone may add a view (a question is no change to the data), added to what is
    saved now so two people saving at once both land; a name already taken is replaced only by an
    editor (`InputError("explore.view_taken")` otherwise), as renaming and deleting are.
    """
    known = team()
    if known is None or st.session_state.get(_SOURCE) != "workspace":
        set_explore_views(explore_views() | {name: params})
        return False
    editor = identity.may_edit()

    def add(saved: object) -> dict:
        views = dict(saved) if isinstance(saved, dict) else {}
        if name in views and views[name] != params and not editor:
            raise InputError("explore.view_taken", name=name)
        return views | {name: params}

    state = workspace.update_setting(known.folder, "explore_views", add)
    st.session_state[_VIEWS] = dict(state.settings["explore_views"])
    _synced(known, state)
    return True


def _persist() -> None:
    try:
        save_team_settings()
    except InputError as error:
        st.toast(error.message(lang()), icon=":material/error:")


class _Owner:
    """Kept in session_state beside the connection; closing it closes the session's database.

    It closes when the session is gone: when Streamlit forgets the session (the reaper
    below) or, failing that, when the session's state is garbage-collected.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.close = weakref.finalize(self, store.close, con, store.spill_dir(con))
        self.gone_since: float | None = None


# Sessions whose database is open, by Streamlit session id (weak: a collected session leaves).
_OWNERS: weakref.WeakValueDictionary[str, _Owner] = weakref.WeakValueDictionary()
_REAPER_LOCK = threading.Lock()
_REAPER: list[threading.Thread] = []
REAP_EVERY_S = 15


def _owner_closing(con: duckdb.DuckDBPyConnection) -> _Owner:
    """The owner of this session's `con`, registered with the reaper when a server runs it."""
    owner = _Owner(con)
    if _browser_session():
        _OWNERS[get_script_run_ctx().session_id] = owner
        with _REAPER_LOCK:
            if not _REAPER:
                _REAPER.append(threading.Thread(target=_reap_forever, name="aftersight-reaper", daemon=True))
                _REAPER[0].start()
    return owner


def _browser_session() -> bool:
    """A browser's session, connected now. AppTest's stand-in runtime answers with a mock, not True:
    its sessions are left to the garbage collector, and start no warm-up."""
    context = get_script_run_ctx()
    connected = (
        context is not None and Runtime.exists() and Runtime.instance().is_active_session(context.session_id)
    )
    return connected is True


def _reap_forever() -> None:
    """Close the database of every session Streamlit can no longer resume.

    A closed tab's session is kept `server.disconnectedSessionTTL` seconds (120 by
    default) for a reconnect, then forgotten. Streamlit drops it only at its next
    session-storage write and many sessions sit in reference cycles that only a full
    garbage collection frees, so without this an idle server could hold a closed
    session's DuckDB for hours.
    """
    ttl = float(st.get_option("server.disconnectedSessionTTL"))
    while True:
        time.sleep(max(1.0, min(REAP_EVERY_S, ttl)))
        if not Runtime.exists():
            return  # the server is stopping
        reap(Runtime.instance().is_active_session, time.monotonic(), ttl)


def reap(is_active: Callable[[str], bool], now: float, ttl: float) -> list[str]:
    """Close the databases of sessions not connected for more than `ttl` seconds; returns their ids."""
    closed = []
    for session_id, owner in list(_OWNERS.items()):
        if is_active(session_id):
            owner.gone_since = None
        elif owner.gone_since is None:
            owner.gone_since = now
        elif now - owner.gone_since > ttl:
            owner.close()
            _OWNERS.pop(session_id, None)
            closed.append(session_id)
    return closed


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
    """Targets and thresholds, carrying the team's measures as KPI records (same definitions, equal
    records: caches keyed on the settings keep hitting)."""
    base = st.session_state.get(_SETTINGS, Settings())
    definitions = st.session_state.get(_MEASURES)
    return measures.with_measures(base, definitions) if definitions else base


def measure_definitions() -> list[dict]:
    """The team's measures as saved (each one parses: `set_measures` let no other in)."""
    return list(st.session_state.get(_MEASURES, []))


def set_measures(definitions: list[dict]) -> None:
    """Replace the team's measures; InputError (nothing changed) when one of them is impossible."""
    measures.with_measures(Settings(), definitions)
    st.session_state[_MEASURES] = [dict(d) for d in definitions]
    _persist()


def explore_views() -> dict[str, dict]:
    """The team's saved Explore questions: name → the question's URL parameters."""
    return dict(st.session_state.get(_VIEWS, {}))


def set_explore_views(views: dict[str, dict]) -> None:
    st.session_state[_VIEWS] = dict(views)
    _persist()


def set_settings(value: Settings) -> None:
    """Targets changed (Settings page or a loaded mapping file): every KPI status follows."""
    st.session_state[_SETTINGS] = value
    _persist()


def events() -> pl.DataFrame:
    """The team's company events (promotions, launches, recalls) that forecasts treat as holidays."""
    return st.session_state.get(_EVENTS, service_calendar.events_from_saved([]))


def set_events(value: pl.DataFrame) -> None:
    st.session_state[_EVENTS] = value
    _persist()


def churn_actions() -> dict[str, str]:
    """The team's own wording of the action suggested for each churn reason (others: the default)."""
    return st.session_state.get(_ACTIONS, {})


def set_churn_actions(value: dict[str, str]) -> None:
    st.session_state[_ACTIONS] = dict(value)
    _persist()


def timezone() -> str:
    """The team's IANA time zone: offsets and Unix time in the files loaded are read as local time there."""
    return st.session_state.get(_TIMEZONE, DEFAULT_ZONE)


def set_timezone(value: str) -> None:
    """Set the team's time zone (`InputError("settings.bad_timezone")` for a name that is none)."""
    st.session_state[_TIMEZONE] = check_zone(value)
    _persist()


def holiday_country() -> str:
    """The team's holiday calendar for forecasts: "auto" (chosen from the data), "none" or a country code."""
    return st.session_state.get(_HOLIDAYS, forecast_calendar.AUTO)


def set_holiday_country(value: object) -> None:
    """Set the team's holiday calendar; anything not auto, none or a listed country means auto."""
    known = isinstance(value, str) and forecast_calendar.is_known(value)
    st.session_state[_HOLIDAYS] = value if known else forecast_calendar.AUTO
    _persist()


def saved_settings() -> dict:
    """What the mapping file carries besides the mappings: targets, time zone, company events, churn actions."""
    return settings().to_dict() | {
        "timezone": timezone(),
        "events": service_calendar.events_to_saved(events()),
        "churn_actions": churn_actions(),
        "measures": measure_definitions(),
        "explore_views": explore_views(),
        forecast_calendar.SETTING: holiday_country(),
    }


def apply_saved(saved: dict) -> None:
    """Targets, time zone, events and churn actions from a loaded mapping file (malformed parts fall back).

    A file saved before there was a time zone setting means the default one. `lib.ingest.mapping.loads`
    has refused a zone that is not one, so nothing is half applied here. On the team's data, an
    editor's loaded file becomes the team's settings (saved once, after all of them are applied).
    """
    outer = st.session_state.get(_APPLYING)
    st.session_state[_APPLYING] = True
    try:
        set_settings(Settings.from_dict(saved))
        try:
            set_timezone(saved.get("timezone", DEFAULT_ZONE))
        except InputError:
            set_timezone(DEFAULT_ZONE)  # a workspace's manifest is not checked like a mapping file
        set_events(service_calendar.events_from_saved(saved.get("events")))
        set_holiday_country(saved.get(forecast_calendar.SETTING, forecast_calendar.AUTO))
        actions = saved.get("churn_actions")
        if isinstance(actions, dict):
            set_churn_actions({str(k): str(v)[:200] for k, v in actions.items() if isinstance(v, str)})
        usable, _ = measures.usable(saved.get("measures"))  # one impossible measure does not refuse the file
        set_measures(usable)
        views = saved.get("explore_views")
        if isinstance(views, dict):
            set_explore_views({str(k)[:80]: v for k, v in views.items() if isinstance(v, dict)})
    finally:
        if not outer:
            st.session_state.pop(_APPLYING, None)
    if not outer:
        _persist()


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
    Report pages and by every session with the same data (`churn.shared_score`), so the slow training
    happens once per data version and targets. On the team's data the model is also kept in the
    workspace folder (`models/`), so a restarted server does not train again.
    """
    known = team()
    folder = known.folder / "models" if known is not None and source() == "workspace" else None
    return memo(("churn_score", value), lambda: churn.shared_score(con, value, folder=folder))


def has_churn_score(value: Settings) -> bool:
    return (version(), "churn_score", value) in st.session_state.get(_MEMO, {})


def service_report(key: tuple) -> Any:
    """The report generated for `key` (data version, scope, settings, language, options), or None."""
    saved = st.session_state.get(_SERVICE_REPORT)
    return saved[1] if saved and saved[0] == (version(), *key) else None


def set_service_report(key: tuple, value: Any) -> None:
    """Keep only the latest report: it holds drawn charts and can be large."""
    st.session_state[_SERVICE_REPORT] = ((version(), *key), value)
    st.session_state["_aftersight_report_generation"] = (
        st.session_state.get("_aftersight_report_generation", 0) + 1
    )


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
