"""Comment themes: a zh/en after-sales keyword dictionary plus frequent words it does not cover."""

from __future__ import annotations

import functools
import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jieba
import polars as pl
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from lib.text.sentiment import EN_LEXICON, ZH_LEXICON


@dataclass(frozen=True)
class Theme:
    """A theme: stable English key (the page shows `theme.<key>`) and its zh / en keywords."""

    key: str
    zh: tuple[str, ...]  # matched as substrings: Chinese has no spaces between words
    en: tuple[str, ...]  # matched as whole words or phrases, so "part" misses "partner"


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


def _theme(key: str, zh: str, en: str) -> Theme:
    return Theme(key, _words(zh), _words(en, "|"))


# Keywords come from the sample's comments, the waimai, hotel and shopping corpora and the English review
# files. A comment may mention several themes ("师傅没带工具又跑一趟" is engineer_skill and repeat_repair).
# Left out on purpose: 等 (平等, 等级), 元 (单元), 拖 (拖地 is cleaning), 响 (响应), 垃圾 (an insult more
# often than litter), 装好 / 装上 (包装好, 包装上), 再来 (再来追评), "again" ("will use again" is loyalty),
# "charging" (a phone battery).
THEMES: tuple[Theme, ...] = (
    _theme("waiting", "等待 等了 等得 等到 要等 等候 久等 太久 很久 有点久 好久 慢 拖了 拖延 拖拖拉拉 迟迟 快一点 很快 "
           "速度 效率",
           "wait|waited|waiting|slow|slowly|delay|delayed|delays|quick|quickly|fast|forever|took ages"),
    _theme("appointment", "预约 改期 爽约 放鸽子 上门 准时 按时 迟到 守时 到达 约好 约的 没来 没人来 一改再改",
           "appointment|appointments|schedule|scheduled|reschedule|rescheduled|booking|booked|on time|late|"
           "no show|no-show|showed up|show up|never came|nobody came|anyone came|arrived|punctual"),
    _theme("attitude", "态度 耐心 热情 礼貌 客气 友好 不耐烦 周到 贴心 脾气 冷漠 爱答不理",
           "attitude|rude|rudely|polite|politely|friendly|unfriendly|patient|impatient|courteous|kind|helpful|"
           "respectful|arrogant"),
    _theme("fees", "收费 费用 价格 价钱 贵 报价 多收 便宜 块钱 材料费 上门费 人工费 性价比 划算 实惠",
           "fee|fees|charge|charged|charges|overcharged|price|prices|pricing|priced|expensive|cheap|cheaper|cost|"
           "costs|costly|bill|billed|money|pay|paid|quote|quoted"),
    _theme("parts", "配件 零件 备件 缺货 没货 调货 换件 等件",
           "part|parts|spare|spares|component|components|out of stock|backorder|backordered"),
    _theme("engineer_skill", "专业 技术 手艺 细致 熟练 活干得 经验 工具 水平 认真 仔细 外行 新手",
           "professional|unprofessional|skill|skilled|skills|expert|expertise|knowledgeable|competent|"
           "incompetent|experienced|inexperienced|tools|thorough|careful|careless"),
    _theme("resolution", "修好 修复 解决 搞定 修不好 没修 还是不行 还是坏 问题依旧 故障依旧 治标不治本",
           "fixed|fix|fixes|repaired|solved|resolved|resolve|not working|still broken|works now|working now|"
           "doesn't work|didn't work"),
    _theme("repeat_repair", "返修 又坏 又出问题 又出现 反复 修了两次 修了几次 修了好几次 二次上门 再次上门 多次上门 "
           "又跑一趟 跑了几趟 好几趟 白跑",
           "broke again|broken again|repeat|repeated|twice|two visits|three visits|second visit|another visit|"
           "recurring|keeps breaking"),
    _theme("communication", "电话 联系 回复 打不通 客服 回访 沟通 讲解 解释 通知 没人接 短信 告知 反馈",
           "call|called|calls|calling|phone|phoned|contact|contacted|reply|replied|respond|responded|response|"
           "answer|answered|explain|explained|explanation|communication|informed|update|updates|email|hotline"),
    _theme("accountability", "推来推去 推诿 踢皮球 敷衍 不负责 没人管 没人理 不了了之 扯皮 投诉",
           "ignored|runaround|run-around|excuses|passed around|responsible|responsibility|accountable|blamed|"
           "escalate|escalated|manager|supervisor|complaint|complain|complained"),
    _theme("installation", "安装 装机 拆装 移机 拆机 打孔",
           "install|installed|installation|installing|installer|setup|set up|mount|mounted"),
    _theme("noise", "噪音 噪声 异响 响声 声音 吵 嗡嗡 震动 振动",
           "noise|noisy|loud|rattle|rattling|vibration|vibrates|buzzing|humming|squeak|squeaky"),
    _theme("cleanliness", "打扫 清理 清扫 干净 弄脏 脏 鞋套 收拾 卫生 灰尘",
           "clean|cleaned|cleaning|cleanup|mess|messy|dirty|dust|tidy|tidied|shoe covers"),
    _theme("product_quality", "质量 故障 毛病 坏了 漏水 漏电 漏气 漏油 不制冷 不制热 不加热 异味 发霉 生锈 失灵 死机 "
           "报错 次品 瑕疵",
           "quality|defect|defective|faulty|fault|broken|broke|leak|leaks|leaking|malfunction|error code|"
           "stopped working|rust|rusty|smell|smells"),
    _theme("warranty", "保修 质保 保内 保外 过保 延保 三包 退货 换货 退款 换新 发票",
           "warranty|guarantee|guaranteed|refund|refunded|return|returned|replacement|replace|replaced|"
           "exchange|receipt|invoice"),
    _theme("loyalty", "下次 再也不 推荐 回头 还会再 还找 不会再 再买 介绍给 回购",
           "recommend|recommended|never again|come back|be back|use them again|next time|loyal|won't use"),
)  # fmt: skip
THEME_KEYS: tuple[str, ...] = tuple(t.key for t in THEMES)
WORD_PREFIX = "word:"

