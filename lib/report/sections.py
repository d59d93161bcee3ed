"""The report's sections 1–5 and 8 as sentences, tables and charts, each built on the pages' own lib functions.

Every section takes a `Context` (the session's database, the scope, targets, language and the KPI
summary already computed) and returns a `Section`. Sentences come from `sentences` templates, so
another data set gets other sentences, never wrong ones; a section whose data is missing says which
file or column would fill it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import altair as alt
import duckdb
import polars as pl

from lib import charts
from lib.analysis import cost, efficiency, formatting, overview, satisfaction, tables, team
from lib.engine import store
from lib.engine.kpis import BY_KEY, Settings, change, columns_for, evaluate_by, status
from lib.i18n import t
from lib.predict import churn, churn_view, forecast, forecast_view, staffing
from lib.report.sentences import joined, kpi_sentence, label, share
from lib.text import comments

MIN_GROUP = 30  # a group needs this many tickets (or answers) before the report names it
WHERE_DIMENSIONS = (
    "category",
    "channel",
    "region",
    "product",
    "priority",
)  # not agent: team is its own section
TEAM_ROWS = 15
TEAM_OUTLIERS = 6  # people named in the text (worst first); the rest are counted
GROUP_ROWS = 15  # rows of a breakdown table: the biggest groups
TEAM_COLUMNS = (
    "agent",
    "tickets",
    "throughput_per_day",
    "first_response_hours_p50",
    "resolution_hours_p50",
    "fcr_rate",
    "reopen_rate",
    "csat",
    "cost_per_ticket",
)  # what fits an A4 page; the Team page has the rest
TEAM_METRICS = 3  # an outlier's furthest metrics named in the text; the table has them all
THEME_ROWS = 8
AT_RISK_ROWS = 10


@dataclass(frozen=True)
class Figure:
    title: str
    chart: alt.TopLevelMixin
    svg: str = ""  # drawn once by `report.build` (vl-convert takes ~0.2 s a chart), reused on each render


@dataclass(frozen=True)
class Table:
    title: str
    frame: pl.DataFrame  # headers translated, rates in %: what the HTML and the workbook show


@dataclass
class Section:
    key: str
    sentences: list[str] = field(default_factory=list)
    blocks: list[Figure | Table] = field(default_factory=list)
    highlights: list[str] = field(default_factory=list)  # sentences worth a place in the summary too


@dataclass(frozen=True)
class Context:
    con: duckdb.DuckDBPyConnection
    scope: store.Scope
    settings: Settings
    lang: str
    summary: overview.Summary

    def now(self, key: str) -> float | None:
        return self.summary.current.get(key)

    @property
    def compares(self) -> bool:
        """Whether changes are shown: there is a comparison period (not for the whole data set or an
        open range) and the data covers all of it (`store.comparison_coverage`; the cover says so once).
        """
        return self.summary.comparison is not None and self.summary.comparison.covered

    def sentence(self, key: str) -> str:
        kpi = BY_KEY[key]
        return kpi_sentence(
            kpi,
            self.summary.current.get(key),
            self.summary.previous.get(key),
            self.settings,
            self.lang,
            compare=self.scope.compare if self.compares else None,
            missing=overview.unavailable(kpi, self.summary, self.lang),
        )

    def sentences(self, keys: tuple[str, ...]) -> list[str]:
        """One sentence per available KPI; the unavailable ones together in one sentence per reason."""
        said, missing = [], {}
        for key in keys:
            if self.now(key) is None:
                why = overview.unavailable(BY_KEY[key], self.summary, self.lang)
                missing.setdefault(why, []).append(label(BY_KEY[key], self.lang))
            else:
                said.append(self.sentence(key))
        return said + [
            t("rpt.kpi.missing", self.lang, kpi=joined(names, self.lang), why=why)
            for why, names in missing.items()
        ]

    def kpi_table(self, keys: tuple[str, ...], title: str) -> Table:
        """KPI, value, comparison value, change, target, status: the section's numbers at a glance."""
        lang, rows = self.lang, []
        for key in keys:
            kpi = BY_KEY[key]
            now, before = self.summary.current.get(key), self.summary.previous.get(key)
            absolute, relative = change(now, before)
            state = status(kpi, now, self.settings)
            row = {
                t("table.kpi", lang): label(kpi, lang),
                t("table.value", lang): formatting.value(kpi, now, lang),
            }
            if self.compares:
                row[t(f"rpt.compare_column.{self.scope.compare}", lang)] = formatting.value(kpi, before, lang)
                row[t("rpt.column.change", lang)] = formatting.delta(kpi, absolute, relative, lang) or "—"
            row[t("table.target", lang)] = formatting.value(kpi, self.settings.target(kpi), lang)
            row[t("table.status", lang)] = t(f"status.{state}", lang) if state else "—"
            rows.append(row)
        return Table(title, pl.DataFrame(rows))

    @cached_property
    def tickets(self) -> store.Frames:
        """The scoped ticket frames the performance and efficiency sections share (read once)."""
        return efficiency.frames(self.con, self.scope)

    @cached_property
    def surveys(self) -> satisfaction.Frames:
        """The scoped survey frames the satisfaction section and the problems share (read once)."""
        return satisfaction.frames(self.con, self.scope)

    @cached_property
    def days(self) -> int:
        """Days in the range; an open range counts the data's own first to last day."""
        bounds = store.date_bounds(self.con) or (None, None)
        start, end = self.scope.start or bounds[0], self.scope.end or bounds[1]
        return (end - start).days + 1 if start and end else 30

    @property
    def grain(self) -> str:
        """Day for a month, week for up to half a year, month beyond."""
        days = self.days
        return "day" if days <= 45 else "week" if days <= 200 else "month"


