"""The ledger: posting movements, balances, the stock card (kartu stok) and reversals.

Every posting updates the cached balances with one conditional ``UPDATE`` per account
(``balance + delta`` only where the result stays non-negative), inside the caller's
transaction. The row update is atomic on both databases, so concurrent writers can
neither lose an update nor take a stock below zero; a refused posting raises before the
movement exists and the caller's transaction is rolled back whole.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from blangko import idempotency, postings
from blangko.errors import InsufficientStock, InvalidState, NotFound
from blangko.fmt import number
from blangko.models import (
    Account,
    AccountKind,
    Entry,
    Movement,
    MovementKind,
    PlannedProcurement,
    Source,
    TrancheStatus,
    utcnow,
)
from blangko.postings import AccountRef, Leg


@dataclass(frozen=True)
class Actor:
    """Who records a movement and through which channel."""

    user_id: int | None
    source: Source


SYSTEM = Actor(user_id=None, source=Source.cli)


ACCOUNTS = Account.__table__  # type: ignore[attr-defined]
ENTRIES = Entry.__table__  # type: ignore[attr-defined]


def account_ids(*, session: Session, refs: Iterable[AccountRef]) -> dict[AccountRef, int]:
    """The ids of the accounts ``refs``; refuses when an office has no ledger accounts."""
    wanted = set(refs)
    offices = {office for office, _ in wanted}
    rows = session.execute(
        sa.select(ACCOUNTS.c.office_code, ACCOUNTS.c.kind, ACCOUNTS.c.id).where(
            ACCOUNTS.c.office_code.in_(offices)
        )
    ).all()
    found = {(office, AccountKind(kind)): id_ for office, kind, id_ in rows}
    missing = wanted - found.keys()
    if missing:
        office = sorted(missing)[0][0]
        raise NotFound(f"Kantor '{office}' belum punya akun buku stok. Jalankan 'blangko seed'.")
    return {ref: found[ref] for ref in wanted}


def post(
    *,
    session: Session,
    kind: MovementKind,
    office_code: str,
    business_date: date,
    legs: Sequence[Leg],
    actor: Actor,
    note: str = "",
    idempotency_key: str | None = None,
    reverses_id: int | None = None,
    recorded_at: datetime | None = None,
) -> Movement:
    """Records one movement and its entries and updates the cached balances.

    Balances and entries are written with Core statements: this is the hot path of
    every write, and the entries are never needed as objects afterwards."""
    ids = account_ids(session=session, refs=[r for leg in legs for r in (leg.source, leg.target)])
    changes = postings.net_changes(legs)
    # A fixed order of row locks keeps concurrent PostgreSQL writers free of deadlocks.
    for ref in sorted(changes, key=ids.__getitem__):
        if changes[ref]:
            _apply(session, ref, ids[ref], changes[ref])
    movement = Movement(
        kind=kind,
        office_code=office_code,
        business_date=business_date,
        recorded_at=recorded_at or utcnow(),
        recorded_by=actor.user_id,
        source=actor.source,
        note=note,
        idempotency_key=idempotency_key,
        reverses_id=reverses_id,
    )
    session.add(movement)
    session.flush()
    assert movement.id is not None
    session.execute(
        sa.insert(ENTRIES),
        [
            {
                "movement_id": movement.id,
                "from_account_id": ids[leg.source],
                "to_account_id": ids[leg.target],
                "quantity": leg.quantity,
            }
            for leg in legs
        ],
    )
    return movement


# ``supply`` is the producer; ``adjustment`` is the counterpart of stock-count differences,
# so a count above the book draws found blanks from it and its balance is the net of all
# differences, of either sign. Every other account stays non-negative.
MAY_GO_NEGATIVE = frozenset({AccountKind.supply, AccountKind.adjustment})


def _apply(session: Session, ref: AccountRef, account_id: int, delta: int) -> None:
    office_code, kind = ref
    stmt = (
        sa.update(ACCOUNTS)
        .where(ACCOUNTS.c.id == account_id)
        .values(balance=ACCOUNTS.c.balance + delta)
    )
    if delta < 0 and kind not in MAY_GO_NEGATIVE:
        stmt = stmt.where(ACCOUNTS.c.balance >= -delta)
    if session.execute(stmt).rowcount == 1:  # type: ignore[attr-defined]
        return
    have = balance(session=session, office_code=office_code, kind=kind)
    if kind is AccountKind.stock:
        raise InsufficientStock(
            f"Stok blangko kantor {office_code} tinggal {number(have)} keping, "
            f"tidak cukup untuk {number(-delta)} keping. Periksa angka yang diisi, "
            "catat penerimaan kiriman yang sudah tiba, atau ajukan permintaan blangko.",
            office=office_code,
            on_hand=have,
            requested=-delta,
        )
    raise InvalidState(
        f"Saldo akun {kind} kantor {office_code} tinggal {number(have)}, "
        f"tidak cukup untuk dikurangi {number(-delta)}.",
        office=office_code,
    )


def balance(*, session: Session, office_code: str, kind: AccountKind) -> int:
    value = session.execute(
        sa.select(col(Account.balance)).where(
            col(Account.office_code) == office_code, col(Account.kind) == kind
        )
    ).scalar_one_or_none()
    return int(value or 0)


def balances(*, session: Session, office_code: str) -> dict[AccountKind, int]:
    rows = session.exec(select(Account).where(Account.office_code == office_code)).all()
    return {a.kind: a.balance for a in rows}


def legs_of(*, session: Session, movement_id: int) -> list[Leg]:
    src, dst = aliased(Account), aliased(Account)
    rows = session.execute(
        sa.select(
            col(src.office_code),
            col(src.kind),
            col(dst.office_code),
            col(dst.kind),
            col(Entry.quantity),
        )
        .join(src, col(src.id) == col(Entry.from_account_id))
        .join(dst, col(dst.id) == col(Entry.to_account_id))
        .where(col(Entry.movement_id) == movement_id)
        .order_by(col(Entry.id))
    ).all()
    return [Leg((a, b), (c, d), q) for a, b, c, d, q in rows]


# Movements tied to a shipment or a daily report are corrected through those (cancel,
# a new report); a generic reversal would leave them inconsistent.
REVERSIBLE = {MovementKind.procurement, MovementKind.stock_count}


def reverse(
    *,
    session: Session,
    movement_id: int,
    actor: Actor,
    business_date: date,
    note: str = "",
    idempotency_key: str | None = None,
    check_kind: bool = True,
) -> Movement:
    """Posts the mirror image of a movement that references it (koreksi)."""
    payload = {"movement_id": movement_id, "note": note}
    if (done := idempotency.replay(session, idempotency_key, "reverse", payload)) is not None:
        return _movement(session, done)
    original = _movement(session, movement_id, lock=True)
    if check_kind and original.kind not in REVERSIBLE:
        raise InvalidState(
            f"Mutasi #{movement_id} ({original.kind}) tidak dapat dibalik langsung. "
            "Koreksi laporan harian dengan menyimpan ulang laporannya; kiriman dibatalkan "
            "lewat tombol batal."
        )
    already = session.exec(select(Movement.id).where(Movement.reverses_id == movement_id)).first()
    if already is not None:
        raise InvalidState(f"Mutasi #{movement_id} sudah dibalik oleh mutasi #{already}.")
    movement = post(
        session=session,
        kind=MovementKind.reversal,
        office_code=original.office_code,
        business_date=business_date,
        legs=postings.reversal(legs_of(session=session, movement_id=movement_id)),
        actor=actor,
        note=note or f"Pembalikan mutasi #{movement_id}",
        idempotency_key=idempotency_key,
        reverses_id=movement_id,
    )
    if original.kind is MovementKind.procurement:
        _reopen_tranche(session, movement_id)
    idempotency.remember(session, idempotency_key, "reverse", payload, movement.id)
    return movement


def _reopen_tranche(session: Session, movement_id: int) -> None:
    """A reversed procurement that received a planned tranche (``blangko.tranches``) puts
    the tranche back to ``ordered``: its blanks are no longer in national stock, so it is
    expected again (the national projection counts it) and can be received anew: the one
    way out of ``received``, which ``tranches.TRANSITIONS`` keeps final by hand. The
    reversal itself names the movement it undoes."""
    session.execute(
        sa.update(PlannedProcurement)
        .where(col(PlannedProcurement.movement_id) == movement_id)
        .values(
            status=TrancheStatus.ordered, received_on=None, movement_id=None, updated_at=utcnow()
        )
    )


def _movement(session: Session, movement_id: int, lock: bool = False) -> Movement:
    query = select(Movement).where(Movement.id == movement_id)
    if lock:
        query = query.with_for_update()
    movement = session.exec(query).first()
    if movement is None:
        raise NotFound(f"Mutasi #{movement_id} tidak ditemukan.")
    return movement


@dataclass(frozen=True)
class CardLine:
    """One line of the stock card: an entry on the office's stock account."""

    entry_id: int
    movement_id: int
    movement_kind: MovementKind
    business_date: date
    recorded_at: datetime
    source: Source
    note: str
    counterparty: str
    counterparty_account: AccountKind
    quantity_in: int
    quantity_out: int
    balance: int