# Discovery. Words in most Chinese text (jieba's reference IDF below COMMON_IDF: 就是 3.6, 东西 4.8,
# 小时 5.7) are not topics, while service nouns sit above it (主板 6.5, 安装 6.7, 故障 8.2).
COMMON_IDF = 6.0
# jieba reads about 300k characters a second on our machine: candidates come from a random sample of the
# distinct comments of about this many characters; their counts are then exact over all comments.
SAMPLE_CHARS = 500_000
CANDIDATES = 3  # candidates per requested word, re-ranked on exact counts
_BOUNDARY = "(?-u:\\b)"  # ASCII word boundary: CJK letters count as word characters in Unicode "\b"
_CJK_RUN = "[\u3400-\u4dbf\u4e00-\u9fff]"
# Counts and times (三天, 半小时, 几次) and words ending in a particle (来了, jieba's guess at unknown text)
# are not topics either.
_NOT_A_TOPIC_ZH = re.compile(r"^(?:[0-9一二三四五六七八九十两几半百千万第]|好几)|[了的着过吧呢啊吗]$")
_EN_WORD = r"[a-z][a-z'-]*[a-z]"
# Opinion words and words for the whole service say how people feel, not what they talk about.
ZH_STOPWORDS = frozenset(
    (
        *ZH_LEXICON,
        *_words(
            "满意 不满意 非常满意 不错 很好 挺好 好评 差评 失望 一般般 还行 还行吧 还可以 好吃 难吃 喜欢 点赞 给力 完美 值得 "
            "超级 真心 垃圾 辛苦 谢谢 感谢 非常 很差 太差 较差 差劲 很棒 太棒 好用 不行 师傅 师傅们 售后 维修 服务 工程师 "
            "客户 机器 产品 总体 整体"
        ),
    )
)
EN_STOPWORDS = frozenset(
    (
        *ENGLISH_STOP_WORDS,
        *(w for phrase in EN_LEXICON for w in phrase.split()),
        *_words(
            "ok okay overall service services repair engineer engineers technician technicians customer company product "
            "time times day days hour hours week weeks minute minutes today yesterday got get just really bit lot little "
            "high low simple did does doing going think say said way look looked seen make made want went came come know "
            "use used need new real thing things"
        ),
    )
)

