"""Concurrent writers (SPEC §3, invariant 2): eight threads, each with its own session,
post prints and dispatches against one office holding little stock, on SQLite and
PostgreSQL. Stock never goes negative, no update is lost, every accepted movement is in the
ledger and every refused one left nothing."""

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import col, select

from blangko import ledger, reports, shipments, stock
from blangko.db import session_scope
from blangko.errors import InsufficientStock, InvalidState
from blangko.models import (
    Account,
    AccountKind,
    DailyReport,
    Entry,
    Movement,
    MovementKind,
    Shipment,
)
from blangko.offices import NATIONAL
from blangko.reports import DailyFigures
from tests.integration.ledger_support import PLANNER, assert_invariants, days_ago, read_state

pytestmark = pytest.mark.slow

THREADS = 8
OPS_PER_THREAD = 12
OFFICE, NEIGHBOUR = "32.16", "32.17"
INITIAL = 100


@dataclass
class Outcome:
    accepted: list[tuple[str, int, int]] = field(default_factory=list)  # kind, quantity, movement
    refused: list[tuple[str, int, date, str]] = field(default_factory=list)  # + date, letter
    errors: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def give_office_stock(engine: Engine, quantity: int) -> None:
    with session_scope(engine) as session:
        stock.record_procurement(
            session=session,
            quantity=quantity,
            received_on=days_ago(engine, NATIONAL, 200),
            reference="SPK",
            actor=PLANNER,
        )
        shipment = shipments.dispatch(
            session=session,
            from_office=NATIONAL,
            to_office=OFFICE,
            quantity=quantity,
            dispatched_on=days_ago(engine, NATIONAL, 200),
            expected_on=days_ago(engine, NATIONAL, 200),
            reference="B/1",
            actor=PLANNER,
        )
        shipments.receive(
            session=session,
            shipment_id=shipment.id or 0,
            received_quantity=quantity,
            received_on=days_ago(engine, OFFICE, 200),
            actor=PLANNER,
        )


