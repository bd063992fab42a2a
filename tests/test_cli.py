"""The command line as a user meets it: wrong input is named and refused, the ledger's own
errors are never "internal", Ctrl-C and SIGTERM stop at once, backups, accounts and help text."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimledger import __version__
from claimledger.cli import app, main
from claimledger.store import LedgerStore

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]

# Our own sentences, invented for these tests.
SENTENCES = (
    "Soldiers looted a pharmacy in {town} on Monday, the mayor said.",
    "Artillery shells struck a school in {town} overnight, local officials reported.",
    "Troops took three tractors from a farm near {town}, a farmer told reporters.",
    "A drone hit an apartment block in {town}, wounding four residents, police said.",
    "Residents of {town} said armed men carried televisions out of empty flats.",
)
TOWNS = ("Kharkiv", "Izium", "Sumy", "Kherson", "Mykolaiv", "Chernihiv", "Bucha", "Irpin")


def write_corpus(folder: Path, reports: int, sentences: int = 6) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(reports):
        text = " ".join(
            SENTENCES[(i + k) % len(SENTENCES)].format(town=TOWNS[(i * 3 + k) % len(TOWNS)])
            + f" Report {i} counts {k + 2} witnesses."
            for k in range(sentences)
        )
        (folder / f"report-{i:03d}.txt").write_text(text + "\n", encoding="utf-8")
    return folder


def cli(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """Run the console entry point in this process (as the `claimledger` script does):
    exit status, standard output and standard error."""
    import contextlib
    import io

    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    stdin_was = sys.stdin
    sys.argv = ["claimledger", *args]
    sys.stdin = io.StringIO(stdin or "")
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    finally:
        sys.argv = argv
        sys.stdin = stdin_was
        for s, handler in handlers.items():
            signal.signal(s, handler)
    return code, out.getvalue(), " ".join(err.getvalue().split())


def copy_ledger(source: Path, target: Path) -> None:
    """A whole copy of a SQLite ledger, with what its write-ahead log still holds."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


