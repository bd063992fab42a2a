"""Privacy: named private individuals become their role wherever records leave the library.

A report's redaction set is every private individual its claims name (their private actors
and private sources), each with the role that replaces it ("a resident", "a Russian
paratrooper"), and each word of such a name alone ("Kovalchuk said ..."). `redact` applies a
set to a record in its export shape (a claim, an incident, an ACLED row, a GeoJSON feature, a
review): every text field is redacted, in every claim of the report, not only the claim that
names the person. The verbatim quotes of the original (evidence spans) and the reports'
texts are evidence and are never rewritten: they must match the original character for
character.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from claimledger.extract.lexicon import load_people
from claimledger.extract.people import name_words
from claimledger.model import Actor, Claim

ACTOR_ROLES = {"victim": "a victim", "witness": "a witness", "perpetrator": "a perpetrator"}
PRIVATE_INDIVIDUAL = "a private individual"
# Fields that are never rewritten: identifiers, hashes, accounts, times, and the evidence
# spans, which quote the original.
VERBATIM_KEYS = frozenset(
    {
        "evidence",
        "claim_id",
        "report_id",
        "incident_id",
        "claim_ids",
        "report_ids",
        "story_id",
        "story_ids",
        "sha256",
        "review_id",
        "user",
        "at",
        "event_id_cnty",
        "geonameid",
        "type",
        "kind",
        "precision",
        "country",
        "modality",
    }
)


def role_of_actor(actor: Actor) -> str:
    return ACTOR_ROLES.get(actor.role, PRIVATE_INDIVIDUAL)


@dataclass(frozen=True)
class Redaction:
    """The private individuals one report (or the reports of one incident) names."""

    names: tuple[tuple[str, str], ...] = ()  # a name or a private source's words -> its role
    words: tuple[tuple[str, str], ...] = ()  # a single word of a name -> the role of that name

    def __bool__(self) -> bool:
        return bool(self.names or self.words)

    def merged(self, *others: Redaction) -> Redaction:
        """This set with the names of the others (itself when they add none)."""
        others = tuple(
            o for o in others if not (set(o.names) <= set(self.names) and set(o.words) <= set(self.words))
        )
        if not others:
            return self
        names = dict(self.names)
        words = dict(self.words)
        for other in others:
            for name, role in other.names:
                names.setdefault(name, role)
            for word, role in other.words:
                words.setdefault(word, role)
        return _redaction(names, words)

    @cached_property
    def _names(self) -> tuple[re.Pattern[str] | None, dict[str, str]]:
        return _pattern([n for n, _ in self.names]), dict(self.names)

    @cached_property
    def _words(self) -> tuple[re.Pattern[str] | None, dict[str, str]]:
        return _pattern([w for w, _ in self.words]), dict(self.words)

    def text(self, value: str) -> str:
        """The text with every name of the set, then every word of a name, replaced by its role.
        A word is left where it is part of another name ("Pavlo" in "Pavlo Kyrylenko")."""
        pattern, roles = self._names
        if pattern is not None:
            value = pattern.sub(lambda m: roles[m.group(0)], value)
        pattern, roles = self._words
        if pattern is not None:
            value = pattern.sub(
                lambda m: m.group(0) if _in_other_name(m, roles) else roles[m.group(0)], value
            )
        return value


NO_REDACTION = Redaction()


def _pattern(names: list[str]) -> re.Pattern[str] | None:
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=lambda n: (-len(n), n)))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def _redaction(names: Mapping[str, str], words: Mapping[str, str]) -> Redaction:
    return Redaction(
        tuple(sorted(names.items())), tuple(sorted((w, r) for w, r in words.items() if w not in names))
    )


def _in_other_name(match: re.Match[str], words: Mapping[str, str]) -> bool:
    """True when a capitalised word just before or after the match makes it part of a name that
    is not in the set ("Pavlo" in "Pavlo Kyrylenko"). An honorific, another word of a private
    name, a function word ("Then", "The") or an English verb, adjective or adverb does not."""
    text = match.string
    before = re.search(r"([A-Z][\w’'-]*) $", text[max(0, match.start() - 40) : match.start()])
    after = re.match(r" ([A-Z][\w’'-]*)", text[match.end() : match.end() + 40])
    return any(n is not None and _name_word(n.group(1), words) for n in (before, after))


def _name_word(word: str, words: Mapping[str, str]) -> bool:
    from spacy.lang.en.stop_words import STOP_WORDS

    from claimledger.geo.gazetteer import shared_gazetteer

    if word in words or word in load_people().honorifics or word.lower() in STOP_WORDS:
        return False
    return not shared_gazetteer().is_word(word)


def redaction_of(claims: Iterable[Claim]) -> Redaction:
    """The redaction set of the private individuals these claims name (one report's claims)."""
    ordered = sorted(claims, key=lambda c: (c.evidence[0].start if c.evidence else 0, c.claim_id))
    names: dict[str, str] = {}
    people: dict[str, str] = {}
    # A private source's role names the person best ("a Russian paratrooper").
    for claim in ordered:
        for attribution in claim.attributions:
            if attribution.private:
                role = attribution.role or PRIVATE_INDIVIDUAL
                names.setdefault(attribution.source, role)
                for actor in claim.actors:
                    if actor.private and actor.text in attribution.source:
                        people.setdefault(actor.text, role)
    for claim in ordered:
        for actor in claim.actors:
            if actor.private:
                people.setdefault(actor.text, role_of_actor(actor))
    words: dict[str, str] = {}
    for name, role in people.items():
        names.setdefault(name, role)
        for word in name_words(name):
            if len(word) >= 3 and word[0].isupper():
                words.setdefault(word, role)
    return _redaction(names, words)


def report_redactions(claims: Iterable[Claim]) -> dict[str, Redaction]:
    """Each report's redaction set, from all of its claims."""
    by_report: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims:
        by_report[claim.report_id].append(claim)
    return {report_id: redaction_of(members) for report_id, members in by_report.items()}


def redaction_for(report_ids: Iterable[str], redactions: Mapping[str, Redaction]) -> Redaction:
    """The union of the redaction sets of these reports (an incident's)."""
    return NO_REDACTION.merged(*(redactions[r] for r in report_ids if r in redactions))


def redact(record: dict[str, Any], redaction: Redaction) -> dict[str, Any]:
    """The record with every private name of the redaction set replaced by its role, in every
    text field but the verbatim ones (identifiers and the evidence spans, which quote the
    original). The one function every export, page and API answer goes through."""
    if not redaction:
        return record
    return {
        key: value if key in VERBATIM_KEYS else _redact_value(value, redaction)
        for key, value in record.items()
    }


def _redact_value(value: Any, redaction: Redaction) -> Any:
    if isinstance(value, str):
        return redaction.text(value)
    if isinstance(value, dict):
        return redact(value, redaction)
    if isinstance(value, list | tuple):
        return [_redact_value(v, redaction) for v in value]
    return value
