"""Read the output of a Spark job (`claimledger spark run`) back as records for a ledger."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimledger.errors import BadInput, UsageError
from claimledger.model import Claim, Incident, RawDocument, Report
from claimledger.store import claim_from_json, incident_from_json


@dataclass(frozen=True)
class JobRecord:
    """One report of a job: its original, its report, its claims (None: extraction failed) and story."""

    raw: RawDocument
    report: Report
    claims: list[Claim] | None
    story_id: str


def _dataset(path: Path) -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise UsageError("reading Spark output needs pyarrow: pip install 'claimledger[spark]'") from exc
    if not path.is_dir():
        raise UsageError(f"{path} is not the output of `claimledger spark run` (no {path.name}/ folder)")
    return pq.ParquetDataset(str(path))


def job_summary(directory: Path) -> dict[str, Any]:
    try:
        return dict(json.loads((directory / "SUMMARY.json").read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{directory} is not the output of `claimledger spark run`: {exc}") from exc


def job_records(directory: Path) -> Iterator[JobRecord]:
    """The job's reports in input order (the job writes them sorted by file and record)."""
    dataset = _dataset(directory / "ledger" / "reports")
    for fragment in sorted(dataset.fragments, key=lambda f: f.path):
        for batch in fragment.to_batches():
            for row in batch.to_pylist():
                name = f"{directory}: report {row.get('report_id')}"
                try:
                    fields = json.loads(row["report"])
                    report = Report(
                        **{**fields, "boilerplate": tuple((int(s), int(e)) for s, e in fields["boilerplate"])}
                    )
                    claims = (
                        None
                        if row["claims"] is None
                        else [claim_from_json(c) for c in json.loads(row["claims"])]
                    )
                except (KeyError, TypeError, ValueError) as exc:
                    raise BadInput(name, f"unreadable job record: {exc}") from exc
                raw = RawDocument(
                    bytes(row["original"]),
                    row["kind"],
                    report.path,
                    report.url,
                    report.outlet,
                    report.title,
                    report.published,
                    report.language,
                )
                if raw.sha256 != report.sha256:
                    raise BadInput(name, "the original's SHA-256 does not match the report's")
                yield JobRecord(raw, report, claims, row["story_id"])


def job_incidents(directory: Path) -> list[Incident]:
    dataset = _dataset(directory / "ledger" / "incidents")
    return [
        incident_from_json(json.loads(data))
        for data in dataset.read(columns=["data"]).column("data").to_pylist()
    ]
