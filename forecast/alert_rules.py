"""Alert rules (aturan peringatan): plain functions that turn plain data about one office
(its stock-out risk, reports, shipments, backlog) into a finding, and the order in which
a planner works through the open alerts. Unit-tested without a database; gathering the
data is ``forecast.alerts``, keeping the alerts ``forecast.alert_store``."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from blangko.fmt import day, number
from blangko.models import Alert, AlertKind, AlertSeverity, ForecastResult
from blangko.offices import NATIONAL
from blangko.risk import Risk
from forecast.resupply import PendingRequest

BACKLOG_WARNING_DAYS = 7  # backlog worth a week of demand
BACKLOG_CRITICAL_DAYS = 14
BACKLOG_MIN = 100  # small offices: a handful of waiting residents is no alarm
SHORTFALL_WINDOW_DAYS = 7
OVERDUE_CRITICAL_DAYS = 7
REPORTING_WINDOW_DAYS = 28
REPORTING_MIN_DAYS = 20  # "normally reports": at least 20 of 28 days up to its last report
SILENT_CRITICAL_DAYS = 7  # a week without reports: stock and forecast are blind
SURPLUS_COVER_DAYS = 120
SURPLUS_MIN = 500
MISMATCH_RISING_DAYS = 7  # the backlog has not fallen for a week...
MISMATCH_COVER_DAYS = 14  # ...while the ledger holds more than two weeks of demand
MISMATCH_CRITICAL_DAYS = 14


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


def stockout_rule(
    *,
    office_code: str,
    today: date,
    risk: Risk,
    stockout_date: date | None,
    days_of_cover: float | None,
    probability_30: float,
    pending: PendingRequest | None = None,
) -> Finding | None:
    """An office at risk by the one rule (``blangko.risk``): running out before a
    resupply requested today plus the safety days can arrive is likely. Critical when
    the stock-out comes within the p90 lead time itself. An office whose request still
    waits for a decision is told to follow it up, not to send another."""
    if not risk.at_risk or risk.days_left is None:
        return None
    days_left = risk.days_left
    lead, horizon = risk.lead_time_days, risk.horizon_days
    safety = horizon - lead
    loan = (
        "Kiriman dari pusat tidak akan sempat tiba: minta pinjaman blangko dari kab/kota "
        "terdekat atau dinas provinsi sekarang"
    )
    if pending is not None:
        follow_up = f"{waiting(pending)}: tindak lanjuti ke Ditjen Dukcapil"
        action = f"{loan}. {follow_up} hari ini." if risk.critical else f"{follow_up} minggu ini."
    elif risk.critical:
        action = f"{loan}, dan ajukan permintaan alokasi hari ini."
    else:
        action = "Ajukan permintaan alokasi ke Ditjen Dukcapil minggu ini."
    if stockout_date is not None and stockout_date < today:
        when = f"Menurut prakiraan terakhir, stok sudah habis sejak {day(stockout_date)}."
    elif stockout_date is not None and (stockout_date - today).days == days_left:
        when = (
            f"Stok diperkirakan habis pada {day(stockout_date)} ({days_left} hari lagi), "
            f"sebelum waktu tunggu {lead} hari + cadangan {safety} hari."
        )
    else:
        when = (
            f"Stok kemungkinan besar habis dalam {horizon} hari, sebelum waktu tunggu "
            f"{lead} hari + cadangan {safety} hari."
        )
    if risk.probability is not None:
        when += f" Peluang habis dalam {horizon} hari: {number(risk.probability * 100)}%."
    return Finding(
        office_code,
        AlertKind.stockout_risk,
        AlertSeverity.critical if risk.critical else AlertSeverity.warning,
        f"{when} {action}",
        {
            "stockout_date": stockout_date.isoformat() if stockout_date else None,
            "days_left": days_left,
            "lead_time_p90": lead,
            "risk_horizon_days": horizon,
            "risk_probability": risk.probability,
            "urgency": risk.urgency,
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
class ReportFact:
    """The figures of one daily report the mismatch rule reads."""

    on: date
    backlog: int
    suket_issued: int
    printed: int


def stock_backlog_mismatch_rule(
    *,
    office_code: str,
    reports: Iterable[ReportFact],
    on_hand: int,
    mean_daily_demand: float,
) -> Finding | None:
    """Residents turned away while blanks sit in the warehouse (a broken printer, missing
    staff, or worse): the backlog has not fallen from one report to the next for at least
    ``MISMATCH_RISING_DAYS`` since its last day at its low, Suket were issued
    meanwhile, and stock on hand covers more than ``MISMATCH_COVER_DAYS`` of the office's
    mean daily demand. Clears the day the backlog falls (the run starts again)."""
    ordered = sorted(reports, key=lambda r: r.on)
    if len(ordered) < 2 or mean_daily_demand <= 0:
        return None
    cover = on_hand / mean_daily_demand
    if cover <= MISMATCH_COVER_DAYS:
        return None
    start = len(ordered) - 1
    while start > 0 and ordered[start - 1].backlog <= ordered[start].backlog:
        start -= 1
    while start < len(ordered) - 1 and ordered[start + 1].backlog == ordered[start].backlog:
        start += 1  # the rise begins on the last day at the low, not where the low began
    run = ordered[start:]
    first, last = run[0], run[-1]
    days = (last.on - first.on).days
    suket = sum(r.suket_issued for r in run[1:])
    if days < MISMATCH_RISING_DAYS or last.backlog <= first.backlog or suket <= 0:
        return None
    printed = sum(r.printed for r in run[1:])
    message = (
        f"Antrean rekaman siap cetak naik dari {number(first.backlog)} menjadi "
        f"{number(last.backlog)} dalam {days} hari sejak {day(first.on)}, dan "
        f"{number(suket)} Suket diterbitkan, padahal stok di gudang {number(on_hand)} keping "
        f"cukup untuk sekitar {number(cover)} hari permintaan (tercetak {number(printed)} "
        "keping pada hari-hari itu). Warga menunggu sementara blangko tersedia: periksa "
        "printer, petugas dan pencatatan di kantor ini, dan cocokkan stok fisik dengan buku "
        "(stock opname)."
    )
    return Finding(
        office_code,
        AlertKind.stock_backlog_mismatch,
        AlertSeverity.critical if days >= MISMATCH_CRITICAL_DAYS else AlertSeverity.warning,
        message,
        {
            "since": first.on.isoformat(),
            "report_date": last.on.isoformat(),
            "days": days,
            "backlog_from": first.backlog,
            "backlog": last.backlog,
            "suket_issued": suket,
            "printed": printed,
            "on_hand": on_hand,
            "days_of_cover": round(cover, 1),
            "mean_daily_demand": round(mean_daily_demand, 1),
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
    *, office_code: str, yesterday: date, reported_days: Collection[date]
) -> Finding | None:
    """No daily report for yesterday from an office that normally reports: one that
    reported on at least ``REPORTING_MIN_DAYS`` of the ``REPORTING_WINDOW_DAYS`` up to its
    last report, however long ago that was, so an office silent for months stays flagged.
    ``reported_days`` must hold at least that window. Critical after a week of silence."""
    before = [d for d in reported_days if d <= yesterday]
    if not before or (last := max(before)) == yesterday:
        return None
    window_start = last - timedelta(days=REPORTING_WINDOW_DAYS)
    if sum(1 for d in before if d > window_start) < REPORTING_MIN_DAYS:
        return None
    silent = (yesterday - last).days
    keep_up = (
        "(permintaan cetak, tercetak, blangko rusak, antrean) hari ini agar stok dan "
        "prakiraan tetap akurat."
    )
    if silent == 1:
        message = f"Laporan harian tanggal {day(yesterday)} belum diisi. Isi laporan {keep_up}"
    else:
        message = (
            f"Laporan harian belum diisi {silent} hari, sejak {day(last + timedelta(days=1))}. "
            f"Isi laporan yang tertinggal {keep_up}"
        )
    return Finding(
        office_code,
        AlertKind.report_missing,
        AlertSeverity.critical if silent >= SILENT_CRITICAL_DAYS else AlertSeverity.warning,
        message,
        {"report_date": yesterday.isoformat(), "last_report": last.isoformat(), "days": silent},
    )


def need_over(result: ForecastResult, days: int, backlog: int) -> float:
    """Blanks an office needs over the next ``days``: forecast demand plus the backlog."""
    demand = sum(float(p.get("demand_mean", 0.0)) for p in result.points[:days])
    if len(result.points) < days:
        demand += result.mean_daily_demand * (days - len(result.points))
    return demand + backlog


# -- the planner's work list ------------------------------------------------------------

TODAY, THIS_WEEK, WATCH = "today", "week", "watch"
GROUP_LABELS = {TODAY: "Bertindak hari ini", THIS_WEEK: "Minggu ini", WATCH: "Pantau"}
WEEK_DAYS = 7
_BY_SEVERITY = {
    AlertSeverity.critical: TODAY,
    AlertSeverity.warning: THIS_WEEK,
    AlertSeverity.info: WATCH,
}
SEVERITY_RANK = {AlertSeverity.info: 0, AlertSeverity.warning: 1, AlertSeverity.critical: 2}


def urgency(alert: Alert) -> int | None:
    """Days left before the stock-out minus the p90 lead time (``stockout_risk`` alerts):
    at or below zero a resupply requested today arrives too late. None for other kinds
    and for alerts written before the lead time was recorded."""
    if alert.kind is not AlertKind.stockout_risk:
        return None
    days_left, lead = alert.details.get("days_left"), alert.details.get("lead_time_p90")
    if days_left is None or lead is None:
        return None
    return int(days_left) - int(lead)


def group_of(alert: Alert) -> str:
    """``today`` (urgency ≤ 0), ``week`` (≤ 7 days) or ``watch``; kinds without a time to
    a stock-out go by severity: critical today, warning this week, info to watch."""
    value = urgency(alert)
    if value is None:
        return _BY_SEVERITY[alert.severity]
    if value <= 0:
        return TODAY
    return THIS_WEEK if value <= WEEK_DAYS else WATCH


@dataclass(frozen=True)
class WorkGroup:
    """One group of the work list (bertindak hari ini / minggu ini / pantau)."""

    key: str
    label: str
    alerts: list[Alert]


def work_list(alerts: Iterable[Alert]) -> list[WorkGroup]:
    """Open alerts in the three groups, most urgent first: stock-outs by urgency (most
    negative first), then the other kinds by severity; every group present, even empty."""

    def order(alert: Alert) -> tuple[bool, int, int, str, str]:
        value = urgency(alert)
        return (
            value is None,
            value or 0,
            -SEVERITY_RANK[alert.severity],
            alert.office_code,
            str(alert.kind),
        )

    grouped: dict[str, list[Alert]] = {key: [] for key in GROUP_LABELS}
    for alert in sorted(alerts, key=order):
        grouped[group_of(alert)].append(alert)
    return [WorkGroup(key, GROUP_LABELS[key], items) for key, items in grouped.items()]