def run_together(work: Callable[[int], None]) -> None:
    """Runs ``work(i)`` for every thread i, all released at once by a barrier."""
    barrier = threading.Barrier(THREADS)

    def start(index: int) -> None:
        barrier.wait()
        work(index)

    threads = [threading.Thread(target=start, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"


def test_prints_and_dispatches_never_oversell(engine: Engine) -> None:
    give_office_stock(engine, INITIAL)
    today = days_ago(engine, OFFICE, 0)
    outcome = Outcome()

    def work(index: int) -> None:
        rng = random.Random(index)
        for step in range(OPS_PER_THREAD):
            quantity = rng.randint(1, 7)
            kind = rng.choice(["print", "dispatch"])
            on = today - timedelta(days=1 + index * OPS_PER_THREAD + step)  # one report a day
            letter = f"Pinjam {index}-{step}"
            try:
                with session_scope(engine) as session:
                    if kind == "print":
                        report = reports.save_daily_report(
                            session=session,
                            office_code=OFFICE,
                            report_date=on,
                            figures=DailyFigures(print_requests=quantity, printed=quantity),
                            actor=PLANNER,
                        )
                        movement_id = report.movement_id
                    else:
                        shipment = shipments.dispatch(
                            session=session,
                            from_office=OFFICE,
                            to_office=NEIGHBOUR,
                            quantity=quantity,
                            dispatched_on=on,
                            expected_on=today,
                            reference=letter,
                            actor=PLANNER,
                        )
                        movement_id = shipment.dispatch_movement_id
                with outcome.lock:
                    outcome.accepted.append((kind, quantity, movement_id or 0))
            except InsufficientStock:
                with outcome.lock:
                    outcome.refused.append((kind, quantity, on, letter))
            except BaseException as error:  # any other failure is a finding
                with outcome.lock:
                    outcome.errors.append(error)

    run_together(work)

    assert outcome.errors == []
    assert len(outcome.accepted) + len(outcome.refused) == THREADS * OPS_PER_THREAD
    assert outcome.refused, "the office should run out: the test would prove nothing"
    used = sum(quantity for _, quantity, _ in outcome.accepted)
    with session_scope(engine, write=False) as session:
        on_hand = ledger.balance(session=session, office_code=OFFICE, kind=AccountKind.stock)
        movements = session.exec(
            select(Movement.id).where(
                col(Movement.office_code) == OFFICE,
                col(Movement.kind).in_([MovementKind.daily_report, MovementKind.dispatch]),
            )
        ).all()
        stock_id = session.exec(
            select(Account.id).where(
                col(Account.office_code) == OFFICE, col(Account.kind) == AccountKind.stock
            )
        ).one()
        # Replaying the office's stock entries in posting order: never below zero.
        deltas = (
            session.execute(
                sa.select(
                    sa.case(
                        (col(Entry.to_account_id) == stock_id, Entry.quantity),
                        else_=-col(Entry.quantity),
                    )
                )
                .where(
                    sa.or_(
                        col(Entry.to_account_id) == stock_id, col(Entry.from_account_id) == stock_id
                    )
                )
                .order_by(col(Entry.movement_id), col(Entry.id))
            )
            .scalars()
            .all()
        )
        report_dates = set(session.execute(sa.select(col(DailyReport.report_date))).scalars().all())
        shipment_refs = set(
            session.exec(
                select(Shipment.reference).where(col(Shipment.from_office) == OFFICE)
            ).all()
        )
    assert on_hand == INITIAL - used >= 0
    assert sorted(m or 0 for m in movements) == sorted(m for _, _, m in outcome.accepted)
    running = 0
    for delta in deltas:
        running += delta
        assert running >= 0
    assert running == on_hand
    # The refused ones left neither a report nor a shipment behind.
    assert report_dates.isdisjoint(on for kind, _, on, _ in outcome.refused if kind == "print")
    assert shipment_refs.isdisjoint(
        ref for kind, _, _, ref in outcome.refused if kind == "dispatch"
    )
    assert len(report_dates) == sum(1 for kind, _, _ in outcome.accepted if kind == "print")
    assert len(shipment_refs) == sum(1 for kind, _, _ in outcome.accepted if kind == "dispatch")
    assert_invariants(engine)


def test_concurrent_corrections_of_one_day_keep_one_current_version(engine: Engine) -> None:
    give_office_stock(engine, INITIAL)
    on = days_ago(engine, OFFICE, 1)
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            with session_scope(engine) as session:
                reports.save_daily_report(
                    session=session,
                    office_code=OFFICE,
                    report_date=on,
                    figures=DailyFigures(printed=index + 1, backlog=index),
                    actor=PLANNER,
                )
        except BaseException as error:
            errors.append(error)

    run_together(work)

    assert errors == []
    with session_scope(engine, write=False) as session:
        history = reports.list_reports(session=session, office_code=OFFICE, include_history=True)
        on_hand = ledger.balance(session=session, office_code=OFFICE, kind=AccountKind.stock)
        printed = ledger.balance(session=session, office_code=OFFICE, kind=AccountKind.printed)
        reversals = session.exec(
            select(Movement.reverses_id).where(col(Movement.kind) == MovementKind.reversal)
        ).all()
    assert sorted(r.version for r in history) == list(range(1, THREADS + 1))
    current = [r for r in history if r.is_current]
    assert len(current) == 1 and current[0].version == THREADS
    assert on_hand == INITIAL - current[0].printed and printed == current[0].printed
    # Every version but the current one was reversed exactly once.
    assert sorted(m or 0 for m in reversals) == sorted(
        r.movement_id or 0 for r in history if not r.is_current
    )
    assert_invariants(engine)


def test_concurrent_retries_with_one_key_write_once(engine: Engine) -> None:
    received_on = days_ago(engine, NATIONAL, 0)
    results: list[int] = []
    errors: list[BaseException] = []
    before = read_state(engine)

    def work(_: int) -> None:
        try:
            with session_scope(engine) as session:
                movement = stock.record_procurement(
                    session=session,
                    quantity=5000,
                    received_on=received_on,
                    reference="SPK-77",
                    actor=PLANNER,
                    idempotency_key="pengadaan-77",
                )
            results.append(movement.id or 0)
        except BaseException as error:
            errors.append(error)

    run_together(work)

    assert errors == []
    assert len(results) == THREADS and len(set(results)) == 1
    after = read_state(engine)
    assert after["counts"]["movements"] == before["counts"]["movements"] + 1
    assert after["counts"]["idempotency_keys"] == 1
    with session_scope(engine, write=False) as session:
        assert ledger.balance(session=session, office_code=NATIONAL, kind=AccountKind.stock) == 5000
    assert_invariants(engine)


def test_racing_receipt_and_cancel_close_a_shipment_once(engine: Engine) -> None:
    give_office_stock(engine, INITIAL)
    with session_scope(engine) as session:
        shipment = shipments.dispatch(
            session=session,
            from_office=OFFICE,
            to_office=NEIGHBOUR,
            quantity=60,
            expected_on=days_ago(engine, OFFICE, 0),
            reference="Pinjam",
            actor=PLANNER,
        )
    today = days_ago(engine, NEIGHBOUR, 0)
    closed: list[str] = []
    refusals: list[str] = []
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            with session_scope(engine) as session:
                if index % 2:
                    shipments.cancel(session=session, shipment_id=shipment.id or 0, actor=PLANNER)
                else:
                    shipments.receive(
                        session=session,
                        shipment_id=shipment.id or 0,
                        received_quantity=60 - index,
                        received_on=today,
                        shortfall_reason="Kurang" if index else "",
                        actor=PLANNER,
                    )
            closed.append("cancel" if index % 2 else "receive")
        except InvalidState as error:
            refusals.append(error.code)
        except BaseException as error:
            errors.append(error)

    run_together(work)

    assert errors == [] and len(closed) == 1 and refusals == ["invalid_state"] * (THREADS - 1)
    with session_scope(engine, write=False) as session:
        final = shipments.get_shipment(session=session, shipment_id=shipment.id or 0)
        closing = session.exec(
            select(Movement.id).where(
                col(Movement.kind).in_([MovementKind.receipt, MovementKind.cancel]),
                col(Movement.office_code).in_([OFFICE, NEIGHBOUR]),
                col(Movement.business_date) >= today - timedelta(days=1),
            )
        ).all()
        transit = ledger.balance(session=session, office_code=OFFICE, kind=AccountKind.transit)
    assert closing == [final.close_movement_id]
    assert transit == 0
    assert_invariants(engine)


def test_racing_approvals_of_one_request_send_it_once(engine: Engine) -> None:
    with session_scope(engine) as session:
        stock.record_procurement(
            session=session,
            quantity=1000,
            received_on=days_ago(engine, NATIONAL, 1),
            reference="SPK",
            actor=PLANNER,
        )
        request = shipments.request_allocation(
            session=session, office_code=OFFICE, quantity=500, reference="470/5", actor=PLANNER
        )
    approved: list[int] = []
    refusals: list[str] = []
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            with session_scope(engine) as session:
                _, shipment = shipments.approve_allocation(
                    session=session,
                    request_id=request.id or 0,
                    quantity=100 + index,
                    expected_on=days_ago(engine, NATIONAL, -3),
                    actor=PLANNER,
                )
            approved.append(shipment.quantity)
        except InvalidState as error:
            refusals.append(error.code)
        except BaseException as error:
            errors.append(error)

    run_together(work)

    assert errors == [] and len(approved) == 1 and len(refusals) == THREADS - 1
    with session_scope(engine, write=False) as session:
        sent = shipments.list_shipments(session=session, office_code=OFFICE)
        final = shipments.get_request(session=session, request_id=request.id or 0)
        on_hand = ledger.balance(session=session, office_code=NATIONAL, kind=AccountKind.stock)
    assert [s.quantity for s in sent] == approved == [final.approved_quantity]
    assert on_hand == 1000 - approved[0]
    assert_invariants(engine)
