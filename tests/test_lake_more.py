"""The rest of the app on the lake: the alert explanations, Explore, Churn and the full report from Spark
equal the local engine's on the seeded 100,000 tickets (tests/lake_fixtures.py), and what comes back is small.
"""

from __future__ import annotations

import math

import pytest

pytest.importorskip("pyspark", reason="Spark is optional: pip install -r requirements-spark.txt")
from lake_fixtures import SCOPES, SETTINGS, agree  # noqa: E402

pytestmark = pytest.mark.slow

# A KPI of each kind: a count, a rate of sums, a mean, a quantile (no group sums), a distinct-free
# survey KPI, one divided by another table's count, backlog (open tickets) and the customers' churn.
EXPLAINED = (
    "tickets",
    "resolution_rate",
    "resolution_hours_mean",
    "resolution_hours_p90",
    "nps",
    "survey_response_rate",
    "backlog",
    "churn_rate",
)


def _same_explanation(here, there) -> None:
    assert here.key == there.key
    for a, b in ((here.current, there.current), (here.previous, there.previous), (here.change, there.change)):
        assert agree(a, b, here.key) or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9))
    assert [c.segment for c in here.contributions] == [c.segment for c in there.contributions]
    for a, b in zip(here.contributions, there.contributions, strict=True):
        assert (a.rows_now, a.rows_before) == (b.rows_now, b.rows_before)
        assert math.isclose(a.share, b.share, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("name", SCOPES)
def test_the_alert_explanations_agree(lake_local, lake_engine, name):
    scope = SCOPES[name]
    here = lake_local.explain_alerts(scope, SETTINGS, EXPLAINED)
    there = lake_engine.explain_alerts(scope, SETTINGS, EXPLAINED)
    assert [e.key for e in there] == list(EXPLAINED)
    for a, b in zip(here, there, strict=True):
        _same_explanation(a, b)
    # The comparison is not empty: some KPI moved and was explained by named segments.
    assert any(e.contributions for e in here) or name == "against last year"
