"""The alert explanations' grouped counterfactuals (one group-by per dimension) equal the per-segment ones."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from lib.analysis import alerts
from lib.engine import partials
from lib.engine.kpis import BY_KEY, Settings, evaluate
from lib.engine.store import Frames, Scope

SEED = 7
MARCH = Scope(date(2024, 3, 1), date(2024, 3, 31))
SETTINGS = Settings(priority_targets=(("P1", 2.0, 24.0),))


def _maybe(rng: np.random.Generator, values: list, n: int, missing: float = 0.1) -> list:
    picked = rng.choice(np.array(values, dtype=object), n)
    return [None if rng.random() < missing else v for v in picked]


def _tickets(rng: np.random.Generator, month: int, n: int, slower: float) -> pl.DataFrame:
    created = [datetime(2024, month, 1) + timedelta(minutes=int(m)) for m in rng.integers(0, 28 * 24 * 60, n)]
    # Region "north" got slower in March; some tickets still open, some resolved "before" they were created.
    region = _maybe(rng, ["north", "south", "east", "west"], n)
    hours = rng.exponential(20, n) * np.where(np.array(region, dtype=object) == "north", slower, 1.0)
    hours = np.where(rng.random(n) < 0.05, -3.0, hours)
    resolved = [
        None if rng.random() < 0.15 else c + timedelta(hours=float(h))
        for c, h in zip(created, hours, strict=True)
    ]
    response = [
        None if rng.random() < 0.1 else c + timedelta(hours=float(h))
        for c, h in zip(created, hours / 9, strict=True)
    ]
    return pl.DataFrame(
        {
            "ticket_id": [f"T{month}-{i}" for i in range(n)],
            "created_at": created,
            "first_response_at": response,
            "resolved_at": resolved,
            "channel": _maybe(rng, ["phone", "chat", "email"], n),
            "region": region,
            "category": _maybe(rng, ["leak", "noise", "install", "投诉"], n),
            "priority": _maybe(rng, ["P1", "P2", "P3"], n),
            "reopen_count": _maybe(rng, [0, 0, 0, 1, 2], n),
            "first_contact_resolved": _maybe(rng, [True, False, True], n),
            "repeat_contact": _maybe(rng, [True, False, False, False], n),
            "labor_cost": [None if rng.random() < 0.2 else float(v) for v in rng.gamma(2, 50, n)],
            "parts_cost": [None if rng.random() < 0.4 else float(v) for v in rng.gamma(2, 80, n)],
            "handle_minutes": [None if rng.random() < 0.1 else float(v) for v in rng.gamma(3, 5, n)],
        },
        schema_overrides={
            "first_response_at": pl.Datetime("us"),
            "resolved_at": pl.Datetime("us"),
            "reopen_count": pl.Int64,
            "first_contact_resolved": pl.Boolean,
            "repeat_contact": pl.Boolean,
        },
    )


def _surveys(rng: np.random.Generator, tickets: pl.DataFrame) -> pl.DataFrame:
    answered = tickets.filter(pl.Series(rng.random(tickets.height) < 0.4))
    n = answered.height
    return answered.select(
        (pl.col("created_at") + pl.duration(hours=3)).alias("submitted_at"),
        "ticket_id",
        "channel",
        "region",
        "category",
        "priority",
        pl.Series("csat", _maybe(rng, [1.0, 2.0, 3.0, 4.0, 5.0, 5.0], n), dtype=pl.Float64),
        pl.Series("nps", _maybe(rng, [float(v) for v in range(11)], n), dtype=pl.Float64),
        pl.lit(True).alias("ticket_in_scope"),
    )


def _history(tickets: pl.DataFrame, end: datetime) -> pl.DataFrame:
    return tickets.select(
        "created_at",
        "resolved_at",
        "channel",
        "region",
        "category",
        "priority",
        (pl.col("resolved_at").is_null() | (pl.col("resolved_at") >= end)).alias("open_at_end"),
    ).filter(pl.col("open_at_end"))


@pytest.fixture(scope="module")
def periods() -> tuple[Frames, Frames]:
    rng = np.random.default_rng(SEED)
    now, before = _tickets(rng, 3, 1500, 1.8), _tickets(rng, 2, 1400, 1.0)
    return (
        Frames(now, _surveys(rng, now), None, _history(now, datetime(2024, 4, 1)), MARCH),
        Frames(before, _surveys(rng, before), None, _history(before, datetime(2024, 3, 1)), MARCH.previous()),
    )


def _stacked(periods: tuple[Frames, Frames], key: str) -> alerts._Stacked:
    current, previous = periods
    table = BY_KEY[key].table
    return alerts._stack(getattr(current, table), getattr(previous, table), key, SETTINGS)


DECOMPOSABLE = [
    key
    for key, kpi in BY_KEY.items()
    if kpi.table != "customers"
    and "_p50" not in key
    and "_p90" not in key
    and key != "survey_response_rate"
    and not key.startswith("travel_cost")  # no travel cost in these tickets
]


def _same(grouped: list, one_by_one: list) -> None:
    """Same segments, rows and order; the KPI without each segment equal to floating-point rounding."""
    assert [c[:4] for c in grouped] == [c[:4] for c in one_by_one]
    assert [c[4] for c in grouped] == pytest.approx([c[4] for c in one_by_one], rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("key", DECOMPOSABLE)
def test_grouped_counterfactuals_equal_the_per_segment_ones(periods, key):
    current, _ = periods
    main = _stacked(periods, key)
    grouped = alerts._grouped(main, key, SETTINGS)
    assert grouped is not None, f"{key} is built from sums and means: it should be decomposed"
    one_by_one = alerts._one_by_one(current, {BY_KEY[key].table: main}, key, SETTINGS)
    dims = list(main.names)
    singles = grouped((), dims, 20)
    _same(singles, one_by_one((), dims, 20))
    compared = len(singles)
    # Pairs: inside the most frequent value of each dimension.
    for parent in dims:
        within = ((parent, main.top(parent, 1)[0][0]),)
        others = [dim for dim in dims if dim != parent]
        pairs = grouped(within, others, 5)
        _same(pairs, one_by_one(within, others, 5))
        compared += len(pairs)
    assert compared > 50


@pytest.mark.parametrize(
    "key", ["resolution_hours_mean", "resolution_rate", "resolution_sla_rate", "nps", "backlog"]
)
def test_explanations_are_the_same_either_way(periods, key, monkeypatch):
    current, previous = periods
    grouped = alerts.explain(current, previous, key, SETTINGS)
    monkeypatch.setattr(alerts, "_grouped", lambda *args: None)
    one_by_one = alerts.explain(current, previous, key, SETTINGS)
    assert [c.segment for c in grouped.contributions] == [c.segment for c in one_by_one.contributions]
    for a, b in zip(grouped.contributions, one_by_one.contributions, strict=True):
        assert (a.share, a.without) == pytest.approx((b.share, b.without), rel=1e-9)
        assert (a.rows_now, a.rows_before) == (b.rows_now, b.rows_before)


def test_region_north_explains_the_slower_resolution(periods):
    current, previous = periods
    got = alerts.explain(current, previous, "resolution_hours_mean", SETTINGS)
    assert got.change > 0
    assert ("region", "north") in got.contributions[0].segment


@pytest.mark.parametrize("key", ["resolution_hours_p90", "first_response_hours_p50", "survey_response_rate"])
def test_quantiles_and_distinct_counts_are_not_decomposed(key):
    have = frozenset({"created_at", "first_response_at", "resolved_at", "ticket_id", "ticket_in_scope"})
    assert partials.decompose(key, have, SETTINGS) is None


def test_a_decomposed_kpi_on_summed_parts_equals_the_kpi(periods):
    # Two halves of March: the KPI of the whole from the halves' summed parts.
    current, _ = periods
    tickets = current.tickets
    have = frozenset(tickets.columns)
    halves = [tickets.head(700), tickets.tail(tickets.height - 700)]
    from lib.engine.kpis import with_derived

    for key in ("resolution_sla_rate", "cost_per_ticket", "complaint_rate", "handle_minutes_mean"):
        decomposed = partials.decompose(key, have, SETTINGS)
        parts = [partials.summed(with_derived(half), decomposed.parts).collect() for half in halves]
        summed = pl.concat(parts).sum()
        assert summed.select(decomposed.combine).item() == pytest.approx(
            evaluate(current, (key,), SETTINGS)[key], rel=1e-12
        )
