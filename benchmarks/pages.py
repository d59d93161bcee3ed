"""Speed benchmark: how long an analysis page takes to re-render after a filter change, at 1M tickets.

Each page runs as Streamlit runs it (AppTest: the whole script, KPI cards, aggregations,
Altair specs and the Arrow data sent to the browser), in a session whose DuckDB holds
N synthetic tickets and their survey answers. A filter change is timed cold: each
repetition picks another channel, so nothing comes from the page's memo.

    python benchmarks/pages.py              # 1,000,000 tickets
    python benchmarks/pages.py --rows 100000
    python benchmarks/pages.py --against /tmp/base --rounds 2   # before/after in the same run

`--against` names another checkout of the app (e.g. `git archive <commit> | tar -x -C /tmp/base`):
each round runs this checkout and that one in fresh processes, one after the other, with the same
data and the same harness, so both sides see the same machine load; the table gives medians.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

RESULTS = HERE / "results" / "pages.md"
RESULTS_COMPARED = HERE / "results" / "pages_issue18c.md"
PAGES = ("overview", "efficiency", "satisfaction", "team", "cost")
SEED = 20240101
SURVEY_SHARE = 0.3


def build_store(rows: int):
    """A session store with `rows` synthetic tickets (benchmarks/ingest_kpis.generate) and answers to 30 %."""
    import numpy as np
    import polars as pl
    from ingest_kpis import HEADERS, VALUES, generate

    from lib.engine import store

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
        pl.Series(
            "comment", np.array(["太慢了", "很满意", "Great service", "还行", None])[rng.integers(0, 5, n)]
        ),
    )
    con = store.connect()
    store.load(con, "tickets", tickets)
    store.load(con, "surveys", surveys)
    return con


def session(con, root: Path = ROOT):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(root / "app.py"), default_timeout=600)
    at.session_state["_aftersight_con"] = con
    at.session_state["_aftersight_source"] = "upload"
    at.session_state["_aftersight_version"] = 1
    at.query_params["lang"] = "zh"
    return at.run()


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def measure(
    con, page: str, month: tuple[date, date], everything: tuple[date, date], repeat: int, root: Path = ROOT
) -> dict:
    """One session on `page`: channel changes on the month, the range widened to everything, channel changes."""
    from lib.engine import store

    channels = store.dimension_values(con)["channel"]
    at = session(con, root)
    if page != "overview":
        at.switch_page(f"pages/{page}.py").run()
    at.date_input(key="range").set_value(month).run()  # the default view, not timed

    def filter_changes() -> list[float]:
        times = []
        for channel in channels[:repeat]:  # another channel each time: nothing from the page's memo
            at.multiselect(key="filter_channel").set_value([channel])
            times.append(timed(at.run))
            assert not at.exception, at.exception
        at.multiselect(key="filter_channel").set_value([])
        at.run()
        return times

    month_changes = filter_changes()
    at.date_input(key="range").set_value(everything)
    widen = timed(at.run)
    assert not at.exception, at.exception
    everything_changes = filter_changes()
    return {
        "month": statistics.median(month_changes),
        "month_worst": max(month_changes),
        "widen": widen,
        "all": statistics.median(everything_changes),
        "all_worst": max(everything_changes),
    }


def one_process(rows: int, repeat: int, root: Path, pages: tuple[str, ...]) -> dict:
    """Every page of the checkout at `root` in this process (its `lib` imported first on the path)."""
    sys.path.insert(0, str(root))
    from lib.engine import store

    started = time.perf_counter()
    con = build_store(rows)
    load_seconds = time.perf_counter() - started
    month, everything = (date(2025, 12, 1), date(2025, 12, 31)), store.date_bounds(con)
    results = {"load_seconds": load_seconds, "loadavg_start": os.getloadavg()[0], "pages": {}}
    for page in pages:
        results["pages"][page] = measure(con, page, month, everything, repeat, root)
        print(root.name, page, {k: round(v, 2) for k, v in results["pages"][page].items()}, flush=True)
    results["loadavg_end"] = os.getloadavg()[0]
    return results


def compare(args) -> None:
    """Rounds of (this checkout, the other one), each in a fresh process; a before/after table of medians."""
    sides = {"after": ROOT, "before": Path(args.against).resolve()}
    runs: dict[str, list[dict]] = {"before": [], "after": []}
    for _ in range(args.rounds):
        for side in ("before", "after"):
            out = Path(f"/tmp/aftersight_pages_{side}.json")
            command = [sys.executable, __file__, "--rows", str(args.rows), "--repeat", str(args.repeat)]
            command += ["--root", str(sides[side]), "--json", str(out), "--pages", *args.pages]
            subprocess.run(command, check=True)
            runs[side].append(json.loads(out.read_text()))
    loads = [r[k] for side in runs.values() for r in side for k in ("loadavg_start", "loadavg_end")]

    def median(side: str, page: str, what: str) -> float:
        return statistics.median(r["pages"][page][what] for r in runs[side])

    lines = [
        "# Analysis pages: re-render after a filter change, before and after issue 18c",
        "",
        f"{args.rows:,} synthetic tickets over two years, {SURVEY_SHARE:.0%} answered. Machine: {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, run {time.strftime('%Y-%m-%d %H:%M')}; "
        f"1-minute load average {min(loads):.1f}–{max(loads):.1f} during the run (other sessions' work: "
        "absolute times are inflated, the ratios less so).",
        "",
        f"`python benchmarks/pages.py --against <before> --rounds {args.rounds}`: before = {sides['before']}, after = "
        "this checkout. Each round runs both in fresh processes, one after the other, same data, same harness;",
        f"figures are medians over the rounds of each process's median of {args.repeat} channel changes (cold:",
        "another channel each time, so nothing comes from the page's memo). The month view holds about 42,000",
        "tickets; two years hold all of them.",
        "",
        "| page | month before, s | month after, s | after / before | two years before, s | two years after, s "
        "| after / before |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for page in args.pages:
        month = median("before", page, "month"), median("after", page, "month")
        whole = median("before", page, "all"), median("after", page, "all")
        lines.append(
            f"| {page} | {month[0]:.2f} | {month[1]:.2f} | {month[1] / month[0]:.2f} | {whole[0]:.2f} "
            f"| {whole[1]:.2f} | {whole[1] / whole[0]:.2f} |"
        )
    lines.append("")
    RESULTS_COMPARED.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    print(f"written to {RESULTS_COMPARED}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pages", nargs="+", default=list(PAGES), choices=PAGES)
    parser.add_argument("--against", help="another checkout of the app: before/after in the same run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--root", help=argparse.SUPPRESS)  # the checkout one process measures
    parser.add_argument("--json", help=argparse.SUPPRESS)  # where that process writes its figures
    args = parser.parse_args()
    if args.against:
        compare(args)
        return
    if args.root:
        results = one_process(args.rows, args.repeat, Path(args.root).resolve(), tuple(args.pages))
        Path(args.json).write_text(json.dumps(results), encoding="utf-8")
        return

    results = one_process(args.rows, args.repeat, ROOT, tuple(args.pages))
    rows = list(results["pages"].items())
    lines = [
        "# Analysis pages: re-render after a filter change",
        "",
        f"{args.rows:,} synthetic tickets over two years, {SURVEY_SHARE:.0%} answered; built and loaded in "
        f"{results['load_seconds']:.1f} s. Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, run {time.strftime('%Y-%m-%d %H:%M')}, 1-minute load average "
        f"{results['loadavg_start']:.1f} at the start, {results['loadavg_end']:.1f} at the end.",
        "",
        "Each figure is one whole page script under Streamlit's AppTest (cards against the comparison",
        "period, aggregations, Altair specs, the Arrow data sent to the browser), cold: every channel",
        f"change picks another channel, so nothing comes from the page's memo (median and worst of {args.repeat}).",
        "The month view holds about 42,000 tickets; widening the range to both years puts all of them in scope.",
        "",
        "| page | month: filter change, s | worst | widen to two years, s | two years: filter change, s | worst |",
        "|---|---|---|---|---|---|",
        *[
            f"| {page} | {r['month']:.2f} | {r['month_worst']:.2f} | {r['widen']:.2f} | {r['all']:.2f} "
            f"| {r['all_worst']:.2f} |"
            for page, r in rows
        ],
        "",
    ]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