@dataclass(frozen=True)
class StockCard:
    lines: list[CardLine]
    total: int
    opening_balance: int
    closing_balance: int


def stock_card(
    *,
    session: Session,
    office_code: str,
    date_from: date | None = None,
    date_to: date | None = None,
    offset: int = 0,
    limit: int = 100,
) -> StockCard:
    """Entries on the office's stock account ordered by business date, then recording
    time, with the running balance after each."""
    stock = (office_code, AccountKind.stock)
    account_id = account_ids(session=session, refs=[stock])[stock]
    other = aliased(Account)
    is_in = col(Entry.to_account_id) == account_id
    qty_in = sa.case((is_in, Entry.quantity), else_=0)
    qty_out = sa.case((is_in, 0), else_=Entry.quantity)
    order = (
        col(Movement.business_date),
        col(Movement.recorded_at),
        col(Movement.id),
        col(Entry.id),
    )
    running = sa.func.sum(qty_in - qty_out).over(order_by=order)
    inner = (
        sa.select(
            col(Entry.id).label("entry_id"),
            col(Movement.id).label("movement_id"),
            col(Movement.kind).label("kind"),
            col(Movement.business_date).label("business_date"),
            col(Movement.recorded_at).label("recorded_at"),
            col(Movement.source).label("source"),
            col(Movement.note).label("note"),
            col(other.office_code).label("counterparty"),
            col(other.kind).label("counterparty_account"),
            qty_in.label("qty_in"),
            qty_out.label("qty_out"),
            running.label("balance"),
        )
        .join(Movement, col(Movement.id) == Entry.movement_id)
        .join(
            other,
            col(other.id) == sa.case((is_in, Entry.from_account_id), else_=Entry.to_account_id),
        )
        .where(
            sa.or_(
                col(Entry.to_account_id) == account_id,
                col(Entry.from_account_id) == account_id,
            )
        )
        .subquery()
    )
    in_range = []
    if date_from:
        in_range.append(inner.c.business_date >= date_from)
    if date_to:
        in_range.append(inner.c.business_date <= date_to)
    total = session.execute(sa.select(sa.func.count()).select_from(inner).where(*in_range)).scalar()
    rows = session.execute(
        sa.select(inner)
        .where(*in_range)
        .order_by(inner.c.business_date, inner.c.recorded_at, inner.c.movement_id, inner.c.entry_id)
        .offset(offset)
        .limit(limit)
    ).all()
    opening = 0
    if date_from:
        opening = int(
            session.execute(
                sa.select(sa.func.coalesce(sa.func.sum(inner.c.qty_in - inner.c.qty_out), 0)).where(
                    inner.c.business_date < date_from
                )
            ).scalar()
            or 0
        )
    closing_query = sa.select(sa.func.coalesce(sa.func.sum(inner.c.qty_in - inner.c.qty_out), 0))
    if date_to:
        closing_query = closing_query.where(inner.c.business_date <= date_to)
    closing = int(session.execute(closing_query).scalar() or 0)
    lines = [
        CardLine(
            entry_id=r.entry_id,
            movement_id=r.movement_id,
            movement_kind=MovementKind(r.kind),
            business_date=r.business_date,
            recorded_at=r.recorded_at,
            source=Source(r.source),
            note=r.note,
            counterparty=r.counterparty,
            counterparty_account=AccountKind(r.counterparty_account),
            quantity_in=int(r.qty_in),
            quantity_out=int(r.qty_out),
            balance=int(r.balance),
        )
        for r in rows
    ]
    return StockCard(
        lines=lines, total=int(total or 0), opening_balance=opening, closing_balance=closing
    )
