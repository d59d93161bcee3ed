"""Explore (自助分析): any KPI by up to two dimensions and/or a time grain, as one grouped evaluation.

A `Question` is the whole of what the user asked (KPIs, dimensions, grain, page filters, top N, sort,
minimum group size). `ask` reads the scope once and evaluates every KPI in one `evaluate_by` per table;
the values beyond the top N of each dimension are folded into one OTHER group *before* evaluating, so
the "other" rate is computed over its own tickets, never averaged. Every row carries the count behind
it (`size`) and whether it is under the minimum size (`small`). The same function serves the page, the
CLI (`python -m lib explore`) and the tests, and a question travels in a URL as plain parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import duckdb
import narwhals as nw
import polars as pl

from lib.engine import store
from lib.engine.kpis import BY_KEY, Kpi, Settings, columns_for, evaluate_by, kpi_of, status
from lib.engine.periods import GRAINS
from lib.errors import InputError
from lib.schema import DIMENSIONS

OTHER = "__other__"  # the folded group's value (shown translated)
MAX_DIMENSIONS = 2
MAX_TOP = 50
DEFAULT_TOP = 10
SIZE = "size"  # the count behind each row: tickets (or survey answers for survey-only questions)
SMALL = "small"
ANSWERS = "survey_responses"  # the count behind a survey KPI in a question that also has ticket KPIs
ORDERS = ("desc", "asc")


@dataclass(frozen=True)
class Question:
    """What the user asked. `filters` narrow the sidebar's scope (values kept where both name one)."""

    kpis: tuple[str, ...]
    by: tuple[str, ...] = ()
    grain: str | None = None  # a key of GRAINS
    filters: tuple[tuple[str, tuple[str, ...]], ...] = field(default_factory=tuple)
    top: int = DEFAULT_TOP
    sort: str | None = None  # a KPI of the question, or None: by size
    order: str = "desc"
    min_size: int = 0


@dataclass(frozen=True)
class Answer:
    """The answer: one row per group (dimensions, period, KPIs, size, small), and what was left out."""

    question: Question
    table: pl.DataFrame
    size_of: str  # the KPI key behind `size`: "tickets" or "survey_responses"
    unavailable: tuple[str, ...]  # KPIs of the question the data cannot compute
    folded: dict[str, int]  # per dimension, how many values went into OTHER


def check(question: Question, settings: Settings | None = None) -> Question:
    """The question if it can be asked, else an InputError naming what is wrong."""
    if not question.kpis:
        raise InputError("explore.no_kpi")
    for key in question.kpis:
        try:
            kpi_of(key, settings)
        except KeyError:
            raise InputError("explore.unknown_kpi", kpi=key) from None
    if len(question.by) > MAX_DIMENSIONS:
        raise InputError("explore.too_many_dimensions", most=MAX_DIMENSIONS)
    if len(set(question.by)) != len(question.by):
        raise InputError("explore.same_dimension_twice")
    for name in (*question.by, *(d for d, _ in question.filters)):
        if name not in DIMENSIONS:
            raise InputError("explore.unknown_dimension", dimension=name, known=", ".join(DIMENSIONS))
    if question.grain is not None and question.grain not in GRAINS:
        raise InputError("explore.unknown_grain", grain=question.grain, known=", ".join(GRAINS))
    if not 1 <= question.top <= MAX_TOP:
        raise InputError("explore.bad_top", top=question.top, most=MAX_TOP)
    if question.min_size < 0:
        raise InputError("explore.bad_min_size", size=question.min_size)
    if question.sort is not None and question.sort not in (*question.kpis, SIZE):
        raise InputError("explore.bad_sort", kpi=question.sort)
    if question.order not in ORDERS:
        raise InputError("explore.bad_order", order=question.order)
    return question


