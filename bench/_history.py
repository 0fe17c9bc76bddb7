"""A quick, consistent ledger history for benchmarks: every kab/kota office gets monthly
shipments from national stock and a daily report (prints and spoiled blanks) for every
day of ``years`` years, written with bulk inserts (the services would take far longer).

The balances are recomputed from the entries at the end, so the ledger invariants hold.
Prefer ``blangko demo`` (the realistic simulator) where it exists; this generator only
has to give the queries a realistic amount of rows."""

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import col, select

from blangko.db import session_scope
from blangko.models import (
    Account,
    AccountKind,
    DailyReport,
    Entry,
    Movement,
    MovementKind,
    Office,
    OfficeKind,
    Shipment,
    ShipmentStatus,
    Source,
)
from blangko.offices import NATIONAL

SHIPMENT_EVERY_DAYS = 30
TRANSIT_DAYS = 5


def generate(engine: Engine, *, years: int = 3, seed: int = 7, end: date | None = None) -> int:
    """Writes the history into a migrated, seeded database; returns the movements made."""
    rng = random.Random(seed)
    end = end or date.today() - timedelta(days=1)
    start = end - timedelta(days=365 * years - 1)
    with session_scope(engine) as session:
        offices = session.exec(
            select(Office).where(col(Office.kind).in_([OfficeKind.kabupaten, OfficeKind.kota]))
        ).all()
        account = {(a.office_code, a.kind): a.id for a in session.exec(select(Account)).all()}
    movements: list[dict[str, object]] = []
    entries: list[dict[str, object]] = []
    reports: list[dict[str, object]] = []
    shipments: list[dict[str, object]] = []
    next_id = 1

    def move(kind: MovementKind, office: str, day: date, legs: list[tuple[str, str, int]]) -> int:
        nonlocal next_id
        movement_id = next_id
        next_id += 1
        at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)
        movements.append(
            {
                "id": movement_id,
                "kind": kind.name,
                "office_code": office,
                "business_date": day,
                "recorded_at": at,
                "source": Source.demo.name,
                "note": "",
            }
        )
        for source, target, quantity in legs:
            entries.append(
                {
                    "movement_id": movement_id,
                    "from_account_id": source,
                    "to_account_id": target,
                    "quantity": quantity,
                }
            )
        return movement_id

    national = {k: account[(NATIONAL, k)] for k in AccountKind if (NATIONAL, k) in account}
    total_days = (end - start).days + 1
    daily_need = {o.code: max(5, o.population // 20_000) for o in offices}
    monthly = sum(daily_need.values()) * SHIPMENT_EVERY_DAYS
    for month in range(0, total_days, SHIPMENT_EVERY_DAYS):
        move(
            MovementKind.procurement,
            NATIONAL,
            start + timedelta(days=month),
            [(national[AccountKind.supply], national[AccountKind.stock], monthly * 2)],
        )
    for office in offices:
        stock, printed, spoiled = (
            account[(office.code, k)]
            for k in (AccountKind.stock, AccountKind.printed, AccountKind.spoiled)
        )
        need = daily_need[office.code]
        on_hand = 0
        arrivals: dict[date, int] = {}
        for offset in range(total_days):
            day = start + timedelta(days=offset)
            if offset % SHIPMENT_EVERY_DAYS == 0:
                quantity = need * SHIPMENT_EVERY_DAYS
                arrive = day + timedelta(days=TRANSIT_DAYS)
                dispatch_id = move(
                    MovementKind.dispatch,
                    NATIONAL,
                    day,
                    [(national[AccountKind.stock], national[AccountKind.transit], quantity)],
                )
                received = arrive <= end
                close_id = None
                if received:
                    close_id = move(
                        MovementKind.receipt,
                        office.code,
                        arrive,
                        [(national[AccountKind.transit], stock, quantity)],
                    )
                    arrivals[arrive] = quantity
                shipments.append(
                    {
                        "from_office": NATIONAL,
                        "to_office": office.code,
                        "quantity": quantity,
                        "status": (
                            ShipmentStatus.received if received else ShipmentStatus.in_transit
                        ).name,
                        "reference": f"BENCH/{office.code}/{offset}",
                        "dispatched_on": day,
                        "expected_on": arrive,
                        "received_on": arrive if received else None,
                        "received_quantity": quantity if received else None,
                        "shortfall_reason": "",
                        "dispatch_movement_id": dispatch_id,
                        "close_movement_id": close_id,
                        "created_at": datetime.now(UTC),
                    }
                )
            on_hand += arrivals.pop(day, 0)
            requests = max(0, int(rng.gauss(need, need * 0.3)))
            if day.weekday() >= 5:
                requests //= 4
            prints = min(requests, on_hand)
            spoil = min(on_hand - prints, round(prints * 0.017))
            on_hand -= prints + spoil
            legs = [(stock, printed, prints)] if prints else []
            legs += [(stock, spoiled, spoil)] if spoil else []
            movement_id = move(MovementKind.daily_report, office.code, day, legs) if legs else None
            reports.append(
                {
                    "office_code": office.code,
                    "report_date": day,
                    "version": 1,
                    "is_current": True,
                    "print_requests": requests,
                    "printed": prints,
                    "spoiled_gagal_cetak": spoil,
                    "spoiled_gagal_encode": 0,
                    "spoiled_rusak_fisik": 0,
                    "spoiled_lainnya": 0,
                    "backlog": max(0, requests - prints),
                    "suket_issued": max(0, requests - prints),
                    "ikd_activations": requests // 3,
                    "movement_id": movement_id,
                    "recorded_at": datetime.combine(day, datetime.min.time(), tzinfo=UTC),
                }
            )
    with session_scope(engine) as session:
        for table, rows in (
            (Movement, movements),
            (Entry, entries),
            (Shipment, shipments),
            (DailyReport, reports),
        ):
            for chunk in range(0, len(rows), 50_000):
                session.execute(sa.insert(table), rows[chunk : chunk + 50_000])
        balance: dict[int, int] = defaultdict(int)
        for entry in entries:
            balance[entry["from_account_id"]] -= entry["quantity"]  # type: ignore[index,operator]
            balance[entry["to_account_id"]] += entry["quantity"]  # type: ignore[index,operator]
        accounts = Account.__table__  # type: ignore[attr-defined]
        session.connection().execute(
            sa.update(accounts)
            .where(accounts.c.id == sa.bindparam("account_id"))
            .values(balance=sa.bindparam("new_balance")),
            [{"account_id": k, "new_balance": v} for k, v in balance.items()],
        )
    return len(movements)
