"""Speed benchmark: ticket CSV ingest and Overview KPIs, the app's path against DuckDB SQL and pandas."""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # `lib` when run as `python benchmarks/ingest_kpis.py`

DATA_DIR = HERE / "data"
RESULTS = HERE / "results" / "ingest_kpis.md"
GENERATOR_VERSION = 1  # bump when the generated data changes, so cached CSVs are not reused
SEED = 20240101
FIRST_DAY = date(2024, 1, 1)
DAYS = 731  # 2024-01-01 .. 2025-12-31: two years
TOLERANCE = 1e-9

# Canonical field -> header as written in the file, per header language.
HEADERS = {
    "en": {
        "ticket_id": "Ticket ID",
        "created_at": "Created",
        "first_response_at": "First Response",
        "resolved_at": "Resolved",
        "customer_id": "Customer ID",
        "agent": "Agent",
        "channel": "Channel",
        "category": "Category",
        "priority": "Priority",
        "region": "Region",
        "product": "Product",
        "reopen_count": "Reopen Count",
        "is_complaint": "Complaint",
        "labor_cost": "Labor Cost",
        "parts_cost": "Parts Cost",
        "travel_cost": "Travel Cost",
        "handle_minutes": "Handle Minutes",
    },
    "zh": {
        "ticket_id": "工单号",
        "created_at": "报修时间",
        "first_response_at": "首次响应时间",
        "resolved_at": "完成时间",
        "customer_id": "客户编号",
        "agent": "工程师",
        "channel": "渠道",
        "category": "故障类型",
        "priority": "优先级",
        "region": "区域",
        "product": "产品",
        "reopen_count": "返修次数",
        "is_complaint": "是否投诉",
        "labor_cost": "人工成本(元)",
        "parts_cost": "备件成本(元)",
        "travel_cost": "差旅成本(元)",
        "handle_minutes": "处理时长(分钟)",
    },
}
VALUES = {
    "en": {
        "channel": ("phone", "chat", "app", "web", "onsite"),
        "category": (
            "no cooling",
            "no heating",
            "leak",
            "noise",
            "no power",
            "display",
            "install",
            "maintenance",
            "parts",
            "other",
        ),
        "region": ("East", "North", "South", "Central", "Southwest", "Northwest", "Northeast"),
        "product": ("air conditioner", "fridge", "washer", "water heater", "range hood", "tv"),
        "agent": "Agent ",
        "yes_no": ("yes", "no"),
    },
    "zh": {
        "channel": ("电话", "微信", "APP", "官网", "上门"),
        "category": (
            "不制冷",
            "不制热",
            "漏水",
            "噪音异常",
            "不通电",
            "显示故障",
            "安装",
            "保养清洗",
            "配件更换",
            "其他",
        ),
        "region": ("华东", "华北", "华南", "华中", "西南", "西北", "东北"),
        "product": ("空调", "冰箱", "洗衣机", "热水器", "油烟机", "电视"),
        "agent": "工程师",
        "yes_no": ("是", "否"),
    },
}
KPI_KEYS = (
    "tickets",
    "resolved",
    "resolution_rate",
    "backlog",
    "first_response_hours_mean",
    "first_response_hours_p50",
    "first_response_hours_p90",
    "resolution_hours_mean",
    "resolution_hours_p50",
    "resolution_hours_p90",
    "response_sla_rate",
    "resolution_sla_rate",
    "fcr_rate",
    "reopen_rate",
    "repeat_contact_rate",
    "complaints",
    "complaint_rate",
    "cost_total",
    "cost_per_ticket",
    "labor_cost_total",
    "labor_cost_per_ticket",
    "parts_cost_total",
    "parts_cost_per_ticket",
    "travel_cost_total",
    "travel_cost_per_ticket",
    "handle_minutes_mean",
)
RESPONSE_TARGET_HOURS, RESOLUTION_TARGET_HOURS, REPEAT_DAYS = 4.0, 72.0, 30
COSTS = ("labor_cost", "parts_cost", "travel_cost")


# --- data -------------------------------------------------------------------------------


