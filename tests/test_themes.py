import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import jieba
import polars as pl
import pytest
from polars.testing import assert_frame_equal, assert_series_equal

from lib.text import themes
from lib.text.themes import THEME_KEYS, THEMES, discover, matches, tag, theme_trend

ROOT = Path(__file__).resolve().parents[1]

# (comment, sentiment given by hand, submitted_at) and the themes each mentions, worked out from the keywords.
HAND = [
    ("师傅很专业，一次就修好了", "positive", datetime(2024, 1, 3)),  # 0 engineer_skill 专业, resolution 修好
    ("等了三天才上门，太慢了", "negative", datetime(2024, 1, 5)),  # 1 waiting 等了 慢, appointment 上门
    ("乱收费，态度很差", "negative", datetime(2024, 1, 9)),  # 2 fees 收费, attitude 态度
    ("收费合理", "positive", None),  # 3 fees; no date: left out of the trend
    ("配件缺货，等了一周", "negative", datetime(2024, 1, 12)),  # 4 waiting 等了, parts 配件 缺货
    (
        "The technician was rude and late",
        "negative",
        datetime(2024, 1, 20),
    ),  # 5 appointment late, attitude rude
    (
        "Fixed on the first visit, fair price",
        "positive",
        datetime(2024, 1, 25),
    ),  # 6 fees price, resolution fixed
    (
        "Waited two weeks for a spare part",
        "negative",
        datetime(2024, 1, 31),
    ),  # 7 waiting waited, parts spare part
    ("客服电话一直打不通", "negative", datetime(2024, 2, 1)),  # 8 communication 客服 电话 打不通
    ("非常满意", "positive", datetime(2024, 2, 2)),  # 9 no theme
    (None, None, datetime(2024, 2, 3)),  # 10 no comment
    ("", "neutral", datetime(2024, 2, 4)),  # 11 empty
    (
        "冰箱漏水，修了两次",
        "negative",
        datetime(2024, 2, 5),
    ),  # 12 product_quality 漏水, repeat_repair 修了两次
    ("冰箱不制冷", "negative", datetime(2024, 2, 6)),  # 13 product_quality 不制冷
    ("新冰箱有点吵", "negative", datetime(2024, 2, 7)),  # 14 noise 吵
]
# 冰箱 is in no theme and in three comments: the one word discovery finds (有点, 一直 are common Chinese,
# technician / first / weeks stopwords, fair an opinion, visit part of the keyword "second visit").


@pytest.fixture
def hand() -> pl.DataFrame:
    comment, sentiment, submitted_at = zip(*HAND, strict=True)
    return pl.DataFrame(
        {"comment": list(comment), "sentiment": list(sentiment), "submitted_at": list(submitted_at)},
        schema={"comment": pl.String, "sentiment": pl.String, "submitted_at": pl.Datetime("us")},
    )


def test_dictionary_has_stable_snake_case_keys_and_both_languages():
    assert 10 <= len(THEMES) <= 16
    assert len(set(THEME_KEYS)) == len(THEME_KEYS)
    for theme in THEMES:
        assert theme.key.isidentifier() and theme.key == theme.key.lower()
        assert theme.zh and theme.en, theme.key
        assert all(w == w.lower() and w.strip() == w and w for w in theme.en), theme.key


def test_tag_lists_each_comments_themes_in_dictionary_order(hand):
    expected = pl.DataFrame(
        [("engineer_skill", 0), ("resolution", 0), ("waiting", 1), ("appointment", 1), ("attitude", 2),
         ("fees", 2), ("fees", 3), ("waiting", 4), ("parts", 4), ("appointment", 5), ("attitude", 5),
         ("fees", 6), ("resolution", 6), ("waiting", 7), ("parts", 7), ("communication", 8),
         ("repeat_repair", 12), ("product_quality", 12), ("product_quality", 13), ("noise", 14)],
        schema={"theme": pl.String, "row": pl.Int64}, orient="row",
    )  # fmt: skip
    assert_frame_equal(tag(hand["comment"]), expected)


