"""What the Overview shows, as plain data: KPIs now and before, alerts, volume trend, top categories."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import duckdb
import polars as pl

from lib.analysis import formatting
from lib.analysis.alerts import Explanation
from lib.engine import periods, store
from lib.engine.kpis import (
    BY_KEY,
    KPIS,
    Kpi,
    Settings,
    columns_for,
    evaluate,
    evaluate_by,
    every_key,
    kpi_of,
    status,
)
from lib.i18n import t
from lib.schema import DIMENSIONS

TOP_CATEGORIES = 10


@dataclass(frozen=True)
class Summary:
    """Every KPI for the scope and for the period before, and the columns each table has."""

    current: dict[str, float | None]
    previous: dict[str, float | None]  # all None when the comparison period is not fully covered
    columns: dict[str, frozenset[str]]  # per loaded table
    comparison: periods.Coverage | None = None  # the comparison period and how much data it has; None: none


def kpis(
    con: duckdb.DuckDBPyConnection,
    scope: store.Scope,
    settings: Settings,
    keys: tuple[str, ...] | None = None,
) -> dict[str, float | None]:
    """KPIs in `keys` (default: all) for one scope: what the cards, the CLI and the report show.

    Only the columns and tables those KPIs need are read.
    """
    keys = keys or every_key(settings)  # the team's measures too
    tables = {kpi_of(k, settings).table for k in keys}
    needed = {"tickets"} | {"tickets" if table == "history" else table for table in tables}
    frames = store.scoped(
        con, scope, ticket_columns=columns_for(keys, settings=settings), by_period=False, read=needed
    )
    return evaluate(frames, keys, settings=settings)


def summarise(
    con: duckdb.DuckDBPyConnection,
    scope: store.Scope,
    settings: Settings,
    keys: tuple[str, ...] | None = None,
) -> Summary:
    """KPIs in `keys` (default: all) now and in the comparison period, and the columns each table has.

    The comparison period's KPIs are computed only when the data covers all of it
    (`periods.comparison_coverage`): a year against an empty year before is no "+121,145 tickets".
    """
    current = kpis(con, scope, settings, keys)
    comparison = periods.comparison_coverage(con, scope)
    compared = comparison is not None and comparison.covered
    previous = kpis(con, comparison.period, settings, keys) if compared else dict.fromkeys(current)
    have = {table: frozenset(store.columns(con, table)) for table in store.tables(con)}
    return Summary(current, previous, have, comparison)


class Periods:
    """The scope's rows and the comparison period's, each read once when first asked for: what the
    Overview's cards (`summary`) and its alert explanations (`alerts.explain_frames`) share.

    Every KPI's columns are read, and the dimensions too when there is a covered comparison period
    (the explanations name groups of them); `summary` equals `summarise(con, scope, settings)`.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, scope: store.Scope, settings: Settings) -> None:
        self.con, self.scope, self.settings = con, scope, settings

    @cached_property
    def comparison(self) -> periods.Coverage | None:
        return periods.comparison_coverage(self.con, self.scope)

    @property
    def compared(self) -> bool:
        return self.comparison is not None and self.comparison.covered

    def _read(self, scope: store.Scope) -> store.Frames:
        keys = every_key(self.settings)
        wanted = columns_for(keys, settings=self.settings) | (set(DIMENSIONS) if self.compared else set())
        return store.scoped(self.con, scope, ticket_columns=wanted, by_period=False)

    @cached_property
    def current(self) -> store.Frames:
        return self._read(self.scope)

    @cached_property
    def previous(self) -> store.Frames | None:
        """None without a comparison period the data covers."""
        return self._read(self.comparison.period) if self.compared else None

    def summary(self) -> Summary:
        keys = every_key(self.settings)
        current = evaluate(self.current, keys, settings=self.settings)
        previous = evaluate(self.previous, keys, settings=self.settings) if self.previous else None
        have = {table: frozenset(store.columns(self.con, table)) for table in store.tables(self.con)}
        return Summary(current, previous or dict.fromkeys(current), have, self.comparison)


