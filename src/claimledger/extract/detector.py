"""The trained claim detector: which claim types each sentence states, with a probability.

A logistic regression per claim type over the features of `features.py` (learned by
`training/train_detector.py` from the annotated reports, weights in `model/detector.npz`).
A sentence states a type when that type's probability reaches the type's threshold (chosen by
cross-validation on the training split); the claim's confidence is that probability mapped
through a calibration fitted on held-out predictions, so that claims exported at 0.8 are right
about 80% of the time. The trigger of a detected type is the word of the sentence whose lemma
weighs most for it.
"""

from __future__ import annotations

import json
import logging
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from claimledger.extract.features import (
    GROUPS,
    MAX_TOKENS,
    dense_vector,
    sentence_features,
    token_table,
    trigger_words,
)
from claimledger.extract.lexicon import Lexicon

if TYPE_CHECKING:
    from claimledger.extract import Detection, Reading

log = logging.getLogger(__name__)
MODEL_PATH = Path(__file__).parent / "model" / "detector.npz"
# A second type of one sentence is kept only when its probability is at least this share of the
# first's (extract/params.toml, chosen by cross-validation on the train split).
RELATIVE = float(
    tomllib.loads((Path(__file__).parent / "params.toml").read_text(encoding="utf-8"))["detector"]["relative"]
)


@dataclass(frozen=True, eq=False)
class DetectorModel:
    """Everything the detector learned, as arrays."""

    types: tuple[str, ...]
    vocab: dict[str, int]  # sparse feature -> row of `weights`
    weights: np.ndarray  # (len(vocab) + dense, len(types))
    bias: np.ndarray  # (len(types),)
    dense_mean: np.ndarray
    dense_scale: np.ndarray  # 0 where the dense vector is not used
    thresholds: np.ndarray  # (len(types),)
    calibration_x: np.ndarray  # increasing detector probabilities ...
    calibration_y: np.ndarray  # ... and the share of such claims that were right
    groups: tuple[str, ...] = GROUPS
    max_types: int = 3
    meta: str = "{}"
    # The second stage: a logistic regression over each candidate type's `candidate_features`.
    rerank_weights: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    rerank_bias: float = 0.0
    rerank_mean: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    rerank_scale: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        order = sorted(self.vocab, key=self.vocab.__getitem__)
        np.savez_compressed(
            path,
            types=np.array(self.types),
            vocab=np.array(order),
            weights=self.weights.astype(np.float32),
            bias=self.bias.astype(np.float32),
            dense_mean=self.dense_mean.astype(np.float32),
            dense_scale=self.dense_scale.astype(np.float32),
            thresholds=self.thresholds.astype(np.float32),
            calibration_x=self.calibration_x.astype(np.float32),
            calibration_y=self.calibration_y.astype(np.float32),
            groups=np.array(self.groups),
            max_types=np.array(self.max_types),
            meta=np.array(self.meta),
            rerank_weights=self.rerank_weights.astype(np.float32),
            rerank_bias=np.array(self.rerank_bias, dtype=np.float32),
            rerank_mean=self.rerank_mean.astype(np.float32),
            rerank_scale=self.rerank_scale.astype(np.float32),
        )

    @classmethod
    def load(cls, path: Path) -> DetectorModel:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                types=tuple(str(t) for t in data["types"]),
                vocab={str(f): i for i, f in enumerate(data["vocab"])},
                weights=data["weights"],
                bias=data["bias"],
                dense_mean=data["dense_mean"],
                dense_scale=data["dense_scale"],
                thresholds=data["thresholds"],
                calibration_x=data["calibration_x"],
                calibration_y=data["calibration_y"],
                groups=tuple(str(g) for g in data["groups"]),
                max_types=int(data["max_types"]),
                meta=str(data["meta"]),
                rerank_weights=data["rerank_weights"],
                rerank_bias=float(data["rerank_bias"]),
                rerank_mean=data["rerank_mean"],
                rerank_scale=data["rerank_scale"],
            )

    @property
    def info(self) -> dict[str, object]:
        loaded: dict[str, object] = json.loads(self.meta)
        return loaded

    def scores(self, features: list[str], dense: np.ndarray) -> np.ndarray:
        """The linear score of each type."""
        rows = [self.vocab[f] for f in features if f in self.vocab]
        total = self.bias.astype(np.float64).copy()
        if rows:
            # Repeated features count as often as they occur, as in training.
            total += self.weights[rows].sum(axis=0, dtype=np.float64)
        if self.dense_scale.any():
            scaled = (dense - self.dense_mean) * self.dense_scale
            total += scaled @ self.weights[len(self.vocab) :]
        return total

    def probabilities(self, features: list[str], dense: np.ndarray) -> np.ndarray:
        scores = np.clip(self.scores(features, dense), -40.0, 40.0)
        return 1.0 / (1.0 + np.exp(-scores))

    def reranked(self, first: np.ndarray, features: list[set[str]]) -> np.ndarray:
        """The second stage's probabilities of every sentence's candidate types (0 elsewhere)."""
        out = np.zeros_like(first)
        if not len(self.rerank_weights):
            return first
        for si, j, row in candidate_rows(first, features, self.types):
            z = float(((row - self.rerank_mean) * self.rerank_scale) @ self.rerank_weights + self.rerank_bias)
            out[si, j] = 1.0 / (1.0 + np.exp(-max(-40.0, min(40.0, z))))
        return out

    def confidence(self, probability: float) -> float:
        """The calibrated chance that a claim detected at `probability` is right."""
        if len(self.calibration_x) == 0:
            return probability
        return float(np.interp(probability, self.calibration_x, self.calibration_y))

    def trigger(self, tokens: list[object], type_index: int) -> int | None:
        """The token whose lemma weighs most for the type (None when no word has weight)."""
        best, best_weight = None, 0.0
        for i, token in enumerate(tokens[:MAX_TOKENS]):
            lemma = "#" if token.like_num else str(token.lemma_).lower()  # type: ignore[attr-defined]
            row = self.vocab.get(f"w:{lemma}")
            if row is None:
                continue
            weight = float(self.weights[row, type_index])
            if weight > best_weight:
                best, best_weight = i, weight
        return best


