"""Survey comments with their sentiment: shares over time and by group, the most negative, search, themes.

Below the data: how the Satisfaction page's comment section names and draws them (`# --- the page's view`).
"""

from __future__ import annotations

import altair as alt
import polars as pl

from lib import charts
from lib.engine.store import Frames
from lib.i18n import t
from lib.text import sentiment, themes

SENTIMENTS = ("positive", "neutral", "negative")
CONTEXT = ("submitted_at", "ticket_id", "csat", "nps", "agent", "channel", "category")
MAX_COMMENTS = 20_000  # the newest comments analysed on a page (see `scored`)
GROUPS = ("channel", "category", "agent")  # what the page can compare comments by, those present


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


# --- the page's view: names, lists and charts in the reader's language -------------------------

SENTIMENT_COLORS = {
    "positive": charts.COLORS["good"],
    "neutral": charts.COLORS["neutral"],
    "negative": charts.COLORS["bad"],
}


def sentiment_words(lang: str) -> dict[str, str]:
    """Each of `SENTIMENTS` as people read it.

    Parameters
    ----------
    lang : "zh" or "en".

    Returns
    -------
    dict
        E.g. {"positive": "Positive", "neutral": "Neutral", "negative": "Negative"}.
    """
    return {s: t(f"sentiment.{s}", lang) for s in SENTIMENTS}


def groups(comments: pl.DataFrame) -> list[str]:
    """The columns of `GROUPS` that `comments` has, in that order (what the page offers to compare by).

    Parameters
    ----------
    comments : `scored`'s frame.

    Returns
    -------
    list of str
        Possibly empty, when the answers carry none of them.
    """
    return [g for g in GROUPS if g in comments.columns]


def theme_names(topics: pl.DataFrame, lang: str) -> dict[str, str]:
    """Each theme of `theme_table` → its name (`theme_name`), in the table's order.

    Parameters
    ----------
    topics : `theme_table`'s frame (its "theme" column holds the keys).
    lang : "zh" or "en".

    Returns
    -------
    dict
        Key → name, e.g. {"waiting": "Waiting", "word:师傅": "师傅"}; ordered as the table, most mentioned first.
    """
    return {key: theme_name(key, lang) for key in topics["theme"].to_list()}


def named_themes(topics: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """`theme_table` as the page lists it: each theme key replaced by its name.

    Parameters
    ----------
    topics : `theme_table`'s frame.
    names : key → name (`theme_names`); a key without a name is kept as it is.

    Returns
    -------
    pl.DataFrame
        The same rows and columns.
    """
    return topics.with_columns(pl.col("theme").replace(names))


def followed(names: dict[str, str], picked: str | None, top: int) -> list[str]:
    """The themes drawn over time: the picked one, else the `top` first of `names` (most mentioned).

    Parameters
    ----------
    names : theme key → name, most mentioned first (`theme_names`).
    picked : the theme the reader picked, or None.
    top : how many to draw when none is picked.

    Returns
    -------
    list of str
        Theme keys.
    """
    return [picked] if picked else list(names)[:top]


def negative_list(comments: pl.DataFrame, lang: str, limit: int = 200) -> pl.DataFrame:
    """The `limit` most negative comments (`most_negative`) with their sentiment in words.

    Parameters
    ----------
    comments : scored comments, e.g. `search`'s result.
    lang : "zh" or "en".
    limit : rows kept.

    Returns
    -------
    pl.DataFrame
        `comments`' columns; "sentiment" holds `sentiment_words` (a null stays null).
    """
    return most_negative(comments, limit=limit).with_columns(
        pl.col("sentiment").replace(sentiment_words(lang))
    )


def sentiment_trend_figure(mix: pl.DataFrame, grain: str, lang: str) -> alt.TopLevelMixin:
    """Comments' sentiment per period as 100 % stacked bars (positive green, negative red).

    Parameters
    ----------
    mix : `trend`'s frame (period, sentiment, comments).
    grain : "day", "week" or "month".
    lang : "zh" or "en".
    """
    return charts.stacked_bars(
        mix,
        x="period",
        series="sentiment",
        value="comments",
        x_title=t(f"grain.{grain}", lang),
        value_title=t("column.share", lang),
        series_title="",
        title=t("satisfaction.sentiment_trend", lang),
        series_labels=sentiment_words(lang),
        time_unit=grain,
        normalize=True,
        share_title=t("column.share", lang),
        series_colors=SENTIMENT_COLORS,
    )


def negative_by_figure(table: pl.DataFrame, group: str, lang: str) -> alt.TopLevelMixin:
    """The share of negative comments per value of `group`, the 15 with the most comments.

    Parameters
    ----------
    table : `by_group(comments, group)`.
    group : the column it was grouped by ("channel", "category" or "agent").
    lang : "zh" or "en".
    """
    field = t(f"field.{group}", lang)
    return charts.driver_bars(
        table.head(15),
        category=group,
        value="negative_share",
        count="comments",
        category_title=field,
        value_title=t("column.negative_share", lang),
        count_title=t("column.comments", lang),
        title=t("satisfaction.negative_by", lang, field=field),
        value_format=".0%",
    )


def theme_trend_figure(
    trend: pl.DataFrame, grain: str, names: dict[str, str], keys: list[str], lang: str
) -> alt.TopLevelMixin:
    """Mentions per period of each followed theme, one line each, named as people read them.

    Parameters
    ----------
    trend : `theme_trend`'s frame (period, theme, comments, share_negative).
    grain : "day", "week" or "month".
    names : theme key → name (`theme_names`).
    keys : the theme keys drawn (`followed`; each must be in `names`).
    lang : "zh" or "en".
    """
    return charts.multi_line(
        trend,
        x="period",
        series="theme",
        y="comments",
        x_title=t(f"grain.{grain}", lang),
        y_title=t("column.comments", lang),
        series_title="",
        title=t("satisfaction.theme_trend", lang),
        series_labels={key: names[key] for key in keys},
        time_unit=grain,
    )
