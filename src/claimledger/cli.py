"""The command line: parse, call the library, turn library errors into clear messages."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import signal
import sys
import threading
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from claimledger import __version__
from claimledger.errors import BadInput, ClaimledgerError, UsageError
from claimledger.export import (
    acled_csv,
    acled_rows,
    bundle_zip,
    check_spans,
    claim_record,
    claim_redaction,
    geojson,
    incident_record,
    incident_redaction,
    jsonl,
    report_record,
)
from claimledger.model import Location
from claimledger.store import LedgerStore

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Turn war reporting into a verifiable ledger of claims and incidents.",
)
# Emoji codes (":100:") and markup in user text must print as typed: every user-supplied string
# that reaches rich goes through `_printable`, which escapes markup.
err = Console(stderr=True, soft_wrap=True, emoji=False, highlight=False)
EXAMPLES = Path(__file__).parent / "examples"
DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        metavar="URL",
        help="Ledger database: sqlite:///PATH, a SQLite file's PATH, or postgresql+psycopg://USER@HOST/DATABASE.",
    ),
]
DEFAULT_DB = "sqlite:///claimledger.db"


class Kind(StrEnum):
    reports = "reports"
    claims = "claims"
    incidents = "incidents"
    acled = "acled"
    geojson = "geojson"
    bundle = "bundle"


def _store(db: str, create: bool = False) -> LedgerStore:
    """The ledger at `db`; only the commands that fill a ledger (ingest, run, load, source add)
    create one, every other command refuses a ledger that does not exist."""
    return LedgerStore(db, create=create)


def _version(value: bool) -> None:
    if value:
        print(f"claimledger {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Turn war reporting into a verifiable ledger of claims and incidents."""


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def _ingest(
    db: str,
    paths: list[str],
    meta: Path | None,
    published: str | None,
    outlet: str | None,
    url: str | None,
    allow_private: bool = False,
    allow_host: list[str] | None = None,
    fetch_seconds: float = 60.0,
) -> None:
    from claimledger.ingest import Defaults, load_meta, missing_paths, read_sources
    from claimledger.ingest.fetch import FetchLimits
    from claimledger.pipeline import ingest_into

    missing = missing_paths([*paths, *([str(meta)] if meta else [])])
    if missing:  # before the ledger is opened: a typo must not create one
        raise UsageError(f"no such file or folder: {', '.join(_printable(m) for m in missing)}")
    store = _store(db, create=True)
    try:
        table = load_meta(meta)
    except BadInput as exc:
        raise ClaimledgerError(str(exc)) from exc
    with _progress() as progress:
        task = progress.add_task("ingesting", total=None)
        parameters = {
            "published": published,
            "outlet": outlet,
            "url": url,
            "meta": str(meta) if meta else None,
            "allow_private": allow_private,
        }
        limits = FetchLimits(
            allow_private=allow_private,
            allowed_hosts=frozenset(allow_host or ()),
            total_seconds=fetch_seconds,
        )
        sources = read_sources(paths, table, Defaults(published, outlet, url), limits)
        summary = ingest_into(store, sources, lambda _: progress.advance(task), parameters)
    for bad in summary.rejected:
        err.print(f"[yellow]skipped[/] {_printable(bad.name)}: {_printable(bad.reason)}", highlight=False)
    for note in summary.notes:
        err.print(f"[cyan]note[/] {_printable(note.name)}: {_printable(note.reason)}", highlight=False)
    err.print(
        f"ingested {summary.added} new report(s), {summary.known} already in the ledger, {len(summary.rejected)} rejected"
    )


def _printable(name: object) -> str:
    """User-supplied text (a file name, a URL, a reason quoting either) as one printable line:
    undecodable bytes and line breaks escaped, and rich's markup ("[red]", "[/]") shown as typed."""
    from rich.markup import escape

    text = (
        str(name)
        .encode("utf-8", "backslashreplace")
        .decode("utf-8")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )
    return escape(text)


def _process(db: str) -> None:
    store = _store(db)  # a missing ledger is refused before the parser is imported
    from claimledger.pipeline import process_store

    with _progress() as progress:
        task = progress.add_task("extracting claims", total=None)
        summary = process_store(
            store,
            lambda n: progress.advance(task, n),
            lambda total: progress.update(task, total=total),
            lambda: progress.console.print(
                "another `claimledger process` is running on this ledger; waiting for it to finish"
            ),
        )
    for bad in summary.failed:
        err.print(
            f"[yellow]not processed[/] {_printable(bad.name)}: {_printable(bad.reason)}", highlight=False
        )
    err.print(
        f"processed {summary.processed} report(s): {summary.claims} claims, {summary.incidents} incidents, {summary.stories} stories in the ledger"
    )


