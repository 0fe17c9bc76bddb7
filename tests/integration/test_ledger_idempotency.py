"""Idempotency keys on every ledger write (SPEC §3): the same key with the same body
returns the first result and writes nothing; with another body it is refused."""

from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from blangko import ledger, reports, shipments, stock
from blangko.db import session_scope
from blangko.errors import DomainError
from blangko.offices import NATIONAL
from blangko.reports import DailyFigures
from tests.integration.ledger_support import PLANNER, days_ago, read_state, refused

BEKASI = "32.16"
# A write under test: (session, key, changed body?) → id of the result.
Write = Callable[[Session, str, bool], int | None]


def _prepare(engine: Engine) -> dict[str, int]:
    """National and Bekasi stock, a shipment in transit, a pending request, a mistaken
    procurement to reverse."""
    with session_scope(engine) as session:
        stock.record_procurement(
            session=session,
            quantity=1000,
            received_on=days_ago(engine, NATIONAL, 9),
            reference="SPK-1",
            actor=PLANNER,
        )
        first = shipments.dispatch(
            session=session,
            from_office=NATIONAL,
            to_office=BEKASI,
            quantity=200,
            dispatched_on=days_ago(engine, NATIONAL, 8),
            expected_on=days_ago(engine, NATIONAL, 6),
            reference="B/1",
            actor=PLANNER,
        )
        shipments.receive(
            session=session,
            shipment_id=first.id or 0,
            received_quantity=200,
            received_on=days_ago(engine, BEKASI, 7),
            actor=PLANNER,
        )
        moving = shipments.dispatch(
            session=session,
            from_office=NATIONAL,
            to_office=BEKASI,
            quantity=50,
            dispatched_on=days_ago(engine, NATIONAL, 2),
            expected_on=days_ago(engine, NATIONAL, -2),
            reference="B/2",
            actor=PLANNER,
        )
        request = shipments.request_allocation(
            session=session, office_code=BEKASI, quantity=90, reference="470/9", actor=PLANNER
        )
        mistaken = stock.record_procurement(
            session=session,
            quantity=100,
            received_on=days_ago(engine, NATIONAL, 1),
            reference="SPK-salah",
            actor=PLANNER,
        )
    return {
        "procurement": mistaken.id or 0,
        "shipment": moving.id or 0,
        "request": request.id or 0,
    }


def _writes(engine: Engine, ids: dict[str, int]) -> dict[str, Write]:
    today = days_ago(engine, BEKASI, 0)
    yesterday = days_ago(engine, BEKASI, 1)
    return {
        "procurement": lambda s, key, other: (
            stock.record_procurement(
                session=s,
                quantity=11 if other else 10,
                received_on=today,
                reference="SPK-2",
                actor=PLANNER,
                idempotency_key=key,
            ).id
        ),
        "stock_count": lambda s, key, other: (
            stock.record_stock_count(
                session=s,
                office_code=BEKASI,
                counted_quantity=190 if other else 195,
                counted_on=today,
                actor=PLANNER,
                idempotency_key=key,
            ).id
        ),
        "daily_report": lambda s, key, other: (
            reports.save_daily_report(
                session=s,
                office_code=BEKASI,
                report_date=yesterday,
                figures=DailyFigures(printed=20, backlog=4 if other else 3),
                actor=PLANNER,
                idempotency_key=key,
            ).id
        ),
        "dispatch": lambda s, key, other: (
            shipments.dispatch(
                session=s,
                from_office=BEKASI,
                to_office="32.17",
                quantity=15,
                expected_on=today,
                reference="Pinjam 2" if other else "Pinjam 1",
                actor=PLANNER,
                idempotency_key=key,
            ).id
        ),
        "receive": lambda s, key, other: (
            shipments.receive(
                session=s,
                shipment_id=ids["shipment"],
                received_quantity=49 if other else 50,
                received_on=today,
                shortfall_reason="Satu rusak" if other else "",
                actor=PLANNER,
                idempotency_key=key,
            ).id
        ),
        "cancel": lambda s, key, other: (
            shipments.cancel(
                session=s,
                shipment_id=ids["shipment"],
                reason="Dobel" if other else "Salah kirim",
                actor=PLANNER,
                idempotency_key=key,
            ).id
        ),
        "request": lambda s, key, other: (
            shipments.request_allocation(
                session=s,
                office_code=BEKASI,
                quantity=300 if other else 400,
                reference="470/10",
                actor=PLANNER,
                idempotency_key=key,
            ).id
        ),
        "approve": lambda s, key, other: (
            shipments.approve_allocation(
                session=s,
                request_id=ids["request"],
                quantity=80 if other else 90,
                expected_on=today,
                actor=PLANNER,
                idempotency_key=key,
            )[1].id
        ),
        "reject": lambda s, key, other: (
            shipments.reject_allocation(
                session=s,
                request_id=ids["request"],
                reason="Tidak sesuai" if other else "Surat belum lengkap",
                actor=PLANNER,
                idempotency_key=key,
            ).id
        ),
        "reverse": lambda s, key, other: (
            ledger.reverse(
                session=s,
                movement_id=ids["procurement"],
                business_date=today,
                note="Salah SPK" if other else "",
                actor=PLANNER,
                idempotency_key=key,
            ).id
        ),
    }


