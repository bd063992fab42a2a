"""Choose candidate cross-report groups to annotate for incident grouping (issue 21).

Usage: python training/select_groups.py [--shared ../shared] [--out training/data/group-selection.csv]

Deterministic (seeded). A candidate group is 2 to 4 pool articles from different outlets,
published on one day or the next, whose opening (title and first 1,500 characters) names one
Ukrainian place in a sentence with an event word (strike, shelling, missile, killed,
explosion, looting, ...). Groups are spread over months, places and outlets: at most
`PER_MONTH` groups a month and `PER_PLACE` a place, no article in two groups. Copies of one
text (>= 20% of 8-word shingles shared) are kept as members: the annotators mark them as
copies or wire versions. A second kind ("w" groups): pairs from different outlets, one day
apart at most, sharing >= 10% of the smaller one's 8-word shingles, so that copies and wire
versions are measured too. Writes only ids and why; the texts stay in `../shared`.

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
import zlib
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
# Second kind: pairs from different outlets, same day or next, sharing >= WIRE_SHARE of the
# smaller one's 8-word shingles (wire copy, rewritten or updated versions of one story).
WIRE_GROUPS = 20
WIRE_SHARE = 0.1

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


def shingles(text: str) -> set[int]:
    words = re.findall(r"\w+", text.lower())
    return {zlib.crc32(" ".join(words[i : i + 8]).encode()) for i in range(max(0, len(words) - 7))}


def wire_pairs(rows: list[dict], rng: random.Random, used: set[str]) -> list[tuple[list[str], str, date]]:
    """Pairs of articles from different outlets, one day apart at most, sharing shingles."""
    prints = {r["id"]: shingles(r["text"]) for r in rows}
    index: dict[int, list[str]] = defaultdict(list)
    for r in rows:
        for s in prints[r["id"]]:
            index[s].append(r["id"])
    by_id = {r["id"]: r for r in rows}
    found = []
    for r in rows:
        counts: dict[str, int] = defaultdict(int)
        for s in prints[r["id"]]:
            for other in index[s]:
                if other > r["id"]:
                    counts[other] += 1
        for other, n in sorted(counts.items()):
            o = by_id[other]
            share = n / max(1, min(len(prints[r["id"]]), len(prints[other])))
            gap = abs(((day(r) or date.min) - (day(o) or date.min)).days)
            if share >= WIRE_SHARE and o["outlet"] != r["outlet"] and gap <= 1:
                found.append(([r["id"], other], f"shared shingles {share:.2f}", min(day(r), day(o))))  # type: ignore[type-var]
    rng.shuffle(found)
    out = []
    per_month: dict[str, int] = defaultdict(int)
    for ids, why, when in found:
        if len(out) >= WIRE_GROUPS or used & set(ids) or per_month[when.isoformat()[:7]] >= 3:
            continue
        used.update(ids)
        per_month[when.isoformat()[:7]] += 1
        out.append((sorted(ids), why, when))
    return out


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
    eligible = []
    for row in pool:
        when = day(row)
        if not row.get("outlet") or when is None or when.year != 2022:
            continue
        if not MIN_CHARS <= len(row["text"]) <= MAX_CHARS:
            continue
        found = cues(row)
        for place, event in found.items():
            cells[(place, when)].append((row, event))
        if found:
            eligible.append(row)
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
    wires = sorted(wire_pairs(eligible, rng, used), key=lambda c: (c[2], c[0]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["group", "articles", "why"])
        for i, (ids, why, _) in enumerate(chosen, 1):
            writer.writerow([f"g{i:02d}", " ".join(ids), why])
        for i, (ids, why, _) in enumerate(wires, 1):
            writer.writerow([f"w{i:02d}", " ".join(ids), why])
    print(f"{len(chosen)} + {len(wires)} groups written to {args.out}")


if __name__ == "__main__":
    main()