def test_themes_counts_shares_and_examples(hand):
    # 13 comments have text. waiting: rows 1, 4, 7, all negative; its shortest is row 4 (9 letters).
    # fees: rows 2, 3, 6, one negative (1/3); the example is negative row 2 although row 3 is shorter.
    # resolution has no negative comment: its shortest, row 0. Ties keep THEMES order, words last.
    expected = pl.DataFrame(
        [("waiting", 3, 3 / 13, 1.0, "配件缺货，等了一周"),
         ("fees", 3, 3 / 13, 1 / 3, "乱收费，态度很差"),
         ("word:冰箱", 3, 3 / 13, 1.0, "冰箱不制冷"),
         ("appointment", 2, 2 / 13, 1.0, "等了三天才上门，太慢了"),
         ("attitude", 2, 2 / 13, 1.0, "乱收费，态度很差"),
         ("parts", 2, 2 / 13, 1.0, "配件缺货，等了一周"),
         ("resolution", 2, 2 / 13, 0.0, "师傅很专业，一次就修好了"),
         ("product_quality", 2, 2 / 13, 1.0, "冰箱不制冷"),
         ("engineer_skill", 1, 1 / 13, 0.0, "师傅很专业，一次就修好了"),
         ("repeat_repair", 1, 1 / 13, 1.0, "冰箱漏水，修了两次"),
         ("communication", 1, 1 / 13, 1.0, "客服电话一直打不通"),
         ("noise", 1, 1 / 13, 1.0, "新冰箱有点吵")],
        schema=themes.THEMES_SCHEMA, orient="row",
    )  # fmt: skip
    assert_frame_equal(themes.themes(hand), expected)
    assert themes.themes(hand, top=3)["theme"].to_list() == ["waiting", "fees", "word:冰箱"]


def test_without_sentiment_share_negative_is_null(hand):
    table = themes.themes(hand.select("comment"))
    assert table["comments"].to_list()[:3] == [3, 3, 3]
    assert table["share_negative"].null_count() == table.height


def test_example_prefers_a_negative_comment_over_an_unrated_one():
    frame = pl.DataFrame({"comment": ["太慢", "等了很久很久"], "sentiment": [None, "negative"]})
    assert themes.themes(frame)["example"].to_list() == ["等了很久很久"]


def test_discover_finds_a_word_outside_the_dictionary(hand):
    assert discover(hand["comment"]).rows() == [("word:冰箱", 3)]
    assert discover(hand["comment"], min_comments=4).is_empty()


def test_discover_leaves_out_opinion_common_and_counting_words():
    comments = pl.Series(
        [
            "主板烧了，东西不错",
            "主板烧了，三天才到，东西一般",
            "主板烧了，非常失望，东西很差",
            "The screen flickers, really",
            "screen flickers again",
            "Screen flickers, don't like it, it's bad",
        ]
    )
    # 东西 (IDF 4.8) and 一般 are common Chinese, 不错 / 失望 / 很差 opinions, 三天 a count, "really" / "don't"
    # stopwords, "like" / "bad" in VADER. Each word left is in 3 comments: English words weigh the median
    # IDF (≈ 12), more than 主板's 6.5, and tie with each other (alphabetical).
    assert discover(comments).rows() == [("word:flickers", 3), ("word:screen", 3), ("word:主板", 3)]
    assert discover(comments, top=1).rows() == [("word:flickers", 3)]


def test_matches_a_dictionary_theme(hand):
    expected = [i in (4, 7) for i in range(len(HAND))]  # 配件缺货 and "spare part"; None comment is False
    assert_series_equal(matches(hand["comment"], "parts"), pl.Series("matches", expected))


def test_matches_a_discovered_word(hand):
    assert matches(hand["comment"], "word:冰箱").arg_true().to_list() == [12, 13, 14]
    assert matches(pl.Series(["Screen cracked", "screens", None]), "word:screen").to_list() == [
        True,
        False,
        False,
    ]


def test_english_keywords_match_whole_words_even_beside_chinese():
    comments = pl.Series(["My partner called", "a spare PART", "师傅很professional", "unprofessionally"])
    assert matches(comments, "parts").to_list() == [False, True, False, False]
    assert matches(comments, "engineer_skill").to_list() == [False, False, True, False]


def test_unknown_theme_is_an_error():
    with pytest.raises(ValueError, match="unknown theme"):
        matches(pl.Series(["x"]), "weather")
    with pytest.raises(ValueError, match="unknown theme"):
        matches(pl.Series(["x"]), "word:")


