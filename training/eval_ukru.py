"""The Ukrainian and Russian gold scored on its tune and test halves (issue 23).

    python -m training.eval_ukru [--split tune|test|all] [--json]

Runs the whole extraction (the pipeline's `analyse_reports`: parse, places, claims) on the items
of `../shared/corpus/ukru-dev.jsonl`, exports them as `export claims` does and scores each half
of `training/data/splits.toml` [ukru], per language and together, with `../shared/eval/score.py`.
Rules and words are chosen on `tune`; `test` is only reported.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from training.harness import SHARED, corpus_rows, reports_of, score, splits, subset

KEYS = ("recall", "precision", "place_strict", "date", "attribution", "claims_predicted")


def figures(split: str) -> dict[str, dict[str, Any]]:
    """Scores of one split ("tune", "test" or "all"): per language and together."""
    from claimledger.pipeline import analyse_reports

    config = splits()["ukru"]
    gold = json.loads((SHARED / "eval" / config["gold"]).read_text(encoding="utf-8"))
    rows = corpus_rows(SHARED / "corpus" / config["corpus"])
    ids = sorted(config["tune"] + config["test"]) if split == "all" else sorted(config[split])
    reports = reports_of([rows[i] for i in ids])
    claims = {r.report_id: c for r, c in analyse_reports(reports, processes=1)}
    out: dict[str, dict[str, Any]] = {}
    for language in ("uk", "ru", "all"):
        keep = {i for i in ids if language == "all" or rows[i].get("language") == language}
        chosen = [r for r in reports if (r.path or "").rsplit("#", 1)[-1] in keep]
        chosen_ids = {r.report_id for r in chosen}
        result = score(
            subset(gold, keep),
            chosen,
            [c for rid, cs in claims.items() if rid in chosen_ids for c in cs],
        )
        out[language] = {k: result[k] for k in KEYS} | {"missed": len(result["missed_required"])}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", default="both", choices=["tune", "test", "all", "both"])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    names = ["tune", "test"] if args.split == "both" else [args.split]
    results = {name: figures(name) for name in names}
    if args.json:
        print(json.dumps(results))
        return 0
    for name, by_language in results.items():
        for language, row in by_language.items():
            cells = "  ".join(f"{k}={row[k]}" for k in (*KEYS, "missed"))
            print(f"{name:<5} {language:<3} {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
