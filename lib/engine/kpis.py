"""KPI declarations (SPEC §2) and the engine that evaluates them overall, per period or per dimension.

Each KPI is declared once, as a narwhals expression (Polars syntax) over the canonical
columns plus a few row-level columns the engine derives first (`DERIVED`: durations in
hours). Locally the declarations compile to Polars and run on the scoped frames read
from DuckDB; `lib.lake` runs the same declarations on Spark tables (docs/scaling.md).
"""

from __future__ import annotations

# long-module: the KPI declarations (one record each, ~330 lines) and the engine that evaluates them stay
# together: a KPI is added by adding one record here, and its columns, scope rules and compilation are
# read beside it (STYLE.md "declare, don't repeat").
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, lru_cache
from typing import Literal

import narwhals as nw
import numpy as np
import polars as pl

from lib.engine.store import Frames
from lib.schema import COST_FIELDS

Table = Literal["tickets", "surveys", "customers", "history"]
Unit = Literal["count", "ratio", "hours", "minutes", "currency", "points", "score"]
HOUR_US = 3_600_000_000


@dataclass(frozen=True)
class Settings:
    """Thresholds the KPI definitions depend on, and per-KPI targets overriding the defaults.

    Frozen and hashable (targets as pairs), so a page can key its cache on it.
    """

    response_target_hours: float = 4.0
    resolution_target_hours: float = 72.0  # the "T3" rule
    targets: tuple[tuple[str, float], ...] = ()
    tolerance: float = 0.10  # amber band: within 10 % of the target on the wrong side
    # (priority value, response hours, resolution hours): P1 is usually tighter than P4.
    # A priority not listed, or a None, uses the general target above.
    priority_targets: tuple[tuple[str, float | None, float | None], ...] = ()
    # The team's own measures (`lib.engine.measures`), KPI records like the built-in ones; saved with
    # their definitions by the caller (the mapping file / workspace), not by `to_dict`.
    measures: tuple[Kpi, ...] = ()

    def target(self, kpi: Kpi) -> float | None:
        return dict(self.targets).get(kpi.key, kpi.target)

    def sla_hours(self, which: Literal["response", "resolution"]) -> tuple[float, dict[str, float]]:
        """The general SLA target in hours and the per-priority ones that differ from it."""
        general = self.response_target_hours if which == "response" else self.resolution_target_hours
        index = 1 if which == "response" else 2
        return general, {row[0]: float(row[index]) for row in self.priority_targets if row[index] is not None}

    def to_dict(self) -> dict:
        """For the mapping file."""
        return {
            "response_target_hours": self.response_target_hours,
            "resolution_target_hours": self.resolution_target_hours,
            "targets": dict(self.targets),
            "tolerance": self.tolerance,
            "priority_targets": {
                priority: {"response_hours": response, "resolution_hours": resolution}
                for priority, response, resolution in self.priority_targets
            },
        }

    @classmethod
    def from_dict(cls, saved: dict) -> Settings:
        """Settings from a mapping file; unknown or malformed entries fall back to defaults."""
        default = cls()

        def number(name: str) -> float:
            value = saved.get(name, getattr(default, name))
            return float(value) if _is_hours(value) else getattr(default, name)

        def hours(row: dict, name: str) -> float | None:
            value = row.get(name) if isinstance(row, dict) else None
            return float(value) if _is_hours(value) else None

        targets = saved.get("targets") if isinstance(saved.get("targets"), dict) else {}
        per_priority = (
            saved.get("priority_targets") if isinstance(saved.get("priority_targets"), dict) else {}
        )
        return cls(
            response_target_hours=number("response_target_hours"),
            resolution_target_hours=number("resolution_target_hours"),
            targets=tuple(sorted((str(k), float(v)) for k, v in targets.items() if _is_number(v))),
            tolerance=number("tolerance"),
            priority_targets=tuple(
                sorted(
                    (str(p), hours(r, "response_hours"), hours(r, "resolution_hours"))
                    for p, r in per_priority.items()
                )
            ),
        )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value)