def narrowed(scope: store.Scope, question: Question) -> store.Scope:
    """The sidebar's scope with the question's own filters on top (both must hold)."""
    filters = dict(scope.filters)
    for dimension, values in question.filters:
        if not values:
            continue
        if dimension in filters:
            filters[dimension] = tuple(v for v in filters[dimension] if v in values)
        else:
            filters[dimension] = tuple(values)
    return replace(scope, filters=tuple(filters.items()))


def ask(
    con: duckdb.DuckDBPyConnection, scope: store.Scope, question: Question, settings: Settings | None = None
) -> Answer:
    """The question's table for `scope` (the sidebar's), read once and evaluated in one grouped pass."""
    settings = settings or Settings()
    check(question, settings)
    kpis = [kpi_of(key, settings) for key in question.kpis]
    on_surveys_only = all(k.table == "surveys" for k in kpis)
    size_of = counted_by(question, settings)
    keys = _keys(question, settings, size_of)
    tables = {"tickets"} | {"tickets" if k.table == "history" else k.table for k in kpis}
    if on_surveys_only:
        tables.add("surveys")
    frames = store.scoped(
        con,
        narrowed(scope, question),
        ticket_columns=columns_for(keys, question.by, settings),
        by_period=question.grain is not None and any(k.table == "history" for k in kpis),
        read=tables,
    )
    return answer(frames, question, settings, size_of)


def counted_by(question: Question, settings: Settings) -> str:
    """The count behind each row: survey answers for a question of survey KPIs only, else tickets."""
    on_surveys_only = all(kpi_of(k, settings).table == "surveys" for k in question.kpis)
    return "survey_responses" if on_surveys_only else "tickets"


def answer(frames: store.Frames, question: Question, settings: Settings, size_of: str) -> Answer:
    """`ask` on frames already read (tests and the CLI's equality checks use it too).

    The frames are Polars (the local engine) or an engine's lazy tables (`lib.lake_pages.explore`): the folding
    and the evaluation run where the rows are, and only a row per group comes back.
    """
    keys = _keys(question, settings, size_of)
    by = question.by
    for dimension in by:
        if not _has(frames, dimension):
            raise InputError("explore.no_column", field=dimension)
    frames, folded = _fold(frames, by, question.top, size_of)
    every = GRAINS[question.grain] if question.grain else None
    table = evaluate_by(frames, keys, by=by, every=every, settings=settings)
    table = _fill_absent(table, frames, keys, settings)
    table = (
        table.rename({size_of: SIZE})
        if size_of not in question.kpis
        else table.with_columns(pl.col(size_of).alias(SIZE))
    )
    table = table.with_columns(pl.col(SIZE).fill_null(0).cast(pl.Int64))
    table = table.with_columns((pl.col(SIZE) < question.min_size).alias(SMALL))
    table = _sorted(table, question)
    answers = [ANSWERS] if ANSWERS in keys and ANSWERS not in question.kpis and size_of != ANSWERS else []
    columns = [*question.by, *(["period"] if every else []), *question.kpis, SIZE, *answers, SMALL]
    unavailable = tuple(k for k in question.kpis if table.is_empty() or table[k].is_null().all())
    return Answer(question, table.select(columns), size_of, unavailable, folded)


def _keys(question: Question, settings: Settings, size_of: str) -> tuple[str, ...]:
    """The question's KPIs, the count behind them, and the answers behind any survey KPI among ticket ones."""
    surveys = any(kpi_of(k, settings).table == "surveys" for k in question.kpis)
    return tuple(dict.fromkeys((*question.kpis, size_of, *([ANSWERS] if surveys else []))))


def _fill_absent(
    table: pl.DataFrame, frames: store.Frames, keys: tuple[str, ...], settings: Settings
) -> pl.DataFrame:
    """A group only some tables have (answers to tickets outside the range) has no rows in the others:
    there its counts and sums are what no rows give (0), its rates stay empty. A KPI the data cannot
    give at all stays null throughout."""
    if table.is_empty():
        return table
    empty = replace(
        frames,
        **{
            name: _no_rows(getattr(frames, name))
            for name in ("tickets", "surveys", "customers", "history")
            if getattr(frames, name) is not None
        },
    )
    nothing = evaluate_by(empty, keys, settings=settings)
    if nothing.is_empty():
        return table
    fills = [
        pl.col(k).fill_null(value)
        for k, value in nothing.row(0, named=True).items()
        if value is not None and value == value and not table[k].is_null().all()
    ]
    return table.with_columns(fills) if fills else table


