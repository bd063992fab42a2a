"""The ledger's integrity: verify passes on a fresh ledger and names every altered record."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from claimledger.cli import app
from claimledger.store import LedgerStore

runner = CliRunner()


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "ledger.db"
    result = runner.invoke(app, ["run", "--db", f"sqlite:///{path}"])
    assert result.exit_code == 0, result.output
    return path


def _copy(fresh: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy.db"
    with sqlite3.connect(fresh) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return target


def test_a_fresh_ledger_verifies(fresh: Path) -> None:
    result = runner.invoke(app, ["verify", "--db", f"sqlite:///{fresh}"])
    assert result.exit_code == 0, result.output
    assert "audit chain head after" in result.output


FIRST_REPORT = "(SELECT min(report_id) FROM reports)"


@pytest.mark.parametrize(
    ("name", "sql", "names"),
    [
        (
            "one byte of an original",
            "UPDATE originals SET data = CAST(X'21' || substr(data, 2) AS BLOB) WHERE sha256 = (SELECT min(sha256) FROM originals)",
            "original ",
        ),
        (
            "a report's working text",
            f"UPDATE reports SET text = text || ' ' WHERE report_id = {FIRST_REPORT}",
            "report ",
        ),
        (
            "a report's publication date",
            f"UPDATE reports SET published = '1999-01-01' WHERE report_id = {FIRST_REPORT}",
            "report ",
        ),
        (
            "a claim's type",
            "UPDATE claims SET data = json_set(data, '$.type', 'looting') WHERE claim_id = (SELECT min(claim_id) FROM claims WHERE type != 'looting')",
            "claims of report ",
        ),
        (
            "a deleted claim",
            "DELETE FROM claims WHERE claim_id = (SELECT min(claim_id) FROM claims)",
            "claims of report ",
        ),
        (
            "an incident's source count",
            "UPDATE incidents SET data = json_set(data, '$.independent_source_count', 9) WHERE incident_id = (SELECT min(incident_id) FROM incidents)",
            "incidents",
        ),
        (
            "a story link",
            f"UPDATE reports SET story_id = 'forged' WHERE report_id = {FIRST_REPORT}",
            "stories",
        ),
        (
            "an audit entry's detail",
            "UPDATE audit SET detail = json_set(detail, '$.path', 'elsewhere.txt') WHERE seq = 2",
            "audit entry 2",
        ),
        ("a removed audit entry", "DELETE FROM audit WHERE seq = 3", "audit entry 4"),
        (
            "two audit entries swapped",
            "UPDATE audit SET seq = -1 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = -1",
            "audit entry 2",
        ),
    ],
)
def test_verify_names_the_altered_record(
    fresh: Path, tmp_path: Path, name: str, sql: str, names: str
) -> None:
    copy = _copy(fresh, tmp_path)
    with sqlite3.connect(copy) as db:
        db.executescript(sql)
    problems = LedgerStore(f"sqlite:///{copy}").verify().problems
    assert any(p.startswith(names) for p in problems), (name, problems)
    result = runner.invoke(app, ["verify", "--db", f"sqlite:///{copy}"])
    assert result.exit_code == 1 and "mismatch" in result.output


PHOTO = b"\xff\xd8\xff\xe0 a photo of a shelled bakery, taken for this test"
MESSAGE = "Residents said a shell struck the bakery in Hrakove on Tuesday morning, the village head said."


@pytest.fixture(scope="module")
def furnished(fresh: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example ledger with what else the audit chain announces: a message with a photo, an
    analyst's account and a review."""
    from claimledger.model import RawDocument
    from claimledger.pipeline import ingest_into

    path = _copy(fresh, tmp_path_factory.mktemp("furnished"))
    url = f"sqlite:///{path}"
    store = LedgerStore(url)
    raw = RawDocument(
        original=MESSAGE.encode(), kind="text", path="message-7.txt", media=(("photos/photo_7.jpg", PHOTO),)
    )
    assert ingest_into(store, [raw]).added == 1
    assert runner.invoke(app, ["process", "--db", url]).exit_code == 0
    added = runner.invoke(
        app,
        ["user", "add", "olena", "--role", "analyst", "--password-stdin", "--db", url],
        input="a long password\n",
    )
    assert added.exit_code == 0, added.output
    store.add_review(min(c.claim_id for c in store.claims()), "olena", "confirm", {})
    assert store.verify().problems == []
    return path


