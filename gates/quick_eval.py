"""Development loop: run the library (no database) over ../shared/corpus and score it.

Usage: python gates/quick_eval.py [OUTDIR]
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

from claimledger.export import claim_record, incident_record, jsonl, report_record
from claimledger.ingest import Defaults, read_inputs
from claimledger.pipeline import Rejected, analyse_reports, build_reports, link_reports

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/cl-quick")
    out.mkdir(parents=True, exist_ok=True)
    rejected: list[Rejected] = []
    t0 = time.time()
    reports = list(build_reports(read_inputs([SHARED / "corpus" / "articles.jsonl"], {}, Defaults()), rejected))
    claims = []
    for _, found in analyse_reports(reports):
        claims.extend(found)
    ledger = link_reports(reports, claims)
    now = dt.datetime(2026, 1, 1).isoformat()
    (out / "reports.jsonl").write_text("".join(jsonl(report_record(r, ledger.stories[r.report_id], now) for r in reports)))
    (out / "claims.jsonl").write_text("".join(jsonl(claim_record(c) for c in claims)))
    (out / "incidents.jsonl").write_text("".join(jsonl(incident_record(i) for i in ledger.incidents)))
    print(f"{len(reports)} reports, {len(claims)} claims, {len(ledger.incidents)} incidents in {time.time() - t0:.1f}s; rejected {len(rejected)}")
    for gold in sorted((SHARED / "eval").glob("gold-dev-*.json")):
        print("==", gold.name)
        subprocess.run([sys.executable, str(SHARED / "eval" / "score.py"), "--gold", str(gold), "--exports", str(out)], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
