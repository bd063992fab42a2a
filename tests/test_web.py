"""The web interface and API over a small ledger: pages, filters, pagination, escaping, accounts,
CSRF, reviews kept as records and shown in preference to the machine's values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from claimledger.cli import app as cli
from claimledger.store import LedgerStore
from claimledger.web import create_app
from claimledger.web.auth import LoginPolicy, session_id
from conftest import BACKENDS, copy_ledger, database_name

runner = CliRunner()
HOSTILE = (
    "Russian troops looted shops in Bucha on Sunday, residents said. <script>alert('pwned')</script> "
    '<img src=x onerror="alert(1)"> The mayor said soldiers stole cars in Irpin on Monday.'
)


@pytest.fixture(scope="module", params=BACKENDS)
def ledger(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The example corpus and a hostile report in a ledger on each backend, with two accounts."""
    folder = tmp_path_factory.mktemp("web")
    (folder / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    url = (
        f"sqlite:///{folder / 'ledger.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres").database(database_name(request))
    )
    from claimledger.cli import EXAMPLES

    for args in (
        ["ingest", str(EXAMPLES / "reports"), "--meta", str(EXAMPLES / "meta.jsonl")],
        ["ingest", str(folder / "hostile.txt"), "--published", "2022-04-04"],
        ["process"],
    ):
        result = runner.invoke(cli, [*args, "--db", url])
        assert result.exit_code == 0, result.output
    for name, role in (("olena", "analyst"), ("viktor", "viewer")):
        result = runner.invoke(
            cli,
            ["user", "add", name, "--role", role, "--password-stdin", "--db", url],
            input="correct horse battery\n",
        )
        assert result.exit_code == 0, result.output
    return url


@pytest.fixture()
def client(ledger: str, request: pytest.FixtureRequest, tmp_path: Path) -> TestClient:
    # Each test gets its own copy of the ledger, so reviews do not leak between tests.
    return TestClient(create_app(copy_ledger(ledger, request, tmp_path), secret="test-secret"))


def _sql(url: str, statement: str, **params: object) -> list[tuple]:
    """Run SQL on the ledger behind the API (to read or alter what it stored), on either backend."""
    import sqlalchemy as sa

    with LedgerStore(url).engine.begin() as conn:
        result = conn.execute(sa.text(statement), params)
        return [tuple(row) for row in result] if result.returns_rows else []


