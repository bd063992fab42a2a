"""The trigger rules of the first detector: words of each type (taxonomy.toml), the objects a
trigger needs (objects.toml) and the grammar that tells an event from a mention.

The trained detector (`detector.py`) reads their verdicts as features; `rule_types` is also a
detector of its own, kept to measure what the trained one adds.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from claimledger.extract.lexicon import Lexicon, TypeSpec
from claimledger.extract.sentences import Sentence

_CASUALTY_COUNT = re.compile(
    r"\b(?:\d[\d,.]*|hundreds|thousands|dozens|tens of thousands|scores)\s+(?:of\s+)?(?:\w+\s+){0,2}?"
    r"(?:soldiers|troops|servicemen|fighters|personnel|tanks|aircraft|helicopters|armoured vehicles|armored vehicles|"
    r"military vehicles|occupiers|invaders|combatants|service members|marines|paratroopers|mercenaries)\b"
    r"|\bdeath toll\b|(?<!\bno )(?<!\bany )\bcasualt(?:y|ies)\b|\blost (?:about |some |over |more than )?\d[\d,]* (?:soldiers|troops|men)\b",
    re.IGNORECASE,
)
# "12 were killed and 7 more wounded" (a count of casualties in a unit or company)
_COUNT_KILLED = re.compile(
    r"\b\d[\d,]*\s+(?:others\s+|more\s+)?(?:were|have been|had been)\s+(?:killed|wounded|injured)\b"
)
_NON_EVENT = re.compile(
    r"\b(?:must|should|need to|needs to|calls? (?:on|for)|urged?|demand(?:s|ed)?)\b", re.I
)


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


def _needs_met(spec: TypeSpec, sent: Sentence, lex: Lexicon) -> bool:
    for need in spec.needs:
        if need == "casualty_count":
            military = (
                bool(sent.lemmas & lex.objects["troops"]) or "unit" in sent.lemmas or "comrade" in sent.lemmas
            )
            if not _CASUALTY_COUNT.search(sent.lower) and not (military and _COUNT_KILLED.search(sent.lower)):
                return False
            continue
        words = lex.objects.get(need, frozenset())
        if not (words & sent.lemmas) and not any(" " in w and _phrase_in(w, sent.lower) for w in words):
            return False
    return True


def rule_types(sent: Sentence, lex: Lexicon, located: bool = True) -> list[tuple[TypeSpec, int, int]]:
    """Types whose triggers (and needed objects) the sentence has, with the trigger's span.

    `located` says whether the sentence names a place or a date: generic types (fighting,
    control of ground, movements, counts) are events only when they are anchored so.
    """
    found: list[tuple[TypeSpec, int, int]] = []
    tokens = list(sent.span)
    index = lemma_index(lex)
    # Which tokens could trigger which types, in one pass over the sentence.
    candidates: dict[str, list[int]] = {}
    for i, token in enumerate(tokens):
        if token.pos_ in ("PROPN", "ADP", "DET"):
            continue
        names = index.get(token.lemma_.lower(), frozenset()) | index.get(token.lower_, frozenset())
        if not names and token.is_alpha and len(token) >= 6 and token.pos_ == "VERB":
            typos = _misspelt_triggers(lex)
            # spaCy cannot lemmatise a misspelt word ("destoryed" -> "destorye"): strip endings here.
            stems = {token.lemma_.lower(), token.lower_} | {
                token.lower_[: -len(end)]
                for end in ("ed", "d", "ing", "s", "es")
                if token.lower_.endswith(end)
            }
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
            elif spec.name in _OBJECT_BOUND and not _object_near(
                tokens, i, lex.objects[_OBJECT_BOUND[spec.name]]
            ):
                continue
            if (
                spec.name in ("shelling", "air_strike")
                and lemma in _WEAPON_NOUNS
                and not (sent.lemmas & _ATTACK_PREDICATES)
            ):
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
def lemma_index(lex: Lexicon) -> dict[str, frozenset[str]]:
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
    index = lemma_index(lex)
    typos: dict[str, set[str]] = {}
    for word, names in index.items():
        if len(word) < 7 or not word.isalpha():
            continue
        variants = {word[:k] + word[k + 1 :] for k in range(len(word))}
        variants |= {
            word[:k] + word[k + 1] + word[k] + word[k + 2 :]
            for k in range(len(word) - 1)
            if word[k] != word[k + 1]
        }
        for variant in variants - set(index):
            typos.setdefault(variant, set()).update(names)
    return {k: frozenset(v) for k, v in typos.items()}


# Generic types need a place or a date in their sentence to be a specific event.
_NEEDS_ANCHOR = {"armed_clash", "territory_change", "troop_movement", "casualty_report", "displacement"}
# Weapon nouns name an attack only beside a verb of attack ("artillery pounded", not "an advantage in artillery").
_WEAPON_NOUNS = {
    "artillery",
    "rocket",
    "missile",
    "shell",
    "mortar",
    "barrage",
    "grad",
    "howitzer",
    "himars",
    "cruise",
    "iskander",
    "kalibr",
    "projectile",
    "salvo",
    "drone",
    "aircraft",
    "helicopter",
    "jet",
    "warplane",
    "bomber",
    "bomb",
    "shahed",
    "strike",
}
_ATTACK_PREDICATES = {
    "hit",
    "strike",
    "struck",
    "fire",
    "fired",
    "shell",
    "shelled",
    "pound",
    "pounded",
    "bombard",
    "kill",
    "killed",
    "wound",
    "injure",
    "damage",
    "destroy",
    "target",
    "land",
    "explode",
    "rain",
    "launch",
    "attack",
    "blast",
    "slam",
    "smash",
    "fall",
    "drop",
    "crash",
    "shoot",
    "down",
}
_INTENT_HEADS = {
    "want",
    "try",
    "aim",
    "seek",
    "plan",
    "intend",
    "push",
    "prepare",
    "hope",
    "threaten",
    "vow",
    "need",
    "refuse",
    "decide",
    "continue",
    "attempt",
    "expect",
    "order",
    "urge",
}
# Trigger participles used as adjectives ("Russian-occupied", "a bombed building") describe, not report.
_NO_ADJECTIVE = {
    "territory_change",
    "property_destruction",
    "armed_clash",
    "shelling",
    "explosive_device",
    "displacement",
    "troop_movement",
}


_TRADE_VERBS = {
    "truck",
    "post",
    "market",
    "load",
    "mail",
    "send",
    "sell",
    "trade",
    "transport",
    "export",
    "deliver",
    "haul",
    "smuggle",
    "resell",
    "remove",
    "move",
    "take",
    "carry",
    "bring",
}
_ABSTRACT = {
    "effort",
    "attempt",
    "plan",
    "idea",
    "hope",
    "bid",
    "goal",
    "aim",
    "policy",
    "talks",
    "search",
    "project",
    "demand",
}
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


_PLACE_NOUNS = {
    "region",
    "province",
    "city",
    "town",
    "village",
    "area",
    "areas",
    "plant",
    "country",
    "territory",
    "house",
    "building",
    "district",
    "oblast",
    "capital",
    "port",
}


def _describes_a_place(token: Any) -> bool:
    """ "Luhansk province, which was overrun last month", "the areas being reclaimed": a clause
    that describes a place tells its background, not the event reported."""
    current = token
    for _ in range(4):
        head_is_place = current.head.pos_ == "PROPN" or current.head.lemma_.lower() in _PLACE_NOUNS
        described = (current.dep_ == "relcl" and head_is_place) or (
            current.dep_ == "acl" and current.head.lemma_.lower() in ("area", "areas", "territory", "region")
        )
        if described and not any(
            t.lemma_.lower() in ("claim", "say", "report", "announce") for t in current.subtree
        ):
            return True
        if current.head is current or current.dep_ in ("ROOT", "ccomp"):
            return False
        current = current.head
    return False


def _noun_reports_event(token: Any, type_name: str) -> bool:
    """A trigger noun reports an event when a verb of the past, the perfect or the progressive
    governs it; not "no casualties", not "filtration camps", not "the offensive was unprovoked"."""
    if any(c.dep_ == "det" and c.lower_ in ("no", "any") for c in token.children) or any(
        c.dep_ == "neg" for c in token.children
    ):
        return False
    if token.dep_ == "compound" and type_name in _COMPOUND_NOT_EVENT:
        return False
    verb = _governing_verb(token)
    if verb is None:
        return True
    if verb.lemma_ == "be" and verb.pos_ == "AUX" and token.dep_ in ("nsubj", "attr"):
        return False
    if any(
        c.dep_ == "xcomp" and (c.tag_ == "VBG" or any(a.lower_ == "have" for a in c.children))
        for c in verb.children
    ):
        return True  # "appears to have reached", "appears to be continuing"
    if verb.tag_ in ("VB", "VBZ", "VBP"):
        auxes = {c.lemma_.lower() for c in verb.children if c.dep_ in ("aux", "auxpass")}
        return (
            bool(auxes & {"have", "be"})
            and verb.tag_ != "VB"
            or any(c.tag_ in ("VBD", "VBN") for c in verb.children if c.dep_ in ("aux", "auxpass"))
        )
    return True


_MODALS_OF_ABILITY = {"could", "would", "may", "might", "can"}
_PREDICATE_OF_NOUN = {"of", "for", "about", "against", "over", "on", "to"}
# "a wave of bombardments" is the bombardments themselves.
_QUANTITY_NOUNS = {
    "wave",
    "series",
    "spate",
    "string",
    "round",
    "number",
    "dozen",
    "hundred",
    "thousand",
    "lot",
    "barrage",
    "volley",
    "campaign",
    "night",
    "day",
    "week",
    "hours",
    "days",
}


def _trigger_is_event(token: Any, type_name: str, single_word: bool = True) -> bool:
    """False for infinitives of intent, negated, conditional or modal predicates, adjectival
    uses, and nouns that only qualify another noun ("allegations of looting", "fear of strikes")."""
    if token.i >= 2 and token.nbor(-1).text == "-" and token.nbor(-2).lower_ == "de":
        return False  # "de-mined": mines cleared, not laid
    # "missile strikes", "a list of stolen items": judge the noun the trigger modifies
    noun = token.head if token.dep_ in ("compound", "amod") else token
    if (
        (noun.pos_ == "NOUN" or noun.tag_ == "VBG")
        and noun.dep_ in ("pobj", "pcomp")
        and noun.head.lower_ in _PREDICATE_OF_NOUN
        and noun.head.head.pos_ == "NOUN"
        and noun.head.head.lemma_.lower() not in _QUANTITY_NOUNS
    ):
        return False
    nominal = token.pos_ == "NOUN" or (
        token.tag_ == "VBG" and token.dep_ == "pcomp"
    )  # "over killing and abuses"
    if single_word and nominal and not _noun_reports_event(token, type_name):
        return False
    if (
        type_name in ("looting", "vehicle_theft", "loot_trade", "abduction")
        and token.lemma_.lower() == "take"
        and any(c.dep_ in ("dobj", "prt") and c.lemma_.lower() in _NOT_TAKEN for c in token.children)
    ):
        return False
    if token.lemma_.lower() == "abandon" and any(
        c.dep_ == "dobj" and c.lemma_.lower() in _ABSTRACT for c in token.children
    ):
        return False
    if single_word and type_name in _NO_ADJECTIVE and (token.dep_ == "amod" or token.pos_ == "ADJ"):
        return False
    if (
        single_word
        and type_name in _NO_ADJECTIVE
        and token.dep_ == "compound"
        and type_name not in ("shelling", "air_strike")
    ):
        return False
    if token.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children):
        return type_name == "desertion"
    if (
        token.tag_ == "VB"
        and token.dep_ in ("xcomp", "ccomp")
        and token.head.lemma_.lower() in ("help", "let", "make", "allow", "enable")
    ):
        return False  # "aid to help Ukrainian forces fight": a purpose, not an event
    if _describes_a_place(token) and type_name not in ("abduction", "attack_on_civilians"):
        return False
    if (
        token.tag_ == "VB"
        and token.dep_ == "ROOT"
        and not any(c.dep_ in ("nsubj", "aux", "nsubjpass") for c in token.children)
    ):
        return False  # an imperative ("Steal a raccoon and die") orders, it does not report
    current = token
    for _ in range(4):
        children = list(current.children)
        if any(c.dep_ == "neg" for c in children) and type_name != "desertion":
            return False
        if any(
            c.dep_ == "aux" and c.lower_ in ("will", "can", "should", "must", "'ll", "shall")
            for c in children
        ):
            return False
        # "could hear shells", "would steal": ability or habit; "may have looted" stays (possible).
        auxes = {c.lower_ for c in children if c.dep_ == "aux"}
        refusing = type_name == "desertion" and any(c.dep_ == "neg" for c in children)  # "would not return"
        if auxes & _MODALS_OF_ABILITY and "have" not in auxes and not refusing:
            return False
        if any(c.dep_ == "mark" and c.lower_ in ("whether", "if", "unless") for c in children):
            return False
        if (
            current.dep_ == "xcomp"
            and current.head.lemma_.lower() in _INTENT_HEADS
            and type_name != "desertion"
        ):
            return False
        if current.dep_ in ("ROOT", "ccomp") or current.head is current:
            break
        current = current.head
    return True


# Nouns that an attack phrase can modify without an attack taking place ("air raid sirens").
_MODIFIED_HEADS = {
    "siren",
    "alert",
    "warning",
    "shelter",
    "drill",
    "system",
    "defence",
    "defense",
    "launcher",
    "threat",
    "risk",
    "danger",
    "alarm",
}


def _phrase_is_event(sent: Sentence, char: int, type_name: str, end: int | None = None) -> bool:
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
_OBJECT_BOUND = {
    "vehicle_theft": "vehicle",
    "property_destruction": "property",
    "attack_on_civilians": "civilian",
}
_TAKE_LEMMAS = {"take", "seize", "remove", "carry", "grab", "cart", "empty", "strip"}
# Verbs that move goods away: with looted kinds of goods as objects they are the loot trade.
_MOVE_GOODS_LEMMAS = {"load", "transport", "bring", "ship", "truck", "haul", "export", "smuggle", "ferry"}
_MOVE_PEOPLE_LEMMAS = {
    "take",
    "remove",
    "transfer",
    "transport",
    "send",
    "move",
    "relocate",
    "drive",
    "herd",
    "round",
    "deport",
}
_PEOPLE = {
    "people",
    "civilians",
    "residents",
    "children",
    "kids",
    "ukrainians",
    "women",
    "patients",
    "staff",
    "families",
    "villagers",
    "citizens",
    "orphans",
    "teenagers",
    "refugees",
    "inhabitants",
    "thousands",
    "hundreds",
    "dozens",
}
_NOT_TAKEN = {
    "control",
    "part",
    "place",
    "power",
    "office",
    "prisoner",
    "captive",
    "hostage",
    "care",
    "time",
    "cover",
    "position",
    "positions",
    "photo",
    "fingerprints",
    "picture",
    "advantage",
    "note",
    "account",
    "action",
    "measures",
    "steps",
    "shelter",
    "refuge",
}
_WINDOW = 7


def _object_near(tokens: list[Any], i: int, words: frozenset[str], before_window: int = 3) -> bool:
    """A word of `words` within a few tokens after the trigger, or just before it ("stolen cars", "cars were stolen")."""
    after = tokens[i + 1 : i + 1 + _WINDOW]
    before = tokens[max(0, i - before_window) : i]
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
        found.extend(
            t for t in noun.subtree if t.dep_ in ("conj", "appos", "compound", "pobj") and t.i - noun.i < 12
        )
    if not found:
        found = tokens[i + 1 : i + 1 + _WINDOW]
    return found


_CLEARLY_CIVILIAN = {
    "civilian",
    "resident",
    "child",
    "woman",
    "villager",
    "family",
    "pensioner",
    "patient",
    "refugee",
    "girl",
    "boy",
    "baby",
}


def _harms_civilians(
    token: Any, tokens: list[Any], i: int, civilians: frozenset[str], troops: frozenset[str]
) -> bool:
    """ "Snipers shot residents", "two civilians were killed": the harmed are civilians, not troops."""
    objects = [c for c in token.children if c.dep_ in ("dobj", "nsubjpass")]
    if token.dep_ == "acl":
        objects.append(token.head)
    if token.pos_ == "NOUN":
        objects.extend(t for t in token.subtree if t.dep_ in ("pobj", "compound", "poss"))
    if objects:
        words = {t.lemma_.lower() for o in objects for t in o.subtree} | {
            t.lower_ for o in objects for t in o.subtree
        }
        if words & troops and not words & {"civilian", "civilians", "people", "resident", "residents"}:
            return False
        if words & civilians:
            return True
    sentence_words = {t.lemma_.lower() for t in tokens}
    if sentence_words & (troops | {"unit", "comrade"}) and not sentence_words & _CLEARLY_CIVILIAN:
        return False  # "in his unit of 50 people, 10 were killed": soldiers, not civilians
    return _object_near(tokens, i, civilians, 4)


def _taking_items(
    tokens: list[Any], lex: Lexicon, verbs: frozenset[str] | set[str] = _TAKE_LEMMAS
) -> tuple[int, int] | None:
    """ "Took food, alcohol and clothes", "statues were taken from their plinths": a verb of
    taking or carrying whose object is a kind of looted goods is looting."""
    for i, token in enumerate(tokens):
        if (
            token.pos_ != "VERB"
            or token.lemma_.lower() not in verbs
            or not _trigger_is_event(token, "looting")
        ):
            continue
        if any(c.dep_ == "prt" and c.lower_ in ("off", "up", "over", "part") for c in token.children):
            continue  # "took his shoes off", "took up arms": not taking goods away
        objects = _objects(token, tokens, i)
        words = {t.lower_ for t in objects} | {t.lemma_.lower() for t in objects}
        if words & _NOT_TAKEN or words & _PEOPLE:
            continue
        taking_all = verbs is _TAKE_LEMMAS and re.search(
            r"\beverything\b", " ".join(t.lower_ for t in tokens[i + 1 : i + 4])
        )
        if any(w in lex.items for w in words) or taking_all:
            return (token.idx, token.idx + len(token.text))
    return None


def _items_gone_missing(tokens: list[Any], lex: Lexicon) -> tuple[int, int] | None:
    """ "Statues went missing from the city", "paintings vanished from the museum": goods that
    disappear under occupation are reported as taken."""
    for token in tokens:
        lemma = token.lemma_.lower()
        gone = (lemma == "go" and any(c.lower_ == "missing" for c in token.children)) or lemma in (
            "vanish",
            "disappear",
        )
        if token.pos_ != "VERB" or not gone or not _trigger_is_event(token, "looting"):
            continue
        subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
        subjects += [t for s in subjects for t in s.conjuncts]
        if any(t.lower_ in lex.items or t.lemma_.lower() in lex.items for t in subjects):
            return (token.idx, token.idx + len(token.text))
    return None


def _troops_entering(tokens: list[Any], lex: Lexicon) -> tuple[int, int] | None:
    """ "Ukrainian troops entered Kherson", "as they entered the city": armed forces entering a
    named town take (or retake) it."""
    troops = lex.objects["troops"]
    if not any(t.lower_ in troops for t in tokens):
        return None
    for token in tokens:
        if (
            token.pos_ != "VERB"
            or token.lemma_.lower() != "enter"
            or not _trigger_is_event(token, "territory_change")
        ):
            continue
        places = [
            c
            for c in token.children
            if c.dep_ == "dobj" and (c.pos_ == "PROPN" or c.lemma_.lower() in _PLACE_NOUNS)
        ]
        subjects = [c for c in token.children if c.dep_ == "nsubj"]
        if places and any(
            t.lower_ in troops or t.lower_ in ("they", "we") for s in subjects for t in s.subtree
        ):
            return (token.idx, token.idx + len(token.text))
    return None


def _moving_people(tokens: list[Any]) -> tuple[int, int] | None:
    """ "Children were transferred to Russia", "forces removed 2,000 people and took them to
    Crimea": moving civilians against their will is abduction or deportation."""
    for i, token in enumerate(tokens):
        if (
            token.pos_ != "VERB"
            or token.lemma_.lower() not in _MOVE_PEOPLE_LEMMAS
            or not _trigger_is_event(token, "abduction")
        ):
            continue
        objects = _objects(token, tokens, i)
        if token.dep_ == "relcl":
            objects.append(token.head)  # "people who were taken to Novoazovsk"
        words = {t.lower_ for t in objects} | {t.lemma_.lower() for t in objects}
        passive = any(c.dep_ == "auxpass" for c in token.children)
        if not words & _PEOPLE and not (words & {"them", "her", "him", "she", "he", "they"} and passive):
            continue
        destination = any(
            c.dep_ == "prep" and c.lower_ in ("to", "into", "through", "across") for c in token.children
        ) or any(
            t.lower_ in ("to", "into") and t.dep_ == "prep"
            for t in token.subtree
            if t.i > token.i and t.i - token.i < 12
        )
        if destination:
            return (token.idx, token.idx + len(token.text))
    return None


