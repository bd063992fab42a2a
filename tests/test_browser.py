"""The web interface in a real browser (Debian's Chromium driven by Playwright): overview with its
map, a filter, an incident, a report, a hostile report that must stay inert, login, a review.
Screenshots go to artifacts/ for people to look at."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimledger.cli import EXAMPLES
from claimledger.cli import app as cli

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Chromium (apt install chromium)")
HOSTILE = (
    "Russian troops looted shops in Bucha on Sunday, residents said. <script>document.title='pwned'</script>"
    "<img src=x onerror=\"document.title='pwned'\"> The mayor said soldiers stole cars in Irpin on Monday."
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from claimledger.web import create_app

    folder = tmp_path_factory.mktemp("browser")
    (folder / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    url = f"sqlite:///{folder / 'ledger.db'}"
    runner = CliRunner()
    for args in (
        ["ingest", str(EXAMPLES / "reports"), "--meta", str(EXAMPLES / "meta.jsonl")],
        ["ingest", str(folder / "hostile.txt"), "--published", "2022-04-04"],
        ["process"],
    ):
        assert runner.invoke(cli, [*args, "--db", url]).exit_code == 0
    assert (
        runner.invoke(
            cli,
            ["user", "add", "olena", "--role", "analyst", "--password-stdin", "--db", url],
            input="correct horse battery\n",
        ).exit_code
        == 0
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(url, secret="browser-test"), host="127.0.0.1", port=port, log_level="warning"
    )
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    for _ in range(100):
        if instance.started:
            break
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)
    with sqlite3.connect(folder / "ledger.db"):
        pass


def test_an_analyst_walks_through_the_interface(server: str) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        page.on("dialog", lambda dialog: (problems.append("dialog: " + dialog.message), dialog.dismiss()))

        page.goto(server + "/")
        page.wait_for_selector("#map[data-loaded]", timeout=15000)
        assert int(page.get_attribute("#map", "data-loaded") or "0") > 0
        assert page.locator(".leaflet-interactive").count() > 0  # incident markers on the map
        page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
        total = int(page.inner_text("#total"))

        page.select_option("select[name=type]", "looting")
        page.click("form.filters button[type=submit]")
        page.wait_for_selector("#map[data-loaded]")
        assert 0 < int(page.inner_text("#total")) < total

        page.click("table.incidents a >> nth=0")
        page.wait_for_selector("h2:has-text('Sources')")
        if page.locator("#minimap").count():
            page.wait_for_selector("#minimap[data-loaded]")
        page.screenshot(path=str(ARTIFACTS / "incident.png"), full_page=True)

        page.click("ul.sources a >> nth=0")
        page.wait_for_selector("article.report-text mark")

        hostile = page.request.get(server + "/api/reports?limit=100").json()
        report_id = next(r["report_id"] for r in hostile["items"] if "pwned" in r["text"])
        page.goto(f"{server}/reports/{report_id}")
        page.wait_for_selector("article.report-text")
        assert page.title() != "pwned"
        assert "<script>" in page.inner_text("article.report-text")

        page.goto(server + "/login")
        page.fill("input[name=name]", "olena")
        page.fill("input[name=password]", "correct horse battery")
        page.click("form.login button")
        page.wait_for_selector("text=olena (analyst)")

        page.goto(f"{server}/reports/{report_id}")
        page.click("article.report-text a.claim-link >> nth=0")
        page.wait_for_selector("form.review")
        page.check("input[name=action][value=correct]")
        page.select_option("select[name=type]", "vehicle_theft")
        page.fill("input[name=note]", "the cars, not the shops")
        page.click("form.review button")
        page.wait_for_selector(".badge:has-text('corrected')")
        assert "the cars, not the shops" in page.inner_text("ol.reviews")
        page.screenshot(path=str(ARTIFACTS / "claim-reviewed.png"), full_page=True)
        browser.close()
    assert not [
        p for p in problems if "pwned" in p or "Content Security Policy" in p or p.startswith("dialog")
    ], problems


ATTACKER_PLANT = """<!doctype html><title>cheap flights</title>
<script>document.cookie = "cl_csrf=tossed; path=/";</script><p>planted</p>"""
ATTACKER_FORM = """<!doctype html><title>cheap flights</title>
<form id="f" method="post" action="{target}"><input name="action" value="reject"><input name="csrf" value="tossed"></form>
<script>document.getElementById("f").submit();</script>"""


@pytest.fixture()
def attacker(server: str) -> Iterator[str]:
    """A hostile page on another port of the same host (127.0.0.1): cookies are not kept apart
    by port, and another port is the same site, so the analyst's SameSite=Strict session goes
    along with the forged form. It plants `cl_csrf=tossed` twice over: a Set-Cookie header,
    which replaces even the server's HttpOnly cookie of the same name and path, and
    `document.cookie`, which Chromium does not let overwrite an HttpOnly cookie (it plants the
    token only in a browser that has none yet)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlsplit

    class Hostile(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            if parts.path == "/plant":
                body = ATTACKER_PLANT
            elif parts.path == "/attack":
                claim = parse_qs(parts.query)["claim"][0]
                body = ATTACKER_FORM.format(target=f"{server}/claims/{claim}/review")
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = body.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if parts.path == "/plant":
                self.send_header("Set-Cookie", "cl_csrf=tossed; Path=/; HttpOnly; SameSite=Strict")
            self.end_headers()
            self.wfile.write(data)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


def test_a_page_on_another_port_cannot_forge_a_review(server: str, attacker: str) -> None:
    """Regression: the CSRF token was a double-submit cookie not tied to the session, so a page
    on another port of the host planted `cl_csrf=tossed`, posted `csrf=tossed`, and a signed-in
    analyst's browser rejected a claim. Now the forged form is refused and the ledger unchanged."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context()
        page = context.new_page()
        page.goto(server + "/login")
        page.fill("input[name=name]", "olena")
        page.fill("input[name=password]", "correct horse battery")
        page.click("form.login button")
        page.wait_for_selector("text=olena (analyst)")
        claims = page.request.get(server + "/api/claims?limit=500").json()["items"]
        claim_id = claims[-1]["claim_id"]  # not the one the walk-through reviews
        assert page.request.get(f"{server}/api/claims/{claim_id}").json()["reviews"] == []

        page.goto("about:blank")  # no request of the ledger's page may set its cookie after the plant
        page.goto(attacker + "/plant")
        planted = [c["value"] for c in context.cookies(server) if c["name"] == "cl_csrf"]
        assert planted == ["tossed"], planted  # the attack is real: the server's token was replaced
        assert any(c["name"] == "cl_session" for c in context.cookies(server))

        with page.expect_response(lambda r: r.url.endswith(f"/claims/{claim_id}/review")) as answer:
            page.goto(f"{attacker}/attack?claim={claim_id}")
        response = answer.value
        status = response.status
        refusal = response.text() if status < 300 or status >= 400 else ""
        shown = page.request.get(f"{server}/api/claims/{claim_id}").json()
        browser.close()
    assert [r["action"] for r in shown["reviews"] if r["user"] == "olena"] == [], (
        "the forged form rejected the claim"
    )
    assert shown["review_status"] in (None, "unreviewed")
    assert status == 403 and ("refused" in refusal or "CSRF" in refusal), (status, refusal[:300])
