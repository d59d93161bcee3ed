"""The Efficiency and Satisfaction pages' computations on the two engines: the session's DuckDB against Spark.

    .venv/bin/python benchmarks/lake_eff_pages.py [--rows 100000] [--repeat 1]

The data is benchmarks/engines.py's (seeded tickets, answers, customers as Parquet in benchmarks/data/).
Each measurement is a fresh process. It opens the engine (local: the Parquet loaded into a session DuckDB;
spark: a local[2] session and the mapped lake tables), then makes every call each page makes, in the
page's order (the cards, the rows' frames, each chart's and table's function): first for the last full
month (Spark also compiles its plans), then for one region (a filter change). The lake's answers to the
cards are cached per scope, the pages' figures per session (not timed here: the second view of a scope
costs nothing on either engine). Both engines must give the same figures or the script stops.
Results go to benchmarks/results/lake_eff_pages.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

RESULTS = HERE / "results" / "lake_eff_pages.md"
VIEWS = ("open_s", "efficiency_s", "efficiency_filter_s", "satisfaction_s", "satisfaction_filter_s")
EFFICIENCY_CARDS = (
    "first_response_hours_p90",
    "resolution_hours_p90",
    "response_sla_rate",
    "resolution_sla_rate",
    "backlog",
    "fcr_rate",
    "reopen_rate",
    "repeat_contact_rate",
)
SATISFACTION_CARDS = ("csat", "csat_mean", "nps", "survey_responses", "survey_response_rate")


def efficiency_page(engine, scope, settings) -> dict:
    """What pages/efficiency.py computes for `scope` (split by channel, breakdown by category, daily grain)."""
    from lib.analysis import efficiency

    engine.summarise(scope, settings, EFFICIENCY_CARDS)
    frames = engine.frames(efficiency.frames, scope)
    days = efficiency.date_only(frames)
    out = {}
    for which in efficiency.DURATIONS:
        out[which] = efficiency.distribution(frames, which, days=days)
        out[f"{which}_channel"] = efficiency.distribution(frames, which, by="channel", days=days)
    out["sla"] = efficiency.sla_trend(frames, settings, "1d")
    out["rates"] = efficiency.rate_trend(frames, settings, "1d")
    out["backlog"] = efficiency.backlog_trend(frames, "1d")
    out["heatmap"] = efficiency.heatmap(frames)
    out["breakdown"] = efficiency.breakdown(frames, settings, "category")
    return out


def satisfaction_page(engine, scope, settings) -> dict:
    """What pages/satisfaction.py computes for `scope` (daily grain, drivers by resolution time)."""
    from lib.analysis import satisfaction

    engine.summarise(scope, settings, SATISFACTION_CARDS)
    frames = engine.frames(satisfaction.frames, scope)
    return {
        "trend": satisfaction.trend(frames, settings, "1d"),
        "split": satisfaction.nps_split(frames),
        "split_trend": satisfaction.nps_split_trend(frames, "1d"),
        "drivers": satisfaction.drivers(frames, settings, "resolution_band"),
        "lowest": satisfaction.lowest_comments(frames, limit=30),
    }


def _digest(found: dict) -> dict:
    """The figures as JSON (frames as rows, distributions as bins and stats), to compare the engines."""
    out = {}
    for name, value in found.items():
        if value is None:
            out[name] = None
        elif hasattr(value, "bins"):
            out[name] = {"bins": value.bins.rows(), "stats": value.stats.rows()}
        else:
            out[name] = value.rows()
    return json.loads(json.dumps(out, default=str))


def child(kind: str, rows: int) -> dict:
    """One measurement in this fresh process; prints JSON."""
    import engines as data_sets  # benchmarks/engines.py: the data set

    from lib.engine import periods, store
    from lib.engine.kpis import Settings

    settings = Settings()
    out: dict = {"engine": kind}
    began = time.perf_counter()
    engine = data_sets.app_engine(kind, rows)
    out["open_s"] = time.perf_counter() - began
    start, end = periods.last_full_month(*engine.date_bounds())
    month, region = store.Scope(start, end), store.Scope(start, end, (("region", ("华东",)),))
    figures = {}
    for page, compute in (("efficiency", efficiency_page), ("satisfaction", satisfaction_page)):
        for label, scope in ((f"{page}_s", month), (f"{page}_filter_s", region)):
            started = time.perf_counter()
            found = compute(engine, scope, settings)
            out[label] = time.perf_counter() - started
            figures[label] = _digest(found)
    out["figures"] = figures
    return out


def _close(a, b) -> bool:
    """Equal figures: numbers to a relative 1e-9, everything else exactly."""
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(abs(a), abs(b)) + 1e-12
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    return a == b


def main() -> None:
    import engines as data_sets

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", choices=("local", "spark"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.rows[0])))
        return
    lines, loads = [], []
    for rows in args.rows:
        data_sets.generate(rows)
        runs: dict[str, list[dict]] = {"local": [], "spark": []}
        for _ in range(args.repeat):
            for kind in runs:
                runs[kind].append(data_sets.run(kind, rows, script=__file__))
                loads.append(os.getloadavg()[0])
        here, there = runs["local"][0]["figures"], runs["spark"][0]["figures"]
        differ = [name for name in here if not _close(here[name], there[name])]
        if differ:
            raise SystemExit(f"engines disagree at {rows:,} rows: {differ}")
        for kind, measured in runs.items():
            med = {key: statistics.median(r[key] for r in measured) for key in VIEWS}
            cells = " | ".join(f"{med[key]:.2f}" for key in VIEWS)
            lines.append(f"| {rows:,} | {kind} | {cells} |")
        print("\n".join(lines[-2:]), flush=True)
    load = os.getloadavg()
    text = (
        f"""# Efficiency and Satisfaction: local engine against Spark on the lake

Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; 1-minute load average
{min(loads):.1f}–{max(loads):.1f} after each process, {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end (the two
cores are shared with other work), run {datetime.now():%Y-%m-%d %H:%M}.
`python benchmarks/lake_eff_pages.py --rows {" ".join(str(r) for r in args.rows)} --repeat {args.repeat}`; medians of
{args.repeat} fresh process(es) each.

Each page's computations as the page makes them (`benchmarks/lake_eff_pages.py`: the cards, the rows' frames, every
chart's and table's function; not Streamlit's drawing): for the last full month (first view: Spark also compiles
its plans), then for one region (a filter change). Open: the Parquet loaded into DuckDB (local) or the Spark
`local[2]` session started and the lake tables mapped (spark). Every figure agreed between the engines (counts
exact, the rest to 1e-9).

| tickets | engine | open, s | Efficiency, s | Efficiency, a filter, s | Satisfaction, s | Satisfaction, a filter, s |
|---:|---|---:|---:|---:|---:|---:|
"""
        + "\n".join(lines)
        + "\n"
    )
    RESULTS.write_text(text, encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
