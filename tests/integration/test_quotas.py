"""Province quotas (kuota provinsi) from hand-made forecasts whose daily demand is known,
with the clock stopped on Friday 20 November 2026 (the months are December to February):
the three months' totals per kab/kota and province, beside stock, in transit and backlog,
on the planners' page and in the Excel and CSV files of the page and the API; an officer
is refused."""

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from blangko import offices
from blangko.db import session_scope
from blangko.ledger import SYSTEM
from blangko.models import ForecastResult, ForecastRun, ForecastRunStatus, Role
from blangko.reports import DailyFigures, save_daily_report
from blangko.shipments import dispatch, receive
from blangko.stock import record_procurement
from tests.integration.api_support import add_user, assert_problem, bearer, client, sign_in_page

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 10.00 WIB
TODAY = date(2026, 11, 20)
FLAT, WEEKDAYS = "32.16", "32.17"
HEADERS = [
    "Sisa November 2026",
    "Kebutuhan Desember 2026",
    "Kebutuhan Januari 2027",
    "Kebutuhan Februari 2027",
    "Jumlah 3 bulan",
    "Stok",
    "Dalam perjalanan",
    "Backlog (PRR)",
    "Kekurangan",
]
# 32.16: 100 a day. Rest of November 10 days; the horizon ends 18 Feb, so 19–28 Feb are
# read from its last four weeks. Stock 5,000, backlog 40.
FLAT_FIGURES = [1000, 3100, 3100, 2800, 9000, 5000, 0, 40, 5040]
# 32.17: 50 on weekdays, none at weekends (6, 23, 21 and 20 weekdays), 700 in transit.
WEEKDAY_FIGURES = [300, 1150, 1050, 1000, 3200, 0, 700, 0, 2800]
# Jawa Barat: the two plus the Dinas provinsi's 1,000 blanks; 26 offices without forecast.
PROVINCE_FIGURES = [1300, 4250, 4150, 3800, 12200, 6000, 700, 40, 6840]


def _forecast(run_id: int, office: str, demand: dict[int, float]) -> ForecastResult:
    """90 days from tomorrow, ``demand`` by weekday (Monday 0)."""
    days = [TODAY + timedelta(days=i) for i in range(1, 91)]
    return ForecastResult(
        run_id=run_id,
        office_code=office,
        model="weekday_median",
        as_of=TODAY,
        horizon_days=90,
        points=[
            {
                "date": day.isoformat(),
                "demand_mean": demand[day.weekday()],
                "demand_low": 0.0,
                "demand_high": 2 * demand[day.weekday()],
                "projected_stock": 0.0,
            }
            for day in days
        ],
        stockout_date=None,
        stockout_probability={"14": 0.0, "30": 0.0, "60": 0.0},
        days_of_cover=None,
        mean_daily_demand=sum(demand.values()) / 7,
    )


def _send(to_office: str, quantity: int, received: bool) -> None:
    with session_scope() as session:
        shipment = dispatch(
            session=session,
            from_office="00",
            to_office=to_office,
            quantity=quantity,
            expected_on=date(2026, 11, 12),
            dispatched_on=date(2026, 11, 10),
            reference=f"ALK/{to_office}",
            actor=SYSTEM,
        )
        if received:
            receive(
                session=session,
                shipment_id=shipment.id or 0,
                received_quantity=quantity,
                received_on=date(2026, 11, 11),
                actor=SYSTEM,
            )


