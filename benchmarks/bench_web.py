"""Benchmark: the web API under load. 100,000 synthetic incidents in SQLite (or the PostgreSQL
database given with --db), 50 concurrent clients reading the overview API for 60 s while one
analyst reviews claims.

Usage: python benchmarks/bench_web.py [--incidents 100000] [--clients 50] [--seconds 60] [--db URL]
Prints requests, errors, latency percentiles and the writer's reviews.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

TYPES = [
    "looting",
    "shelling",
    "air_strike",
    "abduction",
    "vehicle_theft",
    "territory_change",
    "troop_movement",
    "attack_on_civilians",
]
PLACES = [
    ("Kharkiv", 49.99, 36.23),
    ("Izyum", 49.21, 37.26),
    ("Bucha", 50.54, 30.21),
    ("Kherson", 46.64, 32.62),
    ("Mariupol", 47.10, 37.55),
    ("Sumy", 50.91, 34.80),
]


def build(url: str, incidents: int) -> None:
    """A ledger of synthetic reports, claims and incidents, written straight through the schema."""
    from claimledger.model import Claim, DateInfo, Incident, Location, SourceRef, Span
    from claimledger.store import LedgerStore, schema

    store = LedgerStore(url)
    rng = random.Random(7)
    reports, originals, claims, rows = [], [], [], []
    per_report = 5
    for n in range(incidents):
        rid = f"{n // per_report:024d}"
        day = f"2022-{rng.randint(2, 12):02d}-{rng.randint(1, 28):02d}"
        name, lat, lon = rng.choice(PLACES)
        kind = rng.choice(TYPES)
        sentence = f"Report {n}: {kind.replace('_', ' ')} in {name} on {day}, officials said."
        if n % per_report == 0:
            text = " ".join(
                f"Report {k}: {kind.replace('_', ' ')} in {name} on {day}, officials said."
                for k in range(n, n + per_report)
            )
            sha = f"{n // per_report:064d}"
            originals.append(
                {
                    "sha256": sha,
                    "data": text.encode(),
                    "size": len(text),
                    "captured_at": "2026-01-01T00:00:00+00:00",
                }
            )
            reports.append(
                {
                    "report_id": rid,
                    "sha256": sha,
                    "kind": "text",
                    "path": f"synthetic/{rid}.txt",
                    "url": None,
                    "outlet": rng.choice(["AP", "Reuters", "BBC", "Kyiv Independent"]),
                    "title": None,
                    "published": day,
                    "language": "en",
                    "text": text,
                    "boilerplate": [],
                    "story_id": rid,
                    "ingested_at": "2026-01-01T00:00:00+00:00",
                    "processed_version": "bench",
                }
            )
            offset = 0
        start = text.find(sentence)
        location = Location(
            name,
            "UA",
            lat,
            lon,
            "place",
            name,
            start + sentence.find(name),
            start + sentence.find(name) + len(name),
            None,
            None,
            "site",
        )
        claim = Claim(
            f"c{n:020d}",
            rid,
            kind,
            sentence,
            (Span(start, start + len(sentence), sentence),),
            DateInfo(day, day, "day", day),
            (location,),
        )  # type: ignore[arg-type]
        claims.append(
            {
                "claim_id": claim.claim_id,
                "report_id": rid,
                "type": kind,
                "position": offset,
                "data": asdict(claim),
            }
        )
        offset += 1
        incident = Incident(
            f"i{n:020d}",
            kind,
            (claim.claim_id,),
            (rid,),
            (rid,),
            claim.date,
            location,  # type: ignore[arg-type]
            (SourceRef("officials", "government", (rid,)),),
            1,
            3,
            "possibly true",
            True,
            (),
        )
        rows.append(
            {"incident_id": incident.incident_id, "type": kind, "date_start": day, "data": asdict(incident)}
        )
    # The claim index a processing run writes beside its incidents (reviews regroup through it).
    from claimledger.pipeline import link_index
    from claimledger.store import claim_from_json, incident_from_json

    links = link_index(
        [claim_from_json(c["data"]) for c in claims],
        {r["report_id"]: r["story_id"] for r in reports},
        [incident_from_json(r["data"]) for r in rows],
    )
    with store.engine.begin() as conn:
        conn.execute(schema.originals.insert(), originals)
        conn.execute(schema.reports.insert(), reports)
        conn.execute(schema.claims.insert(), claims)
        conn.execute(schema.incidents.insert(), rows)
        conn.execute(schema.claim_links.insert(), links)
    store.audit("process", {"version": "bench", "incidents": incidents})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def run_load(base: str, clients: int, seconds: float, claim_ids: list[str]) -> dict:
    import httpx

    latencies: list[float] = []
    errors: list[str] = []
    reviews = {"done": 0, "errors": 0}
    stop = time.perf_counter() + seconds
    rng = random.Random(11)

    def request_url() -> str:
        roll = rng.random()
        if roll < 0.5:
            return f"/api/incidents?limit=50&offset={rng.randint(0, 2000) * 50}"
        if roll < 0.7:
            return f"/api/incidents?type={rng.choice(TYPES)}&limit=50"
        if roll < 0.85:
            return f"/api/incidents?place={rng.choice(PLACES)[0]}&date_from=2022-05-01&date_to=2022-06-30&limit=50"
        return f"/api/incidents?min_sources=1&credibility=3&limit=50&offset={rng.randint(0, 100) * 50}"

    host, port = base.removeprefix("http://").split(":")

    async def reader() -> None:
        # A minimal HTTP/1.1 keep-alive client (like wrk): the load generator shares the two
        # cores with the server, so it must cost as little as possible per request.
        reader_stream, writer_stream = await asyncio.open_connection(host, int(port))
        try:
            while time.perf_counter() < stop:
                url = request_url()
                began = time.perf_counter()
                try:
                    writer_stream.write(
                        f"GET {url} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n\r\n".encode()
                    )
                    head = await reader_stream.readuntil(b"\r\n\r\n")
                    status = int(head.split(b" ", 2)[1])
                    length = int(head.lower().split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
                    body = await reader_stream.readexactly(length)
                    if status != 200 or not body.startswith(b"{"):
                        errors.append(f"{status} {url}")
                except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
                    errors.append(f"{type(exc).__name__} {url}")
                    writer_stream.close()
                    reader_stream, writer_stream = await asyncio.open_connection(host, int(port))
                latencies.append(time.perf_counter() - began)
        finally:
            writer_stream.close()

    async def writer(client: httpx.AsyncClient) -> None:
        await client.get("/login")
        token = client.cookies.get("cl_csrf")
        await client.post("/login", data={"name": "bench", "password": "bench-password", "csrf": token})
        token = client.cookies.get("cl_csrf")  # signing in binds a new token to the session
        while time.perf_counter() < stop:
            claim = rng.choice(claim_ids)
            response = await client.post(
                f"/api/claims/{claim}/review",
                json={"action": rng.choice(["confirm", "reject"])},
                headers={"X-CSRF-Token": str(token)},
            )
            reviews["done" if response.status_code == 200 else "errors"] += 1
            await asyncio.sleep(0.5)

    async with httpx.AsyncClient(base_url=base, timeout=30) as analyst:
        await asyncio.gather(writer(analyst), *(reader() for _ in range(clients)))
    ordered = sorted(latencies)

    def pct(q: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {
        "requests": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "throughput_rps": round(len(latencies) / seconds, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": round(1000 * statistics.fmean(latencies), 1),
        "reviews": reviews["done"],
        "review_errors": reviews["errors"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--db", default=None, help="an empty ledger database URL (default: a new SQLite file)"
    )
    args = parser.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp(prefix='claimledger-web-')) / 'ledger.db'}"
    began = time.perf_counter()
    build(url, args.incidents)
    print(f"built {args.incidents} incidents in {time.perf_counter() - began:.1f} s")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "claimledger.cli",
            "user",
            "add",
            "bench",
            "--role",
            "analyst",
            "--password-stdin",
            "--db",
            url,
        ],
        input="bench-password\n",
        text=True,
        check=True,
        capture_output=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "claimledger.cli",
            "serve",
            "--db",
            url,
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        stderr=subprocess.DEVNULL,
    )
    try:
        import httpx

        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                began = time.perf_counter()
                httpx.get(base + "/api/incidents?limit=1", timeout=120).raise_for_status()
                print(
                    f"server ready; first request (loads the snapshot) took {time.perf_counter() - began:.1f} s"
                )
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        claim_ids = [f"c{n:020d}" for n in range(0, args.incidents, 97)]
        result = asyncio.run(run_load(base, args.clients, args.seconds, claim_ids))
        result.update(
            incidents=args.incidents, clients=args.clients, seconds=args.seconds, workers=args.workers
        )
        print(json.dumps(result))
        return 0 if result["errors"] == 0 else 1
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
