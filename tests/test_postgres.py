"""The same ledger on PostgreSQL: one schema through the migrations, exports identical to SQLite's,
verify and its tamper detection, and concurrent writers. A throw-away cluster is started on
127.0.0.1 when PostgreSQL's binaries are installed (apt install postgresql); skipped otherwise."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimledger.cli import EXAMPLES, app
from claimledger.store import LedgerStore
from conftest import PostgresServer, needs_postgres

pytestmark = needs_postgres


@pytest.fixture(scope="module")
def pg_url(postgres: PostgresServer) -> str:
    """The server's URL; tests add a database name ("ledger", "writers")."""
    postgres.database("ledger")
    postgres.database("writers")
    return postgres.base


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
        conn.execute(
            "UPDATE claims SET data = jsonb_set(data::jsonb, '{type}', '\"looting\"')::json WHERE claim_id = (SELECT min(claim_id) FROM claims WHERE type != 'looting')"
        )
    result = runner.invoke(app, ["verify", "--db", url])
    assert result.exit_code == 1 and "claims of report" in result.output


def test_concurrent_writers_on_postgresql_neither_fork_the_chain_nor_duplicate(
    pg_url: str, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(40):
        (corpus / f"r{i}.txt").write_text(
            f"Report {i}: shelling hit Saltivka in Kharkiv on day {i}, the governor said.", encoding="utf-8"
        )
    url = f"{pg_url}/writers"
    command = [
        sys.executable,
        "-m",
        "claimledger.cli",
        "ingest",
        str(corpus),
        str(EXAMPLES / "reports"),
        "--db",
        url,
    ]
    children = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)
    ]
    outputs = [child.communicate(timeout=300) for child in children]
    assert all(child.returncode == 0 for child in children), outputs
    check = subprocess.run(
        [sys.executable, "-m", "claimledger.cli", "verify", "--db", url], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    reports = len(list((EXAMPLES / "reports").iterdir())) + 40
    assert f"after {reports} entries" in check.stderr  # one ingest entry per report, none forked or doubled


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_four_runs_over_overlapping_inputs_beside_the_web_server_lose_and_double_nothing(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    """Four `run` processes (ingest and process) over inputs that overlap pairwise, while the web
    server answers readers, end with the ledger one sequential run of the union makes."""
    import threading
    import time
    import urllib.request

    from archives import synthetic_documents, write_jsonl

    rows = synthetic_documents(48, seed=5)
    chunks = [rows[i::4] for i in range(4)]
    inputs = [write_jsonl(tmp_path / f"set{i}.jsonl", chunks[i] + chunks[(i + 1) % 4]) for i in range(4)]
    url = postgres.database("concurrent")
    LedgerStore(url)  # `serve` refuses a database that holds no ledger yet
    port = _free_port()
    cli = [sys.executable, "-m", "claimledger.cli"]
    server = subprocess.Popen(
        [*cli, "serve", "--db", url, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    statuses: list[int] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            for path in ("/api/incidents?limit=20", "/api/reports?limit=5", "/"):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
                        statuses.append(response.status)
                except urllib.error.HTTPError as exc:
                    statuses.append(exc.code)
                except OSError:
                    pass  # not listening yet
            time.sleep(0.05)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        children = [
            subprocess.Popen(
                [*cli, "run", str(path), "--db", url],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for path in inputs
        ]
        outputs = [child.communicate(timeout=600) for child in children]
        assert all(child.returncode == 0 for child in children), outputs
        time.sleep(1)
    finally:
        stop.set()
        reader.join()
        server.terminate()
        server.communicate(timeout=30)
    assert len(statuses) > 20 and set(statuses) == {200}, sorted(set(statuses))
    check = subprocess.run([*cli, "verify", "--db", url], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    sequential = f"sqlite:///{tmp_path / 'sequential.db'}"
    assert (
        subprocess.run([*cli, "run", *map(str, inputs), "--db", sequential], capture_output=True).returncode
        == 0
    )
    concurrent, expected = _exports(url), _exports(sequential)
    assert (
        len(concurrent["reports"])
        == len(expected["reports"])
        == len({json.dumps(r, sort_keys=True) for r in rows})
    )
    assert sorted(r["report_id"] for r in concurrent["reports"]) == sorted(
        r["report_id"] for r in expected["reports"]
    )
    key = lambda record: json.dumps(record, sort_keys=True)  # noqa: E731
    assert (
        sorted(map(key, concurrent["claims"])) == sorted(map(key, expected["claims"])) and expected["claims"]
    )
    assert sorted(map(key, concurrent["incidents"])) == sorted(map(key, expected["incidents"]))
