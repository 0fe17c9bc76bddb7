"""Corrections by reversal (koreksi): a mirror-image movement that references the
original; entries are never edited or deleted."""

from fastapi import APIRouter

from api.deps import (
    ActorDep,
    IdempotencyKey,
    IdPath,
    SessionDep,
    UserDep,
    require_visible,
    writable_office,
)
from api.errors import problem_responses
from api.routes.procurements import movement_public
from api.schemas import MovementPublic, ReverseRequest
from api.transaction import TransactionRoute
from blangko import checks
from blangko.errors import NotFound
from blangko.ledger import reverse
from blangko.models import Movement
from blangko.offices import local_today

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/api/v1/movements",
    tags=["movements"],
    responses=problem_responses(401, 403, 404, 409, 422),
)


@router.post(
    "/{movement_id}/reverse",
    response_model=MovementPublic,
    status_code=201,
    summary="Reverse a movement (correction)",
    description="Posts the mirror image of a procurement or stock-count movement. Daily "
    "reports are corrected by saving the day again, shipments by cancelling them; those "
    "movements are refused here with `invalid_state`. A movement can be reversed once.",
)
def reverse_movement(
    movement_id: IdPath,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    body: ReverseRequest | None = None,
    idempotency_key: IdempotencyKey = None,
) -> MovementPublic:
    body = body or ReverseRequest()
    original = session.get(Movement, movement_id)
    missing = f"Mutasi #{movement_id} tidak ditemukan."
    if original is None:
        raise NotFound(missing)
    require_visible(session, user, [original.office_code], missing)
    office = writable_office(session, user, original.office_code)
    business_date = local_today(office)
    if body.business_date is not None:
        business_date = checks.not_future(
            office, body.business_date, "business_date", "Tanggal koreksi"
        )
    movement = reverse(
        session=session,
        movement_id=movement_id,
        actor=actor,
        business_date=business_date,
        note=body.note,
        idempotency_key=idempotency_key,
    )
    return movement_public(movement)