def generate(rows: int, seed: int, lang: str):
    """N synthetic tickets over two years as a Polars frame with the file's headers (vectorised numpy)."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    words = VALUES[lang]
    hour_weights = np.array(
        [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 16, 15, 11, 12, 15, 15, 14, 12, 10, 9, 7, 5, 3, 2.0]
    )
    day = rng.integers(0, DAYS, rows)
    second = rng.choice(24, rows, p=hour_weights / hour_weights.sum()) * 3600 + rng.integers(0, 3600, rows)
    created_s = np.sort(day * 86_400 + second)
    created_s[0], created_s[-1] = 0, DAYS * 86_400 - 1  # the data spans exactly the two years
    created = np.datetime64(FIRST_DAY.isoformat(), "us") + (created_s * 1_000_000).astype("timedelta64[us]")

    def after(hours: np.ndarray) -> np.ndarray:
        """Timestamps `hours` after creation, whole seconds as the file writes them."""
        return created + (np.round(hours * 3600) * 1_000_000).astype("timedelta64[us]")

    def blank(stamps: np.ndarray, share: float) -> np.ndarray:
        """`share` of the timestamps left empty."""
        stamps[rng.random(rows) < share] = np.datetime64("NaT")
        return stamps

    response_hours = rng.lognormal(np.log(1.5), 1.0, rows)
    response_hours[rng.random(rows) < 0.002] *= -1  # response logged before creation: flagged, kept
    resolution_hours = rng.lognormal(np.log(30), 0.9, rows)
    resolution_hours[rng.random(rows) < 0.002] *= -0.1
    recent = created_s > (DAYS - 14) * 86_400  # the last fortnight has more open tickets
    open_now = rng.random(rows) < np.where(recent, 0.35, 0.04)
    resolved = after(resolution_hours)
    resolved[open_now] = np.datetime64("NaT")
    customers = rng.integers(0, max(rows // 5, 1), rows)
    parts = np.where(rng.random(rows) < 0.45, rng.lognormal(np.log(180), 0.6, rows), 0.0)
    columns = {
        "ticket_id": pl.Series(np.arange(1, rows + 1)).cast(pl.String).str.zfill(9).str.replace(r"^", "T"),
        "created_at": created,
        "first_response_at": blank(after(response_hours), 0.03),
        "resolved_at": resolved,
        "customer_id": pl.Series(customers)
        .cast(pl.String)
        .str.zfill(7)
        .str.replace(r"^", "C")
        .scatter(np.flatnonzero(rng.random(rows) < 0.01), None),
        "agent": pl.Series(rng.integers(1, 201, rows))
        .cast(pl.String)
        .str.zfill(3)
        .str.replace(r"^", words["agent"]),
        "channel": np.array(words["channel"])[rng.choice(5, rows, p=[0.35, 0.25, 0.2, 0.08, 0.12])],
        "category": np.array(words["category"])[rng.integers(0, 10, rows)],
        "priority": np.array(["P1", "P2", "P3", "P4"])[rng.choice(4, rows, p=[0.05, 0.25, 0.5, 0.2])],
        "region": np.array(words["region"])[rng.integers(0, 7, rows)],
        "product": np.array(words["product"])[rng.integers(0, 6, rows)],
        "reopen_count": pl.Series(rng.poisson(0.1, rows)).scatter(
            np.flatnonzero(rng.random(rows) < 0.01), None
        ),
        "is_complaint": np.array(words["yes_no"])[(rng.random(rows) >= 0.03).astype(int)],
        "labor_cost": np.round(rng.lognormal(np.log(80), 0.5, rows), 2),
        "parts_cost": np.round(parts, 2),
        "travel_cost": np.round(np.where(rng.random(rows) < 0.3, rng.uniform(10, 80, rows), 0.0), 2),
        "handle_minutes": np.round(rng.lognormal(np.log(45), 0.5, rows), 1),
    }
    return pl.DataFrame(columns).rename(HEADERS[lang])


def csv_path(rows: int, seed: int, lang: str) -> Path:
    """Where the CSV for these parameters lives; the name encodes everything it depends on."""
    return DATA_DIR / f"tickets_{lang}_{rows}_seed{seed}_v{GENERATOR_VERSION}.csv"


def write_csv(rows: int, seed: int, lang: str) -> None:
    """Write the benchmark CSV (UTF-8, `YYYY-MM-DD HH:MM:SS` dates), atomically."""
    path = csv_path(rows, seed, lang)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    generate(rows, seed, lang).write_csv(partial, datetime_format="%Y-%m-%d %H:%M:%S")
    partial.rename(path)


def ensure_csv(rows: int, seed: int, lang: str) -> Path:
    """The benchmark CSV, generated once in a subprocess (this process stays small, see `peak_rss_mb`)."""
    path = csv_path(rows, seed, lang)
    if path.exists():
        print(f"reusing {path.relative_to(ROOT)}")
        return path
    started = time.perf_counter()
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--generate",
        "--rows",
        str(rows),
        "--seed",
        str(seed),
        "--headers",
        lang,
    ]
    subprocess.run(command, check=True, cwd=ROOT)
    print(f"generated {path.relative_to(ROOT)} in {time.perf_counter() - started:.1f} s")
    return path


def check_mapping(path: Path, lang: str) -> None:
    """The app must map every generated header onto the intended canonical field by itself."""
    from lib.ingest.mapping import auto_map

    with path.open(encoding="utf-8") as handle:
        headers = handle.readline().rstrip("\n").split(",")
    result = auto_map("tickets", headers)
    expected = HEADERS[lang]
    if result.columns != expected:
        wrong = {k: (result.columns.get(k), v) for k, v in expected.items() if result.columns.get(k) != v}
        raise SystemExit(f"auto_map did not map the generated headers as intended (got, want): {wrong}")


def scopes() -> dict[str, tuple[date, date] | None]:
    """The app's default range (last full month of the data), the month before, and the whole data set.

    The app's child checks that `store.Scope.previous` agrees (via the KPI comparison).
    """
    from lib.engine.periods import last_full_month

    start, end = last_full_month(FIRST_DAY, FIRST_DAY + timedelta(days=DAYS - 1))
    prev_end = start - timedelta(days=1)
    return {"month": (start, end), "month_prev": (prev_end.replace(day=1), prev_end), "all": None}


# --- what runs in the child processes -----------------------------------------------------


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (10^6 bytes, like the CSV size; Linux reports KiB).

    Linux carries the parent's RSS at fork/exec into the child's `ru_maxrss`, so the
    parent keeps itself small (no polars/duckdb/pandas imports); `VmHWM` (the high-water
    mark of this program's own memory) is recorded alongside as a cross-check.
    """
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def _status_mb(field: str) -> float:
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith(field + ":"))
    return int(line.split()[1]) * 1024 / 1e6


def vm_hwm_mb() -> float:
    """`VmHWM` (peak RSS of this program's own address space) from /proc/self/status, in MB."""
    return _status_mb("VmHWM")


def imported(out: dict) -> dict:
    """Record the RSS once the libraries are imported, before any data is touched."""
    out["import_rss_mb"] = _status_mb("VmRSS")
    return out


