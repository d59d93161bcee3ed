"""Why a KPI moved: the segments of one or two dimensions that contribute most to its change."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

import duckdb
import polars as pl

from lib.engine import partials, periods, store
from lib.engine.kpis import (
    _DIVIDE_BY_TICKETS,
    Settings,
    _clean,
    change,
    columns_for,
    evaluate,
    kpi_of,
    reads,
    with_derived,
)
from lib.engine.store import Frames, Scope
from lib.schema import DIMENSIONS

TOP_VALUES = 10  # single-dimension candidates: the most frequent values of each dimension
PAIR_PARENTS = 3  # the best single segments are refined by a second dimension...
PAIR_VALUES = 4  # ...with the most frequent values of each other dimension inside them (3 × 5 × 4 = 60)
PAIR_KEEP = 0.9  # a pair replaces its parent when it explains ≥ 90 % of the parent's share with fewer rows
MIN_SHARE = 0.2  # a segment worth naming explains at least a fifth of the change
MAX_SEGMENTS = 2
NOW = "_now"  # marks the current period's rows of the stacked periods

Segment = tuple[tuple[str, str], ...]  # (dimension, value) pairs in DIMENSIONS order


@dataclass(frozen=True)
class Contribution:
    """One segment's part in a KPI's change.

    `without` is the KPI of the current period with the segment's rows put back as they
    were in the previous period; `share` = (current − without) / change.
    """

    segment: Segment
    share: float
    without: float | None
    rows_now: int  # the segment's rows of the KPI's table, current period
    rows_before: int  # ... previous period


@dataclass(frozen=True)
class Explanation:
    """A KPI now and before, its absolute and relative change, and the segments that explain it."""

    key: str
    current: float | None
    previous: float | None
    change: float | None
    relative: float | None
    contributions: tuple[Contribution, ...]


def explain(current: Frames, previous: Frames, key: str, settings: Settings) -> Explanation:
    """Explain the change of KPI `key` from `previous` to `current` by at most two segments.

    For a segment g, KPI_g is the KPI over the current rows outside g plus the previous
    rows inside g ("as if g had stayed as it was"); g contributes KPI(current) − KPI_g,
    and its share is that divided by the change. This holds for any KPI (quantiles,
    backlog, rates); for means and rates it counts a shift in volume as well as a change
    within g. Shares of other segments can offset each other, so one share may exceed 1.
    A segment is named when its share is ≥ MIN_SHARE (so of the change's own sign); none
    when the KPI is not available in either period or did not change.
    """
    now = evaluate(current, (key,), settings)[key]
    before = evaluate(previous, (key,), settings)[key]
    delta, relative = change(now, before)
    found = () if not delta else _contributions(current, previous, key, settings, now, delta)
    return Explanation(key, now, before, delta, relative, found)


def explain_alerts(
    con: duckdb.DuckDBPyConnection, scope: Scope, settings: Settings, keys: Collection[str]
) -> list[Explanation]:
    """Explain each KPI in `keys` (the alerts) for `scope` against the period before.

    Each period is read once. Without a previous period, or when the data does not cover all of it
    (`periods.comparison_coverage`: a KPI is not "worse than before" against an empty or half period),
    there is no previous value, no change and no contribution.
    """
    keys = tuple(keys)
    if not keys:
        return []
    wanted = columns_for(keys, settings=settings) | set(DIMENSIONS)
    # Tickets always (survey_response_rate divides by them); the other tables when a key needs them.
    read = {"tickets"} | {kpi_of(k, settings).table for k in keys}
    current = store.scoped(con, scope, ticket_columns=wanted, by_period=False, read=read)
    comparison = periods.comparison_coverage(con, scope)
    previous = None
    if comparison is not None and comparison.covered:
        previous = store.scoped(con, comparison.period, ticket_columns=wanted, by_period=False, read=read)
    return explain_frames(current, previous, settings, keys)


def explain_frames(
    current: Frames, previous: Frames | None, settings: Settings, keys: Collection[str]
) -> list[Explanation]:
    """`explain_alerts` on rows already read: both periods' frames with the keys' columns and the
    dimensions (`previous` None: no comparison period, or one the data does not cover).
    """
    keys = tuple(keys)
    if not keys:
        return []  # (evaluate would take no keys for every key)
    if previous is None:
        values = evaluate(current, keys, settings)
        return [Explanation(k, values[k], None, None, None, ()) for k in keys]
    return [explain(current, previous, key, settings) for key in keys]


@dataclass(frozen=True)
class _Stacked:
    """One table's rows of both periods: the KPI's columns, and each row's period and dimension codes."""

    values: pl.DataFrame  # what a counterfactual copies: only the columns the KPI reads
    codes: pl.DataFrame  # NOW, and per dimension the index of the row's value in `names`
    names: dict[str, tuple[str, ...]]

    def inside(self, segment: Segment) -> pl.Series:
        """Whether each row belongs to the segment (a null value belongs to none)."""
        return self.codes.select(self.inside_codes(segment)).to_series()

    def inside_codes(self, segment: Segment, prefix: str = "") -> pl.Expr:
        """The test of `inside` as an expression on the code columns (named `prefix` + dimension)."""
        tests = []
        for dim, value in segment:
            names = self.names.get(dim, ())
            column = pl.col(prefix + dim)
            tests.append(column.eq_missing(names.index(value)) if value in names else pl.lit(False))
        return pl.all_horizontal(tests)

    def keep(self, segment: Segment) -> pl.Series:
        """Rows of the counterfactual: current rows outside the segment, previous rows inside it."""
        return self.codes[NOW] != self.inside(segment)

    def top(self, dim: str, limit: int, within: Segment = ()) -> list[tuple[str, int, int]]:
        """The `limit` most frequent values of `dim` (both periods, null left out) with their rows now and before."""
        rows = self.codes.filter(self.inside(within)) if within else self.codes
        counts = (
            rows.filter(pl.col(dim).is_not_null())
            .group_by(dim)
            .agg(pl.col(NOW).sum().alias("now"), (~pl.col(NOW)).sum().alias("before"))
            .iter_rows()
        )
        named = sorted(((self.names[dim][i], now, before) for i, now, before in counts), key=_by_volume)
        return named[:limit]


def _by_volume(value: tuple[str, int, int]) -> tuple[int, str]:
    name, now, before = value
    return -(now + before), name


def _stack(rows_now: pl.DataFrame, rows_before: pl.DataFrame, key: str, settings: Settings) -> _Stacked:
    """Both periods of one table, reduced to what the KPI reads, with integer codes for the dimensions.

    Every counterfactual copies `values`, so it holds only the KPI's columns; segments
    are picked out by comparing small integers, not text.
    """
    have = frozenset(rows_now.columns) | frozenset(rows_before.columns)
    kpi = kpi_of(key, settings)
    uses = reads(kpi, have, settings)
    if kpi.expr(uses, settings) is None:
        # `needs` may ask for a column the expression does not read (backlog: resolved_at).
        uses |= columns_for((key,), settings=settings) & have
    dims = [d for d in DIMENSIONS if d in have]

    def slim(frame: pl.DataFrame, is_now: bool) -> pl.DataFrame:
        # Segment values are compared as text, whatever type the file gave the dimension.
        labels = [pl.col(d).cast(pl.String).alias(f"_dim_{d}") for d in dims if d in frame.columns]
        kpi_columns = [c for c in frame.columns if c in uses]
        return frame.with_columns(pl.lit(is_now).alias(NOW)).select(*kpi_columns, *labels, NOW)

    both = pl.concat([slim(rows_now, True), slim(rows_before, False)], how="diagonal_relaxed")
    names = {d: tuple(both[f"_dim_{d}"].drop_nulls().unique().sort()) for d in dims}
    codes = both.select(
        NOW, *[pl.col(f"_dim_{d}").cast(pl.Enum(names[d])).to_physical().alias(d) for d in dims]
    )
    # A KPI reading no column (a row count) still needs the rows: keep the period flag then.
    return _Stacked(both.select(sorted(uses & set(both.columns)) or [NOW]), codes, names)


def _contributions(
    current: Frames, previous: Frames, key: str, settings: Settings, now: float, delta: float
) -> tuple[Contribution, ...]:
    kpi = kpi_of(key, settings)
    # survey_response_rate divides by the ticket count: a segment swaps its tickets too.
    reads = {kpi.table: key, "tickets": "tickets"} if key in _DIVIDE_BY_TICKETS else {kpi.table: key}
    stacked: dict[str, _Stacked] = {}
    for table, reader in reads.items():
        rows_now, rows_before = getattr(current, table), getattr(previous, table)
        if rows_now is None or rows_before is None:
            return ()
        stacked[table] = _stack(rows_now, rows_before, reader, settings)
    main = stacked[kpi.table]
    candidates = _grouped(main, key, settings) if len(stacked) == 1 else None
    if candidates is None:
        candidates = _one_by_one(current, stacked, key, settings)
    return choose(lambda asked: [candidates(*one) for one in asked], list(main.names), now, delta)


def choose(candidates: Batch, dims: list[str], now: float, delta: float) -> tuple[Contribution, ...]:
    """At most MAX_SEGMENTS segments explaining `delta` (the KPI is `now`): the best single values of
    `dims`, each of the PAIR_PARENTS best refined by a second dimension where that names fewer rows for
    about the same share.

    `candidates` computes the counterfactuals of a batch of requests (here from rows or group sums, one
    request at a time; `alerts_lazy` a whole batch in one engine query), so every engine picks its
    segments by the same rules.
    """

    def judged(within: Segment, found: list) -> list[Contribution]:
        """The candidates inside `within` as segments with their contributions (none where the KPI has no
        value without the segment)."""
        return [
            Contribution(_segment(within + ((dim, value),)), (now - w) / delta, w, rows_now, rows_before)
            for dim, value, rows_now, rows_before, w in found
            if w is not None
        ]

    (found,) = candidates([((), dims, TOP_VALUES)])
    singles = judged((), found)
    singles.sort(key=_rank)
    pool = list(singles)
    parents = singles[:PAIR_PARENTS]
    asked = [(p.segment, [d for d in dims if d != p.segment[0][0]], PAIR_VALUES) for p in parents]
    for parent, found in zip(parents, candidates(asked) if asked else [], strict=True):
        pairs = judged(parent.segment, found)
        # A pair is a subset of its parent; it takes the parent's place only when it names
        # fewer rows yet explains about as much (its share at most 1 − PAIR_KEEP below).
        enough = parent.share - (1 - PAIR_KEEP) * abs(parent.share)
        better = [pair for pair in pairs if pair.share >= enough and _rows(pair) < _rows(parent)]
        if better:
            pool[pool.index(parent)] = min(better, key=_rank)
    pool.sort(key=_rank)
    chosen: list[Contribution] = []
    for candidate in pool:
        if len(chosen) == MAX_SEGMENTS or candidate.share < MIN_SHARE:
            break
        # Two parents can lead to the same pair, or a pair can lie inside another choice:
        # name each group of rows once.
        if not any(_nested(candidate.segment, c.segment) for c in chosen):
            chosen.append(candidate)
    return tuple(chosen)


# For (within, dims, limit): the `limit` most frequent values of each dimension in `dims` inside the
# segment `within` (`_Stacked.top`), each as (dimension, value, rows now, rows before, the KPI with the
# segment within + (dimension, value) as it was in the previous period; None where it has no value).
Candidates = Callable[[Segment, list[str], int], list[tuple[str, str, int, int, float | None]]]
# The same for a batch of (within, dims, limit) requests: one list of candidates per request.
Batch = Callable[[list[tuple[Segment, list[str], int]]], list[list[tuple[str, str, int, int, float | None]]]]


def _one_by_one(current: Frames, stacked: dict[str, _Stacked], key: str, settings: Settings) -> Candidates:
    """Each counterfactual evaluated on its own rows: for any KPI (quantiles, distinct counts)."""
    main = stacked[kpi_of(key, settings).table]

    def candidates(within: Segment, dims: list[str], limit: int) -> list:
        found = []
        for dim in dims:
            for value, rows_now, rows_before in main.top(dim, limit, within=within):
                segment = _segment(within + ((dim, value),))
                swapped = {table: part.values.filter(part.keep(segment)) for table, part in stacked.items()}
                without = evaluate(replace(current, **swapped), (key,), settings)[key]
                found.append((dim, value, rows_now, rows_before, without))
        return found

    return candidates


def _grouped(main: _Stacked, key: str, settings: Settings) -> Candidates | None:
    """The candidates of every dimension from one group-by each, run together, for a KPI built from sums
    (`partials`): the KPI of (current rows outside g) + (previous rows inside g) is the combination of
    sums(current) − sums(current ∩ g) + sums(previous ∩ g). None when the KPI is not built from sums.
    """
    decomposed = partials.decompose(key, frozenset(main.values.columns), settings)
    if decomposed is None:
        return None
    codes = main.codes.rename({d: f"_code_{d}" for d in main.names})
    rows = with_derived(main.values.drop(NOW, strict=False).hstack(codes))
    totals = partials.summed(rows.filter(pl.col(NOW)), decomposed.parts).collect()
    unit = kpi_of(key, settings).unit
    base, zero = totals.row(0), (0,) * totals.width
    counted = (pl.len().alias("_rows"), *decomposed.parts)

    def candidates(within: Segment, dims: list[str], limit: int) -> list:
        inside = rows.filter(main.inside_codes(within, prefix="_code_")) if within else rows
        queries = [
            partials.summed(
                inside.filter(pl.col(f"_code_{dim}").is_not_null()), counted, [f"_code_{dim}", NOW]
            )
            for dim in dims
        ]
        found, counterfactual = [], []
        for dim, groups in zip(dims, pl.collect_all(queries), strict=True):
            sums = {(code, is_now): (n, row) for code, is_now, n, *row in groups.iter_rows()}
            by_value: dict[int, list[int]] = {}
            for code, is_now in sums:
                by_value.setdefault(code, [0, 0])[0 if is_now else 1] += sums[code, is_now][0]
            named = sorted(
                ((main.names[dim][c], now, before) for c, (now, before) in by_value.items()), key=_by_volume
            )
            for value, rows_now, rows_before in named[:limit]:
                code = main.names[dim].index(value)
                now, before = sums.get((code, True), (0, zero))[1], sums.get((code, False), (0, zero))[1]
                counterfactual.append([t - n + b for t, n, b in zip(base, now, before, strict=True)])
                found.append((dim, value, rows_now, rows_before))
        if not found:
            return []
        frame = pl.DataFrame(counterfactual, schema=totals.schema, orient="row")
        withouts = [_clean(v, unit) for v in frame.select(decomposed.combine).to_series()]
        return [(*item, w) for item, w in zip(found, withouts, strict=True)]

    return candidates


def _segment(pairs: Segment) -> Segment:
    """The same segment whichever dimension it was found from."""
    return tuple(sorted(pairs, key=lambda pair: DIMENSIONS.index(pair[0])))


def _rows(found: Contribution) -> int:
    return found.rows_now + found.rows_before


def _rank(found: Contribution) -> tuple[float, int]:
    """Largest share first; between equal shares, the smaller segment (it says more)."""
    return -found.share, _rows(found)


def _nested(a: Segment, b: Segment) -> bool:
    return set(a) <= set(b) or set(b) <= set(a)
