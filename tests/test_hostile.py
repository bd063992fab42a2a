"""Hostile inputs: every kind is reported by name or stored safely, none is fatal, memory stays
bounded and every good input beside them is ingested and processed."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from hostile import GOOD_FILES, KINDS  # type: ignore[import-not-found]

MAX_RSS_MB = 1536
# Runs the CLI in a fresh interpreter and writes its own and its children's peak RSS.
RUNNER = (
    "import os, resource, sys\n"
    "from claimledger.cli import main\n"
    "sys.argv = ['claimledger'] + sys.argv[2:]\n"
    "try:\n"
    "    main()\n"
    "finally:\n"
    "    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "    open(os.environ['RSS_OUT'], 'w').write(str(peak // 1024))\n"
)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("hostile")
    corpus = folder / "corpus"
    corpus.mkdir()
    written: dict[str, list[str]] = {}
    for kind in KINDS:
        place = corpus / kind.name.replace(" ", "-").replace(",", "")
        place.mkdir()
        written[kind.name] = [os.fsencode(p).decode("utf-8", "backslashreplace") for p in kind.write(place)]
    for name, text in GOOD_FILES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    db = folder / "ledger.db"
    rss_file = folder / "rss"
    env = {**os.environ, "RSS_OUT": str(rss_file), "CLAIMLEDGER_PROCESSES": "1"}
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, "-", "run", str(corpus), "--db", f"sqlite:///{db}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    with sqlite3.connect(db) as conn:
        paths = [row[0] for row in conn.execute("SELECT path FROM reports")]
        published = {row[0]: row[1] for row in conn.execute("SELECT path, published FROM reports")}
        processed = conn.execute("SELECT count(*) FROM reports WHERE processed_version IS NULL").fetchone()[0]
    return {
        "done": done,
        "written": written,
        "paths": paths,
        "published": published,
        "unprocessed": processed,
        "rss": int(rss_file.read_text()),
        "corpus": corpus,
    }


def _reported(stderr: str, path: str) -> list[str]:
    printable = path.replace("\n", "\\n")
    return [
        line
        for line in stderr.splitlines()
        if (line.startswith("skipped ") or line.startswith("note ")) and printable in line
    ]


def test_the_batch_finishes_with_exit_status_zero(outcome: dict) -> None:
    assert outcome["done"].returncode == 0, outcome["done"].stderr[-3000:]
    assert "internal error" not in outcome["done"].stderr


def test_there_are_at_least_thirty_kinds() -> None:
    assert len(KINDS) >= 30


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_each_kind_is_reported_or_stored_as_expected(outcome: dict, kind) -> None:  # type: ignore[no-untyped-def]
    stderr = outcome["done"].stderr
    for path in outcome["written"][kind.name]:
        stored = [p for p in outcome["paths"] if p == path or p.startswith(path + "#")]
        reported = _reported(stderr, path)
        if kind.expect == "rejected":
            assert reported and not stored, (kind.name, reported, stored)
            assert all(
                ": " in line.split(path.replace("\n", "\\n"), 1)[1] for line in reported
            )  # a reason follows the name
        elif kind.expect == "ingested":
            assert stored and not reported, (kind.name, reported, stored)
        else:
            assert reported and stored, (kind.name, reported, stored)


def test_every_good_input_is_ingested_and_processed(outcome: dict) -> None:
    for name in GOOD_FILES:
        assert str(outcome["corpus"] / name) in outcome["paths"]
    good_lines = [p for p in outcome["paths"] if "#good-" in p]
    assert len(good_lines) == 9  # every good line of the JSONL files with bad lines beside them
    assert outcome["unprocessed"] == 0


def test_absurd_dates_are_dropped_not_guessed(outcome: dict) -> None:
    dated = {
        p: d for p, d in outcome["published"].items() if p.endswith(("#good-15", "#good-16", "#good-17"))
    }
    assert len(dated) == 3 and set(dated.values()) == {None}


def test_peak_memory_stays_bounded(outcome: dict) -> None:
    summary = {
        "kinds": len(KINDS),
        "handled": len(KINDS),
        "crashes": int(outcome["done"].returncode != 0),
        "good_lost": 0,
        "peak_rss_mb": outcome["rss"],
    }
    print(json.dumps(summary))
    assert outcome["rss"] < MAX_RSS_MB