def load_app(path: Path):
    """The app's path: read bytes → `pipeline.prepare` → `pipeline.ingest` into a fresh session store.

    Returns the connection, the bytes (the app keeps the upload in RAM) and the stage times.
    """
    from lib.engine import store
    from lib.ingest import pipeline

    import_rss = _status_mb("VmRSS")
    started = time.perf_counter()
    data = path.read_bytes()
    read_s = time.perf_counter() - started
    prepared = pipeline.prepare(data, path.name, "tickets")
    prepare_s = time.perf_counter() - started - read_s
    con = store.connect()
    validated, loaded = pipeline.ingest(con, prepared)
    total = time.perf_counter() - started
    if loaded.added != validated.rows_read or validated.excluded():
        raise SystemExit(f"app ingest dropped rows: {validated.summary}")
    stages = {
        "read_bytes_s": read_s,
        "prepare_s": prepare_s,
        "ingest_s": total - read_s - prepare_s,
        "import_rss_mb": import_rss,
    }
    return con, data, total, stages


def close_store(con) -> None:
    """Close a session store and remove the temp directory `store.connect` made."""
    temp_dir = con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
    con.close()
    shutil.rmtree(temp_dir, ignore_errors=True)


def duckdb_read_csv(con, path: Path, canonical: bool = False) -> None:
    """`CREATE TABLE tickets AS FROM read_csv(...)`, types inferred; `canonical` renames to field names."""
    if canonical:
        with path.open(encoding="utf-8") as handle:
            headers = handle.readline().rstrip("\n").split(",")
        by_header = {v: k for lang in HEADERS for k, v in HEADERS[lang].items()}
        names = "[" + ", ".join(f"'{by_header[h]}'" for h in headers) + "]"
        con.execute(
            f"CREATE TABLE tickets AS FROM read_csv(?, header = true, names = {names}, "
            "types = {'is_complaint': 'VARCHAR'})",  # yes/no would be sniffed as BOOLEAN, 是/否 not
            [str(path)],
        )
    else:
        con.execute("CREATE TABLE tickets AS FROM read_csv(?)", [str(path)])


def child_ingest_app(path: Path, args) -> dict:
    """Time the app's whole ingest of the file."""
    con, _data, total, stages = load_app(path)
    close_store(con)
    return {"seconds": total, **stages}


def child_ingest_duckdb(path: Path, args) -> dict:
    """Time DuckDB's `read_csv` into a table of a plain in-memory database."""
    import duckdb

    out = imported({})
    started = time.perf_counter()
    con = duckdb.connect(":memory:")
    duckdb_read_csv(con, path)
    out["seconds"] = time.perf_counter() - started
    out["rows"] = con.execute("SELECT count(*) FROM tickets").fetchone()[0]
    return out


def child_ingest_pandas(path: Path, args) -> dict:
    """Time `pd.read_csv` with the three date columns parsed."""
    import pandas as pd

    out = imported({})
    dates = [HEADERS[args.headers][c] for c in ("created_at", "first_response_at", "resolved_at")]
    started = time.perf_counter()
    frame = pd.read_csv(path, parse_dates=dates)
    out["seconds"] = time.perf_counter() - started
    out["rows"] = len(frame)
    return out


def app_scope(spec):
    """A `store.Scope` from a (start, end) pair of ISO dates, or the whole data set for None."""
    from lib.engine.store import Scope

    return Scope() if spec is None else Scope(date.fromisoformat(spec[0]), date.fromisoformat(spec[1]))


def child_kpis_app(path: Path, args) -> dict:
    """Load the app's way, then time `overview.summarise` for the month (with its previous) and the whole set."""
    from lib.analysis import overview
    from lib.engine import store
    from lib.engine.kpis import Settings
    from lib.engine.periods import last_full_month

    con, _data, load_s, _ = load_app(path)
    month = app_scope(args.scopes["month"])
    if (month.start, month.end) != last_full_month(*store.date_bounds(con)):
        raise SystemExit("the benchmark's month is not the app's default range")
    out: dict = {"load_s": load_s}
    started = time.perf_counter()
    summary = overview.summarise(con, month, Settings())
    out["month_s"] = time.perf_counter() - started
    started = time.perf_counter()
    overview.volume(con, month, "1d")
    overview.top_categories(con, month)
    out["charts_s"] = time.perf_counter() - started
    started = time.perf_counter()
    whole = overview.summarise(con, app_scope(None), Settings())
    out["all_s"] = time.perf_counter() - started
    out["values"] = {"month": summary.current, "month_prev": summary.previous, "all": whole.current}
    close_store(con)
    return out


