"""Helpers shared by the ledger tests: what the database holds, the four invariants of
SPEC §3 computed in SQL, and running a service that must be refused without writing."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, col

from blangko.db import session_scope
from blangko.errors import DomainError
from blangko.integrity import ledger_findings
from blangko.ledger import Actor
from blangko.models import (
    Account,
    AllocationRequest,
    DailyReport,
    Entry,
    IdempotencyKey,
    Movement,
    Shipment,
    Source,
    StockCount,
)
from blangko.offices import get_office, local_today

PLANNER = Actor(user_id=None, source=Source.api)
Action = Callable[[Session], object]
WRITE_TABLES = (Movement, Entry, Shipment, AllocationRequest, DailyReport, StockCount)


def days_ago(engine: Engine, office_code: str, days: int) -> date:
    """A date ``days`` before the office's own today."""
    with session_scope(engine, write=False) as session:
        office = get_office(session=session, code=office_code)
        return local_today(office) - timedelta(days=days)


def state(session: Session) -> dict[str, Any]:
    """Everything a write can change: row counts, balances, shipment, request and report
    states (balances still at zero are left out: any change shows as a new key)."""
    tables = (*WRITE_TABLES, IdempotencyKey)
    counted = session.execute(
        sa.select(
            *(
                sa.select(sa.func.count()).select_from(model).scalar_subquery().label(name)
                for model in tables
                for name in [str(model.__tablename__)]
            )
        )
    ).one()
    nonzero = sa.select(col(Account.id), col(Account.balance)).where(col(Account.balance) != 0)
    balances = {account: balance for account, balance in session.execute(nonzero)}
    shipments = session.execute(
        sa.select(col(Shipment.id), col(Shipment.status)).order_by(col(Shipment.id))
    ).all()
    requests = session.execute(
        sa.select(col(AllocationRequest.id), col(AllocationRequest.status)).order_by(
            col(AllocationRequest.id)
        )
    ).all()
    reports = session.execute(
        sa.select(col(DailyReport.id), col(DailyReport.is_current)).order_by(col(DailyReport.id))
    ).all()
    return {
        "counts": counted._asdict(),
        "balances": balances,
        "shipments": [tuple(r) for r in shipments],
        "requests": [tuple(r) for r in requests],
        "reports": [tuple(r) for r in reports],
    }


def read_state(engine: Engine) -> dict[str, Any]:
    with session_scope(engine, write=False) as session:
        return state(session)


def refused(engine: Engine, code: str, action: Action) -> DomainError:
    """Runs ``action`` in its own transaction, expects the domain error ``code`` and checks
    that nothing at all was written."""
    before = read_state(engine)
    with pytest.raises(DomainError) as caught, session_scope(engine) as session:
        action(session)
    assert caught.value.code == code, caught.value.message
    assert caught.value.message and caught.value.message[0].isupper()
    assert read_state(engine) == before
    return caught.value


def invariant_violations(session: Session) -> list[str]:
    """The SPEC §3 invariants, as ``blangko db check`` computes them."""
    return ledger_findings(session)


def assert_invariants(engine: Engine) -> None:
    with session_scope(engine, write=False) as session:
        assert invariant_violations(session) == []
