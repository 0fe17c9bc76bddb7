"""The quota rules (blangko.quotas): the next calendar months, a stored forecast read past
its horizon with its weekly pattern, month totals, the shortfall, and a province as the sum
of its offices."""

from datetime import date, datetime, timedelta

from blangko.models import Office, OfficeKind
from blangko.quotas import (
    DailyDemand,
    QuotaRow,
    next_months,
    office_row,
    province_row,
)
from blangko.stock import OfficeStock


def points(first: date, days: int, demand: dict[int, float]) -> list[dict[str, object]]:
    return [
        {
            "date": (first + timedelta(days=i)).isoformat(),
            "demand_mean": demand[(first + timedelta(days=i)).weekday()],
        }
        for i in range(days)
    ]


WEEKDAYS = {d: 10.0 if d < 5 else 0.0 for d in range(7)}


def test_next_months_start_after_the_current_one_and_cross_the_year() -> None:
    assert next_months(date(2026, 11, 20)) == [
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 2, 1),
    ]
    assert next_months(date(2026, 12, 31)) == [date(2027, 1, 1), date(2027, 2, 1), date(2027, 3, 1)]
    assert next_months(date(2027, 1, 1), 1) == [date(2027, 2, 1)]


def test_days_past_the_horizon_keep_their_weekday() -> None:
    demand = DailyDemand(points(date(2026, 11, 21), 90, WEEKDAYS))
    assert demand.last == date(2027, 2, 18)
    saturday, monday = date(2027, 3, 6), date(2027, 3, 8)
    assert demand.on(saturday) == 0.0 and demand.on(monday) == 10.0
    # February 2027 has 20 weekdays, 8 of them past the horizon.
    assert demand.total(date(2027, 2, 1), date(2027, 2, 28)) == 200
    assert demand.total(date(2027, 3, 1), date(2027, 3, 31)) == 230  # 23 weekdays


def test_a_horizon_shorter_than_four_weeks_repeats_its_mean() -> None:
    demand = DailyDemand(points(date(2026, 11, 21), 7, WEEKDAYS))
    assert demand.on(date(2027, 1, 2)) == 50 / 7


def test_month_totals_are_rounded_to_whole_blanks() -> None:
    demand = DailyDemand(points(date(2026, 12, 1), 90, dict.fromkeys(range(7), 0.4)))
    assert demand.total(date(2027, 1, 1), date(2027, 1, 31)) == 12  # 12.4


def _office(code: str, kind: OfficeKind = OfficeKind.kabupaten) -> Office:
    return Office(
        code=code, name=f"Kantor {code}", kind=kind, province_code="32", timezone="Asia/Jakarta"
    )


def _stock(code: str, on_hand: int, in_transit: int = 0, backlog: int = 0) -> OfficeStock:
    return OfficeStock(code, on_hand, in_transit, 0, backlog, datetime(2026, 11, 20))


def test_shortfall_counts_the_rest_of_this_month_and_the_backlog() -> None:
    today = date(2026, 11, 20)
    demand = DailyDemand(points(today + timedelta(days=1), 90, dict.fromkeys(range(7), 100.0)))
    row = office_row(
        _office("32.16"), demand, _stock("32.16", 5000, 0, 40), today, next_months(today)
    )
    assert row.rest_of_month == 1000 and row.months == (3100, 3100, 2800) and row.total == 9000
    assert row.shortfall == 1000 + 9000 + 40 - 5000
    plenty = office_row(
        _office("32.16"), demand, _stock("32.16", 50_000), today, next_months(today)
    )
    assert plenty.shortfall == 0


def test_an_office_without_forecast_has_no_demand_but_its_stock() -> None:
    today = date(2026, 11, 20)
    row = office_row(_office("32.01"), None, _stock("32.01", 300, 20), today, next_months(today))
    assert row.months is None and row.total is None and row.shortfall is None
    assert (row.on_hand, row.in_transit, row.without_forecast) == (300, 20, 1)


def test_a_province_sums_its_offices_and_reckons_its_shortfall_on_the_totals() -> None:
    def row(code: str, months: tuple[int, ...] | None, on_hand: int) -> QuotaRow:
        return QuotaRow(
            code=code,
            name=code,
            kind=OfficeKind.kabupaten,
            province_code="32",
            rest_of_month=None if months is None else 100,
            months=months,
            on_hand=on_hand,
            in_transit=10,
            backlog=5,
            without_forecast=int(months is None),
        )

    rows = [row("32", (0, 0, 0), 1000), row("32.01", (500, 400, 300), 0), row("32.02", None, 7)]
    total = province_row(_office("32", OfficeKind.province), rows)
    assert total.months == (500, 400, 300) and total.rest_of_month == 200
    assert (total.on_hand, total.in_transit, total.backlog) == (1007, 30, 15)
    assert (total.offices, total.without_forecast) == (3, 1)
    assert total.shortfall == 200 + 1200 + 15 - 1007 - 30
    # The kab/kota alone is short of more: the province's stock can be redistributed.
    assert rows[1].shortfall == 100 + 1200 + 5 - 0 - 10
    assert province_row(_office("11", OfficeKind.province), [row("11", None, 0)]).months is None
