"""Corroborate: group claims about one event into incidents and count independent sources.

Copies of one story, and one source quoted by many outlets, count once. Each link between
claims records why it was made, so an analyst can see the reasoning.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from claimledger.dedup import components
from claimledger.geo.names import skeleton
from claimledger.model import Claim, DateInfo, Incident, Location, Report, SourceRef, content_id

FAMILIES = [
    {"looting", "vehicle_theft", "loot_trade"},
    {"shelling", "air_strike", "attack_on_civilians", "explosive_device"},
    {"abduction", "displacement", "arrest"},
    {"territory_change", "armed_clash"},
    {"mine_laying", "explosive_device"},
    {"desertion", "surrender_capture"},
]
# Distance within which two sites can be one event, by the vaguer site's precision (km).
RADIUS_KM = {"place": 30, "admin2": 60, "admin1": 250, "region": 400, "country": 0}
DATE_SLACK_DAYS = {"day": 1, "week": 3, "month": 0, "year": 0, "unknown": 0}
LABELS = {
    1: "confirmed",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "cannot be judged",
}
_PARTY = re.compile(
    r"\b(?:ukrain\w*|kyiv|kiev|zelensk\w*|russia\w*|moscow|kremlin|putin|peskov|lavrov|shoigu|separatist\w*|"
    r"donetsk people's|luhansk people's|dpr|lpr|rt|tass|ria|sputnik|general staff|defen[cs]e ministry|"
    r"ministry of defen[cs]e|occupation|russian-installed|russian-appointed|pro-russian|pro-moscow|mayor|governor|"
    r"regional|city council|military administration|sbu|fsb|state emergency service|prosecutor)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Link:
    a: str
    b: str
    why: str


def _km(a: Location, b: Location) -> float:
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def site(claim: Claim) -> Location | None:
    for loc in claim.locations:
        if loc.role == "site" and loc.lat is not None:
            return loc
    return None


def _types_compatible(a: str, b: str) -> bool:
    return a == b or any(a in f and b in f for f in FAMILIES)


def _places_compatible(a: Location | None, b: Location | None) -> bool:
    if a is None or b is None:
        return False
    if a.precision == "country" or b.precision == "country":
        return a.precision == b.precision and a.country == b.country
    if a.precision == "place" and b.precision == "place":
        # Two named towns are two sites, however close; the same town is one.
        return (a.geonameid is not None and a.geonameid == b.geonameid) or _km(a, b) <= 3
    if "admin1" in (a.precision, b.precision) or "region" in (a.precision, b.precision):
        # A region and a place match when the place lies in that region.
        return a.country == b.country and (a.admin1 == b.admin1 or _km(a, b) <= 30)
    radius = max(RADIUS_KM[a.precision], RADIUS_KM[b.precision])
    return _km(a, b) <= radius


def linking_date(claim: Claim) -> DateInfo:
    """The date a claim links by: none when the text gives none and the claim is dated only by
    its report (a report's date says when it was told, not which day of several it tells)."""
    return DateInfo() if claim.date.basis == "report" else claim.date


def _dates_compatible(a: DateInfo, b: DateInfo) -> bool:
    if not a.start or not b.start:
        return False
    a0, a1 = dt.date.fromisoformat(a.start), dt.date.fromisoformat(a.end or a.start)
    b0, b1 = dt.date.fromisoformat(b.start), dt.date.fromisoformat(b.end or b.start)
    slack = dt.timedelta(days=max(DATE_SLACK_DAYS[a.precision], DATE_SLACK_DAYS[b.precision]))
    return a0 - slack <= b1 and b0 - slack <= a1


def _norm_text(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def source_key(name: str) -> str:
    """A comparison key for a source: "Ukraine's Defence Ministry" ~ "the Ukrainian Defense Ministry"."""
    lowered = name.lower().replace("defence", "defense").replace("’", "'")
    lowered = re.sub(r"\bukraine's\b", "ukrainian", lowered)
    lowered = re.sub(r"\brussia's\b", "russian", lowered)
    lowered = re.sub(r"\b(?:the|a|an|its|his|her|their)\b", " ", lowered)
    return re.sub(r"\W+", " ", lowered).strip()


def link_claims(
    claims: Sequence[Claim], stories: dict[str, str], published: dict[str, str | None] | None = None
) -> list[Link]:
    """Links between claims about the same event, each with its reason, sorted; enough links to
    join every group that linking every pair joins. `published` (report id -> publication date)
    bounds undated claims.

    Only claims that share a block (`block_keys`) are compared: every rule that links two claims
    needs one story, or one site within days, or one site and one looted thing. So the groups are
    those of comparing every pair, in time that grows with the blocks, not with the archive."""
    published = published or {}
    blocks: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims:
        for key in block_keys(
            claim, stories.get(claim.report_id, claim.report_id), published.get(claim.report_id)
        ):
            blocks[key].append(claim)
    # Blocks with the same members (a town's name, id and grid cells, usually) are judged once;
    # a pair in several different blocks may be linked in each: once here.
    distinct = {
        tuple(sorted({c.claim_id for c in members})): members
        for members in blocks.values()
        if len(members) > 1
    }
    links = {
        (link.a, link.b): link
        for members in distinct.values()
        for link in links_in_block(members, stories, published)
    }
    return sorted(links.values(), key=lambda link: (link.a, link.b))


def link_view(claim: Claim) -> Claim:
    """The claim with only what `judge_pair` and `block_keys` read (its first evidence span, site,
    type, date and items): the Spark job sends each claim to every block it is in."""
    where = site(claim)
    return replace(
        claim,
        summary="",
        evidence=claim.evidence[:1],
        locations=(where,) if where else (),
        actors=(),
        attributions=(),
    )


def links_in_block(
    claims: Sequence[Claim], stories: dict[str, str], published: dict[str, str | None]
) -> Iterator[Link]:
    """The links of one block that join claims not yet joined, as a spanning forest: each claim,
    in id order, is compared with the earlier members of each group formed so far, in id order,
    until one links it to that group. The groups are those of linking every pair, but a block of
    1,000 reports of one shelling takes about 1,000 judgements, not half a million."""
    ordered = sorted({c.claim_id: c for c in claims}.values(), key=lambda c: c.claim_id)
    groups: list[list[Claim]] = []
    for b in ordered:
        joined: list[int] = []
        for number, members in enumerate(groups):
            for a in members:
                link = judge_pair(a, b, stories, published) if _types_compatible(a.type, b.type) else None
                if link:
                    joined.append(number)
                    yield link
                    break
        merged = sorted([b, *(a for number in joined for a in groups[number])], key=lambda c: c.claim_id)
        groups = [g for number, g in enumerate(groups) if number not in joined]
        groups.append(merged)
        groups.sort(key=lambda g: g[0].claim_id)


def links_within(
    claims: Sequence[Claim], stories: dict[str, str], published: dict[str, str | None]
) -> Iterator[Link]:
    """Links among every pair of these claims, without blocking (what `link_claims` must equal)."""
    ordered = sorted({c.claim_id: c for c in claims}.values(), key=lambda c: c.claim_id)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            link = judge_pair(a, b, stories, published) if _types_compatible(a.type, b.type) else None
            if link:
                yield link


def judge_pair(a: Claim, b: Claim, stories: dict[str, str], published: dict[str, str | None]) -> Link | None:
    """The link between two claims (a's id before b's), with its reason, or None."""
    why = _why(a, b, stories) or _same_takeover(a, b, published)
    return Link(a.claim_id, b.claim_id, why) if why else None


# Blocking: a grid of cells (degrees) for sites within SAME_SITE_KM, and windows of days.
SAME_SITE_KM = 3.0
CELL_DEG = 0.1
WINDOW_DAYS = 8


def block_keys(claim: Claim, story: str, published: str | None) -> list[str]:
    """Keys under which a claim may meet a claim it could be linked to (see `_why` and
    `_same_takeover`): its story (copies and its own report); and for each key of its site, its
    type with the windows of days its date reaches (dates at most 3 days apart can be one event),
    or its publication's when undated, and each specific looted thing (those link at any date)."""
    keys = [f"story|{story}"]
    sites = site_keys(site(claim))
    if not sites:
        return keys
    times: list[str] = []
    reach = dt.timedelta(days=2)  # two dates 3 days apart both reach a common day
    date = linking_date(claim)
    if date.start:
        start = dt.date.fromisoformat(date.start)
        end = dt.date.fromisoformat(date.end or date.start)
        times = [f"{claim.type}|d{w}" for w in _windows(start - reach, end + reach)]
    elif published:
        try:
            day = dt.date.fromisoformat(published[:10])
        except ValueError:
            day = None
        if day is not None:
            times = [f"{claim.type}|u{w}" for w in _windows(day - reach, day + reach)]
    things = [f"item|{thing}" for thing in sorted(_items(claim))]
    return keys + [f"{s}|{t}" for s in sites for t in times + things]


def _windows(start: dt.date, end: dt.date) -> range:
    return range(start.toordinal() // WINDOW_DAYS, end.toordinal() // WINDOW_DAYS + 1)


def site_keys(loc: Location | None) -> list[str]:
    """Keys shared by any two sites `_same_site` can match: the same town, name or region, and
    the grid cells within SAME_SITE_KM of the point (two points that close share a cell)."""
    if loc is None:
        return []
    if loc.precision == "admin1":
        return [f"a1|{loc.country}|{loc.admin1}"]
    if loc.precision not in ("place", "admin2"):
        return []
    keys = [f"name|{loc.name}|{loc.country}"]
    if loc.geonameid is not None:
        keys.append(f"gid|{loc.geonameid}")
    if loc.lat is None or loc.lon is None:
        return keys
    margin_lat = SAME_SITE_KM / 110.5
    if abs(loc.lat) + margin_lat >= 85:
        return [*keys, "cell|polar"]
    margin_lon = SAME_SITE_KM / (111.32 * math.cos(math.radians(abs(loc.lat) + margin_lat)))
    rows = range(
        math.floor((loc.lat - margin_lat) / CELL_DEG), math.floor((loc.lat + margin_lat) / CELL_DEG) + 1
    )
    lon_lo, lon_hi = (
        math.floor((loc.lon - margin_lon) / CELL_DEG),
        math.floor((loc.lon + margin_lon) / CELL_DEG),
    )
    wrap = round(360 / CELL_DEG)
    return keys + [f"cell|{r}|{c % wrap}" for r in rows for c in range(lon_lo, lon_hi + 1)]


def _similar(a: str, b: str) -> float:
    """Word-set overlap of two sentences (copies of a wire story are lightly edited)."""
    wa, wb = set(_norm_text(a).split()), set(_norm_text(b).split())
    return len(wa & wb) / max(1, min(len(wa), len(wb)))


def _same_site(a: Location | None, b: Location | None) -> bool:
    """One named place: the same town, or the same region when both are only known by region."""
    if a is None or b is None:
        return False
    if a.precision in ("place", "admin2") and b.precision in ("place", "admin2"):
        return (
            (a.geonameid is not None and a.geonameid == b.geonameid)
            or (a.name == b.name and a.country == b.country)
            or _km(a, b) <= 3
        )
    if a.precision == b.precision == "admin1":
        return a.country == b.country and a.admin1 == b.admin1
    return False


_ANAPHORA = re.compile(
    r"\b(?:the|that|this) (?:attack|strike|strikes|shelling|blast|explosion|bombing|raid|assault|incident|looting|theft|killings?)\b",
    re.I,
)


def _refers_back(a: Claim, b: Claim) -> bool:
    """One of two sentences of a report points at the other's event: "the attack", or the same count."""
    first, second = sorted((a, b), key=lambda c: c.evidence[0].start)
    if _ANAPHORA.search(second.evidence[0].text):
        return True
    numbers = lambda c: set(re.findall(r"\b\d{2,}\b", c.evidence[0].text))  # noqa: E731
    return bool(numbers(first) & numbers(second))


def _why(a: Claim, b: Claim, stories: dict[str, str]) -> str | None:
    same_story = stories.get(a.report_id) == stories.get(b.report_id) and a.report_id != b.report_id
    if same_story and a.type == b.type and _similar(a.evidence[0].text, b.evidence[0].text) >= 0.6:
        return "the same sentence in copies of one story"
    sa, sb = site(a), site(b)
    da, db = linking_date(a), linking_date(b)
    dates = _dates_compatible(da, db)
    if a.report_id == b.report_id and not _refers_back(a, b):
        # Two sentences of one report name two events unless one refers back to the other
        # ("the attack", the same death toll): round-ups list several strikes on one city a day.
        return None
    if a.type == b.type and dates and _same_site(sa, sb):
        return f"same type at {sa.name if sa else '?'} on overlapping dates"
    if (
        a.report_id == b.report_id
        and a.type == b.type
        and _same_site(sa, sb)
        and sa is not None
        and sa.precision == "place"
        and (dates or not da.start or not db.start)
    ):
        return "one report restating one event at one place"
    shared = _items(a) & _items(b)
    if shared and _same_site(sa, sb) and _types_compatible(a.type, b.type) and _dates_near(da, db, days=31):
        return f"the same things ({', '.join(sorted(shared))}) taken at {sa.name if sa else '?'}"
    return None


# Days between the publication of two undated reports of one town changing hands.
TAKEOVER_DAYS = 3


def _same_takeover(a: Claim, b: Claim, published: dict[str, str | None]) -> str | None:
    """Control of a town changes rarely: two undated claims of it in reports published within a
    few days of each other tell one change ("commanders abandon positions in Kherson", "command
    has withdrawn across the river from Kherson")."""
    if (
        a.report_id == b.report_id
        or a.type != "territory_change"
        or b.type != "territory_change"
        or linking_date(a).start
        or linking_date(b).start
    ):
        return None
    sa, sb = site(a), site(b)
    if sa is None or sa.precision != "place" or not _same_site(sa, sb):
        return None
    da, db = published.get(a.report_id), published.get(b.report_id)
    if not da or not db:
        return None
    try:
        gap = abs((dt.date.fromisoformat(da) - dt.date.fromisoformat(db)).days)
    except ValueError:
        return None
    return (
        f"control of {sa.name} changing, told undated in reports {gap} day(s) apart"
        if gap <= TAKEOVER_DAYS
        else None
    )


def _items(claim: Claim) -> set[str]:
    """Specific looted things, singular and lower-case ("remains", "wolf", "painting")."""
    return {
        i.text.lower().rstrip("s")
        for i in claim.items
        if i.category not in (None, "vehicles", "money", "industrial") and len(i.text) > 3
    }


def _dates_near(a: DateInfo, b: DateInfo, days: int) -> bool:
    """Dates within `days` of each other, or one of them unknown."""
    if not a.start or not b.start:
        return True
    gap = abs((dt.date.fromisoformat(a.start) - dt.date.fromisoformat(b.start)).days)
    return gap <= days


def _partisan(source: str, kind: str) -> bool:
    if re.search(
        r"\b(?:u\.?s\.?|united states|american|british|u\.?k\.?|nato|pentagon|white house|un|united nations|amnesty|human rights watch|osce|iaea)\b",
        source,
        re.I,
    ):
        return False
    return bool(_PARTY.search(source)) or kind in ("military", "participant")


_GENERIC_SOURCES = {
    "authorities",
    "officials",
    "local authorities",
    "local officials",
    "sources",
    "reports",
    "media reports",
    "witnesses",
    "residents",
}
_GENERIC_WORDS = {
    "authorities",
    "officials",
    "official",
    "sources",
    "source",
    "reports",
    "media",
    "witnesses",
    "residents",
    "local",
    "regional",
    "city",
    "government",
    "military",
    "senior",
    "western",
    "state",
    "the",
    "ukrainian",
    "russian",
    "ukraine",
    "russia",
    "ukraine's",
    "russia's",
    "pro-russian",
    "separatist",
    "occupation",
    "kremlin",
    "defence",
    "defense",
}
_UKRAINIAN_SIDE = re.compile(
    r"\b(?:ukrain\w*|kyiv|kiev|zelensk\w*|yermak|tymoshenko|podolyak|sbu|state emergency service)\b",
    re.IGNORECASE,
)
_RUSSIAN_SIDE = re.compile(
    r"\b(?:russia\w*|moscow|kremlin|putin|peskov|lavrov|shoigu|konashenkov|separatist\w*|dpr|lpr|rt|tass|ria|sputnik|fsb|"
    r"russian-installed|russian-appointed|pro-russian|pro-moscow|occupation)\b",
    re.IGNORECASE,
)


def _generic(key: str) -> bool:
    """A source that names no one: "officials", "Ukrainian officials", "local authorities"."""
    words = key.split()
    return key in _GENERIC_SOURCES or (bool(words) and set(words) <= _GENERIC_WORDS)


def _side(source: str) -> str | None:
    """Which party to the war a source belongs to, when its words say so."""
    ukrainian, russian = bool(_UKRAINIAN_SIDE.search(source)), bool(_RUSSIAN_SIDE.search(source))
    return "UA" if ukrainian and not russian else "RU" if russian and not ukrainian else None


_TITLE_WORDS = {
    "ambassador",
    "president",
    "minister",
    "governor",
    "mayor",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "gen",
    "general",
    "gov",
    "mr",
    "mrs",
    "ms",
    "dr",
    "u",
    "s",
    "un",
    "chief",
    "head",
    "deputy",
    "regional",
    "city",
    "official",
    "officials",
}


def _merge_named(
    sources: dict[str, tuple[str, str, set[str], bool]],
) -> dict[str, tuple[str, str, set[str], bool]]:
    """One source under two names ("Thomas-Greenfield", "Ambassador Linda Thomas-Greenfield")
    counts once: a name whose distinctive words all occur in another's is the same source.
    Words compare by their romanisation skeleton: "Zelenskyy" and "Zelensky" are one man."""
    keys = sorted(sources, key=len, reverse=True)
    merged: dict[str, tuple[str, str, set[str], bool]] = {}
    spelt = {k: {skeleton(w) for w in set(k.split()) - _TITLE_WORDS} for k in keys}
    for k in keys:
        words = spelt[k]
        target = next((m for m in merged if words and words <= spelt[m] and not k.startswith("story:")), None)
        if target is None:
            merged[k] = sources[k]
        else:
            name, kind, rids, partisan = merged[target]
            merged[target] = (name, kind, rids | sources[k][2], partisan)
    return merged


_QUOTE = re.compile(r"[\"“”«]([^\"“”«»]{20,400})[\"“”»]")


def _quotations(claim: Claim, reports: dict[str, Report]) -> set[str]:
    """Quotations of six words or more in the paragraph of a claim's evidence, normalised."""
    report = reports.get(claim.report_id)
    if report is None or not claim.evidence:
        return set()
    text = report.text
    start = text.rfind("\n", 0, claim.evidence[0].start) + 1
    end = text.find("\n", claim.evidence[-1].end)
    paragraph = text[start : end if end >= 0 else len(text)]
    quotes = set()
    for match in _QUOTE.finditer(paragraph):
        words = re.findall(r"\w+", match.group(1).lower())
        if len(words) >= 6:
            quotes.add(" ".join(words))
    return quotes


def _merge_quoted(
    sources: dict[str, tuple[str, str, set[str], bool]], members: list[Claim], reports: dict[str, Report]
) -> tuple[dict[str, tuple[str, str, set[str], bool]], list[str]]:
    """Sources that carry the same quotation rest on one original statement ("officials said"
    in one outlet, "Zelenskyy said" in another, the same words quoted): they count once."""
    quotes: dict[str, set[str]] = defaultdict(set)
    for c in members:
        for attribution in c.attributions:
            said_by = source_key(attribution.source)
            for merged_key in sources:
                if said_by == merged_key or set(said_by.split()) <= set(merged_key.split()):
                    quotes[merged_key] |= _quotations(c, reports)
                    break
    keys = [k for k in sources if quotes.get(k)]
    reasons: list[str] = []
    merged = dict(sources)
    for i, first in enumerate(keys):
        for second in keys[i + 1 :]:
            if first not in merged or second not in merged:
                continue
            common = quotes[first] & quotes[second]
            if not common:
                continue
            keep, drop = (second, first) if _generic(first) and not _generic(second) else (first, second)
            name, kind, rids, partisan = merged[keep]
            merged[keep] = (name, kind, rids | merged.pop(drop)[2], partisan)
            quotes[keep] |= quotes[drop]
            reasons.append(
                f"sources {sources[first][0]!r} and {sources[second][0]!r} quote the same words: “{sorted(common)[0][:80]}”"
            )
    return merged, reasons


def build_incidents(
    claims: Sequence[Claim], reports: dict[str, Report], stories: dict[str, str]
) -> list[Incident]:
    """Incidents over all claims; ids are stable when an incident's members do not change."""
    links = link_claims(claims, stories, {rid: r.published for rid, r in reports.items()})
    by_id = {c.claim_id: c for c in claims}
    reasons = link_reasons(links)
    incidents = [
        incident_of([by_id[i] for i in members], reports, stories, reasons)
        for members in components(list(by_id), ((link.a, link.b) for link in links))
    ]
    incidents.sort(key=lambda i: (i.date.start or "9999", i.incident_id))
    return incidents


def link_reasons(links: Iterable[Link]) -> dict[str, list[str]]:
    """claim id -> the reasons of the links it starts, as incidents list them."""
    reasons: dict[str, list[str]] = defaultdict(list)
    for link in links:
        reasons[link.a].append(f"{link.a}~{link.b}: {link.why}")
    return reasons


def incident_of(
    members: list[Claim], reports: dict[str, Report], stories: dict[str, str], reasons: dict[str, list[str]]
) -> Incident:
    """The incident of one group of linked claims: its type, date, site, sources and grade.
    `reports` needs the members' reports (outlets, and text for shared quotations)."""
    members = sorted(members, key=lambda c: c.claim_id)
    counts: dict[str, int] = defaultdict(int)
    for c in members:
        counts[c.type] += 1
    kind = min(counts, key=lambda t: (-counts[t], t))
    dated = [linking_date(c) for c in members if linking_date(c).start]
    order = {"day": 0, "week": 1, "month": 2, "year": 3, "unknown": 4}
    date = min(dated, key=lambda d: (order[d.precision], d.start or "")) if dated else DateInfo()
    sites = [s for s in (site(c) for c in members) if s is not None]
    rank = {"place": 0, "admin2": 1, "admin1": 2, "region": 3, "country": 4}
    location = min(sites, key=lambda s: (rank[s.precision], -s.score)) if sites else None
    # Sources: a named source counts once however many outlets quote it; an unattributed
    # claim rests on its outlet, and copies of one story are one outlet's text.
    sources: dict[str, tuple[str, str, set[str], bool]] = {}
    named_any = any(c.attributions for c in members)
    for c in members:
        if not c.attributions and named_any:
            continue  # the outlet only repeats what a named source of this incident says
        if c.attributions:
            for a in c.attributions:
                key = source_key(a.role or a.source) if a.private else source_key(a.source)
                if a.private:
                    key = f"{key}@{stories.get(c.report_id, c.report_id)}"
                name = a.role if a.private and a.role else a.source
                entry = sources.setdefault(key, (name, a.kind, set(), _partisan(a.source, a.kind)))
                entry[2].add(c.report_id)
        else:
            story = stories.get(c.report_id, c.report_id)
            report = reports.get(c.report_id)
            outlet = (report.outlet if report else None) or "unattributed report"
            entry = sources.setdefault(f"story:{story}", (outlet, "media", set(), _partisan(outlet, "media")))
            entry[2].add(c.report_id)
    sources = _merge_named(sources)
    sources, shared = _merge_quoted(sources, members, reports)
    if len(sources) > 1:
        # "authorities said", "Ukrainian officials said": a nameless source cannot add
        # independence to a named one of its own side (or to any, when it names no side).
        named_sides = [_side(v[0]) for k, v in sources.items() if not _generic(k)]

        def adds_nothing(key: str) -> bool:
            side = _side(key)
            return _generic(key) and any(
                side is None or named is None or named == side for named in named_sides
            )

        sources = {k: v for k, v in sources.items() if not adds_nothing(k)} or sources
    refs = tuple(
        SourceRef(name, k, tuple(sorted(rids)))
        for name, k, rids, _ in sorted(sources.values(), key=lambda s: s[0])
    )
    independent = len(sources)
    partisan_only = bool(sources) and all(p for *_, p in sources.values())
    denied = sum(c.modality == "denied" for c in members)
    named = any(c.attributions for c in members)
    if denied and denied == len(members):
        grade = 5
    elif not named and independent <= 1:
        grade = 6
    elif independent >= 3 and not partisan_only:
        grade = 1
    elif independent >= 2 and not partisan_only:
        grade = 2
    elif independent >= 2 or not partisan_only:
        grade = 3
    else:
        grade = 4
    why = tuple(r for c in members for r in reasons.get(c.claim_id, [])) + tuple(shared)
    return Incident(
        incident_id=content_id("i", [c.claim_id for c in members]),
        type=kind,  # type: ignore[arg-type]
        claim_ids=tuple(c.claim_id for c in members),
        report_ids=tuple(sorted({c.report_id for c in members})),
        story_ids=tuple(sorted({stories.get(c.report_id, c.report_id) for c in members})),
        date=date,
        location=location,
        sources=refs,
        independent_source_count=independent,
        credibility_grade=grade,
        credibility_label=LABELS[grade],
        partisan_only=partisan_only,
        reasons=why,
    )


# -- regrouping after a review ------------------------------------------------------------
# Every rule of `_why` and `_same_takeover` links two claims of one story, or two claims at one
# site (`_same_site`) of compatible types whose dates are at most 31 days apart (shared looted
# things) plus the slack of a vague date, or undated. A claim index row keeps what these read,
# so that the claims a changed claim may now link to are found with a few indexed reads.
REACH_DAYS = 34
REACH_KM = SAME_SITE_KM + 0.5


def link_row(claim: Claim, story: str, incident_id: str) -> dict[str, object]:
    """The claim index row of a claim (as analysts left it) in its incident."""
    where = site(claim)
    date = linking_date(claim)
    precise = where is not None and where.precision in ("place", "admin2", "admin1")
    return {
        "claim_id": claim.claim_id,
        "incident_id": incident_id,
        "story_id": story,
        "type": claim.type,
        "date_start": date.start,
        "date_end": date.end or date.start,
        "site_precision": where.precision if where is not None and precise else None,
        "site_name": where.name if where is not None and precise else None,
        "site_country": where.country if where is not None and precise else None,
        "site_admin1": where.admin1 if where is not None and precise else None,
        "site_gid": where.geonameid if where is not None and precise else None,
        "lat": where.lat if where is not None and precise else None,
        "lon": where.lon if where is not None and precise else None,
    }


@dataclass(frozen=True)
class Reach:
    """Which index rows a claim may link to: its story's; and at its site (by id, name, region or
    within REACH_KM), those of the types and dates a rule can join to it. `dates` is "near"
    (dated within `date_range`), "near-or-undated", "undated", or "any"."""

    story: str
    types: tuple[str, ...]
    precision: str | None
    name: str | None
    country: str | None
    admin1: str | None
    gid: int | None
    lat_range: tuple[float, float] | None
    lon_range: tuple[float, float] | None  # None: any longitude (near a pole or the date line)
    dates: str
    date_range: tuple[str, str] | None


def compatible_types(claim_type: str) -> tuple[str, ...]:
    """The types a claim of this type can be linked with (`_types_compatible`)."""
    return tuple(sorted({claim_type}.union(*(f for f in FAMILIES if claim_type in f))))


def reach_of(claim: Claim, story: str) -> Reach:
    """The reach of a claim (as analysts left it) in its story. Beside its story, a claim links
    only at one site (`_same_site`): to a claim of its own type dated within the slack of vague
    dates (`_dates_compatible`); when it names looted things, to one of a compatible type dated
    within 31 days or undated (`_why`); an undated change of control, to another undated one
    (`_same_takeover`). A claim with no site of its own reaches only its story."""
    where = site(claim)
    date = linking_date(claim)
    things = bool(_items(claim))
    precise = where is not None and where.precision in ("place", "admin2", "admin1")
    if where is None or not precise or not (things or date.start or claim.type == "territory_change"):
        return Reach(story, (), None, None, None, None, None, None, None, "any", None)
    lat_range = lon_range = None
    if where.precision != "admin1" and where.lat is not None and where.lon is not None:
        margin = REACH_KM / 110.5
        lat_range = (where.lat - margin, where.lat + margin)
        if abs(where.lat) + margin < 85:
            spread = REACH_KM / (111.32 * math.cos(math.radians(abs(where.lat) + margin)))
            if where.lon - spread > -180 and where.lon + spread < 180:
                lon_range = (where.lon - spread, where.lon + spread)
    date_range = None
    if date.start:
        slack = dt.timedelta(days=REACH_DAYS if things else max(DATE_SLACK_DAYS.values()))
        date_range = (
            (dt.date.fromisoformat(date.start) - slack).isoformat(),
            (dt.date.fromisoformat(date.end or date.start) + slack).isoformat(),
        )
    if things:
        types, dates = compatible_types(claim.type), "near-or-undated" if date.start else "any"
    elif date.start:
        types, dates = (claim.type,), "near"
    else:
        types, dates = ("territory_change",), "undated"
    return Reach(
        story,
        types,
        where.precision,
        where.name,
        where.country,
        where.admin1,
        where.geonameid,
        lat_range,
        lon_range,
        dates,
        date_range,
    )
