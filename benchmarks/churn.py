"""Churn quality on the sample data (held-out customers and months) and scoring speed at 100k customers / 1M tickets."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # `lib` when run as `python benchmarks/churn.py`
sys.path.insert(0, str(HERE))

from lib.engine import kpis, store  # noqa: E402
from lib.ingest import pipeline  # noqa: E402
from lib.predict import churn, churn_features, churn_model, churn_rate  # noqa: E402

RESULTS = HERE / "results" / "churn.md"
SEED = 20240101
# Which of the generator's causes of a decision to leave (sample_data/generate.py, assign_customers) each
# reason (churn_features.REASON_KEYS) names. Not causes: timing, overall volume, tenure and customer attributes.
CAUSES_NAMED: dict[str, set[str]] = {
    "last_ticket_complaint": {"complaint"},
    "complaints_90d": {"complaint", "earlier_complaints"},
    "complaints_total": {"complaint", "earlier_complaints"},
    "last_ticket_reopens": {"reopen"},
    "reopens": {"reopen"},
    **dict.fromkeys(
        ("last_resolution_hours", "worst_resolution_hours", "mean_resolution_hours", "sla_misses"), {"slow"}
    ),
    **dict.fromkeys(
        ("last_ticket_csat", "last_csat", "csat_change", "last_nps", "nps_change", "negative_comment_share"),
        {"low_satisfaction"},
    ),
    **dict.fromkeys(("tickets_90d", "repeat_contacts"), {"burst"}),
}
CAUSES = ("complaint", "reopen", "slow", "low_satisfaction", "earlier_complaints", "burst")


def generator_truth() -> pl.DataFrame:
    """Every sample ticket as the generator made it: customer, creation, whether the customer decided to leave
    at it, and which causes pushed that decision (each adds at least 0.35 to its log-odds).

    Re-runs sample_data/generate.py's steps in memory (the same seed, so the same tickets as the CSV files).
    """
    sys.path.insert(0, str(ROOT / "sample_data"))
    import generate as g

    rng = np.random.default_rng(g.SEED)
    people = g.make_customers(rng)
    t = g.make_tickets(rng)
    who, churned, _ = g.assign_customers(rng, t, people)
    t["customer"] = who
    plan = g.plan_dirt(rng, t)
    g.make_surveys(rng, t, np.isin(np.arange(len(t["open"])), [i for i in plan if plan[i] == "blank_id"]))
    signup = g.make_signups(rng, t)
    number = np.empty(g.N_CUSTOMERS, dtype=int)  # customer ids follow sign-up order, as in generate()
    number[np.lexsort((np.arange(g.N_CUSTOMERS), signup))] = np.arange(1, g.N_CUSTOMERS + 1)
    # As assign_customers walks them (tickets are in time order): complaints before, tickets in the 90 days before.
    minutes, complaint = t["created"].astype(int), t["complaint"]
    earlier, burst, seen, last = np.zeros(len(who), bool), np.zeros(len(who), bool), {}, {}
    for i, c in enumerate(who.tolist()):
        past = seen.setdefault(c, [])
        earlier[i] = any(complaint[k] for k in past)
        burst[i] = any(minutes[i] - minutes[k] < 90 * 1440 for k in past)
        past.append(i)
        last[c] = i
    decided = np.zeros(len(who), bool)
    decided[[i for c, i in last.items() if churned[c]]] = True
    return pl.DataFrame(
        {
            "customer_id": [f"C{number[c]:06d}" for c in who.tolist()],
            "created_at": t["created"].astype("datetime64[us]"),
            "decided": decided,
            "complaint": complaint,
            "reopen": t["reopen"] > 0,
            "slow": t["total_h"] > 72,
            "low_satisfaction": 0.8 * np.clip(3.8 - t["sat"], -1.5, 3) >= 0.35,
            "earlier_complaints": earlier,
            "burst": burst,
        }
    )


def reason_match(held_out: pl.DataFrame, truth: pl.DataFrame) -> dict:
    """How the high band's reasons compare with the generator's causes, at the held-out cut-offs.

    `decided`: high-band rows whose customer left in the window after deciding at a ticket before the
    cut-off (the only decisions the reasons could see); `first` / `any`: the share of them whose
    reason 1 / one of reasons 1–3 names a cause of that decision; `timing_first`: the share of all
    high-band rows whose reason 1 is only the days since the last ticket; `cause_first`: whose reason 1
    names any generator cause (`CAUSES_NAMED`).
    """
    high = held_out.filter(pl.col("risk_band") == "high")
    decisions = truth.filter("decided").select(
        "customer_id", pl.col("created_at").alias("decided_at"), *[pl.col(c) for c in CAUSES]
    )
    seen = (
        high.filter("churned")
        .join(decisions, on="customer_id")
        .filter(pl.col("decided_at") < pl.col("cutoff"))
    )

    def names_cause(k: int) -> pl.Expr:
        reason = pl.col(f"reason_{k}")
        return pl.any_horizontal(
            reason.is_in([r for r, causes in CAUSES_NAMED.items() if cause in causes]) & pl.col(cause)
            for cause in CAUSES
        ).fill_null(False)

    return {
        "high": high.height,
        "decided": seen.height,
        "first": seen.select(names_cause(1).mean()).item() if seen.height else None,
        "any": seen.select(pl.any_horizontal(names_cause(k) for k in (1, 2, 3)).mean()).item()
        if seen.height
        else None,
        "timing_first": high.select((pl.col("reason_1") == churn_features.TIMING_REASON).mean()).item(),
        "cause_first": high.select(pl.col("reason_1").is_in(list(CAUSES_NAMED)).mean()).item(),
        "reason_1": high.group_by("reason_1").len().sort("len", descending=True),
    }


def earlier_origins(con, shifts: tuple[int, ...] = (6, 3)) -> list[dict]:
    """`churn.score`'s protocol moved back `shift` months: the same held-out customers at earlier cut-offs,
    the model chosen, fitted and calibrated only on cut-offs whose windows end before those."""
    history = churn_features.read_history(con)
    settings = kpis.Settings()
    now = churn_features.features(history, history.end, settings)
    keys = [k for k in history.available if k in now.columns]
    labelled = churn_features.cutoffs(history)
    cap = churn.MAX_TRAIN_ROWS // len(labelled)
    stacked = churn._stack(
        history, labelled, settings, churn_features.WINDOW_DAYS, cap if now.height > cap else None, labelled
    )
    out = []
    for shift in shifts:
        valid_at = labelled[len(labelled) - churn.VALID_CUTOFFS - shift : len(labelled) - shift]
        train_at = [c for c in labelled if c + timedelta(days=churn_features.WINDOW_DAYS) <= valid_at[0]]
        train = stacked.filter(pl.col("cutoff").is_in(train_at) & ~pl.col("_holdout") & pl.col("_sampled"))
        valid = stacked.filter(pl.col("cutoff").is_in(valid_at) & pl.col("_holdout"))
        calibrate = min(churn.CALIB_CUTOFFS, len(train_at) // 2)
        kind, _, model = churn_model.choose_and_fit(train, train_at[:-calibrate], train_at[-calibrate:], keys)
        risk = model.probability(churn_model.encode(model.encoding, valid))
        metrics, _ = churn_model.metrics(valid, risk, keys, train)
        rows = valid.select(
            "customer_id", "churned", pl.col(metrics.best_feature).cast(pl.Float64).alias("best_feature")
        )
        out.append(
            {"metrics": metrics, "kind": kind, "rows": rows.with_columns(pl.Series("churn_risk", risk))}
        )
    return out


def against_best_feature(frames: list[pl.DataFrame], draws: int = 400) -> dict:
    """The model against each origin's best single feature (chosen on its own held-out rows, either direction):
    AUC gains, their mean with a 95 % interval (customers resampled, all their rows together), and the
    feature's own precision among its top 10 % (per origin)."""
    from sklearn.metrics import roc_auc_score

    parts = []
    for frame in frames:
        y = frame["churned"].to_numpy().astype(int)
        feature = frame["best_feature"].fill_null(-1e9).to_numpy()
        feature = feature if roc_auc_score(y, feature) >= 0.5 else -feature  # churners first
        top = np.argsort(-feature, kind="stable")[: int(np.ceil(0.1 * y.size))]
        parts.append(
            (frame["customer_id"].to_numpy(), y, frame["churn_risk"].to_numpy(), feature, y[top].mean())
        )
    ids = np.unique(np.concatenate([p[0] for p in parts]))
    where = [np.searchsorted(ids, p[0]) for p in parts]  # each row's customer number

    def gain(weights: list[np.ndarray] | None) -> list[float]:
        found = []
        for k, (_, y, risk, feature, _) in enumerate(parts):
            w = None if weights is None else weights[k]
            found.append(roc_auc_score(y, risk, sample_weight=w) - roc_auc_score(y, feature, sample_weight=w))
        return found

    rng = np.random.default_rng(SEED)
    means = []
    for _ in range(draws):
        times = np.bincount(rng.integers(0, ids.size, ids.size), minlength=ids.size)  # customers drawn
        means.append(np.mean(gain([times[w].astype(float) for w in where])))
    low, high = np.quantile(means, [0.025, 0.975])
    gains = gain(None)
    return {
        "gains": gains,
        "mean": float(np.mean(gains)),
        "low": low,
        "high": high,
        "feature_top10": [p[4] for p in parts],
    }


