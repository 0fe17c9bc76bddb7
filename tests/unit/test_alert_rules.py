"""Alert rules as plain functions: when each kind fires, its severity, and that the
Indonesian message says what to do."""

from datetime import date, timedelta

from blangko.models import AlertKind, AlertSeverity
from forecast.alerts import (
    Horizon,
    ShipmentFact,
    backlog_rule,
    national_shortage_rule,
    overdue_rule,
    report_missing_rule,
    shortfall_rule,
    stockout_rule,
    surplus_rule,
)
from forecast.resupply import PendingRequest

TODAY = date(2026, 11, 22)
H = Horizon(lead_time_days=21, safety_days=14)


def stockout(days: int | None):
    return stockout_rule(
        office_code="32.73",
        today=TODAY,
        stockout_date=None if days is None else TODAY + timedelta(days=days),
        days_of_cover=12.0,
        probability_30=0.8,
        horizon=H,
    )


def test_stockout_within_lead_time_is_critical_and_asks_for_a_loan() -> None:
    finding = stockout(10)
    assert finding is not None
    assert finding.kind is AlertKind.stockout_risk
    assert finding.severity is AlertSeverity.critical
    assert "2 Des 2026 (10 hari lagi)" in finding.message
    assert "minta pinjaman" in finding.message


def test_stockout_within_safety_days_is_a_warning_to_request_allocation() -> None:
    finding = stockout(30)
    assert finding is not None and finding.severity is AlertSeverity.warning
    assert "Ajukan permintaan alokasi" in finding.message


def test_a_request_waiting_for_a_decision_is_followed_up_not_asked_again() -> None:
    waiting = PendingRequest(9, "470/123/DK", 5000, date(2026, 11, 10))
    for days, severity in ((10, AlertSeverity.critical), (30, AlertSeverity.warning)):
        finding = stockout_rule(
            office_code="32.73",
            today=TODAY,
            stockout_date=TODAY + timedelta(days=days),
            days_of_cover=12.0,
            probability_30=0.8,
            horizon=H,
            pending=waiting,
        )
        assert finding is not None and finding.severity is severity
        assert "Permintaan no. 470/123/DK menunggu keputusan sejak 10 Nov 2026" in (finding.message)
        assert "ajukan" not in finding.message.lower()
    backlog = backlog_rule(
        office_code="32.73",
        backlog=800,
        mean_daily_demand=100,
        report_date=TODAY,
        pending=waiting,
    )
    assert backlog is not None and "ajukan" not in backlog.message.lower()
    assert "470/123/DK" in backlog.message


def test_the_horizon_is_the_office_lead_time_plus_safety() -> None:
    quick = Horizon(lead_time_days=3, safety_days=14)
    finding = stockout_rule(
        office_code="31.71",
        today=TODAY,
        stockout_date=TODAY + timedelta(days=10),
        days_of_cover=10.0,
        probability_30=0.9,
        horizon=quick,
    )
    # Ten days left is no emergency where a resupply takes three days.
    assert finding is not None and finding.severity is AlertSeverity.warning
    assert "waktu tunggu 3 hari" in finding.message
    assert (
        stockout_rule(
            office_code="31.71",
            today=TODAY,
            stockout_date=TODAY + timedelta(days=18),
            days_of_cover=18.0,
            probability_30=0.6,
            horizon=quick,
        )
        is None
    )


def test_no_stockout_alert_beyond_lead_time_plus_safety_or_without_stockout() -> None:
    assert stockout(35) is not None
    assert stockout(36) is None
    assert stockout(None) is None


def test_national_shortage_within_the_horizon() -> None:
    soon = national_shortage_rule(
        today=TODAY, stockout_date=TODAY + timedelta(days=20), horizon_days=90, horizon=H
    )
    later = national_shortage_rule(
        today=TODAY, stockout_date=TODAY + timedelta(days=80), horizon_days=90, horizon=H
    )
    assert soon is not None and soon.severity is AlertSeverity.critical
    assert soon.office_code == "00" and "pengadaan darurat" in soon.message
    assert later is not None and later.severity is AlertSeverity.warning
    assert (
        national_shortage_rule(today=TODAY, stockout_date=None, horizon_days=90, horizon=H) is None
    )