def _refine(found: list[tuple[TypeSpec, int, int]], sent: Sentence) -> list[tuple[TypeSpec, int, int]]:
    names = {spec.name for spec, _, _ in found}
    # A mine or booby trap that goes off is an explosive device; one laid or found is mine-laying.
    if (
        "explosive_device" in names
        and "mine_laying" in names
        and not re.search(
            r"\b(?:explod|detonat|blew up|blown up|blast|stepped on|hit a mine|killed|injured|wounded)",
            sent.lower,
        )
    ):
        found = [f for f in found if f[0].name != "explosive_device"]
    # A grenade or bomb dropped from a drone is an air strike, not a planted device.
    if "air_strike" in names and "explosive_device" in names and re.search(r"\bdrones?\b", sent.lower):
        found = [f for f in found if f[0].name != "explosive_device"]
    # Shelling words that only name weapons given or bought are not an attack.
    if (
        "shelling" in names
        and re.search(
            r"\b(?:suppl(?:y|ied|ies)|deliver(?:ed|ies|y)|send(?:ing)?|provid(?:e|ed|ing)|package|aid|donat\w+)\b",
            sent.lower,
        )
        and not re.search(
            r"\b(?:hit|struck|killed|shelled|fired|strike[sd]?|attack(?:ed|s)?|damag\w+|destroy\w*)\b",
            sent.lower,
        )
    ):
        found = [f for f in found if f[0].name != "shelling"]
    # "Russia may have staged explosions ... before retreating": the main clause is the event,
    # a time clause ("before", "after", "as", "while") only dates it.
    main = [f for f in found if not _in_time_clause(sent, f[1])]
    if main and len(main) < len(found):
        found = main
    return sorted(found, key=lambda f: f[0].priority)


