"""The period / year-end service report as data: findings, sections, problems ranked by impact, measures, outlook.

`build` computes everything from the session's database with the same lib functions the pages and the
CLI use (one code path); `lib.report.files` turns the result into a self-contained HTML file, a PDF
and a workbook. The structure follows how service teams write the report by hand (售后年终总结 /
客服业务分析报告): summary; 1 service performance; 2 satisfaction; 3 efficiency; 4 team; 5 cost;
6 problems found; 7 improvement measures; 8 outlook.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

import duckdb

from lib.analysis import alerts, formatting, overview
from lib.charts.export import to_svg
from lib.engine import periods, store
from lib.engine.kpis import BY_KEY, KPIS, Kpi, Settings, status
from lib.i18n import t
from lib.predict import churn
from lib.report import context, sections
from lib.report.context import Context, Figure, Section, Table
from lib.report.outlook import churn_outlook, forecast_outlook
from lib.report.sentences import direction, judgement, label, targets_sentence

SECTIONS = (
    "summary",
    "performance",
    "satisfaction",
    "efficiency",
    "team",
    "cost",
    "problems",
    "measures",
    "outlook",
)
MAX_FINDINGS = 8
MAX_PROBLEMS = 6
# A next-period target closes the whole gap when it is small, else half of it: a step a team can take.
SMALL_GAP = 0.2

# Which improvement template a KPI's problem gets.
FAMILY = {
    "first_response_hours_mean": "response",
    "first_response_hours_p90": "response",
    "response_sla_rate": "response",
    "resolution_hours_mean": "resolution",
    "resolution_hours_p90": "resolution",
    "resolution_sla_rate": "resolution",
    "backlog": "resolution",
    "resolution_rate": "resolution",
    "fcr_rate": "quality",
    "reopen_rate": "quality",
    "repeat_contact_rate": "quality",
    "complaints": "complaints",
    "complaint_rate": "complaints",
    "csat": "satisfaction",
    "nps": "satisfaction",
    "survey_response_rate": "survey",
    "cost_per_ticket": "cost",
    "handle_minutes_mean": "handle",
    "churn_rate": "churn",
}

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Problem:
    key: str
    state: str  # "red" or "amber"
    shortfall: float  # how far from the target, as a share of the target: the ranking
    evidence: tuple[str, ...]
    where: tuple[context.Group, ...]  # the groups where it is worst


@dataclass(frozen=True)
class Measure:
    key: str
    text: str


@dataclass
class Report:
    lang: str
    team: str
    scope: store.Scope
    generated: date
    rows: dict[str, int]
    findings: list[str]
    sections: dict[str, Section]
    problems: list[Problem] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    comparison: periods.Coverage | None = None  # the comparison period and how much of it the data covers

    def tables(self) -> dict[str, Table]:
        """Every table of the report by a sheet title, for the workbook."""
        found = {}
        for key in SECTIONS:
            for block in self.sections[key].blocks if key in self.sections else ():
                if isinstance(block, Table):
                    found.setdefault(f"{t(f'rpt.section.{key}', self.lang)} {block.title}", block)
        return found


def build(
    con: duckdb.DuckDBPyConnection,
    scope: store.Scope,
    settings: Settings,
    lang: str,
    *,
    team: str = "",
    churn_result: churn.ChurnResult | None = None,
    with_churn: bool = True,
    progress: Progress | None = None,
    today: date | None = None,
) -> Report:
    """The whole report for `scope` in `lang`.

    `churn_result`: a score the session already has (the Churn page's); without it and with
    `with_churn`, the model is trained here when a customers file is loaded (the slow part).
    `progress(step, fraction)` is told what is being computed.
    """
    say = progress or (lambda _step, _fraction: None)
    say(t("rpt.progress.kpis", lang), 0.05)
    ctx = Context(con, scope, settings, lang, overview.summarise(con, scope, settings))
    built: dict[str, Section] = {}
    for key, builder, fraction in (
        ("performance", sections.performance, 0.15),
        ("satisfaction", sections.satisfaction_section, 0.25),
        ("efficiency", sections.efficiency_section, 0.45),
        ("team", sections.team_section, 0.55),
        ("cost", sections.cost_section, 0.6),
    ):
        say(t(f"rpt.section.{key}", lang), fraction)
        built[key] = builder(ctx)
    say(t("rpt.section.problems", lang), 0.65)
    found = problems(ctx)
    measures = [measure(ctx, problem) for problem in found]
    built["problems"] = Section("problems", [] if found else [t("rpt.problems.none", lang)])
    built["measures"] = Section("measures", [] if measures else [t("rpt.measures.none", lang)])
    say(t("rpt.progress.forecast", lang), 0.7)
    outlook = Section("outlook")
    words, figures, ahead = forecast_outlook(ctx)
    outlook.sentences += words
    outlook.blocks += figures
    has_customers = bool(store.tables(con).get("customers"))
    if with_churn and churn_result is None and has_customers:
        say(t("rpt.progress.churn", lang), 0.8)
        churn_result = churn.score(con, settings)
    words, listing, at_risk = churn_outlook(ctx, churn_result if has_customers else None)
    outlook.sentences += (
        words
        if has_customers
        else [t("kpi.needs_file", lang, table=t("table.customers", lang)) + t("rpt.end", lang)]
    )
    outlook.blocks += listing
    built["outlook"] = outlook
    say(t("rpt.progress.charts", lang), 0.9)
    for section in built.values():
        section.blocks = [
            replace(b, svg=to_svg(b.chart)) if isinstance(b, Figure) else b for b in section.blocks
        ]
    return Report(
        lang=lang,
        team=team.strip() or t("rpt.default_team", lang),
        scope=scope,
        generated=today or date.today(),
        rows={name: rows for name, rows in store.tables(con).items()},
        findings=findings(
            ctx,
            found,
            ahead,
            at_risk,
            [
                line
                for key in ("efficiency", "cost", "satisfaction", "team")
                for line in built[key].highlights
            ],
        ),
        sections=built,
        problems=found,
        measures=measures,
        comparison=ctx.summary.comparison,
    )


# ---- problems and measures ------------------------------------------------------------------


def _shortfall(kpi: Kpi, value: float, settings: Settings) -> float:
    target = settings.target(kpi)
    gap = (target - value) if kpi.better == "higher" else (value - target)
    return gap / abs(target) if target else float("inf")


def problems(ctx: Context) -> list[Problem]:
    """KPIs off target (red, then amber), furthest from their target first, each with its evidence:
    the numbers, what moved it since the comparison period, and where it is worst.
    """
    off = []
    for kpi in KPIS:
        value = ctx.now(kpi.key)
        state = status(kpi, value, ctx.settings)
        if kpi.card and state in ("red", "amber") and kpi.key in FAMILY:
            off.append((state != "red", -_shortfall(kpi, value, ctx.settings), kpi))
    off.sort(key=lambda item: item[:2])
    chosen = [kpi for _, _, kpi in off[:MAX_PROBLEMS]]
    red = tuple(k.key for k in chosen if status(k, ctx.now(k.key), ctx.settings) == "red")
    why = (
        dict(zip(red, alerts.explain_alerts(ctx.con, ctx.scope, ctx.settings, red), strict=True))
        if red
        else {}
    )
    tickets = context.ticket_frames(ctx.con, ctx.scope, tuple(k.key for k in chosen))
    surveys = ctx.surveys
    found = []
    for kpi in chosen:
        value = ctx.now(kpi.key)
        evidence = [ctx.sentence(kpi.key)]
        explanation = why.get(kpi.key)
        if (
            explanation
            and explanation.change
            and judgement(kpi, direction(kpi, value, value - explanation.change)) == "worse"
        ):
            evidence.append(overview.explanation_sentence(explanation, ctx.settings, ctx.lang))
        where = context.worst_groups(tickets, surveys, kpi.key, ctx.settings)
        if where:
            sep = "；" if ctx.lang == "zh" else "; "
            evidence.append(
                t("rpt.problems.where", ctx.lang, groups=sep.join(g.words(kpi.key, ctx.lang) for g in where))
            )
        state = status(kpi, value, ctx.settings)
        found.append(
            Problem(kpi.key, state, _shortfall(kpi, value, ctx.settings), tuple(evidence), tuple(where))
        )
    return found


def next_target(kpi: Kpi, value: float, settings: Settings) -> float:
    """The target for next period: the KPI's target when within SMALL_GAP of it, else halfway there."""
    target = settings.target(kpi)
    if target is None:
        return value
    if abs(target - value) <= abs(target) * SMALL_GAP:
        return target
    return value + (target - value) / 2


def measure(ctx: Context, problem: Problem) -> Measure:
    """One improvement measure for a problem: what to do, tied to its KPI and a target for next period."""
    kpi = BY_KEY[problem.key]
    value = ctx.now(kpi.key)
    family = FAMILY[kpi.key]
    hook = problem.where[0].name(ctx.lang) if problem.where else None
    action = t(f"rpt.measure.{family}" + ("_where" if hook else ""), ctx.lang, where=hook or "")
    return Measure(
        kpi.key,
        t(
            "rpt.measure.line",
            ctx.lang,
            action=action,
            kpi=label(kpi, ctx.lang),
            value=formatting.value(kpi, value, ctx.lang),
            next=formatting.value(kpi, next_target(kpi, value, ctx.settings), ctx.lang),
            target=formatting.value(kpi, ctx.settings.target(kpi), ctx.lang),
        ),
    )


# ---- the summary ----------------------------------------------------------------------------


def findings(
    ctx: Context,
    found: list[Problem],
    ahead: dict[str, float] | None,
    at_risk: int | None,
    highlights: list[str],
) -> list[str]:
    """Five to eight key findings, each a sentence with its number: targets, volume, the biggest problem,
    the biggest improvement, satisfaction and cost, then the sections' highlights (where time is lost,
    what costs most) as room allows, and last next period's volume and the customers at risk.
    """
    lang = ctx.lang
    met, close, missed = [], [], []
    for kpi in KPIS:
        state = status(kpi, ctx.now(kpi.key), ctx.settings) if kpi.card else None
        {"green": met, "amber": close, "red": missed}.get(state, []).append(kpi)
    first = [targets_sentence(met, close, missed, lang), ctx.sentence("tickets")]
    if found:
        first.append(t("rpt.finding.problem", lang, text=found[0].evidence[0]))
    improved = _most_improved(ctx)
    if improved:
        first.append(t("rpt.finding.improved", lang, text=ctx.sentence(improved.key)))
    last = []
    if ahead:
        last.append(
            t("rpt.finding.forecast", lang, days=int(ahead["days"]), tickets=f"{ahead['tickets']:,.0f}")
        )
    if at_risk is not None:
        last.append(t("rpt.finding.churn", lang, high=f"{at_risk:,}"))
    middle = [
        ctx.sentence(k) for k in ("csat", "nps", "cost_per_ticket") if ctx.now(k) is not None
    ] + highlights
    room = max(MAX_FINDINGS - len(first) - len(last), 0)
    return first + middle[:room] + last


def _most_improved(ctx: Context) -> Kpi | None:
    """The card KPI with a good direction that moved most the right way (relative change)."""
    best, best_size = None, 0.0
    for kpi in KPIS:
        now, before = ctx.now(kpi.key), ctx.summary.previous.get(kpi.key)
        if not kpi.card or kpi.better is None or judgement(kpi, direction(kpi, now, before)) != "better":
            continue
        size = abs(now - before) / abs(before) if before else 0.0
        if size > best_size:
            best, best_size = kpi, size
    return best
