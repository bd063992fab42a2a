"""Choose candidate cross-report groups to annotate for incident grouping (issue 21).

Usage: python training/select_groups.py [--shared ../shared] [--out training/data/group-selection.csv]

Deterministic (seeded). A candidate group is 2 to 4 pool articles from different outlets,
published on one day or the next, whose opening (title and first 1,500 characters) names one
Ukrainian place in a sentence with an event word (strike, shelling, missile, killed,
explosion, looting, ...). Groups are spread over months, places and outlets: at most
`PER_MONTH` groups a month and `PER_PLACE` a place, no article in two groups. Copies of one
text (>= 20% of 8-word shingles shared) are kept as members: the annotators mark them as
copies or wire versions. Writes only ids and why; the texts stay in `../shared`.

The searches choose what is read, never what is annotated: the annotators read every article
in full and decide which claims are one incident.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import re
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261204
MIN_CHARS, MAX_CHARS = 500, 7000
OPENING = 1500
PER_MONTH = 8
PER_PLACE = 4
GROUPS = 90

# Ukrainian places and the spellings outlets use for them (lower case).
PLACES = {
    "Kyiv": ["kyiv", "kiev"],
    "Kharkiv": ["kharkiv", "kharkov"],
    "Odesa": ["odesa", "odessa"],
    "Mariupol": ["mariupol"],
    "Mykolaiv": ["mykolaiv", "nikolaev", "nikolayev"],
    "Zaporizhzhia": ["zaporizhzhia", "zaporizhia", "zaporozhye"],
    "Dnipro": ["dnipro", "dnepropetrovsk", "dnipropetrovsk"],
    "Lviv": ["lviv", "lvov"],
    "Kherson": ["kherson"],
    "Bucha": ["bucha"],
    "Irpin": ["irpin"],
    "Kramatorsk": ["kramatorsk"],
    "Sloviansk": ["sloviansk", "slovyansk", "slavyansk"],
    "Bakhmut": ["bakhmut", "artyomovsk"],
    "Sievierodonetsk": ["sievierodonetsk", "severodonetsk", "sievierodonetsk"],
    "Lysychansk": ["lysychansk", "lisichansk"],
    "Izium": ["izium", "izyum"],
    "Chernihiv": ["chernihiv", "chernigov"],
    "Sumy": ["sumy"],
    "Vinnytsia": ["vinnytsia", "vinnitsa"],
    "Kremenchuk": ["kremenchuk", "kremenchug"],
    "Zhytomyr": ["zhytomyr", "zhitomir"],
    "Enerhodar": ["enerhodar", "energodar"],
    "Melitopol": ["melitopol"],
    "Borodianka": ["borodianka", "borodyanka"],
    "Hostomel": ["hostomel", "gostomel"],
    "Okhtyrka": ["okhtyrka", "akhtyrka"],
    "Kupiansk": ["kupiansk", "kupyansk"],
    "Lyman": ["lyman"],
    "Avdiivka": ["avdiivka", "avdeyevka"],
    "Donetsk": ["donetsk"],
    "Luhansk": ["luhansk", "lugansk"],
    "Nikopol": ["nikopol"],
    "Chasiv Yar": ["chasiv yar"],
    "Serhiivka": ["serhiivka", "sergiyivka"],
    "Uman": ["uman"],
    "Poltava": ["poltava"],
    "Rivne": ["rivne"],
    "Lutsk": ["lutsk"],
    "Ternopil": ["ternopil"],
    "Yavoriv": ["yavoriv", "yavoriv"],
    "Crimea bridge": ["kerch", "crimean bridge", "crimea bridge"],
    "Sevastopol": ["sevastopol"],
    "Saky": ["saky", "novofedorivka"],
    "Olenivka": ["olenivka", "yelenovka"],
    "Nova Kakhovka": ["nova kakhovka", "novaya kakhovka"],
    "Makiivka": ["makiivka", "makeyevka"],
    "Vuhledar": ["vuhledar", "ugledar"],
}
EVENT = re.compile(
    r"\b(?:strikes?|struck|shell(?:ing|ed|s)?|missiles?|rockets?|killed|killing|explosions?|blasts?"
    r"|explod\w*|loot\w*|drones?|bomb(?:ed|ing|s)?|attack(?:ed|s)?|airstrikes?|air strikes?|dead|wounded)\b"
)
SENTENCE = re.compile(r"[^.!?\n]+")
PATTERNS = {
    place: re.compile(r"\b(?:" + "|".join(re.escape(s) for s in spellings) + r")\b")
    for place, spellings in PLACES.items()
}


def cues(row: dict) -> dict[str, str]:
    """Places named in the opening in a sentence with an event word, and that event word."""
    head = (row.get("title") or "") + ". " + row["text"][:OPENING]
    found: dict[str, str] = {}
    for sentence in SENTENCE.findall(head.lower()):
        event = EVENT.search(sentence)
        if not event:
            continue
        for place, pattern in PATTERNS.items():
            if place not in found and pattern.search(sentence):
                found[place] = event.group(0)
    return found


def day(row: dict) -> date | None:
    try:
        return date.fromisoformat((row.get("published") or "")[:10])
    except ValueError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=ROOT / "training" / "data" / "group-selection.csv")
    args = parser.parse_args()
    rng = random.Random(SEED)
    with gzip.open(args.shared / "corpus" / "pool.jsonl.gz", "rt", encoding="utf-8") as handle:
        pool = [json.loads(line) for line in handle]
    # (place, day) -> articles naming the place with an event word, on that day.
    cells: dict[tuple[str, date], list[tuple[dict, str]]] = defaultdict(list)
    for row in pool:
        when = day(row)
        if not row.get("outlet") or when is None or when.year != 2022:
            continue
        if not MIN_CHARS <= len(row["text"]) <= MAX_CHARS:
            continue
        for place, event in cues(row).items():
            cells[(place, when)].append((row, event))
    candidates = []
    for (place, when), members in sorted(cells.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        pool_members = members + cells.get((place, when + timedelta(days=1)), [])
        by_outlet: dict[str, list[tuple[dict, str]]] = defaultdict(list)
        for row, event in sorted(pool_members, key=lambda m: m[0]["id"]):
            by_outlet[row["outlet"]].append((row, event))
        if len(by_outlet) < 2 or not members:
            continue
        candidates.append((place, when, by_outlet))
    rng.shuffle(candidates)
    used: set[str] = set()
    per_month: dict[str, int] = defaultdict(int)
    per_place: dict[str, int] = defaultdict(int)
    chosen = []
    for place, when, by_outlet in candidates:
        if len(chosen) >= GROUPS:
            break
        month = when.isoformat()[:7]
        if per_month[month] >= PER_MONTH or per_place[place] >= PER_PLACE:
            continue
        outlets = sorted(by_outlet)
        rng.shuffle(outlets)
        members = []
        for outlet in outlets:
            free = [m for m in by_outlet[outlet] if m[0]["id"] not in used]
            if free:
                members.append(rng.choice(free))
            if len(members) == 4:
                break
        if len(members) < 2 or not any(day(m[0]) == when for m in members):
            continue
        for row, _ in members:
            used.add(row["id"])
        per_month[month] += 1
        per_place[place] += 1
        why = f"{place} {when.isoformat()}+1: " + ", ".join(sorted({e for _, e in members}))
        chosen.append((sorted(r["id"] for r, _ in members), why, when))
    chosen.sort(key=lambda c: (c[2], c[0]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["group", "articles", "why"])
        for i, (ids, why, _) in enumerate(chosen, 1):
            writer.writerow([f"g{i:02d}", " ".join(ids), why])
    print(f"{len(chosen)} groups written to {args.out}")


if __name__ == "__main__":
    main()
