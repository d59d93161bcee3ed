"""Forecast: ticket volume ahead with the holidays that fit the data, its back-tested accuracy, anomalies and staff."""

from dataclasses import replace

import streamlit as st

from lib.analysis import formatting
from lib.i18n import t
from lib.predict import forecast
from lib.predict import forecast_view as view
from lib.ui import analysis_page, forecast_panels, session, widgets

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
    view.split_options(tuple(page.engine.columns()["tickets"])),
    format_func=lambda d: t("forecast.no_split", lang) if d is None else t(f"field.{d}", lang),
    key="forecast_split",
)

country = forecast_panels.calendar(lang)

# ---- fit (cached per data version, scope and choices) -----------------------------------
with page.guard(stop=True):  # counted in the engine (Spark on the lake), forecast here
    series = page.memo(("series", split), lambda: page.engine.daily_counts(scope, split), scope=scope)
if series.is_empty():
    st.info(t("page.no_rows", lang))
    st.stop()
events = session.events()
try:
    chosen = page.memo(
        ("calendar", country, horizon, view.events_key(events), lang),
        lambda: view.choose_calendar(series, horizon, country, events, lang),
        scope=scope,
    )
except ValueError as error:  # an event that ends before it starts
    st.error(t("forecast.bad_event", lang, detail=formatting.literal(error)), icon="⚠️")
    st.stop()
calendar = chosen.table
guessed = view.estimated_years(series, horizon, chosen.country)
if guessed:
    st.caption(t("forecast.estimated_years", lang, years="、".join(map(str, guessed))))
every = view.every(grain)
with st.spinner(t("forecast.fitting", lang)):
    result = page.memo(
        ("fit", every, horizon, interval, split, chosen.country, view.events_key(events)),
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
st.markdown(view.calendar_sentence(chosen, lang))
st.markdown(view.accuracy_sentence(total, lang))
figure = view.volume_figure(total, view.shown_history(total), lang)
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
    for _, column, (name, frame) in widgets.grid(list(total.components.items()), 2):
        with column:
            shown, time_unit = view.component_view(name, frame, lang)
            figure = view.component_figure(name, shown, time_unit, lang)
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
    for index, column, (segment, item) in widgets.grid(view.segments(result), 2):
        with column:
            name = view.segment_name(segment, lang)
            figure = view.segment_figure(item, name, lang)
            page.chart(figure, item.prediction, f"forecast_{name}", f"segment_{index}_{name}")
            st.caption(view.accuracy_sentence(item, lang, short=True))

# ---- staff needed ---------------------------------------------------------------------------
st.subheader(t("forecast.staffing", lang))
# Read once per scope: every staffing slider move reruns the page.
handle = page.memo(
    "handle",
    lambda: page.engine.kpis(scope, page.settings, ("handle_minutes_mean",))["handle_minutes_mean"],
    scope=scope,
)
inputs = forecast_panels.staffing(lang, handle)
plan = view.staffing_plan(total, inputs)
st.caption(t(f"forecast.staffing_note_{inputs.method}", lang))
page.chart(view.staffing_figure(plan, view.time_unit(every), lang), plan, "staffing", "staffing_chart")
page.table(plan, "staffing", "staffing_table", sheet=t("forecast.staffing", lang), height=240)
page.workbook_button()
