"""Typed records that flow one way through the pipeline.

Every record is an immutable value; identifiers derive from content so re-running any stage
gives the same identifiers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ClaimType = Literal[
    "looting",
    "vehicle_theft",
    "property_destruction",
    "loot_trade",
    "attack_on_civilians",
    "abduction",
    "sexual_violence",
    "shelling",
    "air_strike",
    "explosive_device",
    "mine_laying",
    "armed_clash",
    "territory_change",
    "troop_movement",
    "desertion",
    "surrender_capture",
    "arrest",
    "displacement",
    "protest",
    "casualty_report",
]
Precision = Literal["place", "admin2", "admin1", "country", "region"]
DatePrecision = Literal["day", "week", "month", "year", "unknown"]
Modality = Literal["asserted", "alleged", "denied", "possible", "hypothetical"]


def sha256_hex(data: bytes) -> str:
    """SHA-256 of bytes as lower-case hex: the identity of an original."""
    return hashlib.sha256(data).hexdigest()


def content_id(prefix: str, *parts: Any) -> str:
    """A short stable identifier from the JSON of some content."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    return f"{prefix}{hashlib.sha256(blob).hexdigest()[:20]}"


@dataclass(frozen=True)
class Span:
    """A half-open character range of a report's text, with the text it covers."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class RawDocument:
    """One input as received: its original bytes and whatever metadata came with it."""

    original: bytes
    kind: Literal["text", "html", "jsonl", "warc", "telegram"]
    path: str | None = None
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    published: str | None = None
    language: str | None = None
    # For a .jsonl line or WARC record: the text or html the line carried.
    text: str | None = None
    html: str | None = None
    # Files that came with it (a Telegram message's photo): name in the export -> bytes.
    media: tuple[tuple[str, bytes], ...] = ()

    @property
    def sha256(self) -> str:
        return sha256_hex(self.original)


@dataclass(frozen=True)
class Report:
    """One ingested document with its derived working text."""

    report_id: str
    sha256: str
    path: str | None
    url: str | None
    outlet: str | None
    title: str | None
    published: str | None
    language: str | None
    text: str
    kind: str = "text"
    boilerplate: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class DateInfo:
    start: str | None = None
    end: str | None = None
    precision: DatePrecision = "unknown"
    text: str | None = None
    # "text": read from an expression of the report (or set by an analyst); "report": the text
    # gives none, so the event is dated by the report itself (it happened by then).
    basis: str = "text"


@dataclass(frozen=True)
class Location:
    name: str
    country: str | None
    lat: float | None
    lon: float | None
    precision: Precision
    text: str | None = None
    start: int | None = None
    end: int | None = None
    geonameid: int | None = None
    admin1: str | None = None
    role: Literal["site", "origin", "destination", "other"] = "site"
    score: float = 0.0

    def __post_init__(self) -> None:
        # A sea, an ocean or a region astride borders is in no country: its code is None (the
        # contract's ISO 3166 alpha-2 or null), never "" (ledgers written before this say "").
        if not self.country:
            object.__setattr__(self, "country", None)

    def with_role(self, role: Literal["site", "origin", "destination", "other"]) -> Location:
        return Location(**{**asdict(self), "role": role})

    def export(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("score")
        return data


@dataclass(frozen=True)
class Actor:
    text: str
    role: Literal["perpetrator", "victim", "witness", "other"]
    private: bool = False
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Item:
    text: str
    category: str | None


@dataclass(frozen=True)
class Attribution:
    source: str
    kind: str
    channel: str
    start: int | None = None
    end: int | None = None
    private: bool = False
    # The role a private speaker is replaced by in exports ("a resident").
    role: str | None = None


@dataclass(frozen=True)
class Claim:
    claim_id: str
    report_id: str
    type: ClaimType
    summary: str
    evidence: tuple[Span, ...]
    date: DateInfo
    locations: tuple[Location, ...] = ()
    actors: tuple[Actor, ...] = ()
    items: tuple[Item, ...] = ()
    attributions: tuple[Attribution, ...] = ()
    modality: Modality = "asserted"
    confidence: float = 0.5


@dataclass(frozen=True)
class SourceRef:
    source: str
    kind: str
    report_ids: tuple[str, ...]


@dataclass(frozen=True)
class Incident:
    incident_id: str
    type: ClaimType
    claim_ids: tuple[str, ...]
    report_ids: tuple[str, ...]
    story_ids: tuple[str, ...]
    date: DateInfo
    location: Location | None
    sources: tuple[SourceRef, ...]
    independent_source_count: int
    credibility_grade: int
    credibility_label: str
    partisan_only: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)
