"""The report's outlook (section 8): next period's ticket volume and staffing, and the customers at risk."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from lib import charts
from lib.analysis import tables
from lib.engine import store
from lib.i18n import t
from lib.predict import churn, churn_view, forecast, forecast_calendar, forecast_view, staffing
from lib.report.context import Context, Figure, Table
from lib.report.sentences import joined

AT_RISK_ROWS = 10


def forecast_outlook(ctx: Context) -> tuple[list[str], list[Figure], dict[str, float] | None]:
    """Next period's ticket volume from the Forecast page's model, and the staff it needs.

    Returns sentences, the chart and {tickets, days, peak, agents} for the findings (None without a forecast).
    """
    lang = ctx.lang
    days = (ctx.scope.end - ctx.scope.start).days + 1 if ctx.scope.start and ctx.scope.end else 30
    horizon = min(max(days, 7), 180)
    series = forecast.daily_counts(ctx.con, store.Scope(None, ctx.scope.end, ctx.scope.filters))
    if series.is_empty():
        return [t("rpt.outlook.no_forecast", lang, why=t("forecast.reason_no_data", lang))], [], None
    # The Forecast page's default calendar (auto: chosen from the data), said in the report as on the page.
    calendar = forecast_view.choose_calendar(series, horizon, forecast_calendar.AUTO, None, lang)
    total = forecast_view.fit(series, horizon, 0.8, calendar.table, "1d", None)[forecast.TOTAL]
    if total.prediction is None:
        why = t(f"forecast.reason_{total.reasons[0]}", lang, weeks=forecast.MIN_HISTORY_DAYS // 7)
        return [t("rpt.outlook.no_forecast", lang, why=why)], [], None
    prediction = total.prediction
    expected = float(prediction["yhat"].clip(lower_bound=0).sum())
    peak = prediction.sort("yhat", descending=True).row(0, named=True)
    said = [
        t(
            "rpt.outlook.volume",
            lang,
            days=horizon,
            start=str(prediction["ds"].min()),
            end=str(prediction["ds"].max()),
            tickets=f"{expected:,.0f}",
            per_day=f"{expected / horizon:,.1f}",
            peak_day=str(peak["ds"]),
            peak=f"{peak['yhat']:,.0f}",
            low=f"{max(peak['lower'], 0):,.0f}",
            high=f"{peak['upper']:,.0f}",
        ),
        forecast_view.calendar_sentence(calendar, lang),
        forecast_view.accuracy_sentence(total, lang),
    ]
    found = {"tickets": expected, "days": float(horizon), "peak": float(peak["yhat"])}
    aht = ctx.now("handle_minutes_mean")
    if aht:
        plan = staffing.plan(prediction.select("ds", "yhat"), aht, method="workload")
        found["agents"] = float(plan["agents"].max())
        said.append(
            t(
                "rpt.outlook.staff",
                lang,
                agents=int(plan["agents"].max()),
                median=int(plan["agents"].median()),
                aht=f"{aht:.0f}",
            )
        )
    else:
        said.append(t("rpt.outlook.no_staff", lang))
    labels = {s: t(f"forecast.series_{s}", lang) for s in charts.FORECAST_SERIES}
    recent = total.history.filter(
        pl.col("ds") > prediction["ds"].min() - pl.duration(days=max(90, 2 * horizon))
    )
    title = t("rpt.outlook.chart", lang)
    figure = Figure(
        title,
        charts.forecast_band(
            recent,
            prediction,
            labels=labels,
            x_title=t("grain.day", lang),
            y_title=t("kpi.tickets_axis", lang),
            title=title,
            interval_title=t("forecast.interval_short", lang, level="80%"),
        ),
    )
    return said, [figure], found


def churn_outlook(
    ctx: Context, result: churn.ChurnResult | None
) -> tuple[list[str], list[Table], int | None]:
    """Customers at high risk of leaving, the commonest reasons, and the top of the list."""
    lang = ctx.lang
    said = [ctx.sentence("churn_rate")] if ctx.now("churn_rate") is not None else []
    if result is None:
        return said + [t("rpt.outlook.churn_skipped", lang)], [], None
    if result.scored is None:
        why = " ".join(t(f"churn.why_{r}", lang) for r in result.reasons) or "—"
        return said + [t("churn.not_scored", lang, why=why)], [], None
    scored = result.scored
    high = scored.filter(pl.col("risk_band") == "high")
    quality = (
        t("rpt.outlook.churn_rule", lang)
        if result.kind == "rule"
        else t(
            "rpt.outlook.churn_model",
            lang,
            auc=f"{result.metrics.auc:.2f}" if result.metrics and result.metrics.auc else "—",
        )
    )
    reasons = high.group_by("reason_1").len().sort("len", descending=True).head(3)
    words = [f"{t(f'churn.feature_{r}', lang)} ({n:,})" for r, n in reasons.iter_rows() if r]
    said.append(
        t(
            "rpt.outlook.churn",
            lang,
            high=f"{high.height:,}",
            active=f"{scored.height:,}",
            days=result.window_days,
            quality=quality,
            reasons=joined(words, lang) or "—",
        )
    )
    listing = churn_view.at_risk(replace(result, scored=scored.head(AT_RISK_ROWS)), lang)
    keep = [
        c
        for c in (
            "customer_id",
            "churn_risk",
            "risk_band",
            "reason_1",
            "reason_2",
            "action",
            "segment",
            "region",
        )
        if c in listing.columns
    ]
    table = Table(
        t("rpt.table.at_risk", lang, rows=min(AT_RISK_ROWS, scored.height)),
        tables.display(listing.select(keep), lang),
    )
    return said, [table], high.height
