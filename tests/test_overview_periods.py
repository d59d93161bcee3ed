"""The Overview reads both periods once: its cards and alert explanations equal the standalone functions'."""

from __future__ import annotations

from datetime import date

import pytest

from lib.analysis import alerts, overview
from lib.engine import store
from lib.engine.kpis import Settings

SETTINGS = Settings()


@pytest.mark.parametrize(
    "scope",
    [
        store.Scope(date(2026, 7, 1), date(2026, 7, 31)),  # a month against the month before
        store.Scope(date(2026, 7, 1), date(2026, 7, 31), filters=(("channel", ("电话",)),)),
        store.Scope(),  # everything: no comparison period
    ],
    ids=["month", "month_one_channel", "everything"],
)
def test_periods_give_the_same_summary_and_explanations(sample, scope):
    rows = overview.Periods(sample, scope, SETTINGS)
    summary = rows.summary()
    assert summary == overview.summarise(sample, scope, SETTINGS)
    red = tuple(kpi.key for kpi, _ in overview.alerts(summary, SETTINGS))
    assert red, "the sample data has red KPIs in every scope tested"
    assert alerts.explain_frames(rows.current, rows.previous, SETTINGS, red) == alerts.explain_alerts(
        sample, scope, SETTINGS, red
    )
    assert (rows.previous is None) == (scope.start is None)


def test_the_dimensions_are_read_only_with_a_comparison_period(sample):
    month = overview.Periods(sample, store.Scope(date(2026, 7, 1), date(2026, 7, 31)), SETTINGS)
    everything = overview.Periods(sample, store.Scope(), SETTINGS)
    assert "region" in month.current.tickets.columns
    assert "region" not in everything.current.tickets.columns


def test_no_alert_keys_explain_nothing_and_evaluate_nothing(sample, monkeypatch):
    # Regression: with no keys, `evaluate` would compute every KPI (its default) on the whole scope.
    rows = overview.Periods(sample, store.Scope(), SETTINGS)

    def refuse(*args, **kwargs):
        raise AssertionError("evaluated")

    monkeypatch.setattr(alerts, "evaluate", refuse)
    assert alerts.explain_frames(rows.current, rows.previous, SETTINGS, ()) == []
