"""Times in the reader's zone (issue 13 item 7): one moment stored in UTC,
2026-12-01 22.42 UTC, reads 2 Des 2026 07.42 WIT on the pages of an office in Papua
(Kota Jayapura, 91.71), whoever opens them, and 2 Des 2026 05.42 WIB on the planner's
pages; no page says "UTC" or shows the UTC clock; the API's times carry their offset."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from blangko import reports
from blangko.db import session_scope
from blangko.models import (
    Alert,
    AlertKind,
    AlertSeverity,
    ForecastRun,
    ForecastRunStatus,
    PlanStatus,
    ReallocationPlan,
    Role,
)
from blangko.offices import get_office, local_today
from tests.integration.api_support import (
    SETUP,
    TestClient,
    add_user,
    bearer,
    client,
    sign_in_page,
    stock_office,
)
from tests.integration.forecast_data import flat_result

OFFICE = "91.71"  # Kota Jayapura, Papua: WIT (UTC+9)
MOMENT = datetime(2026, 12, 1, 22, 42, tzinfo=UTC)
IN_WIT, IN_WIB = "2 Des 2026 07.42 WIT", "2 Des 2026 05.42 WIB"
UTC_CLOCK = "22.42"  # the same moment as a UTC clock shows it: never on a page
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
OFFSET = re.compile(r"(Z|[+-]\d{2}:\d{2})$")


@pytest.fixture
def papua(sqlite_engine: Engine) -> str:
    """A report, an alert, a forecast run and a plan of Kota Jayapura, all recorded at
    ``MOMENT``; returns the report's date."""
    add_user(sqlite_engine, "perencana", Role.planner)
    add_user(sqlite_engine, "petugas.jayapura", Role.officer, OFFICE)
    stock_office(sqlite_engine, OFFICE, 1000)
    with session_scope(sqlite_engine) as session:
        yesterday = local_today(get_office(session=session, code=OFFICE)) - timedelta(days=1)
        report = reports.save_daily_report(
            session=session,
            office_code=OFFICE,
            report_date=yesterday,
            figures=reports.DailyFigures(print_requests=40, printed=40),
            actor=SETUP,
        )
        report.recorded_at = MOMENT
        run = ForecastRun(status=ForecastRunStatus.finished, created_at=MOMENT)
        run.started_at = run.finished_at = MOMENT
        session.add(run)
        session.flush()
        session.add(flat_result(run.id or 0, OFFICE, yesterday, 5, generated_at=MOMENT))
        session.add(
            Alert(
                office_code=OFFICE,
                kind=AlertKind.backlog_high,
                severity=AlertSeverity.warning,
                message="Backlog Kota Jayapura tinggi.",
                opened_at=MOMENT,
                updated_at=MOMENT,
            )
        )
        session.add(
            ReallocationPlan(
                status=PlanStatus.proposed,
                lead_time_days=21,
                safety_days=14,
                coverage=1.0,
                total_deficit=0,
                total_available=0,
                total_moved=0,
                total_cost=0.0,
                created_at=MOMENT,
            )
        )
    return yesterday.isoformat()


@pytest.fixture
def web(papua: str) -> Iterator[TestClient]:
    with client() as test_client:
        yield test_client


def shows(page: Any, text: str) -> bool:
    assert page.status_code == 200, page.text[:300]
    return text in page.text


def test_office_pages_show_the_offices_zone_to_whoever_reads_them(
    web: TestClient, papua: str
) -> None:
    sign_in_page(web, "petugas.jayapura")
    report_page = web.get(f"/kantor/{OFFICE}/laporan?tanggal={papua}")
    assert shows(report_page, f"disimpan {IN_WIT}")
    assert shows(web.get("/peringatan"), IN_WIT)  # the officer's alerts: its own zone
    sign_in_page(web, "perencana")
    # a planner opening the office's own page reads the office's clock
    assert shows(web.get(f"/kantor/{OFFICE}/laporan?tanggal={papua}"), f"disimpan {IN_WIT}")


def test_planner_pages_show_wib(web: TestClient) -> None:
    sign_in_page(web, "perencana")
    assert shows(web.get("/peringatan"), IN_WIB)
    assert shows(web.get("/rencana"), f"dibuat {IN_WIB}")
    assert shows(web.get("/prakiraan"), IN_WIB)


def test_no_page_shows_utc(web: TestClient) -> None:
    pages = {
        "petugas.jayapura": [
            f"/kantor/{OFFICE}",
            f"/kantor/{OFFICE}/laporan",
            f"/kantor/{OFFICE}/kartu-stok",
            f"/kantor/{OFFICE}/permintaan",
            "/peringatan?status=all",
        ],
        "perencana": [
            "/nasional",
            "/permintaan",
            "/peringatan?status=all",
            "/rencana",
            "/prakiraan",
            "/kotak-keluar",
            f"/kantor/{OFFICE}",
            f"/kantor/{OFFICE}/laporan",
        ],
    }
    for username, paths in pages.items():
        sign_in_page(web, username)
        for path in paths:
            page = web.get(path)
            assert page.status_code == 200, path
            assert "UTC" not in page.text, path
            assert UTC_CLOCK not in page.text, path
    web.cookies.clear()
    for path in ["/publik", f"/publik/{OFFICE}", "/publik/data"]:
        page = web.get(path)
        assert page.status_code == 200, path
        assert "UTC" not in page.text, path


def datetimes(value: Any) -> list[str]:
    """Every ISO 8601 date-time string in a JSON document."""
    if isinstance(value, dict):
        return [t for v in value.values() for t in datetimes(v)]
    if isinstance(value, list):
        return [t for v in value for t in datetimes(v)]
    return [value] if isinstance(value, str) and ISO_TIME.match(value) else []


def test_the_api_gives_times_with_their_offset(sqlite_engine: Engine, web: TestClient) -> None:
    planner = add_user(sqlite_engine, "admin.api", Role.admin)
    with session_scope(sqlite_engine, write=False) as session:
        run_id = session.exec(select(ForecastRun.id)).one()
    headers = bearer(planner)
    found: dict[str, list[str]] = {}
    for path in [
        f"/api/v1/offices/{OFFICE}/stock",
        f"/api/v1/offices/{OFFICE}/ledger",
        f"/api/v1/offices/{OFFICE}/daily-reports",
        f"/api/v1/offices/{OFFICE}/forecast",
        f"/api/v1/forecasts/runs/{run_id}",
        "/api/v1/alerts",
        "/api/v1/stock",
    ]:
        answer = web.get(path, headers=headers)
        assert answer.status_code == 200, (path, answer.text[:300])
        found[path] = datetimes(answer.json())
    assert all(found.values()), found  # each answer carries at least one time
    every = [t for times in found.values() for t in times]
    assert [t for t in every if not OFFSET.search(t)] == []
    assert any(t.startswith("2026-12-01T22:42:00") for t in every)
