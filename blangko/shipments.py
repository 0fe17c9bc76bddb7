"""Shipments (pengiriman blangko): dispatch, receipt in full or short, cancel; and
allocation requests (surat permintaan) that the planner approves or rejects."""

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from blangko import checks, idempotency, ledger, paging, postings
from blangko.errors import InvalidState, NotFound, ValidationFailed
from blangko.fmt import ZONE_NAMES, day, moment, number
from blangko.ledger import Actor
from blangko.models import (
    AllocationRequest,
    MovementKind,
    Office,
    RequestStatus,
    Shipment,
    ShipmentStatus,
    utcnow,
)
from blangko.offices import NATIONAL, day_begins_at, get_office, local_today


def dispatch(
    *,
    session: Session,
    from_office: str,
    to_office: str,
    quantity: int,
    expected_on: date,
    reference: str,
    actor: Actor,
    dispatched_on: date | None = None,
    note: str = "",
    allocation_request_id: int | None = None,
    idempotency_key: str | None = None,
) -> Shipment:
    """Sends blanks: ``from.stock → from.transit`` until the receiver confirms."""
    payload = {
        "from": from_office,
        "to": to_office,
        "quantity": quantity,
        "expected_on": expected_on,
        "dispatched_on": dispatched_on,
        "reference": reference,
        "note": note,
        "request": allocation_request_id,
    }
    if (done := idempotency.replay(session, idempotency_key, "dispatch", payload)) is not None:
        return session.get_one(Shipment, done)
    sender = get_office(session=session, code=from_office)
    receiver = get_office(session=session, code=to_office)
    if from_office == to_office:
        raise ValidationFailed("Kantor pengirim dan penerima tidak boleh sama.", field="to_office")
    checks.positive(quantity, "quantity", "Jumlah blangko")
    sent_on = dispatched_on or local_today(sender)
    checks.not_future(sender, sent_on, "dispatched_on", "Tanggal kirim")
    _not_before_dispatch(expected_on, sent_on, sender, receiver, "expected_on", "Perkiraan tiba")
    reference = checks.text(reference, "reference", "Nomor surat", required=False, max_length=100)
    note = checks.text(note, "note", "Catatan", required=False, max_length=500)
    movement = ledger.post(
        session=session,
        kind=MovementKind.dispatch,
        office_code=from_office,
        business_date=sent_on,
        legs=postings.dispatch(from_office, quantity),
        actor=actor,
        note=note
        or f"Kirim {number(quantity)} blangko ke {to_office} ({reference or 'tanpa surat'})",
        idempotency_key=idempotency_key,
    )
    assert movement.id is not None
    shipment = Shipment(
        from_office=from_office,
        to_office=to_office,
        quantity=quantity,
        status=ShipmentStatus.in_transit,
        reference=reference,
        dispatched_on=sent_on,
        expected_on=expected_on,
        allocation_request_id=allocation_request_id,
        dispatch_movement_id=movement.id,
    )
    session.add(shipment)
    session.flush()
    idempotency.remember(session, idempotency_key, "dispatch", payload, shipment.id)
    return shipment