GRAIN_EVERY = {"day": "1d", "week": "1w", "month": "1mo"}

PERFORMANCE_SENTENCES = (
    "tickets",
    "first_response_hours_mean",
    "resolution_hours_mean",
    "response_sla_rate",
    "resolution_sla_rate",
    "fcr_rate",
    "reopen_rate",
    "complaint_rate",
    "backlog",
)
PERFORMANCE_TABLE = (
    "tickets",
    "resolved",
    "resolution_rate",
    "first_response_hours_mean",
    "first_response_hours_p90",
    "resolution_hours_mean",
    "resolution_hours_p90",
    "response_sla_rate",
    "resolution_sla_rate",
    "fcr_rate",
    "reopen_rate",
    "repeat_contact_rate",
    "complaints",
    "complaint_rate",
    "backlog",
)
SATISFACTION_KEYS = ("csat", "csat_mean", "nps", "survey_responses", "survey_response_rate")
COST_KEYS = (
    "cost_total",
    "cost_per_ticket",
    "labor_cost_per_ticket",
    "parts_cost_per_ticket",
    "travel_cost_per_ticket",
)


def performance(ctx: Context) -> Section:
    lang, section = ctx.lang, Section("performance")
    section.sentences = ctx.sentences(PERFORMANCE_SENTENCES)
    section.blocks.append(ctx.kpi_table(PERFORMANCE_TABLE, t("rpt.table.kpis", lang)))
    grain = ctx.grain
    volume = overview.volume(ctx.con, ctx.scope, GRAIN_EVERY[grain])
    if not volume.is_empty():
        title = t("overview.trend", lang)
        section.blocks.append(
            Figure(
                title,
                charts.volume_trend(
                    volume,
                    x="period",
                    y="tickets",
                    x_title=t(f"grain.{grain}", lang),
                    y_title=t("kpi.tickets_axis", lang),
                    title=title,
                    time_unit=grain,
                ),
            )
        )
    frames = ctx.tickets
    sla = efficiency.sla_trend(frames, ctx.settings, GRAIN_EVERY[grain])
    if sla is not None and not sla["resolution_sla_rate"].is_null().all():
        key = "resolution_sla_rate"
        title = tables.header(key, lang).replace(" (%)", "")
        section.blocks.append(
            Figure(
                title,
                charts.kpi_trend(
                    sla.select("period", key),
                    x="period",
                    y=key,
                    x_title=t(f"grain.{grain}", lang),
                    y_title=title,
                    title=title,
                    target=ctx.settings.target(BY_KEY[key]),
                    y_format=".1%",
                    time_unit=grain,
                    target_title=t("kpi.target", lang),
                ),
            )
        )
    return section


