"""Day-by-day history of one office for charts and series: stock at the end of each
business date, from the ledger."""

from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from blangko.models import Account, AccountKind, Entry, Movement


def daily_stock(
    *, session: Session, office_code: str, date_from: date, date_to: date
) -> list[tuple[date, int]]:
    """Stock on hand at the end of every date from ``date_from`` to ``date_to``."""
    account_id = session.execute(
        sa.select(col(Account.id)).where(
            col(Account.office_code) == office_code, col(Account.kind) == AccountKind.stock
        )
    ).scalar_one()
    signed = sa.case(
        (col(Entry.to_account_id) == account_id, col(Entry.quantity)), else_=-col(Entry.quantity)
    )
    touches = sa.or_(
        col(Entry.to_account_id) == account_id, col(Entry.from_account_id) == account_id
    )
    opening = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(signed), 0))
        .join(Movement, col(Movement.id) == col(Entry.movement_id))
        .where(touches, col(Movement.business_date) < date_from)
    ).scalar_one()
    changes = dict(
        session.execute(
            sa.select(col(Movement.business_date), sa.func.sum(signed))
            .join(Movement, col(Movement.id) == col(Entry.movement_id))
            .where(touches, col(Movement.business_date).between(date_from, date_to))
            .group_by(col(Movement.business_date))
        ).all()
    )
    level = int(opening)
    days = []
    current = date_from
    while current <= date_to:
        level += int(changes.get(current, 0))
        days.append((current, level))
        current += timedelta(days=1)
    return days
