"""Procurement into national stock, physical stock counts, and each office's stock
position (on hand, in transit, backlog)."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from blangko import checks, idempotency, ledger, postings
from blangko.errors import InsufficientStock, InvalidState
from blangko.fmt import day, number
from blangko.ledger import Actor
from blangko.models import (
    Account,
    AccountKind,
    DailyReport,
    Entry,
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
    """A physical count (stock opname): the difference to the book on the count's date
    becomes an adjustment dated that day.

    A count records what was on the shelf that day, so it is compared with the stock card's
    balance at the end of that day, not with today's book. Movements dated later keep their
    quantities; a count that would take any later running balance below zero contradicts
    them and is refused (``insufficient_stock``) with the dates to check, and so is a
    count that would move the balance a later count already confirmed (``invalid_state``)."""
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
    book_on = stock_book_on(session=session, office_code=office_code, on=counted_on)
    book = book_on.quantity
    legs = postings.stock_count(office_code, book, counted_quantity)
    if legs:
        _refuse_count_before_a_later_count(session, office_code, counted_on)
        _refuse_contradicted_count(book_on, counted_quantity)
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


@dataclass(frozen=True)
class BookOnDate:
    """An office's stock book at the end of a past day (saldo buku per tanggal), and the
    running balances of the stock card after that day."""

    office_code: str
    on: date
    quantity: int
    later: list[tuple[date, int]]  # (business date, running balance) of each later entry

    def lowest_later(self) -> tuple[date, int] | None:
        """The first later line with the lowest running balance."""
        return min(self.later, key=lambda line: line[1], default=None)

    @property
    def latest_on(self) -> date:
        return self.later[-1][0] if self.later else self.on


def stock_book_on(*, session: Session, office_code: str, on: date) -> BookOnDate:
    """The stock card's balance after every entry dated ``on`` or earlier: today's book less
    the entries dated later (usually none, so this reads almost nothing)."""
    ref = (office_code, AccountKind.stock)
    account_id = ledger.account_ids(session=session, refs=[ref])[ref]
    is_in = col(Entry.to_account_id) == account_id
    rows = session.execute(
        sa.select(
            col(Movement.business_date),
            sa.case((is_in, col(Entry.quantity)), else_=-col(Entry.quantity)),
        )
        .join(Movement, col(Movement.id) == col(Entry.movement_id))
        .where(
            sa.or_(is_in, col(Entry.from_account_id) == account_id),
            col(Movement.business_date) > on,
        )
        # The stock card's order (ledger.stock_card).
        .order_by(
            col(Movement.business_date),
            col(Movement.recorded_at),
            col(Movement.id),
            col(Entry.id),
        )
    ).all()
    today = ledger.balance(session=session, office_code=office_code, kind=AccountKind.stock)
    running = book = today - sum(int(change) for _, change in rows)
    later = []
    for business_date, change in rows:
        running += int(change)
        later.append((business_date, running))
    return BookOnDate(office_code=office_code, on=on, quantity=book, later=later)


def _refuse_count_before_a_later_count(session: Session, office_code: str, on: date) -> None:
    """An adjustment dated before a later count (not reversed) would shift the balance that
    count confirmed on its day."""
    reversed_ids = sa.select(col(Movement.reverses_id)).where(
        col(Movement.reverses_id).is_not(None)
    )
    later = session.execute(
        sa.select(sa.func.max(col(StockCount.counted_on))).where(
            col(StockCount.office_code) == office_code,
            col(StockCount.counted_on) > on,
            sa.or_(
                col(StockCount.movement_id).is_(None),
                col(StockCount.movement_id).not_in(reversed_ids),
            ),
        )
    ).scalar()
    if later is not None:
        raise InvalidState(
            f"Stock opname tanggal {day(later)} sudah tercatat dan mencocokkan buku hari itu. "
            f"Hitungan tanggal {day(on)} akan mengubah saldo yang sudah dicocokkan itu: catat "
            f"hitungan dengan tanggal {day(later)} atau sesudahnya, atau balik dulu opname "
            f"{day(later)} bila opname itu keliru.",
            office=office_code,
            field="counted_on",
        )


def _refuse_contradicted_count(book_on: BookOnDate, counted: int) -> None:
    """A count below the book of its day lowers every later line of the stock card too;
    refused when one of them would drop below zero (the later movements used blanks the
    count says were not there)."""
    change = counted - book_on.quantity
    lowest = book_on.lowest_later()
    if change >= 0 or lowest is None or lowest[1] + change >= 0:
        return
    lowest_on, lowest_balance = lowest
    raise InsufficientStock(
        f"Hasil hitung {number(counted)} keping pada {day(book_on.on)} lebih sedikit "
        f"{number(-change)} keping dari buku hari itu ({number(book_on.quantity)} keping), "
        f"padahal mutasi sesudahnya (terakhir {day(book_on.latest_on)}) sudah memakai "
        f"blangko itu: saldo kartu stok pada {day(lowest_on)} akan kurang "
        f"{number(-(lowest_balance + change))} keping. Periksa laporan harian dan "
        f"penerimaan sesudah {day(book_on.on)}, atau catat hitungan dengan tanggal "
        f"{day(book_on.latest_on)} atau sesudahnya.",
        office=book_on.office_code,
        on_hand=book_on.quantity,
        requested=-change,
        field="counted_on",
    )


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
