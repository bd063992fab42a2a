"""Benchmark: places on ../shared/bench/geo (analyst data) and the toponym corpora (LGL, TR-News,
GeoWebNews), with timing and gazetteer memory.

Usage: python benchmarks/bench_geo.py [--check | --update]
Runs `claimledger locate` as a user would and scores it with the shared scorers.
"""

from __future__ import annotations

import argparse
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
        subprocess.run(
            [
                sys.executable,
                "-m",
                "claimledger.cli",
                "locate",
                "--jsonl",
                str(gold),
                "--field",
                field,
                *extra,
            ],
            stdout=handle,
            check=True,
        )
    return out, time.perf_counter() - start


def score(script: Path, gold: Path, pred: Path) -> dict:
    result = subprocess.run(
        [sys.executable, str(script), "--gold", str(gold), "--pred", str(pred), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def gazetteer_load() -> tuple[float, float]:
    code = (
        "import time, resource; t = time.perf_counter()\n"
        "from claimledger.geo import find_places\n"
        "find_places('Shelling hit Izium, Kharkiv Oblast, on Saturday.')\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1])


BASELINE = ROOT / "gates" / "geo-baseline.json"
# Figures gated in CI: a drop of more than TOLERANCE fails.
GATED = (
    "acc@25km",
    "acc@161km",
    "country_acc",
    "found",
    "acc161_given_found",
    "acc161_e2e",
    "precision_spans",
)
TOLERANCE = 0.002


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help=f"fail when a figure drops below {BASELINE.name}"
    )
    parser.add_argument(
        "--update", action="store_true", help=f"write the measured figures to {BASELINE.name}"
    )
    args = parser.parse_args(argv)
    if not GEO.exists():
        print(f"no benchmark data at {GEO}")
        return 1
    seconds, rss = gazetteer_load()
    print(f"gazetteer ready (import, open, first look-up): {seconds:.2f} s, peak RSS {rss:.0f} MB")
    figures: dict[str, dict] = {}
    for name, field, extra in (
        ("descriptions.jsonl", "text", ()),
        ("place-strings.jsonl", "query", ("--as-place",)),
    ):
        pred, took = locate(GEO / name, field, *extra)
        figures[name] = score(GEO / "score_geo.py", GEO / name, pred)
        print(f"{name}: {figures[name]} ({took:.1f} s with start-up)")
    for name in ("lgl.jsonl", "trnews.jsonl", "gwn.jsonl"):
        gold = GEO / "toponyms" / name
        pred, took = locate(gold, "text")
        figures[name] = score(GEO / "toponyms" / "score_toponyms.py", gold, pred)
        print(f"{name}: {figures[name]} ({took:.1f} s)")
    print(
        f"benchmark process peak RSS {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB (largest locate run)"
    )
    gated = {
        name: {k: v for k, v in got.items() if k in GATED and isinstance(v, (int, float))}
        for name, got in figures.items()
    }
    if args.update:
        BASELINE.write_text(json.dumps(gated, indent=1) + "\n")
        print(f"baseline written to {BASELINE}")
    if args.check:
        baseline = json.loads(BASELINE.read_text())
        drops = [
            f"{name} {key}: {gated.get(name, {}).get(key)} < baseline {want}"
            for name, wanted in baseline.items()
            for key, want in wanted.items()
            if gated.get(name, {}).get(key, -1.0) < want - TOLERANCE
        ]
        if drops:
            print("geo gate FAILED:\n  " + "\n  ".join(drops))
            return 1
        print("geo gate passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