_TIME_MARKS = {"before", "after", "while", "as", "when", "until", "since"}


def _in_time_clause(sent: Sentence, char: int) -> bool:
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


def is_event_sentence(sent: Sentence) -> bool:
    """Past or ongoing events, not forecasts, questions, or calls to act."""
    stripped = sent.span.text.strip()
    if stripped.endswith("?"):
        return False
    # An event is told in the past, the perfect or the progressive; the simple present states
    # rules and generalities ("looting carries a prison term", "deportations constitute war crimes").
    has_event_verb = any(_tells_past_or_ongoing(t) for t in sent.span)
    # "commanders reportedly abandon their positions": a reported present is news, not a rule.
    reported_now = any(
        t.lower_ in ("reportedly", "allegedly") and t.head.tag_ in ("VBP", "VBZ") for t in sent.span
    )
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
    return not (
        _NON_EVENT.search(sent.lower)
        and not any(t.tag_ in ("VBD", "VBN") for t in sent.span if t.lemma_ not in calls)
    )


_EARLY_WAR = re.compile(
    r"\b(?:early in the (?:war|invasion)|(?:in|during) the (?:first|early|opening) (?:few )?(?:days|weeks|months|stages?) of the (?:war|invasion|conflict)"
    r"|(?:at|since) the (?:start|beginning|outset) of the (?:war|invasion|conflict)|since the early days)\b"
)


def is_background(sent: Sentence, year: int) -> bool:
    """History older than the report's story ("annexed Crimea in 1783") is not a claim; a sentence
    that also dates something recent ("on Saturday ... held since 2014") still is."""
    if "world war" in sent.lower or "soviet union" in sent.lower or "ussr" in sent.lower:
        return not any(info.precision == "day" for _, _, info in sent.dates)
    if _EARLY_WAR.search(sent.lower) and not any(
        info.precision in ("day", "week") for _, _, info in sent.dates
    ):
        # "seized territory early in the war" is the backdrop of a later story; something still
        # going on ("troops are refusing ...") or dated recently is not.
        ongoing = any(
            t.tag_ == "VBG" and any(c.dep_ == "aux" and c.lower_ in ("is", "are", "'re") for c in t.children)
            for t in sent.span
        )
        return not ongoing
    years = [int(y) for y in re.findall(r"\b(1[6-9]\d\d|20\d\d)\b", sent.span.text)]
    if not years or max(years) > year - 2:
        return False
    return not any(info.start and int(info.start[:4]) >= year - 1 for _, _, info in sent.dates)
