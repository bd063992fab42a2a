"""Extract: one claim for each statement that an event happened, every field pinned to text.

Rules over spaCy's parse: trigger words of each incident type (taxonomy.toml), the objects a
trigger needs (objects.toml), speech verbs for who says so, date expressions, looted items
and the places geo finds. Stages are functions of records: `extract_claims(report, doc,
places)` returns claims and touches nothing outside.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from claimledger.extract.attribution import Speaker, find_speaker, is_pronoun, make_attribution
from claimledger.extract.dates import find_dates, parse_published
from claimledger.extract.lexicon import Lexicon, TypeSpec, load_lexicon
from claimledger.geo import FACILITY_KINDS, country_of_people
from claimledger.model import (
    Actor,
    Attribution,
    Claim,
    DateInfo,
    Item,
    Location,
    Report,
    Span,
    content_id,
)

MAX_EVIDENCE = 600
# How far back an undated, unplaced sentence may look for the place it is about (characters).
FALLBACK_CHARS = 800
_CASUALTY_COUNT = re.compile(
    r"\b(?:\d[\d,.]*|hundreds|thousands|dozens|tens of thousands|scores)\s+(?:of\s+)?(?:\w+\s+){0,2}?"
    r"(?:soldiers|troops|servicemen|fighters|personnel|tanks|aircraft|helicopters|armoured vehicles|armored vehicles|"
    r"military vehicles|occupiers|invaders|combatants|service members|marines|paratroopers|mercenaries)\b"
    r"|\bdeath toll\b|(?<!\bno )(?<!\bany )\bcasualt(?:y|ies)\b|\blost (?:about |some |over |more than )?\d[\d,]* (?:soldiers|troops|men)\b",
    re.IGNORECASE,
)
# "12 were killed and 7 more wounded" (a count of casualties in a unit or company)
_COUNT_KILLED = re.compile(r"\b\d[\d,]*\s+(?:others\s+|more\s+)?(?:were|have been|had been)\s+(?:killed|wounded|injured)\b")
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
_POSSIBLE = re.compile(r"\b(?:may have|might have|possibly|probably|likely|suspected|appears? to|appeared to|apparently|feared|believed to|thought to|could be)\b", re.I)
_DENIED = re.compile(r"\b(?:denied|denies|deny|denying|rejected (?:the )?(?:claims?|allegations?|accusations?)|dismissed (?:the )?(?:claims?|allegations?)|fake|staged|false(?:ly)?|no evidence)\b", re.I)
_ALLEGED = re.compile(r"\b(?:accus\w*|alleg\w*|claim(?:s|ed)?|reportedly|purportedly|said to have|reports? of|suspected of)\b", re.I)
_NON_EVENT = re.compile(r"\b(?:must|should|need to|needs to|calls? (?:on|for)|urged?|demand(?:s|ed)?)\b", re.I)
_QUOTES = re.compile(r"“[^”]{1,3000}”|\"[^\"]{1,3000}\"|‘[^’]{20,3000}’(?!\w)|(?<![\w'])'(?=[A-Z])[^\n]{20,2000}?[.,!?]'(?![\w])")
# Footage as the source of what a sentence shows, when nobody is quoted.
_FOOTAGE = re.compile(r"\b(?:CCTV(?: footage| cameras?)?|(?:drone |aerial |video |dashcam |satellite )?(?:footage|video|videos|images|photos?)|satellite images)\b", re.I)


@dataclass
class _Sentence:
    start: int
    end: int
    span: Any
    text: str  # the whole report text (spaCy rebuilds Doc.text on every access)
    lemmas: set[str]
    lower: str
    quoted: bool = False
    words: frozenset[str] = frozenset()  # lower-case words, split on spaces and hyphens
    speaker: Speaker | None = None
    attribution: Attribution | None = None
    dates: list[tuple[int, int, DateInfo]] = field(default_factory=list)


@lru_cache(maxsize=4096)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A phrase as a regex whose words may be separated by quotes as well as spaces."""
    return re.compile(r"(?<![\w-])" + _phrase_body(phrase) + r"(?![\w-])")


def _phrase_body(phrase: str) -> str:
    return r"[\s'\"‘’“”]+".join(re.escape(w) for w in phrase.split())


@lru_cache(maxsize=256)
def _phrases_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """All phrases of a type in one regex, longest first, so a sentence is scanned once per type."""
    parts = [_phrase_body(p) for p in sorted(phrases, key=len, reverse=True)]
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])")


@lru_cache(maxsize=256)
def _first_words(phrases: tuple[str, ...]) -> frozenset[str]:
    """First words of the phrases: a sentence without any of them cannot hold one."""
    return frozenset(re.split(r"[\s-]", p, maxsplit=1)[0] for p in phrases)


def _phrase_in(phrase: str, lower: str) -> bool:
    return _phrase_pattern(phrase).search(lower) is not None


def _needs_met(spec: TypeSpec, sent: _Sentence, lex: Lexicon) -> bool:
    for need in spec.needs:
        if need == "casualty_count":
            military = bool(sent.lemmas & lex.objects["troops"]) or "unit" in sent.lemmas or "comrade" in sent.lemmas
            if not _CASUALTY_COUNT.search(sent.lower) and not (military and _COUNT_KILLED.search(sent.lower)):
                return False
            continue
        words = lex.objects.get(need, frozenset())
        if not (words & sent.lemmas) and not any(" " in w and _phrase_in(w, sent.lower) for w in words):
            return False
    return True