@dataclass(frozen=True)
class Group:
    """A group where a KPI is worse than overall: `count` tickets (or survey answers)."""

    dimension: str
    value: object
    kpi_value: float
    count: int

    def name(self, lang: str) -> str:
        return f"{t(f'field.{self.dimension}', lang)} {self.value if self.value is not None else '—'}"

    def words(self, key: str, lang: str) -> str:
        """ "问题类型 配件更换（65.0%，108 单）" / "Category 配件更换 (65.0%, 108 tickets)"."""
        unit = "rpt.group_answers" if BY_KEY[key].table == "surveys" else "rpt.group"
        return t(
            unit,
            lang,
            group=self.name(lang),
            value=formatting.value(BY_KEY[key], self.kpi_value, lang),
            tickets=f"{self.count:,}",
        )


def ticket_frames(con: duckdb.DuckDBPyConnection, scope: store.Scope, keys: tuple[str, ...]) -> store.Frames:
    """The scoped tickets with what `keys` need and every dimension, for `worst_groups`."""
    return store.scoped(
        con,
        scope,
        ticket_columns=columns_for(keys) | set(WHERE_DIMENSIONS),
        by_period=False,
        read=("tickets",),
    )


def worst_groups(
    tickets: store.Frames, surveys: satisfaction.Frames | None, key: str, settings: Settings, limit: int = 2
) -> list[Group]:
    """Where a KPI is worst: the groups (≥ MIN_GROUP tickets or answers) on the wrong side of the overall
    value, ranked by how much they pull it (gap × size). Ticket KPIs from `tickets`; CSAT and NPS from
    the survey answers grouped by their ticket's dimension.
    """
    kpi = BY_KEY[key]
    if kpi.better is None:
        return []
    sign = 1 if kpi.better == "lower" else -1
    found: list[tuple[float, Group]] = []
    if kpi.table == "tickets" and tickets.tickets is not None:
        overall = evaluate_by(tickets, (key,), settings=settings).row(0, named=True)[key]
        for dimension in (
            d for d in WHERE_DIMENSIONS if d in tickets.tickets.columns and overall is not None
        ):
            groups = evaluate_by(tickets, ("tickets", key), by=dimension, settings=settings)
            for row in groups.filter(pl.col("tickets") >= MIN_GROUP, pl.col(key).is_not_null()).iter_rows(
                named=True
            ):
                gap = (row[key] - overall) * sign
                if gap > 0:
                    found.append(
                        (gap * row["tickets"], Group(dimension, row[dimension], row[key], row["tickets"]))
                    )
    elif key in ("csat", "nps") and surveys is not None and surveys.surveys is not None:
        overall = evaluate_by(surveys, (key,), settings=settings).row(0, named=True)[key]
        for dimension in (d for d in WHERE_DIMENSIONS if overall is not None):
            groups = satisfaction.drivers(surveys, settings, dimension)
            if groups is None:
                continue
            for row in groups.filter(
                ~pl.col("small"), pl.col(key).is_not_null(), pl.col("value").is_not_null()
            ).iter_rows(named=True):
                gap = (row[key] - overall) * sign
                if gap > 0:
                    found.append(
                        (gap * row["answers"], Group(dimension, row["value"], row[key], row["answers"]))
                    )
    found.sort(key=lambda item: -item[0])
    return [group for _, group in found[:limit]]


