"""Procurement: blanks from the producer into national stock (planner, admin)."""

from fastapi import APIRouter

from api.deps import ActorDep, IdempotencyKey, SessionDep, UserDep, require_central
from api.errors import problem_responses
from api.schemas import MovementPublic, ProcurementCreate
from api.transaction import TransactionRoute
from blangko import stock
from blangko.models import Movement

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/api/v1/procurements",
    tags=["procurements"],
    responses=problem_responses(401, 403, 409, 422),
)


def movement_public(movement: Movement) -> MovementPublic:
    assert movement.id is not None
    return MovementPublic(
        id=movement.id,
        kind=movement.kind,
        office=movement.office_code,
        business_date=movement.business_date,
        recorded_at=movement.recorded_at,
        source=movement.source,
        note=movement.note,
        reverses_id=movement.reverses_id,
    )


@router.post(
    "",
    response_model=MovementPublic,
    status_code=201,
    summary="Record blanks received into national stock",
    description="Posts `supply → 00.stock`. A mistaken procurement is corrected with "
    "`POST /api/v1/movements/{id}/reverse`.",
)
def record_procurement(
    body: ProcurementCreate,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKey = None,
) -> MovementPublic:
    require_central(user, "Pencatatan pengadaan blangko")
    movement = stock.record_procurement(
        session=session,
        quantity=body.quantity,
        received_on=body.received_on,
        reference=body.reference,
        note=body.note,
        actor=actor,
        idempotency_key=idempotency_key,
    )
    return movement_public(movement)
