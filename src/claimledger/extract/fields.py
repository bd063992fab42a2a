"""The fields of a claim beside its type: evidence, modality, actors, items, private names, summary."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from claimledger.extract.lexicon import Lexicon, TypeSpec
from claimledger.extract.sentences import Sentence
from claimledger.model import Actor, Attribution, DateInfo, Item, Location, Span

MAX_EVIDENCE = 600
_PERPETRATOR = re.compile(
    r"\b(?:(?:Russian|Ukrainian|Belarusian|Chechen|pro-Russian|pro-Moscow|separatist|Kremlin|Putin's|Moscow's|Kyiv's|enemy|occupying)"
    r"[- ](?:[a-z]+ )?(?:troops|soldiers|forces|servicemen|army|military|occupiers|units|mercenaries|fighters|paratroopers|"
    r"marines|invaders|commanders|guards|police|officials|authorities|gunmen|militants)"
    r"|the occupiers|occupiers|invaders|Russians|Wagner(?: Group)?(?: mercenaries)?|Kadyrovites|Rosgvardia|the Russian army|"
    r"Russia|Ukraine)\b"
)
_VICTIM = re.compile(
    r"\b(?:(?:\d[\d,]*|two|three|four|five|six|seven|eight|nine|ten|dozens of|hundreds of|thousands of|many|several)\s+)?"
    r"(?:civilians|residents|villagers|women|children|people|families|refugees|prisoners|patients|men|a (?:woman|man|child|boy|girl)|"
    r"an? (?:elderly|\d+-year-old) (?:woman|man))\b",
    re.IGNORECASE,
)
_PRIVATE_ROLES = (
    r"(?:resident|refugee|witness|villager|survivor|mother|father|wife|husband|widow|teacher|nurse|volunteer|farmer|"
    r"pensioner|neighbou?r|student|worker|soldier|serviceman|conscript|reservist|prisoner|driver|grandmother|grandfather|"
    r"local|evacuee|shopkeeper|businessman|businesswoman|engineer|priest)"
)
_NAMED_PRIVATE = re.compile(
    rf"(?P<name>[A-Z][a-z’'-]+(?: [A-Z][a-z’'-]+){{1,2}}),\s+(?:\d+,\s+)?(?:a|an|the)\s+(?:[\w-]+\s+){{0,3}}{_PRIVATE_ROLES}\b"
    rf"|\b{_PRIVATE_ROLES}\s+(?P<name2>[A-Z][a-z’'-]+(?: [A-Z][a-z’'-]+){{1,2}})\b"
)
_POSSIBLE = re.compile(
    r"\b(?:may have|might have|possibly|probably|likely|suspected|appears? to|appeared to|apparently|feared|believed to|thought to|could be)\b",
    re.I,
)
_DENIED = re.compile(
    r"\b(?:denied|denies|deny|denying|rejected (?:the )?(?:claims?|allegations?|accusations?)|dismissed (?:the )?(?:claims?|allegations?)|fake|staged|false(?:ly)?|no evidence)\b",
    re.I,
)
_ALLEGED = re.compile(
    r"\b(?:accus\w*|alleg\w*|claim(?:s|ed)?|reportedly|purportedly|said to have|reports? of|suspected of)\b",
    re.I,
)


def evidence_span(text: str, sent: Sentence, trigger: tuple[int, int]) -> Span:
    start, end = sent.start, sent.end
    if end - start > MAX_EVIDENCE:
        # Long sentences (run-on captions, lists): keep a window around the trigger.
        start = max(start, trigger[0] - MAX_EVIDENCE // 2)
        end = min(end, start + MAX_EVIDENCE)
        while start > sent.start and not text[start - 1].isspace():
            start += 1
        while end < sent.end and end > start and not text[end - 1].isspace() and end - start >= MAX_EVIDENCE:
            end -= 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end, text[start:end])


def modality(sent: Sentence, trigger: tuple[int, int]) -> str:
    lower = sent.lower
    if _DENIED.search(lower):
        return "denied"
    if re.search(r"\b(?:would|could) have\b", lower):
        return "hypothetical"
    if _POSSIBLE.search(lower):
        return "possible"
    if _ALLEGED.search(lower):
        return "alleged"
    return "asserted"


@lru_cache(maxsize=4)
def _items_pattern(lex: Lexicon) -> re.Pattern[str]:
    words = sorted(lex.items, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w-])")


def items_of(sent: Sentence, lex: Lexicon) -> tuple[Item, ...]:
    """Looted items named in the sentence, longest names first, with their categories."""
    found: dict[str, Item] = {}
    for match in _items_pattern(lex).finditer(sent.lower):
        surface = sent.text[sent.start + match.start() : sent.start + match.end()]
        found.setdefault(surface.lower(), Item(surface, lex.items[match.group(0)]))
    return tuple(found.values())


def actors_of(sent: Sentence, claim_type: str, person_names: set[str]) -> tuple[Actor, ...]:
    text = sent.text
    actors: list[Actor] = []
    seen: set[str] = set()
    segment = text[sent.start : sent.end]
    for match in _PERPETRATOR.finditer(segment):
        surface = match.group(0)
        if (
            surface.lower() in seen
            or surface in ("Russia", "Ukraine")
            and claim_type not in ("territory_change", "shelling", "air_strike", "armed_clash")
        ):
            continue
        seen.add(surface.lower())
        actors.append(
            Actor(surface, "perpetrator", False, sent.start + match.start(), sent.start + match.end())
        )
    if claim_type in (
        "attack_on_civilians",
        "abduction",
        "sexual_violence",
        "looting",
        "displacement",
        "shelling",
        "air_strike",
        "explosive_device",
        "arrest",
    ):
        for match in _VICTIM.finditer(segment):
            surface = match.group(0)
            if surface.lower() in seen:
                continue
            seen.add(surface.lower())
            actors.append(
                Actor(surface, "victim", False, sent.start + match.start(), sent.start + match.end())
            )
    for name in person_names:
        at = segment.find(name)
        if at >= 0 and name.lower() not in seen:
            seen.add(name.lower())
            actors.append(Actor(name, "other", True, sent.start + at, sent.start + at + len(name)))
    return tuple(actors[:8])


def private_names(doc: Any) -> set[str]:
    """PERSON entities that are not known public figures or named with a public title."""
    from claimledger.extract.attribution import KNOWN_PUBLIC, PUBLIC_TITLES

    names: set[str] = set()
    public: set[str] = set()
    text = doc.text  # once per report
    for ent in doc.ents:
        if ent.label_ != "PERSON" or len(ent.text) < 3:
            continue
        window = text[max(0, ent.start_char - 80) : ent.end_char + 60]
        parts = {p.lower().strip(".,'’") for p in ent.text.split()}
        if parts & KNOWN_PUBLIC or PUBLIC_TITLES.search(window):
            public.update(p for p in ent.text.split())
            continue
        names.add(ent.text.strip())
    # The small model often tags a witness's name as ORG: the apposition says who it is.
    for match in _NAMED_PRIVATE.finditer(text):
        name = match.group("name") or match.group("name2")
        if name and not {p.lower() for p in name.split()} & KNOWN_PUBLIC:
            names.add(name)
    # A surname first seen with a title stays public when repeated alone ("Mr Zubkov").
    return {n for n in names if not set(n.split()) & public}


def summary(
    spec: TypeSpec, evidence: Span, locations: list[Location], date: DateInfo, attribution: Attribution | None
) -> str:
    parts = [spec.label]
    if locations:
        parts.append(f"in {locations[0].name}")
    if date.start:
        parts.append(f"on {date.start}" if date.start == date.end else f"between {date.start} and {date.end}")
    head = " ".join(parts)
    source = f" — according to {attribution.source}" if attribution else ""
    quote = evidence.text if len(evidence.text) <= 220 else evidence.text[:217].rsplit(" ", 1)[0] + "…"
    return f"{head}{source}: {quote}"
