"""Name keys for the gazetteer: one exact-ish key and one romanisation skeleton.

Ukrainian, Russian and Belarusian names reach English news in several romanisations
(Izium/Izyum, Mazyr/Mozyr, Narowlya/Narovlya, Trostianets/Trostyanets'). The skeleton folds
the spelling differences those systems make, so variants meet without a fuzzy search.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = re.compile(r"[’'`´ʼʹ‘\"]")
_NON_WORD = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")
_SKELETON_RULES = [
    ("shch", "sh"),
    ("sch", "sh"),
    ("yu", "u"),
    ("iu", "u"),
    ("ju", "u"),
    ("ya", "a"),
    ("ia", "a"),
    ("ja", "a"),
    ("ye", "e"),
    ("ie", "e"),
    ("je", "e"),
    ("yi", "i"),
    ("iy", "i"),
    ("yo", "o"),
    ("io", "o"),
    ("jo", "o"),
    ("kh", "h"),
    ("zh", "z"),
    ("ts", "c"),
    ("tz", "c"),
    ("cz", "c"),
    ("ch", "c"),
    ("sz", "s"),
    ("w", "v"),
    ("y", "i"),
    ("j", "i"),
    ("x", "ks"),
    ("q", "k"),
    ("ck", "k"),
    ("ph", "f"),
]
_DOUBLE = re.compile(r"(.)\1+")


def ascii_fold(text: str) -> str:
    """Lower-case ASCII without diacritics ("Dnipró" -> "dnipro")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def key(name: str) -> str:
    """The exact lookup key: folded, apostrophes dropped, hyphens and dots as spaces."""
    folded = _APOSTROPHES.sub("", ascii_fold(name))
    folded = _NON_WORD.sub(" ", folded)
    return _SPACES.sub(" ", folded).strip()


def skeleton(name: str) -> str:
    """A romanisation-insensitive key: "Izyum" and "Izium" share "izum"."""
    value = key(name).replace(" ", "")
    for old, new in _SKELETON_RULES:
        value = value.replace(old, new)
    value = _DOUBLE.sub(r"\1", value)
    # Adjectival endings differ by system: -yi/-iy/-y/-ij all fold to -i above; -ivka/-ovka stay.
    return value


def is_latin(name: str) -> bool:
    """True when the name is written in the Latin alphabet (the one English news uses)."""
    letters = [c for c in name if c.isalpha()]
    if not letters:
        return False
    return all("LATIN" in unicodedata.name(c, "") for c in letters)


# Ukraine's official romanisation (Cabinet of Ministers resolution 55 of 2010), the spelling
# of its road signs and of most English-language reporting since 2022.
_UK_LETTERS = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "є": "ie",
    "ж": "zh",
    "з": "z",
    "и": "y",
    "і": "i",
    "ї": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ь": "",
    "ю": "iu",
    "я": "ia",
}
_UK_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}  # at the start of a word


def romanise_ukrainian(name: str) -> str:
    """A Ukrainian name in the official Latin spelling: "Андріївка" -> "Andriivka",
    "Згурівка" -> "Zghurivka" (zg is zgh, to tell it from zh), "Юріївка" -> "Yuriivka"."""
    words = re.split(r"(\s+|-)", _APOSTROPHES.sub("", name.strip()))
    out = []
    for word in words:
        lower = word.lower()
        latin = []
        for i, letter in enumerate(lower):
            if letter == "г" and i > 0 and lower[i - 1] == "з":
                latin.append("gh")
            elif i == 0 and letter in _UK_INITIAL:
                latin.append(_UK_INITIAL[letter])
            else:
                latin.append(_UK_LETTERS.get(letter, letter))
        joined = "".join(latin)
        out.append(joined[:1].upper() + joined[1:] if word[:1].isupper() else joined)
    return "".join(out)


# Russian forms of Ukrainian place names, as Russian sources and older reporting spell them:
# adjectival endings (Opytne/Opytnoe, Mykilske/Nikolskoye, Buzova/Buzovaya) and -ivka/-ovka.
_RUSSIAN_ENDINGS = [
    ("ske", ("skoe", "skoye")),
    ("tske", ("tskoe", "tskoye")),
    ("ne", ("noe", "noye")),
    ("ove", ("ovo", "ovoe", "ovoye")),
    ("eve", ("evo", "evoe")),
    ("ivka", ("ovka",)),
    ("ova", ("ovaya", "ovaia")),
    ("na", ("naya", "naia")),
    ("ska", ("skaya", "skaia")),
]


def russian_forms(name: str) -> list[str]:
    """Russian-style spellings of a romanised Ukrainian name's ending ("Opytne" -> "Opytnoe")."""
    for ending, forms in _RUSSIAN_ENDINGS:
        if name.endswith(ending) and len(name) > len(ending) + 2:
            return [name[: -len(ending)] + form for form in forms]
    return []


_CYRILLIC_APOSTROPHES = re.compile(r"[’'`´ʼʹ‘]")


def cyrillic_key(name: str) -> str:
    """The lookup key of a Cyrillic name: lower case, ё as е, apostrophes dropped, hyphens as
    spaces; empty for a name not written in Cyrillic ("Харків" -> "харків")."""
    letters = [c for c in name if c.isalpha()]
    if not letters or not all("CYRILLIC" in unicodedata.name(c, "") for c in letters):
        return ""
    folded = _CYRILLIC_APOSTROPHES.sub("", name.lower().replace("ё", "е"))
    return _SPACES.sub(" ", folded.replace("-", " ")).strip()
