"""Store: the ledger database (SQLite or PostgreSQL through SQLAlchemy, schema by Alembic).

Originals are kept byte-for-byte under their SHA-256; reports, claims and incidents are
derived records; the audit log is append-only and hash-chained.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from claimledger import __version__
from claimledger.errors import ConflictError, LedgerMissing, StoreError, UsageError
from claimledger.model import (
    Actor,
    Attribution,
    Claim,
    DateInfo,
    Incident,
    Item,
    Location,
    RawDocument,
    Report,
    SourceRef,
    Span,
)
from claimledger.store import schema

if TYPE_CHECKING:
    from claimledger.corroborate import Reach

MIGRATIONS = Path(__file__).parent / "migrations"
GENESIS = "0" * 64


def now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


URL_HELP = "write sqlite:///PATH (or just the file's PATH) or postgresql+psycopg://USER@HOST/DATABASE"


def ledger_url(db: str) -> str:
    """The database URL a user meant: a bare file path (`e.db`, `/srv/ledger.db`) is a SQLite
    file; anything else must parse as a SQLAlchemy URL, or the error says how to write one."""
    if "://" not in db and not re.match(r"[A-Za-z][A-Za-z0-9+.-]+:", db):
        if not db.strip():
            raise UsageError(f"--db is empty: {URL_HELP}")
        return f"sqlite:///{db}"
    try:
        parsed = sa.engine.make_url(db)
        parsed.get_dialect()
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError):
        raise UsageError(f"--db {db!r} is not a database URL: {URL_HELP}") from None
    return db


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL and for an in-memory database)."""
    parsed = sa.engine.make_url(url)
    if not parsed.get_backend_name().startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _existing_sqlite_ledger(file: Path) -> None:
    """Refuse (LedgerMissing, or StoreError for a file SQLite cannot read) a path that holds no
    ledger, looking read-only: opening it for writing would turn an empty file into a database."""
    import sqlite3

    if not file.is_file() or file.stat().st_size == 0:
        raise LedgerMissing(
            f"no ledger at {file} (a mistyped --db?); `claimledger ingest` or `run` creates one"
        )
    try:
        with contextlib.closing(sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            found = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit'"
            ).fetchone()
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the ledger at {file}: {exc}") from exc
    if found is None:
        raise LedgerMissing(
            f"{file} holds no claimledger ledger (a mistyped --db?); `claimledger ingest` or `run` creates one"
        )


def _create_sqlite_ledger(file: Path) -> None:
    """Make a new SQLite ledger whole or not at all: its schema is built in a temporary file
    beside it, which is then linked into place. A process killed while creating one leaves no
    file that looks like a ledger but holds none; two processes creating one at once both
    end up with the one that was linked first."""
    temporary = file.with_name(f".{file.name}.{os.getpid()}.creating")
    engine = _engine(f"sqlite:///{temporary}")
    try:
        migrate(engine)
        engine.dispose()
        import sqlite3

        # Out of WAL mode while it is linked, so the one file holds everything (every later
        # connection puts it back in WAL mode).
        with contextlib.closing(sqlite3.connect(temporary)) as conn:
            conn.execute("PRAGMA journal_mode=DELETE").fetchone()
        try:
            os.link(temporary, file)
        except FileExistsError:
            pass  # another process made it first: use that one
        except OSError:  # a file system without hard links
            if not file.exists():
                os.replace(temporary, file)
    finally:
        engine.dispose()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{temporary}{suffix}").unlink(missing_ok=True)