def _is_hours(value: object) -> bool:
    """A usable threshold: a finite number ≥ 0 (a target of −3 h or NaN would silently fail every ticket)."""
    return _is_number(value) and value >= 0


# Expression builders get the columns the table has and the settings, and return
# None when the KPI cannot be computed from those columns ("not available").
ExprFn = Callable[[frozenset[str], Settings], nw.Expr | None]


@dataclass(frozen=True)
class Kpi:
    """One KPI: what it is called, how it is judged, and the expression computing it (narwhals)."""

    key: str
    label: tuple[str, str]  # (zh, en)
    description: tuple[str, str]
    unit: Unit
    better: Literal["higher", "lower"] | None
    target: float | None
    table: Table
    needs: tuple[str, ...]  # canonical columns, shown when the KPI is not available
    expr: ExprFn
    card: bool = True  # shown as an Overview card


def _hours(later: str) -> pl.Expr:
    return (pl.col(later) - pl.col("created_at")).dt.total_microseconds() / HOUR_US


# Row-level columns every engine adds to the tickets before the KPIs run: name, the
# columns it is computed from, and the local (Polars) definition. `lib.lake` defines
# the same two for Spark, which narwhals cannot subtract timestamps on.
FIRST_RESPONSE_HOURS = _hours("first_response_at")
RESOLUTION_HOURS = _hours("resolved_at")
DERIVED: dict[str, tuple[tuple[str, str], pl.Expr]] = {
    "first_response_hours": (("created_at", "first_response_at"), FIRST_RESPONSE_HOURS),
    "resolution_hours": (("created_at", "resolved_at"), RESOLUTION_HOURS),
}
IS_RESOLVED = ~nw.col("resolved_at").is_null()


def _valid(hours: nw.Expr) -> nw.Expr:
    """Durations SPEC §2 counts: present and not negative (others become null, which aggregations skip)."""
    return nw.when(hours >= 0).then(hours)


def _present(col: str) -> nw.Expr:
    return ~nw.col(col).is_null()


def _count(condition: nw.Expr) -> nw.Expr:
    return condition.cast(nw.Int64).sum()


def _distinct(values: nw.Expr) -> nw.Expr:
    """Distinct non-null values (n_unique counts null as a value; drop_nulls does not run on Spark)."""
    return (values.n_unique() - values.is_null().any().cast(nw.Int64)).cast(nw.Float64)


def _needs(*cols: str) -> Callable[[ExprFn], ExprFn]:
    """Wrap a builder so it returns None unless every column in `cols` is present."""

    def wrap(build: ExprFn) -> ExprFn:
        return lambda have, settings: build(have, settings) if set(cols) <= have else None

    return wrap


def _share(condition: nw.Expr, among: nw.Expr | None = None) -> nw.Expr:
    """Share of rows (optionally of rows where `among` holds) meeting `condition`; null on 0 rows."""
    cond = nw.when(among).then(condition) if among is not None else condition
    return cond.cast(nw.Float64).mean()


def _fcr(have: frozenset[str], _: Settings) -> nw.Expr | None:
    if "resolved_at" not in have:
        return None
    if "first_contact_resolved" in have:
        return _share(nw.col("first_contact_resolved"), IS_RESOLVED & _present("first_contact_resolved"))
    if "reopen_count" in have:
        return _share(nw.col("reopen_count") == 0, IS_RESOLVED & _present("reopen_count"))
    return None


def _is_complaint(have: frozenset[str]) -> nw.Expr | None:
    if "is_complaint" in have:
        return nw.col("is_complaint").fill_null(False)
    if "category" in have:
        return nw.col("category").str.to_lowercase().str.contains("complaint|投诉").fill_null(False)
    return None


def _cost_total(have: frozenset[str]) -> nw.Expr | None:
    present = [c for c in COST_FIELDS if c in have]
    if not present:
        return None
    return nw.sum_horizontal(*[nw.col(c).sum() for c in present])


def _per_ticket(total: nw.Expr | None) -> nw.Expr | None:
    return None if total is None else nw.when(nw.len() > 0).then(total / nw.len())