def comparison_note(comparison: periods.Coverage | None, lang: str) -> str | None:
    """Why no change is shown, in a few words: "上期无数据", "previous period only partly covered
    (data from 2025-03-14)"; None when the comparison period is covered or there is none.
    """
    if comparison is None or comparison.covered:
        return None
    key = f"compare.{comparison.state}.{comparison.period.compare}"
    return t(key, lang, start=comparison.data_from)


def missing_columns(kpi: Kpi, have: frozenset[str]) -> tuple[str, ...]:
    """The needed columns the data lacks; "a|b" means either will do."""
    return tuple(need for need in kpi.needs if not any(c in have for c in need.split("|")))


def unavailable(kpi: Kpi, summary: Summary, lang: str) -> str:
    """Why a KPI has no value: the file it needs, or the columns its file lacks."""
    table = "tickets" if kpi.table == "history" else kpi.table
    if table not in summary.columns:
        return t("kpi.needs_file", lang, table=t(f"table.{table}", lang))
    missing = missing_columns(kpi, summary.columns[table])
    if not missing:
        return t("kpi.no_rows", lang)
    return needs_sentence(missing, lang)


def needs_sentence(columns: tuple[str, ...], lang: str, have: frozenset[str] | None = None) -> str:
    """ "Not available: needs X" for an empty state; "a|b" means either will do.

    With `have` (the columns the data has), only what is missing is named, each once; when nothing is
    missing the data simply has no rows for it.
    """
    if have is not None:
        columns = tuple(
            dict.fromkeys(need for need in columns if not any(c in have for c in need.split("|")))
        )
        if not columns:
            return t("kpi.no_rows", lang)
    named = [need for need in columns if "|" not in need]
    # "a or b" after "a" is already said: "needs a" covers it
    columns = tuple(need for need in columns if "|" not in need or not set(need.split("|")) & set(named))
    sep, either = ("、", " 或 ") if lang == "zh" else (", ", " or ")
    words = sep.join(either.join(t(f"field.{c}", lang) for c in need.split("|")) for need in columns)
    return t("kpi.not_available", lang, columns=words)


def card_rows(
    summary: Summary, lang: str, per_row: int = 4, keys: tuple[str, ...] | None = None
) -> list[list[tuple[Kpi, float | None, float | None, str]]]:
    """Cards in rows: KPI, value now, value before, why it is not available.

    `keys` picks the KPIs (an analysis page's own); default: the Overview's cards.
    """
    chosen = [BY_KEY[key] for key in keys] if keys else [k for k in KPIS if k.card]
    cards = [
        (k, summary.current.get(k.key), summary.previous.get(k.key), unavailable(k, summary, lang))
        for k in chosen
    ]
    return [cards[i : i + per_row] for i in range(0, len(cards), per_row)]


def alerts(summary: Summary, settings: Settings) -> list[tuple[Kpi, float]]:
    """KPIs in red, in catalogue order, then the team's measures in red."""
    return [
        (k, summary.current[k.key])
        for k in (*KPIS, *settings.measures)
        if (k.card or k in settings.measures) and status(k, summary.current.get(k.key), settings) == "red"
    ]


def alert_sentence(kpi: Kpi, value: float, settings: Settings, lang: str) -> str:
    key = "alert.above" if kpi.better == "lower" else "alert.below"
    return t(
        key,
        lang,
        kpi=kpi.label[0] if lang == "zh" else kpi.label[1],
        value=formatting.value(kpi, value, lang),
        target=formatting.value(kpi, settings.target(kpi), lang),
    )


# Below this relative change a KPI "barely moved": shares of a tiny change are noise.
NOTABLE_CHANGE = 0.01