@pytest.fixture(scope="module")
def small_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger of three ingested (unprocessed) reports."""
    folder = tmp_path_factory.mktemp("small")
    corpus = write_corpus(folder / "reports", 3, 2)
    path = folder / "ledger.db"
    code, _, err = cli("ingest", str(corpus), "--published", "2022-05-01", "--db", f"sqlite:///{path}")
    assert code == 0, err
    return path


# -- item 8: wrong input is refused, by name ---------------------------------------------------

READING_COMMANDS = [
    ["verify"],
    ["process"],
    ["export", "claims"],
    ["export", "acled", "--out", "{tmp}/acled.csv"],
    ["user", "list"],
    ["user", "sessions"],
    ["user", "add", "olena", "--password-stdin"],
    ["user", "remove", "olena"],
    ["source", "list"],
    ["watch", "--once"],
    ["backup", "{tmp}/copy.db"],
    ["serve", "--port", "1"],
]


@pytest.mark.parametrize("command", READING_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_command_that_reads_a_ledger_refuses_one_that_does_not_exist(
    command: list[str], tmp_path: Path
) -> None:
    typo = tmp_path / "ledgr.db"
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    code, out, err = cli(*args, "--db", f"sqlite:///{typo}", stdin="a long password\n")
    assert code == 2, err
    assert str(typo) in err and "no ledger" in err
    assert not typo.exists(), "a mistyped --db must not create an empty ledger"
    assert "internal error" not in err


def test_a_file_that_is_no_ledger_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    for name, content in (("empty.db", b""), ("notes.db", b"shopping list: bread, milk\n" * 200)):
        path = tmp_path / name
        path.write_bytes(content)
        code, _, err = cli("verify", "--db", str(path))
        assert code in (1, 2), err
        assert str(path) in err and "internal error" not in err
        assert path.read_bytes() == content


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("{tmp}/ledger.db", "sqlite:///{tmp}/ledger.db"),
        ("ledger.db", "sqlite:///ledger.db"),
    ],
)
def test_a_bare_path_is_a_sqlite_ledger(typed: str, meant: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    corpus = write_corpus(tmp_path / "reports", 1, 1)
    typed, meant = typed.replace("{tmp}", str(tmp_path)), meant.replace("{tmp}", str(tmp_path))
    code, _, err = cli("ingest", str(corpus), "--published", "2022-05-01", "--db", typed)
    assert code == 0, err
    assert len(LedgerStore(meant, create=False).reports()) == 1


@pytest.mark.parametrize("typed", ["postgres:/claims", "postgresq://claims@localhost/ledger", "sqlite:"])
def test_a_url_that_is_no_database_url_says_how_to_write_one(typed: str) -> None:
    code, _, err = cli("verify", "--db", typed)
    assert code == 2, err
    assert typed in err and "sqlite:///" in err and "postgresql+psycopg://" in err


@pytest.mark.parametrize(
    "args",
    [
        ["ingest", "{tmp}/reprots"],
        ["ingest", "{tmp}/reports", "{tmp}/missing.jsonl"],
        ["ingest", "{tmp}/reports", "--meta", "{tmp}/meta.jsonl"],
        ["run", "{tmp}/reprots"],
    ],
)
def test_a_missing_input_path_is_named_and_exits_2(args: list[str], tmp_path: Path) -> None:
    write_corpus(tmp_path / "reports", 1, 1)
    ledger = tmp_path / "new.db"
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, _, err = cli(*args, "--db", str(ledger))
    assert code == 2, err
    missing = next(a for a in args if a.startswith(str(tmp_path)) and not Path(a).exists())
    assert missing in err
    assert not ledger.exists(), "nothing is ingested from a batch with a missing path"


def test_an_unwritable_out_is_named_and_not_an_internal_error(small_ledger: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    for kind, target in (("claims", blocker / "claims.jsonl"), ("bundle", blocker / "evidence.zip")):
        code, _, err = cli("export", kind, "--out", str(target), "--db", str(small_ledger))
        assert code == 1, err
        assert str(target) in err and "cannot write" in err
        assert "internal error" not in err


def test_a_database_error_is_not_reported_as_a_bug_of_ours(small_ledger: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    copy_ledger(small_ledger, broken)
    with sqlite3.connect(broken) as conn:
        conn.execute("DROP TABLE reports")  # a ledger damaged behind claimledger's back
    code, _, err = cli("export", "reports", "--db", str(broken))
    assert code == 1, err
    assert "internal error" not in err and "reports" in err


# -- item 10: backup, and verify's head and time ----------------------------------------------


def test_verify_prints_the_audit_head_and_its_time(small_ledger: Path) -> None:
    code, _, err = cli("verify", "--db", str(small_ledger))
    assert code == 0, err
    last = LedgerStore(str(small_ledger)).audit_entries()[-1]
    assert f"{last['hash']}, written {last['at']}" in err


def test_backup_holds_what_is_still_in_the_write_ahead_log(small_ledger: Path, tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    copy_ledger(small_ledger, live)
    store = LedgerStore(str(live))
    store.add_user("olena", "analyst", "not-a-real-hash")  # stays in the WAL while `store` is open
    wal = Path(f"{live}-wal")
    assert wal.exists() and wal.stat().st_size > 0
    plain_copy = tmp_path / "plain-copy.db"
    plain_copy.write_bytes(live.read_bytes())  # what `cp` of the file alone would keep
    with sqlite3.connect(plain_copy) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 0
    target = tmp_path / "backups" / "ledger.db"
    target.parent.mkdir()
    code, _, err = cli("backup", str(target), "--db", str(live))
    assert code == 0, err
    assert not Path(f"{target}-wal").exists(), "a backup is one self-contained file"
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT name FROM users").fetchall() == [("olena",)]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    head = store.verify()
    assert f"{head.head}, written {head.head_at}" in err
    copied = LedgerStore(str(target), create=False).verify()
    assert copied.problems == [] and copied.head == head.head


def test_backup_never_overwrites_a_file(small_ledger: Path, tmp_path: Path) -> None:
    target = tmp_path / "yesterday.db"
    target.write_bytes(b"yesterday's backup")
    code, _, err = cli("backup", str(target), "--db", str(small_ledger))
    assert code == 2 and str(target) in err
    assert target.read_bytes() == b"yesterday's backup"


@pytest.mark.usefixtures("postgres")
def test_backup_of_a_postgresql_ledger_gives_pg_dump_advice(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    from conftest import database_name

    url = request.getfixturevalue("postgres").database(database_name(request))
    LedgerStore(url)
    code, _, err = cli("backup", str(tmp_path / "copy.db"), "--db", url)
    assert code == 2, err
    assert "pg_dump" in err and not (tmp_path / "copy.db").exists()


# -- item 3 (part): accounts and the version ----------------------------------------------------


def test_user_list_shows_every_account_and_its_role_and_never_a_password_hash(
    small_ledger: Path, tmp_path: Path
) -> None:
    ledger = tmp_path / "accounts.db"
    copy_ledger(small_ledger, ledger)
    for name, role in (("olena", "analyst"), ("taras", "viewer"), ("admin-iryna", "admin")):
        code, _, err = cli(
            "user",
            "add",
            name,
            "--role",
            role,
            "--password-stdin",
            "--db",
            str(ledger),
            stdin="a long password\n",
        )
        assert code == 0, err
    code, out, err = cli("user", "list", "--db", str(ledger))
    assert code == 0, err
    rows = [line.split("\t") for line in out.splitlines()]
    assert rows[0] == ["user", "role", "created", "open sessions"]
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [
        ("admin-iryna", "admin", "0"),
        ("olena", "analyst", "0"),
        ("taras", "viewer", "0"),
    ]
    assert "argon2" not in out and "3 account(s)" in err


def add_user(ledger: Path, name: str, role: str, password: str) -> None:
    code, _, err = cli(
        "user", "add", name, "--role", role, "--password-stdin", "--db", str(ledger), stdin=password + "\n"
    )
    assert code == 0, err


def test_user_remove_ends_the_account_and_its_sessions_and_the_ledger_still_verifies(
    small_ledger: Path, tmp_path: Path
) -> None:
    ledger = tmp_path / "accounts.db"
    copy_ledger(small_ledger, ledger)
    add_user(ledger, "olena", "analyst", "a long password")
    store = LedgerStore(str(ledger))
    store.open_session("s" * 64, "olena", "127.0.0.1 test", 3600)
    code, _, err = cli("user", "remove", "olena", "--db", str(ledger))
    assert code == 0, err
    assert "olena removed; 1 open session(s) ended" in err
    assert store.user("olena") is None and store.session("s" * 64) is None
    assert store.verify().problems == []
    code, _, err = cli("user", "remove", "olena", "--db", str(ledger))
    assert code == 2 and "no account 'olena'" in err
    # An account added again after its removal is expected by verify once more.
    add_user(ledger, "olena", "viewer", "another password")
    assert store.verify().problems == []


def test_an_account_put_back_behind_the_ledgers_back_after_its_removal_is_a_mismatch(
    small_ledger: Path, tmp_path: Path
) -> None:
    ledger = tmp_path / "accounts.db"
    copy_ledger(small_ledger, ledger)
    add_user(ledger, "olena", "admin", "a long password")
    store = LedgerStore(str(ledger))
    row = store.user("olena")
    assert row is not None
    store.remove_user("olena")
    with sqlite3.connect(ledger) as conn:
        conn.execute(
            "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
            (row["name"], row["role"], row["password_hash"], row["created_at"]),
        )
    assert any("user olena: removed" in p for p in store.verify().problems)


def test_version_prints_the_package_version() -> None:
    code, out, _ = cli("--version")
    assert code == 0
    assert out.strip() == f"claimledger {__version__}"


# -- item 12: bind before serving, help text, the README's contract -------------------------------


def test_serve_says_a_port_is_taken_and_never_that_it_is_serving(small_ledger: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = cli("serve", "--port", str(port), "--db", str(small_ledger))
    assert code == 2, err
    assert f"127.0.0.1:{port}" in err and "cannot listen" in err
    assert "serving" not in err


def _commands() -> list[list[str]]:
    import typer.main

    group = typer.main.get_command(app)
    found: list[list[str]] = [[]]

    def walk(command, path: list[str]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            found.append([*path, name])
            walk(sub, [*path, name])

    walk(group, [])
    return found


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c) or "claimledger")
def test_help_shows_what_to_type_not_python_types(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "240", "TERMINAL_WIDTH": "240"})
    assert result.exit_code == 0, result.output
    noise = re.findall(r"<(?:bool|str|int|float|path|list\[[^>]*|[a-z_]+\[[^>]*)>", result.output)
    assert noise == [], f"{command}: {noise}"


def test_the_readme_points_to_a_contract_the_repository_ships() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../shared/contract" not in readme
    assert "docs/contract/README.md" in readme and (ROOT / "docs" / "contract" / "README.md").is_file()
    package = ROOT / "src" / "claimledger" / "contract"
    for schema in package.glob("*.json"):
        shipped = ROOT / "docs" / "contract" / "schema" / schema.name
        assert shipped.read_bytes() == schema.read_bytes(), f"docs/contract/schema/{schema.name} differs"


# -- items 9 and 12: stopping, and one `process` at a time --------------------------------------


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


def _env() -> dict[str, str]:
    # The code under test: the PYTHONPATH the tests run with (`PYTHONPATH=src`), else this checkout's.
    path = os.pathsep.join(
        str(Path(p).resolve()) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p
    )
    return {**os.environ, "PYTHONPATH": path or str(ROOT / "src"), "CLAIMLEDGER_PROCESSES": "2"}


@pytest.fixture(scope="module")
def pending_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger of 60 ingested reports that no `process` has seen: enough for several seconds
    of parsing in two worker processes."""
    folder = tmp_path_factory.mktemp("pending")
    path = folder / "ledger.db"
    code, _, err = cli(
        "ingest",
        str(write_corpus(folder / "reports", 60)),
        "--published",
        "2022-05-01",
        "--db",
        f"sqlite:///{path}",
    )
    assert code == 0, err
    return path


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize(
    ("signum", "to_group", "status"),
    [
        (signal.SIGINT, True, 130),  # Ctrl-C in a terminal: the main process and its workers
        (signal.SIGINT, False, 130),  # SIGINT to the main process alone
        (signal.SIGTERM, False, 143),
    ],
    ids=["ctrl-c", "sigint-main-only", "sigterm"],
)
def test_process_stops_within_two_seconds_with_one_line_and_the_ledger_verifies(
    pending_ledger: Path, tmp_path: Path, signum: int, to_group: bool, status: int
) -> None:
    ledger = tmp_path / "ledger.db"
    copy_ledger(pending_ledger, ledger)
    proc = subprocess.Popen(
        [sys.executable, "-m", "claimledger.cli", "process", "--db", f"sqlite:///{ledger}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        start_new_session=True,
    )
    try:
        started = time.monotonic()
        while len(_children(proc.pid)) < 2 and time.monotonic() - started < 20:
            time.sleep(0.05)
        workers = _children(proc.pid)
        assert len(workers) >= 2, "the parser workers never started"
        time.sleep(0.8)  # the workers are parsing
        sent = time.monotonic()
        if to_group:
            os.killpg(proc.pid, signum)
        else:
            os.kill(proc.pid, signum)
        _, err = proc.communicate(timeout=2)
        assert time.monotonic() - sent < 2
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == status
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith(("interrupted", "terminated"))
    for worker in workers:
        assert not Path(f"/proc/{worker}").exists() or "zombie" in Path(f"/proc/{worker}/status").read_text()
    assert LedgerStore(str(ledger), create=False).verify().problems == []


@pytest.mark.slow
def test_a_second_process_run_waits_for_the_first_and_does_not_redo_its_work(
    small_ledger: Path, tmp_path: Path
) -> None:
    from claimledger.pipeline import analyse_reports

    ledger = tmp_path / "ledger.db"
    copy_ledger(small_ledger, ledger)
    store = LedgerStore(str(ledger))
    log = tmp_path / "second.log"
    with store.process_lock(), log.open("w") as stderr:  # the first run, in this process
        second = subprocess.Popen(
            [sys.executable, "-m", "claimledger.cli", "process", "--db", f"sqlite:///{ledger}"],
            stderr=stderr,
            text=True,
            env=_env(),
        )
        started = time.monotonic()
        while "waiting" not in log.read_text() and second.poll() is None and time.monotonic() - started < 20:
            time.sleep(0.05)
        assert "another `claimledger process` is running on this ledger" in log.read_text()
        assert second.poll() is None, "the second run waits while the first holds the ledger"
        for report, claims in analyse_reports(store.reports(unprocessed_only=True)):
            store.save_claims(report.report_id, claims)  # the first run's work
    assert second.wait(timeout=30) == 0, log.read_text()
    assert "processed 0 report(s)" in log.read_text(), "the second run found the work done"
    assert store.verify().problems == []


@pytest.mark.parametrize("require_login", [False, True])
def test_the_site_has_an_icon(small_ledger: Path, require_login: bool) -> None:
    from fastapi.testclient import TestClient

    from claimledger.web import create_app

    client = TestClient(create_app(f"sqlite:///{small_ledger}", require_login=require_login, secret="s"))
    response = client.get("/favicon.ico", follow_redirects=False)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/x-icon"
    assert response.content.startswith(b"\x00\x00\x01\x00")  # an ICO file's header
