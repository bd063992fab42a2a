"""Watched feeds against a local server: 50 items ingested once, a second poll adds nothing, an
edited item becomes a linked version, a failing source backs off and says why."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimledger.cli import app
from claimledger.ingest.feeds import parse_feed
from claimledger.store import LedgerStore

TOWNS = ["Kharkiv", "Izium", "Sumy", "Bucha", "Irpin"]
STATE = {"edited": False}


def _page(n: int) -> bytes:
    town = TOWNS[n % len(TOWNS)]
    extra = " Officials later raised the toll to five." if STATE["edited"] and n == 3 else ""
    return (
        f"<html><head><title>Item {n}</title></head><body><article><p>Russian forces shelled {town} on Saturday, "
        f"item {n} of the feed, the regional governor said on Telegram.{extra}</p><p>Rescuers searched the rubble.</p></article></body></html>"
    ).encode()


def _feed(base: str) -> bytes:
    items = []
    for n in range(1, 51):
        description = f"Shelling in {TOWNS[n % len(TOWNS)]}" + (
            " (updated)" if STATE["edited"] and n == 3 else ""
        )
        items.append(
            f"<item><title>Item {n}</title><link>{base}/item/{n}</link><guid>urn:item:{n}</guid>"
            f"<pubDate>Sat, 0{1 + n % 9} Oct 2022 10:00:00 GMT</pubDate><description>{description}</description></item>"
        )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Test</title>{"".join(items)}</channel></rss>'.encode()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        base = f"http://{self.headers['Host']}"
        if self.path == "/feed.xml":
            body, kind = _feed(base), "application/rss+xml"
        elif self.path.startswith("/item/"):
            body, kind = _page(int(self.path.rsplit("/", 1)[1])), "text/html; charset=utf-8"
        else:
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_rss_and_atom_items_are_read() -> None:
    rss = _feed("http://news.example")
    assert len(parse_feed(rss, "feed")) == 50
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>tag:a,1</id><title>A</title><link href="http://news.example/a"/>'
        b"<updated>2022-10-01T10:00:00Z</updated><summary>s</summary></entry></feed>"
    )
    (item,) = parse_feed(atom, "atom")
    assert (item.guid, item.link, item.published) == ("tag:a,1", "http://news.example/a", "2022-10-01")


def test_a_feed_is_ingested_once_and_an_edit_becomes_a_linked_version(
    ledger_url: str, server: str, tmp_path: Path
) -> None:
    url = ledger_url
    runner = CliRunner()
    feed = f"http://{server}/feed.xml"
    assert runner.invoke(app, ["source", "add", feed, "--kind", "rss", "--db", url]).exit_code == 0
    watch = ["watch", "--once", "--allow-host", server, "--db", url]
    first = runner.invoke(app, watch)
    assert first.exit_code == 0 and "50 new" in first.output, first.output
    second = runner.invoke(app, watch)
    assert "0 new, 0 new version(s), 50 unchanged" in second.output, second.output
    STATE["edited"] = True
    try:
        third = runner.invoke(app, watch)
    finally:
        STATE["edited"] = False
    assert "1 new version(s)" in third.output, third.output
    store = LedgerStore(url)
    reports = store.reports()
    assert len(reports) == 51
    newest = next(r for r in reports if "raised the toll" in r.text)
    previous = store.previous_version(newest.report_id)
    assert previous is not None and any(
        r.report_id == previous and "raised the toll" not in r.text for r in reports
    )
    claims = store.claims()
    assert {c.report_id for c in claims} >= {newest.report_id, previous}  # both versions keep their claims
    actions = [e["action"] for e in store.audit_entries()]
    assert actions.count("poll") == 3 and "version" in actions
    assert store.verify().problems == []


def test_a_failing_source_backs_off_and_says_why(ledger_url: str, server: str, tmp_path: Path) -> None:
    url = ledger_url
    runner = CliRunner()
    broken = f"http://{server}/missing.xml"
    runner.invoke(app, ["source", "add", broken, "--db", url])
    for _ in range(2):
        result = runner.invoke(
            app, ["watch", "--once", "--allow-host", server, "--interval", "10m", "--db", url]
        )
        assert "error" in result.output and "500" in result.output
    (source,) = LedgerStore(url).sources()
    assert source["errors"] == 2 and "500" in source["last_error"] and source["last_success_at"] is None
    listing = runner.invoke(app, ["source", "list", "--db", url], env={"COLUMNS": "300"})
    assert "missing.xml" in listing.output


def test_the_report_page_links_the_versions_of_a_changed_page(
    ledger_url: str, server: str, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from claimledger.web import create_app

    url = ledger_url
    runner = CliRunner()
    runner.invoke(app, ["source", "add", f"http://{server}/item/3", "--kind", "page", "--db", url])
    runner.invoke(app, ["watch", "--once", "--allow-host", server, "--db", url])
    STATE["edited"] = True
    try:
        runner.invoke(app, ["watch", "--once", "--allow-host", server, "--db", url])
    finally:
        STATE["edited"] = False
    store = LedgerStore(url)
    newest = next(r for r in store.reports() if "raised the toll" in r.text)
    client = TestClient(create_app(url, secret="s"))
    assert "earlier version" in client.get(f"/reports/{newest.report_id}").text
    assert "later version" in client.get(f"/reports/{store.previous_version(newest.report_id)}").text
