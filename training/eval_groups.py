"""Score claimledger's incident grouping on the annotated cross-report groups (issue 21).

Usage: python training/eval_groups.py [--split tune|test|both] [--jobs N] [--json]

Each group's articles (read from `../shared/corpus/pool.jsonl.gz`, checked against the stored
hashes) go through `claimledger run` (ingest, process, export) into a temporary SQLite ledger
of their own, and the exported claims, incidents and reports are compared with the
group's gold. A found claim matches a gold claim as `../shared/eval/score.py` matches them:
one of the gold's types, and an evidence span (<= 600 characters) overlapping the sentence that
holds the gold anchor. Printed per half of `[groups]` in training/data/splits.toml:

- same-incident precision and recall over pairs of gold claims that were both found (a pair
  is predicted "same" when claims matching them share an incident), over all pairs and over
  pairs from different reports;
- the share of gold incidents, among those with a found claim, whose independent-source count
  is exact (the incident holding most of their found claims is the one compared);
- story-pair precision and recall: a pair annotated `copy` or `wire_version` should share a
  story, an `independent` pair should not.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from itertools import combinations
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from training import harness  # noqa: E402
from training.annotations import rebuilt  # noqa: E402

MAX_EVIDENCE_CHARS = 600
STORY_RELATIONS = ("copy", "wire_version")


def in_test(group: str) -> bool:
    config = harness.splits()["groups"]
    return harness.bucket(group, slice(0, 8), config["modulo"]) in config["test_buckets"]


def load_groups() -> list[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]]:
    """(group, its gold claims, its corpus rows) for every stored group."""
    rows = harness._corpus_rows(harness.SHARED / "corpus" / "pool.jsonl.gz")  # noqa: SLF001
    texts = {k: r["text"] for k, r in rows.items()}
    out = []
    for path in sorted(harness.ANNOTATIONS.glob("groups-*.json")):
        gold = rebuilt(json.loads(path.read_text(encoding="utf-8")), texts)
        for group in gold["groups"]:
            members = set(group["articles"])
            claims = [c for c in gold["claims"] if c["article"] in members]
            out.append((group, claims, [rows[a] for a in group["articles"]]))
    return out


def run_ledger(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Exported reports, claims and incidents of a fresh ledger holding `rows`: one
    `claimledger run` (ingest, process, export) into a temporary SQLite file."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "articles.jsonl"
        with source.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        db = f"sqlite:///{folder / 'ledger.db'}"
        exports = folder / "exports"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "claimledger.cli",
                "run",
                str(source),
                "--db",
                db,
                "--exports",
                str(exports),
            ],
            check=True,
            capture_output=True,
        )
        return {
            kind: [
                json.loads(line)
                for line in (exports / f"{kind}.jsonl").read_text(encoding="utf-8").splitlines()
                if line.strip()
            ]
            for kind in ("reports", "claims", "incidents")
        }


def score_group(
    group: dict[str, Any], gold: list[dict[str, Any]], exported: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    scorer = harness._scorer()  # noqa: SLF001
    keys = set(group["articles"])
    by_key = {}
    for report in exported["reports"]:
        key = scorer.report_key(report, keys)
        if key:
            by_key[key] = report
    key_of = {r["report_id"]: k for k, r in by_key.items()}
    incidents_of: dict[str, set[str]] = {}
    for inc in exported["incidents"]:
        for cid in inc.get("claim_ids", []):
            incidents_of.setdefault(cid, set()).add(inc["incident_id"])
    incident_by_id = {inc["incident_id"]: inc for inc in exported["incidents"]}
    found: dict[str, list[dict[str, Any]]] = {}
    for g in gold:
        report = by_key.get(g["article"])
        if report is None:
            continue
        at = report["text"].find(g["anchor"])
        if at < 0:
            continue
        span = scorer.sentence_around(report["text"], at, at + len(g["anchor"]))
        hits = [
            c
            for c in exported["claims"]
            if key_of.get(c["report_id"]) == g["article"]
            and c.get("type") in g["types"]
            and any(
                scorer.overlaps(span, (e["start"], e["end"]))
                for e in c.get("evidence", [])
                if e["end"] - e["start"] <= MAX_EVIDENCE_CHARS
            )
        ]
        if hits:
            found[g["id"]] = hits
    pairs = Counter()
    by_id = {g["id"]: g for g in gold}
    for a, b in combinations(sorted(found), 2):
        same_gold = by_id[a]["incident"] == by_id[b]["incident"]
        inc_a = set().union(*(incidents_of.get(c["claim_id"], set()) for c in found[a]))
        inc_b = set().union(*(incidents_of.get(c["claim_id"], set()) for c in found[b]))
        same_pred = bool(inc_a & inc_b)
        cross = by_id[a]["article"] != by_id[b]["article"]
        for scope in ("all", "cross") if cross else ("all",):
            pairs[(scope, "tp")] += same_gold and same_pred
            pairs[(scope, "pred")] += same_pred
            pairs[(scope, "gold")] += same_gold
    counts = Counter()
    misses = []
    for inc in group["incidents"]:
        claims = [g["id"] for g in gold if g["incident"] == inc["id"] and g["id"] in found]
        if not claims:
            continue
        holders = Counter(
            i for gid in claims for c in found[gid] for i in incidents_of.get(c["claim_id"], set())
        )
        counts["incidents"] += 1
        if holders:
            predicted = incident_by_id[holders.most_common(1)[0][0]]["independent_source_count"]
            exact = predicted == inc["independent_sources"]
            counts["exact"] += exact
            if not exact:
                misses.append(f"{inc['id']}: {predicted} for {inc['independent_sources']}")
    story = {k: r.get("story_id") for k, r in by_key.items()}
    for rel in group["relations"]:
        a, b = rel["articles"]
        if a not in story or b not in story:
            continue
        gold_same = rel["relation"] in STORY_RELATIONS
        pred_same = story[a] == story[b]
        counts["story_tp"] += gold_same and pred_same
        counts["story_pred"] += pred_same
        counts["story_gold"] += gold_same
    return {
        "group": group["id"],
        "found": f"{len(found)}/{len(gold)}",
        "pairs": {f"{s}_{k}": v for (s, k), v in pairs.items()},
        "counts": dict(counts),
        "source_count_misses": misses,
    }


def ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    total: Counter = Counter()
    for r in results:
        total.update(r["pairs"])
        total.update(r["counts"])
    found = [tuple(map(int, r["found"].split("/"))) for r in results]
    return {
        "groups": len(results),
        "gold_claims_found": f"{sum(f for f, _ in found)}/{sum(n for _, n in found)}",
        "same_incident_precision": ratio(total["all_tp"], total["all_pred"]),
        "same_incident_recall": ratio(total["all_tp"], total["all_gold"]),
        "cross_report_precision": ratio(total["cross_tp"], total["cross_pred"]),
        "cross_report_recall": ratio(total["cross_tp"], total["cross_gold"]),
        "same_pairs": f"tp {total['all_tp']}, predicted {total['all_pred']}, gold {total['all_gold']}",
        "source_count_exact": ratio(total["exact"], total["incidents"]),
        "source_count_incidents": total["incidents"],
        "story_precision": ratio(total["story_tp"], total["story_pred"]),
        "story_recall": ratio(total["story_tp"], total["story_gold"]),
        "story_pairs": f"tp {total['story_tp']}, predicted {total['story_pred']}, gold {total['story_gold']}",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=("tune", "test", "both"), default="both")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    groups = load_groups()
    if args.split != "both":
        groups = [g for g in groups if in_test(g[0]["id"]) == (args.split == "test")]

    def one(group: tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]) -> dict[str, Any]:
        out = run_ledger(group[2])
        print(f"processed {group[0]['id']}", file=sys.stderr, flush=True)
        return out

    with ThreadPoolExecutor(args.jobs) as pool:
        exported = list(pool.map(one, groups))
    results = [score_group(g, gold, out) for (g, gold, _), out in zip(groups, exported, strict=True)]
    report = {}
    for half in ("tune", "test"):
        members = [r for r in results if in_test(r["group"]) == (half == "test")]
        if members:
            report[half] = summary(members)
    if args.json:
        print(json.dumps({"summary": report, "groups": results}, indent=1))
        return
    for r in results:
        print(
            f"{r['group']} ({'test' if in_test(r['group']) else 'tune'}): found {r['found']}, {r['pairs']}, {r['counts']}"
        )
        for miss in r["source_count_misses"]:
            print(f"    independent sources {miss}")
    for half, figures in report.items():
        print(f"== {half}")
        for k, v in figures.items():
            print(f"  {k}: {v}")


if __name__ == "__main__":
    main()