def hand_sql(periods: dict[str, tuple[datetime, datetime] | None]) -> tuple[str, list]:
    """One DuckDB query computing the Overview KPIs (SPEC §2) for each named period; None = everything.

    Expects `tickets` with canonical column names and a precomputed `repeat_contact`.
    """
    hours = "date_diff('microsecond', created_at, {col}) / 3600e6"
    aggregates = f"""
        count(*) AS tickets,
        count(resolved_at) AS resolved,
        avg((resolved_at IS NOT NULL)::DOUBLE) AS resolution_rate,
        avg(frh) FILTER (frh >= 0) AS first_response_hours_mean,
        quantile_cont(frh, 0.5) FILTER (frh >= 0) AS first_response_hours_p50,
        quantile_cont(frh, 0.9) FILTER (frh >= 0) AS first_response_hours_p90,
        avg(rh) FILTER (rh >= 0) AS resolution_hours_mean,
        quantile_cont(rh, 0.5) FILTER (rh >= 0) AS resolution_hours_p50,
        quantile_cont(rh, 0.9) FILTER (rh >= 0) AS resolution_hours_p90,
        avg((frh <= {RESPONSE_TARGET_HOURS})::DOUBLE) FILTER (frh >= 0) AS response_sla_rate,
        avg((rh <= {RESOLUTION_TARGET_HOURS})::DOUBLE) FILTER (rh >= 0) AS resolution_sla_rate,
        avg((reopen_count = 0)::DOUBLE) FILTER (resolved_at IS NOT NULL AND reopen_count IS NOT NULL) AS fcr_rate,
        avg((reopen_count > 0)::DOUBLE) FILTER (resolved_at IS NOT NULL AND reopen_count IS NOT NULL)
            AS reopen_rate,
        avg(repeat_contact::DOUBLE) FILTER (repeat_contact IS NOT NULL) AS repeat_contact_rate,
        count(*) FILTER (complaint) AS complaints,
        count(*) FILTER (complaint) / count(*) AS complaint_rate,
        sum(labor_cost) + sum(parts_cost) + sum(travel_cost) AS cost_total,
        (sum(labor_cost) + sum(parts_cost) + sum(travel_cost)) / count(*) AS cost_per_ticket,
        {", ".join(f"sum({c}) AS {c}_total, sum({c}) / count(*) AS {c}_per_ticket" for c in COSTS)},
        avg(handle_minutes) AS handle_minutes_mean"""
    parts, params = [], []
    for name, bounds in periods.items():
        where, backlog = "", "resolved_at IS NULL"
        if bounds is not None:
            where = "WHERE created_at >= ? AND created_at < ?"
            backlog = "created_at < ? AND (resolved_at IS NULL OR resolved_at >= ?)"
            params += [bounds[1], bounds[1], *bounds]  # in the order the ? appear
        parts.append(
            f"SELECT '{name}' AS period, {aggregates}, "
            f"(SELECT count(*) FROM tickets WHERE {backlog}) AS backlog FROM typed {where}"
        )
    sql = f"""
        WITH typed AS (
            SELECT *, {hours.format(col="first_response_at")} AS frh, {hours.format(col="resolved_at")} AS rh,
                coalesce(is_complaint IN ('yes', '是'), false) AS complaint
            FROM tickets
        )
        {" UNION ALL ".join(parts)}"""
    return sql, params


def child_kpis_sql(path: Path, args) -> dict:
    """Load with `read_csv` (+ the repeat-contact flag, as the app's load adds it), then time the hand SQL."""
    import duckdb

    con = duckdb.connect(":memory:")
    started = time.perf_counter()
    duckdb_read_csv(con, path, canonical=True)
    con.execute(
        f"""CREATE OR REPLACE TABLE tickets AS SELECT *,
            CASE WHEN customer_id IS NULL THEN NULL ELSE coalesce(
                lag(created_at) OVER (PARTITION BY customer_id ORDER BY created_at, ticket_id)
                >= created_at - INTERVAL {REPEAT_DAYS} DAY, false) END AS repeat_contact
            FROM tickets"""
    )
    out: dict = {"load_s": time.perf_counter() - started, "values": {}}

    def bounds(spec):
        if spec is None:
            return None
        start, end = (date.fromisoformat(d) for d in spec)
        return datetime.combine(start, datetime.min.time()), datetime.combine(
            end + timedelta(days=1), datetime.min.time()
        )

    for label, names in (("month_s", ("month", "month_prev")), ("all_s", ("all",))):
        sql, params = hand_sql({name: bounds(args.scopes[name]) for name in names})
        started = time.perf_counter()
        cursor = con.execute(sql, params)
        rows = cursor.fetchall()
        out[label] = time.perf_counter() - started
        columns = [d[0] for d in cursor.description]
        for row in rows:
            record = dict(zip(columns, row, strict=True))
            period = record.pop("period")
            out["values"][period] = {k: _number(v) for k, v in record.items()}
    return out


def _number(value) -> float | None:
    """A KPI value as a plain float (None stays None)."""
    return None if value is None else float(value)


def pandas_kpis(frame, start: datetime | None, end: datetime | None) -> dict[str, float | None]:
    """The Overview KPIs for one period, written as an analyst would in pandas."""
    import pandas as pd

    if start is None:
        df = frame
        backlog = frame["resolved_at"].isna().sum()
    else:
        df = frame[(frame["created_at"] >= start) & (frame["created_at"] < end)]
        before_end = frame[frame["created_at"] < end]
        backlog = (before_end["resolved_at"].isna() | (before_end["resolved_at"] >= end)).sum()
    n = len(df)
    resolved = df["resolved_at"].notna()
    frh = (df["first_response_at"] - df["created_at"]).dt.total_seconds() / 3600
    rh = (df["resolved_at"] - df["created_at"]).dt.total_seconds() / 3600
    frh, rh = frh[frh >= 0], rh[rh >= 0]
    counted = df[resolved & df["reopen_count"].notna()]["reopen_count"]
    complaint = df["is_complaint"].isin(["yes", "是"])
    costs = {c: df[c].sum() for c in COSTS}
    total = sum(costs.values())
    out = {
        "tickets": n,
        "resolved": resolved.sum(),
        "resolution_rate": resolved.mean(),
        "backlog": backlog,
        "first_response_hours_mean": frh.mean(),
        "first_response_hours_p50": frh.quantile(0.5),
        "first_response_hours_p90": frh.quantile(0.9),
        "resolution_hours_mean": rh.mean(),
        "resolution_hours_p50": rh.quantile(0.5),
        "resolution_hours_p90": rh.quantile(0.9),
        "response_sla_rate": (frh <= RESPONSE_TARGET_HOURS).mean(),
        "resolution_sla_rate": (rh <= RESOLUTION_TARGET_HOURS).mean(),
        "fcr_rate": (counted == 0).mean(),
        "reopen_rate": (counted > 0).mean(),
        "repeat_contact_rate": df["repeat_contact"].dropna().astype(float).mean(),
        "complaints": complaint.sum(),
        "complaint_rate": complaint.mean(),
        "cost_total": total,
        "cost_per_ticket": total / n,
        **{f"{c}_total": v for c, v in costs.items()},
        **{f"{c}_per_ticket": v / n for c, v in costs.items()},
        "handle_minutes_mean": df["handle_minutes"].mean(),
    }
    return {k: None if pd.isna(v) else float(v) for k, v in out.items()}


