"""End to end through the CLI: the bundled examples, exports valid against the contract."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from claimledger.cli import app
from claimledger.dedup import assign_stories
from claimledger.model import Report
from conftest import BACKENDS, copy_ledger, database_name

SCHEMAS = Path(__file__).parent / "contract"
runner = CliRunner()


def _schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=BACKENDS)
def ledger(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The example corpus run into a ledger on each backend, with its exports."""
    folder = tmp_path_factory.mktemp("ledger")
    url = (
        f"sqlite:///{folder / 'ledger.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres").database(database_name(request))
    )
    result = runner.invoke(app, ["run", "--db", url, "--exports", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return url, folder / "out"


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("file", "schema"),
    [("reports.jsonl", "report"), ("claims.jsonl", "claim"), ("incidents.jsonl", "incident")],
)
def test_exports_validate_against_the_contract(ledger: tuple[str, Path], file: str, schema: str) -> None:
    records = _lines(ledger[1] / file)
    assert records
    validator = jsonschema.Draft202012Validator(_schema(schema))
    for record in records:
        validator.validate(record)


def test_every_evidence_span_quotes_its_report(ledger: tuple[str, Path]) -> None:
    texts = {r["report_id"]: r["text"] for r in _lines(ledger[1] / "reports.jsonl")}
    for claim in _lines(ledger[1] / "claims.jsonl"):
        for span in claim["evidence"]:
            assert texts[claim["report_id"]][span["start"] : span["end"]] == span["text"]


def test_example_corpus_covers_the_main_event_types(ledger: tuple[str, Path]) -> None:
    types = {c["type"] for c in _lines(ledger[1] / "claims.jsonl")}
    assert {"looting", "loot_trade", "vehicle_theft", "desertion", "shelling", "mine_laying"} <= types


def test_wire_copies_share_a_story_and_count_as_one_source(ledger: tuple[str, Path]) -> None:
    reports = _lines(ledger[1] / "reports.jsonl")
    stories = {Path(r["origin"]["path"]).name: r["story_id"] for r in reports}
    assert stories["07-kramatorsk-shelling-ap.txt"] == stories["08-kramatorsk-shelling-copy.txt"]
    assert len(set(stories.values())) == len(stories) - 1
    copy_ids = {r["report_id"] for r in reports if Path(r["origin"]["path"]).name.startswith(("07-", "08-"))}
    copied = [i for i in _lines(ledger[1] / "incidents.jsonl") if copy_ids <= set(i["report_ids"])]
    assert copied
    for incident in copied:
        names = [s["source"] for s in incident["sources"]]
        # The same source in both copies is one source with two reports, not two sources.
        assert len(names) == len(set(names)) == incident["independent_source_count"]
    mayor = [s for i in copied for s in i["sources"] if s["source"] == "the city's mayor"]
    assert mayor and all(set(s["report_ids"]) == copy_ids for s in mayor)


def test_the_example_shows_one_event_told_by_two_independent_sources_and_a_copy(
    ledger: tuple[str, Path], tmp_path: Path
) -> None:
    reports = _lines(ledger[1] / "reports.jsonl")
    names = {r["report_id"]: Path(r["origin"]["path"]).name[:2] for r in reports}
    told = [
        i
        for i in _lines(ledger[1] / "incidents.jsonl")
        if i["type"] == "shelling" and {"07", "08", "18"} <= {names[r] for r in i["report_ids"]}
    ]
    assert told, "the Kramatorsk strike is one incident of the three reports"
    strike = told[0]
    # Three reports, two stories (the wire text and its copy are one), two independent sources.
    assert len(strike["report_ids"]) == 3 and len(strike["story_ids"]) == 2
    assert strike["independent_source_count"] == 2
    # `run` on the bundled corpus says so.
    result = runner.invoke(
        app, ["run", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--exports", str(tmp_path / "x")]
    )
    assert result.exit_code == 0, result.output
    counted = re.search(r"(\d+) incidents have two or more independent sources", result.stdout)
    assert counted and int(counted.group(1)) >= 1
    assert "shelling in Kramatorsk" in result.stdout and "copies of one story count once" in result.stdout


def test_reprocessing_is_idempotent(ledger: tuple[str, Path], tmp_path: Path) -> None:
    url, out = ledger
    assert runner.invoke(app, ["run", "--db", url]).exit_code == 0
    assert runner.invoke(app, ["process", "--db", url]).exit_code == 0
    for kind in ("claims", "incidents"):
        result = runner.invoke(app, ["export", kind, "--db", url, "--out", str(tmp_path / f"{kind}.jsonl")])
        assert result.exit_code == 0
        assert (tmp_path / f"{kind}.jsonl").read_text() == (out / f"{kind}.jsonl").read_text()


def test_private_names_are_redacted_unless_asked(ledger_url: str, tmp_path: Path) -> None:
    url = ledger_url
    (tmp_path / "r.txt").write_text(
        "Olena Kovalchuk, a resident of Bucha, said Russian soldiers looted her home in March.",
        encoding="utf-8",
    )
    assert (
        runner.invoke(
            app, ["run", str(tmp_path / "r.txt"), "--db", url, "--published", "2022-04-05"]
        ).exit_code
        == 0
    )
    redacted = runner.invoke(app, ["export", "claims", "--db", url]).stdout
    named = runner.invoke(app, ["export", "claims", "--db", url, "--include-private-names"]).stdout
    assert "Kovalchuk" in named
    claims = [json.loads(line) for line in redacted.splitlines() if line.startswith("{")]
    assert claims and all("Kovalchuk" not in json.dumps(c["attributions"]) + c["summary"] for c in claims)


def test_bad_inputs_are_reported_and_skipped(ledger_url: str, tmp_path: Path) -> None:
    url = ledger_url
    (tmp_path / "good.txt").write_text(
        "Russian forces shelled Kharkiv on Saturday, the governor said.", encoding="utf-8"
    )
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bad.jsonl").write_text(
        '{"text": "Troops looted shops in Irpin, residents said."}\n{broken\n', encoding="utf-8"
    )
    result = runner.invoke(app, ["ingest", str(tmp_path), "--db", url])
    assert result.exit_code == 0
    assert (
        "empty.txt" in result.output and "bad.jsonl:2" in result.output and "Traceback" not in result.output
    )
    assert "ingested 2 new report(s)" in result.output
    again = runner.invoke(app, ["ingest", str(tmp_path), "--db", url])
    assert "ingested 0 new report(s), 2 already" in again.output


def test_verify_detects_an_altered_original(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "l.db"
    (tmp_path / "a.txt").write_text(
        "Russian forces shelled Kharkiv on Saturday, the governor said.", encoding="utf-8"
    )
    assert runner.invoke(app, ["ingest", str(tmp_path / "a.txt"), "--db", f"sqlite:///{path}"]).exit_code == 0
    assert runner.invoke(app, ["verify", "--db", f"sqlite:///{path}"]).exit_code == 0
    with sqlite3.connect(path) as db:
        db.execute("UPDATE originals SET data = X'00'")
    result = runner.invoke(app, ["verify", "--db", f"sqlite:///{path}"])
    assert result.exit_code == 1 and "do not match" in result.output


def test_acled_and_geojson_exports(ledger: tuple[str, Path]) -> None:
    import csv

    rows = list(csv.DictReader((ledger[1] / "acled.csv").open(encoding="utf-8")))
    assert rows and {
        "event_date",
        "event_type",
        "sub_event_type",
        "latitude",
        "longitude",
        "geo_precision",
    } <= set(rows[0])
    geo = json.loads((ledger[1] / "incidents.geojson").read_text(encoding="utf-8"))
    assert geo["type"] == "FeatureCollection" and geo["features"][0]["geometry"]["type"] == "Point"


def test_the_example_acled_rows_are_coded_as_acled_codes_them(ledger: tuple[str, Path]) -> None:
    import csv

    rows = list(csv.DictReader((ledger[1] / "acled.csv").open(encoding="utf-8")))
    claims = _lines(ledger[1] / "claims.jsonl")
    denied = {c["summary"] for c in claims if c["modality"] == "denied"}
    assert denied and not denied & {r["notes"] for r in rows}
    assert all(r["event_date"] and r["time_precision"] in ("1", "2", "3") for r in rows)
    assert all(r["iso"] and r["region"] for r in rows if r["country"] in ("Ukraine", "Russia", "Belarus"))
    assert {r["iso"] for r in rows if r["country"] == "Ukraine"} == {"804"}
    kramatorsk = [
        r for r in rows if r["location"] == "Kramatorsk" and r["event_type"] != "Strategic developments"
    ]
    assert kramatorsk and all(r["fatalities"] == "3" for r in kramatorsk)
    # Actors are ACLED's names, with their type codes; never the text's "three people".
    named = [r for r in rows if r["actor1"]]
    assert len(named) >= 2 * len(rows) // 3
    assert all(r["inter1"] and r["interaction"] for r in named)
    assert all(
        r["actor2"].startswith(("Civilians", "Military Forces", "Police Forces")) for r in rows if r["actor2"]
    )
    assert {r["source_scale"] for r in rows} <= {"", "National", "International", "National-International"}


def _report(rid: str, text: str, published: str) -> Report:
    return Report(rid, rid * 4, f"{rid}.txt", None, None, None, published, "en", text)


def test_independent_reports_of_one_event_are_not_one_story() -> None:
    a = "Russian rockets hit a school in Kharkiv on Thursday morning, the regional governor wrote on Telegram, adding that two teachers were hurt and the building burned for hours before firefighters arrived."
    b = "Two teachers were injured when a school in Kharkiv was struck by rockets on Thursday, according to local officials who spoke to our reporter at the scene after the fire was put out."
    stories = assign_stories(
        [
            _report("a", a, "2022-05-05"),
            _report("b", b, "2022-05-05"),
            _report("c", a + " Copy edited.", "2022-05-06"),
        ]
    )
    assert stories["a"] == stories["c"] != stories["b"]


def test_locate_prints_one_json_line_per_input(tmp_path: Path) -> None:
    lines = tmp_path / "places.jsonl"
    lines.write_text(
        json.dumps({"q": "Trostyanets', Sumy region"}) + "\n" + json.dumps({"q": ""}) + "\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["locate", "--jsonl", str(lines), "--field", "q", "--as-place"])
    assert result.exit_code == 0
    first, second = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert first["places"][0]["admin1"] == "Sumy" and second == {"places": []}
    text = runner.invoke(app, ["locate", "Shelling hit Izium, Kharkiv Oblast"])
    assert json.loads(text.stdout)["places"][0]["name"] == "Izyum"


def test_locate_reads_a_files_ambiguous_line_by_its_other_lines_unless_asked_not_to(tmp_path: Path) -> None:
    lines = tmp_path / "events.jsonl"
    texts = [
        "Shelling of Marinka, Donetsk Oblast.",
        "Strikes on Kurakhove, Donetsk Oblast.",
        "Damage in Vuhledar, Donetsk Oblast.",
        "Heavy shelling of Novomykhailivka.",
    ]
    lines.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
    together, alone = (
        [
            json.loads(line)["places"][0]
            for line in runner.invoke(app, ["locate", "--jsonl", str(lines), *extra]).stdout.splitlines()
        ]
        for extra in ([], ["--each-alone"])
    )
    assert together[:3] == alone[:3]
    assert (together[3]["admin1"], together[3]["precision"]) == ("Donetsk", "admin2")
    assert (alone[3]["name"], alone[3]["precision"]) == ("Ukraine", "country")


def test_new_reports_leave_unrelated_incident_ids_unchanged(
    ledger: tuple[str, Path], request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = copy_ledger(ledger[0], request, tmp_path)
    before = {
        json.loads(line)["incident_id"] for line in (ledger[1] / "incidents.jsonl").read_text().splitlines()
    }
    (tmp_path / "new.txt").write_text(
        "Russian missiles struck the port of Izmail on Sunday, killing two people, the governor said.",
        encoding="utf-8",
    )
    assert (
        runner.invoke(
            app, ["ingest", str(tmp_path / "new.txt"), "--published", "2023-03-08", "--db", url]
        ).exit_code
        == 0
    )
    assert runner.invoke(app, ["process", "--db", url]).exit_code == 0
    after = {
        json.loads(line)["incident_id"]
        for line in runner.invoke(app, ["export", "incidents", "--db", url]).stdout.splitlines()
        if line.startswith("{")
    }
    assert before < after


def test_a_resumed_ingest_does_not_read_known_originals_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: every known original was cleaned and parsed again before being found known,
    so an ingest restarted after a kill spent its time on what the ledger already had."""
    from claimledger import pipeline
    from claimledger.model import RawDocument
    from claimledger.store import LedgerStore

    store = LedgerStore(f"sqlite:///{tmp_path / 'resume.db'}")
    raws = [
        RawDocument(
            f"Shells hit the market in Kharkiv on day {i}, the mayor said.".encode(), "text", f"r{i}.txt"
        )
        for i in range(3)
    ]
    assert pipeline.ingest_into(store, raws[:2]).added == 2

    def refuse(_: object) -> None:
        raise AssertionError("a known original was read again")

    real = pipeline.clean_report
    monkeypatch.setattr(
        pipeline, "clean_report", lambda report: real(report) if report.path == "r2.txt" else refuse(report)
    )
    summary = pipeline.ingest_into(store, raws)
    assert (summary.added, summary.known) == (1, 2)
