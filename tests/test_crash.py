"""Crash safety and concurrency: kill -9 at random moments of ingest and process leaves a ledger
that verifies and that the next run completes to the same export; concurrent ingests into one
SQLite file neither corrupt it nor duplicate a report."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from claimledger.cli import EXAMPLES

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "articles.jsonl"
KILLS = 12


def _cli(*args: str, db: Path) -> list[str]:
    return [sys.executable, "-m", "claimledger.cli", *args, "--db", f"sqlite:///{db}"]


def _run(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_cli(*args, db=db), capture_output=True, text=True, timeout=900)


def _exports(db: Path, folder: Path) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for kind in ("reports", "claims", "incidents"):
        target = folder / f"{kind}.jsonl"
        done = _run("export", kind, "--out", str(target), db=db)
        assert done.returncode == 0, done.stderr
        records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
        for record in records:
            record.pop("ingested_at", None)  # the one field that records when, not what
        out[kind] = records
    return out


def _count(db: Path, table: str) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _pending(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM reports WHERE processed_version IS NULL").fetchone()[0])


@pytest.mark.shared
@pytest.mark.skipif(not CORPUS.exists(), reason="needs ../shared/corpus")
def test_kills_during_ingest_and_process_end_in_the_uninterrupted_export(tmp_path: Path) -> None:
    from claimledger.geo.gazetteer import shared_gazetteer

    shared_gazetteer()  # built once beforehand, so that the timed run below is an ordinary one
    reference = tmp_path / "reference.db"
    took: dict[str, float] = {}
    for phase, args in (("ingest", ("ingest", str(CORPUS))), ("process", ("process",))):
        started = time.monotonic()
        assert _run(*args, db=reference).returncode == 0
        took[phase] = time.monotonic() - started
    expected = _exports(reference, tmp_path / "reference")
    total = _count(reference, "reports")

    rng = random.Random(20221122)
    db = tmp_path / "killed.db"
    kills: list[tuple[str, float]] = []
    while len(kills) < KILLS:
        ingesting = not db.exists() or _count(db, "reports") < total
        phase = "ingest" if ingesting else "process"
        args = ("ingest", str(CORPUS)) if ingesting else ("process",)
        # Kill within the time the uninterrupted run took, so that kills land in both phases
        # on a fast machine and a slow one alike.
        delay = rng.uniform(0.15, 0.95) * took[phase]
        child = subprocess.Popen(
            _cli(*args, db=db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            child.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)  # the parser's worker processes die with it
            child.wait()
            kills.append((phase, round(delay, 2)))
            time.sleep(0.05)
            check = _run("verify", db=db)
            if db.exists():
                assert check.returncode == 0, (kills, check.stderr)
            else:  # killed before the ledger was made: there is none, and verify says so
                assert check.returncode == 2 and "no ledger at" in check.stderr, (kills, check.stderr)
        else:
            if (phase == "process" and _pending(db) == 0) or (
                phase == "ingest" and "ingest" not in {p for p, _ in kills}
            ):
                # Finished before the kill: start again with a fresh ledger so that every
                # kill interrupts real work, and some kill interrupts an ingest.
                db.unlink()
                for suffix in ("-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
    assert {phase for phase, _ in kills} == {"ingest", "process"}, kills
    assert _run("ingest", str(CORPUS), db=db).returncode == 0
    assert _run("process", db=db).returncode == 0
    assert _run("verify", db=db).returncode == 0
    assert _count(db, "reports") == total
    after = _exports(db, tmp_path / "after")
    for kind in expected:
        want = {json.dumps(r, sort_keys=True) for r in expected[kind]}
        got = {json.dumps(r, sort_keys=True) for r in after[kind]}
        assert got == want, (kind, sorted(want - got)[:2], sorted(got - want)[:2])
    assert after == expected


def test_concurrent_ingests_into_one_sqlite_file_neither_corrupt_nor_duplicate(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(60):
        (corpus / f"report-{i:02d}.txt").write_text(
            f"Report {i}: shelling hit the district of Saltivka in Kharkiv on day {i}, the regional governor said.",
            encoding="utf-8",
        )
    db = tmp_path / "shared.db"
    # Three writers over overlapping inputs, started together on a ledger none has created yet.
    children = [
        subprocess.Popen(
            _cli("ingest", str(corpus), str(EXAMPLES / "reports"), db=db),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [child.communicate(timeout=300) for child in children]
    assert all(child.returncode == 0 for child in children), results
    assert _count(db, "reports") == 60 + len(list((EXAMPLES / "reports").iterdir()))
    assert _count(db, "audit") == _count(db, "reports")  # one ingest entry per stored report, none forked
    check = _run("verify", db=db)
    assert check.returncode == 0, check.stderr
