"""Reviews take effect at once (issue 22, items 1 and 2): a confirmation, rejection or correction
regroups the incidents it can change, without another `process`, so incidents, grades, counts
and every export show it; the claims export says who reviewed what and when."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from claimledger.cli import app as cli
from claimledger.model import Incident
from claimledger.pipeline import link_reports, review_claim, reviewed_claims
from claimledger.store import LedgerStore
from claimledger.web import Ledger, create_app
from conftest import BACKENDS, copy_ledger, database_name

runner = CliRunner()
SCHEMAS = Path(__file__).parent / "contract"
# Our own sentences: two sources telling one shelling of Izium, a looting there the same day,
# and a shelling of Kupiansk a month later.
REPORTS = {
    "governor.txt": (
        "Alpha News",
        "2022-05-10",
        "Russian artillery shelled Izium on 9 May 2022, the regional governor Oleh Synehubov said.",
    ),
    "staff.txt": (
        "Beta Daily",
        "2022-05-10",
        "Izium was shelled by Russian forces on 9 May 2022, the Ukrainian General Staff said in its morning update.",
    ),
    "shops.txt": (
        "Gamma Post",
        "2022-05-10",
        "Russian soldiers looted shops in Izium on 9 May 2022, residents told the local council.",
    ),
    "kupiansk.txt": (
        "Delta Wire",
        "2022-06-13",
        "Russian troops shelled Kupiansk on 12 June 2022, the mayor of the town said.",
    ),
}


@pytest.fixture(scope="module", params=BACKENDS)
def processed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("review")
    (folder / "reports").mkdir()
    meta = []
    for name, (outlet, published, text) in REPORTS.items():
        (folder / "reports" / name).write_text(text + "\n", encoding="utf-8")
        meta.append(json.dumps({"path": f"reports/{name}", "outlet": outlet, "published": published}))
    (folder / "meta.jsonl").write_text("\n".join(meta) + "\n", encoding="utf-8")
    url = (
        f"sqlite:///{folder / 'ledger.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres").database(database_name(request))
    )
    for args in (
        ["ingest", str(folder / "reports"), "--meta", str(folder / "meta.jsonl")],
        ["process"],
        ["user", "add", "olena", "--role", "analyst", "--password-stdin"],
    ):
        result = runner.invoke(cli, [*args, "--db", url], input="correct horse battery\n")
        assert result.exit_code == 0, result.output
    return url


@pytest.fixture()
def url(processed: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return copy_ledger(processed, request, tmp_path)


def _claim(store: LedgerStore, outlet: str) -> str:
    reports = {r.report_id: r.outlet for r in store.reports()}
    return next(c.claim_id for c in store.claims() if reports[c.report_id] == outlet)


def _incident_of(store: LedgerStore, claim_id: str) -> Incident | None:
    return next((i for i in store.incidents() if claim_id in i.claim_ids), None)


def _export(url: str, kind: str) -> str:
    result = runner.invoke(cli, ["export", kind, "--db", url])
    assert result.exit_code == 0, result.output
    return result.stdout


def _as_processed_again(store: LedgerStore) -> list[Incident]:
    """The incidents a full `process` would compute now."""
    return sorted(
        link_reports(store.reports(), reviewed_claims(store)).incidents, key=lambda i: i.incident_id
    )


def _stored(store: LedgerStore) -> list[Incident]:
    return sorted(store.incidents(), key=lambda i: i.incident_id)


def test_a_rejected_claim_leaves_its_incident_its_source_count_and_every_export_at_once(url: str) -> None:
    store = LedgerStore(url)
    governor, staff = _claim(store, "Alpha News"), _claim(store, "Beta Daily")
    before = _incident_of(store, governor)
    assert before is not None and staff in before.claim_ids and before.independent_source_count == 2
    review_claim(store, staff, "olena", "reject", {})
    after = _incident_of(store, governor)
    assert after is not None and after.claim_ids == (governor,) and after.independent_source_count == 1
    assert _incident_of(store, staff) is None
    incidents = [json.loads(line) for line in _export(url, "incidents").splitlines()]
    assert not any(staff in i["claim_ids"] for i in incidents)
    geo = json.loads(_export(url, "geojson"))
    assert not any(staff in f["properties"]["claim_ids"] for f in geo["features"])
    assert staff not in _export(url, "claims")
    assert _stored(store) == _as_processed_again(store)
    assert store.verify().problems == []


def test_rejecting_an_incidents_only_claim_removes_it_from_the_incidents_and_the_acled_export(
    url: str,
) -> None:
    store = LedgerStore(url)
    shops = _claim(store, "Gamma Post")
    looting = _incident_of(store, shops)
    assert looting is not None
    rows = list(csv.DictReader(io.StringIO(_export(url, "acled"))))
    assert any(r["event_id_cnty"].endswith(looting.incident_id[-8:].upper()) for r in rows)
    review_claim(store, shops, "olena", "reject", {}, "a rumour")
    assert looting.incident_id not in {i.incident_id for i in store.incidents()}
    rows = list(csv.DictReader(io.StringIO(_export(url, "acled"))))
    assert not any(r["event_id_cnty"].endswith(looting.incident_id[-8:].upper()) for r in rows)
    assert store.verify().problems == []
    # Confirmed again, it is back in an incident of its own, still without `process`.
    review_claim(store, shops, "olena", "confirm", {})
    again = _incident_of(store, shops)
    assert again is not None and again.claim_ids == (shops,)
    assert _stored(store) == _as_processed_again(store) and store.verify().problems == []


@pytest.mark.parametrize(
    "outlet, changes, joins",
    [
        # A looting corrected to a shelling joins the shelling told by two sources that day.
        ("Gamma Post", {"type": "shelling"}, "Alpha News"),
        # A shelling put in Izium on 9 May joins Izium's shelling and leaves Kupiansk's incident.
        ("Delta Wire", {"place": "Izium", "date": {"start": "2022-05-09"}}, "Alpha News"),
    ],
)
def test_a_correction_moves_the_claim_to_the_incident_of_its_new_values(
    url: str, outlet: str, changes: dict[str, object], joins: str
) -> None:
    store = LedgerStore(url)
    claim, other = _claim(store, outlet), _claim(store, joins)
    old = _incident_of(store, claim)
    assert old is not None and other not in old.claim_ids
    review_claim(store, claim, "olena", "correct", changes)
    new = _incident_of(store, claim)
    assert new is not None and other in new.claim_ids and new.type == "shelling"
    assert old.incident_id not in {i.incident_id for i in store.incidents()}
    assert _stored(store) == _as_processed_again(store)
    assert store.verify().problems == []


def test_a_review_regroups_only_the_incidents_it_can_touch(url: str) -> None:
    store = LedgerStore(url)
    governor, staff = _claim(store, "Alpha News"), _claim(store, "Beta Daily")
    shelling, kupiansk = _incident_of(store, staff), _incident_of(store, _claim(store, "Delta Wire"))
    review_claim(store, staff, "olena", "reject", {})
    regroup = [e for e in store.audit_entries() if e["action"] == "regroup"][-1]["detail"]
    left = _incident_of(store, governor)
    assert shelling is not None and kupiansk is not None and left is not None
    assert regroup["removed"] == [shelling.incident_id] and regroup["added"] == [left.incident_id]
    assert regroup["claim_ids"] == [staff] and regroup["review_id"]


def test_a_confirmation_changes_no_incident_and_writes_no_regrouping(url: str) -> None:
    store = LedgerStore(url)
    before = _stored(store)
    review_claim(store, _claim(store, "Alpha News"), "olena", "confirm", {})
    assert _stored(store) == before
    assert [e["action"] for e in store.audit_entries()][-1] == "review"


def test_an_incident_altered_after_a_review_fails_verify(url: str) -> None:
    import sqlalchemy as sa

    store = LedgerStore(url)
    review_claim(store, _claim(store, "Beta Daily"), "olena", "reject", {})
    assert store.verify().problems == []
    with store.engine.begin() as conn:
        conn.execute(
            sa.text("DELETE FROM incidents WHERE incident_id = (SELECT min(incident_id) FROM incidents)")
        )
    assert any(p.startswith("incidents:") for p in store.verify().problems)


def test_a_ledger_without_its_claim_index_builds_it_for_the_first_review(url: str) -> None:
    """A ledger processed before the index existed (or loaded from a Spark job) has none."""
    import sqlalchemy as sa

    store = LedgerStore(url)
    with store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM claim_links"))
    review_claim(store, _claim(store, "Gamma Post"), "olena", "correct", {"type": "shelling"})
    assert _stored(store) == _as_processed_again(store) and store.verify().problems == []


def test_a_type_correction_restates_the_summary_with_the_new_type(url: str) -> None:
    store = LedgerStore(url)
    shops = _claim(store, "Gamma Post")
    review_claim(store, shops, "olena", "correct", {"type": "property_destruction"})
    exported = {c["claim_id"]: c for c in map(json.loads, _export(url, "claims").splitlines())}
    summary = exported[shops]["summary"]
    assert summary.startswith("Property destruction") and "Looting" not in summary


def test_the_claims_export_says_who_reviewed_a_claim_when_and_what_was_corrected(url: str) -> None:
    store = LedgerStore(url)
    shops, governor = _claim(store, "Gamma Post"), _claim(store, "Alpha News")
    review_claim(store, shops, "olena", "correct", {"type": "shelling"})
    review_claim(store, shops, "olena", "correct", {"attribution": {"source": "the local council"}})
    review_claim(store, governor, "olena", "confirm", {})
    exported = {c["claim_id"]: c for c in map(json.loads, _export(url, "claims").splitlines())}
    schema = json.loads((SCHEMAS / "claim.json").read_text(encoding="utf-8"))
    for record in exported.values():
        jsonschema.validate(record, schema)
    review = exported[shops]["review"]
    assert review["status"] == "corrected" and review["reviewer"] == "olena"
    assert review["corrected"] == ["type", "attribution"]
    assert review["at"] == store.reviews([shops])[shops][-1]["at"]
    assert exported[governor]["review"]["status"] == "confirmed"
    assert exported[governor]["review"]["corrected"] == []
    assert "review" not in exported[_claim(store, "Delta Wire")]  # nobody reviewed it


def _login(client: TestClient) -> str:
    client.get("/login")
    response = client.post(
        "/login",
        data={"name": "olena", "password": "correct horse battery", "csrf": client.cookies.get("cl_csrf")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return str(client.cookies.get("cl_csrf"))


def test_a_review_in_the_web_reaches_incidents_and_counts_in_every_worker_at_once(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Ledger, "RECHECK_SECONDS", 0.0)  # the other worker looks at once
    analyst, other_worker = TestClient(create_app(url, secret="s")), TestClient(create_app(url, secret="s"))
    token = _login(analyst)
    store = LedgerStore(url)
    shops = _claim(store, "Gamma Post")
    assert other_worker.get("/api/incidents", params={"type": "looting"}).json()["total"] == 1
    response = analyst.post(
        f"/api/claims/{shops}/review",
        json={"action": "correct", "changes": {"type": "shelling"}},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 200
    for client in (analyst, other_worker):
        assert client.get("/api/incidents", params={"type": "looting"}).json()["total"] == 0
        shelling = client.get("/api/incidents", params={"type": "shelling"}).json()["items"]
        assert any(shops in i["claim_ids"] for i in shelling)
    # The patched snapshot is the one a server started now would load.
    fresh = TestClient(create_app(url, secret="s"))
    for params in ({}, {"type": "shelling"}, {"place": "Izyum"}, {"min_sources": 2}):
        assert (
            analyst.get("/api/incidents", params=params).json()
            == fresh.get("/api/incidents", params=params).json()
        )


def test_a_type_picked_in_the_form_is_saved_as_a_correction_even_with_confirm_checked(url: str) -> None:
    client = TestClient(create_app(url, secret="s"))
    token = _login(client)
    store = LedgerStore(url)
    shops = _claim(store, "Gamma Post")
    response = client.post(
        f"/claims/{shops}/review",
        data={"action": "confirm", "type": "vehicle_theft", "csrf": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    reviews = store.reviews([shops])[shops]
    assert [(r["action"], r["changes"]) for r in reviews] == [("correct", {"type": "vehicle_theft"})]
    shown = client.get(f"/api/claims/{shops}").json()
    assert shown["type"] == "vehicle_theft" and shown["review"]["corrected"] == ["type"]
    page = client.get(f"/claims/{shops}").text
    assert "Vehicle theft in Izyum" in page


def test_a_confirm_with_the_claims_own_type_picked_stays_a_confirmation(url: str) -> None:
    client = TestClient(create_app(url, secret="s"))
    token = _login(client)
    store = LedgerStore(url)
    shops = _claim(store, "Gamma Post")
    client.post(f"/claims/{shops}/review", data={"action": "confirm", "type": "looting", "csrf": token})
    assert [r["action"] for r in store.reviews([shops])[shops]] == ["confirm"]


# -- a regrouping equals a full rebuild, whatever the reviews ------------------------------
SITES = [
    ("Izyum", 49.20697, 37.27679, "place", 707292),
    ("Izyum market", 49.2160, 37.2800, "place", None),  # 1 km from Izyum, another name
    ("Kupyansk", 49.71003, 37.61581, "place", 703656),
    ("Kharkiv", 49.77486, 36.43552, "admin1", None),
    (None, None, None, None, None),
]
KINDS = ["shelling", "air_strike", "looting", "territory_change", "arrest"]
RENAMED = ["Izium", "Kupiansk", "Kharkiv", "Balakliia"]


def _synthetic_ledger(url: str, rng: random.Random, count: int) -> LedgerStore:
    """A ledger of invented one-sentence reports written straight through the schema (some
    reports copies of one text, so that stories hold several), linked as `process` links them."""
    from claimledger.model import Attribution, Claim, DateInfo, Item, Location, Span
    from claimledger.pipeline import link_index
    from claimledger.store import claim_to_json, schema

    store = LedgerStore(url)
    originals, reports, claims = [], [], []
    texts: list[str] = []
    for n in range(count):
        name, lat, lon, precision, gid = rng.choice(SITES)
        kind = rng.choice(KINDS)
        day = None if rng.random() < 0.25 else f"2022-05-{rng.randint(1, 8):02d}"
        if texts and rng.random() < 0.2:
            text = rng.choice(texts)  # a copy: another outlet's capture of the same text
        else:
            text = f"Event {n}: {kind.replace('_', ' ')} at {name or 'an unnamed village'} on {day or 'some day'}, officials said."
            texts.append(text)
        sha = hashlib.sha256(f"report {n}".encode()).hexdigest()
        rid = sha[:24]
        originals.append(
            {"sha256": sha, "data": text.encode(), "size": len(text), "captured_at": "2026-01-01"}
        )
        reports.append(
            {
                "report_id": rid,
                "sha256": sha,
                "kind": "text",
                "path": f"{rid}.txt",
                "url": None,
                "outlet": rng.choice(["Alpha News", "Beta Daily", "Gamma Post"]),
                "title": None,
                "published": "2022-05-21",
                "language": "en",
                "text": text,
                "boilerplate": [],
                "story_id": None,
                "ingested_at": "2026-01-01",
                "processed_version": "test",
            }
        )
        sites = (
            ()
            if name is None
            else (Location(name, "UA", lat, lon, precision, geonameid=gid, admin1="Kharkiv"),)
        )  # type: ignore[arg-type]
        things = (Item("painting", "art"),) if kind == "looting" and rng.random() < 0.5 else ()
        source = rng.choice(["the regional governor", "the General Staff", "residents"])
        claim = Claim(
            f"c{n:020d}",
            rid,
            kind,  # type: ignore[arg-type]
            text,
            (Span(0, len(text), text),),
            DateInfo(day, day, "day" if day else "unknown", day),
            sites,
            items=things,
            attributions=(Attribution(source, "government", "statement"),),
        )
        claims.append(
            {
                "claim_id": claim.claim_id,
                "report_id": rid,
                "type": kind,
                "position": 0,
                "data": claim_to_json(claim),
            }
        )
    with store.engine.begin() as conn:
        conn.execute(schema.originals.insert(), originals)
        conn.execute(schema.reports.insert(), reports)
        conn.execute(schema.claims.insert(), claims)
    shown = reviewed_claims(store)
    ledger = link_reports(store.reports(), shown)
    store.save_links(
        ledger.stories, ledger.incidents, {}, link_index(shown, ledger.stories, ledger.incidents)
    )
    return store


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_regrouping_after_each_review_gives_what_a_full_process_would(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    store = _synthetic_ledger(f"sqlite:///{tmp_path / 'synthetic.db'}", rng, 40)
    assert any(len(i.claim_ids) > 1 for i in store.incidents())  # the ledger links claims
    claim_ids = [c.claim_id for c in store.claims()]
    for step in range(12):
        claim_id = rng.choice(claim_ids)
        action = rng.choice(["reject", "confirm", "correct", "correct", "correct"])
        changes: dict[str, object] = {}
        if action == "correct":
            field = rng.choice(["type", "place", "date"])
            if field == "type":
                changes["type"] = rng.choice(KINDS)
            elif field == "place":
                changes["place"] = rng.choice(RENAMED)
            else:
                changes["date"] = {"start": f"2022-05-{rng.randint(1, 8):02d}"}
        review_claim(store, claim_id, "olena", action, changes, f"step {step}")
        assert _stored(store) == _as_processed_again(store), (claim_id, action, changes)
