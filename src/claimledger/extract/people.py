"""People: which names in a report are private individuals, by the rules of lexicons/people.toml.

A name is a candidate when spaCy tags it PERSON, when an apposition gives it a private role
("Pavel F., a Russian paratrooper") or when an honorific precedes it ("Ms Hrytsenko"). A
candidate is not a person when it is a place (the geo stage located it in this report, or the
gazetteer knows the name as a populated place), a common noun opening a headline ("Deminer
wounded ..."), or a channel or body the source lexicon lists ("Twitter"). It is a public figure
when it has a known public surname or a title or body word stands beside it; otherwise private.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from claimledger.extract.lexicon import People, load_lexicon, load_people
from claimledger.model import Location

# How far before a name a title may stand ("A spokesperson for the ministry, Oleg Nikolenko").
TITLE_WORDS_BEFORE = 5
_NAME_WORD = r"[A-Z][a-z’'-]+"
_INITIAL = r"[A-Z]\."


@lru_cache(maxsize=1)
def public_titles() -> re.Pattern[str]:
    """Title and body words, as one pattern (case-insensitive)."""
    people = load_people()
    words = sorted(people.titles | people.bodies, key=len, reverse=True)
    # A word boundary, so that a compound holds its title ("director-general").
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _titled() -> re.Pattern[str]:
    """A title just before a name ("director-general Andriy Korniychuk", "President Zelensky")."""
    words = sorted(load_people().titles, key=len, reverse=True)
    titles = "|".join(re.escape(w) for w in words)
    return re.compile(rf"\b(?i:{titles})\s+(?P<name>{_NAME_WORD}(?: {_NAME_WORD}){{0,2}})")


@lru_cache(maxsize=1)
def _aged() -> re.Pattern[str]:
    """A name and an age after it ("Sofiia, 11,", "Olena Kovalchuk, 54,")."""
    ages = "|".join(sorted(load_people().ages, key=len, reverse=True))
    return re.compile(
        rf"\b(?P<name>{_NAME_WORD}(?: {_NAME_WORD})?),\s+(?:\d{{1,3}}|{ages})\b(?=,|\s+(?:years?|months?)\b|\s+(?:and|under|in|from|who|were|was)\b|\.)"
    )


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    people = load_people()
    roles = "(?:" + "|".join(re.escape(r) for r in sorted(people.roles, key=len, reverse=True)) + ")s?"
    name = rf"{_NAME_WORD}(?: (?:{_NAME_WORD}|{_INITIAL})){{1,2}}"
    named_private = re.compile(
        rf"(?P<name>{name}),\s+(?:\d+,\s+)?(?:a|an|the)\s+(?:[\w-]+\s+){{0,3}}{roles}\b"
        rf"|\b{roles}\s+(?P<name2>{name})\b"
    )
    honorific = re.compile(
        r"\b(?:"
        + "|".join(re.escape(h) for h in sorted(people.honorifics))
        + rf")\.?\s+(?P<name>{_NAME_WORD}(?: {_NAME_WORD})?)"
    )
    role_word = re.compile(r"(?<![\w-])" + roles + r"(?![\w-])", re.IGNORECASE)
    return named_private, honorific, role_word


def name_words(name: str, people: People | None = None) -> list[str]:
    """The words of a name without honorifics and initials ("Ms Olena Hrytsenko" -> Olena, Hrytsenko)."""
    people = people or load_people()
    words = [w.strip(".,’'") for w in name.split()]
    return [w for w in words if len(w) >= 2 and w not in people.honorifics and not re.fullmatch(r"[A-Z]", w)]


def is_known_public(name: str, people: People | None = None) -> bool:
    """A known public figure: a known public surname, or a known given name alone or before one."""
    people = people or load_people()
    words = [w.lower() for w in name_words(name, people)]
    if not words:
        return False
    if any(w in people.surnames for w in words):
        return True
    return all(w in people.given_names for w in words)


def _apposition(text: str, end: int) -> str:
    """The apposition right after a name: ", a Russian paratrooper" -> "a Russian paratrooper"."""
    # A full stop inside an abbreviation ("the U.N. assistant secretary-general") does not end it.
    match = re.match(
        r"\s*,\s*(?:\d+,\s*)?((?:a|an|the|who is|who was)\s+(?:[^,.;:!?\n]|\.(?=\w|\s+[a-z])){1,70})",
        text[end : end + 90],
    )
    return match.group(1) if match else ""


def _before(text: str, start: int) -> str:
    """The words just before a name, within its sentence ("Regional governor")."""
    window = re.split(r"[.;:!?\n“”\"]", text[max(0, start - 80) : start])[-1]
    return " ".join(window.split()[-TITLE_WORDS_BEFORE:])


def is_public_at(text: str, start: int, end: int, name: str) -> bool:
    """True when the name at text[start:end] is a public figure or a body, by the title or role
    beside it or by being known; the apposition after the name decides first."""
    people = load_people()
    if is_known_public(name, people):
        return True
    titles = public_titles()
    apposition = _apposition(text, end)
    if apposition:
        if titles.search(apposition):
            return True
        if _patterns()[2].search(apposition):
            return False
    return bool(titles.search(_before(text, start)))


def _not_a_person(
    name: str, start: int, end: int, text: str, places: list[Location], place_names: set[str]
) -> bool:
    from claimledger.geo import is_populated_place

    if any(p.start is not None and p.end is not None and p.start <= start and end <= p.end for p in places):
        return True  # the geo stage read this span as a place ("the village of Yahidne")
    if name in place_names or is_populated_place(name):
        return True  # "Kherson", "Sumy", "Davydiv Brid"
    words = name.split()
    if len(words) == 1:
        lowered = name.lower()
        lex = load_lexicon()
        if lowered in lex.channels or lowered in lex.source_kinds:
            return True  # "Twitter", "Telegram": a channel or a body, not a person
        if re.search(rf"(?<![\w-]){re.escape(lowered)}(?![\w-])", text):
            return True  # "Deminer wounded ...": a headline's capital, the text also writes "a deminer"
    return False


def private_names(doc: Any, places: Iterable[Location] = ()) -> set[str]:
    """The names of private individuals in a report, given its spaCy doc and its located places."""
    text = doc.text  # once per report
    located = [p for p in places if p.precision in ("place", "admin2", "admin1", "region", "country")]
    place_names = {p.text for p in located if p.text} | {p.name for p in located}
    named_private, honorific, _ = _patterns()
    candidates: list[tuple[str, int, int]] = []
    for ent in doc.ents:
        if ent.label_ == "PERSON" and len(ent.text.strip()) >= 3:
            candidates.append((ent.text.strip(), ent.start_char, ent.end_char))
    # The small model often misses a witness's name or tags it ORG: the apposition says who it is.
    for match in named_private.finditer(text):
        group = "name" if match.group("name") else "name2"
        candidates.append((match.group(group), match.start(group), match.end(group)))
    for match in honorific.finditer(text):
        candidates.append((text[match.start() : match.end("name")], match.start(), match.end("name")))
    # A given name with an age after it is a person ("her daughters Sofiia, 11, and Olena, eight").
    from claimledger.geo import first_names

    for match in _aged().finditer(text):
        if match.group("name").split()[0] in first_names():
            candidates.append((match.group("name"), match.start("name"), match.end("name")))
    multiword = {w for name, _, _ in candidates if len(name.split()) > 1 for w in name_words(name)}
    names: set[str] = set()
    # A name just after a title is an office holder's wherever spaCy missed it.
    public = {w for match in _titled().finditer(text) for w in name_words(match.group("name"))}
    for name, start, end in candidates:
        if name not in multiword and _not_a_person(name, start, end, text, located, place_names):
            continue
        if is_public_at(text, start, end, name):
            public.update(name_words(name))
            continue
        names.add(name)
    # A surname first seen with a title stays public when repeated alone ("Mr Zubkov"); a
    # given name shared with a public figure does not make another person public.
    return {n for n in names if not (name_words(n) and name_words(n)[-1] in public)}
