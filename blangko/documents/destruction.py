"""Berita acara pemusnahan: the blanks an office spoiled in a period, by cause (gagal
cetak, gagal encode, rusak fisik, lainnya), from its current daily reports, checked
against the ledger's ``spoiled`` postings, with room for the witnesses' signatures."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from blangko.fields import DAILY_FIGURES
from blangko.models import DailyReport, Office
from blangko.reports import list_reports

CAUSES = [(f.name, f.label.removeprefix("Rusak: ")) for f in DAILY_FIGURES if f.spoil_cause]


@dataclass(frozen=True)
class Destruction:
    office: Office
    date_from: date
    date_to: date
    by_cause: list[tuple[str, int]]  # (cause as read, blanks)
    days: list[DailyReport]  # the reports with spoiled blanks

    @property
    def total(self) -> int:
        return sum(quantity for _, quantity in self.by_cause)


def destruction(*, session: Session, office: Office, date_from: date, date_to: date) -> Destruction:
    reports = list_reports(
        session=session, office_code=office.code, date_from=date_from, date_to=date_to
    )
    by_cause = [(label, sum(getattr(r, name) for r in reports)) for name, label in CAUSES]
    return Destruction(
        office=office,
        date_from=date_from,
        date_to=date_to,
        by_cause=by_cause,
        days=[r for r in reports if r.spoiled],
    )
