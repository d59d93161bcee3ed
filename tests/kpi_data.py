"""Seeded canonical tickets, survey answers and customers with the awkward values real exports have.

Nulls in every optional column, responses and resolutions before creation, tickets still open,
customers with several tickets inside 30 days, answers to unknown tickets, churn dates inside
and outside a range. Used where two engines must agree on the same rows.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import polars as pl

START = datetime(2024, 1, 1)
SPAN_DAYS = 365
CHANNELS = ("电话", "微信", "APP", "上门")
CATEGORIES = ("不制冷", "漏水", "噪音异常", "安装", "投诉-服务态度", "其他")
PRIORITIES = ("P1", "P2", "P3")
REGIONS = ("华东", "华北", "华南", "西南")
PRODUCTS = ("空调", "冰箱", "洗衣机")


def _some_null(rng: np.random.Generator, values: np.ndarray, share: float) -> list:
    mask = rng.random(len(values)) < share
    return [None if m else v for m, v in zip(mask, values.tolist(), strict=True)]


def _after(
    rng: np.random.Generator, created: np.ndarray, mean_hours: float, before: float, missing: float
) -> list:
    """A later moment: exponential hours after creation, a share before it (bad clocks), a share missing."""
    hours = rng.exponential(mean_hours, len(created))
    hours = np.where(rng.random(len(created)) < before, -rng.uniform(0.1, 5, len(created)), hours)
    moments = created + (hours * 3_600_000_000).astype("timedelta64[us]")
    return _some_null(rng, moments, missing)


def tickets(rows: int, seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    created = np.datetime64(START, "us") + rng.integers(0, SPAN_DAYS * 86_400_000_000, rows).astype(
        "timedelta64[us]"
    )
    customers = rng.integers(0, max(rows // 4, 1), rows)

    def pick(values: tuple[str, ...], missing: float = 0.02) -> list:
        return _some_null(rng, np.array(values)[rng.integers(0, len(values), rows)], missing)

    return pl.DataFrame(
        {
            "ticket_id": [f"T{i:07d}" for i in range(rows)],
            "created_at": created,
            "first_response_at": _after(rng, created, 3.0, 0.003, 0.05),
            "resolved_at": _after(rng, created, 50.0, 0.002, 0.08),
            "customer_id": _some_null(rng, np.char.add("C", customers.astype(str)), 0.01),
            "agent": pick(tuple(f"工程师{i:02d}" for i in range(40))),
            "channel": pick(CHANNELS),
            "category": pick(CATEGORIES),
            "priority": pick(PRIORITIES),
            "region": pick(REGIONS),
            "product": pick(PRODUCTS),
            "reopen_count": _some_null(rng, rng.poisson(0.08, rows), 0.01),
            "is_complaint": _some_null(rng, rng.random(rows) < 0.03, 0.02),
            "labor_cost": _some_null(rng, rng.gamma(2.0, 40.0, rows).round(2), 0.03),
            "parts_cost": _some_null(rng, rng.gamma(1.2, 60.0, rows).round(2), 0.3),
            "travel_cost": _some_null(rng, rng.gamma(1.5, 15.0, rows).round(2), 0.1),
            "handle_minutes": _some_null(rng, rng.gamma(3.0, 12.0, rows).round(1), 0.05),
        },
        schema_overrides={
            "created_at": pl.Datetime("us"),
            "first_response_at": pl.Datetime("us"),
            "resolved_at": pl.Datetime("us"),
            "reopen_count": pl.Int64,
            "is_complaint": pl.Boolean,
        },
    ).sort("created_at")


def surveys(ticket_rows: pl.DataFrame, share: float = 0.3, seed: int = 8) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    answered = ticket_rows.sample(fraction=share, seed=seed).select("ticket_id", "customer_id", "created_at")
    rows = answered.height
    delay = (rng.exponential(3.0, rows) * 86_400_000_000).astype("timedelta64[us]")
    ids = answered["ticket_id"].to_numpy().astype(object)
    ids[rng.random(rows) < 0.01] = "T-UNKNOWN"  # an answer to a ticket the export does not hold
    return pl.DataFrame(
        {
            "ticket_id": ids.tolist(),
            "customer_id": answered["customer_id"],
            "submitted_at": answered["created_at"].to_numpy() + delay,
            "csat": _some_null(
                rng, rng.choice([1, 2, 3, 4, 5], rows, p=[0.05, 0.05, 0.1, 0.3, 0.5]).astype(float), 0.05
            ),
            "nps": _some_null(rng, rng.integers(0, 11, rows).astype(float), 0.1),
        },
        schema_overrides={"submitted_at": pl.Datetime("us")},
    )


def customers(ticket_rows: pl.DataFrame, seed: int = 9) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    ids = ticket_rows["customer_id"].drop_nulls().unique().sort()
    rows = ids.len()
    signup = np.datetime64(datetime(2022, 1, 1), "us") + rng.integers(0, 900 * 86_400_000_000, rows).astype(
        "timedelta64[us]"
    )
    churned = rng.random(rows) < 0.12
    churned_at = np.datetime64(START, "us") + rng.integers(0, SPAN_DAYS * 86_400_000_000, rows).astype(
        "timedelta64[us]"
    )
    return pl.DataFrame(
        {
            "customer_id": ids,
            "region": _some_null(rng, np.array(REGIONS)[rng.integers(0, len(REGIONS), rows)], 0.02),
            "signup_at": _some_null(rng, signup, 0.02),
            "churned": _some_null(rng, churned, 0.01),
            "churned_at": [c if flag else None for c, flag in zip(churned_at.tolist(), churned, strict=True)],
        },
        schema_overrides={
            "signup_at": pl.Datetime("us"),
            "churned_at": pl.Datetime("us"),
            "churned": pl.Boolean,
        },
    )


def tables(rows: int) -> dict[str, pl.DataFrame]:
    """Seeded tickets with their answers and their customers, keyed by table."""
    ticket_rows = tickets(rows)
    return {"tickets": ticket_rows, "surveys": surveys(ticket_rows), "customers": customers(ticket_rows)}


def loaded(data: dict[str, pl.DataFrame]):
    """A session database (`store.connect`) holding `data`, loaded as an upload would be."""
    from lib.engine import store

    con = store.connect()
    for table, frame in data.items():
        store.load(con, table, frame)
    return con


def as_lake(data: dict[str, pl.DataFrame], folder, ticket_headers: dict[str, str]) -> dict[str, str]:
    """`data` as Parquet files in `folder`, the tickets under an export's own headers: table → path."""
    paths = {}
    for table, frame in data.items():
        path = folder / f"{table}.parquet"
        (frame.rename(ticket_headers) if table == "tickets" else frame).write_parquet(path)
        paths[table] = str(path)
    return paths