def _login(client: TestClient, name: str = "olena", password: str = "correct horse battery") -> str:
    client.get("/login")
    token = client.cookies.get("cl_csrf")
    response = client.post(
        "/login", data={"name": name, "password": password, "csrf": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return str(client.cookies.get("cl_csrf"))  # the token bound to the new session


def test_the_overview_lists_incidents_with_a_map_and_a_timeline(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'id="map"' in page.text and 'class="timeline"' in page.text and "/incidents/" in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_filters_narrow_the_overview_and_the_api_alike(client: TestClient) -> None:
    everything = client.get("/api/incidents").json()["total"]
    looting = client.get("/api/incidents", params={"type": "looting"}).json()
    assert 0 < looting["total"] < everything
    assert all(item["type"] == "looting" for item in looting["items"])
    page = client.get("/", params={"type": "looting"})
    assert f'<strong id="total">{looting["total"]}</strong>' in page.text
    dated = client.get("/api/incidents", params={"date_from": "2022-04-01", "date_to": "2022-04-30"}).json()
    assert all(
        (i["date"]["end"] or i["date"]["start"]) >= "2022-04-01" and i["date"]["start"] <= "2022-04-30"
        for i in dated["items"]
    )
    assert client.get("/api/incidents", params={"date_from": "April"}).status_code == 422


def test_api_pages_join_up_without_gaps_or_repeats(client: TestClient) -> None:
    seen: list[str] = []
    url: str | None = "/api/incidents?limit=7"
    while url:
        page = client.get(url).json()
        seen += [item["incident_id"] for item in page["items"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == client.get("/api/incidents").json()["total"]


def test_incident_report_and_claim_pages_show_their_evidence(client: TestClient) -> None:
    incident = client.get("/api/incidents", params={"type": "looting"}).json()["items"][0]
    page = client.get(f"/incidents/{incident['incident_id']}")
    assert page.status_code == 200 and "Independent sources" in page.text
    report_id = incident["report_ids"][0]
    report = client.get(f"/reports/{report_id}")
    assert report.status_code == 200 and "<mark" in report.text and "SHA-256" in report.text
    claim_id = incident["claim_ids"][0]
    assert f"/claims/{claim_id}" in report.text
    assert client.get(f"/claims/{claim_id}").status_code == 200
    assert client.get("/incidents/nope").status_code == 404


def test_script_in_a_report_is_shown_as_text(client: TestClient) -> None:
    report = next(
        r for r in client.get("/api/reports", params={"limit": 100}).json()["items"] if "pwned" in r["text"]
    )
    page = client.get(f"/reports/{report['report_id']}").text
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert 'onerror="alert' not in page


def test_reviewing_needs_an_analyst_and_a_csrf_token(client: TestClient) -> None:
    claim_id = client.get("/api/claims", params={"limit": 1}).json()["items"][0]["claim_id"]
    body = {"action": "reject"}
    client.get("/")
    assert (
        client.post(
            f"/api/claims/{claim_id}/review",
            json=body,
            headers={"X-CSRF-Token": str(client.cookies.get("cl_csrf"))},
        ).status_code
        == 401
    )
    token = _login(client, "viktor")
    assert (
        client.post(f"/api/claims/{claim_id}/review", json=body, headers={"X-CSRF-Token": token}).status_code
        == 403
    )
    token = _login(client, "olena")
    assert client.post(f"/api/claims/{claim_id}/review", json=body).status_code == 403  # no CSRF header
    assert (
        client.post(
            f"/api/claims/{claim_id}/review", json=body, headers={"X-CSRF-Token": "forged"}
        ).status_code
        == 403
    )
    assert (
        client.post(f"/api/claims/{claim_id}/review", json=body, headers={"X-CSRF-Token": token}).status_code
        == 200
    )


def test_a_correction_is_a_new_record_shown_and_exported_instead_of_the_machines(
    client: TestClient, tmp_path: Path
) -> None:
    token = _login(client)
    claim = client.get("/api/claims", params={"type": "looting", "limit": 1}).json()["items"][0]
    new_type = "vehicle_theft" if claim["type"] != "vehicle_theft" else "looting"
    response = client.post(
        f"/api/claims/{claim['claim_id']}/review",
        json={"action": "correct", "changes": {"type": new_type}, "note": "cars, not shops"},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 200
    shown = client.get(f"/api/claims/{claim['claim_id']}").json()
    assert (
        shown["type"] == new_type
        and shown["review_status"] == "corrected"
        and shown["reviews"][0]["note"] == "cars, not shops"
    )
    form = client.post(
        f"/claims/{claim['claim_id']}/review",
        data={"action": "correct", "place": "Trostyanets, Sumy region", "csrf": token},
        follow_redirects=False,
    )
    assert form.status_code == 303
    assert client.get(f"/api/claims/{claim['claim_id']}").json()["locations"][0]["name"] == "Trostyanets"
    url = _url_of(client)
    out = tmp_path / "claims.jsonl"
    assert runner.invoke(cli, ["export", "claims", "--out", str(out), "--db", url]).exit_code == 0
    exported = {c["claim_id"]: c for c in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert exported[claim["claim_id"]]["type"] == new_type
    store = LedgerStore(url)
    data = _sql(url, "SELECT data FROM claims WHERE claim_id = :cid", cid=claim["claim_id"])[0][0]
    machine = data if isinstance(data, dict) else json.loads(data)
    assert machine["type"] == claim["type"]  # the machine's version is kept
    assert [e["action"] for e in store.audit_entries()].count("review") == 2
    assert store.verify().problems == []


def test_a_rejected_claim_leaves_the_exports_and_an_altered_review_fails_verify(
    client: TestClient, tmp_path: Path
) -> None:
    token = _login(client)
    claim_id = client.get("/api/claims", params={"limit": 1}).json()["items"][0]["claim_id"]
    assert (
        client.post(
            f"/api/claims/{claim_id}/review", json={"action": "reject"}, headers={"X-CSRF-Token": token}
        ).status_code
        == 200
    )
    url = _url_of(client)
    out = tmp_path / "claims.jsonl"
    assert runner.invoke(cli, ["export", "claims", "--out", str(out), "--db", url]).exit_code == 0
    assert claim_id not in out.read_text(encoding="utf-8")
    _sql(url, "UPDATE reviews SET action = 'confirm'")
    assert any(p.startswith("review ") for p in LedgerStore(url).verify().problems)


def test_logins_are_rate_limited_and_sessions_are_http_only(client: TestClient) -> None:
    client.get("/login")
    token = client.cookies.get("cl_csrf")
    for _ in range(5):
        assert (
            client.post("/login", data={"name": "olena", "password": "wrong", "csrf": token}).status_code
            == 401
        )
    assert (
        client.post(
            "/login", data={"name": "olena", "password": "correct horse battery", "csrf": token}
        ).status_code
        == 429
    )
    fresh = TestClient(
        create_app(_url_of(client), secret="other")
    )  # another server: olena's lock holds there, viktor's account is free
    fresh.get("/login")
    response = fresh.post(
        "/login",
        data={"name": "viktor", "password": "correct horse battery", "csrf": fresh.cookies.get("cl_csrf")},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_a_login_form_without_its_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    assert (
        client.post("/login", data={"name": "olena", "password": "correct horse battery"}).status_code == 403
    )


def test_require_login_closes_pages_and_api(ledger: str) -> None:
    closed = TestClient(create_app(ledger, require_login=True, secret="s"))
    assert closed.get("/", follow_redirects=False).status_code == 303
    assert closed.get("/api/incidents").status_code == 401
    assert closed.get("/login").status_code == 200


def test_the_api_is_described_at_openapi_json(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/incidents", "/api/claims", "/api/reports", "/api/claims/{claim_id}/review"} <= set(paths)


def test_the_offline_basemap_serves_low_zoom_tiles(client: TestClient) -> None:
    tile = client.get("/tiles/2/2/1.png")
    assert tile.status_code == 200 and tile.content[:4] == b"\x89PNG"


def _url_of(client: TestClient) -> str:
    return str(client.app.state.db_url)  # type: ignore[attr-defined]


def test_a_correction_reaches_the_incidents_at_once_and_the_next_process_keeps_it(client: TestClient) -> None:
    token = _login(client)
    url = _url_of(client)
    incident = client.get("/api/incidents", params={"type": "looting", "limit": 1}).json()["items"][0]
    claim_id = incident["claim_ids"][0]
    body = {"action": "correct", "changes": {"type": "vehicle_theft"}}
    assert (
        client.post(f"/api/claims/{claim_id}/review", json=body, headers={"X-CSRF-Token": token}).status_code
        == 200
    )
    shown = client.get("/api/incidents", params={"type": "vehicle_theft", "limit": 500}).json()["items"]
    assert any(claim_id in i["claim_ids"] for i in shown)
    at_once = sorted(LedgerStore(url).incidents(), key=lambda i: i.incident_id)
    assert next(i for i in at_once if claim_id in i.claim_ids).type == "vehicle_theft"
    assert runner.invoke(cli, ["process", "--db", url]).exit_code == 0
    assert sorted(LedgerStore(url).incidents(), key=lambda i: i.incident_id) == at_once


def _a_claim(client: TestClient) -> str:
    return str(client.get("/api/claims", params={"limit": 1}).json()["items"][0]["claim_id"])


def test_a_planted_csrf_cookie_does_not_forge_a_review(client: TestClient) -> None:
    """Regression: the token was a double-submit cookie not tied to the session, so a page on
    another port of the host could plant `cl_csrf=tossed` and submit `csrf=tossed`."""
    _login(client)
    claim_id = _a_claim(client)
    session = client.cookies.get("cl_session")
    client.cookies.clear()  # the attacker's page replaced the CSRF cookie; the session stays
    client.cookies.set("cl_session", str(session))
    client.cookies.set("cl_csrf", "tossed")
    forged = client.post(
        f"/claims/{claim_id}/review", data={"action": "reject", "csrf": "tossed"}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert client.get(f"/api/claims/{claim_id}").json().get("review_status") in (None, "unreviewed")


def test_a_request_with_two_csrf_cookies_is_refused(client: TestClient) -> None:
    token = _login(client)
    claim_id = _a_claim(client)
    session = client.cookies.get("cl_session")
    headers = {"Cookie": f"cl_csrf=tossed; cl_session={session}; cl_csrf={token}", "X-CSRF-Token": token}
    response = client.post(f"/api/claims/{claim_id}/review", json={"action": "reject"}, headers=headers)
    assert response.status_code == 403 and "more than one cl_csrf" in response.json()["detail"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://127.0.0.1:8081"},  # another port of the same host
        {"Origin": "https://attacker.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_an_unsafe_request_from_another_origin_is_refused(
    client: TestClient, headers: dict[str, str]
) -> None:
    token = _login(client)
    claim_id = _a_claim(client)
    response = client.post(
        f"/api/claims/{claim_id}/review",
        json={"action": "reject"},
        headers={**headers, "X-CSRF-Token": token},
    )
    assert response.status_code == 403


def test_a_same_origin_review_passes_and_signed_in_pages_are_not_cached(client: TestClient) -> None:
    token = _login(client)
    claim_id = _a_claim(client)
    headers = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin", "X-CSRF-Token": token}
    assert (
        client.post(f"/api/claims/{claim_id}/review", json={"action": "confirm"}, headers=headers).status_code
        == 200
    )
    assert client.get("/").headers.get("cache-control") == "no-store"
    assert "strict-transport-security" not in client.get("/").headers  # plain http: no HSTS


def test_a_page_served_over_https_asks_for_https_from_then_on(
    ledger: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    secure = TestClient(
        create_app(copy_ledger(ledger, request, tmp_path), secret="test-secret"),
        base_url="https://testserver",
    )
    assert secure.get("/").headers["strict-transport-security"].startswith("max-age=")


def test_four_identical_reviews_at_once_store_one_and_never_fail(client: TestClient) -> None:
    """Regression: the review id hashes the record with its second, so the same review posted
    four times at once collided on the primary key: one 200 and three 500s."""
    import threading
    import time

    token = _login(client)
    claim_id = _a_claim(client)
    barrier = threading.Barrier(4)
    answers: list[tuple[int, dict]] = []

    def post() -> None:
        barrier.wait()
        response = client.post(
            f"/api/claims/{claim_id}/review",
            json={"action": "reject", "note": "twice clicked"},
            headers={"X-CSRF-Token": token},
        )
        answers.append((response.status_code, response.json()))

    time.sleep(1.05 - time.time() % 1)  # start just after a second begins, so all four share it
    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    codes = sorted(code for code, _ in answers)
    assert len(codes) == 4 and set(codes) <= {200, 409}, answers
    assert len({body["review_id"] for code, body in answers if code == 200}) == 1, answers
    reviews = client.get(f"/api/claims/{claim_id}").json()["reviews"]
    assert len(reviews) == 1 and reviews[0]["action"] == "reject"
    store = LedgerStore(_url_of(client))
    assert [e["action"] for e in store.audit_entries()].count("review") == 1
    assert store.verify().problems == []


def test_the_same_review_again_after_another_in_its_second_is_refused_not_lost(
    ledger: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Reject, confirm, reject within one second: the second reject has the first one's id. It is
    not the latest review, so pretending it was stored would leave the claim confirmed."""
    from claimledger.errors import ConflictError

    store = LedgerStore(copy_ledger(ledger, request, tmp_path))
    claim_id = store.claims()[0].claim_id
    import time

    time.sleep(1.05 - time.time() % 1)
    first = store.add_review(claim_id, "olena", "reject", {})
    second = store.add_review(claim_id, "olena", "confirm", {})
    if first["at"] != second["at"]:
        pytest.skip("the machine was too slow to write two reviews in one second")
    ordered = [r["review_id"] for r in store.reviews([claim_id])[claim_id]]
    if ordered[-1] == first["review_id"]:
        assert (
            store.add_review(claim_id, "olena", "reject", {})["review_id"] == first["review_id"]
        )  # already the latest
    else:
        with pytest.raises(ConflictError, match="send it again"):
            store.add_review(claim_id, "olena", "reject", {})
    assert len(store.reviews([claim_id])[claim_id]) == 2


@pytest.mark.parametrize(
    ("place", "refusal"),
    [
        (
            {"name": "Atlantis", "lat": 0, "lon": 0},
            "not lat, lon",
        ),  # coordinates from the request are never stored
        ({"name": "Bucha", "lat": 0, "lon": 0}, "not lat, lon"),
        ({"name": "Xylophonia"}, "no place called 'Xylophonia' in the gazetteer"),  # a made-up country
        ("Xylophonia", "no place called 'Xylophonia' in the gazetteer"),
        ("", "a corrected place is a place name"),
        ({"geonameid": 703448}, "not geonameid"),
    ],
)
def test_a_corrected_place_the_gazetteer_does_not_read_is_refused(
    client: TestClient, place: object, refusal: str
) -> None:
    """Regression: `correct` with {"name": "Atlantis", "lat": 0, "lon": 0} was stored as given,
    putting the claim in the Gulf of Guinea under a made-up name."""
    token = _login(client)
    claim_id = _a_claim(client)
    response = client.post(
        f"/api/claims/{claim_id}/review",
        json={"action": "correct", "changes": {"place": place}},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 422 and refusal in response.json()["detail"], response.text
    assert client.get(f"/api/claims/{claim_id}").json()["reviews"] == []


@pytest.mark.parametrize("place", ["Bucha", {"name": "Bucha"}, "Bucha, Kyiv region"])
def test_a_corrected_place_named_in_the_api_is_geocoded_by_the_gazetteer(
    client: TestClient, place: object
) -> None:
    token = _login(client)
    claim_id = _a_claim(client)
    response = client.post(
        f"/api/claims/{claim_id}/review",
        json={"action": "correct", "changes": {"place": place}},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 200, response.text
    stored = response.json()["changes"]["place"]
    assert stored["name"] == "Bucha" and stored["country"] == "UA" and stored["geonameid"]
    assert 50.4 < stored["lat"] < 50.7 and 30.1 < stored["lon"] < 30.4
    site = client.get(f"/api/claims/{claim_id}").json()["locations"][0]
    assert (site["name"], site["lat"], site["lon"]) == ("Bucha", stored["lat"], stored["lon"])


# -- sessions kept in the ledger -------------------------------------------------------------
PASSWORD = "correct horse battery"


def _replay(app_client: TestClient, session: str, csrf: str) -> TestClient:
    """The client holding exactly these two cookies again (as an attacker who copied them would)."""
    app_client.cookies.clear()
    app_client.cookies.set("cl_session", session)
    app_client.cookies.set("cl_csrf", csrf)
    return app_client


def _reviews(client: TestClient, claim_id: str, token: str) -> int:
    return client.post(
        f"/api/claims/{claim_id}/review", json={"action": "reject"}, headers={"X-CSRF-Token": token}
    ).status_code


def test_a_session_cookie_replayed_after_logout_is_refused(client: TestClient) -> None:
    """Regression: the cookie was a signed token valid for 12 hours; logging out only asked the
    browser to forget it, so a copy of it still signed in and still reviewed."""
    url = _url_of(client)
    claim_id = _a_claim(client)
    token = _login(client)
    session = str(client.cookies.get("cl_session"))
    assert client.post("/logout", data={"csrf": token}, follow_redirects=False).status_code == 303
    closed = _replay(TestClient(create_app(url, require_login=True, secret="test-secret")), session, token)
    page = closed.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login"
    assert closed.get("/api/incidents").status_code == 401
    assert _reviews(closed, claim_id, token) == 401
    form = _replay(client, session, token).post(
        f"/claims/{claim_id}/review", data={"action": "reject", "csrf": token}, follow_redirects=False
    )
    assert form.status_code == 401
    assert client.get(f"/api/claims/{claim_id}").json().get("review_status") in (None, "unreviewed")


def test_an_expired_session_is_refused(client: TestClient) -> None:
    token = _login(client)
    _sql(_url_of(client), "UPDATE sessions SET expires_at = '2000-01-01T00:00:00+00:00'")
    assert _reviews(client, _a_claim(client), token) == 401


def test_an_analyst_demoted_to_viewer_can_no_longer_review_with_the_old_cookie(client: TestClient) -> None:
    url = _url_of(client)
    claim_id = _a_claim(client)
    token = _login(client)
    result = runner.invoke(cli, ["user", "role", "olena", "viewer", "--db", url])
    assert result.exit_code == 0 and "1 open session(s) ended" in result.output, result.output
    assert _reviews(client, claim_id, token) == 401  # the session is gone
    token = _login(client)
    assert _reviews(client, claim_id, token) == 403  # signed in again: a viewer
    assert runner.invoke(cli, ["user", "role", "nobody", "viewer", "--db", url]).exit_code != 0


def test_the_role_is_read_from_the_ledger_on_every_request_not_from_the_cookie(client: TestClient) -> None:
    """Regression: the role was signed into the cookie, so a demotion waited up to 12 hours."""
    url = _url_of(client)
    token = _login(client)
    _sql(
        url, "UPDATE users SET role = 'viewer' WHERE name = 'olena'"
    )  # behind the store's back: the session stays
    assert _reviews(client, _a_claim(client), token) == 403
    assert "olena (viewer)" in client.get("/").text


def test_a_password_reset_ends_the_old_sessions(client: TestClient) -> None:
    url = _url_of(client)
    claim_id = _a_claim(client)
    token = _login(client)
    reset = runner.invoke(
        cli,
        ["user", "add", "olena", "--role", "analyst", "--password-stdin", "--db", url],
        input="a new and longer secret\n",
    )
    assert reset.exit_code == 0, reset.output
    assert _reviews(client, claim_id, token) == 401
    client.get("/login")
    assert (
        client.post(
            "/login", data={"name": "olena", "password": PASSWORD, "csrf": client.cookies.get("cl_csrf")}
        ).status_code
        == 401
    )
    token = _login(client, password="a new and longer secret")
    assert _reviews(client, claim_id, token) == 200


def test_user_logout_ends_every_session_of_that_account_and_no_other(client: TestClient) -> None:
    url = _url_of(client)
    claim_id = _a_claim(client)
    laptop_token = _login(client)
    phone = TestClient(create_app(url, secret="test-secret"), client=("192.0.2.20", 50000))
    phone_token = _login(phone)
    colleague = TestClient(create_app(url, secret="test-secret"), client=("192.0.2.30", 50000))
    _login(colleague, "viktor")
    result = runner.invoke(cli, ["user", "logout", "olena", "--db", url])
    assert result.exit_code == 0 and "2 session(s) of olena ended" in result.output, result.output
    assert _reviews(client, claim_id, laptop_token) == 401
    assert _reviews(phone, claim_id, phone_token) == 401
    assert "viktor (viewer)" in colleague.get("/").text  # still signed in


def test_user_sessions_lists_who_is_signed_in_from_where_without_tokens(client: TestClient) -> None:
    url = _url_of(client)
    _login(client)
    other = TestClient(
        create_app(url, secret="test-secret"),
        client=("192.0.2.44", 50000),
        headers={"User-Agent": "Field\tLaptop\n[red]x[/]"},
    )
    _login(other, "viktor")
    cookies = [str(client.cookies.get("cl_session")), str(other.cookies.get("cl_session"))]
    result = runner.invoke(cli, ["user", "sessions", "--db", url])
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert rows[0] == ["user", "created", "last seen", "expires", "client"]
    assert sorted(row[0] for row in rows[1:]) == ["olena", "viktor"]
    viktor = next(row for row in rows[1:] if row[0] == "viktor")
    assert len(viktor) == 5 and viktor[4].startswith("192.0.2.44 Field") and "[red]x[/]" in viktor[4]
    for cookie in cookies:
        assert cookie not in result.output and session_id(cookie) not in result.output
    stored = _sql(url, "SELECT * FROM sessions")
    assert {row[0] for row in stored} == {session_id(c) for c in cookies}  # the ledger keeps hashes only
    assert not any(cookie in str(value) for row in stored for value in row for cookie in cookies)


def test_the_csrf_token_is_bound_to_the_session_in_the_ledger(client: TestClient) -> None:
    token = _login(client)
    first = str(client.cookies.get("cl_session"))
    again = _login(client)  # signing in again replaces the session, and with it the token
    assert again != token and _reviews(client, _a_claim(client), token) == 403
    assert _sql(
        _url_of(client), "SELECT count(*) FROM sessions WHERE session_id = :sid", sid=session_id(first)
    ) == [(0,)]


# -- failed logins counted in the ledger ---------------------------------------------------------
def _attempt(client: TestClient, name: str, password: str) -> int:
    client.cookies.clear()
    client.get("/login")
    return client.post(
        "/login",
        data={"name": name, "password": password, "csrf": client.cookies.get("cl_csrf")},
        follow_redirects=False,
    ).status_code


def test_failed_logins_are_shared_by_workers_and_survive_a_restart(client: TestClient) -> None:
    """Regression: each worker process counted on its own and a restart forgot, so four workers
    let 20 of 40 guesses through."""
    url = _url_of(client)
    workers = [TestClient(create_app(url, secret="s")) for _ in range(2)]
    for n in range(5):
        assert _attempt(workers[n % 2], "olena", "wrong guess") == 401
    assert [_attempt(w, "olena", PASSWORD) for w in workers] == [429, 429]
    restarted = TestClient(create_app(url, secret="s"))
    assert _attempt(restarted, "olena", PASSWORD) == 429


def test_an_unknown_name_runs_the_same_argon2_check_as_a_wrong_password(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: an unknown name answered in 2.5 ms and a wrong password in 106 ms."""
    from argon2 import PasswordHasher

    checked: list[str] = []
    verify = PasswordHasher.verify

    def spy(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        checked.append(str(hash))
        return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    assert _attempt(client, "nobody by this name", "wrong guess") == 401
    assert _attempt(client, "olena", "wrong guess") == 401
    assert len(checked) == 2 and all(h.startswith("$argon2id$") for h in checked)
    assert checked[0].split("$")[3] == checked[1].split("$")[3]  # the same memory, time and parallelism
    assert checked[0] != checked[1]


def test_a_locked_account_refuses_the_right_password_until_the_window_passes_or_an_admin_unlocks(
    client: TestClient,
) -> None:
    url = _url_of(client)
    for _ in range(5):
        assert _attempt(client, "olena", "wrong guess") == 401
    elsewhere = TestClient(create_app(url, secret="s"), client=("192.0.2.50", 50000))
    assert _attempt(client, "olena", PASSWORD) == 429
    assert _attempt(elsewhere, "olena", PASSWORD) == 429  # the account is locked from every client
    _sql(
        url, "UPDATE login_failures SET window_start = 0, locked_until = 0 WHERE scope = 'account'"
    )  # fifteen minutes on
    assert _attempt(elsewhere, "olena", PASSWORD) == 303
    for _ in range(5):
        assert _attempt(elsewhere, "olena", "wrong guess") == 401
    assert _attempt(elsewhere, "olena", PASSWORD) == 429
    result = runner.invoke(cli, ["user", "unlock", "olena", "--db", url])
    assert result.exit_code == 0 and "olena unlocked" in result.output, result.output
    assert _attempt(elsewhere, "olena", PASSWORD) == 303


def test_a_successful_login_clears_the_accounts_count(client: TestClient) -> None:
    url = _url_of(client)
    other = TestClient(create_app(url, secret="s"), client=("192.0.2.60", 50000))
    for _ in range(4):
        assert _attempt(client, "olena", "wrong guess") == 401
    assert _attempt(other, "olena", PASSWORD) == 303
    for _ in range(4):
        assert _attempt(client, "olena", "wrong guess") == 401
    assert _attempt(other, "olena", PASSWORD) == 303


def test_a_clients_lockout_does_not_lock_accounts_signing_in_from_other_clients(client: TestClient) -> None:
    url = _url_of(client)
    policy = LoginPolicy(account_attempts=3, client_attempts=4, window_seconds=900)
    attacker = TestClient(create_app(url, secret="s", login_policy=policy), client=("203.0.113.7", 40000))
    for name in ("olena", "olena", "somebody", "anybody"):
        assert _attempt(attacker, name, "wrong guess") == 401
    assert _attempt(attacker, "viktor", PASSWORD) == 429  # this client is locked, for every account
    colleague = TestClient(create_app(url, secret="s", login_policy=policy), client=("198.51.100.4", 40000))
    assert _attempt(colleague, "olena", PASSWORD) == 303  # two failures: under her account's three
    assert _attempt(colleague, "viktor", PASSWORD) == 303


def test_the_login_limits_are_settings() -> None:
    policy = LoginPolicy.from_environment(
        {"CLAIMLEDGER_LOGIN_ACCOUNT_ATTEMPTS": "3", "CLAIMLEDGER_LOGIN_WINDOW_SECONDS": "60"}
    )
    assert policy == LoginPolicy(
        account_attempts=3, client_attempts=LoginPolicy().client_attempts, window_seconds=60.0
    )
    from claimledger.errors import UsageError

    for bad in ("many", "0"):
        with pytest.raises(UsageError):
            LoginPolicy.from_environment({"CLAIMLEDGER_LOGIN_CLIENT_ATTEMPTS": bad})