def _has(frames: store.Frames, dimension: str) -> bool:
    return any(frame is not None and dimension in frame.columns for frame in (frames.tickets, frames.surveys))


def _no_rows(frame) -> pl.DataFrame:
    """A table's columns without its rows, in memory (an engine's lazy table is not asked for them)."""
    if isinstance(frame, pl.DataFrame):
        return frame.head(0)
    return pl.DataFrame(schema=nw.from_native(frame).collect_schema().to_polars())


def _collected(frame: nw.DataFrame | nw.LazyFrame) -> pl.DataFrame:
    return (frame.collect(backend="polars") if isinstance(frame, nw.LazyFrame) else frame).to_native()


def _fold(
    frames: store.Frames, by: tuple[str, ...], top: int, size_of: str
) -> tuple[store.Frames, dict[str, int]]:
    """Each dimension's values beyond its `top` largest (by tickets, or answers) replaced by OTHER.

    Done on every table's rows before the evaluation, so OTHER's rates are its own rows' rates.
    An empty value is a group like any other (shown as "—"). Only the `top` + 1 largest values and the
    number of values come back from the rows (Polars here, or an engine's lazy table).
    """
    ranking_frame = frames.surveys if size_of == "survey_responses" else frames.tickets
    folded: dict[str, int] = {}
    replacements: dict[str, nw.Expr] = {}
    for dimension in by:
        if ranking_frame is None or dimension not in ranking_frame.columns:
            continue
        counts = nw.from_native(ranking_frame).group_by(dimension).agg(nw.len().alias("len"))
        values = int(_collected(counts.select(nw.len().alias("n"))).item())
        if values <= top:
            continue
        kept = _collected(
            counts.sort(["len", dimension], descending=[True, False], nulls_last=False).head(top)
        )
        kept = kept[dimension]
        folded[dimension] = values - top
        column = nw.col(dimension)
        present = kept.drop_nulls().to_list()
        inside = column.is_in(present) if present else nw.lit(False)
        if kept.null_count():
            inside = inside | column.is_null()
        replacements[dimension] = (
            nw.when(inside.fill_null(False)).then(column).otherwise(nw.lit(OTHER)).alias(dimension)
        )
    if not replacements:
        return frames, folded

    def fold(frame):
        if frame is None:
            return None
        present = [expr for dimension, expr in replacements.items() if dimension in frame.columns]
        return nw.from_native(frame).with_columns(present).to_native() if present else frame

    return (
        replace(
            frames,
            tickets=fold(frames.tickets),
            surveys=fold(frames.surveys),
            history=fold(frames.history),
        ),
        folded,
    )


def _sorted(table: pl.DataFrame, question: Question) -> pl.DataFrame:
    """Periods in time order; groups by the sort KPI (or size), ties by name; small groups after the others
    and OTHER last, in each period."""
    if table.is_empty():
        return table
    sort_by = question.sort or SIZE
    descending = question.order == "desc"
    is_other = (
        pl.any_horizontal([pl.col(d) == OTHER for d in question.by]).fill_null(False)
        if question.by
        else (pl.lit(False))
    )
    table = table.with_columns(is_other.alias("_other"))
    # Groups under the minimum size go after the others: a noisy 100 % must not top a ranking.
    columns = (["period"] if "period" in table.columns else []) + ["_other", SMALL, sort_by, *question.by]
    flags = (
        ([False] if "period" in table.columns else [])
        + [False, False, descending]
        + [False] * len(question.by)
    )
    return table.sort(columns, descending=flags, nulls_last=True).drop("_other")


