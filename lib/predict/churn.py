"""Churn: the monthly churn rate and its forecast, and per-customer churn risk with reasons."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import duckdb
import numpy as np
import polars as pl

from lib.engine import kpis, store
from lib.predict import forecast as fc

WINDOW_DAYS = 90  # a customer "churns" if they leave within this many days after the cut-off
RECENT_DAYS = 90  # "recent" ticket and complaint counts look this far back
MIN_HISTORY_DAYS = 90  # the first cut-off leaves this much ticket history before it
VALID_CUTOFFS = 3  # the last labelled monthly cut-offs are held out for validation
CALIB_CUTOFFS = 3  # the last training cut-offs calibrate the model (Platt scaling)
HOLDOUT_SHARE = 4  # one customer in 4 (by id hash) is never trained on: validation uses only them
MIN_CHURNERS = 30  # fewer churners in training: the points rule instead of a model
# The blend of logistic regression and boosting is the model unless one of them alone ranks better by
# this much where the choice is made. On the sample's training months (forward in time: fitted on
# earlier cut-offs, checked on later ones for other customers) the blend's AUC was 0.778, logistic
# regression's 0.772, boosting's 0.761, the best single feature's 0.740.
CHOICE_MARGIN = 0.005
# Logistic regression gives each numeric feature a smooth curve (a cubic spline with knots at this many
# quantiles) besides its straight line: +0.004 AUC in cross-validation on the sample's training months.
SPLINE_KNOTS = 5
MAX_TRAIN_ROWS = 120_000  # stacked rows beyond this are sampled uniformly (keeps 100k customers quick)
RECENT_TAU_DAYS = (
    30  # a churn decided at a ticket shows within weeks of its fix: "recent" weights e^(−days/30)
)
DAYS_CAP = 365  # "days since last ticket" for a customer without one (and the cap for those with)
COUNT_CAP = 20  # counts above this add nothing in a linear model but leverage
HIGH_SHARE, MEDIUM_SHARE = 0.10, 0.30  # risk bands: the top 10 % are high, the next 20 % medium
MIN_RATE_MONTHS = 12  # fewer months: no rate forecast
RATE_FLOOR = 1e-4  # a month with no churner is forecast as 0.01 % (−log 0 is infinite)
AGE_BANDS = (30, 40, 50, 60)  # <30, 30–39, 40–49, 50–59, 60+
SEED = 20240101


@dataclass(frozen=True)
class FeatureSpec:
    """One per-customer feature: its key, the table and columns it needs, and what it means."""

    key: str
    table: str
    needs: tuple[str, ...]
    description: str
    # count, flag (0/1), rate, recent (0 when absent); hours / days / rate (log scale); score, change; category
    kind: str = "count"
    # A service failure or dissatisfaction that can make a customer leave (not who they are, how long
    # ago or how much they call): the sample generator's causes are of these (benchmarks/churn.py).
    cause: bool = False
    reason: str | None = None  # the reason this feature's contribution counts toward (None: its own key)


FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec("tickets_total", "tickets", ("customer_id",), "tickets before the cut-off"),
    FeatureSpec("tickets_per_year", "tickets", ("customer_id",),
                "tickets a year since sign-up or the first ticket in the data, whichever is later", "rate"),
    FeatureSpec("tickets_90d", "tickets", ("customer_id",), "tickets in the last 90 days", cause=True),
    FeatureSpec("tickets_prev_90d", "tickets", ("customer_id",), "tickets in the 90 days before those"),
    FeatureSpec("days_since_last_ticket", "tickets", ("customer_id",),
                "days since the last ticket (365 when none)", "days"),
    FeatureSpec("days_since_last_fix", "tickets", ("customer_id", "resolved_at"),
                "days since the last ticket was resolved (0 while it is open, 365 without a ticket)", "days",
                reason="days_since_last_ticket"),
    FeatureSpec("last_ticket_complaint", "tickets", ("customer_id", "is_complaint"),
                "the last ticket was a complaint (1) or not (0)", "flag", cause=True),
    FeatureSpec("last_ticket_reopens", "tickets", ("customer_id", "reopen_count", "resolved_at"),
                "reopens of the last ticket (0 while it is open)", cause=True),
    FeatureSpec("last_resolution_hours", "tickets", ("customer_id", "resolved_at"),
                "hours to resolve the last ticket (none while it is open)", "hours", cause=True),
    FeatureSpec("last_ticket_csat", "surveys", ("csat",),
                "the lowest CSAT answered since the last ticket was opened (1–5)", "score", cause=True),
    FeatureSpec("last_ticket_late", "tickets", ("customer_id", "resolved_at"),
                "the last ticket was resolved later than the resolution target (1) or not (0)", "flag", cause=True,
                reason="last_resolution_hours"),
    # The last ticket's troubles weighted by how recently it was fixed (RECENT_TAU_DAYS): a decision to
    # leave taken at a bad ticket shows within weeks. Their reasons are the last ticket's own features.
    FeatureSpec("recent_complaint", "tickets", ("customer_id", "is_complaint", "resolved_at"),
                "the last ticket was a complaint, weighted by how recently it was fixed", "recent", cause=True,
                reason="last_ticket_complaint"),
    FeatureSpec("recent_reopens", "tickets", ("customer_id", "reopen_count", "resolved_at"),
                "reopens of the last ticket, weighted by how recently it was fixed", "recent", cause=True,
                reason="last_ticket_reopens"),
    FeatureSpec("recent_late", "tickets", ("customer_id", "resolved_at"),
                "the last ticket missed the resolution target, weighted by how recently it was fixed", "recent",
                cause=True, reason="last_resolution_hours"),
    FeatureSpec("recent_low_csat", "surveys", ("csat",),
                "points below 4 of the last ticket's CSAT, weighted by how recently it was fixed", "recent",
                cause=True, reason="last_ticket_csat"),
    FeatureSpec("complaints_total", "tickets", ("customer_id", "is_complaint"), "complaints before the cut-off",
                cause=True),
    FeatureSpec("complaints_90d", "tickets", ("customer_id", "is_complaint"), "complaints in the last 90 days",
                cause=True),
    FeatureSpec("reopens", "tickets", ("customer_id", "reopen_count", "resolved_at"),
                "reopens of tickets resolved before the cut-off", cause=True),
    FeatureSpec("repeat_contacts", "tickets", ("customer_id", "repeat_contact"),
                "tickets within 30 days of the previous one", cause=True),
    FeatureSpec("mean_resolution_hours", "tickets", ("customer_id", "resolved_at"),
                "mean hours to resolve (tickets resolved before the cut-off)", "hours", cause=True),
    FeatureSpec("worst_resolution_hours", "tickets", ("customer_id", "resolved_at"),
                "longest hours to resolve one ticket", "hours", cause=True),
    FeatureSpec("sla_misses", "tickets", ("customer_id", "resolved_at"),
                "tickets resolved later than the resolution target", cause=True),
    FeatureSpec("last_csat", "surveys", ("csat",), "the last CSAT answer (1–5)", "score", cause=True),
    FeatureSpec("csat_change", "surveys", ("csat",), "last CSAT minus the one before", "change", cause=True),
    FeatureSpec("last_nps", "surveys", ("nps",), "the last NPS answer (0–10)", "score", cause=True),
    FeatureSpec("nps_change", "surveys", ("nps",), "last NPS minus the one before", "change", cause=True),
    FeatureSpec("negative_comment_share", "surveys", ("sentiment",),
                "share of answers with a negative comment", "score", cause=True),
    FeatureSpec("tenure_days", "customers", ("signup_at",), "days since sign-up", "days"),
    FeatureSpec("segment", "customers", ("segment",), "customer segment", "category"),
    FeatureSpec("region", "customers", ("region",), "customer region", "category"),
    FeatureSpec("age_band", "customers", ("age",), "age band (<30, 30–39, 40–49, 50–59, 60+)", "category"),
    FeatureSpec("gender", "customers", ("gender",), "gender", "category"),
)  # fmt: skip
SPECS = {f.key: f for f in FEATURES}
# Reasons are what contributions are summed into (a feature's `reason`, else its own key), in FEATURES order.
REASON_KEYS = tuple(dict.fromkeys(f.reason or f.key for f in FEATURES))
# Reasons about the last ticket: their words tell how long ago it was.
LAST_TICKET_REASONS = (
    "last_ticket_complaint",
    "last_ticket_reopens",
    "last_resolution_hours",
    "last_ticket_csat",
)
TIMING_REASON = "days_since_last_ticket"
MIN_CAUSE_LOGODDS = (
    0.25  # a cause this strong takes the last ticket's timing along (see _timing_told_with_cause)
)
# For the page author: what each reason key means (the page words it in zh/en with an action).
REASONS: dict[str, str] = {f.key: f.description for f in FEATURES}
CAUSE_KEYS = frozenset(f.key for f in FEATURES if f.cause)
# The fallback points rule (used with fewer than MIN_CHURNERS churners): key, points per unit, cap.
RULE_POINTS: tuple[tuple[str, float, float], ...] = (
    ("complaints_90d", 3, 6),  # a recent complaint is the strongest sign
    ("complaints_total", 1, 3),  # earlier complaints (counted again, at a lower weight)
    ("reopens", 1, 3),
    ("sla_misses", 1, 2),
    ("tickets_90d", 1, 3),  # a burst of recent tickets
    ("low_csat", 3, 3),  # last CSAT ≤ 2
    ("csat_drop", 1, 2),  # per point the last CSAT fell
)
RULE_MAX = sum(cap for _, _, cap in RULE_POINTS)


# --- churn rate ---------------------------------------------------------------------------


def _month(day: date) -> date:
    return date(day.year, day.month, 1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def monthly_rate(con: duckdb.DuckDBPyConnection, scope: store.Scope | None = None) -> pl.DataFrame:
    """Churned customers ÷ customers active at the month start, per whole month (SPEC §2).

    Each month is one call of the KPI engine's `churn_rate` on a one-month scope, so the
    two can never disagree. Months run from the first ticket (or churn) to the last whole
    month of data, inside `scope`'s dates; of its filters only region applies to customers.

    Returns
    -------
    pl.DataFrame
        ``month`` (Date), ``customers``, ``churned`` (Int64), ``churn_rate`` (Float64).
    """
    scope = scope or store.Scope()
    schema = {"month": pl.Date, "customers": pl.Int64, "churned": pl.Int64, "churn_rate": pl.Float64}
    loaded = store.tables(con)
    if "customers" not in loaded or "churned_at" not in store.columns(con, "customers"):
        return pl.DataFrame(schema=schema)
    first, last = _span(con)
    if first is None:
        return pl.DataFrame(schema=schema)
    start = max(_month(first), _month(scope.start) if scope.start else date.min)
    if scope.start and scope.start.day != 1:
        start = _next_month(start)  # only whole months inside the scope
    stop = min(_month(last + timedelta(days=1)), _next_month(scope.end) if scope.end else date.max)
    if scope.end and (scope.end + timedelta(days=1)).day != 1:
        stop = _month(scope.end)
    rows, month = [], start
    while month < stop:
        end = _next_month(month) - timedelta(days=1)
        frames = store.scoped(con, store.Scope(month, end, scope.filters), read=("customers",))
        customers = frames.customers
        churned = int(customers["churned_in_scope"].sum())
        rate = kpis.evaluate(frames, ("churn_rate",))["churn_rate"]
        rows.append({"month": month, "customers": customers.height, "churned": churned, "churn_rate": rate})
        month = _next_month(month)
    return pl.DataFrame(rows, schema=schema)


def _span(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    """First and last day with data: tickets if loaded, else churn dates."""
    bounds = store.date_bounds(con)
    if bounds:
        return bounds
    low, high = con.cursor().execute("SELECT min(churned_at), max(churned_at) FROM customers").fetchall()[0]
    return (low.date(), high.date()) if low else (None, None)


@dataclass(frozen=True)
class RateForecast:
    """The churn-rate forecast with its back-test (rates in [0, 1], months as `ds`).

    `reasons`: "no_data", "short_history" (fewer than MIN_RATE_MONTHS months; no forecast).
    `accuracy` is the chosen model's back-test on the rate scale; its naive baseline is
    "same as last month" (MASE < 1: better than that).
    """

    enough: bool
    reasons: tuple[str, ...]
    horizon: int  # months
    interval: float
    history: pl.DataFrame  # ds, y (the rate)
    prediction: pl.DataFrame | None = None  # ds, yhat, lower, upper in [0, 1]
    model: str | None = None
    backtest: fc.Backtest | None = None  # on the −log(rate) scale the models were fitted on
    accuracy: fc.Accuracy | None = None


def rate_forecast(rate: pl.DataFrame, horizon_months: int = 6, interval: float = 0.8) -> RateForecast:
    """Forecast `monthly_rate`'s ``churn_rate`` `horizon_months` ahead, bounded in [0, 1].

    The models forecast y = −ln(rate): the forecast module clips at 0, which here means
    rate ≤ 1, and exp(−y) > 0, so every forecast and bound is a valid rate; a ratio
    trend also suits rates. Months are fitted as the forecast module's weekly rows, so its
    naive baseline is last month, without weekly or yearly seasonality (two years of
    monthly rates cannot identify a yearly curve), back-test cut-offs 4 months apart.
    """
    history = rate.select(pl.col("month").alias("ds"), pl.col("churn_rate").alias("y")).drop_nulls()
    base = RateForecast(False, (), horizon_months, interval, history)
    if not history.height:
        return RateForecast(False, ("no_data",), horizon_months, interval, history)
    if history.height < MIN_RATE_MONTHS:
        return RateForecast(False, ("short_history",), horizon_months, interval, history)
    # Stand-in Mondays, one per month: the forecast module steps weekly rows by 7 days.
    stand_in = [date(2001, 1, 1) + timedelta(weeks=i) for i in range(history.height + horizon_months)]
    months = [history["ds"][0]]
    for _ in range(history.height + horizon_months - 1):
        months.append(_next_month(months[-1]))
    to_month = pl.DataFrame({"ds": stand_in, "month": months}, schema={"ds": pl.Date, "month": pl.Date})
    series = pl.DataFrame(
        {"ds": stand_in[: history.height], "y": -np.log(np.clip(history["y"].to_numpy(), RATE_FLOOR, 1.0))},
        schema={"ds": pl.Date, "y": pl.Float64},
    )
    candidates = (fc.NAIVE, fc.PROPHET, fc.PROPHET_FLEXIBLE)
    tested = fc.backtest(series, horizon_months, 4, candidates, every="1w", interval=interval)
    chosen = next(c for c in candidates if c.name == tested.winner) if tested.winner else fc.NAIVE
    predicted, _ = fc._predict(chosen, series, horizon_months, "1w", interval, None)

    def as_rate(frame: pl.DataFrame) -> pl.DataFrame:
        # Higher y is a lower rate: the bounds swap.
        return frame.join(to_month, on="ds").select(
            pl.col("month").alias("ds"),
            (-pl.col("yhat")).exp().alias("yhat"),
            (-pl.col("upper")).exp().alias("lower"),
            (-pl.col("lower")).exp().alias("upper"),
        )

    return RateForecast(
        True,
        base.reasons,
        horizon_months,
        interval,
        history,
        prediction=as_rate(predicted),
        model=chosen.name,
        backtest=tested,
        accuracy=_rate_accuracy(tested, chosen.name),
    )


def _rate_accuracy(tested: fc.Backtest, model: str) -> fc.Accuracy | None:
    """The back-test of `model` rescored on the rate scale (coverage is the same on either)."""
    if not tested.cutoffs:
        return None
    rates = tested.predictions.with_columns(  # higher −log(rate) is a lower rate: the bounds swap
        (-pl.col("y")).exp(),
        (-pl.col("yhat")).exp(),
        (-pl.col("upper")).exp().alias("lower"),
        (-pl.col("lower")).exp().alias("upper"),
    )
    per_cutoff = []
    for cutoff in tested.cutoffs:
        rows = rates.filter(pl.col("cutoff") == cutoff)
        chosen, naive = rows.filter(pl.col("model") == model), rows.filter(pl.col("model") == fc.NAIVE.name)
        mae = float((chosen["yhat"] - chosen["y"]).abs().mean())
        naive_mae = float((naive["yhat"] - naive["y"]).abs().mean())
        positive = chosen.filter(pl.col("y") > 0)
        per_cutoff.append(
            {
                "mae": mae,
                "naive_mae": naive_mae,
                "mase": mae / naive_mae if naive_mae else None,
                "mape": float(((positive["yhat"] - positive["y"]).abs() / positive["y"]).mean())
                if positive.height
                else None,
                "skipped": chosen.height - positive.height,
                "coverage": float(chosen.select(pl.col("y").is_between("lower", "upper").mean()).item()),
            }
        )
    frame = pl.DataFrame(per_cutoff)
    return fc.Accuracy(
        model=model,
        cutoffs=frame.height,
        horizon=tested.horizon,
        mae=frame["mae"].mean(),
        mape=frame["mape"].mean(),
        mape_days_skipped=int(frame["skipped"].sum()),
        naive_mae=frame["naive_mae"].mean(),
        mase=frame["mase"].mean(),
        coverage=frame["coverage"].mean(),
    )


# --- history and features ------------------------------------------------------------------


@dataclass(frozen=True)
class History:
    """Everything the features need, read once: tickets (in time order), survey answers (with customer,
    in customer and time order), customers."""

    tickets: pl.DataFrame | None
    surveys: pl.DataFrame | None
    customers: pl.DataFrame
    end: datetime  # the moment after the last data: scoring's cut-off

    @property
    def available(self) -> tuple[str, ...]:
        """The feature keys these tables' columns allow."""
        have = {
            "tickets": set(self.tickets.columns) if self.tickets is not None else set(),
            "surveys": set(self.surveys.columns) if self.surveys is not None else set(),
            "customers": set(self.customers.columns),
        }
        return tuple(f.key for f in FEATURES if set(f.needs) <= have[f.table])


