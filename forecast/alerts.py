"""Alerts (peringatan): rules that turn stock, reports, shipments and the latest forecasts
into findings, and the repository that keeps one open alert per office and kind.

Rules are plain functions of plain data (unit-tested without a database). ``evaluate``
gathers the data, applies the rules and hands the findings to ``sync``, which opens,
updates or resolves alerts. Only the kinds that were evaluated are resolved when absent,
so a morning check of daily reports does not close stock-out alerts, and stock-out
alerts survive a night without forecasts.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from blangko.errors import InvalidState, NotFound
from blangko.fmt import day, number
from blangko.forecasts import latest_results
from blangko.models import (
    Alert,
    AlertKind,
    AlertSeverity,
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
from forecast.resupply import PendingRequest, lead_times_as_of, pending_requests_as_of

FORECAST_KINDS = frozenset(
    {AlertKind.stockout_risk, AlertKind.national_shortage, AlertKind.surplus}
)
RECORD_KINDS = frozenset(
    {AlertKind.backlog_high, AlertKind.shipment_overdue, AlertKind.delivery_shortfall}
)
REPORT_KINDS = frozenset({AlertKind.report_missing})
ALL_KINDS = FORECAST_KINDS | RECORD_KINDS | REPORT_KINDS

BACKLOG_WARNING_DAYS = 7  # backlog worth a week of demand
BACKLOG_CRITICAL_DAYS = 14
BACKLOG_MIN = 100  # small offices: a handful of waiting residents is no alarm
SHORTFALL_WINDOW_DAYS = 7
OVERDUE_CRITICAL_DAYS = 7
REPORTING_WINDOW_DAYS = 28
REPORTING_MIN_DAYS = 20  # "normally reports": at least 20 of the previous 28 days
SURPLUS_COVER_DAYS = 120
SURPLUS_MIN = 500


@dataclass(frozen=True)
class Finding:
    """A condition found now for one office."""

    office_code: str
    kind: AlertKind
    severity: AlertSeverity
    message: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Horizon:
    """Lead time (waktu tunggu kiriman) and safety days (cadangan) in days."""

    lead_time_days: int
    safety_days: int

    @property
    def days(self) -> int:
        return self.lead_time_days + self.safety_days


# -- rules (pure) -----------------------------------------------------------------------


def stockout_rule(
    *,
    office_code: str,
    today: date,
    stockout_date: date | None,
    days_of_cover: float | None,
    probability_30: float,
    horizon: Horizon,
    pending: PendingRequest | None = None,
) -> Finding | None:
    """A forecast stock-out before a shipment requested today plus the safety margin can
    arrive. Critical when it falls within the lead time itself. An office whose request
    still waits for a decision is told to follow it up, not to send another."""
    if stockout_date is None or stockout_date > today + timedelta(days=horizon.days):
        return None
    days_left = max(0, (stockout_date - today).days)
    critical = days_left <= horizon.lead_time_days
    loan = (
        "Kiriman dari pusat tidak akan sempat tiba: minta pinjaman blangko dari kab/kota "
        "terdekat atau dinas provinsi sekarang"
    )
    if pending is not None:
        follow_up = f"{waiting(pending)}: tindak lanjuti ke Ditjen Dukcapil"
        action = f"{loan}. {follow_up} hari ini." if critical else f"{follow_up} minggu ini."
    elif critical:
        action = f"{loan}, dan ajukan permintaan alokasi hari ini."
    else:
        action = "Ajukan permintaan alokasi ke Ditjen Dukcapil minggu ini."
    if stockout_date < today:
        when = f"Menurut prakiraan terakhir, stok sudah habis sejak {day(stockout_date)}."
    else:
        when = (
            f"Stok diperkirakan habis pada {day(stockout_date)} ({days_left} hari lagi), "
            f"sebelum waktu tunggu {horizon.lead_time_days} hari + cadangan "
            f"{horizon.safety_days} hari."
        )
    message = f"{when} {action}"
    return Finding(
        office_code,
        AlertKind.stockout_risk,
        AlertSeverity.critical if critical else AlertSeverity.warning,
        message,
        {
            "stockout_date": stockout_date.isoformat(),
            "days_left": days_left,
            "days_of_cover": days_of_cover,
            "stockout_probability_30": probability_30,
        },
    )


def waiting(pending: PendingRequest) -> str:
    """The advice about a request that waits for a decision."""
    return (
        f"Permintaan no. {pending.reference} menunggu keputusan sejak {day(pending.requested_on)}"
    )


def national_shortage_rule(
    *, today: date, stockout_date: date | None, horizon_days: int, horizon: Horizon
) -> Finding | None:
    """The national projection (national stock + every office's stock against national
    demand) runs out within the forecast horizon."""
    if stockout_date is None or stockout_date > today + timedelta(days=horizon_days):
        return None
    days_left = max(0, (stockout_date - today).days)
    critical = days_left <= horizon.days
    message = (
        f"Stok blangko nasional (pusat dan seluruh daerah) diperkirakan habis pada "
        f"{day(stockout_date)} ({days_left} hari lagi). "
        + (
            "Segera proses pengadaan darurat dan batasi alokasi ke kantor dengan antrean terbesar."
            if critical
            else "Mulai proses pengadaan blangko tambahan sekarang agar tiba sebelum habis."
        )
    )
    return Finding(
        NATIONAL,
        AlertKind.national_shortage,
        AlertSeverity.critical if critical else AlertSeverity.warning,
        message,
        {"stockout_date": stockout_date.isoformat(), "days_left": days_left},
    )


def surplus_rule(
    *, office_code: str, on_hand: int, incoming: int, need: float, days_of_cover: float | None
) -> Finding | None:
    """Far more stock than the office will use: a candidate donor for lateral loans."""
    spare = int(min(on_hand, on_hand + incoming - need))
    if days_of_cover is None or days_of_cover < SURPLUS_COVER_DAYS or spare < SURPLUS_MIN:
        return None
    message = (
        f"Stok cukup untuk sekitar {number(days_of_cover)} hari, jauh di atas kebutuhan. "
        f"Sekitar {number(spare)} keping dapat dipinjamkan ke kantor lain: tunggu rencana "
        "realokasi dari pusat dan jangan ajukan alokasi baru dulu."
    )
    return Finding(
        office_code,
        AlertKind.surplus,
        AlertSeverity.info,
        message,
        {"spare": spare, "days_of_cover": days_of_cover},
    )


def backlog_rule(
    *,
    office_code: str,
    backlog: int,
    mean_daily_demand: float,
    report_date: date | None,
    pending: PendingRequest | None = None,
) -> Finding | None:
    """Print-ready records waiting for a card (PRR belum tercetak) worth a week or more of
    demand."""
    if mean_daily_demand <= 0 or backlog < BACKLOG_MIN:
        return None
    days = backlog / mean_daily_demand
    if days < BACKLOG_WARNING_DAYS:
        return None
    critical = days >= BACKLOG_CRITICAL_DAYS
    request = (
        f"tindak lanjuti permintaan yang menunggu ({waiting(pending)})"
        if pending
        else "ajukan permintaan alokasi"
    )
    message = (
        f"Antrean {number(backlog)} rekaman siap cetak belum tercetak (sekitar "
        f"{number(days)} hari permintaan) per {day(report_date)}. Periksa stok blangko dan "
        f"kapasitas printer; bila stok kurang, {request} dan terbitkan Suket untuk warga "
        "yang menunggu."
    )
    return Finding(
        office_code,
        AlertKind.backlog_high,
        AlertSeverity.critical if critical else AlertSeverity.warning,
        message,
        {
            "backlog": backlog,
            "days_of_demand": round(days, 1),
            "report_date": report_date.isoformat() if report_date else None,
        },
    )


@dataclass(frozen=True)
class ShipmentFact:
    id: int
    from_office: str
    quantity: int
    expected_on: date
    received_quantity: int | None = None
    received_on: date | None = None
    shortfall_reason: str = ""


def overdue_rule(*, office_code: str, today: date, shipments: list[ShipmentFact]) -> Finding | None:
    """Shipments to this office still in transit after their expected date."""
    late = sorted(
        (s for s in shipments if s.expected_on < today), key=lambda s: (s.expected_on, s.id)
    )
    if not late:
        return None
    worst = (today - late[0].expected_on).days
    first = late[0]
    more = f" dan {len(late) - 1} kiriman lain" if len(late) > 1 else ""
    message = (
        f"Kiriman #{first.id} dari {first.from_office} ({number(first.quantity)} keping) "
        f"seharusnya tiba {day(first.expected_on)}{more} belum dikonfirmasi diterima. Bila "
        "sudah tiba, catat penerimaannya (termasuk kekurangan); bila belum, hubungi pengirim."
    )
    return Finding(
        office_code,
        AlertKind.shipment_overdue,
        AlertSeverity.critical if worst > OVERDUE_CRITICAL_DAYS else AlertSeverity.warning,
        message,
        {
            "shipment_ids": [s.id for s in late],
            "days_late": worst,
            "quantity": sum(s.quantity for s in late),
        },
    )


def shortfall_rule(
    *, office_code: str, today: date, shipments: list[ShipmentFact]
) -> Finding | None:
    """Shipments received short in the last week (blanks lost on the way)."""
    since = today - timedelta(days=SHORTFALL_WINDOW_DAYS)
    short = sorted(
        (s for s in shipments if s.received_on is not None and s.received_on >= since),
        key=lambda s: s.id,
    )
    if not short:
        return None
    missing = sum(s.quantity - (s.received_quantity or 0) for s in short)
    first = short[0]
    message = (
        f"Kiriman #{first.id} dari {first.from_office} diterima kurang "
        f"{number(first.quantity - (first.received_quantity or 0))} keping"
        + (f" ({first.shortfall_reason})" if first.shortfall_reason else "")
        + (
            f"; total kurang {number(missing)} keping dari {len(short)} kiriman"
            if len(short) > 1
            else ""
        )
        + ". Buat berita acara kekurangan dan laporkan ke pengirim agar dapat diganti."
    )
    return Finding(
        office_code,
        AlertKind.delivery_shortfall,
        AlertSeverity.warning,
        message,
        {"shipment_ids": [s.id for s in short], "missing": missing},
    )


def report_missing_rule(
    *, office_code: str, yesterday: date, reported_days: set[date]
) -> Finding | None:
    """No daily report for yesterday from an office that normally reports."""
    if yesterday in reported_days:
        return None
    window = {yesterday - timedelta(days=i) for i in range(1, REPORTING_WINDOW_DAYS + 1)}
    if len(window & reported_days) < REPORTING_MIN_DAYS:
        return None
    message = (
        f"Laporan harian tanggal {day(yesterday)} belum diisi. Isi laporan (permintaan cetak, "
        "tercetak, blangko rusak, antrean) hari ini agar stok dan prakiraan tetap akurat."
    )
    return Finding(
        office_code,
        AlertKind.report_missing,
        AlertSeverity.warning,
        message,
        {"report_date": yesterday.isoformat()},
    )


def need_over(result: ForecastResult, days: int, backlog: int) -> float:
    """Blanks an office needs over the next ``days``: forecast demand plus the backlog."""
    demand = sum(float(p.get("demand_mean", 0.0)) for p in result.points[:days])
    if len(result.points) < days:
        demand += result.mean_daily_demand * (days - len(result.points))
    return demand + backlog


# -- gathering and evaluation -------------------------------------------------------------


@dataclass
class Outcome:
    opened: list[Alert] = field(default_factory=list)
    updated: list[Alert] = field(default_factory=list)
    escalated: list[Alert] = field(default_factory=list)
    resolved: list[Alert] = field(default_factory=list)
    kinds: set[AlertKind] = field(default_factory=set)


def evaluate(
    *,
    session: Session,
    kinds: Iterable[AlertKind] = ALL_KINDS,
    now: datetime | None = None,
    horizon: Horizon | None = None,
) -> Outcome:
    """Evaluates the given kinds for every office and brings the alerts up to date. Each
    office's horizon is its learned p90 lead time + safety days, unless ``horizon`` is
    given for all."""
    now = now or utcnow()
    settings = get_settings()
    fixed = horizon is not None
    horizon = horizon or Horizon(settings.lead_time_days, settings.safety_days)
    kinds = set(kinds)
    offices = {
        o.code: o
        for o in session.exec(select(Office).where(Office.kind != OfficeKind.national)).all()
    }
    today = {code: local_today(o, now) for code, o in offices.items()}
    findings: list[Finding] = []
    evaluated: set[AlertKind] = set()
    positions = stock_positions(session=session)
    as_of = now.astimezone(ZoneInfo(WIB)).date()
    pending = (
        pending_requests_as_of(session=session, as_of=as_of)
        if kinds & {AlertKind.stockout_risk, AlertKind.backlog_high}
        else {}
    )

    if kinds & FORECAST_KINDS:
        results = latest_results(session=session)
        if results:
            evaluated |= kinds & FORECAST_KINDS
            horizons = {} if fixed else office_horizons(session, as_of, settings.safety_days)
            findings += _forecast_findings(
                kinds, offices, today, results, positions, horizon, horizons, pending, now
            )
    if kinds & {AlertKind.backlog_high}:
        evaluated.add(AlertKind.backlog_high)
        findings += _backlog_findings(session, offices, positions, pending)
    if kinds & {AlertKind.shipment_overdue, AlertKind.delivery_shortfall}:
        evaluated |= kinds & {AlertKind.shipment_overdue, AlertKind.delivery_shortfall}
        findings += _shipment_findings(session, kinds, today)
    if AlertKind.report_missing in kinds:
        evaluated.add(AlertKind.report_missing)
        findings += _report_findings(session, today)
    return sync(session=session, findings=findings, kinds=evaluated, now=now)


def office_horizons(session: Session, as_of: date, safety_days: int) -> dict[str, Horizon]:
    """Each office's learned p90 lead time + the safety days."""
    learned = lead_times_as_of(session=session, as_of=as_of)
    return {code: Horizon(lead.p90, safety_days) for code, lead in learned.items()}


