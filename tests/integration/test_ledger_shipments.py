"""Allocation requests and shipments (dispatch, receipt in full or short, cancel) on SQLite
and PostgreSQL; every refusal carries its SPEC code and writes nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import Engine

from blangko import ledger, shipments, stock
from blangko.db import session_scope
from blangko.models import (
    AccountKind,
    AllocationRequest,
    Movement,
    MovementKind,
    RequestStatus,
    Shipment,
    ShipmentStatus,
)
from blangko.offices import NATIONAL
from tests.integration.ledger_support import (
    PLANNER,
    Action,
    assert_invariants,
    days_ago,
    refused,
)

BEKASI, JAYAPURA = "32.16", "91.71"


@pytest.fixture
def national(engine: Engine) -> int:
    """National stock of 1 000 blanks."""
    with session_scope(engine) as session:
        stock.record_procurement(
            session=session,
            quantity=1000,
            received_on=days_ago(engine, NATIONAL, 10),
            reference="SPK-01/2026",
            actor=PLANNER,
        )
    return 1000


def balances(engine: Engine, office: str) -> dict[AccountKind, int]:
    with session_scope(engine, write=False) as session:
        return ledger.balances(session=session, office_code=office)


def request(engine: Engine, quantity: int, office: str = BEKASI) -> AllocationRequest:
    with session_scope(engine) as session:
        return shipments.request_allocation(
            session=session,
            office_code=office,
            quantity=quantity,
            reference="470/123/Dukcapil",
            note="Stok menipis",
            actor=PLANNER,
        )


def send(engine: Engine, quantity: int, to: str = BEKASI, sender: str = NATIONAL) -> Shipment:
    with session_scope(engine) as session:
        return shipments.dispatch(
            session=session,
            from_office=sender,
            to_office=to,
            quantity=quantity,
            dispatched_on=days_ago(engine, sender, 3),
            expected_on=days_ago(engine, sender, -4),
            reference="B/77/2026",
            actor=PLANNER,
        )


def test_request_is_pending_and_full_approval_dispatches_it(engine: Engine, national: int) -> None:
    created = request(engine, 400)
    assert created.status is RequestStatus.pending
    assert created.requested_on == days_ago(engine, BEKASI, 0)
    assert created.id is not None
    expected_on = days_ago(engine, NATIONAL, -7)
    with session_scope(engine) as session:
        approved, shipment = shipments.approve_allocation(
            session=session,
            request_id=created.id,
            quantity=400,
            expected_on=expected_on,
            actor=PLANNER,
        )
    assert approved.status is RequestStatus.approved
    assert approved.approved_quantity == 400 and approved.decided_at is not None
    assert shipment.status is ShipmentStatus.in_transit
    assert (shipment.from_office, shipment.to_office, shipment.quantity) == (NATIONAL, BEKASI, 400)
    assert shipment.allocation_request_id == created.id
    assert shipment.reference == "470/123/Dukcapil"
    assert shipment.expected_on == expected_on
    assert balances(engine, NATIONAL)[AccountKind.stock] == national - 400
    assert balances(engine, NATIONAL)[AccountKind.transit] == 400
    assert balances(engine, BEKASI)[AccountKind.stock] == 0
    with session_scope(engine, write=False) as session:
        pending = shipments.list_requests(session=session, status=RequestStatus.pending)
        mine = shipments.list_requests(session=session, office_code=BEKASI)
    assert pending == [] and [r.id for r in mine] == [created.id]
    assert_invariants(engine)


def test_partial_approval_sends_less_than_requested(engine: Engine, national: int) -> None:
    created = request(engine, 900)
    with session_scope(engine) as session:
        approved, shipment = shipments.approve_allocation(
            session=session,
            request_id=created.id or 0,
            quantity=250,
            expected_on=days_ago(engine, NATIONAL, -3),
            actor=PLANNER,
        )
    assert approved.approved_quantity == 250 and approved.quantity == 900
    assert shipment.quantity == 250
    assert balances(engine, NATIONAL)[AccountKind.stock] == national - 250


def test_approval_refusals_leave_the_request_pending(engine: Engine, national: int) -> None:
    created = request(engine, 800)
    ahead = days_ago(engine, NATIONAL, -3)

    def approve(quantity: int) -> Action:
        return lambda session: shipments.approve_allocation(
            session=session,
            request_id=created.id or 0,
            quantity=quantity,
            expected_on=ahead,
            actor=PLANNER,
        )

    refused(engine, "validation_error", approve(801))
    refused(engine, "validation_error", approve(0))
    with session_scope(engine) as session:
        shipments.dispatch(
            session=session,
            from_office=NATIONAL,
            to_office=JAYAPURA,
            quantity=300,
            expected_on=ahead,
            reference="B/1",
            actor=PLANNER,
        )
    error = refused(engine, "insufficient_stock", approve(701))
    assert error.details["on_hand"] == 700 and "700" in error.message
    with session_scope(engine, write=False) as session:
        assert shipments.get_request(session=session, request_id=created.id or 0).status is (
            RequestStatus.pending
        )
    refused(
        engine,
        "not_found",
        lambda session: shipments.approve_allocation(
            session=session, request_id=9999, quantity=1, expected_on=ahead, actor=PLANNER
        ),
    )


def test_reject_needs_a_reason_and_closes_the_request(engine: Engine, national: int) -> None:
    created = request(engine, 100)
    request_id = created.id or 0

    def reject(reason: str) -> Action:
        return lambda session: shipments.reject_allocation(
            session=session, request_id=request_id, reason=reason, actor=PLANNER
        )

    refused(engine, "validation_error", reject("  "))
    with session_scope(engine) as session:
        rejected = shipments.reject_allocation(
            session=session, request_id=request_id, reason="Stok nasional habis", actor=PLANNER
        )
    assert rejected.status is RequestStatus.rejected
    assert rejected.decision_reason == "Stok nasional habis"
    refused(engine, "invalid_state", reject("lagi"))
    refused(
        engine,
        "invalid_state",
        lambda session: shipments.approve_allocation(
            session=session,
            request_id=request_id,
            quantity=10,
            expected_on=days_ago(engine, NATIONAL, 0),
            actor=PLANNER,
        ),
    )
    assert balances(engine, NATIONAL)[AccountKind.stock] == national


def test_request_refusals(engine: Engine) -> None:
    def ask(office: str, quantity: int, reference: str = "470/1") -> Action:
        return lambda session: shipments.request_allocation(
            session=session,
            office_code=office,
            quantity=quantity,
            reference=reference,
            actor=PLANNER,
        )

    refused(engine, "validation_error", ask(BEKASI, 0))
    refused(engine, "validation_error", ask(BEKASI, 10, reference=""))
    refused(engine, "validation_error", ask(NATIONAL, 10))
    refused(engine, "not_found", ask("32.99", 10))


def test_full_receipt_moves_transit_into_receiver_stock(engine: Engine, national: int) -> None:
    shipment = send(engine, 300)
    received_on = days_ago(engine, BEKASI, 1)
    with session_scope(engine) as session:
        done = shipments.receive(
            session=session,
            shipment_id=shipment.id or 0,
            received_quantity=300,
            received_on=received_on,
            actor=PLANNER,
        )
        movement = session.get_one(Movement, done.close_movement_id)
    assert done.status is ShipmentStatus.received
    assert (done.received_quantity, done.received_on) == (300, received_on)
    assert movement.kind is MovementKind.receipt and movement.office_code == BEKASI
    assert movement.business_date == received_on
    assert balances(engine, NATIONAL)[AccountKind.transit] == 0
    assert balances(engine, BEKASI)[AccountKind.stock] == 300
    assert balances(engine, BEKASI)[AccountKind.lost] == 0
    assert_invariants(engine)


def test_short_receipt_needs_a_reason_and_books_the_loss(engine: Engine, national: int) -> None:
    shipment = send(engine, 300)
    received_on = days_ago(engine, BEKASI, 1)

    def receive(quantity: int, reason: str) -> Action:
        return lambda session: shipments.receive(
            session=session,
            shipment_id=shipment.id or 0,
            received_quantity=quantity,
            received_on=received_on,
            shortfall_reason=reason,
            actor=PLANNER,
        )

    error = refused(engine, "validation_error", receive(280, ""))
    assert error.details["field"] == "shortfall_reason"
    refused(engine, "validation_error", receive(301, ""))
    refused(engine, "validation_error", receive(-1, "hilang"))
    with session_scope(engine) as session:
        done = receive(280, "Dus basah, 20 keping rusak")(session)
    assert isinstance(done, Shipment)
    assert done.status is ShipmentStatus.received_short
    assert done.shortfall_reason == "Dus basah, 20 keping rusak"
    assert balances(engine, BEKASI)[AccountKind.stock] == 280
    assert balances(engine, BEKASI)[AccountKind.lost] == 20
    assert balances(engine, NATIONAL)[AccountKind.transit] == 0
    assert_invariants(engine)


def test_receipt_dates_must_be_between_dispatch_and_today(engine: Engine, national: int) -> None:
    shipment = send(engine, 50)

    def receive_on(days: int) -> Action:
        return lambda session: shipments.receive(
            session=session,
            shipment_id=shipment.id or 0,
            received_quantity=50,
            received_on=days_ago(engine, BEKASI, days),
            actor=PLANNER,
        )

    refused(engine, "future_date", receive_on(-1))
    refused(engine, "validation_error", receive_on(4))  # before it was dispatched


def test_cancel_returns_the_blanks_to_the_sender(engine: Engine, national: int) -> None:
    shipment = send(engine, 120)
    with session_scope(engine) as session:
        cancelled = shipments.cancel(
            session=session, shipment_id=shipment.id or 0, actor=PLANNER, reason="Salah tujuan"
        )
        movement = session.get_one(Movement, cancelled.close_movement_id)
    assert cancelled.status is ShipmentStatus.cancelled
    assert movement.kind is MovementKind.cancel and "Salah tujuan" in movement.note
    assert balances(engine, NATIONAL)[AccountKind.stock] == national
    assert balances(engine, NATIONAL)[AccountKind.transit] == 0
    assert_invariants(engine)


def test_closed_shipments_refuse_receipt_and_cancel(engine: Engine, national: int) -> None:
    received, short, cancelled = send(engine, 10), send(engine, 10), send(engine, 10)
    today = days_ago(engine, BEKASI, 0)
    with session_scope(engine) as session:
        shipments.receive(
            session=session,
            shipment_id=received.id or 0,
            received_quantity=10,
            received_on=today,
            actor=PLANNER,
        )
        shipments.receive(
            session=session,
            shipment_id=short.id or 0,
            received_quantity=9,
            received_on=today,
            shortfall_reason="Satu keping hilang",
            actor=PLANNER,
        )
        shipments.cancel(session=session, shipment_id=cancelled.id or 0, actor=PLANNER)

    def receive(shipment_id: int) -> Action:
        return lambda session: shipments.receive(
            session=session,
            shipment_id=shipment_id,
            received_quantity=10,
            received_on=today,
            actor=PLANNER,
        )

    def cancel(shipment_id: int) -> Action:
        return lambda session: shipments.cancel(
            session=session, shipment_id=shipment_id, actor=PLANNER
        )

    for shipment in (received, short, cancelled):
        assert shipment.id is not None
        error = refused(engine, "invalid_state", receive(shipment.id))
        assert f"#{shipment.id}" in error.message
        refused(engine, "invalid_state", cancel(shipment.id))
    refused(engine, "not_found", receive(9999))
    refused(engine, "not_found", cancel(9999))
    assert_invariants(engine)


def test_dispatch_refusals_write_nothing(engine: Engine, national: int) -> None:
    def dispatch(
        quantity: int,
        sender: str = NATIONAL,
        to: str = BEKASI,
        sent_days: int = 0,
        expected_days: int = 0,
    ) -> Action:
        return lambda session: shipments.dispatch(
            session=session,
            from_office=sender,
            to_office=to,
            quantity=quantity,
            dispatched_on=days_ago(engine, sender, sent_days),
            expected_on=days_ago(engine, sender, expected_days),
            reference="B/9",
            actor=PLANNER,
        )

    error = refused(engine, "insufficient_stock", dispatch(national + 1))
    assert error.details == {"office": NATIONAL, "on_hand": national, "requested": national + 1}
    refused(engine, "insufficient_stock", dispatch(1, sender=BEKASI, to=JAYAPURA))
    refused(engine, "validation_error", dispatch(0))
    refused(engine, "validation_error", dispatch(5, to=NATIONAL))
    refused(engine, "validation_error", dispatch(5, sent_days=2, expected_days=3))
    refused(engine, "future_date", dispatch(5, sent_days=-1, expected_days=-2))
    refused(engine, "not_found", dispatch(5, to="32.99"))


def test_lateral_loan_between_offices(engine: Engine, national: int) -> None:
    first = send(engine, 200)
    with session_scope(engine) as session:
        shipments.receive(
            session=session,
            shipment_id=first.id or 0,
            received_quantity=200,
            received_on=days_ago(engine, BEKASI, 3),
            actor=PLANNER,
        )
    loan = send(engine, 80, to=JAYAPURA, sender=BEKASI)
    assert loan.dispatched_on == days_ago(engine, BEKASI, 3)
    assert loan.expected_on - loan.dispatched_on == timedelta(days=7)
    with session_scope(engine, write=False) as session:
        outgoing = shipments.list_shipments(session=session, office_code=BEKASI)
        moving = shipments.list_shipments(session=session, status=ShipmentStatus.in_transit)
        positions = stock.stock_positions(session=session, office_codes=[BEKASI, JAYAPURA])
    assert [s.id for s in outgoing] == [loan.id, first.id]  # newest first
    assert [s.id for s in moving] == [loan.id]
    assert positions[BEKASI].on_hand == 120 and positions[BEKASI].in_transit_out == 80
    assert positions[JAYAPURA].in_transit_in == 80 and positions[JAYAPURA].on_hand == 0
    assert_invariants(engine)
