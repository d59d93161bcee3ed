"""Train the shipped sentiment models deterministically and print the held-out accuracy table.

Usage: .venv/bin/python scripts/train_sentiment.py [--data ../shared/data/sentiment] [--out lib/models/sentiment.npz]

Chinese is trained on the shopping file only (the README's rule); waimai and hotel are evaluation only.
English ships a model trained on all three files; its accuracy is reported leave-one-file-out
(train on two, score the third), as the README asks.
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from pathlib import Path

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib import sentiment  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "sentiment"
ZH_TRAIN = "zh/online_shopping_9_cats_train.csv"
ZH_EVAL = ("zh/waimai_10k.csv", "zh/ChnSentiCorp_htl_all.csv")
EN_FILES = ("en/amazon_cells_labelled.txt", "en/imdb_labelled.txt", "en/yelp_labelled.txt")
C = 1.0  # sklearn's default strength; not tuned on the evaluation files


def read_labelled(path: Path) -> tuple[list[str], np.ndarray]:
    """Texts (normalised) and 0/1 labels of one corpus file (zh CSV or en tab-separated)."""
    if path.suffix == ".txt":
        rows = [line.rsplit("\t", 1) for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line]
        texts, labels = [r[0] for r in rows], [int(r[1]) for r in rows]
    else:
        frame = pl.read_csv(path).drop_nulls("review")
        texts, labels = frame["review"].to_list(), frame["label"].to_list()
    return [sentiment.normalize(t) for t in texts], np.asarray(labels, dtype=np.int64)


def idf_of(raw: sparse.csr_matrix) -> np.ndarray:
    """Smoothed IDF, as sklearn's TfidfTransformer(smooth_idf=True) computes it."""
    n_docs = raw.shape[0]
    df = np.bincount(raw.indices, minlength=raw.shape[1])
    return (np.log((1 + n_docs) / (1 + df)) + 1.0).astype(np.float32)


def fit(texts: list[str], labels: np.ndarray, language: str) -> dict[str, np.ndarray]:
    """Fit one language's model; arrays are float32 so that the artefact stays small."""
    raw = sentiment.counts(texts, language)
    idf = idf_of(raw)
    x = sentiment.tfidf(raw, idf)
    if language == "en":
        x = sparse.hstack([x, sparse.csr_matrix(sentiment.vader_features(texts))], format="csr")
    model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced", solver="lbfgs")
    model.fit(x, labels)
    coef = model.coef_.ravel().astype(np.float32)
    arrays = {
        f"{language}_idf": idf,
        f"{language}_coef": coef[: len(idf)],
        f"{language}_intercept": np.asarray([model.intercept_[0]], dtype=np.float32),
    }
    if language == "en":
        arrays["en_vader_coef"] = coef[len(idf) :]
    return arrays


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


def train(data: Path, out: Path) -> dict[str, float]:
    """Train both languages, write the artefact to `out`, return held-out accuracy per file."""
    zh_model = fit(*read_labelled(data / ZH_TRAIN), "zh")
    en_all = [read_labelled(data / name) for name in EN_FILES]
    en_model = fit([t for texts, _ in en_all for t in texts], np.concatenate([y for _, y in en_all]), "en")
    save(out, {**zh_model, **en_model})
    table = {name: accuracy(*read_labelled(data / name), "zh", zh_model) for name in ZH_EVAL}
    return {**table, **english_held_out(data)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=sentiment.MODEL_PATH)
    args = parser.parse_args()
    table = train(args.data, args.out)
    print("| file | accuracy |\n|---|---|")
    for name, value in table.items():
        print(f"| {name} | {value:.4f} |")


if __name__ == "__main__":
    main()