def _forecast_findings(
    kinds: set[AlertKind],
    offices: dict[str, Office],
    today: dict[str, date],
    results: dict[str, ForecastResult],
    positions: dict[str, OfficeStock],
    horizon: Horizon,
    horizons: dict[str, Horizon],
    pending: dict[str, PendingRequest],
    now: datetime,
) -> list[Finding]:
    found: list[Finding | None] = []
    for code, result in results.items():
        if code == NATIONAL:
            if AlertKind.national_shortage in kinds:
                found.append(
                    national_shortage_rule(
                        today=now.astimezone(ZoneInfo(WIB)).date(),
                        stockout_date=result.stockout_date,
                        horizon_days=result.horizon_days,
                        horizon=horizon,
                    )
                )
            continue
        if code not in offices:
            continue
        position = positions[code]
        office_horizon = horizons.get(code, horizon)
        if AlertKind.stockout_risk in kinds:
            found.append(
                stockout_rule(
                    office_code=code,
                    today=today[code],
                    stockout_date=result.stockout_date,
                    days_of_cover=result.days_of_cover,
                    probability_30=float(result.stockout_probability.get("30", 0.0)),
                    horizon=office_horizon,
                    pending=pending.get(code),
                )
            )
        if AlertKind.surplus in kinds:
            found.append(
                surplus_rule(
                    office_code=code,
                    on_hand=position.on_hand,
                    incoming=position.in_transit_in,
                    need=need_over(result, office_horizon.days, position.backlog),
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
    yesterday = {code: on - timedelta(days=1) for code, on in today.items()}
    start = min(yesterday.values()) - timedelta(days=REPORTING_WINDOW_DAYS)
    reported: dict[str, set[date]] = defaultdict(set)
    for code, on in session.execute(
        sa.select(col(DailyReport.office_code), col(DailyReport.report_date)).where(
            col(DailyReport.is_current), col(DailyReport.report_date) >= start
        )
    ).all():
        reported[code].add(on)
    found = []
    for code, days in reported.items():
        if code not in yesterday:
            continue
        finding = report_missing_rule(
            office_code=code, yesterday=yesterday[code], reported_days=days
        )
        if finding:
            found.append(finding)
    return found


# -- repository ---------------------------------------------------------------------------

_RANK = {AlertSeverity.info: 0, AlertSeverity.warning: 1, AlertSeverity.critical: 2}


def sync(
    *, session: Session, findings: list[Finding], kinds: Iterable[AlertKind], now: datetime
) -> Outcome:
    """Opens an alert per new finding, updates the open one when the condition lasts, and
    resolves open alerts of the evaluated ``kinds`` whose condition has cleared."""
    kinds = set(kinds)
    outcome = Outcome(kinds=kinds)
    if not kinds:
        return outcome
    open_alerts = {
        (a.office_code, a.kind): a
        for a in session.exec(
            select(Alert).where(col(Alert.resolved_at).is_(None), col(Alert.kind).in_(kinds))
        ).all()
    }
    seen: set[tuple[str, AlertKind]] = set()
    for finding in findings:
        if finding.kind not in kinds:
            continue
        key = (finding.office_code, finding.kind)
        seen.add(key)
        alert = open_alerts.get(key)
        if alert is None:
            alert = Alert(
                office_code=finding.office_code,
                kind=finding.kind,
                severity=finding.severity,
                message=finding.message,
                details=finding.details,
                opened_at=now,
                updated_at=now,
            )
            session.add(alert)
            outcome.opened.append(alert)
            continue
        if _RANK[finding.severity] > _RANK[alert.severity]:
            outcome.escalated.append(alert)
            alert.acknowledged_at = None  # a worse condition needs a fresh look
            alert.acknowledged_by = None
        alert.severity = finding.severity
        alert.message = finding.message
        alert.details = finding.details
        alert.updated_at = now
        session.add(alert)
        outcome.updated.append(alert)
    for key, alert in open_alerts.items():
        if key not in seen:
            alert.resolved_at = now
            alert.updated_at = now
            session.add(alert)
            outcome.resolved.append(alert)
    session.flush()
    return outcome


def list_alerts(
    *,
    session: Session,
    office_codes: list[str] | None = None,
    kind: AlertKind | None = None,
    status: str | None = None,
    severity: AlertSeverity | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[Alert]:
    """Alerts newest first; ``status`` is ``open`` or ``resolved``; ``office_codes``
    limits them to those offices (an officer's scope)."""
    query = select(Alert)
    if office_codes is not None:
        query = query.where(col(Alert.office_code).in_(office_codes))
    if kind:
        query = query.where(Alert.kind == kind)
    if severity:
        query = query.where(Alert.severity == severity)
    if status == "open":
        query = query.where(col(Alert.resolved_at).is_(None))
    elif status == "resolved":
        query = query.where(col(Alert.resolved_at).is_not(None))
    query = query.order_by(col(Alert.updated_at).desc(), col(Alert.id).desc())
    return list(session.exec(query.offset(offset).limit(limit)).all())


def get_alert(*, session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"Peringatan #{alert_id} tidak ditemukan.")
    return alert


def acknowledge(*, session: Session, alert_id: int, user_id: int | None) -> Alert:
    """Marks an alert as read by someone who will act on it (again: keeps the first)."""
    alert = get_alert(session=session, alert_id=alert_id)
    if alert.resolved_at is not None and alert.acknowledged_at is None:
        raise InvalidState(
            f"Peringatan #{alert_id} sudah tertutup otomatis karena keadaannya pulih; "
            "tidak perlu ditandai."
        )
    if alert.acknowledged_at is None:
        alert.acknowledged_at = utcnow()
        alert.acknowledged_by = user_id
        session.add(alert)
        session.flush()
    return alert