OPERATIONS = [
    "procurement",
    "stock_count",
    "daily_report",
    "dispatch",
    "receive",
    "cancel",
    "request",
    "approve",
    "reject",
    "reverse",
]


@pytest.mark.parametrize("operation", OPERATIONS)
def test_same_key_same_body_returns_first_result_and_writes_nothing(
    engine: Engine, operation: str
) -> None:
    write = _writes(engine, _prepare(engine))[operation]
    before = read_state(engine)
    with session_scope(engine) as session:
        first = write(session, "key-1", False)
    after_first = read_state(engine)
    assert after_first != before
    assert after_first["counts"]["idempotency_keys"] == before["counts"]["idempotency_keys"] + 1
    with session_scope(engine) as session:
        again = write(session, "key-1", False)
    assert again == first and first is not None
    assert read_state(engine) == after_first
    refused(engine, "idempotency_conflict", lambda session: write(session, "key-1", True))
    # The changed body under a new key is an ordinary new write.
    with session_scope(engine) as session:
        if operation in {"receive", "cancel", "approve", "reject", "reverse"}:
            # The first write closed the shipment, request or movement: no second time.
            with pytest.raises(DomainError) as caught:
                write(session, "key-2", True)
            assert caught.value.code == "invalid_state"
        else:
            assert write(session, "key-2", True) != first


def test_a_key_used_by_one_operation_is_refused_for_another(engine: Engine) -> None:
    writes = _writes(engine, _prepare(engine))
    with session_scope(engine) as session:
        writes["procurement"](session, "shared", False)
    refused(
        engine, "idempotency_conflict", lambda session: writes["dispatch"](session, "shared", False)
    )


def test_a_refused_write_leaves_its_key_free(engine: Engine) -> None:
    _prepare(engine)
    key = "retry-after-refusal"

    def dispatch(quantity: int) -> Callable[[Session], object]:
        return lambda session: shipments.dispatch(
            session=session,
            from_office=BEKASI,
            to_office="32.17",
            quantity=quantity,
            expected_on=days_ago(engine, BEKASI, 0),
            reference="Pinjam",
            actor=PLANNER,
            idempotency_key=key,
        )

    refused(engine, "insufficient_stock", dispatch(201))
    with session_scope(engine) as session:
        dispatch(200)(session)
    assert read_state(engine)["counts"]["idempotency_keys"] == 1


def test_an_overlong_key_is_refused(engine: Engine) -> None:
    refused(
        engine,
        "validation_error",
        lambda session: stock.record_procurement(
            session=session,
            quantity=1,
            received_on=days_ago(engine, NATIONAL, 0),
            reference="SPK",
            actor=PLANNER,
            idempotency_key="k" * 201,
        ),
    )