def satisfaction_section(ctx: Context) -> Section:
    lang, section = ctx.lang, Section("satisfaction")
    section.sentences = ctx.sentences(("csat", "nps", "survey_response_rate"))
    frames = ctx.surveys
    if frames.surveys is None:
        return section
    section.blocks.append(ctx.kpi_table(SATISFACTION_KEYS, t("rpt.table.kpis", lang)))
    section.sentences += _driver_sentences(frames, ctx)
    trend = satisfaction.trend(frames, ctx.settings, GRAIN_EVERY[ctx.grain])
    if trend is not None and "csat" in trend.columns and not trend["csat"].is_null().all():
        title = label(BY_KEY["csat"], lang)
        section.blocks.append(
            Figure(
                title,
                charts.kpi_trend(
                    trend.select("period", "csat"),
                    x="period",
                    y="csat",
                    x_title=t(f"grain.{ctx.grain}", lang),
                    y_title=title,
                    title=title,
                    target=ctx.settings.target(BY_KEY["csat"]),
                    time_unit=ctx.grain,
                    target_title=t("kpi.target", lang),
                ),
            )
        )
    found = comments.scored(frames)
    if found is None or found.is_empty():
        section.sentences.append(t("rpt.satisfaction.no_comments", lang))
        return section
    themes = comments.theme_table(found, top=THEME_ROWS)
    negative = (found["sentiment"] == "negative").mean() or 0.0
    section.sentences.append(
        t("rpt.satisfaction.comments", lang, comments=f"{found.height:,}", negative=share(negative))
    )
    if not themes.is_empty():
        top = themes.row(0, named=True)
        worst = themes.filter(pl.col("comments") >= 5).sort("share_negative", descending=True)
        words = t(
            "rpt.satisfaction.top_theme",
            lang,
            theme=comments.theme_name(top["theme"], lang),
            comments=f"{top['comments']:,}",
            negative=share(top["share_negative"] or 0.0),
        )
        if not worst.is_empty() and worst["theme"][0] != top["theme"]:
            row = worst.row(0, named=True)
            words += t(
                "rpt.satisfaction.worst_theme",
                lang,
                theme=comments.theme_name(row["theme"], lang),
                negative=share(row["share_negative"] or 0.0),
            )
        section.sentences.append(words + t("rpt.end", lang))
        section.highlights.append(section.sentences[-1])
        shown = themes.select(
            pl.col("theme").map_elements(lambda k: comments.theme_name(k, lang), return_dtype=pl.String),
            "comments",
            "share_negative",
            "example",
        )
        section.blocks.append(Table(t("rpt.table.themes", lang), tables.display(shown, lang)))
    return section


def _driver_sentences(frames: satisfaction.Frames, ctx: Context) -> list[str]:
    """What goes with low CSAT: reopened or not, and the lowest-scored group of a dimension."""
    lang, said = ctx.lang, []
    overall = ctx.now("csat")
    if overall is None:
        return said
    csat = BY_KEY["csat"]
    reopened = satisfaction.drivers(frames, ctx.settings, "reopened")
    if reopened is not None:
        rows = {r["value"]: r for r in reopened.iter_rows(named=True)}
        yes, no = rows.get("reopened"), rows.get("not_reopened")
        if yes and no and yes["csat"] is not None and no["csat"] is not None and yes["answers"] >= MIN_GROUP:
            said.append(
                t(
                    "rpt.satisfaction.reopened",
                    lang,
                    yes=formatting.value(csat, yes["csat"], lang),
                    yes_n=f"{yes['answers']:,}",
                    no=formatting.value(csat, no["csat"], lang),
                    no_n=f"{no['answers']:,}",
                )
            )
    for dimension in ("category", "channel"):
        groups = satisfaction.drivers(frames, ctx.settings, dimension)
        if groups is None:
            continue
        big = groups.filter(~pl.col("small"), pl.col("csat").is_not_null(), pl.col("value").is_not_null())
        if big.height < 2:
            continue
        low = big.sort("csat").row(0, named=True)
        if overall - low["csat"] >= 5:  # CSAT points
            said.append(
                t(
                    "rpt.satisfaction.lowest_group",
                    lang,
                    field=t(f"field.{dimension}", lang),
                    group=low["value"],
                    value=formatting.value(csat, low["csat"], lang),
                    answers=f"{low['answers']:,}",
                    overall=formatting.value(csat, overall, lang),
                )
            )
        else:
            said.append(
                t(
                    "rpt.satisfaction.even",
                    lang,
                    field=t(f"field.{dimension}", lang),
                    low=formatting.value(csat, big["csat"].min(), lang),
                    high=formatting.value(csat, big["csat"].max(), lang),
                )
            )
    return said


