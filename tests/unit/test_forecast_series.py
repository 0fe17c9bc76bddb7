"""Demand series from daily reports, and the Indonesian calendar."""

from datetime import date, timedelta

import numpy as np

from forecast.calendar import CLOSURE, LEBARAN, LEBARAN_RETURN, NORMAL, build_calendar
from forecast.series import DemandSeries, demand_from_reports, impute, national_series

START = date(2025, 1, 6)  # a Monday


def series_of(
    requests: list[int], printed: list[int], backlog: list[int], stock: list[int]
) -> DemandSeries:
    days = len(stock)
    return demand_from_reports(
        office_code="32.73",
        start=START,
        end=START + timedelta(days=days - 1),
        report_dates=[START + timedelta(days=i) for i in range(len(requests))],
        print_requests=requests,
        printed=printed,
        backlog=backlog,
        stock_end=np.array(stock, dtype=float),
    )


def test_demand_is_print_requests_not_prints() -> None:
    s = series_of([30, 40], [30, 25], [0, 15], [100, 75])
    np.testing.assert_array_equal(s.values, [30, 40])


def test_missing_requests_are_prints_plus_backlog_growth() -> None:
    s = series_of([30, 0, 0], [30, 20, 35], [5, 12, 0], [100, 80, 45])
    # Day 2: 20 printed and the backlog grew by 7; day 3: 35 printed, backlog fell by 12.
    np.testing.assert_array_equal(s.values, [30, 27, 23])


def test_out_of_stock_days_with_people_waiting_are_missing() -> None:
    s = series_of([30, 30, 5, 30], [30, 10, 0, 30], [0, 20, 25, 25], [20, 0, 0, 70])
    assert np.isnan(s.values[1]) and np.isnan(s.values[2])
    assert s.censored.tolist() == [False, True, True, False]
    assert s.values[0] == 30 and s.values[3] == 30


def test_days_without_a_report_are_missing() -> None:
    s = series_of([30, 30], [30, 30], [0, 0], [100, 70, 70, 70])
    assert np.isnan(s.values[2:]).all()
    assert s.observed_days == 2
    assert s.end == START + timedelta(days=3)


def test_closed_day_with_zero_stock_and_nobody_waiting_is_a_real_zero() -> None:
    s = series_of([0], [0], [0], [0])
    assert s.values.tolist() == [0.0]


def test_impute_fills_gaps_with_the_weekday_median_and_closures_with_zero() -> None:
    calendar = build_calendar(2024, 2026)
    values = np.tile([30.0, 28, 27, 29, 25, 10, 0], 4)
    values[15] = np.nan  # Tuesday 21 January
    values[19] = np.nan  # Saturday 25 January
    s = DemandSeries("32.73", START, values, np.zeros(28, dtype=bool))
    filled = impute(s, calendar)
    assert filled[15] == 28 and filled[19] == 10
    holiday = date(2025, 1, 27) - START  # Isra Mi'raj, a Monday
    assert calendar.day_kinds(START, 28)[holiday.days] == CLOSURE
    values2 = values.copy()
    values2[holiday.days] = np.nan
    assert (
        impute(DemandSeries("x", START, values2, np.zeros(28, dtype=bool)), calendar)[holiday.days]
        == 0
    )


def test_national_series_sums_offices_and_skips_silent_ones() -> None:
    calendar = build_calendar(2024, 2026)
    a = DemandSeries("32.73", START, np.array([10.0, 20.0, np.nan]), np.zeros(3, dtype=bool))
    b = DemandSeries("32.74", START, np.array([1.0, 2.0, 3.0]), np.zeros(3, dtype=bool))
    silent = DemandSeries("32.75", START, np.full(3, np.nan), np.zeros(3, dtype=bool))
    total = national_series([a, b, silent], calendar)
    assert total is not None and total.office_code == "00"
    # Office a's gap has no earlier same weekday: it counts as zero.
    np.testing.assert_array_equal(total.values, [11.0, 22.0, 3.0])
    assert national_series([silent], calendar) is None


def test_calendar_has_lebaran_and_cuti_bersama() -> None:
    calendar = build_calendar(2024, 2026)
    assert date(2025, 3, 31) in calendar.lebaran_days
    assert date(2026, 3, 21) in calendar.lebaran_days
    assert date(2025, 4, 2) in calendar.closures  # cuti bersama Idul Fitri
    assert date(2025, 8, 17) not in calendar.closures  # a Sunday: the weekly pattern has it
    kinds = calendar.day_kinds(date(2025, 3, 20), 30)
    assert kinds[0] == NORMAL  # 20 Mar: outside the window
    assert kinds[(date(2025, 3, 26) - date(2025, 3, 20)).days] == LEBARAN
    assert kinds[(date(2025, 3, 31) - date(2025, 3, 20)).days] == CLOSURE
    later = calendar.day_kinds(date(2025, 4, 10), 30)
    assert later[0] == LEBARAN and later[1] == LEBARAN_RETURN  # 10 and 11 Apr
    assert later[(date(2025, 5, 9) - date(2025, 4, 10)).days] == NORMAL


def test_holiday_regressors_do_not_overlap() -> None:
    calendar = build_calendar(2024, 2026)
    frame = calendar.holiday_regressors()
    assert list(frame.columns) == [
        "lebaran_before",
        "lebaran_after",
        "lebaran_return",
        "libur_nasional",
        "cuti_bersama",
    ]
    assert frame.index[0] == np.datetime64("2024-01-01")
    assert frame.index[-1] == np.datetime64("2026-12-31")
    assert (frame.sum(axis=1) <= 1).all()
    assert frame.loc["2025-03-31", "libur_nasional"] == 1
    assert frame.loc["2025-04-08", "lebaran_after"] == 1  # a working day after Idul Fitri
    assert frame.loc["2025-03-26", "lebaran_before"] == 1
    # The weeks of the return flow: from the 11th day after Idul Fitri to the 38th.
    assert frame.loc["2025-04-10", "lebaran_after"] == 1
    assert frame.loc["2025-04-11", "lebaran_return"] == 1
    assert frame.loc["2025-05-08", "lebaran_return"] == 1
    assert frame.loc["2025-05-09"].sum() == 0
