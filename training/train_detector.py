"""Train the claim detector, choose its settings by cross-validation, and report held-out figures.

Usage:
  python training/train_detector.py cv [--groups word,syntax,...] [--grid]   # figures on train, by CV
  python training/train_detector.py fit                                      # write the packaged model
  python training/train_detector.py test                                     # score the packaged model on test

Everything is chosen on the train split (training/data/splits.toml) by 5-fold cross-validation
over articles; `test` only reports. The seed is fixed; the same data give the same weights.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimledger.extract import Detection, Reading, build_claims, read_report, rule_detector  # noqa: E402
from claimledger.extract.detector import (  # noqa: E402
    MODEL_PATH,
    RELATIVE,
    DetectorModel,
    candidate_rows,
    denied_by_grammar,
    detect,
)
from claimledger.extract.features import GROUPS, dense_vector, sentence_features, token_table, trigger_words  # noqa: E402
from claimledger.extract.lexicon import load_lexicon  # noqa: E402
from claimledger.model import Claim, Report  # noqa: E402
from training import harness  # noqa: E402

SEED = 13
TYPES = tuple(load_lexicon().types)
RESULTS = ROOT / "training" / "results"


# Whether a type whose weightiest word is denied by its grammar is dropped (detector.denied_by_grammar);
# --no-grammar-denial in `cv` measures it off.
GRAMMAR_DENIAL = True


@dataclass
class Article:
    """One annotated article, read, with the features and labels of its sentences."""

    gold_set: str
    report: Report
    reading: Reading
    features: list[list[str]]
    dense: np.ndarray
    labels: list[set[str]]  # acceptable types of each sentence (union over its gold claims)
    fold: int
    article_id: str = ""
    feature_groups: tuple[str, ...] = GROUPS
    extra: dict[str, Any] = field(default_factory=dict)


def sentence_labels(
    reading: Reading, gold_claims: list[dict[str, Any]], sentence_around: Any
) -> list[set[str]]:
    text = reading.report.text
    spans = []
    for g in gold_claims:
        at = text.find(g["anchor"])
        if at >= 0:
            spans.append((sentence_around(text, at, at + len(g["anchor"])), set(g["types"])))
    labels = []
    for sent in reading.sentences:
        found: set[str] = set()
        for (s, e), types in spans:
            if s < sent.end and sent.start < e:
                found |= types
        labels.append(found)
    return labels


def load_articles(
    split: str, groups: tuple[str, ...] = GROUPS
) -> tuple[list[Article], list[harness.GoldSet]]:
    lex = load_lexicon()
    scorer = harness._scorer()  # noqa: SLF001 - the shared scorer's sentence rule labels the data
    out: list[Article] = []
    sets = harness.gold_sets(split)
    for gs in sets:
        reports = harness.reports_of(gs.rows)
        by_key = {}
        for report in reports:
            key = (report.path or "").rsplit("#", 1)[-1]
            by_key[key] = report
        claims_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for claim in gs.gold["claims"]:
            claims_of[claim["article"]].append(claim)
        for item in harness.analysed(reports):
            key = (item.report.path or "").rsplit("#", 1)[-1]
            reading = read_report(item.report, item.doc, item.places, lex)
            starts = [p.start for p in reading.places if p.start is not None]
            table = token_table(item.doc)
            triggers = [trigger_words(s, lex) for s in reading.sentences]
            feats = [
                sentence_features(
                    reading.sentences, i, lex, reading.base_year, starts, groups, table, triggers
                )
                for i in range(len(reading.sentences))
            ]
            dense = np.array([dense_vector(s) for s in reading.sentences], dtype=np.float32).reshape(
                len(reading.sentences), -1
            )
            labels = sentence_labels(reading, claims_of.get(key, []), scorer.sentence_around)
            out.append(
                Article(
                    gs.name, item.report, reading, feats, dense, labels, harness.fold_of(key), key, groups
                )
            )
    return out, sets


def build_vocab(articles: list[Article], min_count: int) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for a in articles:
        for feats in a.features:
            counts.update(set(feats))
    kept = sorted(f for f, n in counts.items() if n >= min_count)
    return {f: i for i, f in enumerate(kept)}


def matrix(
    articles: list[Article], vocab: dict[str, int], dense_mean: np.ndarray, dense_scale: np.ndarray
) -> sparse.csr_matrix:
    rows, cols, vals = [], [], []
    r = 0
    for a in articles:
        for feats in a.features:
            c = Counter(vocab[f] for f in feats if f in vocab)
            for j, n in c.items():
                rows.append(r)
                cols.append(j)
                vals.append(float(n))
            r += 1
    sp = sparse.csr_matrix((vals, (rows, cols)), shape=(r, len(vocab)), dtype=np.float32)
    if dense_scale.any():
        dense = (
            np.vstack([a.dense for a in articles if len(a.dense)]) if r else np.zeros((0, len(dense_mean)))
        )
        dense = (dense - dense_mean) * dense_scale
        sp = sparse.hstack([sp, sparse.csr_matrix(dense.astype(np.float32))], format="csr")
    return sp


@dataclass
class Settings:
    c: float = 0.5
    min_count: int = 2
    threshold: float = 0.4
    max_types: int = 3
    use_dense: bool = True
    class_weight: str | None = None
    groups: tuple[str, ...] = GROUPS

    def key(self) -> str:
        return f"C={self.c} min={self.min_count} thr={self.threshold} max={self.max_types} dense={self.use_dense} cw={self.class_weight}"


def fit(articles: list[Article], settings: Settings) -> DetectorModel:
    from sklearn.linear_model import LogisticRegression

    vocab = build_vocab(articles, settings.min_count)
    dim = articles[0].dense.shape[1] if articles and articles[0].dense.size else 96
    all_dense = np.vstack([a.dense for a in articles if len(a.dense)])
    mean = all_dense.mean(axis=0)
    scale = (
        1.0 / (all_dense.std(axis=0) + 1e-6) / np.sqrt(dim)
        if settings.use_dense
        else np.zeros(dim, dtype=np.float32)
    )
    if not settings.use_dense:
        mean = np.zeros(dim, dtype=np.float32)
    x = matrix(articles, vocab, mean, scale)
    labels = [lab for a in articles for lab in a.labels]
    weights = np.zeros((x.shape[1], len(TYPES)), dtype=np.float32)
    bias = np.full(len(TYPES), -10.0, dtype=np.float32)
    for j, name in enumerate(TYPES):
        y = np.array([name in lab for lab in labels], dtype=np.int8)
        if y.sum() < 2:
            continue
        weight: Any = settings.class_weight
        if weight == "sqrt":
            weight = {0: 1.0, 1: float(np.sqrt((len(y) - y.sum()) / y.sum()))}
        elif weight and weight.startswith("pow"):
            weight = {0: 1.0, 1: float(((len(y) - y.sum()) / y.sum()) ** float(weight[3:]))}
        model = LogisticRegression(
            C=settings.c, solver="liblinear", class_weight=weight, random_state=SEED, max_iter=200
        )
        model.fit(x, y)
        weights[:, j] = model.coef_[0]
        bias[j] = model.intercept_[0]
    return DetectorModel(
        types=TYPES,
        vocab=vocab,
        weights=weights,
        bias=bias,
        dense_mean=mean.astype(np.float32),
        dense_scale=np.asarray(scale, dtype=np.float32),
        thresholds=np.full(len(TYPES), settings.threshold, dtype=np.float32),
        calibration_x=np.zeros(0, dtype=np.float32),
        calibration_y=np.zeros(0, dtype=np.float32),
        groups=settings.groups,
        max_types=settings.max_types,
    )


def raw_probabilities(model: DetectorModel, article: Article) -> np.ndarray:
    return np.array(
        [model.probabilities(f, d) for f, d in zip(article.features, article.dense, strict=True)]
    ).reshape(len(article.features), len(TYPES))


def detections_at(
    model: DetectorModel, article: Article, probs: np.ndarray, thresholds: np.ndarray, max_types: int
) -> list[list[Detection]]:
    lex = load_lexicon()
    out = []
    for sent, p in zip(article.reading.sentences, probs, strict=True):
        chosen = [i for i in np.argsort(-p) if p[i] >= thresholds[i]][:max_types]
        chosen = [i for i in chosen if p[i] >= RELATIVE * p[chosen[0]]]
        tokens = list(sent.span)
        found = []
        for i in chosen:
            at = model.trigger(tokens, int(i))
            token = tokens[at] if at is not None else sent.span.root
            if GRAMMAR_DENIAL and denied_by_grammar(token, TYPES[i]):
                continue
            found.append(Detection(lex.types[TYPES[i]], token.idx, token.idx + len(token.text), float(p[i])))
        out.append(found)
    return out


def merged_gold(sets: list[harness.GoldSet], names: set[str] | None = None) -> dict[str, Any]:
    gold: dict[str, Any] = {
        "metadata": {},
        "boilerplate": {},
        "claims": [],
        "stories": [],
        "single_source_incidents": [],
        "same_incident": [],
    }
    for gs in sets:
        if names is not None and gs.name not in names:
            continue
        gold["metadata"].update(gs.gold.get("metadata", {}))
        gold["boilerplate"].update(gs.gold.get("boilerplate", {}))
        gold["claims"] += gs.gold["claims"]
    return gold


def score_claims(
    articles: list[Article], sets: list[harness.GoldSet], claims: dict[str, list[Claim]]
) -> dict[str, dict[str, Any]]:
    """Figures per gold set and pooled over all of them."""
    out = {}
    for gs in sets:
        mine = [a for a in articles if a.gold_set == gs.name]
        out[gs.name] = harness.score(
            gs.gold, [a.report for a in mine], [c for a in mine for c in claims[a.article_id]]
        )
    out["pooled"] = harness.score(
        merged_gold(sets), [a.report for a in articles], [c for a in articles for c in claims[a.article_id]]
    )
    return out


def correct_claims(articles: list[Article], claims: dict[str, list[Claim]]) -> set[str]:
    """Ids of the claims whose type some gold claim of their sentence accepts."""
    right = set()
    for a in articles:
        for c in claims[a.article_id]:
            ev = c.evidence[0]
            for sent, lab in zip(a.reading.sentences, a.labels, strict=True):
                if sent.start < ev.end and ev.start < sent.end and c.type in lab:
                    right.add(c.claim_id)
    return right


KEYS = ("claims_predicted", "recall", "precision", "f1", "attribution", "date", "place_strict")


def show(figures: dict[str, dict[str, Any]], title: str) -> None:
    print(f"== {title}")
    for name, fig in figures.items():
        print(f"  {name:22}", {k: fig.get(k) for k in KEYS})


def out_of_fold(
    articles: list[Article], settings: Settings
) -> tuple[dict[str, np.ndarray], dict[str, DetectorModel]]:
    """Each article's probabilities from the model trained on the other folds."""
    probs: dict[str, np.ndarray] = {}
    models: dict[str, DetectorModel] = {}
    folds = sorted({a.fold for a in articles})
    for k in folds:
        train = [a for a in articles if a.fold != k]
        model = fit(train, settings)
        for a in articles:
            if a.fold == k:
                probs[a.article_id] = raw_probabilities(model, a)
                models[a.article_id] = model
    return probs, models


