"""The pipeline: the only place that knows the order of the stages.

ingest -> clean -> extract (with geo) -> dedup -> corroborate. Bad inputs are collected and
reported, never fatal. The Spark adapter calls `analyse_reports` inside mapPartitions.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from claimledger.clean import boilerplate_spans
from claimledger.corroborate import build_incidents, link_row, reach_of
from claimledger.dedup import assign_stories
from claimledger.errors import BadInput, IntegrityError, UsageError
from claimledger.export import BundleContent
from claimledger.extract import extract_claims
from claimledger.extract.nlp import load_nlp
from claimledger.geo import find_places
from claimledger.ingest import to_report
from claimledger.lang import profile_of
from claimledger.model import Claim, Incident, RawDocument, Report
from claimledger.store import LedgerStore

# Long texts are cut for the parser only; offsets stay those of the full text.
MAX_PARSE_CHARS = 400_000
PIECE_CHARS = 10_000
MIN_REPORTS_FOR_WORKERS = 40


@dataclass
class Rejected:
    """A bad input of a batch: its name and why it was skipped."""

    name: str
    reason: str


@dataclass
class Ledger:
    """What the later stages produce over a set of reports."""

    stories: dict[str, str] = field(default_factory=dict)
    incidents: list[Incident] = field(default_factory=list)


def clean_report(report: Report) -> Report:
    """The report with its boilerplate spans marked: the page furniture English sites share, and
    that of the report's language profile ("Читати далі", "Реклама:")."""
    spans = boilerplate_spans(report.text)
    prof = profile_of(report.language, report.text) if report.text else None
    if prof is not None:
        spans = sorted({*spans, *prof.boilerplate_spans(report.text)})
    return replace(report, boilerplate=tuple(spans))


def parse_processes(count: int) -> int:
    """Parser processes for a batch: two on a multi-core machine when the batch is large enough to
    repay starting them (CLAIMLEDGER_PROCESSES overrides)."""
    configured = os.environ.get("CLAIMLEDGER_PROCESSES")
    if configured and configured.isdigit() and int(configured) > 0:
        return int(configured)
    return 2 if count >= MIN_REPORTS_FOR_WORKERS and (os.cpu_count() or 1) >= 2 else 1


def analyse_reports(
    reports: Sequence[Report],
    progress: Callable[[int], None] | None = None,
    batch_size: int = 16,
    failures: list[Rejected] | None = None,
    processes: int | None = None,
) -> Iterator[tuple[Report, list[Claim]]]:
    """Claims of each report: spaCy parse, places, extraction. Order is kept. `processes`
    fixes the parser processes (Spark gives 1: its executors are the parallelism)."""
    nlp = load_nlp()
    # A report read through a language profile needs no English parse: the parser gets nothing.
    profiled = [profile_of(r.language, r.text) is not None for r in reports]
    pieces = (
        (piece, index)
        for index, r in enumerate(reports)
        for piece in ([""] if profiled[index] else text_pieces(r.text[:MAX_PARSE_CHARS]))
    )
    workers = processes or parse_processes(len(reports))
    parsed = nlp.pipe(pieces, batch_size=batch_size, n_process=workers, as_tuples=True)
    for report, doc in zip(reports, _joined(parsed), strict=True):
        try:
            places = find_places(report.text[:MAX_PARSE_CHARS], language=report.language or "")
            claims = extract_claims(report, doc, places)
        except Exception as exc:  # one report's failure must not stop the batch
            if failures is not None:
                failures.append(
                    Rejected(
                        report.path or report.report_id, f"extraction failed: {type(exc).__name__}: {exc}"
                    )
                )
            continue
        finally:
            if progress:
                progress(1)
        yield report, claims


def text_pieces(text: str, size: int = PIECE_CHARS) -> list[str]:
    """The text cut into pieces of at most `size` characters that join back to it exactly,
    cut at a paragraph break, else a sentence end, else a space. The parser's memory grows with
    the length of what it is given (a 400,000-character line with no full stop took 1.3 GB),
    so long texts are parsed piece by piece."""
    out: list[str] = []
    start = 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = max(window.rfind("\n"), window.rfind(". ") + 1 if window.rfind(". ") >= 0 else -1)
        if cut <= size // 2:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = size
        out.append(text[start : start + cut])
        start += cut
    out.append(text[start:])
    return out


