"""Alert rules as plain functions: when each kind fires, its severity, and that the
Indonesian message says what to do; the order of the planner's work list."""

from datetime import UTC, date, datetime, timedelta

from blangko.models import Alert, AlertKind, AlertSeverity
from blangko.risk import assess
from forecast.alert_rules import (
    Horizon,
    ShipmentFact,
    backlog_rule,
    national_shortage_rule,
    overdue_rule,
    report_missing_rule,
    shortfall_rule,
    stockout_rule,
    surplus_rule,
    work_list,
)
from forecast.resupply import PendingRequest

TODAY = date(2026, 11, 22)
H = Horizon(lead_time_days=21, safety_days=14)


def stockout(
    days: int | None,
    probability: float | None = None,
    horizon: Horizon = H,
    pending: PendingRequest | None = None,
):
    """The rule for a stock-out in ``days``; without ``probability`` as for a result of
    an older run (the stock-out date against the horizon)."""
    out = None if days is None else TODAY + timedelta(days=days)
    return stockout_rule(
        office_code="32.73",
        today=TODAY,
        risk=assess(
            today=TODAY,
            stockout_date=out,
            probability=probability,
            lead_time_days=horizon.lead_time_days,
            horizon_days=horizon.days,
        ),
        stockout_date=out,
        days_of_cover=12.0,
        probability_30=0.8,
        pending=pending,
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
        finding = stockout(days, pending=waiting)
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
    finding = stockout(10, horizon=quick)
    # Ten days left is no emergency where a resupply takes three days.
    assert finding is not None and finding.severity is AlertSeverity.warning
    assert "waktu tunggu 3 hari" in finding.message
    assert stockout(18, horizon=quick) is None


def test_older_results_alert_within_lead_time_plus_safety_only() -> None:
    assert stockout(35) is not None
    assert stockout(36) is None
    assert stockout(None) is None


def test_the_probability_at_the_office_horizon_decides() -> None:
    # A likely stock-out is an alert, whatever the mean path's date; an unlikely one is
    # not, even when the mean path runs out within the lead time.
    at = stockout(25, probability=0.5)
    assert at is not None and at.severity is AlertSeverity.warning
    assert "Peluang habis dalam 35 hari: 50%" in at.message
    assert stockout(25, probability=0.49) is None
    assert stockout(10, probability=0.2) is None
    late = stockout(None, probability=0.7)
    assert late is not None and late.severity is AlertSeverity.warning
    assert late.message.startswith("Stok kemungkinan besar habis dalam 35 hari")
    assert late.details["days_left"] == 35 and late.details["stockout_date"] is None
    # What the work list sorts by: days left, the p90 lead time and their difference.
    critical = stockout(5, probability=0.95)
    assert critical is not None and critical.severity is AlertSeverity.critical
    assert {k: critical.details[k] for k in ("days_left", "lead_time_p90", "urgency")} == {
        "days_left": 5,
        "lead_time_p90": 21,
        "urgency": -16,
    }
    assert critical.details["risk_probability"] == 0.95


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


def test_report_missing_however_long_the_silence() -> None:
    yesterday = TODAY - timedelta(days=1)
    # Reported every day for a year, then went silent three months ago.
    last = yesterday - timedelta(days=90)
    history = {last - timedelta(days=i) for i in range(365)}
    finding = report_missing_rule(office_code="a", yesterday=yesterday, reported_days=history)
    assert finding is not None and finding.severity is AlertSeverity.critical
    assert "belum diisi 90 hari, sejak 24 Agu 2026" in finding.message
    assert finding.details["last_report"] == last.isoformat()
    # A week of silence is critical, less is a warning to fill it in.
    week = {yesterday - timedelta(days=7 + i) for i in range(28)}
    six_days = {yesterday - timedelta(days=6 + i) for i in range(28)}
    silent_week = report_missing_rule(office_code="a", yesterday=yesterday, reported_days=week)
    assert silent_week is not None and silent_week.severity is AlertSeverity.critical
    six = report_missing_rule(office_code="a", yesterday=yesterday, reported_days=six_days)
    assert six is not None and six.severity is AlertSeverity.warning
    # An office that never reported regularly is not chased, however recent its report.
    sparse = {last - timedelta(days=3 * i) for i in range(30)}
    assert report_missing_rule(office_code="a", yesterday=yesterday, reported_days=sparse) is None
    assert report_missing_rule(office_code="a", yesterday=yesterday, reported_days=set()) is None


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


def alert(
    code: str,
    kind: AlertKind,
    severity: AlertSeverity,
    days_left: int | None = None,
    lead: int | None = None,
) -> Alert:
    details = {} if days_left is None else {"days_left": days_left, "lead_time_p90": lead}
    return Alert(
        office_code=code,
        kind=kind,
        severity=severity,
        message="",
        details=details,
        opened_at=datetime(2026, 11, 22, tzinfo=UTC),
    )


def test_the_work_list_sorts_by_days_left_minus_lead_time_in_three_groups() -> None:
    risk, warning, critical = AlertKind.stockout_risk, AlertSeverity.warning, AlertSeverity.critical
    alerts = [
        alert("a", risk, warning, days_left=20, lead=5),  # 15 days to spare: watch
        alert("b", risk, critical, days_left=3, lead=12),  # 9 days too late
        alert("c", risk, warning, days_left=10, lead=5),  # five days to request
        alert("d", risk, critical, days_left=8, lead=8),  # exactly too late
        alert("e", AlertKind.backlog_high, critical),
        alert("f", AlertKind.report_missing, warning),
        alert("g", AlertKind.surplus, AlertSeverity.info),
        alert("h", risk, warning, days_left=15, lead=8),  # 7 days: still this week
        alert("i", risk, critical),  # written before the lead time was recorded
    ]
    groups = work_list(alerts)
    assert [(g.label, [a.office_code for a in g.alerts]) for g in groups] == [
        ("Bertindak hari ini", ["b", "d", "e", "i"]),
        ("Minggu ini", ["c", "h", "f"]),
        ("Pantau", ["a", "g"]),
    ]
    assert [len(g.alerts) for g in work_list([])] == [0, 0, 0]