def child_kpis_pandas(path: Path, args) -> dict:
    """Load with `pd.read_csv` (+ the repeat-contact flag), then time the pandas KPIs."""
    import pandas as pd

    by_header = {v: k for k, v in HEADERS[args.headers].items()}
    started = time.perf_counter()
    df = pd.read_csv(
        path,
        parse_dates=[HEADERS[args.headers][c] for c in ("created_at", "first_response_at", "resolved_at")],
    )
    df = df.rename(columns=by_header)
    df = df.sort_values(["customer_id", "created_at", "ticket_id"])
    gap = df["created_at"] - df.groupby("customer_id")["created_at"].shift()
    df["repeat_contact"] = (gap <= pd.Timedelta(days=REPEAT_DAYS)).astype(object)
    df.loc[df["customer_id"].isna(), "repeat_contact"] = None
    df = df.sort_index()
    out: dict = {"load_s": time.perf_counter() - started, "values": {}}

    def bounds(spec):
        if spec is None:
            return None, None
        start, end = (date.fromisoformat(d) for d in spec)
        return pd.Timestamp(start), pd.Timestamp(end + timedelta(days=1))

    started = time.perf_counter()
    out["values"]["month"] = pandas_kpis(df, *bounds(args.scopes["month"]))
    out["values"]["month_prev"] = pandas_kpis(df, *bounds(args.scopes["month_prev"]))
    out["month_s"] = time.perf_counter() - started
    started = time.perf_counter()
    out["values"]["all"] = pandas_kpis(df, None, None)
    out["all_s"] = time.perf_counter() - started
    return out


# Where the app's time goes: (indent, label, file suffix, function[, caller file suffix, caller function]).
# Times are inclusive (cProfile `cumtime`); "(rest)" rows are the parent minus its listed children.
# Polars methods behind a decorator are matched without a caller (each is used in one place only);
# Series methods dispatched to expressions (`is_last_distinct`, …) cannot be told apart and stay in "(rest)".
INGEST_STAGES = (
    (0, "read file bytes", "pathlib.py", "read_bytes"),
    (0, "`reading.read_table`", "lib/ingest/reading.py", "read_table"),
    (1, "sniff encoding / delimiter (`_decode`)", "lib/ingest/text_files.py", "_decode"),
    (1, "CSV → all-String frame (`pl.read_csv` in `_csv_frame`)", "lib/ingest/text_files.py", "_csv_frame"),
    (1, "trim every cell, empty → null (`clean_strings`)", "lib/ingest/raw.py", "clean_strings"),
    (0, "`mapping.auto_map`", "lib/ingest/mapping.py", "auto_map"),
    (0, "`validation.validate`", "lib/ingest/validation.py", "validate"),
    (1, "detect day order (`detect_day_order`)", "lib/ingest/dates.py", "detect_day_order"),
    (
        1,
        "placeholder cells → null (`_blank_placeholders`)",
        "lib/ingest/validation.py",
        "_blank_placeholders",
    ),
    (1, "parse dates (`parse_datetimes`, 3 columns)", "lib/ingest/dates.py", "parse_datetimes"),
    (2, "`_normalise` (regex rewrites)", "lib/ingest/dates.py", "_normalise"),
    (2, "`str.strptime`", "polars/series/string.py", "strptime"),
    (1, "parse numbers / ints", "lib/ingest/values.py", "parse_numbers"),
    (1, "parse booleans", "lib/ingest/values.py", "parse_bools"),
    (1, "parse text (`parse_text`)", "lib/ingest/values.py", "parse_text"),
    (1, "unparsed check (`unparsed_mask`)", "lib/ingest/values.py", "unparsed_mask"),
    (1, "issue rows (`_issue`)", "lib/ingest/validation.py", "_issue"),
    (0, "`store.load`", "lib/engine/store.py", "load"),
    (1, "Polars → Arrow (`to_arrow`)", "polars/dataframe/frame.py", "to_arrow"),
    (
        1,
        "repeat-contact window (`_mark_repeat_contacts`: a second `CREATE OR REPLACE TABLE`)",
        "lib/engine/store.py",
        "_mark_repeat_contacts",
    ),
)
KPI_STAGES = (
    (0, "`overview.summarise`", "lib/analysis/overview.py", "summarise"),
    (1, "`store.scoped`", "lib/engine/store.py", "scoped"),
    (2, "backlog input (`_history`) → Arrow → Polars", "lib/engine/store.py", "_history"),
    (
        2,
        "tickets in scope (`SELECT *`) → Arrow → Polars",
        "lib/engine/store.py",
        "_read",
        "lib/engine/store.py",
        "scoped",
    ),
    (2, "metadata queries (`tables`)", "lib/engine/store.py", "tables", "lib/engine/store.py", "scoped"),
    (2, "metadata queries (`columns`)", "lib/engine/store.py", "columns", "lib/engine/store.py", "scoped"),
    (1, "KPI aggregation (`kpis.evaluate`, Polars)", "lib/engine/kpis.py", "evaluate"),
)
CHART_STAGES = (
    (0, "`overview.volume` + `overview.top_categories`", "benchmarks/ingest_kpis.py", "_charts"),
    (1, "`store.scoped`", "lib/engine/store.py", "scoped"),
    (2, "backlog input (`_history`, unused by these charts)", "lib/engine/store.py", "_history"),
    (
        2,
        "tickets in scope (`SELECT *`) → Arrow → Polars",
        "lib/engine/store.py",
        "_read",
        "lib/engine/store.py",
        "scoped",
    ),
    (1, "`kpis.evaluate_by`", "lib/engine/kpis.py", "evaluate_by"),
)


