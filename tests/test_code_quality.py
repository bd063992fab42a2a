"""The code stays ruff-clean, ruff-formatted and mypy-clean (both come with the test extra)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "ruff", "check", "src", "tests", "gates", "benchmarks", "training"],
        [
            sys.executable,
            "-m",
            "ruff",
            "format",
            "--check",
            "src",
            "tests",
            "gates",
            "benchmarks",
            "training",
        ],
        [sys.executable, "-m", "mypy"],
    ],
    ids=["ruff", "ruff-format", "mypy"],
)
def test_static_checks_pass(command: list[str]) -> None:
    if (
        shutil.which(command[2]) is None
        and subprocess.run([*command[:3], "--version"], capture_output=True).returncode != 0
    ):
        pytest.skip(f"{command[2]} is not installed")
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
