"""What the replay reads from the ledger (repository): every kab/kota's daily figures and
stock over the replayed period, read once, and from them what was known at any origin
(the stock position, the shipments on their way) and what followed it (the demand that
really came, the days without stock while residents waited).

Read once and sliced per origin: a replay of 26 origins costs the same queries as one."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session, col, select

from blangko.models import Movement, Office, OfficeKind, Shipment
from blangko.stock import OfficeStock
from forecast.series import DemandSeries, daily_stock_end, demand_from_daily, load_figures


@dataclass(frozen=True)
class ShipmentSpan:
    to_office: str
    quantity: int
    dispatched_on: date
    expected_on: date
    closed_on: date | None  # received or cancelled


@dataclass
class History:
    """Daily figures of every kab/kota from ``start`` to ``end`` (one column a day)."""

    start: date
    end: date
    offices: list[str]
    series: dict[str, DemandSeries]  # the forecast's demand (NaN: unknown or censored)
    demand: dict[str, np.ndarray]  # the demand that really came (0 where unreported)
    stock_end: dict[str, np.ndarray]
    backlog: dict[str, np.ndarray]
    shipments: list[ShipmentSpan]

    def offset(self, day: date) -> int:
        return (day - self.start).days

    def series_until(self, code: str, origin: date, days: int) -> DemandSeries:
        """The demand series as it stood at ``origin``: its last ``days`` days."""
        full = self.series[code]
        stop = self.offset(origin) + 1
        first = max(0, stop - days)
        return DemandSeries(
            office_code=code,
            start=self.start + timedelta(days=first),
            values=full.values[first:stop].copy(),
            censored=full.censored[first:stop].copy(),
        )

    def position(self, code: str, origin: date, incoming: dict[date, int]) -> OfficeStock:
        """The stock position at the end of ``origin``, with ``incoming`` (the office's
        row of ``incoming(origin)``) on its way."""
        i = self.offset(origin)
        return OfficeStock(
            office_code=code,
            on_hand=int(self.stock_end[code][i]),
            in_transit_in=sum(incoming.values()),
            in_transit_out=0,
            backlog=int(self.backlog[code][i]),
            as_of=datetime.combine(origin, datetime.max.time(), tzinfo=UTC),
        )

    def in_transit(self, origin: date) -> list[ShipmentSpan]:
        return [
            s
            for s in self.shipments
            if s.dispatched_on <= origin and (s.closed_on is None or s.closed_on > origin)
        ]

    def incoming(self, origin: date) -> dict[str, dict[date, int]]:
        """Shipments on their way at ``origin``, by the date they were expected (an
        overdue one the day after), as the forecast run reads them."""
        tomorrow = origin + timedelta(days=1)
        found: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
        for s in self.in_transit(origin):
            found[s.to_office][max(s.expected_on, tomorrow)] += s.quantity
        return {code: dict(days) for code, days in found.items()}

    def demand_after(self, code: str, origin: date) -> list[tuple[date, int]]:
        """The demand that really came after ``origin``, day by day."""
        first = self.offset(origin) + 1
        values = self.demand[code][first:]
        return [(origin + timedelta(days=k + 1), int(v)) for k, v in enumerate(values)]

    def empty_days(self, code: str) -> list[tuple[date, bool]]:
        """Each day, whether the office had no stock while residents waited."""
        censored = self.series[code].censored
        return [(self.start + timedelta(days=k), bool(v)) for k, v in enumerate(censored)]


def load_history(*, session: Session, start: date, end: date) -> History:
    """Every kab/kota's figures from ``start`` to ``end`` and every shipment to one."""
    offices = list(
        session.exec(
            select(Office.code)
            .where(col(Office.kind).in_([OfficeKind.kabupaten, OfficeKind.kota]))
            .order_by(col(Office.code))
        ).all()
    )
    days = (end - start).days + 1
    figures = load_figures(session=session, office_codes=offices, start=start, end=end)
    stock = daily_stock_end(session=session, start=start, end=end)
    series: dict[str, DemandSeries] = {}
    demand: dict[str, np.ndarray] = {}
    backlog: dict[str, np.ndarray] = {}
    for i, code in enumerate(offices):
        levels = stock.get(code, np.zeros(days))
        series[code] = demand_from_daily(
            office_code=code, start=start, figures=figures[i], stock_end=levels
        )
        # The demand that came: the series before censoring (print requests are recorded
        # while the stock is out too).
        uncensored = demand_from_daily(
            office_code=code, start=start, figures=figures[i], stock_end=np.ones(days)
        )
        demand[code] = np.nan_to_num(uncensored.values)
        backlog[code] = _carried_forward(figures[i][2])
    return History(
        start=start,
        end=end,
        offices=offices,
        series=series,
        demand=demand,
        stock_end={code: stock.get(code, np.zeros(days)) for code in offices},
        backlog=backlog,
        shipments=_shipments(session, offices, start, end),
    )


def _carried_forward(values: np.ndarray) -> np.ndarray:
    """The last reported value on each day (0 before the first report)."""
    known = ~np.isnan(values)
    index = np.where(known, np.arange(len(values)), 0)
    np.maximum.accumulate(index, out=index)
    filled = values[index]
    filled[: np.argmax(known) if known.any() else len(values)] = 0.0
    return np.nan_to_num(filled)


def _shipments(session: Session, offices: list[str], start: date, end: date) -> list[ShipmentSpan]:
    rows = session.execute(
        sa.select(
            col(Shipment.to_office),
            col(Shipment.quantity),
            col(Shipment.dispatched_on),
            col(Shipment.expected_on),
            col(Shipment.received_on),
            col(Movement.business_date),
        )
        .outerjoin(Movement, col(Movement.id) == col(Shipment.close_movement_id))
        .where(
            col(Shipment.to_office).in_(offices),
            col(Shipment.dispatched_on) <= end,
            sa.or_(col(Shipment.close_movement_id).is_(None), col(Movement.business_date) >= start),
        )
    ).all()
    return [
        ShipmentSpan(
            to_office=office,
            quantity=int(quantity),
            dispatched_on=dispatched,
            expected_on=expected,
            closed_on=received or closed,
        )
        for office, quantity, dispatched, expected, received, closed in rows
    ]
