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

from claimledger.acled import interaction, killed_count
from claimledger.cli import app
from claimledger.contract_check import check_records
from claimledger.errors import InvalidExport
from claimledger.export import ACLED_COLUMNS, acled_csv, acled_rows, claim_record, incident_record
from claimledger.geo import find_places
from claimledger.model import Actor, Attribution, Claim, DateInfo, Incident, Location, Report, SourceRef, Span

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
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "ok.jsonl").stat().st_mode & 0o777 == 0o666 & ~umask
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


# ---- the ACLED CSV (issue 22, item 6) ----------------------------------------------------------


KHARKIV = Location("Kharkiv", "UA", 49.98, 36.25, "place", admin1="Kharkiv")
BELGOROD = Location("Belgorod", "RU", 50.6, 36.58, "place", admin1="Belgorod")
TBILISI = Location("Tbilisi", "GE", 41.69, 44.83, "place", admin1="Tbilisi")


def _report(rid: str, text: str, outlet: str | None = "Ukrinform", published: str = "2023-02-10") -> Report:
    return Report(rid, rid * 8, f"{rid}.txt", None, outlet, None, published, "en", text)


def _event(
    text: str,
    claim_type: str = "shelling",
    *,
    modality: str = "asserted",
    actors: tuple[Actor, ...] = (),
    date: DateInfo | None = None,
    cid: str = "c1",
    rid: str = "r1",
    prefix: str = "",
) -> tuple[Claim, Report]:
    full = prefix + text
    claim = Claim(
        claim_id=cid,
        report_id=rid,
        type=claim_type,  # type: ignore[arg-type]
        summary=f"{claim_type}: {text}",
        evidence=(Span(len(prefix), len(full), text),),
        date=date or DateInfo("2023-02-09", "2023-02-09", "day"),
        actors=actors,
        modality=modality,  # type: ignore[arg-type]
    )
    return claim, _report(rid, full)


def _rows(
    events: list[tuple[Claim, Report]],
    location: Location | None = KHARKIV,
    date: DateInfo | None = None,
    outlets: dict[str, str | None] | None = None,
) -> list[dict]:
    claims = {c.claim_id: c for c, _ in events}
    reports = {r.report_id: r for _, r in events}
    for rid, outlet in (outlets or {}).items():
        old = reports[rid]
        reports[rid] = Report(
            old.report_id, old.sha256, old.path, None, outlet, None, old.published, "en", old.text
        )
    first = events[0][0]
    incident = Incident(
        incident_id="inc0000000012345678",
        type=first.type,
        claim_ids=tuple(claims),
        report_ids=tuple(reports),
        story_ids=tuple(reports),
        date=date if date is not None else first.date,
        location=location,
        sources=(SourceRef("the governor", "official", tuple(reports)),),
        independent_source_count=1,
        credibility_grade=3,
        credibility_label="possibly true",
        partisan_only=False,
    )
    return list(acled_rows([incident], claims, reports, None))


FATALITIES = [
    ("Shells hit a market in the town, killing three people and wounding 13.", 3),
    ("Twelve civilians were killed and 30 more wounded in the strike.", 12),
    ("A man was killed when a rocket hit his garage.", 1),
    ("The regional head said the death toll rose to twenty-one.", 21),
    ("The strike killed at least 1,200 people, the ministry said.", 1200),
    ("Two dozen people were killed in the bombardment.", 24),
    ("One hundred and five people died after the dam was blown up.", 105),
    ("The blast left five dead near the station.", 5),
    ("Dozens were killed when the missile hit the block.", 12),
    ("Nobody was killed, the mayor said.", None),
    ("No one died in the strike on the depot.", None),
    ("Three residents were wounded by shrapnel.", None),
    ("Troops killed two days ago were buried on Monday.", None),
    ("A drone hit a power line on 14 March.", None),
]


@pytest.mark.parametrize(("sentence", "count"), FATALITIES)
def test_the_dead_a_sentence_counts_are_read_in_words_and_digits(sentence: str, count: int | None) -> None:
    assert killed_count(sentence) == count


def test_fatalities_come_from_the_evidence_and_the_lowest_of_differing_reports() -> None:
    one = _event("Russian rockets hit the market, killing seven people.", cid="c1", rid="r1")
    two = _event("Five people were killed when rockets hit the market.", cid="c2", rid="r2")
    (row,) = _rows([one, two])
    assert row["fatalities"] == 5  # ACLED: when reports differ, the most conservative count
    (quiet,) = _rows([_event("Russian rockets hit the market.")])
    assert quiet["fatalities"] == 0
    # A non-violent event has no fatalities, whatever its sentence says.
    (looting,) = _rows([_event("Soldiers looted the shop of a man killing time.", "looting")])
    assert looting["fatalities"] == 0


ACTORS = [
    # sentence, claim type, actors, location: actor1, inter1, actor2, inter2, interaction
    (
        "Russian forces shelled the village, and a man was killed.",
        "shelling",
        (Actor("a man", "victim"),),
        KHARKIV,
        ("Military Forces of Russia (2000-)", 8, "Civilians (Ukraine)", 7, 78),
    ),
    (
        "Ukrainian troops retook the village after a day of fighting.",
        "territory_change",
        (Actor("Ukrainian troops", "perpetrator"),),
        KHARKIV,
        ("Military Forces of Ukraine (2019-)", 1, "", 0, 10),
    ),
    (
        "Russian soldiers refused orders to return to the front.",
        "desertion",
        (Actor("Russian soldiers", "perpetrator"),),
        BELGOROD,
        ("Military Forces of Russia (2000-)", 1, "", 0, 10),
    ),
    (
        "A rocket struck a bus stop, wounding four pensioners.",
        "shelling",
        (Actor("four pensioners", "victim"),),
        KHARKIV,
        ("Unidentified Armed Group (Ukraine)", 3, "Civilians (Ukraine)", 7, 37),
    ),
    (
        "Russian artillery pounded positions held by Ukrainian forces near the river.",
        "armed_clash",
        (),
        KHARKIV,
        ("Military Forces of Russia (2000-)", 8, "Military Forces of Ukraine (2019-)", 1, 18),
    ),
    (
        "Hundreds of people marched against the new law outside parliament.",
        "protest",
        (),
        TBILISI,
        ("Protesters (Georgia)", 6, "", 0, 60),
    ),
]


