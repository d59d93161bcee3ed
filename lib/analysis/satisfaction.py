"""What the Satisfaction page shows, as plain data: CSAT/NPS trend, NPS split, drivers, worst comments.

Below the data: the page's words, labels and charts in the reader's language (`# --- the page's view`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import altair as alt
import duckdb
import narwhals as nw
import polars as pl

from lib import charts
from lib.analysis import lazy, tables
from lib.engine import store
from lib.engine.kpis import BY_KEY, HOUR_US, Settings, available, evaluate_by
from lib.engine.store import Frames
from lib.i18n import t
from lib.schema import DIMENSIONS

# SPEC §2 NPS groups; "passive" is whatever is neither, exactly as the nps KPI counts it.
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
NPS_GROUPS: tuple[str, ...] = ("promoter", "passive", "detractor")

# Resolution-time bands of the answered ticket, right-closed (upper hours inclusive) so that
# a ticket resolved in exactly 72 h falls in "24–72h", as it meets the T3 rule.
RESOLUTION_BANDS: tuple[tuple[str, float], ...] = (
    ("≤4h", 4.0),
    ("4–24h", 24.0),
    ("24–72h", 72.0),
    (">72h", math.inf),
)
UNRESOLVED = "unresolved"
BAND_ORDER: tuple[str, ...] = (*(label for label, _ in RESOLUTION_BANDS), UNRESOLVED)
REOPEN_ORDER: tuple[str, ...] = ("not_reopened", "reopened")

# What `drivers(by=...)` accepts: the two ticket facts, then the dimensions.
FACTS: tuple[str, ...] = ("resolution_band", "reopened")
DRIVERS: tuple[str, ...] = (*FACTS, *DIMENSIONS)
SMALL_GROUP = 30  # fewer answers than this: too few to read a score from
TREND_KPIS = ("csat", "csat_mean", "nps", "survey_responses", "survey_response_rate")
DRIVER_KPIS = ("survey_responses", "csat", "csat_mean", "nps")
COMMENT_COLUMNS = ("submitted_at", "ticket_id", "csat", "nps", "comment", "agent", "channel", "category")
# The answered ticket's resolution time: a row-level column each engine derives from the two ticket facts
# (Polars below, Spark in `lib.lake_pages.satisfaction_frames`), which the resolution bands read.
TICKET_HOURS = ("ticket_resolution_hours", ("ticket_created_at", "ticket_resolved_at"))

# Canonical columns each public function needs ("a|b": either will do), for "needs column X"
# when it returns None. Drivers are keyed "drivers:<by>".
NEEDS: dict[str, tuple[str, ...]] = {
    "frames": (),  # never None
    "trend": ("submitted_at",),  # None only without a surveys file; a missing score is a null column
    "nps_split": ("nps",),
    "nps_split_trend": ("nps",),
    "drivers:resolution_band": ("ticket_id", "resolved_at", "csat|nps"),
    "drivers:reopened": ("ticket_id", "reopen_count", "csat|nps"),
    **{f"drivers:{dim}": ("ticket_id", dim, "csat|nps") for dim in DIMENSIONS},
    "lowest_comments": ("comment",),
}


def frames(con: duckdb.DuckDBPyConnection, scope: store.Scope) -> Frames:
    """The scoped frames this page needs: all survey columns, and tickets' created_at for the response rate.

    Surveys always arrive with the ticket dimensions and facts joined (`store._scoped_surveys`);
    the tickets table is read only to count tickets per period.
    """
    return store.scoped(
        con, scope, ticket_columns={"created_at"}, by_period=False, read=("tickets", "surveys")
    )


def trend(frames: Frames, settings: Settings, every: str) -> pl.DataFrame | None:
    """CSAT, NPS and responses per period of `every` ("1d", "1w", "1mo"); None without surveys.

    Columns: period, csat, csat_mean, nps, survey_responses, survey_response_rate.
    Answers fall in the period of their `submitted_at`, tickets in that of their
    `created_at`, so survey_response_rate per period is the distinct tickets created
    in the range that were answered in the period ÷ tickets created in the period.
    A ticket created late in one period and answered in the next counts in the next
    (so one period's rate can even exceed 1), and one answered in two periods counts
    in both. A period with tickets but no answers has 0 responses (and rate 0 when the
    rate is available at all), not null.
    """
    if frames.surveys is None:
        return None
    table = evaluate_by(frames, TREND_KPIS, every=every, settings=settings)
    rate_available = available(BY_KEY["survey_response_rate"], frozenset(frames.surveys.columns), settings)
    no_answers = pl.col("survey_responses").is_null()
    rate = pl.col("survey_response_rate")
    if rate_available and "tickets" in table.columns:
        # The engine has no survey row for such a period, so its answered-ticket count is missing, not 0.
        rate = pl.when(no_answers & (pl.col("tickets") > 0)).then(0.0).otherwise(rate)
    return table.select(
        "period",
        "csat",
        "csat_mean",
        "nps",
        pl.col("survey_responses").fill_null(0).cast(pl.Int64),
        rate.cast(pl.Float64).alias("survey_response_rate"),
    )


def _nps_group() -> nw.Expr:
    nps = nw.col("nps")
    detractor = nw.when(nps <= DETRACTOR_MAX).then(nw.lit(NPS_GROUPS[2])).otherwise(nw.lit(NPS_GROUPS[1]))
    return nw.when(nps >= PROMOTER_MIN).then(nw.lit(NPS_GROUPS[0])).otherwise(detractor).alias("group")


def _order(values: tuple[str, ...], column: str) -> pl.DataFrame:
    """`values` with their position, to keep every group and sort them in declared order."""
    return pl.DataFrame({column: list(values), "_order": list(range(len(values)))})


def _nps_counts(frames: Frames, every: str | None = None) -> pl.DataFrame | None:
    """Answers with an nps score per NPS group (and period of `every`), counted by the engine holding them
    (the survey_responses KPI, periods as the KPIs cut them); None when there is no such answer."""
    surveys = frames.surveys
    if surveys is None or "nps" not in surveys.columns:
        return None
    scored = lazy.filter(lazy.with_columns(surveys, _nps_group()), ~nw.col("nps").is_null())
    only = replace(frames, tickets=None, customers=None, history=None, surveys=scored)
    counts = evaluate_by(only, ("survey_responses",), by="group", every=every)
    counts = counts.rename({"survey_responses": "answers"}).with_columns(pl.col("answers").cast(pl.Int64))
    return counts if counts.height else None


def nps_split(frames: Frames) -> pl.DataFrame | None:
    """Promoters (9–10), passives (7–8) and detractors (0–6): three rows in that order.

    Columns: group, answers, share (of answers with an nps). None without any nps answer.
    """
    counts = _nps_counts(frames)
    if counts is None:
        return None
    return (
        _order(NPS_GROUPS, "group")
        .join(counts, on="group", how="left")
        .sort("_order")
        .select("group", pl.col("answers").fill_null(0))
        .with_columns((pl.col("answers") / pl.col("answers").sum()).alias("share"))
    )


def nps_split_trend(frames: Frames, every: str) -> pl.DataFrame | None:
    """The NPS split per period of `every`, long, for a stacked chart.

    Columns: period, group, answers, share (of the period's answers with an nps); three
    rows per period that has an nps answer. None without any nps answer.
    """
    counts = _nps_counts(frames, every)
    if counts is None:
        return None
    grid = counts.select(pl.col("period").unique()).join(_order(NPS_GROUPS, "group"), how="cross")
    return (
        grid.join(counts, on=["period", "group"], how="left")
        .sort("period", "_order")
        .select("period", "group", pl.col("answers").fill_null(0))
        .with_columns((pl.col("answers") / pl.col("answers").sum().over("period")).alias("share"))
    )


def _resolution_band(have: frozenset[str]) -> nw.Expr | None:
    """The answered ticket's band; null when no ticket is linked or it was resolved before it was created."""
    if not {"ticket_created_at", "ticket_resolved_at", TICKET_HOURS[0]} <= have:
        return None
    created, resolved, hours = (
        nw.col("ticket_created_at"),
        nw.col("ticket_resolved_at"),
        nw.col(TICKET_HOURS[0]),
    )
    none = nw.lit(None, dtype=nw.String)
    band = none
    for label, upper in reversed(RESOLUTION_BANDS):
        band = nw.when(hours <= upper).then(nw.lit(label)).otherwise(band)
    band = nw.when(hours < 0).then(none).otherwise(band)
    band = nw.when(resolved.is_null()).then(nw.lit(UNRESOLVED)).otherwise(band)
    return nw.when(created.is_null()).then(none).otherwise(band)


def _reopened(have: frozenset[str]) -> nw.Expr | None:
    """Reopened or not; null when no ticket is linked or its reopen count is empty."""
    if "ticket_reopen_count" not in have:
        return None
    reopened = nw.col("ticket_reopen_count") > 0
    not_reopened = nw.when(~reopened).then(nw.lit(REOPEN_ORDER[0]))
    return nw.when(reopened).then(nw.lit(REOPEN_ORDER[1])).otherwise(not_reopened)


_FACTS: dict[str, tuple[Callable[[frozenset[str]], nw.Expr | None], tuple[str, ...]]] = {
    "resolution_band": (_resolution_band, BAND_ORDER),
    "reopened": (_reopened, REOPEN_ORDER),
}


def _with_ticket_hours(surveys):
    """Local answers get the ticket's resolution hours here (the lake's come with them)."""
    name, (start, end) = TICKET_HOURS
    if not lazy.is_local(surveys) or not {start, end} <= set(surveys.columns) or name in surveys.columns:
        return surveys
    return surveys.with_columns(((pl.col(end) - pl.col(start)).dt.total_microseconds() / HOUR_US).alias(name))


def drivers(frames: Frames, settings: Settings, by: str) -> pl.DataFrame | None:
    """CSAT and NPS of the answers grouped by what their ticket went through, or by a dimension.

    `by` is one of `DRIVERS`: "resolution_band" (the answered ticket's resolved_at −
    created_at in `RESOLUTION_BANDS`, or "unresolved"), "reopened" (reopen_count > 0 →
    "reopened", 0 → "not_reopened") or a dimension column. Answers whose group is unknown
    (no linked ticket, empty value, resolved before created) form the row with value
    None, so `answers` sums to the survey_responses card. Bands and reopen groups come in
    their fixed order, every one present (0 answers → null scores), None last; dimension
    values by answers, most first.

    Columns: value, answers, csat, csat_mean, nps, small (answers < SMALL_GROUP).
    None when the column behind `by`, or both csat and nps, are missing.
    """
    if by not in DRIVERS:
        raise ValueError(f"unknown driver {by!r}; expected one of {DRIVERS}")
    surveys = frames.surveys
    if surveys is None:
        return None
    surveys = _with_ticket_hours(surveys)
    have = frozenset(surveys.columns)
    scores = [c for c in ("csat", "nps") if c in have]
    if not scores:
        return None
    if by in _FACTS:
        build, order = _FACTS[by]
        group = build(have)
    else:
        group, order = (nw.col(by) if by in have else None), None
    if group is None:
        return None
    grouped = lazy.select(surveys, group.cast(nw.String).alias("value"), *[nw.col(c) for c in scores])
    # Only the surveys table, so the engine groups nothing else by "value": one code path for the scores.
    table = evaluate_by(
        replace(frames, tickets=None, customers=None, history=None, surveys=grouped),
        DRIVER_KPIS,
        by="value",
        settings=settings,
    )
    table = table.rename({"survey_responses": "answers"}).with_columns(pl.col("answers").cast(pl.Int64))
    if order is None:
        table = table.sort(["answers", "value"], descending=[True, False], nulls_last=True)
    else:
        table = (
            table.join(_order(order, "value"), on="value", how="full", coalesce=True)
            .sort("_order", nulls_last=True)
            .with_columns(pl.col("answers").fill_null(0))
        )
    return table.select(
        pl.col("value").cast(pl.String),
        "answers",
        pl.col("csat").cast(pl.Float64),
        pl.col("csat_mean").cast(pl.Float64),
        pl.col("nps").cast(pl.Float64),
        (pl.col("answers") < SMALL_GROUP).alias("small"),
    )


def lowest_comments(frames: Frames, limit: int = 20) -> pl.DataFrame | None:
    """The `limit` answers with a non-blank comment and the lowest scores.

    Ordered by csat, then nps (lowest first, missing scores last), then newest first, then by ticket id.
    Columns: those of `COMMENT_COLUMNS` present. None without a comment column. The engine holding the
    answers sorts them: only `limit` rows come back.
    """
    surveys = frames.surveys
    if surveys is None or "comment" not in surveys.columns:
        return None
    keep = [c for c in COMMENT_COLUMNS if c in surveys.columns]
    order = [c for c in ("csat", "nps", "submitted_at", "ticket_id") if c in keep]
    newest_first = [c == "submitted_at" for c in order]
    commented = (
        lazy.rows_of(surveys).select(keep).filter(nw.col("comment").str.strip_chars().str.len_chars() > 0)
    )
    lowest = commented.sort(order, descending=newest_first, nulls_last=True).head(max(limit, 0))
    return lazy.collect(lowest)


# --- the page's view: words, labels and charts in the reader's language -----------------------

NPS_COLORS = {
    "promoter": charts.COLORS["good"],
    "passive": charts.COLORS["neutral"],
    "detractor": charts.COLORS["bad"],
}


def group_names(lang: str) -> dict[str, str]:
    """The NPS groups as people read them.

    Parameters
    ----------
    lang : "zh" or "en".

    Returns
    -------
    dict
        Each of `NPS_GROUPS` → its name, e.g. "promoter" → "Promoters 9–10".
    """
    return {group: t(f"satisfaction.{group}", lang) for group in NPS_GROUPS}


def split_sentence(split: pl.DataFrame, lang: str) -> str:
    """The NPS split in one Markdown line: each group's name in bold, its share and its answers.

    Parameters
    ----------
    split : `nps_split`'s frame (group, answers, share).
    lang : "zh" (full-width brackets) or "en".

    Returns
    -------
    str
        E.g. "**Promoters 9–10** 50% (1,200) · **Passives 7–8** 30% (720) · …", groups in the frame's order.
    """
    names = group_names(lang)
    return " · ".join(
        f"**{names[row['group']]}** {row['share']:.0%}（{row['answers']:,}）"
        if lang == "zh"
        else f"**{names[row['group']]}** {row['share']:.0%} ({row['answers']:,})"
        for row in split.iter_rows(named=True)
    )


def drill(driver: str) -> str | None:
    """The dimension a click on `driver`'s bars drills into: the driver itself; None for a ticket fact.

    Parameters
    ----------
    driver : one of `DRIVERS`.

    Returns
    -------
    str or None
        None for "resolution_band" and "reopened", which are not columns a scope can narrow.
    """
    return None if driver in FACTS else driver


def driver_name(driver: str, lang: str) -> str:
    """What the driver picker and the drivers chart call `driver`.

    Parameters
    ----------
    driver : one of `DRIVERS`.
    lang : "zh" or "en".

    Returns
    -------
    str
        A ticket fact's own name ("Resolution time"), else the dimension's field name ("Channel").
    """
    return t(f"satisfaction.driver_{driver}", lang) if driver in FACTS else t(f"field.{driver}", lang)


def value_labels(lang: str) -> dict[str, str]:
    """The ticket-fact groups in words: resolution bands with the hour unit, unresolved, (not) reopened.

    Parameters
    ----------
    lang : "zh" or "en".

    Returns
    -------
    dict
        Each of `BAND_ORDER` and `REOPEN_ORDER` → its label, e.g. "≤4h" → "≤4 h", "reopened" → "Reopened".
    """
    labels = {band: band.replace("h", t("satisfaction.hours_unit", lang)) for band in BAND_ORDER}
    labels |= {
        UNRESOLVED: t("satisfaction.unresolved", lang),
        "reopened": t("satisfaction.reopened", lang),
        "not_reopened": t("satisfaction.not_reopened", lang),
    }
    return labels


def drivers_shown(table: pl.DataFrame, driver: str, lang: str) -> pl.DataFrame:
    """`drivers`' table as the page lists it: a dimension's values under its own name, a fact's in words.

    Parameters
    ----------
    table : `drivers(frames, settings, driver)`.
    driver : the `by` it was made with.
    lang : "zh" or "en".

    Returns
    -------
    pl.DataFrame
        For a dimension, column "value" renamed to the dimension (so a row click can drill into it);
        for a ticket fact, "value" relabelled with `value_labels` (the unknown group stays null).
    """
    dimension = drill(driver)
    if dimension:
        return table.rename({"value": dimension})
    return table.with_columns(pl.col("value").replace(value_labels(lang)))


def nps_split_figure(split_trend: pl.DataFrame, grain: str, lang: str) -> alt.TopLevelMixin:
    """The NPS groups per period as 100 % stacked bars, promoters green, detractors red.

    Parameters
    ----------
    split_trend : `nps_split_trend`'s frame (period, group, answers, share).
    grain : "day", "week" or "month" (the periods' length).
    lang : "zh" or "en".
    """
    return charts.stacked_bars(
        split_trend,
        x="period",
        series="group",
        value="answers",
        x_title=t(f"grain.{grain}", lang),
        value_title=t("column.share", lang),
        series_title=t("column.group", lang),
        title=t("satisfaction.nps_split_title", lang),
        series_labels=group_names(lang),
        time_unit=grain,
        normalize=True,
        share_title=t("column.share", lang),
        series_colors=NPS_COLORS,
    )


def drivers_figure(
    table: pl.DataFrame, driver: str, score: str, settings: Settings, lang: str
) -> alt.TopLevelMixin:
    """`score` per group of `driver` as bars with their answers, the target line, small groups marked.

    Parameters
    ----------
    table : `drivers(frames, settings, driver)`; its first 20 rows are drawn.
    driver : the `by` it was made with; a dimension's bars can be clicked to drill into.
    score : "csat" or "nps".
    settings : for the score's target.
    lang : "zh" or "en".
    """
    return charts.driver_bars(
        table.head(20),
        category="value",
        value=score,
        count="answers",
        category_title=driver_name(driver, lang),
        value_title=tables.header(score, lang),
        count_title=t("column.answers", lang),
        title=t("satisfaction.driver_title", lang, score=tables.header(score, lang)),
        value_format=",.1f",
        small="small",
        select=bool(drill(driver)),
        target=settings.target(BY_KEY[score]),
        target_title=t("kpi.target", lang),
        category_labels=value_labels(lang),
    )
