"""API tests generated from the OpenAPI description (schemathesis): every documented operation,
with generated parameters, answers without a server error and as documented."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from claimledger.cli import EXAMPLES
from claimledger.cli import app as cli
from claimledger.web import create_app

schemathesis = pytest.importorskip("schemathesis")


def _app():  # type: ignore[no-untyped-def]
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="claimledger-api-"))
    url = f"sqlite:///{folder / 'ledger.db'}"
    runner = CliRunner()
    for args in (["ingest", str(EXAMPLES / "reports"), "--meta", str(EXAMPLES / "meta.jsonl")], ["process"]):
        assert runner.invoke(cli, [*args, "--db", url]).exit_code == 0
    with sqlite3.connect(folder / "ledger.db"):
        pass
    return create_app(url, secret="schema-test")


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_it_is_described(case) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate()