def detect_types(sent: _Sentence, lex: Lexicon, located: bool = True) -> list[tuple[TypeSpec, int, int]]:
    """Types whose triggers (and needed objects) the sentence has, with the trigger's span.

    `located` says whether the sentence names a place or a date: generic types (fighting,
    control of ground, movements, counts) are events only when they are anchored so.
    """
    found: list[tuple[TypeSpec, int, int]] = []
    tokens = list(sent.span)
    index = _lemma_index(lex)
    # Which tokens could trigger which types, in one pass over the sentence.
    candidates: dict[str, list[int]] = {}
    for i, token in enumerate(tokens):
        if token.pos_ in ("PROPN", "ADP", "DET"):
            continue
        names = index.get(token.lemma_.lower(), frozenset()) | index.get(token.lower_, frozenset())
        if not names and token.is_alpha and len(token) >= 6 and token.pos_ == "VERB":
            typos = _misspelt_triggers(lex)
            # spaCy cannot lemmatise a misspelt word ("destoryed" -> "destorye"): strip endings here.
            stems = {token.lemma_.lower(), token.lower_} | {token.lower_[: -len(end)] for end in ("ed", "d", "ing", "s", "es") if token.lower_.endswith(end)}
            names = frozenset().union(*(typos.get(stem, frozenset()) for stem in stems))
        for name in names:
            candidates.setdefault(name, []).append(i)
    for spec in lex.types.values():
        if spec.name in _NEEDS_ANCHOR and not located:
            continue
        where: tuple[int, int] | None = None
        for i in candidates.get(spec.name, ()):
            token = tokens[i]
            lemma = token.lemma_.lower()
            if not _trigger_is_event(token, spec.name):
                continue
            if spec.name == "loot_trade" and lemma in _TRADE_VERBS and token.pos_ != "VERB":
                continue
            if spec.name == "attack_on_civilians":
                if not _harms_civilians(token, tokens, i, lex.objects["civilian"], lex.objects["troops"]):
                    continue
            elif spec.name in _OBJECT_BOUND and not _object_near(tokens, i, lex.objects[_OBJECT_BOUND[spec.name]]):
                continue
            if spec.name in ("shelling", "air_strike") and lemma in _WEAPON_NOUNS and not (sent.lemmas & _ATTACK_PREDICATES):
                continue
            where = (token.idx, token.idx + len(token.text))
            break
        if where is None and spec.name == "looting":
            where = _taking_items(tokens, lex) or _items_gone_missing(tokens, lex)
        if where is None and spec.name == "territory_change":
            where = _troops_entering(tokens, lex)
        if where is None and spec.name == "abduction":
            where = _moving_people(tokens)

        if where is None and spec.phrases and (_first_words(spec.phrases) & sent.words):
            for match in _phrases_pattern(spec.phrases).finditer(sent.lower):
                if _phrase_is_event(sent, sent.start + match.start(), spec.name, sent.start + match.end()):
                    where = (sent.start + match.start(), sent.start + match.end())
                    break
        if where is None or not _needs_met(spec, sent, lex):
            moved = _taking_items(tokens, lex, _MOVE_GOODS_LEMMAS) if spec.name == "loot_trade" else None
            if moved is not None:
                found.append((spec, *moved))  # goods moved away need no "stolen" in the same sentence
            continue
        found.append((spec, *where))
    return _refine(found, sent)


@lru_cache(maxsize=4)
def _lemma_index(lex: Lexicon) -> dict[str, frozenset[str]]:
    """Trigger word -> the types it can trigger."""
    index: dict[str, set[str]] = {}
    for spec in lex.types.values():
        for lemma in spec.lemmas:
            index.setdefault(lemma, set()).add(spec.name)
    return {k: frozenset(v) for k, v in index.items()}


@lru_cache(maxsize=4)
def _misspelt_triggers(lex: Lexicon) -> dict[str, frozenset[str]]:
    """Typos of long trigger words -> their types: one letter dropped ("abadon") or two
    neighbours swapped ("destory"). Reports are typed in haste; a word of seven letters or more
    with one such slip is still that word (none of these slips makes another English word of
    the list's length)."""
    index = _lemma_index(lex)
    typos: dict[str, set[str]] = {}
    for word, names in index.items():
        if len(word) < 7 or not word.isalpha():
            continue
        variants = {word[:k] + word[k + 1:] for k in range(len(word))}
        variants |= {word[:k] + word[k + 1] + word[k] + word[k + 2:] for k in range(len(word) - 1) if word[k] != word[k + 1]}
        for variant in variants - set(index):
            typos.setdefault(variant, set()).update(names)
    return {k: frozenset(v) for k, v in typos.items()}


# Generic types need a place or a date in their sentence to be a specific event.
_NEEDS_ANCHOR = {"armed_clash", "territory_change", "troop_movement", "casualty_report", "displacement"}
# Weapon nouns name an attack only beside a verb of attack ("artillery pounded", not "an advantage in artillery").
_WEAPON_NOUNS = {
    "artillery", "rocket", "missile", "shell", "mortar", "barrage", "grad", "howitzer", "himars", "cruise", "iskander",
    "kalibr", "projectile", "salvo", "drone", "aircraft", "helicopter", "jet", "warplane", "bomber", "bomb", "shahed",
    "strike",
}
_ATTACK_PREDICATES = {
    "hit", "strike", "struck", "fire", "fired", "shell", "shelled", "pound", "pounded", "bombard", "kill", "killed", "wound",
    "injure", "damage", "destroy", "target", "land", "explode", "rain", "launch", "attack", "blast", "slam", "smash",
    "fall", "drop", "crash", "shoot", "down",
}
_INTENT_HEADS = {"want", "try", "aim", "seek", "plan", "intend", "push", "prepare", "hope", "threaten", "vow", "need", "refuse", "decide", "continue", "attempt", "expect", "order", "urge"}
# Trigger participles used as adjectives ("Russian-occupied", "a bombed building") describe, not report.
_NO_ADJECTIVE = {"territory_change", "property_destruction", "armed_clash", "shelling", "explosive_device", "displacement", "troop_movement"}


_TRADE_VERBS = {"truck", "post", "market", "load", "mail", "send", "sell", "trade", "transport", "export", "deliver", "haul", "smuggle", "resell", "remove", "move", "take", "carry", "bring"}
_ABSTRACT = {"effort", "attempt", "plan", "idea", "hope", "bid", "goal", "aim", "policy", "talks", "search", "project", "demand"}
_COMPOUND_NOT_EVENT = {"abduction", "attack_on_civilians", "looting", "arrest"}


def _governing_verb(token: Any) -> Any | None:
    current = token
    for _ in range(6):
        if current.head is current:
            return None
        current = current.head
        if current.pos_ in ("VERB", "AUX"):
            return current
    return None


_PLACE_NOUNS = {"region", "province", "city", "town", "village", "area", "areas", "plant", "country", "territory", "house", "building", "district", "oblast", "capital", "port"}


def _describes_a_place(token: Any) -> bool:
    """"Luhansk province, which was overrun last month", "the areas being reclaimed": a clause
    that describes a place tells its background, not the event reported."""
    current = token
    for _ in range(4):
        head_is_place = current.head.pos_ == "PROPN" or current.head.lemma_.lower() in _PLACE_NOUNS
        described = (current.dep_ == "relcl" and head_is_place) or (
            current.dep_ == "acl" and current.head.lemma_.lower() in ("area", "areas", "territory", "region")
        )
        if described and not any(t.lemma_.lower() in ("claim", "say", "report", "announce") for t in current.subtree):
            return True
        if current.head is current or current.dep_ in ("ROOT", "ccomp"):
            return False
        current = current.head
    return False