def _joined(parsed: Iterator[tuple[Any, int]]) -> Iterator[Any]:
    """One Doc per report from the Docs of its pieces (consecutive, in order), aligned with the
    report's text: Doc.from_docs adds no whitespace because the pieces already join exactly."""
    from spacy.tokens import Doc

    current: int | None = None
    group: list[Any] = []
    for doc, index in parsed:
        if current is not None and index != current:
            yield group[0] if len(group) == 1 else Doc.from_docs(group, ensure_whitespace=False)
            group = []
        current = index
        group.append(doc)
    if group:
        yield group[0] if len(group) == 1 else Doc.from_docs(group, ensure_whitespace=False)


def link_reports(reports: Sequence[Report], claims: Sequence[Claim]) -> Ledger:
    """Stories over all reports, then incidents over all claims."""
    stories = assign_stories(reports)
    by_id = {r.report_id: r for r in reports}
    incidents = build_incidents(claims, by_id, stories)
    return Ledger(stories=stories, incidents=incidents)


@dataclass
class IngestSummary:
    added: int = 0
    known: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    notes: list[Rejected] = field(default_factory=list)  # stored, but something given was ignored


def ingest_into(
    store: LedgerStore,
    raws: Iterable[RawDocument | BadInput],
    progress: Callable[[str], None] | None = None,
    parameters: dict[str, Any] | None = None,
) -> IngestSummary:
    """Store every good raw document as a report; identical bytes are stored once.

    `parameters` (the command's options) go into each report's audit entry, so the ledger
    records how every original came in.
    """
    summary = IngestSummary()
    for raw in raws:
        if isinstance(raw, BadInput):
            summary.rejected.append(Rejected(raw.name, raw.reason))
            continue
        if store.knows_original(raw.sha256):
            # Known bytes are not read again: a resumed ingest goes straight to what is new.
            summary.known += 1
            if progress:
                progress(raw.path or raw.sha256[:12])
            continue
        try:
            report = clean_report(to_report(raw))
        except BadInput as exc:
            summary.rejected.append(Rejected(exc.name, exc.reason))
            continue
        if raw.published and report.published is None:
            summary.notes.append(
                Rejected(
                    report.path or report.report_id,
                    f"publication date {raw.published[:40]!r} is not a usable date; stored without one",
                )
            )
        if store.add_report(raw, report, parameters):
            summary.added += 1
        else:
            summary.known += 1
        if progress:
            progress(report.path or report.report_id)
    return summary


@dataclass
class ProcessSummary:
    processed: int
    claims: int
    incidents: int
    stories: int
    failed: list[Rejected] = field(default_factory=list)


def reviewed_claims(store: LedgerStore, claims: Sequence[Claim] | None = None) -> list[Claim]:
    """The ledger's claims (or these, already read) as analysts left them: corrections applied,
    rejected claims gone. Incidents are built from these (a review regroups its incidents at once)."""
    return [claim for claim, _ in reviewed_with_records(store, claims)]


def reviewed_with_records(
    store: LedgerStore, claims: Sequence[Claim] | None = None
) -> list[tuple[Claim, dict[str, Any] | None]]:
    """The claims as analysts left them (rejected ones gone), each with the export's `review`
    object (None for a claim nobody reviewed)."""
    from claimledger.review import review_state

    reviews = store.reviews()
    out: list[tuple[Claim, dict[str, Any] | None]] = []
    for claim in store.claims() if claims is None else claims:
        state = review_state(claim, reviews.get(claim.claim_id, []))
        if state.claim is not None:
            out.append((state.claim, state.record()))
    return out


def link_index(
    claims: Iterable[Claim], stories: dict[str, str], incidents: Iterable[Incident]
) -> list[dict[str, Any]]:
    """The claim index rows of claims as analysts left them, in these incidents."""
    incident_of = {cid: i.incident_id for i in incidents for cid in i.claim_ids}
    return [
        link_row(c, stories.get(c.report_id, c.report_id), incident_of[c.claim_id])
        for c in claims
        if c.claim_id in incident_of
    ]


def index_links(store: LedgerStore) -> None:
    """Build the claim index from the ledger's claims, reviews, stories and incidents (a ledger
    processed before the index existed, or loaded from a Spark job). Call under the link lock."""
    stories = {report.report_id: story for report, story, _ in store.reports_with_links()}
    store.replace_link_index(link_index(reviewed_claims(store), stories, store.incidents()))


def ensure_link_index(store: LedgerStore, rows: Callable[[], list[dict[str, Any]]] | None = None) -> None:
    """Build the claim index when it is missing (see `index_links`); `rows` computes its rows
    from records already read (the web's snapshot)."""
    if not store.link_index_ready():
        with store.link_lock():
            if not store.link_index_ready():
                if rows is None:
                    index_links(store)
                else:
                    store.replace_link_index(rows())