ATTACHED = "(SELECT report_id FROM attachments)"
# A report that nothing else points at (no review of its claims, no attachment).
PLAIN_REPORT = (
    "(SELECT max(report_id) FROM reports WHERE report_id NOT IN (SELECT report_id FROM attachments)"
    " AND report_id NOT IN (SELECT c.report_id FROM claims c JOIN reviews v ON v.claim_id = c.claim_id))"
)
ERASE_PLAIN_REPORT = (
    f"CREATE TEMP TABLE gone AS SELECT report_id, sha256 FROM reports WHERE report_id = {PLAIN_REPORT};"
    " DELETE FROM claims WHERE report_id IN (SELECT report_id FROM gone);"
    " DELETE FROM reports WHERE report_id IN (SELECT report_id FROM gone);"
    " DELETE FROM originals WHERE sha256 IN (SELECT sha256 FROM gone);"
)


def _erase(copy: Path, sql: str) -> dict[str, str]:
    """Run the tampering SQL (foreign keys off, as sqlite3 opens by default) and say what it
    touched: the first report's id and original, the erased report's, the review's and the photo's."""
    with sqlite3.connect(copy) as db:
        db.execute("PRAGMA foreign_keys=OFF")
        names = {
            "first": db.execute(
                f"SELECT report_id, sha256 FROM reports WHERE report_id = {FIRST_REPORT}"
            ).fetchone(),
            "plain": db.execute(
                f"SELECT report_id, sha256 FROM reports WHERE report_id = {PLAIN_REPORT}"
            ).fetchone(),
            "attached": db.execute(
                f"SELECT report_id, sha256 FROM attachments WHERE report_id = {ATTACHED}"
            ).fetchone(),
            "review": (db.execute("SELECT review_id FROM reviews").fetchone()[0], ""),
        }
        db.executescript(sql)
    return {
        f"{key}{part}": value
        for key, (rid, sha) in names.items()
        for part, value in (("", rid), ("_sha", sha))
    }


@pytest.mark.parametrize(
    ("name", "sql", "expected"),
    [
        (
            "a deleted review",
            "DELETE FROM reviews",
            ["review {review}: recorded by audit entry", "but missing"],
        ),
        (
            "a deleted original of a report",
            f"DELETE FROM originals WHERE sha256 = (SELECT sha256 FROM reports WHERE report_id = {FIRST_REPORT})",
            ["original {first_sha} of report {first}: recorded at ingest", "but missing"],
        ),
        (
            "a deleted photo and its attachment row",
            "DELETE FROM originals WHERE sha256 = (SELECT sha256 FROM attachments); DELETE FROM attachments",
            [
                "attachment 'photos/photo_7.jpg' of report {attached}: recorded at ingest",
                "original {attached_sha} (attachment 'photos/photo_7.jpg' of report {attached})",
            ],
        ),
        (
            "an attachment row pointed at another original",
            f"UPDATE attachments SET sha256 = (SELECT sha256 FROM reports WHERE report_id = {FIRST_REPORT})",
            ["attachment 'photos/photo_7.jpg' of report {attached}: points at {first_sha}"],
        ),
        (
            "an attachment row no ingest announced",
            f"INSERT INTO attachments VALUES ({FIRST_REPORT}, 'planted.jpg', (SELECT sha256 FROM attachments))",
            ["attachment 'planted.jpg' of report {first}: no audit entry records it"],
        ),
        (
            "an erased report, its claims and original",
            ERASE_PLAIN_REPORT,
            [
                "report {plain}: its ingest is recorded",
                "original {plain_sha} of report {plain}: recorded at ingest",
            ],
        ),
        (
            "a changed role",
            "UPDATE users SET role = 'admin' WHERE name = 'olena'",
            ["user olena: role 'admin' differs from the 'analyst'"],
        ),
        (
            "a changed password hash",
            "UPDATE users SET password_hash = '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$forgedforgedforged' WHERE name = 'olena'",
            ["user olena: password hash or creation time differ"],
        ),
        (
            "an account no audit entry announced",
            "INSERT INTO users VALUES ('mallory', 'admin', (SELECT password_hash FROM users WHERE name = 'olena'), '2024-01-01T00:00:00+00:00')",
            ["user mallory: no audit entry records this account"],
        ),
        (
            "a deleted account",
            "DELETE FROM users WHERE name = 'olena'",
            ["user olena: recorded by audit entry", "but missing"],
        ),
    ],
)
def test_verify_names_every_announced_record_that_is_gone_or_changed(
    furnished: Path, tmp_path: Path, name: str, sql: str, expected: list[str]
) -> None:
    copy = _copy(furnished, tmp_path)
    touched = _erase(copy, sql)
    url = f"sqlite:///{copy}"
    if name.startswith("an erased report"):
        # A later run re-derives stories and incidents and audits them anew: the ingest entry
        # still demands the report and its original.
        assert runner.invoke(app, ["process", "--db", url]).exit_code == 0
    problems = LedgerStore(url).verify().problems
    for wanted in expected:
        assert any(wanted.format(**touched) in p for p in problems), (
            name,
            wanted.format(**touched),
            problems,
        )
    result = runner.invoke(app, ["verify", "--db", url])
    assert result.exit_code == 1 and "mismatch" in result.output


