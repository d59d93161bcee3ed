"""A KPI as a function of sums over its rows, so the KPI of a union of row sets is computed from their sums.

The alert explanations (`lib.analysis.alerts`) ask for hundreds of counterfactuals "the current
rows outside a group plus the previous rows inside it". For a KPI built from sums, row counts and
means (counts, rates, shares, means, totals, per-ticket costs, NPS) each counterfactual is
`sums(now) − sums(now ∩ group) + sums(before ∩ group)`, and one group-by gives every group's sums.
Quantiles and distinct counts are not built so: `decompose` returns None and the caller evaluates
each counterfactual on its rows.

The split is read from the declaration itself (its compiled Polars expression, serialised), not
declared a second time: every aggregation must be a `sum`, a `mean` or `len()` of row-wise
expressions, and nothing outside them may read a column.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from lib.engine import expression_trees
from lib.engine.kpis import Settings, compiled

# Functions that work row by row. Others (quantile, any, n_unique, cumulative, shift …) do not.
_ROW_FUNCTIONS = frozenset(
    {
        "IsNull",
        "IsNotNull",
        "Not",
        "AllHorizontal",
        "AnyHorizontal",
        "IsIn",
        "FillNull",
        "ReplaceStrict",
        "Replace",
        "SumHorizontal",
        "MinHorizontal",
        "MaxHorizontal",
        "Abs",
        "Round",
        "Clip",
        "Contains",
        "Lowercase",
        "Uppercase",
        "StartsWith",
        "EndsWith",
        "StripChars",
        "IsFinite",
        "IsNan",
        "IsNotNan",
        "FillNan",
        "Coalesce",
    }
)


_NAMESPACES = frozenset({"Boolean", "StringExpr", "TemporalExpr"})


@dataclass(frozen=True)
class Decomposed:
    """`parts`: aggregations of a row set, each a sum (integers as Int64) named `_p0`, `_p1` …;
    `combine`: the KPI from a frame of summed parts, one row per row set.
    """

    parts: tuple[pl.Expr, ...]
    combine: pl.Expr


@lru_cache(maxsize=1024)
def decompose(key: str, have: frozenset[str], settings: Settings) -> Decomposed | None:
    """KPI `key` on a table with columns `have` as sums and a combination of them; None when it is not so built."""
    try:
        tree = expression_trees.tree(compiled(key, have, settings))
    except Exception:  # a Polars version that cannot serialise: no shortcut, the caller evaluates rows
        return None
    parts: list[pl.Expr] = []
    try:
        outer = _split(tree, parts)
    except _NotDecomposable:
        return None
    if _reads_a_column(outer):
        return None
    return Decomposed(tuple(parts), _expr(outer))


class _NotDecomposable(Exception):
    pass


def _split(node, parts: list[pl.Expr]):
    """The tree with each aggregation replaced by its parts; the parts appended to `parts`."""
    if node == "Len":
        return _column_node(_part(pl.len(), parts))
    if isinstance(node, dict) and "Agg" in node:
        (kind, inner), *rest = node["Agg"].items()
        if rest or kind not in ("Sum", "Mean"):
            raise _NotDecomposable
        _check_rows(inner)
        values = _expr(inner)
        total = _part(values.sum(), parts)
        if kind == "Sum":
            return _column_node(total)
        count = _part(values.count(), parts)
        mean = pl.when(pl.col(count) > 0).then(pl.col(total) / pl.col(count))
        return json.loads(mean.meta.serialize(format="json"))
    if isinstance(node, dict):
        return {k: _split(v, parts) for k, v in node.items()}
    if isinstance(node, list):
        return [_split(v, parts) for v in node]
    return node


def _part(expr: pl.Expr, parts: list[pl.Expr]) -> str:
    name = f"_p{len(parts)}"
    parts.append(expr.alias(name))
    return name


def _column_node(name: str) -> dict:
    return json.loads(pl.col(name).meta.serialize(format="json"))


# Where each row-wise node kind keeps its child nodes.
_CHILDREN = {
    "Column": (),
    "Literal": (),
    "Cast": ("expr",),
    "BinaryExpr": ("left", "right"),
    "Ternary": ("predicate", "truthy", "falsy"),
    "Function": ("input",),
}


def _check_rows(node) -> None:
    """Raise unless `node` works row by row (no aggregation, window or sort inside)."""
    if isinstance(node, list):
        for item in node:
            _check_rows(item)
        return
    if not isinstance(node, dict) or len(node) != 1:
        raise _NotDecomposable  # "Len", or a node this module does not know
    ((kind, value),) = node.items()
    if kind == "Alias":
        _check_rows(value[0])
        return
    if kind not in _CHILDREN:
        raise _NotDecomposable
    if kind == "Function" and not _row_function(value.get("function")):
        raise _NotDecomposable
    for child in _CHILDREN[kind]:
        _check_rows(value[child])


def _row_function(spec) -> bool:
    """Whether a serialised function ("FillNull", {"Boolean": "IsNull"}, {"ReplaceStrict": {…}}) works row by row."""
    name, options = next(iter(spec.items())) if isinstance(spec, dict) and len(spec) == 1 else (spec, None)
    if name in _NAMESPACES:
        name = next(iter(options)) if isinstance(options, dict) and len(options) == 1 else options
    return isinstance(name, str) and name in _ROW_FUNCTIONS


def _reads_a_column(node) -> bool:
    """Whether the combination still reads a table column (besides the parts): an aggregation left unsplit."""
    if isinstance(node, dict):
        if "Column" in node and not str(node["Column"]).startswith("_p"):
            return True
        return any(_reads_a_column(v) for v in node.values())
    if isinstance(node, list):
        return any(_reads_a_column(v) for v in node)
    return False


def _expr(node) -> pl.Expr:
    return expression_trees.expr(node)


def summed(rows: pl.LazyFrame, parts: tuple[pl.Expr, ...], by: list[str] | None = None) -> pl.LazyFrame:
    """The parts of `rows` (one row), or of each group of `by`; unsigned counts as Int64 so they subtract."""
    summed = rows.group_by(by).agg(parts) if by else rows.select(parts)
    unsigned = pl.col(pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64, pl.Boolean)
    return summed.with_columns(unsigned.cast(pl.Int64))
