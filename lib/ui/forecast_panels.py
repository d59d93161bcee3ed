"""Streamlit inputs of the Forecast page: the holiday calendar with the team's events, the staffing choices."""

from __future__ import annotations

import streamlit as st

from lib.engine import service_calendar
from lib.i18n import t
from lib.predict import forecast_calendar, forecast_view
from lib.ui import session, widgets


def calendar_options() -> list[str]:
    """The holiday calendars offered: auto (chosen from the data), none, then the short list of countries."""
    return [forecast_calendar.AUTO, forecast_calendar.NONE, *service_calendar.countries()]


def calendar_picker(lang: str, key: str, where=st) -> str:
    """The team's holiday calendar as a select box; a change is the team setting at once (saved with it)."""
    options = calendar_options()
    current = session.holiday_country()
    return where.selectbox(
        t("forecast.country", lang),
        options,
        index=options.index(current) if current in options else 0,
        format_func=lambda c: t(f"country.{c}", lang),
        key=key,
        on_change=lambda: session.set_holiday_country(st.session_state[key]),
    )


def calendar(lang: str) -> str:
    """The calendar expander: the holiday calendar (auto, none or a country), and the company events (editable).

    Applied events are kept in the session (`session.set_events`). Returns the calendar setting picked.
    """
    with st.expander(t("forecast.calendar", lang)):
        country = calendar_picker(lang, "forecast_country")
        st.caption(t("forecast.events_help", lang))
        widgets.edited_table(
            session.events(),
            "forecast_events",
            t("forecast.events_apply", lang),
            lambda edited: session.set_events(forecast_view.events_frame(edited)),
            num_rows="dynamic",
            column_config={
                "name": st.column_config.TextColumn(
                    t("forecast.event_name", lang), required=True, max_chars=100
                ),
                "start": st.column_config.DateColumn(t("forecast.event_start", lang), required=True),
                "end": st.column_config.DateColumn(t("forecast.event_end", lang)),
            },
        )
    return country


def staffing(lang: str, handle: float | None) -> forecast_view.Staffing:
    """The staffing method and its inputs; the handling time starts at `handle` (the data's mean) or 15 min."""
    left, middle, right = st.columns(3)
    method = left.radio(
        t("forecast.method", lang),
        ("erlang_c", "workload"),
        format_func=lambda m: t(f"forecast.method_{m}", lang),
        key="forecast_method",
        help=t("forecast.method_help", lang),
    )
    aht = middle.number_input(
        t("forecast.aht", lang),
        min_value=1.0,
        max_value=600.0,
        value=round(handle or 15.0, 1),
        step=1.0,
        help=t("forecast.aht_from_data" if handle else "forecast.aht_default", lang),
        key="forecast_aht",
    )
    shrinkage = right.slider(
        t("forecast.shrinkage", lang), 0, 60, 30, step=5, key="forecast_shrinkage", format="%d%%"
    )
    if method == "erlang_c":
        a, b, c = st.columns(3)
        return forecast_view.Staffing(
            method,
            aht,
            shrinkage,
            hours_open=a.slider(t("forecast.hours_open", lang), 0, 24, (8, 20), key="forecast_hours"),
            target_seconds=b.number_input(
                t("forecast.answer_within", lang), 5, 600, 20, key="forecast_target"
            ),
            level_percent=c.slider(
                t("forecast.service_level", lang), 50, 99, 80, key="forecast_level", format="%d%%"
            ),
        )
    productive = st.slider(
        t("forecast.productive_hours", lang), 1.0, 12.0, 6.5, step=0.5, key="forecast_productive"
    )
    return forecast_view.Staffing(method, aht, shrinkage, productive_hours=productive)
