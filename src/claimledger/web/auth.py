"""Accounts for the web interface: password hashes, signed session cookies, CSRF tokens, and a
limit on failed logins."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

ROLES = ("viewer", "analyst", "admin")
SESSION_COOKIE = "cl_session"
CSRF_COOKIE = "cl_csrf"
SESSION_SECONDS = 12 * 3600
_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of the password (salted; parameters from argon2-cffi's defaults)."""
    return _HASHER.hash(password)


def check_password(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def can(role: str | None, needed: str) -> bool:
    """True when a role includes the rights of `needed` (viewer < analyst < admin)."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


class Sessions:
    """Signed, expiring session tokens carrying the user's name and role, and the CSRF token
    bound to each (a keyed hash of the session's nonce: a cookie planted by another site or
    another port of this host cannot match it)."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="claimledger-session")
        self._csrf_key = hmac.new(secret.encode("utf-8"), b"claimledger-csrf", "sha256").digest()

    def csrf_for(self, session: dict[str, str]) -> str:
        """The CSRF token of a session."""
        return hmac.new(self._csrf_key, str(session.get("nonce", "")).encode("utf-8"), "sha256").hexdigest()

    def issue(self, name: str, role: str) -> str:
        return self._serializer.dumps({"name": name, "role": role, "nonce": secrets.token_hex(8)})

    def read(self, token: str | None) -> dict[str, str] | None:
        if not token:
            return None
        try:
            data = self._serializer.loads(token, max_age=SESSION_SECONDS)
        except BadSignature:
            return None
        return data if isinstance(data, dict) and data.get("role") in ROLES else None


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def repeated_cookies(header: str, names: tuple[str, ...]) -> list[str]:
    """The names among `names` that the raw Cookie header carries more than once (a browser
    sends both a cookie this server set and one another site planted for a parent domain or
    path; which one a server reads is not defined)."""
    seen: dict[str, int] = {}
    for part in header.split(";"):
        name = part.split("=", 1)[0].strip()
        if name in names:
            seen[name] = seen.get(name, 0) + 1
    return [n for n, count in seen.items() if count > 1]


def same_token(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of the CSRF cookie with the submitted token."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


class LoginLimiter:
    """At most `attempts` failed logins per client and per account in `window` seconds."""

    def __init__(self, attempts: int = 5, window: float = 900.0) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and now - failures[0] > self.window:
            failures.popleft()
        return failures

    def blocked(self, client: str, name: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(key, now)) >= self.attempts for key in (f"client:{client}", f"user:{name}"))

    def failed(self, client: str, name: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (f"client:{client}", f"user:{name}"):
                self._recent(key, now).append(now)