@pytest.fixture
def forecasts(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setattr(offices, "clock", lambda: NOW)
    with session_scope() as session:
        record_procurement(
            session=session,
            quantity=10_000,
            received_on=date(2026, 11, 1),
            reference="SPK-1",
            actor=SYSTEM,
        )
    _send(FLAT, 5000, received=True)
    _send("32", 1000, received=True)
    _send(WEEKDAYS, 700, received=False)
    with session_scope() as session:
        save_daily_report(
            session=session,
            office_code=FLAT,
            report_date=date(2026, 11, 19),
            figures=DailyFigures(print_requests=40, backlog=40),
            actor=SYSTEM,
        )
        run = ForecastRun(status=ForecastRunStatus.finished, offices_total=2, offices_done=2)
        session.add(run)
        session.flush()
        assert run.id is not None
        session.add(_forecast(run.id, FLAT, dict.fromkeys(range(7), 100.0)))
        session.add(_forecast(run.id, WEEKDAYS, {d: 50.0 if d < 5 else 0.0 for d in range(7)}))
    return engine


@pytest.fixture
def web(forecasts: Engine) -> Iterator[TestClient]:
    add_user(forecasts, "perencana", Role.planner)
    add_user(forecasts, "petugas.bekasi", Role.officer, FLAT)
    with client() as test_client:
        yield test_client


def _numbers(row_html: str) -> list[int]:
    cells = re.findall(r'<td class="num">(?:<strong>)?([\d.–]+)', row_html)
    return [int(c.replace(".", "")) for c in cells if c != "–"]


def test_page_shows_provinces_with_their_offices_beneath(web: TestClient) -> None:
    sign_in_page(web, "perencana")
    page = web.get("/nasional/kuota").text
    assert "Desember 2026, Januari 2027, Februari 2027" in page
    for header in HEADERS[:5]:
        assert f'<th class="num">{header}</th>' in page
    province = re.search(r'<tr class="province" id="provinsi-32">.*?</tr>', page, re.S)
    assert province and "26 tanpa prakiraan" in province.group(0)
    assert _numbers(province.group(0)) == PROVINCE_FIGURES
    flat = re.search(rf'<tr id="kantor-{FLAT}">.*?</tr>', page, re.S)
    weekdays = re.search(rf'<tr id="kantor-{WEEKDAYS}">.*?</tr>', page, re.S)
    assert flat and _numbers(flat.group(0)) == FLAT_FIGURES
    assert weekdays and _numbers(weekdays.group(0)) == WEEKDAY_FIGURES
    # Beneath their province, after the one before it and before the one after it.
    assert page.index('id="provinsi-31"') < page.index('id="provinsi-32"')
    assert page.index('id="provinsi-32"') < page.index(f'id="kantor-{FLAT}"')
    assert page.index(f'id="kantor-{WEEKDAYS}"') < page.index('id="provinsi-33"')
    assert '<a href="/nasional/kuota">Kuota</a>' in page  # in the planners' menu

    one = web.get("/nasional/kuota?provinsi=32").text
    assert re.findall(r'<tr class="province" id="provinsi-(\d+)"', one) == ["32"]
    assert 'href="/nasional/kuota.xlsx?provinsi=32"' in one


def test_demand_is_in_blanks_with_the_last_years_spoilage(web: TestClient) -> None:
    """Allocation letters allocate blanks: 10 blanks spoiled per 100 cards printed over the
    last year make 100 print requests a day 110 blanks, as in the national forecast."""
    with session_scope() as session:
        save_daily_report(
            session=session,
            office_code=FLAT,
            report_date=date(2026, 11, 18),
            figures=DailyFigures(printed=100, spoiled_gagal_cetak=6, spoiled_lainnya=4),
            actor=SYSTEM,
        )
    sign_in_page(web, "perencana")
    page = web.get("/nasional/kuota").text
    assert re.search(r"blangko rusak per kartu tercetak,\s+10,0 % dalam setahun terakhir", page)
    flat = re.search(rf'<tr id="kantor-{FLAT}">.*?</tr>', page, re.S)
    # 110 a day; stock 5,000 − 110 used; shortfall 1,100 + 9,900 + 40 − 4,890
    assert flat and _numbers(flat.group(0)) == [1100, 3410, 3410, 3080, 9900, 4890, 0, 40, 6150]
    answer = web.get("/nasional/kuota.csv?provinsi=32")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    flat_cells = next(r for r in rows if r[1] == FLAT)[5:]
    assert [int(v) for v in flat_cells] == [1100, 3410, 3410, 3080, 9900, 4890, 0, 40, 6150]


def test_workbook_has_both_sheets_with_numbers_and_a_frozen_header(web: TestClient) -> None:
    sign_in_page(web, "perencana")
    answer = web.get("/nasional/kuota.xlsx")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    disposition = answer.headers["content-disposition"]
    assert disposition == 'attachment; filename="kuota-2026-12-2027-02.xlsx"'  # saved
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["Provinsi", "Kabupaten-Kota"]

    provinces = book["Provinsi"]
    assert [c.value for c in provinces[1]] == [
        "Kode",
        "Provinsi",
        "Kantor",
        "Tanpa prakiraan",
        *HEADERS,
    ]
    assert provinces.freeze_panes == "C2"
    rows = {r[0]: r for r in provinces.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 38
    assert list(rows["32"][2:]) == [28, 26, *PROVINCE_FIGURES]
    assert rows["11"][4] is None and rows["11"][9] == 0  # no forecast: no demand, stock 0

    kabkota = book["Kabupaten-Kota"]
    assert [c.value for c in kabkota[1]] == ["Kode", "Nama", "Kode provinsi", "Jenis", *HEADERS]
    assert kabkota.freeze_panes == "C2"
    rows = {r[0]: r for r in kabkota.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 552  # the 38 Dinas provinsi and 514 kab/kota
    assert list(rows[FLAT]) == [FLAT, "Kabupaten Bekasi", "32", "Kabupaten", *FLAT_FIGURES]
    assert list(rows[WEEKDAYS][4:]) == WEEKDAY_FIGURES
    assert rows["32"][3] == "Dinas provinsi" and rows["32"][9] == 1000
    cell = next(c for c in kabkota["E"] if c.row > 1 and c.value == 1000)
    assert isinstance(cell.value, int) and cell.number_format == "#,##0"


def test_csv_lists_each_province_then_its_offices(web: TestClient) -> None:
    sign_in_page(web, "perencana")
    answer = web.get("/nasional/kuota.csv?provinsi=32")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Tingkat", "Kode", "Nama", "Kode provinsi", "Jenis", *HEADERS]
    assert rows[1][:5] == ["provinsi", "32", "Provinsi Jawa Barat", "32", "Jumlah provinsi"]
    assert [int(v) for v in rows[1][5:]] == PROVINCE_FIGURES
    assert len(rows) == 1 + 1 + 28
    by_code = {r[1]: r for r in rows[2:]}
    assert by_code[FLAT][0] == "kantor"
    assert [int(v) for v in by_code[FLAT][5:]] == FLAT_FIGURES
    assert by_code["32.01"][5:10] == ["", "", "", "", ""]  # no forecast


def test_api_files_for_planners(forecasts: Engine) -> None:
    planner = add_user(forecasts, "perencana", Role.planner)
    with client() as http:
        workbook = http.get("/api/v1/quotas.xlsx?province=32", headers=bearer(planner))
        assert workbook.status_code == 200
        disposition = workbook.headers["content-disposition"]
        assert disposition == 'inline; filename="kuota-32-2026-12-2027-02.xlsx"'  # as the API's
        book = load_workbook(io.BytesIO(workbook.content))
        codes = [r[0] for r in book["Provinsi"].iter_rows(min_row=2, values_only=True)]
        assert codes == ["32"]
        table = http.get("/api/v1/quotas.csv", headers=bearer(planner))
        assert table.status_code == 200
        rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig")), delimiter=";"))
        flat = next(r for r in rows if r[1] == FLAT)
        assert [int(v) for v in flat[5:]] == FLAT_FIGURES
        assert_problem(
            http.get("/api/v1/quotas.csv?province=99", headers=bearer(planner)), 404, "not_found"
        )


def test_officers_are_refused(web: TestClient, forecasts: Engine) -> None:
    sign_in_page(web, "petugas.bekasi")
    for path in ("/nasional/kuota", "/nasional/kuota.xlsx", "/nasional/kuota.csv"):
        answer = web.get(path)
        assert answer.status_code == 403, path
        assert "Kabupaten Bogor" not in answer.text
    officer = add_user(forecasts, "petugas.bekasi.api", Role.officer, FLAT)
    for path in ("/api/v1/quotas.xlsx", "/api/v1/quotas.csv"):
        assert_problem(web.get(path, headers=bearer(officer)), 403, "forbidden")
