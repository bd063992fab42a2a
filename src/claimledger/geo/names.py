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
    ("shch", "sh"), ("sch", "sh"), ("yu", "u"), ("iu", "u"), ("ju", "u"), ("ya", "a"), ("ia", "a"), ("ja", "a"),
    ("ye", "e"), ("ie", "e"), ("je", "e"), ("yi", "i"), ("iy", "i"), ("yo", "o"), ("io", "o"), ("jo", "o"),
    ("kh", "h"), ("zh", "z"), ("ts", "c"), ("tz", "c"), ("cz", "c"), ("ch", "c"), ("sz", "s"),
    ("w", "v"), ("y", "i"), ("j", "i"), ("x", "ks"), ("q", "k"), ("ck", "k"), ("ph", "f"),
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
