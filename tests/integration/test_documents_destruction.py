"""Berita acara pemusnahan (issue 15 item 2): a month's spoiled blanks by cause, read back
from the PDF an officer downloads, with the same access rules as the office's data."""

from datetime import timedelta

from sqlalchemy import Engine

from blangko.db import session_scope
from blangko.models import Role
from blangko.reports import DailyFigures, save_daily_report
from tests.integration.api_support import (
    SETUP,
    add_user,
    assert_problem,
    bearer,
    client,
    stock_office,
)
from tests.integration.documents_support import has, pdf_text
from tests.integration.ledger_support import days_ago

OFFICE = "32.16"
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus"]
MONTHS += ["September", "Oktober", "November", "Desember"]


def test_officer_downloads_the_destruction_record_of_a_month(engine: Engine) -> None:
    officer = add_user(engine, "petugas", Role.officer, OFFICE)
    stranger = add_user(engine, "petugas-lain", Role.officer, "12.71")
    stock_office(engine, OFFICE, 5_000)
    first = (days_ago(engine, OFFICE, 0).replace(day=1) - timedelta(days=1)).replace(day=1)
    spoiled = [(1, 1_200, 3, 0, 1), (4, 5, 0, 2, 0), (9, 40, 1, 1, 6)]  # day, then causes
    with session_scope(engine) as session:
        for offset, cetak, encode, fisik, lain in spoiled:
            save_daily_report(
                session=session,
                office_code=OFFICE,
                report_date=first + timedelta(days=offset),
                figures=DailyFigures(
                    printed=10,
                    spoiled_gagal_cetak=cetak,
                    spoiled_gagal_encode=encode,
                    spoiled_rusak_fisik=fisik,
                    spoiled_lainnya=lain,
                ),
                actor=SETUP,
            )
    month = f"{first:%Y-%m}"
    web = client()

    response = web.get(f"/api/v1/offices/{OFFICE}/destruction/{month}.pdf", headers=bearer(officer))

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    assert has(text, "BERITA ACARA PEMUSNAHAN BLANGKO KTP-EL RUSAK")
    assert has(text, f"1 {MONTHS[first.month - 1]} {first.year}")
    assert has(text, "1. Gagal cetak 1.245")
    assert has(text, "2. Gagal encode 4")
    assert has(text, "3. Rusak fisik 3")
    assert has(text, "4. Lainnya 7")
    assert has(text, "Jumlah 1.259")
    assert has(text, "Saksi 1") and has(text, "Saksi 3")

    other = web.get(f"/api/v1/offices/{OFFICE}/destruction/{month}.pdf", headers=bearer(stranger))
    assert_problem(other, 403, "forbidden")
