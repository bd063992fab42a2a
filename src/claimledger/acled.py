"""ACLED coding: the values of the columns of the ACLED-style CSV, after ACLED's codebook.

The tables are data beside the code (`data/acled.toml`, `data/acled_countries.csv`,
`data/fatalities.toml`); this module reads them once and applies them to claims and reports.
Nothing here guesses: a value the tables and the text do not give is left empty.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from claimledger.model import Claim, Report

log = logging.getLogger(__name__)

# Claims ACLED would not code: a party denying that an event happened, or an event only
# supposed ("if troops enter the town"). They are left out of the CSV.
NOT_CODED = frozenset({"denied", "hypothetical"})
VIOLENT = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"})


@dataclass(frozen=True)
class Country:
    alpha2: str
    iso: int
    name: str
    region: str


@dataclass(frozen=True)
class CodedActor:
    """An actor as ACLED names it, its inter code's kind, and the state it belongs to."""

    name: str
    kind: str  # "force" | "civilians" | "unidentified" | "protesters"
    home: str | None  # a force's state (ISO alpha-2)
    inter: int | None = None  # fixed code (civilians, protesters, unidentified); forces: by place


def _text(name: str) -> str:
    return files("claimledger").joinpath("data", name).read_text(encoding="utf-8")


@cache
def _tables() -> dict[str, Any]:
    return tomllib.loads(_text("acled.toml"))


@cache
def _fatality_words() -> dict[str, Any]:
    return tomllib.loads(_text("fatalities.toml"))


@cache
def countries() -> dict[str, Country]:
    """ISO 3166 alpha-2 -> the country's ISO numeric code, ACLED name and ACLED region."""
    rows = csv.DictReader(io.StringIO(_text("acled_countries.csv")))
    return {r["alpha2"]: Country(r["alpha2"], int(r["iso"]), r["country"], r["region"]) for r in rows}


def country_name(alpha2: str | None) -> str:
    if not alpha2:
        return ""
    known = countries().get(alpha2)
    return known.name if known else alpha2


