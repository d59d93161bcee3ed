"""Speed benchmark: how long an analysis page takes to re-render after a filter change, at 1M tickets.

Each page runs as Streamlit runs it (AppTest: the whole script, KPI cards, aggregations,
Altair specs and the Arrow data sent to the browser), in a session whose DuckDB holds
N synthetic tickets and their survey answers. A filter change is timed cold: each
repetition picks another channel, so nothing comes from the page's memo.

    python benchmarks/pages.py              # 1,000,000 tickets
    python benchmarks/pages.py --rows 100000
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

RESULTS = HERE / "results" / "pages.md"
PAGES = ("overview", "efficiency", "satisfaction", "team", "cost")
SEED = 20240101
SURVEY_SHARE = 0.3


def build_store(rows: int):
    """A session store with `rows` synthetic tickets (benchmarks/ingest_kpis.generate) and answers to 30 %."""
    import numpy as np
    import polars as pl
    from ingest_kpis import HEADERS, VALUES, generate

    from lib import store

    tickets = generate(rows, SEED, "en").rename({v: k for k, v in HEADERS["en"].items()})
    tickets = tickets.with_columns(pl.col("is_complaint") == VALUES["en"]["yes_no"][0])
    rng = np.random.default_rng(SEED)
    answered = tickets.filter(pl.Series(rng.random(rows) < SURVEY_SHARE))
    n = answered.height
    surveys = answered.select(
        (pl.col("created_at") + pl.duration(hours=pl.Series(rng.integers(2, 96, n)))).alias("submitted_at"),
        "ticket_id",
        "customer_id",
        pl.Series("csat", rng.choice([1, 2, 3, 4, 5], n, p=[0.05, 0.05, 0.15, 0.35, 0.4]).astype(float)),
        pl.Series("nps", rng.integers(0, 11, n).astype(float)),
        pl.Series("comment", np.array(["太慢了", "很满意", "Great service", "还行", None])[rng.integers(0, 5, n)]),
    )
    con = store.connect()
    store.load(con, "tickets", tickets)
    store.load(con, "surveys", surveys)
    return con


def session(con):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.session_state["_aftersight_con"] = con
    at.session_state["_aftersight_source"] = "upload"
    at.session_state["_aftersight_version"] = 1
    at.query_params["lang"] = "zh"
    return at.run()


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def measure(con, page: str, scope: tuple[date, date], channels: list[str], repeat: int) -> dict:
    at = session(con)
    if page != "overview":
        at.switch_page(f"pages/{page}.py").run()
    at.date_input(key="range").set_value(scope)
    first = timed(at.run)
    assert not at.exception, at.exception
    changes = []
    for channel in channels[:repeat]:
        at.multiselect(key="filter_channel").set_value([channel])
        changes.append(timed(at.run))
        assert not at.exception, at.exception
    return {"first": first, "change": statistics.median(changes), "worst": max(changes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from lib import store

    started = time.perf_counter()
    con = build_store(args.rows)
    load_seconds = time.perf_counter() - started
    channels = store.dimension_values(con)["channel"]
    scopes = {"one month (Dec 2025)": (date(2025, 12, 1), date(2025, 12, 31)), "two years": store.date_bounds(con)}
    rows = []
    for label, scope in scopes.items():
        for page in PAGES:
            result = measure(con, page, scope, channels, args.repeat)
            rows.append((label, page, result))
            print(f"{label:22} {page:13} first {result['first']:.2f} s  filter change {result['change']:.2f} s")

    lines = [
        "# Analysis pages: re-render after a filter change",
        "",
        f"{args.rows:,} synthetic tickets, {SURVEY_SHARE:.0%} answered; built and loaded in {load_seconds:.1f} s.",
        f"Machine: {platform.machine()}, {platform.python_version()}, run {time.strftime('%Y-%m-%d %H:%M')}.",
        "Whole page script under Streamlit's AppTest (cards, aggregations, Altair specs, Arrow data);",
        f"the filter change is cold (another channel each time), median of {args.repeat}.",
        "",
        "| scope | page | first render, s | filter change, s (median) | worst, s |",
        "|---|---|---|---|---|",
        *[f"| {label} | {page} | {r['first']:.2f} | {r['change']:.2f} | {r['worst']:.2f} |" for label, page, r in rows],
        "",
    ]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
