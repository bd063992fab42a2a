"""Places named in an inflected language ("у Харкові", "под Изюмом", "Донецкой области").

Every word of the text is taken to its lemmas by the language profile's morphology (all parses,
so "Харкові" tries the surname "Харко" and the city "Харків"), and a lemma, or two neighbouring
lemmas ("Кривий Ріг"), is looked up among the gazetteer's Cyrillic names. Regions come from the
profile's `regions.csv`: an adjective before a word for region ("Харківська область") or a
region's own name ("на Харківщині", "в Крыму").
"""

from __future__ import annotations

import itertools
import math
import re
from typing import TYPE_CHECKING

from claimledger.geo.gazetteer import Entry, Gazetteer, shared_gazetteer
from claimledger.model import Location

if TYPE_CHECKING:
    from claimledger.lang import Profile, Region

# Countries whose places the war reporting names first when one name has namesakes elsewhere.
THEATRE_ORDER = {"UA": 0, "RU": 1, "BY": 2, "MD": 3}
# A single-word name must be at least this long (shorter lemmas are mostly common words).
MIN_LEMMA = 3
# A single word in quotes names a unit, an operation or a firm (ОК "Схід"), not a place.
_QUOTES = frozenset("\"«»“”„'")
_SENTENCE_START = re.compile(r"(?:^|[.!?…:\n»\"“]\s*|\s{2,})$")


# How much a place of the theatre counts over a namesake elsewhere, in orders of magnitude of
# population: a Ukrainian village "Париж" loses to Paris, Donetsk in Ukraine beats Donetsk by Rostov.
THEATRE_BONUS = 2.0


def _best(entries: list[Entry]) -> Entry | None:
    if not entries:
        return None
    return max(
        entries,
        key=lambda e: (
            math.log10(1 + e.population) + (THEATRE_BONUS if e.country in THEATRE_ORDER else 0.0),
            -THEATRE_ORDER.get(e.country, 9),
        ),
    )


def _location(entry: Entry, surface: str, start: int, end: int, precision: str) -> Location:
    return entry.located(surface, start, end, precision)


def _region_entry(region: Region, gaz: Gazetteer) -> tuple[Entry | None, str]:
    if region.kind == "admin1":
        return gaz.admin1(region.country, region.place), "admin1"
    if region.kind == "country":
        return gaz.country(region.place), "country"
    found = [e for e in gaz.lookup(region.place) if e.kind == region.kind and e.country == region.country]
    return (found[0] if found else None), region.kind


# Endings of the adjective a town gives its district or front ("сіверський" of Сіверськ,
# "джанкойський" of Джанкой, "маріупольський" of Маріуполь), longest first.
_TOWN_ADJECTIVE = re.compile(r"(?:ський|ский|цький|цкий|ій|ий)$")


def _towns_of_adjective(lemma: str) -> list[str]:
    """The town names an adjective may be formed from: "сіверський" -> ["сіверськ", "сівер"]."""
    out = []
    if lemma.endswith(("ий", "ій")):
        out.append(lemma[:-2])
    stripped = _TOWN_ADJECTIVE.sub("", lemma)
    if stripped and stripped not in out:
        out.append(stripped)
    return out


# A word in capitals this short is an abbreviation (ОДА, ЗСУ, МО), not a town; regions and
# countries written so (ДНР, США) come from the profile's regions.csv.
MAX_ABBREVIATION = 5


def _first_word_forms(word: str, prof: Profile) -> set[str]:
    """The first word of a two-word name as the name may be written: its lemmas, and an
    adjective in the nominative of every gender ("Новой" -> "новая", "новое": Новая Каховка)."""
    forms = set(prof.place_lemmas(word))
    for parse in prof.parses(word):
        if parse.tag.POS == "ADJF":
            for gender in ("masc", "femn", "neut"):
                inflected = parse.inflect({"nomn", "sing", gender})
                if inflected is not None:
                    forms.add(inflected.word.replace("ё", "е"))
    return forms


def _is_name(word: str) -> bool:
    return word[:1].isupper()


