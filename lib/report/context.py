"""What every report section reads: the blocks it returns, its `Context`, and where a KPI is worst."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import altair as alt
import duckdb
import polars as pl

from lib.analysis import efficiency, formatting, overview, satisfaction
from lib.engine import store
from lib.engine.kpis import BY_KEY, Settings, change, columns_for, evaluate_by, kpi_of, status
from lib.i18n import t
from lib.report.sentences import joined, kpi_sentence, label

MIN_GROUP = 30  # a group needs this many tickets (or answers) before the report names it
WHERE_DIMENSIONS = (
    "category",
    "channel",
    "region",
    "product",
    "priority",
)  # not agent: team is its own section


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
        open range) and the data covers all of it (`periods.comparison_coverage`; the cover says so once).
        """
        return self.summary.comparison is not None and self.summary.comparison.covered

    def sentence(self, key: str) -> str:
        kpi = kpi_of(key, self.settings)
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
                kpi = kpi_of(key, self.settings)
                why = overview.unavailable(kpi, self.summary, self.lang)
                missing.setdefault(why, []).append(label(kpi, self.lang))
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
            kpi = kpi_of(key, self.settings)
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
