"""Procurement into national stock, physical stock counts, and each office's stock
position (on hand, in transit, backlog)."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from blangko import checks, idempotency, ledger, postings
from blangko.errors import InvalidState
from blangko.ledger import Actor
from blangko.models import (
    Account,
    AccountKind,
    DailyReport,
    Movement,
    MovementKind,
    Office,
    Shipment,
    ShipmentStatus,
    StockCount,
    utcnow,
)
from blangko.offices import NATIONAL, get_office


def record_procurement(
    *,
    session: Session,
    quantity: int,
    received_on: date,
    reference: str,
    actor: Actor,
    note: str = "",
    idempotency_key: str | None = None,
) -> Movement:
    """Blanks from the producer into national stock (pengadaan)."""
    payload = {
        "quantity": quantity,
        "received_on": received_on,
        "reference": reference,
        "note": note,
    }
    if (done := idempotency.replay(session, idempotency_key, "procurement", payload)) is not None:
        return session.get_one(Movement, done)
    national = get_office(session=session, code=NATIONAL)
    checks.positive(quantity, "quantity", "Jumlah blangko")
    checks.not_future(national, received_on, "received_on", "Tanggal terima")
    reference = checks.text(
        reference, "reference", "Nomor referensi", required=True, max_length=100
    )
    movement = ledger.post(
        session=session,
        kind=MovementKind.procurement,
        office_code=NATIONAL,
        business_date=received_on,
        legs=postings.procurement(NATIONAL, quantity),
        actor=actor,
        note=note or f"Pengadaan {reference}",
        idempotency_key=idempotency_key,
    )
    idempotency.remember(session, idempotency_key, "procurement", payload, movement.id)
    return movement


def record_stock_count(
    *,
    session: Session,
    office_code: str,
    counted_quantity: int,
    counted_on: date,
    actor: Actor,
    note: str = "",
    idempotency_key: str | None = None,
) -> StockCount:
    """A physical count (stock opname): the difference to the book becomes an adjustment."""
    payload = {
        "office": office_code,
        "counted_quantity": counted_quantity,
        "counted_on": counted_on,
        "note": note,
    }
    if (done := idempotency.replay(session, idempotency_key, "stock_count", payload)) is not None:
        return session.get_one(StockCount, done)
    office = get_office(session=session, code=office_code)
    checks.non_negative(counted_quantity, "counted_quantity", "Jumlah hasil hitung")
    checks.not_future(office, counted_on, "counted_on", "Tanggal hitung")
    note = checks.text(note, "note", "Catatan", required=False, max_length=500)
    lock_stock(session=session, office_code=office_code)
    book = ledger.balance(session=session, office_code=office_code, kind=AccountKind.stock)
    legs = postings.stock_count(office_code, book, counted_quantity)
    movement = None
    if legs:
        movement = ledger.post(
            session=session,
            kind=MovementKind.stock_count,
            office_code=office_code,
            business_date=counted_on,
            legs=legs,
            actor=actor,
            note=note or f"Stock opname: buku {book}, hitung {counted_quantity}",
            idempotency_key=idempotency_key,
        )
    count = StockCount(
        office_code=office_code,
        counted_on=counted_on,
        counted_quantity=counted_quantity,
        book_quantity=book,
        note=note,
        movement_id=movement.id if movement else None,
        recorded_by=actor.user_id,
    )
    session.add(count)
    session.flush()
    idempotency.remember(session, idempotency_key, "stock_count", payload, count.id)
    return count


def lock_stock(*, session: Session, office_code: str) -> None:
    """Serialises writers of one office for read-then-write services (PostgreSQL row
    lock; SQLite write transactions are serial already, so nothing to do there)."""
    if session.get_bind().dialect.name == "sqlite":
        return
    session.execute(
        sa.select(col(Account.id))
        .where(col(Account.office_code) == office_code, col(Account.kind) == AccountKind.stock)
        .with_for_update()
    )


@dataclass(frozen=True)
class OfficeStock:
    """Stock position of one office (posisi stok)."""

    office_code: str
    on_hand: int
    in_transit_in: int
    in_transit_out: int
    backlog: int
    as_of: datetime


def office_stock(*, session: Session, office_code: str) -> OfficeStock:
    get_office(session=session, code=office_code)
    rows = stock_positions(session=session, office_codes=[office_code])
    return rows[office_code]


def stock_positions(
    *, session: Session, office_codes: list[str] | None = None
) -> dict[str, OfficeStock]:
    """Stock positions of many offices in four queries."""
    codes_filter = [] if office_codes is None else [col(Office.code).in_(office_codes)]
    codes = [c for c in session.exec(select(Office.code).where(*codes_filter)).all()]
    acc = session.execute(
        sa.select(col(Account.office_code), col(Account.kind), col(Account.balance)).where(
            col(Account.kind).in_([AccountKind.stock, AccountKind.transit]),
            *([col(Account.office_code).in_(office_codes)] if office_codes else []),
        )
    ).all()
    on_hand = {o: b for o, k, b in acc if k is AccountKind.stock}
    out = {o: b for o, k, b in acc if k is AccountKind.transit}
    incoming: dict[str, int] = dict(
        session.execute(
            sa.select(col(Shipment.to_office), sa.func.sum(col(Shipment.quantity)))
            .where(col(Shipment.status) == ShipmentStatus.in_transit)
            .group_by(col(Shipment.to_office))
        ).all()
    )
    # The backlog of each office's latest current report: one index lookup per office
    # (a GROUP BY over every report would read years of history).
    latest_backlog = (
        sa.select(col(DailyReport.backlog))
        .where(col(DailyReport.office_code) == Office.code, col(DailyReport.is_current))
        .order_by(col(DailyReport.report_date).desc())
        .limit(1)
        .correlate(Office)
        .scalar_subquery()
    )
    backlog: dict[str, int] = {
        code: value
        for code, value in session.execute(
            sa.select(col(Office.code), latest_backlog).where(*codes_filter)
        ).all()
        if value is not None
    }
    now = utcnow()
    return {
        code: OfficeStock(
            office_code=code,
            on_hand=int(on_hand.get(code, 0)),
            in_transit_in=int(incoming.get(code, 0) or 0),
            in_transit_out=int(out.get(code, 0)),
            backlog=int(backlog.get(code, 0)),
            as_of=now,
        )
        for code in codes
    }


def refuse_national(office: Office, what: str) -> None:
    if office.code == NATIONAL:
        raise InvalidState(f"{what} tidak dicatat untuk Ditjen Dukcapil (00), hanya untuk Dinas.")
