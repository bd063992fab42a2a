"""Which of the places a report names is a claim's site."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from claimledger.extract.sentences import Sentence
from claimledger.geo import FACILITY_KINDS, country_of_people
from claimledger.model import Location

# How far back an undated, unplaced sentence may look for the place it is about (characters).
FALLBACK_CHARS = 800
_RANK = {"place": 0, "admin2": 1, "admin1": 2, "region": 3, "country": 4}
# A definite reference back to works the report named ("the plant", "the dam").
_THE_WORKS = re.compile(r"\b[Tt]he\s+(?:[\w-]+\s+){0,2}?(plant|power station|dam|bridge)\b")
# A definite reference back to a settlement ("in the town", "the city's"): a town, not its region.
_THE_SETTLEMENT = re.compile(r"\b[Tt]he\s+(?:town|city|village|settlement)\b")


def claim_sites(
    sentence: Sentence, places: list[Location], paragraph_start: int, report_place: Location | None
) -> list[Location]:
    """The claim's places: those in its sentence, else the nearest before it in the paragraph, else the report's.

    A sentence that names only a country ("an apartment block in eastern Ukraine") keeps the
    specific place the story is about when one was named just before, inside that country.
    """
    inside_sentence = [p for p in places if p.start is not None and sentence.start <= p.start < sentence.end]
    own_text = sentence.text[sentence.start : sentence.end]
    referred = _THE_WORKS.search(own_text)
    if referred and not any(p.precision == "place" for p in inside_sentence):
        # "troops held the plant for weeks": the works of that kind the report named last.
        kind = (
            "bridge" if referred.group(1) == "bridge" else "dam" if referred.group(1) == "dam" else "nuclear"
        )
        works = [
            p
            for p in places
            if p.start is not None and p.start < sentence.start and FACILITY_KINDS.get(p.name) == kind
        ]
        if works:
            return [
                works[-1].with_role("site"),
                *(p.with_role("other") if p.role == "site" else p for p in inside_sentence),
            ]
    # The story's recent sites, not a capital that acted three paragraphs ago.
    window = max(paragraph_start, sentence.start - FALLBACK_CHARS)
    before = [
        p
        for p in places
        if p.start is not None
        and window <= p.start < sentence.start
        and p.precision != "country"
        and p.role == "site"
    ]
    if _THE_SETTLEMENT.search(own_text):
        # "an 11-year-old was killed earlier in the settlement": the town named last, not its region.
        towns = [p for p in before if p.precision == "place"]
        before = before[: before.index(towns[-1]) + 1] if towns else before
    if inside_sentence:
        # The most specific place is the site; the others keep their own roles.
        ordered = sorted(inside_sentence, key=lambda p: (p.role != "site", _RANK[p.precision], p.start))
        sites = [p for p in ordered if p.role == "site"]
        if (
            sites
            and all(p.precision in ("admin1", "admin2") for p in sites)
            and _THE_SETTLEMENT.search(own_text)
        ):
            # "they hold the town, which lies in Luhansk region": the town of that region named before.
            town = next(
                (
                    p
                    for p in reversed(places)
                    if p.start is not None
                    and p.start < sentence.start
                    and p.precision == "place"
                    and p.role == "site"
                    and (p.country, p.admin1) == (sites[0].country, sites[0].admin1)
                ),
                None,
            )
            if town is not None:
                return [town.with_role("site"), *ordered]
        origins = [p for p in ordered if p.role == "origin" and p.precision != "country"]
        if sites and all(p.precision == "country" for p in sites) and origins:
            # "Russia's withdrawal from Kherson": where they left is where it happened.
            return [origins[0].with_role("site"), *(p for p in ordered if p is not origins[0])]
        if sites and all(p.precision == "country" for p in sites):
            earlier = [
                p for p in before[-6:] if p.country == sites[0].country and p.precision in ("place", "admin2")
            ]
            if earlier:
                return [earlier[-1].with_role("site"), *(p.with_role("other") for p in ordered)]
            # A lede names the country ("killed 31 people in eastern Ukraine") and the next
            # sentences the town ("The strike hit Chasiv Yar"): the town is the site.
            later = [
                p
                for p in places
                if p.start is not None
                and sentence.end <= p.start < sentence.end + FALLBACK_CHARS
                and p.country == sites[0].country
                and p.precision in ("place", "admin2")
                and p.role == "site"
            ]
            if later:
                return [later[0].with_role("site"), *(p.with_role("other") for p in ordered)]
        if not sites:
            # "stolen from Kherson Zoo", "fled from Mariupol": where things or people were taken
            # from is where it happened.
            origins = [p for p in ordered if p.role == "origin"]
            if origins:
                return [origins[0].with_role("site"), *(p for p in ordered if p is not origins[0])]
            if before:
                return [before[-1].with_role("site"), *ordered]
            following = _lede_follows(sentence, places)
            if following is not None:
                return [following, *ordered]
        return ordered
    if before:
        return [before[-1].with_role("site")]
    following = _lede_follows(sentence, places)
    if following is not None:
        return [following]
    return [report_place] if report_place else []


# A report's lede: its first sentences, before any place may have been named.
LEDE_CHARS = 600
_SENTENCE_END = re.compile(r"[.!?][\"”’']?(?:\s+|$)")


def _lede_follows(sentence: Sentence, places: list[Location]) -> Location | None:
    """A lede that says what happened but not where is followed by where: "A missile struck a
    railway station ... The station lies in Chaplyne"."""
    if sentence.start >= LEDE_CHARS:
        return None
    # Only the next sentence: the third may have moved on ("staying with a couple in Nottinghamshire").
    following = _SENTENCE_END.search(sentence.text, sentence.end + 1)
    stop = following.end() if following else len(sentence.text)
    later = [
        p
        for p in places
        if p.start is not None
        and sentence.end <= p.start < min(stop, sentence.end + FALLBACK_CHARS)
        and p.precision in ("place", "admin2")
        and p.role == "site"
    ]
    return later[0].with_role("site") if later else None