_lock = threading.Lock()
_state: dict[str, jieba.Tokenizer] = {}


def _keyword_pattern(zh: Sequence[str], en: Sequence[str]) -> str:
    parts = [pl.escape_regex(w) for w in zh]
    if en:
        parts.append(f"{_BOUNDARY}(?:{'|'.join(pl.escape_regex(w) for w in en)}){_BOUNDARY}")
    return "|".join(parts)


_PATTERNS: dict[str, str] = {t.key: _keyword_pattern(t.zh, t.en) for t in THEMES}
_ANY_THEME = "|".join(_PATTERNS.values())
# Parts of a keyword phrase ("working" of "not working", "修了" of "修了两次") are counted by its theme.
_ZH_KEYWORDS = "|".join(w for t in THEMES for w in t.zh)
_EN_KEYWORD_WORDS = frozenset(w for t in THEMES for phrase in t.en for w in phrase.split())


def _pattern(theme: str) -> str:
    if theme in _PATTERNS:
        return _PATTERNS[theme]
    if theme.startswith(WORD_PREFIX) and theme != WORD_PREFIX:
        word = theme.removeprefix(WORD_PREFIX).lower()
        return _keyword_pattern((), (word,)) if word.isascii() else _keyword_pattern((word,), ())
    raise ValueError(f"unknown theme {theme!r}: use a key of THEMES or 'word:<word>'")


def _text(comments: pl.Series) -> pl.Series:
    return comments.cast(pl.String).fill_null("").str.to_lowercase()


def matches(comments: pl.Series, theme: str) -> pl.Series:
    """Whether each comment mentions `theme` (a THEMES key or ``word:<word>``); None comments are False."""
    return _text(comments).str.contains(_pattern(theme)).alias("matches")


def _mentions(comments: pl.Series, theme_keys: Sequence[str]) -> pl.DataFrame:
    if not theme_keys:
        return pl.DataFrame(schema={"theme": pl.String, "row": pl.Int64})
    text = _text(comments)
    flags = pl.DataFrame(
        {key: text.str.contains(_pattern(key)) for key in theme_keys}, schema=list(theme_keys)
    )
    return (
        flags.with_row_index("row")
        .unpivot(index="row", variable_name="theme")
        .filter(pl.col("value"))
        .select("theme", pl.col("row").cast(pl.Int64))
        .sort("row", maintain_order=True)  # unpivot lists theme by theme; keep declared order within a row
    )


def tag(comments: pl.Series) -> pl.DataFrame:
    """Dictionary themes each comment mentions, long: columns ``theme``, ``row`` (index in `comments`)."""
    return _mentions(comments, THEME_KEYS)


def _tokenizer() -> jieba.Tokenizer:
    # Our own jieba instance (lib.text.sentiment keeps its own too): the keywords stay whole words here, and
    # nothing we add reaches the global dictionary the sentiment features rely on.
    with _lock:
        if "jieba" not in _state:
            jieba.setLogLevel(logging.WARNING)  # jieba logs "Building prefix dict" to stderr
            tok = jieba.Tokenizer()
            tok.initialize()
            for theme in THEMES:
                for word in theme.zh:
                    tok.add_word(word)
            _state["jieba"] = tok
        return _state["jieba"]


