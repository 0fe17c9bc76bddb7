"""Allocation requests (surat permintaan blangko): an office asks, the planner approves
a quantity (which dispatches a shipment from national stock) or rejects with a reason."""

import sqlalchemy as sa
from fastapi import APIRouter, Query
from sqlmodel import Session, col

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
    require_central,
    writable_office,
)
from api.errors import problem_responses
from api.schemas import (
    OFFICE_CODE,
    AllocationApprove,
    AllocationReject,
    AllocationRequestCreate,
    AllocationRequestPage,
    AllocationRequestPublic,
)
from api.transaction import TransactionRoute
from blangko import paging, shipments
from blangko.models import AllocationRequest, RequestStatus, Shipment

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/api/v1/allocation-requests",
    tags=["allocation requests"],
    responses=problem_responses(401, 403, 422),
)


def request_public(request: AllocationRequest, shipment_id: int | None) -> AllocationRequestPublic:
    assert request.id is not None
    return AllocationRequestPublic(
        id=request.id,
        office=request.office_code,
        quantity=request.quantity,
        reference=request.reference,
        note=request.note,
        status=request.status,
        requested_on=request.requested_on,
        approved_quantity=request.approved_quantity,
        decision_reason=request.decision_reason,
        decided_at=request.decided_at,
        shipment_id=shipment_id,
    )


def _shipment_ids(session: Session, request_ids: list[int]) -> dict[int, int]:
    if not request_ids:
        return {}
    rows = session.execute(
        sa.select(col(Shipment.allocation_request_id), col(Shipment.id)).where(
            col(Shipment.allocation_request_id).in_(request_ids)
        )
    ).all()
    return {request_id: shipment_id for request_id, shipment_id in rows}


@router.post(
    "",
    response_model=AllocationRequestPublic,
    status_code=201,
    summary="Ask for blanks (allocation request)",
    description="An office asks Ditjen Dukcapil for blanks, citing its letter number. "
    "Officers ask for their own office.",
    responses=problem_responses(404),
)
def create_allocation_request(
    body: AllocationRequestCreate,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKey = None,
) -> AllocationRequestPublic:
    writable_office(session, user, body.office)
    request = shipments.request_allocation(
        session=session,
        office_code=body.office,
        quantity=body.quantity,
        reference=body.reference,
        note=body.note,
        actor=actor,
        idempotency_key=idempotency_key,
    )
    return request_public(request, None)


@router.get(
    "",
    response_model=AllocationRequestPage,
    summary="List allocation requests",
    description="Newest first, filtered by office and status. Officers see only requests of "
    "offices they may read.",
)
def list_allocation_requests(
    session: SessionDep,
    user: UserDep,
    office: str | None = Query(default=None, pattern=OFFICE_CODE, examples=["32.16"]),
    status: RequestStatus | None = Query(default=None),
    limit: Limit = paging.DEFAULT_LIMIT,
    offset: Offset = 0,
) -> AllocationRequestPage:
    if office is not None:
        readable_office(session, user, office)
    page = shipments.request_page(
        session=session,
        office_code=office,
        status=status,
        offices=office_scope(session, user),
        offset=offset,
        limit=limit,
    )
    linked = _shipment_ids(session, [r.id for r in page.items if r.id is not None])
    items = [request_public(r, linked.get(r.id or 0)) for r in page.items]
    return AllocationRequestPage(items=items, total=page.total, next=page.next)


@router.post(
    "/{request_id}/approve",
    response_model=AllocationRequestPublic,
    summary="Approve a request (planner, admin)",
    description="Approves all or part of the requested quantity and dispatches it from "
    "national stock (`00`) at once; `shipment_id` names the new shipment.",
    responses=problem_responses(404, 409),
)
def approve_allocation_request(
    request_id: IdPath,
    body: AllocationApprove,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKey = None,
) -> AllocationRequestPublic:
    require_central(user, "Persetujuan permintaan blangko")
    request, shipment = shipments.approve_allocation(
        session=session,
        request_id=request_id,
        quantity=body.quantity,
        expected_on=body.expected_on,
        actor=actor,
        idempotency_key=idempotency_key,
    )
    return request_public(request, shipment.id)


@router.post(
    "/{request_id}/reject",
    response_model=AllocationRequestPublic,
    summary="Reject a request (planner, admin)",
    description="Rejects a pending request with a reason the office will read.",
    responses=problem_responses(404, 409),
)
def reject_allocation_request(
    request_id: IdPath,
    body: AllocationReject,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKey = None,
) -> AllocationRequestPublic:
    require_central(user, "Penolakan permintaan blangko")
    request = shipments.reject_allocation(
        session=session,
        request_id=request_id,
        reason=body.reason,
        actor=actor,
        idempotency_key=idempotency_key,
    )
    return request_public(request, None)
