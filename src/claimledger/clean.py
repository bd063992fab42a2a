"""Clean: mark page furniture in a report's text as boilerplate spans.

Scraped article text keeps newsletter prompts, "READ MORE" teasers, photo captions, "Follow
AP's coverage" links and copyright tails. They are marked, never removed (offsets must stay
true to the stored text), and extraction never cites them as evidence.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np

# Sentence ends: terminal punctuation (and closing quotes) before a capital or a quote.
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)]*\s+(?=[A-Z\"“‘(©])|\n+|_{3,}")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Gen|Col|Lt|Sgt|Capt|Maj|Rep|Sen|Gov|Prof|Rev|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|No|Vol|vs|U\.S|U\.N|U\.K|E\.U)|\b[A-Z])\.\s+$"
)
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
# AP caption dating: "Saturday, Aug. 13, 2022" — article prose rarely spells the full date so.
_CAPTION_DATE = re.compile(
    rf"{_WEEKDAY}(?: night| morning| evening| afternoon)?,? {_MONTH} \d{{1,2}},? \d{{4}}"
)
_PHOTO_CREDIT = re.compile(
    r"\((?:[^()]{0,80}?(?:AP Photo|via AP|Photo via|Pool Photo|/AP|/AFP|AFP/|Getty Images|/Reuters|REUTERS|/EPA|EPA/|Shutterstock|"
    r"PA Wire|Photo:|Photograph:)[^()]{0,80})\)"
)
_FURNITURE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^\s*(?:READ MORE|READ NEXT|JUST IN|WATCH|MORE|PICTURED|SEE ALSO|RELATED|LISTEN|VIDEO|LIVE)\b\s*[:\-–]",
        r"^\s*Related:",
        r"^\s*Follow\b.{0,80}\b(?:on Twitter|coverage|on Facebook|on Instagram|at https?://)",
        r"\bcontributed (?:to )?this report\b",
        r"^\s*(?:[A-Z][\w.’'-]+ )?reported from [A-Z][\w ,.-]{2,40}\.?\s*$",
        r"^\s*With (?:Agence France-Presse|AFP|Reuters|Associated Press|AP)\s*\.?\s*$",
        r"©|\bAll rights reserved\b|\bCopyright \d{4}\b",
        r"\bis not responsible for the content of external (?:sites|websites)\b",
        r"\bRead about our approach to external linking\b",
        r"\b(?:Sign up|Subscribe)\b.{0,60}\b(?:newsletter|briefing|updates|alerts)\b",
        r"\bnewsletter\b.{0,40}\b(?:sign up|subscribe|inbox)\b",
        r"^\s*Source link\s*$",
        r"^\s*(?:Share|Share this|Share on \w+|Tweet|Email|Print)(?:\s*(?:Share|Tweet|Email|Print|on \w+))*\s*$",
        r"\b(?:comments?|join the conversation)\b.{0,40}\b(?:below|here|guidelines|section)\b",
        r"^\s*(?:Click here|Tap here)\b",
        r"^\s*(?:Advertisement|ADVERTISEMENT|Story continues below advertisement)\s*$",
        r"\b(?:EDS NOTE|EDITOR'?S NOTE):",
        r"^\s*FILE\s*[-–—]\s",
    )
]
# A teaser headline glued into the text: "DEVASTATION: Drone footage shows ...".
_SHOUTED_LEAD = re.compile(r"^\s*[A-Z][A-Z'’-]{3,}(?: [A-Z][A-Z'’-]+){0,3}:\s")
_CAPTION_LEAD = re.compile(
    r"^\s*(?:FILE\s*[-–—]|In this (?:handout |file )?(?:photo|image|picture)|This (?:satellite )?(?:image|photo))"
)


def sentences(text: str) -> list[tuple[int, int]]:
    """Rough sentence spans (start, end), whitespace trimmed, for furniture detection.

    Photo credits like "(AP Photo/David Goldman)" also end a sentence: captions are glued
    to each other without a full stop.
    """
    cuts = {0, len(text)}
    for match in _BOUNDARY.finditer(text):
        if not _ABBREVIATION.search(text[max(0, match.start() - 6) : match.end()]):
            cuts.add(match.end() if not match.group().startswith("_") else match.start())
            cuts.add(match.end())
    for match in _PHOTO_CREDIT.finditer(text):
        cuts.add(match.end())
    spans = []
    ordered = sorted(cuts)
    for start, end in zip(ordered, ordered[1:], strict=False):
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


WEIGHTS = Path(__file__).parent / "weights" / "boilerplate.npz"
# The filter learned from news pages; a post or a text of a few sentences is outside what it
# saw (it would take a one-line post for a caption), so only the patterns read those.
MIN_SENTENCES_FOR_FILTER = 6
_WORD = re.compile(r"[a-z0-9@#'’]+")
_ANY_DATE = re.compile(rf"\b{_MONTH} \d{{1,2}},? \d{{4}}\b|\b\d{{1,2}} {_MONTH} \d{{4}}\b")


@lru_cache(maxsize=64)
def _line_facts(line: str) -> tuple[int, bool]:
    """How many words a line holds and whether it dates itself as captions do (once per line: a
    text with no line breaks is one line, read for each of its sentences)."""
    return len(_WORD.findall(line.lower())), _CAPTION_DATE.search(line) is not None


def unit_features(text: str, spans: list[tuple[int, int]], index: int, ruled: set[int]) -> list[str]:
    """What the learned filter reads of one rough sentence: its words, its first and last
    words, its shape (how it ends, its length, whether it is a line of its own), where it stands,
    dates written as captions write them, handles and links, and the rules' verdict on it and on
    its neighbours. `ruled` holds the indexes of the sentences the rules mark."""
    start, end = spans[index]
    piece = text[start:end]
    lower = piece.lower()
    words = _WORD.findall(lower)
    out = ["bias", *(f"w:{w}" for w in words[:60])]
    if words:
        out += [f"first:{words[0]}", f"first2:{'_'.join(words[:2])}", f"last:{words[-1]}"]
    tail = piece.rstrip()[-1:] if piece.strip() else ""
    out.append(
        f"end:{tail if tail in '.?!:' else 'quote' if tail in chr(34) + chr(8221) + chr(39) else 'none'}"
    )
    out.append(f"words:{min(len(words) // 5, 8)}")
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if text[line_start:start].strip() == "" and text[end:line_end].strip() == "":
        out.append("line:alone")
    elif text[line_start:start].strip() == "":
        out.append("line:first")
    line = text[line_start:line_end]
    line_words, line_dated = _line_facts(line)
    out.append(f"line_words:{min(line_words // 10, 6)}")
    if line is not piece and line_dated:
        out.append("line_caption_date")
    if line.rstrip()[-1:] not in (".", "?", "!", '"', "”", "'"):
        out.append("line_open_end")
    out.append(f"from_end:{min(len(spans) - 1 - index, 4)}")
    out.append(f"from_start:{min(index, 3)}")
    if _CAPTION_DATE.search(piece):
        out.append("caption_date")
    if _ANY_DATE.search(piece):
        out.append("full_date")
    if "@" in piece or "http" in lower or "pic.twitter" in lower or "www." in lower:
        out.append("handle_or_link")
    letters = [c for c in piece if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.5:
        out.append("shouting")
    for offset, name in ((0, "rule"), (-1, "prev_rule"), (1, "next_rule")):
        if index + offset in ruled:
            out.append(name)
    return out


@lru_cache(maxsize=1)
def _filter() -> tuple[dict[str, int], np.ndarray, float, float] | None:
    if not WEIGHTS.exists():
        return None
    with np.load(WEIGHTS, allow_pickle=False) as data:
        vocab = {str(f): i for i, f in enumerate(data["vocab"])}
        return vocab, data["weights"].astype(np.float64), float(data["bias"]), float(data["threshold"])


def learned_spans(text: str, spans: list[tuple[int, int]], ruled: set[int]) -> list[tuple[int, int]]:
    """The rough sentences the learned filter (weights/boilerplate.npz, trained by
    training/train_boilerplate.py) takes for page furniture."""
    model = _filter()
    if model is None or len(spans) < MIN_SENTENCES_FOR_FILTER:
        return []
    vocab, weights, bias, threshold = model
    out = []
    for i, span in enumerate(spans):
        rows = [vocab[f] for f in unit_features(text, spans, i, ruled) if f in vocab]
        score = bias + float(weights[rows].sum()) if rows else bias
        if 1.0 / (1.0 + np.exp(-max(-40.0, min(40.0, score)))) >= threshold:
            out.append(span)
    return out


def rule_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans the furniture patterns mark (before merging)."""
    marked: list[tuple[int, int]] = []
    for start, end in spans:
        piece = text[start:end]
        if any(p.search(piece) for p in _FURNITURE) or _SHOUTED_LEAD.match(piece):
            marked.append((start, end))
    marked.extend(_caption_runs(text, spans))
    marked.extend(_separator_tails(text))
    return marked


