"""Export: records as the public contract's JSON Lines, ACLED-style CSV and GeoJSON.

Functions here turn records into plain dicts and rows; writing files is the caller's job.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from claimledger.errors import IntegrityError
from claimledger.extract import acled_of
from claimledger.model import Claim, Incident, Location, Report
from claimledger.privacy import NO_REDACTION, Redaction, redact, redaction_for, redaction_of

ACLED_COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]
# ACLED geo_precision: 1 = the place itself, 2 = near it / a part of a region, 3 = a larger region.
GEO_PRECISION = {"place": 1, "admin2": 2, "admin1": 3, "region": 3, "country": 3}
# ACLED time_precision: 1 = day, 2 = week or a few days, 3 = month or vaguer.
TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3, "unknown": 3}
DISORDER = {
    "Battles": "Political violence",
    "Violence against civilians": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}


def report_record(report: Report, story_id: str, ingested_at: str) -> dict[str, Any]:
    return {
        "report_id": report.report_id,
        "sha256": report.sha256,
        "origin": {"path": report.path, "url": report.url},
        "outlet": report.outlet,
        "title": report.title,
        "published": report.published,
        "language": report.language,
        "text": report.text,
        "boilerplate": [{"start": s, "end": e} for s, e in report.boilerplate],
        "story_id": story_id,
        "ingested_at": ingested_at,
    }


def location_record(location: Location | None) -> dict[str, Any] | None:
    return None if location is None else location.export()


def claim_record(
    claim: Claim, redaction: Redaction | None, review: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The claim in the export shape, redacted with its report's set (and its own private names);
    `None` keeps every name (`--include-private-names`). `review` (status, reviewer, time, the
    fields corrected) is added for a claim an analyst reviewed."""
    record = _claim_fields(claim)
    if redaction is not None:
        record = redact(record, redaction.merged(redaction_of([claim])))
    if review is not None:
        record["review"] = review
    return record


def _claim_fields(claim: Claim) -> dict[str, Any]:
    return {
        "claim_id": claim.claim_id,
        "report_id": claim.report_id,
        "type": claim.type,
        "acled": acled_of(claim.type),
        "summary": claim.summary,
        "evidence": [{"start": e.start, "end": e.end, "text": e.text} for e in claim.evidence],
        "date": {
            "start": claim.date.start,
            "end": claim.date.end,
            "precision": claim.date.precision,
            "text": claim.date.text,
        },
        "locations": [loc.export() for loc in claim.locations],
        "actors": [{"text": a.text, "role": a.role} for a in claim.actors],
        "items": [{"text": i.text, "category": i.category} for i in claim.items],
        "attributions": [
            {"source": a.source, "kind": a.kind, "channel": a.channel, "start": a.start, "end": a.end}
            for a in claim.attributions
        ],
        "modality": claim.modality,
        "confidence": claim.confidence,
    }


def incident_record(incident: Incident, redaction: Redaction | None) -> dict[str, Any]:
    """The incident in the export shape, redacted with the union of its reports' sets (`None`
    keeps every name)."""
    record = _incident_fields(incident)
    return record if redaction is None else redact(record, redaction)


def claim_redaction(claim: Claim, redactions: Mapping[str, Redaction] | None) -> Redaction | None:
    """The redaction set of a claim: its report's (`None` keeps names)."""
    return None if redactions is None else redactions.get(claim.report_id, NO_REDACTION)


def incident_redaction(incident: Incident, redactions: Mapping[str, Redaction] | None) -> Redaction | None:
    """The redaction set of an incident: the union of its reports' sets (`None` keeps names)."""
    return None if redactions is None else redaction_for(incident.report_ids, redactions)


def _incident_fields(incident: Incident) -> dict[str, Any]:
    return {
        "incident_id": incident.incident_id,
        "type": incident.type,
        "claim_ids": list(incident.claim_ids),
        "report_ids": list(incident.report_ids),
        "story_ids": list(incident.story_ids),
        "date": {
            "start": incident.date.start,
            "end": incident.date.end,
            "precision": incident.date.precision,
            "text": incident.date.text,
        },
        "location": location_record(incident.location),
        "sources": [
            {"source": s.source, "kind": s.kind, "report_ids": list(s.report_ids)} for s in incident.sources
        ],
        "independent_source_count": incident.independent_source_count,
        "credibility": {"grade": incident.credibility_grade, "label": incident.credibility_label},
        "partisan_only": incident.partisan_only,
    }