def _duration_kpis(name: str, col: str, zh: str, en: str, target_mean: float) -> list[Kpi]:
    hours = nw.col(name)  # a DERIVED column
    stats = (
        ("mean", lambda h: h.mean(), "平均", "mean", target_mean),
        ("p50", lambda h: h.quantile(0.5, interpolation="linear"), "中位数", "median (p50)", None),
        ("p90", lambda h: h.quantile(0.9, interpolation="linear"), "P90", "90th percentile", None),
    )
    return [
        Kpi(
            f"{name}_{suffix}",
            (f"{zh}{label_zh}（小时）", f"{en} hours, {label_en}"),
            (
                f"{zh}（{col} − 创建时间）的{label_zh}，只计非负时长。",
                f"{label_en.capitalize()} of {en.lower()} time ({col} − created_at), negative durations left out.",
            ),
            "hours",
            "lower",
            target,
            "tickets",
            ("created_at", col),
            _needs("created_at", col)(lambda have, s, agg=agg: agg(_valid(hours))),
            card=suffix != "p50",
        )
        for suffix, agg, label_zh, label_en, target in stats
    ]


def _sla(derived: str, which: Literal["response", "resolution"]) -> ExprFn:
    def build(have: frozenset[str], settings: Settings) -> nw.Expr:
        general, per_priority = settings.sla_hours(which)
        hours = nw.col(derived)
        threshold = nw.lit(general, dtype=nw.Float64)
        if "priority" in have:
            # when/then, not replace_strict: narwhals has no replace_strict on Spark Connect
            for priority, limit in per_priority.items():
                threshold = (
                    nw.when(nw.col("priority") == priority)
                    .then(nw.lit(limit, dtype=nw.Float64))
                    .otherwise(threshold)
                )
        return _share(hours <= threshold, hours >= 0)

    return build


def _cost_component(component: str) -> list[Kpi]:
    zh = {"labor_cost": "人工", "parts_cost": "备件", "travel_cost": "差旅"}[component]
    en = {"labor_cost": "labour", "parts_cost": "parts", "travel_cost": "travel"}[component]
    return [
        Kpi(
            f"{component}_total",
            (f"{zh}成本合计", f"{en.capitalize()} cost, total"),
            (f"范围内工单的{zh}成本之和。", f"Sum of {en} cost over tickets in scope."),
            "currency",
            None,
            None,
            "tickets",
            (component,),
            _needs(component)(lambda have, s, c=component: nw.col(c).sum()),
            card=False,
        ),
        Kpi(
            f"{component}_per_ticket",
            (f"单均{zh}成本", f"{en.capitalize()} cost per ticket"),
            (f"{zh}成本合计 ÷ 工单数。", f"{en.capitalize()} cost total ÷ tickets."),
            "currency",
            "lower",
            None,
            "tickets",
            (component,),
            _needs(component)(lambda have, s, c=component: _per_ticket(nw.col(c).sum())),
            card=False,
        ),
    ]


