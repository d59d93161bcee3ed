"""The Overview page's questions on the two engines: the session's DuckDB against Spark on the lake.

    .venv/bin/python benchmarks/lake_pages.py [--rows 100000 1000000] [--repeat 1]

The data is benchmarks/engines.py's (seeded tickets, answers, customers as Parquet in benchmarks/data/).
Each measurement is a fresh process. It opens the engine (local: the Parquet loaded into a session
DuckDB; spark: a local[2] session and the mapped lake tables), then times what the Overview asks
(lib.ui.engines: date bounds, the sidebar's values, table sizes, the KPI summary with its comparison,
the daily volume, the top categories) for:
  - first view: the last full month, questions one after the other (Spark also compiles its plans);
  - a filter: one region, the questions at once (`prefetch`, as the page asks them);
  - another filter: two regions, one after the other (against the line above: what concurrency gives);
  - the first filter again: answered from the per-scope cache (no query).
Both engines must give the same summary (counts exact, the rest to 1e-9) or the script stops.
Results go to benchmarks/results/lake_pages.md.
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

RESULTS = HERE / "results" / "lake_pages.md"
VIEWS = ("open_s", "first_view_s", "filter_concurrent_s", "filter_sequential_s", "cached_s")


def _questions(engine, scope, settings) -> list[tuple[str, tuple]]:
    return [
        ("date_bounds", ()),
        ("dimension_values", ()),
        ("tables", ()),
        ("summarise", (scope, settings)),
        ("volume", (scope, "1d")),
        ("top_categories", (scope,)),
    ]


def _pages() -> dict:
    """What each other lake page computes for its first view, as the page asks its engine (lib.ui.engines)."""
    from lib.analysis import cost, team
    from lib.engine import store

    return {
        "team": lambda engine, scope, settings: team.table(engine.frames(team.frames, scope), settings),
        "cost": lambda engine, scope, settings: [
            cost.structure(engine.frames(cost.frames, scope), "1w"),
            cost.by_dimension(engine.frames(cost.frames, scope), "region"),
            cost.pareto(engine.frames(cost.frames, scope)),
        ],
        "forecast": lambda engine, scope, settings: engine.daily_counts(store.Scope(), None),
    }


PAGES = ("team", "cost", "forecast")


def _ask(engine, questions) -> dict:
    return {name: getattr(engine, name)(*args) for name, args in questions}


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

    def timed(label: str, scope, concurrent: bool = False) -> dict:
        started = time.perf_counter()
        questions = _questions(engine, scope, settings)
        if concurrent:
            engine.prefetch(*questions)
        answers = _ask(engine, questions)
        out[label] = time.perf_counter() - started
        return answers

    start, end = periods.last_full_month(*engine.date_bounds())
    first = timed("first_view_s", store.Scope(start, end))
    one_region = store.Scope(start, end, (("region", ("华东",)),))
    timed("filter_concurrent_s", one_region, concurrent=True)
    timed("filter_sequential_s", store.Scope(start, end, (("region", ("华北", "华南")),)))
    timed("cached_s", one_region)
    out["summary"] = first["summarise"].current
    month = store.Scope(start, end)
    for page, compute in _pages().items():
        started = time.perf_counter()
        compute(engine, month, settings)
        out[f"{page}_s"] = time.perf_counter() - started
    import resource

    out["python_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run(kind: str, rows: int) -> dict:
    import engines as data_sets

    return data_sets.run(kind, rows, script=__file__)


def main() -> None:
    import engines as data_sets

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", choices=("local", "spark"))
    parser.add_argument("--out", type=Path, default=RESULTS, help="the results file (default: %(default)s)")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.rows[0])))
        return
    lines, page_lines = [], []
    for rows in args.rows:
        data_sets.generate(rows)
        runs: dict[str, list[dict]] = {"local": [], "spark": []}
        for _ in range(args.repeat):
            for kind in runs:
                runs[kind].append(run(kind, rows))
        here, there = runs["local"][0]["summary"], runs["spark"][0]["summary"]
        differ = {k: (here[k], there[k]) for k in here if not data_sets.same(here[k], there[k])}
        if differ:
            raise SystemExit(f"engines disagree at {rows:,} rows: {differ}")
        for kind, measured in runs.items():
            med = {key: statistics.median(r[key] for r in measured) for key in VIEWS}
            cells = " | ".join(f"{med[key]:.2f}" for key in VIEWS)
            lines.append(f"| {rows:,} | {kind} | {cells} |")
            pages = " | ".join(f"{statistics.median(r[f'{p}_s'] for r in measured):.2f}" for p in PAGES)
            page_lines.append(f"| {rows:,} | {kind} | {pages} |")
        print("\n".join(lines[-2:] + page_lines[-2:]), flush=True)
    load = os.getloadavg()
    text = (
        f"""# The Overview's questions: local engine against Spark on the lake

Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; load average
{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end (the cores are shared with other work), run {datetime.now():%Y-%m-%d %H:%M}.
`python benchmarks/lake_pages.py --rows {" ".join(str(r) for r in args.rows)} --repeat {args.repeat}`; medians of {args.repeat} fresh process(es) each.

What the Overview asks its engine (`lib.ui.engines`): date bounds, the sidebar's values, table sizes, the KPI
summary for the last full month and its comparison month, the daily volume and the top categories. Open: the
Parquet loaded into DuckDB (local) or the Spark `local[2]` session started and the lake tables mapped (spark).
The summary agreed between the engines (counts exact, the rest to 1e-9).

| tickets | engine | open, s | first view, s | a filter (questions at once), s | another filter (one by one), s | the first filter again (cached), s |
|---:|---|---:|---:|---:|---:|---:|
"""
        + "\n".join(lines)
        + """

The other lake pages' first view of the same month (after the Overview's, in the same process): Team's
table per agent, Cost's weekly structure, per-region table and Pareto, and the Forecast's daily counts over
all the data (the Prophet fit, local on both, is not included).

| tickets | engine | """
        + " | ".join(f"{p}, s" for p in PAGES)
        + " |\n|---:|---|"
        + "---:|" * len(PAGES)
        + "\n"
        + "\n".join(page_lines)
        + "\n"
    )
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