TICKET_COLUMNS = (
    "customer_id",
    "created_at",
    "resolved_at",
    "is_complaint",
    "reopen_count",
    "repeat_contact",
    "priority",
)


def read_history(con: duckdb.DuckDBPyConnection) -> History | None:
    """The columns churn needs from the store; None without a customers table."""
    loaded = store.tables(con)
    if "customers" not in loaded:
        return None
    cur = con.cursor()

    def read(sql: str) -> pl.DataFrame:
        return pl.from_arrow(cur.sql(sql).to_arrow_table())

    customers = read("SELECT * FROM customers")
    tickets = surveys = None
    if "tickets" in loaded and "customer_id" in store.columns(con, "tickets"):
        cols = [c for c in TICKET_COLUMNS if c in store.columns(con, "tickets")]
        tickets = read(
            f"SELECT {', '.join(cols)} FROM tickets WHERE customer_id IS NOT NULL "
            "ORDER BY created_at, customer_id"
        )  # time order: a group's last() is its last ticket
    if "surveys" in loaded:
        survey_cols = store.columns(con, "surveys")
        joined = (
            "tickets" in loaded
            and "ticket_id" in survey_cols
            and "customer_id" in store.columns(con, "tickets")
        )
        own = "s.customer_id" if "customer_id" in survey_cols else "NULL"
        who = f"coalesce({own}, t.customer_id)" if joined else own
        keep = [f"s.{store.quote(c)}" for c in ("csat", "nps", "sentiment") if c in survey_cols]
        source = "surveys s LEFT JOIN tickets t USING (ticket_id)" if joined else "surveys s"
        if keep and who != "NULL":
            surveys = read(
                f"SELECT {who} AS customer_id, s.submitted_at, {', '.join(keep)} FROM {source} "
                f"WHERE {who} IS NOT NULL ORDER BY customer_id, s.submitted_at"
            )
    ends = [
        frame[col].max()
        for frame, col in ((tickets, "created_at"), (customers, "churned_at"))
        if frame is not None and col in frame.columns and frame[col].max() is not None
    ]
    last = max(ends) if ends else datetime.now()
    end = datetime.combine(last.date() + timedelta(days=1), datetime.min.time())
    return History(tickets, surveys, customers, end)


