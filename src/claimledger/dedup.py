"""Dedup: reports that are copies of one text share a story.

Candidates come from MinHash LSH (rensa) over word shingles, tuned low so that a short copy
inside a long article is still a candidate; the decision is an exact containment check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from claimledger.model import Report, content_id

SHINGLE_WORDS = 8
NUM_PERM = 128
NUM_BANDS = 64
# Share of the shorter text's shingles that must appear in the longer one. Wire copies and
# trimmed rewrites sit above it; an article quoting a few wire paragraphs sits below.
MIN_CONTAINMENT = 0.6
MIN_SHINGLES = 5

_WORDS = re.compile(r"\w+")


def body_text(report: Report) -> str:
    """The report's text without its boilerplate (captions and links differ between copies)."""
    pieces, at = [], 0
    for start, end in report.boilerplate:
        pieces.append(report.text[at:start])
        at = end
    pieces.append(report.text[at:])
    return " ".join(pieces)


def shingles(text: str) -> set[str]:
    words = _WORDS.findall(text.lower())
    return {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(max(0, len(words) - SHINGLE_WORDS + 1))}


def containment(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def story_pairs(reports: Sequence[Report]) -> list[tuple[str, str, float]]:
    """Pairs of report ids that are copies of one text, with their containment.

    Shingle sets are kept as sorted arrays of 64-bit hashes (a few KB per report), so archives
    of 100,000 reports fit in memory; MinHash signatures come from rensa.
    """
    import numpy as np
    import rensa

    hashed: dict[str, Any] = {}
    ids: list[str] = []
    lsh = rensa.RMinHashLSH(threshold=0.1, num_perm=NUM_PERM, num_bands=NUM_BANDS)
    signatures = []
    for report in reports:
        grams = shingles(body_text(report))
        if len(grams) < MIN_SHINGLES:
            continue
        mh = rensa.RMinHash(num_perm=NUM_PERM, seed=42)
        mh.update(sorted(grams))
        lsh.insert(len(ids), mh)
        signatures.append(mh)
        ids.append(report.report_id)
        hashed[report.report_id] = np.unique(np.fromiter((hash(g) for g in grams), dtype=np.int64, count=len(grams)))
    pairs = []
    for number, rid in enumerate(ids):
        for other in lsh.query(signatures[number]):
            if other <= number:
                continue
            a, b = hashed[rid], hashed[ids[other]]
            shared = np.intersect1d(a, b, assume_unique=True).size
            score = shared / min(a.size, b.size)
            if score >= MIN_CONTAINMENT:
                pairs.append((rid, ids[other], round(float(score), 3)))
    return pairs


def assign_stories(reports: Sequence[Report]) -> dict[str, str]:
    """report_id -> story_id; a story is named after its earliest-published member."""
    parent = {r.report_id: r.report_id for r in reports}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, _ in story_pairs(reports):
        parent[find(a)] = find(b)
    groups: dict[str, list[Report]] = {}
    for report in reports:
        groups.setdefault(find(report.report_id), []).append(report)
    stories = {}
    for members in groups.values():
        original = min(members, key=lambda r: (r.published or "9999", r.report_id))
        story_id = content_id("s", original.report_id)
        for member in members:
            stories[member.report_id] = story_id
    return stories
