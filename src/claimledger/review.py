"""Review: analysts' confirmations, rejections and corrections, applied over the machine's claims.

A review never rewrites the machine's claim: it is a record of its own that points at it, and
this stage computes what readers and exports see. The latest review decides.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, get_args

from claimledger.errors import UsageError
from claimledger.model import Attribution, Claim, ClaimType, DateInfo, Location

ACTIONS = ("confirm", "reject", "correct")
CORRECTABLE = ("type", "place", "date", "attribution")
CLAIM_TYPES: tuple[str, ...] = get_args(ClaimType)


def check_review(action: str, changes: dict[str, Any]) -> dict[str, Any]:
    """The review's changes, validated: what may be corrected and in which shape."""
    if action not in ACTIONS:
        raise UsageError(f"a review is one of {', '.join(ACTIONS)}, not {action!r}")
    if action != "correct":
        return {}
    unknown = set(changes) - set(CORRECTABLE)
    if unknown or not changes:
        raise UsageError(
            f"a correction changes some of {', '.join(CORRECTABLE)}; got {sorted(changes) or 'nothing'}"
        )
    clean: dict[str, Any] = {}
    if "type" in changes:
        if changes["type"] not in CLAIM_TYPES:
            raise UsageError(f"unknown claim type {changes['type']!r}")
        clean["type"] = changes["type"]
    if "place" in changes:
        clean["place"] = corrected_place(changes["place"])
    if "date" in changes:
        date = changes["date"]
        start = date.get("start") if isinstance(date, dict) else date
        end = date.get("end", start) if isinstance(date, dict) else date
        import datetime as dt

        try:
            first, last = dt.date.fromisoformat(str(start)), dt.date.fromisoformat(str(end))
        except ValueError as exc:
            raise UsageError(f"a corrected date is YYYY-MM-DD: {exc}") from exc
        if last < first:
            raise UsageError("a corrected date range ends before it starts")
        clean["date"] = {
            "start": first.isoformat(),
            "end": last.isoformat(),
            "precision": "day" if first == last else "week",
        }
    if "attribution" in changes:
        source = (
            changes["attribution"].get("source")
            if isinstance(changes["attribution"], dict)
            else changes["attribution"]
        )
        if not source or not str(source).strip():
            raise UsageError("a corrected attribution names a source")
        kind = changes["attribution"].get("kind") if isinstance(changes["attribution"], dict) else None
        clean["attribution"] = {
            "source": str(source).strip()[:200],
            "kind": kind if kind in SOURCE_KINDS else "unknown",
        }
    return clean


# The contract's kinds of source (claim.json, attributions.kind): a corrected attribution is one.
SOURCE_KINDS = (
    "government",
    "military",
    "official",
    "media",
    "ngo",
    "witness",
    "participant",
    "expert",
    "unknown",
)


PLACE_FIELDS = ("name",)


def corrected_place(place: Any) -> dict[str, Any]:
    """A corrected place as the gazetteer reads its name, as the pipeline's geo stage reads a
    place in a report. The request names the place ("Bucha" or {"name": "Bucha"}); it cannot
    set coordinates, so a correction never puts a claim where the gazetteer knows no place."""
    if isinstance(place, dict):
        given = set(place) - set(PLACE_FIELDS)
        if given:
            raise UsageError(
                f"a corrected place is a name the gazetteer reads, not {', '.join(sorted(given))}: "
                'send {"place": "Bucha"} and its coordinates come from the gazetteer'
            )
        place = place.get("name")
    if not isinstance(place, str) or not place.strip():
        raise UsageError("a corrected place is a place name")
    return geocode(place.strip()[:200])


def geocode(name: str) -> dict[str, Any]:
    """The gazetteer's best reading of a place name, or UsageError when it knows none."""
    from claimledger.geo import locate_string

    found = [loc for loc in locate_string(name) if loc.lat is not None and loc.lon is not None]
    if not found:
        raise UsageError(
            f"no place called {name!r} in the gazetteer; name a town, region or country it knows"
        )
    top = found[0]
    return {
        "name": top.name,
        "lat": top.lat,
        "lon": top.lon,
        "country": top.country,
        "admin1": top.admin1,
        "precision": top.precision,
        "geonameid": top.geonameid,
    }


