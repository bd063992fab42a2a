"""Annotations stored without the publishers' words, and gold files rebuilt from them.

A gold file in the shape of `../shared/eval/GUIDELINES.md` quotes its anchors and boilerplate.
The repository keeps instead, for every quoted string, its character offsets in the article's
text and the SHA-256 of the string, and for every article the SHA-256 of its text; the texts
themselves are read from `../shared` at run time. Cross-report group files (issue 21) add an
`incident` label to each claim and a `groups` section (articles, story relations, incidents
with their independent-source counts), which hold no quoted text and pass through as they are. `stored(gold, texts)` turns a gold file into
that form and `rebuilt(stored, texts)` turns it back (refusing an article whose text changed).
"""

from __future__ import annotations

import hashlib
from typing import Any

FORMAT = "claimledger-annotations/1"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _span(text: str, quoted: str) -> dict[str, Any]:
    at = text.find(quoted)
    if at < 0:
        raise ValueError(f"not in the text: {quoted[:40]!r}")
    return {"start": at, "end": at + len(quoted), "sha256": digest(quoted)}


def _quoted(text: str, span: dict[str, Any], what: str) -> str:
    piece = text[span["start"] : span["end"]]
    if digest(piece) != span["sha256"]:
        raise ValueError(f"{what}: the text at {span['start']}-{span['end']} is not the annotated string")
    return piece


def stored(gold: dict[str, Any], texts: dict[str, str], corpus: str) -> dict[str, Any]:
    """The gold file `gold` (anchors quoted) in stored form: offsets and hashes only."""
    articles = sorted(gold.get("metadata", {}) | {c["article"]: {} for c in gold["claims"]})
    out: dict[str, Any] = {
        "format": FORMAT,
        "corpus": corpus,
        "articles": {
            a: {**gold.get("metadata", {}).get(a, {}), "text_sha256": digest(texts[a])} for a in articles
        },
        "boilerplate": {
            a: [_span(texts[a], b) for b in spans]
            for a, spans in gold.get("boilerplate", {}).items()
            if spans
        },
        "claims": [],
    }
    for claim in gold["claims"]:
        record = {k: v for k, v in claim.items() if k != "anchor"}
        record["anchor"] = _span(texts[claim["article"]], claim["anchor"])
        out["claims"].append(record)
    if "groups" in gold:  # cross-report groups (issue 21): ids, labels and counts only
        out["groups"] = gold["groups"]
    return out


def rebuilt(data: dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    """The gold file of stored annotations, anchors quoted from `texts`."""
    if data.get("format") != FORMAT:
        raise ValueError(f"not a stored annotation file: {data.get('format')!r}")
    metadata = {}
    for article, meta in data["articles"].items():
        text = texts.get(article)
        if text is None:
            raise ValueError(f"article not in the corpus: {article}")
        if digest(text) != meta["text_sha256"]:
            raise ValueError(f"the text of {article} differs from the annotated one")
        metadata[article] = {k: v for k, v in meta.items() if k != "text_sha256"}
    claims = []
    for claim in data["claims"]:
        record = {k: v for k, v in claim.items() if k != "anchor"}
        record["anchor"] = _quoted(texts[claim["article"]], claim["anchor"], claim["id"])
        claims.append(record)
    return {
        "metadata": metadata,
        "boilerplate": {
            a: [_quoted(texts[a], s, a) for s in spans] for a, spans in data.get("boilerplate", {}).items()
        },
        "claims": claims,
        "stories": [],
        "single_source_incidents": [],
        "same_incident": [],
        **({"groups": data["groups"]} if "groups" in data else {}),
    }
