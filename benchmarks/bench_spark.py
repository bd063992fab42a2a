"""Benchmark: throughput of the local pipeline and of the Spark job (issue 8).

Usage: python benchmarks/bench_spark.py [--pages 5000] [--work DIR] [--out results.json]

Builds a synthetic crawl (a gzipped WARC) from the bundled example corpus (see
tests/archives.py: pages mix one example's sentences with others', one word in eight swapped,
with planted syndicated copies and repeated captures), then times on it:
- `claimledger run` (SQLite; its default of two parser processes on two cores, and one process);
- `claimledger spark run --master local[1]` and `local[2]`.
For each: wall time, articles per second, CPU seconds and the peak memory of the whole process
tree (the JVM, the Python workers and the parser processes together), sampled every 0.2 s. Checks that
Spark found the same claims and incidents as the local run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from archives import synthetic_documents, write_warc  # noqa: E402


def _tree(pid: int) -> tuple[int, dict[int, float]]:
    """Resident memory (bytes) of a process and all its descendants, and each one's CPU seconds
    so far, from /proc (the JVM's Python workers are never waited for, so rusage misses them)."""
    children: dict[int, list[int]] = {}
    stats: dict[int, tuple[int, float]] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        stats[int(entry)] = (
            int(fields[21]) * os.sysconf("SC_PAGE_SIZE"),
            (int(fields[11]) + int(fields[12])) / tick,
        )
    rss, cpu, stack = 0, {}, [pid]
    while stack:
        current = stack.pop()
        if current in stats:
            rss += stats[current][0]
            cpu[current] = stats[current][1]
        stack.extend(children.get(current, []))
    return rss, cpu


def timed(command: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Wall time, CPU time (all descendants) and peak tree memory of a command, which must succeed."""
    started = time.monotonic()
    process = subprocess.Popen(
        command, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak = 0
    cpu: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            rss, seconds = _tree(process.pid)
            peak = max(peak, rss)
            cpu.update({p: max(s, cpu.get(p, 0.0)) for p, s in seconds.items()})
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{err[-3000:]}")
    seconds = time.monotonic() - started
    used = sum(cpu.values())  # sampled every 0.2 s: the last fraction of a second of each process is missed
    return {
        "seconds": round(seconds, 1),
        "cpu_seconds": round(used, 1),
        "cores_busy": round(used / seconds, 2),
        "peak_rss_mb": round(peak / 2**20),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--spark-only", action="store_true", help="reuse the local runs' exports already in --work"
    )
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="claimledger-bench-spark-"))
    work.mkdir(parents=True, exist_ok=True)
    warc = write_warc(work / "crawl.warc.gz", synthetic_documents(args.pages))
    cli = [sys.executable, "-m", "claimledger.cli"]
    results: dict[str, object] = {
        "pages": args.pages,
        "warc_mb": round(warc.stat().st_size / 2**20, 1),
        "cores": os.cpu_count(),
    }
    runs: dict[str, dict[str, float]] = {}
    for name, env in (
        () if args.spark_only else (("local", {}), ("local_one_process", {"CLAIMLEDGER_PROCESSES": "1"}))
    ):
        db = work / f"{name}.db"
        db.unlink(missing_ok=True)
        runs[name] = timed(
            [*cli, "run", str(warc), "--db", f"sqlite:///{db}", "--exports", str(work / f"{name}-exports")],
            env,
        )
    for cores in (1, 2):
        out = work / f"spark-{cores}"
        runs[f"spark_local_{cores}"] = timed(
            [*cli, "spark", "run", "--input", str(warc), "--output", str(out), "--master", f"local[{cores}]"]
        )
    summary = json.loads((work / "spark-2" / "SUMMARY.json").read_text())
    reports = int(summary["reports"])
    for run in runs.values():
        run["articles_per_second"] = round(reports / run["seconds"], 2)
    results["reports"] = reports
    results["runs"] = runs
    results["spark_speedup_2_over_1"] = round(
        runs["spark_local_1"]["seconds"] / runs["spark_local_2"]["seconds"], 2
    )
    results["same_as_local"] = _same_as_local(work)
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


def _same_as_local(work: Path) -> dict[str, bool]:
    """Spark's claims and incidents (Parquet) against the local run's exports, by id and count."""
    import pyarrow.parquet as pq

    def ids(path: Path, key: str) -> list[str]:
        return sorted(json.loads(line)[key] for line in path.open(encoding="utf-8"))

    out = {}
    for cores in (1, 2):
        spark = work / f"spark-{cores}"
        claims = sorted(pq.read_table(spark / "claims", columns=["claim_id"]).column("claim_id").to_pylist())
        incidents = sorted(
            pq.read_table(spark / "incidents", columns=["incident_id"]).column("incident_id").to_pylist()
        )
        out[f"local[{cores}]"] = claims == ids(
            work / "local-exports" / "claims.jsonl", "claim_id"
        ) and incidents == ids(work / "local-exports" / "incidents.jsonl", "incident_id")
    return out


if __name__ == "__main__":
    main()
