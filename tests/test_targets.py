"""The Settings page's editable tables turn into Settings and back."""

import polars as pl
import pytest

from lib.engine.kpis import BY_KEY, Settings
from lib.engine.targets import judged, kpi_rows, priority_rows, settings_from_rows


def edit(table: pl.DataFrame, key: str, value: float | None) -> pl.DataFrame:
    return table.with_columns(
        pl.when(pl.col("key") == key)
        .then(pl.lit(value, dtype=pl.Float64))
        .otherwise(pl.col("target"))
        .alias("target")
    )


def test_kpi_rows_show_ratios_in_percent_and_only_judged_kpis():
    rows = kpi_rows(Settings(targets=(("csat", 90.0),)), "en")
    assert set(rows["key"]) == {k.key for k in judged()}
    assert "tickets" not in rows["key"].to_list()  # no good direction, no target
    by_key = {r["key"]: r for r in rows.iter_rows(named=True)}
    assert by_key["resolution_rate"]["target"] == pytest.approx(95.0)  # default 0.95 shown as 95
    assert by_key["resolution_rate"]["unit"] == "%"
    assert by_key["csat"]["target"] == 90.0 and by_key["csat"]["default"] == 85.0
    assert by_key["backlog"]["target"] is None


def test_edited_targets_become_settings_keeping_only_the_changes():
    table = edit(edit(kpi_rows(Settings(), "zh"), "resolution_rate", 90.0), "backlog", 120.0)
    settings = settings_from_rows(2, 48, 15, table, priority_rows(Settings(), []))
    assert settings.targets == (("backlog", 120.0), ("resolution_rate", pytest.approx(0.9)))
    assert settings.response_target_hours == 2.0
    assert settings.resolution_target_hours == 48.0
    assert settings.tolerance == pytest.approx(0.15)
    assert settings.target(BY_KEY["csat"]) == 85.0  # untouched → default


def test_a_cleared_target_falls_back_to_the_default():
    table = edit(kpi_rows(Settings(targets=(("csat", 90.0),)), "en"), "csat", None)
    settings = settings_from_rows(4, 72, 10, table, priority_rows(Settings(), []))
    assert settings.target(BY_KEY["csat"]) == 85.0


def test_priority_rows_list_the_data_priorities_and_saved_ones():
    saved = Settings(priority_targets=(("P9", 1.0, None),))
    rows = priority_rows(saved, ["P2", "P1"])
    assert rows["priority"].to_list() == ["P1", "P2", "P9"]
    assert rows.row(2) == ("P9", 1.0, None)


def test_priority_hours_invalid_or_empty_use_the_general_target():
    rows = pl.DataFrame(
        {
            "priority": ["P1", "P2", "P3", None],
            "response_hours": [1.0, None, -2.0, 3.0],
            "resolution_hours": [24.0, None, float("nan"), 3.0],
        }
    )
    settings = settings_from_rows(4, 72, 10, kpi_rows(Settings(), "en"), rows)
    # P2 and P3 have nothing valid, the row without a priority is ignored
    assert settings.priority_targets == (("P1", 1.0, 24.0),)


def test_invalid_general_targets_keep_the_defaults():
    settings = settings_from_rows(
        -1, float("inf"), -5, kpi_rows(Settings(), "en"), priority_rows(Settings(), [])
    )
    assert settings == Settings()
