"""Who says so: the source of a statement, its kind and the channel it spoke through."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from claimledger.extract.lexicon import Lexicon, load_people
from claimledger.extract.people import is_known_public, public_titles
from claimledger.model import Attribution

SPEECH_LEMMAS = {
    "say",
    "tell",
    "report",
    "claim",
    "add",
    "state",
    "write",
    "post",
    "tweet",
    "announce",
    "allege",
    "accuse",
    "confirm",
    "insist",
    "warn",
    "note",
    "explain",
    "recall",
    "describe",
    "estimate",
    "suggest",
    "show",
    "reveal",
    "publish",
    "assert",
    "deny",
    "testify",
    "recount",
    "admit",
    "acknowledge",
    "complain",
    "believe",
    "share",
    "document",
    "record",
    "find",
    "conclude",
    "charge",
    "blame",
    "condemn",
    "detail",
    "indicate",
    "speak",
    "quote",
    "cite",
    "inform",
    "stress",
    "declare",
    "maintain",
    "argue",
    "observe",
    "list",
    "capture",
    "depict",
    "see",
}
# Heads of subjects that say nothing themselves ("there has been little evidence", "the
# bombardments were ..."): events and abstractions, not sources.
_NOT_AGENTS = {
    "evidence",
    "bombardment",
    "attack",
    "strike",
    "shelling",
    "fighting",
    "war",
    "invasion",
    "focus",
    "news",
    "move",
    "number",
    "toll",
    "damage",
    "situation",
    "fact",
    "reason",
    "result",
    "aim",
    "goal",
    "plan",
    "there",
    "analysis",
}
_NOT_SUBJECTS = {
    "west",
    "east",
    "north",
    "south",
    "elsewhere",
    "meanwhile",
    "later",
    "earlier",
    "separately",
    "also",
}
PRONOUNS = {
    "he",
    "she",
    "they",
    "it",
    "we",
    "i",
    "you",
    "this",
    "that",
    "who",
    "which",
    "what",
    "one",
    "some",
    "others",
}
_DATELINE = re.compile(r"\((?:AP|Reuters|AFP)\b|^[A-Z][A-Z ,.'-]{3,}$")
# Public figures and titles (lexicons/people.toml): a name next to one of these is not a
# private individual.
PUBLIC_TITLES = public_titles()


@dataclass(frozen=True)
class Speaker:
    """An attribution found in one sentence, before its kind and channel are decided."""

    text: str
    start: int
    end: int
    verb: str


def _subject_span(verb: Any) -> Any | None:
    """Who does the saying: the agent of a passive ("condemned by the authorities"), else the
    active subject. A passive subject is what was said or shown, never the speaker."""
    for child in verb.children:
        if child.dep_ == "agent":
            for grandchild in child.children:
                if grandchild.dep_ == "pobj":
                    return grandchild
    for child in verb.children:
        if child.dep_ in ("nsubj", "csubj"):
            if child.lower_ in ("which", "who", "that") and verb.dep_ == "relcl":
                return verb.head  # "the authorities, which have accused Russia of looting"
            return child
    return None


def _phrase(head: Any, keep_acl: bool = False) -> tuple[int, int]:
    """Character span of a noun phrase: its subtree, cut at relative clauses and long tails."""
    doc = head.doc
    cut = ("relcl", "advcl") if keep_acl else ("relcl", "acl", "advcl")
    tokens = [
        t for t in head.subtree if not any(a.dep_ in cut and a.i != head.i for a in _ancestors_until(t, head))
    ]
    left = min(t.i for t in tokens)
    right = max(t.i for t in tokens)
    right = min(right, left + 24)
    while right > left and doc[right].is_punct:
        right -= 1
    # A noun phrase starts at its determiner, adjective or noun, not at a stray adverb or comma
    # the parser hung on it ("Further west, the governor of ...").
    comma = next((t.i for t in doc[left:right] if t.text == "," and t.i < head.i), None)
    if comma is not None and (
        all(doc[k].pos_ in ("ADV", "ADP", "ADJ", "PUNCT", "CCONJ", "DET") for k in range(left, comma))
        or (comma - left <= 3 and not any(doc[k].pos_ == "PROPN" for k in range(left, comma)))
    ):
        left = comma + 1
    while left < right and (doc[left].is_punct or doc[left].pos_ in ("ADV", "CCONJ")):
        left += 1
    return doc[left].idx, doc[right].idx + len(doc[right].text)


def _ancestors_until(token: Any, head: Any) -> list[Any]:
    chain = []
    current = token
    while current.i != head.i and current.head.i != current.i:
        chain.append(current)
        current = current.head
    return chain


def _phrase_before(verb: Any) -> tuple[int, int] | None:
    """ ", the Ukrainian Defence Ministry said": the noun phrase between a comma and the verb,
    for parses that hang it elsewhere."""
    doc = verb.doc
    left = verb.i - 1
    while (
        left >= 0
        and verb.i - left <= 12
        and doc[left].text not in (",", "“", '"', "—", ";")
        and not doc[left].is_sent_start
    ):
        left -= 1
    first = left + 1
    if first >= verb.i or left < 0 or doc[left].text not in (",", "—"):
        return None
    tokens = doc[first : verb.i]
    if not any(t.pos_ in ("NOUN", "PROPN", "PRON") for t in tokens) or any(
        t.pos_ in ("VERB", "AUX") for t in tokens
    ):
        return None  # a speaker is a noun phrase, not a clause ("Russian bombardments were")
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


def find_speaker(sent: Any, text: str) -> Speaker | None:
    """The source named in a sentence: "according to X", or the subject of a speech verb.

    `text` is the document's text, passed in because spaCy rebuilds Doc.text on each access."""
    for token in sent:
        if (
            token.lower_ == "according"
            and token.i + 1 < len(sent.doc)
            and sent.doc[token.i + 1].lower_ == "to"
        ):
            to = sent.doc[token.i + 1]
            objects = [c for c in to.children if c.dep_ == "pobj"]
            if objects:
                start, end = _phrase(objects[0], keep_acl=True)
                return Speaker(text[start:end], start, end, "according to")
    best: Speaker | None = None
    for token in sent:
        if token.lemma_.lower() not in SPEECH_LEMMAS or token.pos_ not in ("VERB", "AUX"):
            continue
        subject = _subject_span(token)
        if subject is not None and subject.lemma_.lower() in _NOT_SUBJECTS:
            # "Further west, the governor ... reported": the parser made "west" the subject
            subject = next((c for c in subject.children if c.dep_ == "appos"), subject)
        if subject is None:
            span = _phrase_before(token)
            if span is None:
                continue
            start, end = span
        else:
            start, end = _phrase(subject)
        candidate = Speaker(text[start:end], start, end, token.lemma_.lower())
        if _DATELINE.search(candidate.text) or (
            subject is not None and subject.lemma_.lower() in _NOT_AGENTS
        ):
            continue
        if candidate.text.lower().startswith(("there ", "it ")):
            continue
        # Prefer the reporting verb highest in the tree ("X said ... Y claimed" -> X).
        if best is None or token.dep_ == "ROOT" or token.dep_ == "parataxis":
            best = candidate
            if token.dep_ in ("ROOT", "parataxis"):
                break
    return best


