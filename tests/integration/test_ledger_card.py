"""The stock card (kartu stok) and stock positions on SQLite and PostgreSQL."""

from datetime import date

import pytest
from sqlalchemy import Engine

from blangko import ledger, reports, shipments, stock
from blangko.db import session_scope
from blangko.errors import NotFound
from blangko.ledger import StockCard
from blangko.models import AccountKind, MovementKind
from blangko.offices import NATIONAL
from blangko.reports import DailyFigures
from tests.integration.ledger_support import PLANNER, days_ago

BEKASI, CIKARANG_NEIGHBOUR = "32.16", "32.17"


def card(engine: Engine, **kwargs: object) -> StockCard:
    with session_scope(engine, write=False) as session:
        return ledger.stock_card(session=session, office_code=BEKASI, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def history(engine: Engine) -> dict[str, date]:
    """Bekasi receives 100 blanks, then reports are entered out of date order."""
    d = {name: days_ago(engine, BEKASI, n) for name, n in [("d8", 8), ("d7", 7), ("d5", 5)]}
    with session_scope(engine) as session:
        stock.record_procurement(
            session=session,
            quantity=500,
            received_on=days_ago(engine, NATIONAL, 9),
            reference="SPK",
            actor=PLANNER,
        )
        shipment = shipments.dispatch(
            session=session,
            from_office=NATIONAL,
            to_office=BEKASI,
            quantity=100,
            dispatched_on=days_ago(engine, NATIONAL, 9),
            expected_on=d["d8"],
            reference="B/1",
            actor=PLANNER,
        )
        shipments.receive(
            session=session,
            shipment_id=shipment.id or 0,
            received_quantity=100,
            received_on=d["d8"],
            actor=PLANNER,
        )
    for on, figures in [
        (d["d5"], DailyFigures(printed=20)),  # recorded first, later business date
        (d["d7"], DailyFigures(printed=10, spoiled_gagal_cetak=2)),  # backdated
    ]:
        with session_scope(engine) as session:
            reports.save_daily_report(
                session=session, office_code=BEKASI, report_date=on, figures=figures, actor=PLANNER
            )
    with session_scope(engine) as session:  # same business date as a report, recorded later
        stock.record_stock_count(
            session=session,
            office_code=BEKASI,
            counted_quantity=85,
            counted_on=d["d7"],
            actor=PLANNER,
        )
    return d


def test_card_orders_by_business_date_then_recording_time(
    engine: Engine, history: dict[str, date]
) -> None:
    full = card(engine)
    rows = [
        (
            line.business_date,
            line.movement_kind,
            line.quantity_in,
            line.quantity_out,
            line.balance,
            line.counterparty,
            line.counterparty_account,
        )
        for line in full.lines
    ]
    d8, d7, d5 = history["d8"], history["d7"], history["d5"]
    assert rows == [
        (d8, MovementKind.receipt, 100, 0, 100, NATIONAL, AccountKind.transit),
        (d7, MovementKind.daily_report, 0, 10, 90, BEKASI, AccountKind.printed),
        (d7, MovementKind.daily_report, 0, 2, 88, BEKASI, AccountKind.spoiled),
        # The count, recorded after both reports, found 85 against that day's book of 88
        # (not against the 68 of the day it was entered): 3 short from that day on.
        (d7, MovementKind.stock_count, 0, 3, 85, BEKASI, AccountKind.adjustment),
        (d5, MovementKind.daily_report, 0, 20, 65, BEKASI, AccountKind.printed),
    ]
    recorded = [line.recorded_at for line in full.lines]
    assert recorded[1] > recorded[4] and recorded[3] > recorded[1]
    assert full.total == 5 and full.opening_balance == 0
    assert full.closing_balance == 65
    with session_scope(engine, write=False) as session:
        assert ledger.balance(session=session, office_code=BEKASI, kind=AccountKind.stock) == 65


def test_card_date_filter_starts_from_the_opening_balance(
    engine: Engine, history: dict[str, date]
) -> None:
    window = card(engine, date_from=history["d7"], date_to=history["d7"])
    assert window.opening_balance == 100
    assert [line.balance for line in window.lines] == [90, 88, 85]
    assert window.total == 3 and window.closing_balance == 85
    later = card(engine, date_from=history["d5"])
    assert later.opening_balance == 85 and [line.balance for line in later.lines] == [65]
    assert later.closing_balance == 65
    before = card(engine, date_to=history["d8"])
    assert [line.balance for line in before.lines] == [100] and before.closing_balance == 100
    empty = card(engine, date_from=days_ago(engine, BEKASI, 0))
    assert empty.lines == [] and empty.total == 0
    assert empty.opening_balance == empty.closing_balance == 65


def test_card_pages_keep_the_running_balance(engine: Engine, history: dict[str, date]) -> None:
    full = card(engine).lines
    first, second, third = (card(engine, offset=o, limit=2) for o in (0, 2, 4))
    assert [line.entry_id for line in first.lines + second.lines + third.lines] == [
        line.entry_id for line in full
    ]
    assert [line.balance for line in second.lines] == [88, 85]
    assert first.total == second.total == third.total == 5
    assert card(engine, offset=10, limit=2).lines == []


def test_card_of_unknown_office_is_not_found(engine: Engine) -> None:
    with pytest.raises(NotFound), session_scope(engine, write=False) as session:
        ledger.stock_card(session=session, office_code="99.99")


def test_positions_show_on_hand_transit_and_backlog(engine: Engine) -> None:
    yesterday = days_ago(engine, BEKASI, 1)
    with session_scope(engine) as session:
        stock.record_procurement(
            session=session,
            quantity=1000,
            received_on=days_ago(engine, NATIONAL, 3),
            reference="SPK",
            actor=PLANNER,
        )
        arrived = shipments.dispatch(
            session=session,
            from_office=NATIONAL,
            to_office=BEKASI,
            quantity=300,
            dispatched_on=days_ago(engine, NATIONAL, 3),
            expected_on=yesterday,
            reference="B/1",
            actor=PLANNER,
        )
        shipments.receive(
            session=session,
            shipment_id=arrived.id or 0,
            received_quantity=300,
            received_on=yesterday,
            actor=PLANNER,
        )
        for quantity in (120, 30):
            shipments.dispatch(
                session=session,
                from_office=NATIONAL,
                to_office=BEKASI,
                quantity=quantity,
                expected_on=days_ago(engine, NATIONAL, -5),
                reference="B/2",
                actor=PLANNER,
            )
        shipments.dispatch(
            session=session,
            from_office=BEKASI,
            to_office=CIKARANG_NEIGHBOUR,
            quantity=40,
            expected_on=days_ago(engine, BEKASI, -1),
            reference="Pinjam",
            actor=PLANNER,
        )
    for on, backlog in [(days_ago(engine, BEKASI, 2), 70), (yesterday, 55)]:
        with session_scope(engine) as session:
            reports.save_daily_report(
                session=session,
                office_code=BEKASI,
                report_date=on,
                figures=DailyFigures(printed=5, backlog=backlog),
                actor=PLANNER,
            )
    with session_scope(engine) as session:  # the correction of the latest day counts
        reports.save_daily_report(
            session=session,
            office_code=BEKASI,
            report_date=yesterday,
            figures=DailyFigures(printed=5, backlog=61),
            actor=PLANNER,
        )
    with session_scope(engine, write=False) as session:
        bekasi = stock.office_stock(session=session, office_code=BEKASI)
        everyone = stock.stock_positions(session=session)
    assert bekasi.on_hand == 300 - 40 - 10
    assert (bekasi.in_transit_in, bekasi.in_transit_out, bekasi.backlog) == (150, 40, 61)
    assert bekasi.as_of.tzinfo is not None
    assert len(everyone) == 553
    national = everyone[NATIONAL]
    assert (national.on_hand, national.in_transit_in, national.in_transit_out) == (550, 0, 150)
    neighbour = everyone[CIKARANG_NEIGHBOUR]
    assert (neighbour.on_hand, neighbour.in_transit_in, neighbour.backlog) == (0, 40, 0)
    assert everyone[BEKASI] == bekasi.__class__(
        **{**bekasi.__dict__, "as_of": everyone[BEKASI].as_of}
    )
    with pytest.raises(NotFound), session_scope(engine, write=False) as session:
        stock.office_stock(session=session, office_code="99.99")
