"""Language profiles: what the stages need to know of a report's language, kept as data.

A profile is one folder `lang/<code>/` holding `profile.toml` (morphology, verbs of saying,
modality and forecast words, date words, boilerplate), `triggers.toml` (lemmas of each claim
type), `sources.csv` (who speaks: kind, side, English name) and `regions.csv` (region names by
lemma). The stages ask `profile(code)` and read the data; none of them tests for a language by
name. English is still read by the spaCy pipeline and its lexicons in `extract/` (its
`profile("en")` is None), and the next language is one more folder.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
# A word of a Cyrillic or Latin text: letters and digits, with inner apostrophes and hyphens.
WORD = re.compile(r"[^\W_]+(?:[’'ʼ\-][^\W_]+)*")


@dataclass(frozen=True)
class TriggerType:
    name: str
    priority: int
    lemmas: frozenset[str]
    phrases: frozenset[tuple[str, ...]]


@dataclass(frozen=True)
class SourceEntry:
    stem: str
    kind: str
    side: str
    english: str


@dataclass(frozen=True)
class Region:
    lemma: str
    form: str  # "adjective" (before a word for region) or "noun"
    place: str
    kind: str  # "admin1" or "region"
    country: str


@dataclass(frozen=True, eq=False)  # hashed by identity: caches are kept per profile
class Profile:
    code: str
    morphology: str
    script: str
    triggers: tuple[TriggerType, ...]
    speech: frozenset[str]
    according_to: tuple[str, ...]
    prepositions: frozenset[str]
    labels: frozenset[str]
    alleged: frozenset[str]
    denied: frozenset[str]
    forecast: frozenset[str]
    purpose: frozenset[str]
    negation: frozenset[str]
    questions: frozenset[str]
    months: dict[str, int]
    night_before: tuple[str, ...]
    relative: tuple[tuple[str, int, int], ...]
    relative_months: tuple[tuple[str, int], ...]
    weekdays: dict[str, int]
    boilerplate: tuple[str, ...]
    sources: tuple[SourceEntry, ...]
    regions: dict[str, tuple[Region, ...]]
    region_words: frozenset[str]
    default_country: str | None
    town_adjective_before: frozenset[str]

    def lemmas(self, word: str) -> frozenset[str]:
        """Every normal form the morphology gives the word (all its parses), and the word."""
        return _lemmas(self.code, word.lower())

    def place_lemmas(self, word: str) -> frozenset[str]:
        """The normal forms a place name may have: of the parses that are no person's name and no
        function word; none at all when the word can be a function word ("Коли", "Мы")."""
        return _place_lemmas(self.code, word.lower())

    def boilerplate_spans(self, text: str) -> list[tuple[int, int]]:
        """Page furniture of the language's channels and sites ("Читати далі", "Реклама:")."""
        return sorted((m.start(), m.end()) for m in _boilerplate(self).finditer(text))

    def parses(self, word: str) -> tuple[Any, ...]:
        """The morphology's parses of a word (pymorphy3 Parse objects), remembered."""
        return _parses(self.code, word)


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    yield from csv.DictReader(lines)


@lru_cache(maxsize=8)
def profile(code: str | None) -> Profile | None:
    """The profile of a language code ("uk", "ru"), or None when there is no folder for it."""
    if not code or not re.fullmatch(r"[a-z]{2,3}", code):
        return None
    folder = HERE / code
    if not (folder / "profile.toml").is_file():
        return None
    data = tomllib.loads((folder / "profile.toml").read_text(encoding="utf-8"))
    triggers = tomllib.loads((folder / "triggers.toml").read_text(encoding="utf-8"))
    regions: dict[str, list[Region]] = {}
    for row in _rows(folder / "regions.csv"):
        region = Region(row["lemma"], row["form"], row["place"], row["kind"], row["country"])
        regions.setdefault(region.lemma, []).append(region)
    dates = data["dates"]
    return Profile(
        code=code,
        morphology=data["morphology"],
        script=data["script"],
        triggers=tuple(
            sorted(
                (
                    TriggerType(
                        name,
                        int(spec["priority"]),
                        frozenset(spec.get("lemmas", [])),
                        frozenset(tuple(p.split()) for p in spec.get("phrases", [])),
                    )
                    for name, spec in triggers.items()
                ),
                key=lambda t: t.priority,
            )
        ),
        speech=frozenset(data["speech"]["lemmas"]),
        according_to=tuple(sorted(data["speech"]["according_to"], key=len, reverse=True)),
        prepositions=frozenset(data["speech"]["prepositions"]),
        labels=frozenset(data["speech"].get("labels", [])),
        alleged=frozenset(data["modality"]["alleged"]),
        denied=frozenset(data["modality"]["denied"]),
        forecast=frozenset(data["modality"]["forecast"]),
        purpose=frozenset(data["modality"].get("purpose", [])),
        negation=frozenset(data["modality"].get("negation", [])),
        questions=frozenset(data["modality"].get("questions", [])),
        months=dict(dates["months"]),
        night_before=tuple(dates["night_before"]),
        relative=tuple((r["words"], int(r["from"]), int(r["to"])) for r in dates["relative"]),
        relative_months=tuple((r["words"], int(r["months"])) for r in dates.get("relative_months", [])),
        weekdays=dict(dates["weekdays"]),
        boilerplate=tuple(data["boilerplate"]["patterns"]),
        sources=tuple(
            sorted(
                (
                    SourceEntry(r["stem"], r["kind"], r["side"], r["english"])
                    for r in _rows(folder / "sources.csv")
                ),
                key=lambda s: -len(s.stem),
            )
        ),
        regions={k: tuple(v) for k, v in regions.items()},
        region_words=frozenset(
            data.get("regions", {}).get("words", ["область", "обл", "край", "регіон", "регион"])
        ),
        default_country=data.get("places", {}).get("default_country"),
        town_adjective_before=frozenset(data.get("places", {}).get("town_adjective_before", [])),
    )


