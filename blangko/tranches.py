"""Planned procurement (pengadaan terencana): tranches of blanks that the planners have
budgeted or ordered from the producer but that are not yet in national stock. Receiving
one posts the procurement movement through ``stock.record_procurement``. Issue 13 item 2."""

from sqlmodel import Session, col, select

from blangko.models import PlannedProcurement, TrancheStatus

# Tranches still to come: the national projection counts them on their expected date.
OPEN = (TrancheStatus.planned, TrancheStatus.ordered)


def open_tranches(*, session: Session) -> list[PlannedProcurement]:
    """Tranches planned or ordered and not yet received, soonest expected first."""
    return list(
        session.exec(
            select(PlannedProcurement)
            .where(col(PlannedProcurement.status).in_(OPEN))
            .order_by(col(PlannedProcurement.expected_on), col(PlannedProcurement.id))
        )
    )