# Text that is not prose states nothing: a "sentence" of thousands of characters, or one that
# repeats a few words over and over (a parser's run-on over a list, junk, a stress test).
MAX_SENTENCE_CHARS = 5000
MIN_DISTINCT_SHARE = 0.2  # distinct words / words, for sentences of more than 50 words


def is_prose(tokens: list[object]) -> bool:
    words = [str(t.lower_) for t in tokens if not (t.is_punct or t.is_space)]  # type: ignore[attr-defined]
    return len(words) <= 50 or len(set(words)) / len(words) >= MIN_DISTINCT_SHARE


CANDIDATE_FLOOR = 0.2  # a type below this first-stage probability is no candidate
CANDIDATES_PER_SENTENCE = 4


def candidate_rows(
    first: np.ndarray, features: list[set[str]], types: tuple[str, ...]
) -> list[tuple[int, int, np.ndarray]]:
    """What the second stage reads of each candidate (sentence, type): its first-stage
    probability and rank, how strongly the same type was read in the sentences around it (a
    restatement of an event told just before is rarely annotated again), how often the report
    states the type, where the sentence stands, and the rules' verdicts."""
    n = len(first)
    rows: list[tuple[int, int, np.ndarray]] = []
    if n == 0:
        return rows
    per_type = (first >= 0.5).sum(axis=0)
    any_share = float((first.max(axis=1) >= 0.5).mean())
    for si in range(n):
        p = first[si]
        order = np.argsort(-p)
        feats = features[si]
        for rank, j in enumerate(order[:CANDIDATES_PER_SENTENCE]):
            if p[j] < CANDIDATE_FLOOR:
                break
            name = types[j]
            prev = [first[si - k, j] if si - k >= 0 else 0.0 for k in (1, 2, 3)]
            nxt = [first[si + k, j] if si + k < n else 0.0 for k in (1, 2)]
            before = float(first[max(0, si - 5) : si, j].max()) if si else 0.0
            logit = float(np.log(max(p[j], 1e-4) / max(1 - p[j], 1e-4)))
            onehot = np.zeros(len(types))
            onehot[j] = 1.0
            rule = float(f"rule:{name}" in feats)
            lexical = float(f"lex:{name}" in feats)
            row = [
                p[j], logit, rank, p[order[0]], float((p >= 0.3).sum()), *prev, *nxt, before,
                np.log1p(per_type[j]), si / n, np.log1p(si), np.log1p(n), any_share,
                float("quoted:True" in feats), float("attributed:True" in feats), float("has_place" in feats),
                float("has_date" in feats), rule, lexical, float("event:True" in feats), float("background" in feats),
                logit * rule, logit * lexical, *onehot,
            ]  # fmt: skip
            rows.append((si, int(j), np.asarray(row, dtype=np.float64)))
    return rows


