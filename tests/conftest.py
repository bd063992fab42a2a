"""Shared fixtures: the spaCy pipeline once per session, a temporary ledger, ../shared if present."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
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
    return pytest.mark.skipif(
        not (SHARED / "eval" / "score.py").exists(), reason="../shared is not beside the repository"
    )


POSTGRES_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
needs_postgres = pytest.mark.skipif(not POSTGRES_BIN, reason="needs PostgreSQL (apt install postgresql)")


def _as_postgres(command: list[str]) -> list[str]:
    # initdb refuses to run as root; CI runs as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PostgresServer:
    """A throw-away PostgreSQL cluster on 127.0.0.1; `database(name)` creates one and gives its URL."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.base = f"postgresql+psycopg://postgres@127.0.0.1:{port}"

    def database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"{self.base}/{name}"

    def copy(self, template_url: str, name: str) -> str:
        """A new database holding a copy of another (PostgreSQL copies a template file by file)."""
        import psycopg

        template = template_url.rsplit("/", 1)[1]
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (template,),
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return f"{self.base}/{name}"


BACKENDS = ["sqlite", pytest.param("postgresql", marks=needs_postgres)]


def database_name(request: pytest.FixtureRequest) -> str:
    """A PostgreSQL database name for a test or module (names are limited to 63 bytes)."""
    import hashlib

    return "t_" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:20]


@pytest.fixture(params=BACKENDS)
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty ledger on each backend: the tests that take it run on SQLite and PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    return request.getfixturevalue("postgres").database(database_name(request))


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    if not POSTGRES_BIN:
        pytest.skip("needs PostgreSQL (apt install postgresql)")
    pytest.importorskip("psycopg")
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
    bindir = POSTGRES_BIN[-1]
    subprocess.run(
        _as_postgres([f"{bindir}/initdb", "-D", str(data), "-A", "trust", "-U", "postgres"]),
        check=True,
        capture_output=True,
    )
    subprocess.run(
        _as_postgres(
            [
                f"{bindir}/pg_ctl",
                "-D",
                str(data),
                "-o",
                f"-h 127.0.0.1 -p {port} -k {data}",
                "-l",
                str(data / "log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield PostgresServer(port)
    finally:
        subprocess.run(
            _as_postgres([f"{bindir}/pg_ctl", "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


def copy_ledger(url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A copy of a ledger on its own backend, so one test's writes do not reach the next."""
    if url.startswith("sqlite:///"):
        import sqlite3

        target = tmp_path / "copy.db"
        with sqlite3.connect(url.removeprefix("sqlite:///")) as a, sqlite3.connect(target) as b:
            a.backup(b)
        return f"sqlite:///{target}"
    return request.getfixturevalue("postgres").copy(url, database_name(request))