def sample_quality() -> tuple[list[str], dict]:
    """The issue's check on the bundled sample, whose generator knows why customers churn."""
    con = store.connect()
    pipeline.load_sample(con)
    started = time.perf_counter()
    rate = churn_rate.monthly_rate(con)
    rate_seconds = time.perf_counter() - started
    started = time.perf_counter()
    outlook = churn_rate.rate_forecast(rate, horizon_months=6)
    forecast_seconds = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    result = churn.score(con)
    score_seconds, score_cpu = time.perf_counter() - started, time.process_time() - cpu
    m, acc = result.metrics, outlook.accuracy
    earlier = earlier_origins(con)
    versus = against_best_feature([result.held_out] + [e["rows"] for e in earlier])
    match = reason_match(result.held_out, generator_truth())
    high = result.scored.filter(pl.col("risk_band") == "high")
    now_timing = high.select((pl.col("reason_1") == churn_features.TIMING_REASON).mean()).item()
    now_cause = high["reason_1"].is_in(list(churn_features.CAUSE_KEYS)).mean()

    def listed(counts: pl.DataFrame) -> str:  # reason_1, len
        return ", ".join(f"{r} ({n})" for r, n in counts.head(7).iter_rows())

    lines = [
        "## Sample data (sample_data/generate.py: the generator's churn causes are known)",
        "",
        f"Customers active at the data end: {result.scored.height:,}; model chosen: **{result.kind}** "
        "(AUC where the choice is made — a quarter of the training customers left out of the fit, at the "
        "training cut-offs: "
        + ", ".join(f"{k} {v:.3f}" for k, v in result.candidates.items())
        + "; one part "
        f"alone needs {churn_model.CHOICE_MARGIN} more than the blend).",
        f"Held out: cut-offs {', '.join(str(d) for d in m.cutoffs)} (90-day windows ending by the data end), "
        f"only customers never trained on (1 in {churn_model.HOLDOUT_SHARE} by id hash), all of them: {m.rows:,} rows, "
        f"{m.customers:,} customers, {m.churners} churners. Training: {m.train_rows:,} rows, "
        f"{m.train_churners:,} churners, cut-offs whose window ends before the first held-out one.",
        "",
        "| measure (held out) | value |",
        "|---|---|",
        f"| ROC AUC | {m.auc:.3f} |",
        f"| best single feature ({m.best_feature}) AUC | {m.best_feature_auc:.3f} |",
        f"| AUC gain over it | {versus['gains'][0]:+.3f} |",
        f"| precision among the top 10 % | {m.precision_top10:.3f} (base rate {m.base_rate:.3f}, "
        f"lift {m.precision_top10 / m.base_rate:.1f}×; the best feature's top 10 %: "
        f"{versus['feature_top10'][0]:.3f}) |",
        f"| Brier score | {m.brier:.4f} |",
        f"| expected calibration error (10 equal-count bins) | {m.ece:.4f} |",
        "",
        "The same protocol moved back (`earlier_origins`: the same held-out customers at earlier cut-offs, the "
        "model chosen and fitted only on cut-offs whose windows end before them), against each origin's best "
        "single feature:",
        "",
        "| held-out cut-offs | churners | model | AUC | best single feature | its AUC | gain | top 10 %: model, feature |",
        "|---|---|---|---|---|---|---|---|",
        *[
            f"| {', '.join(str(d) for d in e['metrics'].cutoffs)} | {e['metrics'].churners} | {e['kind']} | "
            f"{e['metrics'].auc:.3f} | {e['metrics'].best_feature} | {e['metrics'].best_feature_auc:.3f} | "
            f"{gain:+.3f} | {e['metrics'].precision_top10:.3f}, {top:.3f} |"
            for e, gain, top in zip(
                [{"metrics": m, "kind": result.kind}] + earlier,
                versus["gains"],
                versus["feature_top10"],
                strict=True,
            )
        ],
        "",
        f"Mean AUC gain over the three: **{versus['mean']:+.3f}**, 95 % interval {versus['low']:+.3f} to "
        f"{versus['high']:+.3f} (customers resampled, all their rows together).",
        "",
        "Reasons against the generator's truth (`generator_truth`: the tickets at which customers decided to "
        "leave, and which causes — complaint, reopen, fix over 72 h, low satisfaction, earlier complaints, "
        "tickets in the 90 days before — pushed each decision by ≥ 0.35 log-odds). High band = the riskiest "
        "10 % of the held-out rows at each held-out cut-off.",
        "",
        "| reasons (held out, high band) | value |",
        "|---|---|",
        f"| rows in the high band | {match['high']:,} |",
        f"| … of which the customer left after deciding at a ticket before the cut-off | {match['decided']} |",
        f"| … reason 1 names a cause of that decision | {match['first']:.0%} |",
        f"| … one of reasons 1–3 names a cause of that decision | {match['any']:.0%} |",
        f"| reason 1 is only “a recent ticket” (all high-band rows) | {match['timing_first']:.0%} |",
        f"| reason 1 names a cause (`churn_features.CAUSE_KEYS`; all high-band rows) | {match['cause_first']:.0%} |",
        "",
        f"Most common reason 1, held-out high band: {listed(match['reason_1'])}.",
        f"At the data end ({high.height:,} high-band customers): reason 1 is “a recent ticket” for "
        f"{now_timing:.0%}, a cause for {now_cause:.0%}; most common: "
        f"{listed(high.group_by('reason_1').len().sort('len', descending=True))}.",
        "",
        "Calibration on the held-out rows (equal-count bins):",
        "",
        "| bin | mean predicted | observed | count |",
        "|---|---|---|---|",
        *[
            f"| {r['bin']} | {r['mean_predicted']:.4f} | {r['observed']:.4f} | {r['count']} |"
            for r in result.calibration.iter_rows(named=True)
        ],
        "",
        f"Monthly churn rate: {rate.height} months, {rate['churn_rate'].min():.4f}–{rate['churn_rate'].max():.4f}.",
        f"Rate forecast (6 months, −log(rate) scale, back-test on the rate scale): model **{outlook.model}**, "
        f"{acc.cutoffs} cut-offs, MAE {acc.mae:.5f} vs last-month naive {acc.naive_mae:.5f} "
        f"(MASE {acc.mase:.2f}), 80 % interval coverage {acc.coverage:.0%}.",
        "",
        f"Times: monthly rate {rate_seconds:.2f} s, rate forecast {forecast_seconds:.2f} s, "
        f"score (the choice's fits, fit + calibration, refit, scoring) {score_seconds:.1f} s "
        f"(CPU time {score_cpu:.1f} s).",
    ]
    return lines, {"auc": m.auc, "score_seconds": score_seconds}


