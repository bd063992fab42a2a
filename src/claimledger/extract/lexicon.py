"""The taxonomy and word lists that extraction reads, loaded once from TOML beside the code."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).parent


@dataclass(frozen=True)
class TypeSpec:
    name: str
    label: str
    acled: tuple[str, str] | None
    priority: int
    lemmas: frozenset[str]
    phrases: tuple[str, ...]
    needs: tuple[str, ...]


@dataclass(frozen=True, eq=False)  # hashed by identity: patterns are cached per lexicon
class Lexicon:
    types: dict[str, TypeSpec]
    objects: dict[str, frozenset[str]]
    items: dict[str, str]  # word or phrase -> category
    source_kinds: dict[str, str]  # word or phrase -> kind
    channels: dict[str, str]  # word or phrase -> channel


@dataclass(frozen=True)
class People:
    """Who is a private individual (lexicons/people.toml): the words that make a name a public
    figure acting in office or a body, known public figures, and the roles of private people."""

    titles: frozenset[str]
    bodies: frozenset[str]
    surnames: frozenset[str]
    given_names: frozenset[str]
    roles: tuple[str, ...]
    adjectives: tuple[str, ...]
    honorifics: frozenset[str]
    ages: frozenset[str]


def _read(name: str) -> dict:
    with (HERE / name).open("rb") as handle:
        return tomllib.load(handle)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The packaged lexicon (cached: it is read once per process)."""
    types = {}
    for name, spec in _read("taxonomy.toml").items():
        acled: tuple[str, str] | None = (spec["acled"][0], spec["acled"][1]) if "acled" in spec else None
        types[name] = TypeSpec(
            name=name,
            label=spec["label"],
            acled=acled,
            priority=int(spec.get("priority", 10)),
            lemmas=frozenset(spec.get("lemmas", [])),
            phrases=tuple(spec.get("phrases", [])),
            needs=tuple(spec.get("needs", [])),
        )
    objects = {k: frozenset(v) for k, v in _read("lexicons/objects.toml").items()}
    items = {word: category for category, words in _read("lexicons/items.toml").items() for word in words}
    sources = _read("lexicons/sources.toml")
    kinds: dict[str, str] = {}
    # Earlier kinds in this order win for a word listed under two kinds.
    for kind in ("military", "ngo", "expert", "government", "media", "participant", "witness"):
        for word in sources["kinds"].get(kind, []):
            kinds.setdefault(word, kind)
    channels = {word: channel for channel, words in sources["channels"].items() for word in words}
    return Lexicon(types=types, objects=objects, items=items, source_kinds=kinds, channels=channels)


@lru_cache(maxsize=1)
def load_people() -> People:
    """The packaged rules of who is a private individual (cached)."""
    data = _read("lexicons/people.toml")
    public, private = data["public"], data["private"]
    return People(
        titles=frozenset(public["titles"]),
        bodies=frozenset(public["bodies"]),
        surnames=frozenset(public["surnames"]),
        given_names=frozenset(public["given_names"]),
        roles=tuple(private["roles"]),
        adjectives=tuple(private["adjectives"]),
        honorifics=frozenset(private["honorifics"]),
        ages=frozenset(private["ages"]),
    )