def active_at(customers: pl.DataFrame, cutoff: datetime) -> pl.Expr:
    """Customers signed up before `cutoff` and not yet gone (churned without a date: gone, time unknown)."""
    signed = (
        pl.col("signup_at").is_null() | (pl.col("signup_at") < cutoff) if "signup_at" in customers else True
    )
    churned = pl.col("churned").fill_null(False) if "churned" in customers else pl.lit(False)
    if "churned_at" in customers:
        stays = pl.col("churned_at").is_null() & ~churned | (pl.col("churned_at") >= cutoff)
    else:
        stays = ~churned
    return pl.lit(True) & signed & stays


def features(history: History, cutoff: datetime, settings: kpis.Settings | None = None) -> pl.DataFrame:
    """One row per customer active at `cutoff`, with the features from events strictly before it.

    A ticket counts if created before the cut-off; its resolution time, SLA miss and
    reopens only if it was also resolved before it (a later fix or reopen is unknown
    then). `is_complaint` and `reopen_count` have no dates of their own: they are the
    export's state of tickets that began before the cut-off. Surveys count if submitted
    before it. Features whose columns are missing are absent (see FEATURES).

    The last ticket is the latest created before the cut-off; CSAT answered since it was
    opened is taken to be about it, and the `recent` features weight its troubles by
    e^(−days since its fix ÷ RECENT_TAU_DAYS) (weight 1 while it is open).
    """
    settings = settings or kpis.Settings()
    keys = history.available
    customers = history.customers.filter(active_at(history.customers, cutoff))
    out = customers.select("customer_id")
    if history.tickets is not None:
        out = out.join(
            _ticket_features(history.tickets, cutoff, settings, keys), on="customer_id", how="left"
        )
        counts = [k for k in keys if SPECS[k].table == "tickets" and SPECS[k].kind in ("count", "flag")]
        days = [k for k in ("days_since_last_ticket", "days_since_last_fix") if k in keys]
        out = out.with_columns(
            pl.col(counts).fill_null(0), pl.col(days).fill_null(DAYS_CAP).clip(0, DAYS_CAP)
        )
        # Frequent callers have more chances to be let down: tickets a year over the span we can see.
        start = pl.lit(history.tickets.filter(pl.col("created_at") < cutoff)["created_at"].min() or cutoff)
        if "signup_at" in customers.columns:
            start = pl.max_horizontal(pl.col("signup_at"), start)
        span = (pl.lit(cutoff) - start).dt.total_days().cast(pl.Float64).clip(lower_bound=30)
        out = out.join(
            customers.select("customer_id", span.alias("_span_days")), on="customer_id", how="left"
        )
        out = out.with_columns(
            (pl.col("tickets_total") * 365 / pl.col("_span_days")).alias("tickets_per_year")
        )
    if history.surveys is not None:
        last_ticket = (
            out.select("customer_id", "_last_ticket_at") if "_last_ticket_at" in out.columns else None
        )
        out = out.join(
            _survey_features(history.surveys, cutoff, keys, last_ticket), on="customer_id", how="left"
        )
    if "days_since_last_fix" in out.columns:
        weight = (-pl.col("days_since_last_fix") / RECENT_TAU_DAYS).exp()
        recent = {
            "recent_complaint": pl.col("last_ticket_complaint"),
            "recent_reopens": pl.col("last_ticket_reopens"),
            "recent_late": pl.col("last_ticket_late"),
            "recent_low_csat": (4 - pl.col("last_ticket_csat")).clip(lower_bound=0).fill_null(0),
        }
        out = out.with_columns(
            (value.cast(pl.Float64) * weight).alias(key)
            for key, value in recent.items()
            if key in keys and SPECS[key].reason in out.columns
        )
    cols = customers.columns
    attrs = []
    if "tenure_days" in keys:
        attrs.append(
            ((pl.lit(cutoff) - pl.col("signup_at")).dt.total_days()).cast(pl.Float64).alias("tenure_days")
        )
    attrs += [pl.col(k).cast(pl.String) for k in ("segment", "region", "gender") if k in keys and k in cols]
    if "age_band" in keys:
        low, *middle, high = AGE_BANDS  # a when-chain: Polars 2 deprecates `cut`
        band = pl.when(pl.col("age") < low).then(pl.lit(f"<{low}"))
        for start, stop in zip((low, *middle), (*middle, high), strict=True):
            band = band.when(pl.col("age") < stop).then(pl.lit(f"{start}-{stop - 1}"))
        attrs.append(band.when(pl.col("age").is_not_null()).then(pl.lit(f"{high}+")).alias("age_band"))
    if attrs:
        out = out.join(customers.select("customer_id", *attrs), on="customer_id", how="left")
    return out.select("customer_id", *[k for k in keys if k in out.columns])


