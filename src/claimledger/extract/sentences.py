"""Sentences of a report as extraction reads them: spans, quotes, speakers and dates.

A `Sentence` is one spaCy sentence outside the report's boilerplate, with what every later
step asks of it (its lemmas, whether it is quoted, who says it, the dates it gives).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from claimledger.extract.attribution import Speaker
from claimledger.model import Attribution, DateInfo

QUOTES = re.compile(
    r"“[^”]{1,3000}”|\"[^\"]{1,3000}\"|‘[^’]{20,3000}’(?!\w)|(?<![\w'])'(?=[A-Z])[^\n]{20,2000}?[.,!?]'(?![\w])"
)
# Footage as the source of what a sentence shows, when nobody is quoted.
FOOTAGE = re.compile(
    r"\b(?:CCTV(?: footage| cameras?)?|(?:drone |aerial |video |dashcam |satellite )?(?:footage|video|videos|images|photos?)|satellite images)\b",
    re.I,
)


@dataclass
class Sentence:
    start: int
    end: int
    span: Any
    text: str  # the whole report text (spaCy rebuilds Doc.text on every access)
    lemmas: set[str]
    lower: str
    quoted: bool = False
    words: frozenset[str] = frozenset()  # lower-case words, split on spaces and hyphens
    speaker: Speaker | None = None
    attribution: Attribution | None = None
    dates: list[tuple[int, int, DateInfo]] = field(default_factory=list)
    entity_labels: frozenset[str] = frozenset()  # spaCy's labels of the entities that start in it


def read_sentences(doc: Any, text: str, boilerplate: tuple[tuple[int, int], ...]) -> list[Sentence]:
    quotes = [(m.start(), m.end()) for m in QUOTES.finditer(text)]
    entities = sorted((e.start_char, e.label_) for e in doc.ents)  # once: Span.ents walks the whole doc
    result = []
    for sent in doc.sents:
        start, end = sent.start_char, sent.end_char
        if not sent.text.strip():
            continue
        covered = sum(min(e, end) - max(s, start) for s, e in boilerplate if s < end and start < e)
        if covered > 0.5 * (end - start):
            continue
        quoted = any(s <= start < e and end <= e + 2 for s, e in quotes) or any(
            s <= start + 1 < e for s, e in quotes
        )
        result.append(
            Sentence(
                start,
                end,
                sent,
                text,
                {t.lemma_.lower() for t in sent} | {t.lower_ for t in sent},
                text[start:end].lower(),
                quoted,
                frozenset(re.findall(r"[\w.]+", text[start:end].lower())),
                entity_labels=frozenset(
                    label
                    for _, label in entities[
                        bisect_left(entities, (start, "")) : bisect_left(entities, (end, ""))
                    ]
                ),
            )
        )
    return result


def paragraph_start(text: str, position: int) -> int:
    at = text.rfind("\n", 0, position)
    return 0 if at < 0 else at + 1


def event_date(sent: Sentence, trigger: int) -> DateInfo | None:
    """The date of the event in a sentence, or None when the sentence gives none."""
    if not sent.dates:
        return None
    offset = trigger - sent.start
    # A day named beside a vaguer span ("daily bombardment for the past week ... killed three on
    # Thursday") is the specific event; otherwise the expression nearest the trigger.
    _, _, info = min(sent.dates, key=lambda d: (d[2].precision != "day", abs((d[0] + d[1]) // 2 - offset)))
    return info


def footage_source(sent: Sentence, prior: Sentence | None) -> Attribution | None:
    """ "Soldiers were spotted looting ...": footage is the source when a sentence (or the one
    before it) says what it shows and nobody else is named."""
    text = sent.text
    for candidate in (sent, prior):
        if candidate is None:
            continue
        match = FOOTAGE.search(text, candidate.start, candidate.end)
        if match:
            return Attribution(match.group(0), "media", "video", match.start(), match.end())
    return None


def attribute_quotes(sentences: list[Sentence], quotes: list[tuple[int, int]]) -> None:
    """Quoted sentences take the speaker named at the end of the quote, or just before it."""
    for index, sent in enumerate(sentences):
        if sent.attribution is not None or not sent.quoted:
            continue
        region = next(((s, e) for s, e in quotes if s <= sent.start + 1 < e), None)
        if region is None:
            continue
        for later in sentences[index : index + 6]:
            if later.start > region[1] + 200:
                break
            if later.attribution is not None and later.end >= region[1]:
                sent.attribution = later.attribution
                break
        if sent.attribution is None:
            for earlier in reversed(sentences[max(0, index - 3) : index]):
                if earlier.attribution is not None and earlier.end >= region[0] - 5:
                    sent.attribution = earlier.attribution
                    break
