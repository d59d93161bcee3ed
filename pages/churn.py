"""Churn: the monthly churn rate and its forecast, per-customer risk with reasons and actions, churn by attribute."""

import streamlit as st

from lib import charts
from lib.engine import store
from lib.i18n import CATALOGUE, t
from lib.predict import churn_rate, churn_view
from lib.ui import analysis_page, session, widgets

page = analysis_page.open_page("churn", "churn.title", drill=False)
lang, con = page.lang, page.con
st.caption(t("churn.intro", lang))
if "customers" not in store.tables(con):
    page.needs_file("customers")
    st.stop()
page.cards(("churn_rate",))

# ---- the rate and where it is heading -----------------------------------------------------
st.subheader(t("churn.rate", lang))
rate = page.memo("rate", lambda: churn_rate.monthly_rate(con))
ahead = page.memo("rate_forecast", lambda: churn_rate.shared_rate_forecast(rate))
if ahead.prediction is None:
    st.info(t("churn.rate_short", lang))
    if rate.height:
        figure = charts.kpi_trend(
            rate,
            x="month",
            y="churn_rate",
            x_title=t("churn.month", lang),
            y_title=t("churn.rate_axis", lang),
            title=t("churn.rate", lang),
            y_format=".1%",
            time_unit="month",
        )
        page.chart(figure, rate, "churn_rate", "rate_chart", sheet=t("churn.rate", lang))
else:
    figure = charts.forecast_band(
        ahead.history,
        ahead.prediction,
        labels={s: t(f"forecast.series_{s}", lang) for s in charts.FORECAST_SERIES},
        x_title=t("churn.month", lang),
        y_title=t("churn.rate_axis", lang),
        title=t("churn.rate_title", lang, model=churn_view.rate_model(ahead.model, lang)),
        interval_title=t("forecast.interval_short", lang, level=f"{ahead.interval:.0%}"),
        time_unit="month",
        y_format=".1%",
    )
    page.chart(figure, rate, "churn_rate", "rate_chart", sheet=t("churn.rate", lang))
    st.caption(churn_view.rate_accuracy(ahead, lang))

# ---- who is at risk, and why --------------------------------------------------------------------
with st.spinner(t("churn.scoring", lang)):
    result = session.churn_score(con, page.settings)
if result.scored is None:
    why = " ".join(t(f"churn.why_{r}", lang) for r in result.reasons if f"churn.why_{r}" in CATALOGUE) or "—"
    st.warning(t("churn.not_scored", lang, why=why), icon="⚠️")
    st.stop()

st.subheader(t("churn.model", lang))
st.markdown(t("churn.model_kind", lang, kind=t(f"churn.kind_{result.kind}", lang)))
metrics = result.metrics
if result.kind == "rule":
    st.info(t("churn.rule_note", lang))
elif metrics is not None and metrics.auc is not None:
    st.markdown(
        t(
            "churn.model_words",
            lang,
            customers=f"{metrics.customers:,}",
            cutoffs=" / ".join(str(c) for c in metrics.cutoffs),
            auc=f"{metrics.auc:.3f}",
            feature=t(f"churn.feature_{metrics.best_feature}", lang) if metrics.best_feature else "—",
            feature_auc=f"{metrics.best_feature_auc:.3f}" if metrics.best_feature_auc else "—",
            top10=f"{metrics.precision_top10:.1%}" if metrics.precision_top10 is not None else "—",
            base=f"{metrics.base_rate:.1%}",
            window=result.window_days,
            ece=f"{metrics.ece:.1%}",
        )
    )
left, right = st.columns(2)
if result.calibration is not None and result.calibration.height:
    with left:
        long = churn_view.calibration_long(result.calibration, lang)
        figure = charts.multi_line(
            long,
            x="group",
            series="series",
            y="rate",
            x_title=t("churn.risk_group", lang),
            y_title=t("churn.rate_axis", lang),
            series_title="",
            title=t("churn.calibration", lang),
            time_unit=None,
            y_format=".1%",
        )
        page.chart(
            figure, result.calibration, "churn_calibration", "calibration", sheet=t("churn.calibration", lang)
        )
if result.importance is not None and result.importance.height:
    with right:
        importance = churn_view.importance_shown(result.importance, lang)
        figure = charts.ranked_bars(
            importance,
            category="feature",
            value="importance",
            category_title=t("column.feature", lang),
            value_title=t("column.importance", lang),
            title=t("churn.importance", lang),
            value_format=".2f",
        )
        page.chart(figure, importance, "churn_importance", "importance", sheet=t("churn.importance", lang))

st.subheader(t("churn.at_risk", lang))
with st.expander(t("churn.actions", lang)):
    st.caption(t("churn.actions_help", lang))
    widgets.edited_table(
        churn_view.action_rows(session.churn_actions(), lang),
        "churn_actions",
        t("forecast.events_apply", lang),
        lambda edited: session.set_churn_actions(churn_view.actions_from_rows(edited, lang)),
        disabled=["key", "reason"],
        column_order=["reason", "action"],
        column_config={"reason": t("churn.reason", lang), "action": t("column.action", lang)},
    )
listing = page.memo(
    ("list", lang, tuple(session.churn_actions().items())),
    lambda: churn_view.at_risk(result, lang, session.churn_actions()),
)
filters = st.columns(3)
bands = filters[0].multiselect(
    t("churn.band", lang),
    [t(f"churn.band_{b}", lang) for b in ("high", "medium", "low")],
    default=[t("churn.band_high", lang)],
    key="churn_bands",
)
chosen = {"risk_band": bands}
for column, name in zip(filters[1:], ("segment", "region"), strict=True):
    if name in listing.columns:
        chosen[name] = column.multiselect(
            t(f"field.{name}", lang),
            churn_view.filter_values(listing, name),
            key=f"churn_{name}",
            placeholder=t("sidebar.all", lang),
        )
shown = churn_view.filtered(listing, chosen)
st.caption(
    t("churn.bands_note", lang)
    + " "
    + t("churn.listed", lang, shown=f"{shown.height:,}", total=f"{listing.height:,}")
)
page.table(shown, "churn_at_risk", "at_risk", sheet=t("churn.at_risk", lang), height=360)

st.subheader(t("churn.detail", lang))
if shown.height:
    customer = st.selectbox(
        t("churn.pick_customer", lang), churn_view.customer_choices(shown, 200), key="churn_customer"
    )
    history = page.memo(("timeline", customer, lang), lambda: churn_view.timeline(con, customer, lang))
    page.table(history, f"customer_{customer}", "timeline", sheet=t("churn.detail", lang), height=300)

st.subheader(t("churn.by_attribute", lang))
columns = st.columns(2)
for index, attribute in enumerate(churn_view.ATTRIBUTES):
    table = page.memo(
        ("attribute", attribute), lambda attribute=attribute: churn_view.by_attribute(con, attribute)
    )
    if table is None:
        continue
    with columns[index % 2]:
        label = t(f"column.{attribute}", lang) if attribute == "age_band" else t(f"field.{attribute}", lang)
        figure = charts.driver_bars(
            churn_view.attribute_chart_data(table, attribute, charts.MISSING),
            category=attribute,
            value="churn_rate",
            count="customers",
            category_title=label,
            value_title=t("churn.rate_axis", lang),
            count_title=t("column.customers", lang),
            title=label,
            value_format=".1%",
        )
        page.chart(figure, table, f"churn_by_{attribute}", f"by_{attribute}", sheet=label)
page.workbook_button()
