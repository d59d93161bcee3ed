"""The training-data screen of scripts/train_sentiment.py, on hand-worked tiny examples."""

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import train_sentiment as ts  # noqa: E402

# 10 characters, so 6 character 5-grams: 师傅来得很 傅来得很快 来得很快修 得很快修得 很快修得也 快修得也好
REFERENCE = "师傅来得很快修得也好"


def test_key_drops_spaces_punctuation_and_symbols():
    assert ts.dedup_key("师傅 来得很快，修得也好！👍") == REFERENCE


def test_short_key_is_its_own_shingle():
    assert ts.shingles("很好") == {"很好"} and ts.shingles("") == set()
    assert len(ts.shingles(REFERENCE)) == 6


def test_exact_copy_after_normalising_is_dropped():
    mask, exact = ts.near_duplicates(["师傅来得很快，修得也好！"], [REFERENCE])
    assert mask.tolist() == [True] and exact == 1


def test_near_copy_at_jaccard_six_sevenths_is_dropped():
    # one character added: 7 shingles, 6 shared with the reference's 6 → Jaccard 6/7 ≈ 0.86 ≥ 0.8
    mask, exact = ts.near_duplicates(["师傅来得很快修得也好啊"], [REFERENCE])
    assert mask.tolist() == [True] and exact == 0


def test_different_ending_at_jaccard_one_half_is_kept():
    # 很快修得不 / 快修得不好 are new: 4 shared of 8 → Jaccard 0.5 < 0.8; 4 of its 6 shingles seen → 0.67 < 0.8
    text = "师傅来得很快修得不好"
    assert ts.near_duplicates([text], [REFERENCE])[0].tolist() == [False]
    assert ts.fragments([text], [REFERENCE]).tolist() == [False]


def test_cut_out_of_a_reference_is_a_fragment_not_a_near_copy():
    # 4 shingles, all in the reference (fragment share 1.0), but Jaccard only 4/6
    text = "师傅来得很快修得"
    assert ts.near_duplicates([text], [REFERENCE])[0].tolist() == [False]
    assert ts.fragments([text], [REFERENCE]).tolist() == [True]


def test_screen_counts_each_kind_once():
    texts = ["师傅来得很快，修得也好", "师傅来得很快修得也好啊", "师傅来得很快修得", "完全不同的一句话"]
    drop, counts = ts.screen(texts, [REFERENCE])
    assert drop.tolist() == [True, True, True, False]
    assert counts == {"exact": 1, "near": 1, "fragment": 1}


def test_hotel_words_are_recognised():
    assert ts.HOTEL_WORDS.search("前台服务一般") and not ts.HOTEL_WORDS.search("这本书很好看")


def test_fresh_file_reads_texts_and_labels():
    texts, labels = ts.read_fresh(ts.FRESH)
    assert len(texts) == len(labels) >= 200 and set(np.unique(labels).tolist()) == {0, 1}
