"""A write that waits too long for SQLite's write queue is answered like SQLite's own
busy timeout: 503 ``unavailable`` with Retry-After, nothing written, and the writer
after it goes through."""

import threading

import pytest
from sqlalchemy import Engine

import blangko.db
from blangko.db import session_scope
from blangko.models import Role
from tests.integration.api_support import add_user, assert_problem, bearer, client, stock_office
from tests.integration.ledger_support import days_ago


def test_a_writer_that_waits_too_long_gets_503_and_writes_nothing(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    stock_office(sqlite_engine, "32.16", 100)
    officer = add_user(sqlite_engine, "petugas.bekasi", Role.officer, "32.16")
    url = f"/api/v1/offices/32.16/daily-reports/{days_ago(sqlite_engine, '32.16', 1)}"
    body = {"print_requests": 10, "printed": 10}
    headers = bearer(officer)  # signing in writes a session: before the queue is held
    monkeypatch.setattr(blangko.db, "SQLITE_BUSY_TIMEOUT_MS", 300)
    holding, release = threading.Event(), threading.Event()

    def long_writer() -> None:
        with session_scope(sqlite_engine):
            holding.set()
            release.wait(10)

    other = threading.Thread(target=long_writer)
    other.start()
    holding.wait(10)
    try:
        with client() as http:
            refused = http.put(url, json=body, headers=headers)
    finally:
        release.set()
        other.join(10)
    assert_problem(refused, 503, "unavailable")
    assert refused.headers["Retry-After"] == "5"
    with client() as http:
        assert http.get(url.rsplit("/", 1)[0], headers=headers).json()["items"] == []
        assert http.put(url, json=body, headers=headers).status_code == 200
