"""Geo: find the places a text names and geocode them with the offline gazetteer.

spaCy's entity labels are not trusted here (its small English model tags many Ukrainian towns
as PERSON or ORG): candidates are capitalised name runs that the gazetteer knows, kept when
they are large places or when the sentence's wording marks them as places ("in the town of
X", "X region", "near X").
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from claimledger.geo.gazetteer import (
    ADMIN1_ALIASES,
    US_STATE_ABBREVIATIONS,
    Entry,
    Gazetteer,
    demonyms,
    neighbours,
    shared_gazetteer,
)
from claimledger.geo.names import key, skeleton
from claimledger.model import Location

# "St. Petersburg" is one name; "Tavrijs´ke", "Oskilʹsʹka": transliterations mark the soft sign
# with an acute accent or a prime as often as with an apostrophe.
_WORD = r"(?:St|Ft|Mt)\.|[A-Z][\w’'´ʹʼ\-\.]*\w|[A-Z]"
_RUN = re.compile(rf"(?:{_WORD})(?:(?: |-)(?:{_WORD}|on|de|del|al|el|upon|na|nad|am|im|la|le|of the|of))*")
_PREFIX_CUE = re.compile(
    r"(?:\b(?:in|near|outside|around|from|to|at|into|towards?|across|through|of|"
    r"village of|town of|city of|settlement of|region of|province of|district of|outskirts of|suburbs? of|"
    r"north|south|east|west|northeast|northwest|southeast|southwest|northern|southern|eastern|western|central|"
    r"km|kilometres|kilometers|miles|border with|capital,?|port of|port city of|besieged|occupied|liberated|recaptured)"
    r"\s+(?:the\s+)?(?:(?:city|town|village|region|settlement|province|port|capital|oblast|district|hamlet)\s+(?:of\s+)?)?)$",
    re.IGNORECASE,
)
# Only these cues make a misspelt one-word name worth a guess ("from Maxar" is a company).
_FUZZY_CUE = re.compile(
    r"\b(?:in|near|outside|around|(?:village|town|city|settlement|outskirts) of)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# Wording that makes a capitalised word a place, enough to look it up among the codifier's villages.
_PLACED_BEFORE = re.compile(
    r"(?:\b(?:in|near|outside|around|through|at|of|from|towards?|into|over|above|past|between)\s+(?:the\s+)?"
    r"(?:(?:central|northern|southern|eastern|western|downtown)\s+)?|\bbetween\s+\S+\s+and\s+|#"
    # the object of an assault is a place: "after shelling Shchurove", "Russian forces captured Lyman"
    r"|\b(?:shelling|shelled|shells|bombing|bombed|bombarding|bombarded|storming|stormed|captured|capturing|recaptured|liberated|liberating|entered|entering)\s+)$"
)
_PORTFOLIO_BEFORE = re.compile(
    r"\b(?:Chamber|Department|Dept\.|Ministry|Minister|Secretary|Bureau|Board|Commissioner)\s+of\s+(?:the\s+)?$"
)
_PLACED_AFTER = re.compile(
    r"^\s+(?:village|settlement|town)\b|^,\s+(?:Ukraine|[A-Z]\w+ (?:[Oo]blast|region))\b"
)
# Prepositions that make a person's name a place ("in Ripley"); "of" does not ("the mother of Katerina").
_IN_PLACE = re.compile(r"\b(?:in|near|outside|around|at|from|towards?|into)\s+(?:the\s+)?$")
_STRONG_PREFIX = re.compile(
    r"\b(?:village|town|city|settlement|hamlet|port|region|province|oblast|district)\s+of\s+$", re.IGNORECASE
)
_REGION_SUFFIX = re.compile(
    r"^(?:'s)?\s+(?:region|oblast|province|district|krai|governorate|area|county|state)\b", re.IGNORECASE
)
_APPOSITION_REGION = re.compile(
    r"^(?:\s+(?:village|town|settlement|city))?(?:,\s+|\s+in\s+(?:the\s+)?|\s*[\[(]\s*)(?:in\s+(?:the\s+)?)?"
    r"(?:(?:Russian|Ukrainian)[- ](?:held|occupied|controlled)\s+|(?:occupied|liberated)\s+)?([A-Z][\w’'\-]+(?: [A-Z][\w’'\-]+)?)(?:'s)?\s+(?i:region|oblast|province|krai|governorate)\b"
)
# A list of names that ends in a street word lists streets ("Shevchenko and Pushkin streets").
_STREETS_AFTER = re.compile(
    r"^(?:\s*,\s*[A-Z][\w’'-]+)*\s*,?\s+(?:and|&)\s+[A-Z][\w’'-]+\s+(?:St\b\.?|Sts\b\.?|[Ss]treets?\b|Ave\b\.?|[Aa]venues?\b|[Pp]rospekts?\b|[Bb]oulevards?\b)"
)
# "Lviv Street", "Kharkiv St.": a street named after a town ("Mariupol streets" are the city's).
_STREET_AFTER = re.compile(r"^\s+(?:St\b\.?|Street\b|Avenue\b|Ave\b\.?|Prospekt\b|Boulevard\b)")
# Institutions that are named after people as often as after towns.
_NAMED_AFTER = re.compile(
    r"^(?:['’]s)?\s+(?:(?:Family|Memorial|Community|State)\s+)?(?:University|College|Library|School|High\s+School|Elementary|Academy|"
    r"Institute|Center|Centre|Hospital|Farms?|Inn|Hall|Stadium|Museum|Foundation)\b"
)
# The ending of a Ukrainian adjective made from a town's name ("Hostomelʹsʹkyy", "Bakhmutskyi").
_ADJECTIVE = re.compile(r"[ʹ'’]?s[ʹ'’]?k(?:yi|yy|iy|yj|ij|a|e|oho|ogo)$")
# "Orikhove, Luhansk": a bare name after a comma may be the region the place lies in.
_APPOSITION_NAME = re.compile(r"^,\s+([A-Z][\w’'\-]+(?: [A-Z][\w’'\-]+)?)\b")
# A capitalised word before one of these names a building or a street, not a town ("Drama theater").
_FACILITY_AFTER = re.compile(
    r"^(?:'s)?\s+(?:theat(?:er|re)|park|stadium|station|stop|street|avenue|square|hospital|school|university|"
    r"dormitory|factory|plant|mine|bridge|district|island|airport|port|market|mall|church|cathedral|"
    r"monastery|museum|library|palace|hotel|cafe|restaurant|base|barracks|prison|camp|lake|river|mountain|"
    r"forest|channel|newspaper|agency|battalion|brigade|regiment|division|company|group|tank|tanks|crossing|"
    r"checkpoint|substation|power|reservoir|dam|canal|highway|road|lyceum|college|institute|academy|club|center|centre|"
    r"day|accords?|agreement|treaty|format|protocol|declaration|convention|summit|talks|process)\b",
    re.IGNORECASE,
)
_TREATY_AFTER = re.compile(
    r"^(?:'s)?\s+(?:conventions?|accords?|agreements?|treaty|treaties|format|protocols?|declaration|summit|talks|process|principles)\b",
    re.IGNORECASE,
)
_DESCRIBES = re.compile(r"^-(?:based|born|bound|registered|headquartered|centred|centered|area)\b")
# What a state does by force: its name before these verbs is the actor ("Russia invaded"), not a site.
_ARMS_ACTS = re.compile(
    r"^\s+(?:has\s+|have\s+|had\s+)?(?:shelled|struck|attacked|bombed|invaded|annexed|fired|targeted|seized|captured)\b(?!\s+by)"
)
# A newspaper named after its city ("the Kyiv Independent reported", "The Moscow Times"): who reports, not where.
_OUTLET_AFTER = re.compile(
    r"^\s+(?:Times|Post|Independent|Herald|Tribune|Gazette|Telegraph|Journal|Chronicle|Inquirer|Examiner|Observer|Globe)\b"
)
# "Nikolaev artillery destroyed ... in Shandryholove": a unit named after its city fights elsewhere.
_UNIT_AFTER = re.compile(r"^\s+(?:artillery|battalion|brigade|regiment|corps)\b", re.IGNORECASE)
_RIVER_AFTER = re.compile(
    r"^\s+(?:(?i:river)\b|[Ff]leet\b)"
)  # "the Dnipro river", "the Black Sea Fleet": not the site
_RIVER_BEFORE = re.compile(r"\b(?:[Bb]ridges?\s+(?:over|across)\s+(?:the\s+)?|banks?\s+of\s+the\s+)$")
_NOT_PLACES = {
    "the",
    "a",
    "an",
    "in",
    "on",
    "at",
    "it",
    "he",
    "she",
    "they",
    "we",
    "i",
    "mr",
    "mrs",
    "ms",
    "dr",
    "but",
    "and",
    "or",
    "this",
    "that",
    "these",
    "those",
    "there",
    "his",
    "her",
    "their",
    "its",
    "our",
    "after",
    "before",
    "when",
    "while",
    "russian",
    "russians",
    "ukrainian",
    "ukrainians",
    "belarusian",
    "belarusians",
    "american",
    "americans",
    "british",
    "european",
    "western",
    "soviet",
    "chechen",
    "syrian",
    "georgian",
    "polish",
    "german",
    "french",
    "moldovan",
    "president",
    "minister",
    "ministry",
    "governor",
    "mayor",
    "general",
    "colonel",
    "captain",
    "sergeant",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "god",
    "christmas",
    "easter",
    "twitter",
    "telegram",
    "facebook",
    "instagram",
    "youtube",
    "tiktok",
    "reuters",
    "ap",
    "bbc",
    "cnn",
    "itv",
    "nato",
    "un",
    "eu",
    "kremlin",
    "pentagon",
    "isw",
    "fsb",
    "sbu",
    "defence",
    "defense",
    "armed forces",
    "army",
    "navy",
    "police",
    "state",
    "city",
    "region",
    "oblast",
    "republic",
    "north",
    "south",
    "east",
    "west",
    "central",
    "northern",
    "southern",
    "eastern",
    "new",
    "old",
    "middle east",
    "far east",  # regions without agreed bounds, like "the West": no point stands for them
    "northeast",
    "northwest",
    "southeast",
    "southwest",
    "midwest",
    "gulf",  # a compass word or "the Gulf" alone names no one place
    "hamas",
    "hezbollah",
    "toyota",  # a movement and a carmaker, not Hamm or the city of Toyota
    "independence day",
    "victory day",
    "human rights watch",
    "amnesty",
    "red cross",
    "world war",
    "you",
    "mariupol city council",
    "if",
    "so",
    "as",
    "for",
    "with",
    "by",
    "not",
    "no",
    "yes",
    "all",
    "one",
    "two",
    "orthodox",
    "christian",
    "muslim",
    "jewish",
    "islamic",
    "arab",
    "english",
    "national guard",
    "guard",
    "of",
    "to",
    "from",
    "into",
    "via",
    "per",
    "de",
    "la",
    "le",
    "el",
    "al",
    "san",
    "st",
    "mount",
    "lake",
    "river",
    "sgt",
    "dec",
    "inc",
    "jan",
    "feb",
    "aug",
    "sept",
    "oct",
    "nov",
    "gov",
    "rep",
    "sen",
    "lt",
    "col",
    "gen",
    "capt",
    "university",
    "center",
    "centre",
    "college",
    "day",
    "hall",
    "road",
    "park",
    "post",
    "energy",
    "congress",
    "street",
    "department",
    "office",
    "court",
    "house",
    "senate",
    "council",
    "church",
    "school",
    "hospital",
    "airport",
    "station",
    "independence",
    "liberty",
    "freedom",
    "victory",
    "unity",
    "duma",
    "state duma",
    "rada",
    "verkhovna rada",
    "dam",
    "metro",
    "pravda",  # "Ukrainska Pravda" is a newspaper
    "azov",
    "wagner",
    "kadyrov",
    "putin",
    "zelensky",
    "zelenskyy",
    "zelenskiy",
    "biden",
    "lavrov",
    "shoigu",
    "peskov",
}
_TITLES = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|President|Minister|Ambassador|Secretary|Spokesman|Spokeswoman|Commander|Deputy Mayor|Chancellor|Admiral|Gen|General|Col|Colonel|Sgt|Sergeant|Capt|Captain|Lt|"
    r"Governor|Gov|Mayor|Prime Minister|Senator|Sen|Rep|Pope|Saint|St|Prof|Professor|Lord|Lady|Sir|King|Queen|Prince|Princess)\.?\s+$"
)
# A lower-case word ending in -ed or -s after a sentence's first word: its verb ("Man interviewed").
_VERB_AFTER = re.compile(r"^\s+[a-z]+(?:ed|s)\b")
_PERSON_AFTER = re.compile(
    r"^(?:,\s+\d+,|\s+(?:said|says|told|added|explained|recalled|wrote|tweeted|asked|insisted|"
    r"claimed|stated|noted|warned|replied|continued|described|who|whose))"
)
# Relation words before a place: "north of Kharkiv" keeps Kharkiv's point with a vaguer precision.
_RELATION = re.compile(
    r"\b(north|south|east|west|northeast|northwest|southeast|southwest|outskirts|suburbs?|near|outside|around|km|kilometres|kilometers|miles)\b[^.]{0,25}$",
    re.IGNORECASE,
)
# "near a school in Kharkiv", "outside the council building in Vasylivka", "around 300 people in
# Kyiv": the relation is to something in the town, which is where it happens.
_RELATION_INSIDE = re.compile(r"\s(?:in|inside|at)\s+(?:the\s+)?$")
# "the Zhytomyr highway", "the Kyiv-Chop motorway": a road named after the towns it joins runs far
# from them ("the Kharkiv ring road" is the city's own).
_ROUTE_AFTER = re.compile(
    r"^(?:\s*[-–—]\s*[A-Z][\w’'-]+)?\s+(?:highway|motorway|road)\b(?!\s+(?:checkpoint|crossing|bridge|junction|block))",
    re.IGNORECASE,
)  # "the Pletenivka road checkpoint" stands at Pletenivka
# "the Kyiv suburbs of Bucha and Irpin": the towns are the suburbs, not places near them.
_NAMED_SUBURBS = re.compile(r"[A-Z][\w’'-]+\s+(?:suburbs?|outskirts)\s+of\b[^.]{0,25}$")
_REFERENCE = re.compile(
    r"(?:\b\d[\d,.]*\s*(?:km|kilometers|kilometres|miles|mi)\b\)?(?:\s*\([^)]{0,30}\))?\s+(?:\w+\s+){0,2}(?:of|from)"
    # "across the river from the nuclear plant", "on the other side of the Dnipro from Kherson"
    r"|\b(?:across|over)\s+the\s+(?:river|border|bay|lake|water|front\s+line|street|road)\s+from"
    r")\s+(?:the\s+)?(?:(?:city|town|village|capital)\s+(?:of\s+)?)?$",
    re.IGNORECASE,
)
# "Residents of Yahidne said", "villagers in Yahidne said", "the mayor of Melitopol said": people of
# the place speak, not the state ("officials in Moscow said" is still Moscow speaking).
_PEOPLE_OF = re.compile(
    r"\b(?:(?:residents|people|citizens|inhabitants|villagers|locals|local\s+(?:officials|authorities|people))\s+(?:of|in)"
    r"|(?:mayor|governor|head|officials|authorities)\s+of)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_ACTS = re.compile(
    r"^(?:'s government|’s government)?\s+(?:has\s+|have\s+|had\s+)?(?:says|said|claims|claimed|announced|accused|denied|deployed|sent|launched|warned|insists|insisted|blamed|responded|rejected|demanded)\b"
)
_STATE_POSSESSIVE = re.compile(
    r"^['’]s\s+[“\"]?(?:\w+\s+)?(?:firepower|forces|troops|army|military|soldiers|war|invasion|offensive|government|"
    r"leadership|demands|claims|refusal|support|aid|sanctions|advantage|aggression|propaganda|missiles|strikes|"
    r"withdrawal|retreat|pullout|attacks?|shelling|bombardment|occupation|annexation|blockade|mobili[sz]ation|"
    r"defen[cs]e|ministry|president|leaders?|commanders?|generals?|navy|air force|fleet|presidency|parliament|authorities|"
    r"officials|security services?|intelligence|administration|prosecutors?|envoy|ambassador|diplomats?|operations?|campaign)\b"
)
_ORIGIN = re.compile(r"\bfrom\s+(?:the\s+)?(?:(?:city|town|village|region)\s+of\s+)?$", re.IGNORECASE)
_DESTINATION = re.compile(
    r"\b(?:to|towards?|into|for|bound for|en route to)\s+(?:the\s+)?(?:(?:city|town|village|region)\s+of\s+)?$",
    re.IGNORECASE,
)
# "to" alone is ambiguous ("belongs to Russia", "a visit to Kyiv"); after a verb of moving people
# or goods it is where they were taken ("forcibly deported to Russia", "taken them to Crimea"),
# and after a refusal it is where they would not go ("they refuse to go back to fight in Ukraine").
_TAKEN_TO = re.compile(
    r"\b(?:deport\w*|taken|took|takes?|taking|moved?|moving|transferr\w*|relocat\w*|sent|sends?|sending|evacuat\w*|"
    r"fled|flee\w*|brought|bring\w*|abduct\w*|removed?|removing|ship\w*|bus(?:s)?ed|driven|carried|forced)\b"
    r"(?:\s+[\w,’'-]+){0,5}?\s+(?:to|into)\s+(?:the\s+)?$"
    # "sent to a camp in Russia": where the place they were sent to lies.
    r"|\b(?:sent|taken|deported|moved|transferred|relocated|brought)\s+to\s+(?:an?\s+|the\s+)?(?:[\w’'-]+\s+){1,3}in\s+(?:the\s+)?$"
    # Refugees' journeys end where they are safe ("at last reached safety in Lviv").
    r"|\b(?:reached|reaching|arrived|arriving|made it|got)\s+(?:(?:to\s+)?safety|safely)\s+(?:in|at|to)\s+(?:the\s+)?$"
    r"|\b(?:refus\w*|unwilling|reluctant|declin\w*|(?:do|did|does)(?: not|n['’]t) want)\s+to\s+(?:(?:return|go back|go)\s+(?:to\s+)?)?"
    r"(?:fight|serve|go|deploy|be deployed|be sent|return)\s+(?:in|to)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# A country named before a title or a body speaks for its state: "US Ambassador", "UK officials".
_AFFILIATION = re.compile(
    r"^\.?\s+(?:[Aa]mbassador|[Pp]resident|[Ss]ecretary|[Ee]nvoy|officials?|[Dd]efen[cs]e (?:[Ss]ecretary|[Mm]inister|[Mm]inistry|officials?)|"
    r"[Ff]oreign (?:[Mm]inister|[Mm]inistry|[Ss]ecretary|[Oo]ffice)|[Pp]rime [Mm]inister|diplomats?|intelligence|lawmakers?|[Ss]enators?|"
    r"spokes(?:man|woman|person)|[Ee]mbassy|authorities|government|[Mm]inistry|[Cc]hancellor|[Gg]eneral [Ss]taff|[Aa]rmy [Gg]eneral)\b"
)
# Marks a context that is only the default guess: the text itself named no country.
_NO_COUNTRY_NAMED = "-"
# Countries a war report's small places most likely lie in, when the text names none.
DEFAULT_CONTEXT = ("UA",)
# Countries whose counties the news names bare, without "County": "in Kent", "Fife police".
_BARE_COUNTIES = frozenset({"GB", "IE"})
# The countries of the war claimledger was first built for: a cued name there is no wild guess.
THEATRE = frozenset({"UA", "RU", "BY", "MD"})


@dataclass(frozen=True)
class Mention:
    """A place named in a text: where, how it was cued, and its candidates."""

    start: int
    end: int
    text: str
    candidates: tuple[Entry, ...]
    cue: str  # strong | prefix | region | none
    region_hint: str | None = None
    weak: bool = False


def _candidates(gaz: Gazetteer, text: str, misspelt: bool = False, placed: bool = False) -> list[Entry]:
    """Exact names, then romanisation variants, then (when the wording marks a place: "in",
    "near", "the village of", ", Luhansk Oblast") villages of Ukraine's codifier that GeoNames'
    extract lacks, then misspellings."""
    entries = gaz.lookup(text)
    if entries and all(e.kind in ("admin1", "admin2") for e in entries):
        # "Zaporizhia" is the region's spelling; the city of the same name is "Zaporizhzhia".
        seen = set(entries)
        entries += [
            e
            for e in gaz.lookup(text, fuzzy=True)
            if e.kind == "place"
            and e.population >= 100_000
            and e not in seen
            and any(e.country == r.country and e.admin1 == r.admin1 for r in seen)
        ]
    if not entries and len(text) >= 4:
        entries = [
            e for e in gaz.lookup(text, fuzzy=True) if e.country in ("UA", "RU", "BY", "MD", "GE", "PL")
        ]
    elif len(text) >= 6 and not any(
        e.kind in ("country", "admin1") or e.population >= 100_000 for e in entries
    ):
        # "Nikolayev", "Vinnitsa": a hamlet spelt so must not hide the city other romanisations give.
        seen = set(entries)
        entries += [
            e
            for e in gaz.lookup(text, fuzzy=True)
            if e.country in THEATRE and e.kind == "place" and e.population >= 100_000 and e not in seen
        ]
    if not entries and placed:
        entries = gaz.villages(text)  # a village's own name is better evidence than a misspelt town's
    if not entries and misspelt and " " not in text:
        entries = gaz.fuzzy(text)
    stem = _ADJECTIVE.sub("", text)
    if not entries and " " not in text and stem != text and len(stem) >= 4:
        # "the Hostomelʹsʹkyy glassworks": a Ukrainian adjective of a town names a works of the town.
        entries = [
            e
            for e in gaz.lookup(stem)
            if e.country in THEATRE and e.kind == "place" and e.population >= 1000 and _main_name(e, stem)
        ]
    return entries


# Words in the longest name looked up whole ("Democratic People's Republic of Korea").
LONGEST_NAME = 6


def find_mentions(text: str, gaz: Gazetteer | None = None) -> list[Mention]:
    """Place-name mentions in text, longest name first, with their gazetteer candidates."""
    gaz = gaz or shared_gazetteer()
    mentions: list[Mention] = []
    people: set[str] = set()  # surnames the text has used in a person's name ("Mike Ripley")
    for run in _RUN.finditer(text):
        words = list(re.finditer(r"[^ ]+", run.group()))
        i = 0
        while i < len(words):
            found = None
            # "Rep. Joe Wagner, D-Chicopee": a party's initial before a legislator's home town
            party = 2 if re.match(r"[DRI]-[A-Z]", words[i].group()) else 0
            for j in range(min(len(words), i + LONGEST_NAME), i, -1):
                start = run.start() + words[i].start() + party
                end = run.start() + words[j - 1].end()
                # "Engels-2" is the airbase at Engels; "Gainesville-area", "Kyiv-based" name the
                # town ("Chernobyl-like" does not: it compares).
                surface = re.sub(
                    r"-(?:\d+|area|based|born|bound|region|registered|headquartered|centred|centered|side)$",
                    "",
                    text[start:end],
                ).rstrip(".-’'")
                end = start + len(surface)
                if surface.endswith("'s") or surface.endswith("’s"):
                    surface, end = surface[:-2], end - 2
                if (
                    not surface
                    or not surface.split(" ")[-1][:1].isupper()
                    or surface.lower() in _NOT_PLACES
                    or surface.lower().split(" ")[0] in {"the", "a"}
                ):
                    continue
                # A misspelling is worth a guess only for a whole one-word name after a place cue.
                before = text[max(0, start - 40) : start]
                cued = len(words) == 1 and bool(_FUZZY_CUE.search(before))
                placed = bool(
                    _PLACED_BEFORE.search(before)
                    or _STRONG_PREFIX.search(before)
                    or _PLACED_AFTER.match(text[end : end + 40])
                    or _APPOSITION_REGION.match(text[end : end + 60])
                )
                entries = _candidates(gaz, surface, misspelt=cued, placed=placed)
                if entries:
                    found = (start, end, surface, entries, j)
                    break
            if found is None:
                mentions.extend(_hyphen_parts(text, run.start() + words[i].start(), words[i].group(), gaz))
                i += 1
                continue
            start, end, surface, entries, j = found
            if (
                j == i + 1
                and j < len(words)
                and surface in SLAVIC_GIVEN_NAMES
                and words[j].group()[:1].isupper()
            ):
                i = j  # "Taras Shevchenko University": a given name and its surname, not the town of Taraz
                continue
            opens_sentence = (
                i - 1 == 0 and re.search(r"(?:^|[.!?:;\"“]\s*|\n\s*)$", text[: run.start()]) is not None
            )
            located_by_region = (
                _APPOSITION_REGION.match(text[end : end + 60]) is not None
            )  # "Residences Kramatorsk, Donetsk Oblast"
            if (
                i > 0
                and not opens_sentence
                and not located_by_region
                and _after_a_name(words[i - 1].group(), entries)
                and not any(e.kind in ("country", "admin1") for e in entries)
                and not _own_town(words[i - 1].group(), surface, entries, gaz)
            ):
                if (
                    j == i + 1
                    and _is_small(entries)
                    and words[i - 1].group().strip(".,’'").title() in first_names()
                ):
                    people.add(
                        surface
                    )  # "Mike Ripley"; not "Rodeo Gainesville", an event named after the town
                i = j  # "Mike Jones", "Sgt. Lincoln": the last word of a person's or body's name
                continue
            mention = _cue(text, start, end, surface, entries, gaz)
            if mention is not None:
                mentions.append(mention)
            elif (
                " " not in surface
                and _is_small(entries)
                and (
                    _TITLES.search(text[max(0, start - 60) : start])
                    # "Gainesville says no": a town that speaks is still the town
                    or (
                        _PERSON_AFTER.match(text[end : end + 60])
                        and not any(_main_name(e, surface) and e.population >= 10_000 for e in entries)
                    )
                )
            ):
                people.add(
                    surface
                )  # "Sheriff's deputies told Mr. Tanner", "Katerina said": a person throughout
            i = j
    if people:
        # Once "Mike Ripley" is a person, a later bare "Ripley" is that person, not the town,
        # unless the wording places it ("in Ripley").
        mentions = [
            m
            for m in mentions
            if m.text not in people
            or m.cue == "strong"
            or _IN_PLACE.search(text[max(0, m.start - 40) : m.start])
        ]
    return _facility_mentions(
        text, _joined_countries(text, gaz, _party_states(text, gaz, _lowercase_mentions(text, gaz, mentions)))
    )


def _joined_countries(text: str, gaz: Gazetteer, mentions: list[Mention]) -> list[Mention]:
    """Countries whose names join two names with "and" ("Bosnia and Herzegovina", "Trinidad and
    Tobago"), in place of the town that shares the first name (Trinidad, Colorado)."""
    if " and " not in text:
        return mentions
    pattern, codes = _joined_country_names(gaz)
    found = []
    for match in pattern.finditer(text):
        entry = gaz.country(codes[match.group().lower()])
        if entry is not None:
            found.append(Mention(match.start(), match.end(), match.group(), (entry,), "strong"))
    return _in_place_of(mentions, found)


@functools.cache
def _joined_country_names(gaz: Gazetteer) -> tuple[re.Pattern[str], dict[str, str]]:
    """A pattern of the country names that contain "and", and each one's ISO code."""
    codes = {name.lower(): iso for name, iso in gaz.country_names() if " and " in name}
    names = sorted(codes, key=len, reverse=True) or ["(?!)"]
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b", re.IGNORECASE), codes


# "Rep. Nick Rahall, D-W. Va.": a party's initial before a state's abbreviation of two words.
_PARTY_STATE = re.compile(r"\b[DRI]-((?:[A-Z]\.\s?)?[A-Z][a-z]*\.?(?: [A-Z][a-z]+\.?)?)")


def _party_states(text: str, gaz: Gazetteer, mentions: list[Mention]) -> list[Mention]:
    found = []
    for match in _PARTY_STATE.finditer(text):
        surface = match.group(1).rstrip(".")
        states = [e for e in gaz.lookup(surface) if e.kind == "admin1" and e.country == "US"]
        if states:
            found.append(
                Mention(match.start(1), match.start(1) + len(surface), surface, (states[0],), "region")
            )
    return _in_place_of(mentions, found, reach=2)  # and the "D-" before it


# Works named after a town they do not stand in, which war reporting names often: a nuclear
# plant is named after its oblast or an old name ("Zaporizhzhia" lies at Enerhodar, 50 km from
# the city). (names, kind of work, name, country, region, lat, lon); the points are the works'.
FACILITIES = [
    (
        r"Zaporizhzhi?a|Zaporizhzhya|Zaporozhye|Zaporizhia",
        "nuclear",
        "Zaporizhzhia Nuclear Power Plant",
        "UA",
        "Zaporizhia",
        47.5119,
        34.5856,
    ),
    (r"Chernobyl|Chornobyl", "nuclear", "Chornobyl Nuclear Power Plant", "UA", "Kiev", 51.3894, 30.0989),
    (
        r"South Ukraine|South Ukrainian|Pivdennoukrainsk",
        "nuclear",
        "South Ukraine Nuclear Power Plant",
        "UA",
        "Mykolaiv",
        47.8128,
        31.2158,
    ),
    (r"Rivne|Rovno", "nuclear", "Rivne Nuclear Power Plant", "UA", "Rivne", 51.3278, 25.8917),
    (
        r"Khmelnytskyi|Khmelnytsky|Khmelnitsky",
        "nuclear",
        "Khmelnytskyi Nuclear Power Plant",
        "UA",
        "Khmelnytskyi",
        50.3014,
        26.6497,
    ),
    (r"Kursk", "nuclear", "Kursk Nuclear Power Plant", "RU", "Kursk", 51.6747, 35.6064),
    (r"Kakhovka|Nova Kakhovka", "dam", "Kakhovka Dam", "UA", "Kherson", 46.7781, 33.3717),
    (r"Antonivskyi|Antonivsky|Antonovsky", "bridge", "Antonivskyi Bridge", "UA", "Kherson", 46.6686, 32.7117),
    (r"Crimean|Kerch|Kerch Strait", "bridge", "Crimean Bridge", "UA", "Crimea", 45.3083, 36.5111),
]
_FACILITY_WORDS = {
    "nuclear": r"\s+(?:[Nn]uclear\s+(?:[Pp]ower\s+)?(?:[Pp]lant|[Ss]tation|[Ff]acility|[Rr]eactor)|(?:[Aa]tomic|[Nn]uclear)\s+[Pp]ower\s+[Ss]tation|NPP|N\.P\.P\.)",
    "dam": r"\s+(?:[Dd]am|[Hh]ydro(?:electric)?\s+(?:[Pp]ower\s+)?(?:[Pp]lant|[Ss]tation|[Dd]am)|HPP|[Rr]eservoir\s+[Dd]am)",
    "bridge": r"\s+[Bb]ridge",
}
# Plants whose bare name is the plant in the news of this war ("the Zaporizhzhia plant").
_KNOWN_BY_NAME = {"Zaporizhzhia Nuclear Power Plant", "Chornobyl Nuclear Power Plant"}
_BARE_PLANT = (
    r"|\s+(?:[Pp]ower\s+)?[Pp]lant|\s+[Pp]ower\s+[Ss]tation"  # not "Zaporizhzhia station", the railway's
)
_FACILITY = [
    (
        re.compile(
            rf"\b(?:{names})(?:{_FACILITY_WORDS[kind]}{_BARE_PLANT if name in _KNOWN_BY_NAME else ''})\b"
        ),
        Entry(None, name, cc, region, lat, lon, 0, "facility"),
    )
    for names, kind, name, cc, region, lat, lon in FACILITIES
]
FACILITY_KINDS = {name: kind for _, kind, name, *_ in FACILITIES}
# Works and landmarks known by a name of their own: the plants' abbreviations, and names small
# towns also bear ("White House", Tennessee).
_LANDMARKS = [
    (re.compile(r"\bZNPP\b"), _FACILITY[0][1]),
    (re.compile(r"\bChNPP\b"), _FACILITY[1][1]),
    # An island of 17 hectares and a steelworks: points, not regions ("Snake Island, Bile": the
    # island's hamlet, not Bile in Luhansk oblast).
    (
        re.compile(r"\b(?:Snake|Zmiinyi|Zmeinyi) Island\b"),
        Entry(None, "Snake Island", "UA", "Odessa", 45.2547, 30.2036, 0, "facility"),
    ),
    (re.compile(r"\bAzovstal\b"), Entry(None, "Azovstal", "UA", "Donetsk", 47.0968, 37.6012, 0, "facility")),
    (
        re.compile(r"\bWhite House\b"),
        Entry(None, "White House", "US", "Washington, D.C.", 38.8977, -77.0365, 0, "facility"),
    ),
]


def _facility_mentions(text: str, mentions: list[Mention]) -> list[Mention]:
    """Name the works themselves where the text does ("the Zaporizhzhia nuclear power plant"),
    in place of the town whose name they carry."""
    found = [
        Mention(match.start(), match.end(), match.group(), (entry,), "strong")
        for pattern, entry in _FACILITY + _LANDMARKS
        for match in pattern.finditer(text)
    ]
    return _in_place_of(mentions, found)


def _in_place_of(mentions: list[Mention], found: list[Mention], reach: int = 0) -> list[Mention]:
    """mentions with `found` in place of those they overlap (or come within `reach` of), in text order."""
    if not found:
        return mentions
    kept = [m for m in mentions if not any(f.start - reach < m.end and m.start < f.end for f in found)]
    return sorted(kept + found, key=lambda m: m.start)


def is_populated_place(name: str, gaz: Gazetteer | None = None) -> bool:
    """True when the gazetteer knows this exact name as a place of the war's countries, a
    country, a first-level region or a city of 100,000 or more, and it is no one's given name or
    surname in the census lists ("Kherson", "Sumy", "Davydiv Brid"; not "Roman" or "Olena")."""
    words = name.split()
    if not words or any(
        w.strip(".,’'").title() in first_names() or w.strip(".,’'").title() in surnames() for w in words
    ):
        return False
    gaz = gaz or shared_gazetteer()
    return any(
        e.country in THEATRE or e.kind in ("country", "admin1") or e.population >= 100_000
        for e in gaz.lookup(name)
    )


@functools.cache
def first_names() -> frozenset[str]:
    """Given names (the US Census Bureau's 1990 lists of male and female first names, as packaged
    by `names`, and those of the war's countries): the word before a surname."""
    return _census_names("dist.male.first", "dist.female.first") | SLAVIC_GIVEN_NAMES


@functools.cache
def surnames() -> frozenset[str]:
    """Surnames (the US Census Bureau's 1990 list, as packaged by `names`): the word after a given name."""
    return _census_names("dist.all.last")


def _census_names(*filenames: str) -> frozenset[str]:
    """The names in the `names` package's census lists, title-cased; none when it is not installed."""
    try:
        import names
    except ImportError:
        return frozenset()
    folder = Path(names.__file__).parent
    found: set[str] = set()
    for filename in filenames:
        path = folder / filename
        if path.exists():
            found.update(
                line.split()[0].title()
                for line in path.read_text(encoding="ascii", errors="replace").splitlines()
                if line.strip()
            )
    return frozenset(found)


# Given names of Ukraine, Russia and Belarus in their usual English spellings, which the US
# lists lack; several are also villages' or towns' names ("Bohdan", "Taras" of Taraz).
SLAVIC_GIVEN_NAMES = frozenset(
    [
        "Andriy",
        "Andrii",
        "Andrey",
        "Andrei",
        "Anatoliy",
        "Anatoly",
        "Arseniy",
        "Artem",
        "Artyom",
        "Bohdan",
        "Bogdan",
        "Borys",
        "Boris",
        "Dmytro",
        "Dmitry",
        "Dmitri",
        "Denys",
        "Denis",
        "Fedir",
        "Fyodor",
        "Hennadiy",
        "Gennady",
        "Hryhoriy",
        "Grigory",
        "Ihor",
        "Igor",
        "Illia",
        "Ilya",
        "Ivan",
        "Kostiantyn",
        "Konstantin",
        "Kyrylo",
        "Kirill",
        "Leonid",
        "Maksym",
        "Maxim",
        "Mykhailo",
        "Mikhail",
        "Mykola",
        "Nikolai",
        "Oleh",
        "Oleg",
        "Oleksandr",
        "Oleksiy",
        "Oleksii",
        "Alexei",
        "Alexey",
        "Pavlo",
        "Pavel",
        "Petro",
        "Pyotr",
        "Roman",
        "Ruslan",
        "Serhiy",
        "Serhii",
        "Sergei",
        "Sergey",
        "Stanislav",
        "Stepan",
        "Taras",
        "Valeriy",
        "Valery",
        "Vasyl",
        "Vasily",
        "Viktor",
        "Vitaliy",
        "Vitaly",
        "Volodymyr",
        "Vladimir",
        "Vadym",
        "Vadim",
        "Vyacheslav",
        "Yaroslav",
        "Yevhen",
        "Yevgeny",
        "Yuriy",
        "Yurii",
        "Yuri",
        "Zinoviy",
        "Alla",
        "Anastasiia",
        "Daria",
        "Halyna",
        "Galina",
        "Hanna",
        "Iryna",
        "Irina",
        "Kateryna",
        "Katerina",
        "Ekaterina",
        "Yekaterina",
        "Anna",
        "Maria",
        "Oleksandra",
        "Viktoriia",
        "Viktoria",
        "Lesya",
        "Liudmyla",
        "Lyudmila",
        "Mariia",
        "Nadiya",
        "Nadezhda",
        "Natalia",
        "Nataliya",
        "Oksana",
        "Olena",
        "Yelena",
        "Olha",
        "Olga",
        "Svitlana",
        "Svetlana",
        "Tetiana",
        "Tatiana",
        "Valentyna",
        "Yuliia",
        "Yulia",
        "Zoya",
    ]
)


# The abbreviations without their final full stop, as a mention's surface has them ("Ind").
_STATE_ABBREVIATIONS = frozenset(a.rstrip(".") for forms in US_STATE_ABBREVIATIONS.values() for a in forms)


def _is_small(entries: list[Entry]) -> bool:
    """True when no reading of a name is a country, a region or a city: a surname may be such a name."""
    return not any(e.kind in ("country", "admin1", "region") or e.population > 200_000 for e in entries)


# "in kharkiv", "in Chasiv yar": captions and posts often skip capitals after a preposition.
_LOWER_AFTER = re.compile(
    r"\b(?:[Ii]n|near|outside|around|through|to|of|at|from)\s+([A-Za-z][a-z’'\-]{3,}(?:\s+[a-z][a-z’'\-]{2,})?)"
)


# Armed groups named after places or joined to them in unit names ("Azov-Dnipro", "Aidar").
_ARMED_GROUPS = {"azov", "wagner", "kadyrov", "aidar", "kraken", "akhmat", "sparta", "somali", "vostok"}


def _hyphen_parts(text: str, start: int, word: str, gaz: Gazetteer) -> list[Mention]:
    """ "the Canada-EU trade deal", "Middlesex-London EMS": a compound of names that is no name
    itself names each part. Only parts that are a country, a region or a city of 100,000 (20,000
    in the war's countries, by a name that is no word): smaller towns share their names with
    brands ("Mercedes-Benz")."""
    if "-" not in word.strip("-") or any(
        part.lower().strip(".,;:’'") in _ARMED_GROUPS for part in word.split("-")
    ):
        return []  # "Azov-Dnipro" is a battalion
    found = []
    offset = 0
    for part in word.split("-"):
        at = start + offset
        offset += len(part) + 1
        part = part.rstrip(".,;:’'")
        if (
            len(part) < 2
            or not part[:1].isupper()
            or part.lower() in _NOT_PLACES
            or (len(part) == 2 and not part.isupper())
        ):
            continue
        entries = [
            e
            for e in gaz.lookup(part)
            if e.kind in ("country", "admin1")
            or (e.kind == "place" and e.population >= 100_000 and _main_name(e, part))
        ]
        if not entries and _unmistakable(part, gaz.lookup(part), gaz):
            # "the Bakhmut-Bread shop": in the war's countries a town's name is no brand's.
            entries = [
                e
                for e in gaz.lookup(part)
                if e.country in THEATRE
                and e.kind == "place"
                and e.population >= 20_000
                and _main_name(e, part)
            ]
        if len(part) == 2:
            entries = [e for e in entries if e.kind == "country"]  # "Egyptian-US relations"
        mention = _cue(text, at, at + len(part), part, entries, gaz) if entries else None
        if mention is not None:
            found.append(mention)
    return found


def _lowercase_mentions(text: str, gaz: Gazetteer, mentions: list[Mention]) -> list[Mention]:
    """Add names written without their capitals, when they are unmistakable: the main name of a
    town of 10,000 or more (or a region) in the war's countries, so English words stay words."""
    taken = [(m.start, m.end) for m in mentions]
    added: list[Mention] = []
    for match in _LOWER_AFTER.finditer(text):
        words = match.group(1).split()
        if match.group(1)[:1].isupper() and len(words) == 1:
            continue  # capitalised names were handled above
        for n in range(len(words), 0, -1):
            if n == 1 and words[0][:1].isupper():
                break  # "Chasiv yar" is looked at whole; a capitalised word alone was handled above
            surface = " ".join(words[:n])
            start = match.start(1)
            end = start + len(surface)
            if any(a < end and start < b for a, b in taken) or surface.lower() in _NOT_PLACES:
                continue
            entries = [
                e
                for e in gaz.lookup(surface)
                if e.country in THEATRE
                and skeleton(e.name) == skeleton(surface)
                and (e.kind == "admin1" or e.population >= 10_000)
            ]
            if entries:
                added.append(Mention(start, end, text[start:end], tuple(entries), "prefix"))
                break
    if not added:
        return mentions
    return sorted(mentions + added, key=lambda m: m.start)


_PLACE_PREFIXES = {
    "north",
    "south",
    "east",
    "west",
    "new",
    "fort",
    "saint",
    "st",
    "st.",
    "mount",
    "lake",
    "port",
    "upper",
    "lower",
    "greater",
    "central",
    "northern",
    "southern",
    "eastern",
    "western",
    "old",
    "el",
    "la",
    "los",
    "las",
    "san",
    "santa",
    "de",
    "metro",
    "metropolitan",
    "downtown",  # "Metro Vancouver", "Metropolitan Atlanta"
    "checkpoint",
    "substation",
    "airfield",
    "airbase",  # "Checkpoint Chonhar": the works before their place's name
}


_FUNCTION_WORDS = {
    "the",
    "a",
    "an",
    "in",
    "at",
    "on",
    "from",
    "to",
    "near",
    "of",
    "by",
    "for",
    "with",
    "and",
    "but",
    "or",
    "as",
    "into",
    "outside",
    "around",
}


# The endings of nationality adjectives ("Russian", "European", "Chinese", "Polish").
_NATIONALITY = re.compile(r"(?:ian|ean|ese|ish)$")


def _own_town(previous: str, surface: str, entries: list[Entry], gaz: Gazetteer) -> bool:
    """True when a town of the war's countries follows a capitalised word by its own name (or its
    adjective) and no given name comes before it: "Vetropak Hostomel", "Vetropak Hostomelʹsʹkyy" is a
    firm named with its town, not a person's surname."""
    base = _ADJECTIVE.sub("", surface)
    return (
        previous.strip(".,’'").title() not in first_names()
        and _unmistakable(base, entries, gaz)
        and any(
            e.country in THEATRE and e.kind == "place" and e.population >= 10_000 and _main_name(e, base)
            for e in entries
        )
    )


def _after_a_name(previous: str, entries: list[Entry]) -> bool:
    """True when the capitalised word before a candidate makes it part of a longer name."""
    word = previous.strip(".,’'").lower()
    # "Russian Engels-2 airbase", "Belarusian Mazyr": a nationality adjective before a town of
    # the war's countries, not a first name; "European Union" stays one name.
    nationality = (
        _NATIONALITY.search(word) is not None
        and previous.strip(".,’'").title() not in first_names()
        and any(e.country in THEATRE for e in entries)
    )
    # "told CTV Winnipeg": a broadcaster's initials before its city; no person is called CTV.
    initials = previous.strip(".,’'").isupper() and 3 <= len(previous.strip(".,’'")) <= 5
    return (
        bool(word)
        and previous[:1].isupper()
        and word not in _PLACE_PREFIXES
        and word not in _FUNCTION_WORDS
        and not word.endswith(("'s", "’s"))
        and "-" not in word  # "Russian-controlled Kakhovka"
        and not nationality
        and not initials
    )


# "between Komyshuvakha and Vrubivka": both names are places.
_BETWEEN = re.compile(
    r"\bbetween\s+(?:the\s+)?(?:(?:towns|villages|cities)\s+of\s+)?(?:[A-Z][\w’'\-]*\s+){1,3}and\s+(?:the\s+)?$|\bbetween\s+(?:the\s+)?(?:(?:towns|villages|cities)\s+of\s+)?$"
)


def _unmistakable(surface: str, entries: list[Entry], gaz: Gazetteer) -> bool:
    """A name that is no English word, nor the plural of one, nor a given name, and is some place's
    own name or a spelling of it: "Mazyr" or "Vinnitsa" at the head of a sentence is the town;
    "Tank", "Farmers", "Since" and "Keith" are not."""
    lower = surface.lower()
    words = (lower, lower[:-1], lower[:-2]) if lower.endswith("s") else (lower,)
    return (
        not any(gaz.is_english(w) for w in words)
        and lower not in _FUNCTION_WORDS
        and surface not in first_names()
        and any(
            _main_name(e, surface) or _variant(e.name, surface) or e.population >= 100_000 for e in entries
        )
    )


def _cue(
    text: str, start: int, end: int, surface: str, entries: list[Entry], gaz: Gazetteer
) -> Mention | None:
    before = text[max(0, start - 60) : start]
    after = text[end : end + 60]
    stem = _ADJECTIVE.sub("", surface)
    if stem != surface and not gaz.lookup(surface):
        # A town's adjective: "Kyivska oblast" is the oblast, "Chernihivska street" a street.
        if re.match(r"^\s+(?i:street|avenue|square|lane|road)\b", after):
            return None
        if re.match(r"^\s+(?i:oblast|region|province)\b", after):
            entries = [e for e in gaz.lookup(stem) if e.kind == "admin1"]
            if not entries:
                return None
    cue = "none"
    if _STRONG_PREFIX.search(before):
        cue = "strong"
    elif _REGION_SUFFIX.match(after):
        cue = "region"
    elif re.search(r"\b[Oo]blast\s+$", before):
        cue = "region"  # "Velyka Komyshuvakha, Oblast Kharkiv": the word order of Ukrainian addresses
    elif _PREFIX_CUE.search(before) or _BETWEEN.search(before):
        cue = "prefix"
    if _TREATY_AFTER.match(after):
        return None  # "the Geneva Convention", "the Minsk agreements": a treaty, not a place
    if _STREETS_AFTER.match(after) or _STREET_AFTER.match(after):
        return None  # "the junction of Shevchenko, Torhova and Schmidt St.": streets named after people and towns
    opens_sentence = re.search(r"(?:^|[.!?:;\"“]\s+|\n\s*)$", before) is not None
    if (
        cue == "none"
        and " " not in surface
        and opens_sentence
        and not surface.isupper()
        and _VERB_AFTER.match(after)
        and not any(e.kind in ("country", "admin1") for e in entries)
        and gaz.is_word(surface)
    ):
        return None  # "Man interviewed in Mariupol": an English word opens the sentence, not the town of Man
    if (
        cue == "none"
        and " " not in surface
        and _NATIONALITY.search(surface)
        and surface.lower() not in {e.name.lower() for e in entries if e.population > 100_000}
    ):
        return None  # "Canadian officials": a nationality, though Canadian, Texas, is a town
    # "Paul, Idaho", "Parachute, Colorado": a region named after it places a name.
    appo = _APPOSITION_REGION.match(after) or _APPOSITION_NAME.match(after)
    placed_by_region = appo is not None
    if (
        cue == "none"
        and " " not in surface
        and surface in first_names()
        and (
            (_is_small(entries) and not any(_main_name(e, surface) for e in entries))
            or (all(e.population < 10_000 and e.kind != "country" for e in entries) and not placed_by_region)
        )
    ):
        # "James said": a given name alone is a person, not a town that was once called James,
        # nor a hamlet of that name ("Paul", Idaho) unless the wording places it ("in Paul").
        return None
    if (
        cue == "none"
        and " " not in surface
        and not surface.isupper()
        and not placed_by_region
        and gaz.is_english(surface)
        and all(e.population < 10_000 and e.kind in ("place", "village") for e in entries)
    ):
        return None  # "Hope", "Story": an English noun is a hamlet only where the wording places it
    if (
        _PORTFOLIO_BEFORE.search(before)
        and gaz.is_english(surface)
        and all(e.population < 100_000 and e.kind in ("place", "village") for e in entries)
    ):
        return None  # "the Chamber of Commerce", "the Department of Energy": a portfolio, not a town
    if (
        " " not in surface
        and surface in first_names()
        and re.match(r"['’]s\s+[A-Z]", after)
        and all(e.population < 10_000 for e in entries)
    ):
        return None  # "at Eva's Village", "Mary's Kitchen": a person's, not a hamlet's
    if (
        cue == "none"
        and " " not in surface
        and surface in first_names()
        and not any(e.kind == "country" for e in entries)
    ):
        # "Mary Ann shares tips", "Victoria Beckham": a given name before another given name or a
        # surname is a person, though a region abroad bears it (Mary, Turkmenistan; Victoria).
        following = re.match(r"\s+([A-Z][a-z’'-]+)\b", after)
        if following and (
            following.group(1) in first_names()
            or (following.group(1) in surnames() and not gaz.is_english(following.group(1)))
        ):
            return None
    if (
        " " not in surface
        and surface in surnames()
        and _NAMED_AFTER.match(after)
        and cue != "strong"
        and text.count(surface) == 1
        and all(
            e.kind in ("place", "village") and e.population < 10_000 and e.country not in THEATRE
            for e in entries
        )
    ):
        return None  # "Cornell University", "Carnegie Library", named once: after a person, not a hamlet
    person_like = cue == "none" and (_TITLES.search(before) or _PERSON_AFTER.match(after))
    big = any(e.kind in ("country", "admin1", "region") or e.population > 200_000 for e in entries)
    if person_like and not big:
        return None
    # Two letters are a place only as a country ("US", "UK"), a dotted abbreviation ("U.K.") or
    # a state's abbreviation with its full stop ("Louisville, Ky.").
    state_abbreviation = after.startswith(".") and any(e.kind == "admin1" for e in entries)
    if surface in _STATE_ABBREVIATIONS and not after.startswith("."):
        # "Easter Sunday Mass", "Weapons of Mass Destruction": without its full stop the word is no state.
        entries = [
            e
            for e in entries
            if not (e.kind == "admin1" and e.country == "US" and key(e.name) != key(surface))
        ]
        if not entries:
            return None
    if (
        len(surface) < 3
        and not any(e.kind == "country" for e in entries)
        and "." not in surface
        and not state_abbreviation
    ):
        return None
    # Weak evidence that a capitalised word is a place: it modifies a facility ("Drama theater",
    # "Gorky park"), takes an article ("the Moskva"), or opens a sentence ("Tank destroyed").
    with_article = bool(re.search(r"\bthe\s+$", before))
    # "a Russian ZALA drone": capitals inside a lower-case sentence mark a brand or an acronym;
    # a dateline ("KYIV, Ukraine") or a headline in capitals does not.
    shouted = (
        len(surface) > 3
        and surface.isupper()
        and re.search(r"[a-z]\s+$", before) is not None
        and not any(e.kind == "country" or (e.kind == "place" and e.population > 100_000) for e in entries)
    )
    # A main name, not an alternate one, keeps a big city against a facility word ("Kyiv
    # airport"); "Gorky park" is a park even though Nizhny Novgorod was once called Gorky.
    big = any(e.kind in ("country", "admin1", "region") for e in entries) or any(
        e.kind != "country"
        and e.population > 200_000
        and (skeleton(e.name) == skeleton(surface) or "." in surface)
        for e in entries
    )  # a dotted abbreviation ("L.A.", "Phila.") is as deliberate as the main name
    weak = (
        shouted
        or cue in ("none", "prefix")
        and (
            (
                not big
                and (
                    bool(_FACILITY_AFTER.match(after))
                    or with_article
                    # "Tank destroyed": an English word opening a sentence; "Mazyr was shelled" is no word
                    or (
                        re.search(r"(?:^|[.!?:;]\s+|\n\s*)$", before) is not None
                        and " " not in surface
                        and not _unmistakable(surface, entries, gaz)
                    )
                )
            )
            # "the Moskva" is a ship: a town by an alternate name never takes the article
            or (
                with_article and entries[0].kind == "place" and skeleton(entries[0].name) != skeleton(surface)
            )
        )
    )
    hint = None
    # "Lviv, Ternopil and Khmelnytskyi": a comma that goes on listing names lists places; it
    # does not say which region the first lies in.
    if (
        appo
        and not _APPOSITION_REGION.match(after)
        and re.match(r"\s*(?:,\s*[A-Z]|and\s+[A-Z]|&)", text[end + appo.end() : end + appo.end() + 20])
    ):
        appo = None
    if appo:
        hint = appo.group(1)
        # "Altai Krai" is a region's whole name (the Altai Republic is another region).
        word = re.search(r"(\w+)\s*$", appo.group(0))
        if word and any(e.kind == "admin1" for e in gaz.lookup(f"{hint} {word.group(1)}")):
            hint = f"{hint} {word.group(1)}"
    if state_abbreviation and re.search(r",\s*$", before) and surface in _STATE_ABBREVIATIONS:
        # "South Bend, Ind.": after a town and a comma, a state's abbreviation is the state
        return Mention(
            start, end, surface, tuple(e for e in entries if e.kind == "admin1"), "region", None, False
        )
    return Mention(start, end, surface, tuple(entries), cue, hint, weak)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance by the equirectangular approximation: within 1% below 1,000 km, which is all
    disambiguation needs, and several times faster than the haversine."""
    x = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    y = math.radians(b[0] - a[0])
    return 6371.0 * math.hypot(x, y)


def resolve(mentions: list[Mention], text: str, gaz: Gazetteer | None = None) -> list[Location]:
    """Choose one gazetteer entry per mention using the text's other places, and drop the unlikely."""
    gaz = gaz or shared_gazetteer()
    context: Counter[str] = Counter()
    # What each name adds to the context: no evidence for its own reading ("Paris" beside
    # "Texas" is not made French by being Paris).
    own_votes: dict[str, Counter[str]] = defaultdict(Counter)
    for m in mentions:
        kinds = {e.kind for e in m.candidates}
        if "country" in kinds:
            # "Georgia" is also a US state: an ambiguous country name sets no context by itself
            # ("England", a country's name and a region of it, is not ambiguous).
            # Nor does a name two countries share ("Congo").
            country = next(e.country for e in m.candidates if e.kind == "country")
            if all(e.country == country for e in m.candidates if e.kind in ("admin1", "country")):
                context[country] += 3
            continue
        top = m.candidates[0]
        # A big city counts as context only when named by its own name, not by an alternate
        # spelling it shares with an English word ("Tank" is an alternate name of Tonk).
        named_region = top.kind in ("admin1", "admin2") and (
            m.cue == "region" or skeleton(top.name) == skeleton(m.text) or "." in m.text
        )
        # Nor does a big city that shares its name with another big city abroad ("London",
        # Ontario): which one it is, is what the context must decide.
        rival = any(
            c.country != top.country and c.population > 100_000 and c.kind == "place" for c in m.candidates
        )
        # Nor does a given name that is also a town's ("Artem ... said", of Artyom in Primorye),
        # unless the town is a city that needs no context (300,000 and more).
        given_name = m.cue == "none" and top.population < 300_000 and m.text in first_names()
        if (
            not m.weak
            and not given_name
            and not _DESCRIBES.match(text[m.end : m.end + 20])
            and (
                (top.population > 100_000 and skeleton(top.name) == skeleton(m.text) and not rival)
                or named_region
            )
        ):
            context[top.country] += 1
            own_votes[m.text][top.country] += 1
    if not context:
        for cc in DEFAULT_CONTEXT:
            context[cc] += 1
        context[_NO_COUNTRY_NAMED] = 1
    # First the mentions that can mean one thing only; their points and regions then help
    # every ambiguous name, whether it comes before or after them ("Paris ... Tenn.").
    anchors: list[tuple[float, float]] = []
    regions: dict[tuple[str, str | None], set[int]] = {}
    for index, m in enumerate(mentions):
        top = m.candidates[0]
        # "Franklin County" names a county in each of 24 states: it sets no region by itself.
        one_region = top.kind in ("admin1", "admin2") and all(
            (c.country, c.admin1) == (top.country, top.admin1)
            for c in m.candidates
            if c.kind in ("admin1", "admin2")
        )
        if len(m.candidates) == 1 or one_region:
            if top.kind != "country":
                anchors.append((top.lat, top.lon))
            if top.kind in ("admin1", "admin2"):
                regions.setdefault((top.country, top.admin1), set()).add(index)
    near, villages = _neighbours(mentions, gaz)
    paired = _county_towns(mentions) | near
    # A village read beside its neighbour becomes a reading of its name.
    mentions = [
        replace(m, candidates=m.candidates + tuple(villages[m.text])) if m.text in villages else m
        for m in mentions
    ]
    names = Counter(m.text for m in mentions)
    # The region of each town the text names, read as the largest town of its name ("Atlanta").
    towns = {
        (m.text, m.candidates[0].country, m.candidates[0].admin1)
        for m in mentions
        if m.candidates[0].kind == "place"
    }
    towns_besides = {m.text: {(cc, a1) for name, cc, a1 in towns if name != m.text} for m in mentions}
    chosen: list[tuple[int, Entry, float]] = []
    for index, m in enumerate(mentions):
        # A region named by this very name ("Luhansk region", here or again later) is no
        # evidence for the town of that name.
        others = _named_by_others(regions, mentions, m)
        best = _choose(
            m,
            context,
            anchors,
            gaz,
            others,
            paired,
            names[m.text] > 1,
            own_votes.get(m.text),
            towns_besides[m.text],
        )
        if best is not None:
            chosen.append((index, *best))
    # One text, one neighbourhood: when two or more of its towns lie in one region, an
    # ambiguous name is read there first ("Huntsville" beside "Madison County" and "Decatur").
    tally = Counter((e.country, e.admin1) for _, e, _ in chosen if e.kind in ("place", "admin2") and e.admin1)
    if tally:
        region, count = tally.most_common(1)[0]
        if count >= 2:
            again: list[tuple[int, Entry, float]] = []
            for index, entry, score in chosen:
                m = mentions[index]
                if (
                    len({(c.country, c.admin1) for c in m.candidates}) > 1
                    and (entry.country, entry.admin1) != region
                ):
                    others = _named_by_others(regions, mentions, m) | {region}
                    best = _choose(
                        m,
                        context,
                        anchors,
                        gaz,
                        others,
                        paired,
                        names[m.text] > 1,
                        own_votes.get(m.text),
                        towns_besides[m.text],
                    )
                    if best is not None:
                        entry, score = best
                again.append((index, entry, score))
            chosen = again
    # One name, one place in one text: a name the text placed once ("in Tipperary town") is the
    # same place where it recurs without a cue ("Tipperary District Court").
    by_name: dict[str, tuple[Entry, float]] = {}
    for index, entry, score in chosen:
        by_name.setdefault(mentions[index].text, (entry, score))
    placed = {index for index, _, _ in chosen}
    chosen += [
        (index, *by_name[m.text])
        for index, m in enumerate(mentions)
        if index not in placed and m.text in by_name and not m.weak
    ]
    chosen.sort(key=lambda c: c[0])
    located = [_location(mentions[index], entry, text, score) for index, entry, score in chosen]
    return _hints_locate(_drop_parts_read_as_towns(located, text), mentions, text)


def _named_by_others(
    regions: dict[tuple[str, str | None], set[int]], mentions: list[Mention], m: Mention
) -> set[tuple[str, str | None]]:
    """The regions the text names by a name other than m's own."""
    return {
        region for region, named_by in regions.items() if any(mentions[i].text != m.text for i in named_by)
    }


def _hints_locate(located: list[Location], mentions: list[Mention], text: str) -> list[Location]:
    """ "Ivanhrad, Donetsk": a name after a comma that says which region the place before it lies
    in locates that place; the event is there, not in the city that shares the region's name,
    and when the region has several places of that name, it is in the region ("Pavlivka, Donetsk")."""
    hints = {(m.end, m.region_hint) for m in mentions if m.region_hint}
    out = list(located)
    for i, (place, after) in enumerate(zip(located, located[1:], strict=False)):
        if (
            place.end is None
            or after.start is None
            or place.role != "site"
            or after.role != "site"
            or place.precision not in ("place", "admin2", "admin1")
        ):
            continue
        hint = next((m for m in mentions if m.start == after.start), None)
        region = (
            next(
                (
                    c
                    for c in hint.candidates
                    if c.kind == "admin1" and c.country == place.country and c.admin1 == place.admin1
                ),
                None,
            )
            if hint
            else None
        )
        # "Spokane, Washington": read as the capital, whose region is another, the name is still the state.
        if place.admin1 != after.admin1 and region is None:
            continue
        between = text[place.end : after.start]
        if (place.end, after.text) in hints and re.fullmatch(r",\s*#?", between):
            # "Rochester, New York": the state, when the name has a state's reading, and either
            # way it locates the place before it and is no site itself ("Ivanhrad, Donetsk").
            out[i + 1] = (_location(hint, region, text, after.score) if hint and region else after).with_role(
                "other"
            )
        elif (
            hint
            and region
            and place.precision != "admin1"
            and re.fullmatch(r"\s+in\s+(?:(?:north|south)?(?:east|west)?(?:ern)?\s+|central\s+)?", between)
        ):
            # "Kreminna in Luhansk", "Pavlivka in southern Donetsk": a town of that region, in the region, not in its city
            out[i + 1] = _location(hint, region, text, after.score).with_role("other")
    return out


# "the Shevchenko in Kyiv", "Sumy market in Kharkiv", "Pokrovske in the southern part of Mariupol"
_INSIDE = re.compile(
    r"^['’]?\s+(?:(?i:district|park|stadium|station|street|avenue|square|market|mall|church|school|hospital|plant|factory|"
    r"bridge|airport|port|neighbou?rhood|microdistrict|quarter|village|settlement)\s+)?"
    r"(?:in|of)\s+(?:the\s+)?(?:(?:\w+\s+)?(?:part|district|area|centre|center)\s+of\s+)?$",
)


def _drop_parts_read_as_towns(located: list[Location], text: str) -> list[Location]:
    """A name placed inside a city is a district, street or landmark of it; when the gazetteer
    read it as a town in another region, that town is a namesake, not the place meant."""
    dropped: set[int] = set()
    for i, (part, whole) in enumerate(zip(located, located[1:], strict=False)):
        if (
            part.start is None
            or part.end is None
            or whole.start is None
            or part.precision != "place"
            or whole.precision != "place"
        ):
            continue
        if _INSIDE.match(text[part.end : whole.start]) and (part.country, part.admin1) != (
            whole.country,
            whole.admin1,
        ):
            dropped.add(i)
    return [loc for i, loc in enumerate(located) if i not in dropped]


# A county's point (the middle of its towns) lies within this distance of its towns.
COUNTY_KM = 40.0
_COUNTY = re.compile(r"\b(?:County|Parish)$")


def _county_towns(mentions: list[Mention]) -> set[Entry]:
    """Counties and towns that a text names together and that lie together: "Huntsville" beside
    "Walker County" is the Huntsville in that county (Texas), though both names recur in other
    states. Only a named county pairs, so two common town names never vouch for each other."""
    paired: set[Entry] = set()
    counties = [m for m in mentions if _COUNTY.search(m.text)]
    if not counties:
        return paired
    towns = {
        (m.text, e) for m in mentions if not _COUNTY.search(m.text) for e in m.candidates if e.kind == "place"
    }
    for county in {(m.text, e) for m in counties for e in m.candidates if e.kind == "admin2"}:
        for name, town in towns:
            if (
                name != county[0]
                and town.country == county[1].country
                and town.admin1 == county[1].admin1
                and _km((town.lat, town.lon), (county[1].lat, county[1].lon)) <= COUNTY_KM
            ):
                paired.update((county[1], town))
    return paired


# Two names of a text whose readings lie this close are read together ("between Komyshuvakha
# and Vrubivka"), when they have at most NEIGHBOUR_READINGS squared pairs of readings: with so
# few, two falling this close by chance is unlikely (a 25 km circle is 0.3% of Ukraine; 64
# pairs make 0.2; 100, 0.3). A town with one reading thus fixes a namesake village of 40 beside it.
# Only in the war's countries, whose small places the codifier and GeoNames list evenly; on
# TR-News' American towns it changed as many readings for the worse as for the better.
NEIGHBOUR_KM = 25.0
NEIGHBOUR_READINGS = 10


def _neighbours(mentions: list[Mention], gaz: Gazetteer) -> tuple[set[Entry], dict[str, list[Entry]]]:
    """Towns and villages of two different names in one text that lie within NEIGHBOUR_KM,
    the codifier's villages of those names included; and by name, the villages so found that
    were not yet readings of it."""
    few: dict[str, list[Entry]] = {}
    for m in mentions:
        readings = [e for e in m.candidates if e.kind in ("place", "village")]
        if readings and len(readings) == len(m.candidates) and m.text not in few:
            seen = set(readings)
            readings += [v for v in gaz.villages(m.text) if v not in seen]
            few[m.text] = readings
    paired: set[Entry] = set()
    names = sorted(few)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            pairs = len(few[a]) * len(few[b])
            if pairs > NEIGHBOUR_READINGS**2:
                continue  # so many readings that two would fall this close by chance
            for x in few[a]:
                for y in few[b]:
                    # Elsewhere only names of few readings vouch for each other (16 pairs at most:
                    # a 25 km circle is 0.03% of the United States), as Enfield and Edmonton do
                    # for London's boroughs.
                    evenly = x.country in THEATRE or pairs <= 2 * NEIGHBOUR_READINGS
                    if (
                        x.country == y.country
                        and evenly
                        and _km((x.lat, x.lon), (y.lat, y.lon)) <= NEIGHBOUR_KM
                    ):
                        paired.update((x, y))
    known = {e for m in mentions for e in m.candidates}
    villages: dict[str, list[Entry]] = {}
    for name, readings in few.items():
        for e in readings:
            if e in paired and e not in known:
                villages.setdefault(name, []).append(e)
    return paired, villages


def _choose(
    m: Mention,
    context: Counter[str],
    anchors: list[tuple[float, float]],
    gaz: Gazetteer,
    regions: set[tuple[str, str | None]] | None = None,
    paired: set[Entry] | None = None,
    recurs: bool = False,
    own: Counter[str] | None = None,
    towns: set[tuple[str, str | None]] | None = None,
) -> tuple[Entry, float] | None:
    """The best reading of a mention and its score, or None when no reading is likely enough.
    `own`: the context the mention's name itself added, which scores no reading of it (though
    a big city's name may still vouch that the city is meant)."""
    if m.candidates[0].kind == "facility":
        return m.candidates[0], 10.0  # named in full: nothing to choose
    scoring = context - own if own else context
    has_region = any(c.kind == "admin1" for c in m.candidates)
    scored: list[tuple[float, Entry]] = []
    hint_entries: list[Entry] = []
    if m.region_hint:
        hint_entries = [
            e
            for e in gaz.lookup(m.region_hint) + gaz.lookup(m.region_hint, fuzzy=True)
            if e.kind == "admin1" or (e.kind == "place" and e.population >= 50_000)
        ] or [
            e
            for e in gaz.fuzzy(m.region_hint)
            if e.kind == "admin1" or (e.kind == "place" and e.population >= 50_000)
        ]  # "Donestk oblast"
        if any(
            h.kind == "country" and any(c.country == h.country for c in m.candidates)
            for h in gaz.lookup(m.region_hint)
        ):
            hint_entries = []  # "TBILISI, Georgia": the city's country, though Georgia is a US state too
    # A name that several towns of the war's countries bear as their own is theirs, not the
    # former name of a city ("Oleksandrivka": dozens of villages, and an old name of Donetsk).
    bearers = Counter(
        c.country for c in m.candidates if c.kind in ("place", "village") and _main_name(c, m.text)
    )
    for e in m.candidates:
        if (
            e.kind == "place"
            and e.country in THEATRE
            and bearers[e.country] >= 2
            and not _main_name(e, m.text)
            and not _variant(e.name, m.text)
        ):
            continue
        score = math.log10(e.population + 10)
        # An alternate name shared with another place is weaker evidence than the main name.
        if _main_name(e, m.text):
            score += 1.5
        if e.kind == "country":
            score += 3
        elif e.kind == "admin1":
            # A bare name is the big city when one has it ("Kharkiv"), else the region ("Georgia", "Ohio").
            # A city known by the name now, not a city that once bore it: "Dnipropetrovsk" is the
            # region since the city became Dnipro; "Kiev" is still a spelling of Kyiv.
            big_namesake = any(
                c.kind == "place"
                and c.country == e.country
                and c.population >= 100_000
                and (_main_name(c, m.text) or _variant(c.name, m.text, 65))
                for c in m.candidates
            )
            score += 3 if m.cue == "region" else (-1.5 if big_namesake else 0.5)
            if e.population >= 500_000 and all(
                c.population * 100 <= e.population for c in m.candidates if c.kind in ("place", "village")
            ):
                score += 2.0  # "traced to Chechnya": a region of a million, not the hamlet of 1,350 that shares its name
        elif e.kind == "region":
            score += (
                1 if m.cue == "region" and has_region else 3
            )  # "Red Sea state" is Sudan's state, not the sea
        elif e.kind == "admin2":
            if re.search(r"\b(?:County|Parish|Raion|District|Borough)\b", m.text):
                score += 2.5
            elif e.country in _BARE_COUNTIES and not any(
                c.kind == "place" and c.country == e.country for c in m.candidates
            ):
                score += 3.0  # British and Irish counties go by their bare names ("Kent", "Fife")
            else:
                score -= 2.0
        elif m.cue == "region":
            score -= 0.5
        if e.country in scoring:
            score += 2.5 + min(2.0, scoring[e.country] / 3)
        elif e.kind == "country" and _among_neighbours(e.country, scoring, m.candidates, towns or set()):
            score += 2.5 + min(2.0, sum(scoring[n] for n in neighbours().get(e.country, ())) / 3)
        if hint_entries and any(h.admin1 == e.admin1 and h.country == e.country for h in hint_entries):
            score += 6
        # "the Kyiv region" is the region, however near the text's other towns the city lies.
        region_meant = m.cue == "region" and any(
            c.kind == "admin1" and c.country == e.country for c in m.candidates
        )
        if anchors and e.kind in ("place", "admin2", "village") and not region_meant:
            nearest = min((_km((e.lat, e.lon), a) for a in anchors[:40] if a != (e.lat, e.lon)), default=1e9)
            score += 2.0 if nearest < 150 else (1.0 if nearest < 400 else 0.0)
        if (
            regions
            and e.kind in ("place", "admin2", "village")
            and (e.country, e.admin1) in regions
            and not has_region
        ):
            score += 4.0  # the text names the region this place lies in ("England and Wales": not a village of Wales)
        if paired and e in paired:
            score += 3.0  # a town and its county, or two neighbours, named together
        if (
            e.kind == "place"
            and e.population >= 1_000_000
            and m.cue != "region"
            and not hint_entries
            and _main_name(e, m.text)
            and all(c is e or c.kind != "place" or c.population * 100 <= e.population for c in m.candidates)
        ):
            score += 4.0  # "London" is London unless the text says which other: its namesakes are hamlets beside it
        scored.append((score, e))
    if not scored:
        return None
    scored.sort(key=lambda x: -x[0])
    score, entry = scored[0]
    if entry.kind == "village":
        return _village(m, entry, score, scored, context, hint_entries, gaz)
    # Small places need a cue or a context country; an unknown village abroad is not a guess worth making.
    # A cued name in the war's own countries is no guess ("a reporter from Russia in Zolote").
    alternate = not _main_name(entry, m.text)
    if m.weak and (
        entry.country not in context
        or (alternate and not _variant(entry.name, m.text))
        or (entry.kind == "place" and entry.population < 1000)
    ):
        return None  # "Pantsir air defence": an alternate name of a Saratov town, used as a word
    if not any(c in THEATRE for c in context) and not _main_name(entry, m.text) and not gaz.lookup(m.text):
        return None  # a spelling guessed in the war's countries, in a text about Egypt ("Abbassiya" is not Abaza)
    if m.cue in ("prefix", "strong") and entry.country in THEATRE and _variant(entry.name, m.text, 80):
        context = context + Counter({entry.country: 1})
    # The only town in the world called by this name, and a sizeable one ("New London"), needs
    # no country in the text to be read as itself.
    unique = (
        _NO_COUNTRY_NAMED in context
        and entry.population >= 20_000
        and not alternate
        and (" " in m.text or len(m.text) >= 6)
        and sum(_main_name(c, m.text) for c in m.candidates) == 1
        and m.text not in first_names()
    )  # "Mary Ann shares tips" is no visit to Mary, Turkmenistan
    # The only reading of a name lies in the region the text names ("Bohorodychne church, Donetsk Oblast").
    in_named_region = (
        bool(regions)
        and len(m.candidates) == 1
        and not alternate
        and (entry.country, entry.admin1) in (regions or set())
    )
    if entry.kind == "place" and m.cue == "none" and not in_named_region:
        if entry.population < 300_000 and entry.country not in context and not unique:
            return None
        if entry.population < 1000:
            return None
    # The only town of its name in the world, after "in" or "near" and named again, is that town
    # ("in Tipperary town ... Main Street, Tipperary"); a word named once may be a common noun ("Bridge").
    # So is the largest of its name when all lie in one country.
    # Only in a text that names no country: beside "England" and "London", "Heathrow" is the
    # airport the extract lacks, not the town of Florida it has.
    only_one = (
        m.cue == "prefix"
        and len({c.country for c in m.candidates}) == 1
        and not alternate
        and entry.population >= 1000
        and recurs
        and _NO_COUNTRY_NAMED in context
    )  # towns of that name in one country only ("in Scottdale": Pennsylvania's or Georgia's) tell the country
    if (
        entry.kind == "place"
        and entry.country not in context
        and entry.population < 15_000
        and m.cue != "strong"
        and not only_one
    ):
        return None
    several_words = " " in m.text and entry.population >= 100_000  # "Gaza City": a city's full name
    if (
        entry.country not in context
        and alternate
        and entry.population < 1_000_000
        and m.cue != "strong"
        and not _variant(entry.name, m.text)
        and not several_words
    ):
        return None  # only an alternate name, abroad: "Sea" is not Seattle
    # A big city's older spelling may be as short and still be its name ("Kiev" of Kyiv); its
    # airport's code ("LED") and words that only look alike ("Keep") are not.
    old_spelling = entry.population >= 1_000_000 and not m.text.isupper() and _variant(entry.name, m.text, 60)
    if (
        alternate
        and len(m.text) <= 4
        and entry.kind == "place"
        and not old_spelling
        and not _variant(entry.name, m.text)
        and "." not in m.text
    ):
        return None  # a short word that is only a nickname of a town ("Sky" of Sandusky, in "Sky News")
    if hint_entries and entry.kind == "place":
        regions = {(h.country, h.admin1) for h in hint_entries}
        if (entry.country, entry.admin1) not in regions:
            # "Orikhove, Luhansk" when the extract knows another Orikhove: the codifier may know this one.
            here = [v for v in gaz.villages(m.text) if (v.country, v.admin1) in regions]
            if len(here) == 1:
                return here[0], score
            # "Orikhove, Luhansk" when the gazetteer knows only another Orikhove: the region is
            # what the text establishes; a wrong town elsewhere is not.
            region = next((h for h in hint_entries if h.kind == "admin1"), None)
            # A town just over the region's line is still the town ("Sevastopol, Crimea",
            # "Alchevsk, Donetsk Oblast"); one across the country is another town of that name.
            if region is not None and _km((entry.lat, entry.lon), (region.lat, region.lon)) > 100:
                return region, score
    return entry, score


def _village(
    m: Mention,
    entry: Entry,
    score: float,
    scored: list[tuple[float, Entry]],
    context: Counter[str],
    hints: list[Entry],
    gaz: Gazetteer,
) -> tuple[Entry, float] | None:
    """A village of the codifier, or its region when the text does not say which village of that
    name it means: dozens of villages share a name, and a guess would be hundreds of km off."""
    # "the Pletenivka road checkpoint": a name only one village in the world bears is that village,
    # even where it names the works beside it.
    only = len(m.candidates) == 1 and not gaz.is_english(m.text.lower()) and m.text not in first_names()
    if entry.country not in context or (m.weak and not m.region_hint and not only):
        return None
    if hints and not any(h.admin1 == entry.admin1 and h.country == entry.country for h in hints):
        return next(((h, score) for h in hints if h.kind == "admin1"), None)
    tied = [e for s, e in scored if s >= score - 1e-9]
    if len(tied) == 1 or all(_km((e.lat, e.lon), (entry.lat, entry.lon)) <= 10 for e in tied):
        return entry, score
    if len({e.admin1 for e in tied}) == 1:
        region = gaz.admin1(entry.country, entry.admin1 or "")
        return (region, score) if region is not None else None
    # Villages of that name across several regions, all in one country: the text says that
    # much ("shelling of Novomykhailivka": one of 18 in Ukraine), and no more.
    if len({e.country for e in tied}) == 1 and not m.weak:
        country = gaz.country(entry.country)
        return (country, score) if country is not None else None
    return None


def _among_neighbours(
    country: str, context: Counter[str], candidates: tuple[Entry, ...], towns: set[tuple[str, str | None]]
) -> bool:
    """True when the text is about a country's neighbourhood far more (three times) than about the
    country of any other reading of its name, and names no town of that reading: "Georgia" beside
    Armenia and Azerbaijan is the country; beside Atlanta, or a visitor from Russia, the state."""
    around = sum(context[n] for n in neighbours().get(country, ()))
    rivals = [c for c in candidates if c.country != country]
    return (
        around > 0
        and all(around > 3 * context[c.country] for c in rivals)
        and not any((c.country, c.admin1) in towns for c in rivals if c.kind == "admin1")
    )


_ADMIN1_ALIAS_KEYS: dict[tuple[str, str], frozenset[str]] = {
    (cc, region): frozenset(key(a) for c, r, a in ADMIN1_ALIASES if (c, r) == (cc, region))
    for cc, region, _ in ADMIN1_ALIASES
}


def _main_name(entry: Entry, surface: str) -> bool:
    """True when the text names the entry by its main name. Slavic romanisations differ in
    ways the skeleton folds ("Izium"/"Izyum"); elsewhere the spelling must match, or the
    English word "Lion" would be Lyon. A region's English name is a main name too ("Buryatia")."""
    if entry.kind == "admin1" and key(surface) in _ADMIN1_ALIAS_KEYS.get(
        (entry.country, entry.name), frozenset()
    ):
        return True
    if entry.country in THEATRE:
        return skeleton(entry.name) == skeleton(surface)
    return key(entry.name) == key(surface)


def _variant(name: str, surface: str, cutoff: float = 75) -> bool:
    """True when a surface form is a spelling of the entry's main name ("Babruysk" of Bobruysk),
    not an unrelated alternate name it happens to carry."""
    from rapidfuzz import fuzz

    return fuzz.ratio(skeleton(name), skeleton(surface)) >= cutoff


def _location(m: Mention, entry: Entry, text: str, score: float) -> Location:
    before = text[max(0, m.start - 40) : m.start]
    if entry.kind == "country":
        precision = "country"
    elif entry.kind in ("admin1", "region", "admin2"):
        precision = entry.kind
    elif entry.kind == "village":
        precision = "admin2"  # placed at the middle of its municipality, not at the village
    else:
        precision = "place"
    role = "site"
    if _ORIGIN.search(before):
        role = "origin"
    elif (
        _DESTINATION.search(before)
        and not re.search(r"\b(?:to|into)\s+(?:the\s+)?$", before[-12:])
        or re.search(r"\b(?:towards?|bound for|en route to)\s+(?:the\s+)?$", before)
        or _TAKEN_TO.search(text[max(0, m.start - 80) : m.start])
    ):
        role = "destination"
    after = text[m.end : m.end + 30]
    if _REFERENCE.search(before):
        role = "other"  # "300 kilometers west of Kyiv" measures from Kyiv; the event is elsewhere
    elif _DESCRIBES.match(after):
        role = "other"  # "a Geneva-based office", "a Kyiv-born singer": where someone is from, not an event
    elif _OUTLET_AFTER.match(after) or _ROUTE_AFTER.match(after) or _UNIT_AFTER.match(after):
        role = "other"
    elif _RIVER_AFTER.match(after) or _RIVER_BEFORE.search(before):
        role = "other"  # "the Dnipro river", "a bridge over the Dnipro": the river, not the city
    elif precision == "country" and _AFFILIATION.match(after):
        role = "other"  # "US Ambassador Linda Thomas-Greenfield said": who speaks, not where
    elif precision == "country" and _ARMS_ACTS.match(after):
        role = "other"  # "Ukraine shelled Horlivka", "Russia invaded": the state fighting, not the site
    elif (
        precision in ("place", "country")
        and (_ACTS.match(after) or _STATE_POSSESSIVE.match(after))
        and not _PEOPLE_OF.search(before)
    ):
        role = "other"  # "Moscow has deployed", "Kyiv says", "Moscow's firepower": the state acting, not the site
    elif (
        (relation := _RELATION.search(before))
        and precision == "place"
        and not _NAMED_SUBURBS.search(before)
        and not _RELATION_INSIDE.search(relation.group(0))
    ):
        precision = "admin2"
    return entry.located(m.text, m.start, m.end, precision, role, score)


def find_places(text: str, gaz: Gazetteer | None = None, language: str | None = None) -> list[Location]:
    """Every place the text names, geocoded, in text order. A text in a language with a profile
    (`claimledger.lang`: "uk", "ru") is read through its morphology; any other as English."""
    from claimledger.geo.inflected import find_inflected_places
    from claimledger.lang import profile_of

    gaz = gaz or shared_gazetteer()
    prof = profile_of(language, text) if language is not None else None
    if prof is not None:
        return find_inflected_places(text, prof, gaz)
    return resolve(find_mentions(text, gaz), text, gaz)


def country_of_people(word: str, start: int, gaz: Gazetteer | None = None) -> Location | None:
    """The country a nationality word names its people by ("Ukrainians", "Russian"), as a
    country-level place pinned to the word; None for any other word. Not a place the text names:
    the caller decides when where people come from is where something happened."""
    table = demonyms()
    lower = word.lower()
    iso = table.get(lower) or (table.get(lower[:-1]) if lower.endswith("s") else None)
    entry = (gaz or shared_gazetteer()).country(iso) if iso else None
    if entry is None:
        return None
    return Location(
        name=entry.name,
        country=entry.country,
        lat=round(entry.lat, 5),
        lon=round(entry.lon, 5),
        precision="country",
        text=word,
        start=start,
        end=start + len(word),
        geonameid=entry.geonameid,
        role="site",
    )


# A place string's own word for a region ("Kharkiv Oblast"; a "district" may be a city's, and
# so may a "region" named before its city: "Kyiv region, Donetsk" is a district of Donetsk).
_NAMES_REGION = re.compile(r"\s+(?:oblast|region|province|krai|kray)\b", re.IGNORECASE)
# Two settlements named together ("Borodyanka, Kyiv") lie at most this far apart.
PAIR_KM = 60.0


def _settlement_by_town(first: str, named: list[Entry], gaz: Gazetteer) -> Entry | None:
    """ "Rozivka, Horlivka", "Kyiv, Borodyanka": two settlements named together are a place and the
    town it lies by, in either order. The answer is the smaller of the pair of their namesakes
    that lie within PAIR_KM of each other (the largest such town first), or None when no pair does.
    `named`: the second name's candidates."""
    firsts = [
        e for e in _candidates(gaz, first, misspelt=True, placed=True) if e.kind in ("place", "village")
    ]
    seconds = [e for e in named if e.kind in ("place", "village")]
    if len(seconds) < len(named):
        return None  # "Kyselivka, Kherson": the second may be the region, which the hint reads
    best: tuple[tuple[int, float], Entry] | None = None
    for a in firsts:
        for b in seconds:
            if a.country != b.country or a.name == b.name:
                continue
            distance = _km((a.lat, a.lon), (b.lat, b.lon))
            if distance > PAIR_KM:
                continue
            small, town = sorted((a, b), key=lambda e: (e.population, e.kind == "place"))
            key = (town.population, -distance)
            if best is None or key > best[0]:
                best = (key, small)
    return best[1] if best else None


_PRECISION_ORDER = {"place": 0, "admin2": 1, "admin1": 2, "region": 3, "country": 4}


def _locate_in_script(query: str, gaz: Gazetteer) -> list[Location]:
    """A place string in another script ("Ізюм, Харківська область", "под Изюмом"), read with each
    profile written in it: the most precise place any of them finds, first."""
    from claimledger.geo.inflected import find_inflected_places
    from claimledger.lang import profiles_in_script

    found: list[Location] = []
    for prof in profiles_in_script(query):
        found += [p for p in find_inflected_places(query, prof, gaz) if p not in found]
    return sorted(found, key=lambda p: (_PRECISION_ORDER.get(p.precision, 5), p.start or 0))


def locate_string(query: str, gaz: Gazetteer | None = None) -> list[Location]:
    """Geocode a whole string as one place name ("Trostyanets', Sumy region"), best first."""
    gaz = gaz or shared_gazetteer()
    query = query.strip()
    if query and not re.search(r"[A-Za-z]", query):
        return _locate_in_script(query, gaz)
    if not query:
        return []
    parts = [p.strip() for p in re.split(r"[,;(]|\bvicinity\b", query) if p.strip(" )")]
    head = parts[0].strip(" )")
    hint_text = " ".join(parts[1:])
    hint_words = re.sub(
        r"\b(?:region|oblast|province|district|raion|area|city|vicinity|outskirts)\b",
        "",
        hint_text,
        flags=re.I,
    ).strip(" )")
    # "X, Y" with no region word: Y may be a town X lies by.
    two_names = len(parts) == 2 and hint_words == hint_text.strip(" )")
    second = _candidates(gaz, hint_words, misspelt=True, placed=True) if two_names else []
    nearby = _settlement_by_town(head, second, gaz) if second else None
    if nearby is not None:
        return [_whole_string(nearby, query)]
    text = f"in {head}" + (f", {hint_words} region" if hint_words else "")
    named_countries = [
        {e.country for e in gaz.lookup(part.strip(" )")) if e.kind == "country"} for part in parts[1:]
    ]
    countries = set().union(*named_countries)
    # Does the string go on to name what the head lies within, other than its country?
    within = not all(named_countries)
    mentions = find_mentions(text, gaz)
    if not mentions:
        entries = _candidates(gaz, head, misspelt=True, placed=True)
        if not entries:
            return []
        mentions = [Mention(3, 3 + len(head), head, tuple(entries), "strong", hint_words or None)]
    else:
        # The string is a place by definition; "Kharkiv Oblast" still names the region.
        mentions = [
            Mention(
                m.start,
                m.end,
                m.text,
                m.candidates,
                "region" if not within and _NAMES_REGION.match(text[m.end :]) else "strong",
                hint_words or m.region_hint,
                False,
            )
            if i == 0
            else m
            for i, m in enumerate(mentions)
        ]
    located = resolve(mentions, text, gaz)
    if located and countries and located[0].country not in countries:
        # "Solkhi, Belgorod Oblast, Russia": the string says which country; a namesake in another
        # is not the place. What the rest of the string names in that country is.
        rest = [
            loc
            for loc in locate_string(", ".join(p.strip(" )") for p in parts[1:]), gaz)
            if loc.country in countries
        ]
        return [replace(loc, start=None, end=None, text=query) for loc in rest[:1]]
    town = _town_named_after(located[0], second) if located and second else None
    if town is not None:
        return [_whole_string(town, query)]
    return [replace(loc, start=None, end=None, text=query) for loc in located[:1]] + located[1:]


def _whole_string(entry: Entry, query: str) -> Location:
    return _location(Mention(0, len(query), query, (entry,), "strong"), entry, query, 1.0)


def _town_named_after(found: Location, entries: list[Entry]) -> Entry | None:
    """ "Cheryomushki district, Mariupol": when the first name was found only far from every town
    the second names, the string still says where it is: by that town (its largest namesake).
    Not when the second name is also a region's ("Popasne, Luhansk": the oblast, not the city).
    `entries`: the second name's candidates."""
    towns = [e for e in entries if e.kind == "place"]
    if (
        found.precision != "place"
        or found.lat is None
        or found.lon is None
        or not towns
        or len(towns) < len(entries)
    ):
        return None
    if any(_km((found.lat, found.lon), (e.lat, e.lon)) <= PAIR_KM for e in towns):
        return None
    return max(towns, key=lambda e: e.population)