_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?|[a-z]+(?:['’][a-z]+)?(?:-[a-z]+)*")


def tokens(text: str) -> list[str]:
    """Lower-case words and numbers of a text ("Ukraine’s" as "ukraine's")."""
    return [t.replace("’", "'") for t in _TOKEN.findall(text.lower())]


# ---- fatalities -------------------------------------------------------------------------------


def _number(words: Sequence[str], i: int) -> tuple[int, int] | None:
    """The number that starts at words[i] ("3", "1,200", "twenty-one", "one hundred and five",
    "a dozen", "dozens"), as (value, index after it); None when no number starts there."""
    table = _fatality_words()["numbers"]
    units, tens, scales, vague = table["units"], table["tens"], table["scales"], table["vague"]
    if i >= len(words):
        return None
    word = words[i]
    if word[0].isdigit():
        digits = word.replace(",", "")
        return (int(digits), i + 1) if digits.isdigit() else None
    if word in vague:
        return int(vague[word]), i + 1
    if word in ("a", "an") and i + 1 < len(words) and words[i + 1] in ("dozen", "hundred", "thousand"):
        return _number([*words[:i], "one", *words[i + 1 :]], i)  # "a dozen" is "one dozen"
    total, current, j, seen = 0, 0, i, False
    while j < len(words):
        part = words[j]
        pieces = part.split("-")
        if all(p in units or p in tens for p in pieces):
            current += sum(int(units.get(p, tens.get(p, 0))) for p in pieces)
            seen = True
        elif part in scales and seen:
            current = max(current, 1) * int(scales[part])
            if int(scales[part]) >= 1000:
                total, current = total + current, 0
        elif part == "and" and seen and j + 1 < len(words) and _is_number_word(words[j + 1]):
            pass
        else:
            break
        j += 1
    return (total + current, j) if seen else None


def _is_number_word(word: str) -> bool:
    table = _fatality_words()["numbers"]
    return all(p in table["units"] or p in table["tens"] for p in word.split("-"))


def killed_count(text: str) -> int | None:
    """The number of people a sentence says were killed, read by a small grammar over its words
    (numbers in words or digits): "killing three people", "12 civilians were killed", "a man
    died", "the death toll rose to 9". None when the sentence gives no count of the dead; when it
    gives several, the largest (each is a count of the same event's dead)."""
    lex = _fatality_words()["words"]
    kill, death, between = set(lex["kill_verbs"]), set(lex["death_words"]), set(lex["between"])
    singular, bounds = set(lex["singular"]), set(lex["bounds"])
    toll_between = set(lex["toll_between"])
    not_counts, negators = set(lex["not_counts"]), set(lex["negators"])
    words = tokens(text)
    counts: list[int] = []

    def count_at(i: int) -> tuple[int, int] | None:
        while i < len(words) and words[i] in bounds:
            i += 1
        if i > 0 and words[i - 1] in negators:
            return None
        if i + 1 < len(words) and words[i] in ("a", "an") and words[i + 1] in singular:
            return 1, i + 2
        found = _number(words, i)
        if found is None or (found[1] < len(words) and words[found[1]] in not_counts):
            return None
        return found

    for i, word in enumerate(words):
        # KILL_VERB [bound]* NUMBER: "killing three people", "killed at least 12".
        if word in kill and (i == 0 or words[i - 1] not in ("were", "was", "been", "be")):
            found = count_at(i + 1)
            if found is not None:
                counts.append(found[0])
        # NUMBER [between]* DEATH_WORD: "three people were killed", "two died", "five dead".
        found = count_at(i) if (i == 0 or words[i - 1] not in bounds | negators) else None
        if found is not None:
            j = found[1]
            while j < len(words) and words[j] in between and j - found[1] < 5:
                j += 1
            if j < len(words) and words[j] in death:
                counts.append(found[0])
    joined = " ".join(words)
    for phrase in lex["toll_phrases"]:
        for match in re.finditer(rf"\b{re.escape(phrase)}\b", joined):
            j = len(joined[: match.end()].split())
            while j < len(words) and words[j] in toll_between:
                j += 1
            found = count_at(j)
            if found is not None:
                counts.append(found[0])
    return max(counts) if counts else None


# ---- actors -----------------------------------------------------------------------------------


def _force_phrases() -> tuple[dict[str, str], list[tuple[list[str], str]], dict[str, str]]:
    tables = _tables()
    nations = {w: code for code, spec in tables["forces"].items() for w in spec["words"]}
    words = [(w.split(), branch) for branch in ("military", "police") for w in tables["force_words"][branch]]
    words.sort(key=lambda item: -len(item[0]))
    return nations, words, dict(tables["force_aliases"])


def forces_in(text: str) -> list[CodedActor]:
    """The states' forces a text names, in order: a nationality word and, within three words, a
    word for forces or their weapons ("Russian troops", "Ukraine's army", "Russian rockets"), or a
    word that names one state's forces alone ("the occupiers")."""
    nations, force_words, aliases = _force_phrases()
    forces = _tables()["forces"]
    raw = tokens(text)
    # A force word in the possessive names a part that speaks ("the military's southern command").
    words = [w if not w.endswith("'s") or w in nations else "'s" for w in raw]
    found: list[CodedActor] = []
    joined = " ".join(words)
    alias_hits = sorted(
        (len(joined[: m.start()].split()), code)
        for phrase, code in aliases.items()
        for m in re.finditer(rf"\b{re.escape(phrase)}\b", joined)
    )
    hits: list[tuple[int, CodedActor]] = [
        (at, CodedActor(forces[code]["military"], "force", code)) for at, code in alias_hits
    ]
    for i, word in enumerate(raw):
        code = nations.get(word)
        if code is None:
            continue
        for j in range(i + 1, min(i + 4, len(words))):
            branch = next((b for w, b in force_words if words[j : j + len(w)] == w), None)
            if branch is not None:
                hits.append((i, CodedActor(forces[code][branch], "force", code)))
                break
    for _, actor in sorted(hits, key=lambda h: h[0]):
        if actor not in found:
            found.append(actor)
    return found


def civilians_in(text: str, event_country: str | None) -> CodedActor | None:
    """ACLED's civilians for a victim named as people ("three people", "residents", "a man"): of
    the country its nationality word names, else of the event's country."""
    words = tokens(text)
    if not words or words[-1] not in set(_tables()["civilians"]["words"]):
        return None
    nations = {w: code for code, spec in _tables()["forces"].items() for w in spec["words"]}
    home = next((nations[w] for w in words if w in nations), None) or event_country
    name = f"Civilians ({country_name(home)})" if home else "Civilians"
    return CodedActor(name, "civilians", home, _tables()["inter"]["civilians"])


def actor_of(text: str, event_country: str | None) -> CodedActor | None:
    """An extracted actor's words as ACLED names the actor; None when the tables do not know it."""
    forces = forces_in(text)
    if forces:
        return forces[0]
    return civilians_in(text, event_country)


def inter_code(actor: CodedActor | None, event_country: str | None) -> int | None:
    """ACLED's inter code: state forces at home 1, abroad 8 (external/other forces)."""
    if actor is None:
        return None
    if actor.inter is not None:
        return actor.inter
    inter = _tables()["inter"]
    return inter["state_forces"] if actor.home == event_country else inter["external_other_forces"]


def interaction(inter1: int | None, inter2: int | None) -> int | None:
    """ACLED's two-digit interaction code: the two inter codes, lower first; an actor alone is
    its code followed by 0 (10: state forces acting alone)."""
    if inter1 is None:
        return None
    if not inter2:
        return inter1 * 10
    low, high = sorted((inter1, inter2))
    return low * 10 + high


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


@dataclass(frozen=True)
class Sides:
    actor1: CodedActor | None
    actor2: CodedActor | None


def sides(
    claims: Sequence[Claim],
    event_type: str,
    claim_type: str,
    event_country: str | None,
    texts: Mapping[str, str] | None = None,
) -> Sides:
    """Who did it and to whom, as ACLED names them, from the claims' actors and, when they name
    no known actor, the states' forces their evidence names outside the words of their source;
    "troops" with no nationality are the forces the report named first, before them (news names
    its protagonist first: "Russian troops looted ... The ministry said troops took ..."; `texts`:
    report id -> text)."""
    doers: list[CodedActor] = []
    victims: list[CodedActor] = []
    for claim in claims:
        own = [actor_of(a.text, event_country) for a in claim.actors if a.role == "perpetrator"]
        found = [a for a in own if a is not None and a.kind == "force"]
        victims += [
            a for a in (actor_of(v.text, event_country) for v in claim.actors if v.role == "victim") if a
        ]
        for span in claim.evidence:
            said = [
                (att.start - span.start, att.end - span.start)
                for att in claim.attributions
                if att.start is not None and att.end is not None and span.start <= att.start < span.end
            ]
            unsaid = _blank(span.text, said)
            found += forces_in(unsaid)
            text = (texts or {}).get(claim.report_id)
            if not found and text is not None and _names_forces(unsaid):
                found += forces_in(text[: span.start])[:1]
        doers += found
    ranked = list(dict.fromkeys(doers))  # in the order the claims name them
    actor1 = ranked[0] if ranked else None
    others = [v for v in dict.fromkeys(victims) if v != actor1]
    actor2 = others[0] if others else None
    if actor2 is None and actor1 is not None:
        actor2 = next((d for d in ranked[1:] if d.home != actor1.home), None)
    if claim_type == "protest":
        spec = _tables()["protesters"]
        name = spec["actor"].format(country=country_name(event_country))
        actor1 = CodedActor(name, "protesters", None, spec["inter"])
    if actor1 is None and event_type in VIOLENT:
        spec = _tables()["unidentified"]
        name = (
            spec["actor"].format(country=country_name(event_country))
            if event_country
            else "Unidentified Armed Group"
        )
        actor1 = CodedActor(name, "unidentified", None, spec["inter"])
    elif actor1 is None and actor2 is not None and claim_type == "displacement":
        actor1, actor2 = actor2, None  # civilians who fled, alone: the actor of the event
    return Sides(actor1, actor2)


def _names_forces(text: str) -> bool:
    """True when a text names forces by a word for them alone ("troops", "soldiers")."""
    words = tokens(text)
    return any(w in words for w in _tables()["force_words"]["military"] if " " not in w)


# ---- sources ----------------------------------------------------------------------------------

_PARENTHESIS = re.compile(r"\s*\(.*$")


def source_scale(reports: Iterable[Report], event_country: str | None) -> str:
    """ACLED's source_scale of the outlets that reported an event, seen from its country:
    "National", "International", "New media", ... joined by "-" when several; empty when no
    outlet is known to the table."""
    tables = _tables()
    scale, outlets = tables["source_scale"], tables["outlets"]
    found: set[str] = set()
    for report in reports:
        if report.kind == "telegram":
            found.add(scale["telegram"])
            continue
        name = _PARENTHESIS.sub("", report.outlet or "").strip().lower()
        spec = outlets.get(name) or outlets.get(name.removeprefix("the "))
        if spec is None:
            continue
        scope, home = spec["scope"], spec["country"]
        if scope == "new media":
            found.add("New media")
        elif scope == "regional":
            found.add("Regional")
        elif scope == "international" or home != event_country:
            found.add("International")
        else:
            found.add("Subnational" if scope == "local" else "National")
    return "-".join(s for s in scale["order"] if s in found)
