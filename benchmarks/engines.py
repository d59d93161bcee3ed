"""The same KPIs on two engines: this machine's path (DuckDB scope → Polars) against Spark (lib.lake).

    .venv/bin/python benchmarks/engines.py [--rows 1000000 …] [--repeat 3]

For each size: seeded typed tickets, answers and customers (tests/kpi_data.py) written once as
Parquet to benchmarks/data/ (gitignored). Each measurement is a fresh Python process:
  - local: read the Parquet into DuckDB as the app holds it (`store.load`), then every KPI for
    the whole data set and for one month with a region filter (`overview.kpis`);
  - spark: start a local[2] session, then the same two KPI sets (`lake.read` + `lake.evaluate`),
    each reading the Parquet where it lies; the JVM's peak memory is counted with Python's.
Both must give the same values (counts exact, the rest to 1e-9) or the script stops.
Results go to benchmarks/results/engines.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

DATA = HERE / "data"
RESULTS = HERE / "results" / "engines.md"
VERSION = 1  # bump when tests/kpi_data.py changes what it generates
MONTH = {"start": "2024-06-01", "end": "2024-06-30", "filters": [["region", ["华东", "华南"]]]}


def folder(rows: int) -> Path:
    return DATA / f"lake_{rows}_v{VERSION}"


def app_engine(kind: str, rows: int):
    """The app's engine (`lib.ui.engines`) on this data set: `local` loads the Parquet into a session DuckDB,
    `spark` starts a local[2] session and maps the lake tables."""
    import polars as pl

    from lib.engine import store
    from lib.ui import engines

    source = folder(rows)
    if kind == "local":
        con = store.connect(memory_limit="16GB")
        for table in ("tickets", "surveys", "customers"):
            store.load(con, table, pl.read_parquet(source / f"{table}.parquet"))
        return engines.Local(con)
    from lib import lake

    tables = ("tickets", "surveys", "customers")
    setting = lake.config(
        {
            lake.ENGINE_SETTING: "spark",
            **{lake.SOURCE_SETTINGS[t]: str(source / f"{t}.parquet") for t in tables},
        }
    )
    return engines.Lake(setting, lake.open_tables(lake.session("local[2]"), setting)[0])


def generate(rows: int) -> Path:
    """Write the three tables once (in a child, so this process stays small)."""
    target = folder(rows)
    if (target / "customers.parquet").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    code = f"""
import sys; sys.path.insert(0, {str(ROOT / "tests")!r})
import kpi_data
t = kpi_data.tickets({rows}); t.write_parquet({str(target / "tickets.parquet")!r})
s = kpi_data.surveys(t); s.write_parquet({str(target / "surveys.parquet")!r})
kpi_data.customers(t).write_parquet({str(target / "customers.parquet")!r})
"""
    subprocess.run([sys.executable, "-c", code], check=True)
    return target


def child(engine: str, rows: int) -> dict:
    """One measurement in this (fresh) process; prints JSON."""
    from lib.engine import store

    scopes = {
        "whole": store.Scope(),
        "month": store.Scope(
            date.fromisoformat(MONTH["start"]),
            date.fromisoformat(MONTH["end"]),
            filters=tuple((d, tuple(v)) for d, v in MONTH["filters"]),
        ),
    }
    from lib.engine.kpis import Settings

    settings = Settings()
    source = folder(rows)
    out: dict = {"engine": engine}
    started = time.perf_counter()
    if engine == "local":
        import polars as pl

        from lib.analysis import overview

        con = store.connect(memory_limit="16GB")
        for table in ("tickets", "surveys", "customers"):
            store.load(con, table, pl.read_parquet(source / f"{table}.parquet"))
        out["load_s"] = time.perf_counter() - started
        for name, scope in scopes.items():
            began = time.perf_counter()
            out[name] = overview.kpis(con, scope, settings)
            out[f"{name}_s"] = time.perf_counter() - began
    else:
        from lib import lake

        spark = lake.session("local[2]")
        out["load_s"] = time.perf_counter() - started  # the session start: the data is read per query
        tables = lake.read(
            spark, {t: str(source / f"{t}.parquet") for t in ("tickets", "surveys", "customers")}
        )
        for name, scope in scopes.items():
            began = time.perf_counter()
            out[name] = lake.evaluate(tables, scope, settings)
            out[f"{name}_s"] = time.perf_counter() - began
        out["jvm_peak_mb"] = _children_peak_mb()
    import resource

    out["python_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _children_peak_mb() -> float:
    """VmHWM of this process's live children (the JVM Spark starts)."""
    total = 0.0
    me = str(os.getpid())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if stat.rsplit(")", 1)[1].split()[1] != me:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        except (OSError, IndexError):
            continue
    return total


def run(engine: str, rows: int, script: str = __file__) -> dict:
    """`script --child engine --rows rows` in a fresh process (lake_pages.py runs itself this way too)."""
    done = subprocess.run(
        [sys.executable, script, "--child", engine, "--rows", str(rows)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"{engine} at {rows:,} rows failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=("local", "spark"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.rows[0])))
        return
    lines = []
    for rows in args.rows:
        size_mb = sum(f.stat().st_size for f in generate(rows).iterdir()) / 1e6
        runs: dict[str, list[dict]] = {"local": [], "spark": []}
        for _ in range(args.repeat):
            for engine in runs:
                runs[engine].append(run(engine, rows))
        for name in ("whole", "month"):
            here, there = runs["local"][0][name], runs["spark"][0][name]
            differ = {k: (here[k], there[k]) for k in here if not same(here[k], there[k])}
            if differ:
                raise SystemExit(f"engines disagree at {rows:,} rows ({name}): {differ}")

        for engine, measured in runs.items():
            med = {
                key: statistics.median(r.get(key, 0.0) for r in measured)
                for key in ("load_s", "whole_s", "month_s", "python_peak_mb", "jvm_peak_mb")
            }
            peak = med["python_peak_mb"] + med["jvm_peak_mb"]
            lines.append(
                f"| {rows:,} | {size_mb:.0f} | {engine} | {med['load_s']:.2f} | {med['whole_s']:.2f} "
                f"| {med['month_s']:.2f} | {peak:,.0f} |"
            )
        print("\n".join(lines[-2:]), flush=True)
    load = os.getloadavg()[0]
    text = (
        f"""# Local engine against Spark: the same KPIs

Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; load average
{load:.1f} at the end (the cores are shared with other work), run {datetime.now():%Y-%m-%d %H:%M}.
`python benchmarks/engines.py --rows {" ".join(str(r) for r in args.rows)} --repeat {args.repeat}`; medians of {args.repeat} fresh processes each.

Local: the Parquet read into the session's DuckDB as the app holds it (load), then every SPEC §2 KPI
for the whole data and for June 2024 in two regions. Spark: `local[2]` session start (load), then
the same KPIs, each reading the Parquet in place (nothing cached). Both engines gave the same
values (counts exact, the rest to a relative 1e-9). Peak memory is Python's plus, for Spark, the JVM's.

| tickets | Parquet, MB | engine | load / start, s | all KPIs, whole data, s | all KPIs, one month filtered, s | peak memory, MB |
|---:|---:|---|---:|---:|---:|---:|
"""
        + "\n".join(lines)
        + "\n"
    )
    RESULTS.write_text(text, encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
