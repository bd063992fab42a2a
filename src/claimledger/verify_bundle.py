"""Check a claimledger evidence bundle offline, with the Python standard library only.

Usage:
  python3 verify_bundle.py                 # inside an unpacked bundle
  python3 verify_bundle.py bundle.zip      # or a bundle still zipped, or its folder

It checks that:
  1. every file is listed in SHA256SUMS and MANIFEST.json with the hash of its bytes;
  2. every original under originals/ hashes to its own file name (its SHA-256);
  3. every audit entry's hash is the SHA-256 of [prev_hash, at, action, detail] as canonical
     JSON, and entries with consecutive sequence numbers are chained;
  4. every report has its original and an ingest entry naming that original's hash;
  5. with stored/ records (bundles made with --include-private-names), each report's and each
     report's claims' digest equals the one its ingest and extract entries recorded;
  6. every evidence and location span of every claim covers exactly its text in its report.

Exit status 0 when everything holds, 1 otherwise; each problem is printed on its own line.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from pathlib import Path


def _digest(value: object) -> str:
    blob = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def _entry_hash(entry: dict) -> str:
    blob = json.dumps(
        [entry["prev_hash"], entry["at"], entry["action"], entry["detail"]],
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _read(source: Path) -> dict[str, bytes]:
    if source.is_dir():
        return {
            str(p.relative_to(source)).replace("\\", "/"): p.read_bytes()
            for p in sorted(source.rglob("*"))
            if p.is_file()
        }
    with zipfile.ZipFile(source) as archive:
        return {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}


class Unreadable(Exception):
    """A member that is not the JSON it should be."""


def _jsonl(data: bytes, name: str) -> list[dict]:
    try:
        return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]
    except (UnicodeDecodeError, ValueError) as exc:
        raise Unreadable(f"{name}: not valid JSON Lines ({exc})") from exc


def check(members: dict[str, bytes]) -> list[str]:
    """Every problem found in the bundle's members (file name -> bytes)."""
    problems: list[str] = []
    try:
        _check(members, problems)
    except (Unreadable, KeyError, TypeError) as exc:
        problems.append(str(exc) if isinstance(exc, Unreadable) else f"malformed record: {exc!r}")
    return problems


def _check(members: dict[str, bytes], problems: list[str]) -> None:
    sums = members.get("SHA256SUMS")
    if sums is None:
        problems.append("SHA256SUMS is missing")
        return
    listed: dict[str, str] = {}
    for line in sums.decode("utf-8").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    for name, data in members.items():
        if name in ("SHA256SUMS",) or name.startswith("__pycache__/"):
            continue
        if name not in listed:
            problems.append(f"{name}: not listed in SHA256SUMS")
        elif hashlib.sha256(data).hexdigest() != listed[name]:
            problems.append(f"{name}: bytes do not match SHA256SUMS")
    for name in listed:
        if name not in members:
            problems.append(f"{name}: listed in SHA256SUMS but missing")
    try:
        manifest = json.loads(members.get("MANIFEST.json", b"{}"))
    except ValueError as exc:
        raise Unreadable(f"MANIFEST.json: not valid JSON ({exc})") from exc
    for item in manifest.get("files", []):
        listed_data = members.get(item["path"])
        if listed_data is None or hashlib.sha256(listed_data).hexdigest() != item["sha256"]:
            problems.append(f"{item['path']}: does not match MANIFEST.json")
    originals = {
        name.split("/", 1)[1]: data for name, data in members.items() if name.startswith("originals/")
    }
    for sha, data in originals.items():
        if hashlib.sha256(data).hexdigest() != sha:
            problems.append(f"original {sha}: bytes do not match their SHA-256")
    audit = _jsonl(members.get("audit.jsonl", b""), "audit.jsonl")
    previous: dict | None = None
    ingested: dict[str, dict] = {}
    extracted: dict[str, dict] = {}
    for entry in audit:
        if _entry_hash(entry) != entry["hash"]:
            problems.append(f"audit entry {entry['seq']}: content does not match its hash")
        if (
            previous is not None
            and entry["seq"] == previous["seq"] + 1
            and entry["prev_hash"] != previous["hash"]
        ):
            problems.append(f"audit entry {entry['seq']}: does not follow entry {previous['seq']}")
        previous = entry
        detail = entry["detail"]
        if entry["action"] == "ingest":
            ingested[detail["report_id"]] = detail
        elif entry["action"] == "extract":
            extracted[detail["report_id"]] = detail
    reports = {r["report_id"]: r for r in _jsonl(members.get("reports.jsonl", b""), "reports.jsonl")}
    for rid, report in reports.items():
        if report["sha256"] not in originals:
            problems.append(f"report {rid}: its original {report['sha256']} is not in the bundle")
        if ingested.get(rid, {}).get("sha256") != report["sha256"]:
            problems.append(f"report {rid}: no ingest entry records its original")
    stored_reports = _jsonl(members.get("stored/reports.jsonl", b""), "stored/reports.jsonl")
    for record in stored_reports:
        if ingested.get(record["report_id"], {}).get("record") != _digest(record):
            problems.append(f"report {record['report_id']}: stored record differs from its ingest entry")
    stored_claims: dict[str, list[dict]] = {}
    for record in _jsonl(members.get("stored/claims.jsonl", b""), "stored/claims.jsonl"):
        stored_claims.setdefault(record["report_id"], []).append(record)
    for rid, records in stored_claims.items():
        if extracted.get(rid, {}).get("record") != _digest(records):
            problems.append(f"claims of report {rid}: stored records differ from their extract entry")
    for claim in _jsonl(members.get("claims.jsonl", b""), "claims.jsonl"):
        text = reports.get(claim["report_id"], {}).get("text")
        if text is None:
            problems.append(f"claim {claim['claim_id']}: its report is not in the bundle")
            continue
        for span in claim["evidence"] + [loc for loc in claim["locations"] if loc.get("start") is not None]:
            if text[span["start"] : span["end"]] != span["text"]:
                problems.append(
                    f"claim {claim['claim_id']}: span {span['start']}-{span['end']} does not cover its text"
                )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    source = Path(args[0]) if args else Path(__file__).resolve().parent
    problems = check(_read(source))
    for problem in problems:
        print(f"MISMATCH {problem}")
    if problems:
        return 1
    print(f"bundle verified: {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
