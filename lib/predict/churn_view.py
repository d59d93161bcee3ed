"""What the Churn page and `python -m lib churn` show: reasons and actions in words, the at-risk list, breakdowns."""

from __future__ import annotations

import duckdb
import polars as pl

from lib.engine import kpis, store
from lib.i18n import CATALOGUE, t
from lib.predict import churn, churn_features, churn_rate, forecast_models

# Customer attributes the page breaks churn down by (age as bands).
ATTRIBUTES = ("age_band", "gender", "region", "segment")


def rate_model(model: str | None, lang: str) -> str:
    """The churn-rate model's name: the monthly baseline is "same as last month", not last week."""
    if model == forecast_models.NAIVE.name:
        return t("churn.model_naive", lang)
    return t(f"forecast.model_{model}", lang) if model else "—"


def rate_accuracy(ahead: churn_rate.RateForecast, lang: str) -> str:
    """The churn-rate forecast's back-test in words, against "same as last month"."""
    accuracy = ahead.accuracy
    if accuracy is None or accuracy.mase is None:
        return t("forecast.untested", lang)
    gain = 1 - accuracy.mase
    if ahead.model == forecast_models.NAIVE.name:
        return t("churn.rate_accuracy_naive", lang, mae=f"{accuracy.mae:.2%}", cutoffs=accuracy.cutoffs)
    key = "churn.rate_accuracy_better" if gain > 0 else "churn.rate_accuracy_worse"
    return t(key, lang, mae=f"{accuracy.mae:.2%}", cutoffs=accuracy.cutoffs, share=f"{abs(gain):.0%}")


def reason_words(
    key: str | None, value: float | None, category: str | None, lang: str, days: float | None = None
) -> str:
    """One driver in plain words, e.g. "3 complaints in the last 90 days" / "近 90 天投诉 3 次".

    `days`: days since the last ticket, which the last ticket's reasons tell ("… (12 days ago)").
    """
    if key is None:
        return ""
    shown = category if churn_features.SPECS[key].kind == "category" else _number(key, value)
    return t(f"churn.reason_{key}", lang, value=shown if shown is not None else "—", ago=_ago(days, lang))


def _ago(days: float | None, lang: str) -> str:
    if days is None:
        return "—"
    whole = round(days)
    if whole <= 1:
        return t("churn.ago_today" if whole == 0 else "churn.ago_one", lang)
    return t("churn.ago", lang, days=f"{whole:,}")


def _number(key: str, value: float | None) -> str | None:
    if value is None:
        return None
    kind = churn_features.SPECS[key].kind
    if kind in ("hours", "days") or key.endswith(("_total", "_90d", "reopens", "contacts", "misses")):
        return f"{value:,.0f}"
    if key == "negative_comment_share":
        return f"{value:.0%}"
    if kind == "rate":
        return f"{value:,.1f}"
    return f"{value:+.0f}" if kind == "change" else f"{value:.0f}"


def action(key: str | None, lang: str, overrides: dict[str, str] | None = None) -> str:
    """The suggested next step for a driver: the team's own wording if set, else the default."""
    if key is None:
        return ""
    if overrides and overrides.get(key):
        return overrides[key]
    return (
        t(f"churn.action_{key}", lang)
        if f"churn.action_{key}" in CATALOGUE
        else t("churn.action_default", lang)
    )