def _noun_reports_event(token: Any, type_name: str) -> bool:
    """A trigger noun reports an event when a verb of the past, the perfect or the progressive
    governs it; not "no casualties", not "filtration camps", not "the offensive was unprovoked"."""
    if any(c.dep_ == "det" and c.lower_ in ("no", "any") for c in token.children) or any(c.dep_ == "neg" for c in token.children):
        return False
    if token.dep_ == "compound" and type_name in _COMPOUND_NOT_EVENT:
        return False
    verb = _governing_verb(token)
    if verb is None:
        return True
    if verb.lemma_ == "be" and verb.pos_ == "AUX" and token.dep_ in ("nsubj", "attr"):
        return False
    if any(c.dep_ == "xcomp" and (c.tag_ == "VBG" or any(a.lower_ == "have" for a in c.children)) for c in verb.children):
        return True  # "appears to have reached", "appears to be continuing"
    if verb.tag_ in ("VB", "VBZ", "VBP"):
        auxes = {c.lemma_.lower() for c in verb.children if c.dep_ in ("aux", "auxpass")}
        return bool(auxes & {"have", "be"}) and verb.tag_ != "VB" or any(c.tag_ in ("VBD", "VBN") for c in verb.children if c.dep_ in ("aux", "auxpass"))
    return True


_MODALS_OF_ABILITY = {"could", "would", "may", "might", "can"}
_PREDICATE_OF_NOUN = {"of", "for", "about", "against", "over", "on", "to"}
# "a wave of bombardments" is the bombardments themselves.
_QUANTITY_NOUNS = {"wave", "series", "spate", "string", "round", "number", "dozen", "hundred", "thousand", "lot", "barrage", "volley", "campaign", "night", "day", "week", "hours", "days"}


def _trigger_is_event(token: Any, type_name: str, single_word: bool = True) -> bool:
    """False for infinitives of intent, negated, conditional or modal predicates, adjectival
    uses, and nouns that only qualify another noun ("allegations of looting", "fear of strikes")."""
    if token.i >= 2 and token.nbor(-1).text == "-" and token.nbor(-2).lower_ == "de":
        return False  # "de-mined": mines cleared, not laid
    # "missile strikes", "a list of stolen items": judge the noun the trigger modifies
    noun = token.head if token.dep_ in ("compound", "amod") else token
    if (
        (noun.pos_ == "NOUN" or noun.tag_ == "VBG") and noun.dep_ in ("pobj", "pcomp") and noun.head.lower_ in _PREDICATE_OF_NOUN
        and noun.head.head.pos_ == "NOUN" and noun.head.head.lemma_.lower() not in _QUANTITY_NOUNS
    ):
        return False
    nominal = token.pos_ == "NOUN" or (token.tag_ == "VBG" and token.dep_ == "pcomp")  # "over killing and abuses"
    if single_word and nominal and not _noun_reports_event(token, type_name):
        return False
    if type_name in ("looting", "vehicle_theft", "loot_trade", "abduction") and token.lemma_.lower() == "take" and any(c.dep_ in ("dobj", "prt") and c.lemma_.lower() in _NOT_TAKEN for c in token.children):
        return False
    if token.lemma_.lower() == "abandon" and any(c.dep_ == "dobj" and c.lemma_.lower() in _ABSTRACT for c in token.children):
        return False
    if single_word and type_name in _NO_ADJECTIVE and (token.dep_ == "amod" or token.pos_ == "ADJ"):
        return False
    if single_word and type_name in _NO_ADJECTIVE and token.dep_ == "compound" and type_name not in ("shelling", "air_strike"):
        return False
    if token.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children):
        return type_name == "desertion"
    if token.tag_ == "VB" and token.dep_ in ("xcomp", "ccomp") and token.head.lemma_.lower() in ("help", "let", "make", "allow", "enable"):
        return False  # "aid to help Ukrainian forces fight": a purpose, not an event
    if _describes_a_place(token) and type_name not in ("abduction", "attack_on_civilians"):
        return False
    if token.tag_ == "VB" and token.dep_ == "ROOT" and not any(c.dep_ in ("nsubj", "aux", "nsubjpass") for c in token.children):
        return False  # an imperative ("Steal a raccoon and die") orders, it does not report
    current = token
    for _ in range(4):
        children = list(current.children)
        if any(c.dep_ == "neg" for c in children) and type_name != "desertion":
            return False
        if any(c.dep_ == "aux" and c.lower_ in ("will", "can", "should", "must", "'ll", "shall") for c in children):
            return False
        # "could hear shells", "would steal": ability or habit; "may have looted" stays (possible).
        auxes = {c.lower_ for c in children if c.dep_ == "aux"}
        refusing = type_name == "desertion" and any(c.dep_ == "neg" for c in children)  # "would not return"
        if auxes & _MODALS_OF_ABILITY and "have" not in auxes and not refusing:
            return False
        if any(c.dep_ == "mark" and c.lower_ in ("whether", "if", "unless") for c in children):
            return False
        if current.dep_ == "xcomp" and current.head.lemma_.lower() in _INTENT_HEADS and type_name != "desertion":
            return False
        if current.dep_ in ("ROOT", "ccomp") or current.head is current:
            break
        current = current.head
    return True


# Nouns that an attack phrase can modify without an attack taking place ("air raid sirens").
_MODIFIED_HEADS = {"siren", "alert", "warning", "shelter", "drill", "system", "defence", "defense", "launcher", "threat", "risk", "danger", "alarm"}


def _phrase_is_event(sent: _Sentence, char: int, type_name: str, end: int | None = None) -> bool:
    """A phrase trigger counts when the token it starts on passes the same checks as single words,
    and when it is not a mere modifier of another noun ("air raid sirens")."""
    if end is not None:
        last = next((t for t in sent.span if t.idx < end <= t.idx + len(t.text)), None)
        if last is not None and last.dep_ == "compound" and last.head.lemma_.lower() in _MODIFIED_HEADS:
            return False
    for token in sent.span:
        if token.idx <= char < token.idx + len(token.text) + 1:
            return _trigger_is_event(token, type_name, single_word=False)
    return True