@dataclass
class Regrouped:
    """What a review changed in the incidents: the ids of those replaced or gone, and those new
    or changed (an incident keeps its id while its claims stay the same, so one whose type or
    grade changed is in both; one that did not change is in neither)."""

    removed: list[str] = field(default_factory=list)
    added: list[Incident] = field(default_factory=list)


def regroup_claims(
    store: LedgerStore, claim_ids: Sequence[str], detail: dict[str, Any] | None = None
) -> Regrouped:
    """Regroup the incidents that reviews of these claims can change, and only those: the
    incidents the claims were in, and those holding a claim the claims as reviewed may link to
    (`corroborate.Reach`). Over those claims `build_incidents` gives what a full `process` would,
    since no claim outside them can link to one inside. Written at once, audited as `regroup`."""
    from claimledger.review import review_state

    ensure_link_index(store)
    with store.link_lock():
        changed = store.claims_by_ids(claim_ids)
        reviews = store.reviews(sorted(changed))
        reports = store.reports_by_ids([c.report_id for c in changed.values()])
        old_rows = store.link_rows(sorted(changed))
        touched = {row["incident_id"] for row in old_rows.values()}
        for claim in changed.values():
            shown = review_state(claim, reviews.get(claim.claim_id, [])).claim
            if shown is not None:
                story = reports[claim.report_id][1] if claim.report_id in reports else claim.report_id
                touched |= store.incidents_within_reach(reach_of(shown, story))
        members = {cid for ids in store.incident_members(sorted(touched)).values() for cid in ids}
        members |= set(changed)
        machine = {**store.claims_by_ids(sorted(members - set(changed))), **changed}
        reviews = store.reviews(sorted(machine))
        shown_claims = [
            s
            for s in (review_state(c, reviews.get(cid, [])).claim for cid, c in sorted(machine.items()))
            if s is not None
        ]
        linked = store.reports_by_ids(sorted({c.report_id for c in shown_claims}))
        stories = {rid: story for rid, (_, story) in linked.items()}
        incidents = build_incidents(shown_claims, {rid: r for rid, (r, _) in linked.items()}, stories)
        before = store.incidents_by_ids(sorted(touched))
        after = {i.incident_id: i for i in incidents}
        result = Regrouped(
            removed=sorted(iid for iid, old in before.items() if after.get(iid) != old),
            added=[i for i in incidents if before.get(i.incident_id) != i],
        )
        rows = link_index(shown_claims, stories, incidents)
        if (
            not result.removed
            and not result.added
            and store.link_rows(sorted(machine)) == {str(row["claim_id"]): row for row in rows}
        ):
            return result  # a confirmation, or a correction that changes no incident
        store.regroup(
            result.removed,
            result.added,
            sorted(machine),
            rows,
            {"claim_ids": sorted(changed), **(detail or {})},
        )
        return result


def review_claim(
    store: LedgerStore,
    claim_id: str,
    user: str,
    action: str,
    changes: dict[str, Any],
    note: str | None = None,
) -> dict[str, Any]:
    """Record a review (confirm, reject or correct) and let it take effect at once: the claim's
    incidents are regrouped, so incidents, grades, counts and every export show it without
    another `process`. Returns the stored review."""
    from claimledger.review import check_review, review_state

    clean = check_review(action, changes)
    review = store.add_review(claim_id, user, action, clean, (note or "")[:2000] or None)
    machine = store.claims_by_ids([claim_id])[claim_id]
    later = store.reviews([claim_id]).get(claim_id, [])
    earlier = [r for r in later if r["review_id"] != review["review_id"]]
    if review_state(machine, earlier).claim != review_state(machine, later).claim:
        # A confirmation of what is shown changes no incident: nothing to regroup.
        regroup_claims(store, [claim_id], {"review_id": review["review_id"]})
    return review


def processing_config(pending: int) -> dict[str, Any]:
    """What a processing run used, for its audit entry: the parser and its limits."""
    import spacy

    from claimledger.extract.nlp import MODEL_NAMES

    installed = []
    for name in MODEL_NAMES:
        try:
            installed.append(f"{name} {spacy.util.get_package_version(name)}")
        except Exception:  # a model missing is not an error here
            continue
    return {
        "spacy": spacy.__version__,
        "models": installed,
        "parse_processes": parse_processes(pending),
        "max_parse_chars": MAX_PARSE_CHARS,
    }


def process_store(
    store: LedgerStore,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    on_wait: Callable[[], None] | None = None,
) -> ProcessSummary:
    """Extract claims for unprocessed reports, then recompute stories and incidents (idempotent).
    One run at a time on a ledger: a second waits for the first (`on_wait` is called when it
    starts waiting) and then finds only what the first left to do."""
    with store.process_lock(on_wait):
        return _process_pending(store, progress, on_total)


