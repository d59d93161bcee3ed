"""First open of a page in a new session, on the bundled sample: the first and the second session of a server process.

Each run is a fresh Python process holding one Streamlit AppTest per "session" (the same script
runner as the server; no browser, no network). In that process it opens the app (the Overview),
then the Churn page, then the Forecast page, in session 1 and then in a new session 2, and
times each step. Before issue 18 every session re-read the sample and retrained; now the sample,
the churn model and the forecast are computed once per process and shared, so session 2 shows
what every session after the first pays.

    python benchmarks/first_open.py                       # this tree, 3 processes
    python benchmarks/first_open.py --root /work/main     # another checkout (the "before")
    python benchmarks/first_open.py --runs 3 --write      # also write benchmarks/results/first_open.md
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "first_open.md"
STEPS = ("overview", "churn", "forecast")

CHILD = r"""
import json, sys, time
sys.path.insert(0, ".")
from streamlit.testing.v1 import AppTest

times = {}
for session in (1, 2):
    at = AppTest.from_file("app.py", default_timeout=600)
    at.query_params["lang"] = "en"
    start = time.perf_counter()
    at.run()
    times[f"overview_{session}"] = time.perf_counter() - start
    assert not at.exception, at.exception
    for page in ("churn", "forecast"):
        start = time.perf_counter()
        at.switch_page(f"pages/{page}.py").run()
        times[f"{page}_{session}"] = time.perf_counter() - start
        assert not at.exception, at.exception
print(json.dumps(times))
"""


def one_process(root: Path) -> dict[str, float]:
    env = {**os.environ, "AFTERSIGHT_WORKSPACE": ""}
    done = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=HERE.parent, help="the checkout to measure")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes (medians reported)")
    parser.add_argument("--label", default="this tree")
    parser.add_argument("--write", action="store_true", help=f"append the table to {RESULTS}")
    args = parser.parse_args()
    load = os.getloadavg()
    runs = [one_process(args.root) for _ in range(args.runs)]
    lines = [
        f"### {args.label} — {datetime.now():%Y-%m-%d %H:%M}, {args.runs} fresh processes, "
        f"load before {load[0]:.2f} / after {os.getloadavg()[0]:.2f} (2 cores shared)",
        "",
        "| step | session 1 (median s) | session 2 (median s) | each run, session 1 / 2 |",
        "|---|---:|---:|---|",
    ]
    for step in STEPS:
        first = [r[f"{step}_1"] for r in runs]
        second = [r[f"{step}_2"] for r in runs]
        each = ", ".join(f"{a:.2f}/{b:.2f}" for a, b in zip(first, second, strict=True))
        lines.append(
            f"| {step} | {statistics.median(first):.2f} | {statistics.median(second):.2f} | {each} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write("\n" + text)


if __name__ == "__main__":
    main()
