"""Where the whole-data KPIs' time goes at 1M tickets, and the "one copy of the data" options (issue 18).

    python benchmarks/one_copy.py [--rows 1000000] [--repeat 7]

One process, the session store of `benchmarks/pages.py` (tickets and answers to 30 %), medians of
`--repeat` calls each, all ticket KPIs over the whole data set:

- the app's path, `overview.summarise`, and its parts: DuckDB scan → Arrow, Arrow → Polars, the KPI
  engine on the Polars frame (with and without the four quantiles);
- the same declarations run by narwhals on a DuckDB relation (aggregation pushed into DuckDB);
- the KPIs on a Polars frame already in memory (what holding the table once as Arrow/Polars would give);
- pandas on a frame in memory (`ingest_kpis.pandas_kpis`, the analyst's way; benchmarks/scale.py's rival).

Writes benchmarks/results/one_copy.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from inference import median_seconds  # noqa: E402

RESULTS = HERE / "results" / "one_copy.md"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    import narwhals as nw
    import polars as pl
    from ingest_kpis import pandas_kpis

    from lib.analysis import overview
    from lib.engine import store
    from lib.engine.kpis import BY_KEY, Settings, columns_for, evaluate
    from lib.engine.store import Frames, Scope
    from pages import build_store

    con = build_store(args.rows)
    settings, whole = Settings(), Scope()
    keys = tuple(k for k, kpi in BY_KEY.items() if kpi.table in ("tickets", "history"))
    quantiles = tuple(k for k in keys if k.endswith(("_p50", "_p90")))
    read = store.scoped(con, whole, ticket_columns=columns_for(keys), by_period=False, read=("tickets",))
    select = ", ".join(store.quote(c) for c in read.tickets.columns)
    arrow = con.cursor().sql(f"SELECT {select} FROM tickets").to_arrow_table()
    in_memory = Frames(read.tickets, None, None, read.history, whole, False)
    ticket_keys = tuple(k for k in keys if BY_KEY[k].table == "tickets")
    hours = "epoch_us({} - created_at) / 3600e6"
    relation = con.cursor().sql(
        f"SELECT {select}, {hours.format('first_response_at')} AS first_response_hours, "
        f"{hours.format('resolved_at')} AS resolution_hours FROM tickets"
    )
    have = frozenset(relation.columns)
    pushed = [BY_KEY[k].expr(have, settings).alias(k) for k in ticket_keys]
    frame = read.tickets.to_pandas()
    frame["is_complaint"] = frame["is_complaint"].map({True: "yes", False: "no"})

    measures = {
        "app: `overview.summarise`, ticket KPIs, whole data set": lambda: overview.summarise(
            con, whole, settings, keys
        ),
        "… `store.scoped` (DuckDB → Arrow → Polars, tickets and open tickets)": lambda: store.scoped(
            con, whole, ticket_columns=columns_for(keys), by_period=False, read=("tickets",)
        ),
        "… of which DuckDB scan → Arrow, tickets": lambda: (
            con.cursor().sql(f"SELECT {select} FROM tickets").to_arrow_table()
        ),
        "… of which Arrow → Polars": lambda: pl.from_arrow(arrow),
        "… KPI engine on the Polars frames": lambda: evaluate(in_memory, keys, settings),
        "… … the four quantiles alone": lambda: evaluate(in_memory, quantiles, settings),
        "… … everything but the quantiles": lambda: evaluate(
            in_memory, tuple(k for k in keys if k not in quantiles), settings
        ),
        "narwhals declarations on a DuckDB relation (ticket table KPIs)": lambda: (
            nw.from_native(relation).select(*pushed).to_native().fetchall()
        ),
        "KPI engine on a Polars frame held in memory (ticket table KPIs)": lambda: evaluate(
            Frames(read.tickets, None, None, None, whole, False), ticket_keys, settings
        ),
        "pandas on a frame in memory (the same ticket KPIs)": lambda: pandas_kpis(frame, None, None),
    }
    load = [os.getloadavg()[0]]
    rows = []
    for name, run in measures.items():
        run()  # compiled expressions and first-call costs out of the way
        rows.append((name, median_seconds(run, args.repeat)))
        print(f"{rows[-1][1]:.3f} s  {name}", flush=True)
    load.append(os.getloadavg()[0])
    pandas = rows[-1][1]
    lines = [
        "# Whole-data KPIs at 1M: where the time goes, and the one-copy options",
        "",
        f"`python benchmarks/one_copy.py --rows {args.rows} --repeat {args.repeat}`, run "
        f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, 1-minute load average {min(load):.1f}–"
        f"{max(load):.1f} (other sessions' work: absolute times inflated; compare within the table). "
        f"Medians of {args.repeat} calls in one process after a warm-up call.",
        "",
        "| measure | s | pandas / this |",
        "|---|---:|---:|",
        *[f"| {name} | {seconds:.3f} | {pandas / seconds:.2f} |" for name, seconds in rows],
        "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
