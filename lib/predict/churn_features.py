"""Churn features: what each feature means, the history they are read from, features and labels at a cut-off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb
import polars as pl

from lib.engine import kpis, store

WINDOW_DAYS = 90  # a customer "churns" if they leave within this many days after the cut-off
RECENT_DAYS = 90  # "recent" ticket and complaint counts look this far back
MIN_HISTORY_DAYS = 90  # the first cut-off leaves this much ticket history before it
RECENT_TAU_DAYS = (
    30  # a churn decided at a ticket shows within weeks of its fix: "recent" weights e^(−days/30)
)
DAYS_CAP = 365  # "days since last ticket" for a customer without one (and the cap for those with)
AGE_BANDS = (30, 40, 50, 60)  # <30, 30–39, 40–49, 50–59, 60+


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
TIMING_REASON = "days_since_last_ticket"
CAUSE_KEYS = frozenset(f.key for f in FEATURES if f.cause)


def reason_groups(keys: list[str]) -> list[tuple[str, list[str]]]:
    """The reasons `keys` make, each with its features: a feature's `reason`, else its own key."""
    groups: dict[str, list[str]] = {}
    for key in keys:
        groups.setdefault((SPECS[key].reason if key in SPECS else None) or key, []).append(key)
    return list(groups.items())


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


# --- cut-offs ---------------------------------------------------------------------------------


def next_month(day: date) -> date:
    """The first day of the month after `day`'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


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
    day = next_month((starts[0] + timedelta(days=MIN_HISTORY_DAYS - 1)).date())
    out = []
    while datetime.combine(day, datetime.min.time()) + timedelta(days=window_days) <= history.end:
        out.append(datetime.combine(day, datetime.min.time()))
        day = next_month(day)
    return out