def _ticket_features(tickets: pl.DataFrame, cutoff: datetime, settings: kpis.Settings, keys) -> pl.DataFrame:
    """Ticket features; `tickets` in time order (read_history), so `last()` in a group is the last ticket.

    Each row's values are worked out first and the group-by only sums, counts, averages and
    takes maxima and last values (its fast paths: 1M tickets × every cut-off).
    """
    recent = pl.col("created_at") >= cutoff - timedelta(days=RECENT_DAYS)
    earlier = ~recent & (pl.col("created_at") >= cutoff - timedelta(days=2 * RECENT_DAYS))
    rows = [recent.alias("_recent"), earlier.alias("_earlier")]
    aggs = [
        pl.len().alias("tickets_total"),
        pl.col("_recent").sum().alias("tickets_90d"),
        pl.col("_earlier").sum().alias("tickets_prev_90d"),
        pl.col("created_at").max().alias("_last_ticket_at"),
    ]
    if "complaints_total" in keys:
        rows += [
            pl.col("is_complaint").fill_null(False).alias("_complaint"),
            (pl.col("is_complaint").fill_null(False) & recent).alias("_complaint_90d"),
        ]
        aggs += [
            pl.col("_complaint").sum().alias("complaints_total"),
            pl.col("_complaint_90d").sum().alias("complaints_90d"),
            pl.col("_complaint").last().cast(pl.Int64).alias("last_ticket_complaint"),
        ]
    if "repeat_contacts" in keys:
        rows.append(pl.col("repeat_contact").fill_null(False).alias("_repeat"))
        aggs.append(pl.col("_repeat").sum().alias("repeat_contacts"))
    if "resolved_at" in tickets.columns:
        known = pl.col("resolved_at").is_not_null() & (pl.col("resolved_at") < cutoff)
        hours = pl.when(known).then((pl.col("resolved_at") - pl.col("created_at")).dt.total_seconds() / 3600)
        general, by_priority = settings.sla_hours("resolution")
        target = pl.lit(general)
        if by_priority and "priority" in tickets.columns:
            target = pl.col("priority").replace_strict(by_priority, default=general, return_dtype=pl.Float64)
        # The last ticket's fix starts the clock of a decision it caused: 0 days while it is still open.
        rows += [
            pl.when(hours >= 0).then(hours).alias("_hours"),
            pl.when(known)
            .then((pl.lit(cutoff) - pl.col("resolved_at")).dt.total_seconds() / 86_400)
            .alias("_fixed"),
        ]
        aggs += [
            pl.col("_hours").mean().alias("mean_resolution_hours"),
            pl.col("_hours").max().alias("worst_resolution_hours"),
            pl.col("_hours").last().alias("last_resolution_hours"),
            pl.col("_late").sum().alias("sla_misses"),
            pl.col("_fixed").last().fill_null(0.0).alias("days_since_last_fix"),
            pl.col("_late").last().fill_null(False).cast(pl.Int64).alias("last_ticket_late"),
        ]
        if "reopens" in keys:
            rows.append(
                pl.when(known).then(pl.col("reopen_count").fill_null(0)).otherwise(0).alias("_reopens")
            )
            aggs += [
                pl.col("_reopens").sum().alias("reopens"),
                pl.col("_reopens").last().alias("last_ticket_reopens"),
            ]
    before = tickets.filter(pl.col("created_at") < cutoff).with_columns(rows)
    if "_hours" in before.columns:
        before = before.with_columns((pl.col("_hours") > target).alias("_late"))
    return (
        before.group_by("customer_id")
        .agg(aggs)
        .with_columns(
            ((pl.lit(cutoff) - pl.col("_last_ticket_at")).dt.total_seconds() / 86_400).alias(
                "days_since_last_ticket"
            )
        )
    )