def jsonl(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    for record in records:
        yield json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n"


def acled_rows(
    incidents: Iterable[Incident],
    claims: dict[str, Claim],
    reports: dict[str, Report],
    redactions: Mapping[str, Redaction] | None,
) -> Iterator[dict[str, Any]]:
    """One ACLED-style row per incident, coded after ACLED's codebook (see `claimledger.acled`),
    redacted with the union of its reports' sets (`None` keeps every name).

    Left out: casualty reports (no ACLED type) and incidents whose every claim is denied or
    hypothetical (ACLED does not code an event a party denies or one only supposed); a denied
    or hypothetical claim of an incident that is also asserted gives none of the row's values."""
    from claimledger import acled as coding

    for incident in incidents:
        acled = acled_of(incident.type)
        if acled is None:
            continue
        members = [
            claims[c]
            for c in incident.claim_ids
            if c in claims and claims[c].modality not in coding.NOT_CODED
        ]
        if not members:
            continue
        loc = incident.location
        country = loc.country if loc else None
        known = coding.countries().get(country or "")
        sources = [reports[r] for r in incident.report_ids if r in reports]
        event_date, precision = _acled_date(incident, members, sources)
        texts = {r.report_id: r.text for r in sources}
        sides = coding.sides(members, acled["event_type"], incident.type, country, texts)
        inter1 = coding.inter_code(sides.actor1, country)
        inter2 = coding.inter_code(sides.actor2, country) if sides.actor2 else (0 if inter1 else None)
        counts = [n for c in members for e in c.evidence if (n := coding.killed_count(e.text)) is not None]
        # ACLED: non-violent events have no fatalities; when reports differ, the lowest count.
        fatalities = min(counts) if counts and acled["event_type"] in coding.VIOLENT else 0
        redaction = incident_redaction(incident, redactions)
        row = {
            "event_id_cnty": f"{(loc.country if loc and loc.country else 'XX')}{incident.incident_id[-8:].upper()}",
            "event_date": event_date,
            "year": event_date[:4],
            "time_precision": precision,
            "disorder_type": DISORDER.get(acled["event_type"], ""),
            "event_type": acled["event_type"],
            "sub_event_type": acled["sub_event_type"],
            "actor1": sides.actor1.name if sides.actor1 else "",
            "assoc_actor_1": "",
            "inter1": "" if inter1 is None else inter1,
            "actor2": sides.actor2.name if sides.actor2 else "",
            "assoc_actor_2": "",
            "inter2": "" if inter2 is None else inter2,
            "interaction": coding.interaction(inter1, inter2) or "",
            "civilian_targeting": "Civilian targeting"
            if incident.type in ("attack_on_civilians", "abduction", "sexual_violence")
            else "",
            "iso": known.iso if known else "",
            "region": known.region if known else "",
            "country": coding.country_name(country),
            "admin1": (loc.admin1 or "") if loc else "",
            "admin2": "",
            "admin3": "",
            "location": loc.name if loc else "",
            "latitude": loc.lat if loc and loc.lat is not None else "",
            "longitude": loc.lon if loc and loc.lon is not None else "",
            "geo_precision": GEO_PRECISION[loc.precision] if loc else "",
            "source": "; ".join(s.source for s in incident.sources[:5]),
            "source_scale": coding.source_scale(sources, country),
            "notes": members[0].summary,
            "fatalities": fatalities,
            "tags": f"claimledger credibility={incident.credibility_grade} independent_sources={incident.independent_source_count}",
            "timestamp": "",
        }
        yield (
            row if redaction is None else redact(row, redaction.merged(*(redaction_of([c]) for c in members)))
        )


def _acled_date(incident: Incident, members: list[Claim], sources: list[Report]) -> tuple[str, int | str]:
    """The event date and ACLED time precision: the incident's date as its text gives it, else a
    claim's date read from its text, else the date the event was reported by (the claim's or
    the earliest report's publication date), with precision 3 (ACLED: within a month)."""
    if incident.date.start:
        return incident.date.start, TIME_PRECISION[incident.date.precision]
    told = sorted(
        (c.date for c in members if c.date.start and c.date.basis != "report"), key=lambda d: d.start or ""
    )
    if told:
        return told[0].start or "", TIME_PRECISION[told[0].precision]
    reported = sorted(
        [c.date.start for c in members if c.date.start] + [r.published for r in sources if r.published]
    )
    return (reported[0], 3) if reported else ("", "")


def acled_csv(rows: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=ACLED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def geojson(incidents: Iterable[Incident], redactions: Mapping[str, Redaction] | None) -> dict[str, Any]:
    """A FeatureCollection of incidents that have a point, each redacted like its incident record."""
    features = []
    for incident in incidents:
        loc = incident.location
        if loc is None or loc.lat is None or loc.lon is None:
            continue
        record = incident_record(incident, incident_redaction(incident, redactions))
        properties = {k: v for k, v in record.items() if k != "location"}
        properties["place"] = loc.name
        properties["precision"] = loc.precision
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [loc.lon, loc.lat]},
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def check_spans(claims: Iterable[Claim], texts: dict[str, str]) -> int:
    """Check that every span of every claim covers exactly its text in its report: the promise
    that lets a reader find each field in the original. Returns the number of spans checked."""
    checked = 0
    for claim in claims:
        text = texts.get(claim.report_id)
        if text is None:
            raise IntegrityError(f"claim {claim.claim_id}: its report {claim.report_id} is not in the ledger")
        spans: list[tuple[int | None, int | None, str | None, str]] = [
            (e.start, e.end, e.text, "evidence") for e in claim.evidence
        ]
        spans += [
            (loc.start, loc.end, loc.text, "location") for loc in claim.locations if loc.start is not None
        ]
        spans += [(a.start, a.end, a.text, "actor") for a in claim.actors if a.start is not None]
        for start, end, covered, field_name in spans:
            if (
                start is None
                or end is None
                or not (0 <= start <= end <= len(text))
                or text[start:end] != covered
            ):
                raise IntegrityError(
                    f"claim {claim.claim_id}: {field_name} span {start}-{end} does not cover {covered!r} in report {claim.report_id}"
                )
            checked += 1
    return checked


BUNDLE_FORMAT = "claimledger-bundle/1"


@dataclass(frozen=True)
class BundleContent:
    """What goes into an evidence bundle: chosen records, their originals and audit entries."""

    incidents: list[Incident]
    claims: list[Claim]
    reports: list[tuple[Report, str, str]]  # report, story id, ingested at
    originals: dict[str, bytes]
    audit: list[dict[str, Any]]
    audit_head: str
    selection: dict[str, Any]
    created_at: str
    version: str
    include_private_names: bool = False
    stored: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Each report's redaction set, from all of its claims (not only those the bundle holds).
    redactions: dict[str, Redaction] = field(default_factory=dict)


def bundle_zip(content: BundleContent) -> bytes:
    """A ZIP of the bundle: originals under their SHA-256, the records as JSON Lines, the audit
    entries that concern them, a manifest and SHA256SUMS, and a standard-library script that
    checks it all offline (`python3 verify_bundle.py`)."""
    from importlib.resources import files

    def lines(records: Iterable[dict[str, Any]]) -> bytes:
        return "".join(jsonl(records)).encode("utf-8")

    members: dict[str, bytes] = {f"originals/{sha}": data for sha, data in sorted(content.originals.items())}
    members["reports.jsonl"] = lines(report_record(r, story, at) for r, story, at in content.reports)
    redactions = None if content.include_private_names else content.redactions
    members["claims.jsonl"] = lines(claim_record(c, claim_redaction(c, redactions)) for c in content.claims)
    members["incidents.jsonl"] = lines(
        incident_record(i, incident_redaction(i, redactions)) for i in content.incidents
    )
    members["audit.jsonl"] = lines(content.audit)
    for name, records in sorted(content.stored.items()):
        members[f"stored/{name}.jsonl"] = lines(records)
    members["verify_bundle.py"] = files("claimledger").joinpath("verify_bundle.py").read_bytes()
    manifest = {
        "format": BUNDLE_FORMAT,
        "created_at": content.created_at,
        "claimledger_version": content.version,
        "selection": content.selection,
        "private_names": content.include_private_names,
        "counts": {
            "incidents": len(content.incidents),
            "claims": len(content.claims),
            "reports": len(content.reports),
            "originals": len(content.originals),
            "audit_entries": len(content.audit),
        },
        "audit_head": content.audit_head,
        "files": [
            {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in sorted(members.items())
        ],
    }
    members["MANIFEST.json"] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    members["SHA256SUMS"] = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(members.items())
    ).encode("utf-8")
    buffer = io.BytesIO()
    # A fixed timestamp keeps the archive's bytes a function of its content.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(members.items()):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
