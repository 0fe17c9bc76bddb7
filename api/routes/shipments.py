"""Shipments (pengiriman): dispatch, receive (in full or short), cancel, list."""

from fastapi import APIRouter, Query
from sqlmodel import Session

from api.deps import (
    ActorDep,
    IdempotencyKey,
    IdPath,
    Limit,
    Offset,
    SessionDep,
    UserDep,
    office_scope,
    readable_office,
    require_visible,
    writable_office,
)
from api.errors import problem_responses
from api.schemas import (
    OFFICE_CODE,
    ShipmentCancel,
    ShipmentCreate,
    ShipmentPage,
    ShipmentPublic,
    ShipmentReceive,
)
from api.transaction import TransactionRoute
from blangko import paging, shipments
from blangko.models import Shipment, ShipmentStatus, User

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/api/v1/shipments",
    tags=["shipments"],
    responses=problem_responses(401, 403, 404, 422),
)


def visible_shipment(session: Session, user: User, shipment_id: int) -> Shipment:
    """The shipment, or "not found" alike for a missing one and one of offices the user
    may not read."""
    shipment = shipments.get_shipment(session=session, shipment_id=shipment_id)
    missing = f"Kiriman #{shipment_id} tidak ditemukan."
    require_visible(session, user, [shipment.from_office, shipment.to_office], missing)
    return shipment


def shipment_public(shipment: Shipment) -> ShipmentPublic:
    return ShipmentPublic.model_validate(shipment, from_attributes=True)


@router.post(
    "",
    response_model=ShipmentPublic,
    status_code=201,
    summary="Dispatch blanks to another office",
    description="Moves the quantity from the sender's stock into transit until the receiver "
    "confirms. Officers dispatch only from their own office (provincial redistribution, "
    "lateral loans); planners dispatch from any office, usually `00`.",
    responses=problem_responses(409),
)
def dispatch_shipment(
    body: ShipmentCreate,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKey = None,
) -> ShipmentPublic:
    writable_office(session, user, body.from_office)
    shipment = shipments.dispatch(
        session=session,
        from_office=body.from_office,
        to_office=body.to_office,
        quantity=body.quantity,
        expected_on=body.expected_on,
        reference=body.reference,
        dispatched_on=body.dispatched_on,
        note=body.note,
        actor=actor,
        idempotency_key=idempotency_key,
    )
    return shipment_public(shipment)


@router.get(
    "",
    response_model=ShipmentPage,
    summary="List shipments",
    description="Newest first. `office` keeps shipments from or to that office. Officers see "
    "only shipments of offices they may read.",
)
def list_shipments(
    session: SessionDep,
    user: UserDep,
    office: str | None = Query(default=None, pattern=OFFICE_CODE, examples=["32.16"]),
    status: ShipmentStatus | None = Query(default=None),
    limit: Limit = paging.DEFAULT_LIMIT,
    offset: Offset = 0,
) -> ShipmentPage:
    if office is not None:
        readable_office(session, user, office)
    page = shipments.shipment_page(
        session=session,
        office_code=office,
        status=status,
        offices=office_scope(session, user),
        offset=offset,
        limit=limit,
    )
    items = [shipment_public(s) for s in page.items]
    return ShipmentPage(items=items, total=page.total, next=page.next)


@router.post(
    "/{shipment_id}/receive",
    response_model=ShipmentPublic,
    summary="Confirm receipt of a shipment",
    description="The receiving office confirms what arrived. Less than dispatched needs a "
    "`shortfall_reason`; the missing blanks are booked as lost and the shipment becomes "
    "`received_short`.",
    responses=problem_responses(409),
)
def receive_shipment(
    shipment_id: IdPath,
    body: ShipmentReceive,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKey = None,
) -> ShipmentPublic:
    shipment = visible_shipment(session, user, shipment_id)
    writable_office(session, user, shipment.to_office)
    shipment = shipments.receive(
        session=session,
        shipment_id=shipment_id,
        received_quantity=body.received_quantity,
        received_on=body.received_on,
        shortfall_reason=body.shortfall_reason,
        actor=actor,
        idempotency_key=idempotency_key,
    )
    return shipment_public(shipment)


@router.post(
    "/{shipment_id}/cancel",
    response_model=ShipmentPublic,
    summary="Cancel a shipment still in transit",
    description="Returns the blanks to the sender's stock. Only the sender (or a planner) "
    "can cancel, and only while the shipment is `in_transit`.",
    responses=problem_responses(409),
)
def cancel_shipment(
    shipment_id: IdPath,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    body: ShipmentCancel | None = None,
    idempotency_key: IdempotencyKey = None,
) -> ShipmentPublic:
    shipment = visible_shipment(session, user, shipment_id)
    writable_office(session, user, shipment.from_office)
    shipment = shipments.cancel(
        session=session,
        shipment_id=shipment_id,
        reason=(body or ShipmentCancel()).reason,
        actor=actor,
        idempotency_key=idempotency_key,
    )
    return shipment_public(shipment)