def scaled_store(customers: int, tickets: int):
    """`tickets` synthetic tickets (benchmarks/ingest_kpis.generate) over `customers` customers with churn dates."""
    from ingest_kpis import HEADERS, generate

    rng = np.random.default_rng(SEED)
    frame = generate(tickets, SEED, "en").rename({v: k for k, v in HEADERS["en"].items()})
    number = frame["customer_id"].str.slice(1).cast(pl.Int64) % customers
    frame = frame.with_columns(
        ("C" + number.cast(pl.String).str.zfill(7)).alias("customer_id"),
        (pl.col("is_complaint") == "yes").alias("is_complaint"),
    )
    ids = [f"C{i:07d}" for i in range(customers)]
    churned = rng.random(customers) < 0.15
    start = datetime(2024, 1, 1)
    churn_day = [start + timedelta(days=int(d)) for d in rng.integers(60, 731, customers)]
    people = pl.DataFrame(
        {
            "customer_id": ids,
            "region": rng.choice(["East", "North", "South", "Central"], customers),
            "segment": rng.choice(["personal", "business", "VIP"], customers, p=[0.8, 0.08, 0.12]),
            "age": rng.integers(18, 80, customers),
            "gender": rng.choice(["M", "F"], customers),
            "signup_at": [start - timedelta(days=int(d)) for d in rng.integers(0, 2000, customers)],
            "churned": churned,
            "churned_at": [d if c else None for d, c in zip(churn_day, churned, strict=True)],
        }
    )
    con = store.connect()
    store.load(con, "tickets", frame)
    store.load(con, "customers", people)
    return con


