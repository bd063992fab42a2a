"""Benchmark: stories on the shared corpus against the pairs listed in ../shared/corpus/SOURCES.md.

Usage: python benchmarks/bench_corpus_stories.py EXPORTS_FOLDER
(EXPORTS_FOLDER holds reports.jsonl exported from a ledger of shared/corpus/articles.jsonl,
for example the quality gate's `python gates/check_quality.py --out /tmp/gate`.)

Listed syndicated pairs must share a story; "shared paragraphs only" pairs must not; any other
pair of reports in one story is counted as a false pair. Prints pairwise precision and recall.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from pathlib import Path

SOURCES = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "SOURCES.md"


def listed_pairs(text: str) -> tuple[set[frozenset[str]], set[frozenset[str]]]:
    """(syndicated pairs, shared-paragraph pairs) from the SOURCES.md tables."""
    same, apart = set(), set()
    section = None
    for line in text.splitlines():
        if line.startswith("## Known syndicated"):
            section = same
        elif line.startswith("### Shared paragraphs only"):
            section = apart
        elif line.startswith("## ") and section is not None and not line.startswith("## Known syndicated"):
            section = None
        ids = re.findall(r"`([^`]+)`", line)
        if section is not None and line.startswith("|") and len(ids) >= 2:
            section.add(frozenset(ids[:2]))
    return same, apart


def main() -> int:
    if len(sys.argv) != 2 or not SOURCES.exists():
        print(__doc__)
        return 2
    same, apart = listed_pairs(SOURCES.read_text(encoding="utf-8"))
    story_of: dict[str, str] = {}
    for line in (Path(sys.argv[1]) / "reports.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        path = (record.get("origin") or {}).get("path") or ""
        if "#" in path:
            story_of[path.rsplit("#", 1)[1]] = record["story_id"]
    members: dict[str, list[str]] = {}
    for article, story in story_of.items():
        members.setdefault(story, []).append(article)
    predicted = {frozenset(p) for group in members.values() for p in itertools.combinations(sorted(group), 2)}
    # Pairs implied by the list: the transitive closure of the listed syndicated pairs.
    groups: list[set[str]] = []
    for pair in same:
        joined = [g for g in groups if g & pair]
        merged = set(pair).union(*joined)
        groups = [g for g in groups if g not in joined] + [merged]
    expected = {frozenset(p) for g in groups for p in itertools.combinations(sorted(g), 2)}
    found = expected & predicted
    listed_found = sum(p in predicted for p in same)
    apart_joined = sum(p in predicted for p in apart)
    precision = len(found) / len(predicted) if predicted else 1.0
    recall = len(found) / len(expected) if expected else 1.0
    print(
        json.dumps(
            {
                "listed_pairs": len(same),
                "listed_pairs_in_one_story": listed_found,
                "shared_paragraph_pairs_joined": apart_joined,
                "multi_report_stories": sum(len(g) > 1 for g in members.values()),
                "implied_pairs": len(expected),
                "predicted_pairs": len(predicted),
                "pairwise_precision": round(precision, 3),
                "pairwise_recall": round(recall, 3),
                "false_pairs": sorted(sorted(p) for p in predicted - expected)[:10],
            }
        )
    )
    return 0 if listed_found == len(same) and apart_joined == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
