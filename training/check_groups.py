"""Check and store annotated cross-report groups (issue 21).

Usage:
  python training/check_groups.py DRAFT.json [...] --store   check drafts (anchors quoted) and
                                                            write training/annotations/groups-<stem>.json
  python training/check_groups.py [FILE.json ...]           check stored group files (default: all)

A draft is a gold file in the shape of `../shared/eval/GUIDELINES.md` whose claims carry an
`incident` label ("g07-i1") and which has a `groups` section:

  {"id": "g07", "articles": [...],
   "relations": [{"articles": [A, B], "relation": "copy" | "wire_version" | "independent"}],
   "incidents": [{"id": "g07-i1", "about": "in the annotator's words", "independent_sources": 2,
                  "sources": ["originator keyword", ...]}]}

Refused: anchors not once in their article or not 5-15 words, unknown types, malformed dates or
places, duplicate claim ids, a claim whose incident is not one of its group's, an article of no
group or of two, a group whose articles are not in `training/data/group-selection.csv` under
its id, a relation not between two of its articles (every pair must have one), an incident
with no claim or with fewer than one independent source. Exits 1 on any problem.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import sys
from itertools import combinations
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from training.annotations import rebuilt, stored  # noqa: E402

SHARED = ROOT.parent / "shared"
ANNOTATIONS = ROOT / "training" / "annotations"
SELECTION = ROOT / "training" / "data" / "group-selection.csv"
RELATIONS = ("copy", "wire_version", "independent")
# The package's copy of the contract (kept in step with ../shared/contract).
TYPES = set(
    json.loads((ROOT / "src" / "claimledger" / "contract" / "claim.json").read_text(encoding="utf-8"))[
        "properties"
    ]["type"]["enum"]
)


def pool_texts() -> dict[str, str]:
    with gzip.open(SHARED / "corpus" / "pool.jsonl.gz", "rt", encoding="utf-8") as handle:
        return {row["id"]: row["text"] for row in map(json.loads, handle) if row.get("id")}


def selection() -> dict[str, set[str]]:
    with SELECTION.open(encoding="utf-8") as handle:
        return {row["group"]: set(row["articles"].split()) for row in csv.DictReader(handle)}


def problems(
    gold: dict[str, Any], texts: dict[str, str], chosen: dict[str, set[str]] | None = None
) -> list[str]:
    """What is wrong with the draft or rebuilt group file `gold` (anchors quoted); `chosen` is
    the selection (group id -> article ids), by default training/data/group-selection.csv."""
    out: list[str] = []
    chosen = selection() if chosen is None else chosen
    group_of: dict[str, str] = {}
    incidents: dict[str, str] = {}
    for group in gold.get("groups", []):
        gid = group["id"]
        members = set(group["articles"])
        if members != chosen.get(gid, set()):
            out.append(f"{gid}: articles differ from group-selection.csv")
        for a in members:
            if a in group_of:
                out.append(f"{a}: in {group_of[a]} and {gid}")
            group_of[a] = gid
            if a not in gold.get("metadata", {}):
                out.append(f"{gid}: no metadata for {a}")
        pairs = set()
        for rel in group.get("relations", []):
            pair = frozenset(rel["articles"])
            if len(pair) != 2 or not pair <= members:
                out.append(f"{gid}: relation not between two of its articles: {rel['articles']}")
            if rel["relation"] not in RELATIONS:
                out.append(f"{gid}: unknown relation {rel['relation']!r}")
            pairs.add(pair)
        missing = [sorted(p) for p in map(frozenset, combinations(sorted(members), 2)) if p not in pairs]
        out += [f"{gid}: no relation for {p}" for p in missing]
        for inc in group.get("incidents", []):
            if not inc["id"].startswith(gid + "-"):
                out.append(f"{gid}: incident id {inc['id']} not of the group")
            if not isinstance(inc.get("independent_sources"), int) or inc["independent_sources"] < 1:
                out.append(f"{inc['id']}: independent_sources must be an integer >= 1")
            incidents[inc["id"]] = gid
    used: set[str] = set()
    ids = [c["id"] for c in gold["claims"]]
    if len(ids) != len(set(ids)):
        out.append("duplicate claim ids")
    for claim in gold["claims"]:
        cid, text = claim["id"], texts.get(claim["article"])
        if text is None:
            out.append(f"{cid}: unknown article")
            continue
        count, words = text.count(claim["anchor"]), len(claim["anchor"].split())
        if count != 1 or not 5 <= words <= 15:
            out.append(f"{cid}: anchor found {count}x, {words} words")
        out += [f"{cid}: unknown type {t}" for t in claim["types"] if t not in TYPES]
        place = claim.get("place") or {}
        if ("lat" in place) != ("lon" in place):
            out.append(f"{cid}: lat without lon")
        date = claim.get("date")
        if date and not all(re.fullmatch(r"\d{4}-\d\d-\d\d", date.get(k, "")) for k in ("from", "to")):
            out.append(f"{cid}: date not YYYY-MM-DD")
        incident = claim.get("incident")
        if incidents.get(incident) != group_of.get(claim["article"]) or incident is None:
            out.append(f"{cid}: incident {incident!r} is not one of its group's")
        used.add(incident or "")
    out += [f"{i}: no claim" for i in sorted(set(incidents) - used)]
    return out


def main(argv: list[str]) -> int:
    store = "--store" in argv
    paths = [Path(a) for a in argv if a != "--store"] or sorted(ANNOTATIONS.glob("groups-*.json"))
    texts = pool_texts()
    failed = 0
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        try:
            gold = data if store else rebuilt(data, texts)
        except ValueError as error:
            print(f"{path.name}: refused: {error}")
            failed += 1
            continue
        found = problems(gold, texts)
        if found:
            print(f"{path.name}: refused\n  " + "\n  ".join(found))
            failed += 1
            continue
        n_inc = sum(len(g["incidents"]) for g in gold["groups"])
        summary = f"{len(gold['groups'])} groups, {len(gold['claims'])} claims, {n_inc} incidents"
        if store:
            out = ANNOTATIONS / f"groups-{path.stem}.json"
            out.write_text(
                json.dumps(stored(gold, texts, "pool.jsonl.gz"), indent=1, ensure_ascii=False) + "\n",
                encoding="utf-8",
            )
            print(f"{path.name}: {summary} -> {out.relative_to(ROOT)}")
        else:
            print(f"{path.name}: {summary}, 0 problems")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
