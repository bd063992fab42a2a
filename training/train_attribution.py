"""Learn which candidate source is a claim's, choose the setting by cross-validation, report held out.

Usage:
  python training/train_attribution.py cv     # attribution accuracy on the train split, 5-fold CV
  python training/train_attribution.py fit    # write src/claimledger/extract/model/attribution.toml
  python training/train_attribution.py test   # the shipped weights on the test split (report only)

Each claim the packaged detector finds in an annotated article, and that the shared scorer
matches to a gold claim with sources, gives one row per candidate source (its sentence's
speaker, the speakers of the sentences around it, footage, the article's first source),
labelled by whether the gold keywords name it. A logistic regression over the candidates'
features scores them; the best candidate is the claim's source when its score is above zero.
Sources are judged as found, before the redaction of private names (a separate step). The seed
and folds are fixed (training/data/splits.toml).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimledger.extract import build_claims, read_report, source_candidates  # noqa: E402
from claimledger.extract.attribution import SOURCE_WEIGHTS_PATH, SourceCandidate, source_weights  # noqa: E402
from claimledger.extract.detector import trained_detector  # noqa: E402
from claimledger.extract.lexicon import load_lexicon  # noqa: E402
from claimledger.extract.sentences import paragraph_start  # noqa: E402
from training import harness  # noqa: E402

SEED = 13
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)


@dataclass
class Row:
    """One matched claim: its candidates, which of them the gold keywords name, its article."""

    article: str
    fold: int
    candidates: list[SourceCandidate]
    right: list[bool]
    keywords: list[str]


def rows_of(split: str) -> list[Row]:
    scorer = harness._scorer()  # noqa: SLF001 - the shared scorer's own matching rule
    lex = load_lexicon()
    out: list[Row] = []
    for gs in harness.gold_sets(split):
        reports = harness.reports_of(gs.rows)
        gold_of: dict[str, list[dict[str, Any]]] = {}
        for g in gs.gold["claims"]:
            gold_of.setdefault(g["article"], []).append(g)
        for item in harness.analysed(reports):
            key = (item.report.path or "").rsplit("#", 1)[-1]
            text = item.report.text
            spans = []
            for g in gold_of.get(key, []):
                at = text.find(g["anchor"])
                if at >= 0:
                    spans.append((scorer.sentence_around(text, at, at + len(g["anchor"])), g))
            reading = read_report(item.report, item.doc, item.places, lex)
            starts = [s.start for s in reading.sentences]
            for claim in build_claims(reading, trained_detector(reading, lex), lex):
                evidence = [(e.start, e.end) for e in claim.evidence if e.end - e.start <= scorer.MAX_EVIDENCE_CHARS]
                golds = [
                    g
                    for span, g in spans
                    if claim.type in g["types"] and any(scorer.overlaps(span, e) for e in evidence)
                ]
                if not golds:
                    continue
                sourced = [g for g in golds if g.get("sources")]
                if sourced and len(sourced) < len(golds):
                    golds = sourced  # one of its gold claims names a source: judge by that
                index = max(i for i, start in enumerate(starts) if start <= claim.evidence[0].start)
                candidates = source_candidates(reading, index, paragraph_start(text, reading.sentences[index].start))
                right = [
                    any(
                        scorer.sources_ok(
                            g.get("sources") or [], [{"source": a.source, "kind": a.kind, "channel": a.channel}]
                        )
                        for g in golds
                    )
                    for a in (c.attribution for c in candidates)
                ]
                keywords = sorted({k for g in golds for k in g.get("sources") or []})
                out.append(Row(key, harness.fold_of(key), candidates, right, keywords))
    return out


def rule_choice(row: Row) -> int:
    """The earlier hand rule: the sentence's own speaker, else one of the two sentences before it
    in its paragraph (an unquoted sentence only), else footage."""
    for i, c in enumerate(row.candidates):
        if c.origin == "own":
            return i
    for i, c in enumerate(row.candidates):
        f = c.features
        near = c.origin == "before" and f["before_distance"] <= 0.5 and not f.get("before_other_paragraph")
        if near and not f.get("before_quoted"):
            return i
    return next((i for i, c in enumerate(row.candidates) if c.origin == "footage"), -1)


def fit_weights(rows: list[Row], c: float) -> dict[str, float]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    xs = [cand.features for row in rows for cand in row.candidates]
    ys = [int(r) for row in rows for r in row.right]
    vec = DictVectorizer()
    x = vec.fit_transform(xs)
    model = LogisticRegression(C=c, max_iter=2000, random_state=SEED)
    model.fit(x, ys)
    weights = {name: round(float(w), 4) for name, w in zip(vec.get_feature_names_out(), model.coef_[0], strict=True)}
    weights["bias"] = round(float(model.intercept_[0]), 4)
    return weights


def scores_of(row: Row, weights: dict[str, float]) -> list[float]:
    bias = weights.get("bias", 0.0)
    return [bias + sum(weights.get(k, 0.0) * v for k, v in c.features.items()) for c in row.candidates]


def choice(scores: list[float], threshold: float) -> int:
    if not scores:
        return -1
    best = max(range(len(scores)), key=lambda i: scores[i])
    return best if scores[best] > threshold else -1


def accuracy(rows: list[Row], picks: list[int]) -> float:
    """Share right of the claims whose gold names a source (the scorer's attribution figure)."""
    pairs = [(row, p) for row, p in zip(rows, picks, strict=True) if row.keywords]
    return sum(p >= 0 and row.right[p] for row, p in pairs) / max(1, len(pairs))


def honesty(rows: list[Row], picks: list[int]) -> float:
    """Share of the claims whose gold names no source that are given none either."""
    pairs = [(row, p) for row, p in zip(rows, picks, strict=True) if not row.keywords]
    return sum(p < 0 for _, p in pairs) / max(1, len(pairs))


def overall(rows: list[Row], picks: list[int]) -> float:
    """Right source where gold names one, no source where it names none."""
    good = sum((p >= 0 and row.right[p]) if row.keywords else p < 0 for row, p in zip(rows, picks, strict=True))
    return good / max(1, len(rows))


def cross_validated(rows: list[Row], c: float) -> list[list[float]]:
    """Every row's candidate scores from weights fitted on the other folds (on sourced rows)."""
    scores: list[list[float]] = [[] for _ in rows]
    for fold in sorted({r.fold for r in rows}):
        weights = fit_weights([r for r in rows if r.fold != fold and r.keywords], c)
        for i, row in enumerate(rows):
            if row.fold == fold:
                scores[i] = scores_of(row, weights)
    return scores


THRESHOLDS = (-99.0, -2.0, -1.5, -1.0, -0.5, 0.0)


def report(rows: list[Row], picks: list[int], title: str) -> None:
    origins = Counter(rows[i].candidates[p].origin if p >= 0 else "none" for i, p in enumerate(picks) if rows[i].keywords)
    print(
        f"  {title}: attribution {accuracy(rows, picks):.3f}, none where gold has none {honesty(rows, picks):.3f},"
        f" overall {overall(rows, picks):.3f}  (chosen: {dict(origins)})"
    )


def command_cv(_: argparse.Namespace) -> None:
    rows = rows_of("train")
    sourced = [r for r in rows if r.keywords]
    print(f"{len(rows)} matched claims, {len(sourced)} with gold sources, {sum(len(r.candidates) for r in rows)} candidates")
    print(f"  oracle (some candidate right): {sum(any(r.right) for r in sourced) / len(sourced):.3f}")
    report(rows, [rule_choice(r) for r in rows], "hand rule")
    for c in C_GRID:
        scores = cross_validated(rows, c)
        for threshold in THRESHOLDS:
            report(rows, [choice(s, threshold) for s in scores], f"learned C={c} threshold={threshold} (5-fold CV)")


def command_fit(args: argparse.Namespace) -> None:
    rows = rows_of("train")
    # The most right sources, among settings that leave at least as many source-less claims
    # without a source as the hand rule did (a wrong source misleads more than none).
    rule = [rule_choice(r) for r in rows]
    floor = honesty(rows, rule)
    scores, kept = {}, {}
    for c in C_GRID:
        cv = cross_validated(rows, c)
        for threshold in THRESHOLDS:
            picks = [choice(s, threshold) for s in cv]
            scores[(c, threshold)] = accuracy(rows, picks)
            kept[(c, threshold)] = honesty(rows, picks)
    allowed = [k for k in scores if kept[k] >= floor] or list(scores)
    best_c, best_t = max(allowed, key=lambda k: (round(scores[k], 3), -k[0], k[1]))
    weights = fit_weights([r for r in rows if r.keywords], best_c)
    weights["threshold"] = best_t
    lines = [
        "# Weights of the claim-source chooser (extract/attribution.py: choose_source), written by",
        "# training/train_attribution.py fit on the train split; do not edit by hand.",
        f"# {len(rows)} matched claims; chosen by cross-validated attribution among settings that give no",
        f"# source to at least {floor:.3f} of the claims whose gold names none (the hand rule's share):",
        f"# C={best_c}, threshold={best_t}: attribution {scores[(best_c, best_t)]:.3f}, none-where-none"
        f" {kept[(best_c, best_t)]:.3f}; {dt.date.today().isoformat()}.",
        "[weights]",
        *(f'"{k}" = {v}' for k, v in sorted(weights.items())),
    ]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written {args.out}: C={best_c} threshold={best_t}, CV attribution {scores[(best_c, best_t)]:.3f}")


def command_test(_: argparse.Namespace) -> None:
    rows = rows_of("test")
    weights = source_weights()
    sourced = [r for r in rows if r.keywords]
    print(f"test split, {len(rows)} matched claims, {len(sourced)} with gold sources (report only)")
    print(f"  oracle: {sum(any(r.right) for r in sourced) / len(sourced):.3f}")
    report(rows, [rule_choice(r) for r in rows], "hand rule")
    threshold = weights.get("threshold", 0.0)
    report(rows, [choice(scores_of(r, weights), threshold) for r in rows], "learned (shipped weights)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("cv")
    f = sub.add_parser("fit")
    f.add_argument("--out", type=Path, default=SOURCE_WEIGHTS_PATH)
    sub.add_parser("test")
    args = parser.parse_args()
    {"cv": command_cv, "fit": command_fit, "test": command_test}[args.command](args)


if __name__ == "__main__":
    main()
