"""Agents needed for a ticket forecast: Erlang C for live channels, workload ÷ hours for back-office work.

Erlang C is written here rather than taken from pyworkforce (MIT, 0.5.1): that package pulls in
OR-Tools (a 30 MB wheel, 82 MB installed, plus protobuf and absl) for its rostering module, and its
ErlangC refuses zero traffic, which a forecast has on closed days. The formula is a few lines in the
iterative Erlang B form, which needs no factorials and stays finite at 500 agents and more.
"""

from __future__ import annotations

import math
from typing import Literal

import polars as pl

Method = Literal["erlang_c", "workload"]


def erlang_c(traffic_erlangs: float, agents: int) -> float:
    """Probability that a contact waits (all agents busy), for `traffic_erlangs` offered to `agents`.

    1.0 when agents ≤ traffic: the queue then grows without end and everyone waits; 0.0 without traffic.
    """
    if traffic_erlangs < 0 or agents < 0:
        raise ValueError("traffic and agents must not be negative")
    if traffic_erlangs == 0:
        return 0.0
    if agents <= traffic_erlangs:
        return 1.0
    # Erlang B by its recurrence B(k) = A·B(k−1) / (k + A·B(k−1)), B(0) = 1: every step stays in [0, 1].
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = traffic_erlangs * blocking / (k + traffic_erlangs * blocking)
    return agents * blocking / (agents - traffic_erlangs * (1 - blocking))


def service_level(calls_per_hour: float, aht_seconds: float, agents: int, target_seconds: float) -> float:
    """Share of contacts answered within `target_seconds` (Erlang C): 1 − C·exp(−(N − A)·target / AHT)."""
    traffic = _traffic(calls_per_hour, aht_seconds)
    if target_seconds < 0:
        raise ValueError("target_seconds must not be negative")
    if traffic == 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    waiting = erlang_c(traffic, agents)
    return max(0.0, 1.0 - waiting * math.exp(-(agents - traffic) * target_seconds / aht_seconds))


def agents_for(
    calls_per_hour: float,
    aht_seconds: float,
    target_seconds: float,
    service_level_target: float = 0.8,
    max_occupancy: float = 0.85,
) -> int:
    """The fewest agents answering `service_level_target` of contacts within `target_seconds`.

    Also keeps occupancy (traffic ÷ agents) at or under `max_occupancy`, so that agents are not busy
    every minute. Agents on the phones, before shrinkage; 0 without contacts.
    """
    traffic = _traffic(calls_per_hour, aht_seconds)
    if not 0 < service_level_target < 1:
        raise ValueError("service_level_target must be between 0 and 1 (exclusive)")
    if not 0 < max_occupancy <= 1:
        raise ValueError("max_occupancy must be in (0, 1]")
    if traffic == 0:
        return 0
    agents = math.floor(traffic) + 1  # fewer than the traffic can never keep up
    while (
        traffic / agents > max_occupancy
        or service_level(calls_per_hour, aht_seconds, agents, target_seconds) < service_level_target
    ):
        agents += 1
    return agents


def agents_by_workload(
    tickets: float, aht_minutes: float, productive_hours_per_agent: float, shrinkage: float
) -> float:
    """Agents for work that can wait (back office, on-site visits): hours of work ÷ hours an agent gives.

    tickets × aht_minutes / 60 / (productive_hours_per_agent × (1 − shrinkage)); not rounded.
    """
    if tickets < 0 or aht_minutes < 0:
        raise ValueError("tickets and aht_minutes must not be negative")
    if productive_hours_per_agent <= 0:
        raise ValueError("productive_hours_per_agent must be positive")
    _check_shrinkage(shrinkage)
    return tickets * aht_minutes / 60 / (productive_hours_per_agent * (1 - shrinkage))


def plan(
    forecast: pl.DataFrame,
    aht_minutes: float,
    method: Method = "erlang_c",
    hours_open: tuple[int, int] = (8, 20),
    target_seconds: float = 20,
    service_level_target: float = 0.8,
    shrinkage: float = 0.3,
    productive_hours: float = 8.0,
    max_occupancy: float = 0.85,
    open_days_per_week: int = 7,
) -> pl.DataFrame:
    """Agents needed per period of a forecast (columns ds, yhat): columns ds, tickets, agents.

    `tickets` is yhat clipped at 0. `agents` is the headcount on duty on an (average open) day of the
    period, rounded up after shrinkage:
    - "erlang_c": the day's tickets spread evenly over `hours_open` (a real intraday profile can come
      later; peaks above the average hour need more) → calls per hour → `agents_for` → ÷ (1 − shrinkage).
      These agents are logged in all through the opening hours: when those are longer than one shift,
      the roster needs agents × open hours ÷ shift hours people.
    - "workload": `agents_by_workload` with `productive_hours` per agent and day.
    A weekly forecast (ds 7 days apart) is first divided by `open_days_per_week`.
    """
    if method not in ("erlang_c", "workload"):
        raise ValueError(f"unknown staffing method {method!r}")
    opens, closes = hours_open
    if not 0 <= opens < closes <= 24:
        raise ValueError(f"opening hours {hours_open} must lie within one day")
    if not 1 <= open_days_per_week <= 7:
        raise ValueError("open_days_per_week must be 1–7")
    _check_shrinkage(shrinkage)
    if forecast["ds"].n_unique() != forecast.height:
        raise ValueError("one forecast row per date expected (plan each segment separately)")
    periods = forecast.select(
        "ds", pl.col("yhat").cast(pl.Float64).clip(lower_bound=0).alias("tickets")
    ).sort("ds")
    gaps = periods["ds"].diff().drop_nulls().dt.total_days().unique()
    days_per_period = open_days_per_week if gaps.len() == 1 and gaps[0] == 7 else 1
    agents = []
    for tickets in periods["tickets"]:
        per_day = tickets / days_per_period
        if method == "workload":
            needed = agents_by_workload(per_day, aht_minutes, productive_hours, shrinkage)
        else:
            calls_per_hour = per_day / (closes - opens)
            on_phones = agents_for(
                calls_per_hour, aht_minutes * 60, target_seconds, service_level_target, max_occupancy
            )
            needed = on_phones / (1 - shrinkage)
        agents.append(_round_up(needed))
    return periods.with_columns(pl.Series("agents", agents, dtype=pl.Int64))


def _round_up(value: float) -> int:
    # 21 / (1 − 0.3) is 30.000000000000004 in floating point: plain ceil would ask for a 31st agent.
    return math.ceil(round(value, 9))


def _traffic(calls_per_hour: float, aht_seconds: float) -> float:
    if calls_per_hour < 0:
        raise ValueError("calls_per_hour must not be negative")
    if aht_seconds <= 0:
        raise ValueError("aht_seconds must be positive")
    return calls_per_hour * aht_seconds / 3600


def _check_shrinkage(shrinkage: float) -> None:
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage must be in [0, 1)")