def statuses(answer: Answer, key: str, settings: Settings) -> list[str | None]:
    """The target status (green / amber / red, None without a target) of every row for KPI `key`."""
    kpi = kpi_of(key, settings)
    return [status(kpi, value, settings) for value in answer.table[key].to_list()]


def chart_kinds(question: Question) -> tuple[str, ...]:
    """The charts that can show the question, the one that fits it best first."""
    if question.grain and not question.by:
        return ("lines",)
    if question.grain:
        return ("lines", "heatmap")
    if len(question.by) == 2:
        return ("heatmap", "multiples", "bars")
    if question.by:
        return ("bars",)
    return ("table",)


def kpi_groups(settings: Settings | None = None) -> dict[str, tuple[Kpi, ...]]:
    """Every KPI the user can pick, grouped as on the pages (measures last)."""
    groups: dict[str, list[Kpi]] = {name: [] for name in _GROUP_ORDER}
    for kpi in BY_KEY.values():
        groups[_group_of(kpi)].append(kpi)
    groups["measures"] = list(settings.measures) if settings else []
    return {name: tuple(kpis) for name, kpis in groups.items() if kpis}


_GROUP_ORDER = ("volume", "efficiency", "quality", "satisfaction", "cost", "customers", "measures")


def _group_of(kpi: Kpi) -> str:
    if kpi.table == "surveys":
        return "satisfaction"
    if kpi.table == "customers":
        return "customers"
    if kpi.unit == "currency":
        return "cost"
    if kpi.unit in ("hours", "minutes") or "sla" in kpi.key:
        return "efficiency"
    if kpi.unit == "count" or kpi.key == "resolution_rate":
        return "volume"
    return "quality"


# ---- the question in a URL (plain parameters; a copied link reproduces it) ---------------------

PREFIX = "x_"  # every Explore parameter starts so (the sidebar keeps them in the URL)


def to_params(question: Question) -> dict[str, str | list[str]]:
    """The question as URL query parameters (defaults left out, so links stay short)."""
    params: dict[str, str | list[str]] = {f"{PREFIX}kpi": ",".join(question.kpis)}
    if question.by:
        params[f"{PREFIX}by"] = ",".join(question.by)
    if question.grain:
        params[f"{PREFIX}grain"] = question.grain
    if question.top != DEFAULT_TOP:
        params[f"{PREFIX}top"] = str(question.top)
    if question.sort:
        params[f"{PREFIX}sort"] = question.sort
    if question.order != "desc":
        params[f"{PREFIX}order"] = question.order
    if question.min_size:
        params[f"{PREFIX}min"] = str(question.min_size)
    for dimension, values in question.filters:
        if values:
            params[f"{PREFIX}f_{dimension}"] = list(values)
    return params


def from_params(params: dict[str, str | list[str]]) -> Question | None:
    """The question a URL holds, None when it holds none. Bad parts fall back to defaults (a link
    typed or cut short still opens); `check` refuses what cannot be asked."""

    def one(name: str) -> str | None:
        value = params.get(f"{PREFIX}{name}")
        if isinstance(value, list):
            value = value[-1] if value else None
        return value or None

    def number(name: str, default: int) -> int:
        text = one(name)
        return int(text) if text and text.isdigit() and len(text) < 7 else default

    kpis = tuple(k for k in (one("kpi") or "").split(",") if k)
    if not kpis:
        return None
    filters = []
    for name, value in params.items():
        if name.startswith(f"{PREFIX}f_"):
            values = value if isinstance(value, list) else [value]
            filters.append((name[len(PREFIX) + 2 :], tuple(str(v) for v in values)))
    grain, order = one("grain"), one("order")
    return Question(
        kpis=kpis,
        by=tuple(d for d in (one("by") or "").split(",") if d),
        grain=grain if grain in GRAINS else None,
        filters=tuple(sorted(filters)),
        top=min(max(number("top", DEFAULT_TOP), 1), MAX_TOP),
        sort=one("sort"),
        order=order if order in ORDERS else "desc",
        min_size=number("min", 0),
    )