# Types whose trigger must govern its object closely: "stole cars", not "trucks ... took".
_OBJECT_BOUND = {"vehicle_theft": "vehicle", "property_destruction": "property", "attack_on_civilians": "civilian"}
_TAKE_LEMMAS = {"take", "seize", "remove", "carry", "grab", "cart", "empty", "strip"}
# Verbs that move goods away: with looted kinds of goods as objects they are the loot trade.
_MOVE_GOODS_LEMMAS = {"load", "transport", "bring", "ship", "truck", "haul", "export", "smuggle", "ferry"}
_MOVE_PEOPLE_LEMMAS = {"take", "remove", "transfer", "transport", "send", "move", "relocate", "drive", "herd", "round", "deport"}
_PEOPLE = {
    "people", "civilians", "residents", "children", "kids", "ukrainians", "women", "patients", "staff", "families",
    "villagers", "citizens", "orphans", "teenagers", "refugees", "inhabitants", "thousands", "hundreds", "dozens",
}
_NOT_TAKEN = {"control", "part", "place", "power", "office", "prisoner", "captive", "hostage", "care", "time", "cover", "position", "positions", "photo", "fingerprints", "picture", "advantage", "note", "account", "action", "measures", "steps", "shelter", "refuge"}
_WINDOW = 7


def _object_near(tokens: list[Any], i: int, words: frozenset[str], before_window: int = 3) -> bool:
    """A word of `words` within a few tokens after the trigger, or just before it ("stolen cars", "cars were stolen")."""
    after = tokens[i + 1:i + 1 + _WINDOW]
    before = tokens[max(0, i - before_window):i]
    # "taken to Novoazovsk by bus": a means of transport is not the thing taken.
    return any(
        (t.lemma_.lower() in words or t.lower_ in words)
        and not (t.dep_ == "pobj" and t.head.lower_ in ("by", "via", "aboard"))
        for t in [*after, *before]
    )


def _objects(token: Any, tokens: list[Any], i: int) -> list[Any]:
    """What a verb acts on: its objects, its passive subject, the noun a participle modifies,
    with their conjuncts; a few tokens after it when the parse gives none."""
    found = [c for c in token.children if c.dep_ in ("dobj", "nsubjpass", "obj")]
    if token.dep_ == "acl":
        found.append(token.head)
    for noun in list(found):
        found.extend(t for t in noun.subtree if t.dep_ in ("conj", "appos", "compound", "pobj") and t.i - noun.i < 12)
    if not found:
        found = tokens[i + 1:i + 1 + _WINDOW]
    return found


_CLEARLY_CIVILIAN = {"civilian", "resident", "child", "woman", "villager", "family", "pensioner", "patient", "refugee", "girl", "boy", "baby"}


def _harms_civilians(token: Any, tokens: list[Any], i: int, civilians: frozenset[str], troops: frozenset[str]) -> bool:
    """"Snipers shot residents", "two civilians were killed": the harmed are civilians, not troops."""
    objects = [c for c in token.children if c.dep_ in ("dobj", "nsubjpass")]
    if token.dep_ == "acl":
        objects.append(token.head)
    if token.pos_ == "NOUN":
        objects.extend(t for t in token.subtree if t.dep_ in ("pobj", "compound", "poss"))
    if objects:
        words = {t.lemma_.lower() for o in objects for t in o.subtree} | {t.lower_ for o in objects for t in o.subtree}
        if words & troops and not words & {"civilian", "civilians", "people", "resident", "residents"}:
            return False
        if words & civilians:
            return True
    sentence_words = {t.lemma_.lower() for t in tokens}
    if sentence_words & (troops | {"unit", "comrade"}) and not sentence_words & _CLEARLY_CIVILIAN:
        return False  # "in his unit of 50 people, 10 were killed": soldiers, not civilians
    return _object_near(tokens, i, civilians, 4)


def _taking_items(tokens: list[Any], lex: Lexicon, verbs: frozenset[str] | set[str] = _TAKE_LEMMAS) -> tuple[int, int] | None:
    """"Took food, alcohol and clothes", "statues were taken from their plinths": a verb of
    taking or carrying whose object is a kind of looted goods is looting."""
    for i, token in enumerate(tokens):
        if token.pos_ != "VERB" or token.lemma_.lower() not in verbs or not _trigger_is_event(token, "looting"):
            continue
        if any(c.dep_ == "prt" and c.lower_ in ("off", "up", "over", "part") for c in token.children):
            continue  # "took his shoes off", "took up arms": not taking goods away
        objects = _objects(token, tokens, i)
        words = {t.lower_ for t in objects} | {t.lemma_.lower() for t in objects}
        if words & _NOT_TAKEN or words & _PEOPLE:
            continue
        taking_all = verbs is _TAKE_LEMMAS and re.search(r"\beverything\b", " ".join(t.lower_ for t in tokens[i + 1:i + 4]))
        if any(w in lex.items for w in words) or taking_all:
            return (token.idx, token.idx + len(token.text))
    return None


def _items_gone_missing(tokens: list[Any], lex: Lexicon) -> tuple[int, int] | None:
    """"Statues went missing from the city", "paintings vanished from the museum": goods that
    disappear under occupation are reported as taken."""
    for token in tokens:
        lemma = token.lemma_.lower()
        gone = (lemma == "go" and any(c.lower_ == "missing" for c in token.children)) or lemma in ("vanish", "disappear")
        if token.pos_ != "VERB" or not gone or not _trigger_is_event(token, "looting"):
            continue
        subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
        subjects += [t for s in subjects for t in s.conjuncts]
        if any(t.lower_ in lex.items or t.lemma_.lower() in lex.items for t in subjects):
            return (token.idx, token.idx + len(token.text))
    return None


def _troops_entering(tokens: list[Any], lex: Lexicon) -> tuple[int, int] | None:
    """"Ukrainian troops entered Kherson", "as they entered the city": armed forces entering a
    named town take (or retake) it."""
    troops = lex.objects["troops"]
    if not any(t.lower_ in troops for t in tokens):
        return None
    for token in tokens:
        if token.pos_ != "VERB" or token.lemma_.lower() != "enter" or not _trigger_is_event(token, "territory_change"):
            continue
        places = [c for c in token.children if c.dep_ == "dobj" and (c.pos_ == "PROPN" or c.lemma_.lower() in _PLACE_NOUNS)]
        subjects = [c for c in token.children if c.dep_ == "nsubj"]
        if places and any(t.lower_ in troops or t.lower_ in ("they", "we") for s in subjects for t in s.subtree):
            return (token.idx, token.idx + len(token.text))
    return None


