"""Forecast: ticket volume ahead with Chinese holidays, its back-tested accuracy, anomalies and the staff needed."""

from dataclasses import replace

import polars as pl
import streamlit as st

from lib import charts
from lib.analysis import formatting, overview
from lib.engine import service_calendar, store
from lib.i18n import t
from lib.predict import forecast, staffing
from lib.predict import forecast_view as view
from lib.schema import DIMENSIONS
from lib.ui import analysis_page, session, widgets

page = analysis_page.open_page("forecast", "forecast.title", drill=False)
lang = page.lang
st.caption(t("forecast.intro", lang))

# ---- what to forecast ------------------------------------------------------------------
grain_col, horizon_col, interval_col, split_col = st.columns([1, 2, 1, 2])
grain = widgets.grain_picker(lang, "forecast_grain", default="day", grains=("day", "week"), where=grain_col)
horizon = horizon_col.slider(t("forecast.horizon", lang), 7, 180, 28, step=7, key="forecast_horizon")
interval = interval_col.radio(
    t("forecast.interval", lang),
    (0.8, 0.95),
    format_func=lambda v: f"{v:.0%}",
    horizontal=True,
    key="forecast_interval",
)
present = store.columns(page.con, "tickets")
history = st.radio(
    t("forecast.history", lang),
    ("all", "range"),
    format_func=lambda h: t(f"forecast.history_{h}", lang),
    horizontal=True,
    key="forecast_history",
)
# All history by default (a month is too short to learn a season from); the sidebar's filters always apply.
scope = page.scope if history == "range" else replace(page.scope, start=None, end=None)
split = split_col.selectbox(
    t("forecast.split", lang),
    [None, *[d for d in DIMENSIONS if d in present and d != "agent"]],
    format_func=lambda d: t("forecast.no_split", lang) if d is None else t(f"field.{d}", lang),
    key="forecast_split",
)

with st.expander(t("forecast.calendar", lang)):
    countries = service_calendar.countries()
    country = st.selectbox(
        t("forecast.country", lang),
        list(countries),
        format_func=lambda c: t(f"country.{c}", lang),
        key="forecast_country",
    )
    st.caption(t("forecast.events_help", lang))
    edited = st.data_editor(
        session.events(),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            "name": st.column_config.TextColumn(t("forecast.event_name", lang), required=True, max_chars=100),
            "start": st.column_config.DateColumn(t("forecast.event_start", lang), required=True),
            "end": st.column_config.DateColumn(t("forecast.event_end", lang)),
        },
        key="forecast_events",
    )
    if st.button(t("forecast.events_apply", lang), key="forecast_events_apply"):
        session.set_events(pl.DataFrame(edited, schema=service_calendar.EVENT_SCHEMA))
        st.session_state.pop("forecast_events", None)
        st.rerun()

# ---- fit (cached per data version, scope and choices) -----------------------------------
series = page.memo(("series", split), lambda: forecast.daily_counts(page.con, scope, by=split), scope=scope)
if series.is_empty():
    st.info(t("page.no_rows", lang))
    st.stop()
events = session.events()
try:
    calendar = page.memo(
        ("calendar", country, horizon, tuple(events.rows())),
        lambda: view.calendar(series, horizon, country, events),
        scope=scope,
    )
except ValueError as error:  # an event that ends before it starts
    st.error(t("forecast.bad_event", lang, detail=formatting.literal(error)), icon="⚠️")
    st.stop()
guessed = view.estimated_years(series, horizon, country)
if guessed:
    st.caption(t("forecast.estimated_years", lang, years="、".join(map(str, guessed))))
every = "1w" if grain == "week" else "1d"
with st.spinner(t("forecast.fitting", lang)):
    result = page.memo(
        ("fit", every, horizon, interval, split, country, tuple(events.rows())),
        lambda: view.fit(series, horizon, interval, calendar, every, split),
        scope=scope,
    )

