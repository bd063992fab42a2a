"""Spark: the same stages over archives of millions of pages. An adapter, not a second pipeline.

read (one task per file, the ingest readers) -> drop copies of identical bytes -> `analyse_reports`
in mapPartitions (one spaCy per Python worker) -> stories from the MinHash band keys of `dedup`,
joined across the archive -> incidents from the blocks and link rules of `corroborate` ->
Parquet in the export schemas, plus the ledger's own records, which `claimledger load` brings
into a database. Copy pairs and claim links are joined into groups on the driver while they fit
it, and on the cluster (connected components by large-star/small-star rounds) beyond.
"""

from __future__ import annotations

import bisect
import datetime as dt
import glob
import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from claimledger.corroborate import Link, block_keys, incident_of, link_reasons, link_view, links_in_block
from claimledger.dedup import (
    Fingerprint,
    band_keys,
    components,
    fingerprints,
    pairs_of,
    stories_from_pairs,
    story_id,
    verify_pair,
)
from claimledger.errors import BadInput, UsageError
from claimledger.export import claim_record, incident_record, incident_redaction, report_record
from claimledger.ingest import Defaults, iter_paths, path_name, read_file, to_report
from claimledger.model import Claim, RawDocument, Report, content_id
from claimledger.pipeline import Rejected, analyse_reports, clean_report
from claimledger.privacy import redaction_of
from claimledger.store import claim_to_json, incident_to_json, report_fields

CONTRACT = Path(__file__).resolve().parent.parent / "contract"


def _zip_directories_read_once() -> None:
    """PySpark's worker calls `importlib.invalidate_caches()` before every task, and before
    Python 3.12 that re-reads the whole directory of every zip on the path (pyspark.zip, once for
    each of its packages): about 70 ms a task here, most of a small task's time. A zip's
    directory is read again only when the file changed. This module is imported in each worker
    with the first function it runs, so the rest of the worker's tasks are spared."""
    import sys
    import zipimport

    if sys.version_info >= (3, 12) or getattr(zipimport.zipimporter, "_read_once", False):
        return
    original = zipimport.zipimporter.invalidate_caches
    stamps: dict[tuple[str, str], tuple[int, int] | None] = {}

    def invalidate_caches(self: Any) -> None:
        try:
            info = os.stat(self.archive)
            stamp: tuple[int, int] | None = (info.st_mtime_ns, info.st_size)
        except OSError:
            stamp = None
        key = (self.archive, self.prefix)
        if stamp is None or stamps.get(key) != stamp:
            original(self)
            stamps[key] = stamp

    zipimport.zipimporter.invalidate_caches = invalidate_caches  # type: ignore[method-assign]
    zipimport.zipimporter._read_once = True  # type: ignore[attr-defined]


_zip_directories_read_once()


def _freeze_survivors() -> None:
    """PySpark's daemon runs a full `gc.collect()` after every task; with the parser, lexicons and
    gazetteer loaded (about 120,000 objects) each one took 45 ms, longer than most small tasks.
    Called as a task starts, just after the previous task's collection, when everything alive is
    the worker's long-lived state: frozen out of the collector's sight (refcounting still frees)."""
    import gc

    from pyspark import TaskContext

    if TaskContext.get() is not None:
        gc.freeze()


# What the driver may collect and broadcast: fingerprints for story checks (up to ~100,000
# reports), copy pairs and claim links, whose groups it then forms itself. Beyond, each is joined
# and its groups are found on the cluster (CLAIMLEDGER_SPARK_BROADCAST_BYTES overrides the limit).
BROADCAST_BYTES = 256 * 2**20
# JVM options of a local job (CLAIMLEDGER_SPARK_JIT=full keeps the JVM's defaults).
LOCAL_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1"
# Driver memory of one collected pair of ids (or one link with its reason), roughly.
PAIR_BYTES = 300
# An analysed report travelling through the job: where it came from (file, record), its
# original, its report, and its claims (None when extraction failed: it stays unprocessed).
Analysed = tuple[tuple[int, int], RawDocument, Report, "list[Claim] | None"]
# The same with its story.
Row = tuple[tuple[int, int], RawDocument, Report, "list[Claim] | None", str]


