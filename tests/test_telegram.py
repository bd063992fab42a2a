"""Telegram Desktop channel exports: every message with text is a report with its date, link,
channel and forward; service messages are counted and reported."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from claimledger.cli import app

TOWNS = ["Kharkiv", "Izium", "Kupiansk", "Balakliia", "Chuhuiv"]


def _export(folder: Path, count: int = 120) -> Path:
    messages = []
    for n in range(1, count + 1):
        town = TOWNS[n % len(TOWNS)]
        day = f"2022-09-{(n % 28) + 1:02d}"
        if n % 10 == 0:
            messages.append({"id": n, "type": "service", "date": f"{day}T08:00:00", "action": "pin_message"})
            continue
        pieces = [
            f"Shelling reported in {town} this morning",
            {"type": "bold", "text": f" (report {n})"},
            ", local officials said.",
        ]
        message = {
            "id": n,
            "type": "message",
            "date": f"{day}T09:{n % 60:02d}:00",
            "from": "Test Monitor",
            "from_id": "channel1",
            "text": pieces,
            "text_entities": [
                {"type": "plain", "text": pieces[0]},
                {"type": "bold", "text": pieces[1]["text"]},
                {"type": "plain", "text": pieces[2]},
            ],  # type: ignore[index]
        }
        if n % 7 == 0:
            message["forwarded_from"] = "Regional Military Administration"
        messages.append(message)
    path = folder / "result.json"
    path.write_text(
        json.dumps(
            {"name": "Test Monitor", "type": "public_channel", "id": 1, "messages": messages},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return path


def test_a_channel_export_becomes_one_report_per_message(tmp_path: Path) -> None:
    export = _export(tmp_path)
    db = tmp_path / "l.db"
    result = CliRunner().invoke(
        app, ["ingest", str(export), "--url", "https://t.me/testmonitor", "--db", f"sqlite:///{db}"]
    )
    assert result.exit_code == 0, result.output
    assert "ingested 108 new report(s)" in result.output and "12 message(s) without text" in result.output
    with sqlite3.connect(db) as conn:
        rows = {
            r[0]: r[1:] for r in conn.execute("SELECT path, url, outlet, title, published, text FROM reports")
        }
    seventh = rows[f"{export}#7"]
    assert seventh[0] == "https://t.me/testmonitor/7" and seventh[1] == "Test Monitor"
    assert seventh[2] == "forwarded from Regional Military Administration" and seventh[3] == "2022-09-08"
    assert seventh[4] == "Shelling reported in Kupiansk this morning (report 7), local officials said."
    assert f"{export}#10" not in rows and rows[f"{export}#11"][2] is None


def test_telegram_reports_are_reproducible_and_yield_claims(ledger_url: str, tmp_path: Path) -> None:
    export = _export(tmp_path, 12)
    url = ledger_url
    runner = CliRunner()
    assert runner.invoke(app, ["run", str(export), "--db", url]).exit_code == 0
    assert runner.invoke(app, ["verify", "--reproduce", "--db", url]).exit_code == 0
    claims = [
        json.loads(line)
        for line in runner.invoke(app, ["export", "claims", "--db", url]).stdout.splitlines()
        if line.startswith("{")
    ]
    assert sum(c["type"] == "shelling" for c in claims) >= 10


def test_a_json_file_that_is_not_an_export_is_reported(ledger_url: str, tmp_path: Path) -> None:
    (tmp_path / "data.json").write_text('{"items": [1, 2]}', encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "data.json"), "--db", ledger_url])
    assert result.exit_code == 0 and "Telegram Desktop export" in result.output


def test_media_named_in_the_export_are_hashed_and_kept(ledger_url: str, tmp_path: Path) -> None:
    import hashlib

    from claimledger.store import LedgerStore

    export = _export(tmp_path, 12)
    data = json.loads(export.read_text(encoding="utf-8"))
    (tmp_path / "photos").mkdir()
    photo = b"\xff\xd8\xff\xe0 a photo of a burnt-out school"
    (tmp_path / "photos" / "photo_3.jpg").write_bytes(photo)
    (tmp_path / "secret.txt").write_text("not part of the message")
    for message in data["messages"]:
        if message["id"] == 3:
            message["photo"] = "photos/photo_3.jpg"
        elif message["id"] == 4:
            message["file"] = "(File not included. Change data exporting settings to download.)"
        elif message["id"] == 5:
            message["photo"] = "../secret.txt"
    export.write_text(json.dumps(data), encoding="utf-8")
    url = ledger_url
    assert CliRunner().invoke(app, ["ingest", str(export), "--db", url]).exit_code == 0
    store = LedgerStore(url)
    attached = store.attachments([r.report_id for r in store.reports()])
    assert list(attached.values()) == [[("photos/photo_3.jpg", hashlib.sha256(photo).hexdigest())]]
    assert store.original(hashlib.sha256(photo).hexdigest()) == photo
    assert store.verify().problems == []