def _write_export(db: str, kind: Kind, out: Path | None, include_private_names: bool) -> int:
    from claimledger.contract_check import check_records
    from claimledger.privacy import report_redactions

    store = _store(db)
    machine = store.claims() if kind is not Kind.reports else []
    # Each report's redaction set, from all of its claims; None keeps every name.
    redactions = None if include_private_names else report_redactions(machine)
    # Every record is checked against its contract schema before anything is written.
    if kind is Kind.reports:
        linked = store.reports_with_links()
        records = [report_record(r, story_id, ingested_at) for r, story_id, ingested_at in linked]
        check_records("reports", records)
        text = "".join(jsonl(records))
        count = len(records)
    elif kind is Kind.claims:
        from claimledger.pipeline import reviewed_with_records

        check_spans(machine, {r.report_id: r.text for r in store.reports()})
        # Analysts' corrections are exported instead of the machine's values, with a `review`
        # object saying so; rejected claims are left out.
        shown = reviewed_with_records(store, machine)
        records = [claim_record(c, claim_redaction(c, redactions), r) for c, r in shown]
        check_records("claims", records)
        text = "".join(jsonl(records))
        count = len(records)
    elif kind is Kind.incidents:
        incidents = store.incidents()
        records = [incident_record(i, incident_redaction(i, redactions)) for i in incidents]
        check_records("incidents", records)
        text = "".join(jsonl(records))
        count = len(records)
    elif kind is Kind.acled:
        incidents = store.incidents()
        from claimledger.pipeline import reviewed_claims

        # The rows are made from incident records: those must pass their schema first.
        check_records("incidents", (incident_record(i, incident_redaction(i, redactions)) for i in incidents))
        reports_by_id = {r.report_id: r for r in store.reports()}
        check_spans(machine, {rid: r.text for rid, r in reports_by_id.items()})
        claims_by_id = {c.claim_id: c for c in reviewed_claims(store, machine)}
        rows_out = list(acled_rows(incidents, claims_by_id, reports_by_id, redactions))
        text = acled_csv(rows_out)
        count = len(rows_out)
    else:
        incidents = store.incidents()
        check_records("incidents", (incident_record(i, incident_redaction(i, redactions)) for i in incidents))
        collection = geojson(incidents, redactions)
        text = json.dumps(collection, ensure_ascii=False) + "\n"
        count = len(collection["features"])
    if out is None:
        sys.stdout.write(text)
    else:
        _write_file(out, text.encode("utf-8"))
    store.audit(
        "export",
        {
            "kind": kind.value,
            "records": count,
            "private_names": include_private_names,
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        },
    )
    return count


def _write_whole(out: Path, data: bytes) -> None:
    """Write a file whole or not at all: into a temporary file beside it, then renamed over it."""
    import tempfile

    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.fchmod(handle, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's owner-only mode
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write_bundle(
    db: str,
    out: Path | None,
    incidents: list[str],
    reports: list[str],
    types: list[str],
    include_private_names: bool,
) -> int:
    from claimledger.contract_check import check_records
    from claimledger.pipeline import gather_bundle

    if out is None:
        raise UsageError("a bundle is a ZIP file: give --out PATH.zip")
    store = _store(db)
    content = gather_bundle(store, incidents, reports, types, include_private_names)
    check_spans(content.claims, {r.report_id: r.text for r, _, _ in content.reports})
    redactions = None if include_private_names else content.redactions
    check_records("reports", (report_record(r, story, at) for r, story, at in content.reports))
    check_records("claims", (claim_record(c, claim_redaction(c, redactions)) for c in content.claims))
    check_records(
        "incidents", (incident_record(i, incident_redaction(i, redactions)) for i in content.incidents)
    )
    data = bundle_zip(content)
    _write_file(out, data)
    store.audit(
        "export",
        {
            "kind": "bundle",
            "records": len(content.incidents),
            "selection": content.selection,
            "private_names": include_private_names,
            "sha256": hashlib.sha256(data).hexdigest(),
        },
    )
    return len(content.incidents)


def _write_file(out: Path, data: bytes) -> None:
    """Write an export whole or not at all; a path that cannot be written is the user's to fix,
    named with the reason."""
    try:
        _write_whole(out, data)
    except OSError as exc:
        raise ClaimledgerError(f"cannot write {out}: {exc.strerror or exc}") from exc


@app.command()
def run(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Files, folders or http(s) URLs; none = the bundled example corpus."),
    ] = None,
    db: DbOption = DEFAULT_DB,
    meta: Annotated[
        Path | None,
        typer.Option(help="JSON Lines of per-file metadata (path, url, outlet, published, title)."),
    ] = None,
    published: Annotated[
        str | None, typer.Option(help="Publication date for inputs that carry none.")
    ] = None,
    outlet: Annotated[str | None, typer.Option(help="Outlet for inputs that carry none.")] = None,
    url: Annotated[str | None, typer.Option(help="URL for inputs that carry none.")] = None,
    exports: Annotated[Path | None, typer.Option(help="Also write every export into this folder.")] = None,
) -> None:
    """Ingest PATHs, process them and print a summary (the main job).

    Example: claimledger run ~/reports --exports out/   (or just: claimledger run)
    """
    if not paths:
        paths = [str(EXAMPLES / "reports")]
        meta = meta or EXAMPLES / "meta.jsonl"
        err.print(f"no PATH given: running on the bundled example corpus ({_printable(paths[0])})")
    _ingest(db, paths, meta, published, outlet, url)
    _process(db)
    _summary(db)
    if exports is not None:
        for kind, name in (
            (Kind.reports, "reports.jsonl"),
            (Kind.claims, "claims.jsonl"),
            (Kind.incidents, "incidents.jsonl"),
            (Kind.acled, "acled.csv"),
            (Kind.geojson, "incidents.geojson"),
        ):
            _write_export(db, kind, exports / name, False)
        err.print(f"exports written to {_printable(exports)}/")