@dataclass
class SparkSummary:
    """What a job read and wrote."""

    files: int = 0
    reports: int = 0
    duplicates: int = 0
    claims: int = 0
    stories: int = 0
    incidents: int = 0
    seconds: float = 0.0
    rejected: list[Rejected] = field(default_factory=list)


def session(master: str | None = None, app_name: str = "claimledger") -> Any:
    """A SparkSession; `master` for local runs ("local[2]"), None under spark-submit."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise UsageError(
            "the Spark adapter needs PySpark: pip install 'claimledger[spark]' (and Java 17)"
        ) from exc
    if master and master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = (
        SparkSession.builder.appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if master:
        builder = builder.master(master)
    if master and master.startswith("local") and os.environ.get("CLAIMLEDGER_SPARK_JIT", "quick") == "quick":
        # A local job lives minutes in one JVM that shares the cores with the Python workers; its
        # JIT compiler threads took 17 CPU-seconds of a 5,000-page run on two cores. Compiling
        # with C1 alone cut the JVM's CPU from 43 to 25 s and shortened the run.
        builder = builder.config("spark.driver.extraJavaOptions", LOCAL_JAVA_OPTIONS)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def input_files(patterns: Sequence[str]) -> tuple[list[str], list[Rejected]]:
    """The files the patterns name (globs, files or folders), sorted and without repeats."""
    files: list[str] = []
    missing: list[Rejected] = []
    for pattern in patterns:
        matches = sorted(glob.glob(os.path.expanduser(pattern), recursive=True))
        if not matches:
            missing.append(Rejected(pattern, "no file matches"))
            continue
        for item in iter_paths(Path(m) for m in matches):
            if isinstance(item, BadInput):
                missing.append(Rejected(item.name, item.reason))
            else:
                files.append(path_name(item))
    return sorted(set(files)), missing


# -- stage functions run on executors (module level, so they pickle by reference) ---------------


def read_one(item: tuple[int, str]) -> Iterator[tuple[Any, ...]]:
    """The raw documents of one input file, each with its place in the input, or why one was
    refused. Reading is cheap; deriving text (trafilatura) waits until the records are spread."""
    _freeze_survivors()
    index, name = item
    for number, raw in enumerate(read_file(Path(name), {}, Defaults())):
        if isinstance(raw, BadInput):
            yield ("rejected", raw.name, raw.reason)
        else:
            yield ("raw", (index, number), raw)


def derive_partition(rows: Iterable[tuple[tuple[int, int], RawDocument]]) -> Iterator[tuple[Any, ...]]:
    """Working text and boilerplate of each raw document, as `ingest_into` derives them."""
    _freeze_survivors()
    for ordinal, raw in rows:
        try:
            report = clean_report(to_report(raw))
        except BadInput as exc:
            yield ("rejected", exc.name, exc.reason)
            continue
        yield ("report", ordinal, raw, report)


def story_of(stories: dict[str, str], report_id: str) -> str:
    """A report's story: the one its copies share, else its own (stories lists only copies)."""
    return stories.get(report_id) or content_id("s", report_id)


def _earliest(a: tuple[Any, ...], b: tuple[Any, ...]) -> tuple[Any, ...]:
    return a if a[0] <= b[0] else b


def _refetch_key(row: tuple[Any, ...]) -> tuple[str, str] | None:
    """Captures of one page with one text are one report (as `LedgerStore.add_report` decides)."""
    _, _, report = row
    return (report.url, hashlib.sha256(report.text.encode("utf-8")).hexdigest()) if report.url else None


def _is_capture(row: tuple[Any, ...]) -> bool:
    _, raw, report = row
    return bool(report.url) and raw.kind == "warc" and raw.original.startswith(b"WARC/")


def _later_captures(group: tuple[Any, Iterable[tuple[tuple[int, int], str, bool]]]) -> list[str]:
    members = sorted(group[1])
    return [report_id for _, report_id, capture in members[1:] if capture]