def _process_pending(
    store: LedgerStore,
    progress: Callable[[int], None] | None,
    on_total: Callable[[int], None] | None,
) -> ProcessSummary:
    pending = store.reports(unprocessed_only=True)
    if on_total:
        on_total(len(pending))
    count = 0
    failures: list[Rejected] = []
    # Nothing pending (a second run that waited for the first): no parser to load.
    for report, claims in analyse_reports(pending, progress, failures=failures) if pending else ():
        store.save_claims(report.report_id, claims)
        count += 1
    with store.link_lock():
        claims = reviewed_claims(store)
        ledger = link_reports(store.reports(), claims)
        store.save_links(
            ledger.stories,
            ledger.incidents,
            processing_config(len(pending)),
            link_index(claims, ledger.stories, ledger.incidents),
        )
    return ProcessSummary(
        count, len(claims), len(ledger.incidents), len(set(ledger.stories.values())), failures
    )


def gather_bundle(
    store: LedgerStore,
    incident_ids: Sequence[str] = (),
    report_ids: Sequence[str] = (),
    claim_types: Sequence[str] = (),
    include_private_names: bool = False,
) -> BundleContent:
    """The records an evidence bundle holds: the chosen incidents (or those of the chosen claim
    types, or every one when nothing is chosen), their claims and reports, the originals, and
    the audit entries that concern them. Unknown identifiers are a usage error, not an empty bundle;
    a ledger that does not verify gives no bundle at all (IntegrityError), since evidence taken
    from it could not be vouched for."""
    from claimledger import __version__
    from claimledger.store import now, report_fields

    incidents = store.incidents()
    known = {i.incident_id for i in incidents}
    missing = [i for i in incident_ids if i not in known]
    if missing:
        raise UsageError(
            f"no incident {', '.join(missing)} in the ledger (see: claimledger export incidents)"
        )
    if incident_ids or claim_types or report_ids:
        incidents = [
            i
            for i in incidents
            if i.incident_id in set(incident_ids)
            or i.type in set(claim_types)
            or set(i.report_ids) & set(report_ids)
        ]
    claim_ids = {c for i in incidents for c in i.claim_ids}
    claims = [c for c in store.claims() if c.claim_id in claim_ids or c.report_id in set(report_ids)]
    wanted = {c.report_id for c in claims} | set(report_ids)
    reports = [link for link in store.reports_with_links() if link[0].report_id in wanted]
    if set(report_ids) - {r.report_id for r, _, _ in reports}:
        raise UsageError(
            f"no report {', '.join(sorted(set(report_ids) - {r.report_id for r, _, _ in reports}))} in the ledger"
        )
    problems = store.verify().problems
    if problems:
        raise IntegrityError(
            f"the ledger does not verify ({len(problems)} mismatch(es), the first: {problems[0]}); "
            "no bundle written (see: claimledger verify)"
        )
    originals = {r.sha256: store.original(r.sha256) or b"" for r, _, _ in reports}
    for files in store.attachments(sorted(wanted)).values():
        for _, sha in files:
            originals[sha] = store.original(sha) or b""  # a message's photo travels with it
    entries = store.audit_entries()
    head = entries[-1]["hash"] if entries else "0" * 64
    last_process = max((e["seq"] for e in entries if e["action"] == "process"), default=None)
    concerned = [
        e
        for e in entries
        if (isinstance(e["detail"], dict) and e["detail"].get("report_id") in wanted)
        or e["seq"] == last_process
    ]
    from claimledger.privacy import report_redactions

    # Each report's redaction set comes from all of its claims, not only those the bundle holds.
    redactions = report_redactions(c for c in store.claims() if c.report_id in wanted)
    stored: dict[str, list[dict[str, Any]]] = {}
    if include_private_names:
        by_report = store.claims_of_reports(sorted(wanted))
        stored["claims"] = [record for rid in sorted(wanted) for record in by_report[rid]]
        stored["reports"] = [report_fields(r) for r, _, _ in reports]
    return BundleContent(
        incidents=incidents,
        claims=claims,
        reports=reports,
        originals=originals,
        audit=concerned,
        audit_head=head,
        selection={"incidents": list(incident_ids), "reports": list(report_ids), "types": list(claim_types)},
        created_at=now(),
        version=__version__,
        include_private_names=include_private_names,
        stored=stored,
        redactions=redactions,
    )