def _moving_people(tokens: list[Any]) -> tuple[int, int] | None:
    """"Children were transferred to Russia", "forces removed 2,000 people and took them to
    Crimea": moving civilians against their will is abduction or deportation."""
    for i, token in enumerate(tokens):
        if token.pos_ != "VERB" or token.lemma_.lower() not in _MOVE_PEOPLE_LEMMAS or not _trigger_is_event(token, "abduction"):
            continue
        objects = _objects(token, tokens, i)
        if token.dep_ == "relcl":
            objects.append(token.head)  # "people who were taken to Novoazovsk"
        words = {t.lower_ for t in objects} | {t.lemma_.lower() for t in objects}
        passive = any(c.dep_ == "auxpass" for c in token.children)
        if not words & _PEOPLE and not (words & {"them", "her", "him", "she", "he", "they"} and passive):
            continue
        destination = any(c.dep_ == "prep" and c.lower_ in ("to", "into", "through", "across") for c in token.children) or any(
            t.lower_ in ("to", "into") and t.dep_ == "prep" for t in token.subtree if t.i > token.i and t.i - token.i < 12
        )
        if destination:
            return (token.idx, token.idx + len(token.text))
    return None


def _refine(found: list[tuple[TypeSpec, int, int]], sent: _Sentence) -> list[tuple[TypeSpec, int, int]]:
    names = {spec.name for spec, _, _ in found}
    # A mine or booby trap that goes off is an explosive device; one laid or found is mine-laying.
    if "explosive_device" in names and "mine_laying" in names and not re.search(r"\b(?:explod|detonat|blew up|blown up|blast|stepped on|hit a mine|killed|injured|wounded)", sent.lower):
        found = [f for f in found if f[0].name != "explosive_device"]
    # A grenade or bomb dropped from a drone is an air strike, not a planted device.
    if "air_strike" in names and "explosive_device" in names and re.search(r"\bdrones?\b", sent.lower):
        found = [f for f in found if f[0].name != "explosive_device"]
    # Shelling words that only name weapons given or bought are not an attack.
    if "shelling" in names and re.search(r"\b(?:suppl(?:y|ied|ies)|deliver(?:ed|ies|y)|send(?:ing)?|provid(?:e|ed|ing)|package|aid|donat\w+)\b", sent.lower) and not re.search(r"\b(?:hit|struck|killed|shelled|fired|strike[sd]?|attack(?:ed|s)?|damag\w+|destroy\w*)\b", sent.lower):
        found = [f for f in found if f[0].name != "shelling"]
    # "Russia may have staged explosions ... before retreating": the main clause is the event,
    # a time clause ("before", "after", "as", "while") only dates it.
    main = [f for f in found if not _in_time_clause(sent, f[1])]
    if main and len(main) < len(found):
        found = main
    return sorted(found, key=lambda f: f[0].priority)


_TIME_MARKS = {"before", "after", "while", "as", "when", "until", "since"}


def _in_time_clause(sent: _Sentence, char: int) -> bool:
    token = next((t for t in sent.span if t.idx <= char < t.idx + len(t.text)), None)
    current = token
    for _ in range(8):
        if current is None or current.head is current:
            return False
        if current.dep_ in ("advcl", "pcomp") and (
            any(c.dep_ in ("mark", "prep") and c.lower_ in _TIME_MARKS for c in current.children)
            or current.head.lower_ in _TIME_MARKS
        ):
            return True
        current = current.head
    return False


def _evidence(text: str, sent: _Sentence, trigger: tuple[int, int]) -> Span:
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


def _modality(sent: _Sentence, trigger: tuple[int, int]) -> str:
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


_MUTUAL = re.compile(r"\b(?:accus\w*|blam\w*|trad\w*)\s+(?:each other|one another)\b")


_PERCEPTION = {"see", "show", "watch", "hear", "film", "capture", "depict", "record", "spot", "catch"}


def _tells_past_or_ongoing(token: Any) -> bool:
    """A verb in the past, the perfect, the progressive or a past passive; not a present passive
    ("civilians are protected"), which states a rule or a standing condition."""
    if token.tag_ == "VBD":
        return True
    if token.tag_ == "VBN":
        auxes = [c for c in token.children if c.dep_ in ("aux", "auxpass")]
        return not auxes or any(a.tag_ in ("VBD", "VBN") or a.lemma_ == "have" for a in auxes)
    if token.tag_ == "VBG" and token.pos_ == "VERB" and token.head.lemma_.lower() in _PERCEPTION:
        return True  # "the footage shows soldiers stealing bicycles", "you see them shooting"
    return token.tag_ == "VBG" and token.pos_ == "VERB" and any(c.dep_ == "aux" for c in token.children)


def _is_event_sentence(sent: _Sentence) -> bool:
    """Past or ongoing events, not forecasts, questions, or calls to act."""
    stripped = sent.span.text.strip()
    if stripped.endswith("?"):
        return False
    # An event is told in the past, the perfect or the progressive; the simple present states
    # rules and generalities ("looting carries a prison term", "deportations constitute war crimes").
    has_event_verb = any(_tells_past_or_ongoing(t) for t in sent.span)
    # "commanders reportedly abandon their positions": a reported present is news, not a rule.
    reported_now = any(t.lower_ in ("reportedly", "allegedly") and t.head.tag_ in ("VBP", "VBZ") for t in sent.span)
    if not has_event_verb and not reported_now:
        return False
    root = sent.span.root
    root_aux = {c.lower_ for c in root.children if c.dep_ == "aux"}
    if root_aux & {"could", "would", "can", "might", "may", "should", "must"} and "have" not in root_aux:
        return False
    aux = {c.lower_ for c in root.children if c.dep_ in ("aux", "auxpass")}
    if aux & {"will", "shall", "'ll"} and not any(t.tag_ == "VBD" for t in sent.span):
        return False
    if _MUTUAL.search(sent.lower):
        return False  # "accused each other of shelling the plant": neither side's claim is asserted
    calls = {"say", "tell", "urge", "call", "demand", "need", "ask", "appeal", "insist"}
    return not (_NON_EVENT.search(sent.lower) and not any(t.tag_ in ("VBD", "VBN") for t in sent.span if t.lemma_ not in calls))


_EARLY_WAR = re.compile(
    r"\b(?:early in the (?:war|invasion)|(?:in|during) the (?:first|early|opening) (?:few )?(?:days|weeks|months|stages?) of the (?:war|invasion|conflict)"
    r"|(?:at|since) the (?:start|beginning|outset) of the (?:war|invasion|conflict)|since the early days)\b"
)


