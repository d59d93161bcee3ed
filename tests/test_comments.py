"""Survey comments with sentiment: trend, groups, the most negative, search (classifier replaced by a stub)."""

import json
from datetime import datetime

import polars as pl
import pytest

from lib import charts
from lib.engine.store import Frames, Scope
from lib.text import comments, sentiment

ANSWERS = pl.DataFrame(
    {
        "submitted_at": [datetime(2026, 3, d, 9) for d in (2, 3, 9, 10, 11, 12)],
        "ticket_id": ["T1", "T2", "T3", "T4", "T5", "T6"],
        "csat": [5.0, 1.0, 2.0, 4.0, None, 3.0],
        "channel": ["电话", "电话", "微信", "微信", "电话", None],
        "comment": ["师傅很专业", "等了三天，太慢", "收费太贵", "Great engineer", "  ", None],
    }
)
# The stub's verdicts, in the order of the non-empty comments (T1–T4).
VERDICTS = {"师傅很专业": 0.8, "等了三天，太慢": -0.9, "收费太贵": -0.6, "Great engineer": 0.7}


@pytest.fixture
def said(monkeypatch):
    def stub(texts):
        scores = [VERDICTS[text] for text in texts]
        return pl.DataFrame(
            {
                "sentiment": ["positive" if s > 0 else "negative" for s in scores],
                "sentiment_score": scores,
                "language": ["en" if text.isascii() else "zh" for text in texts],
            }
        )

    monkeypatch.setattr(sentiment, "classify", stub)
    return comments.scored(Frames(None, ANSWERS, None, None, Scope()))


def test_only_answers_with_a_comment_are_scored_newest_first(said):
    assert said["ticket_id"].to_list() == ["T4", "T3", "T2", "T1"]  # blank and missing comments left out
    assert said.columns[-3:] == ["sentiment", "sentiment_score", "language"]


def test_only_the_newest_comments_up_to_the_limit_and_each_text_once(monkeypatch):
    seen = []

    def stub(texts):
        seen.extend(texts)
        return pl.DataFrame(
            {
                "sentiment": ["positive"] * len(texts),
                "sentiment_score": [0.5] * len(texts),
                "language": ["zh"] * len(texts),
            }
        )

    monkeypatch.setattr(sentiment, "classify", stub)
    answers = ANSWERS.with_columns(pl.lit("一样的话").alias("comment"))
    got = comments.scored(Frames(None, answers, None, None, Scope()), limit=3)
    assert got["ticket_id"].to_list() == ["T6", "T5", "T4"]  # the three newest
    assert seen == ["一样的话"]  # classified once


def test_weekly_mix(said):
    mix = comments.trend(said, "1w")
    # week of 2 March: T1 positive, T2 negative; week of 9 March: T3 negative, T4 positive
    assert mix.rows() == [
        (datetime(2026, 3, 2).date(), "negative", 1),
        (datetime(2026, 3, 2).date(), "positive", 1),
        (datetime(2026, 3, 9).date(), "negative", 1),
        (datetime(2026, 3, 9).date(), "positive", 1),
    ]


def test_negative_share_by_channel(said):
    # 电话: T1 +, T2 − → 1/2; 微信: T3 −, T4 + → 1/2; ties by name
    assert comments.by_group(said, "channel").rows() == [("微信", 2, 0.5, 0.5), ("电话", 2, 0.5, 0.5)]
    assert comments.by_group(said, "agent") is None


def test_most_negative_first_and_search(said):
    assert comments.most_negative(said)["ticket_id"].to_list() == [
        "T2",
        "T3",
        "T4",
        "T1",
    ]  # ties: newest first
    assert comments.search(said, "GREAT")["ticket_id"].to_list() == ["T4"]  # case-insensitive
    assert comments.search(said, "太")["ticket_id"].to_list() == ["T3", "T2"]  # newest first
    assert comments.search(said, theme="fees")["ticket_id"].to_list() == ["T3"]  # 收费
    assert comments.search(said, "太", theme="waiting")["ticket_id"].to_list() == ["T2"]


def test_no_comment_column_is_not_available():
    assert comments.scored(Frames(None, ANSWERS.drop("comment"), None, None, Scope())) is None
    assert comments.scored(Frames(None, None, None, None, Scope())) is None