def receive(
    *,
    session: Session,
    shipment_id: int,
    received_quantity: int,
    received_on: date,
    actor: Actor,
    shortfall_reason: str = "",
    idempotency_key: str | None = None,
) -> Shipment:
    """The receiver confirms what arrived; a shortfall goes to ``lost`` with its reason."""
    payload = {
        "shipment": shipment_id,
        "received_quantity": received_quantity,
        "received_on": received_on,
        "shortfall_reason": shortfall_reason,
    }
    if (done := idempotency.replay(session, idempotency_key, "receive", payload)) is not None:
        return session.get_one(Shipment, done)
    shipment = get_shipment(session=session, shipment_id=shipment_id, lock=True)
    _require_in_transit(shipment, "diterima")
    receiver = get_office(session=session, code=shipment.to_office)
    checks.non_negative(received_quantity, "received_quantity", "Jumlah diterima")
    if received_quantity > shipment.quantity:
        raise ValidationFailed(
            f"Jumlah diterima ({number(received_quantity)}) melebihi jumlah yang dikirim "
            f"({number(shipment.quantity)}). Periksa kembali hitungan fisik.",
            field="received_quantity",
        )
    checks.not_future(receiver, received_on, "received_on", "Tanggal terima")
    sender = get_office(session=session, code=shipment.from_office)
    _not_before_dispatch(
        received_on, shipment.dispatched_on, sender, receiver, "received_on", "Tanggal terima"
    )
    short = received_quantity < shipment.quantity
    shortfall_reason = checks.text(
        shortfall_reason,
        "shortfall_reason",
        "Alasan kekurangan",
        required=short,
        max_length=500,
    )
    movement = ledger.post(
        session=session,
        kind=MovementKind.receipt,
        office_code=shipment.to_office,
        business_date=received_on,
        legs=postings.receipt(
            shipment.from_office, shipment.to_office, shipment.quantity, received_quantity
        ),
        actor=actor,
        note=f"Terima kiriman #{shipment.id} dari {shipment.from_office}"
        + (
            f"; kurang {number(shipment.quantity - received_quantity)}: {shortfall_reason}"
            if short
            else ""
        ),
        idempotency_key=idempotency_key,
    )
    shipment.status = ShipmentStatus.received_short if short else ShipmentStatus.received
    shipment.received_quantity = received_quantity
    shipment.received_on = received_on
    shipment.shortfall_reason = shortfall_reason if short else ""
    shipment.close_movement_id = movement.id
    session.add(shipment)
    session.flush()
    idempotency.remember(session, idempotency_key, "receive", payload, shipment.id)
    return shipment


def cancel(
    *,
    session: Session,
    shipment_id: int,
    actor: Actor,
    reason: str = "",
    idempotency_key: str | None = None,
) -> Shipment:
    """Takes a shipment still in transit back into the sender's stock."""
    payload = {"shipment": shipment_id, "reason": reason}
    if (done := idempotency.replay(session, idempotency_key, "cancel", payload)) is not None:
        return session.get_one(Shipment, done)
    shipment = get_shipment(session=session, shipment_id=shipment_id, lock=True)
    _require_in_transit(shipment, "dibatalkan")
    sender = get_office(session=session, code=shipment.from_office)
    reason = checks.text(reason, "reason", "Alasan", required=False, max_length=500)
    movement = ledger.post(
        session=session,
        kind=MovementKind.cancel,
        office_code=shipment.from_office,
        business_date=max(local_today(sender), shipment.dispatched_on),
        legs=postings.cancel(shipment.from_office, shipment.quantity),
        actor=actor,
        note=f"Batal kirim #{shipment.id}" + (f": {reason}" if reason else ""),
        idempotency_key=idempotency_key,
    )
    shipment.status = ShipmentStatus.cancelled
    shipment.close_movement_id = movement.id
    session.add(shipment)
    session.flush()
    idempotency.remember(session, idempotency_key, "cancel", payload, shipment.id)
    return shipment


def earliest_arrival_on(dispatched_on: date, sender: Office, receiver: Office) -> date:
    """The receiver's first day on which a shipment dispatched on ``dispatched_on`` (the
    sender's day) may arrive: the receiver's date when that day began. Each office dates in
    its own zone: 2 Dec in Jayapura (WIT) begins at 22.00 on 1 Dec in Bandung (WIB), so what
    Jayapura dispatches at 01.00 on 2 Dec can be received in Bandung on 1 Dec."""
    return local_today(receiver, day_begins_at(sender, dispatched_on))


def _not_before_dispatch(
    value: date, dispatched_on: date, sender: Office, receiver: Office, field: str, label: str
) -> None:
    """Arrival dates (the receiver's) may not lie wholly before the dispatch date (the
    sender's)."""
    if value >= earliest_arrival_on(dispatched_on, sender, receiver):
        return
    sent = day(dispatched_on)
    if sender.timezone != receiver.timezone:
        began = moment(day_begins_at(sender, dispatched_on), receiver.timezone)
        sent += f" {ZONE_NAMES.get(sender.timezone, sender.timezone)}, yang dimulai {began}"
    raise ValidationFailed(
        f"{label} ({day(value)}) tidak boleh sebelum tanggal kirim ({sent}).", field=field
    )