def find_inflected_places(text: str, prof: Profile, gaz: Gazetteer | None = None) -> list[Location]:
    """Every place the text names, in text order, read through the profile's morphology."""
    from claimledger.lang import WORD

    gaz = gaz or shared_gazetteer()
    words = [(m.group(0), m.start(), m.end()) for m in WORD.finditer(text)]
    lemmas = [prof.lemmas(w) for w, _, _ in words]
    out: list[Location] = []
    i = 0
    while i < len(words):
        word, start, end = words[i]
        found: Location | None = None
        step = 1
        # A region: its adjective before a word for region, or its own name.
        for lemma in sorted(lemmas[i]):
            for region in prof.regions.get(lemma, ()):
                if region.form.startswith("before:"):
                    if i + 1 < len(words) and region.form[7:] in lemmas[i + 1]:
                        entry, precision = _region_entry(region, gaz)
                        if entry is not None:
                            found = _location(
                                entry, text[start : words[i + 1][2]], start, words[i + 1][2], precision
                            )
                            step = 2
                elif region.form == "adjective":
                    if i + 1 < len(words) and lemmas[i + 1] & prof.region_words:
                        entry, precision = _region_entry(region, gaz)
                        if entry is not None:
                            found = _location(
                                entry, text[start : words[i + 1][2]], start, words[i + 1][2], precision
                            )
                            step = 2
                elif _is_name(word):
                    entry, precision = _region_entry(region, gaz)
                    if entry is not None:
                        found = _location(entry, word, start, end, precision)
                if found:
                    break
            if found:
                break
        if found is None and i + 1 < len(words) and lemmas[i + 1] & prof.town_adjective_before:
            # "на Сіверському напрямку", "у Джанкойському районі": the town the adjective is formed from.
            adjectives = {p.normal_form for p in prof.parses(word) if p.tag.POS == "ADJF"}
            entries = [
                e
                for lemma in sorted(adjectives)
                for town in _towns_of_adjective(lemma)
                if len(town) >= MIN_LEMMA
                for e in gaz.cyrillic(town)
                if e.kind == "place"
            ]
            entry = _best(entries)
            if entry is not None:
                found = _location(entry, word, start, end, "place")
        quoted = start > 0 and end < len(text) and text[start - 1] in _QUOTES and text[end] in _QUOTES
        if found is None and _is_name(word) and not quoted:
            # Two capitalised words joined by a space or hyphen: "Кривий Ріг", "Нова Каховка".
            if i + 1 < len(words) and _is_name(words[i + 1][0]) and words[i + 1][1] - end == 1:
                following = words[i + 1]
                entries = [
                    e
                    for a, b in itertools.product(
                        sorted(_first_word_forms(word, prof)), sorted(prof.place_lemmas(following[0]))
                    )
                    for e in gaz.cyrillic(f"{a} {b}")
                ]
                entry = _best(entries)
                if entry is not None:
                    found = _location(entry, text[start : following[2]], start, following[2], "place")
                    step = 2
            named_person = (
                i + 1 < len(words)
                and _is_name(words[i + 1][0])
                and words[i + 1][1] - end == 1
                and any("anim" in p.tag for p in prof.parses(word))
            )
            abbreviation = word.isupper() and len(word) <= MAX_ABBREVIATION
            # An adjective alone ("Новая" of a name the gazetteer spells otherwise) is no town.
            adjective = all(p.tag.POS in ("ADJF", "ADJS") for p in prof.parses(word))
            if found is None and not named_person and not abbreviation and not adjective:
                entries = [
                    e
                    for lemma in sorted(prof.place_lemmas(word))
                    if len(lemma) >= MIN_LEMMA
                    for e in gaz.cyrillic(lemma)
                ]
                entries = [e for e in entries if e.kind == "place"]
                if _SENTENCE_START.search(text, 0, start) and not word.isupper():
                    # The first word of a sentence is capitalised anyway: a common word
                    # there ("Мир") is a place only when it is a large town of the theatre.
                    entries = [e for e in entries if e.country in THEATRE_ORDER and e.population >= 10_000]
                entry = _best(entries)
                if entry is not None:
                    found = _location(entry, word, start, end, "place")
        if found is not None:
            out.append(found)
        i += step
    return out


__all__ = ["find_inflected_places"]
