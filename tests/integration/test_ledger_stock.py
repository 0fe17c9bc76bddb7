"""Procurement, physical stock counts and reversals on SQLite and PostgreSQL."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import col, select

from blangko import ledger, reports, shipments, stock
from blangko.db import session_scope
from blangko.fmt import day
from blangko.models import AccountKind, Entry, Movement, MovementKind, StockCount
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

BEKASI = "32.16"


def procure(engine: Engine, quantity: int, days: int = 5) -> int:
    with session_scope(engine) as session:
        movement = stock.record_procurement(
            session=session,
            quantity=quantity,
            received_on=days_ago(engine, NATIONAL, days),
            reference=f"SPK-{quantity}",
            actor=PLANNER,
        )
    assert movement.id is not None
    return movement.id


def on_hand(engine: Engine, office: str) -> int:
    with session_scope(engine, write=False) as session:
        return ledger.balance(session=session, office_code=office, kind=AccountKind.stock)


def move_to(engine: Engine, office: str, quantity: int) -> None:
    """Gives ``office`` ``quantity`` blanks through procurement, dispatch and receipt."""
    procure(engine, quantity, days=10)
    with session_scope(engine) as session:
        shipment = shipments.dispatch(
            session=session,
            from_office=NATIONAL,
            to_office=office,
            quantity=quantity,
            expected_on=days_ago(engine, NATIONAL, 5),
            dispatched_on=days_ago(engine, NATIONAL, 9),
            reference="B-1",
            actor=PLANNER,
        )
        assert shipment.id is not None
        shipments.receive(
            session=session,
            shipment_id=shipment.id,
            received_quantity=quantity,
            received_on=days_ago(engine, office, 8),
            actor=PLANNER,
        )


def test_procurement_moves_supply_into_national_stock(engine: Engine) -> None:
    movement_id = procure(engine, 250_000)
    with session_scope(engine, write=False) as session:
        balances = ledger.balances(session=session, office_code=NATIONAL)
        movement = session.get_one(Movement, movement_id)
        legs = ledger.legs_of(session=session, movement_id=movement_id)
    assert balances[AccountKind.stock] == 250_000
    assert balances[AccountKind.supply] == -250_000
    assert movement.kind is MovementKind.procurement
    assert movement.office_code == NATIONAL
    assert movement.business_date == days_ago(engine, NATIONAL, 5)
    assert movement.recorded_at.tzinfo is not None
    assert "SPK-250000" in movement.note
    assert [(leg.source, leg.target, leg.quantity) for leg in legs] == [
        ((NATIONAL, AccountKind.supply), (NATIONAL, AccountKind.stock), 250_000)
    ]
    assert_invariants(engine)


def test_procurement_refusals_write_nothing(engine: Engine) -> None:
    tomorrow = days_ago(engine, NATIONAL, -1)
    today = days_ago(engine, NATIONAL, 0)

    def procure_with(quantity: int, received_on: date, reference: str = "SPK-1") -> Action:
        return lambda session: stock.record_procurement(
            session=session,
            quantity=quantity,
            received_on=received_on,
            reference=reference,
            actor=PLANNER,
        )

    refused(engine, "validation_error", procure_with(0, today))
    refused(engine, "validation_error", procure_with(-5, today))
    refused(engine, "validation_error", procure_with(10, today, reference="  "))
    error = refused(engine, "future_date", procure_with(10, tomorrow))
    assert "belum terjadi" in error.message


def test_stock_count_up_down_and_equal(engine: Engine) -> None:
    move_to(engine, BEKASI, 100)
    counted_on = days_ago(engine, BEKASI, 1)

    def count(quantity: int) -> StockCount:
        with session_scope(engine) as session:
            return stock.record_stock_count(
                session=session,
                office_code=BEKASI,
                counted_quantity=quantity,
                counted_on=counted_on,
                actor=PLANNER,
                note="Opname akhir bulan",
            )

    down = count(93)
    assert (down.book_quantity, down.counted_quantity) == (100, 93)
    assert on_hand(engine, BEKASI) == 93
    up = count(104)
    assert (up.book_quantity, up.counted_quantity) == (93, 104)
    assert on_hand(engine, BEKASI) == 104
    before = read_state(engine)
    same = count(104)
    assert same.movement_id is None and same.book_quantity == 104
    after = read_state(engine)
    assert after["counts"]["movements"] == before["counts"]["movements"]
    assert after["counts"]["stock_counts"] == before["counts"]["stock_counts"] + 1
    with session_scope(engine, write=False) as session:
        balances = ledger.balances(session=session, office_code=BEKASI)
        assert down.movement_id is not None and up.movement_id is not None
        down_legs = ledger.legs_of(session=session, movement_id=down.movement_id)
        up_legs = ledger.legs_of(session=session, movement_id=up.movement_id)
    # Seven went missing, then eleven were found: the adjustment account nets both.
    assert balances[AccountKind.adjustment] == 7 - 11
    assert [(leg.source[1], leg.target[1], leg.quantity) for leg in down_legs] == [
        (AccountKind.stock, AccountKind.adjustment, 7)
    ]
    assert [(leg.source[1], leg.target[1], leg.quantity) for leg in up_legs] == [
        (AccountKind.adjustment, AccountKind.stock, 11)
    ]
    assert_invariants(engine)


def test_stock_count_of_an_empty_office_finds_blanks(engine: Engine) -> None:
    with session_scope(engine) as session:
        count = stock.record_stock_count(
            session=session,
            office_code=BEKASI,
            counted_quantity=12,
            counted_on=days_ago(engine, BEKASI, 0),
            actor=PLANNER,
        )
    assert count.book_quantity == 0
    assert on_hand(engine, BEKASI) == 12
    assert_invariants(engine)


def test_stock_count_refusals_write_nothing(engine: Engine) -> None:
    move_to(engine, BEKASI, 50)

    def count(quantity: int, days: int, office: str = BEKASI) -> Action:
        return lambda session: stock.record_stock_count(
            session=session,
            office_code=office,
            counted_quantity=quantity,
            counted_on=days_ago(engine, BEKASI, days),
            actor=PLANNER,
        )

    refused(engine, "validation_error", count(-1, 0))
    refused(engine, "future_date", count(40, -1))
    refused(engine, "not_found", count(40, 0, office="99.99"))


def card_balances(engine: Engine, office: str) -> list[tuple[date, int]]:
    with session_scope(engine, write=False) as session:
        lines = ledger.stock_card(session=session, office_code=office, limit=1000).lines
    return [(line.business_date, line.balance) for line in lines]


def report_printed(engine: Engine, office: str, days: int, printed: int) -> None:
    with session_scope(engine) as session:
        reports.save_daily_report(
            session=session,
            office_code=office,
            report_date=days_ago(engine, office, days),
            figures=DailyFigures(printed=printed),
            actor=PLANNER,
        )


def count_on(engine: Engine, office: str, quantity: int, counted_on: date) -> Action:
    return lambda session: stock.record_stock_count(
        session=session,
        office_code=office,
        counted_quantity=quantity,
        counted_on=counted_on,
        actor=PLANNER,
    )


def test_stock_count_in_the_past_is_compared_with_that_days_book(engine: Engine) -> None:
    move_to(engine, BEKASI, 100)  # received 8 days ago
    report_printed(engine, BEKASI, 5, 20)  # today's book: 80
    six_days_ago = days_ago(engine, BEKASI, 6)
    with session_scope(engine) as session:
        count = count_on(engine, BEKASI, 95, six_days_ago)(session)
    assert isinstance(count, StockCount)
    # On that day the shelf should have held 100; 5 were missing from then on.
    assert (count.book_quantity, count.counted_quantity) == (100, 95)
    assert on_hand(engine, BEKASI) == 75
    assert card_balances(engine, BEKASI) == [
        (days_ago(engine, BEKASI, 8), 100),
        (six_days_ago, 95),
        (days_ago(engine, BEKASI, 5), 75),
    ]
    assert_invariants(engine)


def test_stock_count_dated_before_the_first_receipt_leaves_the_card_positive(
    engine: Engine,
) -> None:
    """The issue's case: a count of 0 dated 2011 took today's 500 off in 2011."""
    move_to(engine, BEKASI, 500)
    with session_scope(engine) as session:
        count = count_on(engine, BEKASI, 0, date(2011, 1, 3))(session)
    assert isinstance(count, StockCount)
    assert (count.book_quantity, count.movement_id) == (0, None)
    assert on_hand(engine, BEKASI) == 500
    assert card_balances(engine, BEKASI) == [(days_ago(engine, BEKASI, 8), 500)]
    assert_invariants(engine)


def test_stock_count_contradicted_by_later_movements_is_refused(engine: Engine) -> None:
    move_to(engine, BEKASI, 100)  # received 8 days ago
    report_printed(engine, BEKASI, 5, 60)
    report_printed(engine, BEKASI, 2, 30)  # card: 100, 40, 10
    six_days_ago, two_days_ago = days_ago(engine, BEKASI, 6), days_ago(engine, BEKASI, 2)
    # 50 on the shelf six days ago cannot be: 90 were printed after that day.
    error = refused(engine, "insufficient_stock", count_on(engine, BEKASI, 50, six_days_ago))
    assert day(six_days_ago) in error.message
    assert f"terakhir {day(two_days_ago)}" in error.message  # the latest movement
    assert "kurang 40 keping" in error.message  # the last line, 10, less the 50 missing
    # A smaller shortfall that the later lines can carry is taken.
    with session_scope(engine) as session:
        count_on(engine, BEKASI, 97, six_days_ago)(session)
    # So is a count dated on the latest movement's day.
    with session_scope(engine) as session:
        count_on(engine, BEKASI, 4, two_days_ago)(session)
    assert card_balances(engine, BEKASI) == [
        (days_ago(engine, BEKASI, 8), 100),
        (six_days_ago, 97),
        (days_ago(engine, BEKASI, 5), 37),
        (two_days_ago, 7),
        (two_days_ago, 4),
    ]
    assert on_hand(engine, BEKASI) == 4
    assert_invariants(engine)


def test_stock_count_before_a_later_count_is_refused(engine: Engine) -> None:
    """An earlier count would shift the balance a later count confirmed on its day."""
    move_to(engine, BEKASI, 100)
    three_days_ago = days_ago(engine, BEKASI, 3)
    with session_scope(engine) as session:
        later = count_on(engine, BEKASI, 90, three_days_ago)(session)
    assert isinstance(later, StockCount)
    for quantity in (80, 120):
        error = refused(
            engine, "invalid_state", count_on(engine, BEKASI, quantity, days_ago(engine, BEKASI, 5))
        )
        assert f"Stock opname tanggal {day(three_days_ago)}" in error.message
    # Once that count is reversed (it was wrong), the earlier count is taken.
    with session_scope(engine) as session:
        ledger.reverse(
            session=session,
            movement_id=later.movement_id or 0,
            actor=PLANNER,
            business_date=days_ago(engine, BEKASI, 0),
        )
    with session_scope(engine) as session:
        count_on(engine, BEKASI, 95, days_ago(engine, BEKASI, 5))(session)
    assert on_hand(engine, BEKASI) == 95
    assert all(balance >= 0 for _, balance in card_balances(engine, BEKASI))
    assert_invariants(engine)


def test_reversal_of_procurement_and_twice_refused(engine: Engine) -> None:
    first = procure(engine, 1000)
    procure(engine, 300)
    with session_scope(engine) as session:
        reversal = ledger.reverse(
            session=session,
            movement_id=first,
            actor=PLANNER,
            business_date=days_ago(engine, NATIONAL, 0),
            note="Salah input SPK",
        )
        legs = ledger.legs_of(session=session, movement_id=reversal.id or 0)
    assert reversal.kind is MovementKind.reversal
    assert reversal.reverses_id == first
    assert [(leg.source, leg.target, leg.quantity) for leg in legs] == [
        ((NATIONAL, AccountKind.stock), (NATIONAL, AccountKind.supply), 1000)
    ]
    assert on_hand(engine, NATIONAL) == 300
    error = refused(
        engine,
        "invalid_state",
        lambda session: ledger.reverse(
            session=session,
            movement_id=first,
            actor=PLANNER,
            business_date=days_ago(engine, NATIONAL, 0),
        ),
    )
    assert f"#{reversal.id}" in error.message
    # A reversal is itself not reversible: a new posting corrects it.
    refused(
        engine,
        "invalid_state",
        lambda session: ledger.reverse(
            session=session,
            movement_id=reversal.id or 0,
            actor=PLANNER,
            business_date=days_ago(engine, NATIONAL, 0),
        ),
    )
    assert_invariants(engine)


def test_reversal_of_procurement_already_sent_out_is_insufficient_stock(engine: Engine) -> None:
    first = procure(engine, 100)
    with session_scope(engine) as session:
        shipments.dispatch(
            session=session,
            from_office=NATIONAL,
            to_office=BEKASI,
            quantity=60,
            expected_on=days_ago(engine, NATIONAL, 0),
            reference="B-2",
            actor=PLANNER,
        )
    refused(
        engine,
        "insufficient_stock",
        lambda session: ledger.reverse(
            session=session,
            movement_id=first,
            actor=PLANNER,
            business_date=days_ago(engine, NATIONAL, 0),
        ),
    )


def test_reversal_of_stock_count_restores_the_book(engine: Engine) -> None:
    move_to(engine, BEKASI, 80)
    with session_scope(engine) as session:
        count = stock.record_stock_count(
            session=session,
            office_code=BEKASI,
            counted_quantity=70,
            counted_on=days_ago(engine, BEKASI, 0),
            actor=PLANNER,
        )
    assert on_hand(engine, BEKASI) == 70
    with session_scope(engine) as session:
        ledger.reverse(
            session=session,
            movement_id=count.movement_id or 0,
            actor=PLANNER,
            business_date=days_ago(engine, BEKASI, 0),
        )
        balances = ledger.balances(session=session, office_code=BEKASI)
    assert balances[AccountKind.stock] == 80
    assert balances[AccountKind.adjustment] == 0
    assert_invariants(engine)


def test_reversal_of_daily_report_dispatch_and_unknown_refused(engine: Engine) -> None:
    move_to(engine, BEKASI, 40)
    with session_scope(engine) as session:
        report = reports.save_daily_report(
            session=session,
            office_code=BEKASI,
            report_date=days_ago(engine, BEKASI, 1),
            figures=DailyFigures(print_requests=12, printed=10, spoiled_gagal_cetak=1),
            actor=PLANNER,
        )
        shipment = shipments.dispatch(
            session=session,
            from_office=BEKASI,
            to_office="32.17",
            quantity=5,
            expected_on=days_ago(engine, BEKASI, 0),
            reference="Pinjam",
            actor=PLANNER,
        )
        receipt_id = session.exec(
            select(Movement.id).where(col(Movement.kind) == MovementKind.receipt)
        ).one()
    today = days_ago(engine, BEKASI, 0)

    def reverse(movement_id: int | None) -> Action:
        assert movement_id is not None
        return lambda session: ledger.reverse(
            session=session, movement_id=movement_id, actor=PLANNER, business_date=today
        )

    for movement_id in (report.movement_id, shipment.dispatch_movement_id, receipt_id):
        refused(engine, "invalid_state", reverse(movement_id))
    refused(engine, "not_found", reverse(999_999))


def test_balances_read_in_the_writing_session_are_current(engine: Engine) -> None:
    with session_scope(engine) as session:
        stock.record_procurement(
            session=session,
            quantity=70,
            received_on=days_ago(engine, NATIONAL, 0),
            reference="SPK-A",
            actor=PLANNER,
        )
        first = ledger.balances(session=session, office_code=NATIONAL)[AccountKind.stock]
        stock.record_procurement(
            session=session,
            quantity=30,
            received_on=days_ago(engine, NATIONAL, 0),
            reference="SPK-B",
            actor=PLANNER,
        )
        second = ledger.balances(session=session, office_code=NATIONAL)[AccountKind.stock]
        entries = session.execute(sa.select(sa.func.count()).select_from(Entry)).scalar_one()
    assert (first, second, entries) == (70, 100, 2)
