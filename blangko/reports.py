"""Daily reports (laporan harian): print requests, prints, spoiled blanks by cause,
backlog, Suket and IKD activations. Saving posts the day's consumption; saving the same
date again reverses the previous version and posts the new one (SPEC §3)."""

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from blangko import checks, fields, idempotency, ledger, paging, postings
from blangko.errors import PreconditionFailed
from blangko.ledger import Actor
from blangko.models import DailyReport, MovementKind
from blangko.offices import get_office
from blangko.stock import lock_stock, refuse_national

SPOIL_CAUSES = fields.SPOIL_CAUSES


@dataclass(frozen=True)
class DailyFigures:
    """What an officer reports for one day."""

    print_requests: int = 0
    printed: int = 0
    spoiled_gagal_cetak: int = 0
    spoiled_gagal_encode: int = 0
    spoiled_rusak_fisik: int = 0
    spoiled_lainnya: int = 0
    backlog: int = 0
    suket_issued: int = 0
    ikd_activations: int = 0

    @property
    def spoiled(self) -> int:
        return (
            self.spoiled_gagal_cetak
            + self.spoiled_gagal_encode
            + self.spoiled_rusak_fisik
            + self.spoiled_lainnya
        )

    def check(self) -> None:
        for figure in fields.DAILY_FIGURES:
            value = getattr(self, figure.name)
            fields.check_quantity(value, field=figure.name, label=figure.label)


@dataclass(frozen=True)
class ExpectedVersion:
    """The versions a correction may replace (``If-Match``); ``any_version``: any saved one."""

    versions: frozenset[int] = frozenset()
    any_version: bool = False

    def check(self, current: DailyReport | None, office_code: str, report_date: date) -> None:
        if current is not None and (self.any_version or current.version in self.versions):
            return
        day = report_date.isoformat()
        if current is None:
            raise PreconditionFailed(
                f"Laporan harian {office_code} tanggal {day} belum pernah disimpan, jadi "
                "tidak ada versi yang dapat dikoreksi. Kirim tanpa If-Match untuk menyimpan "
                "laporan baru."
            )
        raise PreconditionFailed(
            f"Laporan harian {office_code} tanggal {day} sudah diubah orang lain (sekarang "
            f"versi {current.version}) sejak Anda membacanya. Muat ulang laporan, periksa "
            f'perubahannya, lalu simpan lagi dengan If-Match: "{current.version}".',
            current_version=current.version,
        )


def save_daily_report(
    *,
    session: Session,
    office_code: str,
    report_date: date,
    figures: DailyFigures,
    actor: Actor,
    note: str = "",
    idempotency_key: str | None = None,
    expected: ExpectedVersion | None = None,
) -> DailyReport:
    """Saves the report of one office for one local date; a second save corrects it.
    With ``expected`` (HTTP ``If-Match``) it corrects only the version the writer read."""
    payload = {"office": office_code, "date": report_date, **asdict(figures), "note": note}
    if (done := idempotency.replay(session, idempotency_key, "daily_report", payload)) is not None:
        return session.get_one(DailyReport, done)
    office = get_office(session=session, code=office_code)
    refuse_national(office, "Laporan harian")
    figures.check()
    checks.not_future(office, report_date, "report_date", "Tanggal laporan")
    note = checks.text(note, "note", "Catatan", required=False, max_length=500)
    lock_stock(session=session, office_code=office_code)
    previous = current_report(session=session, office_code=office_code, report_date=report_date)
    if expected is not None:
        expected.check(previous, office_code, report_date)
    if previous is not None and previous.movement_id is not None:
        ledger.reverse(
            session=session,
            movement_id=previous.movement_id,
            actor=actor,
            business_date=report_date,
            note=f"Koreksi laporan harian {report_date.isoformat()} (versi {previous.version})",
            check_kind=False,
        )
    if previous is not None:
        previous.is_current = False
        session.add(previous)
        session.flush()
    legs = postings.daily_report(office_code, figures.printed, figures.spoiled)
    movement = None
    if legs:
        movement = ledger.post(
            session=session,
            kind=MovementKind.daily_report,
            office_code=office_code,
            business_date=report_date,
            legs=legs,
            actor=actor,
            note=note or f"Laporan harian {report_date.isoformat()}",
            idempotency_key=idempotency_key,
        )
    report = DailyReport(
        office_code=office_code,
        report_date=report_date,
        version=previous.version + 1 if previous else 1,
        is_current=True,
        movement_id=movement.id if movement else None,
        recorded_by=actor.user_id,
        **asdict(figures),
    )
    session.add(report)
    session.flush()
    idempotency.remember(session, idempotency_key, "daily_report", payload, report.id)
    return report


def current_report(*, session: Session, office_code: str, report_date: date) -> DailyReport | None:
    return session.exec(
        select(DailyReport).where(
            DailyReport.office_code == office_code,
            DailyReport.report_date == report_date,
            col(DailyReport.is_current),
        )
    ).first()


def list_reports(
    *,
    session: Session,
    office_code: str,
    date_from: date | None = None,
    date_to: date | None = None,
    include_history: bool = False,
) -> list[DailyReport]:
    get_office(session=session, code=office_code)
    query = _reports_query(office_code, date_from, date_to, include_history)
    return list(session.exec(query).all())


def report_page(
    *,
    session: Session,
    office_code: str,
    date_from: date | None = None,
    date_to: date | None = None,
    include_history: bool = False,
    offset: int = 0,
    limit: int = paging.DEFAULT_LIMIT,
) -> paging.Page[DailyReport]:
    """``list_reports`` a page at a time, with the total over all pages."""
    get_office(session=session, code=office_code)
    query = _reports_query(office_code, date_from, date_to, include_history)
    return paging.page_of(session, query, offset=offset, limit=limit)


def _reports_query(
    office_code: str, date_from: date | None, date_to: date | None, include_history: bool
) -> Any:
    query = select(DailyReport).where(DailyReport.office_code == office_code)
    if not include_history:
        query = query.where(col(DailyReport.is_current))
    if date_from:
        query = query.where(DailyReport.report_date >= date_from)
    if date_to:
        query = query.where(DailyReport.report_date <= date_to)
    return query.order_by(col(DailyReport.report_date), col(DailyReport.version))