def _is_background(sent: _Sentence, year: int) -> bool:
    """History older than the report's story ("annexed Crimea in 1783") is not a claim; a sentence
    that also dates something recent ("on Saturday ... held since 2014") still is."""
    if "world war" in sent.lower or "soviet union" in sent.lower or "ussr" in sent.lower:
        return not any(info.precision == "day" for _, _, info in sent.dates)
    if _EARLY_WAR.search(sent.lower) and not any(info.precision in ("day", "week") for _, _, info in sent.dates):
        # "seized territory early in the war" is the backdrop of a later story; something still
        # going on ("troops are refusing ...") or dated recently is not.
        ongoing = any(t.tag_ == "VBG" and any(c.dep_ == "aux" and c.lower_ in ("is", "are", "'re") for c in t.children) for t in sent.span)
        return not ongoing
    years = [int(y) for y in re.findall(r"\b(1[6-9]\d\d|20\d\d)\b", sent.span.text)]
    if not years or max(years) > year - 2:
        return False
    return not any(info.start and int(info.start[:4]) >= year - 1 for _, _, info in sent.dates)


@lru_cache(maxsize=4)
def _items_pattern(lex: Lexicon) -> re.Pattern[str]:
    words = sorted(lex.items, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w-])")


def _items(sent: _Sentence, lex: Lexicon) -> tuple[Item, ...]:
    """Looted items named in the sentence, longest names first, with their categories."""
    found: dict[str, Item] = {}
    for match in _items_pattern(lex).finditer(sent.lower):
        surface = sent.text[sent.start + match.start():sent.start + match.end()]
        found.setdefault(surface.lower(), Item(surface, lex.items[match.group(0)]))
    return tuple(found.values())


def _actors(sent: _Sentence, claim_type: str, person_names: set[str]) -> tuple[Actor, ...]:
    text = sent.text
    actors: list[Actor] = []
    seen: set[str] = set()
    segment = text[sent.start:sent.end]
    for match in _PERPETRATOR.finditer(segment):
        surface = match.group(0)
        if surface.lower() in seen or surface in ("Russia", "Ukraine") and claim_type not in ("territory_change", "shelling", "air_strike", "armed_clash"):
            continue
        seen.add(surface.lower())
        actors.append(Actor(surface, "perpetrator", False, sent.start + match.start(), sent.start + match.end()))
    if claim_type in ("attack_on_civilians", "abduction", "sexual_violence", "looting", "displacement", "shelling", "air_strike", "explosive_device", "arrest"):
        for match in _VICTIM.finditer(segment):
            surface = match.group(0)
            if surface.lower() in seen:
                continue
            seen.add(surface.lower())
            actors.append(Actor(surface, "victim", False, sent.start + match.start(), sent.start + match.end()))
    for name in person_names:
        at = segment.find(name)
        if at >= 0 and name.lower() not in seen:
            seen.add(name.lower())
            actors.append(Actor(name, "other", True, sent.start + at, sent.start + at + len(name)))
    return tuple(actors[:8])


def _private_names(doc: Any) -> set[str]:
    """PERSON entities that are not known public figures or named with a public title."""
    from claimledger.extract.attribution import KNOWN_PUBLIC, PUBLIC_TITLES

    names: set[str] = set()
    public: set[str] = set()
    text = doc.text  # once per report
    for ent in doc.ents:
        if ent.label_ != "PERSON" or len(ent.text) < 3:
            continue
        window = text[max(0, ent.start_char - 80):ent.end_char + 60]
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


_RANK = {"place": 0, "admin2": 1, "admin1": 2, "region": 3, "country": 4}
# A definite reference back to works the report named ("the plant", "the dam").
_THE_WORKS = re.compile(r"\b[Tt]he\s+(?:[\w-]+\s+){0,2}?(plant|power station|dam|bridge)\b")
# A definite reference back to a settlement ("in the town", "the city's"): a town, not its region.
_THE_SETTLEMENT = re.compile(r"\b[Tt]he\s+(?:town|city|village|settlement)\b")


