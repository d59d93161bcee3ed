"""Streamlit widgets of the team workspace on the Data page: its state, history, undo, and adding a file."""

from __future__ import annotations

import duckdb
import polars as pl
import streamlit as st

from lib.analysis import formatting
from lib.engine import store
from lib.errors import InputError
from lib.i18n import t
from lib.ingest import pipeline, workspace
from lib.ingest.validation import Validated
from lib.ui import identity, session, widgets

_DONE = "_aftersight_team_done"  # the last add/undo sentence, shown after the rerun


def configured() -> bool:
    return workspace.configured() is not None


def panel(con: duckdb.DuckDBPyConnection, lang: str) -> None:
    """The workspace's state in one line, who may change it, its history and the undo button."""
    with st.container(border=True):
        st.markdown(f"**{t('ws.title', lang)}**")
        _panel(con, lang)


def _panel(con: duckdb.DuckDBPyConnection, lang: str) -> None:
    error = session.team_error()
    if error is not None:
        widgets.input_error(error, lang)
        st.caption(t("ws.fallback", lang))
    known = session.team()
    if known is None:
        return
    if done := st.session_state.pop(_DONE, None):
        st.success(done, icon=":material/group:")
    try:
        state = workspace.read(known.folder, check_files=False)
    except InputError as problem:
        widgets.input_error(problem, lang)
        return
    if state.tables:
        st.markdown(t("ws.status", lang, version=state.version, tables=_counts(state.counts(), lang)))
    else:
        st.info(t("ws.empty", lang), icon=":material/group:")
    who = identity.current()
    editor = identity.allowed(who, identity.editors())
    if not who.configured and editor:
        st.caption(t("ws.anyone_edits", lang))
    elif not editor:
        st.caption(t("ws.reader", lang, who=formatting.literal(who.name or t("ws.nobody", lang))))
    if state.tables and session.source() != "workspace":
        st.caption(t("ws.sample_hint", lang))
        if st.button(t("ws.open", lang), key="team_open", icon=":material/group:"):
            session.open_team(con)
            st.rerun()
    with st.expander(t("ws.history", lang), icon=":material/history:"):
        history = workspace.history_frame(state)
        if history.is_empty():
            st.caption(t("ws.history_empty", lang))
        else:
            st.dataframe(history_columns(history, lang), hide_index=True, width="stretch")
        if (
            editor
            and state.history
            and st.button(t("ws.undo", lang), key="team_undo", icon=":material/undo:")
        ):
            _undo(con, known.folder, lang)


def _counts(counts: dict[str, int], lang: str) -> str:
    join = "，".join if lang == "zh" else ", ".join
    return join(f"{t(f'table.{name}', lang)} {rows:,}" for name, rows in counts.items()) or "—"


def _undo(con: duckdb.DuckDBPyConnection, folder, lang: str) -> None:
    try:
        _, undone = workspace.undo(folder)
    except InputError as error:
        widgets.input_error(error, lang)
        return
    files = ", ".join(f["name"] for f in undone.files)
    st.session_state[_DONE] = t("ws.undone", lang, number=undone.number, files=formatting.literal(files))
    if not session.open_team(con):  # the workspace is empty again: the session goes back to the sample
        pipeline.load_sample(con)
        session.changed("sample")
    st.rerun()


def can_add() -> bool:
    """The add button is shown: a workspace is open in this session and its user is an editor."""
    return session.team() is not None and identity.may_edit()


def add_button(
    con: duckdb.DuckDBPyConnection,
    prepared: pipeline.Prepared,
    validated: Validated | None,
    order: str | None,
    file_key: str,
    lang: str,
) -> tuple[Validated, store.LoadResult] | None:
    """ "Add to the team's data" under a file's validation report; once clicked, what the addition did."""
    if not can_add() or not st.button(
        t("ws.add", lang),
        key=f"team_add_{file_key}",
        help=t("ws.add_help", lang),
        icon=":material/group_add:",
    ):
        return None
    known = session.team()
    with st.spinner(t("ws.adding", lang)):
        _, entry, done = workspace.add(
            known.folder,
            [workspace.Item(prepared, validated, order)],
            identity.current().name,
            {prepared.table: dict(prepared.mapping.columns)},
            zone=session.timezone(),
        )
    added = entry.files[0]
    st.session_state[_DONE] = t(
        "ws.added",
        lang,
        name=formatting.literal(prepared.name),
        added=f"{added['added']:,}",
        replaced=f"{added['replaced']:,}",
        excluded=f"{added['excluded']:,}",
    )
    session.open_team(con)
    return done[0]


def history_columns(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The history with its column names in `lang`."""
    return frame.rename({c: t(f"ws.col_{c}", lang) for c in frame.columns})
