"""The Settings page's tables: KPI targets and per-priority SLA targets as editable rows, and back."""

from __future__ import annotations

import math

import polars as pl

from lib.engine.kpis import BY_KEY, KPIS, Kpi, Settings
from lib.i18n import t

# Ratios are edited in percent (95, not 0.95): what people write in their target sheets.
_PERCENT = 100.0


def judged() -> tuple[Kpi, ...]:
    """The KPIs a target makes sense for: those with a good direction."""
    return tuple(k for k in KPIS if k.better is not None)


def _shown(kpi: Kpi, value: float | None) -> float | None:
    if value is None:
        return None
    return value * _PERCENT if kpi.unit == "ratio" else value


def kpi_rows(settings: Settings, lang: str) -> pl.DataFrame:
    """One row per judged KPI: key, label, unit word, default target, current target (ratios in %)."""
    units = {
        "ratio": "%",
        "hours": "h",
        "minutes": "min",
        "currency": "¥",
        "points": "",
        "count": "",
        "score": "",
    }
    return pl.DataFrame(
        {
            "key": [k.key for k in judged()],
            "kpi": [k.label[0] if lang == "zh" else k.label[1] for k in judged()],
            "unit": [units[k.unit] for k in judged()],
            "better": [t(f"settings.better_{k.better}", lang) for k in judged()],
            "default": [_shown(k, k.target) for k in judged()],
            "target": [_shown(k, settings.target(k)) for k in judged()],
        },
        schema_overrides={"default": pl.Float64, "target": pl.Float64},
    )


def priority_rows(settings: Settings, priorities: list[str]) -> pl.DataFrame:
    """One row per priority in the data or in the settings: response and resolution hours (empty = general)."""
    saved = {p: (response, resolution) for p, response, resolution in settings.priority_targets}
    names = list(dict.fromkeys([*sorted(priorities), *saved]))
    return pl.DataFrame(
        {
            "priority": names,
            "response_hours": [saved.get(p, (None, None))[0] for p in names],
            "resolution_hours": [saved.get(p, (None, None))[1] for p in names],
        },
        schema={"priority": pl.String, "response_hours": pl.Float64, "resolution_hours": pl.Float64},
    )


def _hours(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number >= 0 else None


def settings_from_rows(
    response_hours: float,
    resolution_hours: float,
    tolerance_percent: float,
    kpi_table: pl.DataFrame,
    priority_table: pl.DataFrame,
) -> Settings:
    """Settings from the edited tables; only targets that differ from the default are kept.

    Empty or invalid cells fall back: a KPI target to its default, a priority's
    hours to the general target.
    """
    targets = []
    for row in kpi_table.iter_rows(named=True):
        kpi = BY_KEY.get(row["key"])
        value = row["target"]
        if kpi is None or value is None or not math.isfinite(value):
            continue
        target = value / _PERCENT if kpi.unit == "ratio" else float(value)
        if kpi.target is None or not math.isclose(target, kpi.target):
            targets.append((kpi.key, target))
    priorities = tuple(
        (str(row["priority"]), _hours(row["response_hours"]), _hours(row["resolution_hours"]))
        for row in priority_table.iter_rows(named=True)
        if row["priority"] not in (None, "")
        and (_hours(row["response_hours"]) is not None or _hours(row["resolution_hours"]) is not None)
    )
    default = Settings()

    def given(value: float | None, fallback: float) -> float:
        return value if value is not None else fallback

    tolerance = _hours(tolerance_percent)
    return Settings(
        response_target_hours=given(_hours(response_hours), default.response_target_hours),
        resolution_target_hours=given(_hours(resolution_hours), default.resolution_target_hours),
        targets=tuple(sorted(targets)),
        tolerance=given(tolerance / _PERCENT if tolerance is not None else None, default.tolerance),
        priority_targets=tuple(sorted(priorities)),
    )
