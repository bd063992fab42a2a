"""Shared fixtures: the spaCy pipeline once per session, a temporary ledger, ../shared if present."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def nlp():
    from claimledger.extract.nlp import load_nlp

    return load_nlp()


@pytest.fixture()
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


def needs_shared() -> pytest.MarkDecorator:
    return pytest.mark.skipif(not (SHARED / "eval" / "score.py").exists(), reason="../shared is not beside the repository")