@dataclass(frozen=True)
class ReviewState:
    """What the reviews of one claim leave: the claim as readers and exports see it (None when
    rejected), its status, who reviewed it last and when, and which fields analysts corrected."""

    claim: Claim | None
    status: str = "unreviewed"
    reviewer: str | None = None
    at: str | None = None
    corrected: tuple[str, ...] = ()

    def record(self) -> dict[str, Any] | None:
        """The `review` object of the claims export (None for a claim nobody reviewed)."""
        if self.status == "unreviewed":
            return None
        return {
            "status": self.status,
            "reviewer": self.reviewer,
            "at": self.at,
            "corrected": list(self.corrected),
        }


def review_state(claim: Claim, reviews: list[dict[str, Any]]) -> ReviewState:
    """The claim after its reviews, oldest first. The latest review decides the status; a
    rejection drops the claim, and a confirmation after it brings back the machine's claim;
    corrections accumulate, the latest value of a field winning."""
    status = "unreviewed"
    current: Claim | None = claim
    corrected: list[str] = []
    reviewer: str | None = None
    at: str | None = None
    for review in reviews:
        action = review["action"]
        reviewer, at = review.get("user"), review.get("at")
        if action == "reject":
            current, status, corrected = None, "rejected", []
        elif action == "confirm":
            current, status = (current or claim), "confirmed"
        elif action == "correct":
            if current is None:
                corrected = []
            current, status = _corrected(current or claim, review["changes"]), "corrected"
            corrected += [f for f in CORRECTABLE if f in review["changes"] and f not in corrected]
    return ReviewState(current, status, reviewer, at, tuple(f for f in CORRECTABLE if f in corrected))


def apply_reviews(claim: Claim, reviews: list[dict[str, Any]]) -> tuple[Claim | None, str]:
    """The claim as reviewed, and its review status (unreviewed|confirmed|rejected|corrected).
    A rejected claim is None; corrections accumulate, the latest value of a field winning."""
    state = review_state(claim, reviews)
    return state.claim, state.status


def _corrected(claim: Claim, changes: dict[str, Any]) -> Claim:
    if "type" in changes:
        claim = replace(claim, type=changes["type"])
    if "place" in changes:
        place = changes["place"]
        site = Location(
            name=place["name"],
            country=place.get("country") or "",
            lat=place["lat"],
            lon=place["lon"],
            precision=place.get("precision") or "place",
            geonameid=place.get("geonameid"),
            admin1=place.get("admin1"),
            role="site",
            text=None,
            start=None,
            end=None,
        )
        claim = replace(
            claim,
            locations=(
                site,
                *(loc.with_role("other") for loc in claim.locations if loc.role == "site"),
                *(loc for loc in claim.locations if loc.role != "site"),
            ),
        )
    if "date" in changes:
        date = changes["date"]
        claim = replace(claim, date=DateInfo(date["start"], date["end"], date["precision"], claim.date.text))
    if "attribution" in changes:
        kind = changes["attribution"].get("kind")
        claim = replace(
            claim,
            attributions=(
                Attribution(
                    changes["attribution"]["source"], kind if kind in SOURCE_KINDS else "unknown", "unknown"
                ),
            ),
        )
    return replace(claim, summary=restated(claim), confidence=1.0)


def restated(claim: Claim) -> str:
    """The claim's summary told again from its (corrected) type, place, date and source, as
    extraction writes one: a corrected claim must not read as the machine's."""
    from claimledger.extract.fields import summary
    from claimledger.extract.lexicon import load_lexicon

    spec = load_lexicon().types[claim.type]
    sites = sorted(claim.locations, key=lambda loc: loc.role != "site")
    attribution = claim.attributions[0] if claim.attributions else None
    return summary(spec, claim.evidence[0], sites, claim.date, attribution)
