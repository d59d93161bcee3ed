"""Survey comments with their sentiment: shares over time and by group, the most negative, search, themes."""

from __future__ import annotations

import polars as pl

from lib import sentiment, themes
from lib.store import Frames

SENTIMENTS = ("positive", "neutral", "negative")
CONTEXT = ("submitted_at", "ticket_id", "csat", "nps", "agent", "channel", "category")


def scored(frames: Frames) -> pl.DataFrame | None:
    """The answers in scope that have a comment, with sentiment, sentiment_score and language added.

    None without a surveys table or a comment column. Classified once per scope (the page memoises it).
    """
    surveys = frames.surveys
    if surveys is None or "comment" not in surveys.columns:
        return None
    kept = [c for c in (*CONTEXT, "comment") if c in surveys.columns]
    with_text = surveys.select(kept).filter(pl.col("comment").str.strip_chars().str.len_chars() > 0)
    labels = sentiment.classify(with_text["comment"].to_list())
    return pl.concat([with_text, labels], how="horizontal")


def trend(comments: pl.DataFrame, every: str) -> pl.DataFrame:
    """Comments per period and sentiment (long form, for a 100 % stacked chart)."""
    return (
        comments.group_by(pl.col("submitted_at").dt.truncate(every).cast(pl.Date).alias("period"), "sentiment")
        .agg(pl.len().alias("comments"))
        .sort("period", "sentiment")
    )


def by_group(comments: pl.DataFrame, by: str) -> pl.DataFrame | None:
    """Per value of `by`: comments and the negative and positive shares, most comments first."""
    if by not in comments.columns:
        return None
    return (
        comments.group_by(by)
        .agg(
            pl.len().alias("comments"),
            (pl.col("sentiment") == "negative").mean().alias("negative_share"),
            (pl.col("sentiment") == "positive").mean().alias("positive_share"),
        )
        .sort(["comments", by], descending=[True, False], nulls_last=True)
    )


def most_negative(comments: pl.DataFrame, limit: int = 30) -> pl.DataFrame:
    """The most negative comments, newest first among equals."""
    return comments.sort(["sentiment_score", "submitted_at"], descending=[False, True], nulls_last=True).head(limit)


def search(comments: pl.DataFrame, text: str | None = None, theme: str | None = None) -> pl.DataFrame:
    """Comments containing `text` (literal, case-insensitive) and mentioning `theme` (a `themes` key)."""
    keep = pl.lit(True)
    if text and text.strip():
        keep &= pl.col("comment").str.to_lowercase().str.contains(text.strip().lower(), literal=True)
    picked = comments.filter(keep)
    if theme:
        picked = picked.filter(themes.matches(picked["comment"], theme))
    return picked


def theme_table(comments: pl.DataFrame, top: int = 15) -> pl.DataFrame:
    """What people talk about: themes with counts, share negative and an example (see `lib.themes`)."""
    return themes.themes(comments.select("comment", "sentiment", "submitted_at"), top=top)
