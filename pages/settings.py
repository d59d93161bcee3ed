"""Settings: KPI targets, SLA targets per priority, the amber band and the team's time zone, saved with the mapping file."""

import streamlit as st

from lib.engine import store, targets
from lib.engine.kpis import Settings
from lib.errors import InputError
from lib.i18n import t
from lib.ingest.dates import DEFAULT_ZONE, check_zone, utc_offset
from lib.ui import data_panels as data_page
from lib.ui import forecast_panels, frame, identity, session, widgets

frame.ensure()
lang = session.lang()
con = session.connection()
current = session.settings()

st.title(t("settings.title", lang))
st.caption(t("settings.intro", lang))
if session.team() is not None and session.source() == "workspace" and identity.may_edit():
    st.caption(t("ws.settings_team", lang))

with st.form("settings"):
    st.subheader(t("settings.sla", lang))
    left, middle, right = st.columns(3)
    response = left.number_input(
        t("settings.response_hours", lang), min_value=0.0, value=current.response_target_hours, step=0.5
    )
    resolution = middle.number_input(
        t("settings.resolution_hours", lang), min_value=0.0, value=current.resolution_target_hours, step=1.0
    )
    tolerance = right.number_input(
        t("settings.tolerance", lang),
        min_value=0.0,
        max_value=100.0,
        value=current.tolerance * 100,
        step=1.0,
        help=t("settings.tolerance_help", lang),
    )
    st.markdown(t("settings.per_priority", lang))
    priorities = store.dimension_values(con).get("priority", [])
    per_priority = st.data_editor(
        targets.priority_rows(current, priorities),
        hide_index=True,
        num_rows="dynamic",
        width="stretch",
        column_config={
            "priority": st.column_config.TextColumn(t("field.priority", lang), required=True),
            "response_hours": st.column_config.NumberColumn(
                t("settings.response_hours", lang), min_value=0.0
            ),
            "resolution_hours": st.column_config.NumberColumn(
                t("settings.resolution_hours", lang), min_value=0.0
            ),
        },
        key="settings_priorities",
    )
    st.subheader(t("settings.kpi_targets", lang))
    st.caption(t("settings.kpi_targets_help", lang))
    kpi_table = st.data_editor(
        targets.kpi_rows(current, lang),
        hide_index=True,
        width="stretch",
        disabled=["key", "kpi", "unit", "better", "default"],
        column_order=["kpi", "unit", "better", "default", "target"],
        column_config={
            "kpi": st.column_config.TextColumn(t("table.kpi", lang)),
            "unit": st.column_config.TextColumn(t("settings.unit", lang)),
            "better": st.column_config.TextColumn(t("settings.better", lang)),
            "default": st.column_config.NumberColumn(t("settings.default", lang), format="%.2f"),
            "target": st.column_config.NumberColumn(t("table.target", lang), format="%.2f"),
        },
        key="settings_kpis",
    )
    st.subheader(t("settings.timezone_title", lang))
    if "settings_timezone" not in st.session_state:
        # Through session state, not `value=`: after a save the box shows the name as saved
        # (america/new_york → America/New_York), which a browser keeps over a changed default.
        st.session_state["settings_timezone"] = session.timezone()
    zone_name = st.text_input(
        t("settings.timezone", lang), help=t("settings.timezone_help", lang), key="settings_timezone"
    )
    st.caption(t("settings.timezone_about", lang))
    saved = st.form_submit_button(t("settings.save", lang), type="primary")

EDITORS = ("settings_priorities", "settings_kpis", "settings_timezone")


def apply(settings: Settings, zone: str, message: str) -> None:
    changed = zone != session.timezone()
    session.set_settings(settings)
    session.set_timezone(zone)
    for key in EDITORS:  # the editors start again from the saved values
        st.session_state.pop(key, None)
    if changed and message == "settings.saved":
        message = "settings.saved_timezone"
    st.session_state["_settings_message"] = message
    st.rerun()


if saved:
    try:
        zone = check_zone(zone_name)
    except InputError as error:
        widgets.input_error(error, lang)  # nothing is saved: the user fixes the name and saves again
    else:
        rows = targets.settings_from_rows(response, resolution, tolerance, kpi_table, per_priority)
        apply(rows, zone, "settings.saved")
if message := st.session_state.pop("_settings_message", None):
    st.success(t(message, lang, zone=session.timezone()))
st.caption(t("settings.timezone_now", lang, zone=session.timezone(), offset=utc_offset(session.timezone())))

st.subheader(t("forecast.calendar", lang))
forecast_panels.calendar_picker(lang, "settings_holiday_country")
st.caption(t("settings.holiday_help", lang))

left, right = st.columns(2)
if left.button(t("settings.reset", lang)):
    apply(Settings(), DEFAULT_ZONE, "settings.reset_done")
with right:
    data_page.mapping_download(t("settings.download", lang))