def _survey_features(
    surveys: pl.DataFrame, cutoff: datetime, keys, last_ticket: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Survey features; `last_ticket` (customer_id, _last_ticket_at) dates the last ticket's answers."""
    before = surveys.filter(pl.col("submitted_at") < cutoff)  # sorted by customer, time (read_history)
    if last_ticket is not None:
        before = before.join(last_ticket, on="customer_id", how="left")
    aggs = []
    for score in ("csat", "nps"):
        if f"last_{score}" in keys:
            answers = pl.col(score).drop_nulls()
            change = pl.when(answers.len() >= 2).then(answers.last() - answers.tail(2).first())
            aggs += [answers.last().alias(f"last_{score}"), change.alias(f"{score}_change")]
    if "last_ticket_csat" in keys and last_ticket is not None:
        # Answers come after the fix, so those since the last ticket was opened are about it.
        aggs.append(
            pl.col("csat")
            .filter(pl.col("submitted_at") >= pl.col("_last_ticket_at"))
            .min()
            .alias("last_ticket_csat")
        )
    if "negative_comment_share" in keys:
        sentiment = pl.col("sentiment")
        negative = (
            (sentiment.str.to_lowercase() == "negative")
            if surveys["sentiment"].dtype == pl.String
            else (sentiment < 0)
        )
        aggs.append(negative.cast(pl.Float64).mean().alias("negative_comment_share"))
    if not aggs:
        return before.select("customer_id").unique()
    return before.group_by("customer_id").agg(aggs)


def labels(history: History, cutoff: datetime, window_days: int = WINDOW_DAYS) -> pl.DataFrame:
    """customer_id, churned (left within `window_days` from `cutoff`), for customers active at `cutoff`."""
    customers = history.customers.filter(active_at(history.customers, cutoff))
    until = cutoff + timedelta(days=window_days)
    churned = (pl.col("churned_at") < until).fill_null(False) if "churned_at" in customers else pl.lit(False)
    return customers.select("customer_id", churned.alias("churned"))


# --- model ----------------------------------------------------------------------------------


@dataclass
class _Encoding:
    """How features become model columns, learnt on training rows: fills, scales, categories, typical values."""

    keys: list[str]
    fill: dict[str, float]  # numeric: value for a missing one (raw scale)
    typical: dict[str, float | str]  # the training median (numeric) or most common value (category)
    levels: dict[str, list[str]]  # category: the levels given a column of their own
    curves: dict[str, object] = field(
        default_factory=dict
    )  # numeric key -> its fitted spline basis (logistic)
    columns: list[str] = field(default_factory=list)  # "key", "key=level" or "key~i" (the i-th curve column)
    groups: dict[str, np.ndarray] = field(default_factory=dict)  # key -> its column indices
    plain: np.ndarray | None = None  # the columns that are not curves (what boosting reads)
    center: np.ndarray | None = None
    scale: np.ndarray | None = None


def _raw_numeric(frame: pl.DataFrame, key: str, fill: float) -> np.ndarray:
    values = frame[key].cast(pl.Float64).fill_null(fill).fill_nan(fill).to_numpy()
    kind = SPECS[key].kind
    if kind in ("hours", "days", "rate"):
        return np.log1p(np.clip(values, 0, None))  # skewed: a 9-day fix is not 3× a 3-day one in effect
    if kind == "count":
        return np.minimum(values, COUNT_CAP)
    return values


def _fit_encoding(train: pl.DataFrame, keys: list[str], curves: bool = False) -> _Encoding:
    """Learn the encoding on `train`; `curves`: numeric features also get a spline basis (SPLINE_KNOTS)."""
    from sklearn.preprocessing import SplineTransformer

    fill, typical, levels, bases = {}, {}, {}, {}
    for key in keys:
        if SPECS[key].kind == "category":
            counts = train[key].fill_null("(missing)").value_counts(sort=True)
            levels[key] = counts[key].head(12).to_list()
            typical[key] = levels[key][0] if levels[key] else "(missing)"
            continue
        median = train[key].cast(pl.Float64).median()
        zero = SPECS[key].kind in ("count", "flag", "rate", "recent", "change") or median is None
        fill[key] = 0.0 if zero else float(median)
        typical[key] = float(median) if median is not None else fill[key]
        raw = _raw_numeric(train, key, fill[key])
        knots = np.unique(np.quantile(raw, np.linspace(0, 1, SPLINE_KNOTS))) if curves and raw.size else []
        if len(knots) >= 3:  # a flag or a mostly-constant count stays a straight line
            basis = SplineTransformer(knots=knots.reshape(-1, 1), degree=3, include_bias=False)
            bases[key] = basis.fit(raw.reshape(-1, 1))
    enc = _Encoding(keys, fill, typical, levels, bases)
    start = 0
    for key in keys:
        names = [f"{key}={level}" for level in levels[key]] if key in levels else [key]
        if key in bases:
            names += [f"{key}~{i}" for i in range(bases[key].n_features_out_)]
        enc.columns += names
        enc.groups[key] = np.arange(start, start + len(names))
        start += len(names)
    enc.plain = np.array([i for i, name in enumerate(enc.columns) if "~" not in name], dtype=int)
    matrix = _matrix(enc, train)
    enc.center, enc.scale = matrix.mean(axis=0), matrix.std(axis=0)
    enc.scale[enc.scale == 0] = 1.0
    return enc


def _matrix(enc: _Encoding, frame: pl.DataFrame) -> np.ndarray:
    """Unscaled model columns for `frame`."""
    parts = []
    for key in enc.keys:
        if key in enc.levels:
            values = frame[key].fill_null("(missing)").to_numpy()
            parts += [(values == level).astype(float) for level in enc.levels[key]]
        else:
            raw = _raw_numeric(frame, key, enc.fill[key])
            parts.append(raw)
            if key in enc.curves:
                parts += list(enc.curves[key].transform(raw.reshape(-1, 1)).T)
    return np.column_stack(parts) if parts else np.zeros((frame.height, 0))


def _encode(enc: _Encoding, frame: pl.DataFrame) -> np.ndarray:
    return (_matrix(enc, frame) - enc.center) / enc.scale


def _typical_row(enc: _Encoding) -> np.ndarray:
    return _encode(enc, pl.DataFrame({k: [enc.typical[k]] for k in enc.keys}))


@dataclass
class _Model:
    """Fitted parts whose log-odds add up, with Platt scaling learnt on a later slice of time.

    kind "logistic": a logistic regression on every column (the lines and the curves);
    "boosting": gradient boosting on the plain columns (a tree needs no curves); "blend": both.
    """

    kind: str
    encoding: _Encoding
    parts: list[tuple[object, np.ndarray]]  # (estimator, the columns of the encoding it reads)
    slope: float = 1.0
    intercept: float = 0.0

    def raw(self, x: np.ndarray) -> np.ndarray:
        return sum(_decide(estimator, x[:, cols]) for estimator, cols in self.parts)

    def probability(self, x: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-(self.slope * self.raw(x) + self.intercept)))

    def contributions(self, x: np.ndarray) -> tuple[list[str], np.ndarray]:
        """Log-odds each reason (`reason_groups`) adds compared with a typical customer.

        Logistic: coefficient × (value − typical), exact for a linear model. Boosting: the
        drop in log-odds when that reason's features are set to their typical values together
        (ablation; together, so two features telling the same thing do not hide each other).
        A blend adds the two.
        """
        typical = _typical_row(self.encoding)[0]
        groups = reason_groups(self.encoding.keys)
        out = np.zeros((x.shape[0], len(groups)))
        for estimator, read in self.parts:
            mine, usual = x[:, read], typical[read]
            at = {column: j for j, column in enumerate(read)}
            base = None if hasattr(estimator, "coef_") else _decide(estimator, mine)
            for i, (_, members) in enumerate(groups):
                cols = [at[c] for k in members for c in self.encoding.groups[k] if c in at]
                if not cols:
                    continue
                if base is None:  # linear: exact
                    out[:, i] += ((mine[:, cols] - usual[cols]) * estimator.coef_[0][cols]).sum(axis=1)
                else:  # only rows whose values differ from the typical ones can move (most counts are 0)
                    moved = np.flatnonzero((mine[:, cols] != usual[cols]).any(axis=1))
                    if not moved.size:
                        continue
                    ablated = mine[moved]
                    ablated[:, cols] = usual[cols]
                    out[moved, i] += base[moved] - _decide(estimator, ablated)
        return [reason for reason, _ in groups], out * self.slope


def _decide(estimator, x: np.ndarray) -> np.ndarray:
    """One fitted estimator's log-odds, on one thread."""
    with _one_thread():
        return estimator.decision_function(x)


