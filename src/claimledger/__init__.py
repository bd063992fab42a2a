"""claimledger: turn war reporting into a verifiable ledger of claims and incidents."""

__version__ = "0.1.0"
