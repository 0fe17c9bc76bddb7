"""A large daily-report import does not hold the write queue while it reads and checks
its file: other writers go ahead meanwhile, and what they change (a day's report, an
office's stock) is taken into account when the import is posted."""

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from blangko import imports, reports
from blangko.db import session_scope
from blangko.ledger import Actor, balance
from blangko.models import AccountKind, DailyReport, Office, Source
from tests.integration.api_support import stock_office
from tests.integration.ledger_support import assert_invariants, days_ago, read_state

IMPORTER = Actor(user_id=None, source=Source.import_)
OFFICER = Actor(user_id=None, source=Source.web)


class Gate:
    """``may_write`` for the import that stops it at its first row (while it checks the
    file) until the test opens the gate."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.opened = threading.Event()

    def __call__(self, office: Office) -> bool:
        self.reached.set()
        assert self.opened.wait(timeout=60), "the test never opened the gate"
        return True


@contextmanager
def import_held_at_check(data: bytes) -> Iterator[tuple[Gate, "Future[list[int]]"]]:
    gate = Gate()
    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(
            imports.import_daily_reports, data=data, actor=IMPORTER, may_write=gate
        )
        assert gate.reached.wait(timeout=60), running.exception(timeout=0)
        try:
            yield gate, running
        finally:
            gate.opened.set()


def daily_file(office: str, days: list[date], printed: int) -> bytes:
    lines = ["office,date,printed"] + [f"{office},{d.isoformat()},{printed}" for d in days]
    return ("\n".join(lines) + "\n").encode()


def save(office: str, day: date, printed: int) -> Callable[[], int]:
    def run() -> int:
        with session_scope() as session:
            report = reports.save_daily_report(
                session=session,
                office_code=office,
                report_date=day,
                figures=reports.DailyFigures(printed=printed),
                actor=OFFICER,
            )
            assert report.id is not None
            return report.id

    return run


def on_hand(office: str) -> int:
    with session_scope(write=False) as session:
        return balance(session=session, office_code=office, kind=AccountKind.stock)


@pytest.fixture
def two_offices(engine: Engine) -> Engine:
    stock_office(engine, "32.16", 10_000)
    stock_office(engine, "12.71", 1_000)
    return engine


def test_an_officer_saves_while_a_large_import_is_being_checked(two_offices: Engine) -> None:
    engine = two_offices
    days = [days_ago(engine, "32.16", n) for n in range(2, 302)]
    yesterday = days_ago(engine, "12.71", 1)
    with import_held_at_check(daily_file("32.16", days, 3)) as (gate, running):
        # The import has started and holds no write lock: the officer's save commits now.
        saved = save("12.71", yesterday, 7)()
        assert not running.done()
        gate.opened.set()
        ids = running.result(timeout=120)
    assert len(ids) == 300 and saved < min(ids)
    assert on_hand("12.71") == 1_000 - 7
    assert on_hand("32.16") == 10_000 - 300 * 3
    assert_invariants(engine)


def test_a_day_reported_meanwhile_is_corrected_by_the_import(two_offices: Engine) -> None:
    engine = two_offices
    d2, d1 = days_ago(engine, "32.16", 2), days_ago(engine, "32.16", 1)
    save("32.16", d1, 100)()
    with import_held_at_check(daily_file("32.16", [d2, d1], 10)) as (gate, running):
        save("32.16", d1, 200)()  # version 2, saved after the import read version 1
        gate.opened.set()
        running.result(timeout=120)
    with session_scope(write=False) as session:
        versions = session.exec(
            select(DailyReport.version, DailyReport.printed, DailyReport.is_current)
            .where(DailyReport.office_code == "32.16", DailyReport.report_date == d1)
            .order_by(col(DailyReport.version))
        ).all()
    assert [tuple(v) for v in versions] == [(1, 100, False), (2, 200, False), (3, 10, True)]
    assert on_hand("32.16") == 10_000 - 10 - 10
    assert_invariants(engine)


def test_stock_used_meanwhile_is_checked_again_and_refuses_the_file(two_offices: Engine) -> None:
    engine = two_offices
    d3, d2, d1 = (days_ago(engine, "12.71", n) for n in (3, 2, 1))
    with import_held_at_check(daily_file("12.71", [d3, d2], 400)) as (gate, running):
        save("12.71", d1, 500)()  # leaves 500: the file's second row no longer fits
        before = read_state(engine)
        gate.opened.set()
        with pytest.raises(imports.ImportRejected) as refused:
            running.result(timeout=120)
    assert [(e.row, e.column) for e in refused.value.row_errors] == [(3, "printed")]
    assert read_state(engine) == before
    assert on_hand("12.71") == 500
    assert_invariants(engine)
