"""The stock_backlog_mismatch rule on hand-made histories (issue 14 item 4): the backlog
rising for a week while the ledger holds more than two weeks of demand and Suket go out."""

from datetime import date, timedelta

from blangko.models import AlertKind, AlertSeverity
from forecast.alert_rules import Finding, ReportFact, stock_backlog_mismatch_rule

LAST = date(2026, 11, 30)


def history(backlogs: list[int], suket: int = 20, printed: int = 0) -> list[ReportFact]:
    """One report a day, the last on ``LAST``."""
    first = LAST - timedelta(days=len(backlogs) - 1)
    return [
        ReportFact(first + timedelta(days=i), backlog, suket if i else 0, printed)
        for i, backlog in enumerate(backlogs)
    ]


def judge(reports: list[ReportFact], on_hand: int = 3000, demand: float = 100.0) -> Finding | None:
    return stock_backlog_mismatch_rule(
        office_code="32.16", reports=reports, on_hand=on_hand, mean_daily_demand=demand
    )


def test_a_backlog_rising_for_a_week_with_a_full_warehouse_is_flagged_with_its_figures() -> None:
    # Falling until 22 Nov, then up every day for 8 days; 30 days of stock on hand.
    reports = history([900, 500, 400, 480, 560, 640, 720, 800, 880, 960, 1040], printed=5)
    finding = judge(reports)
    assert finding is not None
    assert finding.kind is AlertKind.stock_backlog_mismatch
    assert finding.severity is AlertSeverity.warning
    assert finding.details == {
        "since": "2026-11-22",
        "report_date": "2026-11-30",
        "days": 8,
        "backlog_from": 400,
        "backlog": 1040,
        "suket_issued": 160,
        "printed": 40,
        "on_hand": 3000,
        "days_of_cover": 30.0,
        "mean_daily_demand": 100.0,
    }
    assert "dari 400 menjadi 1.040 dalam 8 hari sejak 22 Nov 2026" in finding.message
    assert "160 Suket" in finding.message and "3.000 keping" in finding.message


def test_a_flat_day_keeps_it_open_and_a_falling_backlog_resolves_it() -> None:
    rising = [100, 200, 300, 300, 400, 500, 600, 700]  # 7 days, one of them flat
    assert judge(history(rising)) is not None
    assert judge(history([*rising, 650])) is None  # fell today: cleared


def test_not_flagged_short_of_a_week_of_rise_two_weeks_of_cover_or_any_suket() -> None:
    six_days = [100, 200, 300, 400, 500, 600, 700]
    assert judge(history(six_days)) is None
    week = [100, 200, 300, 400, 500, 600, 700, 800]
    assert judge(history(week), on_hand=1400) is None  # exactly two weeks: not more
    assert judge(history(week), on_hand=1401) is not None
    assert judge(history(week, suket=0)) is None
    assert judge(history([500] * 10)) is None  # never rose
    assert judge(history([*[500] * 10, *six_days[1:]])) is None  # a long low, then 6 days
    assert judge(history(week), demand=0) is None  # no demand known


def test_two_weeks_of_it_is_critical() -> None:
    reports = history([100 + 50 * i for i in range(15)])
    finding = judge(reports)
    assert finding is not None and finding.severity is AlertSeverity.critical