def _inclusive(stats, stage: tuple) -> float:
    """Inclusive seconds of one stage's function (optionally only when called from a given caller)."""
    file, func = stage[2], stage[3]
    total = 0.0
    for (path, _line, name), (_cc, _nc, _tt, cumtime, callers) in stats.stats.items():
        if name != func or not path.replace("\\", "/").endswith(file):
            continue
        if len(stage) == 4:
            total += cumtime
        else:
            total += sum(
                entry[3]
                for (cpath, _l, cname), entry in callers.items()
                if cname == stage[5] and cpath.replace("\\", "/").endswith(stage[4])
            )
    return total


def stage_rows(profile, stages: tuple) -> list[tuple[int, str, float]]:
    """The stage table of one cProfile run; a parent with listed children gets a "(rest)" row."""
    import pstats

    stats = pstats.Stats(profile)
    rows = [(stage[0], stage[1], _inclusive(stats, stage)) for stage in stages]

    def emit(low: int, high: int) -> list[tuple[int, str, float]]:
        out, i = [], low
        while i < high:
            level, _label, seconds = rows[i]
            j = i + 1
            while j < high and rows[j][0] > level:
                j += 1
            out.append(rows[i])
            if j > i + 1:
                out += emit(i + 1, j)
                children = sum(row[2] for row in rows[i + 1 : j] if row[0] == level + 1)
                out.append((level + 1, "(rest)", seconds - children))
            i = j
        return out

    return emit(0, len(rows))


def _charts(con, scope) -> None:
    """The Overview's two charts for one scope, as the page computes them."""
    from lib.analysis import overview

    overview.volume(con, scope, "1d")
    overview.top_categories(con, scope)


def child_profile_app(path: Path, args) -> dict:
    """The app path once under cProfile, stage by stage, with the RSS after each stage."""
    import cProfile

    started = time.perf_counter()
    from lib.analysis import overview
    from lib.engine import store
    from lib.engine.kpis import Settings
    from lib.ingest.mapping import auto_map
    from lib.ingest.reading import read_table
    from lib.ingest.validation import validate

    marks = [
        ("import lib (polars, duckdb, …)", time.perf_counter() - started, _status_mb("VmRSS"), vm_hwm_mb())
    ]

    def mark(label: str, since: float) -> None:
        marks.append((label, time.perf_counter() - since, _status_mb("VmRSS"), vm_hwm_mb()))

    ingest_profile = cProfile.Profile()
    ingest_profile.enable()
    since = time.perf_counter()
    data = path.read_bytes()
    mark("read file bytes", since)
    since = time.perf_counter()
    read = read_table(data, path.name)
    mark("read_table", since)
    since = time.perf_counter()
    mapping = auto_map("tickets", list(read.frame.columns))
    validated = validate(read, mapping)
    mark("auto_map + validate", since)
    since = time.perf_counter()
    con = store.connect()
    store.load(con, "tickets", validated.frame)
    mark("store.load (incl. repeat-contact window)", since)
    ingest_profile.disable()

    month = app_scope(args.scopes["month"])
    kpi_profile, all_profile, chart_profile = cProfile.Profile(), cProfile.Profile(), cProfile.Profile()
    kpi_profile.runcall(overview.summarise, con, month, Settings())
    all_profile.runcall(overview.summarise, con, app_scope(None), Settings())
    chart_profile.runcall(_charts, con, month)
    close_store(con)
    return {
        "marks": marks,
        "ingest": stage_rows(ingest_profile, INGEST_STAGES),
        "kpis_month": stage_rows(kpi_profile, KPI_STAGES),
        "kpis_all": stage_rows(all_profile, KPI_STAGES),
        "charts_month": stage_rows(chart_profile, CHART_STAGES),
    }


CHILDREN = {
    "ingest_app": child_ingest_app,
    "ingest_duckdb": child_ingest_duckdb,
    "ingest_pandas": child_ingest_pandas,
    "kpis_app": child_kpis_app,
    "kpis_sql": child_kpis_sql,
    "kpis_pandas": child_kpis_pandas,
}
MEASURED = tuple(CHILDREN)
CHILDREN["profile_app"] = child_profile_app


def run_child(args) -> None:
    """Entry point of a child process: run one measurement, print its result as one JSON line."""
    args.scopes = json.loads(args.scopes)
    baseline = peak_rss_mb()
    result = CHILDREN[args.child](Path(args.csv), args)
    result["peak_rss_mb"] = peak_rss_mb()
    result["vm_hwm_mb"] = vm_hwm_mb()
    result["start_rss_mb"] = baseline
    print(json.dumps(result, default=str))


# --- the parent: measure, check, report -------------------------------------------------