def test_empty_input():
    empty = pl.Series("comment", [], dtype=pl.String)
    assert tag(empty).is_empty() and tag(empty).schema == {"theme": pl.String, "row": pl.Int64}
    assert discover(empty).is_empty()
    assert matches(empty, "fees").len() == 0
    frame = pl.DataFrame(
        {"comment": empty, "sentiment": empty, "submitted_at": pl.Series([], dtype=pl.Datetime)}
    )
    assert themes.themes(frame).schema == themes.THEMES_SCHEMA and themes.themes(frame).is_empty()
    assert theme_trend(frame, "1mo").is_empty()


def test_none_and_blank_comments_have_no_theme():
    comments = pl.Series([None, None, "  ", ""], dtype=pl.String)
    assert tag(comments).is_empty()
    assert matches(comments, "waiting").to_list() == [False] * 4
    assert themes.themes(pl.DataFrame({"comment": comments, "sentiment": [None] * 4})).is_empty()


def test_theme_trend_per_month(hand):
    # Row 3 has no date. January is rows 0–7 but 3: fees is rows 2 (negative) and 6 (positive) → 2, 0.5.
    jan, feb = datetime(2024, 1, 1).date(), datetime(2024, 2, 1).date()
    expected = pl.DataFrame(
        [(jan, "appointment", 2, 1.0), (jan, "attitude", 2, 1.0), (jan, "engineer_skill", 1, 0.0),
         (jan, "fees", 2, 0.5), (jan, "parts", 2, 1.0), (jan, "resolution", 2, 0.0), (jan, "waiting", 3, 1.0),
         (feb, "communication", 1, 1.0), (feb, "noise", 1, 1.0), (feb, "product_quality", 2, 1.0),
         (feb, "repeat_repair", 1, 1.0), (feb, "word:冰箱", 3, 1.0)],
        schema={"period": pl.Date, "theme": pl.String, "comments": pl.Int64, "share_negative": pl.Float64},
        orient="row",
    )  # fmt: skip
    assert_frame_equal(theme_trend(hand, "1mo"), expected)
    only = theme_trend(hand, "1mo", keys=["word:冰箱"])
    assert only.rows() == [(feb, "word:冰箱", 3, 1.0)]
    assert theme_trend(hand, "1mo", keys=[]).is_empty()
    assert theme_trend(hand.drop("submitted_at"), "1mo") is None


def test_sample_comments_cover_at_least_five_themes():
    comments = pl.read_csv(ROOT / "sample_data" / "surveys.csv")["评价内容"]
    found = tag(comments)["theme"].unique()
    assert found.len() >= 5, found.to_list()
    assert {"waiting", "fees", "attitude", "appointment", "resolution"} <= set(found)


def test_global_jieba_dictionary_is_left_alone():
    discover(pl.Series(["冰箱又出问题，修了两次"] * 3))
    jieba.dt.initialize()
    assert "修了两次" not in jieba.dt.FREQ and "又出问题" not in jieba.dt.FREQ


@pytest.mark.slow
def test_nothing_is_printed_while_tokenising():
    code = "import polars as pl; from lib.text import themes; themes.discover(pl.Series(['冰箱漏水，师傅没修好'] * 3))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""


@pytest.mark.slow
def test_twenty_thousand_comments_in_a_few_seconds():
    parts = [
        "师傅很专业",
        "等了三天",
        "收费太贵",
        "冰箱漏水",
        "电话打不通",
        "Fixed quickly",
        "the compressor hums",
    ]
    comments = pl.Series([f"{parts[i % 7]}，{parts[i // 7 % 7]}，工单{i}" for i in range(20_000)])
    frame = pl.DataFrame({"comment": comments, "sentiment": ["negative", "positive"] * 10_000})
    themes._tokenizer()  # load jieba's dictionary first: once per process, not per call
    start = time.perf_counter()
    table = themes.themes(frame)
    elapsed = time.perf_counter() - start
    # 冰箱漏水 (part 3) is the first or the second part of a comment; counted here the slow way.
    leaks = sum(1 for i in range(20_000) if 3 in (i % 7, i // 7 % 7))
    assert table.filter(pl.col("theme") == "product_quality")["comments"].item() == leaks
    assert "word:compressor" in table["theme"].to_list()
    assert elapsed < 15, f"{elapsed:.1f} s"