# Verbs whose subject is an actor: "Moscow evacuated", "Kyiv says", "Russia seized".
_AGENT_VERBS = {
    "say",
    "claim",
    "accuse",
    "deny",
    "announce",
    "report",
    "insist",
    "warn",
    "blame",
    "tell",
    "allege",
    "confirm",
    "evacuate",
    "deploy",
    "send",
    "launch",
    "order",
    "seize",
    "capture",
    "demand",
    "call",
    "urge",
    "respond",
    "carry",
    # Verbs of will, judgement and statement: a city or country that attempts, estimates or
    # condemns is its government ("Moscow might attempt something cruel").
    "attempt",
    "try",
    "plan",
    "want",
    "seek",
    "intend",
    "threaten",
    "refuse",
    "agree",
    "decide",
    "estimate",
    "believe",
    "assess",
    "condemn",
    "state",
    "note",
    "argue",
    "suggest",
    "promise",
    "pledge",
    "vow",
    "expect",
    "hope",
    "ask",
    "request",
    "reject",
    "approve",
    "recognise",
    "recognize",
    "annex",
    "invade",
    "retaliate",
    "sanction",
    # A capital that deports or detains people is its state ("Moscow has deported thousands").
    "deport",
    "detain",
    "abduct",
    "kidnap",
    "transfer",
    "relocate",
    "mobilise",
    "mobilize",
    "conscript",
}


# Verbs whose subject undergoes or hosts what happens: "Ukraine saw heavy shelling".
_UNDERGO_VERBS = {
    "be",
    "see",
    "suffer",
    "experience",
    "face",
    "endure",
    "remain",
    "lie",
    "become",
    "witness",
    "record",
    "host",
    "border",
    "stretch",
}
# Verbs whose passive subject is still the actor: "Moscow is accused of looting".
_ACCUSED_VERBS = {
    "accuse",
    "blame",
    "urge",
    "condemn",
    "sanction",
    "criticise",
    "criticize",
    "suspect",
    "ask",
    "call",
    "warn",
}


