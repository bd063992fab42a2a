"""The Spark adapter: the same exports as a local run, Parquet in the export schemas, and a job's
output loaded into SQLite and PostgreSQL. Runs on local[2] (needs PySpark and Java 17)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from archives import example_documents, write_jsonl, write_warc
from claimledger.cli import app
from conftest import PostgresServer, needs_postgres

pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")
pytestmark = pytest.mark.skipif(
    shutil.which("java") is None, reason="needs Java 17 (apt install openjdk-17-jre-headless)"
)
CLI = [sys.executable, "-m", "claimledger.cli"]
KINDS = ("reports", "claims", "incidents", "acled", "geojson")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example corpus as JSON Lines (with one line repeated) and as a WARC (with one page
    syndicated under another outlet's URL), and an archive that is not a WARC."""
    folder = tmp_path_factory.mktemp("spark-inputs")
    rows = example_documents()
    write_jsonl(folder / "examples.jsonl", [*rows, rows[0]])
    copy = {**rows[6], "url": "https://syndicated.example/kramatorsk", "outlet": "Another Outlet"}
    write_warc(folder / "examples.warc.gz", [*rows[:10], copy])
    (folder / "broken.warc.gz").write_bytes(b"\x1f\x8b\x08\x00not really gzip")
    return folder