def scale(customers: int, tickets: int) -> list[str]:
    """`churn.score` timed on a synthetic store, with the blend (the slowest kind: both parts fitted, and
    every boosting reason a prediction) forced; the synthetic churn is random, so any kind could win there."""
    started = time.perf_counter()
    con = scaled_store(customers, tickets)
    build = time.perf_counter() - started
    margin, churn_model.CHOICE_MARGIN = (
        churn_model.CHOICE_MARGIN,
        1.0,
    )  # no single part can beat the blend by 1.0 AUC
    try:
        started, cpu = time.perf_counter(), time.process_time()
        result = churn.score(con)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        churn_model.CHOICE_MARGIN = margin
    return [
        f"## Speed: {customers:,} customers, {tickets:,} tickets (synthetic, no surveys)",
        "",
        f"`churn.score` (read, features at every monthly cut-off, the choice's two fits, fit + calibration, "
        f"refit, scoring {result.scored.height:,} active customers with reasons): **{seconds:.1f} s** "
        f"(CPU time {cpu:.1f} s; model {result.kind}, forced: the slowest); building the store took "
        f"{build:.1f} s (not counted). Limit: 30 s on 2 cores. On a shared machine the wall time includes "
        "waiting for the cores: the CPU time is what the work itself took (fits and predictions run on one "
        "thread, Polars on both cores).",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--skip-scale", action="store_true")
    args = parser.parse_args()
    quality, _ = sample_quality()
    lines = [
        "# Churn: quality and speed",
        "",
        f"Run {datetime.now():%Y-%m-%d} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}. `python benchmarks/churn.py`. Load average at the start "
        f"(other work on the same cores slows every time below): {os.getloadavg()[0]:.1f}.",
        "",
        *quality,
        "",
    ]
    if not args.skip_scale:
        lines += scale(args.customers, args.tickets)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
