"""What content-based mapping adds to an upload: `inference.infer` on 100k and 1M-row ticket files, named
and with blind headers, against reading the same file (the step before it). Results: results/inference.md.

    .venv/bin/python benchmarks/inference.py [--rows 100000 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # `lib` when run as `python benchmarks/inference.py`
sys.path.insert(0, str(HERE))

import ingest_kpis  # noqa: E402  (the benchmark CSVs and their generator)

from lib.ingest import inference  # noqa: E402
from lib.ingest.reading import read_table  # noqa: E402

RESULTS = HERE / "results" / "inference.md"


def median_seconds(run, repeat: int) -> float:
    """The median wall time of `repeat` calls of `run` (one_copy.py uses it too)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    lines = [
        "# Content-based mapping: time added to an upload",
        "",
        f"`inference.infer` (table kind guessed, then the mapping), median of {args.repeat}; the file read "
        "once by `read_table` (timed once). 20 columns, the `ingest_kpis` generator's tickets (seed 1).",
        "",
        "| rows | read the CSV, s | infer, named headers, s | infer, blind headers (col_1…), s | fields mapped blind |",
        "|---:|---:|---:|---:|---:|",
    ]
    for rows in args.rows:
        path = ingest_kpis.ensure_csv(rows, 1, "en")
        started = time.perf_counter()
        frame = read_table(path.read_bytes(), path.name).frame
        read_s = time.perf_counter() - started
        blind = frame.rename({c: f"col_{i + 1}" for i, c in enumerate(frame.columns)})
        named_s = median_seconds(lambda frame=frame: inference.infer(frame), args.repeat)
        blind_s = median_seconds(lambda blind=blind: inference.infer(blind), args.repeat)
        mapped = len(inference.infer(blind).columns)
        lines.append(f"| {rows:,} | {read_s:.2f} | {named_s:.3f} | {blind_s:.3f} | {mapped} of 20 |")
        print(lines[-1], flush=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
