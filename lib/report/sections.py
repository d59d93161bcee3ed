"""The report's sections 1–5 as sentences, tables and charts, each built on the pages' own lib functions.

Every section takes a `Context` (the session's database, the scope, targets, language and the KPI
summary already computed) and returns a `Section`. Sentences come from `sentences` templates, so
another data set gets other sentences, never wrong ones; a section whose data is missing says which
file or column would fill it.
"""

from __future__ import annotations

import polars as pl

from lib import charts
from lib.analysis import cost, efficiency, formatting, overview, satisfaction, tables, team
from lib.engine.kpis import BY_KEY
from lib.i18n import t
from lib.report.context import MIN_GROUP, Context, Figure, Section, Table, ticket_frames, worst_groups
from lib.report.sentences import joined, label, share
from lib.text import comments

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
    team_measures = tuple(m.key for m in ctx.settings.measures)  # the team's own KPIs (Explore)
    if team_measures:
        section.sentences += ctx.sentences(team_measures)
        section.blocks.append(ctx.kpi_table(team_measures, t("rpt.table.measures", lang)))
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