total = result[forecast.TOTAL]
if not total.enough:
    for reason in total.reasons:
        st.warning(t(f"forecast.reason_{reason}", lang, weeks=forecast.MIN_HISTORY_DAYS // 7), icon="⚠️")
    if total.prediction is None:
        st.stop()

# ---- the forecast and how far to trust it ---------------------------------------------------
st.subheader(t("forecast.volume", lang))
st.markdown(view.accuracy_sentence(total, lang))
labels = {s: t(f"forecast.series_{s}", lang) for s in charts.FORECAST_SERIES}
unit = "week" if every == "1w" else "day"
shown_history = total.history.tail(26 if every == "1w" else 182)  # half a year of context
figure = charts.forecast_band(
    shown_history,
    total.prediction,
    labels=labels,
    x_title=t(f"grain.{unit}", lang),
    y_title=t("kpi.tickets_axis", lang),
    title=t("forecast.chart_title", lang, model=t(f"forecast.model_{total.model}", lang)),
    interval_title=t("forecast.interval_short", lang, level=f"{interval:.0%}"),
    anomalies=None
    if total.anomalies is None
    else total.anomalies.filter(pl.col("ds") >= shown_history["ds"].min()),
    time_unit=unit,
)
# The chart's CSV is the machine-readable forecast (the CLI writes the same); the table reads in `lang`.
page.chart(figure, view.forecast_table(result), "forecast", "forecast_chart")
page.table(
    view.shown_table(result, lang),
    "forecast_shown",
    "forecast_table",
    sheet=t("forecast.volume", lang),
    height=240,
)

if total.backtest is not None:
    with st.expander(t("forecast.backtest", lang)):
        page.table(
            view.backtest_table(total, lang), "backtest", "backtest_table", sheet=t("forecast.backtest", lang)
        )

if total.components:
    st.subheader(t("forecast.components", lang))
    parts = list(total.components.items())
    for index in range(0, len(parts), 2):
        for column, (name, frame) in zip(st.columns(2), parts[index : index + 2], strict=False):
            with column:
                shown, time_unit = view.component_view(name, frame, lang)
                figure = charts.kpi_trend(
                    shown,
                    x="period",
                    y="value",
                    x_title="",
                    y_title=t("kpi.tickets_axis", lang),
                    title=t(f"forecast.component_{name}", lang),
                    y_format=",.1f",
                    time_unit=time_unit or "day",
                )
                page.chart(figure, shown, f"component_{name}", f"component_{name}")

if total.anomalies is not None:
    st.subheader(t("forecast.anomalies", lang))
    if total.anomalies.is_empty():
        st.markdown(t("forecast.no_anomalies", lang))
    else:
        st.caption(t("forecast.anomalies_help", lang, level=f"{forecast.ANOMALY_LEVEL:.1%}"))
        page.table(total.anomalies, "anomalies", "anomalies_table", sheet=t("forecast.anomalies", lang))

# ---- per segment -------------------------------------------------------------------------
if split:
    st.subheader(t("forecast.by_segment", lang, field=t(f"field.{split}", lang)))
    st.caption(t("forecast.reconciled", lang))
    segments = [(k, f) for k, f in result.items() if k != forecast.TOTAL and f.prediction is not None]
    for index in range(0, len(segments), 2):
        for column, (segment, item) in zip(st.columns(2), segments[index : index + 2], strict=False):
            with column:
                name = view.segment_name(segment, lang)
                figure = charts.forecast_band(
                    item.history.tail(91 if every == "1d" else 13),
                    item.prediction,
                    labels=labels,
                    x_title="",
                    y_title=t("kpi.tickets_axis", lang),
                    title=name,
                    interval_title=t("forecast.interval_short", lang, level=f"{interval:.0%}"),
                    time_unit=unit,
                    height=160,
                )
                page.chart(figure, item.prediction, f"forecast_{name}", f"segment_{index}_{name}")
                st.caption(view.accuracy_sentence(item, lang, short=True))

# ---- staff needed ---------------------------------------------------------------------------
st.subheader(t("forecast.staffing", lang))
# Read once per scope: every staffing slider move reruns the page.
handle = page.memo(
    "handle",
    lambda: overview.kpis(page.con, scope, page.settings, ("handle_minutes_mean",))["handle_minutes_mean"],
    scope=scope,
)
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
    hours = a.slider(t("forecast.hours_open", lang), 0, 24, (8, 20), key="forecast_hours")
    target = b.number_input(t("forecast.answer_within", lang), 5, 600, 20, key="forecast_target")
    level = c.slider(t("forecast.service_level", lang), 50, 99, 80, key="forecast_level", format="%d%%")
    plan = staffing.plan(
        total.prediction.select("ds", "yhat"),
        aht,
        method="erlang_c",
        hours_open=hours,
        target_seconds=target,
        service_level_target=level / 100,
        shrinkage=shrinkage / 100,
    )
else:
    productive = st.slider(
        t("forecast.productive_hours", lang), 1.0, 12.0, 6.5, step=0.5, key="forecast_productive"
    )
    plan = staffing.plan(
        total.prediction.select("ds", "yhat"),
        aht,
        method="workload",
        shrinkage=shrinkage / 100,
        productive_hours=productive,
    )
st.caption(t(f"forecast.staffing_note_{method}", lang))
figure = charts.volume_trend(
    plan.with_columns(pl.col("agents").cast(pl.Int64)),
    x="ds",
    y="agents",
    x_title=t(f"grain.{unit}", lang),
    y_title=t("forecast.agents", lang),
    title=t("forecast.staffing_title", lang),
    time_unit=unit,
)
page.chart(figure, plan, "staffing", "staffing_chart")
page.table(plan, "staffing", "staffing_table", sheet=t("forecast.staffing", lang), height=240)
page.workbook_button()