@functools.cache
def _reference_idf() -> tuple[dict[str, float], float]:
    """jieba's IDF of Chinese words from a general corpus (what jieba.analyse ranks keywords by) and its median."""
    path = Path(jieba.__file__).parent / "analyse" / "idf.txt"
    table = pl.read_csv(
        path,
        separator=" ",
        has_header=False,
        new_columns=["word", "idf"],
        quote_char=None,
        schema_overrides={"word": pl.String, "idf": pl.Float64},
    )
    return dict(zip(table["word"], table["idf"], strict=True)), float(table["idf"].median())


@functools.cache
def _not_topics_en() -> frozenset[str]:
    # VADER's lexicon lists the English words that carry a feeling.
    return EN_STOPWORDS | _EN_KEYWORD_WORDS | frozenset(SentimentIntensityAnalyzer().lexicon)


def _candidate_counts(texts: pl.DataFrame) -> Counter[str]:
    """Comments (weighted by `n`) per distinct word of the lower-cased `text` column."""
    found: Counter[str] = Counter()
    english = texts.select(pl.col("text").str.extract_all(_EN_WORD).list.unique(), "n").explode("text")
    found.update(dict(english.drop_nulls().group_by("text").agg(pl.col("n").sum()).iter_rows()))
    tok = _tokenizer()
    for text, n in texts.filter(pl.col("text").str.contains(_CJK_RUN)).iter_rows():
        for word in set(
            tok.lcut(text)
        ):  # HMM on: unknown words ("异响") stay whole instead of single letters
            if len(word) >= 2 and not word.isascii():
                found[word] += n
    return found


def _is_topic(word: str, idf: dict[str, float]) -> bool:
    if word.isascii():
        return len(word) >= 3 and "'" not in word and word not in _not_topics_en()  # no "i'm", "don't"
    return (
        all("\u3400" <= ch <= "\u9fff" for ch in word)
        and word not in ZH_STOPWORDS
        and word not in _ZH_KEYWORDS
        and not _NOT_A_TOPIC_ZH.search(word)
        and idf.get(word, math.inf) >= COMMON_IDF
    )


def discover(comments: pl.Series, top: int = 10, min_comments: int = 3) -> pl.DataFrame:
    """Frequent words the dictionary does not cover, so new topics (a product defect) surface.

    Words are jieba words (Chinese, two letters or more) and English tokens (three or more), without
    stopwords, opinion words and words that contain a dictionary keyword. They rank by TF-IDF over the
    comments: comments mentioning the word × the word's IDF in general Chinese (jieba's table, so
    "漏水" outranks "时候"; English words and words absent from it get the table's median). Candidates
    come from distinct comments of up to SAMPLE_CHARS characters; counts are exact, as `matches` gives them.

    Returns columns ``theme`` (``word:<word>``) and ``comments``, at most `top` rows, each word in at
    least `min_comments` comments, best first.
    """
    text = _text(comments)
    distinct = (
        pl.DataFrame({"text": text})
        .filter(pl.col("text").str.strip_chars() != "")
        .group_by("text")
        .len("n")
        .sort("text")
        .sample(fraction=1.0, shuffle=True, seed=0)  # sorted first: group_by order varies
        .filter(pl.col("text").str.len_chars().cum_sum().shift(fill_value=0) < SAMPLE_CHARS)
    )
    idf, median = _reference_idf()
    counts = _candidate_counts(distinct)
    words = pl.Series("word", [w for w in counts if _is_topic(w, idf)], dtype=pl.String)
    words = words.filter(~words.str.contains(_ANY_THEME))

    def score(word: str, n: int) -> float:
        return n * (median if word.isascii() else idf.get(word, median))

    pool = sorted(words, key=lambda w: (-score(w, counts[w]), w))[: top * CANDIDATES]
    exact = {w: int(text.str.contains(_pattern(WORD_PREFIX + w)).sum()) for w in pool}  # as `matches` counts
    best = sorted((w for w in pool if exact[w] >= min_comments), key=lambda w: (-score(w, exact[w]), w))[:top]
    return pl.DataFrame(
        {"theme": [WORD_PREFIX + w for w in best], "comments": [exact[w] for w in best]},
        schema={"theme": pl.String, "comments": pl.Int64},
    )


