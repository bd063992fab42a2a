"""Accounts for the web interface: password hashes, sessions kept in the ledger, CSRF tokens
bound to them, and failed logins counted in the ledger."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from claimledger.errors import UsageError
from claimledger.store import LedgerStore

ROLES = ("viewer", "analyst", "admin")
SESSION_COOKIE = "cl_session"
CSRF_COOKIE = "cl_csrf"
SESSION_SECONDS = 12 * 3600
# A session's "last seen" is written at most this often (a write on every page would queue
# readers behind the ledger's writers).
TOUCH_SECONDS = 60
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


def session_id(token: str) -> str:
    """What the ledger keeps of a session token: its SHA-256, never the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Sessions:
    """Sessions kept in the ledger: the cookie carries a random token, the ledger its hash with
    the account, times and client. Each read looks the session up and takes the account's role
    as it is now, so logging out, an admin's `user logout`, a new role or a new password end a
    session in every worker at once. The CSRF token bound to a session is a keyed hash of its
    id: a cookie planted by another site or another port of this host cannot match it."""

    def __init__(self, secret: str, store: LedgerStore, seconds: float = SESSION_SECONDS) -> None:
        self.store = store
        self.seconds = seconds
        self._csrf_key = hmac.new(secret.encode("utf-8"), b"claimledger-csrf", "sha256").digest()

    def csrf_for(self, session: Mapping[str, Any]) -> str:
        """The CSRF token of a session."""
        return hmac.new(
            self._csrf_key, str(session.get("session_id", "")).encode("utf-8"), "sha256"
        ).hexdigest()

    def issue(self, name: str, client: str) -> str:
        """A new session of the account; returns the token for its cookie."""
        token = secrets.token_urlsafe(32)
        self.store.open_session(session_id(token), name, client, self.seconds)
        return token

    def read(self, token: str | None) -> dict[str, Any] | None:
        """The open session of a cookie's token, with the account's current role, or None."""
        if not token or len(token) > 200:
            return None
        session = self.store.session(session_id(token))
        if session is None or session["role"] not in ROLES:
            return None
        seen = dt.datetime.fromisoformat(session["last_seen_at"])
        if (dt.datetime.now(dt.UTC) - seen).total_seconds() >= TOUCH_SECONDS:
            self.store.touch_session(session["session_id"])
        return session

    def end(self, token: str | None) -> None:
        if token and len(token) <= 200:
            self.store.end_session(session_id(token))


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


@dataclass(frozen=True)
class LoginPolicy:
    """How many failed logins lock an account (from any client) and a client (for any account)
    within the window, and for how long: the window again from the failure that locked it."""

    account_attempts: int = 5
    client_attempts: int = 20
    window_seconds: float = 900.0

    ENVIRONMENT: ClassVar[dict[str, str]] = {
        "account_attempts": "CLAIMLEDGER_LOGIN_ACCOUNT_ATTEMPTS",
        "client_attempts": "CLAIMLEDGER_LOGIN_CLIENT_ATTEMPTS",
        "window_seconds": "CLAIMLEDGER_LOGIN_WINDOW_SECONDS",
    }

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> LoginPolicy:
        """The policy with any of its numbers set by CLAIMLEDGER_LOGIN_* variables."""
        values: dict[str, Any] = {}
        for name, variable in cls.ENVIRONMENT.items():
            raw = environ.get(variable, "").strip()
            if not raw:
                continue
            try:
                value = float(raw) if name == "window_seconds" else int(raw)
            except ValueError:
                raise UsageError(f"{variable} is a number, not {raw!r}") from None
            if value <= 0:
                raise UsageError(f"{variable} is above zero, not {raw!r}")
            values[name] = value
        return cls(**values)

    def wait_text(self) -> str:
        minutes = max(1, round(self.window_seconds / 60))
        return f"{minutes} minute{'s' if minutes != 1 else ''}"


class LoginLimiter:
    """Failed logins counted in the ledger, per account and per client, so that every worker
    process and a restarted server see the same counts. A client's lockout stops that client
    only; an account's stops that account from every client until the window has passed, an
    admin runs `claimledger user unlock`, or (before the lock) the right password clears it."""

    def __init__(
        self, store: LedgerStore, policy: LoginPolicy | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.policy = policy or LoginPolicy()
        self.clock = clock

    def blocked(self, client: str, name: str) -> bool:
        return self.store.login_locked([("client", client), ("account", name)], self.clock())

    def failed(self, client: str, name: str) -> None:
        limits = [
            ("client", client, self.policy.client_attempts),
            ("account", name, self.policy.account_attempts),
        ]
        self.store.record_login_failure(limits, self.policy.window_seconds, self.clock())

    def succeeded(self, name: str) -> None:
        """A right password: the account's count starts again (the client's does not, or one
        account of an attacker's own would reset the count of their guesses at others)."""
        self.store.clear_login_failures("account", name)


@functools.cache
def dummy_hash() -> str:
    """An argon2id hash of a random password with the same parameters as the accounts' hashes:
    an unknown name is checked against it, so that it costs what a wrong password costs."""
    return hash_password(secrets.token_urlsafe(24))


def authenticate(store: LedgerStore, name: str, password: str) -> dict[str, Any] | None:
    """The account when the password is its own, else None. An unknown name runs the same
    argon2 check (against `dummy_hash`), so the time taken does not tell whether it exists."""
    account = store.user(name)
    matched = check_password(account["password_hash"] if account else dummy_hash(), password)
    return account if account is not None and matched else None
