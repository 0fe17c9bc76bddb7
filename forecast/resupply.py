"""What the ledger says about resupply as of a date (repository): the delays observed so
far (the inputs of ``forecast.leadtimes``), the office's lead times learned from them,
requests still waiting for a decision and approved requests not dispatched yet.

Everything is read "as of" a date, so a replay can learn what was known that day: a
request counts as answered once its shipment was dispatched on or before ``as_of``, a
shipment's transit once it was received on or before ``as_of``, by business date. Delays
come from the ``WINDOW_DAYS`` before ``as_of``. Shipments still in transit and requests
still waiting are not counted as delays (they have not ended yet)."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col

from blangko.models import AllocationRequest, Office, RequestStatus, Shipment, ShipmentStatus
from blangko.offices import NATIONAL, WIB
from blangko.settings import get_settings
from forecast.leadtimes import WINDOW_DAYS, Delays, LeadTime, default_lead_time, learn, region_of


@dataclass(frozen=True)
class PendingRequest:
    """A request letter waiting for the centre's decision (menunggu keputusan)."""

    id: int
    reference: str
    quantity: int
    requested_on: date


@dataclass(frozen=True)
class ApprovedSupply:
    """An approved request whose shipment has not left yet."""

    office_code: str
    quantity: int
    approved_on: date


def decided_on(decided_at: datetime) -> date:
    """The calendar day of a decision, in the centre's time zone (WIB)."""
    return decided_at.astimezone(ZoneInfo(WIB)).date()


def delays_as_of(
    *, session: Session, as_of: date, receivers: Collection[str] | None = None
) -> Delays:
    """Request letter → dispatch and approval → dispatch per sender, dispatch → receipt per
    sender and receiver (only ``receivers`` when given), from the window before
    ``as_of``."""
    start = as_of - timedelta(days=WINDOW_DAYS)
    decision: dict[str, list[int]] = defaultdict(list)
    approval: dict[str, list[int]] = defaultdict(list)
    for sender, dispatched, requested, decided_at in session.execute(
        sa.select(
            col(Shipment.from_office),
            col(Shipment.dispatched_on),
            col(AllocationRequest.requested_on),
            col(AllocationRequest.decided_at),
        )
        .join(AllocationRequest, col(AllocationRequest.id) == col(Shipment.allocation_request_id))
        .where(col(Shipment.dispatched_on) > start, col(Shipment.dispatched_on) <= as_of)
    ).all():
        decision[sender].append(max(0, (dispatched - requested).days))
        if decided_at is not None:
            approval[sender].append(max(0, (dispatched - decided_on(decided_at)).days))
    transit: dict[tuple[str, str], list[int]] = defaultdict(list)
    query = sa.select(
        col(Shipment.from_office),
        col(Shipment.to_office),
        col(Shipment.dispatched_on),
        col(Shipment.received_on),
    ).where(
        col(Shipment.status).in_([ShipmentStatus.received, ShipmentStatus.received_short]),
        col(Shipment.received_on) > start,
        col(Shipment.received_on) <= as_of,
    )
    if receivers is not None:
        query = query.where(col(Shipment.to_office).in_(list(receivers)))
    for sender, receiver, dispatched, received in session.execute(query).all():
        transit[(sender, receiver)].append(max(0, (received - dispatched).days))
    return Delays(decision=dict(decision), approval=dict(approval), transit=dict(transit))


def lead_times_as_of(
    *, session: Session, as_of: date, office_codes: Collection[str] | None = None
) -> dict[str, LeadTime]:
    """The lead time of every office (or of ``office_codes``, reading only their regions)
    for a resupply from national stock requested on ``as_of``."""
    provinces: dict[str, str | None] = {
        code: province
        for code, province in session.execute(
            sa.select(col(Office.code), col(Office.province_code))
        ).all()
    }
    receivers = None
    if office_codes is not None:
        regions = {region_of(p) for code in office_codes if (p := provinces.get(code))}
        provinces = {c: p for c, p in provinces.items() if p and region_of(p) in regions}
        receivers = set(provinces)
    learned = learn(
        delays=delays_as_of(session=session, as_of=as_of, receivers=receivers),
        provinces=provinces,
        default_days=get_settings().lead_time_days,
        sender=NATIONAL,
    )
    if office_codes is None:
        return learned
    return {code: learned[code] for code in office_codes if code in learned}


def lead_time_of(*, session: Session, office_code: str, as_of: date) -> LeadTime | None:
    """One office's lead time; None for the centre (it is the sender)."""
    if office_code == NATIONAL:
        return None
    found = lead_times_as_of(session=session, as_of=as_of, office_codes=[office_code])
    return found.get(office_code, default_lead_time(get_settings().lead_time_days))


def _end_of(day: date) -> datetime:
    """The first instant after ``day`` in the centre's time zone (WIB)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(WIB))


def _answered_as_of(as_of: date) -> sa.ColumnElement[bool]:
    """Requests with a shipment dispatched on or before ``as_of``."""
    return sa.exists().where(
        col(Shipment.allocation_request_id) == col(AllocationRequest.id),
        col(Shipment.dispatched_on) <= as_of,
    )


def pending_requests_as_of(*, session: Session, as_of: date) -> dict[str, PendingRequest]:
    """Each office's oldest request that was still waiting for a decision on ``as_of``."""
    rows = session.execute(
        sa.select(
            col(AllocationRequest.id),
            col(AllocationRequest.office_code),
            col(AllocationRequest.reference),
            col(AllocationRequest.quantity),
            col(AllocationRequest.requested_on),
            col(AllocationRequest.decided_at),
        )
        .where(
            col(AllocationRequest.requested_on) <= as_of,
            sa.or_(
                col(AllocationRequest.decided_at).is_(None),
                col(AllocationRequest.decided_at) >= _end_of(as_of),
            ),
            ~_answered_as_of(as_of),
        )
        .order_by(col(AllocationRequest.requested_on), col(AllocationRequest.id))
    ).all()
    pending: dict[str, PendingRequest] = {}
    for id_, office, reference, quantity, requested_on, decided_at in rows:
        if decided_at is not None and decided_on(decided_at) <= as_of:
            continue
        pending.setdefault(office, PendingRequest(id_, reference, quantity, requested_on))
    return pending


def approved_supply_as_of(*, session: Session, as_of: date) -> list[ApprovedSupply]:
    """Requests approved on or before ``as_of`` whose shipment had not been dispatched by
    then."""
    rows = session.execute(
        sa.select(
            col(AllocationRequest.office_code),
            col(AllocationRequest.approved_quantity),
            col(AllocationRequest.decided_at),
        ).where(
            col(AllocationRequest.status) == RequestStatus.approved,
            col(AllocationRequest.decided_at).is_not(None),
            ~_answered_as_of(as_of),
        )
    ).all()
    return [
        ApprovedSupply(office, int(quantity), decided_on(decided_at))
        for office, quantity, decided_at in rows
        if quantity and decided_on(decided_at) <= as_of
    ]