def second_stage_data(
    articles: list[Article], probs: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, list[tuple[str, int, int, int]]]:
    """The candidates of the first stage's (out-of-fold) probabilities, their rows and labels."""
    xs, ys, keys = [], [], []
    for a in articles:
        for si, j, row in candidate_rows(probs[a.article_id], [set(f) for f in a.features], TYPES):
            xs.append(row)
            ys.append(TYPES[j] in a.labels[si])
            keys.append((a.article_id, si, j, a.fold))
    return np.array(xs), np.array(ys), keys


def second_stage_fit(
    x: np.ndarray, y: np.ndarray, c: float = 1.0
) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = 1.0 / (x.std(axis=0) + 1e-6)
    model = LogisticRegression(C=c, max_iter=5000, random_state=SEED).fit((x - mean) * scale, y)
    return model.coef_[0], float(model.intercept_[0]), mean, scale


def second_stage_oof(articles: list[Article], probs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each article's second-stage probabilities from a second stage fitted on the other folds."""
    x, y, keys = second_stage_data(articles, probs)
    folds = np.array([k[3] for k in keys])
    out = {a.article_id: np.zeros_like(probs[a.article_id]) for a in articles}
    for k in sorted(set(folds)):
        w, b, mean, scale = second_stage_fit(x[folds != k], y[folds != k])
        z = ((x[folds == k] - mean) * scale) @ w + b
        for (aid, si, j, _), value in zip(
            [kk for kk in keys if kk[3] == k], 1 / (1 + np.exp(-z)), strict=True
        ):
            out[aid][si, j] = value
    return out


def claims_at(
    articles: list[Article],
    probs: dict[str, np.ndarray],
    models: dict[str, DetectorModel],
    threshold: float | np.ndarray,
    max_types: int,
) -> dict[str, list[Claim]]:
    lex = load_lexicon()
    thresholds = np.broadcast_to(np.asarray(threshold, dtype=np.float32), (len(TYPES),))
    return {
        a.article_id: build_claims(
            a.reading, detections_at(models[a.article_id], a, probs[a.article_id], thresholds, max_types), lex
        )
        for a in articles
    }


def calibration(
    articles: list[Article], probs: dict[str, np.ndarray], thresholds: np.ndarray, max_types: int
) -> tuple[np.ndarray, np.ndarray, list[tuple[float, float, int, float]]]:
    """Isotonic map from a detected type's probability to the chance it is right (a sentence
    whose gold claims accept the type), fitted on out-of-fold detections; and its table."""
    from sklearn.isotonic import IsotonicRegression

    xs, ys = [], []
    for a in articles:
        for p, lab in zip(probs[a.article_id], a.labels, strict=True):
            chosen = [i for i in np.argsort(-p) if p[i] >= thresholds[i]][:max_types]
            for i in chosen:
                xs.append(float(p[i]))
                ys.append(float(TYPES[i] in lab))
    x, y = np.array(xs), np.array(ys)
    iso = IsotonicRegression(y_min=0.02, y_max=0.98, out_of_bounds="clip").fit(x, y)
    grid = np.linspace(float(x.min()), 1.0, 41)
    table = []
    calibrated = iso.predict(x)
    for lo in np.arange(0.0, 1.0, 0.1):
        sel = (calibrated >= lo) & (calibrated < lo + 0.1 + (1e-9 if lo >= 0.9 else 0))
        if sel.sum():
            table.append((round(lo, 1), round(lo + 0.1, 1), int(sel.sum()), round(float(y[sel].mean()), 3)))
    return grid.astype(np.float32), iso.predict(grid).astype(np.float32), table


def command_cv(args: argparse.Namespace) -> None:
    global GRAMMAR_DENIAL
    GRAMMAR_DENIAL = not args.no_grammar_denial
    groups = tuple(args.groups.split(",")) if args.groups else GROUPS
    t0 = time.time()
    articles, sets = load_articles("train", groups)
    print(
        f"{len(articles)} articles, {sum(len(a.labels) for a in articles)} sentences, {sum(bool(lab) for a in articles for lab in a.labels)} with claims ({time.time() - t0:.0f} s)"
    )
    rule_claims = {
        a.article_id: build_claims(a.reading, rule_detector(a.reading, load_lexicon()), load_lexicon())
        for a in articles
    }
    show(score_claims(articles, sets, rule_claims), "rules (no training)")
    grid = [
        Settings(c=c, use_dense=d, groups=groups, class_weight=args.class_weight)
        for c in (args.c or [0.5])
        for d in ((True, False) if args.grid else (not args.no_dense,))
    ]
    for settings in grid:
        probs, models = out_of_fold(articles, settings)
        if args.stacked:
            probs = second_stage_oof(articles, probs)
        for threshold in args.thresholds:
            for max_types in args.max_types or [settings.max_types]:
                claims = claims_at(articles, probs, models, threshold, max_types)
                s = Settings(**{**settings.__dict__, "threshold": threshold, "max_types": max_types})
                show(score_claims(articles, sets, claims), f"cv {s.key()} groups={','.join(groups)}")


def command_fit(args: argparse.Namespace) -> None:
    settings = Settings(**json.loads((ROOT / "training" / "data" / "detector-settings.json").read_text()))
    articles, sets = load_articles("train", settings.groups)
    first, models = out_of_fold(articles, settings)
    probs = second_stage_oof(articles, first)
    thresholds = np.full(len(TYPES), settings.threshold, dtype=np.float32)
    cal_x, cal_y, table = calibration(articles, probs, thresholds, settings.max_types)
    claims = claims_at(articles, probs, models, settings.threshold, settings.max_types)
    cv = score_claims(articles, sets, claims)
    show(cv, "cross-validated, train split")
    model = fit(articles, settings)
    x, y, _ = second_stage_data(articles, first)
    w, b, mean, scale = second_stage_fit(x, y)
    meta = {
        "settings": settings.__dict__ | {"groups": list(settings.groups)},
        "trained_on": sorted({a.gold_set for a in articles}),
        "articles": len(articles),
        "sentences": sum(len(a.labels) for a in articles),
        "seed": SEED,
        "calibration_table": table,
        "cv": {k: {m: v.get(m) for m in KEYS} for k, v in cv.items()},
    }
    final = DetectorModel(
        **{
            **model.__dict__,
            "calibration_x": cal_x,
            "calibration_y": cal_y,
            "meta": json.dumps(meta),
            "rerank_weights": w.astype(np.float32),
            "rerank_bias": b,
            "rerank_mean": mean.astype(np.float32),
            "rerank_scale": scale.astype(np.float32),
        }
    )
    final.save(args.out)
    print(f"written {args.out} ({args.out.stat().st_size // 1024} KiB); calibration: {table}")


def command_test(args: argparse.Namespace) -> None:
    from claimledger.extract.detector import load_model

    model = load_model(args.model)
    articles, sets = load_articles("test", model.groups)
    lex = load_lexicon()
    claims = {a.article_id: build_claims(a.reading, detect(model, a.reading, lex), lex) for a in articles}
    show(score_claims(articles, sets, claims), "test split (report only)")
    xs = [(c.confidence, c) for a in articles for c in claims[a.article_id]]
    right = correct_claims(articles, claims)
    print("calibration on the test split (confidence bin: claims, share right):")
    for lo in np.arange(0.0, 1.0, 0.1):
        sel = [
            cid in right
            for conf, c in xs
            for cid in [c.claim_id]
            if lo <= conf < lo + 0.1 + (1e-9 if lo >= 0.9 else 0)
        ]
        if sel:
            print(f"  {lo:.1f}-{lo + 0.1:.1f}: {len(sel):4} {sum(sel) / len(sel):.3f}")
    rule_claims = {
        a.article_id: build_claims(a.reading, rule_detector(a.reading, lex), lex) for a in articles
    }
    show(score_claims(articles, sets, rule_claims), "test split, rules alone (report only)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    cv = sub.add_parser("cv")
    cv.add_argument("--groups", default="")
    cv.add_argument("--grid", action="store_true")
    cv.add_argument("--no-dense", action="store_true")
    cv.add_argument("--class-weight", default=None, help="None, balanced, sqrt or powX")
    cv.add_argument("--stacked", action="store_true", help="score the second stage over the first")
    cv.add_argument("--no-grammar-denial", action="store_true")
    cv.add_argument("--c", type=float, action="append")
    cv.add_argument("--max-types", type=int, action="append")
    cv.add_argument("--thresholds", type=float, nargs="+", default=[0.3, 0.4, 0.5])
    f = sub.add_parser("fit")
    f.add_argument("--out", type=Path, default=MODEL_PATH)
    t = sub.add_parser("test")
    t.add_argument("--model", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    {"cv": command_cv, "fit": command_fit, "test": command_test}[args.command](args)


if __name__ == "__main__":
    main()
