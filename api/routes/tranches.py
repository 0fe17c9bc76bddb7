"""Planned procurement: tranches budgeted or ordered from the producer, not yet in
national stock; receiving one posts the procurement (planner, admin). Issue 13 item 2."""

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
    require_central,
)
from api.errors import problem_responses
from api.schemas import (
    PlannedProcurementCancel,
    PlannedProcurementCreate,
    PlannedProcurementPage,
    PlannedProcurementPublic,
    PlannedProcurementReceive,
)
from api.transaction import TransactionRoute
from blangko import paging, tranches
from blangko.models import PlannedProcurement, TrancheStatus

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/api/v1/procurements/planned",
    tags=["procurements"],
    responses=problem_responses(401, 403, 422),
)
ACTION = "Pengadaan terencana"  # "… hanya dapat dilakukan oleh perencana pusat …"


def tranche_public(
    tranche: PlannedProcurement, received: dict[int, int]
) -> PlannedProcurementPublic:
    assert tranche.id is not None
    return PlannedProcurementPublic(
        id=tranche.id,
        quantity=tranche.quantity,
        expected_on=tranche.expected_on,
        reference=tranche.reference,
        note=tranche.note,
        status=tranche.status,
        created_at=tranche.created_at,
        updated_at=tranche.updated_at,
        received_on=tranche.received_on,
        received_quantity=received.get(tranche.id),
        movement_id=tranche.movement_id,
    )


def _one(session: Session, tranche: PlannedProcurement) -> PlannedProcurementPublic:
    received = tranches.received_quantities(session=session, tranches=[tranche])
    return tranche_public(tranche, received)


@router.get(
    "",
    response_model=PlannedProcurementPage,
    summary="List procurement tranches",
    description="Tranches by expected date, optionally of one status: `planned` and "
    "`ordered` are still to come (the national projection counts them), `received` ones "
    "name their procurement movement.",
)
def list_planned_procurements(
    session: SessionDep,
    user: UserDep,
    status: TrancheStatus | None = Query(default=None),
    limit: Limit = paging.DEFAULT_LIMIT,
    offset: Offset = 0,
) -> PlannedProcurementPage:
    require_central(user, ACTION)
    page = tranches.tranche_page(session=session, status=status, offset=offset, limit=limit)
    received = tranches.received_quantities(session=session, tranches=page.items)
    return PlannedProcurementPage(
        items=[tranche_public(t, received) for t in page.items], total=page.total, next=page.next
    )


@router.post(
    "",
    response_model=PlannedProcurementPublic,
    status_code=201,
    summary="Record a procurement tranche",
    description="A tranche budgeted (`planned`) or contracted (`ordered`), expected into "
    "national stock on `expected_on`. Nothing is posted to the ledger until it is received.",
    responses=problem_responses(409),
)
def create_planned_procurement(
    body: PlannedProcurementCreate,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKey = None,
) -> PlannedProcurementPublic:
    require_central(user, ACTION)
    tranche = tranches.record_tranche(
        session=session,
        quantity=body.quantity,
        expected_on=body.expected_on,
        reference=body.reference,
        status=TrancheStatus(body.status),
        note=body.note,
        actor=actor,
        idempotency_key=idempotency_key,
    )
    return _one(session, tranche)


@router.get(
    "/{tranche_id}",
    response_model=PlannedProcurementPublic,
    summary="Read a procurement tranche",
    responses=problem_responses(404),
)
def get_planned_procurement(
    tranche_id: IdPath, session: SessionDep, user: UserDep
) -> PlannedProcurementPublic:
    require_central(user, ACTION)
    return _one(session, tranches.get_tranche(session=session, tranche_id=tranche_id))


@router.post(
    "/{tranche_id}/order",
    response_model=PlannedProcurementPublic,
    summary="Mark a planned tranche ordered",
    description="The contract is signed: `planned` becomes `ordered`. Any other status is "
    "refused with `invalid_state`.",
    responses=problem_responses(404, 409),
)
def order_planned_procurement(
    tranche_id: IdPath,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKey = None,
) -> PlannedProcurementPublic:
    require_central(user, ACTION)
    tranche = tranches.change_status(
        session=session,
        tranche_id=tranche_id,
        status=TrancheStatus.ordered,
        actor=actor,
        idempotency_key=idempotency_key,
    )
    return _one(session, tranche)


@router.post(
    "/{tranche_id}/cancel",
    response_model=PlannedProcurementPublic,
    summary="Cancel a tranche",
    description="A `planned` or `ordered` tranche will not come (budget moved, contract "
    "ended); the reason is added to its note. Received and cancelled tranches are final "
    "(`invalid_state`); a received one is corrected by reversing its movement.",
    responses=problem_responses(404, 409),
)
def cancel_planned_procurement(
    tranche_id: IdPath,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    body: PlannedProcurementCancel | None = None,
    idempotency_key: IdempotencyKey = None,
) -> PlannedProcurementPublic:
    require_central(user, ACTION)
    tranche = tranches.change_status(
        session=session,
        tranche_id=tranche_id,
        status=TrancheStatus.cancelled,
        reason=(body or PlannedProcurementCancel()).reason,
        actor=actor,
        idempotency_key=idempotency_key,
    )
    return _one(session, tranche)


@router.post(
    "/{tranche_id}/receive",
    response_model=PlannedProcurementPublic,
    summary="Receive a tranche into national stock",
    description="Posts the procurement (`supply → 00.stock`) dated `received_on` with the "
    "quantity that arrived (the planned one when left out) and marks the tranche "
    "`received`; `movement_id` names the movement. Reversing that movement "
    "(`POST /api/v1/movements/{id}/reverse`) makes the tranche `ordered` again.",
    responses=problem_responses(404, 409),
)
def receive_planned_procurement(
    tranche_id: IdPath,
    body: PlannedProcurementReceive,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKey = None,
) -> PlannedProcurementPublic:
    require_central(user, ACTION)
    tranche = tranches.receive(
        session=session,
        tranche_id=tranche_id,
        received_on=body.received_on,
        quantity=body.quantity,
        actor=actor,
        idempotency_key=idempotency_key,
    )
    return _one(session, tranche)
