"""The pages work under their Content-Security-Policy: Chromium reports no violation on
the pages an officer and a planner use, and the office chart (vendored Chart.js started
by a static script from JSON data blocks) is drawn."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from sqlalchemy import Engine

from blangko import stock
from blangko.db import session_scope
from blangko.ledger import SYSTEM
from blangko.models import Role
from blangko.offices import get_office, local_today
from blangko.users import create_user

pytestmark = pytest.mark.browser
PASSWORD = "rahasia-123"
# Records what the browser refused, from before any of the page's own code runs.
WATCH = """
window.__refused = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__refused.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def users(sqlite_engine: Engine) -> None:
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
            session=session, quantity=5000, received_on=today, reference="PO-1", actor=SYSTEM
        )


@pytest.fixture
def watched(page: Page) -> Iterator[tuple[Page, list[str]]]:
    complaints: list[str] = []

    def heard(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            complaints.append(message.text)

    page.on("console", heard)
    page.add_init_script(WATCH)
    yield page, complaints


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(lambda url: not url.endswith("/login"))


def refused(page: Page) -> list[str]:
    return list(page.evaluate("window.__refused"))


def test_the_office_chart_is_drawn_without_csp_violations(
    live_server: str, watched: tuple[Page, list[str]], users: None
) -> None:
    page, complaints = watched
    sign_in(page, live_server, "petugas.bekasi")
    expect(page).to_have_url(live_server + "/kantor/32.16")
    page.wait_for_function("() => window.Chart && Chart.getChart('history-chart')")
    series = page.evaluate("Chart.getChart('history-chart').data.datasets.length")
    assert series >= 3
    assert page.evaluate("document.getElementById('history-chart').width") > 0
    for path in ("/kantor/32.16/laporan", "/kantor/32.16/kartu-stok"):
        page.goto(live_server + path)
        assert refused(page) == []
    assert complaints == []


def test_planner_pages_have_no_csp_violations(
    live_server: str, watched: tuple[Page, list[str]], users: None
) -> None:
    page, complaints = watched
    sign_in(page, live_server, "perencana")
    for path in ("/nasional", "/permintaan", "/kiriman/baru", "/peringatan", "/rencana"):
        page.goto(live_server + path)
        expect(page.locator("main")).to_be_visible()
        assert refused(page) == [], path
    assert complaints == []