@lru_cache(maxsize=8)
def _boilerplate(prof: Profile) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in prof.boilerplate) or r"(?!)")


@lru_cache(maxsize=4)
def _analyzer(code: str) -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=code)


@lru_cache(maxsize=200_000)
def _parses(code: str, word: str) -> tuple[Any, ...]:
    return tuple(_analyzer(code).parse(word))


@lru_cache(maxsize=200_000)
def _lemmas(code: str, word: str) -> frozenset[str]:
    return frozenset({p.normal_form.replace("ё", "е") for p in _parses(code, word)} | {word})


# Parts of speech that no place name shares (OpenCorpora tags, as pymorphy3 gives them).
_FUNCTION_WORDS = frozenset({"CONJ", "PREP", "PRCL", "NPRO", "INTJ", "ADVB", "PRED", "COMP", "NUMR"})
# Given names and patronymics are people; a surname may be a town's name too ("Стаханов").
_PERSON_NAMES = frozenset({"Name", "Patr"})


@lru_cache(maxsize=200_000)
def _place_lemmas(code: str, word: str) -> frozenset[str]:
    parses = _parses(code, word)
    if any(p.tag.POS in _FUNCTION_WORDS for p in parses):
        return frozenset()
    kept = [p for p in parses if not (_PERSON_NAMES & set(p.tag.grammemes))]
    lemmas = {p.normal_form.replace("ё", "е") for p in kept}
    return frozenset(lemmas | ({word} if len(kept) == len(parses) else set()))


# The languages a report may be in for the detector below to tell: English and those with a profile.
DETECTABLE = ("en", "uk", "ru", "be", "pl", "de", "fr")


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(list(DETECTABLE))
    return identifier


def detect(text: str) -> str | None:
    """The language of a text (py3langid restricted to DETECTABLE), None for a text too short."""
    sample = text.strip()[:5000]
    if len(sample) < 12:
        return None
    code, _ = _identifier().classify(sample)
    return str(code)


def language_of(declared: str | None, text: str) -> str | None:
    """The report's language: the declared one when English or a profile covers it and the script
    agrees (a Cyrillic text declared "en" does not), else detected."""
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in text[:2000])
    latin = sum(c.isascii() and c.isalpha() for c in text[:2000])
    known = declared == "en" or (declared is not None and profile(declared) is not None)
    if declared and known and (declared == "en") == (latin >= cyrillic):
        return declared
    # Undeclared, contradicted by the script, or a code an unrestricted detector gave a short
    # post ("bg", "mk" for Ukrainian): told again among the languages claimledger reads.
    return detect(text) or declared


def codes() -> list[str]:
    """The language codes that have a profile, in order."""
    return sorted(p.name for p in HERE.iterdir() if (p / "profile.toml").is_file())


def profiles_in_script(text: str) -> list[Profile]:
    """The profiles whose script the text's letters are written in (a place string too short to
    tell its language by: "Харківська область")."""
    import unicodedata

    letters = [c for c in text if c.isalpha()]
    found = [p for p in map(profile, codes()) if p is not None]
    return [p for p in found if letters and all(p.script in unicodedata.name(c, "") for c in letters)]


def profile_of(declared: str | None, text: str) -> Profile | None:
    """The profile a report is read with, or None for English (and languages with no profile)."""
    return profile(language_of(declared, text))


__all__ = [
    "Profile",
    "Region",
    "SourceEntry",
    "TriggerType",
    "WORD",
    "detect",
    "language_of",
    "profile",
    "profile_of",
]