def explanation_sentence(explanation: Explanation, settings: Settings, lang: str, escape=str) -> str:
    """Why a red KPI moved, in words: its change and the groups behind most of it.

    E.g. "Down 1.5 pp on the comparison period; 71% of the change is from 问题类型 漏水 · 区域 华东."
    A group whose share is above 100 % (others moved the other way) is described by
    what the KPI would be had it stayed as before. `escape` is applied to the group values
    (user text): the page passes `formatting.literal` as it shows the sentence as Markdown.
    """
    kpi = kpi_of(explanation.key, settings)
    if explanation.change is None:
        return t("alert.no_previous", lang)
    if explanation.relative is not None and abs(explanation.relative) < NOTABLE_CHANGE:
        return t("alert.steady", lang)
    size = (formatting.delta(kpi, explanation.change, explanation.relative, lang) or "").lstrip("+-")
    direction = t("alert.up" if explanation.change > 0 else "alert.down", lang, change=size)
    worse = (explanation.change > 0) == (kpi.better == "lower")
    if not worse:
        return t("alert.better", lang, direction=direction)
    words = t("alert.worse", lang, direction=direction)
    if not explanation.contributions:
        return words + t("alert.spread", lang)
    for index, part in enumerate(explanation.contributions):
        segment = " · ".join(f"{t(f'field.{dim}', lang)} {escape(value)}" for dim, value in part.segment)
        if part.share <= 1:
            key = "alert.part" if index == 0 else "alert.part_more"
            words += t(key, lang, share=f"{part.share:.0%}", segment=segment)
        else:
            value = formatting.value(kpi, part.without, lang)
            words += t("alert.part_all", lang, segment=segment, value=value)
    return words + ("。" if lang == "zh" else ".")


def period_words(scope: store.Scope) -> dict[str, str]:
    previous = scope.previous()
    return {
        "start": str(scope.start or "—"),
        "end": str(scope.end or "—"),
        "prev_start": str(previous.start if previous else "—"),
        "prev_end": str(previous.end if previous else "—"),
    }


def period_sentence(scope: store.Scope, comparison: periods.Coverage | None, lang: str) -> str:
    """The line under a page title: the period and what it is compared with, or why it is not."""
    words = period_words(scope)
    if comparison is None or comparison.covered:
        return t("overview.period", lang, **words)
    return t(f"overview.period_{comparison.state}", lang, data_from=comparison.data_from, **words)


def volume(con: duckdb.DuckDBPyConnection, scope: store.Scope, every: str) -> pl.DataFrame:
    """Tickets per period in scope."""
    frames = store.scoped(con, scope, ticket_columns={"created_at"}, by_period=False, read=("tickets",))
    by_period = evaluate_by(frames, ("tickets",), every=every)
    return by_period.select("period", pl.col("tickets").cast(pl.Int64))


def top_categories(con: duckdb.DuckDBPyConnection, scope: store.Scope) -> pl.DataFrame | None:
    """The most frequent problem categories in scope, or None without a category column."""
    frames = store.scoped(con, scope, ticket_columns={"category"}, by_period=False, read=("tickets",))
    if frames.tickets is None or "category" not in frames.tickets.columns:
        return None
    return ranked_categories(evaluate_by(frames, ("tickets",), by="category"))


def ranked_categories(by_category: pl.DataFrame) -> pl.DataFrame:
    """Tickets per category (`evaluate_by(..., by="category")`, any engine) → the top ones, empty as "—"."""
    return (
        by_category.with_columns(pl.col("category").fill_null("—"), pl.col("tickets").cast(pl.Int64))
        .sort("tickets", descending=True)
        .head(TOP_CATEGORIES)
    )


def kpi_table(summary: Summary, settings: Settings, lang: str) -> pl.DataFrame:
    """Every KPI (the team's measures last) as a row: value, previous, target, status (table and CSV)."""
    rows = []
    for k in (*KPIS, *settings.measures):
        now, before = summary.current.get(k.key), summary.previous.get(k.key)
        state = status(k, now, settings)
        rows.append(
            {
                t("table.kpi", lang): k.label[0] if lang == "zh" else k.label[1],
                t("table.key", lang): k.key,
                t("table.value", lang): formatting.value(k, now, lang),
                t("table.previous", lang): formatting.value(k, before, lang),
                t("table.target", lang): formatting.value(k, settings.target(k), lang),
                t("table.status", lang): t(f"status.{state}", lang) if state else "",
            }
        )
    return pl.DataFrame(rows)
