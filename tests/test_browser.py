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
    '<img src=x onerror="document.title=\'pwned\'"> The mayor said soldiers stole cars in Irpin on Monday.'
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from claimledger.web import create_app

    folder = tmp_path_factory.mktemp("browser")
    (folder / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    url = f"sqlite:///{folder / 'ledger.db'}"
    runner = CliRunner()
    for args in (["ingest", str(EXAMPLES / "reports"), "--meta", str(EXAMPLES / "meta.jsonl")], ["ingest", str(folder / "hostile.txt"), "--published", "2022-04-04"], ["process"]):
        assert runner.invoke(cli, [*args, "--db", url]).exit_code == 0
    assert runner.invoke(cli, ["user", "add", "olena", "--role", "analyst", "--password-stdin", "--db", url], input="correct horse battery\n").exit_code == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(url, secret="browser-test"), host="127.0.0.1", port=port, log_level="warning")
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
    assert not [p for p in problems if "pwned" in p or "Content Security Policy" in p or p.startswith("dialog")], problems