def _require_in_transit(shipment: Shipment, action: str) -> None:
    if shipment.status is not ShipmentStatus.in_transit:
        raise InvalidState(
            f"Kiriman #{shipment.id} berstatus '{shipment.status}', tidak dapat {action} lagi.",
            status=str(shipment.status),
        )


def get_shipment(*, session: Session, shipment_id: int, lock: bool = False) -> Shipment:
    query = select(Shipment).where(Shipment.id == shipment_id)
    if lock:
        query = query.with_for_update()
    shipment = session.exec(query).first()
    if shipment is None:
        raise NotFound(f"Kiriman #{shipment_id} tidak ditemukan.")
    return shipment


def list_shipments(
    *,
    session: Session,
    office_code: str | None = None,
    status: ShipmentStatus | None = None,
    offices: list[str] | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[Shipment]:
    """Shipments to or from an office (or any of ``offices``), newest first."""
    query = _shipments_query(office_code=office_code, status=status, offices=offices)
    return list(session.exec(query.offset(offset).limit(limit)).all())


def received_by(*, session: Session, office_code: str, limit: int = 20) -> list[Shipment]:
    """The shipments ``office_code`` received (in full or short), latest receipt first."""
    received = [
        s
        for status in (ShipmentStatus.received, ShipmentStatus.received_short)
        for s in list_shipments(
            session=session, office_code=office_code, status=status, limit=limit
        )
        if s.to_office == office_code
    ]
    received.sort(key=lambda s: (s.received_on or s.dispatched_on, s.id or 0), reverse=True)
    return received[:limit]


def shipment_page(
    *,
    session: Session,
    office_code: str | None = None,
    status: ShipmentStatus | None = None,
    offices: list[str] | None = None,
    offset: int = 0,
    limit: int = paging.DEFAULT_LIMIT,
) -> paging.Page[Shipment]:
    """``list_shipments`` with the total over all pages."""
    query = _shipments_query(office_code=office_code, status=status, offices=offices)
    return paging.page_of(session, query, offset=offset, limit=limit)


def _shipments_query(
    *, office_code: str | None, status: ShipmentStatus | None, offices: list[str] | None
) -> Any:
    query = select(Shipment)
    if office_code:
        query = query.where(
            (col(Shipment.from_office) == office_code) | (col(Shipment.to_office) == office_code)
        )
    if offices is not None:
        query = query.where(
            col(Shipment.from_office).in_(offices) | col(Shipment.to_office).in_(offices)
        )
    if status:
        query = query.where(Shipment.status == status)
    return query.order_by(col(Shipment.id).desc())


def request_allocation(
    *,
    session: Session,
    office_code: str,
    quantity: int,
    reference: str,
    actor: Actor,
    note: str = "",
    requested_on: date | None = None,
    idempotency_key: str | None = None,
) -> AllocationRequest:
    """An office asks Ditjen Dukcapil for blanks by official letter."""
    payload = {"office": office_code, "quantity": quantity, "reference": reference, "note": note}
    if (done := idempotency.replay(session, idempotency_key, "request", payload)) is not None:
        return session.get_one(AllocationRequest, done)
    office = get_office(session=session, code=office_code)
    if office.code == NATIONAL:
        raise ValidationFailed(
            "Ditjen Dukcapil tidak mengajukan permintaan ke dirinya sendiri.", field="office"
        )
    checks.positive(quantity, "quantity", "Jumlah permintaan")
    reference = checks.text(reference, "reference", "Nomor surat", required=True, max_length=100)
    note = checks.text(note, "note", "Catatan", required=False, max_length=500)
    request = AllocationRequest(
        office_code=office_code,
        quantity=quantity,
        reference=reference,
        note=note,
        status=RequestStatus.pending,
        requested_on=requested_on or local_today(office),
        created_by=actor.user_id,
    )
    session.add(request)
    session.flush()
    idempotency.remember(session, idempotency_key, "request", payload, request.id)
    return request


def approve_allocation(
    *,
    session: Session,
    request_id: int,
    quantity: int,
    expected_on: date,
    actor: Actor,
    dispatched_on: date | None = None,
    idempotency_key: str | None = None,
) -> tuple[AllocationRequest, Shipment]:
    """Approves all or part of a request and dispatches it from national stock."""
    payload = {"request": request_id, "quantity": quantity, "expected_on": expected_on}
    if (done := idempotency.replay(session, idempotency_key, "approve", payload)) is not None:
        request = get_request(session=session, request_id=done)
        return request, _request_shipment(session, request)
    request = get_request(session=session, request_id=request_id, lock=True)
    _require_pending(request)
    checks.positive(quantity, "quantity", "Jumlah disetujui")
    if quantity > request.quantity:
        raise ValidationFailed(
            f"Jumlah disetujui ({number(quantity)}) melebihi permintaan ({number(request.quantity)}).",
            field="quantity",
        )
    shipment = dispatch(
        session=session,
        from_office=NATIONAL,
        to_office=request.office_code,
        quantity=quantity,
        expected_on=expected_on,
        reference=request.reference,
        actor=actor,
        dispatched_on=dispatched_on,
        allocation_request_id=request.id,
        note=f"Alokasi atas surat {request.reference}",
    )
    request.status = RequestStatus.approved
    request.approved_quantity = quantity
    request.decided_at = utcnow()
    request.decided_by = actor.user_id
    session.add(request)
    session.flush()
    idempotency.remember(session, idempotency_key, "approve", payload, request.id)
    return request, shipment


def reject_allocation(
    *,
    session: Session,
    request_id: int,
    reason: str,
    actor: Actor,
    idempotency_key: str | None = None,
) -> AllocationRequest:
    payload = {"request": request_id, "reason": reason}
    if (done := idempotency.replay(session, idempotency_key, "reject", payload)) is not None:
        return get_request(session=session, request_id=done)
    request = get_request(session=session, request_id=request_id, lock=True)
    _require_pending(request)
    request.decision_reason = checks.text(
        reason, "reason", "Alasan penolakan", required=True, max_length=500
    )
    request.status = RequestStatus.rejected
    request.decided_at = utcnow()
    request.decided_by = actor.user_id
    session.add(request)
    session.flush()
    idempotency.remember(session, idempotency_key, "reject", payload, request.id)
    return request


def _require_pending(request: AllocationRequest) -> None:
    if request.status is not RequestStatus.pending:
        raise InvalidState(
            f"Permintaan #{request.id} sudah berstatus '{request.status}'.",
            status=str(request.status),
        )


def _request_shipment(session: Session, request: AllocationRequest) -> Shipment:
    shipment = session.exec(
        select(Shipment).where(Shipment.allocation_request_id == request.id)
    ).first()
    if shipment is None:
        raise NotFound(f"Kiriman untuk permintaan #{request.id} tidak ditemukan.")
    return shipment


def get_request(*, session: Session, request_id: int, lock: bool = False) -> AllocationRequest:
    query = select(AllocationRequest).where(AllocationRequest.id == request_id)
    if lock:
        query = query.with_for_update()
    request = session.exec(query).first()
    if request is None:
        raise NotFound(f"Permintaan alokasi #{request_id} tidak ditemukan.")
    return request


def list_requests(
    *,
    session: Session,
    office_code: str | None = None,
    status: RequestStatus | None = None,
    offices: list[str] | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[AllocationRequest]:
    query = _requests_query(office_code=office_code, status=status, offices=offices)
    return list(session.exec(query.offset(offset).limit(limit)).all())


def request_page(
    *,
    session: Session,
    office_code: str | None = None,
    status: RequestStatus | None = None,
    offices: list[str] | None = None,
    offset: int = 0,
    limit: int = paging.DEFAULT_LIMIT,
) -> paging.Page[AllocationRequest]:
    """``list_requests`` with the total over all pages."""
    query = _requests_query(office_code=office_code, status=status, offices=offices)
    return paging.page_of(session, query, offset=offset, limit=limit)


def _requests_query(
    *, office_code: str | None, status: RequestStatus | None, offices: list[str] | None
) -> Any:
    query = select(AllocationRequest)
    if office_code:
        query = query.where(AllocationRequest.office_code == office_code)
    if offices is not None:
        query = query.where(col(AllocationRequest.office_code).in_(offices))
    if status:
        query = query.where(AllocationRequest.status == status)
    return query.order_by(col(AllocationRequest.id).desc())
