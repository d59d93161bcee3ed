"""Why a KPI moved, on an engine's lazy tables (the lake): a few grouped queries per KPI, no rows back.

`lib.analysis.alerts` explains a change from rows in memory. Here the rows stay in the engine
(narwhals lazy frames over Spark, `lib.lake.scoped`) and the same segments are found by the same
rules (`alerts.choose`), from grouped queries whose answers are a row per group:

- the most frequent values of each dimension (inside the parent segment, for pairs): every
  dimension's counts in one query, ranked in the engine so only the top values come back;
- every counterfactual of a level at once: both periods' rows of the KPI's table, joined with the
  small table of candidate segments and kept where a row belongs to that counterfactual (current
  rows outside the segment, previous rows inside it), then the KPI's own declaration evaluated
  per candidate (`kpis.evaluate_by(by=CANDIDATE)`). This holds for every KPI, quantiles and
  distinct counts too, with the engine's own aggregation; the price is that the engine scans each
  current row once per candidate it is outside of (about TOP_VALUES × dimensions at the first
  level), which a cluster spreads over its workers.

A KPI costs four queries whatever the data's size: the counts and the counterfactuals of the single
values, then the same for the pairs inside the PAIR_PARENTS best (`alerts.choose` asks for them as one
batch). Both periods' rows of the KPI's table are held by the engine meanwhile (`Engine.hold`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

import narwhals as nw
import polars as pl

from lib.analysis import alerts
from lib.analysis.alerts import NOW, Batch, Explanation, Segment
from lib.engine.kpis import (
    _DIVIDE_BY_TICKETS,
    DERIVED,
    Settings,
    _clean,
    change,
    columns_for,
    evaluate,
    evaluate_by,
    kpi_of,
    reads,
)
from lib.engine.store import Frames
from lib.schema import DIMENSIONS

CANDIDATE = "_candidate"  # the counterfactual a copied row belongs to
SEGMENT = "_segment_"  # + dimension: a candidate segment's value of that dimension (null: any)


@dataclass(frozen=True)
class Engine:
    """What the explanation asks of the engine besides narwhals: a small Polars table as one of its lazy
    frames (to join with its rows), and holding a frame that many queries read (both periods' rows of
    a KPI's table) so its scan and joins run once, then letting it go."""

    small: Callable[[pl.DataFrame], nw.LazyFrame]
    hold: Callable[[nw.LazyFrame], nw.LazyFrame] = lambda frame: frame
    release: Callable[[nw.LazyFrame], None] = lambda frame: None


def explain_frames(
    current: Frames,
    previous: Frames | None,
    settings: Settings,
    keys: Collection[str],
    engine: Engine,
    values: tuple[dict, dict] | None = None,
) -> list[Explanation]:
    """`alerts.explain_frames` on lazy frames: `current` / `previous` are an engine's scoped tables
    (`previous` None: no comparison period the data covers). `values` are the KPIs now and before when
    the caller has them already (the Overview's summary); else they are evaluated here.
    """
    keys = tuple(keys)
    if not keys:
        return []
    now = values[0] if values else evaluate(current, keys, settings)
    if previous is None:
        return [Explanation(k, now[k], None, None, None, ()) for k in keys]
    before = values[1] if values else evaluate(previous, keys, settings)
    found = []
    for key in keys:
        delta, relative = change(now[key], before[key])
        why = () if not delta else _contributions(current, previous, key, settings, now[key], delta, engine)
        found.append(Explanation(key, now[key], before[key], delta, relative, why))
    return found


def _contributions(
    current: Frames, previous: Frames, key: str, settings: Settings, now: float, delta: float, engine: Engine
) -> tuple:
    kpi = kpi_of(key, settings)
    tables = (kpi.table, "tickets") if key in _DIVIDE_BY_TICKETS else (kpi.table,)
    stacked: dict[str, nw.LazyFrame] = {}
    dims: list[str] = []
    for table in tables:
        rows_now, rows_before = getattr(current, table), getattr(previous, table)
        if rows_now is None or rows_before is None:
            return ()
        stacked[table], table_dims = _stack(
            rows_now, rows_before, key if table == kpi.table else table, settings
        )
        if table == kpi.table:
            dims = table_dims
    held = {table: engine.hold(rows) for table, rows in stacked.items()}
    try:
        candidates = _candidates(held, kpi.table, dims, key, settings, current.scope, engine)
        return alerts.choose(candidates, dims, now, delta)
    finally:
        for rows in held.values():
            engine.release(rows)


def _stack(
    rows_now: nw.LazyFrame, rows_before: nw.LazyFrame, key: str, settings: Settings
) -> tuple[nw.LazyFrame, list[str]]:
    """Both periods of one table with only what the KPI reads, the dimensions as text and the period
    flag NOW (as `alerts._stack`, which holds the same columns)."""
    have = frozenset(rows_now.columns)
    kpi = kpi_of(key, settings)
    uses = reads(kpi, have, settings)
    if kpi.expr(uses, settings) is None:
        uses |= columns_for((key,), settings=settings) & have
    # The engine's tables carry the DERIVED durations as columns (Polars derives them from `uses`).
    uses |= {name for name, (sources, _) in DERIVED.items() if name in have and set(sources) <= uses}
    dims = [d for d in DIMENSIONS if d in have]
    kept = sorted(uses - set(dims))

    def slim(frame: nw.LazyFrame, is_now: bool) -> nw.LazyFrame:
        return frame.select(*kept, *[nw.col(d).cast(nw.String()) for d in dims], nw.lit(is_now).alias(NOW))

    return nw.concat([slim(rows_now, True), slim(rows_before, False)], how="vertical"), dims


def _inside(segment: Segment) -> nw.Expr:
    """Whether a row belongs to `segment` (a null value belongs to none)."""
    test = nw.lit(True)
    for dim, value in segment:
        test = test & (nw.col(dim) == nw.lit(value)).fill_null(False)
    return test


def _candidates(
    stacked: dict[str, nw.LazyFrame],
    main: str,
    dims: list[str],
    key: str,
    settings: Settings,
    scope,
    engine: Engine,
) -> Batch:
    unit = kpi_of(key, settings).unit
    # A counterfactual with no row at all is absent from a grouped answer: its value is the KPI of no rows.
    empty = {t: pl.DataFrame(schema=f.collect_schema().to_polars()) for t, f in stacked.items()}
    of_nothing = evaluate(Frames(**_tables(empty), scope=scope, history_by_period=False), (key,), settings)[
        key
    ]

    def candidates(asked: list[tuple[Segment, list[str], int]]) -> list[list]:
        tops = _tops(stacked[main], asked)
        found = [
            [(dim, value, n, b) for dim in among for value, n, b in tops.get((i, dim), [])]
            for i, (_, among, _) in enumerate(asked)
        ]
        segments = [
            alerts._segment((*within, (dim, value)))
            for (within, _, _), items in zip(asked, found, strict=True)
            for dim, value, _, _ in items
        ]
        values = _counterfactuals(stacked, segments, dims, key, settings, scope, engine) if segments else {}
        numbered, out = iter(range(len(segments))), []
        for items in found:
            out.append([(*item, _clean(values.get(next(numbered), of_nothing), unit)) for item in items])
        return out

    return candidates


def _tops(rows: nw.LazyFrame, asked: list[tuple[Segment, list[str], int]]) -> dict:
    """For each request i and each of its dimensions, the `limit` most frequent values inside its segment
    (both periods, null left out), as `alerts._Stacked.top`: most rows first, then by value; with the
    rows now and before. One query: each (request, dimension) counted, ranked in the engine, the few
    rows tied at a limit sorted out here. Returns (i, dimension) → [(value, rows now, rows before)].
    """
    counted = []
    for i, (within, among, limit) in enumerate(asked):
        inside = rows.filter(_inside(within)) if within else rows
        for dim in among:
            counted.append(
                inside.filter(~nw.col(dim).is_null())
                .group_by(dim)
                .agg(
                    nw.col(NOW).cast(nw.Int64()).sum().alias("now"),
                    (~nw.col(NOW)).cast(nw.Int64()).sum().alias("before"),
                )
                .select(
                    nw.lit(i).cast(nw.Int64()).alias("_request"),
                    nw.lit(dim).alias("_dim"),
                    nw.lit(limit).cast(nw.Int64()).alias("_limit"),
                    nw.col(dim).alias("_value"),
                    "now",
                    "before",
                )
            )
    if not counted:
        return {}
    rank = (nw.col("now") + nw.col("before")).rank("min", descending=True).over("_request", "_dim")
    kept = (
        nw.concat(counted, how="vertical")
        .with_columns(rank.alias("_rank"))
        .filter(nw.col("_rank") <= nw.col("_limit"))
        .collect(backend="polars")
        .to_native()
    )
    out: dict[tuple[int, str], list] = {}
    for i, dim, _limit, value, n, b, _ in kept.iter_rows():
        out.setdefault((i, dim), []).append((value, int(n), int(b)))
    for (i, dim), values in out.items():
        values.sort(key=lambda v: (-(v[1] + v[2]), v[0]))
        out[i, dim] = values[: asked[i][2]]
    return out


def _counterfactuals(
    stacked: dict[str, nw.LazyFrame],
    segments: list[Segment],
    dims: list[str],
    key: str,
    settings: Settings,
    scope,
    engine: Engine,
) -> dict[int, float | None]:
    """The KPI of each counterfactual (candidate i: the current rows outside segments[i] plus the previous
    rows inside it), in one grouped query: candidate number → value (absent: no row)."""
    table = pl.DataFrame(
        {
            CANDIDATE: list(range(len(segments))),
            **{SEGMENT + d: [dict(s).get(d) for s in segments] for d in dims},
        },
        schema={CANDIDATE: pl.Int64, **{SEGMENT + d: pl.String for d in dims}},
    )
    chosen = engine.small(table)
    inside = nw.lit(True)
    for d in dims:
        wanted = nw.col(SEGMENT + d)
        inside = inside & (wanted.is_null() | (nw.col(d) == wanted).fill_null(False))
    copied = {
        name: rows.join(chosen, how="cross").filter(nw.col(NOW) != inside).drop(*[SEGMENT + d for d in dims])
        for name, rows in stacked.items()
    }
    frames = Frames(**_tables(copied), scope=scope, history_by_period=False)
    result = evaluate_by(frames, (key,), by=CANDIDATE, settings=settings)
    return {int(i): v for i, v in result.select(CANDIDATE, key).iter_rows() if i is not None}


def _tables(given: dict) -> dict:
    return {t: given.get(t) for t in ("tickets", "surveys", "customers", "history")}
