"""Exports: each one checked against the contract before it is written (issue 22, item 7), and
the ACLED CSV coded as ACLED's codebook codes its columns (issue 22, item 6)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from claimledger.cli import app
from claimledger.contract_check import check_records
from claimledger.errors import InvalidExport
from claimledger.export import claim_record, incident_record
from claimledger.geo import find_places
from claimledger.model import Claim, DateInfo, Incident, Location, Span

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = Path(__file__).parent / "contract"
runner = CliRunner()


def _schema(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8")))


def _claim(location: Location, text: str = "A tanker was struck by a drone.") -> Claim:
    return Claim(
        claim_id="c1",
        report_id="r1",
        type="air_strike",
        summary="Air strike",
        evidence=(Span(0, len(text), text),),
        date=DateInfo("2022-07-01", "2022-07-01", "day"),
        locations=(location,),
    )


def _incident(location: Location) -> Incident:
    return Incident(
        incident_id="i1",
        type="air_strike",
        claim_ids=("c1",),
        report_ids=("r1",),
        story_ids=("s1",),
        date=DateInfo("2022-07-01", "2022-07-01", "day"),
        location=location,
        sources=(),
        independent_source_count=1,
        credibility_grade=6,
        credibility_label="cannot be judged",
        partisan_only=False,
    )


SEAS = [
    "A cargo ship hit a drifting mine in the Black Sea on Tuesday, the navy said.",
    "Two patrol boats were sunk in the Sea of Azov overnight, officials said.",
]


@pytest.mark.parametrize("sentence", SEAS)
def test_a_place_at_sea_has_no_country_and_its_exports_validate(sentence: str) -> None:
    places = find_places(sentence)
    assert places and places[0].country is None
    assert _schema("claim").is_valid(claim_record(_claim(places[0]), None))
    assert _schema("incident").is_valid(incident_record(_incident(places[0]), None))


def test_a_sea_stored_with_an_empty_country_reads_back_as_none() -> None:
    # Ledgers written before the fix hold "" for a sea; what they load must validate too.
    sea = Location("Black Sea", "", 43.5, 34.5, "region")
    assert sea.country is None
    check_records("claims", [claim_record(_claim(sea), None)])
    check_records("incidents", [incident_record(_incident(sea), None)])


def test_a_record_that_fails_its_schema_is_named_with_the_field() -> None:
    bad = claim_record(_claim(Location("Kharkiv", "UA", 50.0, 36.2, "place")), None)
    bad["confidence"] = 1.5
    with pytest.raises(InvalidExport, match=r"c1: confidence"):
        check_records("claims", [bad])


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "claimledger.cli", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_an_export_that_fails_its_schema_is_never_written(tmp_path: Path) -> None:
    report = tmp_path / "a.txt"
    report.write_text("Russian forces shelled Kharkiv on Saturday, the governor said.", encoding="utf-8")
    path = tmp_path / "l.db"
    url = f"sqlite:///{path}"
    assert (
        runner.invoke(app, ["ingest", str(report), "--db", url, "--published", "2022-05-07"]).exit_code == 0
    )
    good = runner.invoke(app, ["export", "reports", "--db", url, "--out", str(tmp_path / "ok.jsonl")])
    assert good.exit_code == 0 and (tmp_path / "ok.jsonl").exists()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE reports SET published = 'last May'")
    out = tmp_path / "out" / "reports.jsonl"
    done = _cli("export", "reports", "--db", url, "--out", str(out))
    assert done.returncode == 1
    assert "does not validate" in done.stderr and "published" in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert not out.exists() and not any(out.parent.glob("*")) if out.parent.exists() else True
    # An earlier good file at that path is left as it was, not replaced by part of a bad one.
    kept = tmp_path / "ok.jsonl"
    before = kept.read_bytes()
    again = _cli("export", "reports", "--db", url, "--out", str(kept))
    assert again.returncode == 1 and kept.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