def _summary(db: str) -> None:
    from rich.table import Table

    store = _store(db)
    claims = store.claims()
    incidents = store.incidents()
    table = Table(title="claims by type", show_edge=False)
    table.add_column("type")
    table.add_column("claims", justify="right")
    table.add_column("incidents", justify="right")
    types = sorted({c.type for c in claims})
    for t in types:
        table.add_row(t, str(sum(c.type == t for c in claims)), str(sum(i.type == t for i in incidents)))
    Console().print(table)
    corroborated = [i for i in incidents if i.independent_source_count >= 2]
    Console().print(
        f"{len(claims)} claims in {len(incidents)} incidents; {len(corroborated)} incidents have two or more independent sources"
    )
    for incident in sorted(corroborated, key=lambda i: (-i.independent_source_count, i.incident_id))[:5]:
        # Copies of one story (a syndicated wire text) are one story, and their sources count once.
        place = incident.location.name if incident.location else "no place"
        reports, stories = len(incident.report_ids), len(incident.story_ids)
        copies = f" ({stories} stories: copies of one story count once)" if reports > stories else ""
        Console(soft_wrap=True).print(
            f"  {incident.type} in {_printable(place)} on {incident.date.start or 'an unknown date'}: "
            f"{incident.independent_source_count} independent sources from {reports} reports{copies}",
            highlight=False,
        )


@app.command()
def ingest(
    paths: Annotated[
        list[str],
        typer.Argument(help="Files, folders (.txt, .html, .jsonl, .warc, .warc.gz) or http(s) URLs."),
    ],
    db: DbOption = DEFAULT_DB,
    meta: Annotated[Path | None, typer.Option(help="JSON Lines of per-file metadata.")] = None,
    published: Annotated[
        str | None, typer.Option(help="Publication date for inputs that carry none.")
    ] = None,
    outlet: Annotated[str | None, typer.Option(help="Outlet for inputs that carry none.")] = None,
    url: Annotated[str | None, typer.Option(help="URL for inputs that carry none.")] = None,
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private", help="Also fetch URLs on loopback, private and link-local addresses."
        ),
    ] = False,
    allow_host: Annotated[
        list[str] | None,
        typer.Option("--allow-host", help="HOST:PORT fetched even when its address is private (repeatable)."),
    ] = None,
    fetch_seconds: Annotated[
        float,
        typer.Option(
            "--fetch-seconds",
            min=1,
            help="Seconds one URL fetch may take in all: connection, headers, redirects and body.",
        ),
    ] = 60.0,
) -> None:
    """Store reports without processing them. A URL is fetched, kept as a WARC record and ingested.

    Example: claimledger ingest articles.jsonl pages/ https://example.org/news/1 --meta meta.jsonl
    """
    _ingest(db, paths, meta, published, outlet, url, allow_private, allow_host, fetch_seconds)


@app.command()
def process(db: DbOption = DEFAULT_DB) -> None:
    """Extract claims, find stories and build incidents for everything not yet processed.

    Example: claimledger process --db sqlite:///ledger.db
    """
    _process(db)


@app.command()
def export(
    kind: Annotated[Kind, typer.Argument(help="reports, claims, incidents, acled, geojson or bundle.")],
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of standard output.")] = None,
    db: DbOption = DEFAULT_DB,
    include_private_names: Annotated[
        bool, typer.Option("--include-private-names", help="Keep names of private individuals.")
    ] = False,
    incident: Annotated[
        list[str] | None, typer.Option("--incident", help="bundle: this incident (repeatable).")
    ] = None,
    report: Annotated[
        list[str] | None, typer.Option("--report", help="bundle: this report and its incidents (repeatable).")
    ] = None,
    claim_type: Annotated[
        list[str] | None,
        typer.Option("--type", help="bundle: every incident of this claim type (repeatable)."),
    ] = None,
) -> None:
    """Export the ledger as JSON Lines, ACLED-style CSV, GeoJSON, or an evidence bundle (ZIP).

    A bundle holds the chosen incidents with their claims, reports, original bytes, the audit
    entries that concern them, a manifest of hashes and verify_bundle.py to check it offline.

    Example: claimledger export claims --out claims.jsonl

    Example: claimledger export bundle --incident inc3f2a9c --out evidence.zip
    """
    if kind is Kind.bundle:
        count = _write_bundle(db, out, incident or [], report or [], claim_type or [], include_private_names)
        err.print(
            f"exported a bundle of {count} incident(s) to {_printable(out)}; check it with: python3 verify_bundle.py {_printable(out)}"
        )
        return
    count = _write_export(db, kind, out, include_private_names)
    err.print(f"exported {count} {kind.value} record(s)" + (f" to {_printable(out)}" if out else ""))


