"""``blangko serve --workers 2`` on SQLite: two web worker processes share the database
file through its write queue. Concurrent daily reports for one office with little stock
land in either worker; none fails with "database is locked", stock never goes below
zero and every accepted report is in the ledger. A writer waits while another process
holds the queue's file lock. The scheduler runs once, in the parent process, and the
workers' health checks say so."""

import contextlib
import fcntl
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import func, select

from blangko.db import session_scope
from blangko.ledger import balance
from blangko.models import AccountKind, DailyReport, Movement, MovementKind, Role
from tests.integration.api_support import add_user, bearer, stock_office
from tests.integration.ledger_support import days_ago
from tests.net import free_port

OFFICE = "32.16"
STOCK = 100


def _healthy(base: str) -> bool:
    with contextlib.suppress(httpx.TransportError):
        return httpx.get(base + "/healthz", timeout=2).status_code == 200
    return False


@pytest.fixture
def two_workers(sqlite_engine: Engine, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "BLANGKO_DATABASE_URL": sqlite_engine.url.render_as_string(hide_password=False),
    }
    command = [sys.executable, "-m", "blangko.cli", "serve", "--workers", "2", "--port", str(port)]
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _healthy(base):
            if process.poll() is not None or time.monotonic() > deadline:
                output = (tmp_path / "serve.log").read_text(errors="replace")
                pytest.fail(f"blangko serve --workers 2 did not start:\n{output}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_two_workers_share_the_sqlite_file_without_losing_or_overdrawing(
    sqlite_engine: Engine, two_workers: str
) -> None:
    stock_office(sqlite_engine, OFFICE, STOCK)
    officer = add_user(sqlite_engine, "petugas.bekasi", Role.officer, OFFICE)
    headers = bearer(officer)
    # After the delivery 20 days ago: 19 reports of 10 prints want 190 of the 100 blanks.
    days = [days_ago(sqlite_engine, OFFICE, n) for n in range(1, 20)]

    def report(day: object) -> int:
        body = {"print_requests": 10, "printed": 10}
        url = f"{two_workers}/api/v1/offices/{OFFICE}/daily-reports/{day}"
        return httpx.put(url, json=body, headers=headers, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(report, days))

    assert set(statuses) <= {200, 409}, statuses  # no 500 "database is locked"
    accepted = statuses.count(200)
    assert accepted == STOCK // 10
    with session_scope(sqlite_engine, write=False) as session:
        on_hand = balance(session=session, office_code=OFFICE, kind=AccountKind.stock)
        reports = session.exec(select(func.count()).select_from(DailyReport)).one()
        movements = session.exec(
            select(func.count())
            .select_from(Movement)
            .where(Movement.kind == MovementKind.daily_report)
        ).one()
    assert on_hand == STOCK - 10 * accepted == 0
    assert reports == movements == accepted


def test_workers_report_the_scheduler_of_their_parent(two_workers: str) -> None:
    health = httpx.get(two_workers + "/healthz", timeout=10).json()
    assert health["scheduler"] == "running in the parent process"


def test_a_writer_waits_while_another_process_holds_the_queue(
    sqlite_engine: Engine, two_workers: str
) -> None:
    stock_office(sqlite_engine, OFFICE, STOCK)
    officer = add_user(sqlite_engine, "petugas.bekasi", Role.officer, OFFICE)
    url = (
        f"{two_workers}/api/v1/offices/{OFFICE}/daily-reports/{days_ago(sqlite_engine, OFFICE, 1)}"
    )
    statuses: list[int] = []

    def report() -> None:
        body = {"print_requests": 10, "printed": 10}
        statuses.append(httpx.put(url, json=body, headers=bearer(officer), timeout=60).status_code)

    database = sqlite_engine.url.database
    assert database
    with open(f"{database}-writer", "ab") as queue:
        fcntl.flock(queue, fcntl.LOCK_EX)  # this test process holds the write queue
        writer = threading.Thread(target=report)
        writer.start()
        writer.join(timeout=2)
        assert writer.is_alive() and statuses == []  # the server waits its turn
        fcntl.flock(queue, fcntl.LOCK_UN)
    writer.join(timeout=30)
    assert statuses == [200]
    with session_scope(sqlite_engine, write=False) as session:
        assert balance(session=session, office_code=OFFICE, kind=AccountKind.stock) == STOCK - 10