def _site(sentence: _Sentence, places: list[Location], paragraph_start: int, report_place: Location | None) -> list[Location]:
    """The claim's places: those in its sentence, else the nearest before it in the paragraph, else the report's.

    A sentence that names only a country ("an apartment block in eastern Ukraine") keeps the
    specific place the story is about when one was named just before, inside that country.
    """
    inside_sentence = [p for p in places if p.start is not None and sentence.start <= p.start < sentence.end]
    own_text = sentence.text[sentence.start:sentence.end]
    referred = _THE_WORKS.search(own_text)
    if referred and not any(p.precision == "place" for p in inside_sentence):
        # "troops held the plant for weeks": the works of that kind the report named last.
        kind = "bridge" if referred.group(1) == "bridge" else "dam" if referred.group(1) == "dam" else "nuclear"
        works = [p for p in places if p.start is not None and p.start < sentence.start and FACILITY_KINDS.get(p.name) == kind]
        if works:
            return [works[-1].with_role("site"), *(p.with_role("other") if p.role == "site" else p for p in inside_sentence)]
    # The story's recent sites, not a capital that acted three paragraphs ago.
    window = max(paragraph_start, sentence.start - FALLBACK_CHARS)
    before = [
        p for p in places
        if p.start is not None and window <= p.start < sentence.start and p.precision != "country" and p.role == "site"
    ]
    if _THE_SETTLEMENT.search(own_text):
        # "an 11-year-old was killed earlier in the settlement": the town named last, not its region.
        towns = [p for p in before if p.precision == "place"]
        before = before[:before.index(towns[-1]) + 1] if towns else before
    if inside_sentence:
        # The most specific place is the site; the others keep their own roles.
        ordered = sorted(inside_sentence, key=lambda p: (p.role != "site", _RANK[p.precision], p.start))
        sites = [p for p in ordered if p.role == "site"]
        if sites and all(p.precision in ("admin1", "admin2") for p in sites) and _THE_SETTLEMENT.search(own_text):
            # "they hold the town, which lies in Luhansk region": the town of that region named before.
            town = next((p for p in reversed(places) if p.start is not None and p.start < sentence.start and p.precision == "place"
                         and p.role == "site" and (p.country, p.admin1) == (sites[0].country, sites[0].admin1)), None)
            if town is not None:
                return [town.with_role("site"), *ordered]
        origins = [p for p in ordered if p.role == "origin" and p.precision != "country"]
        if sites and all(p.precision == "country" for p in sites) and origins:
            # "Russia's withdrawal from Kherson": where they left is where it happened.
            return [origins[0].with_role("site"), *(p for p in ordered if p is not origins[0])]
        if sites and all(p.precision == "country" for p in sites):
            earlier = [p for p in before[-6:] if p.country == sites[0].country and p.precision in ("place", "admin2")]
            if earlier:
                return [earlier[-1].with_role("site"), *(p.with_role("other") for p in ordered)]
            # A lede names the country ("killed 31 people in eastern Ukraine") and the next
            # sentences the town ("The strike hit Chasiv Yar"): the town is the site.
            later = [
                p for p in places
                if p.start is not None and sentence.end <= p.start < sentence.end + FALLBACK_CHARS
                and p.country == sites[0].country and p.precision in ("place", "admin2") and p.role == "site"
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


def _lede_follows(sentence: _Sentence, places: list[Location]) -> Location | None:
    """A lede that says what happened but not where is followed by where: "A missile struck a
    railway station ... The station lies in Chaplyne"."""
    if sentence.start >= LEDE_CHARS:
        return None
    # Only the next sentence: the third may have moved on ("staying with a couple in Nottinghamshire").
    following = _SENTENCE_END.search(sentence.text, sentence.end + 1)
    stop = following.end() if following else len(sentence.text)
    later = [
        p for p in places
        if p.start is not None and sentence.end <= p.start < min(stop, sentence.end + FALLBACK_CHARS) and p.precision in ("place", "admin2") and p.role == "site"
    ]
    return later[0].with_role("site") if later else None


# Verbs whose subject is an actor: "Moscow evacuated", "Kyiv says", "Russia seized".
_AGENT_VERBS = {
    "say", "claim", "accuse", "deny", "announce", "report", "insist", "warn", "blame", "tell", "allege", "confirm",
    "evacuate", "deploy", "send", "launch", "order", "seize", "capture", "demand", "call", "urge", "respond", "carry",
    # Verbs of will, judgement and statement: a city or country that attempts, estimates or
    # condemns is its government ("Moscow might attempt something cruel").
    "attempt", "try", "plan", "want", "seek", "intend", "threaten", "refuse", "agree", "decide", "estimate", "believe",
    "assess", "condemn", "state", "note", "argue", "suggest", "promise", "pledge", "vow", "expect", "hope", "ask",
    "request", "reject", "approve", "recognise", "recognize", "annex", "invade", "retaliate", "sanction",
    # A capital that deports or detains people is its state ("Moscow has deported thousands").
    "deport", "detain", "abduct", "kidnap", "transfer", "relocate", "mobilise", "mobilize", "conscript",
}


# Verbs whose subject undergoes or hosts what happens: "Ukraine saw heavy shelling".
_UNDERGO_VERBS = {"be", "see", "suffer", "experience", "face", "endure", "remain", "lie", "become", "witness", "record", "host", "border", "stretch"}
# Verbs whose passive subject is still the actor: "Moscow is accused of looting".
_ACCUSED_VERBS = {"accuse", "blame", "urge", "condemn", "sanction", "criticise", "criticize", "suspect", "ask", "call", "warn"}


def _filter_places(places: list[Location], doc: Any) -> list[Location]:
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
        if place.precision == "place" and place.end is not None and any(s <= place.start and place.end <= e and e - s > place.end - place.start for s, e in people):
            continue
        token = doc.char_span(place.start, place.end, alignment_mode="expand")
        head = token.root if token is not None else None
        if head is not None and place.precision in ("country", "place") and (
            (head.dep_ == "nsubj" and head.head.lemma_.lower() in _AGENT_VERBS)
            # A country that does something is its state ("Russia has taken monuments"); one that
            # undergoes it is a place ("Ukraine saw blackouts").
            or (head.dep_ == "nsubj" and place.precision == "country" and head.head.pos_ == "VERB" and head.head.lemma_.lower() not in _UNDERGO_VERBS)
            # "thefts Moscow is accused of", "land seized by Moscow"
            or (head.dep_ == "nsubjpass" and head.head.lemma_.lower() in _ACCUSED_VERBS)
            or (head.dep_ == "pobj" and head.head.dep_ == "agent")
        ):
            place = place.with_role("other")  # metonymy: the capital or country acts, it is not the site
        kept.append(place)
    return kept


def _report_place(places: list[Location], text: str) -> Location | None:
    """The report's dateline place, or its most-mentioned specific place."""
    if not places:
        return None
    dateline = re.match(r"\s*([A-Z][A-Za-z’'\- ]{2,40}?)(?:,\s*[A-Z][\w ]+)?\s*(?:\(AP\)|\(Reuters\)|—|–| - )", text)
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


def _summary(spec: TypeSpec, evidence: Span, locations: list[Location], date: DateInfo, attribution: Attribution | None) -> str:
    parts = [spec.label]
    if locations:
        parts.append(f"in {locations[0].name}")
    if date.start:
        parts.append(f"on {date.start}" if date.start == date.end else f"between {date.start} and {date.end}")
    head = " ".join(parts)
    source = f" — according to {attribution.source}" if attribution else ""
    quote = evidence.text if len(evidence.text) <= 220 else evidence.text[:217].rsplit(" ", 1)[0] + "…"
    return f"{head}{source}: {quote}"


def _sentences(doc: Any, text: str, boilerplate: tuple[tuple[int, int], ...]) -> list[_Sentence]:
    quotes = [(m.start(), m.end()) for m in _QUOTES.finditer(text)]
    result = []
    for sent in doc.sents:
        start, end = sent.start_char, sent.end_char
        if not sent.text.strip():
            continue
        covered = sum(min(e, end) - max(s, start) for s, e in boilerplate if s < end and start < e)
        if covered > 0.5 * (end - start):
            continue
        quoted = any(s <= start < e and end <= e + 2 for s, e in quotes) or any(s <= start + 1 < e for s, e in quotes)
        result.append(
            _Sentence(
                start, end, sent, text, {t.lemma_.lower() for t in sent} | {t.lower_ for t in sent}, text[start:end].lower(), quoted,
                frozenset(re.findall(r"[\w.]+", text[start:end].lower())),
            )
        )
    return result


def _paragraph_start(text: str, position: int) -> int:
    at = text.rfind("\n", 0, position)
    return 0 if at < 0 else at + 1


def extract_claims(report: Report, doc: Any, places: list[Location], lex: Lexicon | None = None) -> list[Claim]:
    """All claims of one report, given its spaCy doc and its geocoded places."""
    lex = lex or load_lexicon()
    text = report.text
    base = parse_published(report.published)
    person_names = _private_names(doc)
    places = _filter_places(places, doc)
    sentences = _sentences(doc, text, report.boilerplate)
    quotes = [(m.start(), m.end()) for m in _QUOTES.finditer(text)]
    last_named: Attribution | None = None
    for sent in sentences:
        sent.speaker = find_speaker(sent.span, text)
        if sent.speaker is not None:
            if is_pronoun(sent.speaker.text) and last_named is not None:
                sent.attribution = last_named
            elif not is_pronoun(sent.speaker.text):
                sent.attribution = make_attribution(sent.speaker, text[sent.start:sent.end], lex, person_names)
                last_named = sent.attribution
        sent.dates = find_dates(text[sent.start:sent.end], base)
    _attribute_quotes(sentences, quotes)
    report_place = _report_place(places, text)
    claims: list[Claim] = []
    # News tells a story forward from its last dated sentence: an undated event sentence takes
    # the date most recently given in its paragraph (a whole article when it has no breaks).
    previous_date: DateInfo | None = None
    previous_paragraph = -1
    for index, sent in enumerate(sentences):
        paragraph = _paragraph_start(text, sent.start)
        if paragraph != previous_paragraph:
            previous_date, previous_paragraph = None, paragraph
        if base is not None and _is_background(sent, base.year):
            continue
        located = bool(sent.dates) or any(p.start is not None and sent.start <= p.start < sent.end for p in places)
        types = detect_types(sent, lex, located) if _is_event_sentence(sent) else []
        own_date = _event_date(sent, types[0][1] if types else sent.end)
        if own_date is not None and own_date.precision == "day":
            previous_date = own_date
        if not types:
            continue
        spec, t_start, t_end = types[0]
        date = own_date or previous_date or DateInfo()
        evidence = _evidence(text, sent, (t_start, t_end))
        attribution = sent.attribution
        if attribution is None and index > 0 and sentences[index - 1].attribution is not None and not sent.quoted:
            prior = sentences[index - 1]
            if _paragraph_start(text, prior.start) == paragraph and re.match(r"\s*(?:He|She|They|It|The|This|But|And|Also|In addition)\b", sent.span.text):
                attribution = prior.attribution
        if attribution is None:
            attribution = _footage_source(sent, sentences[index - 1] if index else None)
        attributions = (attribution,) if attribution else ()
        locations = _site(sent, places, paragraph, report_place)
        if attribution is not None and attribution.start is not None and attribution.end is not None:
            # "Ukraine's Defence Ministry said": a place inside the source names who speaks, not where.
            locations = [
                loc.with_role("other") if loc.start is not None and attribution.start <= loc.start < attribution.end else loc
                for loc in locations
            ]
            locations.sort(key=lambda loc: loc.role != "site")
        if spec.name in _TAKEN_FROM_HOME:
            locations = _home_as_site(sent, spec.name, locations)
        modality = _modality(sent, (t_start, t_end))
        items = _items(sent, lex) if spec.name in ("looting", "loot_trade", "vehicle_theft", "property_destruction") else ()
        actors = _actors(sent, spec.name, person_names)
        confidence = 0.45 + 0.15 * bool(attributions) + 0.15 * bool(locations) + 0.1 * bool(date.start)
        if modality != "asserted":
            confidence -= 0.15
        claim_id = content_id("c", report.report_id, spec.name, evidence.start, evidence.end)
        claims.append(
            Claim(
                claim_id=claim_id,
                report_id=report.report_id,
                type=spec.name,  # type: ignore[arg-type]
                summary=_summary(spec, evidence, locations, date, attribution),
                evidence=(evidence,),
                date=date,
                locations=tuple(locations),
                actors=actors,
                items=items,
                attributions=attributions,
                modality=modality,  # type: ignore[arg-type]
                confidence=round(max(0.05, min(0.95, confidence)), 2),
            )
        )
    return claims


# Claims about people moved, or refusing to be moved, away from their own country.
_TAKEN_FROM_HOME = {"abduction", "displacement", "desertion"}
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
_IN_THE_FIELD = re.compile(r"\b(?:abandon\w*|laid down|lay down|laying down|fled their|left their|surrender\w*)\b", re.IGNORECASE)
_NATIONALS = re.compile(rf"\b([A-Z][a-z]{{3,}})(?:s\b|\s+(?:[a-z-]+\s+){{0,2}}?(?:({_VICTIM_NOUNS})|({_FIGHTER_NOUNS}))\b)")


def _home_as_site(sent: _Sentence, claim_type: str, locations: list[Location]) -> list[Location]:
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


def _event_date(sent: _Sentence, trigger: int) -> DateInfo | None:
    """The date of the event in a sentence, or None when the sentence gives none."""
    if not sent.dates:
        return None
    offset = trigger - sent.start
    # A day named beside a vaguer span ("daily bombardment for the past week ... killed three on
    # Thursday") is the specific event; otherwise the expression nearest the trigger.
    _, _, info = min(sent.dates, key=lambda d: (d[2].precision != "day", abs((d[0] + d[1]) // 2 - offset)))
    return info


def _footage_source(sent: _Sentence, prior: _Sentence | None) -> Attribution | None:
    """"Soldiers were spotted looting ...": footage is the source when a sentence (or the one
    before it) says what it shows and nobody else is named."""
    text = sent.text
    for candidate in (sent, prior):
        if candidate is None:
            continue
        match = _FOOTAGE.search(text, candidate.start, candidate.end)
        if match:
            return Attribution(match.group(0), "media", "video", match.start(), match.end())
    return None


def _attribute_quotes(sentences: list[_Sentence], quotes: list[tuple[int, int]]) -> None:
    """Quoted sentences take the speaker named at the end of the quote, or just before it."""
    for index, sent in enumerate(sentences):
        if sent.attribution is not None or not sent.quoted:
            continue
        region = next(((s, e) for s, e in quotes if s <= sent.start + 1 < e), None)
        if region is None:
            continue
        for later in sentences[index:index + 6]:
            if later.start > region[1] + 200:
                break
            if later.attribution is not None and later.end >= region[1]:
                sent.attribution = later.attribution
                break
        if sent.attribution is None:
            for earlier in reversed(sentences[max(0, index - 3):index]):
                if earlier.attribution is not None and earlier.end >= region[0] - 5:
                    sent.attribution = earlier.attribution
                    break


def acled_of(claim_type: str) -> dict[str, str] | None:
    """ACLED event and sub-event type of an incident type (None for casualty reports)."""
    spec = load_lexicon().types[claim_type]
    if spec.acled is None:
        return None
    return {"event_type": spec.acled[0], "sub_event_type": spec.acled[1]}


__all__ = ["extract_claims", "acled_of"]