KPIS: tuple[Kpi, ...] = (
    Kpi(
        "tickets",
        ("工单量", "Tickets"),
        (
            "创建时间在所选范围内并通过筛选的工单数。",
            "Tickets created in the selected range that pass the filters.",
        ),
        "count",
        None,
        None,
        "tickets",
        ("ticket_id",),
        lambda have, s: nw.len(),
    ),
    Kpi(
        "resolved",
        ("已解决工单", "Resolved tickets"),
        ("范围内有解决时间的工单数。", "Tickets in scope with a resolved time."),
        "count",
        None,
        None,
        "tickets",
        ("resolved_at",),
        _needs("resolved_at")(lambda have, s: _count(IS_RESOLVED)),
    ),
    Kpi(
        "resolution_rate",
        ("解决率", "Resolution rate"),
        ("已解决 ÷ 工单量。", "Resolved ÷ tickets."),
        "ratio",
        "higher",
        0.95,
        "tickets",
        ("resolved_at",),
        _needs("resolved_at")(lambda have, s: _share(IS_RESOLVED)),
    ),
    Kpi(
        "backlog",
        ("积压工单", "Backlog"),
        (
            "截至范围结束时已创建但尚未解决的工单（不论创建日期）。",
            "Tickets created on or before the range end and not resolved by it, whatever their creation date.",
        ),
        "count",
        "lower",
        None,
        "history",
        ("created_at", "resolved_at"),
        _needs("resolved_at")(lambda have, s: _count(nw.col("open_at_end"))),
    ),
    *_duration_kpis("first_response_hours", "first_response_at", "首次响应", "First response", 4.0),
    *_duration_kpis("resolution_hours", "resolved_at", "解决", "Resolution", 48.0),
    Kpi(
        "response_sla_rate",
        ("响应达标率", "Response SLA rate"),
        (
            "首次响应时长不超过响应目标（默认 4 小时）的工单占比。",
            "Share of first responses within the response target (default 4 h).",
        ),
        "ratio",
        "higher",
        0.90,
        "tickets",
        ("created_at", "first_response_at"),
        _needs("first_response_at")(_sla("first_response_hours", "response")),
    ),
    Kpi(
        "resolution_sla_rate",
        ("解决达标率（T3）", "Resolution SLA rate (T3)"),
        (
            "解决时长不超过解决目标（默认 72 小时）的已解决工单占比。",
            "Share of resolved tickets resolved within the target (default 72 h).",
        ),
        "ratio",
        "higher",
        0.90,
        "tickets",
        ("created_at", "resolved_at"),
        _needs("resolved_at")(_sla("resolution_hours", "resolution")),
    ),
    Kpi(
        "fcr_rate",
        ("一次解决率", "First-contact resolution rate"),
        (
            "已解决工单中一次解决的占比；无该列时用返修次数 = 0 代替。",
            "Share of resolved tickets fixed at first contact; without that column, share with reopen count 0.",
        ),
        "ratio",
        "higher",
        0.80,
        "tickets",
        ("first_contact_resolved|reopen_count", "resolved_at"),
        _fcr,
    ),
    Kpi(
        "reopen_rate",
        ("返修率", "Reopen rate"),
        ("已解决工单中返修次数 > 0 的占比。", "Share of resolved tickets reopened at least once."),
        "ratio",
        "lower",
        0.05,
        "tickets",
        ("reopen_count", "resolved_at"),
        _needs("reopen_count", "resolved_at")(
            lambda have, s: _share(nw.col("reopen_count") > 0, IS_RESOLVED & _present("reopen_count"))
        ),
    ),
    Kpi(
        "repeat_contact_rate",
        ("重复来电率", "Repeat contact rate"),
        (
            "有客户编号的工单中，该客户在此前 30 天内另有工单的占比。",
            "Share of tickets with a customer whose customer had another ticket in the 30 days before.",
        ),
        "ratio",
        "lower",
        0.10,
        "tickets",
        ("customer_id",),
        _needs("repeat_contact")(
            lambda have, s: _share(nw.col("repeat_contact"), _present("repeat_contact"))
        ),
    ),
    Kpi(
        "complaints",
        ("投诉量", "Complaints"),
        (
            "标记为投诉的工单数（无该列时：类型含“投诉”）。",
            "Tickets marked as complaints (without that column: category contains “complaint”).",
        ),
        "count",
        "lower",
        None,
        "tickets",
        ("is_complaint|category",),
        lambda have, s: None if (c := _is_complaint(have)) is None else _count(c),
    ),
    Kpi(
        "complaint_rate",
        ("投诉率", "Complaint rate"),
        ("投诉量 ÷ 工单量。", "Complaints ÷ tickets."),
        "ratio",
        "lower",
        0.03,
        "tickets",
        ("is_complaint|category",),
        lambda have, s: None if (c := _is_complaint(have)) is None else _share(c),
    ),
    Kpi(
        "cost_total",
        ("服务总成本", "Total cost"),
        (
            "范围内工单的人工、备件、差旅成本之和。",
            "Sum of labour, parts and travel cost over tickets in scope.",
        ),
        "currency",
        None,
        None,
        "tickets",
        ("labor_cost|parts_cost|travel_cost",),
        lambda have, s: _cost_total(have),
    ),
    Kpi(
        "cost_per_ticket",
        ("单均成本", "Cost per ticket"),
        ("服务总成本 ÷ 工单量。", "Total cost ÷ tickets."),
        "currency",
        "lower",
        None,
        "tickets",
        ("labor_cost|parts_cost|travel_cost",),
        lambda have, s: _per_ticket(_cost_total(have)),
    ),
    *[k for c in COST_FIELDS for k in _cost_component(c)],
    Kpi(
        "handle_minutes_mean",
        ("平均处理时长（分钟）", "Average handle time (min)"),
        ("处理时长的平均值（AHT）。", "Mean handle time (AHT)."),
        "minutes",
        "lower",
        None,
        "tickets",
        ("handle_minutes",),
        _needs("handle_minutes")(lambda have, s: nw.col("handle_minutes").mean()),
    ),
    Kpi(
        "csat",
        ("满意度 CSAT", "CSAT"),
        ("满意度 ≥ 4 分（1–5 分制）的回答占比 × 100。", "100 × share of answers scoring 4 or 5 (1–5 scale)."),
        "points",
        "higher",
        85.0,
        "surveys",
        ("csat",),
        _needs("csat")(lambda have, s: 100 * _share(nw.col("csat") >= 4, _present("csat"))),
    ),
    Kpi(
        "csat_mean",
        ("平均满意度", "Average CSAT score"),
        ("满意度评分（1–5）的平均值。", "Mean satisfaction score (1–5)."),
        "score",
        "higher",
        None,
        "surveys",
        ("csat",),
        _needs("csat")(lambda have, s: nw.col("csat").mean()),
        card=False,
    ),
    Kpi(
        "nps",
        ("净推荐值 NPS", "NPS"),
        (
            "100 ×（推荐者 9–10 分 − 贬损者 0–6 分）÷ 有效回答。",
            "100 × (promoters 9–10 − detractors 0–6) ÷ answers with a score.",
        ),
        "points",
        "higher",
        30.0,
        "surveys",
        ("nps",),
        _needs("nps")(
            lambda have, s: (
                100
                * (_share(nw.col("nps") >= 9, _present("nps")) - _share(nw.col("nps") <= 6, _present("nps")))
            )
        ),
    ),
    Kpi(
        "survey_responses",
        ("回访回答数", "Survey responses"),
        ("提交时间在范围内的回答数。", "Survey answers submitted in the range."),
        "count",
        None,
        None,
        "surveys",
        ("submitted_at",),
        lambda have, s: nw.len(),
    ),
    Kpi(
        "survey_response_rate",
        ("回访回复率", "Survey response rate"),
        (
            "范围内工单中有回访回答的不同工单数 ÷ 工单量。",
            "Distinct tickets in scope with an answer ÷ tickets.",
        ),
        "ratio",
        "higher",
        0.30,
        "surveys",
        ("ticket_id",),
        _needs("ticket_id", "ticket_in_scope")(
            lambda have, s: _distinct(nw.when(nw.col("ticket_in_scope")).then(nw.col("ticket_id")))
        ),
    ),
    Kpi(
        "churn_rate",
        ("客户流失率", "Churn rate"),
        ("流失客户 ÷ 客户数（客户表）。", "Churned customers ÷ customers (customers table)."),
        "ratio",
        "lower",
        0.05,
        "customers",
        ("churned",),
        _needs("churned")(lambda have, s: _share(nw.col("churned_in_scope"), _present("churned_in_scope"))),
    ),
)

