"""What the Cost page shows, as plain data: cost structure, cost per ticket by dimension, Pareto, warranty."""

from __future__ import annotations

import duckdb
import polars as pl

from lib.analysis import formatting
from lib.engine import store
from lib.engine.kpis import evaluate_by
from lib.i18n import t
from lib.schema import COST_FIELDS, DIMENSIONS

ANY_COST = "|".join(COST_FIELDS)
NEEDS: dict[str, tuple[str, ...]] = {
    "structure": (ANY_COST,),
    "by_dimension": (ANY_COST,),  # and the `by` column itself
    "pareto": (ANY_COST, "category"),  # category is the default `by`
    "warranty": (ANY_COST, "in_warranty"),
}
# The share of total cost the "vital few" categories make up together.
VITAL_SHARE = 0.8


def frames(con: duckdb.DuckDBPyConnection, scope: store.Scope) -> store.Frames:
    """The scoped tables with only the ticket columns the Cost page uses."""
    wanted = {"created_at", *COST_FIELDS, *DIMENSIONS, "in_warranty"}
    return store.scoped(con, scope, ticket_columns=wanted, by_period=False, read=("tickets",))


def components(frames: store.Frames) -> list[str]:
    """The cost columns present in the tickets, in COST_FIELDS order."""
    return [] if frames.tickets is None else [c for c in COST_FIELDS if c in frames.tickets.columns]


def _has(frames: store.Frames, column: str) -> bool:
    return frames.tickets is not None and column in frames.tickets.columns


def structure(frames: store.Frames, every: str) -> pl.DataFrame | None:
    """Cost per period and component (long form: period, component, cost); None without a cost column.

    `component` is the canonical column name ("labor_cost", …), only those present;
    `cost` is the engine's `<component>_total`.
    """
    present = components(frames)
    if not present:
        return None
    totals = evaluate_by(frames, tuple(f"{c}_total" for c in present), every=every)
    order = {c: i for i, c in enumerate(present)}
    return (
        totals.unpivot(index="period", variable_name="component", value_name="cost")
        .with_columns(pl.col("component").str.strip_suffix("_total"), pl.col("cost").cast(pl.Float64))
        .sort(pl.col("period"), pl.col("component").replace_strict(order, return_dtype=pl.Int64))
    )


def by_dimension(frames: store.Frames, by: str) -> pl.DataFrame | None:
    """Per value of `by`: tickets, cost_total, cost_per_ticket and `<component>_per_ticket`.

    Only present components get a column. Costliest first (ties by value, a null
    value last). None without the `by` column or without any cost column.
    """
    present = components(frames)
    if not present or not _has(frames, by):
        return None
    keys = ("tickets", "cost_total", "cost_per_ticket", *[f"{c}_per_ticket" for c in present])
    return (
        evaluate_by(frames, keys, by=by)
        .with_columns(pl.col("tickets").cast(pl.Int64))
        .sort(["cost_total", by], descending=[True, False], nulls_last=True)
    )


def pareto(frames: store.Frames, by: str = "category") -> pl.DataFrame | None:
    """Values of `by` by cost, with their share, running share and whether they are the vital few.

    `cost_total` is the engine's (credits and negative costs included: they are real
    money). A Pareto ranks what costs money, so shares are of the sum of the positive
    totals; a value whose total is zero or negative is listed last, share and
    cumulative_share null, never vital. `vital` is true for the values that together
    make the first 80 % of cost, the one that crosses 80 % included. Sorted by cost
    desc, ties by value (a null value — unknown category — last among equals).
    Columns: <by>, cost_total, share, cumulative_share, vital. None without `by` or costs.
    """
    if not components(frames) or not _has(frames, by):
        return None
    positive = pl.col("cost_total") > 0
    counted = pl.when(positive).then(pl.col("cost_total")).otherwise(0.0)
    total = counted.sum()
    before = counted.cum_sum() - counted  # cost of the values ranked above this one
    return (
        evaluate_by(frames, ("cost_total",), by=by)
        .with_columns(pl.col("cost_total").cast(pl.Float64))
        .sort(["cost_total", by], descending=[True, False], nulls_last=True)
        .with_columns(
            pl.when(positive).then(counted / total).alias("share"),
            pl.when(positive).then(counted.cum_sum() / total).alias("cumulative_share"),
            # Relative tolerance, so a value that reaches exactly 80 % closes the vital few.
            (positive & (before < VITAL_SHARE * total * (1 - 1e-12))).alias("vital"),
        )
        .select(by, "cost_total", "share", "cumulative_share", "vital")
    )


def warranty(frames: store.Frames) -> pl.DataFrame | None:
    """In vs out of warranty: rows in_warranty True, False, None (unknown) — those present.

    Columns: in_warranty, tickets, cost_total, cost_per_ticket, `<component>_per_ticket`.
    None without `in_warranty` or without any cost column.
    """
    table = by_dimension(frames, "in_warranty")
    if table is None:
        return None
    return table.sort("in_warranty", descending=True, nulls_last=True)


def pareto_sentence(pareto: pl.DataFrame, lang: str, named: int = 8) -> str:
    """The Pareto in one sentence: how many categories are the vital few, their share, the first `named`.

    Parameters
    ----------
    pareto : `pareto(frames)` with `by` = "category".
    lang : "zh" (names joined by "、") or "en" (", ").
    named : how many vital categories are named; each is Markdown-escaped (`formatting.literal`).

    Returns
    -------
    str
        The `cost.pareto_words` text; a share of 0% when no category is vital.
    """
    vital = pareto.filter(pl.col("vital"))
    return t(
        "cost.pareto_words",
        lang,
        vital=vital.height,
        total=pareto.height,
        share=f"{(vital['share'].sum() or 0):.0%}",
        names=("、" if lang == "zh" else ", ").join(
            formatting.literal(v) for v in vital["category"].to_list()[:named]
        ),
    )


def warranty_shown(warranty: pl.DataFrame, lang: str) -> pl.DataFrame:
    """`warranty`'s table as the page shows it: in, out of and unknown warranty in words.

    Parameters
    ----------
    warranty : `warranty(frames)`.
    lang : "zh" or "en".

    Returns
    -------
    pl.DataFrame
        The same rows; "in_warranty" is a String column (null → the "unknown" text).
    """
    return warranty.with_columns(
        pl.col("in_warranty").replace_strict(
            {True: t("cost.in_warranty", lang), False: t("cost.out_of_warranty", lang)},
            default=t("cost.warranty_unknown", lang),
            return_dtype=pl.String,
        )
    )
