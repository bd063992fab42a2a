"""Quality gate: run claimledger on ../shared/corpus, score every gold file, compare to the baseline.

Usage: python gates/check_quality.py [--out DIR] [--update]
Fails (exit 1) when a figure in gates/baseline.json drops by more than TOLERANCE.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BASELINE = ROOT / "gates" / "baseline.json"
TOLERANCE = 0.005
# Higher is better for these; story_false_pairs and boilerplate_cited must not rise.
KEYS = [
    "recall",
    "recall_any_type",
    "precision",
    "f1",
    "place_strict",
    "place_country",
    "date",
    "attribution",
    "boilerplate_marked",
]
ZERO_KEYS = ["boilerplate_cited", "story_false_pairs"]
# Figures the scorer prints as "found/total"; compared as ratios.
FRACTION_KEYS = ["story_pairs_found", "independence", "same_incident"]


def fraction(value: object) -> float | None:
    if isinstance(value, str) and "/" in value:
        found, total = value.split("/", 1)
        return int(found) / int(total) if int(total) else None
    return None


def cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "claimledger.cli", *args], check=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--update", action="store_true", help="write the measured figures as the new baseline"
    )
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="claimledger-gate-"))
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("gate.db*"):
        stale.unlink()  # a fresh ledger each run, or old claims would be exported again
    db = f"sqlite:///{out / 'gate.db'}"
    cli("ingest", str(SHARED / "corpus" / "articles.jsonl"), "--db", db)
    cli("process", "--db", db)
    for kind in ("reports", "claims", "incidents"):
        cli("export", kind, "--db", db, "--out", str(out / f"{kind}.jsonl"))
    figures = {}
    for gold in sorted((SHARED / "eval").glob("gold-*.json")):
        result = subprocess.run(
            [
                sys.executable,
                str(SHARED / "eval" / "score.py"),
                "--gold",
                str(gold),
                "--exports",
                str(out),
                "--json",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        figures[gold.name] = json.loads(result.stdout)
    for fig in figures.values():
        for key in FRACTION_KEYS:
            fig[f"{key}_ratio"] = fraction(fig.get(key))
    (out / "figures.json").write_text(json.dumps(figures, indent=1))
    for name, fig in figures.items():
        print(
            name,
            {
                k: fig.get(k)
                for k in KEYS + ZERO_KEYS + ["story_pairs_found", "independence", "same_incident"]
            },
        )
    if args.update:
        keep = KEYS + ZERO_KEYS + [f"{k}_ratio" for k in FRACTION_KEYS]
        BASELINE.write_text(
            json.dumps({n: {k: f[k] for k in keep} for n, f in figures.items()}, indent=1) + "\n"
        )
        print(f"baseline written to {BASELINE}")
        return 0
    baseline = json.loads(BASELINE.read_text())
    drops = []
    for name, want in baseline.items():
        got = figures.get(name)
        if got is None:
            drops.append(f"{name}: not scored")
            continue
        for key, value in want.items():
            if value is None:
                continue
            if key in ZERO_KEYS:
                if (got.get(key) or 0) > value:
                    drops.append(f"{name} {key}: {got.get(key)} > {value}")
            elif got.get(key) is None or got[key] < value - TOLERANCE:
                drops.append(f"{name} {key}: {got.get(key)} < baseline {value}")
        if got.get("problems"):
            drops.append(f"{name}: anchor problems {got['problems'][:3]}")
    if drops:
        print("quality gate FAILED:\n  " + "\n  ".join(drops))
        return 1
    print("quality gate passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
