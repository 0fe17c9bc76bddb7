"""Planned procurement (pengadaan terencana): tranches of blanks that the planners have
budgeted (``planned``) or contracted (``ordered``) from the producer but that are not yet
in national stock. Receiving one posts the procurement movement through
``stock.record_procurement``, so the ledger, its idempotency and its invariants stay one
code path. ``cancelled`` is final; so is ``received`` by hand, with one exception:
reversing the procurement movement (``ledger.reverse``, ``ledger._reopen_tranche``) makes
the tranche ``ordered`` again, as its blanks are no longer in stock. Issue 13 item 2."""

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from blangko import checks, fields, idempotency, paging, stock
from blangko.errors import InvalidState, NotFound, ValidationFailed
from blangko.fmt import day, number
from blangko.ledger import Actor
from blangko.models import Entry, PlannedProcurement, TrancheStatus, utcnow

# Tranches still to come: the national projection counts them on their expected date. A
# new tranche starts in one of them (budgeted or already contracted); it becomes received
# only by receiving it, which posts the movement.
OPEN = (TrancheStatus.planned, TrancheStatus.ordered)
# The status changes a planner may make by hand (receiving is ``receive``). ``received``
# has none by hand; reversing its procurement movement is the one way back (to
# ``ordered``, in ``ledger._reopen_tranche``): a mistaken receipt is undone in the ledger,
# where the blanks left the stock, not by relabelling the tranche.
TRANSITIONS: dict[TrancheStatus, frozenset[TrancheStatus]] = {
    TrancheStatus.planned: frozenset({TrancheStatus.ordered, TrancheStatus.cancelled}),
    TrancheStatus.ordered: frozenset({TrancheStatus.cancelled}),
    TrancheStatus.received: frozenset(),
    TrancheStatus.cancelled: frozenset(),
}
REOPEN_HINT = (
    "Penerimaan yang keliru dibatalkan dengan membalikkan mutasi pengadaannya "
    "(POST /api/v1/movements/{id}/reverse): tahap kembali berstatus dipesan."
)
LABELS = {
    TrancheStatus.planned: "direncanakan",
    TrancheStatus.ordered: "dipesan",
    TrancheStatus.received: "diterima",
    TrancheStatus.cancelled: "dibatalkan",
}


def transition_error(current: TrancheStatus, wanted: TrancheStatus) -> str | None:
    """Why a tranche in ``current`` cannot be set to ``wanted`` by hand, or None."""
    if wanted in TRANSITIONS[current]:
        return None
    if current is TrancheStatus.received:
        return f"sudah {LABELS[current]}; statusnya tidak dapat diubah lagi. {REOPEN_HINT}"
    if current is TrancheStatus.cancelled:
        return f"sudah {LABELS[current]}; statusnya tidak dapat diubah lagi"
    if wanted is TrancheStatus.received:
        return "diterima lewat penerimaan (tanggal terima dan jumlah), bukan dengan mengubah status"
    if wanted is current:
        return f"sudah berstatus {LABELS[current]}"
    return f"berstatus {LABELS[current]} dan tidak dapat kembali menjadi {LABELS[wanted]}"


def open_tranches(*, session: Session) -> list[PlannedProcurement]:
    """Tranches planned or ordered and not yet received, soonest expected first."""
    return list(
        session.exec(
            select(PlannedProcurement)
            .where(col(PlannedProcurement.status).in_(OPEN))
            .order_by(col(PlannedProcurement.expected_on), col(PlannedProcurement.id))
        )
    )


def closed_tranches(*, session: Session, limit: int = 30) -> list[PlannedProcurement]:
    """Tranches received or cancelled, the latest change first."""
    return list(
        session.exec(
            select(PlannedProcurement)
            .where(col(PlannedProcurement.status).not_in(OPEN))
            .order_by(col(PlannedProcurement.updated_at).desc(), col(PlannedProcurement.id).desc())
            .limit(limit)
        )
    )


def tranche_page(
    *,
    session: Session,
    status: TrancheStatus | None = None,
    offset: int = 0,
    limit: int = paging.DEFAULT_LIMIT,
) -> paging.Page[PlannedProcurement]:
    """Tranches by expected date (then as recorded), optionally of one status."""
    query = select(PlannedProcurement)
    if status is not None:
        query = query.where(PlannedProcurement.status == status)
    query = query.order_by(col(PlannedProcurement.expected_on), col(PlannedProcurement.id))
    return paging.page_of(session, query, offset=offset, limit=limit)


def get_tranche(*, session: Session, tranche_id: int, lock: bool = False) -> PlannedProcurement:
    query = select(PlannedProcurement).where(PlannedProcurement.id == tranche_id)
    if lock:
        query = query.with_for_update()
    tranche = session.exec(query).first()
    if tranche is None:
        raise NotFound(f"Tahap pengadaan #{tranche_id} tidak ditemukan.")
    return tranche


def received_quantities(*, session: Session, tranches: list[PlannedProcurement]) -> dict[int, int]:
    """What each received tranche brought into national stock (its movement's quantity,
    which may differ from the quantity planned), by tranche id."""
    by_movement = {t.movement_id: t.id for t in tranches if t.movement_id and t.id}
    if not by_movement:
        return {}
    rows = session.execute(
        sa.select(col(Entry.movement_id), sa.func.sum(col(Entry.quantity)))
        .where(col(Entry.movement_id).in_(by_movement))
        .group_by(col(Entry.movement_id))
    ).all()
    return {by_movement[movement_id]: int(total) for movement_id, total in rows}


