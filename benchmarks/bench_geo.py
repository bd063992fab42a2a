"""Benchmark: places on ../shared/bench/geo (analyst data) and the toponym corpora (LGL, TR-News,
GeoWebNews), with timing and gazetteer memory.

Usage: python benchmarks/bench_geo.py
Runs `claimledger locate` as a user would and scores it with the shared scorers.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GEO = ROOT.parent / "shared" / "bench" / "geo"


def locate(gold: Path, field: str, *extra: str) -> tuple[Path, float]:
    out = Path(f"/tmp/claimledger-bench-{gold.stem}.jsonl")
    start = time.perf_counter()
    with out.open("w", encoding="utf-8") as handle:
        subprocess.run([sys.executable, "-m", "claimledger.cli", "locate", "--jsonl", str(gold), "--field", field, *extra], stdout=handle, check=True)
    return out, time.perf_counter() - start


def score(script: Path, gold: Path, pred: Path) -> dict:
    result = subprocess.run([sys.executable, str(script), "--gold", str(gold), "--pred", str(pred), "--json"], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def gazetteer_load() -> tuple[float, float]:
    code = (
        "import time, resource; t = time.perf_counter()\n"
        "from claimledger.geo import find_places\n"
        "find_places('Shelling hit Izium, Kharkiv Oblast, on Saturday.')\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


def main() -> int:
    if not GEO.exists():
        print(f"no benchmark data at {GEO}")
        return 1
    seconds, rss = gazetteer_load()
    print(f"gazetteer ready (import, open, first look-up): {seconds:.2f} s, peak RSS {rss:.0f} MB")
    for name, field, extra in (("descriptions.jsonl", "text", ()), ("place-strings.jsonl", "query", ("--as-place",))):
        pred, took = locate(GEO / name, field, *extra)
        print(f"{name}: {score(GEO / 'score_geo.py', GEO / name, pred)} ({took:.1f} s with start-up)")
    for name in ("lgl.jsonl", "trnews.jsonl", "gwn.jsonl"):
        gold = GEO / "toponyms" / name
        pred, took = locate(gold, "text")
        print(f"{name}: {score(GEO / 'toponyms' / 'score_toponyms.py', gold, pred)} ({took:.1f} s)")
    print(f"benchmark process peak RSS {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB (largest locate run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
