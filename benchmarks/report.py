"""How long the service report takes: two years of sample data, each step, with and without the churn model.

Usage: .venv/bin/python benchmarks/report.py [--runs 3]   → benchmarks/results/report.md

Each run starts from a fresh store (as a new browser session or a CLI call would), so nothing is
cached between runs; the median of the runs is reported. The issue's budget: < 15 s for the report
of two years of sample data.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # `lib` when run as `python benchmarks/report.py`

from lib.engine import store  # noqa: E402
from lib.engine.kpis import Settings  # noqa: E402
from lib.ingest import pipeline  # noqa: E402
from lib.report import content, files  # noqa: E402

RESULTS = HERE / "results" / "report.md"
TWO_YEARS = store.Scope(date(2024, 11, 1), date(2026, 10, 31))
MONTH = store.Scope(date(2026, 10, 1), date(2026, 10, 31))


def one_run(scope: store.Scope, lang: str, with_churn: bool) -> dict[str, float]:
    con = store.connect()
    pipeline.load_sample(con)
    steps: dict[str, float] = {}
    last = [time.perf_counter(), "start"]

    def progress(step: str, _fraction: float) -> None:
        now = time.perf_counter()
        steps[last[1]] = steps.get(last[1], 0.0) + now - last[0]
        last[0], last[1] = now, step

    started = time.perf_counter()
    built = content.build(con, scope, Settings(), lang, with_churn=with_churn, progress=progress)
    progress("render", 1.0)
    html = files.render(built)
    progress("pdf", 1.0)
    document = files.pdf(html) if files.chromium() else b""
    progress("end", 1.0)
    steps["total (build + HTML + PDF)"] = time.perf_counter() - started
    steps["_pages"] = files.page_count(document)
    con.close()
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cases = [
        ("two years, zh, no churn", TWO_YEARS, "zh", False),
        ("two years, en, no churn", TWO_YEARS, "en", False),
        ("two years, zh, with churn", TWO_YEARS, "zh", True),
        ("October 2026, zh, no churn", MONTH, "zh", False),
    ]
    lines = [
        "# Service report speed",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{args.runs} runs per case, median shown; a fresh store per run (load time not counted).",
        "",
        "| case | steps (median s) | total s | PDF pages |",
        "|---|---|---:|---:|",
    ]
    for name, scope, lang, with_churn in cases:
        runs = [one_run(scope, lang, with_churn) for _ in range(args.runs)]
        keys = [k for k in runs[0] if k not in ("start", "_pages", "end", "total (build + HTML + PDF)")]
        steps = "; ".join(f"{k} {statistics.median(r.get(k, 0.0) for r in runs):.1f}" for k in keys)
        total = statistics.median(r["total (build + HTML + PDF)"] for r in runs)
        lines.append(f"| {name} | {steps} | {total:.1f} | {runs[0]['_pages']} |")
        print(lines[-1], flush=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