def _engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 60})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            # claimledger issues BEGIN itself (below), so the driver must not.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            # WAL lets a reader (the web server) work beside a writer; busy_timeout waits for locks.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: sa.Connection) -> None:
            # A writer takes the write lock before it reads the audit chain's last hash, so two
            # processes ingesting into one file can never both append after the same entry.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def migrate(engine: sa.Engine, attempts: int = 5) -> None:
    """Bring the schema to the newest Alembic revision; retried, because two processes opening a
    new ledger at once race to create it and the loser only needs to see the winner's tables."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    for attempt in range(attempts):
        try:
            with engine.connect().execution_options(write=True) as connection, connection.begin():
                if connection.dialect.name == "postgresql":
                    # One migrating process at a time; the others then find the schema in place.
                    connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7351002)")
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            return
        except sa.exc.DBAPIError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


class LedgerStore:
    """The ledger database of one URL."""

    def __init__(self, url: str, create: bool = True) -> None:
        """Open (and migrate) the ledger at `url`, a URL or a SQLite file's path. With
        `create=False` a ledger that does not exist yet is refused (LedgerMissing) instead of
        being created empty: a mistyped --db must not look like an empty ledger."""
        url = ledger_url(url)
        self.url = url
        file = sqlite_path(url)
        if not create and file is not None:
            _existing_sqlite_ledger(file)
        try:
            if create and file is not None and not file.exists():
                _create_sqlite_ledger(file)
            self.engine = _engine(url)
            if not create and file is None and not sa.inspect(self.engine).has_table("audit"):
                raise LedgerMissing(
                    f"{file or url} holds no claimledger ledger (a mistyped --db?); `claimledger ingest` or `run` creates one"
                )
            migrate(self.engine)
        except LedgerMissing:
            raise
        except Exception as exc:  # SQLAlchemy and drivers raise many kinds
            raise StoreError(f"cannot open the ledger at {url}: {exc}") from exc

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """One write transaction that holds the database's write lock from its first statement."""
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                # Appends to the audit chain must be serial, as with SQLite's write lock.
                conn.exec_driver_sql("LOCK TABLE audit IN SHARE ROW EXCLUSIVE MODE")
            yield conn

    @contextmanager
    def link_lock(self) -> Iterator[None]:
        """Held while stories and incidents are read, computed and written, so that two `process`
        runs cannot interleave: the last to write has read every claim saved before it began, and
        an earlier run's older view never overwrites a newer one."""
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT pg_advisory_lock(7351003)")
                conn.commit()
                try:
                    yield
                finally:
                    conn.exec_driver_sql("SELECT pg_advisory_unlock(7351003)")
                    conn.commit()
            return
        database = self.engine.url.database
        if not database or database == ":memory:":
            yield
            return
        import fcntl

        with open(f"{database}.link-lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def process_lock(self, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
        """Held for a whole `process` run, so that a second run on the same ledger waits for
        the first (calling `on_wait` once, to say so) and then finds its work done, instead of
        parsing every pending report a second time."""
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as conn:
                taken = conn.exec_driver_sql("SELECT pg_try_advisory_lock(7351004)").scalar()
                conn.commit()
                if not taken:
                    if on_wait:
                        on_wait()
                    conn.exec_driver_sql("SELECT pg_advisory_lock(7351004)")
                    conn.commit()
                try:
                    yield
                finally:
                    conn.exec_driver_sql("SELECT pg_advisory_unlock(7351004)")
                    conn.commit()
            return
        file = sqlite_path(self.url)
        if file is None:
            yield
            return
        import fcntl

        with open(f"{file}.process-lock", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait:
                    on_wait()
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def backup(self, target: Path) -> Verification:
        """Copy a SQLite ledger to `target` with SQLite's online backup API: a consistent
        snapshot that includes what is still in the write-ahead log, taken while `serve` or
        `process` keep working. The copy is a single file (rollback journal, not WAL) and is
        verified; its Verification is returned. PostgreSQL is backed up with pg_dump."""
        import sqlite3

        file = sqlite_path(self.url)
        if file is None:
            raise UsageError(
                "claimledger backup copies a SQLite ledger; back up PostgreSQL with its own tools, e.g. "
                "pg_dump --format=custom --file=ledger.dump DATABASE (restore with pg_restore), "
                "then compare `claimledger verify` on the restored copy with the live ledger"
            )
        if target.exists():
            raise UsageError(f"{target} exists already; give a new file name for the backup")
        if not target.parent.is_dir():
            raise UsageError(f"no folder {target.parent} for the backup")
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        source = sqlite3.connect(str(file), timeout=60)
        try:
            copy = sqlite3.connect(str(partial))
            try:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")
            finally:
                copy.close()
        except sqlite3.Error as exc:
            partial.unlink(missing_ok=True)
            raise StoreError(f"backup of {file} to {target} failed: {exc}") from exc
        finally:
            source.close()
        os.replace(partial, target)
        copied = LedgerStore(str(target), create=False)
        try:
            return copied.verify()
        finally:
            copied.engine.dispose()
            single = sqlite3.connect(str(target))
            try:
                single.execute("PRAGMA journal_mode=DELETE")  # opening it switched it to WAL again
            finally:
                single.close()

    # -- ingest ---------------------------------------------------------------------------
    def knows_original(self, sha256: str) -> bool:
        """True when a report of exactly these bytes is in the ledger (read-only, no lock)."""
        with self.engine.connect() as conn:
            query = sa.select(schema.reports.c.report_id).where(schema.reports.c.sha256 == sha256).limit(1)
            return conn.execute(query).first() is not None

    def add_report(self, raw: RawDocument, report: Report, parameters: dict[str, Any] | None = None) -> bool:
        """Store a report and its original in one transaction; False when the bytes were known."""
        with self._write() as conn:
            exists = conn.execute(
                sa.select(schema.reports.c.report_id).where(schema.reports.c.sha256 == report.sha256)
            ).first()
            if exists:
                return False
            if report.url and raw.kind == "warc" and raw.original.startswith(b"WARC/"):
                # A capture's bytes differ on every fetch (dates, record ids): the same page
                # fetched again with the same text is known; changed text is a new version.
                same_page = sa.select(schema.reports.c.report_id).where(
                    schema.reports.c.url == report.url, schema.reports.c.text == report.text
                )
                if conn.execute(same_page).first():
                    return False
            at = now()
            if not conn.execute(
                sa.select(schema.originals.c.sha256).where(schema.originals.c.sha256 == report.sha256)
            ).first():
                conn.execute(
                    schema.originals.insert().values(
                        sha256=report.sha256, data=raw.original, size=len(raw.original), captured_at=at
                    )
                )
            conn.execute(
                schema.reports.insert().values(
                    report_id=report.report_id,
                    sha256=report.sha256,
                    kind=report.kind,
                    path=report.path,
                    url=report.url,
                    outlet=report.outlet,
                    title=report.title,
                    published=report.published,
                    language=report.language,
                    text=report.text,
                    boilerplate=[list(b) for b in report.boilerplate],
                    story_id=None,
                    ingested_at=at,
                    processed_version=None,
                )
            )
            for media_name, data in raw.media:
                media_sha = hashlib.sha256(data).hexdigest()
                if not conn.execute(
                    sa.select(schema.originals.c.sha256).where(schema.originals.c.sha256 == media_sha)
                ).first():
                    conn.execute(
                        schema.originals.insert().values(
                            sha256=media_sha, data=data, size=len(data), captured_at=at
                        )
                    )
                conn.execute(
                    schema.attachments.insert().values(
                        report_id=report.report_id, name=media_name, sha256=media_sha
                    )
                )
            self._audit(
                conn,
                "ingest",
                {
                    "report_id": report.report_id,
                    "sha256": report.sha256,
                    "size": len(raw.original),
                    "kind": report.kind,
                    "path": report.path,
                    "url": report.url,
                    "captured_at": at,
                    "version": __version__,
                    "parameters": parameters or {},
                    "record": report_digest(report),
                    **(
                        {"media": {name: hashlib.sha256(data).hexdigest() for name, data in raw.media}}
                        if raw.media
                        else {}
                    ),
                },
            )
            return True

    # -- reading --------------------------------------------------------------------------
    def reports(self, unprocessed_only: bool = False) -> list[Report]:
        query = sa.select(schema.reports).order_by(schema.reports.c.report_id)
        if unprocessed_only:
            query = query.where(schema.reports.c.processed_version.is_(None))
        with self.engine.connect() as conn:
            return [_report(row) for row in conn.execute(query).mappings()]

    def report_ids(self) -> list[str]:
        with self.engine.connect() as conn:
            return [row[0] for row in conn.execute(sa.select(schema.reports.c.report_id))]

    def is_unprocessed(self, report_id: str) -> bool:
        query = sa.select(schema.reports.c.processed_version).where(schema.reports.c.report_id == report_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return row is not None and row[0] is None

    def reports_with_links(self) -> list[tuple[Report, str, str]]:
        """Every report with its story id (itself until processed) and ingest time, in one read."""
        query = sa.select(schema.reports).order_by(schema.reports.c.report_id)
        with self.engine.connect() as conn:
            return [
                (_report(row), row["story_id"] or row["report_id"], row["ingested_at"])
                for row in conn.execute(query).mappings()
            ]

    def claims(self) -> list[Claim]:
        query = sa.select(schema.claims.c.data).order_by(schema.claims.c.report_id, schema.claims.c.position)
        with self.engine.connect() as conn:
            return [claim_from_json(row[0]) for row in conn.execute(query)]

    def incidents(self) -> list[Incident]:
        # NULLS FIRST on both databases (their defaults differ), so SQLite and PostgreSQL export alike.
        query = sa.select(schema.incidents.c.data).order_by(
            schema.incidents.c.date_start.asc().nulls_first(), schema.incidents.c.incident_id
        )
        with self.engine.connect() as conn:
            return [incident_from_json(row[0]) for row in conn.execute(query)]

    def attachments(self, report_ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
        """(name, sha256) of the files kept with each report."""
        out: dict[str, list[tuple[str, str]]] = {}
        query = (
            sa.select(schema.attachments)
            .where(schema.attachments.c.report_id.in_(list(report_ids)))
            .order_by(schema.attachments.c.name)
        )
        with self.engine.connect() as conn:
            for row in conn.execute(query).mappings():
                out.setdefault(row["report_id"], []).append((row["name"], row["sha256"]))
        return out

    def claims_of_reports(self, report_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """The stored claim records of these reports, in their stored order."""
        out: dict[str, list[dict[str, Any]]] = {rid: [] for rid in report_ids}
        query = sa.select(schema.claims.c.report_id, schema.claims.c.data).where(
            schema.claims.c.report_id.in_(list(report_ids))
        )
        with self.engine.connect() as conn:
            for row in conn.execute(query.order_by(schema.claims.c.report_id, schema.claims.c.position)):
                out[row.report_id].append(row.data)
        return out

    def original(self, sha256: str) -> bytes | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(schema.originals.c.data).where(schema.originals.c.sha256 == sha256)
            ).first()
            return None if row is None else bytes(row[0])

    # -- processing -----------------------------------------------------------------------
    def save_claims(self, report_id: str, claims: Sequence[Claim]) -> None:
        """Replace a report's claims and mark it processed, in one transaction with its audit entry."""
        rows = [claim_to_json(claim) for claim in claims]
        with self._write() as conn:
            conn.execute(schema.claims.delete().where(schema.claims.c.report_id == report_id))
            if rows:
                conn.execute(
                    schema.claims.insert(),
                    [
                        {
                            "claim_id": claim.claim_id,
                            "report_id": report_id,
                            "type": claim.type,
                            "position": position,
                            "data": data,
                        }
                        for position, (claim, data) in enumerate(zip(claims, rows, strict=True))
                    ],
                )
            conn.execute(
                schema.reports.update()
                .where(schema.reports.c.report_id == report_id)
                .values(processed_version=__version__)
            )
            self._audit(
                conn,
                "extract",
                {"report_id": report_id, "version": __version__, "claims": len(rows), "record": digest(rows)},
            )

    def save_links(
        self,
        stories: dict[str, str],
        incidents: Sequence[Incident],
        config: dict[str, Any] | None = None,
        links: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        """Replace stories and incidents (they are recomputed over the whole ledger), and the
        claim index with `links` (None leaves it empty, to be rebuilt when a review needs it)."""
        rows = [incident_to_json(incident) for incident in incidents]
        with self._write() as conn:
            # Many rows per statement: one statement per row took minutes for 5,000 reports.
            if stories:
                update = (
                    schema.reports.update()
                    .where(schema.reports.c.report_id == sa.bindparam("rid"))
                    .values(story_id=sa.bindparam("sid"))
                )
                conn.execute(update, [{"rid": rid, "sid": sid} for rid, sid in stories.items()])
            conn.execute(schema.incidents.delete())
            conn.execute(schema.claim_links.delete())
            if links:
                conn.execute(schema.claim_links.insert(), list(links))
            if rows:
                conn.execute(
                    schema.incidents.insert(),
                    [
                        {
                            "incident_id": incident.incident_id,
                            "type": incident.type,
                            "date_start": incident.date.start,
                            "data": data,
                        }
                        for incident, data in zip(incidents, rows, strict=True)
                    ],
                )
            self._audit(
                conn,
                "process",
                {
                    "version": __version__,
                    "config": config or {},
                    "reports": len(stories),
                    "incidents": len(rows),
                    "stories_record": digest(sorted(stories.items())),
                    "incidents_record": digest(sorted(rows, key=lambda r: r["incident_id"])),
                    "incidents_sum": set_sum([digest(r) for r in rows]),
                },
            )

    # -- accounts and reviews ---------------------------------------------------------------
    def add_user(self, name: str, role: str, password_hash: str) -> int:
        """Create or replace an account (the admin resets a password by adding the user again).
        Every session of the name ends; returns how many were open."""
        with self._write() as conn:
            record = {"name": name, "role": role, "password_hash": password_hash, "created_at": now()}
            conn.execute(schema.users.delete().where(schema.users.c.name == name))
            conn.execute(schema.users.insert().values(**record))
            ended = _end_sessions(conn, name)
            # The digest covers the password hash (salted, so it helps no one guess the password):
            # `verify` then notices a hash or role swapped in the users table.
            self._audit(
                conn, "user", {"name": name, "role": role, "record": digest(record), "sessions_ended": ended}
            )
        return ended

    def set_role(self, name: str, role: str) -> int:
        """Give an account another role, ending its sessions; returns how many were open."""
        with self._write() as conn:
            if (
                conn.execute(
                    schema.users.update().where(schema.users.c.name == name).values(role=role)
                ).rowcount
                == 0
            ):
                raise StoreError(f"no account {name!r} in the ledger")
            row = conn.execute(sa.select(schema.users).where(schema.users.c.name == name)).mappings().one()
            record = {k: row[k] for k in ("name", "role", "password_hash", "created_at")}
            ended = _end_sessions(conn, name)
            self._audit(
                conn, "user", {"name": name, "role": role, "record": digest(record), "sessions_ended": ended}
            )
        return ended

    def remove_user(self, name: str) -> int:
        """Delete an account and end its sessions (its reviews stay, under its name); the audit
        log records the removal, so `verify` expects the account to be gone. Returns how many
        sessions were open; StoreError when there is no such account."""
        with self._write() as conn:
            if conn.execute(schema.users.delete().where(schema.users.c.name == name)).rowcount == 0:
                raise UsageError(f"no account {name!r} in the ledger (see: claimledger user list)")
            ended = _end_sessions(conn, name)
            conn.execute(
                schema.login_failures.delete().where(
                    schema.login_failures.c.scope == "account", schema.login_failures.c.subject == name[:200]
                )
            )
            self._audit(conn, "user", {"name": name, "removed": True, "sessions_ended": ended})
        return ended

    def users(self) -> list[dict[str, Any]]:
        """Every account's name, role and creation time (never its password hash)."""
        columns = (schema.users.c.name, schema.users.c.role, schema.users.c.created_at)
        with self.engine.connect() as conn:
            return [
                dict(row)
                for row in conn.execute(sa.select(*columns).order_by(schema.users.c.name)).mappings()
            ]

    # -- web sessions ------------------------------------------------------------------------
    @contextmanager
    def _auth_write(self) -> Iterator[sa.Connection]:
        """A write transaction for sessions and login counts: serial (SQLite's write lock, an
        advisory lock on PostgreSQL) without holding up the audit chain."""
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7351004)")
            yield conn

    def open_session(self, session_id: str, name: str, client: str, seconds: float) -> None:
        """Record a new session of an account, valid for `seconds`; expired sessions are dropped."""
        at = dt.datetime.now(dt.UTC).replace(microsecond=0)
        with self._auth_write() as conn:
            conn.execute(schema.sessions.delete().where(schema.sessions.c.expires_at <= at.isoformat()))
            conn.execute(
                schema.sessions.insert().values(
                    session_id=session_id,
                    user=name,
                    created_at=at.isoformat(),
                    last_seen_at=at.isoformat(),
                    expires_at=(at + dt.timedelta(seconds=seconds)).isoformat(),
                    client=client[:300],
                )
            )

    def session(self, session_id: str) -> dict[str, Any] | None:
        """An unexpired session with its account's current role (read from the account on every
        call, so a changed role applies at once), or None."""
        s, u = schema.sessions, schema.users
        query = (
            sa.select(
                s.c.session_id,
                s.c.user.label("name"),
                u.c.role,
                s.c.created_at,
                s.c.last_seen_at,
                s.c.expires_at,
                s.c.client,
            )
            .join(u, u.c.name == s.c.user)
            .where(s.c.session_id == session_id, s.c.expires_at > now())
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return dict(row) if row else None

    def touch_session(self, session_id: str) -> None:
        with self._auth_write() as conn:
            conn.execute(
                schema.sessions.update()
                .where(schema.sessions.c.session_id == session_id)
                .values(last_seen_at=now())
            )

    def end_session(self, session_id: str) -> None:
        with self._auth_write() as conn:
            conn.execute(schema.sessions.delete().where(schema.sessions.c.session_id == session_id))

    def end_sessions(self, name: str) -> int:
        """End every session of an account (an admin's logout, written to the audit log)."""
        with self._write() as conn:
            ended = _end_sessions(conn, name)
            self._audit(conn, "logout", {"name": name, "sessions_ended": ended})
        return ended

    def open_sessions(self) -> list[dict[str, Any]]:
        """The unexpired sessions, oldest first: account, times and client, never the id."""
        s = schema.sessions
        query = (
            sa.select(s.c.user, s.c.created_at, s.c.last_seen_at, s.c.expires_at, s.c.client)
            .where(s.c.expires_at > now())
            .order_by(s.c.created_at, s.c.user)
        )
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]

    # -- failed logins -------------------------------------------------------------------------
    def login_locked(self, keys: Sequence[tuple[str, str]], at: float) -> bool:
        """True when any of these (scope, subject) pairs is locked at time `at`."""
        f = schema.login_failures
        wanted = sa.or_(
            *(sa.and_(f.c.scope == scope, f.c.subject == subject[:200]) for scope, subject in keys)
        )
        with self.engine.connect() as conn:
            return (
                conn.execute(sa.select(f.c.scope).where(wanted, f.c.locked_until > at).limit(1)).first()
                is not None
            )

    def record_login_failure(self, limits: Sequence[tuple[str, str, int]], window: float, at: float) -> None:
        """Count a failed login against each (scope, subject, attempts): the count restarts when
        its window has passed, and reaching `attempts` within the window locks the subject for
        `window` seconds. Counts whose window and lock have both passed are dropped."""
        f = schema.login_failures
        with self._auth_write() as conn:
            conn.execute(f.delete().where(f.c.window_start < at - window, f.c.locked_until < at))
            for scope, subject, attempts in limits:
                subject = subject[:200]
                where = sa.and_(f.c.scope == scope, f.c.subject == subject)
                row = conn.execute(sa.select(f.c.failures, f.c.window_start).where(where)).first()
                if row is None:
                    failures = 1
                    conn.execute(
                        f.insert().values(
                            scope=scope, subject=subject, failures=1, window_start=at, locked_until=0.0
                        )
                    )
                elif at - row.window_start > window:
                    failures = 1
                    conn.execute(f.update().where(where).values(failures=1, window_start=at))
                else:
                    failures = row.failures + 1
                    conn.execute(f.update().where(where).values(failures=failures))
                if failures >= attempts:
                    conn.execute(f.update().where(where).values(locked_until=at + window))

    def clear_login_failures(self, scope: str, subject: str) -> bool:
        """Forget a subject's failed logins and lock; True when there were any."""
        f = schema.login_failures
        with self._auth_write() as conn:
            return (
                conn.execute(f.delete().where(f.c.scope == scope, f.c.subject == subject[:200])).rowcount > 0
            )

    def unlock_account(self, name: str) -> bool:
        """An admin's unlock: the account's failed logins are forgotten (written to the audit log)."""
        f = schema.login_failures
        with self._write() as conn:
            cleared = (
                conn.execute(f.delete().where(f.c.scope == "account", f.c.subject == name[:200])).rowcount > 0
            )
            self._audit(conn, "unlock", {"name": name})
        return cleared

    def user(self, name: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(schema.users).where(schema.users.c.name == name)).mappings().first()
            return dict(row) if row else None

    def add_review(
        self, claim_id: str, user: str, action: str, changes: dict[str, Any], note: str | None = None
    ) -> dict[str, Any]:
        """Record an analyst's review as a new record beside the machine's claim, with its audit entry."""
        at = now()
        record = {
            "claim_id": claim_id,
            "user": user,
            "action": action,
            "changes": changes,
            "note": note,
            "at": at,
        }
        review_id = "v" + digest(record)[:20]
        reviews = schema.reviews.c
        try:
            with self._write() as conn:
                if not conn.execute(
                    sa.select(schema.claims.c.claim_id).where(schema.claims.c.claim_id == claim_id)
                ).first():
                    raise StoreError(f"no claim {claim_id} in the ledger")
                # The id hashes the record with its second: the same review sent again within the
                # second (a double click, a retried request) has the id of one already stored. The
                # write lock makes this check and the insert one step for concurrent requests.
                if conn.execute(sa.select(reviews.review_id).where(reviews.review_id == review_id)).first():
                    latest = conn.execute(
                        sa.select(reviews.review_id)
                        .where(reviews.claim_id == claim_id)
                        .order_by(
                            reviews.at.desc(), reviews.seq.desc().nulls_last(), reviews.review_id.desc()
                        )
                        .limit(1)
                    ).first()
                    if latest is not None and latest[0] == review_id:
                        return {
                            "review_id": review_id,
                            **record,
                        }  # already the claim's latest review: nothing to add
                    raise ConflictError(
                        f"the same review of {claim_id} was recorded this second and another review has followed it; send it again in a moment"
                    )
                seq = conn.execute(sa.select(sa.func.coalesce(sa.func.max(reviews.seq), 0))).scalar_one()
                conn.execute(schema.reviews.insert().values(review_id=review_id, seq=int(seq) + 1, **record))
                self._audit(
                    conn,
                    "review",
                    {
                        "review_id": review_id,
                        "record": digest(record),
                        **{k: record[k] for k in ("claim_id", "user", "action")},
                    },
                )
        except sa.exc.IntegrityError as exc:  # a writer that slipped past the lock: refused, not a crash
            raise ConflictError(
                f"the review of {claim_id} collides with one stored at the same moment; send it again"
            ) from exc
        return {"review_id": review_id, **record}

    def reviews(self, claim_ids: Sequence[str] | None = None) -> dict[str, list[dict[str, Any]]]:
        """Reviews by claim, oldest first."""
        columns = [c for c in schema.reviews.c if c.name != "seq"]
        query = sa.select(*columns).order_by(
            schema.reviews.c.at, schema.reviews.c.seq.asc().nulls_first(), schema.reviews.c.review_id
        )
        if claim_ids is not None:
            query = query.where(schema.reviews.c.claim_id.in_(list(claim_ids)))
        out: dict[str, list[dict[str, Any]]] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(query).mappings():
                out.setdefault(row["claim_id"], []).append(dict(row))
        return out

    # -- regrouping after a review (the claim index) -----------------------------------------
    def claims_by_ids(self, claim_ids: Sequence[str]) -> dict[str, Claim]:
        """The machine's claims of these ids (those in the ledger)."""
        out: dict[str, Claim] = {}
        ids = sorted(set(claim_ids))
        with self.engine.connect() as conn:
            for chunk in _chunks(ids):
                query = sa.select(schema.claims.c.data).where(schema.claims.c.claim_id.in_(chunk))
                for row in conn.execute(query):
                    claim = claim_from_json(row[0])
                    out[claim.claim_id] = claim
        return out

    def reports_by_ids(self, report_ids: Sequence[str]) -> dict[str, tuple[Report, str]]:
        """These reports with their story ids (their own id until linked)."""
        out: dict[str, tuple[Report, str]] = {}
        ids = sorted(set(report_ids))
        with self.engine.connect() as conn:
            for chunk in _chunks(ids):
                query = sa.select(schema.reports).where(schema.reports.c.report_id.in_(chunk))
                for row in conn.execute(query).mappings():
                    out[row["report_id"]] = (_report(row), row["story_id"] or row["report_id"])
        return out

    def incidents_by_ids(self, incident_ids: Sequence[str]) -> dict[str, Incident]:
        """The incidents of these ids that are in the ledger now."""
        out: dict[str, Incident] = {}
        ids = sorted(set(incident_ids))
        with self.engine.connect() as conn:
            for chunk in _chunks(ids):
                query = sa.select(schema.incidents.c.data).where(schema.incidents.c.incident_id.in_(chunk))
                for row in conn.execute(query):
                    incident = incident_from_json(row[0])
                    out[incident.incident_id] = incident
        return out

    def link_index_ready(self) -> bool:
        """True when the claim index is built, or there are no incidents to index."""
        with self.engine.connect() as conn:
            indexed = conn.execute(sa.select(schema.claim_links.c.claim_id).limit(1)).first()
            return (
                indexed is not None
                or conn.execute(sa.select(schema.incidents.c.incident_id).limit(1)).first() is None
            )

    def replace_link_index(self, rows: Sequence[dict[str, Any]]) -> None:
        """Write the claim index anew (it is derived: no audit entry)."""
        with self._write() as conn:
            conn.execute(schema.claim_links.delete())
            if rows:
                conn.execute(schema.claim_links.insert(), list(rows))

    def link_rows(self, claim_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The claim index rows of these claims (claims rejected or never linked have none)."""
        out: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(set(claim_ids))):
                query = sa.select(schema.claim_links).where(schema.claim_links.c.claim_id.in_(chunk))
                for row in conn.execute(query).mappings():
                    out[row["claim_id"]] = dict(row)
        return out

    def incident_members(self, incident_ids: Sequence[str]) -> dict[str, list[str]]:
        """incident id -> its claims' ids, from the claim index."""
        out: dict[str, list[str]] = {}
        links = schema.claim_links.c
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(set(incident_ids))):
                query = sa.select(links.incident_id, links.claim_id).where(links.incident_id.in_(chunk))
                for row in conn.execute(query):
                    out.setdefault(row.incident_id, []).append(row.claim_id)
        return out

    def incidents_within_reach(self, reach: Reach) -> set[str]:
        """The incidents holding a claim that a claim of this reach may link to: one of its story,
        or one at its site of a compatible type dated near it (see corroborate.Reach)."""
        links = schema.claim_links.c
        found: set[str] = set()
        with self.engine.connect() as conn:
            found.update(
                row[0]
                for row in conn.execute(sa.select(links.incident_id).where(links.story_id == reach.story))
            )
            if reach.precision is None:
                return found
            near: list[Any] = [links.type.in_(list(reach.types))]
            dated = (
                sa.and_(links.date_start <= reach.date_range[1], links.date_end >= reach.date_range[0])
                if reach.date_range is not None
                else links.date_start.is_not(None)
            )
            if reach.dates == "near":
                near.append(dated)
            elif reach.dates == "near-or-undated":
                near.append(sa.or_(links.date_start.is_(None), dated))
            elif reach.dates == "undated":
                near.append(links.date_start.is_(None))

            def same(column: Any, value: Any) -> Any:
                return column.is_(None) if value is None else column == value

            if reach.precision == "admin1":
                sites = [
                    sa.and_(
                        links.site_precision == "admin1",
                        same(links.site_country, reach.country),
                        same(links.site_admin1, reach.admin1),
                    )
                ]
            else:
                placed = links.site_precision.in_(["place", "admin2"])
                sites = [
                    sa.and_(placed, links.site_name == reach.name, same(links.site_country, reach.country))
                ]
                if reach.gid is not None:
                    sites.append(sa.and_(placed, links.site_gid == reach.gid))
                if reach.lat_range is not None:
                    box = [links.lat >= reach.lat_range[0], links.lat <= reach.lat_range[1]]
                    if reach.lon_range is not None:
                        box += [links.lon >= reach.lon_range[0], links.lon <= reach.lon_range[1]]
                    sites.append(sa.and_(placed, *box))
            for where in sites:  # one indexed read each
                query = sa.select(links.incident_id).where(where, *near)
                found.update(row[0] for row in conn.execute(query))
        return found

    def regroup(
        self,
        removed: Sequence[str],
        added: Sequence[Incident],
        claim_ids: Sequence[str],
        rows: Sequence[dict[str, Any]],
        detail: dict[str, Any],
    ) -> None:
        """Replace some incidents by others and the index rows of these claims, in one transaction
        with a `regroup` audit entry that records what changed and the digest of every incident
        in the ledger after it (a sum of each incident's digest, so it follows from the last one
        without reading every incident)."""
        data = [incident_to_json(incident) for incident in added]
        with self._write() as conn:
            total = self._incidents_sum(conn)
            gone = []
            for chunk in _chunks(sorted(set(removed) | {incident.incident_id for incident in added})):
                gone += [
                    row[0]
                    for row in conn.execute(
                        sa.select(schema.incidents.c.data).where(schema.incidents.c.incident_id.in_(chunk))
                    )
                ]
                conn.execute(schema.incidents.delete().where(schema.incidents.c.incident_id.in_(chunk)))
            if data:
                conn.execute(
                    schema.incidents.insert(),
                    [
                        {
                            "incident_id": incident.incident_id,
                            "type": incident.type,
                            "date_start": incident.date.start,
                            "data": record,
                        }
                        for incident, record in zip(added, data, strict=True)
                    ],
                )
            for chunk in _chunks(sorted(set(claim_ids))):
                conn.execute(schema.claim_links.delete().where(schema.claim_links.c.claim_id.in_(chunk)))
            if rows:
                conn.execute(schema.claim_links.insert(), list(rows))
            if total is not None:
                total = set_sum([total, *(digest(r) for r in data)], [digest(r) for r in gone])
            self._audit(
                conn,
                "regroup",
                {
                    **detail,
                    "removed": sorted(set(removed)),
                    "added": [incident.incident_id for incident in added],
                    "record": digest(sorted(data, key=lambda r: r["incident_id"])),
                    "incidents_sum": total,
                },
            )

    def _incidents_sum(self, conn: sa.Connection) -> str | None:
        """The sum of the incidents' digests as the last processing run or regrouping left them;
        None when it cannot be vouched for (an older run recorded no sum and the incidents no
        longer match what it recorded)."""
        last = conn.execute(
            sa.select(schema.audit.c.action, schema.audit.c.detail)
            .where(schema.audit.c.action.in_(["process", "regroup"]))
            .order_by(schema.audit.c.seq.desc())
            .limit(1)
        ).first()
        if last is None:
            return None
        detail = last.detail if isinstance(last.detail, dict) else {}
        if "incidents_sum" in detail or last.action == "regroup" or "incidents_record" not in detail:
            value = detail.get("incidents_sum")
            return value if isinstance(value, str) else None
        rows = [row[0] for row in conn.execute(sa.select(schema.incidents.c.data))]
        if detail.get("incidents_record") != digest(sorted(rows, key=lambda r: r["incident_id"])):
            return None
        return set_sum([digest(r) for r in rows])

    # -- watched sources ---------------------------------------------------------------------
    def add_source(self, url: str, kind: str) -> bool:
        """Watch a source; False when it was already watched."""
        with self._write() as conn:
            if conn.execute(sa.select(schema.sources.c.url).where(schema.sources.c.url == url)).first():
                return False
            conn.execute(schema.sources.insert().values(url=url, kind=kind, added_at=now(), errors=0))
            self._audit(conn, "source", {"url": url, "kind": kind})
            return True

    def sources(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [
                dict(row)
                for row in conn.execute(sa.select(schema.sources).order_by(schema.sources.c.url)).mappings()
            ]

    def record_poll(
        self, url: str, error: str | None, interval_seconds: float, counts: dict[str, int]
    ) -> None:
        """A poll's outcome on its source and in the audit log; the next poll waits the interval,
        doubled for each failure in a row (up to 64 times)."""
        at = now()
        with self._write() as conn:
            row = conn.execute(sa.select(schema.sources.c.errors).where(schema.sources.c.url == url)).first()
            errors = 0 if error is None else (row[0] if row else 0) + 1
            wait = dt.timedelta(seconds=interval_seconds * 2 ** min(errors, 6))
            next_poll_at = (dt.datetime.now(dt.UTC) + wait).replace(microsecond=0).isoformat()
            values: dict[str, Any] = {
                "last_poll_at": at,
                "errors": errors,
                "last_error": error,
                "next_poll_at": next_poll_at,
            }
            if error is None:
                values["last_success_at"] = at
            conn.execute(schema.sources.update().where(schema.sources.c.url == url).values(**values))
            self._audit(conn, "poll", {"url": url, "error": error, **counts})

    def seen_item(self, source: str, guid: str) -> tuple[str, str | None] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(schema.seen_items.c.item_hash, schema.seen_items.c.report_id).where(
                    schema.seen_items.c.source_url == source, schema.seen_items.c.guid == guid
                )
            ).first()
            return None if row is None else (row[0], row[1])

    def mark_item(
        self, source: str, guid: str, item_hash: str, report_id: str | None, previous_id: str | None = None
    ) -> None:
        """Remember a feed item; a new report for an item seen before is a version of the old one."""
        with self._write() as conn:
            conn.execute(
                schema.seen_items.delete().where(
                    schema.seen_items.c.source_url == source, schema.seen_items.c.guid == guid
                )
            )
            conn.execute(
                schema.seen_items.insert().values(
                    source_url=source, guid=guid, item_hash=item_hash, report_id=report_id
                )
            )
            if previous_id and report_id and previous_id != report_id:
                conn.execute(
                    schema.report_versions.delete().where(schema.report_versions.c.report_id == report_id)
                )
                conn.execute(
                    schema.report_versions.insert().values(report_id=report_id, previous_id=previous_id)
                )
                self._audit(conn, "version", {"report_id": report_id, "previous_id": previous_id})

    def next_version(self, report_id: str) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(schema.report_versions.c.report_id).where(
                    schema.report_versions.c.previous_id == report_id
                )
            ).first()
            return None if row is None else str(row[0])

    def previous_version(self, report_id: str) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(schema.report_versions.c.previous_id).where(
                    schema.report_versions.c.report_id == report_id
                )
            ).first()
            return None if row is None else str(row[0])

    def report_id_for(self, url: str, text: str) -> str | None:
        """The stored report of this page with this text, if any."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(schema.reports.c.report_id).where(
                    schema.reports.c.url == url, schema.reports.c.text == text
                )
            ).first()
            return None if row is None else str(row[0])

    # -- audit ----------------------------------------------------------------------------
    def _audit(self, conn: sa.Connection, action: str, detail: dict[str, Any]) -> None:
        last = conn.execute(
            sa.select(schema.audit.c.hash).order_by(schema.audit.c.seq.desc()).limit(1)
        ).first()
        prev = last[0] if last else GENESIS
        at = now()
        digest = entry_hash(prev, at, action, detail)
        conn.execute(
            schema.audit.insert().values(at=at, action=action, detail=detail, prev_hash=prev, hash=digest)
        )

    def audit(self, action: str, detail: dict[str, Any]) -> None:
        with self._write() as conn:
            self._audit(conn, action, detail)

    def audit_entries(self) -> list[dict[str, Any]]:
        """The whole audit log in order, each entry as stored."""
        with self.engine.connect() as conn:
            return [
                dict(row)
                for row in conn.execute(sa.select(schema.audit).order_by(schema.audit.c.seq)).mappings()
            ]

    def verify(self) -> Verification:
        """Re-hash every original, every derived record and the audit chain; name each mismatch.

        Derived records are checked against the digests their audit entries recorded when they
        were written, so a change to a report's text, a claim or an incident shows up as a
        mismatch even though those records have no hash of their own. The check runs both ways:
        every record the chain announces (an ingested report with its original and attachments,
        a review, an account, a watched source, a version link) must still be there and match,
        and every such record present must have been announced. One read per table.
        """
        problems: list[str] = []
        notes: list[str] = []
        entries = self.audit_entries()
        prev = GENESIS
        last: dict[tuple[str, str], dict[str, Any]] = {}
        seqs: dict[tuple[str, str], int] = {}
        process: dict[str, Any] | None = None
        linked_last: dict[str, Any] | None = None  # the last entry that recorded the incidents
        for entry in entries:
            if entry["prev_hash"] != prev:
                problems.append(
                    f"audit entry {entry['seq']}: does not follow the previous entry (an entry was removed or reordered)"
                )
            if entry_hash(entry["prev_hash"], entry["at"], entry["action"], entry["detail"]) != entry["hash"]:
                problems.append(
                    f"audit entry {entry['seq']} ({entry['action']}): content does not match its hash"
                )
            prev = entry["hash"]
            detail = entry["detail"] if isinstance(entry["detail"], dict) else {}
            names = ANNOUNCED.get(entry["action"])
            if names is not None and isinstance(detail.get(names), str):
                last[(entry["action"], detail[names])] = detail
                seqs[(entry["action"], detail[names])] = entry["seq"]
            elif entry["action"] == "process":
                process = detail
            if entry["action"] in ("process", "regroup"):
                linked_last = detail

        def announced(action: str) -> dict[str, dict[str, Any]]:
            return {key: detail for (kind, key), detail in last.items() if kind == action}

        def where(action: str, key: str) -> str:
            return f"audit entry {seqs[(action, key)]}"

        ingested = announced("ingest")
        with self.engine.connect() as conn:
            originals: set[str] = set()
            for sha, data in conn.execute(sa.select(schema.originals.c.sha256, schema.originals.c.data)):
                originals.add(sha)
                stored = bytes(data) if isinstance(data, bytes | memoryview) else str(data).encode("utf-8")
                if hashlib.sha256(stored).hexdigest() != sha:
                    problems.append(f"original {sha}: stored bytes do not match their SHA-256")
            claims: dict[str, list[dict[str, Any]]] = {}
            for row in conn.execute(
                sa.select(schema.claims.c.report_id, schema.claims.c.data).order_by(
                    schema.claims.c.report_id, schema.claims.c.position
                )
            ):
                claims.setdefault(row.report_id, []).append(row.data)
            present: set[str] = set()
            for rec in conn.execute(sa.select(schema.reports)).mappings():
                rid = rec["report_id"]
                present.add(rid)
                if not rid or not rec["sha256"].startswith(rid):
                    problems.append(f"report {rid}: identifier does not derive from its original's hash")
                recorded = ingested.get(rid)
                if recorded is None:
                    problems.append(f"report {rid}: no audit entry records its ingest")
                elif recorded.get("record") != report_digest(_report(rec)):
                    problems.append(f"report {rid}: text or metadata differ from what was recorded at ingest")
                extracted = last.get(("extract", rid))
                if rec["processed_version"] is not None:
                    if extracted is None:
                        problems.append(
                            f"report {rid}: marked processed but no audit entry records its claims"
                        )
                    elif extracted.get("record") != digest(claims.get(rid, [])):
                        problems.append(
                            f"claims of report {rid}: differ from what was recorded when they were extracted"
                        )
                elif claims.get(rid):
                    problems.append(f"claims of report {rid}: present for a report not marked processed")
            attached = {
                (row.report_id, row.name): row.sha256 for row in conn.execute(sa.select(schema.attachments))
            }
            for rid, recorded in sorted(ingested.items()):
                # What an ingest entry announces stays demanded: a later `process` re-derives
                # stories and incidents without the erased report, but cannot hide it here.
                if rid not in present:
                    problems.append(
                        f"report {rid}: its ingest is recorded ({where('ingest', rid)}) but the report is missing"
                    )
                sha = recorded.get("sha256")
                if sha not in originals:
                    problems.append(
                        f"original {sha} of report {rid}: recorded at ingest ({where('ingest', rid)}) but missing"
                    )
                media = recorded.get("media")
                for name, media_sha in sorted((media if isinstance(media, dict) else {}).items()):
                    row_sha = attached.pop((rid, name), None)
                    if row_sha is None:
                        problems.append(
                            f"attachment {name!r} of report {rid}: recorded at ingest ({where('ingest', rid)}) but its row is missing"
                        )
                    elif row_sha != media_sha:
                        problems.append(
                            f"attachment {name!r} of report {rid}: points at {row_sha}, not the {media_sha} recorded at ingest"
                        )
                    if media_sha not in originals:
                        problems.append(
                            f"original {media_sha} (attachment {name!r} of report {rid}): recorded at ingest ({where('ingest', rid)}) but missing"
                        )
            for rid, name in sorted(attached):
                problems.append(f"attachment {name!r} of report {rid}: no audit entry records it")
            for rid in set(claims) - set(ingested):
                problems.append(f"claims of report {rid}: belong to no ingested report")
            if process is not None:
                incidents = [row[0] for row in conn.execute(sa.select(schema.incidents.c.data))]
                if isinstance(linked_last, dict) and isinstance(linked_last.get("incidents_sum"), str):
                    # Reviews regroup incidents between runs: each regrouping records the sum of
                    # every incident's digest after it.
                    if linked_last["incidents_sum"] != set_sum([digest(r) for r in incidents]):
                        problems.append(
                            "incidents: differ from what the last processing run or review recorded"
                        )
                elif process.get("incidents_record") != digest(
                    sorted(incidents, key=lambda r: r["incident_id"])
                ):
                    problems.append("incidents: differ from what the last processing run recorded")
                stories = [
                    (row.report_id, row.story_id)
                    for row in conn.execute(sa.select(schema.reports.c.report_id, schema.reports.c.story_id))
                    if row.story_id
                ]
                if process.get("stories_record") != digest(sorted(stories)):
                    problems.append("stories: differ from what the last processing run recorded")
            reviewed = announced("review")
            for rec in conn.execute(sa.select(schema.reviews)).mappings():
                record = {k: rec[k] for k in ("claim_id", "user", "action", "changes", "note", "at")}
                recorded = reviewed.pop(rec["review_id"], None)
                if recorded is None:
                    problems.append(f"review {rec['review_id']}: no audit entry records it")
                elif recorded.get("record") != digest(record):
                    problems.append(f"review {rec['review_id']}: differs from what its audit entry recorded")
            for review_id in sorted(reviewed):
                problems.append(f"review {review_id}: recorded by {where('review', review_id)} but missing")
            accounts = announced("user")
            for rec in conn.execute(sa.select(schema.users)).mappings():
                name = rec["name"]
                recorded = accounts.pop(name, None)
                if recorded is None:
                    problems.append(f"user {name}: no audit entry records this account")
                    continue
                if recorded.get("removed"):
                    problems.append(f"user {name}: removed by {where('user', name)} but present")
                    continue
                if recorded.get("role") != rec["role"]:
                    problems.append(
                        f"user {name}: role {rec['role']!r} differs from the {recorded.get('role')!r} recorded by {where('user', name)}"
                    )
                if "record" not in recorded:
                    notes.append(
                        f"user {name}: {where('user', name)} predates digests of accounts; only its role was checked, not its password hash"
                    )
                # With the recorded role, so that a changed role is not reported twice.
                elif recorded["record"] != digest(
                    {
                        **{k: rec[k] for k in ("name", "password_hash", "created_at")},
                        "role": recorded.get("role"),
                    }
                ):
                    problems.append(
                        f"user {name}: password hash or creation time differ from what {where('user', name)} recorded"
                    )
            for name in sorted(accounts):
                if not accounts[name].get("removed"):
                    problems.append(f"user {name}: recorded by {where('user', name)} but missing")
            watched = announced("source")
            for rec in conn.execute(sa.select(schema.sources.c.url, schema.sources.c.kind)).mappings():
                recorded = watched.pop(rec["url"], None)
                if recorded is None:
                    problems.append(f"source {rec['url']}: no audit entry records it")
                elif recorded.get("kind") != rec["kind"]:
                    problems.append(
                        f"source {rec['url']}: kind {rec['kind']!r} differs from the {recorded.get('kind')!r} recorded by {where('source', rec['url'])}"
                    )
            for url in sorted(watched):
                problems.append(f"source {url}: recorded by {where('source', url)} but missing")
            linked = announced("version")
            for rec in conn.execute(sa.select(schema.report_versions)).mappings():
                recorded = linked.pop(rec["report_id"], None)
                if recorded is None:
                    problems.append(f"version link of report {rec['report_id']}: no audit entry records it")
                elif recorded.get("previous_id") != rec["previous_id"]:
                    problems.append(
                        f"version link of report {rec['report_id']}: points at {rec['previous_id']}, not the {recorded.get('previous_id')} recorded by {where('version', rec['report_id'])}"
                    )
            for rid in sorted(linked):
                problems.append(
                    f"version link of report {rid}: recorded by {where('version', rid)} but missing"
                )
        return Verification(problems, len(entries), prev, notes, entries[-1]["at"] if entries else "")


# The audit actions that announce a record, and the detail field that names it: `verify` holds
# the newest such entry of each record to what is stored.
ANNOUNCED = {
    "ingest": "report_id",
    "extract": "report_id",
    "review": "review_id",
    "user": "name",
    "source": "url",
    "version": "report_id",
}


def _end_sessions(conn: sa.Connection, name: str) -> int:
    return int(conn.execute(schema.sessions.delete().where(schema.sessions.c.user == name)).rowcount)


@dataclass(frozen=True)
class Verification:
    """What `verify` found, and the chain's head hash to record elsewhere: a head written down
    outside the ledger is what shows that no entry was cut from the end."""

    problems: list[str]
    entries: int
    head: str
    # What could not be fully checked (an older ledger's entries lack a digest), without failing.
    notes: list[str] = field(default_factory=list)
    # When the head entry was written ("" for an empty chain).
    head_at: str = ""


def set_sum(added: Sequence[str], removed: Sequence[str] = ()) -> str:
    """Hex digests summed modulo 2**256 (minus those removed): a digest of a set of records that
    follows from the previous one as records come and go, whatever their order."""
    total = sum(int(d, 16) for d in added) - sum(int(d, 16) for d in removed)
    return format(total % (1 << 256), "064x")


def _chunks(values: Sequence[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def digest(value: Any) -> str:
    """SHA-256 of a JSON value in canonical form (sorted keys, no spaces)."""
    blob = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def report_fields(report: Report) -> dict[str, Any]:
    """A report's derived text and metadata as JSON values (its links to stories change later)."""
    fields = asdict(report)
    fields["boilerplate"] = [list(b) for b in report.boilerplate]
    return fields


def report_digest(report: Report) -> str:
    return digest(report_fields(report))


def entry_hash(prev: str, at: str, action: str, detail: dict[str, Any]) -> str:
    blob = json.dumps([prev, at, action, detail], sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def _report(row: Any) -> Report:
    return Report(
        report_id=row["report_id"],
        sha256=row["sha256"],
        path=row["path"],
        url=row["url"],
        outlet=row["outlet"],
        title=row["title"],
        published=row["published"],
        language=row["language"],
        text=row["text"],
        kind=row["kind"],
        boilerplate=tuple((int(s), int(e)) for s, e in row["boilerplate"]),
    )


def claim_to_json(claim: Claim) -> dict[str, Any]:
    return asdict(claim)


def _location(data: dict[str, Any] | None) -> Location | None:
    return None if data is None else Location(**data)


def claim_from_json(data: dict[str, Any]) -> Claim:
    return Claim(
        claim_id=data["claim_id"],
        report_id=data["report_id"],
        type=data["type"],
        summary=data["summary"],
        evidence=tuple(Span(**e) for e in data["evidence"]),
        date=DateInfo(**data["date"]),
        locations=tuple(Location(**loc) for loc in data["locations"]),
        actors=tuple(Actor(**a) for a in data["actors"]),
        items=tuple(Item(**i) for i in data["items"]),
        attributions=tuple(Attribution(**a) for a in data["attributions"]),
        modality=data["modality"],
        confidence=data["confidence"],
    )


def incident_to_json(incident: Incident) -> dict[str, Any]:
    return asdict(incident)


def incident_from_json(data: dict[str, Any]) -> Incident:
    return Incident(
        incident_id=data["incident_id"],
        type=data["type"],
        claim_ids=tuple(data["claim_ids"]),
        report_ids=tuple(data["report_ids"]),
        story_ids=tuple(data["story_ids"]),
        date=DateInfo(**data["date"]),
        location=_location(data["location"]),
        sources=tuple(SourceRef(s["source"], s["kind"], tuple(s["report_ids"])) for s in data["sources"]),
        independent_source_count=data["independent_source_count"],
        credibility_grade=data["credibility_grade"],
        credibility_label=data["credibility_label"],
        partisan_only=data["partisan_only"],
        reasons=tuple(data["reasons"]),
    )
