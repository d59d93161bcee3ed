import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from lib.text import sentiment
from lib.text.sentiment import classify, detect_language, lexicon_score

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "sentiment"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="../shared/data/sentiment is absent")

POSITIVE = [
    "师傅很专业，半小时就修好了",
    "态度很好，很耐心",
    "准时到达，讲解很耐心",
    "非常满意",
    "收费合理",
    "服务很好👍",
    "很快就修好了，点赞",
    "一次就修好了",
    "走之前还帮忙打扫了！",
    "Engineer was on time and fixed it",
    "not bad",
    "Very professional service",
    "Great job, thank you!",
    "It works perfectly now",
    "Problem solved on the first visit",
    "The engineer 王师傅 was great",
]
NEGATIVE = [
    "等了三天都没人上门，太失望了",
    "不太满意",
    "乱收费，态度差",
    "客服电话一直打不通",
    "修了两次还是坏的",
    "不专业，弄脏了地板",
    "太慢了",
    "没修好",
    "师傅不准时",
    "not happy",
    "Terrible service, nobody came",
    "The technician was rude and late",
    "I waited three weeks for a part",
    "would not recommend",
    "He was not professional at all",
]
NEUTRAL = ["", "   ", "。。。", None, "?!"]


@pytest.mark.parametrize("text", POSITIVE)
def test_clear_praise_is_positive(text):
    row = classify([text]).row(0, named=True)
    assert row["sentiment"] == "positive" and 0 < row["sentiment_score"] <= 1


@pytest.mark.parametrize("text", NEGATIVE)
def test_clear_complaint_is_negative(text):
    row = classify([text]).row(0, named=True)
    assert row["sentiment"] == "negative" and -1 <= row["sentiment_score"] < 0


@pytest.mark.parametrize("text", NEUTRAL)
def test_no_opinion_is_neutral_with_zero_score(text):
    assert classify([text]).row(0) == ("neutral", 0.0, None)


@pytest.mark.xfail(strict=True, reason="known limit: the shopping model reads 差 as strongly negative")
def test_double_negation_not_very_bad_is_positive():
    assert classify(["不是很差"])["sentiment"][0] == "positive"


def test_emoji_only_uses_the_emoji_lexicon():
    out = classify(["😀", "👍", "😡👎"])
    assert out["sentiment"].to_list() == ["positive", "positive", "negative"]
    assert out["language"].to_list() == [None, None, None]


def test_very_long_text_is_classified():
    text = "师傅很耐心，讲解很清楚，修好了。" * 2000  # 32,000 characters
    row = classify([text]).row(0, named=True)
    assert row["sentiment"] == "positive" and row["language"] == "zh"


def test_output_keeps_order_schema_and_length():
    out = classify(["太慢了", None, "Great job", "非常满意"])
    assert out.schema == pl.Schema(
        {"sentiment": pl.String, "sentiment_score": pl.Float64, "language": pl.String}
    )
    assert out["sentiment"].to_list() == ["negative", "neutral", "positive", "positive"]
    assert out["language"].to_list() == ["zh", None, "en", "zh"]


def test_empty_input_gives_empty_frame():
    out = classify([])
    assert out.height == 0 and out.columns == ["sentiment", "sentiment_score", "language"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("师傅很好", "zh"),
        ("good", "en"),
        # 3 CJK vs 12 Latin letters: 3 ≥ 0.2 × 15 = 3 → zh
        ("师傅很professional", "zh"),
        # 3 CJK vs 20 Latin letters: 3 < 0.2 × 23 = 4.6 → en
        ("The engineer 王师傅 was great", "en"),
        ("123 !!", None),
        ("", None),
    ],
)
def test_language_by_cjk_share(text, language):
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("text", "language", "score"),
    [
        ("收费合理，很耐心", "zh", 2),  # 合理 +1, 耐心 +1
        ("不专业", "zh", -1),  # the longer 不专业 wins over 专业
        ("不准时", "zh", -1),  # 准时 +1 flipped by 不
        ("乱收费", "zh", -1),
        ("not professional", "en", -1),
        ("fixed and on time", "en", 2),
        ("rude", "en", -1),
    ],
)
def test_lexicon_hits_by_hand(text, language, score):
    assert lexicon_score(text, language) == score


def test_negated_words_are_marked_until_the_clause_ends():
    # words without HMM: 不是 / 很 / 差 / ， / 很 / 好; the comma ends 不是's scope, so the second 很 and 好 stay plain
    words = sentiment.zh_words("不是很差，很好")
    assert words == ["不是", "很", "NOT_很", "差", "NOT_差", "很", "好", "不是 很", "很 差", "很 好"]


def test_fixed_lexicon_boost_only_for_phrases_the_training_data_lacks():
    # Phrases the shopping comments use often (满意, 不错) get their weight from training, not a hand boost.
    unseen = set(sentiment._model()["zh_unseen_phrases"].tolist())
    assert {"乱收费", "没修好"} <= unseen and not {"满意", "不错", "失望"} & unseen


def test_model_loads_once_and_no_output_on_import():
    code = "import sys; sys.path.insert(0, '.'); from lib.text.sentiment import classify; classify(['很好', 'good'])"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout == "" and done.stderr == ""


def test_artefact_is_small():
    assert sentiment.MODEL_PATH.stat().st_size < 20 * 1024 * 1024


