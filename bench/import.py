"""Imports a 50,000-row daily-report CSV over HTTP on loopback while an officer saves
their own daily report every 200 ms, and prints the import's rows/s and how long the
officer's saves took meanwhile (issue 11 bar: an officer's write during the import waits
≤ 1 s on SQLite).

    .venv/bin/python bench/import.py [--rows 50000] [--every 0.2] [--workers 2]

It starts uvicorn (two workers by default, as ``blangko serve --workers 2``) against a
fresh seeded SQLite database in a temporary directory (``--database URL``: another empty
database), counts stock into every kab/kota office, then uploads the file as a planner
(``POST /api/v1/imports/daily-reports``). The officer's figure is the whole round trip of
``PUT /api/v1/offices/{code}/daily-reports/{date}`` (waiting for the write queue plus a
few milliseconds of work), for the saves sent while the import was in flight."""

import argparse
import http.client
import json
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import _server
import httpx
from api_write import stock_every_office
from sqlalchemy.engine import make_url

from blangko.db import make_engine, session_scope
from blangko.models import Role
from blangko.users import create_user

OFFICER, OFFICER_PASSWORD = "bench-officer", "bench-officer-password"


def daily_csv(codes: list[str], rows: int) -> bytes:
    """``rows`` reports: every office, day after day back from two days ago (the officer
    saves yesterday's report, so the two never touch the same report)."""
    lines = ["office;date;print_requests;printed;spoiled_gagal_cetak;backlog;note"]
    for i in range(rows):
        code = codes[i % len(codes)]
        day = date.today() - timedelta(days=2 + i // len(codes))
        lines.append(f"{code};{day.isoformat()};{120 + i % 7};{100 + i % 5};{i % 3};20;impor")
    return ("\r\n".join(lines) + "\r\n").encode()


def add_officer(url: str, office: str) -> None:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            create_user(
                session=session,
                username=OFFICER,
                password=OFFICER_PASSWORD,
                role=Role.officer,
                office_code=office,
            )
    finally:
        engine.dispose()


class Officer(threading.Thread):
    """Saves yesterday's report of one office every ``every`` seconds (a correction each
    time after the first) and records each save's start and duration."""

    def __init__(self, base: str, token: str, office: str, every: float) -> None:
        super().__init__(daemon=True)
        self.base, self.token, self.office, self.every = base, token, office, every
        self.saves: list[tuple[float, float]] = []  # (started, seconds)
        self.failures: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        url = urlsplit(self.base)
        connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=120)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        day = date.today() - timedelta(days=1)
        n = 0
        while not self.stop.is_set():
            n += 1
            body = json.dumps({"print_requests": 50, "printed": 10 + n % 20, "backlog": 40})
            path = f"/api/v1/offices/{self.office}/daily-reports/{day}"
            started = time.perf_counter()
            try:
                connection.request("PUT", path, body=body, headers=headers)
                response = connection.getresponse()
                status, text = response.status, response.read()
            except OSError as error:  # a timeout counts as a failed save, then reconnect
                status, text = 0, repr(error).encode()
                connection.close()
            elapsed = time.perf_counter() - started
            self.saves.append((started, elapsed))
            if status != 200:
                self.failures.append(f"{status} {text[:200]!r} after {elapsed:.1f} s")
            self.stop.wait(max(0.0, self.every - elapsed))
        connection.close()


def run(base: str, codes: list[str], rows: int, every: float) -> None:
    planner = _server.token(base)
    officer = Officer(base, _server.token(base, OFFICER, OFFICER_PASSWORD), codes[0], every)
    data = daily_csv(codes, rows)
    officer.start()
    time.sleep(1.0)  # a few saves before the import, as a reference
    started = time.perf_counter()
    response = httpx.post(
        base + "/api/v1/imports/daily-reports",
        files={"file": ("laporan.csv", data, "text/csv")},
        headers={"Authorization": f"Bearer {planner}"},
        timeout=600,
    )
    ended = time.perf_counter()
    time.sleep(1.0)
    officer.stop.set()
    officer.join()
    if response.status_code != 201:
        print(f"import failed: {response.status_code} {response.text[:500]}")
        return
    seconds = ended - started
    during = [s for at, s in officer.saves if at + s >= started and at <= ended]
    before = [s for at, s in officer.saves if at + s < started]
    print(
        f"import: {rows} rows ({len(data) / 1e6:.1f} MB) in {seconds:.1f} s: "
        f"{rows / seconds:.0f} rows/s"
    )
    if during:
        print(
            f"officer's saves during the import: {len(during)}, max {max(during) * 1000:.0f} ms, "
            f"p99 {_server.percentile(during, 0.99) * 1000:.0f} ms, "
            f"failures {len(officer.failures)}"
        )
    if before:
        print(f"officer's saves before it: {len(before)}, max {max(before) * 1000:.0f} ms")
    for failure in officer.failures[:5]:
        print("  failure:", failure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--every", type=float, default=0.2, help="seconds between saves")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--database", help="an empty database to migrate, seed and use")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        _server.prepare(url)
        codes = stock_every_office(url)
        add_officer(url, codes[0])
        with _server.server(url, workers=args.workers) as base:
            print(f"{args.workers} worker(s), database {make_url(url).get_backend_name()}")
            run(base, codes, args.rows, args.every)


if __name__ == "__main__":
    main()