@pytest.mark.parametrize(
    ("name", "sql"),
    [
        ("an erased report, its claims and original", ERASE_PLAIN_REPORT),
        (
            "a deleted original of a report",
            f"DELETE FROM originals WHERE sha256 = (SELECT sha256 FROM reports WHERE report_id = {FIRST_REPORT})",
        ),
        ("a changed role", "UPDATE users SET role = 'admin' WHERE name = 'olena'"),
    ],
)
def test_no_bundle_is_written_from_a_ledger_that_does_not_verify(
    furnished: Path, tmp_path: Path, name: str, sql: str
) -> None:
    copy = _copy(furnished, tmp_path)
    _erase(copy, sql)
    url = f"sqlite:///{copy}"
    assert runner.invoke(app, ["process", "--db", url]).exit_code == 0
    incident = LedgerStore(url).incidents()[0].incident_id
    target = tmp_path / "bundle.zip"
    result = runner.invoke(
        app, ["export", "bundle", "--incident", incident, "--out", str(target), "--db", url]
    )
    assert result.exit_code != 0, (name, result.output)
    assert "does not verify" in str(result.exception), (name, result.exception)
    assert not target.exists()


@pytest.mark.parametrize(
    ("name", "sql", "wanted"),
    [
        (
            "a deleted source",
            "DELETE FROM sources",
            "source https://news.example.org/feed.xml: recorded by audit entry",
        ),
        (
            "a source of another kind",
            "UPDATE sources SET kind = 'page'",
            "source https://news.example.org/feed.xml: kind 'page' differs",
        ),
        (
            "a deleted version link",
            "DELETE FROM report_versions",
            "version link of report {newer}: recorded by audit entry",
        ),
        (
            "a version link to another report",
            f"UPDATE report_versions SET previous_id = {FIRST_REPORT}",
            "version link of report {newer}: points at {first}",
        ),
    ],
)
def test_verify_names_a_watched_source_or_version_link_that_is_gone_or_changed(
    fresh: Path, tmp_path: Path, name: str, sql: str, wanted: str
) -> None:
    copy = _copy(fresh, tmp_path)
    url = f"sqlite:///{copy}"
    store = LedgerStore(url)
    first, *_, newer, older = sorted(store.report_ids())
    assert store.add_source("https://news.example.org/feed.xml", "rss")
    store.mark_item("https://news.example.org/feed.xml", "item-1", "0" * 64, newer, previous_id=older)
    assert store.verify().problems == []
    with sqlite3.connect(copy) as db:
        db.executescript(sql)
    problems = LedgerStore(url).verify().problems
    assert any(wanted.format(newer=newer, first=first) in p for p in problems), (name, problems)


def test_an_older_account_entry_is_checked_for_its_role_and_noted_as_partly_checked(
    fresh: Path, tmp_path: Path
) -> None:
    """Before accounts' digests, a user entry held only the name and role: such a ledger still
    verifies, says what it could not check, and a changed role is still caught."""
    copy = _copy(fresh, tmp_path)
    url = f"sqlite:///{copy}"
    store = LedgerStore(url)
    with sqlite3.connect(copy) as db:
        db.execute(
            "INSERT INTO users VALUES ('taras', 'viewer', '$argon2id$v=19$m=65536,t=3,p=4$b2xkc2FsdA$olderhash', '2023-05-01T00:00:00+00:00')"
        )
    store.audit("user", {"name": "taras", "role": "viewer"})  # as add_user wrote it before
    result = store.verify()
    assert result.problems == []
    assert any(n.startswith("user taras:") and "password hash" in n for n in result.notes), result.notes
    shown = runner.invoke(app, ["verify", "--db", url])
    assert shown.exit_code == 0 and "note user taras:" in shown.output and "partly checked" in shown.output
    with sqlite3.connect(copy) as db:
        db.execute("UPDATE users SET role = 'admin' WHERE name = 'taras'")
    assert any(p.startswith("user taras: role 'admin'") for p in LedgerStore(url).verify().problems)


