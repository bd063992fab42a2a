"""Learn which candidate date is a claim's, choose the setting by cross-validation, report held out.

Usage:
  python training/train_dates.py cv     # date accuracy on the train split, 5-fold CV over articles
  python training/train_dates.py fit    # write src/claimledger/extract/model/dates.toml
  python training/train_dates.py test   # the shipped weights on the test split (report only)

Each claim the packaged detector finds in an annotated article, and that the shared scorer
matches to a gold claim with a date, gives one row per candidate date (its sentence's date
expressions, the paragraph's last date, the article's first day, the report's date), labelled
by whether the scorer would count it right. A logistic regression over the candidates'
features scores them; the best-scoring candidate is the claim's date. The seed and folds are
fixed (training/data/splits.toml).
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

from claimledger.extract import dated_claims, read_report  # noqa: E402
from claimledger.extract.dates import DATE_WEIGHTS_PATH, DateCandidate  # noqa: E402
from claimledger.extract.detector import trained_detector  # noqa: E402
from claimledger.extract.lexicon import load_lexicon  # noqa: E402
from training import harness  # noqa: E402

SEED = 13
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)


@dataclass
class Row:
    """One matched claim: its candidates, which of them the scorer counts right, its article."""

    article: str
    fold: int
    candidates: list[DateCandidate]
    right: list[bool]
    gold_dates: list[dict[str, str]]


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
                if at >= 0 and g.get("date"):
                    spans.append((scorer.sentence_around(text, at, at + len(g["anchor"])), g))
            reading = read_report(item.report, item.doc, item.places, lex)
            for claim, candidates in dated_claims(reading, trained_detector(reading, lex), lex):
                evidence = [
                    (e.start, e.end) for e in claim.evidence if e.end - e.start <= scorer.MAX_EVIDENCE_CHARS
                ]
                golds = [
                    g
                    for span, g in spans
                    if claim.type in g["types"] and any(scorer.overlaps(span, e) for e in evidence)
                ]
                if not golds or not candidates:
                    continue
                right = [
                    any(scorer.date_ok(g["date"], {"start": c.date.start, "end": c.date.end}) for g in golds)
                    for c in candidates
                ]
                out.append(Row(key, harness.fold_of(key), candidates, right, [g["date"] for g in golds]))
    return out


def rule_choice(candidates: list[DateCandidate]) -> int:
    """The earlier hand rule: the sentence's own day nearest the trigger, else its nearest
    expression, else the paragraph's last date; never the report's date."""
    own = [i for i, c in enumerate(candidates) if c.origin == "own"]
    if own:
        return min(
            own, key=lambda i: (candidates[i].date.precision != "day", candidates[i].features["own_distance"])
        )
    carried = [i for i, c in enumerate(candidates) if c.origin == "carried"]
    return carried[0] if carried else -1


def fit_weights(rows: list[Row], c: float) -> dict[str, float]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    xs = [cand.features for row in rows for cand in row.candidates]
    ys = [int(r) for row in rows for r in row.right]
    vec = DictVectorizer()
    x = vec.fit_transform(xs)
    model = LogisticRegression(C=c, max_iter=2000, random_state=SEED)
    model.fit(x, ys)
    return {
        name: round(float(w), 4) for name, w in zip(vec.get_feature_names_out(), model.coef_[0], strict=True)
    }


def choice(row: Row, weights: dict[str, float]) -> int:
    scores = [sum(weights.get(k, 0.0) * v for k, v in c.features.items()) for c in row.candidates]
    return max(range(len(scores)), key=lambda i: scores[i])


def accuracy(rows: list[Row], picks: list[int]) -> float:
    return sum(p >= 0 and row.right[p] for row, p in zip(rows, picks, strict=True)) / max(1, len(rows))


def cross_validated(rows: list[Row], c: float) -> list[int]:
    picks = [0] * len(rows)
    for fold in sorted({r.fold for r in rows}):
        weights = fit_weights([r for r in rows if r.fold != fold], c)
        for i, row in enumerate(rows):
            if row.fold == fold:
                picks[i] = choice(row, weights)
    return picks


def report(rows: list[Row], picks: list[int], title: str) -> None:
    origins = Counter(rows[i].candidates[p].origin for i, p in enumerate(picks) if p >= 0)
    print(f"  {title}: {accuracy(rows, picks):.3f}  (chosen: {dict(origins)})")


def command_cv(_: argparse.Namespace) -> None:
    rows = rows_of("train")
    print(f"{len(rows)} matched claims with a gold date, {sum(len(r.candidates) for r in rows)} candidates")
    print(f"  oracle (some candidate right): {sum(any(r.right) for r in rows) / len(rows):.3f}")
    report(rows, [rule_choice(r.candidates) for r in rows], "hand rule")
    for c in C_GRID:
        report(rows, cross_validated(rows, c), f"learned C={c} (5-fold CV)")


def command_fit(args: argparse.Namespace) -> None:
    rows = rows_of("train")
    scores = {c: accuracy(rows, cross_validated(rows, c)) for c in C_GRID}
    best = max(C_GRID, key=lambda c: (round(scores[c], 3), -c))
    weights = fit_weights(rows, best)
    lines = [
        "# Weights of the claim-date chooser (extract/dates.py: choose_date), written by",
        "# training/train_dates.py fit on the train split; do not edit by hand.",
        f"# {len(rows)} matched claims; cross-validated accuracy by C: "
        + ", ".join(f"{c}: {scores[c]:.3f}" for c in C_GRID)
        + f"; chosen C={best}; {dt.date.today().isoformat()}.",
        "[weights]",
        *(f'"{k}" = {v}' for k, v in sorted(weights.items())),
    ]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written {args.out}: C={best}, CV {scores[best]:.3f}")


def command_test(_: argparse.Namespace) -> None:
    from claimledger.extract.dates import date_weights

    rows = rows_of("test")
    weights = date_weights()
    print(f"test split, {len(rows)} matched claims with a gold date (report only)")
    print(f"  oracle: {sum(any(r.right) for r in rows) / len(rows):.3f}")
    report(rows, [rule_choice(r.candidates) for r in rows], "hand rule")
    report(rows, [choice(r, weights) for r in rows], "learned (shipped weights)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("cv")
    f = sub.add_parser("fit")
    f.add_argument("--out", type=Path, default=DATE_WEIGHTS_PATH)
    sub.add_parser("test")
    args = parser.parse_args()
    {"cv": command_cv, "fit": command_fit, "test": command_test}[args.command](args)


if __name__ == "__main__":
    main()
