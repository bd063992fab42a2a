"""How well two annotators agree: a second, blind annotation of gold articles scored as if it
were claimledger's output, with the shared scorer (the first annotation is the gold).

Usage: python training/agreement.py SECOND.json

The second annotation's claims become predicted claims whose evidence is the sentence of
their anchor; every accepted type of a claim is predicted once. Prints the scorer's recall and
precision: the figures a perfect detector of the first annotator's judgement would be held
to, and so an estimate of the ceiling of any detector scored against one annotator.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimledger.model import Attribution, Claim, DateInfo, Span  # noqa: E402
from training import harness  # noqa: E402


def main(path: Path) -> None:
    second = json.loads(path.read_text(encoding="utf-8"))
    articles = harness.articles_of(second)
    gold: dict = {
        "metadata": {},
        "boilerplate": {},
        "claims": [],
        "stories": [],
        "single_source_incidents": [],
        "same_incident": [],
    }
    rows = []
    for name in ("train", "test"):
        for gs in harness.gold_sets(name):
            keep = harness.articles_of(gs.gold) & articles
            gold["metadata"].update({k: v for k, v in gs.gold["metadata"].items() if k in keep})
            gold["claims"] += [c for c in gs.gold["claims"] if c["article"] in keep]
            rows += [r for r in gs.rows if r["id"] in keep]
    reports = harness.reports_of(rows)
    by_key = {(r.path or "").rsplit("#", 1)[-1]: r for r in reports}
    sentence_around = harness._scorer().sentence_around  # noqa: SLF001
    claims = []
    for c in second["claims"]:
        report = by_key[c["article"]]
        at = report.text.find(c["anchor"])
        s, e = sentence_around(report.text, at, at + len(c["anchor"]))
        for t in c["types"]:
            src = " ".join(c.get("sources", []))
            claims.append(
                Claim(
                    claim_id=f"{c['id']}-{t}",
                    report_id=report.report_id,
                    type=t,
                    summary="",
                    evidence=(Span(s, e, report.text[s:e]),),
                    date=DateInfo(),
                    locations=(),
                    actors=(),
                    items=(),
                    attributions=(Attribution(src, "other", None, None, None),) if src else (),
                    modality="asserted",
                    confidence=1.0,
                )
            )
    result = harness.score(gold, reports, claims)
    print(
        {
            k: result[k]
            for k in (
                "reports_matched",
                "claims_predicted",
                "recall",
                "recall_any_type",
                "precision",
                "f1",
                "attribution",
            )
        }
    )
    print(
        f"second annotation: {len(second['claims'])} claims, {sum(c['required'] for c in second['claims'])} required; "
        f"first: {len(gold['claims'])} claims, {sum(c['required'] for c in gold['claims'])} required"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