def test_theme_trend_counts_mentions_per_week(said):
    trend = comments.theme_trend(said, "1w", ["fees", "waiting"])
    # 收费 (fees) on 9 March, negative; 等了三天 (waiting) on 3 March, negative
    assert trend.rows() == [
        (datetime(2026, 3, 2).date(), "waiting", 1, 1.0),
        (datetime(2026, 3, 9).date(), "fees", 1, 1.0),
    ]
    assert comments.theme_trend(said.drop("submitted_at"), "1w", ["fees"]) is None


def test_theme_name_reads_the_dictionary_or_the_word():
    assert comments.theme_name("fees", "zh") == "收费"
    assert comments.theme_name("fees", "en") == "Fees"
    assert comments.theme_name("word:遥控器", "en") == "遥控器"


# --- the page's view: names, lists and charts ------------------------------------------------


def test_sentiment_words_and_the_groups_present(said):
    assert comments.sentiment_words("en") == {
        "positive": "Positive",
        "neutral": "Neutral",
        "negative": "Negative",
    }
    assert comments.sentiment_words("zh")["negative"] == "负面"
    assert comments.groups(said) == ["channel"]  # no category or agent in these answers
    assert comments.groups(said.drop("channel")) == []


def test_theme_names_in_the_tables_order_and_the_table_named():
    topics = pl.DataFrame({"theme": ["word:遥控器", "fees", "waiting", None], "mentions": [5, 3, 2, 1]})
    names = comments.theme_names(topics.head(3), "en")
    assert list(names.items()) == [("word:遥控器", "遥控器"), ("fees", "Fees"), ("waiting", "Waiting")]
    shown = comments.named_themes(topics, {"fees": "Fees"})  # a key without a name stays as it is
    assert shown["theme"].to_list() == ["word:遥控器", "Fees", "waiting", None]
    assert shown["mentions"].to_list() == [5, 3, 2, 1]


def test_followed_themes_are_the_picked_one_or_the_most_mentioned():
    names = {"fees": "Fees", "waiting": "Waiting", "attitude": "Attitude"}
    assert comments.followed(names, None, 2) == ["fees", "waiting"]
    assert comments.followed(names, "attitude", 2) == ["attitude"]
    assert comments.followed({}, None, 5) == []


def test_negative_list_most_negative_first_with_sentiment_in_words(said):
    listed = comments.negative_list(said, "en", limit=3)
    # scores: T2 −0.9, T3 −0.6, T4 0.7, T1 0.8
    assert listed["ticket_id"].to_list() == ["T2", "T3", "T4"]
    assert listed["sentiment"].to_list() == ["Negative", "Negative", "Positive"]
    unknown = said.with_columns(
        pl.when(pl.col("ticket_id") == "T1").then(pl.col("sentiment")).alias("sentiment")
    )
    assert comments.negative_list(unknown, "zh")["sentiment"].to_list() == [None, None, None, "正面"]


def test_sentiment_trend_figure_stacks_the_three_sentiments(said):
    spec = comments.sentiment_trend_figure(comments.trend(said, "1w"), "week", "en").to_dict()
    assert spec["title"] == "Positive, neutral and negative comments"
    assert spec["encoding"]["y"]["stack"] == "normalize"
    assert spec["encoding"]["color"]["scale"]["range"][:1] == [charts.COLORS["good"]]  # positive first
    (rows,) = spec["datasets"].values()
    assert sorted((row["label"], row["value"]) for row in rows) == [
        ("Negative", 1),
        ("Negative", 1),
        ("Positive", 1),
        ("Positive", 1),
    ]


def test_negative_by_figure_keeps_the_15_groups_with_most_comments():
    table = pl.DataFrame(
        {
            "channel": [f"c{i:02d}" for i in range(16)],
            "comments": list(range(32, 16, -1)),
            "negative_share": [0.5] * 15 + [None],
            "positive_share": [0.5] * 16,
        }
    )
    spec = comments.negative_by_figure(table, "channel", "zh").to_dict()
    assert spec["title"] == "各渠道的负面评价占比"
    text = json.dumps(spec, ensure_ascii=False)
    assert '"c14"' in text and '"c15"' not in text


def test_theme_trend_figure_names_only_the_followed_themes(said):
    trend = comments.theme_trend(said, "1w", ["fees", "waiting"])
    names = {"fees": "Fees", "waiting": "Waiting", "attitude": "Attitude"}
    spec = comments.theme_trend_figure(trend, "week", names, ["fees", "waiting"], "en").to_dict()
    assert spec["title"].startswith("Theme mentions over time")
    text = json.dumps(spec, ensure_ascii=False)
    assert '"Fees"' in text and '"Waiting"' in text and '"Attitude"' not in text
