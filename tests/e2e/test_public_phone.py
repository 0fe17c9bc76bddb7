"""The public pages on a phone (issue 14 item 5): Chromium at 390×844 with JavaScript
switched off; a resident searches for their kab/kota, opens its page and reads the level,
the wait and the free-of-charge notice. Screenshots go to tests/e2e/screenshots/ (the
README's copies are docs/publik-*.png)."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from tests.e2e.conftest import screenshot
from tests.integration.public_support import Day, office_with, send_blanks, today_of

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport=PHONE,
        locale="id-ID",
        java_script_enabled=False,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def offices(sqlite_engine: Engine) -> None:
    month = [Day(requests=100, printed=100, backlog=0)] * 27
    office_with(sqlite_engine, "32.16", received=5800, days=[*month, Day(backlog=250)])
    office_with(sqlite_engine, "32.75", received=2800, days=[*month, Day(backlog=900)])
    send_blanks(sqlite_engine, "32.75", 3000, today_of(sqlite_engine, "32.75") + timedelta(days=9))


def fits_the_screen(page: Page, selector: str) -> None:
    """The element is as wide as the phone at most: nothing to scroll sideways."""
    box = page.locator(selector).first.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_a_resident_finds_their_office_on_a_phone_without_javascript(
    live_server: str, phone: Page, offices: None
) -> None:
    phone.goto(live_server + "/publik")
    expect(phone.locator("h1")).to_have_text("Status blangko KTP-el")
    fits_the_screen(phone, "main")
    screenshot(phone, "publik-indeks")

    phone.get_by_label("Cari kabupaten atau kota").fill("bekasi")
    phone.get_by_role("button", name="Cari").click()  # a plain form: no script needed
    expect(phone).to_have_url(live_server + "/publik?q=bekasi")
    results = phone.locator("ul.offices li")
    expect(results).to_have_count(2)
    expect(results.nth(0)).to_contain_text("Kabupaten Bekasi")
    expect(results.nth(0)).to_contain_text("Tersedia")
    expect(results.nth(1)).to_contain_text("Kota Bekasi")
    expect(results.nth(1)).to_contain_text("Habis")

    phone.get_by_role("link", name="Kabupaten Bekasi").click()
    expect(phone).to_have_url(live_server + "/publik/32.16")
    expect(phone.locator("#level")).to_have_text("Tersedia")
    expect(phone.locator("#wait")).to_have_text("Sekitar 3 hari")
    expect(phone.get_by_role("heading", name="Pencetakan KTP-el GRATIS")).to_be_visible()
    for selector in ("h1", "#level", "#wait", "section.free"):
        fits_the_screen(phone, selector)
    # The meaning of the levels opens without a script (<details>).
    phone.get_by_text("Arti status").click()
    expect(phone.get_by_text("Stok cukup untuk 14 hari atau lebih")).to_be_visible()
    screenshot(phone, "publik-kantor")

    phone.goto(live_server + "/publik/32.75")
    expect(phone.locator("#level")).to_have_text("Habis")
    expect(phone.locator("#wait")).to_have_text("Menunggu kiriman blangko")
    expect(phone.locator("#shipment")).to_contain_text("perkiraan tiba pada minggu")
    screenshot(phone, "publik-kantor-habis")