def is_pronoun(text: str) -> bool:
    return text.lower().strip() in PRONOUNS or text.lower().startswith(("he ", "she ", "they "))


@lru_cache(maxsize=4)
def _kind_patterns(lex: Lexicon) -> list[tuple[re.Pattern[str], str]]:
    words = sorted(lex.source_kinds, key=len, reverse=True)
    return [(re.compile(rf"(?<![\w-]){re.escape(w)}(?![\w-])"), lex.source_kinds[w]) for w in words]


@lru_cache(maxsize=4)
def _channel_patterns(lex: Lexicon) -> list[tuple[re.Pattern[str], str]]:
    words = sorted(lex.channels, key=len, reverse=True)
    return [(re.compile(rf"\b{re.escape(w)}\b"), lex.channels[w]) for w in words]


def classify(source: str, sentence: str, lex: Lexicon, person_names: set[str]) -> tuple[str, str, bool]:
    """(kind, channel, private) of a source phrase said in a sentence."""
    lowered = source.lower()
    # The longest kind word in the source decides ("defence ministry" over "ministry").
    kind = next((k for pattern, k in _kind_patterns(lex) if pattern.search(lowered)), "unknown")
    sentence_lower = sentence.lower()
    channel = "unknown"
    for wanted in (("twitter", "facebook", "telegram", "intercept"), ("tv", "video")):
        channel = next(
            (ch for pattern, ch in _channel_patterns(lex) if ch in wanted and pattern.search(sentence_lower)),
            "unknown",
        )
        if channel != "unknown":
            break
    if channel == "unknown":
        if re.search(r"\b(?:told|interview|speaking to|spoke to)\b", sentence_lower):
            channel = "interview"
        elif kind in ("government", "military", "official"):
            channel = "statement"
        elif kind in ("media", "expert", "ngo"):
            channel = "report"
    private = False
    if person_names and kind in ("unknown", "witness", "participant"):
        named = [n for n in person_names if n in source]
        if named and not PUBLIC_TITLES.search(source) and not any(is_known_public(n) for n in named):
            private = True
            if kind == "unknown":
                kind = "witness"
    if kind == "unknown" and any(n in source for n in person_names):
        kind = "official" if PUBLIC_TITLES.search(source) else "unknown"
    return kind, channel, private


_APPOSITION_ROLE = re.compile(r",\s+((?:a|an)\s+[^,]{3,60}?)(?=\s+(?:who|which|that)\b|,|$)")


def private_role(source: str, kind: str) -> str:
    """What a private source is called in exports: its role, never its name.

    The report's own apposition says best who someone is ("Pavel F., a Russian paratrooper").
    """
    appo = _APPOSITION_ROLE.search(source)
    if appo and not re.search(r"[A-Z][a-z]+ [A-Z][a-z]+", appo.group(1)):
        return appo.group(1)
    lowered = source.lower()
    people = load_people()
    for word in people.roles:
        if re.search(rf"\b{re.escape(word)}\b", lowered):
            adjective = re.search(
                r"\b(" + "|".join(re.escape(a) for a in people.adjectives) + r")\b", lowered
            )
            return f"a {adjective.group(1) + ' ' if adjective else ''}{word}"
    return {"participant": "a soldier", "witness": "a witness"}.get(kind, "a private individual")


def make_attribution(speaker: Speaker, sentence: str, lex: Lexicon, person_names: set[str]) -> Attribution:
    kind, channel, private = classify(speaker.text, sentence, lex, person_names)
    return Attribution(
        source=speaker.text,
        kind=kind,
        channel=channel,
        start=speaker.start,
        end=speaker.end,
        private=private,
        role=private_role(speaker.text, kind) if private else None,
    )
