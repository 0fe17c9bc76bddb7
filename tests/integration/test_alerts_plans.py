"""Alerts and reallocation plans on a real database (SQLite and PostgreSQL): one open
alert per office and kind, automatic resolution, plans from the latest forecasts, and
approval that dispatches each line exactly once."""

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from blangko import shipments
from blangko.db import session_scope
from blangko.errors import InvalidState
from blangko.ledger import SYSTEM
from blangko.models import (
    Alert,
    AlertKind,
    AlertSeverity,
    ForecastResult,
    ForecastRun,
    ForecastRunStatus,
    Office,
    PlanStatus,
    Shipment,
)
from blangko.offices import local_today
from blangko.reports import DailyFigures, save_daily_report
from blangko.stock import office_stock, record_procurement
from forecast import alert_store, alerts, plans

BANDUNG, BOGOR, MEDAN = "32.73", "32.71", "12.71"


def today(session: Session, code: str = BANDUNG) -> date:
    return local_today(session.get_one(Office, code))


def give_stock(session: Session, code: str, quantity: int) -> None:
    """National procurement, then a received allocation to ``code``."""
    on = today(session)
    record_procurement(
        session=session, quantity=quantity, received_on=on, reference="SPK-1", actor=SYSTEM
    )
    shipment = shipments.dispatch(
        session=session,
        from_office="00",
        to_office=code,
        quantity=quantity,
        expected_on=on,
        reference="alokasi awal",
        actor=SYSTEM,
        dispatched_on=on,
    )
    assert shipment.id is not None
    shipments.receive(
        session=session,
        shipment_id=shipment.id,
        received_quantity=quantity,
        received_on=on,
        actor=SYSTEM,
    )


def forecast(
    session: Session,
    daily: dict[str, float],
    stockout_in: dict[str, int | None] | None = None,
) -> int:
    """A finished forecast run with a flat demand per office."""
    run = ForecastRun(status=ForecastRunStatus.finished)
    session.add(run)
    session.flush()
    assert run.id is not None
    on = today(session)
    for code, demand in daily.items():
        days = (stockout_in or {}).get(code)
        on_hand = office_stock(session=session, office_code=code).on_hand
        session.add(
            ForecastResult(
                run_id=run.id,
                office_code=code,
                model="weekday_median",
                as_of=on,
                horizon_days=90,
                points=[
                    {"date": (on + timedelta(days=i)).isoformat(), "demand_mean": demand}
                    for i in range(1, 91)
                ],
                on_hand=on_hand,
                stockout_date=None if days is None else on + timedelta(days=days),
                stockout_probability={"14": 0.0, "30": 0.0, "60": 0.0},
                days_of_cover=round(on_hand / demand, 1) if demand else None,
                mean_daily_demand=demand,
            )
        )
    session.flush()
    return run.id


def open_alerts(engine: Engine) -> list[Alert]:
    with session_scope(engine, write=False) as session:
        return list(
            session.exec(
                select(Alert).where(col(Alert.resolved_at).is_(None)).order_by(Alert.id)
            ).all()
        )


def evaluate(engine: Engine, *kinds: AlertKind) -> alert_store.Outcome:
    with session_scope(engine) as session:
        return alerts.evaluate(session=session, kinds=kinds or alerts.ALL_KINDS)


def test_overdue_shipment_alert_is_kept_once_and_resolved_on_receipt(engine: Engine) -> None:
    with session_scope(engine) as session:
        on = today(session)
        record_procurement(
            session=session, quantity=500, received_on=on, reference="SPK", actor=SYSTEM
        )
        shipment = shipments.dispatch(
            session=session,
            from_office="00",
            to_office=BANDUNG,
            quantity=500,
            expected_on=on - timedelta(days=3),
            dispatched_on=on - timedelta(days=10),
            reference="B-1",
            actor=SYSTEM,
        )
        shipment_id = shipment.id
        assert shipment_id is not None

    first = evaluate(engine, AlertKind.shipment_overdue)
    second = evaluate(engine, AlertKind.shipment_overdue)

    assert (len(first.opened), len(second.opened), len(second.updated)) == (1, 0, 1)
    [alert] = open_alerts(engine)
    assert (alert.office_code, alert.kind) == (BANDUNG, AlertKind.shipment_overdue)
    assert alert.details["shipment_ids"] == [shipment_id]
    assert "catat penerimaannya" in alert.message

    with session_scope(engine) as session:
        shipments.receive(
            session=session,
            shipment_id=shipment_id,
            received_quantity=450,
            received_on=today(session),
            shortfall_reason="dua dus basah",
            actor=SYSTEM,
        )
    third = evaluate(engine, AlertKind.shipment_overdue, AlertKind.delivery_shortfall)
    assert [a.kind for a in third.resolved] == [AlertKind.shipment_overdue]
    [shortfall] = open_alerts(engine)
    assert shortfall.kind is AlertKind.delivery_shortfall
    assert "kurang 50 keping (dua dus basah)" in shortfall.message


