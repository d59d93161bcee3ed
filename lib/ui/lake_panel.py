"""The Data page on the lake: where the data lives, how big each table is, and how its columns are mapped."""

from __future__ import annotations

import polars as pl
import streamlit as st

from lib import lake
from lib.errors import InputError
from lib.i18n import t
from lib.schema import TABLES
from lib.ui import engines, session, widgets


def panel(lang: str) -> None:
    """What replaces the uploads when the administrator put the app on the lake (no upload in this mode)."""
    st.caption(t("lake.data_intro", lang))
    try:
        setting = engines.configured()
    except InputError as error:
        widgets.input_error(error, lang)
        return
    # Where the data lives is known without Spark: shown even when the tables cannot be opened.
    engine = sizes = None
    try:
        engine = session.engine()
        sizes = engine.tables()
    except InputError as error:
        widgets.input_error(error, lang)
    st.markdown(t("lake.endpoint", lang, endpoint=f"`{setting.endpoint}`"))
    sources = setting.tables
    for table in TABLES:
        if table in sources:
            rows = "—" if sizes is None else f"{sizes.get(table, 0):,}"
            source = f"`{lake.shown_source(sources[table])}`"
            st.markdown(t("lake.table_line", lang, table=t(f"table.{table}", lang), rows=rows, source=source))
    if setting.mapping_file:
        st.caption(t("lake.mapping_file", lang, path=f"`{setting.mapping_file}`"))
    else:
        st.caption(t("lake.mapping_auto", lang))
    if sizes is not None:
        st.subheader(t("lake.mapping_table", lang))
        st.dataframe(mapping_rows(engine.lake_tables.mapped, lang), hide_index=True, width="stretch")


def mapping_rows(mapped: dict[str, dict[str, str]], lang: str) -> pl.DataFrame:
    """One row per mapped field: table, field (translated), the lake column it comes from."""
    rows = [
        {
            t("lake.col_table", lang): t(f"table.{table}", lang),
            t("lake.col_field", lang): t(f"field.{name}", lang),
            t("lake.col_column", lang): column,
        }
        for table, fields in mapped.items()
        for name, column in fields.items()
    ]
    headers = [t(f"lake.col_{c}", lang) for c in ("table", "field", "column")]
    return pl.DataFrame(rows, schema=dict.fromkeys(headers, pl.String))
