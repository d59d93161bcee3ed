"""Compiled Polars expressions as JSON trees, for reading what a KPI is built from (`lib.engine.partials`)."""

from __future__ import annotations

import io
import json

import polars as pl


def tree(expr: pl.Expr) -> dict:
    """The expression's serialised tree (Polars' JSON format)."""
    return json.loads(expr.meta.serialize(format="json"))


def expr(node) -> pl.Expr:
    """The expression of a tree made by `tree` (or rewritten from one)."""
    return pl.Expr.deserialize(io.StringIO(json.dumps(node)), format="json")