def analyse_partition(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """`analyse_reports` over one partition, with one parser process (the executor is the parallelism)."""
    _freeze_survivors()
    batch = list(rows)
    failures: list[Rejected] = []
    done = dict(
        (report.report_id, claims)
        for report, claims in analyse_reports([r for _, _, r in batch], failures=failures, processes=1)
    )
    for ordinal, raw, report in batch:
        yield ("report", ordinal, raw, report, done.get(report.report_id))
    for failure in failures:
        yield ("rejected", failure.name, failure.reason)


def fingerprint_partition(rows: Iterable[Analysed]) -> Iterator[tuple[str, tuple[Fingerprint, str | None]]]:
    """(report_id, (fingerprint, published)) of each report long enough to judge: the date
    travels with the fingerprint so that stories need no second pass over the reports."""
    batch = [report for _, _, report, _ in rows]
    return (
        (fp.report_id, (fp, report.published))
        for report, fp in zip(batch, fingerprints(batch), strict=True)
        if fp is not None
    )


def _band_entries(item: tuple[str, tuple[Fingerprint, str | None]]) -> list[tuple[tuple[int, int], str]]:
    return [(key, item[0]) for key in band_keys(item[1][0])]


def _candidates(group: tuple[Any, Iterable[str]]) -> Iterator[tuple[str, str]]:
    members = list(group[1])
    return pairs_of(members) if len(members) > 1 else iter(())


def _verified(item: tuple[str, tuple[Fingerprint, Fingerprint]]) -> list[tuple[str, str]]:
    pair = verify_pair(*item[1])
    return [(pair[0], pair[1])] if pair else []


def _block_links(
    group: tuple[str, Iterable[tuple[Claim, str, str | None]]],
) -> Iterator[tuple[tuple[str, str], str]]:
    members = list(group[1])
    if len(members) < 2:
        return iter(())
    stories = {claim.report_id: story for claim, story, _ in members}
    published = {claim.report_id: day for claim, _, day in members}
    return (
        ((link.a, link.b), link.why) for link in links_in_block([m[0] for m in members], stories, published)
    )


def _incident_of_group(
    group: tuple[str, Iterable[tuple[Claim, Report, str]]], reasons: dict[str, list[str]]
) -> Any:
    members = list(group[1])
    reports = {report.report_id: report for _, report, _ in members}
    stories = {report.report_id: story for _, report, story in members}
    return incident_of([claim for claim, _, _ in members], reports, stories, reasons)


# -- the job --------------------------------------------------------------------------------


def _claim_records(claims: Sequence[Claim], include_private_names: bool) -> list[dict[str, Any]]:
    """One report's claims in the export shape, redacted with the report's set."""
    redaction = None if include_private_names else redaction_of(claims)
    return [claim_record(c, redaction) for c in claims]


def run_job(
    spark: Any,
    patterns: Sequence[str],
    output: Path,
    partitions: int | None = None,
    include_private_names: bool = False,
) -> SparkSummary:
    """Read, analyse and link everything the patterns name; write Parquet under `output`."""
    from pyspark import StorageLevel

    started = time.monotonic()
    sc = spark.sparkContext
    summary = SparkSummary()
    files, missing = input_files(patterns)
    summary.rejected.extend(missing)
    summary.files = len(files)
    if not files:
        raise UsageError(f"no input files match {', '.join(patterns)}")
    parts = partitions or max(2, sc.defaultParallelism * 4)
    ingested_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

    read = (
        sc.parallelize(list(enumerate(files)), len(files))
        .flatMap(read_one)
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    summary.rejected.extend(Rejected(t[1], t[2]) for t in read.filter(lambda t: t[0] == "rejected").collect())
    found = read.filter(lambda t: t[0] == "raw").map(lambda t: (t[2].sha256, (t[1], t[2])))
    # Identical bytes are one report, the first in input order (as a sequential ingest keeps).
    spread = found.reduceByKey(_earliest, numPartitions=parts).values()
    derived = spread.mapPartitions(derive_partition).persist(StorageLevel.MEMORY_AND_DISK)
    summary.rejected.extend(
        Rejected(t[1], t[2]) for t in derived.filter(lambda t: t[0] == "rejected").collect()
    )
    unique = derived.filter(lambda t: t[0] == "report").map(lambda t: (t[1], t[2], t[3]))
    keyed = unique.map(lambda row: (_refetch_key(row), (row[0], row[2].report_id, _is_capture(row)))).filter(
        lambda kv: kv[0] is not None
    )
    later = set(keyed.groupByKey(parts).flatMap(_later_captures).collect())
    if later:
        unique = unique.filter(lambda row: row[2].report_id not in later)
    analysed_all = unique.mapPartitions(analyse_partition).persist(StorageLevel.MEMORY_AND_DISK)
    summary.rejected.extend(
        Rejected(t[1], t[2]) for t in analysed_all.filter(lambda t: t[0] == "rejected").collect()
    )
    # Not persisted again: every later pass reads the analysed records once, filtered as it goes.
    analysed = analysed_all.filter(lambda t: t[0] == "report").map(lambda t: (t[1], t[2], t[3], t[4]))
    summary.duplicates = found.count() - derived.count() + len(later)
    bounds = _ordinal_bounds(found.map(lambda kv: kv[1][0][0]).countByValue(), parts)
    read.unpersist()

    limit = int(os.environ.get("CLAIMLEDGER_SPARK_BROADCAST_BYTES", BROADCAST_BYTES))
    stories = _stories(sc, analysed, limit, parts)
    rows = _with_story(sc, analysed, stories, parts)
    incidents = _incidents(sc, rows, _links(rows, parts), limit, parts).persist(StorageLevel.MEMORY_AND_DISK)

    _write(
        spark,
        output / "reports",
        "report.json",
        rows.map(lambda row: report_record(row[2], row[4], ingested_at)),
    )
    _write(
        spark,
        output / "claims",
        "claim.json",
        rows.flatMap(lambda row: _claim_records(row[3] or (), include_private_names)),
    )
    # Each incident is redacted with its reports' sets: the few reports that name someone.
    named = (
        None
        if include_private_names
        else sc.broadcast(
            rows.map(lambda row: (row[2].report_id, redaction_of(row[3] or ())))
            .filter(lambda kv: bool(kv[1]))
            .collectAsMap()
        )
    )
    _write(
        spark,
        output / "incidents",
        "incident.json",
        incidents.map(
            lambda incident: incident_record(
                incident, None if named is None else incident_redaction(incident, named.value)
            )
        ),
    )
    _write_ledger(spark, output / "ledger", rows, incidents, bounds)
    # Counted from the files' footers, not by another pass over the records.
    summary.reports, summary.claims, summary.incidents = (
        spark.read.parquet(str(output / name)).count() for name in ("reports", "claims", "incidents")
    )
    if isinstance(stories, dict):
        summary.stories = summary.reports - len(stories) + len(set(stories.values()))
    else:
        summary.stories = summary.reports - stories.count() + stories.values().distinct(parts).count()
    summary.seconds = round(time.monotonic() - started, 2)
    (output / "rejected.jsonl").write_text(
        "".join(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in summary.rejected), encoding="utf-8"
    )
    (output / "SUMMARY.json").write_text(
        json.dumps(
            {
                **{k: v for k, v in asdict(summary).items() if k != "rejected"},
                "rejected": len(summary.rejected),
                "inputs": list(patterns),
                "partitions": parts,
                "master": sc.master,
                "ingested_at": ingested_at,
                "include_private_names": include_private_names,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    for rdd in (incidents, rows, analysed_all, derived):
        rdd.unpersist()
    return summary


def _stories(sc: Any, analysed: Any, limit: int, parts: int) -> Any:
    """report_id -> story_id for reports that have copies (a report alone is its own story): a
    dict when the copy pairs fit the driver, else an RDD of the same pairs."""
    dated = analysed.mapPartitions(fingerprint_partition).persist()
    prints = dated.mapValues(lambda v: v[0])
    candidates = dated.flatMap(_band_entries).groupByKey(parts).flatMap(_candidates).distinct(parts)
    size = dated.map(lambda kv: kv[1][0].hashes.nbytes + kv[1][0].signature.nbytes + 200).sum()
    if size <= limit:
        # Small enough to send to every executor: candidates are checked where they are, with no
        # shuffle of fingerprints (Spark SQL makes the same choice for small join sides).
        table = sc.broadcast(dict(prints.collect()))
        verified = candidates.flatMap(
            lambda pair: _verified((pair[0], (table.value[pair[0]], table.value[pair[1]])))
        )
    else:
        joined = (
            candidates.join(prints, parts)
            .map(lambda kv: (kv[1][0], kv[1][1]))
            .join(prints, parts)
            .map(lambda kv: (kv[0], (kv[1][0], kv[1][1])))
        )
        verified = joined.flatMap(_verified)
    verified = verified.persist()
    if verified.count() * PAIR_BYTES <= limit:
        pairs = sorted(set(verified.collect()))
        copied = sc.broadcast({i for pair in pairs for i in pair})
        published = dict(
            dated.filter(lambda kv: kv[0] in copied.value).map(lambda kv: (kv[0], kv[1][1])).collect()
        )
        stories: Any = stories_from_pairs(sorted(published.items()), pairs)
    else:
        labels = connected(verified, parts)
        dates = dated.mapValues(lambda v: v[1])
        stories = (
            labels.join(dates, parts)
            .map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))
            .groupByKey(parts)
            .flatMap(_story_of_group)
            .persist()
        )
        stories.count()  # computed while the pairs it comes from are still held
    dated.unpersist()
    verified.unpersist()
    return stories


def _story_of_group(group: tuple[str, Iterable[tuple[str, str | None]]]) -> list[tuple[str, str]]:
    members = sorted(group[1])
    story = story_id(members)
    return [(report_id, story) for report_id, _ in members]


def _with_story(sc: Any, analysed: Any, stories: Any, parts: int) -> Any:
    """Each analysed report with its story (broadcast when the copies are few, else joined)."""
    from pyspark import StorageLevel

    if isinstance(stories, dict):
        copies = sc.broadcast(stories)
        return analysed.map(lambda row: (*row, story_of(copies.value, row[2].report_id)))
    keyed = analysed.map(lambda row: (row[2].report_id, row)).leftOuterJoin(stories, parts)
    return keyed.map(lambda kv: (*kv[1][0], kv[1][1] or content_id("s", kv[0]))).persist(
        StorageLevel.MEMORY_AND_DISK
    )


def _block_entries(row: Row) -> Iterator[tuple[str, str]]:
    _, _, report, claims, story = row
    for claim in claims or ():
        for key in block_keys(claim, story, report.published):
            yield key, claim.claim_id


def _members(group: tuple[str, Iterable[str]]) -> list[tuple[str, ...]]:
    members = tuple(sorted(set(group[1])))
    return [members] if len(members) > 1 else []


def _links(rows: Any, parts: int) -> Any:
    """Every link between claims, ((a, b), why), found block by block as `corroborate.link_claims`
    does. Blocks travel as lists of claim ids, and blocks with the same members are judged once
    (a town's name, id and grid cells usually have the same claims); then each claim, cut down to
    what the rules read, is sent to the blocks it is in."""
    blocks = rows.flatMap(_block_entries).groupByKey(parts).flatMap(_members).distinct(parts)
    membership = blocks.zipWithUniqueId().flatMap(lambda kv: [(claim_id, kv[1]) for claim_id in kv[0]])
    views = rows.flatMap(
        lambda row: [(c.claim_id, (link_view(c), row[4], row[2].published)) for c in row[3] or ()]
    )
    # A pair in several blocks may be linked in each: once here.
    return (
        membership.join(views, parts)
        .values()
        .groupByKey(parts)
        .flatMap(_block_links)
        .reduceByKey(lambda a, b: a, parts)
    )


def _incidents(sc: Any, rows: Any, links: Any, limit: int, parts: int) -> Any:
    """The incidents of the groups that links join: the groups are formed on the driver when the
    links fit it, else on the cluster."""
    links = links.persist()

    def members(row: Row) -> Iterator[tuple[str, tuple[Claim, Report, str]]]:
        _, _, report, claims, story = row
        for claim in claims or ():
            yield claim.claim_id, (claim, report, story)

    if links.count() * PAIR_BYTES <= limit:
        found = sorted(
            (Link(a, b, why) for (a, b), why in links.collect()), key=lambda link: (link.a, link.b)
        )
        reasons = sc.broadcast(link_reasons(found))
        pairs = [(link.a, link.b) for link in found]
        group_of = sc.broadcast(
            {
                claim_id: group[0]
                for group in components(sorted({i for pair in pairs for i in pair}), pairs)
                for claim_id in group
            }
        )
        keyed = rows.flatMap(members).map(lambda kv: (group_of.value.get(kv[0], kv[0]), kv[1]))
        incidents = keyed.groupByKey(parts).map(lambda g: _incident_of_group(g, reasons.value))
    else:
        labels = connected(links.keys(), parts)
        keyed = (
            rows.flatMap(members).leftOuterJoin(labels, parts).map(lambda kv: (kv[1][1] or kv[0], kv[1][0]))
        )
        why = (
            links.map(lambda kv: (kv[0][0], (kv[0][1], kv[1])))
            .join(labels, parts)
            .map(lambda kv: (kv[1][1], (kv[0], *kv[1][0])))
        )
        incidents = keyed.cogroup(why, parts).map(_incident_with_reasons)
    links.unpersist()
    return incidents


def _incident_with_reasons(
    group: tuple[str, tuple[Iterable[tuple[Claim, Report, str]], Iterable[tuple[str, str, str]]]],
) -> Any:
    root, (members, found) = group
    reasons = link_reasons(Link(a, b, why) for a, b, why in sorted(found))
    return _incident_of_group((root, members), reasons)


def connected(pairs: Any, parts: int) -> Any:
    """(id, root) for every id in the pairs, the root being the smallest id of its group, found on
    the cluster by alternating large-star and small-star rounds (Kiveris et al., "Connected
    components in MapReduce and beyond", 2014): O(log^2 n) rounds, no node's edges on one machine
    beyond its own."""
    from pyspark import StorageLevel

    edges = (
        pairs.map(lambda p: (max(p), min(p)))
        .filter(lambda e: e[0] != e[1])
        .distinct(parts)
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    while True:
        large = edges.flatMap(lambda e: (e, (e[1], e[0]))).groupByKey(parts).flatMap(_large_star)
        small = (
            large.groupByKey(parts).flatMap(_small_star).distinct(parts).persist(StorageLevel.MEMORY_AND_DISK)
        )
        done = _is_star_forest(small, parts)  # computes this round before the last is dropped
        edges.unpersist()
        edges = small
        if done:
            return edges.union(edges.values().distinct(parts).map(lambda root: (root, root))).coalesce(parts)


def _large_star(node: tuple[str, Iterable[str]]) -> list[tuple[str, str]]:
    """Every larger neighbour of a node is joined to the smallest of its neighbourhood."""
    u, neighbours = node[0], set(node[1])
    least = min(neighbours | {u})
    return [(v, least) for v in neighbours if v > u]


def _small_star(node: tuple[str, Iterable[str]]) -> list[tuple[str, str]]:
    """A node and its smaller neighbours are joined to the smallest of them."""
    u, smaller = node[0], set(node[1])
    least = min(smaller | {u})
    return [(v, least) for v in smaller | {u} if v != least]


def _is_star_forest(edges: Any, parts: int) -> bool:
    """Every edge points from a node with no other edge out to a node with none out at all: each
    group is a star around its smallest id."""
    roles = edges.flatMap(lambda e: ((e[0], (1, 0)), (e[1], (0, 1)))).reduceByKey(
        lambda a, b: (a[0] + b[0], a[1] + b[1]), parts
    )
    return bool(roles.filter(lambda kv: kv[1][0] > 1 or (kv[1][0] > 0 and kv[1][1] > 0)).isEmpty())


# -- Parquet --------------------------------------------------------------------------------


def spark_type(schema: dict[str, Any]) -> Any:
    """The Spark SQL type of a JSON Schema (the contract's subset: objects, arrays, scalars, null unions)."""
    from pyspark.sql import types as T

    if "oneOf" in schema:
        kinds = [s for s in schema["oneOf"] if s.get("type") != "null"]
        return spark_type(kinds[0])
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if "enum" in schema or kind == "string":
        return T.StringType()
    if kind == "integer":
        return T.LongType()
    if kind == "number":
        return T.DoubleType()
    if kind == "boolean":
        return T.BooleanType()
    if kind == "array":
        return T.ArrayType(spark_type(schema.get("items", {"type": "string"})), True)
    if kind == "object":
        required = set(schema.get("required", []))
        return T.StructType(
            [
                T.StructField(name, spark_type(sub), nullable=name not in required or _nullable(sub))
                for name, sub in schema.get("properties", {}).items()
            ]
        )
    raise UsageError(f"no Spark type for JSON Schema {schema!r}")


def _nullable(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return (isinstance(kind, list) and "null" in kind) or any(
        s.get("type") == "null" for s in schema.get("oneOf", [])
    )


def contract_schema(name: str) -> dict[str, Any]:
    return json.loads((CONTRACT / name).read_text(encoding="utf-8"))


# The export kind of each contract schema that a Spark job writes records of.
_KIND_OF_SCHEMA = {"report.json": "reports", "claim.json": "claims", "incident.json": "incidents"}


def _write(spark: Any, path: Path, schema_name: str, records: Any) -> None:
    """Write records of a contract schema as Parquet, each checked against the schema first: a
    record that fails it fails the job, and Spark commits no output of a failed job."""
    from functools import partial

    from claimledger.contract_check import checked

    schema = spark_type(contract_schema(schema_name))
    valid = records.map(partial(checked, _KIND_OF_SCHEMA[schema_name]))
    spark.createDataFrame(valid, schema=schema, verifySchema=False).write.mode("overwrite").parquet(str(path))


LEDGER_COLUMNS = ("file", "record", "report_id", "kind", "original", "report", "claims", "story_id")


def _ordinal_bounds(per_file: Mapping[int, int], parts: int) -> list[tuple[int, int]]:
    """Exclusive upper bounds of up to `parts` ranges of input order, (file, record), holding
    about as many records each, cut from the number of records in each file: the ledger is put
    in input order without sampling it first (as `sortBy` would, twice)."""
    total = sum(per_file.values())
    size = max(1, -(-total // max(1, parts)))
    bounds: list[tuple[int, int]] = []
    seen = 0
    for file in sorted(per_file):
        count = per_file[file]
        cut = (len(bounds) + 1) * size
        while seen + count > cut and len(bounds) < parts - 1:
            bounds.append((file, cut - seen))
            cut += size
        seen += count
    return bounds


def _write_ledger(spark: Any, path: Path, rows: Any, incidents: Any, bounds: list[tuple[int, int]]) -> None:
    """The records `load` stores: originals, reports and claims in input order; incidents."""
    from pyspark.sql import types as T

    def row(item: Row) -> tuple[Any, ...]:
        (file, record), raw, report, claims, story = item
        return (
            file,
            record,
            report.report_id,
            raw.kind,
            bytearray(raw.original),
            json.dumps(report_fields(report), ensure_ascii=False),
            None if claims is None else json.dumps([claim_to_json(c) for c in claims], ensure_ascii=False),
            story,
        )

    schema = T.StructType(
        [
            T.StructField("file", T.LongType(), False),
            T.StructField("record", T.LongType(), False),
            T.StructField("report_id", T.StringType(), False),
            T.StructField("kind", T.StringType(), False),
            T.StructField("original", T.BinaryType(), False),
            T.StructField("report", T.StringType(), False),
            T.StructField("claims", T.StringType(), True),
            T.StructField("story_id", T.StringType(), False),
        ]
    )
    ordered = rows.map(lambda item: (item[0], row(item))).repartitionAndSortWithinPartitions(
        len(bounds) + 1, partitionFunc=lambda ordinal: bisect.bisect_right(bounds, ordinal)
    )
    spark.createDataFrame(ordered.values(), schema=schema).write.mode("overwrite").parquet(
        str(path / "reports")
    )
    incident_schema = T.StructType(
        [T.StructField("incident_id", T.StringType(), False), T.StructField("data", T.StringType(), False)]
    )
    rows = incidents.map(lambda i: (i.incident_id, json.dumps(incident_to_json(i), ensure_ascii=False)))
    spark.createDataFrame(rows, schema=incident_schema).write.mode("overwrite").parquet(
        str(path / "incidents")
    )