BY_KEY: dict[str, Kpi] = {k.key: k for k in KPIS}
# survey_response_rate is computed on surveys as a count of answered tickets, then divided.
_DIVIDE_BY_TICKETS = ("survey_response_rate",)


def every_key(settings: Settings) -> tuple[str, ...]:
    """Every KPI key the cards show: the built-in ones, then the team's own measures."""
    return (*BY_KEY, *(m.key for m in settings.measures))


def kpi_of(key: str, settings: Settings | None = None) -> Kpi:
    """The KPI record for `key`: a built-in one, else one of the team's measures in `settings`.

    Raises KeyError for a key that is neither.
    """
    if key in BY_KEY:
        return BY_KEY[key]
    for measure in settings.measures if settings else ():
        if measure.key == key:
            return measure
    raise KeyError(key)


def _by_columns(by: str | tuple[str, ...] | None) -> tuple[str, ...]:
    return (by,) if isinstance(by, str) else tuple(by or ())


def columns_for(
    keys: tuple[str, ...] | None = None,
    by: str | tuple[str, ...] | None = None,
    settings: Settings | None = None,
) -> set[str]:
    """The ticket columns the KPIs in `keys` (default: all) can read, plus `by`.

    `needs` says what makes a KPI available; the expressions read less. The ticket count
    reads no column and the repeat-contact rate reads the flag computed at load, so the two
    text ids (the widest columns) are read only when asked for as `by`.
    """
    wanted = {
        c for k in (keys or tuple(BY_KEY)) for need in kpi_of(k, settings).needs for c in need.split("|")
    }
    wanted -= _NEEDED_NOT_READ
    # Durations, periods, repeat contacts, per-priority SLA targets.
    wanted |= {"created_at", "resolved_at", "repeat_contact", "priority"}
    return wanted | set(_by_columns(by))


