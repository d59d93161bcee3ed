"""Data: upload exports, correct the column mapping, load, and read the validation report."""

import streamlit as st

from lib import charts
from lib.engine import store
from lib.errors import InputError
from lib.i18n import t
from lib.ingest import datafolder, mapping, pipeline
from lib.schema import TABLES
from lib.ui import data_panels as data_page
from lib.ui import engines, frame, lake_panel, session, widgets, workspace_panels

frame.ensure()
lang = session.lang()
con = session.connection()

st.title(t("data.title", lang))
if engines.requested():  # the administrator's lake: where the data lives, its sizes and mapping; no upload
    lake_panel.panel(lang)
    st.stop()
widgets.uploader_language(lang)
st.caption(t("data.intro", lang))
st.caption(t("ws.refresh" if workspace_panels.configured() else "data.bundle_refresh", lang))

loaded = store.tables(con)
source_col, sample_col = st.columns([4, 1])
source_col.markdown(data_page.source_line(session.source(), loaded, lang))
if sample_col.button(t("data.use_sample", lang), width="stretch"):
    session.reports().clear()
    pipeline.load_sample(con)
    session.changed("sample")
    st.rerun()
if workspace_panels.configured():
    workspace_panels.panel(con, lang)

with st.expander(t("data.mapping_file", lang)):
    saved_file = st.file_uploader(
        t("data.mapping_load", lang), type=["json"], key="mapping_file", max_upload_size=1
    )
    if saved_file is not None:
        try:
            mappings, saved_settings = mapping.loads(saved_file.getvalue())
            data_page.remember_saved(mappings)
            if saved_settings:
                session.apply_saved(saved_settings)
            st.success(t("data.mapping_loaded", lang, tables=", ".join(mappings) or "—"))
        except InputError as error:
            widgets.input_error(error, lang)
    data_page.mapping_download(t("data.mapping_save", lang))

for tab, table in zip(st.tabs([t(f"table.{name}", lang) for name in TABLES]), TABLES, strict=True):
    with tab:
        st.caption(t(f"data.about_{table}", lang))
        uploads = st.file_uploader(
            t("data.upload", lang),
            type=list(data_page.EXTENSIONS),
            accept_multiple_files=True,
            key=f"upload_{table}",
            max_upload_size=data_page.UPLOAD_LIMIT_MB,
        )
        st.caption(t("data.limit", lang, limit_mb=data_page.UPLOAD_LIMIT_MB))
        for upload in uploads or []:
            data_page.file_panel(con, table, upload, lang)
        if datafolder.configured():
            data_page.folder_panel(con, table, lang)
        for report in [r for r in session.reports() if r.table == table]:
            data_page.report_panel(report, lang)

# Below the uploads: saving comes after loading, and the table uploaders stay the page's first.
with st.expander(t("data.bundle_title", lang), icon=":material/save:"):
    data_page.bundle_panel(con, lang)

if loaded:
    st.subheader(t("data.preview", lang))
    for table, rows in store.tables(con).items():
        st.markdown(f"**{t(f'table.{table}', lang)}** · {rows:,}")
        preview = widgets.with_field_labels(store.preview(con, table), lang)
        st.dataframe(preview, hide_index=True, width="stretch", height=240, placeholder=charts.MISSING)
