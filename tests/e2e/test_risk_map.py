"""The risk map of the national overview in Chromium (issue 13 item 6): 514 kab/kota
drawn, an office named in its title and painted in its risk's colour, a click (or Enter
from the keyboard) opens the office, and the province view. Screenshots of both views
go to tests/e2e/screenshots/ for the README."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from blangko.db import session_scope
from blangko.models import ForecastRun, ForecastRunStatus, OfficeKind, Role
from blangko.offices import list_offices, local_today
from blangko.users import create_user
from tests.e2e.conftest import SCREENSHOTS
from tests.integration.forecast_data import flat_result

pytestmark = pytest.mark.browser
PASSWORD = "rahasia-123"
MERAUKE = "93.01"  # large enough to click anywhere in it


def days_left(code: str) -> int:
    """A spread of stock-outs over the country: about one office in six within the
    21-day lead time (Tinggi), one in eight within 35 days (Sedang)."""
    province, regency = (int(part) for part in code.split("."))
    return 30 if code == MERAUKE else (province * 7 + regency * 13) % 120 + 1


@pytest.fixture
def country(sqlite_engine: Engine) -> None:
    with session_scope() as session:
        create_user(session=session, username="perencana", password=PASSWORD, role=Role.planner)
        run = ForecastRun(status=ForecastRunStatus.finished)
        session.add(run)
        session.flush()
        for office in list_offices(session=session):
            if office.kind in (OfficeKind.kabupaten, OfficeKind.kota):
                result = flat_result(
                    run.id or 0, office.code, local_today(office), days_left(office.code)
                )
                session.add(result)


def sign_in(page: Page, base: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Nama pengguna").fill("perencana")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(base + "/nasional")


def test_planner_finds_an_office_on_the_map_and_opens_it(
    live_server: str, page: Page, country: None
) -> None:
    sign_in(page, live_server)
    offices = page.locator("#peta a")
    expect(offices).to_have_count(514)
    merauke = page.locator(f'#peta a[href="/kantor/{MERAUKE}"]')
    expect(merauke.locator("title")).to_have_text(
        re.compile(r"^Kabupaten Merauke \(93\.01\): risiko sedang; cakupan 30 hari; habis ")
    )
    fill = merauke.locator("path").evaluate("p => getComputedStyle(p).fill")
    assert fill == "rgb(249, 168, 37)"  # Sedang's amber (web/riskmap.py LEVELS)
    expect(page.locator("#peta-legenda")).to_contain_text("Risiko sedang")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.locator("section.peta").screenshot(path=str(SCREENSHOTS / "planner-risk-map.png"))

    merauke.click()
    expect(page).to_have_url(f"{live_server}/kantor/{MERAUKE}")
    expect(page.locator("h1")).to_contain_text("Kabupaten Merauke")


def test_map_is_reachable_by_keyboard_and_has_a_province_view(
    live_server: str, page: Page, country: None
) -> None:
    sign_in(page, live_server)
    page.get_by_role("link", name="Lewati peta").focus()
    page.keyboard.press("Tab")  # into the map: the first kab/kota, Aceh Selatan
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "/kantor/11.01"
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/kantor/11.01")

    page.goto(live_server + "/nasional")
    page.get_by_role("link", name="Per provinsi").click()
    expect(page).to_have_url(f"{live_server}/nasional?peta=provinsi")
    expect(page.locator("#peta a")).to_have_count(38)
    papua = page.locator('#peta a[href="/kantor/91"]')
    expect(papua.locator("title")).to_contain_text("Provinsi Papua: ")
    page.locator("section.peta").screenshot(path=str(SCREENSHOTS / "planner-risk-map-provinsi.png"))
    papua.click()  # a click opens the Dinas provinsi
    expect(page).to_have_url(f"{live_server}/kantor/91")
    expect(page.locator("h1")).to_contain_text("Provinsi Papua")

    page.go_back()  # its kab/kota in the table: the link under the map
    page.get_by_role("navigation", name="Kab/kota per provinsi di tabel").get_by_role(
        "link", name="Papua", exact=True
    ).click()
    expect(page).to_have_url(f"{live_server}/nasional?provinsi=91")
    expect(page.locator("#overview")).to_contain_text("Kota Jayapura")