def filter_places(places: list[Location], doc: Any) -> list[Location]:
    """Drop places inside a person's full name ("Vladimir Saldo", "Linda Thomas-Greenfield") and
    mark a place that is the subject of a verb as the government speaking ("Moscow evacuated")."""
    people = [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON" and len(e) >= 2]
    kept: list[Location] = []
    for place in places:
        if place.start is None:
            kept.append(place)
            continue
        # Only a place that is a part of a longer name: spaCy also tags whole town names
        # ("Chasiv Yar") as people.
        if (
            place.precision == "place"
            and place.end is not None
            and any(
                s <= place.start and place.end <= e and e - s > place.end - place.start for s, e in people
            )
        ):
            continue
        token = doc.char_span(place.start, place.end, alignment_mode="expand")
        head = token.root if token is not None else None
        if (
            head is not None
            and place.precision in ("country", "place")
            and (
                (head.dep_ == "nsubj" and head.head.lemma_.lower() in _AGENT_VERBS)
                # A country that does something is its state ("Russia has taken monuments"); one that
                # undergoes it is a place ("Ukraine saw blackouts").
                or (
                    head.dep_ == "nsubj"
                    and place.precision == "country"
                    and head.head.pos_ == "VERB"
                    and head.head.lemma_.lower() not in _UNDERGO_VERBS
                )
                # "thefts Moscow is accused of", "land seized by Moscow"
                or (head.dep_ == "nsubjpass" and head.head.lemma_.lower() in _ACCUSED_VERBS)
                or (head.dep_ == "pobj" and head.head.dep_ == "agent")
            )
        ):
            place = place.with_role("other")  # metonymy: the capital or country acts, it is not the site
        kept.append(place)
    return kept


def report_place(places: list[Location], text: str) -> Location | None:
    """The report's dateline place, or its most-mentioned specific place."""
    if not places:
        return None
    dateline = re.match(
        r"\s*([A-Z][A-Za-z’'\- ]{2,40}?)(?:,\s*[A-Z][\w ]+)?\s*(?:\(AP\)|\(Reuters\)|—|–| - )", text
    )
    if dateline:
        for p in places:
            if p.start is not None and p.start < dateline.end():
                return p.with_role("site")
    counts: dict[tuple[str, float | None, float | None], int] = {}
    # Where the report's events happen, not the capital that speaks in it.
    sites = [p for p in places if p.role == "site"] or places
    for p in sites:
        if p.precision in ("place", "admin2", "admin1"):
            k = (p.name, p.lat, p.lon)
            counts[k] = counts.get(k, 0) + 1
    if not counts:
        # Only countries: the one the report's events happen in most often.
        countries = [p for p in sites if p.precision == "country"]
        if not countries:
            return None
        tally = Counter(p.country for p in countries)
        return next(p for p in countries if tally[p.country] == max(tally.values())).with_role("site")
    top = max(counts.items(), key=lambda kv: kv[1])[0]
    return next(p for p in sites if (p.name, p.lat, p.lon) == top).with_role("site")


TAKEN_FROM_HOME = {"abduction", "displacement", "desertion"}
# People named by their nationality: "Ukrainians", "Ukrainian children", "Russian contract soldiers".
_VICTIM_NOUNS = (
    r"citizens|nationals|civilians|children|kids|teenagers|orphans|people|residents|refugees|families|men|women|boys|girls|"
    r"prisoners|detainees|captives|POWs"
)
_FIGHTER_NOUNS = (
    r"soldiers|troops|servicemen|servicemembers|service members|guardsmen|conscripts|recruits|reservists|officers|sailors|"
    r"pilots|fighters|paratroopers|marines|draftees|mobilised men|mobilized men"
)
# Desertion in the field, not a refusal to go: it happens where the unit was.
_IN_THE_FIELD = re.compile(
    r"\b(?:abandon\w*|laid down|lay down|laying down|fled their|left their|surrender\w*)\b", re.IGNORECASE
)
_NATIONALS = re.compile(
    rf"\b([A-Z][a-z]{{3,}})(?:s\b|\s+(?:[a-z-]+\s+){{0,2}}?(?:({_VICTIM_NOUNS})|({_FIGHTER_NOUNS}))\b)"
)


def home_as_site(sent: Sentence, claim_type: str, locations: list[Location]) -> list[Location]:
    """Where people were deported or fled from, or refused to leave, when the sentence names no
    such place but names the people by nationality: "Ukrainians deported to Russia" happened in
    Ukraine, "Russian troops refusing to return to Ukraine" in Russia. The victims' nationality
    counts for deportations and flight, the soldiers' for refusals."""
    own = [p for p in locations if p.start is not None and sent.start <= p.start < sent.end]
    if any(p.role in ("site", "origin") for p in own):
        return locations
    text = sent.text
    if claim_type == "desertion" and _IN_THE_FIELD.search(text, sent.start, sent.end):
        return locations  # "Russian troops abandoned their tanks": at the front, not at home
    for match in _NATIONALS.finditer(text, sent.start, sent.end):
        victims, fighters = match.group(2), match.group(3)
        plural = victims is None and fighters is None
        if not (plural or (fighters if claim_type == "desertion" else victims)):
            continue
        home = country_of_people(match.group(1) + ("s" if plural else ""), match.start(1))
        if home is None or any(p.country == home.country for p in own if p.role == "destination"):
            continue
        earlier = [p for p in locations if p not in own and p.role == "site"]
        if any(p.country == home.country for p in earlier):
            return locations  # a town of that country named before is the better site
        return [home, *own]
    return locations
