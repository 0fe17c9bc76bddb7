"""Planner pages of the jobs' output: alerts with acknowledge, the reallocation plan
with approve (twice creates no second shipment), forecast runs and the outbox."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import select

from api.app import create_app
from blangko import fmt, stock
from blangko.db import session_scope
from blangko.ledger import SYSTEM
from blangko.models import (
    Alert,
    AlertKind,
    AlertSeverity,
    ForecastResult,
    ForecastRun,
    ForecastRunStatus,
    OutboxMessage,
    OutboxStatus,
    PlanStatus,
    ReallocationLine,
    ReallocationPlan,
    Role,
    Shipment,
)
from blangko.offices import get_office, local_today
from blangko.users import create_user
from tests.integration.test_web_pages import PASSWORD, csrf, login


@pytest.fixture
def client(sqlite_engine: Engine) -> Iterator[TestClient]:
    with session_scope() as session:
        create_user(session=session, username="perencana", password=PASSWORD, role=Role.planner)
        create_user(
            session=session,
            username="petugas.medan",
            password=PASSWORD,
            role=Role.officer,
            office_code="12.71",
        )
        today = local_today(get_office(session=session, code="00"))
        stock.record_procurement(
            session=session, quantity=9000, received_on=today, reference="PO-9", actor=SYSTEM
        )
        session.add_all(
            [
                Alert(
                    office_code="12.71",
                    kind=AlertKind.stockout_risk,
                    severity=AlertSeverity.critical,
                    message="Stok Kota Medan diperkirakan habis dalam 9 hari. Ajukan permintaan.",
                ),
                Alert(
                    office_code="32.16",
                    kind=AlertKind.backlog_high,
                    severity=AlertSeverity.warning,
                    message="Backlog Kabupaten Bekasi tinggi.",
                ),
                OutboxMessage(
                    key="digest:test",
                    kind="digest",
                    recipients=["perencana@example.id"],
                    subject="Ringkasan harian blangko",
                    body_text="Isi",
                    status=OutboxStatus.pending,
                ),
            ]
        )
        plan = ReallocationPlan(
            status=PlanStatus.proposed,
            lead_time_days=21,
            safety_days=14,
            coverage=1.0,
            total_deficit=3000,
            total_available=9000,
            total_moved=3000,
            total_cost=3000.0,
        )
        session.add(plan)
        session.flush()
        session.add_all(
            [
                ReallocationLine(
                    plan_id=plan.id or 0,
                    from_office="00",
                    to_office="12.71",
                    quantity=2000,
                    cost=2000.0,
                ),
                ReallocationLine(
                    plan_id=plan.id or 0,
                    from_office="00",
                    to_office="32.16",
                    quantity=1000,
                    cost=1000.0,
                ),
            ]
        )
    with TestClient(create_app()) as test_client:
        yield test_client


def shipments_count() -> int:
    with session_scope(write=False) as session:
        return session.exec(select(func.count()).select_from(Shipment)).one()


def test_planner_approves_the_plan_once(client: TestClient) -> None:
    login(client, "perencana")
    page = client.get("/rencana")
    assert "3.000" in page.text and "alokasi pusat" in page.text
    token = csrf(client, "/rencana")
    plan_id = page.text.split('action="/rencana/')[1].split("/")[0]
    approved = client.post(f"/rencana/{plan_id}/setujui", data={"csrf": token})
    assert "2 kiriman dibuat" in approved.text
    assert shipments_count() == 2
    again = client.post(f"/rencana/{plan_id}/setujui", data={"csrf": token})
    assert again.status_code == 200
    assert shipments_count() == 2
    assert "disetujui" in client.get("/rencana").text


def test_alerts_are_listed_and_acknowledged(client: TestClient) -> None:
    login(client, "perencana")
    page = client.get("/peringatan")
    assert "Kota Medan diperkirakan habis" in page.text
    assert "Backlog Kabupaten Bekasi" in page.text
    token = csrf(client, "/peringatan")
    with session_scope(write=False) as session:
        medan = session.exec(select(Alert).where(Alert.office_code == "12.71")).one()
    done = client.post(f"/peringatan/{medan.id}/tandai", data={"csrf": token})
    assert "ditandai sudah ditangani" in done.text
    with session_scope(write=False) as session:
        assert session.get_one(Alert, medan.id).acknowledged_at is not None


def test_officer_sees_only_own_alerts(client: TestClient) -> None:
    login(client, "petugas.medan")
    page = client.get("/peringatan")
    assert "Kota Medan diperkirakan habis" in page.text
    assert "Bekasi" not in page.text
    with session_scope(write=False) as session:
        bekasi = session.exec(select(Alert).where(Alert.office_code == "32.16")).one()
    token = csrf(client, "/peringatan")
    assert client.post(f"/peringatan/{bekasi.id}/tandai", data={"csrf": token}).status_code == 404
    assert client.get("/rencana").status_code == 403
    assert client.get("/kotak-keluar").status_code == 403


def test_outbox_and_forecast_pages(client: TestClient) -> None:
    login(client, "perencana")
    outbox = client.get("/kotak-keluar")
    assert "Ringkasan harian blangko" in outbox.text and "menunggu" in outbox.text
    runs = client.get("/prakiraan")
    assert runs.status_code == 200 and "Belum ada prakiraan" in runs.text


def test_dashboard_shows_the_latest_forecast(client: TestClient) -> None:
    with session_scope() as session:
        today = local_today(get_office(session=session, code="12.71"))
        run = ForecastRun(status=ForecastRunStatus.finished, offices_total=1, offices_done=1)
        session.add(run)
        session.flush()
        points = [
            {
                "date": (today + timedelta(days=d)).isoformat(),
                "demand_mean": 100.0,
                "demand_low": 80.0,
                "demand_high": 120.0,
                "projected_stock": max(0.0, 1000.0 - 100.0 * d),
            }
            for d in range(1, 91)
        ]
        session.add(
            ForecastResult(
                run_id=run.id or 0,
                office_code="12.71",
                model="prophet",
                as_of=today,
                horizon_days=90,
                points=points,
                stockout_date=today + timedelta(days=10),
                stockout_probability={"14": 0.8, "30": 0.95, "60": 0.99},
                days_of_cover=10.0,
                mean_daily_demand=100.0,
            )
        )
    login(client, "petugas.medan")
    page = client.get("/kantor/12.71")
    assert f"Habis: {fmt.day(today + timedelta(days=10))}" in page.text
    assert "95 %" in page.text  # within 30 days
    assert "prakiraan 90 hari" in page.text
    assert '"projected_stock"' not in page.text and '"stock": [900.0' in page.text


def test_refused_forecast_start_shows_the_whole_message(client: TestClient) -> None:
    with session_scope() as session:
        busy = ForecastRun(status=ForecastRunStatus.running, offices_total=553)
        session.add(busy)
        session.flush()
        busy_id = busy.id
    login(client, "perencana")
    token = csrf(client, "/prakiraan")
    page = client.post("/prakiraan/jalankan", data={"csrf": token})
    assert page.status_code == 200
    assert f"Prakiraan #{busy_id} masih running. Tunggu sampai selesai" in page.text


def test_times_on_the_planner_pages_are_in_wib_never_utc(client: TestClient) -> None:
    with session_scope() as session:
        session.add(
            ForecastRun(
                status=ForecastRunStatus.finished,
                offices_total=553,
                created_at=datetime(2026, 11, 30, 20, 30, tzinfo=UTC),
            )
        )
    login(client, "perencana")
    runs = client.get("/prakiraan").text
    assert "1 Des 2026 03.30 WIB" in runs and "UTC" not in runs
    outbox = client.get("/kotak-keluar").text
    assert "WIB" in outbox and "UTC" not in outbox
