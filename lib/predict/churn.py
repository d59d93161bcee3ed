"""Churn risk per customer: trained, checked and calibrated on past cut-offs, scored with reasons (or the points rule)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from lib.engine import kpis, shared
from lib.predict import churn_features, churn_model

VALID_CUTOFFS = 3  # the last labelled monthly cut-offs are held out for validation
CALIB_CUTOFFS = 3  # the last training cut-offs calibrate the model (Platt scaling)
MIN_CHURNERS = 30  # fewer churners in training: the points rule instead of a model
MAX_TRAIN_ROWS = 120_000  # stacked rows beyond this are sampled uniformly (keeps 100k customers quick)
HIGH_SHARE, MEDIUM_SHARE = 0.10, 0.30  # risk bands: the top 10 % are high, the next 20 % medium
MIN_CAUSE_LOGODDS = (
    0.25  # a cause this strong takes the last ticket's timing along (see _timing_told_with_cause)
)
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
    risk up; `churn_features.REASON_KEYS`, or RULE_POINTS keys for the rule) and reason_k_value (the customer's
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
    metrics: churn_model.Metrics | None = None
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


def _stack(
    history: churn_features.History,
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
        block = churn_features.features(history, cutoff, settings).join(
            churn_features.labels(history, cutoff, window_days), on="customer_id"
        )
        block = block.with_columns(churn_model.holdout().alias("_holdout"), pl.lit(True).alias("_sampled"))
        if cap is not None and block.height > cap:
            sampled = block.sample(cap, seed=churn_model.SEED + i)
            if cutoff in measure:
                rest = block.join(sampled.select("customer_id"), on="customer_id", how="anti")
                sampled = pl.concat(
                    [sampled, rest.filter("_holdout").with_columns(pl.lit(False).alias("_sampled"))]
                )
            block = sampled
        blocks.append(block.with_columns(pl.lit(cutoff).alias("cutoff")))
    return pl.concat(blocks, how="diagonal_relaxed") if blocks else pl.DataFrame()


def score(
    con: duckdb.DuckDBPyConnection,
    settings: kpis.Settings | None = None,
    window_days: int = churn_features.WINDOW_DAYS,
) -> ChurnResult:
    """Train, validate and calibrate on past monthly cut-offs; score every customer active at the data end.

    Cut-offs are month starts (`churn_features.cutoffs`). The last VALID_CUTOFFS are held out, and only
    customers of the held-out quarter (by id hash, never trained on) are scored there: all
    of them, even when training rows are sampled. Training uses the cut-offs whose label
    window ends before the first held-out one: the last CALIB_CUTOFFS of them calibrate,
    the rest fit. The model (logistic regression with curves, gradient boosting, or the
    two blended) is chosen without looking at the held-out rows (`churn_model.choose_and_fit`,
    `candidates`), fitted and calibrated, measured on the held-out rows, then refitted the
    same way on all labelled cut-offs and all customers before scoring.
    """
    return _score(churn_features.read_history(con), settings or kpis.Settings(), window_days)


# Trained models shared by the sessions of a server process, per data version and settings (a few kept).
_SHARED = shared.Shared("churn", size=4)
# The code that makes a model, named once per process: a model saved by other code is not reused.
_CODE = shared.code_version(__file__, churn_features.__file__, churn_model.__file__)


def shared_score(
    con: duckdb.DuckDBPyConnection,
    settings: kpis.Settings | None = None,
    window_days: int = churn_features.WINDOW_DAYS,
    folder: Path | None = None,
) -> ChurnResult:
    """`score`, trained once per data version and shared by every session with the same data.

    The key is the content of the rows the model reads (`churn_features.read_history`), the only
    setting it uses (the resolution SLA hours) and the window; other sessions with the same data
    get the same result object, and any change to that data trains anew. With `folder` (the team
    workspace's), the result is also kept on disk beside the data, so a new server process does
    not train again.
    """
    settings = settings or kpis.Settings()
    history = churn_features.read_history(con)
    if history is None:
        return _score(history, settings, window_days)
    general, by_priority = settings.sla_hours("resolution")
    key = (
        "churn",
        shared.fingerprint(history.tickets, history.surveys, history.customers, history.end),
        general,
        tuple(sorted(by_priority.items())),
        window_days,
        _CODE,
        _versions(),
    )
    return _SHARED.get(key, lambda: _score(history, settings, window_days), folder)


def _versions() -> tuple[str, str]:
    """scikit-learn's and Polars' versions: a model pickled by others is not read back."""
    from importlib.metadata import version

    return version("scikit-learn"), pl.__version__


def _score(history: churn_features.History | None, settings: kpis.Settings, window_days: int) -> ChurnResult:
    if history is None:
        return ChurnResult(False, ("no_customers",), window_days)
    if "churned_at" not in history.customers.columns:
        return ChurnResult(False, ("no_churn_dates",), window_days)
    now = churn_features.features(history, history.end, settings)
    if not now.height:
        return ChurnResult(False, ("no_active",), window_days, cutoff=history.end)
    keys = [k for k in history.available if k in now.columns]
    labelled = churn_features.cutoffs(history, window_days)
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
    kind, tried, model = churn_model.choose_and_fit(train, fit_at, calib_at, keys)
    # Without a held-out churner there is nothing to measure (metrics None; the page says so).
    metrics = table = held_out = None
    if valid["churned"].any():
        x = churn_model.encode(model.encoding, valid)
        risk = model.probability(x)
        metrics, table = churn_model.metrics(valid, risk, keys, train)
        held_out = _held_out(history, valid, keys, model, x, risk, metrics.best_feature)
    # The same recipe moved forward: every labelled cut-off, every customer.
    final_calib = labelled[len(labelled) - min(CALIB_CUTOFFS, len(labelled) // 2) :]
    everything = stacked.filter(~pl.col("cutoff").is_in(final_calib))
    model = churn_model.fit(kind, everything, stacked.filter(pl.col("cutoff").is_in(final_calib)), keys)
    x = churn_model.encode(model.encoding, now)
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


def _held_out(
    history: churn_features.History,
    valid: pl.DataFrame,
    keys: list[str],
    model: churn_model.Model,
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
    history: churn_features.History,
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
        metrics, table = churn_model.metrics(
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


def _timing_told_with_cause(reasons: list[str], contributions: np.ndarray) -> np.ndarray:
    """Contributions per reason, with the last ticket's timing told with the strongest cause.

    A recent ticket raises the risk because a decision to leave taken at it has not shown
    yet; what would make that decision is a cause (`churn_features.FeatureSpec.cause`: a complaint, a
    reopen, a slow fix, low satisfaction, earlier complaints, a burst of tickets). When a
    cause pushes the risk up by at least MIN_CAUSE_LOGODDS, the timing's push goes to the
    strongest one ("the last ticket, 12 days ago, was a complaint"; "2 complaints so far")
    instead of being a reason of its own; without one, "a ticket 12 days ago" stays a reason.
    """
    summed = contributions.copy()
    causes = [i for i, r in enumerate(reasons) if r in churn_features.SPECS and churn_features.SPECS[r].cause]
    if churn_features.TIMING_REASON in reasons and causes:
        timing = reasons.index(churn_features.TIMING_REASON)
        strongest = np.array(causes)[np.argmax(summed[:, causes], axis=1)]
        rows = np.flatnonzero(
            (summed[np.arange(len(summed)), strongest] >= MIN_CAUSE_LOGODDS) & (summed[:, timing] > 0)
        )
        summed[rows, strongest[rows]] += summed[rows, timing]
        summed[rows, timing] = 0.0
    return summed


def _scored(
    history: churn_features.History,
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
        if r in now.columns and churn_features.SPECS.get(r) and churn_features.SPECS[r].kind != "category"
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