def efficiency_section(ctx: Context) -> Section:
    lang, section = ctx.lang, Section("efficiency")
    frames = ctx.tickets
    for which in ("first_response", "resolution"):
        found = efficiency.distribution(frames, which)
        if found is None or found.bins.is_empty():
            section.sentences.append(
                overview.needs_sentence((efficiency.DURATIONS[which][0],), lang) + t("rpt.end", lang)
            )
            continue
        stats = found.stats.row(0, named=True)
        hours = BY_KEY[f"{which}_hours_mean"]
        section.sentences.append(
            t(
                f"rpt.efficiency.{which}",
                lang,
                p50=formatting.value(hours, stats["p50"], lang),
                p90=formatting.value(hours, stats["p90"], lang),
                mean=formatting.value(hours, stats["mean"], lang),
            )
        )
        if which == "resolution":
            name = t(f"efficiency.{which}", lang)
            title = t("efficiency.histogram_title", lang, name=name)
            section.blocks.append(
                Figure(
                    title,
                    charts.histogram(
                        found.bins,
                        start="bin_start",
                        end="bin_end",
                        count="tickets",
                        x_title=t("efficiency.hours_axis", lang)
                        + (t("efficiency.log_note", lang) if found.log_scale else ""),
                        y_title=t("kpi.tickets_axis", lang),
                        title=title,
                        markers=[
                            (f"P50 {stats['p50']:.1f}", stats["p50"]),
                            (f"P90 {stats['p90']:.1f}", stats["p90"]),
                        ],
                        log_scale=found.log_scale,
                    ),
                )
            )
    key = "resolution_hours_mean"
    slow = worst_groups(ticket_frames(ctx.con, ctx.scope, (key,)), None, key, ctx.settings)
    if slow:
        section.sentences.append(
            t("rpt.efficiency.slowest", lang, groups=joined([g.words(key, lang) for g in slow], lang))
        )
        section.highlights.append(section.sentences[-1])
    cells = efficiency.heatmap(frames)
    if cells is not None and not cells.is_empty() and cells["tickets"].sum():
        busy = cells.sort("tickets", descending=True).row(0, named=True)
        section.sentences.append(
            t(
                "rpt.efficiency.busiest",
                lang,
                weekday=t(f"weekday.{busy['weekday']}", lang),
                hour=busy["hour"],
                next=busy["hour"] + 1,
                tickets=f"{busy['tickets']:,}",
            )
        )
        section.highlights.append(section.sentences[-1])
    if ctx.now("handle_minutes_mean") is not None:
        section.sentences.append(ctx.sentence("handle_minutes_mean"))
    by = next((d for d in ("category", "channel") if d in frames.tickets.columns), None)
    if by:
        table = efficiency.breakdown(frames, ctx.settings, by)
        if table is not None:
            keep = [
                c
                for c in (
                    by,
                    "tickets",
                    "first_response_hours_p50",
                    "resolution_hours_p50",
                    "resolution_sla_rate",
                    "fcr_rate",
                    "reopen_rate",
                )
                if c in table.columns
            ]
            shown = table.sort("tickets", descending=True).head(GROUP_ROWS).select(keep)
            section.blocks.append(
                Table(
                    _rows_title(
                        t("rpt.table.breakdown", lang, field=t(f"field.{by}", lang)),
                        shown.height,
                        table.height,
                        lang,
                    ),
                    tables.display(shown, lang),
                )
            )
    return section


def _rows_title(title: str, shown: int, total: int, lang: str) -> str:
    return title if shown >= total else title + t("rpt.table.top", lang, rows=shown, total=total)


def team_section(ctx: Context) -> Section:
    lang, section = ctx.lang, Section("team")
    frames = team.frames(ctx.con, ctx.scope)
    table = team.table(frames, ctx.settings)
    if table is None or table.is_empty():
        section.sentences.append(overview.needs_sentence(("agent",), lang) + t("rpt.end", lang))
        return section
    people = table.filter(pl.col("agent").is_not_null())
    median = team.team_median(table)
    busiest = people.sort("tickets", descending=True).row(0, named=True) if people.height else None
    if busiest:
        section.sentences.append(
            t(
                "rpt.team.people",
                lang,
                people=people.height,
                median=f"{median['tickets']:,.0f}" if median.get("tickets") is not None else "—",
                agent=busiest["agent"],
                tickets=f"{busiest['tickets']:,}",
                share=share(busiest["tickets"] / max(table["tickets"].sum(), 1)),
            )
        )
    found = team.outliers(table)
    if found.is_empty():
        section.sentences.append(t("rpt.team.no_outliers", lang, tickets=team.MIN_TICKETS))
    people_found = found.group_by(["agent", "direction"], maintain_order=True)
    for index, ((agent, side), rows) in enumerate(people_found):
        if index == TEAM_OUTLIERS:
            section.sentences.append(
                t("rpt.team.more", lang, people=found.select("agent", "direction").n_unique() - index)
            )
            break
        metrics = [
            t(
                "team.outlier_metric",
                lang,
                metric=tables.header(r["metric"], lang).replace(" (%)", ""),
                value=team.metric_value(r["metric"], r["value"], lang),
                median=team.metric_value(r["metric"], r["median"], lang),
            )
            for r in rows.head(TEAM_METRICS).iter_rows(named=True)
        ]
        section.sentences.append(t(f"rpt.team.{side}", lang, agent=agent, metrics=joined(metrics, lang)))
    keep = [c for c in TEAM_COLUMNS if c in table.columns]
    shown = table.sort("tickets", descending=True).head(TEAM_ROWS).select(keep)
    section.blocks.append(
        Table(
            t("rpt.table.team", lang, rows=min(TEAM_ROWS, table.height), total=table.height),
            tables.display(shown, lang),
        )
    )
    return section