@lru_cache(maxsize=2)
def load_model(path: Path = MODEL_PATH) -> DetectorModel:
    """The packaged detector (read once per process)."""
    return DetectorModel.load(path)


def detect(model: DetectorModel, reading: Reading, lex: Lexicon) -> list[list[Detection]]:
    """For each sentence of the reading, the types it states, most probable first."""
    from claimledger.extract import Detection

    place_starts = [p.start for p in reading.places if p.start is not None]
    sentences = reading.sentences
    table = token_table(sentences[0].span.doc) if sentences else None
    triggers = [trigger_words(s, lex) for s in sentences]
    features = [
        sentence_features(sentences, i, lex, reading.base_year, place_starts, model.groups, table, triggers)
        for i in range(len(sentences))
    ]
    first = np.array(
        [model.probabilities(f, dense_vector(s)) for f, s in zip(features, sentences, strict=True)]
    )
    final = model.reranked(first.reshape(len(sentences), len(model.types)), [set(f) for f in features])
    out: list[list[Detection]] = []
    for index, sent in enumerate(sentences):
        probs = final[index]
        chosen = [i for i in np.argsort(-probs) if probs[i] >= model.thresholds[i]][: model.max_types]
        chosen = [i for i in chosen if probs[i] >= RELATIVE * probs[chosen[0]]]
        if not chosen:
            out.append([])
            continue
        tokens = list(sent.span)
        if sent.end - sent.start > MAX_SENTENCE_CHARS or not is_prose(tokens):
            out.append([])
            continue
        found = []
        for i in chosen:
            spec = lex.types.get(model.types[i])
            if spec is None:
                continue
            at = model.trigger(tokens, int(i))
            token = tokens[at] if at is not None else sent.span.root
            if denied_by_grammar(token, spec.name):
                continue
            found.append(
                Detection(spec, token.idx, token.idx + len(token.text), model.confidence(float(probs[i])))
            )
        out.append(found)
    return out


def denied_by_grammar(token: Any, type_name: str) -> bool:
    """The word that weighs most for the type is denied by its own grammar: "no explosions
    followed", "were not killed", or undone by the prefix "de-" ("de-mined": mines cleared, not
    laid). Refusing is itself the event of a desertion ("would not return"), so a negated verb
    does not deny one."""
    if token.i >= 2 and token.nbor(-1).text == "-" and token.nbor(-2).lower_ == "de":
        return True
    children = list(token.children)
    if any(c.dep_ == "det" and c.lower_ == "no" for c in children):
        return True
    return type_name != "desertion" and any(c.dep_ == "neg" for c in children)


def trained_detector(reading: Reading, lex: Lexicon) -> list[list[Detection]]:
    """The packaged trained detector, as the extractor's default."""
    return detect(load_model(), reading, lex)
