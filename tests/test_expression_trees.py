"""The engine's rewrite of masked quantiles: the same values as the declarations, overall and per group."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lib.engine import expression_trees
from lib.engine.kpis import BY_KEY, Settings, compiled, to_polars, with_derived

HAVE = frozenset({"created_at", "first_response_at", "resolved_at"})
QUANTILES = [key for key in BY_KEY if key.endswith(("_p50", "_p90"))]


@pytest.fixture(scope="module")
def tickets() -> pl.DataFrame:
    rng = np.random.default_rng(11)
    n = 3000
    created = [datetime(2024, 1, 1) + timedelta(hours=int(h)) for h in rng.integers(0, 5000, n)]
    # Nulls (open tickets), negatives (left out), and a group (7) whose every duration is missing.
    group = rng.integers(0, 40, n)
    hours = rng.normal(12, 20, n)
    resolved = [
        None if g == 7 or rng.random() < 0.2 else c + timedelta(hours=float(h))
        for c, h, g in zip(created, hours, group, strict=True)
    ]
    response = [c + timedelta(hours=float(abs(h)) / 7) for c, h in zip(created, hours, strict=True)]
    frame = pl.DataFrame(
        {"created_at": created, "first_response_at": response, "resolved_at": resolved, "group": group},
        schema_overrides={"resolved_at": pl.Datetime("us")},
    )
    return with_derived(frame).collect()


@pytest.mark.parametrize("key", QUANTILES)
def test_a_masked_quantile_becomes_a_filtered_one_with_the_same_values(tickets, key):
    declared = to_polars(BY_KEY[key].expr(HAVE, Settings()).alias(key))
    fast = compiled(key, HAVE, Settings())
    assert "Filter" in fast.meta.serialize(format="json")
    assert "Filter" not in declared.meta.serialize(format="json")
    assert tickets.select(fast).item() == pytest.approx(tickets.select(declared).item(), rel=1e-12)
    by_group = [tickets.group_by("group").agg(e).sort("group") for e in (declared, fast)]
    if key.startswith("resolution"):  # group 7 has no resolved ticket: no quantile either way
        assert by_group[1].filter(pl.col("group") == 7)[key].to_list() == [None]
    assert_frame_equal(by_group[1], by_group[0], rel_tol=1e-12, abs_tol=1e-12)


def test_other_aggregations_are_left_as_declared():
    for key in ("resolution_hours_mean", "resolution_sla_rate", "tickets"):
        declared = to_polars(BY_KEY[key].expr(HAVE, Settings()).alias(key))
        tree = expression_trees.tree(declared)
        assert expression_trees.filtered_quantiles(tree) == tree