def at_risk(result: churn.ChurnResult, lang: str, actions: dict[str, str] | None = None) -> pl.DataFrame:
    """The ranked list as people read it: risk, band, three reasons in words, the first reason's action and
    the days since the last ticket (none without one)."""
    scored = result.scored
    if scored is None:
        return pl.DataFrame()
    rows = []
    for row in scored.iter_rows(named=True):
        days = row.get("days_since_last_ticket")
        days = (
            days if days is not None and days < churn_features.DAYS_CAP else None
        )  # the cap stands for "none"
        reasons = [
            reason_words(
                row[f"reason_{k}"], row[f"reason_{k}_value"], row.get(row[f"reason_{k}"] or ""), lang, days
            )
            for k in (1, 2, 3)
        ]
        rows.append(
            {
                "customer_id": row["customer_id"],
                "churn_risk": row["churn_risk"],
                "risk_band": t(f"churn.band_{row['risk_band']}", lang),
                "reason_1": reasons[0],
                "reason_2": reasons[1],
                "reason_3": reasons[2],
                "action": action(row["reason_1"], lang, actions),
                # A recent ticket's timing may be told with its cause ("complaints so far: 2"): shown here.
                "last_ticket_days": round(days) if days is not None else None,
                **{c: row[c] for c in ("segment", "region", "value") if c in scored.columns},
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None)


def cli_table(result: churn.ChurnResult, lang: str) -> pl.DataFrame:
    """What `python -m lib churn` writes: customer_id, churn_risk, risk_band, reason_1..3 (words)."""
    table = at_risk(result, lang)
    if table.is_empty():
        return table
    bands = result.scored.select("customer_id", pl.col("risk_band").alias("band"))
    return table.join(bands, on="customer_id", how="left").select(
        "customer_id",
        pl.col("churn_risk").round(4),
        pl.col("band").alias("risk_band"),
        "reason_1",
        "reason_2",
        "reason_3",
    )


def by_attribute(con: duckdb.DuckDBPyConnection, attribute: str) -> pl.DataFrame | None:
    """Customers, churned and churn rate (the KPI engine's) per value of a customer attribute, over all data."""
    frames = store.scoped(con, store.Scope(), read=("customers",))
    customers = frames.customers
    if customers is None:
        return None
    if attribute == "age_band":
        if "age" not in customers.columns:
            return None
        customers = customers.with_columns(_age_band().alias("age_band"))
    elif attribute not in customers.columns:
        return None
    table = kpis.evaluate_by(
        store.Frames(None, None, customers, None, frames.scope), ("churn_rate",), by=attribute
    )
    counts = customers.group_by(attribute).agg(
        pl.len().alias("customers"), pl.col("churned_in_scope").fill_null(False).sum().alias("churned")
    )
    return (
        table.join(counts, on=attribute, how="left", nulls_equal=True)
        .select(pl.col(attribute).cast(pl.String), "customers", "churned", "churn_rate")
        .sort(attribute, nulls_last=True)
    )


def _age_band() -> pl.Expr:
    edges = churn_features.AGE_BANDS
    expr = pl.when(pl.col("age").is_null()).then(pl.lit(None, dtype=pl.String))
    expr = expr.when(pl.col("age") < edges[0]).then(pl.lit(f"<{edges[0]}"))
    for low, high in zip(edges, edges[1:], strict=False):
        expr = expr.when(pl.col("age") < high).then(pl.lit(f"{low}-{high - 1}"))
    return expr.otherwise(pl.lit(f"{edges[-1]}+"))


def timeline(con: duckdb.DuckDBPyConnection, customer_id: str, lang: str = "en") -> pl.DataFrame:
    """One customer's tickets and survey answers in time order (what happened before the risk)."""
    frames = store.scoped(con, store.Scope())
    parts = []
    if frames.tickets is not None and "customer_id" in frames.tickets.columns:
        tickets = frames.tickets.filter(pl.col("customer_id") == customer_id)
        hours = (
            ((pl.col("resolved_at") - pl.col("created_at")).dt.total_minutes() / 60).round(1)
            if "resolved_at" in tickets.columns
            else pl.lit(None, dtype=pl.Float64)
        )
        parts.append(
            tickets.select(
                pl.col("created_at").alias("at"),
                pl.lit(t("churn.event_ticket", lang)).alias("event"),
                pl.col("ticket_id").cast(pl.String).alias("ref"),
                *[
                    pl.col(c).cast(pl.String)
                    if c in tickets.columns
                    else pl.lit(None, dtype=pl.String).alias(c)
                    for c in ("category", "channel")
                ],
                hours.alias("resolution_hours"),
                (pl.col("is_complaint") if "is_complaint" in tickets.columns else pl.lit(None))
                .cast(pl.Boolean)
                .alias("is_complaint"),
                pl.lit(None, dtype=pl.Float64).alias("csat"),
                pl.lit(None, dtype=pl.String).alias("comment"),
            )
        )
    if frames.surveys is not None and "customer_id" in frames.surveys.columns:
        answers = frames.surveys.filter(pl.col("customer_id") == customer_id)
        parts.append(
            answers.select(
                pl.col("submitted_at").alias("at"),
                pl.lit(t("churn.event_survey", lang)).alias("event"),
                (
                    pl.col("ticket_id").cast(pl.String)
                    if "ticket_id" in answers.columns
                    else pl.lit(None, pl.String)
                ).alias("ref"),
                pl.lit(None, dtype=pl.String).alias("category"),
                pl.lit(None, dtype=pl.String).alias("channel"),
                pl.lit(None, dtype=pl.Float64).alias("resolution_hours"),
                pl.lit(None, dtype=pl.Boolean).alias("is_complaint"),
                (
                    pl.col("csat").cast(pl.Float64) if "csat" in answers.columns else pl.lit(None, pl.Float64)
                ).alias("csat"),
                (pl.col("comment") if "comment" in answers.columns else pl.lit(None, pl.String)).alias(
                    "comment"
                ),
            )
        )
    if not parts:
        return pl.DataFrame()
    return pl.concat(parts, how="vertical_relaxed").sort("at")


def calibration_long(calibration: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The calibration table as two lines over the ten risk groups: predicted and observed."""
    groups = calibration.with_columns((pl.col("bin") + 1).cast(pl.String).alias("group"))
    return pl.concat(
        [
            groups.select(
                "group",
                pl.lit(t("churn.predicted", lang)).alias("series"),
                pl.col("mean_predicted").alias("rate"),
            ),
            groups.select(
                "group", pl.lit(t("churn.observed", lang)).alias("series"), pl.col("observed").alias("rate")
            ),
        ]
    )


def action_rows(actions: dict[str, str], lang: str) -> pl.DataFrame:
    """One editable row per reason: key, the reason's name and its action (the team's or the default)."""
    keys = list(churn_features.REASON_KEYS)
    return pl.DataFrame(
        {
            "key": keys,
            "reason": [t(f"churn.feature_{k}", lang) for k in keys],
            "action": [action(k, lang, actions) for k in keys],
        }
    )


def actions_from_rows(rows: pl.DataFrame, lang: str) -> dict[str, str]:
    """The team's own actions: only those that differ from the default in `lang` (blank = default)."""
    own = {}
    for key, text in rows.select("key", "action").iter_rows():
        text = (text or "").strip()[:200]
        if text and text != action(key, lang):
            own[key] = text
    return own


def filtered(listing: pl.DataFrame, chosen: dict[str, list]) -> pl.DataFrame:
    """The at-risk list narrowed to the chosen values of each column (an empty choice keeps all)."""
    for column, values in chosen.items():
        if values and column in listing.columns:
            listing = listing.filter(pl.col(column).is_in(values))
    return listing


def importance_shown(importance: pl.DataFrame, lang: str, top: int = 10) -> pl.DataFrame:
    """The model's `top` most important features, each named as people read it.

    Parameters
    ----------
    importance : `ChurnResult.importance` (feature, importance …), most important first.
    lang : "zh" or "en".
    top : rows kept.

    Returns
    -------
    pl.DataFrame
        The same columns; "feature" holds the `churn.feature_*` text instead of the key.
    """
    return importance.head(top).with_columns(
        pl.col("feature").map_elements(lambda k: t(f"churn.feature_{k}", lang), return_dtype=pl.String)
    )


def filter_values(listing: pl.DataFrame, column: str) -> list:
    """The values a filter of the at-risk list offers: `column`'s distinct values, sorted, empty left out.

    Parameters
    ----------
    listing : `at_risk`'s list.
    column : e.g. "segment" or "region".

    Returns
    -------
    list
        Empty when the list has no such column.
    """
    if column not in listing.columns:
        return []
    return sorted(v for v in listing[column].unique().to_list() if v is not None)


def customer_choices(listing: pl.DataFrame, limit: int = 200) -> list[str]:
    """The customers the detail picker offers: the first `limit` of the (filtered) list, in its order."""
    return listing["customer_id"].head(limit).to_list()


def attribute_chart_data(table: pl.DataFrame, attribute: str, missing: str) -> pl.DataFrame:
    """`by_attribute`'s table for its chart: an empty attribute value drawn as `missing`.

    Parameters
    ----------
    table : `by_attribute(con, attribute)`.
    attribute : its attribute column.
    missing : what the chart shows (and a click returns) for the empty group, `charts.MISSING`.

    Returns
    -------
    pl.DataFrame
        The same rows and columns.
    """
    return table.with_columns(pl.col(attribute).fill_null(missing))
