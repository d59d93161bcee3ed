"""The report's sentences: every one is built from computed values by a template, in zh and en.

A sentence states the number, its change on the comparison period and whether that is good, and
never claims what the data does not show: no change says "stable", no comparison says so, a
missing column says which one would fill it.
"""

from __future__ import annotations

from typing import Literal

from lib.analysis import formatting
from lib.engine.kpis import Kpi, Settings, change, status
from lib.i18n import t

# A change smaller than this is "stable": 2 % of the previous value, or for rates under half a
# percentage point, for CSAT/NPS points under one point (rates move in points, not percents).
STABLE_RELATIVE = 0.02
STABLE_ABSOLUTE = {"ratio": 0.005, "points": 1.0}

Direction = Literal["up", "down", "stable"]


def label(kpi: Kpi, lang: str) -> str:
    return kpi.label[0] if lang == "zh" else kpi.label[1]


def direction(kpi: Kpi, now: float | None, before: float | None) -> Direction | None:
    """Up, down or stable from `before` to `now`; None when either is missing."""
    absolute, relative = change(now, before)
    if absolute is None:
        return None
    if kpi.unit in STABLE_ABSOLUTE:
        moved = abs(absolute) >= STABLE_ABSOLUTE[kpi.unit]
    else:
        moved = abs(relative) >= STABLE_RELATIVE if relative is not None else absolute != 0
    if not moved:
        return "stable"
    return "up" if absolute > 0 else "down"


def judgement(kpi: Kpi, moved: Direction | None) -> Literal["better", "worse"] | None:
    """Whether a move is good for this KPI; None when it has no good direction or did not move."""
    if kpi.better is None or moved in (None, "stable"):
        return None
    return "better" if (moved == "up") == (kpi.better == "higher") else "worse"


def kpi_sentence(
    kpi: Kpi,
    now: float | None,
    before: float | None,
    settings: Settings,
    lang: str,
    *,
    compare: str | None = "previous",
    missing: str | None = None,
) -> str:
    """One KPI in a sentence: value, change on the comparison period, good or bad, and the target.

    E.g. "Response SLA rate: 86.1%, down 2.3 pp on the previous period (88.4%), a deterioration;
    it misses the target of 90.0%." `missing` is the reason shown when `now` is None; `compare` None
    (no comparison period at all, or one the data does not cover: `Context.compares`) leaves the change
    out rather than saying it is missing on every line.
    """
    name = label(kpi, lang)
    if now is None:
        return t("rpt.kpi.missing", lang, kpi=name, why=missing or t("kpi.no_rows", lang))
    words = t("rpt.kpi.value", lang, kpi=name, value=formatting.value(kpi, now, lang))
    when = t(f"rpt.compare.{compare}", lang) if compare else ""
    moved = direction(kpi, now, before) if compare else None
    if moved is None and compare:
        words += t("rpt.kpi.no_previous", lang, when=when)
    elif moved is not None:
        absolute, relative = change(now, before)
        size = (formatting.delta(kpi, absolute, relative, lang) or "").lstrip("+-")
        words += t(
            f"rpt.kpi.{moved}", lang, change=size, when=when, before=formatting.value(kpi, before, lang)
        )
        good = judgement(kpi, moved)
        if good:
            words += t(f"rpt.kpi.{good}", lang)
    state = status(kpi, now, settings)
    if state:
        words += t(f"rpt.kpi.target_{state}", lang, target=formatting.value(kpi, settings.target(kpi), lang))
    return words + t("rpt.end", lang)


def joined(items: list[str], lang: str) -> str:
    """ "a, b and c" / "a、b和c"."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    if lang == "zh":
        return "、".join(items[:-1]) + "和" + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]


def targets_sentence(met: list[Kpi], close: list[Kpi], missed: list[Kpi], lang: str) -> str:
    """How many KPIs with a target meet it, and which miss it."""
    total = len(met) + len(close) + len(missed)
    if not total:
        return t("rpt.targets.none", lang)
    if not missed and not close:
        return t("rpt.targets.all_met", lang, total=total)
    words = t("rpt.targets.count", lang, met=len(met), total=total)
    if missed:
        words += t("rpt.targets.missed", lang, kpis=joined([label(k, lang) for k in missed], lang))
    if close:
        words += t("rpt.targets.close", lang, kpis=joined([label(k, lang) for k in close], lang))
    return words + t("rpt.end", lang)


def share(value: float) -> str:
    return f"{value:.0%}" if value >= 0.1 else f"{value:.1%}"
