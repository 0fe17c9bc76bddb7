"""Drives ``PUT /api/v1/offices/{code}/daily-reports/{date}`` for many offices with
concurrent clients over HTTP on loopback and prints requests/s and p50/p99 latency
(SPEC §7 bar: ≥ 300 writes/s, p99 ≤ 100 ms).

    .venv/bin/python bench/api_write.py [--requests 3000] [--clients 8] [--workers 2]

By default it starts uvicorn with two workers (one per core of the reference machine,
as ``blangko serve --workers 2``) against a fresh seeded SQLite database in a temporary
directory; ``--database URL`` uses another empty database (PostgreSQL, say); ``--url``
drives a running server instead (BLANGKO_BENCH_USER/PASSWORD sign in as a planner; the
offices need stock for the prints)."""

import argparse
import http.client
import json
import os
import statistics
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import _server
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from blangko.db import make_engine, session_scope
from blangko.ledger import SYSTEM
from blangko.models import Office, OfficeKind
from blangko.stock import record_stock_count


def stock_every_office(url: str) -> list[str]:
    """Counts 1,000,000 blanks into every kab/kota office so that prints never run out."""
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            kab_kota = col(Office.kind).in_([OfficeKind.kabupaten, OfficeKind.kota])
            codes = list(session.exec(select(Office.code).where(kab_kota).order_by(Office.code)))
            for code in codes:
                record_stock_count(
                    session=session,
                    office_code=code,
                    counted_quantity=1_000_000,
                    counted_on=date.today() - timedelta(days=400),
                    actor=SYSTEM,
                )
    finally:
        engine.dispose()
    return codes


def drive(base: str, token: str, codes: list[str], requests: int, clients: int) -> None:
    jobs = [
        (codes[i % len(codes)], date.today() - timedelta(days=1 + i // len(codes)))
        for i in range(requests)
    ]
    timings: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    cursor = iter(jobs)

    def client_loop() -> None:
        # The standard library's keep-alive connection: the client should cost the shared
        # CPU as little as possible, so that the figures are the server's.
        url = urlsplit(base)
        connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        body = json.dumps(
            {
                "print_requests": 120,
                "printed": 100,
                "spoiled": {"gagal_cetak": 1, "rusak_fisik": 1},
                "backlog": 20,
                "suket_issued": 20,
                "ikd_activations": 30,
            }
        )
        while True:
            with lock:
                job = next(cursor, None)
            if job is None:
                connection.close()
                return
            code, day = job
            started = time.perf_counter()
            connection.request(
                "PUT", f"/api/v1/offices/{code}/daily-reports/{day}", body=body, headers=headers
            )
            response = connection.getresponse()
            text = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings.append(elapsed)
                if response.status != 200:
                    failures.append(f"{response.status} {text[:200]!r}")

    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    print(
        f"PUT daily-reports: {len(timings)} requests, {clients} clients, {len(codes)} offices: "
        f"{len(timings) / wall:.0f} requests/s, p50 {statistics.median(timings):.1f} ms, "
        f"p99 {_server.percentile(timings, 0.99):.1f} ms, failures {len(failures)}"
    )
    for failure in failures[:5]:
        print("  failure:", failure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="drive a running server instead")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--database", help="an empty database to migrate, seed and use")
    parser.add_argument("--offices", nargs="*", help="office codes (with --url)")
    args = parser.parse_args()
    if args.url:
        user = os.environ.get("BLANGKO_BENCH_USER", _server.BENCH_USER)
        password = os.environ.get("BLANGKO_BENCH_PASSWORD", _server.BENCH_PASSWORD)
        token = _server.token(args.url, user, password)
        drive(args.url, token, args.offices or ["32.16"], args.requests, args.clients)
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        _server.prepare(url)
        codes = stock_every_office(url)
        with _server.server(url, workers=args.workers) as base:
            print(f"{args.workers} worker(s), database {make_url(url).get_backend_name()}")
            drive(base, _server.token(base), codes, args.requests, args.clients)


if __name__ == "__main__":
    main()
