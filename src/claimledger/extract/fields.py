"""The fields of a claim beside its type: evidence, modality, actors, items, summary."""

from __future__ import annotations

import re
from functools import lru_cache

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
    # In the order the sentence names them (a set's order changes from one process to the next).
    named = sorted((segment.find(n), -len(n), n) for n in person_names if n in segment)
    for at, _, name in named:
        if name.lower() not in seen:
            seen.add(name.lower())
            actors.append(Actor(name, "other", True, sent.start + at, sent.start + at + len(name)))
    return tuple(actors[:8])


def speaker_actors(
    actors: tuple[Actor, ...], attribution: Attribution | None, person_names: set[str]
) -> tuple[Actor, ...]:
    """The actors with the private person a claim's source names, when the source was carried
    from an earlier sentence ("Pavel F., a paratrooper, said ... . The unit also took ..."):
    every private individual a claim's text can show is one of its private actors."""
    if attribution is None or not attribution.private:
        return actors
    seen = {a.text.lower() for a in actors}
    added = list(actors)
    for name in sorted(person_names, key=lambda n: (-len(n), n)):
        at = attribution.source.find(name)
        if at < 0 or any(name.lower() in other for other in seen):
            continue
        seen.add(name.lower())
        start = attribution.start + at if attribution.start is not None else None
        added.append(Actor(name, "witness", True, start, start + len(name) if start is not None else None))
    return tuple(added)


def summary(
    spec: TypeSpec, evidence: Span, locations: list[Location], date: DateInfo, attribution: Attribution | None
) -> str:
    return summary_text(spec.label, locations[0].name if locations else None, date, attribution, evidence)


def summary_text(
    label: str, place: str | None, date: DateInfo, attribution: Attribution | None, evidence: Span
) -> str:
    """ "Shelling in Kharkiv on 2022-05-03 — according to the governor: <the evidence>"."""
    parts = [label]
    if place:
        parts.append(f"in {place}")
    if date.start:
        parts.append(f"on {date.start}" if date.start == date.end else f"between {date.start} and {date.end}")
    head = " ".join(parts)
    source = f" — according to {attribution.source}" if attribution else ""
    quote = evidence.text if len(evidence.text) <= 220 else evidence.text[:217].rsplit(" ", 1)[0] + "…"
    return f"{head}{source}: {quote}"