def _one_thread():
    """One BLAS / OpenMP thread for a fit or prediction.

    The server's 2 cores are shared by sessions (and here by other work): with its default two
    OpenMP threads a boosting fit of 60k rows took 11–22 s on a busy machine against 2.1–2.4 s
    on one thread, and a logistic fit 0.6 s against 0.3 s.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def _estimator(kind: str):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    if kind == "logistic":
        return LogisticRegression(C=0.1, max_iter=1000)  # L2; C small: stacked rows repeat customers
    # 100 trees at 0.075 ranked as well as 150 at 0.05 in the blend (forward checks on the sample's
    # training months, AUC 0.777 and 0.778) and cost a third less: every reason is a prediction.
    return HistGradientBoostingClassifier(
        max_iter=100,
        learning_rate=0.075,
        max_leaf_nodes=15,
        min_samples_leaf=50,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=SEED,
    )


PARTS = {"logistic": ("logistic",), "boosting": ("boosting",), "blend": ("logistic", "boosting")}


def _fit_part(part: str, enc: _Encoding, x: np.ndarray, y: np.ndarray) -> tuple[object, np.ndarray]:
    """One estimator fitted on the columns it reads: logistic all of them, boosting the plain ones."""
    read = np.arange(x.shape[1]) if part == "logistic" else enc.plain
    with _one_thread():
        return _estimator(part).fit(x[:, read], y), read


def _fit(kind: str, fit_rows: pl.DataFrame, calib_rows: pl.DataFrame | None, keys: list[str]) -> _Model:
    """`kind` (PARTS) fitted on `fit_rows`, then calibrated (Platt: a logistic curve of its score) on `calib_rows`."""
    enc = _fit_encoding(fit_rows, keys, curves=kind != "boosting")
    x, y = _encode(enc, fit_rows), fit_rows["churned"].to_numpy()
    model = _Model(kind, enc, [_fit_part(part, enc, x, y) for part in PARTS[kind]])
    return _calibrated(model, calib_rows) if calib_rows is not None else model


def _calibrated(model: _Model, calib_rows: pl.DataFrame) -> _Model:
    from sklearn.linear_model import LogisticRegression

    score = model.raw(_encode(model.encoding, calib_rows)).reshape(-1, 1)
    with _one_thread():
        platt = LogisticRegression(C=1e4, max_iter=1000).fit(score, calib_rows["churned"].to_numpy())
    model.slope, model.intercept = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    return model


# --- validation metrics ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Metrics:
    """Validation quality, on held-out customers at held-out cut-offs (never on training rows).

    `precision_top10`: share of churners among the 10 % riskiest; `base_rate`: among all
    (what random picking gives). `ece`: expected calibration error over 10 equal-count bins.
    `best_feature_auc`: the best single feature's AUC (either direction) for comparison.
    """

    auc: float | None
    precision_top10: float | None
    base_rate: float
    brier: float
    ece: float
    best_feature: str | None
    best_feature_auc: float | None
    rows: int
    customers: int
    churners: int
    cutoffs: tuple[date, ...]
    train_rows: int
    train_churners: int


def _auc(y: np.ndarray, p: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, p)) if 0 < y.sum() < y.size else None


def calibration_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> pl.DataFrame:
    """bin, mean_predicted, observed, count over equal-count bins of the predicted risk."""
    frame = pl.DataFrame({"p": p, "y": y.astype(float)}).sort("p").with_row_index("_i")
    size = max(frame.height, 1)
    return (
        frame.with_columns((pl.col("_i") * bins // size).cast(pl.Int64).alias("bin"))
        .group_by("bin")
        .agg(
            pl.col("p").mean().alias("mean_predicted"),
            pl.col("y").mean().alias("observed"),
            pl.len().alias("count"),
        )
        .sort("bin")
    )


def expected_calibration_error(table: pl.DataFrame) -> float:
    """Σ count/n × |mean predicted − observed| over the table's bins."""
    total = table["count"].sum()
    return float(((table["mean_predicted"] - table["observed"]).abs() * table["count"]).sum() / total)


def _metrics(
    rows: pl.DataFrame, p: np.ndarray, keys: list[str], train: pl.DataFrame
) -> tuple[Metrics, pl.DataFrame]:
    y = rows["churned"].to_numpy().astype(int)
    table = calibration_table(y, p)
    top = np.argsort(-p, kind="stable")[: max(1, math.ceil(0.1 * y.size))]
    best, best_auc = None, None
    for key in keys:
        if SPECS[key].kind == "category":
            continue
        auc = _auc(y, rows[key].cast(pl.Float64).fill_null(float("nan")).fill_nan(-1e9).to_numpy())
        if auc is not None and (best_auc is None or max(auc, 1 - auc) > best_auc):
            best, best_auc = key, max(auc, 1 - auc)
    metrics = Metrics(
        auc=_auc(y, p),
        precision_top10=float(y[top].mean()),
        base_rate=float(y.mean()),
        brier=float(np.mean((p - y) ** 2)),
        ece=expected_calibration_error(table),
        best_feature=best,
        best_feature_auc=best_auc,
        rows=int(y.size),
        customers=rows["customer_id"].n_unique(),
        churners=int(y.sum()),
        cutoffs=tuple(sorted(d.date() for d in rows["cutoff"].unique())),
        train_rows=train.height,
        train_churners=int(train["churned"].sum()),
    )
    return metrics, table


# --- fallback rule ------------------------------------------------------------------------------------


def _rule_points(frame: pl.DataFrame) -> tuple[list[str], np.ndarray]:
    """Points per rule line (RULE_POINTS) for each row, as reason keys and an n × lines matrix."""
    keys, columns = [], []
    for line, per, cap in RULE_POINTS:
        key = {"low_csat": "last_csat", "csat_drop": "csat_change"}.get(line, line)
        if key not in frame.columns:
            continue
        values = frame[key].cast(pl.Float64).fill_null(float("nan")).to_numpy()
        if line == "low_csat":
            units = (values <= 2).astype(float)
        elif line == "csat_drop":
            units = np.nan_to_num(np.clip(-values, 0, None))
        else:
            units = np.nan_to_num(values)
        keys.append(key)
        columns.append(np.minimum(units * per, cap))
    return keys, (np.column_stack(columns) if columns else np.zeros((frame.height, 0)))


# --- scoring ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChurnResult:
    """Per-customer churn risk for the customers active at the data end, and how far to trust it.

    `reasons` are codes for the page: "no_customers" (no customers table), "no_churn_dates"
    (no churned_at: nothing to learn from), "no_active" (nobody to score), "short_history"
    (no labelled cut-off to learn from or validate on), "few_churners" (rule used).
    `kind`: "logistic", "boosting", "blend" (the two, log-odds added) or "rule" (RULE_POINTS; its risk is points ÷ RULE_MAX,
    a ranking, not a probability). `scored`: customer_id, churn_risk, risk_band
    (high: top 10 %, medium: next 20 %, low), reason_1..3 (feature keys, null when fewer push
    risk up; REASON_KEYS, or RULE_POINTS keys for the rule) and reason_k_value (the customer's
    value of that key, null for a category: read the column of that name), then
    days_since_last_ticket (the "days ago" of the last ticket's reasons), segment / region /
    age_band / gender / value where present.
    `drivers`: customer_id, rank, feature (the reason key), value, typical, contribution (log-odds,
    with a recent ticket's timing told with the strongest cause: `_timing_told_with_cause`; rule: points).
    """

    enough: bool
    reasons: tuple[str, ...]
    window_days: int
    kind: str | None = None
    cutoff: datetime | None = None  # the scoring moment (the day after the last data)
    metrics: Metrics | None = None
    calibration: pl.DataFrame | None = None  # bin, mean_predicted, observed, count (validation)
    # AUC per model kind where the choice was made: a quarter of training customers left out of its fit
    candidates: dict[str, float | None] = field(default_factory=dict)
    scored: pl.DataFrame | None = None
    drivers: pl.DataFrame | None = None
    importance: pl.DataFrame | None = (
        None  # feature (a reason key), importance (mean |contribution| over scored)
    )
    features_used: tuple[str, ...] = ()
    # The held-out rows: customer_id, cutoff, churned, best_feature (the best single feature's value),
    # churn_risk, risk_band (within the cut-off), reason_1..3 with values (high band only, as in
    # `scored`), days_since_last_ticket: what the model said where the outcome is known.
    held_out: pl.DataFrame | None = None


def cutoffs(history: History, window_days: int = WINDOW_DAYS) -> list[datetime]:
    """Month starts with MIN_HISTORY_DAYS of history before them whose label window ends by the data end."""
    starts = (
        [history.tickets["created_at"].min()]
        if history.tickets is not None and history.tickets.height
        else []
    )
    if not starts and "churned_at" in history.customers.columns:
        starts = [history.customers["churned_at"].min()]
    if not starts or starts[0] is None:
        return []
    day = _next_month((starts[0] + timedelta(days=MIN_HISTORY_DAYS - 1)).date())
    out = []
    while datetime.combine(day, datetime.min.time()) + timedelta(days=window_days) <= history.end:
        out.append(datetime.combine(day, datetime.min.time()))
        day = _next_month(day)
    return out


