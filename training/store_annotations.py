"""Store annotators' gold files (anchors quoted) in the repository's form (offsets and hashes).

Usage: python training/store_annotations.py GOLD.json [GOLD.json ...]

Each file is checked first with `../shared/eval/check_gold.py` against the pool texts (every
anchor once in its article, 5-15 words, known types, dates, places); a file with problems is
refused. Articles must be in `training/data/pool-selection.csv`. Writes
`training/annotations/<name>.json`.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from training import harness  # noqa: E402
from training.annotations import stored  # noqa: E402


def main(paths: list[str]) -> int:
    selection = {
        row["id"]
        for row in csv.DictReader((ROOT / "training" / "data" / "pool-selection.csv").open(encoding="utf-8"))
    }
    rows = harness._corpus_rows(harness.SHARED / "corpus" / "pool.jsonl.gz")  # noqa: SLF001
    texts = {k: r["text"] for k, r in rows.items()}
    failed = 0
    for name in paths:
        path = Path(name)
        gold = json.loads(path.read_text(encoding="utf-8"))
        articles = harness.articles_of(gold)
        strange = sorted(articles - selection)
        if strange:
            print(f"{path.name}: articles not in the selection: {strange}")
            failed += 1
            continue
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8", delete=False) as handle:
            for a in sorted(articles):
                handle.write(json.dumps({"id": a, "text": texts[a]}, ensure_ascii=False) + "\n")
        check = subprocess.run(
            [sys.executable, str(harness.SHARED / "eval" / "check_gold.py"), str(path), handle.name],
            capture_output=True,
            text=True,
        )
        Path(handle.name).unlink()
        if check.returncode != 0:
            print(f"{path.name}: refused\n{check.stdout}")
            failed += 1
            continue
        out = ROOT / "training" / "annotations" / f"pool-{path.stem}.json"
        out.write_text(
            json.dumps(stored(gold, texts, "pool.jsonl.gz"), indent=1, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        print(f"{path.name}: {check.stdout.strip().splitlines()[-1]} -> {out.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