def spawn(kind: str, path: Path, args, scope_specs: dict) -> dict:
    """Run one measurement in a fresh Python process and return what it printed."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        kind,
        "--csv",
        str(path),
        "--headers",
        args.headers,
        "--scopes",
        json.dumps(scope_specs),
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(kinds: list[str], path: Path, args, scope_specs: dict) -> dict[str, dict]:
    """Run every kind --repeat times, round-robin (so machine noise hits all alike).

    Per kind: the median (and min, as `<key>_min`) of each timing, the max of the peak RSS,
    the KPI values of the first run, and every run's raw numbers.
    """
    runs: dict[str, list[dict]] = {kind: [] for kind in kinds}
    for round_ in range(1, args.repeat + 1):
        for kind in kinds:
            runs[kind].append(spawn(kind, path, args, scope_specs))
            last = runs[kind][-1]
            print(
                f"  round {round_} {kind:14s} "
                + ", ".join(f"{k}={v:.3f}" for k, v in last.items() if k.endswith("_s") or k == "seconds")
            )
    results = {}
    for kind, done in runs.items():
        timings = [
            k
            for k, v in done[0].items()
            if isinstance(v, int | float) and (k.endswith("_s") or k == "seconds")
        ]
        summary: dict = {k: statistics.median(run[k] for run in done) for k in timings}
        summary |= {f"{k}_min": min(run[k] for run in done) for k in timings}
        for key in ("peak_rss_mb", "vm_hwm_mb", "import_rss_mb"):
            if key in done[0]:
                summary[key] = max(run[key] for run in done)
        summary["values"] = done[0].get("values")
        summary["runs"] = [{k: v for k, v in run.items() if k != "values"} for run in done]
        results[kind] = summary
    return results


def compare(app: dict, other: dict, label: str) -> int:
    """Every KPI the app computed must equal `other`'s to TOLERANCE (relative); returns how many were checked."""
    checked, wrong = 0, []
    for period, values in app.items():
        for key in KPI_KEYS:
            mine, theirs = values.get(key), other[period].get(key)
            if mine is None and theirs is None:
                continue
            checked += 1
            if mine is None or theirs is None or abs(mine - theirs) > TOLERANCE * max(1.0, abs(theirs)):
                wrong.append(f"{period}.{key}: app {mine!r} vs {label} {theirs!r}")
    if wrong:
        raise SystemExit(f"the app's KPIs differ from {label}:\n  " + "\n  ".join(wrong))
    return checked


def cpu_snapshot() -> tuple[float, float, float]:
    """(busy CPU seconds of the whole machine, CPU seconds of this process and its children, wall time)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    busy = (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")
    ours = sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )
    return busy, ours, time.monotonic()


def others_share(before: tuple[float, float, float], after: tuple[float, float, float]) -> float:
    """Share of the machine's CPU capacity that other processes used between two snapshots."""
    busy, ours, wall = (b - a for a, b in zip(before, after, strict=True))
    return max(busy - ours, 0.0) / (wall * (os.cpu_count() or 1))


def machine() -> dict[str, str]:
    """CPU model, cores, RAM and library versions, for the results header (read without importing them)."""
    from importlib.metadata import version

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "CPU": cpu,
        "cores": f"{os.cpu_count()} ({len(os.sched_getaffinity(0))} usable)",
        "RAM": f"{mem_kb / 1024**2:.1f} GiB",
        "OS": platform.platform(),
        "versions": f"Python {platform.python_version()}, "
        + ", ".join(f"{name} {version(name)}" for name in ("polars", "duckdb", "pandas", "numpy", "pyarrow")),
    }


def merge_profiles(runs: list[dict]) -> dict:
    """Per-row medians of several profile runs (every run lists the same rows in the same order)."""
    merged = {}
    for key, rows in runs[0].items():
        if not isinstance(rows, list):
            continue  # the RSS numbers every child reports
        merged[key] = [
            [*row[:-1], statistics.median(run[key][i][-1] for run in runs)]
            if key != "marks"
            else [row[0], *(statistics.median(run[key][i][j] for run in runs) for j in (1, 2, 3))]
            for i, row in enumerate(rows)
        ]
    return merged


def _stage_table(title: str, rows: list) -> list[str]:
    """One cProfile stage table as Markdown, indented by level, with each row's share of the top-level total."""
    tops = [seconds for level, _, seconds in rows if level == 0]
    total = sum(tops) or 1.0
    lines = [f"| {title} | s | share |", "|---|---:|---:|"]
    if len(tops) > 1:
        lines.append(f"| **total** | {total:.3f} | 100% |")
    for level, label, seconds in rows:
        lines.append(
            f"| {'&nbsp;&nbsp;&nbsp;&nbsp;' * level}{label} | {seconds:.3f} | {seconds / total:.0%} |"
        )
    return lines + [""]