def reproduce_reports(store: LedgerStore) -> list[str]:
    """Derive every report's working text and boilerplate again from its stored original and
    name each report whose stored text differs: the working copy must be reproducible."""
    from claimledger.ingest import rederive_text

    problems: list[str] = []
    for report in store.reports():
        original = store.original(report.sha256)
        if original is None:
            problems.append(f"report {report.report_id}: its original {report.sha256} is missing")
            continue
        try:
            text = rederive_text(report.kind, original, report.path or report.report_id)
        except (BadInput, ValueError) as exc:
            problems.append(f"report {report.report_id}: its text cannot be derived again: {exc}")
            continue
        if text != report.text:
            problems.append(
                f"report {report.report_id}: working text differs from the text derived again from its original"
            )
        elif tuple(boilerplate_spans(text)) != report.boilerplate:
            problems.append(f"report {report.report_id}: boilerplate marks differ from those derived again")
    return problems


@dataclass
class PollResult:
    """What one poll of a source did."""

    url: str
    items: int = 0
    new: int = 0
    versions: int = 0
    unchanged: int = 0
    error: str | None = None


def poll_source(store: LedgerStore, url: str, kind: str, limits: Any, interval_seconds: float) -> PollResult:
    """Fetch a watched source once and ingest what is new: unseen items, and items the feed
    changed (a page whose text changed is stored as a new version linked to the old one).
    Errors back off: the next poll waits twice as long after each failure in a row."""
    from claimledger.ingest.feeds import FeedItem, parse_feed
    from claimledger.ingest.fetch import fetch_url, warc_payload

    result = PollResult(url)
    try:
        if kind == "page":
            items = [FeedItem(url, url, None, None, "")]
        else:
            feed = fetch_url(url, limits)
            items = parse_feed(warc_payload(feed.original, url), url)
        result.items = len(items)
        for item in items:
            seen = store.seen_item(url, item.guid)
            if seen is not None and seen[0] == item.item_hash and kind != "page":
                result.unchanged += 1
                continue
            raw = fetch_url(item.link, limits)
            raw = replace(raw, published=item.published, title=item.title)
            report = clean_report(to_report(raw))
            added = store.add_report(raw, report, {"source": url})
            report_id = report.report_id if added else store.report_id_for(report.url or "", report.text)
            previous = seen[1] if seen is not None else None
            if added and previous:
                result.versions += 1
            elif added:
                result.new += 1
            else:
                result.unchanged += 1
            store.mark_item(url, item.guid, item.item_hash, report_id, previous if added else None)
    except BadInput as exc:
        result.error = exc.reason
    store.record_poll(
        url,
        result.error,
        interval_seconds,
        {"items": result.items, "new": result.new, "versions": result.versions},
    )
    return result


@dataclass
class LoadSummary:
    added: int = 0
    known: int = 0
    claims: int = 0
    incidents: int = 0
    relinked: bool = False


def load_job(
    store: LedgerStore, directory: Any, progress: Callable[[int], None] | None = None
) -> LoadSummary:
    """Store a Spark job's output: originals, reports and claims as a sequential run stores them,
    then its stories and incidents. When the ledger also holds other reports, stories and
    incidents are computed again over the whole ledger, so they cover everything in it."""
    from claimledger.ingest.parquet import job_incidents, job_records, job_summary

    config = job_summary(directory)
    summary = LoadSummary()
    stories: dict[str, str] = {}
    for record in job_records(directory):
        stories[record.report.report_id] = record.story_id
        if store.add_report(
            record.raw, record.report, {"spark_job": str(directory), "ingested_at": config.get("ingested_at")}
        ):
            summary.added += 1
        else:
            summary.known += 1
        if record.claims is not None and store.is_unprocessed(record.report.report_id):
            store.save_claims(record.report.report_id, record.claims)
            summary.claims += len(record.claims)
        if progress:
            progress(1)
    incidents = job_incidents(directory)
    with store.link_lock():
        return _link_loaded(store, stories, incidents, config, summary)


def _link_loaded(
    store: LedgerStore,
    stories: dict[str, str],
    incidents: list[Incident],
    config: dict[str, Any],
    summary: LoadSummary,
) -> LoadSummary:
    if set(store.report_ids()) == set(stories):
        store.save_links(
            stories,
            sorted(incidents, key=lambda i: (i.date.start or "9999", i.incident_id)),
            {"spark": config},
        )
        summary.incidents = len(incidents)
    else:
        claims = reviewed_claims(store)
        ledger = link_reports(store.reports(), claims)
        store.save_links(
            ledger.stories,
            ledger.incidents,
            {"spark": config, "relinked": True},
            link_index(claims, ledger.stories, ledger.incidents),
        )
        summary.incidents, summary.relinked = len(ledger.incidents), True
    return summary
