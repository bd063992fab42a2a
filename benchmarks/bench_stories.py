"""Benchmark: stories over synthetic reports with planted copies (issue 4).

Usage: python benchmarks/bench_stories.py [N]   (default 100000)

Originals are corpus articles with a quarter of their words replaced at random, so that
two originals from one article are not copies of each other; copies are originals with
light edits (truncation, an inserted sentence, a few changed words). Reports pairwise
precision and recall of the planted copies and the wall time of `dedup.story_pairs`.
"""

from __future__ import annotations

import json
import random
import resource
import sys
import time
from pathlib import Path

from claimledger.dedup import story_pairs
from claimledger.model import Report

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "articles.jsonl"
EXAMPLES = ROOT / "src" / "claimledger" / "examples" / "reports"


def base_texts() -> list[str]:
    if CORPUS.exists():
        return [json.loads(line)["text"] for line in CORPUS.open(encoding="utf-8")]
    return [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt"))]


def synthesise(n: int, seed: int = 7) -> tuple[list[Report], set[frozenset[str]]]:
    rng = random.Random(seed)
    texts = base_texts()
    vocabulary = sorted({w for t in texts for w in t.split()})
    reports: list[Report] = []
    groups: list[list[str]] = []
    while len(reports) < n:
        words = rng.choice(texts).split()[:400]
        original = [rng.choice(vocabulary) if rng.random() < 0.25 else w for w in words]
        rid = f"r{len(reports)}"
        reports.append(Report(rid, rid, None, None, None, None, None, "en", " ".join(original)))
        group = [rid]
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            if len(reports) >= n:
                break
            copy = original[: int(len(original) * rng.uniform(0.7, 1.0))]
            copy = [rng.choice(vocabulary) if rng.random() < 0.01 else w for w in copy]
            at = rng.randrange(len(copy) + 1)
            copy[at:at] = rng.choice(texts).split()[:25]
            cid = f"r{len(reports)}"
            reports.append(Report(cid, cid, None, None, None, None, None, "en", " ".join(copy)))
            group.append(cid)
        groups.append(group)
    planted = {frozenset((a, b)) for g in groups for i, a in enumerate(g) for b in g[i + 1 :]}
    return reports, planted


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    reports, planted = synthesise(n)
    start = time.perf_counter()
    found = {frozenset((a, b)) for a, b, _ in story_pairs(reports)}
    seconds = time.perf_counter() - start
    hits = len(found & planted)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(planted) if planted else 1.0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{n} reports, {len(planted)} planted copy pairs: {seconds:.1f} s, precision {precision:.4f}, recall {recall:.4f}, peak RSS {rss:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
