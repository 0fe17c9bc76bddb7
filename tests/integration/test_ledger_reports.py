"""Daily reports: save, correction by reversal, refusals, and "today" in the office's own
time zone; on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from blangko import checks, ledger, offices, reports, shipments, stock
from blangko.db import session_scope
from blangko.models import AccountKind, DailyReport, Movement, MovementKind
from blangko.offices import NATIONAL
from blangko.reports import DailyFigures
from tests.integration.ledger_support import (
    PLANNER,
    Action,
    assert_invariants,
    days_ago,
    read_state,
    refused,
)

BEKASI = "32.16"  # WIB
JAYAPURA = "91.71"  # WIT


def supply(engine: Engine, office: str, quantity: int) -> None:
    """Puts ``quantity`` blanks into the office's stock (procurement, dispatch, receipt)."""
    with session_scope(engine) as session:
        stock.record_procurement(
            session=session,
            quantity=quantity,
            received_on=days_ago(engine, NATIONAL, 30),
            reference="SPK",
            actor=PLANNER,
        )
        shipment = shipments.dispatch(
            session=session,
            from_office=NATIONAL,
            to_office=office,
            quantity=quantity,
            dispatched_on=days_ago(engine, NATIONAL, 30),
            expected_on=days_ago(engine, NATIONAL, 25),
            reference="B/1",
            actor=PLANNER,
        )
        shipments.receive(
            session=session,
            shipment_id=shipment.id or 0,
            received_quantity=quantity,
            received_on=days_ago(engine, office, 25),
            actor=PLANNER,
        )


def save(engine: Engine, office: str, on: date, figures: DailyFigures) -> DailyReport:
    with session_scope(engine) as session:
        return reports.save_daily_report(
            session=session, office_code=office, report_date=on, figures=figures, actor=PLANNER
        )


def accounts(engine: Engine, office: str) -> dict[AccountKind, int]:
    with session_scope(engine, write=False) as session:
        return ledger.balances(session=session, office_code=office)


FIRST = DailyFigures(
    print_requests=140,
    printed=120,
    spoiled_gagal_cetak=2,
    spoiled_gagal_encode=1,
    spoiled_rusak_fisik=1,
    spoiled_lainnya=0,
    backlog=35,
    suket_issued=20,
    ikd_activations=9,
)


def test_saving_a_report_posts_prints_and_spoiled(engine: Engine) -> None:
    supply(engine, BEKASI, 500)
    on = days_ago(engine, BEKASI, 1)
    report = save(engine, BEKASI, on, FIRST)
    assert (report.version, report.is_current, report.spoiled) == (1, True, 4)
    with session_scope(engine, write=False) as session:
        movement = session.get_one(Movement, report.movement_id)
        legs = ledger.legs_of(session=session, movement_id=report.movement_id or 0)
        position = stock.office_stock(session=session, office_code=BEKASI)
    assert movement.kind is MovementKind.daily_report
    assert movement.business_date == on and movement.office_code == BEKASI
    assert [(leg.source[1], leg.target[1], leg.quantity) for leg in legs] == [
        (AccountKind.stock, AccountKind.printed, 120),
        (AccountKind.stock, AccountKind.spoiled, 4),
    ]
    balances = accounts(engine, BEKASI)
    assert balances[AccountKind.stock] == 500 - 124
    assert balances[AccountKind.printed] == 120 and balances[AccountKind.spoiled] == 4
    assert position.on_hand == 376 and position.backlog == 35
    assert_invariants(engine)


def test_saving_again_corrects_by_reversal_and_keeps_history(engine: Engine) -> None:
    supply(engine, BEKASI, 500)
    on = days_ago(engine, BEKASI, 1)
    first = save(engine, BEKASI, on, FIRST)
    corrected = DailyFigures(print_requests=140, printed=100, spoiled_lainnya=3, backlog=40)
    second = save(engine, BEKASI, on, corrected)
    assert (second.version, second.is_current) == (2, True)
    with session_scope(engine, write=False) as session:
        history = reports.list_reports(
            session=session, office_code=BEKASI, date_from=on, date_to=on, include_history=True
        )
        current = reports.list_reports(session=session, office_code=BEKASI)
        reversal = session.exec(
            select(Movement).where(col(Movement.reverses_id) == first.movement_id)
        ).one()
        reversal_legs = ledger.legs_of(session=session, movement_id=reversal.id or 0)
        position = stock.office_stock(session=session, office_code=BEKASI)
    assert [(r.version, r.is_current, r.printed) for r in history] == [
        (1, False, 120),
        (2, True, 100),
    ]
    assert [r.id for r in current] == [second.id]
    assert reversal.kind is MovementKind.reversal and reversal.business_date == on
    assert [(leg.source[1], leg.target[1], leg.quantity) for leg in reversal_legs] == [
        (AccountKind.printed, AccountKind.stock, 120),
        (AccountKind.spoiled, AccountKind.stock, 4),
    ]
    balances = accounts(engine, BEKASI)
    assert balances[AccountKind.stock] == 500 - 103
    assert balances[AccountKind.printed] == 100 and balances[AccountKind.spoiled] == 3
    assert position.backlog == 40
    third = save(engine, BEKASI, on, DailyFigures(print_requests=5, backlog=45))
    assert third.version == 3 and third.movement_id is None
    assert accounts(engine, BEKASI)[AccountKind.stock] == 500
    fourth = save(engine, BEKASI, on, DailyFigures(printed=7))
    assert fourth.version == 4
    assert accounts(engine, BEKASI)[AccountKind.stock] == 493
    assert_invariants(engine)