@app.command()
def locate(
    text: Annotated[str | None, typer.Argument(help="Text to find places in.")] = None,
    jsonl_file: Annotated[
        Path | None,
        typer.Option(
            "--jsonl", help="JSON Lines file: locate one field of each line.", exists=True, dir_okay=False
        ),
    ] = None,
    field: Annotated[str, typer.Option(help="Field of each line to locate.")] = "text",
    as_place: Annotated[
        bool, typer.Option("--as-place", help="Treat the whole input as one place name.")
    ] = False,
    each_alone: Annotated[
        bool,
        typer.Option(
            "--each-alone",
            help="With --jsonl: read every line by itself, not by where the file's other lines are.",
        ),
    ] = False,
    db: Annotated[
        str, typer.Option("--db", help="Accepted like every command's; locate reads no ledger.")
    ] = DEFAULT_DB,
) -> None:
    """Find and geocode the places in a text, printing {"places": [...]} per input.

    In a --jsonl file, a name a line leaves ambiguous ("shelling of Novomykhailivka": 18
    villages bear it) is read as its namesake where the file's other lines place their towns.

    Example: claimledger locate "Shelling hit Izium, Kharkiv Oblast"
    """
    from claimledger.geo import find_places, locate_string

    def places_of(value: str) -> list[Location]:
        return locate_string(value) if as_place else _ranked(find_places(value, language=""))

    def line(places: list[Location]) -> str:
        return json.dumps({"places": [p.export() for p in places]}, ensure_ascii=False)

    if jsonl_file is not None:
        found: list[tuple[str, list[Location]] | None] = []
        with jsonl_file.open(encoding="utf-8") as handle:
            for number, raw in enumerate(handle, 1):
                if not raw.strip():
                    continue
                try:
                    value = str(json.loads(raw).get(field) or "")
                except (ValueError, AttributeError):
                    err.print(
                        f"[yellow]skipped[/] {_printable(jsonl_file)}:{number}: malformed JSON line",
                        highlight=False,
                    )
                    value = None
                item = (value, places_of(value)) if value is not None else None
                if each_alone:
                    print(line(item[1] if item else []))  # streamed: nothing is kept
                else:
                    found.append(item)
        for item in _settled(found, as_place):
            print(line(item[1] if item else []))
        return
    if text is None:
        text = sys.stdin.read()
    print(line(places_of(text)))


def _settled(
    found: list[tuple[str, list[Location]] | None], as_place: bool
) -> list[tuple[str, list[Location]] | None]:
    """Each line's best place re-read by the places the file's other lines establish."""
    from claimledger.geo.collection import read_together

    settled = read_together([item if item else ("", []) for item in found], whole_strings=as_place)
    return [
        (item[0], places if as_place else _ranked(places)) if item else None
        for item, places in zip(found, settled, strict=True)
    ]


def _ranked(places: list[Location]) -> list[Location]:
    """Best first: sites before reference points and actors, specific places before regions, then text order."""
    rank = {"place": 0, "admin2": 1, "admin1": 2, "region": 3, "country": 4}
    return sorted(places, key=lambda p: (p.role == "other", rank[p.precision], p.start or 0))


@app.command()
def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    require_login: Annotated[
        bool | None,
        typer.Option(
            "--require-login/--open-reading", help="Every page needs an account (the default off 127.0.0.1)."
        ),
    ] = None,
    tiles: Annotated[
        str | None,
        typer.Option(
            help="Tile URL template, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png (default: the offline basemap)."
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option(help="Server processes (each keeps its own copy of the ledger in memory).")
    ] = 1,
) -> None:
    """Serve the web interface and the HTTP API.

    Example: claimledger serve --db sqlite:///ledger.db --port 8000
    """
    import secrets

    from claimledger.web import _loopback
    from claimledger.web.auth import LoginPolicy
    from claimledger.web.serving import listen, run_server

    LoginPolicy.from_environment(os.environ)  # a bad CLAIMLEDGER_LOGIN_* setting stops here, not in a worker
    if require_login is None:
        require_login = not _loopback(host)
    db = _store(db).url  # migrate the ledger once, before any worker opens it
    os.environ["CLAIMLEDGER_DB"] = db
    os.environ["CLAIMLEDGER_REQUIRE_LOGIN"] = "1" if require_login else "0"
    os.environ["CLAIMLEDGER_TILES"] = tiles or ""
    os.environ.setdefault(
        "CLAIMLEDGER_SECRET", secrets.token_urlsafe(32)
    )  # one secret for every worker's sessions
    sock = listen(host, port)  # bound before "serving" is said: a port in use stops here
    err.print(
        f"serving {_printable(db)} on http://{host}:{port}/ ({'login required' if require_login else 'reading open, reviewing needs an analyst'})"
    )
    run_server("claimledger.web:app_from_environment", sock, host, port, workers)


