"""The quality gates: claim figures on ../shared/eval and place figures on ../shared/bench/geo must not drop below gates/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, needs_shared


@needs_shared()
def test_gold_figures_do_not_drop_below_the_baseline(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "gates" / "check_quality.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads((tmp_path / "figures.json").read_text())


@needs_shared()
def test_geo_figures_do_not_drop_below_the_baseline() -> None:
    # descriptions, place strings, LGL, TR-News and GeoWebNews, scored by ../shared's scorers
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_geo.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "geo gate passed" in result.stdout
