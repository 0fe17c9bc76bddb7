"""A small country for the people-facing browser tests (issue 16): a planner and an
officer, stock on its way, a pending request, a plan, alerts, a queued e-mail, two weeks
of reports, and a finished forecast in which three kab/kota offices are at high risk (so
the national overview has tinted rows next to each other)."""

from datetime import date, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from blangko import reports, shipments, stock
from blangko.db import session_scope
from blangko.ledger import SYSTEM
from blangko.models import (
    Alert,
    AlertKind,
    AlertSeverity,
    ForecastRun,
    ForecastRunStatus,
    OutboxMessage,
    OutboxStatus,
    PlanStatus,
    ReallocationLine,
    ReallocationPlan,
    Role,
)
from blangko.offices import get_office, local_today
from blangko.users import create_user
from tests.integration.forecast_data import flat_result

PASSWORD = "rahasia-123"
PLANNER, OFFICER = "perencana", "petugas.bekasi"
OFFICE = "32.16"
HIGH_RISK = ("32.16", "32.75", "12.71")  # first in the overview's default order


def populate(engine: Engine) -> None:
    with session_scope(engine) as session:
        create_user(session=session, username=PLANNER, password=PASSWORD, role=Role.planner)
        create_user(
            session=session,
            username=OFFICER,
            password=PASSWORD,
            role=Role.officer,
            office_code=OFFICE,
        )
        today = local_today(get_office(session=session, code=OFFICE))
        stock.record_procurement(
            session=session, quantity=20000, received_on=today, reference="PO-1", actor=SYSTEM
        )
        sent = shipments.dispatch(
            session=session,
            from_office="00",
            to_office=OFFICE,
            quantity=3000,
            expected_on=today - timedelta(days=14),
            reference="470/80/Dukcapil",
            actor=SYSTEM,
            dispatched_on=today - timedelta(days=20),
        )
        shipments.receive(
            session=session,
            shipment_id=sent.id or 0,
            received_quantity=3000,
            received_on=today - timedelta(days=14),
            actor=SYSTEM,
        )
        for back in range(13, 0, -1):
            reports.save_daily_report(
                session=session,
                office_code=OFFICE,
                report_date=today - timedelta(days=back),
                figures=reports.DailyFigures(print_requests=120, printed=110, backlog=10),
                actor=SYSTEM,
            )
        work_in_progress(session, today)
        session.add_all(
            [
                Alert(
                    office_code=OFFICE,
                    kind=AlertKind.stockout_risk,
                    severity=AlertSeverity.critical,
                    message="Stok Kabupaten Bekasi diperkirakan habis dalam 5 hari, sebelum "
                    "kiriman yang diminta hari ini dapat tiba. Ajukan permintaan blangko "
                    "atau minta pinjaman dari kab/kota tetangga.",
                    details={"days_left": 5, "lead_time_p90": 21},
                ),
                Alert(
                    office_code="32.75",
                    kind=AlertKind.backlog_high,
                    severity=AlertSeverity.warning,
                    message="Backlog Kota Bekasi tinggi.",
                ),
                OutboxMessage(
                    key="digest:e2e",
                    kind="digest",
                    recipients=["perencana@example.id"],
                    subject="Ringkasan harian blangko",
                    body_text="Isi",
                    status=OutboxStatus.pending,
                ),
            ]
        )
        run = ForecastRun(status=ForecastRunStatus.finished)
        session.add(run)
        session.flush()
        for code, days, p30 in [
            *((code, 5, 0.95) for code in HIGH_RISK),
            ("32.01", 60, 0.3),
            ("32.04", None, 0.0),
        ]:
            result = flat_result(run.id or 0, code, today, days)
            result.stockout_probability = {"14": p30 / 2, "30": p30, "60": min(1.0, p30 * 2)}
            session.add(result)


def work_in_progress(session: Session, today: date) -> None:
    """What waits for someone: 1,500 blanks on their way to Bekasi, Medan's undecided
    request for 4,000 and a proposed plan moving 1,200 to Jayapura."""
    shipments.dispatch(
        session=session,
        from_office="00",
        to_office="32.16",
        quantity=1500,
        expected_on=today + timedelta(days=1),
        reference="470/88/Dukcapil",
        actor=SYSTEM,
        dispatched_on=today,
    )
    shipments.request_allocation(
        session=session,
        office_code="12.71",
        quantity=4000,
        reference="470/12/Medan",
        actor=SYSTEM,
    )
    plan = ReallocationPlan(
        status=PlanStatus.proposed,
        lead_time_days=21,
        safety_days=14,
        coverage=1.0,
        total_deficit=1200,
        total_available=18500,
        total_moved=1200,
        total_cost=1200.0,
    )
    session.add(plan)
    session.flush()
    session.add(
        ReallocationLine(
            plan_id=plan.id or 0,
            from_office="00",
            to_office="91.71",
            quantity=1200,
            cost=1200.0,
        )
    )
