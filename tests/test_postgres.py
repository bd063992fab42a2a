"""The same ledger on PostgreSQL: one schema through the migrations, exports identical to SQLite's,
verify and its tamper detection, and concurrent writers. A throw-away cluster is started on
127.0.0.1 when PostgreSQL's binaries are installed (apt install postgresql); skipped otherwise."""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimledger.cli import EXAMPLES, app

BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
pytestmark = pytest.mark.skipif(not BIN, reason="needs PostgreSQL (apt install postgresql)")


def _as_postgres(command: list[str]) -> list[str]:
    # initdb refuses to run as root; CI runs as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    pytest.importorskip("psycopg")
    import tempfile

    # Not under pytest's own temporary folder: the postgres user cannot enter root's.
    base = Path(tempfile.mkdtemp(prefix="claimledger-pg-"))
    data = base / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(data, "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bindir = BIN[-1]
    subprocess.run(_as_postgres([f"{bindir}/initdb", "-D", str(data), "-A", "trust", "-U", "postgres"]), check=True, capture_output=True)
    subprocess.run(
        _as_postgres([f"{bindir}/pg_ctl", "-D", str(data), "-o", f"-h 127.0.0.1 -p {port} -k {data}", "-l", str(data / "log"), "-w", "start"]),
        check=True, capture_output=True,
    )
    try:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE ledger")
            conn.execute("CREATE DATABASE writers")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_postgres([f"{bindir}/pg_ctl", "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def _exports(url: str) -> dict[str, list[dict]]:
    runner = CliRunner()
    out = {}
    for kind in ("reports", "claims", "incidents"):
        result = runner.invoke(app, ["export", kind, "--db", url])
        assert result.exit_code == 0, result.output
        records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
        for record in records:
            record.pop("ingested_at", None)
        out[kind] = records
    return out


def test_postgresql_and_sqlite_give_the_same_ledger(pg_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    sqlite = f"sqlite:///{tmp_path / 'l.db'}"
    for url in (f"{pg_url}/ledger", sqlite):
        result = runner.invoke(app, ["run", "--db", url])
        assert result.exit_code == 0, result.output
    assert _exports(f"{pg_url}/ledger") == _exports(sqlite)
    assert runner.invoke(app, ["verify", "--reproduce", "--db", f"{pg_url}/ledger"]).exit_code == 0


def test_verify_on_postgresql_names_an_altered_claim(pg_url: str) -> None:
    import psycopg

    url = f"{pg_url}/ledger"
    runner = CliRunner()
    runner.invoke(app, ["run", "--db", url])
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("UPDATE claims SET data = jsonb_set(data::jsonb, '{type}', '\"looting\"')::json WHERE claim_id = (SELECT min(claim_id) FROM claims WHERE type != 'looting')")
    result = runner.invoke(app, ["verify", "--db", url])
    assert result.exit_code == 1 and "claims of report" in result.output


def test_concurrent_writers_on_postgresql_neither_fork_the_chain_nor_duplicate(pg_url: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(40):
        (corpus / f"r{i}.txt").write_text(f"Report {i}: shelling hit Saltivka in Kharkiv on day {i}, the governor said.", encoding="utf-8")
    url = f"{pg_url}/writers"
    command = [sys.executable, "-m", "claimledger.cli", "ingest", str(corpus), str(EXAMPLES / "reports"), "--db", url]
    children = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [child.communicate(timeout=300) for child in children]
    assert all(child.returncode == 0 for child in children), outputs
    check = subprocess.run([sys.executable, "-m", "claimledger.cli", "verify", "--db", url], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    reports = len(list((EXAMPLES / "reports").iterdir())) + 40
    assert f"after {reports} entries" in check.stderr  # one ingest entry per report, none forked or doubled
