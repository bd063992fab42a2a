"""The quality gate: claim figures on ../shared/eval must not drop below gates/baseline.json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, needs_shared


@needs_shared()
def test_gold_figures_do_not_drop_below_the_baseline(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "gates" / "check_quality.py"), "--out", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads((tmp_path / "figures.json").read_text())
