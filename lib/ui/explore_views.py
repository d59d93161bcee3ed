"""Saved Explore views: open one, save the question under a name with the team's settings (the mapping
file, or the team workspace where everyone sees it), rename and delete (editors)."""

from __future__ import annotations

import streamlit as st

from lib.analysis import explore, formatting
from lib.errors import InputError
from lib.i18n import t
from lib.ui import analysis_page, explore_page, identity, session


def _open_view(name: str) -> None:
    params = session.explore_views().get(name)
    question = explore.from_params(params or {})
    if question is not None:
        explore_page.put_question(question)


def show(page: analysis_page.Page, question: explore.Question | None) -> None:
    """Open, save, rename and delete the team's saved questions (rename and delete: `identity.may_edit`)."""
    lang = page.lang
    views = session.explore_views()
    with st.expander(t("explore.views", lang), expanded=bool(views)):
        st.caption(t("explore.views_help", lang))
        left, right = st.columns(2)
        with left:
            if views:
                name = st.selectbox(t("explore.view", lang), sorted(views), key="explore_view")
                st.button(t("explore.open", lang), key="explore_open", on_click=_open_view, args=(name,))
                if identity.may_edit():
                    new = st.text_input(t("explore.rename_to", lang), key="explore_rename", max_chars=80)
                    rename, delete = st.columns(2)
                    if rename.button(t("explore.rename", lang), key="explore_rename_button") and new.strip():
                        views[new.strip()] = views.pop(name)
                        session.set_explore_views(views)
                        st.rerun()
                    if delete.button(t("explore.delete", lang), key="explore_delete"):
                        views.pop(name, None)
                        session.set_explore_views(views)
                        st.rerun()
            else:
                st.caption(t("explore.no_views", lang))
        with right:
            name = st.text_input(t("explore.save_as", lang), key="explore_save_name", max_chars=80)
            if st.button(t("explore.save", lang), key="explore_save", disabled=question is None):
                if not name.strip():
                    st.warning(t("explore.name_needed", lang))
                else:
                    try:
                        shared = session.add_explore_view(name.strip(), explore.to_params(question))
                    except InputError as error:
                        st.warning(error.message(lang, escape=formatting.literal))
                    else:
                        said = "explore.saved_team" if shared else "explore.saved"
                        st.success(t(said, lang, name=formatting.literal(name.strip())))
