"""Real pages in headless Chromium: an officer confirms a delivery and records the day's
report and sees the stock change; a planner approves a request. Screenshots of the
main pages are saved."""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from blangko import stock
from blangko.db import session_scope
from blangko.ledger import SYSTEM
from blangko.models import Role
from blangko.offices import get_office, local_today
from blangko.users import create_user
from tests.e2e.conftest import screenshot
from tests.e2e.people_data import work_in_progress

pytestmark = pytest.mark.browser
PASSWORD = "rahasia-123"


@pytest.fixture
def history(sqlite_engine: Engine) -> None:
    with session_scope() as session:
        create_user(session=session, username="perencana", password=PASSWORD, role=Role.planner)
        create_user(
            session=session,
            username="petugas.bekasi",
            password=PASSWORD,
            role=Role.officer,
            office_code="32.16",
        )
        today = local_today(get_office(session=session, code="32.16"))
        stock.record_procurement(
            session=session, quantity=20000, received_on=today, reference="PO-1", actor=SYSTEM
        )
        work_in_progress(session, today)


def sign_in_with_keyboard(page: Page, base: str, username: str) -> None:
    page.goto(base + "/")
    expect(page).to_have_url(base + "/login")
    page.locator("#username").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: not url.endswith("/login"))


def test_officer_confirms_delivery_and_records_daily_report(
    live_server: str, page: Page, history: None
) -> None:
    sign_in_with_keyboard(page, live_server, "petugas.bekasi")
    expect(page).to_have_url(live_server + "/kantor/32.16")
    expect(page.locator("#on-hand")).to_have_text("0")
    screenshot(page, "officer-dashboard-before")

    delivery = page.locator("article", has_text="1.500 keping dari 00")
    delivery.get_by_role("button", name="Terima").click()
    expect(page.get_by_role("status")).to_contain_text("diterima")
    expect(page.locator("#on-hand")).to_have_text("1.500")

    page.get_by_role("link", name="Laporan harian").first.click()
    page.get_by_label("Permintaan cetak baru (PRR)").fill("320")
    page.get_by_label("Tercetak", exact=True).fill("300")
    page.get_by_label("Rusak: gagal cetak").fill("5")
    page.get_by_label("Sisa PRR belum tercetak (akhir hari)").fill("20")
    screenshot(page, "officer-daily-report")
    page.get_by_role("button", name="Simpan laporan").click()
    expect(page.get_by_role("status")).to_contain_text("disimpan")

    page.get_by_role("link", name="Ringkasan").click()
    expect(page.locator("#on-hand")).to_have_text("1.195")
    screenshot(page, "officer-dashboard")

    page.get_by_role("link", name="Kartu stok").first.click()
    expect(page.locator("table")).to_contain_text("1.195")
    screenshot(page, "officer-stock-card")


def test_refused_report_keeps_what_was_typed(live_server: str, page: Page, history: None) -> None:
    sign_in_with_keyboard(page, live_server, "petugas.bekasi")
    page.goto(live_server + "/kantor/32.16/laporan")
    page.get_by_label("Tercetak", exact=True).fill("999")
    page.get_by_role("button", name="Simpan laporan").click()
    expect(page.get_by_role("alert")).to_contain_text("tidak cukup")
    expect(page.get_by_label("Tercetak", exact=True)).to_have_value("999")


def test_planner_approves_a_request(live_server: str, page: Page, history: None) -> None:
    sign_in_with_keyboard(page, live_server, "perencana")
    expect(page).to_have_url(live_server + "/nasional")
    expect(page.locator("#overview")).to_contain_text("Kota Medan")
    screenshot(page, "planner-overview")

    page.get_by_role("link", name="Permintaan").first.click()
    request = page.locator("article", has_text="12.71")
    request.get_by_label("Jumlah disetujui").fill("2500")
    request.get_by_role("button", name="Setujui dan kirim").click()
    expect(page.get_by_role("status")).to_contain_text("disetujui")
    expect(page.locator("table")).to_contain_text("2.500")
    screenshot(page, "planner-requests")


def test_planner_approves_the_reallocation_plan(
    live_server: str, page: Page, history: None
) -> None:
    sign_in_with_keyboard(page, live_server, "perencana")
    page.get_by_role("link", name="Realokasi").click()
    expect(page.locator("table")).to_contain_text("91.71")
    screenshot(page, "planner-plan")
    page.get_by_role("button", name="Setujui rencana").click()
    expect(page.get_by_role("status")).to_contain_text("1 kiriman dibuat")
    expect(page.locator("table")).to_contain_text("#")
    page.goto(live_server + "/kantor/91.71")
    expect(page.locator("#incoming-title")).to_be_visible()
    expect(page.locator("article", has_text="1.200 keping dari 00")).to_be_visible()
