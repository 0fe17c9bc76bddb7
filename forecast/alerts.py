"""Evaluating alerts (peringatan): gathers stock, reports, shipments, requests and the
latest forecasts for every office, applies the rules of ``forecast.alert_rules`` and
hands the findings to ``forecast.alert_store.sync``, which opens, updates or resolves
alerts.

Only the kinds that were evaluated are resolved when absent, so a morning check of daily
reports does not close stock-out alerts, and stock-out alerts survive a night without
forecasts. ``report_missing`` belongs to the morning check alone (``REPORT_KINDS``, 09:00
WIB): the nightly pipeline evaluates ``NIGHTLY_KINDS``, so an office is not told at
02:00 that the report it will file in the morning is missing. At 09:00 WIB it is 10:00
in WITA and 11:00 in WIT: every office's working morning has begun, and yesterday is
the same calendar day everywhere."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from blangko.forecasts import latest_results, latest_summaries, risk_of
from blangko.models import (
    AlertKind,
    DailyReport,
    ForecastResult,
    Office,
    OfficeKind,
    Shipment,
    ShipmentStatus,
    utcnow,
)
from blangko.offices import NATIONAL, WIB, local_today
from blangko.settings import get_settings
from blangko.stock import OfficeStock, stock_positions
from forecast.alert_rules import (
    REPORTING_WINDOW_DAYS,
    SHORTFALL_WINDOW_DAYS,
    Finding,
    Horizon,
    ReportFact,
    ShipmentFact,
    backlog_rule,
    national_shortage_rule,
    need_over,
    overdue_rule,
    report_missing_rule,
    shortfall_rule,
    stock_backlog_mismatch_rule,
    stockout_rule,
    surplus_rule,
)
from forecast.alert_store import Outcome, sync
from forecast.resupply import PendingRequest, lead_times_as_of, pending_requests_as_of

FORECAST_KINDS = frozenset(
    {AlertKind.stockout_risk, AlertKind.national_shortage, AlertKind.surplus}
)
RECORD_KINDS = frozenset(
    {
        AlertKind.backlog_high,
        AlertKind.shipment_overdue,
        AlertKind.delivery_shortfall,
        AlertKind.stock_backlog_mismatch,
    }
)
REPORT_KINDS = frozenset({AlertKind.report_missing})
ALL_KINDS = FORECAST_KINDS | RECORD_KINDS | REPORT_KINDS
NIGHTLY_KINDS = FORECAST_KINDS | RECORD_KINDS
# Reports read for stock_backlog_mismatch: a backlog that has not fallen for longer is
# measured from the window's first report.
MISMATCH_WINDOW_DAYS = 90


def evaluate(
    *,
    session: Session,
    kinds: Iterable[AlertKind] = ALL_KINDS,
    now: datetime | None = None,
) -> Outcome:
    """Evaluates the given kinds for every office and brings the alerts up to date."""
    now = now or utcnow()
    kinds = set(kinds)
    offices = {
        o.code: o
        for o in session.exec(select(Office).where(Office.kind != OfficeKind.national)).all()
    }
    today = {code: local_today(o, now) for code, o in offices.items()}
    findings: list[Finding] = []
    evaluated: set[AlertKind] = set()
    as_of = now.astimezone(ZoneInfo(WIB)).date()
    needs_positions = kinds & (
        FORECAST_KINDS | {AlertKind.backlog_high, AlertKind.stock_backlog_mismatch}
    )
    positions = stock_positions(session=session) if needs_positions else {}
    pending = (
        pending_requests_as_of(session=session, as_of=as_of)
        if kinds & {AlertKind.stockout_risk, AlertKind.backlog_high}
        else {}
    )

    if kinds & FORECAST_KINDS:
        results = latest_results(session=session)
        if results:
            evaluated |= kinds & FORECAST_KINDS
            findings += _forecast_findings(
                session, kinds, offices, today, results, positions, pending, as_of
            )
    if kinds & {AlertKind.backlog_high}:
        evaluated.add(AlertKind.backlog_high)
        findings += _backlog_findings(session, offices, positions, pending)
    if AlertKind.stock_backlog_mismatch in kinds:
        evaluated.add(AlertKind.stock_backlog_mismatch)
        findings += _mismatch_findings(session, today, positions)
    if kinds & {AlertKind.shipment_overdue, AlertKind.delivery_shortfall}:
        evaluated |= kinds & {AlertKind.shipment_overdue, AlertKind.delivery_shortfall}
        findings += _shipment_findings(session, kinds, today)
    if AlertKind.report_missing in kinds:
        evaluated.add(AlertKind.report_missing)
        findings += _report_findings(session, today)
    return sync(session=session, findings=findings, kinds=evaluated, now=now)


def _forecast_findings(
    session: Session,
    kinds: set[AlertKind],
    offices: dict[str, Office],
    today: dict[str, date],
    results: dict[str, ForecastResult],
    positions: dict[str, OfficeStock],
    pending: dict[str, PendingRequest],
    as_of: date,
) -> list[Finding]:
    """Stock-out risk by the one rule (``blangko.risk``) from each office's latest
    forecast. Results of older runs, without the lead time learned when they ran, take
    the lead time learned today."""
    settings = get_settings()
    older = [c for c, r in results.items() if c in offices and r.lead_time_p90 is None]
    learned = (
        {c: lead.p90 for c, lead in lead_times_as_of(session=session, as_of=as_of).items()}
        if older
        else {}
    )
    found: list[Finding | None] = []
    for code, result in results.items():
        if code == NATIONAL:
            if AlertKind.national_shortage in kinds:
                found.append(
                    national_shortage_rule(
                        today=as_of,
                        stockout_date=result.stockout_date,
                        horizon_days=result.horizon_days,
                        horizon=Horizon(settings.lead_time_days, settings.safety_days),
                    )
                )
            continue
        if code not in offices:
            continue
        risk = risk_of(result, today=today[code], lead_time_days=learned.get(code))
        if AlertKind.stockout_risk in kinds:
            found.append(
                stockout_rule(
                    office_code=code,
                    today=today[code],
                    risk=risk,
                    stockout_date=result.stockout_date,
                    days_of_cover=result.days_of_cover,
                    probability_30=float(result.stockout_probability.get("30", 0.0)),
                    pending=pending.get(code),
                )
            )
        if AlertKind.surplus in kinds:
            position = positions[code]
            found.append(
                surplus_rule(
                    office_code=code,
                    on_hand=position.on_hand,
                    incoming=position.in_transit_in,
                    need=need_over(result, risk.horizon_days, position.backlog),
                    days_of_cover=result.days_of_cover,
                )
            )
    return [f for f in found if f is not None]


def _backlog_findings(
    session: Session,
    offices: dict[str, Office],
    positions: dict[str, OfficeStock],
    pending: dict[str, PendingRequest],
) -> list[Finding]:
    """Backlog of each office's latest report against its mean daily print requests over
    the four weeks before that report."""
    latest = dict(
        session.execute(
            sa.select(col(DailyReport.office_code), sa.func.max(col(DailyReport.report_date)))
            .where(col(DailyReport.is_current))
            .group_by(col(DailyReport.office_code))
        ).all()
    )
    if not latest:
        return []
    start = min(latest.values()) - timedelta(days=REPORTING_WINDOW_DAYS)
    demand: dict[str, list[int]] = defaultdict(list)
    for code, on, requests in session.execute(
        sa.select(
            col(DailyReport.office_code),
            col(DailyReport.report_date),
            col(DailyReport.print_requests),
        ).where(col(DailyReport.is_current), col(DailyReport.report_date) >= start)
    ).all():
        if latest[code] - timedelta(days=REPORTING_WINDOW_DAYS) < on <= latest[code]:
            demand[code].append(int(requests))
    found = []
    for code, last in latest.items():
        if code not in offices or code not in positions or not demand[code]:
            continue
        finding = backlog_rule(
            office_code=code,
            backlog=positions[code].backlog,
            mean_daily_demand=sum(demand[code]) / REPORTING_WINDOW_DAYS,
            report_date=last,
            pending=pending.get(code),
        )
        if finding:
            found.append(finding)
    return found


def _mismatch_findings(
    session: Session, today: dict[str, date], positions: dict[str, OfficeStock]
) -> list[Finding]:
    """Each office's current reports of the last ``MISMATCH_WINDOW_DAYS`` against its
    stock and its mean daily demand (the latest forecast's; without one, the print
    requests of the four weeks up to its latest report)."""
    if not today:
        return []
    since = min(today.values()) - timedelta(days=MISMATCH_WINDOW_DAYS)
    facts: dict[str, list[ReportFact]] = defaultdict(list)
    requests: dict[str, list[tuple[date, int]]] = defaultdict(list)
    for code, on, backlog, suket, printed, asked in session.execute(
        sa.select(
            col(DailyReport.office_code),
            col(DailyReport.report_date),
            col(DailyReport.backlog),
            col(DailyReport.suket_issued),
            col(DailyReport.printed),
            col(DailyReport.print_requests),
        ).where(col(DailyReport.is_current), col(DailyReport.report_date) >= since)
    ).all():
        facts[code].append(ReportFact(on, int(backlog), int(suket), int(printed)))
        requests[code].append((on, int(asked)))
    demand = {code: s.mean_daily_demand for code, s in latest_summaries(session=session).items()}
    found = []
    for code, reports in facts.items():
        if code not in today or code not in positions:
            continue
        if code not in demand:
            last = max(on for on, _ in requests[code])
            start = last - timedelta(days=REPORTING_WINDOW_DAYS)
            asked = sum(n for on, n in requests[code] if on > start)
            demand[code] = asked / REPORTING_WINDOW_DAYS
        finding = stock_backlog_mismatch_rule(
            office_code=code,
            reports=reports,
            on_hand=positions[code].on_hand,
            mean_daily_demand=demand[code],
        )
        if finding:
            found.append(finding)
    return found


def _shipment_findings(
    session: Session, kinds: set[AlertKind], today: dict[str, date]
) -> list[Finding]:
    oldest = min(today.values()) - timedelta(days=SHORTFALL_WINDOW_DAYS)
    rows = session.exec(
        select(Shipment).where(
            (col(Shipment.status) == ShipmentStatus.in_transit)
            | (
                (col(Shipment.status) == ShipmentStatus.received_short)
                & (col(Shipment.received_on) >= oldest)
            )
        )
    ).all()
    transit: dict[str, list[ShipmentFact]] = defaultdict(list)
    short: dict[str, list[ShipmentFact]] = defaultdict(list)
    for s in rows:
        assert s.id is not None
        fact = ShipmentFact(
            s.id,
            s.from_office,
            s.quantity,
            s.expected_on,
            s.received_quantity,
            s.received_on,
            s.shortfall_reason,
        )
        (transit if s.status is ShipmentStatus.in_transit else short)[s.to_office].append(fact)
    found: list[Finding | None] = []
    if AlertKind.shipment_overdue in kinds:
        for code, facts in transit.items():
            if code in today:
                found.append(overdue_rule(office_code=code, today=today[code], shipments=facts))
    if AlertKind.delivery_shortfall in kinds:
        for code, facts in short.items():
            if code in today:
                found.append(shortfall_rule(office_code=code, today=today[code], shipments=facts))
    return [f for f in found if f is not None]


def _report_findings(session: Session, today: dict[str, date]) -> list[Finding]:
    """Each office's last report up to its yesterday, and its reports in the window up
    to that last one (however long ago): the rule judges "normally reports" there."""
    yesterday = {code: on - timedelta(days=1) for code, on in today.items()}
    current = col(DailyReport.is_current)
    office, reported_on = col(DailyReport.office_code), col(DailyReport.report_date)
    last: dict[str, date] = {}
    by_yesterday: dict[date, list[str]] = defaultdict(list)
    for code, on in yesterday.items():
        by_yesterday[on].append(code)
    for on, codes in by_yesterday.items():  # one query per time zone's yesterday
        for code, newest in session.execute(
            sa.select(office, sa.func.max(reported_on))
            .where(current, reported_on <= on, office.in_(codes))
            .group_by(office)
        ):
            last[code] = newest
    by_last: dict[date, list[str]] = defaultdict(list)
    for code, on in last.items():
        if on < yesterday[code]:  # reported yesterday: nothing missing
            by_last[on].append(code)
    if not by_last:
        return []
    windows = [
        sa.and_(
            office.in_(codes),
            reported_on > on - timedelta(days=REPORTING_WINDOW_DAYS),
            reported_on <= on,
        )
        for on, codes in by_last.items()
    ]
    reported: dict[str, set[date]] = defaultdict(set)
    for code, on in session.execute(
        sa.select(office, reported_on).where(current, sa.or_(*windows))
    ):
        reported[code].add(on)
    found = []
    for code, days in reported.items():
        finding = report_missing_rule(
            office_code=code, yesterday=yesterday[code], reported_days=days
        )
        if finding:
            found.append(finding)
    return found
