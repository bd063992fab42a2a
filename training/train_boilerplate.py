"""Train the learned boilerplate filter of `clean.py` and choose its threshold by cross-validation.

Usage:
  python training/train_boilerplate.py cv     # figures on the train split, by 5-fold CV over articles
  python training/train_boilerplate.py fit    # write src/claimledger/weights/boilerplate.npz
  python training/train_boilerplate.py test   # the packaged filter on the test split (report only)

A rough sentence (`clean.sentences`) is furniture when half of it or more lies inside a gold
boilerplate string. Two figures decide: the share of gold boilerplate strings that lie inside
marked spans (the scorer's `boilerplate_marked`), and the share of gold claim anchors that the
marked spans swallow (a claim hidden as furniture is lost): the threshold is the lowest whose
swallowed share on held-out folds stays at or under MAX_SWALLOWED.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimledger import clean  # noqa: E402
from training import harness  # noqa: E402

SEED = 5
C = 0.5
MIN_COUNT = 2
MAX_SWALLOWED = 0.0015
THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)


@dataclass
class Doc:
    article: str
    text: str
    spans: list[tuple[int, int]]
    features: list[list[str]]
    labels: list[bool]
    gold_boiler: list[str]
    gold_anchors: list[str]
    fold: int


def inside(span: tuple[int, int], marked: list[tuple[int, int]]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in marked)


def load(split: str) -> list[Doc]:
    docs = []
    for gs in harness.gold_sets(split):
        anchors: dict[str, list[str]] = {}
        for c in gs.gold["claims"]:
            anchors.setdefault(c["article"], []).append(c["anchor"])
        for row in gs.rows:
            text = row["text"]
            spans = clean.sentences(text)
            ruled = clean.ruled_indexes(spans, clean.rule_spans(text, spans))
            boiler = gs.gold.get("boilerplate", {}).get(row["id"], [])
            where = [(text.find(b), text.find(b) + len(b)) for b in boiler if text.find(b) >= 0]
            labels = []
            for start, end in spans:
                covered = sum(min(e, end) - max(s, start) for s, e in where if s < end and start < e)
                labels.append(covered * 2 >= end - start)
            features = [clean.unit_features(text, spans, i, ruled) for i in range(len(spans))]
            docs.append(
                Doc(
                    row["id"],
                    text,
                    spans,
                    features,
                    labels,
                    boiler,
                    anchors.get(row["id"], []),
                    harness.fold_of(row["id"]),
                )
            )
    return docs


def fit(docs: list[Doc]) -> tuple[dict[str, int], np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    counts: Counter[str] = Counter(f for d in docs for fs in d.features for f in set(fs))
    vocab = {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= MIN_COUNT))}
    x, y = matrix(docs, vocab), np.array([lab for d in docs for lab in d.labels])
    model = LogisticRegression(C=C, solver="liblinear", random_state=SEED, max_iter=500).fit(x, y)
    return vocab, model.coef_[0].astype(np.float32), float(model.intercept_[0])


def matrix(docs: list[Doc], vocab: dict[str, int]) -> sparse.csr_matrix:
    rows, cols, vals = [], [], []
    r = 0
    for d in docs:
        for fs in d.features:
            for j, n in Counter(vocab[f] for f in fs if f in vocab).items():
                rows.append(r)
                cols.append(j)
                vals.append(float(n))
            r += 1
    return sparse.csr_matrix((vals, (rows, cols)), shape=(r, len(vocab)), dtype=np.float32)


def probabilities(doc: Doc, vocab: dict[str, int], weights: np.ndarray, bias: float) -> np.ndarray:
    scores = [bias + float(weights[[vocab[f] for f in fs if f in vocab]].sum()) for fs in doc.features]
    return 1.0 / (1.0 + np.exp(-np.clip(np.array(scores), -40, 40)))


def figures(docs: list[Doc], probs: dict[str, np.ndarray] | None, threshold: float) -> dict[str, Any]:
    marked_n = marked_ok = anchors_n = swallowed = 0
    for d in docs:
        marked = clean.rule_spans(d.text, d.spans)
        if probs is not None:
            marked += [s for s, p in zip(d.spans, probs[d.article], strict=True) if p >= threshold]
        merged = clean._merge(marked)  # noqa: SLF001 - the same merge the stage applies
        for b in d.gold_boiler:
            at = d.text.find(b)
            marked_n += 1
            marked_ok += at >= 0 and inside((at, at + len(b)), merged)
        for a in d.gold_anchors:
            at = d.text.find(a)
            anchors_n += 1
            swallowed += at >= 0 and any(s < at + len(a) and at < e for s, e in merged)
    return {
        "boilerplate_marked": round(marked_ok / max(1, marked_n), 3),
        "strings": marked_n,
        "anchors_swallowed": round(swallowed / max(1, anchors_n), 4),
        "anchors": anchors_n,
    }


def out_of_fold(docs: list[Doc]) -> dict[str, np.ndarray]:
    probs = {}
    for k in sorted({d.fold for d in docs}):
        vocab, w, b = fit([d for d in docs if d.fold != k])
        for d in docs:
            if d.fold == k:
                probs[d.article] = probabilities(d, vocab, w, b)
    return probs


def choose(docs: list[Doc], probs: dict[str, np.ndarray]) -> float:
    ok = [t for t in THRESHOLDS if figures(docs, probs, t)["anchors_swallowed"] <= MAX_SWALLOWED]
    return min(ok) if ok else max(THRESHOLDS)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=("cv", "fit", "test"))
    args = parser.parse_args()
    if args.command == "test":
        docs = load("test")
        model = clean._filter()  # noqa: SLF001
        assert model is not None, "no packaged filter"
        vocab, w, b, threshold = model
        print("rules alone:", figures(docs, None, 1.0))
        print(
            f"rules and the filter (threshold {threshold}):",
            figures(docs, {d.article: probabilities(d, vocab, w, b) for d in docs}, threshold),
        )
        return
    docs = load("train")
    print(
        f"{len(docs)} articles, {sum(map(len, (d.labels for d in docs)))} rough sentences, {sum(sum(d.labels) for d in docs)} furniture"
    )
    print("rules alone:", figures(docs, None, 1.0))
    probs = out_of_fold(docs)
    for t in THRESHOLDS:
        print(f"cv threshold {t}:", figures(docs, probs, t))
    threshold = choose(docs, probs)
    print(f"chosen threshold: {threshold}")
    if args.command == "fit":
        vocab, w, b = fit(docs)
        clean.WEIGHTS.parent.mkdir(parents=True, exist_ok=True)
        order = sorted(vocab, key=vocab.__getitem__)
        np.savez_compressed(
            clean.WEIGHTS, vocab=np.array(order), weights=w, bias=np.array(b), threshold=np.array(threshold)
        )
        print(f"written {clean.WEIGHTS} ({clean.WEIGHTS.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
