"""Reading a name one text leaves ambiguous by where the rest of its collection happens.

"Heavy shelling of Novomykhailivka" names one of 18 villages in Ukraine, and the line says
no more; an analyst coding a file of such lines reads it as the one in the area the file is
about. A collection's places that were read without doubt (towns named by a name no other
town of that country has, or with their region when no other town of it bears the name) mark
that area; an ambiguous name is read as the namesake with the most of them around it, when one
clearly has the most. The points come from the inputs only: nothing is learned from answers.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from claimledger.geo import _km
from claimledger.geo.gazetteer import Entry, Gazetteer, shared_gazetteer
from claimledger.geo.names import skeleton
from claimledger.model import Location

# How near a collection's place must lie to count for a reading: the reach of one district or
# one stretch of a front line.
RADIUS_KM = 25.0
# Below this size a town's being the largest of its name says little about which is meant.
SMALL_TOWN = 30_000
# How many of the collection's places must lie by a reading for it to be chosen.
MIN_NEAR = 2
# A town already read stays unless another reading has this many times the places around it.
KEEP_RATIO = 3
# A town of this size is not given up for a village only the codifier lists (GeoNames lists
# Ukraine's places of 500 people and more): "Vasylivka" is the district town of 12,500 people
# before any of the hamlets of that name, however busy their area.
TOWN = 10_000
# A text that says which region ("Vasylivka, Zaporizhzhia"; "Pavlivka (Donetsk)") has decided.
# A timestamp or a remark in brackets ("Andriivka (01:14)", "(potentially a school)") is not one.
_HINT_AFTER = re.compile(
    r"^\s*(?:,|\(\s*[A-Z]|\b(?:[Oo]blast|[Rr]egion|[Pp]rovince|[Kk]rai|[Rr]aion|[Dd]istrict)\b)"
)
_REGION_WORD = re.compile(r"\b(?:oblast|region|province|krai|kray)\b", re.IGNORECASE)
_CELL = 0.25  # degrees of the grid the points are bucketed in


class CollectionPrior:
    """The points of a collection's confidently placed towns, bucketed for density look-ups."""

    def __init__(self, places: Iterable[Location] = ()) -> None:
        self._cells: dict[tuple[int, int], Counter[tuple[float, float]]] = {}
        for place in places:
            self.add(place)

    def add(self, place: Location) -> None:
        """Count a place when it is a town read as such (not a region, a country or a reference point)."""
        if place.precision != "place" or place.role == "other" or place.lat is None or place.lon is None:
            return
        point = (place.lat, place.lon)
        self._cells.setdefault(_cell(point), Counter())[point] += 1

    def __len__(self) -> int:
        """How many distinct places the collection has."""
        return sum(len(c) for c in self._cells.values())

    def around(self, lat: float, lon: float) -> int:
        """How many of the collection's places lie within RADIUS_KM of a point: distinct places,
        so that a city in the news every day counts once, like the villages of a front line."""
        row, col = _cell((lat, lon))
        rows = 1 + int(RADIUS_KM / (111.0 * _CELL))
        reach = 1 + int(RADIUS_KM / (111.0 * _CELL * max(0.05, math.cos(math.radians(lat)))))
        total = 0
        for r in range(row - rows, row + rows + 1):
            for c in range(col - reach, col + reach + 1):
                for point in self._cells.get((r, c), {}):
                    if _km((lat, lon), point) <= RADIUS_KM:
                        total += 1
        return total


def read_together(
    lines: list[tuple[str, list[Location]]], whole_strings: bool = False
) -> list[list[Location]]:
    """Each line's places (text, places best first) with the first re-read by the places the
    other lines establish. `whole_strings`: the texts are place strings ("Pisky, Donetsk"), not prose."""
    readings: list[list[Entry]] = []
    for value, places in lines:
        if not places:
            readings.append([])
            continue
        first = places[0]
        after = "" if whole_strings or first.end is None else value[first.end : first.end + 25]
        sole = len({p.text for p in places if p.precision != "country"}) <= 1
        readings.append(namesakes(first, after, sole))
    # Only what a line establishes by itself speaks for the collection.
    prior = CollectionPrior(
        places[0] for (_, places), r in zip(lines, readings, strict=True) if places and not r
    )
    return [
        [settle(places[0], r, prior), *places[1:]] if r else places
        for (_, places), r in zip(lines, readings, strict=True)
    ]


