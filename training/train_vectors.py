"""Classes of words used alike, learned from the unannotated pool, for words the annotations
never show.

Usage:
  python training/train_vectors.py            # write src/claimledger/extract/model/vectors.npz

Counts which words occur within a few words of each other in the pool articles
(`../shared/corpus/pool.jsonl.gz`) that are not in the pool's test buckets, weighs the counts by
positive pointwise mutual information (context counts smoothed by the power 0.75), and keeps
the first singular vectors of that matrix (Levy, Goldberg and Dagan 2015, "Improving
distributional similarity with lessons learned from word embeddings"). No labels are read; the
pool's test articles are left out so that nothing of the test split shapes the weights. The
result is deterministic (the SVD starts from a fixed vector, k-means from a fixed seed). What
ships is each word's class (k-means over the unit vectors, `CLUSTERS` classes), which the
detector reads as the feature group "clusters" (`extract/vectors.py`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import svds

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimledger.extract.vectors import VECTORS_PATH  # noqa: E402
from training import harness  # noqa: E402

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+", re.UNICODE)


def words_of(text: str) -> list[str]:
    """Lower-case words and numbers of a text (numbers all read as one word, "0")."""
    return ["0" if w.isdigit() else w.lower() for w in _WORD.findall(text)]


POOL = harness.SHARED / "corpus" / "pool.jsonl.gz"
MIN_COUNT = 15
MAX_WORDS = 40_000
WINDOW = 4
CLUSTERS = 256
DIMENSIONS = 100
SMOOTHING = 0.75


def documents() -> list[list[str]]:
    out = []
    with gzip.open(POOL, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if harness.in_pool_test(str(row["id"])):
                continue
            out.append(words_of(str(row.get("text", ""))))
    return out


def train(docs: list[list[str]]) -> tuple[list[str], np.ndarray]:
    counts = Counter(w for d in docs for w in d)
    kept = [w for w, n in counts.most_common(MAX_WORDS) if n >= MIN_COUNT]
    index = {w: i for i, w in enumerate(kept)}
    n = len(kept)
    rows_all, cols_all = [], []
    for d in docs:
        ids = np.array([index.get(w, -1) for w in d], dtype=np.int64)
        for k in range(1, WINDOW + 1):
            a, b = ids[:-k], ids[k:]
            ok = (a >= 0) & (b >= 0)
            rows_all += [a[ok], b[ok]]
            cols_all += [b[ok], a[ok]]
    rows, cols = np.concatenate(rows_all), np.concatenate(cols_all)
    co = sparse.coo_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(n, n)).tocsr()
    co.sum_duplicates()
    total = co.sum()
    word_sum = np.asarray(co.sum(axis=1)).ravel()
    context = np.asarray(co.sum(axis=0)).ravel() ** SMOOTHING
    context /= context.sum()
    coo = co.tocoo()
    pmi = np.log(coo.data * 1.0 / total) - np.log(word_sum[coo.row] / total) - np.log(context[coo.col])
    keep = pmi > 0
    ppmi = sparse.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=(n, n))
    v0 = np.random.default_rng(0).standard_normal(n)
    u, s, _ = svds(ppmi, k=DIMENSIONS, v0=v0)
    order = np.argsort(-s)
    vectors = u[:, order] * np.sqrt(s[order])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    return kept, vectors.astype(np.float16)  # rounded as the shipped classes were first made from


def cluster(vectors: np.ndarray) -> np.ndarray:
    """A class for each word (k-means over the unit vectors, seeded): words used alike share one,
    so the detector can read "cluster 17" where the annotations showed one word of it."""
    from sklearn.cluster import KMeans

    model = KMeans(n_clusters=CLUSTERS, random_state=0, n_init=3).fit(vectors.astype(np.float32))
    return model.labels_.astype(np.int16)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=VECTORS_PATH)
    args = parser.parse_args()
    t0 = time.time()
    docs = documents()
    print(f"{len(docs)} pool articles, {sum(map(len, docs))} words ({time.time() - t0:.0f} s)")
    words, vectors = train(docs)
    clusters = cluster(vectors)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, words=np.array(words), clusters=clusters)
    print(f"{len(words)} words x {vectors.shape[1]} written to {args.out} ({time.time() - t0:.0f} s)")
    lookup = {w: i for i, w in enumerate(words)}
    for probe in ("shelled", "looted", "abducted", "drone", "killed"):
        if probe in lookup:
            sims = vectors.astype(np.float32) @ vectors[lookup[probe]].astype(np.float32)
            print(probe, [words[i] for i in np.argsort(-sims)[1:9]])


if __name__ == "__main__":
    main()
