"""Dedup: reports that are copies of one text share a story.

Candidates come from MinHash bands (rensa signatures) over word shingles, tuned low so that a short copy
inside a long article is still a candidate; the decision is an exact containment check.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from claimledger.model import Report, content_id

SHINGLE_WORDS = 8
NUM_PERM = 128
NUM_BANDS = 64
SEED = 42
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
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(max(0, len(words) - SHINGLE_WORDS + 1))}


def containment(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@dataclass(frozen=True)
class Fingerprint:
    """What story finding needs of a report: its shingle hashes (sorted, unique) and MinHash.

    Hashes come from rensa's fixed hash, not Python's `hash`, which differs between processes
    (Spark executors compare fingerprints made in different processes)."""

    report_id: str
    hashes: Any  # numpy uint64 array
    signature: Any  # numpy uint32 array of NUM_PERM values


def fingerprints(reports: Sequence[Report], chunk: int = 512) -> list[Fingerprint | None]:
    """One fingerprint per report (None for texts too short to judge), hashed in chunks (the
    shingle strings of 100,000 reports at once took gigabytes)."""
    import numpy as np
    import rensa

    out: list[Fingerprint | None] = [None] * len(reports)
    for first in range(0, len(reports), chunk):
        grams = [sorted(shingles(body_text(r))) for r in reports[first : first + chunk]]
        kept = [i for i, g in enumerate(grams) if len(g) >= MIN_SHINGLES]
        if not kept:
            continue
        hashed = rensa.RMinHash.hash_token_sets([grams[i] for i in kept])
        signatures = rensa.RMinHash.digest_matrix_from_token_hash_sets(hashed, NUM_PERM, SEED).to_rows()
        for i, h, sig in zip(kept, hashed, signatures, strict=True):
            report = reports[first + i]
            out[first + i] = Fingerprint(
                report.report_id, np.unique(np.asarray(h, dtype=np.uint64)), np.asarray(sig, dtype=np.uint32)
            )
    return out


def band_matrix(signatures: Any) -> Any:
    """The LSH band keys of MinHash signatures (rows: reports; 64 bands of 2 rows, one uint64
    each). Reports sharing a band key are candidate copies: a pair with a Jaccard of 0.1 is a
    candidate half the time."""
    import numpy as np

    sig = np.asarray(signatures, dtype=np.uint64).reshape(-1, NUM_PERM)
    rows = NUM_PERM // NUM_BANDS
    assert rows == 2, "band keys pack two 32-bit rows into one 64-bit key"
    return (sig[:, 0::2] << np.uint64(32)) | sig[:, 1::2]


def band_keys(fp: Fingerprint) -> list[tuple[int, int]]:
    """(band, key) of one fingerprint, for joining bands across an archive (Spark)."""
    return [(band, int(key)) for band, key in enumerate(band_matrix(fp.signature)[0])]


def candidate_pairs(prints: Sequence[Fingerprint]) -> set[tuple[str, str]]:
    """Pairs (smaller id first) of fingerprints sharing a band key; vectorised per band, since a
    dictionary of 64 keys per report took 7.5 GB for 100,000 reports."""
    import numpy as np

    if len(prints) < 2:
        return set()
    ids = [fp.report_id for fp in prints]
    keys = band_matrix(np.stack([fp.signature for fp in prints]))
    found: set[tuple[str, str]] = set()
    for band in range(keys.shape[1]):
        order = np.argsort(keys[:, band], kind="stable")
        ranked = keys[order, band]
        same = np.flatnonzero(ranked[1:] == ranked[:-1])
        if same.size == 0:
            continue
        # Runs of equal keys: start where the previous position did not continue a run.
        starts = same[np.r_[True, np.diff(same) > 1]]
        for start in starts:
            end = start + 1
            while end < len(ranked) and ranked[end] == ranked[start]:
                end += 1
            found.update(pairs_of(ids[i] for i in order[start:end]))
    return found


def pairs_of(members: Iterable[str]) -> Iterator[tuple[str, str]]:
    """Every pair of distinct ids, smaller first."""
    ids = sorted(set(members))
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            yield a, b


def verify_pair(a: Fingerprint, b: Fingerprint) -> tuple[str, str, float] | None:
    """The pair, ordered, with its containment when it is high enough to be one story."""
    import numpy as np

    shared = np.intersect1d(a.hashes, b.hashes, assume_unique=True).size
    score = shared / min(a.hashes.size, b.hashes.size)
    if score < MIN_CONTAINMENT:
        return None
    first, second = sorted((a.report_id, b.report_id))
    return first, second, round(float(score), 3)


def story_pairs(reports: Sequence[Report]) -> list[tuple[str, str, float]]:
    """Pairs of report ids that are copies of one text, with their containment.

    The candidates are the reports that share a MinHash band (`band_keys`); each candidate pair
    is then checked exactly. The Spark adapter joins the same band keys across a whole archive.
    """
    prints = [fp for fp in fingerprints(reports) if fp is not None]
    by_id = {fp.report_id: fp for fp in prints}
    pairs = [pair for pair in (verify_pair(by_id[a], by_id[b]) for a, b in candidate_pairs(prints)) if pair]
    return sorted(pairs)


def assign_stories(reports: Sequence[Report]) -> dict[str, str]:
    """report_id -> story_id; a story is named after its earliest-published member."""
    return stories_from_pairs(
        [(r.report_id, r.published) for r in reports], [(a, b) for a, b, _ in story_pairs(reports)]
    )


def stories_from_pairs(
    reports: Sequence[tuple[str, str | None]], pairs: Iterable[tuple[str, str]]
) -> dict[str, str]:
    """report_id -> story_id from (report_id, published) of every report and the copy pairs."""
    published = dict(reports)
    stories = {}
    for members in components([rid for rid, _ in reports], pairs):
        story = story_id([(rid, published[rid]) for rid in members])
        stories.update(dict.fromkeys(members, story))
    return stories


def components(ids: Sequence[str], pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The groups of ids that pairs join (directly or through others), in order of first id.
    Stories join copies with it; incidents join linked claims."""
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find(a)] = find(b)
    groups: dict[str, list[str]] = defaultdict(list)
    for i in ids:
        groups[find(i)].append(i)
    return list(groups.values())


def story_id(members: Sequence[tuple[str, str | None]]) -> str:
    """A story's id: named after its earliest-published member (then the smallest id)."""
    original = min(members, key=lambda m: (m[1] or "9999", m[0]))
    return content_id("s", original[0])
