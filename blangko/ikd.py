"""IKD compliance (kepatuhan IKD): the Identitas Kependudukan Digital activations an office
reports ÷ the blanks it received, over the last 90 days and since 1 January, both by the
office's own dates. Rakernas Dukcapil 2023: a region activates IKD for at least 50 % of the
blanks it receives.

Blanks received are the receipts of shipments into the office, whoever sent them (an
allocation from Ditjen, a redistribution from the province, a loan from another kab/kota):
the ledger's ``receipt`` movements, whose entry into the office's stock is recorded on the
shipment as ``received_quantity`` on ``received_on``. A receipt is never reversed
(``ledger.REVERSIBLE``), so the shipment's figures are the ledger's, read from thousands of
shipments rather than millions of entries. Not counted: a cancelled dispatch coming back
(the office's own blanks), a shortfall lost on the way, stock-count adjustments and
procurement; blanks an office lends on still count for the office that received them, as
the rule speaks of the blanks received. An office that received nothing in the period has
no share (``None``, shown "–")."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col

import blangko.offices
from blangko.models import DailyReport, Office, Shipment
from blangko.offices import WIB, WIT, WITA, local_today

TARGET = 0.5  # Rakernas Dukcapil 2023
ZONES = (WIB, WITA, WIT)
DAYS = 90
# Receipts of a handful of offices are found through the receiver's index; for many, one
# pass over the shipments of the period is quicker than an index lookup per shipment.
FEW_OFFICES = 50


def share(activations: int, received: int) -> float | None:
    """Activations ÷ blanks received; ``None`` when nothing was received."""
    return None if received <= 0 else round(activations / received, 4)


def below_target(share_: float | None) -> bool:
    """Under 50 % (an office that received nothing is not)."""
    return share_ is not None and share_ < TARGET


def window_starts(today: date) -> tuple[date, date]:
    """The first day of the 90 days ending ``today`` and 1 January of ``today``'s year."""
    return today - timedelta(days=DAYS - 1), today.replace(month=1, day=1)


@dataclass(frozen=True)
class IkdCompliance:
    """One office's IKD activations and blanks received, over 90 days and (when asked
    for) since 1 January."""

    office_code: str
    activations_90d: int
    received_90d: int
    activations_ytd: int | None = None
    received_ytd: int | None = None

    @property
    def share_90d(self) -> float | None:
        return share(self.activations_90d, self.received_90d)

    @property
    def share_ytd(self) -> float | None:
        if self.activations_ytd is None or self.received_ytd is None:
            return None
        return share(self.activations_ytd, self.received_ytd)


def compliance(
    *, session: Session, offices: Sequence[Office], since_january: bool = False
) -> dict[str, IkdCompliance]:
    """The IKD compliance of ``offices``, each over its own dates: two queries whatever
    their number. ``since_january`` adds the figures since 1 January, which read up to a
    year of daily reports per office: meant for one office or a few (the office page, the
    requests to decide), not the overview of all offices."""
    if not offices:
        return {}
    now = blangko.offices.clock()  # looked up on the module: a test may stop it
    zone_starts = {z: window_starts(now.astimezone(ZoneInfo(z)).date()) for z in ZONES}
    starts = {
        o.code: zone_starts.get(o.timezone) or window_starts(local_today(o, now)) for o in offices
    }
    codes = list(starts)
    activations = _activations(session, offices, zone_starts, since_january)
    boundaries = sorted({d for pair in starts.values() for d in pair[: 2 if since_january else 1]})
    received = _receipts(session, codes, boundaries)
    return {
        code: IkdCompliance(
            office_code=code,
            activations_90d=activations[code][0],
            received_90d=_since(received.get(code, {}), start_90d),
            activations_ytd=activations[code][1] if since_january else None,
            received_ytd=_since(received.get(code, {}), start_ytd) if since_january else None,
        )
        for code, (start_90d, start_ytd) in starts.items()
    }


def _since(received: dict[date, int], start: date) -> int:
    """Blanks received from ``start`` on, from the sums per period (``_receipts``)."""
    return sum(quantity for begins, quantity in received.items() if begins >= start)


def _activations(
    session: Session,
    offices: Sequence[Office],
    zone_starts: dict[str, tuple[date, date]],
    since_january: bool,
) -> dict[str, tuple[int, int]]:
    """IKD activations of the current daily reports since each office's window starts:
    one index range per office, its start chosen by the office's time zone."""

    def since(first: int) -> sa.ScalarSelect[int]:
        start = sa.case(
            {zone: pair[first] for zone, pair in zone_starts.items()},
            value=col(Office.timezone),
            else_=zone_starts[WIB][first],
        )
        return (
            sa.select(sa.func.sum(col(DailyReport.ikd_activations)))
            .where(
                col(DailyReport.office_code) == col(Office.code),
                col(DailyReport.report_date) >= start,
                col(DailyReport.is_current),
            )
            .correlate(Office)
            .scalar_subquery()
        )

    columns = [since(0), since(1) if since_january else sa.literal(0)]
    rows = session.execute(
        sa.select(col(Office.code), *columns).where(col(Office.code).in_([o.code for o in offices]))
    ).all()
    return {code: (int(last_90 or 0), int(this_year or 0)) for code, last_90, this_year in rows}


def _receipts(
    session: Session, codes: list[str], boundaries: list[date]
) -> dict[str, dict[date, int]]:
    """Blanks each office received from each of ``boundaries`` (ascending) to the next
    one (the last: to today), summed in SQL: one pass over the period's shipments."""
    period = sa.case(
        *((col(Shipment.received_on) >= b, i) for i, b in reversed(list(enumerate(boundaries))))
    ).label("period")
    query = (
        sa.select(period, col(Shipment.to_office), sa.func.sum(col(Shipment.received_quantity)))
        .where(col(Shipment.received_on) >= boundaries[0], col(Shipment.received_quantity) > 0)
        # Grouped by period first: SQLite then reads the table once instead of every
        # shipment through the receiver's index.
        .group_by(period, col(Shipment.to_office))
    )
    if len(codes) <= FEW_OFFICES:
        query = query.where(col(Shipment.to_office).in_(codes))
    received: dict[str, dict[date, int]] = {}
    for index, office, quantity in session.execute(query).all():
        received.setdefault(office, {})[boundaries[index]] = int(quantity)
    return received
