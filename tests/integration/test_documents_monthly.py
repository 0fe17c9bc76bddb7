"""Monthly reports (issue 15 item 3): on a small demo, every office's every month
reconciles exactly with the ledger (opening + in − out = closing, closing = the stock card
at month end, printed and spoiled = the daily reports); the PDF and the workbooks over
HTTP hold the same figures, with numbers as numbers and the month as a date."""

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine

from blangko.db import session_scope
from blangko.demo import run_demo
from blangko.documents import monthly
from blangko.history import daily_stock
from blangko.ledger import stock_card
from blangko.models import Role
from blangko.months import month_end
from blangko.reports import list_reports
from tests.integration.api_support import add_user, assert_problem, bearer, client
from tests.integration.documents_support import has, pdf_text, workbook

pytestmark = pytest.mark.slow

KABKOTA = ["32.16", "32.73"]
START = date(2025, 6, 1)
TODAY = date(2026, 2, 10)


@pytest.fixture
def demo(sqlite_engine: Engine) -> Engine:
    run_demo(engine=sqlite_engine, offices=KABKOTA, start=START, today=TODAY)
    return sqlite_engine


def months() -> list[date]:
    first, result = START, []
    while first <= TODAY:
        result.append(first)
        first = (first + timedelta(days=32)).replace(day=1)
    return result


def test_every_office_and_month_reconciles_with_the_ledger(demo: Engine) -> None:
    with session_scope(demo, write=False) as session:
        offices = monthly.report_offices(session, ["00", "32", *KABKOTA])
        for first in months():
            last = month_end(first)
            for row in monthly.monthly_rows(session=session, month=first, offices=offices):
                assert row.reconciles, row
                assert (
                    row.opening
                    + row.procured
                    + row.received
                    + row.returned
                    - (row.dispatched + row.printed + row.spoiled)
                    + row.adjustment
                    == row.closing
                )
                card = stock_card(
                    session=session, office_code=row.code, date_from=first, date_to=last
                )
                assert (row.opening, row.closing) == (card.opening_balance, card.closing_balance)
                assert daily_stock(
                    session=session, office_code=row.code, date_from=last, date_to=last
                ) == [(last, row.closing)]
                if row.code in KABKOTA:
                    reports = list_reports(
                        session=session, office_code=row.code, date_from=first, date_to=last
                    )
                    assert row.printed == sum(r.printed for r in reports)
                    assert (
                        row.spoiled
                        == sum(r.spoiled for r in reports)
                        == (
                            row.spoiled_gagal_cetak
                            + row.spoiled_gagal_encode
                            + row.spoiled_rusak_fisik
                            + row.spoiled_lainnya
                        )
                    )
                    assert row.backlog == (reports[-1].backlog if reports else 0)
        assert any(
            r.printed for r in monthly.monthly_rows(session=session, month=START, offices=offices)
        )


def test_officer_downloads_the_month_as_pdf_and_excel(demo: Engine) -> None:
    officer = add_user(demo, "petugas-uji", Role.officer, "32.16")
    web = client()
    with session_scope(demo, write=False) as session:
        office = monthly.report_offices(session, ["32.16"])
        row = monthly.monthly_rows(session=session, month=date(2025, 12, 1), offices=office)[0]

    response = web.get("/api/v1/offices/32.16/monthly/2025-12.pdf", headers=bearer(officer))
    assert response.status_code == 200, response.text
    text = pdf_text(response.content)
    assert has(text, "LAPORAN BULANAN PENGGUNAAN BLANGKO KTP-EL")
    assert has(text, "Bulan Desember 2025 (1 – 31 Desember 2025)")
    for label, value in [
        ("Stok awal", row.opening),
        ("(−) Tercetak", row.printed),
        ("(+) Diterima dari kiriman", row.received),
        ("Stok akhir", row.closing),
        ("Sisa PRR akhir bulan", row.backlog),
    ]:
        assert has(text, f"{label} {value:,}".replace(",", ".")), (label, value)
    assert has(text, "(cocok dengan buku stok)")

    response = web.get("/api/v1/offices/32.16/monthly/2025-12.xlsx", headers=bearer(officer))
    assert response.status_code == 200
    sheet = workbook(response.content)["Kantor"]
    assert sheet.freeze_panes == "C2"
    headers = [cell.value for cell in sheet[1]]
    assert headers[:4] == ["Kode", "Nama", "Bulan", "Stok awal"]
    values = dict(zip(headers, [cell.value for cell in sheet[2]], strict=True))
    assert values["Kode"] == "32.16"
    assert values["Bulan"].date() == date(2025, 12, 1)  # a date, not text
    assert values["Tercetak"] == row.printed and isinstance(values["Tercetak"], int)
    assert values["Stok akhir"] == row.closing
    assert values["Selisih rekonsiliasi"] == 0

    other = web.get("/api/v1/offices/32.73/monthly/2025-12.pdf", headers=bearer(officer))
    assert_problem(other, 403, "forbidden")
    national = web.get("/api/v1/monthly/2025-12.xlsx", headers=bearer(officer))
    assert_problem(national, 403, "forbidden")
    future = web.get("/api/v1/offices/32.16/monthly/2099-01.pdf", headers=bearer(officer))
    assert_problem(future, 422, "validation_error")


def test_planner_downloads_the_national_workbook(demo: Engine) -> None:
    planner = add_user(demo, "perencana-uji", Role.planner)
    response = client().get("/api/v1/monthly/2025-12.xlsx", headers=bearer(planner))
    assert response.status_code == 200, response.text
    book = workbook(response.content)
    assert book.sheetnames == ["Kantor", "Provinsi", "Nasional"]
    offices = {row[0]: row for row in book["Kantor"].iter_rows(min_row=2, values_only=True)}
    assert len(offices) == 553
    headers = [cell.value for cell in book["Kantor"][1]]
    closing = headers.index("Stok akhir")
    printed = headers.index("Tercetak")
    west_java = next(
        r for r in book["Provinsi"].iter_rows(min_row=2, values_only=True) if r[0] == "32"
    )
    assert west_java[printed] == sum(r[printed] for c, r in offices.items() if c.startswith("32"))
    assert west_java[printed] > 0
    (nation,) = book["Nasional"].iter_rows(min_row=2, values_only=True)
    assert nation[closing] == sum(r[closing] for r in offices.values())
    assert all(r[-1] == 0 for r in offices.values())  # every office reconciles
    assert book["Nasional"].freeze_panes == "C2"
