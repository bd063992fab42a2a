"""Rebuild gold files (anchors quoted, as `../shared/eval/score.py` reads them) from the stored
annotations and the texts in `../shared`.

Usage: python training/rebuild_gold.py OUT_DIR

Writes OUT_DIR/pool-train.json and OUT_DIR/pool-test.json (the split of
training/data/splits.toml) and OUT_DIR/pool-texts.jsonl (the annotated articles, for
`check_gold.py` and for `claimledger ingest`). Refuses an article whose text differs from the
annotated one (its SHA-256 is stored).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from training import harness  # noqa: E402


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    for split in ("train", "test"):
        pool = [gs for gs in harness.gold_sets(split) if gs.name.startswith("pool-")]
        for gs in pool:
            (out / f"{gs.name}.json").write_text(
                json.dumps(gs.gold, indent=1, ensure_ascii=False), encoding="utf-8"
            )
            rows += gs.rows
            print(f"{gs.name}: {len(gs.rows)} articles, {len(gs.gold['claims'])} claims")
    with (out / "pool-texts.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