def record_tranche(
    *,
    session: Session,
    quantity: int,
    expected_on: date,
    reference: str,
    actor: Actor,
    status: TrancheStatus | str = TrancheStatus.planned,
    note: str = "",
    idempotency_key: str | None = None,
) -> PlannedProcurement:
    """A tranche budgeted or ordered, expected into national stock on ``expected_on``;
    ``status`` as chosen (a form's text too): any other is refused here, once."""
    payload = {
        "quantity": quantity,
        "expected_on": expected_on,
        "reference": reference,
        "status": str(status),
        "note": note,
    }
    if (done := idempotency.replay(session, idempotency_key, "tranche", payload)) is not None:
        return get_tranche(session=session, tranche_id=done)
    checks.positive(quantity, "quantity", "Jumlah blangko")
    fields.check_day(expected_on, field="expected_on", label="Perkiraan tiba")
    reference = checks.text(
        reference,
        "reference",
        "Nomor referensi",
        required=True,
        max_length=fields.REFERENCE_MAX_LENGTH,
    )
    note = fields.check_note(note)
    if status not in OPEN:
        named = LABELS[TrancheStatus(status)] if status in LABELS else status
        raise ValidationFailed(
            f"Tahap pengadaan baru berstatus direncanakan (planned) atau dipesan (ordered), "
            f"bukan {named}. Tahap yang sudah tiba dicatat lalu diterima, agar blangkonya "
            "masuk ke stok nasional.",
            field="status",
        )
    status = TrancheStatus(status)
    tranche = PlannedProcurement(
        quantity=quantity,
        expected_on=expected_on,
        reference=reference,
        note=note,
        status=status,
        created_by=actor.user_id,
    )
    session.add(tranche)
    session.flush()
    idempotency.remember(session, idempotency_key, "tranche", payload, tranche.id)
    return tranche


def change_status(
    *,
    session: Session,
    tranche_id: int,
    status: TrancheStatus,
    actor: Actor,
    reason: str = "",
    idempotency_key: str | None = None,
) -> PlannedProcurement:
    """Marks a planned tranche ordered (contract signed), or cancels a planned or ordered
    one; a cancellation's reason is added to the note."""
    payload = {"tranche": tranche_id, "status": str(status), "reason": reason}
    if (
        done := idempotency.replay(session, idempotency_key, "tranche_status", payload)
    ) is not None:
        return get_tranche(session=session, tranche_id=done)
    tranche = get_tranche(session=session, tranche_id=tranche_id, lock=True)
    problem = transition_error(tranche.status, status)
    if problem:
        raise InvalidState(f"Tahap pengadaan #{tranche_id} ({tranche.reference}) {problem}.")
    reason = fields.check_note(reason, field="reason", label="Alasan")
    if reason:
        tranche.note = _with_sentence(tranche.note, f"Dibatalkan: {reason}")
    tranche.status = status
    tranche.updated_at = utcnow()
    session.add(tranche)
    session.flush()
    idempotency.remember(session, idempotency_key, "tranche_status", payload, tranche.id)
    return tranche


def receive(
    *,
    session: Session,
    tranche_id: int,
    received_on: date,
    actor: Actor,
    quantity: int | None = None,
    idempotency_key: str | None = None,
) -> PlannedProcurement:
    """The tranche arrived: posts the procurement (``supply → 00.stock``) dated
    ``received_on`` and marks the tranche received with its movement.

    ``quantity`` is what arrived, the planned quantity when left out. A different quantity
    is allowed (the producer delivered more or less than contracted): the movement carries
    what arrived, its note says both, and the tranche keeps the quantity planned."""
    payload = {"tranche": tranche_id, "received_on": received_on, "quantity": quantity}
    if (
        done := idempotency.replay(session, idempotency_key, "tranche_receive", payload)
    ) is not None:
        return get_tranche(session=session, tranche_id=done)
    tranche = get_tranche(session=session, tranche_id=tranche_id, lock=True)
    if tranche.status not in OPEN:
        raise InvalidState(
            f"Tahap pengadaan #{tranche_id} ({tranche.reference}) sudah "
            f"{LABELS[tranche.status]} dan tidak dapat diterima lagi."
            + (
                f" Penerimaannya tercatat pada {day(tranche.received_on)} (mutasi "
                f"#{tranche.movement_id}). {REOPEN_HINT}"
                if tranche.received_on
                else ""
            )
        )
    arrived = tranche.quantity if quantity is None else quantity
    checks.positive(arrived, "quantity", "Jumlah diterima")
    note = f"Pengadaan {tranche.reference} (tahap #{tranche_id})"
    if arrived != tranche.quantity:
        note += f": diterima {number(arrived)} dari {number(tranche.quantity)} yang direncanakan"
    movement = stock.record_procurement(
        session=session,
        quantity=arrived,
        received_on=received_on,
        reference=tranche.reference,
        actor=actor,
        note=note,
    )
    tranche.status = TrancheStatus.received
    tranche.received_on = received_on
    tranche.movement_id = movement.id
    tranche.updated_at = utcnow()
    session.add(tranche)
    session.flush()
    idempotency.remember(session, idempotency_key, "tranche_receive", payload, tranche.id)
    return tranche


def _with_sentence(note: str, sentence: str) -> str:
    """``note`` followed by ``sentence``, the note shortened to fit the column."""
    room = fields.NOTE_MAX_LENGTH - len(sentence) - 3
    kept = note if len(note) <= room else note[: max(room - 1, 0)] + "…"
    return f"{kept} · {sentence}" if kept else sentence[: fields.NOTE_MAX_LENGTH]
