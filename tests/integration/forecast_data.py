"""Histories for forecast tests, written through the ledger services like an officer
would: stock arrives by shipment, each day's report prints what the stock allows and
carries the rest as backlog."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine

from blangko.db import session_scope
from blangko.ledger import SYSTEM
from blangko.models import ForecastResult
from blangko.reports import DailyFigures, save_daily_report
from blangko.shipments import dispatch, receive
from blangko.stock import record_procurement


def stock_office(engine: Engine, office: str, quantity: int, on: date) -> None:
    """National procurement and a received allocation of ``quantity`` to ``office``."""
    with session_scope(engine) as session:
        record_procurement(
            session=session, quantity=quantity, received_on=on, reference="PGD-1", actor=SYSTEM
        )
        shipment = dispatch(
            session=session,
            from_office="00",
            to_office=office,
            quantity=quantity,
            expected_on=on,
            dispatched_on=on,
            reference="ALK-1",
            actor=SYSTEM,
        )
        assert shipment.id is not None
        receive(
            session=session,
            shipment_id=shipment.id,
            received_quantity=quantity,
            received_on=on,
            actor=SYSTEM,
        )


def report_history(
    engine: Engine,
    office: str,
    first: date,
    days: int,
    demand: Callable[[date], int],
    stock: int,
) -> int:
    """Daily reports from ``first`` for ``days`` days; returns the stock left."""
    backlog = 0
    with session_scope(engine) as session:
        for i in range(days):
            day = first + timedelta(days=i)
            requests = demand(day)
            printed = min(requests + backlog, stock)
            stock -= printed
            backlog = requests + backlog - printed
            save_daily_report(
                session=session,
                office_code=office,
                report_date=day,
                figures=DailyFigures(print_requests=requests, printed=printed, backlog=backlog),
                actor=SYSTEM,
            )
    return stock


def flat_result(
    run_id: int, office: str, on: date, stockout_in: int | None, **extra: Any
) -> ForecastResult:
    """A stored forecast of a flat demand of 100 a day (band 80–120) whose stock runs out
    ``stockout_in`` days after ``on`` (None: not within the horizon); ``extra`` sets
    further columns."""
    return ForecastResult(
        run_id=run_id,
        office_code=office,
        model="weekday_median",
        as_of=on,
        horizon_days=90,
        points=[
            {
                "date": (on + timedelta(days=i)).isoformat(),
                "demand_mean": 100.0,
                "demand_low": 80.0,
                "demand_high": 120.0,
                "projected_stock": 100.0 * ((stockout_in or 90) - i),
            }
            for i in range(1, 91)
        ],
        stockout_date=None if stockout_in is None else on + timedelta(days=stockout_in),
        stockout_probability={"14": 0.0, "30": 0.5, "60": 1.0},
        days_of_cover=stockout_in,
        mean_daily_demand=100.0,
        **extra,
    )