def test_surplus_needs_long_cover_and_blanks_to_spare() -> None:
    assert surplus_rule(office_code="a", on_hand=10_000, incoming=0, need=2_000, days_of_cover=200)
    found = surplus_rule(office_code="a", on_hand=10_000, incoming=0, need=2_000, days_of_cover=200)
    assert found is not None and found.details["spare"] == 8_000
    assert "8.000 keping dapat dipinjamkan" in found.message
    assert (
        surplus_rule(office_code="a", on_hand=10_000, incoming=0, need=2_000, days_of_cover=90)
        is None
    )
    assert (
        surplus_rule(office_code="a", on_hand=900, incoming=0, need=600, days_of_cover=400) is None
    )


def test_backlog_alert_scales_with_demand() -> None:
    week = backlog_rule(office_code="a", backlog=800, mean_daily_demand=100, report_date=TODAY)
    fortnight = backlog_rule(
        office_code="a", backlog=1500, mean_daily_demand=100, report_date=TODAY
    )
    assert week is not None and week.severity is AlertSeverity.warning
    assert fortnight is not None and fortnight.severity is AlertSeverity.critical
    assert "Suket" in week.message
    assert (
        backlog_rule(office_code="a", backlog=500, mean_daily_demand=100, report_date=TODAY) is None
    )
    assert backlog_rule(office_code="a", backlog=60, mean_daily_demand=1, report_date=TODAY) is None


def test_overdue_shipment_names_the_oldest_and_counts_the_rest() -> None:
    facts = [
        ShipmentFact(7, "00", 5000, TODAY - timedelta(days=10)),
        ShipmentFact(9, "32", 300, TODAY - timedelta(days=2)),
        ShipmentFact(11, "00", 100, TODAY + timedelta(days=3)),
    ]
    finding = overdue_rule(office_code="32.73", today=TODAY, shipments=facts)
    assert finding is not None
    assert finding.severity is AlertSeverity.critical
    assert finding.details["shipment_ids"] == [7, 9]
    assert "Kiriman #7 dari 00 (5.000 keping)" in finding.message
    assert "dan 1 kiriman lain" in finding.message
    assert overdue_rule(office_code="32.73", today=TODAY, shipments=facts[2:]) is None


def test_shortfall_in_the_last_week_only() -> None:
    recent = ShipmentFact(5, "00", 1000, TODAY, 950, TODAY - timedelta(days=3), "dus basah")
    old = ShipmentFact(4, "00", 1000, TODAY, 900, TODAY - timedelta(days=30), "hilang")
    finding = shortfall_rule(office_code="a", today=TODAY, shipments=[recent, old])
    assert finding is not None and finding.details == {"shipment_ids": [5], "missing": 50}
    assert "kurang 50 keping (dus basah)" in finding.message
    assert "berita acara" in finding.message
    assert shortfall_rule(office_code="a", today=TODAY, shipments=[old]) is None


def test_report_missing_only_for_offices_that_normally_report() -> None:
    yesterday = TODAY - timedelta(days=1)
    regular = {yesterday - timedelta(days=i) for i in range(1, 29)}
    finding = report_missing_rule(office_code="a", yesterday=yesterday, reported_days=regular)
    assert finding is not None and "21 Nov 2026 belum diisi" in finding.message
    assert (
        report_missing_rule(
            office_code="a", yesterday=yesterday, reported_days=regular | {yesterday}
        )
        is None
    )
    sparse = set(list(sorted(regular))[:10])
    assert report_missing_rule(office_code="a", yesterday=yesterday, reported_days=sparse) is None


def test_a_stockout_date_already_past_says_the_stock_is_out() -> None:
    finding = stockout(-3)
    assert finding is not None and finding.severity is AlertSeverity.critical
    assert finding.message.startswith(
        "Menurut prakiraan terakhir, stok sudah habis sejak 19 Nov 2026."
    )
    assert finding.details["days_left"] == 0