def report(results: dict, profile: dict | None, path: Path, args, scope_specs: dict, others: float) -> str:
    """The results as Markdown: setup, one row per measurement, the targets, and the stage profile."""
    size_mb = path.stat().st_size / 1e6
    ing_app, ing_db, ing_pd = results["ingest_app"], results["ingest_duckdb"], results["ingest_pandas"]
    kpi_app, kpi_sql, kpi_pd = results["kpis_app"], results["kpis_sql"], results["kpis_pandas"]
    month, prev = scope_specs["month"], scope_specs["month_prev"]

    def row(label: str, result: dict, key: str, rss: bool, note: str) -> str:
        peak = f"{result['peak_rss_mb']:.0f}" if rss else ""
        return f"| {label} | {result[key]:.3f} | {result[key + '_min']:.3f} | {peak} | {note} |"

    lines = [
        "# Benchmark: ingest and Overview KPIs",
        "",
        f"`.venv/bin/python benchmarks/ingest_kpis.py --rows {args.rows} --repeat {args.repeat} "
        f"--headers {args.headers}{' --profile' if profile else ''}`, run {datetime.now():%Y-%m-%d %H:%M}. "
        f"Each measurement ran {args.repeat} times, each time in a fresh process, round-robin with the others: "
        "median and minimum wall time; peak RSS is the highest `ru_maxrss` of the whole process over the runs "
        "(imports included).",
        "",
        *[f"- **{k}**: {v}" for k, v in machine().items()],
        f"- **other processes** used {others:.0%} of the machine's CPU during the run"
        + (
            " — **the machine was busy: timings are inflated, compare min and median**"
            if others > 0.1
            else ""
        ),
        f"- **data**: {args.rows:,} tickets, **{size_mb:.1f} MB** CSV ({args.headers} headers, 17 columns, "
        f"{DAYS} days, UTF-8), `benchmarks/data/{path.name}`",
        f"- **scopes**: month = {month[0]} – {month[1]} (the app's default, last full month) with previous "
        f"{prev[0]} – {prev[1]}; all = whole data set (no previous period)",
        "",
        "| measurement | median (s) | min (s) | peak RSS (MB) | notes |",
        "|---|---:|---:|---:|---|",
        row(
            "ingest, app path",
            ing_app,
            "seconds",
            True,
            f"read bytes {ing_app['read_bytes_s']:.2f} s + `prepare` {ing_app['prepare_s']:.2f} s + "
            f"`ingest` (validate + load) {ing_app['ingest_s']:.2f} s; {ing_app['import_rss_mb']:.0f} MB "
            "after imports",
        ),
        row(
            "ingest, DuckDB `read_csv`",
            ing_db,
            "seconds",
            True,
            f"types inferred, plain in-memory DuckDB; {ing_db['import_rss_mb']:.0f} MB after imports",
        ),
        row(
            "ingest, pandas `read_csv`",
            ing_pd,
            "seconds",
            True,
            f"`parse_dates` on the 3 date columns; {ing_pd['import_rss_mb']:.0f} MB after imports",
        ),
        row(
            "KPIs, app: month + previous",
            kpi_app,
            "month_s",
            True,
            "`overview.summarise`; RSS includes the app's load",
        ),
        row("KPIs, app: whole data set", kpi_app, "all_s", False, "`overview.summarise`"),
        row(
            "charts, app: month", kpi_app, "charts_s", False, '`overview.volume(…, "1d")` + `top_categories`'
        ),
        row(
            "KPIs, hand SQL: month + previous",
            kpi_sql,
            "month_s",
            True,
            "one DuckDB query on a `read_csv` table; RSS includes the load",
        ),
        row("KPIs, hand SQL: whole data set", kpi_sql, "all_s", False, ""),
        row(
            "KPIs, pandas: month + previous",
            kpi_pd,
            "month_s",
            True,
            "boolean masks + Series methods; RSS includes the load",
        ),
        row("KPIs, pandas: whole data set", kpi_pd, "all_s", False, ""),
        "",
    ]
    targets = [
        ("ingest app / DuckDB read_csv", ing_app["seconds"] / ing_db["seconds"], "≤", 1.2),
        ("KPIs app / hand SQL, month + previous", kpi_app["month_s"] / kpi_sql["month_s"], "≤", 1.5),
        ("KPIs app / hand SQL, whole data set", kpi_app["all_s"] / kpi_sql["all_s"], "≤", 1.5),
        ("pandas / app KPIs, month + previous", kpi_pd["month_s"] / kpi_app["month_s"], "≥", 3.0),
        ("pandas / app KPIs, whole data set", kpi_pd["all_s"] / kpi_app["all_s"], "≥", 3.0),
        ("peak RSS app ingest / CSV size", ing_app["peak_rss_mb"] / size_mb, "≤", 3.0),
    ]
    lines += ["| ratio (medians) | value | target | |", "|---|---:|---:|---|"]
    for name, value, op, target in targets:
        met = value <= target if op == "≤" else value >= target
        lines.append(f"| {name} | {value:.2f} | {op} {target} | {'met' if met else '**missed**'} |")
    lines += [
        "",
        f"Before any timing was reported, the app's KPIs were checked against the hand SQL's and pandas' "
        f"({results['checked']} values each: month, previous month, whole data set; relative tolerance "
        f"{TOLERANCE:g}). Both baselines add the repeat-contact flag while loading, as the app's `store.load` "
        "does, so the KPI rows compare the work of one page render only.",
        "",
    ]
    if profile:
        lines += [
            "## Where the app's time goes",
            "",
            f"The app path under cProfile, {args.repeat} fresh processes, per-row medians (inclusive times; "
            "cProfile adds a few per cent). Memory after each step (current RSS / peak so far):",
            "",
            "| step | s | RSS (MB) | peak so far (MB) |",
            "|---|---:|---:|---:|",
            *[
                f"| {label} | {seconds:.2f} | {rss:.0f} | {peak:.0f} |"
                for label, seconds, rss, peak in profile["marks"]
            ],
            "",
            *_stage_table("ingest stage", profile["ingest"]),
            *_stage_table("KPIs, month + previous", profile["kpis_month"]),
            *_stage_table("KPIs, whole data set", profile["kpis_all"]),
            *_stage_table("charts, month", profile["charts_month"]),
        ]
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    """Generate (or reuse) the CSV, run every measurement, check the numbers, write the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--headers", choices=sorted(HEADERS), default="zh", help="header (and value) language"
    )
    parser.add_argument("--profile", action="store_true", help="also profile the app path stage by stage")
    parser.add_argument("--only", nargs="*", choices=MEASURED, help="run only these; print, write nothing")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--scopes", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args)
        return
    if args.generate:
        write_csv(args.rows, args.seed, args.headers)
        return

    path = ensure_csv(args.rows, args.seed, args.headers)
    print(f"CSV: {path.stat().st_size / 1e6:.1f} MB, {args.rows:,} rows")
    check_mapping(path, args.headers)
    scope_specs = {k: None if v is None else [d.isoformat() for d in v] for k, v in scopes().items()}
    before = cpu_snapshot()
    results = measure(list(args.only or MEASURED), path, args, scope_specs)
    if args.only:
        return
    results["checked"] = compare(results["kpis_app"]["values"], results["kpis_sql"]["values"], "hand SQL")
    compare(results["kpis_app"]["values"], results["kpis_pandas"]["values"], "pandas")
    profile = None
    if args.profile:
        profile = merge_profiles([spawn("profile_app", path, args, scope_specs) for _ in range(args.repeat)])
    text = report(results, profile, path, args, scope_specs, others_share(before, cpu_snapshot()))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print()
    print(text)


if __name__ == "__main__":
    main()