# Accuracy measured on each evaluation file when the floors were set (issue 21's model: shopping file only, rjieba
# without HMM); a floor is that minus one point, so a real drop fails while run-to-run noise cannot (the model and
# files are fixed).
MEASURED = {
    "zh/waimai_10k.csv": 0.861,
    "zh/ChnSentiCorp_htl_all.csv": 0.842,
    "en/amazon_cells_labelled.txt": 0.871,  # English: trained on the other two files, scored on this one
    "en/imdb_labelled.txt": 0.811,
    "en/yelp_labelled.txt": 0.850,
}
TARGETS = {name: 0.88 if name.startswith("zh/") else 0.82 for name in MEASURED}  # issue 7 / 21


@pytest.fixture(scope="module")
def held_out_accuracy():
    sys.path.insert(0, str(ROOT / "scripts"))
    import train_sentiment as ts

    model = sentiment._model()
    results = {name: ts.accuracy(*ts.read_labelled(DATA / name), "zh", model) for name in ts.ZH_EVAL}
    return results | ts.english_held_out(DATA)


@pytest.mark.slow
@needs_data
@pytest.mark.parametrize("name", sorted(MEASURED))
def test_accuracy_stays_above_its_floor(held_out_accuracy, name):
    assert held_out_accuracy[name] >= MEASURED[name] - 0.01, held_out_accuracy


@pytest.mark.slow
@needs_data
@pytest.mark.xfail(
    strict=True,
    reason="issue 21 targets not met yet: zh waimai 0.861 / hotel 0.842 (< 0.88), en imdb 0.811 (< 0.82); "
    "strict, so this fails the day the model meets them and the mark must go; the floors above catch a drop",
)
def test_accuracy_meets_the_targets(held_out_accuracy):
    assert all(held_out_accuracy[n] >= TARGETS[n] for n in TARGETS), held_out_accuracy


# Service comments written for this test after the lexicon and the model were fixed (no word list or
# training file was read to write them): other products, other wording, both languages.
FRESH = [
    ("安装师傅把旧机器也顺手搬走了，省了不少事", 1),
    ("预约时间一改再改，最后还是没来", 0),
    ("电话那头的客服一直在推销延保，问题根本没解决", 0),
    ("换了新的滤芯以后水流明显大了", 1),
    ("收了上门费却说配件要等两周", 0),
    ("工程师讲得很清楚，还教我怎么保养", 1),
    ("投诉三次都石沉大海", 0),
    ("当天下单当天就来了，效率真高", 1),
    ("The courier left the replacement at my door the next morning, all sorted", 1),
    ("Still no refund after four emails and two calls", 0),
    ("She walked me through the reset and the printer works again", 1),
    ("They closed my case without even reading it", 0),
    ("Quick, polite and the fridge has been quiet ever since", 1),
    ("Charged twice and the chat bot kept looping", 0),
]
# The model got 9 of 14 right when the list was written: plain positive statements without a praise
# word ("the water flows better now") read as negative, and "closed my case without reading it" as
# positive. That is issue 21's gap, measured on sentences nobody tuned for; the floor catches a drop.
FRESH_MIN_CORRECT = 8


def test_fresh_service_comments_are_mostly_right():
    scored = classify([text for text, _ in FRESH])
    got = [int(label == "positive") for label in scored["sentiment"]]
    wrong = [text for (text, want), have in zip(FRESH, got, strict=True) if want != have]
    assert len(FRESH) - len(wrong) >= FRESH_MIN_CORRECT, wrong


# tests/service_comments_fresh.tsv: 209 after-sales comments written for issue 21 and committed before any model
# was run on them (issue 21). Accuracy per language when the floor was set; a floor is that minus one point.
# Low because the training reviews are about products, where a mention of a repair, a part or a fault is a
# complaint: plain positive service reports ("换完就亮了") mostly read as negative.
FRESH_SET_MEASURED = {"zh": 0.624, "en": 0.690}


def test_fresh_service_set_stays_above_its_floor():
    sys.path.insert(0, str(ROOT / "scripts"))
    import train_sentiment as ts

    texts, labels = ts.read_fresh(ts.FRESH)
    scored = classify(texts).with_columns(want=pl.Series(labels.astype(bool)))
    ok = scored.with_columns(ok=(pl.col("sentiment") == "positive") == pl.col("want"))
    by_language = dict(ok.group_by("language").agg(pl.col("ok").mean()).iter_rows())
    assert all(by_language[k] >= v - 0.01 for k, v in FRESH_SET_MEASURED.items()), by_language


@pytest.mark.slow
@needs_data
def test_artefact_is_reproducible_from_the_script(tmp_path):
    out = tmp_path / "sentiment.npz"
    subprocess.run(
        [sys.executable, "scripts/train_sentiment.py", "--data", str(DATA), "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    # Vocabulary, index and ratios come out identical. The fitted weights differ in their last digits
    # from one CPU to another (BLAS kernels: the committed model was trained on an Intel Xeon, AMD EPYC
    # gives zh weights up to 0.013 apart), so they are held to a tolerance far below a real change.
    retrained, committed = np.load(out), np.load(sentiment.MODEL_PATH)
    assert sorted(retrained.files) == sorted(committed.files)
    for name in committed.files:
        ours, theirs = retrained[name], committed[name]
        assert ours.shape == theirs.shape, name
        if name.endswith(("_coef", "_intercept")):
            np.testing.assert_allclose(ours, theirs, rtol=0, atol=0.05, err_msg=name)
        else:
            assert np.array_equal(ours, theirs), name