def _rows(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per comment: its index, text, whether it is negative."""
    sentiment = frame["sentiment"] if "sentiment" in frame.columns else pl.Series([None] * frame.height)
    return pl.DataFrame(
        {
            "row": pl.int_range(frame.height, dtype=pl.Int64, eager=True),
            "comment": frame["comment"].cast(pl.String),
            "negative": sentiment.cast(pl.String) == "negative",
        }
    )


THEMES_SCHEMA = {
    "theme": pl.String,
    "comments": pl.Int64,
    "share": pl.Float64,
    "share_negative": pl.Float64,
    "example": pl.String,
}


def themes(frame: pl.DataFrame, top: int = 15) -> pl.DataFrame:
    """The themes comments mention: dictionary themes with a mention and discovered words, most first.

    `frame` has ``comment`` and ``sentiment`` ("positive" | "negative" | "neutral", as
    lib.text.sentiment.classify gives). Returns ``theme`` (a THEMES key or ``word:<word>``), ``comments``
    mentioning it, ``share`` of the non-empty comments, ``share_negative`` of its comments that are
    negative (null when none has a sentiment) and ``example``: its shortest negative comment, else its
    shortest. At most `top` rows, ties in THEMES order.
    """
    rows = _rows(frame)
    written = rows.filter(pl.col("comment").str.strip_chars().fill_null("") != "").height
    keys = [*THEME_KEYS, *discover(rows["comment"], top=top)["theme"]]
    order = pl.DataFrame(
        {"theme": keys, "rank": range(len(keys))}, schema={"theme": pl.String, "rank": pl.Int64}
    )
    counted = (
        _mentions(rows["comment"], keys)
        .join(rows, on="row")
        .group_by("theme")
        .agg(
            pl.len().cast(pl.Int64).alias("comments"),
            pl.col("negative").mean().alias("share_negative"),
            pl.col("comment")
            .sort_by(pl.col("negative").fill_null(False).not_(), pl.col("comment").str.len_chars(), "row")
            .first()
            .alias("example"),
        )
        .join(order, on="theme")
        .sort(["comments", "rank"], descending=[True, False])
        .head(top)
    )
    shares = counted.with_columns((pl.col("comments") / max(written, 1)).alias("share"))
    return shares.select(list(THEMES_SCHEMA)).cast(THEMES_SCHEMA)  # type: ignore[arg-type]


def theme_trend(frame: pl.DataFrame, every: str, keys: Sequence[str] | None = None) -> pl.DataFrame | None:
    """Comments and share negative per period of `every` ("1d", "1w", "1mo") and theme, long.

    `keys` are the themes to follow (default: THEMES plus `discover`'s words; pass the ``theme``
    column of `themes` to follow the table's rows without a second discovery). Returns ``period``
    (date), ``theme``, ``comments``, ``share_negative``; periods without a mention have no row.
    None without a ``submitted_at`` column.
    """
    if "submitted_at" not in frame.columns:
        return None
    rows = _rows(frame).with_columns(frame["submitted_at"].dt.truncate(every).cast(pl.Date).alias("period"))
    keys = list(keys) if keys is not None else [*THEME_KEYS, *discover(rows["comment"])["theme"]]
    schema = {"period": pl.Date, "theme": pl.String, "comments": pl.Int64, "share_negative": pl.Float64}
    mentions = _mentions(rows["comment"], keys).join(rows, on="row").filter(pl.col("period").is_not_null())
    return (
        mentions.group_by("period", "theme")
        .agg(pl.len().cast(pl.Int64).alias("comments"), pl.col("negative").mean().alias("share_negative"))
        .sort("period", "theme")
        .select(list(schema))
        .cast(schema)  # type: ignore[arg-type]
    )
