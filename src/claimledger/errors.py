"""The exceptions of claimledger: each says what failed and on which input."""

from __future__ import annotations


class ClaimledgerError(Exception):
    """Base class: a failure the CLI turns into a clear message, never a traceback."""


class BadInput(ClaimledgerError):
    """One input cannot become a report; the batch reports it and goes on."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


class StoreError(ClaimledgerError):
    """The ledger database cannot be opened, migrated or written."""


class UsageError(ClaimledgerError):
    """The user asked for something that does not exist (an unknown export kind, a bad date)."""


class ModelUnavailable(ClaimledgerError):
    """No English spaCy pipeline is installed."""


class IntegrityError(ClaimledgerError):
    """A stored original or audit entry does not match its hash."""


class ConflictError(ClaimledgerError):
    """A write collides with a record already stored (the web answers 409)."""


class InvalidExport(ClaimledgerError):
    """An export would not validate against the contract's JSON Schema; nothing is written."""

    def __init__(self, kind: str, record_id: str, reason: str) -> None:
        super().__init__(
            f"the {kind} export does not validate against the contract ({record_id}: {reason}); nothing was written"
        )
        self.kind = kind
        self.record_id = record_id
        self.reason = reason


class LedgerMissing(UsageError):
    """A command that reads a ledger was pointed at one that does not exist (exit status 2)."""