def _run(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    import os

    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=900, env={**os.environ, **(env or {})}
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def spark_output(inputs: Path) -> Path:
    out = inputs.parent / "spark-out"
    _run(
        [
            *CLI,
            "spark",
            "run",
            "--input",
            "*.jsonl",
            "--input",
            "*.warc.gz",
            "--output",
            str(out),
            "--master",
            "local[2]",
        ],
        inputs,
    )
    return out


@pytest.fixture(scope="module")
def spark_output_joined(inputs: Path) -> Path:
    """The same job with fingerprints joined across the cluster instead of broadcast (big inputs)."""
    out = inputs.parent / "spark-out-joined"
    _run(
        [
            *CLI,
            "spark",
            "run",
            "--input",
            "*.jsonl",
            "--input",
            "*.warc.gz",
            "--output",
            str(out),
            "--master",
            "local[2]",
        ],
        inputs,
        {"CLAIMLEDGER_SPARK_BROADCAST_BYTES": "0"},
    )
    return out


@pytest.fixture(scope="module")
def local_ledger(inputs: Path) -> str:
    url = f"sqlite:///{inputs.parent / 'local.db'}"
    _run([*CLI, "run", "examples.jsonl", "examples.warc.gz", "broken.warc.gz", "--db", url], inputs)
    return url


def _exports(url: str) -> dict[str, Any]:
    runner = CliRunner()
    out: dict[str, Any] = {}
    for kind in KINDS:
        result = runner.invoke(app, ["export", kind, "--db", url])
        assert result.exit_code == 0, result.output
        if kind == "acled":
            out[kind] = result.stdout
        elif kind == "geojson":
            out[kind] = json.loads(result.stdout)
        else:
            records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
            for record in records:
                record.pop("ingested_at", None)
            out[kind] = sorted(json.dumps(r, sort_keys=True) for r in records)
    return out


def test_a_spark_job_loaded_into_sqlite_exports_what_a_local_run_exports(
    spark_output: Path, local_ledger: str, tmp_path: Path
) -> None:
    loaded = f"sqlite:///{tmp_path / 'loaded.db'}"
    result = CliRunner().invoke(app, ["load", str(spark_output), "--db", loaded])
    assert result.exit_code == 0, result.output
    mine, theirs = _exports(loaded), _exports(local_ledger)
    assert len(mine["claims"]) > 40 and len(mine["incidents"]) > 30
    for kind in KINDS:
        assert mine[kind] == theirs[kind], kind
    verify = CliRunner().invoke(app, ["verify", "--reproduce", "--db", loaded])
    assert verify.exit_code == 0, verify.output


def test_the_job_drops_repeated_bytes_joins_syndicated_copies_and_reports_bad_files(
    spark_output: Path,
) -> None:
    summary = json.loads((spark_output / "SUMMARY.json").read_text())
    rows = len(example_documents())
    assert summary["reports"] == rows + 11 and summary["duplicates"] == 1
    assert summary["stories"] < summary["reports"]
    rejected = [json.loads(line) for line in (spark_output / "rejected.jsonl").read_text().splitlines()]
    assert [r["name"].rsplit("/", 1)[-1] for r in rejected] == ["broken.warc.gz"]


def _as_record(value: Any, schema: dict[str, Any]) -> Any:
    """A Parquet row as a JSON record: a struct field that is null and not required was absent."""
    if "oneOf" in schema:
        schema = next(s for s in schema["oneOf"] if s.get("type") != "null")
    if isinstance(value, dict):
        required = set(schema.get("required", []))
        properties = schema.get("properties", {})
        return {
            k: _as_record(v, properties.get(k, {}))
            for k, v in value.items()
            if v is not None or k in required
        }
    if isinstance(value, list):
        return [_as_record(v, schema.get("items", {})) for v in value]
    return value


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


@pytest.mark.parametrize(
    "kind, schema, key",
    [
        ("reports", "report.json", "report_id"),
        ("claims", "claim.json", "claim_id"),
        ("incidents", "incident.json", "incident_id"),
    ],
)
def test_parquet_output_holds_the_export_records_in_the_contract_schemas(
    spark_output: Path, local_ledger: str, kind: str, schema: str, key: str
) -> None:
    import jsonschema
    import pyarrow.parquet as pq

    from claimledger.spark import contract_schema

    table = pq.read_table(spark_output / kind)
    assert table.column_names == list(contract_schema(schema)["properties"])
    rows = sorted(table.to_pylist(), key=lambda r: r[key])
    validator = jsonschema.Draft202012Validator(contract_schema(schema))
    for row in rows:
        validator.validate(_as_record(row, contract_schema(schema)))
        row.pop("ingested_at", None)
    local = sorted((json.loads(line) for line in _exports(local_ledger)[kind]), key=lambda r: r[key])
    assert [_without_nulls(r) for r in rows] == [_without_nulls(r) for r in local]


def test_loading_the_same_output_twice_adds_nothing(spark_output: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["load", str(spark_output), "--db", url]).exit_code == 0
    before = _exports(url)
    again = runner.invoke(app, ["load", str(spark_output), "--db", url])
    assert again.exit_code == 0 and "loaded 0 new report(s)" in again.output
    assert _exports(url) == before


def test_loading_into_a_ledger_with_other_reports_links_the_whole_ledger(
    spark_output: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'mixed.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["run", "--db", url]).exit_code == 0  # the bundled example corpus as files
    result = runner.invoke(app, ["load", str(spark_output), "--db", url])
    assert result.exit_code == 0 and "recomputed over the whole ledger" in result.output
    incidents = [json.loads(r) for r in _exports(url)["incidents"]]
    claims = [json.loads(r) for r in _exports(url)["claims"]]
    assert sorted(c for i in incidents for c in i["claim_ids"]) == sorted(c["claim_id"] for c in claims)


def test_load_refuses_a_folder_that_is_not_a_job_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["load", str(tmp_path), "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code != 0 and "not the output of `claimledger spark run`" in str(
        result.exception or result.output
    )


@needs_postgres
def test_a_spark_job_loaded_into_postgresql_exports_what_a_local_run_exports(
    spark_output: Path, local_ledger: str, postgres: PostgresServer
) -> None:
    url = postgres.database("spark_loaded")
    result = CliRunner().invoke(app, ["load", str(spark_output), "--db", url])
    assert result.exit_code == 0, result.output
    assert _exports(url) == _exports(local_ledger)


@pytest.mark.parametrize("kind", ["reports", "claims", "incidents"])
def test_joining_fingerprints_instead_of_broadcasting_them_changes_nothing(
    spark_output: Path, spark_output_joined: Path, kind: str
) -> None:
    import pyarrow.parquet as pq

    def rows(folder: Path) -> list[str]:
        return sorted(
            json.dumps({k: v for k, v in r.items() if k != "ingested_at"}, sort_keys=True, default=str)
            for r in pq.read_table(folder / kind).to_pylist()
        )

    assert rows(spark_output) == rows(spark_output_joined)
    assert (
        json.loads((spark_output_joined / "SUMMARY.json").read_text())["stories"]
        < json.loads((spark_output_joined / "SUMMARY.json").read_text())["reports"]
    )


@pytest.fixture(scope="module")
def spark_session() -> Any:
    from claimledger.spark import session

    spark = session("local[2]", "claimledger-tests")
    yield spark
    spark.stop()


@pytest.mark.parametrize("shape", ["chains", "stars", "random"])
def test_groups_found_on_the_cluster_are_those_of_the_driver_union(spark_session: Any, shape: str) -> None:
    import random

    from claimledger.dedup import components
    from claimledger.spark import connected

    rng = random.Random(len(shape))
    ids = [f"c{n:04d}" for n in range(600)]
    if shape == "chains":  # long paths take the most rounds: 0-1-2-...-199, in shuffled order
        pairs = [(ids[n], ids[n + 1]) for n in range(599) if n % 200 != 199]
    elif shape == "stars":
        pairs = [(ids[n], ids[rng.randrange(0, 600, 50)]) for n in range(600)]
    else:
        pairs = [(a, b) for a, b in ((rng.choice(ids), rng.choice(ids)) for _ in range(500)) if a != b]
    rng.shuffle(pairs)
    labels = dict(connected(spark_session.sparkContext.parallelize(pairs, 4), 4).collect())
    joined = sorted({i for pair in pairs for i in pair})
    assert sorted(labels) == joined
    found: dict[str, set[str]] = {}
    for node, root in labels.items():
        found.setdefault(root, set()).add(node)
    assert {frozenset(g) for g in found.values()} == {frozenset(g) for g in components(joined, pairs)}
    assert all(root == min(found[root]) for root in found)


@pytest.mark.parametrize(
    "per_file, parts",
    [
        ({0: 5000}, 8),  # one large crawl file, as in the benchmark
        ({n: 3 for n in range(40)}, 8),  # many small files
        ({0: 1, 1: 900, 2: 7, 5: 400}, 4),  # files of every size, some skipped (unreadable)
        ({0: 3}, 8),  # fewer records than ranges
        ({}, 8),
    ],
)
def test_ledger_ranges_keep_input_order_and_hold_about_as_many_records_each(
    per_file: dict[int, int], parts: int
) -> None:
    import bisect
    from collections import Counter

    from claimledger.spark import _ordinal_bounds

    bounds = _ordinal_bounds(per_file, parts)
    assert bounds == sorted(bounds) and len(bounds) < max(parts, 1)
    ordinals = [(file, record) for file in sorted(per_file) for record in range(per_file[file])]
    ranges = [bisect.bisect_right(bounds, ordinal) for ordinal in ordinals]
    assert ranges == sorted(ranges)
    total = sum(per_file.values())
    assert max(Counter(ranges).values(), default=0) <= -(-total // parts)


def test_a_local_session_compiles_with_c1_unless_told_otherwise(spark_session: Any) -> None:
    from claimledger.spark import LOCAL_JAVA_OPTIONS

    jvm = spark_session.sparkContext._jvm
    assert LOCAL_JAVA_OPTIONS in list(
        jvm.java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
    )
