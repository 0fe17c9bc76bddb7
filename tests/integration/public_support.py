"""Hand-made histories for the public pages and the open data: an office that received
blanks, then reported day after day, through the ledger's own services."""

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine

from blangko import reports, shipments, stock
from blangko.db import session_scope
from blangko.ledger import SYSTEM
from blangko.offices import get_office, local_today

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from api.app import create_app
from web.public_cache import PublicCache


@dataclass(frozen=True)
class Day:
    """One daily report: print requests, prints, backlog at the end of the day, Suket."""

    requests: int = 100
    printed: int = 100
    backlog: int = 0
    suket: int = 0


def today_of(engine: Engine, code: str) -> date:
    with session_scope(engine, write=False) as session:
        return local_today(get_office(session=session, code=code))


def receive_blanks(engine: Engine, code: str, quantity: int, on: date) -> None:
    """Procured, sent from national stock and received in full on ``on``."""
    with session_scope(engine) as session:
        stock.record_procurement(
            session=session,
            quantity=quantity,
            received_on=on,
            reference=f"SPK/{code}",
            actor=SYSTEM,
        )
        sent = shipments.dispatch(
            session=session,
            from_office="00",
            to_office=code,
            quantity=quantity,
            expected_on=on,
            dispatched_on=on,
            reference=f"470/{code}",
            actor=SYSTEM,
        )
        shipments.receive(
            session=session,
            shipment_id=sent.id or 0,
            received_quantity=quantity,
            received_on=on,
            actor=SYSTEM,
        )


def send_blanks(engine: Engine, code: str, quantity: int, expected_on: date) -> None:
    """A shipment from national stock on its way to ``code``."""
    with session_scope(engine) as session:
        today = local_today(get_office(session=session, code="00"))
        stock.record_procurement(
            session=session, quantity=quantity, received_on=today, reference="SPK/2", actor=SYSTEM
        )
        shipments.dispatch(
            session=session,
            from_office="00",
            to_office=code,
            quantity=quantity,
            expected_on=expected_on,
            dispatched_on=today,
            reference="470/kirim",
            actor=SYSTEM,
        )


def report_days(engine: Engine, code: str, last: date, days: Sequence[Day]) -> None:
    """One report a day, the last one on ``last``."""
    with session_scope(engine) as session:
        for offset, figures in enumerate(days):
            reports.save_daily_report(
                session=session,
                office_code=code,
                report_date=last - timedelta(days=len(days) - 1 - offset),
                figures=reports.DailyFigures(
                    print_requests=figures.requests,
                    printed=figures.printed,
                    backlog=figures.backlog,
                    suket_issued=figures.suket,
                ),
                actor=SYSTEM,
            )


def office_with(
    engine: Engine,
    code: str,
    *,
    received: int,
    days: Sequence[Day],
    silent_days: int = 1,
) -> date:
    """``code`` received ``received`` blanks before its reports, then reported ``days``
    up to ``silent_days`` before its today; returns the date of the last report."""
    today = today_of(engine, code)
    last = today - timedelta(days=silent_days)
    receive_blanks(engine, code, received, last - timedelta(days=len(days) + 5))
    report_days(engine, code, last, days)
    return last


@contextmanager
def public_client(check_seconds: float = 0.0) -> Iterator[TestClient]:
    """The whole app for an anonymous visitor; its public cache checks the database on
    every request unless told otherwise."""
    app = create_app()
    app.state.public = PublicCache(check_seconds=check_seconds)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