def test_forecast_alerts_open_escalate_and_resolve(engine: Engine) -> None:
    with session_scope(engine) as session:
        give_stock(session, BOGOR, 50_000)
        forecast(session, {BANDUNG: 100, BOGOR: 100, "00": 3000}, {BANDUNG: 30, "00": 60})
    evaluate(engine)
    found = {(a.office_code, a.kind): a for a in open_alerts(engine)}
    assert set(found) == {
        (BANDUNG, AlertKind.stockout_risk),
        (BOGOR, AlertKind.surplus),
        ("00", AlertKind.national_shortage),
    }
    risk = found[(BANDUNG, AlertKind.stockout_risk)]
    assert risk.severity is AlertSeverity.warning

    with session_scope(engine) as session:
        alert_store.acknowledge(session=session, alert_id=risk.id or 0, user_id=None)
        forecast(session, {BANDUNG: 100}, {BANDUNG: 5})
    outcome = evaluate(engine, AlertKind.stockout_risk)
    assert [a.id for a in outcome.escalated] == [risk.id]
    [same] = [a for a in open_alerts(engine) if a.kind is AlertKind.stockout_risk]
    assert same.id == risk.id  # updated, not a second alert
    assert same.severity is AlertSeverity.critical and same.acknowledged_at is None

    with session_scope(engine) as session:
        forecast(session, {BANDUNG: 100, "00": 3000}, {BANDUNG: None, "00": None})
    outcome = evaluate(engine, *alerts.FORECAST_KINDS)
    resolved = {(a.office_code, a.kind) for a in outcome.resolved}
    assert (BANDUNG, AlertKind.stockout_risk) in resolved
    assert ("00", AlertKind.national_shortage) in resolved
    with session_scope(engine, write=False) as session:
        again = alert_store.list_alerts(session=session, office_codes=[BANDUNG], status="resolved")
    assert [a.id for a in again] == [risk.id]


def test_record_checks_do_not_resolve_forecast_alerts(engine: Engine) -> None:
    with session_scope(engine) as session:
        forecast(session, {BANDUNG: 100}, {BANDUNG: 10})
    evaluate(engine, AlertKind.stockout_risk)
    evaluate(engine, AlertKind.report_missing, AlertKind.backlog_high)
    assert [a.kind for a in open_alerts(engine)] == [AlertKind.stockout_risk]


def test_missing_report_and_high_backlog(engine: Engine) -> None:
    with session_scope(engine) as session:
        give_stock(session, BANDUNG, 20_000)
        yesterday = today(session) - timedelta(days=1)
        for back in range(2, 30):
            save_daily_report(
                session=session,
                office_code=BANDUNG,
                report_date=yesterday - timedelta(days=back - 1),
                figures=DailyFigures(
                    print_requests=100, printed=100, backlog=0 if back > 2 else 900
                ),
                actor=SYSTEM,
            )
    evaluate(engine, AlertKind.report_missing, AlertKind.backlog_high)
    assert {a.kind for a in open_alerts(engine)} == {
        AlertKind.report_missing,
        AlertKind.backlog_high,
    }
    with session_scope(engine) as session:
        save_daily_report(
            session=session,
            office_code=BANDUNG,
            report_date=yesterday,
            figures=DailyFigures(print_requests=100, printed=100, backlog=50),
            actor=SYSTEM,
        )
    outcome = evaluate(engine, AlertKind.report_missing, AlertKind.backlog_high)
    assert {a.kind for a in outcome.resolved} == {AlertKind.report_missing, AlertKind.backlog_high}
    assert open_alerts(engine) == []


def test_plan_prefers_the_neighbour_and_approving_twice_dispatches_once(engine: Engine) -> None:
    with session_scope(engine) as session:
        give_stock(session, BOGOR, 2_000)  # need 35 × 10 = 350 → 1.650 spare
        give_stock(session, MEDAN, 5_000)
        record_procurement(
            session=session,
            quantity=10_000,
            received_on=today(session),
            reference="SPK-2",
            actor=SYSTEM,
        )
        forecast(session, {BANDUNG: 20, BOGOR: 10, MEDAN: 10})  # Bandung needs 700
        plan = plans.build_plan(session=session)
        assert plan is not None and plan.id is not None
        plan_id = plan.id
        lines = plans.plan_lines(session=session, plan_id=plan_id)
    assert [(x.from_office, x.to_office, x.quantity) for x in lines] == [(BOGOR, BANDUNG, 700)]
    assert plan.coverage == 1.0 and plan.total_deficit == 700

    with session_scope(engine) as session:
        _, first = plans.approve_plan(session=session, plan_id=plan_id, actor=SYSTEM)
    with session_scope(engine) as session:
        approved, second = plans.approve_plan(session=session, plan_id=plan_id, actor=SYSTEM)
        bogor = office_stock(session=session, office_code=BOGOR)
        bandung = office_stock(session=session, office_code=BANDUNG)
        count = len(
            session.exec(
                select(Shipment).where(Shipment.reference == f"Realokasi #{plan_id}")
            ).all()
        )
    assert approved.status is PlanStatus.approved
    assert [s.id for s in first] == [s.id for s in second]
    assert count == 1
    assert bogor.on_hand == 1_300 and bogor.in_transit_out == 700
    assert bandung.in_transit_in == 700


def test_a_new_plan_supersedes_the_proposed_one(engine: Engine) -> None:
    with session_scope(engine) as session:
        record_procurement(
            session=session, quantity=1_000, received_on=today(session), reference="S", actor=SYSTEM
        )
        forecast(session, {BANDUNG: 10})
        old = plans.build_plan(session=session)
        new = plans.build_plan(session=session)
        assert old is not None and new is not None and old.id is not None
        assert plans.latest_plan(session=session).id == new.id
        assert old.status is PlanStatus.superseded
        with pytest.raises(InvalidState):
            plans.approve_plan(session=session, plan_id=old.id, actor=SYSTEM)
