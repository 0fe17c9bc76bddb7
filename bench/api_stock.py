"""Times ``GET /api/v1/stock`` (the national overview of all 553 offices) over HTTP on
loopback, on a database with years of history (SPEC §7 bar: median ≤ 50 ms).

    .venv/bin/python bench/api_stock.py [--db PATH] [--years 3] [--requests 200]

Without an existing ``--db`` it builds one first (migrate, seed, ``blangko demo`` history,
or ``--source generator`` for the quicker bench/_history.py); with
``--url`` it times a running server instead (BLANGKO_BENCH_USER/PASSWORD sign in)."""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _history  # the sibling modules of this script
import _server
import httpx

from blangko.db import make_engine


def build(path: Path, years: int, source: str) -> None:
    """Migrates, seeds and fills ``path`` with history from ``blangko demo`` (the
    simulator) or from the quick generator of bench/_history.py."""
    url = f"sqlite:///{path}"
    started = time.perf_counter()
    _server.prepare(url)
    if source == "demo":
        env = {**os.environ, "BLANGKO_DATABASE_URL": url}
        command = [sys.executable, "-m", "blangko.cli", "demo", "--years", str(years)]
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    else:
        engine = make_engine(url)
        try:
            _history.generate(engine, years=years)
        finally:
            engine.dispose()
    print(f"built {path} from {source} in {time.perf_counter() - started:.0f} s")


def measure(base: str, token: str, requests: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    timings = []
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        first = client.get("/api/v1/stock")
        first.raise_for_status()
        offices = len(first.json()["offices"])
        for _ in range(requests):
            started = time.perf_counter()
            client.get("/api/v1/stock").raise_for_status()
            timings.append((time.perf_counter() - started) * 1000)
    print(
        f"GET /api/v1/stock, {offices} offices, {requests} requests: "
        f"median {statistics.median(timings):.1f} ms, "
        f"p95 {_server.percentile(timings, 0.95):.1f} ms, max {max(timings):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="SQLite file to use (built if missing)")
    parser.add_argument("--url", help="time a running server instead")
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--source",
        choices=["demo", "generator"],
        default="demo",
        help="history from 'blangko demo' (default) or the quick bench generator",
    )
    args = parser.parse_args()
    if args.url:
        user = os.environ.get("BLANGKO_BENCH_USER", _server.BENCH_USER)
        password = os.environ.get("BLANGKO_BENCH_PASSWORD", _server.BENCH_PASSWORD)
        measure(args.url, _server.token(args.url, user, password), args.requests)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.db"
        if not path.exists():
            build(path, args.years, args.source)
        else:
            _server.prepare(f"sqlite:///{path}")
        with _server.server(f"sqlite:///{path}") as base:
            measure(base, _server.token(base), args.requests)


if __name__ == "__main__":
    main()