def cost_section(ctx: Context) -> Section:
    lang, section = ctx.lang, Section("cost")
    frames = cost.frames(ctx.con, ctx.scope)
    if not cost.components(frames):
        section.sentences.append(t("rpt.cost.none", lang))
        return section
    section.sentences = ctx.sentences(("cost_total", "cost_per_ticket"))
    section.blocks.append(ctx.kpi_table(COST_KEYS, t("rpt.table.kpis", lang)))
    parts = cost.structure(frames, "1mo")
    if parts is not None and not parts.is_empty():
        totals = parts.group_by("component").agg(pl.col("cost").sum()).sort("cost", descending=True)
        whole = totals.filter(pl.col("cost") > 0)["cost"].sum()
        if whole:
            words = [
                f"{t('field.' + name, lang)} {share(amount / whole)}" for name, amount in totals.iter_rows()
            ]
            section.sentences.append(t("rpt.cost.structure", lang, parts=joined(words, lang)))
    pareto = cost.pareto(frames)
    if pareto is not None and not pareto.is_empty():
        vital = pareto.filter("vital")
        names = ("、" if lang == "zh" else ", ").join(str(v) for v in vital["category"].to_list()[:8])
        section.sentences.append(
            t(
                "rpt.cost.pareto",
                lang,
                vital=vital.height,
                total=pareto.height,
                share=share(vital["share"].sum() or 0.0),
                names=names,
            )
        )
        section.highlights.append(section.sentences[-1])
        title = t("cost.pareto_title", lang)
        section.blocks.append(
            Figure(
                title,
                charts.pareto(
                    pareto,
                    category="category",
                    value="cost_total",
                    cumulative="cumulative_share",
                    vital="vital",
                    category_title=t("field.category", lang),
                    value_title=tables.header("cost_total", lang),
                    cumulative_title=t("column.cumulative_share", lang),
                    title=title,
                    value_format=",.0f",
                ),
            )
        )
    warranty = cost.warranty(frames)
    if warranty is not None:
        rows = {r["in_warranty"]: r for r in warranty.iter_rows(named=True)}
        inside, outside = rows.get(True), rows.get(False)
        money = BY_KEY["cost_per_ticket"]
        if inside and outside:
            section.sentences.append(
                t(
                    "rpt.cost.warranty",
                    lang,
                    inside=formatting.value(money, inside["cost_per_ticket"], lang),
                    inside_n=f"{inside['tickets']:,}",
                    outside=formatting.value(money, outside["cost_per_ticket"], lang),
                    outside_n=f"{outside['tickets']:,}",
                )
            )
    by = next((d for d in ("category", "product", "region") if d in frames.tickets.columns), None)
    if by:
        table = cost.by_dimension(frames, by)
        if table is not None:
            shown = table.head(GROUP_ROWS)
            section.blocks.append(
                Table(
                    _rows_title(
                        t("rpt.table.cost_by", lang, field=t(f"field.{by}", lang)),
                        shown.height,
                        table.height,
                        lang,
                    ),
                    tables.display(shown, lang),
                )
            )
    return section