source_app = typer.Typer(
    help="Sources to watch: feeds and pages polled by `claimledger watch`.", no_args_is_help=True
)
app.add_typer(source_app, name="source")


class SourceKind(StrEnum):
    rss = "rss"
    atom = "atom"
    page = "page"


@source_app.command("add")
def source_add(
    url: Annotated[str, typer.Argument(help="The feed's or page's http(s) URL.")],
    kind: Annotated[SourceKind, typer.Option(help="rss, atom or page.")] = SourceKind.rss,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Watch a feed or a page.

    Example: claimledger source add https://example.org/news/rss.xml --kind rss
    """
    if not url.lower().startswith(("http://", "https://")):
        raise UsageError("a source is an http(s) URL")
    added = _store(db, create=True).add_source(url, kind.value)
    err.print(
        f"watching {_printable(url)} ({kind.value})" if added else f"{_printable(url)} was already watched"
    )


@source_app.command("list")
def source_list(db: DbOption = DEFAULT_DB) -> None:
    """Show every watched source with its last poll, last success and errors.

    Example: claimledger source list
    """
    from rich.table import Table

    table = Table(show_edge=False)
    for column in ("url", "kind", "last poll", "last success", "errors in a row", "last error", "next poll"):
        table.add_column(column)
    for s in _store(db).sources():
        table.add_row(
            _printable(s["url"]),
            s["kind"],
            s["last_poll_at"] or "never",
            s["last_success_at"] or "never",
            str(s["errors"]),
            _printable(s["last_error"] or ""),
            s["next_poll_at"] or "now",
        )
    Console().print(table)


def _seconds(value: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smhd]?)", value.strip())
    if not match:
        raise UsageError(f"an interval is a number with s, m, h or d (15m), not {value!r}")
    return float(match[1]) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match[2]]


@app.command()
def watch(
    db: DbOption = DEFAULT_DB,
    interval: Annotated[str, typer.Option(help="Time between polls of a source (15m, 1h).")] = "15m",
    once: Annotated[bool, typer.Option("--once", help="Poll every source once and stop.")] = False,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Also fetch private and loopback addresses.")
    ] = False,
    allow_host: Annotated[
        list[str] | None,
        typer.Option("--allow-host", help="HOST:PORT fetched even when private (repeatable)."),
    ] = None,
    fetch_seconds: Annotated[
        float,
        typer.Option(
            "--fetch-seconds",
            min=1,
            help="Seconds one URL fetch may take in all: connection, headers, redirects and body.",
        ),
    ] = 60.0,
) -> None:
    """Poll the watched sources on a schedule, ingest what is new, and process it.

    Example: claimledger watch --interval 15m
    """
    import datetime as dt
    import time

    from claimledger.ingest.fetch import FetchLimits
    from claimledger.pipeline import poll_source

    seconds = _seconds(interval)
    limits = FetchLimits(
        allow_private=allow_private, allowed_hosts=frozenset(allow_host or ()), total_seconds=fetch_seconds
    )
    store = _store(db)
    while True:
        moment = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        due = [s for s in store.sources() if once or not s["next_poll_at"] or s["next_poll_at"] <= moment]
        added = 0
        for source in due:
            result = poll_source(store, source["url"], source["kind"], limits, seconds)
            added += result.new + result.versions
            state = (
                f"[yellow]error[/] {_printable(result.error)}"
                if result.error
                else f"{result.items} item(s), {result.new} new, {result.versions} new version(s), {result.unchanged} unchanged"
            )
            err.print(f"polled {_printable(source['url'])}: {state}", highlight=False)
        if added:
            _process(db)
        if once:
            return
        time.sleep(min(60.0, seconds))


user_app = typer.Typer(help="Accounts for the web interface.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Account name.")],
    role: Annotated[str, typer.Option(help="viewer, analyst or admin.")] = "viewer",
    db: DbOption = DEFAULT_DB,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from standard input instead of a prompt."),
    ] = False,
) -> None:
    """Create an account (or reset its password and role).

    Example: claimledger user add olena --role analyst
    """
    from claimledger.web.auth import ROLES, hash_password

    if role not in ROLES:
        raise UsageError(f"a role is one of {', '.join(ROLES)}, not {role!r}")
    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("password", hide_input=True, confirmation_prompt=True)
    )
    if len(password) < 8:
        raise UsageError("a password has at least 8 characters")
    ended = _store(db).add_user(name, role, hash_password(password))
    err.print(
        f"account {_printable(name)} ({role}) saved" + (f"; {ended} open session(s) ended" if ended else "")
    )


@user_app.command("list")
def user_list(db: DbOption = DEFAULT_DB) -> None:
    """List the accounts: name, role, when it was created, and its open sessions.

    Example: claimledger user list
    """
    store = _store(db)
    users = store.users()
    sessions: dict[str, int] = {}
    for s in store.open_sessions():
        sessions[s["user"]] = sessions.get(s["user"], 0) + 1
    print("\t".join(("user", "role", "created", "open sessions")))
    for u in users:
        print("\t".join((_plain(u["name"]), u["role"], u["created_at"], str(sessions.get(u["name"], 0)))))
    err.print(f"{len(users)} account(s)")


@user_app.command("remove")
def user_remove(
    name: Annotated[str, typer.Argument(help="Account name.", metavar="NAME")], db: DbOption = DEFAULT_DB
) -> None:
    """Delete an account: its sessions end at once, its reviews stay under its name, and the
    removal is written to the audit log.

    Example: claimledger user remove olena
    """
    ended = _store(db).remove_user(name)
    err.print(f"account {_printable(name)} removed; {ended} open session(s) ended")


@user_app.command("role")
def user_role(
    name: Annotated[str, typer.Argument(help="Account name.")],
    role: Annotated[str, typer.Argument(help="viewer, analyst or admin.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Give an account another role; its open sessions end at once.

    Example: claimledger user role olena viewer
    """
    from claimledger.web.auth import ROLES

    if role not in ROLES:
        raise UsageError(f"a role is one of {', '.join(ROLES)}, not {role!r}")
    ended = _store(db).set_role(name, role)
    err.print(f"account {_printable(name)} is now {role}; {ended} open session(s) ended")


@user_app.command("sessions")
def user_sessions(db: DbOption = DEFAULT_DB) -> None:
    """List the open web sessions: account, when it signed in, when it was last seen, when the
    session expires, and its client (address and browser). Tokens are never shown or kept.

    Example: claimledger user sessions
    """
    rows = _store(db).open_sessions()
    # One tab-separated line a session (a table would wrap the client's text on a narrow terminal).
    print("\t".join(("user", "created", "last seen", "expires", "client")))
    for s in rows:
        print(
            "\t".join(
                (_plain(s["user"]), s["created_at"], s["last_seen_at"], s["expires_at"], _plain(s["client"]))
            )
        )
    err.print(f"{len(rows)} open session(s)")


def _plain(text: object) -> str:
    """User-supplied text (a browser's User-Agent) as one line of plain output: no line breaks,
    tabs or control characters."""
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in str(text))