def test_reingesting_identical_bytes_stores_nothing_new(fresh: Path, tmp_path: Path) -> None:
    copy = _copy(fresh, tmp_path)
    with sqlite3.connect(copy) as db:
        before = [
            db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("originals", "reports", "audit")
        ]
    from claimledger.cli import EXAMPLES

    result = runner.invoke(app, ["ingest", str(EXAMPLES / "reports"), "--db", f"sqlite:///{copy}"])
    assert result.exit_code == 0 and "ingested 0 new report(s)" in result.output
    with sqlite3.connect(copy) as db:
        after = [
            db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("originals", "reports", "audit")
        ]
    assert after == before


def _bundle(fresh: Path, tmp_path: Path, *extra: str) -> Path:
    copy = _copy(fresh, tmp_path)
    incidents = LedgerStore(f"sqlite:///{copy}").incidents()
    target = tmp_path / "bundle.zip"
    result = runner.invoke(
        app,
        [
            "export",
            "bundle",
            "--incident",
            incidents[0].incident_id,
            "--out",
            str(target),
            "--db",
            f"sqlite:///{copy}",
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return target


def _verify_bundle(members: dict[str, bytes]) -> list[str]:
    from claimledger.verify_bundle import check

    return check(members)


def _members(path: Path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("extra", [(), ("--include-private-names",)])
def test_a_bundle_verifies_offline_with_its_own_script(
    fresh: Path, tmp_path: Path, extra: tuple[str, ...]
) -> None:
    import subprocess
    import sys
    import zipfile

    bundle = _bundle(fresh, tmp_path, *extra)
    folder = tmp_path / "unpacked"
    zipfile.ZipFile(bundle).extractall(folder)
    assert any(name.startswith("originals/") for name in _members(bundle))
    done = subprocess.run([sys.executable, "verify_bundle.py"], cwd=folder, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    if extra:
        assert (folder / "stored" / "claims.jsonl").exists()


@pytest.mark.parametrize(
    ("member", "names"),
    [("originals/", "original "), ("claims.jsonl", "claims.jsonl"), ("audit.jsonl", "audit entry")],
)
def test_a_tampered_bundle_names_what_changed(fresh: Path, tmp_path: Path, member: str, names: str) -> None:
    members = _members(_bundle(fresh, tmp_path))
    name = next(n for n in members if n.startswith(member))
    data = members[name]
    if name == "audit.jsonl":
        # Re-list the altered file so only the chain can tell.
        import hashlib

        data = data.replace(b'"ingest"', b'"ingesT"', 1)
        sums = (
            members["SHA256SUMS"]
            .decode()
            .replace(hashlib.sha256(members[name]).hexdigest(), hashlib.sha256(data).hexdigest())
        )
        members["SHA256SUMS"] = sums.encode()
    else:
        data = b"!" + data[1:]
    members[name] = data
    problems = _verify_bundle(members)
    assert any(p.startswith(names) or p.startswith(name) for p in problems), problems


def test_a_bundle_of_an_unknown_incident_is_a_usage_error(fresh: Path, tmp_path: Path) -> None:
    copy = _copy(fresh, tmp_path)
    result = runner.invoke(
        app,
        [
            "export",
            "bundle",
            "--incident",
            "i-nope",
            "--out",
            str(tmp_path / "b.zip"),
            "--db",
            f"sqlite:///{copy}",
        ],
    )
    assert result.exit_code != 0 and "no incident i-nope" in str(result.exception or result.output)


def test_the_working_text_is_reproducible_from_the_originals(fresh: Path, tmp_path: Path) -> None:
    from claimledger.pipeline import reproduce_reports

    copy = _copy(fresh, tmp_path)
    assert reproduce_reports(LedgerStore(f"sqlite:///{copy}")) == []
    with sqlite3.connect(copy) as db:
        db.execute(f"UPDATE reports SET text = replace(text, 'the', 'teh') WHERE report_id = {FIRST_REPORT}")
    problems = reproduce_reports(LedgerStore(f"sqlite:///{copy}"))
    assert len(problems) == 1 and "working text differs" in problems[0]
    result = runner.invoke(app, ["verify", "--reproduce", "--db", f"sqlite:///{copy}"])
    assert result.exit_code == 1


def test_a_slow_process_run_cannot_overwrite_the_incidents_of_a_later_one(
    ledger_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run 1 reads the claims, then is slow to link them; meanwhile run 2 adds a report and links
    everything. Run 1's older incidents must not be the ones left: links are computed under a lock."""
    import threading
    import time

    from claimledger import pipeline
    from claimledger.ingest import read_inputs

    (tmp_path / "a.txt").write_text(
        "Russian forces shelled Kharkiv on Saturday, the governor said.", encoding="utf-8"
    )
    (tmp_path / "b.txt").write_text(
        "Soldiers looted shops in Trostianets in March, residents said.", encoding="utf-8"
    )
    first, second = LedgerStore(ledger_url), LedgerStore(ledger_url)
    pipeline.ingest_into(first, read_inputs([tmp_path / "a.txt"]))
    pipeline.process_store(first)  # the parser is loaded before the race starts
    pipeline.ingest_into(first, read_inputs([tmp_path / "b.txt"]))
    original = pipeline.link_reports

    def slow_for_run_one(*args: object, **kwargs: object) -> pipeline.Ledger:
        result = original(*args, **kwargs)  # type: ignore[arg-type]
        if threading.current_thread().name == "run-1":
            time.sleep(3)
        return result

    monkeypatch.setattr(pipeline, "link_reports", slow_for_run_one)
    run_one = threading.Thread(target=pipeline.process_store, args=(first,), name="run-1")
    monkeypatch.setattr(
        first,
        "reports",
        lambda unprocessed_only=False: [] if unprocessed_only else LedgerStore.reports(first),
    )
    run_one.start()
    time.sleep(0.5)
    pipeline.process_store(second)  # processes b.txt and links both reports
    run_one.join()
    claims = {c.claim_id for c in second.claims()}
    assert len(claims) >= 2
    assert {cid for incident in second.incidents() for cid in incident.claim_ids} == claims


def test_a_ledger_at_migration_0004_upgrades_and_keeps_its_accounts(ledger_url: str) -> None:
    """A ledger written before sessions and login counts moved into it gains both tables."""
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config
    from fastapi.testclient import TestClient

    from claimledger.store import MIGRATIONS, schema
    from claimledger.web import create_app
    from claimledger.web.auth import hash_password

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = sa.create_engine(ledger_url)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0004")
        conn.execute(
            sa.text(
                "INSERT INTO users (name, role, password_hash, created_at) VALUES ('olena', 'analyst', :hash, '2026-01-01T00:00:00+00:00')"
            ),
            {"hash": hash_password("correct horse battery")},
        )
    assert "sessions" not in sa.inspect(engine).get_table_names()
    engine.dispose()

    store = LedgerStore(ledger_url)
    inspector = sa.inspect(store.engine)
    for table in (schema.sessions, schema.login_failures, schema.claim_links, schema.reviews):
        assert {c["name"] for c in inspector.get_columns(table.name)} == set(table.c.keys())
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == "0006"
    web = TestClient(create_app(ledger_url, secret="s"))
    web.get("/login")
    signed_in = web.post(
        "/login",
        data={"name": "olena", "password": "correct horse battery", "csrf": web.cookies.get("cl_csrf")},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    assert [s["user"] for s in store.open_sessions()] == ["olena"]


def test_a_role_change_a_logout_and_an_unlock_leave_the_ledger_verifying(tmp_path: Path) -> None:
    """Regression: an admin's logout or unlock once wrote the newest "user" entry of an account
    without its role, and `verify` then reported the account's role as changed."""
    from claimledger.web.auth import hash_password

    store = LedgerStore(f"sqlite:///{tmp_path / 'accounts.db'}")
    store.add_user("olena", "analyst", hash_password("a long passphrase"))
    store.set_role("olena", "viewer")
    store.end_sessions("olena")
    store.unlock_account("olena")
    assert store.verify().problems == []
    with sqlite3.connect(tmp_path / "accounts.db") as conn:
        conn.execute("UPDATE users SET role = 'admin' WHERE name = 'olena'")
    assert any("olena" in p and "role" in p for p in store.verify().problems)


def test_a_new_sqlite_ledger_appears_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import claimledger.store as store_module
    from claimledger.errors import StoreError

    target = tmp_path / "new.db"

    def broken(engine: Any, attempts: int = 5) -> None:
        with engine.connect() as connection:  # the database file is made here
            connection.exec_driver_sql("SELECT 1")
        raise RuntimeError("killed while the schema was being made")

    monkeypatch.setattr(store_module, "migrate", broken)
    with pytest.raises(StoreError):
        LedgerStore(str(target))
    # Regression: a kill before the schema was in place left a file that `verify` refused.
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    LedgerStore(str(target))
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("new.db")) == []
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'audit'").fetchone() is not None
    assert LedgerStore(str(target), create=False).verify().problems == []