@pytest.mark.parametrize(("sentence", "claim_type", "actors", "location", "expected"), ACTORS)
def test_actors_are_named_and_typed_as_acled_codes_them(
    sentence: str, claim_type: str, actors: tuple[Actor, ...], location: Location, expected: tuple
) -> None:
    (row,) = _rows([_event(sentence, claim_type, actors=actors)], location)
    assert (row["actor1"], row["inter1"], row["actor2"], row["inter2"], row["interaction"]) == expected


def test_troops_with_no_nationality_are_the_forces_the_report_named_first() -> None:
    lead = "Russian soldiers left the town on Monday, the council said. "
    event = _event("The council said troops took tractors from a farm.", "looting", prefix=lead)
    (row,) = _rows([event])
    assert row["actor1"] == "Military Forces of Russia (2000-)"


def test_the_source_of_a_claim_is_not_its_actor() -> None:
    sentence = "Ukraine's military intelligence said soldiers sold stolen fridges at a market."
    claim, report = _event(sentence, "loot_trade")
    said = Attribution("Ukraine's military intelligence", "military", "statement", 0, 31)
    claim = Claim(**{**claim.__dict__, "attributions": (said,)})
    (row,) = _rows([(claim, report)])
    assert row["actor1"] == ""


def test_interaction_codes_put_the_lower_code_first() -> None:
    assert [
        interaction(8, 7),
        interaction(1, 8),
        interaction(7, 1),
        interaction(1, 0),
        interaction(None, 7),
    ] == [
        78,
        18,
        17,
        10,
        None,
    ]


def test_denied_and_hypothetical_claims_are_not_coded() -> None:
    denied = _event(
        "The ministry said no soldier had looted homes in the region.", "looting", modality="denied"
    )
    supposed = _event("Troops would shell the city if it refused.", "shelling", modality="hypothetical")
    assert _rows([denied]) == [] and _rows([supposed]) == []
    asserted = _event("Russian troops looted homes in the region.", "looting", cid="c2", rid="r2")
    (row,) = _rows([denied, asserted])
    assert row["notes"].startswith("looting: Russian troops looted") and row["actor1"]


COUNTRIES = [
    (KHARKIV, 804, "Europe", "Ukraine"),
    (BELGOROD, 643, "Europe", "Russia"),
    (TBILISI, 268, "Caucasus and Central Asia", "Georgia"),
]


@pytest.mark.parametrize(("location", "iso", "region", "country"), COUNTRIES)
def test_iso_region_and_country_follow_acled(location: Location, iso: int, region: str, country: str) -> None:
    (row,) = _rows([_event("Russian forces shelled the town.")], location)
    assert (row["iso"], row["region"], row["country"]) == (iso, region, country)


def test_an_event_at_sea_has_no_country_columns() -> None:
    sea = Location("Black Sea", None, 43.5, 34.5, "region")
    (row,) = _rows([_event("A drone struck a tanker.", "air_strike")], sea)
    assert (row["iso"], row["region"], row["country"]) == ("", "", "")


SCALES = [
    ({"r1": "Ukrinform"}, "National"),
    ({"r1": "BBC News (paraphrase)"}, "International"),
    ({"r1": "Ukrinform", "r2": "Reuters"}, "National-International"),
    ({"r1": "A blog nobody knows"}, ""),
    ({"r1": None}, ""),
]


@pytest.mark.parametrize(("outlets", "scale"), SCALES)
def test_source_scale_is_the_outlets_reach_not_their_names(outlets: dict, scale: str) -> None:
    events = [
        _event("Russian forces shelled the town.", cid=f"c{i}", rid=rid) for i, rid in enumerate(outlets)
    ]
    (row,) = _rows(events, outlets=outlets)
    assert row["source_scale"] == scale


def test_an_event_the_text_does_not_date_takes_its_report_date_at_month_precision() -> None:
    told = DateInfo("2023-02-10", "2023-02-10", "day", basis="report")
    (row,) = _rows([_event("Russian forces shelled the town.", date=told)], date=DateInfo())
    assert (row["event_date"], row["year"], row["time_precision"]) == ("2023-02-10", "2023", 3)
    undated = DateInfo()
    (row,) = _rows([_event("Russian forces shelled the town.", date=undated)], date=DateInfo())
    assert (row["event_date"], row["time_precision"]) == ("2023-02-10", 3)  # the report's date
    day = DateInfo("2023-02-08", "2023-02-08", "day")
    (row,) = _rows([_event("Russian forces shelled the town on Wednesday.", date=day)])
    assert (row["event_date"], row["time_precision"]) == ("2023-02-08", 1)


def test_the_csv_has_acleds_columns_in_order() -> None:
    text = acled_csv(_rows([_event("Russian forces shelled the town, killing two.")]))
    header, line = text.splitlines()
    assert header.split(",") == ACLED_COLUMNS
    assert ",Military Forces of Russia (2000-),,8,,,0,80," in line