def forecast_outlook(ctx: Context) -> tuple[list[str], list[Figure], dict[str, float] | None]:
    """Next period's ticket volume from the Forecast page's model, and the staff it needs.

    Returns sentences, the chart and {tickets, days, peak, agents} for the findings (None without a forecast).
    """
    lang = ctx.lang
    days = (ctx.scope.end - ctx.scope.start).days + 1 if ctx.scope.start and ctx.scope.end else 30
    horizon = min(max(days, 7), 180)
    series = forecast.daily_counts(ctx.con, store.Scope(None, ctx.scope.end, ctx.scope.filters))
    if series.is_empty():
        return [t("rpt.outlook.no_forecast", lang, why=t("forecast.reason_no_data", lang))], [], None
    holidays = forecast_view.calendar(series, horizon, "CN", None)
    total = forecast_view.fit(series, horizon, 0.8, holidays, "1d", None)[forecast.TOTAL]
    if total.prediction is None:
        why = t(f"forecast.reason_{total.reasons[0]}", lang, weeks=forecast.MIN_HISTORY_DAYS // 7)
        return [t("rpt.outlook.no_forecast", lang, why=why)], [], None
    prediction = total.prediction
    expected = float(prediction["yhat"].clip(lower_bound=0).sum())
    peak = prediction.sort("yhat", descending=True).row(0, named=True)
    said = [
        t(
            "rpt.outlook.volume",
            lang,
            days=horizon,
            start=str(prediction["ds"].min()),
            end=str(prediction["ds"].max()),
            tickets=f"{expected:,.0f}",
            per_day=f"{expected / horizon:,.1f}",
            peak_day=str(peak["ds"]),
            peak=f"{peak['yhat']:,.0f}",
            low=f"{max(peak['lower'], 0):,.0f}",
            high=f"{peak['upper']:,.0f}",
        ),
        forecast_view.accuracy_sentence(total, lang),
    ]
    found = {"tickets": expected, "days": float(horizon), "peak": float(peak["yhat"])}
    aht = ctx.now("handle_minutes_mean")
    if aht:
        plan = staffing.plan(prediction.select("ds", "yhat"), aht, method="workload")
        found["agents"] = float(plan["agents"].max())
        said.append(
            t(
                "rpt.outlook.staff",
                lang,
                agents=int(plan["agents"].max()),
                median=int(plan["agents"].median()),
                aht=f"{aht:.0f}",
            )
        )
    else:
        said.append(t("rpt.outlook.no_staff", lang))
    labels = {s: t(f"forecast.series_{s}", lang) for s in charts.FORECAST_SERIES}
    recent = total.history.filter(
        pl.col("ds") > prediction["ds"].min() - pl.duration(days=max(90, 2 * horizon))
    )
    title = t("rpt.outlook.chart", lang)
    figure = Figure(
        title,
        charts.forecast_band(
            recent,
            prediction,
            labels=labels,
            x_title=t("grain.day", lang),
            y_title=t("kpi.tickets_axis", lang),
            title=title,
            interval_title=t("forecast.interval_short", lang, level="80%"),
        ),
    )
    return said, [figure], found


def churn_outlook(
    ctx: Context, result: churn.ChurnResult | None
) -> tuple[list[str], list[Table], int | None]:
    """Customers at high risk of leaving, the commonest reasons, and the top of the list."""
    lang = ctx.lang
    said = [ctx.sentence("churn_rate")] if ctx.now("churn_rate") is not None else []
    if result is None:
        return said + [t("rpt.outlook.churn_skipped", lang)], [], None
    if result.scored is None:
        why = " ".join(t(f"churn.why_{r}", lang) for r in result.reasons) or "—"
        return said + [t("churn.not_scored", lang, why=why)], [], None
    scored = result.scored
    high = scored.filter(pl.col("risk_band") == "high")
    quality = (
        t("rpt.outlook.churn_rule", lang)
        if result.kind == "rule"
        else t(
            "rpt.outlook.churn_model",
            lang,
            auc=f"{result.metrics.auc:.2f}" if result.metrics and result.metrics.auc else "—",
        )
    )
    reasons = high.group_by("reason_1").len().sort("len", descending=True).head(3)
    words = [f"{t(f'churn.feature_{r}', lang)} ({n:,})" for r, n in reasons.iter_rows() if r]
    said.append(
        t(
            "rpt.outlook.churn",
            lang,
            high=f"{high.height:,}",
            active=f"{scored.height:,}",
            days=result.window_days,
            quality=quality,
            reasons=joined(words, lang) or "—",
        )
    )
    listing = churn_view.at_risk(replace(result, scored=scored.head(AT_RISK_ROWS)), lang)
    keep = [
        c
        for c in (
            "customer_id",
            "churn_risk",
            "risk_band",
            "reason_1",
            "reason_2",
            "action",
            "segment",
            "region",
        )
        if c in listing.columns
    ]
    table = Table(
        t("rpt.table.at_risk", lang, rows=min(AT_RISK_ROWS, scored.height)),
        tables.display(listing.select(keep), lang),
    )
    return said, [table], high.height