def namesakes(
    place: Location, after: str = "", sole: bool = True, gaz: Gazetteer | None = None
) -> list[Entry]:
    """The readings a place's own text could not choose between, or [] when it chose.

    Three cases are ambiguous: a name the text could only place in its region or country because
    several villages bear it; a small town chosen among namesakes only for being the largest, in
    a text that names no other place to judge by (`sole`); and a small town chosen for being the
    largest of its name in the region the text names, when villages of that region bear it too.
    `after`: the text that follows the name, where a region hint would stand.
    """
    if place.text is None or place.country is None or place.lat is None or place.lon is None:
        return []
    name = re.split(r"[,;(]", place.text)[0].strip()
    gaz = gaz or shared_gazetteer()
    fallback = (
        place.precision in ("admin1", "country")
        and skeleton(name) != skeleton(place.name)
        and not _REGION_WORD.search(name)
    )
    hinted = _HINT_AFTER.match(after) is not None or "," in place.text or "(" in place.text
    town = _is_town(place)
    guessed = sole and town and not hinted
    # "Vasylivka, Donetsk Oblast": the region says which oblast, and a dozen villages of it bear the name.
    within = (
        town
        and hinted
        and place.admin1 is not None
        and skeleton(place.admin1)[:4] in skeleton(after + place.text)
    )
    if not (fallback or guessed or within):
        return []
    # A town read from another spelling ("Zolochev") has the namesakes of its own name ("Zolochiv").
    if town and skeleton(place.name) != skeleton(name):
        name = place.name
    found = [
        e
        for e in gaz.lookup(name) + gaz.villages(name)
        if _namesake(e, name, place) and (not within or e.admin1 == place.admin1)
    ]
    if guessed or within:
        own = next((e for e in found if e.geonameid == place.geonameid and e.kind == "place"), None)
        if own is None or own.population >= SMALL_TOWN or len(found) < 2:
            return []  # the only town of its name in the country, or big enough to be the one meant
    return found


def settle(place: Location, readings: list[Entry], prior: CollectionPrior) -> Location:
    """The place as the reading with the most of the collection's places around it (at least
    MIN_NEAR, and more than any other reading); else unchanged: a region or country stays what
    the text established, and a town read already stays unless another has KEEP_RATIO times its places."""
    if not readings:
        return place
    counts = sorted(((prior.around(e.lat, e.lon), e) for e in readings), key=lambda c: -c[0])
    best, entry = counts[0]
    if (
        _is_town(place)
        and place.lat is not None
        and place.lon is not None
        and prior.around(place.lat, place.lon) * KEEP_RATIO >= best
    ):
        return place  # the town read lies among the collection's places nearly as much
    if entry.kind == "village" and any(
        e.geonameid == place.geonameid and e.population >= TOWN for e in readings if e.kind == "place"
    ):
        return place
    # Two villages of one hromada share its centre's point: that is one reading, not a tie.
    rivals = [e for n, e in counts[1:] if n == best and (e.lat, e.lon) != (entry.lat, entry.lon)]
    if best < MIN_NEAR or rivals or (entry.geonameid == place.geonameid and entry.kind == "place"):
        return place
    return replace(
        place,
        name=entry.name,
        lat=round(entry.lat, 5),
        lon=round(entry.lon, 5),
        admin1=entry.admin1,
        geonameid=entry.geonameid,
        precision="admin2" if entry.kind == "village" or place.precision == "admin2" else "place",
    )


def _is_town(place: Location) -> bool:
    """A town of GeoNames, at its point or near it ("near Krynychne" keeps the town's point, vaguer)."""
    return place.geonameid is not None and place.precision in ("place", "admin2")


def _namesake(entry: Entry, name: str, place: Location) -> bool:
    """A town or village of the same main name in the place's country (and region, if it had one)."""
    if (
        entry.kind not in ("place", "village")
        or entry.country != place.country
        or skeleton(entry.name) != skeleton(name)
    ):
        return False
    return place.precision != "admin1" or entry.admin1 == place.admin1


def _cell(point: tuple[float, float]) -> tuple[int, int]:
    return (math.floor(point[0] / _CELL), math.floor(point[1] / _CELL))