def ruled_indexes(spans: list[tuple[int, int]], marked: list[tuple[int, int]]) -> set[int]:
    """Indexes of the rough sentences that marked spans cover by half or more."""
    merged = _merge(marked)
    out = set()
    for i, (start, end) in enumerate(spans):
        covered = sum(min(e, end) - max(s, start) for s, e in merged if s < end and start < e)
        if covered * 2 >= end - start:
            out.add(i)
    return out


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """Spans of text that are not the article body, merged and sorted: what the furniture
    patterns mark, and what the learned filter takes for furniture."""
    spans = sentences(text)
    marked = rule_spans(text, spans)
    marked += learned_spans(text, spans, ruled_indexes(spans, marked))
    return _merge(marked)


def _caption_runs(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Photo captions: from the caption's dated first sentence to its photo credit."""
    runs: list[tuple[int, int]] = []
    credits = list(_PHOTO_CREDIT.finditer(text))
    index_of = {s: i for i, s in enumerate(spans)}
    caption_starts = [
        s for s in spans if _CAPTION_DATE.search(text[s[0] : s[1]]) or _CAPTION_LEAD.match(text[s[0] : s[1]])
    ]
    previous_end = 0
    for credit in credits:
        # The caption begins at the nearest dated or "FILE -" sentence before the credit,
        # no earlier than the previous caption's credit and at most four sentences back.
        candidates = [s for s in caption_starts if previous_end <= s[0] < credit.start()]
        holding = next((s for s in spans if s[0] <= credit.start() < s[1] + 1), None)
        start = holding[0] if holding else credit.start()
        if candidates:
            first = candidates[-1]
            if holding is None or index_of[holding] - index_of[first] <= 4:
                start = min(start, first[0])
        runs.append((start, credit.end()))
        previous_end = credit.end()
    # Captions whose credit was lost: a dated present-tense sentence ("walks", "stands", "is seen").
    for s in caption_starts:
        piece = text[s[0] : s[1]]
        if _CAPTION_DATE.search(piece) and re.search(
            r"\b(?:walks|stands|sits|is seen|are seen|poses|holds|gather|passes|looks|is embraced|mourns|wipes)\b",
            piece,
        ):
            runs.append(s)
    return runs


def _separator_tails(text: str) -> list[tuple[int, int]]:
    """AP's "___" separates the story from credits and links; mark the short blocks after it."""
    runs = []
    for match in re.finditer(r"_{3,}", text):
        runs.append((match.start(), match.end()))
    return runs


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
