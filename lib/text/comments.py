"""Survey comments with their sentiment: shares over time and by group, the most negative, search, themes."""

from __future__ import annotations

import polars as pl

from lib.engine.store import Frames
from lib.i18n import t
from lib.text import sentiment, themes

SENTIMENTS = ("positive", "neutral", "negative")
CONTEXT = ("submitted_at", "ticket_id", "csat", "nps", "agent", "channel", "category")
MAX_COMMENTS = 20_000  # the newest comments analysed on a page (see `scored`)


def theme_name(key: str, lang: str) -> str:
    """A theme as people read it: the dictionary's name, or the discovered word itself."""
    return (
        key.removeprefix(themes.WORD_PREFIX)
        if key.startswith(themes.WORD_PREFIX)
        else t(f"theme.{key}", lang)
    )


def with_text(frames: Frames) -> pl.DataFrame | None:
    """The answers in scope that have a comment (newest first); None without surveys or a comment column."""
    surveys = frames.surveys
    if surveys is None or "comment" not in surveys.columns:
        return None
    kept = [c for c in (*CONTEXT, "comment") if c in surveys.columns]
    order = ["submitted_at"] if "submitted_at" in kept else []
    rows = surveys.select(kept).filter(pl.col("comment").str.strip_chars().str.len_chars() > 0)
    return rows.sort(order, descending=True) if order else rows


def scored(frames: Frames, limit: int = MAX_COMMENTS) -> pl.DataFrame | None:
    """The newest `limit` answers with a comment, with sentiment, sentiment_score and language added.

    Each distinct text is classified once (exports repeat stock phrases); beyond `limit` the
    page says how many were left out: at ~2,000 comments a second, a year of a big team
    would otherwise keep the page waiting for minutes.
    """
    rows = with_text(frames)
    if rows is None:
        return None
    rows = rows.head(limit)
    distinct = rows["comment"].unique(maintain_order=True)
    labels = sentiment.classify(distinct.to_list()).with_columns(distinct.alias("comment"))
    return rows.join(labels, on="comment", how="left", maintain_order="left")


def trend(comments: pl.DataFrame, every: str) -> pl.DataFrame:
    """Comments per period and sentiment (long form, for a 100 % stacked chart)."""
    return (
        comments.group_by(
            pl.col("submitted_at").dt.truncate(every).cast(pl.Date).alias("period"), "sentiment"
        )
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
    return comments.sort(["sentiment_score", "submitted_at"], descending=[False, True], nulls_last=True).head(
        limit
    )


def search(comments: pl.DataFrame, text: str | None = None, theme: str | None = None) -> pl.DataFrame:
    """Comments containing `text` (literal, case-insensitive) and mentioning `theme` (a `themes` key)."""
    keep = pl.lit(True)
    if text and text.strip():
        keep &= pl.col("comment").str.to_lowercase().str.contains(text.strip().lower(), literal=True)
    picked = comments.filter(keep)
    if theme:
        picked = picked.filter(themes.matches(picked["comment"], theme))
    return picked


def theme_trend(comments: pl.DataFrame, every: str, keys: list[str]) -> pl.DataFrame | None:
    """Mentions and share negative per period of each theme in `keys` (long: period, theme, comments,
    share_negative); None without dates.
    """
    columns = [c for c in ("comment", "sentiment", "submitted_at") if c in comments.columns]
    return themes.theme_trend(comments.select(columns), every, keys)


def theme_table(comments: pl.DataFrame, top: int = 15) -> pl.DataFrame:
    """What people talk about: themes with counts, share negative and an example (see `lib.text.themes`)."""
    return themes.themes(comments.select("comment", "sentiment", "submitted_at"), top=top)