def _stack(
    history: History,
    at: list[datetime],
    settings,
    window_days: int,
    cap: int | None,
    measure: list[datetime] = (),
) -> pl.DataFrame:
    """Features and labels at each cut-off, one block per cut-off.

    A block of more than `cap` rows is sampled (`_sampled` marks the rows models may learn
    from); at the `measure` cut-offs every held-out customer's row is kept as well, so
    validation counts all of them.
    """
    blocks = []
    for i, cutoff in enumerate(at):
        block = features(history, cutoff, settings).join(
            labels(history, cutoff, window_days), on="customer_id"
        )
        block = block.with_columns(_holdout().alias("_holdout"), pl.lit(True).alias("_sampled"))
        if cap is not None and block.height > cap:
            sampled = block.sample(cap, seed=SEED + i)
            if cutoff in measure:
                rest = block.join(sampled.select("customer_id"), on="customer_id", how="anti")
                sampled = pl.concat(
                    [sampled, rest.filter("_holdout").with_columns(pl.lit(False).alias("_sampled"))]
                )
            block = sampled
        blocks.append(block.with_columns(pl.lit(cutoff).alias("cutoff")))
    return pl.concat(blocks, how="diagonal_relaxed") if blocks else pl.DataFrame()


def _holdout(seed: int = SEED) -> pl.Expr:
    """One customer in HOLDOUT_SHARE by id hash (another `seed`: another, independent quarter)."""
    return pl.col("customer_id").cast(pl.String).hash(seed) % HOLDOUT_SHARE == 0