@user_app.command("logout")
def user_logout(
    name: Annotated[str, typer.Argument(help="Account name.")], db: DbOption = DEFAULT_DB
) -> None:
    """End every open session of an account (its cookies stop working at once).

    Example: claimledger user logout olena
    """
    ended = _store(db).end_sessions(name)
    err.print(f"{ended} session(s) of {_printable(name)} ended")


@user_app.command("unlock")
def user_unlock(
    name: Annotated[str, typer.Argument(help="Account name.")], db: DbOption = DEFAULT_DB
) -> None:
    """Lift an account's lockout after failed logins (its count starts again).

    Example: claimledger user unlock olena
    """
    cleared = _store(db).unlock_account(name)
    err.print(
        f"{_printable(name)} unlocked" if cleared else f"{_printable(name)} had no failed logins to forget"
    )


@app.command()
def verify(
    db: DbOption = DEFAULT_DB,
    reproduce: Annotated[
        bool,
        typer.Option(
            "--reproduce", help="Also derive every report's text again from its original and compare."
        ),
    ] = False,
) -> None:
    """Re-hash every stored original and walk the audit chain; exit 1 on any mismatch.

    Every record the chain announces (an ingested report with its original and attachments, a
    review, an account, a watched source, a version link) must still be stored and match; a
    stored record that no entry announces is a mismatch too.

    Example: claimledger verify --reproduce --db sqlite:///ledger.db
    """
    store = _store(db)
    result = store.verify()
    if reproduce:
        from claimledger.pipeline import reproduce_reports

        result.problems.extend(reproduce_reports(store))
    for note in result.notes:
        err.print(f"note {_printable(note)}", highlight=False)
    for problem in result.problems:
        err.print(f"[red]mismatch[/] {_printable(problem)}", highlight=False)
    if result.problems:
        err.print(f"{len(result.problems)} mismatch(es) found")
        raise typer.Exit(1)
    err.print(
        "ledger verified: every original, report, claim, incident, review and account matches its recorded hash, "
        "every record the audit chain announces is present, and the chain is intact"
        + (
            f" ({len(result.notes)} record(s) of an older ledger only partly checked, see the notes)"
            if result.notes
            else ""
        )
    )
    err.print(_head_line(result.entries, result.head, result.head_at))


