"""Classes of words used alike, learned from unannotated reports: the detector's optional
feature group "clusters" (measured, not in the packaged model; see the README's Quality).

`model/vectors.npz` (rebuilt by `training/train_vectors.py` from the shared pool of unannotated
articles) holds, for each of the pool's frequent words, a class: k-means over word vectors made
from the pool's co-occurrence counts (PPMI and SVD). Words used alike share a class ("shelled"
and "bombarded", "abducted" and "kidnapped"), so a sentence stating an event in a word the
annotated reports never used still shows the detector a feature they did.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

VECTORS_PATH = Path(__file__).parent / "model" / "vectors.npz"


@lru_cache(maxsize=1)
def _classes() -> dict[str, int]:
    if not VECTORS_PATH.exists():
        return {}
    with np.load(VECTORS_PATH, allow_pickle=False) as data:
        return {str(w): int(c) for w, c in zip(data["words"], data["clusters"], strict=True)}


def cluster_of(word: str) -> int | None:
    """The class of words used alike that `word` (lower case) belongs to, if it is known."""
    return _classes().get(word)