def test_a_correction_that_needs_more_stock_is_refused_whole(engine: Engine) -> None:
    supply(engine, BEKASI, 130)
    on = days_ago(engine, BEKASI, 2)
    save(engine, BEKASI, on, FIRST)  # uses 124 of 130
    error = refused(
        engine,
        "insufficient_stock",
        lambda session: reports.save_daily_report(
            session=session,
            office_code=BEKASI,
            report_date=on,
            figures=DailyFigures(printed=131),
            actor=PLANNER,
        ),
    )
    assert error.details["on_hand"] == 130
    with session_scope(engine, write=False) as session:
        current = reports.current_report(session=session, office_code=BEKASI, report_date=on)
    assert current is not None and current.version == 1 and current.printed == 120


def test_report_refusals_write_nothing(engine: Engine) -> None:
    supply(engine, BEKASI, 50)

    def report(office: str, days: int, figures: DailyFigures) -> Action:
        return lambda session: reports.save_daily_report(
            session=session,
            office_code=office,
            report_date=days_ago(engine, BEKASI, days),
            figures=figures,
            actor=PLANNER,
        )

    refused(
        engine, "insufficient_stock", report(BEKASI, 0, DailyFigures(printed=49, spoiled_lainnya=2))
    )
    refused(engine, "validation_error", report(BEKASI, 0, DailyFigures(printed=-1)))
    refused(engine, "validation_error", report(BEKASI, 0, DailyFigures(backlog=-3)))
    refused(engine, "future_date", report(BEKASI, -1, DailyFigures(printed=1)))
    refused(engine, "validation_error", report(BEKASI, 365 * 30, DailyFigures(printed=1)))
    refused(engine, "invalid_state", report(NATIONAL, 0, DailyFigures(printed=1)))
    refused(engine, "not_found", report("32.99", 0, DailyFigures(printed=1)))
    assert accounts(engine, BEKASI)[AccountKind.stock] == 50


@pytest.fixture
def near_midnight_utc(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Freezes the offices' clock at 16:30 UTC: 23:30 in WIB, already 01:30 next day in WIT."""
    now = datetime.combine(datetime.now(UTC).date() - timedelta(days=1), time(16, 30), UTC)
    monkeypatch.setattr(checks, "local_today", lambda office: offices.local_today(office, now))
    return now


def test_future_date_is_judged_in_the_office_time_zone(
    engine: Engine, near_midnight_utc: datetime
) -> None:
    supply(engine, BEKASI, 20)
    supply(engine, JAYAPURA, 20)
    wit_today = near_midnight_utc.date() + timedelta(days=1)
    # In Jayapura the new day has begun although it is still yesterday in UTC and in WIB.
    report = save(engine, JAYAPURA, wit_today, DailyFigures(printed=3))
    assert report.report_date == wit_today
    error = refused(
        engine,
        "future_date",
        lambda session: reports.save_daily_report(
            session=session,
            office_code=BEKASI,
            report_date=wit_today,
            figures=DailyFigures(printed=3),
            actor=PLANNER,
        ),
    )
    assert error.details["field"] == "report_date"
    assert "Kabupaten Bekasi" in error.message
    refused(
        engine,
        "future_date",
        lambda session: reports.save_daily_report(
            session=session,
            office_code=JAYAPURA,
            report_date=wit_today + timedelta(days=1),
            figures=DailyFigures(printed=3),
            actor=PLANNER,
        ),
    )
    save(engine, BEKASI, near_midnight_utc.date(), DailyFigures(printed=3))
    assert accounts(engine, BEKASI)[AccountKind.stock] == 17
    assert accounts(engine, JAYAPURA)[AccountKind.stock] == 17


def test_tomorrow_in_the_office_is_refused_today_accepted(engine: Engine) -> None:
    supply(engine, JAYAPURA, 10)
    today = days_ago(engine, JAYAPURA, 0)
    refused(
        engine,
        "future_date",
        lambda session: reports.save_daily_report(
            session=session,
            office_code=JAYAPURA,
            report_date=today + timedelta(days=1),
            figures=DailyFigures(printed=1),
            actor=PLANNER,
        ),
    )
    before = read_state(engine)
    save(engine, JAYAPURA, today, DailyFigures(printed=1))
    assert read_state(engine)["counts"]["daily_reports"] == before["counts"]["daily_reports"] + 1