def _head_line(entries: int, head: str, at: str) -> str:
    return (
        f"audit chain head after {entries} entries: {head}"
        + (f", written {at}" if at else "")
        + " (record it elsewhere to detect a cut tail; a backup's head matches the ledger's at its time)"
    )


@app.command()
def backup(
    path: Annotated[Path, typer.Argument(help="The new file to write the copy to.", metavar="PATH")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Copy a SQLite ledger to PATH while it is in use (SQLite's online backup API: a consistent
    snapshot with everything committed, also what is still in the write-ahead log), then verify
    the copy and print its audit head. For PostgreSQL, use pg_dump.

    Example: claimledger backup backups/ledger-2026-12-04.db
    """
    result = _store(db).backup(path)
    for problem in result.problems:
        err.print(f"[red]mismatch[/] {_printable(problem)}", highlight=False)
    if result.problems:
        err.print(
            f"backup written to {_printable(path)}, but it does not verify ({len(result.problems)} mismatch(es))"
        )
        raise typer.Exit(1)
    err.print(f"backup written to {_printable(path)} and verified")
    err.print(_head_line(result.entries, result.head, result.head_at))


spark_app = typer.Typer(
    help="Run the pipeline on Spark over WARC and JSON Lines archives.", no_args_is_help=True
)
app.add_typer(spark_app, name="spark")


@spark_app.command("run")
def spark_run(
    input: Annotated[
        list[str],
        typer.Option(
            "--input",
            help="Files, folders or globs (quote them): .warc, .warc.gz, .jsonl, .txt, .html (repeatable).",
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", help="Folder for the Parquet output (replaced if it exists).")
    ],
    master: Annotated[
        str | None, typer.Option(help="Spark master; default local[*], or none under spark-submit.")
    ] = None,
    partitions: Annotated[
        int | None, typer.Option(help="Partitions for analysis (default 4 per core).")
    ] = None,
    include_private_names: Annotated[
        bool,
        typer.Option(
            "--include-private-names", help="Keep names of private individuals in the claims output."
        ),
    ] = False,
) -> None:
    """Read archives on Spark, extract claims, find stories and incidents, and write Parquet
    (reports/, claims/, incidents/ in the export schemas; ledger/ for `claimledger load`).

    Example: claimledger spark run --input 'crawl/*.warc.gz' --output out/ --master local[2]

    On a cluster (claimledger installed on every node, inputs on a shared filesystem):
    spark-submit --master yarn $(python3 -c 'import claimledger.spark.main as m; print(m.__file__)') --input ... --output ...
    """
    from claimledger.spark import run_job, session

    if master is None and "SPARK_ENV_LOADED" not in os.environ and "PYSPARK_GATEWAY_PORT" not in os.environ:
        master = "local[*]"
    spark = session(master)
    try:
        summary = run_job(spark, input, output, partitions, include_private_names)
    finally:
        spark.stop()
    for bad in summary.rejected:
        err.print(f"[yellow]skipped[/] {_printable(bad.name)}: {_printable(bad.reason)}", highlight=False)
    err.print(
        f"{summary.files} file(s): {summary.reports} reports ({summary.duplicates} repeated captures dropped), "
        f"{summary.claims} claims, {summary.incidents} incidents, {summary.stories} stories in {summary.seconds} s; written to {output}/"
    )


@app.command()
def load(
    directory: Annotated[
        Path,
        typer.Argument(
            help="The --output folder of `claimledger spark run`.",
            exists=True,
            file_okay=False,
            metavar="FOLDER",
        ),
    ],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Bring the output of a Spark job into a ledger database: originals, reports, claims,
    stories and incidents, with audit entries as a local run writes them.

    Example: claimledger load out/ --db postgresql://claimledger@db/ledger
    """
    from claimledger.pipeline import load_job

    store = _store(db, create=True)
    with _progress() as progress:
        task = progress.add_task("loading reports", total=None)
        summary = load_job(store, directory, lambda n: progress.advance(task, n))
    relinked = "; stories and incidents recomputed over the whole ledger" if summary.relinked else ""
    err.print(
        f"loaded {summary.added} new report(s) ({summary.known} already in the ledger), {summary.claims} claims, {summary.incidents} incidents{relinked}"
    )


class _Stopped(BaseException):
    """Raised in the main process by SIGINT (Ctrl-C) or SIGTERM. Not a KeyboardInterrupt, which
    click turns into "Aborted!": this one reaches `main`, which says one line and exits."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_MAIN_PID = os.getpid()
_STOP_MESSAGES = {
    signal.SIGINT: "interrupted",
    signal.SIGTERM: "terminated",
}


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    """Ctrl-C or SIGTERM: parser workers (forked, so they inherit this handler) leave at once and
    silently; the main process kills the workers it still has, so that none is left blocked on a
    pipe, and unwinds (each open transaction rolls back, every committed one stays), with a
    watchdog that ends it if unwinding takes longer than a second and a half."""
    if os.getpid() != _MAIN_PID:
        os._exit(128 + signum)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    import multiprocessing
    import warnings

    warnings.simplefilter("ignore")  # spaCy warns that its killed workers did not exit cleanly
    for child in multiprocessing.active_children():
        child.kill()
    watchdog = threading.Timer(1.5, _stopped, args=(signum,))
    watchdog.daemon = True
    watchdog.start()
    raise _Stopped(signum)


_said = threading.Lock()  # the watchdog and the main thread may both reach `_stopped`


def _stopped(signum: int) -> NoReturn:
    """One line, then exit at once (130 for Ctrl-C, 143 for SIGTERM): no queue's feeder thread or
    worker is waited for. The ledger needs nothing more: each write was one transaction."""
    if _said.acquire(blocking=False):
        name = _STOP_MESSAGES.get(signal.Signals(signum), "stopped")
        sys.stderr.write(
            f"{name}: what was committed before the stop is kept; run the command again to go on\n"
        )
        for stream in (sys.stderr, sys.stdout):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(128 + signum)
    threading.Event().wait()  # the other thread is exiting the process
    os._exit(128 + signum)


def main() -> None:
    """Console entry point: library errors become one clear line and exit status 1 (2 for a
    usage error, such as a missing path or ledger); Ctrl-C and SIGTERM stop within two seconds."""
    import sqlalchemy as sa

    global _MAIN_PID
    _MAIN_PID = os.getpid()
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        app()
    except _Stopped as stop:
        _stopped(stop.signum)
    except UsageError as exc:
        err.print(f"[red]error:[/] {_printable(exc)}", highlight=False)
        sys.exit(2)
    except ClaimledgerError as exc:
        err.print(f"[red]error:[/] {_printable(exc)}", highlight=False)
        sys.exit(1)
    except OSError as exc:  # a file or folder the user named cannot be read or written
        where = f"{exc.filename}: " if exc.filename else ""
        err.print(f"[red]error:[/] {_printable(where)}{_printable(exc.strerror or exc)}", highlight=False)
        sys.exit(1)
    except sa.exc.SQLAlchemyError as exc:  # the database refused: its own words, not a bug of ours
        reason = getattr(exc, "orig", None) or exc
        err.print(f"[red]error:[/] the ledger database: {_printable(reason)}", highlight=False)
        sys.exit(1)
    except Exception as exc:  # a bug of ours: say so plainly, without a traceback
        err.print(
            f"[red]internal error:[/] {type(exc).__name__}: {_printable(exc)} (please report it; set CLAIMLEDGER_DEBUG=1 for details)",
            highlight=False,
        )
        if os.environ.get("CLAIMLEDGER_DEBUG"):
            raise
        sys.exit(1)


def _plain_metavars(params: list[Any]) -> None:
    """Help shows what to type, not Python types: no value for a flag (Typer would show
    `<bool>`), PATH, N, NUMBER, TEXT or the choices for the others (not `<list[str]>`)."""
    from typing import get_args

    for param in params:
        if param.param_type_name == "argument":
            # The name column shows the metavar; the type column would repeat it as `<path>`.
            setattr(param, "display_type_rich", lambda ctx: None)  # noqa: B010 (an instance's own)
            if param.metavar is None:
                param.metavar = param.name.upper() + ("..." if param.nargs != 1 else "")
            continue
        if param.metavar is not None:
            continue
        if getattr(param, "is_flag", False):
            param.metavar = ""
            continue
        desc = getattr(param, "type_descriptor", None)
        annotation = desc.annotation if desc is not None else str
        if desc is not None and desc.is_list and get_args(annotation):
            annotation = get_args(annotation)[0]
        if desc is not None and desc.is_choice:
            param.metavar = "|".join(str(getattr(c, "value", c)) for c in desc.choices or ())
        elif desc is not None and desc.is_path:
            param.metavar = "PATH"
        else:
            param.metavar = {int: "N", float: "NUMBER"}.get(annotation, "TEXT")


class _Command(typer.core.TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        _plain_metavars(params)
        return params


class _Group(typer.core.TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        _plain_metavars(params)
        return params


for _typer in (app, source_app, user_app, spark_app):
    _typer.info.cls = _Group
    for _info in _typer.registered_commands:
        _info.cls = _Command


if __name__ == "__main__":
    main()
