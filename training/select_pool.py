"""Choose the pool articles to annotate, spread over outlets, months and claim types.

Usage: python training/select_pool.py [--shared ../shared] [--out training/data/pool-selection.csv]

Deterministic (seeded). Writes only article ids and why each was chosen; the texts stay in
`../shared/corpus/pool.jsonl.gz`. Excluded: articles that copy (>= 20% of 8-word shingles) a
gold article of `../shared` or another chosen article, and articles under 600 or over 8,000
characters (an annotator reads every sentence of an exhaustively annotated article).

The searches for rare types are regular expressions over the text; they choose what is read,
never what is annotated: the annotators read the whole article by the guidelines.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import re
import zlib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261203
MIN_CHARS, MAX_CHARS = 600, 8000
COPY_SHARE = 0.2

# Searches for articles likely to hold a claim of a rare type (lower-cased text).
RARE = {
    "vehicle_theft": r"\b(?:stole|stolen|steal\w*|seiz\w*|commandeer\w*|hijack\w*|took)\b[^.]{0,60}\b(?:cars?|vehicles?|tractors?|trucks?|vans?|harvesters?)\b",
    "loot_trade": r"\bloot\w*\b[\s\S]{0,200}\b(?:parcels?|post office|cdek|sold|selling|market|shipped|sent home|mailed|trucked|belarus)\b|stolen (?:grain|wheat|goods)|(?:grain|wheat)[^.]{0,80}(?:stolen|stole|steal|loot)",
    "sexual_violence": r"\brap(?:e|ed|es|ing|ist)\b|sexual (?:violence|assault|abuse)",
    "mine_laying": r"\bbooby[- ]trap\w*|\btrip ?wires?\b|\b(?:laid|planted|laying|scatter\w*) (?:anti-\w+ )?mines\b|\bmined (?:the|homes|fields|roads|bodies)",
    "desertion": r"\bdesert(?:ed|ers?|ion|ing)\b|refus\w+ to (?:fight|serve|go)|draft (?:dodg|evad)\w*|fled (?:the )?(?:mobili[sz]ation|draft|conscription)|\bmutin\w*|abandon\w* (?:their )?(?:tanks?|equipment|vehicles|positions)",
    "abduction": r"\babduct\w*|\bkidnap\w*|\bdeport\w*|forcibly (?:removed|taken|transferred|deported)|\bfiltration\b",
    "property_destruction": r"\b(?:burn(?:ed|t) (?:down )?(?:homes|houses|villages)|torched|set fire to|vandali[sz]\w*|arson)\b",
    "looting": r"\bloot\w*|\bplunder\w*|\bransack\w*",
    "arrest": r"\b(?:arrested|detained|detention)\b",
    "protest": r"\bprotest(?:ers|ed|s)?\b|\bdemonstrat(?:ors|ion|ions)\b|\brall(?:y|ies)\b",
}
PER_RARE = {
    "vehicle_theft": 18,
    "loot_trade": 18,
    "sexual_violence": 16,
    "mine_laying": 16,
    "desertion": 18,
    "abduction": 16,
    "property_destruction": 12,
    "looting": 10,
    "arrest": 8,
    "protest": 8,
}
SPREAD = 112  # chosen at random over outlet x month among 2022 articles about the war
NEGATIVES = 16  # articles from before the war or off its events: "no claim" examples


def shingles(text: str) -> set[int]:
    words = re.findall(r"\w+", text.lower())
    return {zlib.crc32(" ".join(words[i : i + 8]).encode()) for i in range(max(0, len(words) - 7))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=ROOT / "training" / "data" / "pool-selection.csv")
    args = parser.parse_args()
    rng = random.Random(SEED)
    corpus = args.shared / "corpus"
    with gzip.open(corpus / "pool.jsonl.gz", "rt", encoding="utf-8") as handle:
        pool = [json.loads(line) for line in handle]
    gold_texts = [
        json.loads(line)["text"]
        for name in ("train.jsonl", "articles.jsonl")
        for line in (corpus / name).read_text(encoding="utf-8").splitlines()
    ]
    index: dict[int, set[int]] = defaultdict(set)
    sizes: list[int] = []

    def copies(sh: set[int]) -> bool:
        counts: dict[int, int] = defaultdict(int)
        for s in sh:
            for i in index.get(s, ()):
                counts[i] += 1
        return any(n / max(1, min(len(sh), sizes[i])) >= COPY_SHARE for i, n in counts.items())

    def remember(sh: set[int]) -> None:
        sizes.append(len(sh))
        for s in sh:
            index[s].add(len(sizes) - 1)

    for text in gold_texts:
        remember(shingles(text))
    candidates = [r for r in pool if MIN_CHARS <= len(r["text"]) <= MAX_CHARS and r.get("outlet")]
    rng.shuffle(candidates)
    chosen: list[tuple[dict, str]] = []
    taken: set[str] = set()

    def take(row: dict, why: str) -> bool:
        if row["id"] in taken:
            return False
        sh = shingles(row["text"])
        if copies(sh):
            return False
        remember(sh)
        taken.add(row["id"])
        chosen.append((row, why))
        return True

    war = [
        r
        for r in candidates
        if (r.get("published") or "").startswith("2022") and "ukrain" in r["text"].lower()
    ]
    for type_name, count in PER_RARE.items():
        pattern = re.compile(RARE[type_name])
        hits = [r for r in war if pattern.search(r["text"].lower())]
        by_outlet: dict[str, list[dict]] = defaultdict(list)
        for r in hits:
            by_outlet[r["outlet"]].append(r)
        got = 0
        while got < count and any(by_outlet.values()):
            for outlet in sorted(by_outlet):
                if by_outlet[outlet] and got < count and take(by_outlet[outlet].pop(), f"search:{type_name}"):
                    got += 1
    cells: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in war:
        cells[(r["outlet"], r["published"][:7])].append(r)
    got = 0
    keys = sorted(cells)
    while got < SPREAD and any(cells.values()):
        rng.shuffle(keys)
        for key in keys:
            if cells[key] and got < SPREAD and take(cells[key].pop(), "spread"):
                got += 1
    before = [r for r in candidates if not (r.get("published") or "").startswith("2022")]
    got = 0
    for r in before:
        if got >= NEGATIVES:
            break
        got += take(r, "before-2022")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "outlet", "published", "chars", "why"])
        for row, why in chosen:
            writer.writerow([row["id"], row["outlet"], row["published"], len(row["text"]), why])
    print(f"{len(chosen)} articles written to {args.out}")


if __name__ == "__main__":
    main()
