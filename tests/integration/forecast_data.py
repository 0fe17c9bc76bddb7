"""Histories for forecast tests, written through the ledger services like an officer
would: stock arrives by shipment, each day's report prints what the stock allows and
carries the rest as backlog."""

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import Engine

from blangko.db import session_scope
from blangko.ledger import SYSTEM
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
