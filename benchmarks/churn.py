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

from lib import churn, ingest, store  # noqa: E402

RESULTS = HERE / "results" / "churn.md"
SEED = 20240101


def sample_quality() -> tuple[list[str], dict]:
    """The issue's check on the bundled sample, whose generator knows why customers churn."""
    con = store.connect()
    ingest.load_sample(con)
    started = time.perf_counter()
    rate = churn.monthly_rate(con)
    rate_seconds = time.perf_counter() - started
    started = time.perf_counter()
    outlook = churn.rate_forecast(rate, horizon_months=6)
    forecast_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result = churn.score(con)
    score_seconds = time.perf_counter() - started
    m, acc = result.metrics, outlook.accuracy
    high = result.scored.filter(pl.col("risk_band") == "high")
    match = high["reason_1"].is_in(list(churn.CAUSE_KEYS)).mean()
    any_match = high.select(
        pl.any_horizontal(pl.col(f"reason_{k}").is_in(list(churn.CAUSE_KEYS)) for k in (1, 2, 3)).mean()
    ).item()
    top_reasons = high.group_by("reason_1").len().sort("len", descending=True).head(6)
    lines = [
        "## Sample data (sample_data/generate.py: the generator's churn causes are known)",
        "",
        f"Customers active at the data end: {result.scored.height:,}; model chosen: **{result.kind}** "
        f"(validation AUC: " + ", ".join(f"{k} {v:.3f}" for k, v in result.candidates.items()) + ").",
        f"Held out: cut-offs {', '.join(str(d) for d in m.cutoffs)} (90-day windows ending by the data end), "
        f"only customers never trained on (1 in {churn.HOLDOUT_SHARE} by id hash): {m.rows:,} rows, "
        f"{m.customers:,} customers, {m.churners} churners. Training: {m.train_rows:,} rows, "
        f"{m.train_churners:,} churners, cut-offs whose window ends before the first held-out one.",
        "",
        "| measure (held out) | value |",
        "|---|---|",
        f"| ROC AUC | {m.auc:.3f} |",
        f"| best single feature ({m.best_feature}) AUC | {m.best_feature_auc:.3f} |",
        f"| precision among the top 10 % | {m.precision_top10:.3f} (base rate {m.base_rate:.3f}, "
        f"lift {m.precision_top10 / m.base_rate:.1f}×) |",
        f"| Brier score | {m.brier:.4f} |",
        f"| expected calibration error (10 equal-count bins) | {m.ece:.4f} |",
        f"| high-band customers whose reason_1 is a generator cause | {match:.0%} |",
        f"| high-band customers with a generator cause among reasons 1–3 | {any_match:.0%} |",
        "",
        "Generator causes = complaint, reopen, slow resolution / SLA miss, low or falling CSAT/NPS, recent "
        "tickets (`churn.CAUSE_KEYS`); not causes: tenure, segment, region, age, gender.",
        "Most common reason_1 in the high band: "
        + ", ".join(f"{r['reason_1']} ({r['len']})" for r in top_reasons.iter_rows(named=True)) + ".",
        "",
        "Calibration on the held-out rows (equal-count bins):",
        "",
        "| bin | mean predicted | observed | count |",
        "|---|---|---|---|",
        *[f"| {r['bin']} | {r['mean_predicted']:.4f} | {r['observed']:.4f} | {r['count']} |"
          for r in result.calibration.iter_rows(named=True)],
        "",
        f"Monthly churn rate: {rate.height} months, {rate['churn_rate'].min():.4f}–{rate['churn_rate'].max():.4f}.",
        f"Rate forecast (6 months, −log(rate) scale, back-test on the rate scale): model **{outlook.model}**, "
        f"{acc.cutoffs} cut-offs, MAE {acc.mae:.5f} vs last-month naive {acc.naive_mae:.5f} "
        f"(MASE {acc.mase:.2f}), 80 % interval coverage {acc.coverage:.0%}.",
        "",
        f"Times: monthly rate {rate_seconds:.2f} s, rate forecast {forecast_seconds:.2f} s, "
        f"score (2 fits + refit + scoring) {score_seconds:.1f} s.",
    ]  # fmt: skip
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
    people = pl.DataFrame({
        "customer_id": ids,
        "region": rng.choice(["East", "North", "South", "Central"], customers),
        "segment": rng.choice(["personal", "business", "VIP"], customers, p=[0.8, 0.08, 0.12]),
        "age": rng.integers(18, 80, customers),
        "gender": rng.choice(["M", "F"], customers),
        "signup_at": [start - timedelta(days=int(d)) for d in rng.integers(0, 2000, customers)],
        "churned": churned,
        "churned_at": [d if c else None for d, c in zip(churn_day, churned, strict=True)],
    })  # fmt: skip
    con = store.connect()
    store.load(con, "tickets", frame)
    store.load(con, "customers", people)
    return con


def scale(customers: int, tickets: int) -> list[str]:
    started = time.perf_counter()
    con = scaled_store(customers, tickets)
    build = time.perf_counter() - started
    started = time.perf_counter()
    result = churn.score(con)
    seconds = time.perf_counter() - started
    return [
        f"## Speed: {customers:,} customers, {tickets:,} tickets (synthetic, no surveys)",
        "",
        f"`churn.score` (read, features at every monthly cut-off, two candidate fits, refit, scoring "
        f"{result.scored.height:,} active customers with reasons): **{seconds:.1f} s** (model {result.kind}); "
        f"building the store took {build:.1f} s (not counted). Limit: 30 s on 2 cores.",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--skip-scale", action="store_true")
    args = parser.parse_args()
    quality, _ = sample_quality()
    lines = ["# Churn: quality and speed", "",
             f"Run {datetime.now():%Y-%m-%d} on {platform.machine()}, {os.cpu_count()} cores, "
             f"Python {platform.python_version()}. `python benchmarks/churn.py`.", "", *quality, ""]  # fmt: skip
    if not args.skip_scale:
        lines += scale(args.customers, args.tickets)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