_NEEDED_NOT_READ = frozenset({"ticket_id", "customer_id"})


def evaluate(
    frames: Frames, keys: tuple[str, ...] | None = None, settings: Settings | None = None
) -> dict[str, float | None]:
    """Every KPI in `keys` (default: all) over the scope; None where not available; counts as integers."""
    table = evaluate_by(frames, keys, settings=settings)
    row = table.row(0, named=True) if table.height else {}
    return {k: _clean(row.get(k), kpi_of(k, settings).unit) for k in (keys or BY_KEY)}


def _clean(value: object, unit: Unit) -> float | int | None:
    if value is None:
        return None
    value = float(value)
    if np.isnan(value) or np.isinf(value):
        return None
    return int(round(value)) if unit == "count" else value


def evaluate_by(
    frames: Frames,
    keys: tuple[str, ...] | None = None,
    *,
    by: str | tuple[str, ...] | None = None,
    every: str | None = None,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """KPIs in one frame: one row overall, or one row per value of `by` or per `every` period.

    `by` is a dimension column, or a tuple of them (one row per combination present); `every` a Polars duration ("1d", "1w", "1mo") applied
    to each table's own date (tickets: created_at, surveys: submitted_at). Backlog
    per period is the open count at each period's end; customers have no period view.
    Each table is aggregated in one `group_by().agg()`; the results are joined on the key.
    """
    settings = settings or Settings()
    by_cols = _by_columns(by)
    wanted = [kpi_of(k, settings) for k in (keys or tuple(BY_KEY))]
    if any(k.key in _DIVIDE_BY_TICKETS for k in wanted) and "tickets" not in [k.key for k in wanted]:
        wanted.append(BY_KEY["tickets"])
    period_col = {"tickets": "created_at", "surveys": "submitted_at", "history": None, "customers": None}
    parts: list[pl.DataFrame] = []
    for table in ("tickets", "surveys", "customers", "history"):
        frame = getattr(frames, table)
        have = frozenset(frame.columns) if frame is not None else frozenset()
        kpis = [k for k in wanted if k.table == table]
        if not kpis or frame is None:
            continue
        available_here = tuple(k.key for k in kpis if k.expr(have, settings) is not None)
        if not available_here:
            continue
        if every and table == "history":
            if not frames.history_by_period:
                raise ValueError("backlog per period needs store.scoped(..., by_period=True)")
            parts.append(
                _backlog_by_period(frame, frames.tickets, every, by_cols, frames.scope.end_exclusive)
            )
            continue
        if every and period_col[table] is None:
            continue
        if any(c not in have for c in by_cols):
            continue
        parts.append(
            _aggregate(
                frame, available_here, have, settings, by_cols, period_col[table] if every else None, every
            )
        )
    keys_out = list(by_cols) + (["period"] if every else [])
    result = _join(parts, keys_out)
    for key in _DIVIDE_BY_TICKETS:
        if key in result.columns:
            ratio = (
                pl.when(pl.col("tickets") > 0).then(pl.col(key) / pl.col("tickets")).otherwise(None)
                if "tickets" in result.columns
                else pl.lit(None, dtype=pl.Float64)
            )
            result = result.with_columns(ratio.alias(key))
    missing = [pl.lit(None, dtype=pl.Float64).alias(k.key) for k in wanted if k.key not in result.columns]
    result = result.with_columns(missing) if missing else result
    ordered = keys_out + [k.key for k in wanted]
    result = result.select(ordered)
    return result.sort(keys_out, nulls_last=True) if keys_out else result


def _aggregate(
    frame,
    keys: tuple[str, ...],
    have: frozenset[str],
    settings: Settings,
    by: tuple[str, ...],
    period: str | None,
    every: str | None,
) -> pl.DataFrame:
    """One table's KPIs in one `group_by().agg()` (one `select` without groups), as a Polars frame.

    A Polars frame (the local engine) gets the DERIVED columns its columns allow and the
    declarations compiled to Polars; any other frame is an engine's lazy table
    (`lib.lake`) that already has them, run through narwhals.
    """
    if isinstance(frame, pl.DataFrame):
        lazy = with_derived(frame)
        group = [pl.col(c) for c in by]
        if period:
            group.append(pl.col(period).dt.truncate(every).cast(pl.Date).alias("period"))
        exprs = [compiled(key, have, settings) for key in keys]
        return (lazy.group_by(group).agg(exprs) if group else lazy.select(exprs)).collect()
    lazy = nw.from_native(frame)
    group = [nw.col(c) for c in by]
    if period:
        group.append(_truncated(period, every).cast(nw.Date).alias("period"))
    exprs = [kpi_of(key, settings).expr(have, settings).alias(key) for key in keys]
    result = lazy.group_by(*group).agg(*exprs) if group else lazy.select(*exprs)
    return result.collect(backend="polars").to_native()


def with_derived(frame: pl.DataFrame) -> pl.LazyFrame:
    """`frame` (lazy) with the DERIVED columns its columns allow: what the declarations read."""
    return frame.lazy().with_columns(
        [expr.alias(name) for name, (sources, expr) in DERIVED.items() if set(sources) <= set(frame.columns)]
    )


def _truncated(column: str, every: str) -> nw.Expr:
    """`dt.truncate(every)` for an engine's lazy table; a week starts on Monday, as in Polars.

    narwhals on Spark has no week unit ("1w" is refused), so a week is the day moved back by its
    weekday (1 = Monday … 7 = Sunday), one constant offset per weekday.
    """
    if every != "1w":
        return nw.col(column).dt.truncate(every)
    day = nw.col(column).dt.truncate("1d")
    weekday = nw.col(column).dt.weekday()
    monday = day
    for back in range(1, 7):
        hit = weekday == back + 1
        if back == 6:
            hit = hit | (weekday == 0)  # narwhals 2.29 on Spark numbers Sunday 0, not 7
        monday = nw.when(hit).then(day.dt.offset_by(f"-{back}d")).otherwise(monday)
    return monday


@lru_cache(maxsize=4096)
def compiled(key: str, have: frozenset[str], settings: Settings) -> pl.Expr:
    """A declaration compiled to Polars once per table shape and settings (compiling costs ~1 ms)."""
    return to_polars(kpi_of(key, settings).expr(have, settings).alias(key))


def to_polars(expr: nw.Expr) -> pl.Expr:
    """The Polars expression narwhals compiles a declaration to: how the local engine runs it.

    The one use of narwhals internals (`_to_compliant_expr`, its Polars namespace), pinned with
    narwhals==2.29.0 and checked by tests/test_private_apis.py. narwhals has no public "compile this
    expression to a native one": the public way is `nw.from_native(frame).select(expr)`, which compiles
    on every call and hands back a frame, so the KPI engine could not cache one expression per shape.
    """
    return expr._to_compliant_expr(_polars_namespace()).native


@cache
def _polars_namespace():
    from narwhals._polars.namespace import PolarsNamespace
    from narwhals._utils import Version

    return PolarsNamespace(version=Version.MAIN)


def reads(kpi: Kpi, have: frozenset[str], settings: Settings) -> frozenset[str]:
    """The columns of a table with `have` that `kpi` reads, DERIVED ones replaced by their sources."""
    expr = kpi.expr(have, settings)
    if expr is None:
        return frozenset()
    names = set(to_polars(expr).meta.root_names())
    for name, (sources, _) in DERIVED.items():
        if name in names:
            names = (names - {name}) | set(sources)
    return frozenset(names)


def _join(parts: list[pl.DataFrame], keys: list[str]) -> pl.DataFrame:
    if not parts:
        return pl.DataFrame()
    if not keys:
        return pl.concat(parts, how="horizontal")
    result = parts[0]
    for part in parts[1:]:
        result = result.join(part, on=keys, how="full", coalesce=True, nulls_equal=True)
    return result


def _backlog_by_period(
    history: pl.DataFrame,
    tickets: pl.DataFrame | None,
    every: str,
    by: tuple[str, ...],
    range_end: datetime | None,
) -> pl.DataFrame:
    """Open tickets at each period's end (or the range end, if sooner), for every period of the range.

    A ticket is closed at e when max(created, resolved) < e (this also covers rows
    resolved before they were created), so open(e) = #created < e − #closed < e.
    """
    key = list(by)
    schema = {**{c: history.schema[c] for c in by}, "period": pl.Date, "backlog": pl.Float64}
    if tickets is None or not tickets.height:
        return pl.DataFrame(schema=schema)
    first = tickets["created_at"].min().date()
    last = (range_end - timedelta(microseconds=1)).date() if range_end else tickets["created_at"].max().date()
    # From the start of the first period, so a range starting on a Sunday still has next week.
    first = pl.select(pl.lit(first).dt.truncate(every)).item()
    periods = pl.DataFrame({"period": pl.date_range(first, last, every, eager=True)})
    ends = periods.with_columns(pl.col("period").dt.offset_by(every).cast(pl.Datetime("us")).alias("_end"))
    if range_end:
        ends = ends.with_columns(
            pl.min_horizontal("_end", pl.lit(range_end, dtype=pl.Datetime("us"))).alias("_end")
        )
    groups = history.partition_by(key, as_dict=True, maintain_order=True) if by else {(): history}
    out = []
    for group_key, rows in groups.items():
        created = np.sort(rows["created_at"].to_numpy())
        closed = np.sort(
            rows.filter(pl.col("resolved_at").is_not_null())
            .select(pl.max_horizontal("created_at", "resolved_at"))
            .to_series()
            .to_numpy()
        )
        at = ends["_end"].to_numpy()
        open_count = np.searchsorted(created, at, side="left") - np.searchsorted(closed, at, side="left")
        frame = ends.drop("_end").with_columns(pl.Series("backlog", open_count.astype(float)))
        if by:
            values = [pl.lit(value, dtype=schema[c]).alias(c) for c, value in zip(by, group_key, strict=True)]
            frame = frame.select(*values, "period", "backlog")
        out.append(frame)
    return pl.concat(out) if out else pl.DataFrame(schema=schema)


Status = Literal["green", "amber", "red"]


def status(kpi: Kpi, value: float | None, settings: Settings | None = None) -> Status | None:
    """Green when the target is met, amber within the tolerance of it, red beyond; None without a target."""
    settings = settings or Settings()
    target = settings.target(kpi)
    if value is None or target is None or kpi.better is None:
        return None
    shortfall = (target - value) if kpi.better == "higher" else (value - target)
    if shortfall <= 0:
        return "green"
    return "amber" if shortfall <= abs(target) * settings.tolerance else "red"


def change(current: float | None, previous: float | None) -> tuple[float | None, float | None]:
    """Absolute and relative change from `previous` to `current` (relative None when previous is 0)."""
    if current is None or previous is None:
        return None, None
    relative = (current - previous) / abs(previous) if previous else None
    return current - previous, relative


def available(kpi: Kpi, columns: frozenset[str], settings: Settings | None = None) -> bool:
    """Whether `kpi` can be computed from a table with `columns`."""
    return kpi.expr(columns, settings or Settings()) is not None