def score(
    con: duckdb.DuckDBPyConnection, settings: kpis.Settings | None = None, window_days: int = WINDOW_DAYS
) -> ChurnResult:
    """Train, validate and calibrate on past monthly cut-offs; score every customer active at the data end.

    Cut-offs are month starts (`cutoffs`). The last VALID_CUTOFFS are held out, and only
    customers of the held-out quarter (by id hash, never trained on) are scored there: all
    of them, even when training rows are sampled. Training uses the cut-offs whose label
    window ends before the first held-out one: the last CALIB_CUTOFFS of them calibrate,
    the rest fit. The model (logistic regression with curves, gradient boosting, or the
    two blended) is chosen without looking at the held-out rows (`_choose_and_fit`,
    `candidates`), fitted and calibrated, measured on the held-out rows, then refitted the
    same way on all labelled cut-offs and all customers before scoring.
    """
    settings = settings or kpis.Settings()
    history = read_history(con)
    if history is None:
        return ChurnResult(False, ("no_customers",), window_days)
    if "churned_at" not in history.customers.columns:
        return ChurnResult(False, ("no_churn_dates",), window_days)
    now = features(history, history.end, settings)
    if not now.height:
        return ChurnResult(False, ("no_active",), window_days, cutoff=history.end)
    keys = [k for k in history.available if k in now.columns]
    labelled = cutoffs(history, window_days)
    valid_at = labelled[-VALID_CUTOFFS:] if len(labelled) > VALID_CUTOFFS else []
    train_at = [c for c in labelled if valid_at and c + timedelta(days=window_days) <= valid_at[0]]
    cap = MAX_TRAIN_ROWS // max(len(labelled), 1)
    stacked = _stack(history, labelled, settings, window_days, None if now.height <= cap else cap, valid_at)
    if not stacked.height:
        return _rule_result(history, now, keys, window_days, ("short_history",), None)
    train = stacked.filter(pl.col("cutoff").is_in(train_at) & ~pl.col("_holdout") & pl.col("_sampled"))
    valid = stacked.filter(pl.col("cutoff").is_in(valid_at) & pl.col("_holdout"))
    stacked = stacked.filter("_sampled")
    calibrate = min(CALIB_CUTOFFS, len(train_at) // 2)  # a short history: half of training calibrates
    calib_at, fit_at = train_at[len(train_at) - calibrate :], train_at[: len(train_at) - calibrate]
    if not fit_at:
        return _rule_result(
            history, now, keys, window_days, ("short_history",), valid if valid.height else None
        )
    if train["churned"].sum() < MIN_CHURNERS:
        return _rule_result(history, now, keys, window_days, ("few_churners",), valid, train)
    kind, tried, model = _choose_and_fit(train, fit_at, calib_at, keys)
    # Without a held-out churner there is nothing to measure (metrics None; the page says so).
    metrics = table = held_out = None
    if valid["churned"].any():
        x = _encode(model.encoding, valid)
        risk = model.probability(x)
        metrics, table = _metrics(valid, risk, keys, train)
        held_out = _held_out(history, valid, keys, model, x, risk, metrics.best_feature)
    # The same recipe moved forward: every labelled cut-off, every customer.
    final_calib = labelled[len(labelled) - min(CALIB_CUTOFFS, len(labelled) // 2) :]
    everything = stacked.filter(~pl.col("cutoff").is_in(final_calib))
    model = _fit(kind, everything, stacked.filter(pl.col("cutoff").is_in(final_calib)), keys)
    x = _encode(model.encoding, now)
    risk, (reasons, contributions) = model.probability(x), model.contributions(x)
    scored, drivers, importance = _scored(history, now, reasons, risk, contributions, model.encoding.typical)
    return ChurnResult(
        True,
        (),
        window_days,
        kind,
        history.end,
        metrics,
        table,
        tried,
        scored,
        drivers,
        importance,
        tuple(keys),
        held_out,
    )


def _choose_and_fit(
    train: pl.DataFrame, fit_at: list[datetime], calib_at: list[datetime], keys: list[str]
) -> tuple[str, dict[str, float | None], _Model]:
    """The model kind chosen on training rows only (see `score`), fitted on `fit_at` and calibrated on `calib_at`.

    Logistic regression and boosting are fitted once, leaving out another quarter of the
    training customers; each, and their blend (log-odds added), is checked on that quarter
    at every training cut-off. The blend is the default; one part alone must beat it by
    CHOICE_MARGIN.
    """
    fit_rows, calib_rows = (train.filter(pl.col("cutoff").is_in(at)) for at in (fit_at, calib_at))
    choose_on, choose_from = train.filter(_holdout(SEED + 1)), fit_rows.filter(~_holdout(SEED + 1))
    enc = _fit_encoding(choose_from, keys, curves=True)
    x, y = _encode(enc, choose_from), choose_from["churned"].to_numpy()
    parts = {part: _fit_part(part, enc, x, y) for part in ("logistic", "boosting")}
    check, outcome = _encode(enc, choose_on), choose_on["churned"].to_numpy().astype(int)
    raw = {part: _decide(estimator, check[:, read]) for part, (estimator, read) in parts.items()}
    raw["blend"] = raw["logistic"] + raw["boosting"]
    tried = {kind: _auc(outcome, raw[kind]) for kind in PARTS}
    challenger = max(("logistic", "boosting"), key=lambda k: tried[k] or 0.0)
    better = (tried[challenger] or 0.0) > (tried["blend"] or 0.0) + CHOICE_MARGIN
    kind = challenger if better else "blend"
    return kind, tried, _fit(kind, fit_rows, calib_rows, keys)


def _held_out(
    history: History,
    valid: pl.DataFrame,
    keys: list[str],
    model: _Model,
    x: np.ndarray,
    risk: np.ndarray,
    best_feature: str | None,
) -> pl.DataFrame:
    """Every held-out row with its risk and band (within its cut-off); reasons for the high band only."""
    blocks = []
    for cutoff in valid["cutoff"].unique().sort():
        at = np.flatnonzero((valid["cutoff"] == cutoff).to_numpy())
        bands = _bands(risk[at])
        rows = (
            valid[at]
            .select(
                "customer_id",
                "cutoff",
                "churned",
                pl.col(best_feature).cast(pl.Float64).alias("best_feature")
                if best_feature
                else pl.lit(None, dtype=pl.Float64).alias("best_feature"),
            )
            .with_columns(pl.Series("churn_risk", risk[at]), pl.Series("risk_band", bands))
        )
        high = at[bands == "high"]
        reasons, contributions = model.contributions(x[high])
        scored, _, _ = _scored(
            history, valid[high], reasons, risk[high], contributions, model.encoding.typical
        )
        blocks.append(
            rows.join(
                scored.select("customer_id", pl.selectors.starts_with("reason_")),
                on="customer_id",
                how="left",
            )
        )
    context = ["days_since_last_ticket"] if "days_since_last_ticket" in valid.columns else []
    return pl.concat(blocks, how="diagonal_relaxed").join(
        valid.select("customer_id", "cutoff", *context), on=["customer_id", "cutoff"], how="left"
    )


def _rule_result(
    history: History,
    now: pl.DataFrame,
    keys: list[str],
    window_days: int,
    reasons: tuple[str, ...],
    valid: pl.DataFrame | None,
    train: pl.DataFrame | None = None,
) -> ChurnResult:
    """The points rule: risk = points ÷ RULE_MAX; validated like a model where held-out labels exist."""
    rule_keys, points = _rule_points(now)
    metrics = table = None
    if valid is not None and valid["churned"].any():
        _, valid_points = _rule_points(valid)
        metrics, table = _metrics(
            valid, valid_points.sum(axis=1) / RULE_MAX, keys, train if train is not None else valid.head(0)
        )
    scored, drivers, importance = _scored(
        history, now, rule_keys, points.sum(axis=1) / RULE_MAX, points, dict.fromkeys(rule_keys, 0.0)
    )
    return ChurnResult(
        True,
        (*reasons, "rule"),
        window_days,
        "rule",
        history.end,
        metrics,
        table,
        {},
        scored,
        drivers,
        importance,
        tuple(keys),
    )


def _bands(risk: np.ndarray) -> np.ndarray:
    """high for the top HIGH_SHARE by risk, medium for the next, low for the rest (ties share a band)."""
    order = pl.Series(risk).rank("min", descending=True).to_numpy() / max(risk.size, 1)
    return np.where(order <= HIGH_SHARE, "high", np.where(order <= MEDIUM_SHARE, "medium", "low"))


def reason_groups(keys: list[str]) -> list[tuple[str, list[str]]]:
    """The reasons `keys` make, each with its features: a feature's `reason`, else its own key."""
    groups: dict[str, list[str]] = {}
    for key in keys:
        groups.setdefault((SPECS[key].reason if key in SPECS else None) or key, []).append(key)
    return list(groups.items())


def _timing_told_with_cause(reasons: list[str], contributions: np.ndarray) -> np.ndarray:
    """Contributions per reason, with the last ticket's timing told with the strongest cause.

    A recent ticket raises the risk because a decision to leave taken at it has not shown
    yet; what would make that decision is a cause (`FeatureSpec.cause`: a complaint, a
    reopen, a slow fix, low satisfaction, earlier complaints, a burst of tickets). When a
    cause pushes the risk up by at least MIN_CAUSE_LOGODDS, the timing's push goes to the
    strongest one ("the last ticket, 12 days ago, was a complaint"; "2 complaints so far")
    instead of being a reason of its own; without one, "a ticket 12 days ago" stays a reason.
    """
    summed = contributions.copy()
    causes = [i for i, r in enumerate(reasons) if r in SPECS and SPECS[r].cause]
    if TIMING_REASON in reasons and causes:
        timing = reasons.index(TIMING_REASON)
        strongest = np.array(causes)[np.argmax(summed[:, causes], axis=1)]
        rows = np.flatnonzero(
            (summed[np.arange(len(summed)), strongest] >= MIN_CAUSE_LOGODDS) & (summed[:, timing] > 0)
        )
        summed[rows, strongest[rows]] += summed[rows, timing]
        summed[rows, timing] = 0.0
    return summed


def _scored(
    history: History,
    now: pl.DataFrame,
    reasons: list[str],
    risk: np.ndarray,
    contributions: np.ndarray,
    typical: dict[str, float | str],
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The scored frame, the long table of drivers (top 3 reasons that push risk up) and overall importance.

    `contributions`: log-odds (rule: points) per customer and reason; `typical`: per feature key.
    """
    summed = _timing_told_with_cause(reasons, contributions)
    n, top = now.height, min(3, len(reasons))
    order = np.argsort(-summed, axis=1, kind="stable")[:, :top] if reasons else np.zeros((n, 0), dtype=int)
    rows = np.repeat(np.arange(n), top)
    picked = order.reshape(-1)
    contribution = summed[rows, picked] if reasons else np.zeros(0)
    numeric = {
        r: now[r].cast(pl.Float64).to_numpy()
        for r in reasons
        if r in now.columns and SPECS.get(r) and SPECS[r].kind != "category"
    }
    value = np.array(
        [
            numeric[reasons[j]][i] if reasons[j] in numeric else np.nan
            for i, j in zip(rows, picked, strict=True)
        ]
    )
    typical_value = np.array(
        [
            np.nan if isinstance(typical.get(reasons[j]), str) else typical.get(reasons[j], np.nan)
            for j in picked
        ],
        dtype=float,
    )
    drivers = pl.DataFrame(
        {
            "customer_id": now["customer_id"].to_numpy()[rows] if n else [],
            "rank": np.tile(np.arange(1, top + 1), n),
            "feature": np.array(reasons, dtype=object)[picked] if reasons else [],
            "value": value,
            "typical": typical_value,
            "contribution": contribution,
        },
        schema={
            "customer_id": pl.String,
            "rank": pl.Int64,
            "feature": pl.String,
            "value": pl.Float64,
            "typical": pl.Float64,
            "contribution": pl.Float64,
        },
    ).filter(pl.col("contribution") > 1e-6)
    drivers = drivers.with_columns(pl.col("value").fill_nan(None), pl.col("typical").fill_nan(None))
    wide = now.select("customer_id").with_columns(
        pl.Series("churn_risk", np.clip(risk, 0, 1), dtype=pl.Float64), pl.Series("risk_band", _bands(risk))
    )
    for k in range(1, 4):
        rank = drivers.filter(pl.col("rank") == k).select(
            "customer_id", pl.col("feature").alias(f"reason_{k}"), pl.col("value").alias(f"reason_{k}_value")
        )
        wide = wide.join(rank, on="customer_id", how="left")
    extra = [
        c for c in ("days_since_last_ticket", "segment", "region", "age_band", "gender") if c in now.columns
    ]
    wide = wide.join(now.select("customer_id", *extra), on="customer_id", how="left") if extra else wide
    value_col = next(
        (c for c in ("value", "revenue", "customer_value") if c in history.customers.columns), None
    )
    if value_col:
        values = history.customers.select("customer_id", pl.col(value_col).cast(pl.Float64).alias("value"))
        wide = wide.join(values, on="customer_id", how="left")
    importance = pl.DataFrame(
        {
            "feature": reasons,
            "importance": np.abs(contributions).mean(axis=0) if n else np.zeros(len(reasons)),
        },
        schema={"feature": pl.String, "importance": pl.Float64},
    ).sort("importance", descending=True)
    return wide.sort("churn_risk", descending=True, maintain_order=True), drivers, importance
