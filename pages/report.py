"""Report: the period report in one click; summary and measures editable; HTML, PDF and workbook downloads."""

import streamlit as st
import streamlit.components.v1 as components

from lib.analysis import overview
from lib.engine import store
from lib.i18n import t
from lib.report import content, files
from lib.ui import analysis_page, session, widgets

page = analysis_page.open_page("report", "rpt.page.title", drill=False)
lang, con, scope, settings = page.lang, page.con, page.scope, page.settings
if page.engine.kind == "spark":  # on the lake: the report's KPI table, computed by Spark
    st.caption(t("lake.report_table", lang))
    with page.guard(stop=True):
        summary = page.memo("summary", lambda: page.engine.summarise(scope, settings))
    widgets.table(overview.kpi_table(summary, settings, lang), "report_kpis", lang, key="report_kpi_table")
    st.stop()
st.caption(t("rpt.page.intro", lang))

left, right = st.columns(2, vertical_alignment="bottom")
team = left.text_input(
    t("rpt.page.team", lang), key="report_team", max_chars=60, placeholder=t("rpt.default_team", lang)
)
has_customers = bool(store.tables(con).get("customers"))
with_churn = right.checkbox(
    t("rpt.page.with_churn", lang),
    value=has_customers,
    disabled=not has_customers,
    key="report_churn",
    help=t("rpt.page.with_churn_help", lang)
    if has_customers
    else t("kpi.needs_file", lang, table=t("table.customers", lang)),
)
chosen = st.pills(
    t("rpt.page.sections", lang),
    content.SECTIONS,
    selection_mode="multi",
    default=content.SECTIONS,
    key="report_sections",
    format_func=lambda key: t(f"rpt.section.{key}", lang),
)
key = (scope, settings, lang, team, with_churn and has_customers)
if st.button(
    t("rpt.page.generate", lang), type="primary", key="report_generate", icon=":material/description:"
):
    bar = st.progress(0.0, text=t("rpt.progress.kpis", lang))
    churn_result = None
    if with_churn and has_customers:
        if not session.has_churn_score(settings):
            bar.progress(0.02, text=t("rpt.progress.churn", lang))
        churn_result = session.churn_score(con, settings)
    built = content.build(
        con,
        scope,
        settings,
        lang,
        team=team,
        churn_result=churn_result,
        with_churn=False,
        progress=lambda step, fraction: bar.progress(fraction, text=step),
    )
    session.set_service_report(key, built)
    bar.empty()

built = session.service_report(key)
if built is None:
    st.info(t("rpt.page.press", lang), icon="ℹ️")
    st.stop()

generation = session.report_generation()
edit_left, edit_right = st.columns(2)
findings_text = edit_left.text_area(
    t("rpt.page.findings", lang),
    "\n".join(built.findings),
    height=260,
    key=f"report_findings_{generation}",
    help=t("rpt.page.edit_help", lang),
)
measures_text = edit_right.text_area(
    t("rpt.page.measures", lang),
    "\n".join(m.text for m in built.measures),
    height=260,
    key=f"report_measures_{generation}",
    help=t("rpt.page.edit_help", lang),
)
findings = [line.strip() for line in findings_text.splitlines() if line.strip()]
measures = [line.strip() for line in measures_text.splitlines() if line.strip()]
html = files.render(built, chosen, findings, measures)

buttons = st.columns(3)
buttons[0].download_button(
    t("rpt.page.download_html", lang),
    html.encode("utf-8"),
    files.file_name(built, "html"),
    "text/html",
    key="report_html",
    type="primary",
    on_click="ignore",
    icon=":material/download:",
)
if files.chromium():
    buttons[1].download_button(
        t("rpt.page.download_pdf", lang),
        lambda: files.pdf(html),
        files.file_name(built, "pdf"),
        "application/pdf",
        key="report_pdf",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
    )
else:
    buttons[1].caption(t("rpt.page.no_pdf", lang))
buttons[2].download_button(
    t("rpt.page.download_xlsx", lang),
    lambda: files.workbook(built, findings, measures),
    files.file_name(built, "xlsx"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="report_xlsx",
    on_click="ignore",
    icon=":material/table:",
)
st.caption(t("rpt.page.print_hint", lang))
with st.expander(t("rpt.page.preview", lang), expanded=True):
    components.html(html, height=900, scrolling=True)
