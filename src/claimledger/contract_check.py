"""Every export is checked against the contract's JSON Schemas (the package's copy in
`contract/`) before any of it is written: an export that fails its schema is never written."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from typing import Any

from claimledger.errors import InvalidExport

log = logging.getLogger(__name__)

# Export kind -> its record schema and the field that names a record in an error.
SCHEMAS = {
    "reports": ("report", "report_id"),
    "claims": ("claim", "claim_id"),
    "incidents": ("incident", "incident_id"),
}


@cache
def _validator(schema: str) -> Any:
    import jsonschema

    text = files("claimledger").joinpath("contract", f"{schema}.json").read_text(encoding="utf-8")
    return jsonschema.Draft202012Validator(json.loads(text))


def check_records(kind: str, records: Iterable[dict[str, Any]]) -> int:
    """Raise `InvalidExport` at the first record of `kind` (reports, claims, incidents) that its
    contract schema rejects, naming the record, the field and why; else the number checked."""
    schema, key = SCHEMAS[kind]
    validator = _validator(schema)
    checked = 0
    for record in records:
        error = next(iter(sorted(validator.iter_errors(record), key=lambda e: list(e.absolute_path))), None)
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(record)"
            log.error("%s export: %s fails its schema at %s", kind, record.get(key), where)
            raise InvalidExport(kind, str(record.get(key, "?")), f"{where}: {error.message}")
        checked += 1
    return checked


def checked(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    """The record itself once it passes its schema (a step of a Spark job: a failing record
    fails the job, so its output is never committed)."""
    check_records(kind, [record])
    return record
