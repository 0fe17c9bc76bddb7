"""The pages for people (issue 16 items 1-4), in Chromium as a keyboard, screen-reader or
phone user meets them: buttons named by their text, refusals that say which field and
put the cursor there, Indonesian input hints, links and focus halos that can be seen, a
high-risk row that looks high-risk, the national overview and the office chart on a
phone, and the chart's place kept while it loads."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from tests.e2e.conftest import screenshot
from tests.e2e.people_data import HIGH_RISK, OFFICE, OFFICER, PASSWORD, PLANNER, populate

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
ID_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


@pytest.fixture
def country(sqlite_engine: Engine) -> None:
    populate(sqlite_engine)


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport=PHONE, locale="id-ID", is_mobile=True, has_touch=True, device_scale_factor=2
    )
    yield context.new_page()
    context.close()


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(lambda url: not url.endswith("/login"))


def rgb(css: str) -> tuple[float, float, float, float]:
    """``rgb(…)``/``rgba(…)`` as numbers (alpha 1 when not given)."""
    parts = [float(p) for p in re.findall(r"[\d.]+", css)[:4]]
    return (parts[0], parts[1], parts[2], parts[3] if len(parts) > 3 else 1.0)


def over(top: tuple[float, float, float, float], below: tuple[float, ...]) -> tuple[float, ...]:
    a = top[3]
    return (*(top[i] * a + below[i] * (1 - a) for i in range(3)), 1.0)


def contrast(one: tuple[float, ...], other: tuple[float, ...]) -> float:
    """WCAG 2 contrast ratio of two opaque colours."""

    def luminance(colour: tuple[float, ...]) -> float:
        channels = [c / 255 for c in colour[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# Item 1: names and errors


def test_filter_buttons_are_named_by_their_text(
    live_server: str, page: Page, country: None
) -> None:
    sign_in(page, live_server, OFFICER)
    for path, name in [
        (f"/kantor/{OFFICE}/laporan", "Buka"),
        (f"/kantor/{OFFICE}/kartu-stok", "Tampilkan"),
        ("/peringatan", "Terapkan"),
    ]:
        page.goto(live_server + path)
        expect(page.locator("form[method=get] button[type=submit]")).to_have_accessible_name(name)
    page.context.clear_cookies()
    sign_in(page, live_server, PLANNER)
    expect(page.locator("form[method=get] button[type=submit]")).to_have_accessible_name("Terapkan")


def test_a_refused_form_marks_its_field_ties_the_message_and_focuses_it(
    live_server: str, page: Page, country: None
) -> None:
    sign_in(page, live_server, OFFICER)
    page.goto(f"{live_server}/kantor/{OFFICE}/kartu-stok")
    page.get_by_label("Dari").fill("2026-11-30")
    page.get_by_label("Sampai").fill("2026-11-01")
    page.get_by_role("button", name="Tampilkan").click()
    bad = page.get_by_label("Dari")
    expect(page.get_by_role("alert")).to_contain_text("Tanggal 'dari' harus")
    expect(bad).to_have_attribute("aria-invalid", "true")
    expect(bad).to_have_accessible_description(re.compile("Tanggal 'dari' harus"))
    expect(bad).to_be_focused()
    expect(page.get_by_label("Sampai")).not_to_have_attribute("aria-invalid", "true")
    screenshot(page, "officer-refused-form")

    # A refusal that names no field (not enough stock): the message takes the focus.
    page.goto(f"{live_server}/kantor/{OFFICE}/laporan")
    page.get_by_label("Tercetak", exact=True).fill("99999")
    page.get_by_role("button", name="Simpan laporan").click()
    expect(page.get_by_role("alert")).to_contain_text("tidak cukup")
    focused = page.evaluate(
        "[document.activeElement.id, document.activeElement.getAttribute('aria-invalid')]"
    )
    assert focused in (["galat", None], ["printed", "true"]), focused


def test_number_fields_explain_their_format_in_indonesian(
    live_server: str, page: Page, country: None
) -> None:
    sign_in(page, live_server, OFFICER)
    page.goto(f"{live_server}/kantor/{OFFICE}/laporan")
    printed = page.get_by_label("Tercetak", exact=True)
    expect(printed).to_have_accessible_description(re.compile("Hanya angka"))
    expect(page.locator("#petunjuk-angka")).to_be_visible()
    printed.fill("12a")
    page.get_by_role("button", name="Simpan laporan").click()
    message = printed.evaluate("field => field.validationMessage")
    assert message == "Hanya angka; titik pemisah ribuan boleh, mis. 1.250."
    expect(page.get_by_role("alert")).to_have_count(0)  # the browser held the form back
    page.get_by_label("Tanggal laporan").fill("")
    page.get_by_label("Tanggal laporan").evaluate("field => field.form.reportValidity()")
    assert page.get_by_label("Tanggal laporan").evaluate("f => f.validationMessage") == (
        "Isian ini wajib diisi."
    )


# Item 2: contrast and focus


def test_high_risk_rows_look_high_risk_and_their_links_read_well(
    live_server: str, page: Page, country: None
) -> None:
    sign_in(page, live_server, PLANNER)
    rows = page.locator("#overview tbody tr.risk-high")
    expect(rows).to_have_count(len(HIGH_RISK))
    for index in range(len(HIGH_RISK)):  # odd and even rows of the striped table
        cell = rows.nth(index).locator("td").nth(1)
        link = rows.nth(index).locator("a")
        row_colour = rgb(rows.nth(index).evaluate("e => getComputedStyle(e).backgroundColor"))
        cell_colour = rgb(cell.evaluate("e => getComputedStyle(e).backgroundColor"))
        seen = over(cell_colour, over(row_colour, (255, 255, 255)))
        assert seen[0] - seen[1] >= 15, f"row {index + 1} is not tinted red: {seen}"
        text = rgb(link.evaluate("e => getComputedStyle(e).color"))
        assert contrast(text, seen) >= 4.5


def test_focus_halos_stand_out_from_the_page(live_server: str, page: Page, country: None) -> None:
    page.emulate_media(reduced_motion="reduce")  # the halo as it ends, not mid-transition
    sign_in(page, live_server, PLANNER)
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand link
    link_ring = page.evaluate("getComputedStyle(document.activeElement).boxShadow")
    button = page.get_by_role("button", name="Terapkan")
    button.focus()
    button_ring = button.evaluate("e => getComputedStyle(e).boxShadow")
    for ring in (link_ring, button_ring):
        shadows = re.findall(r"(rgba?\([^)]*\)) 0px 0px 0px ([\d.]+)px", ring)
        colour, width = max(shadows, key=lambda shadow: float(shadow[1]))
        assert rgb(colour)[3] == 1.0, ring  # solid, not translucent
        assert contrast(rgb(colour), (255, 255, 255)) >= 3, ring
        assert float(width) >= 2, ring  # wide enough to see


# Item 3: phone


def test_a_planner_reads_risk_stockout_and_cover_on_a_phone(
    live_server: str, phone: Page, country: None
) -> None:
    sign_in(phone, live_server, PLANNER)
    first = phone.locator("#overview tbody tr").first
    for column, header in (("risk", "Risiko"), ("out", "Habis"), ("cover", "Hari cakupan")):
        for cell in (first.locator(f"td.{column}"), phone.locator(f"#overview th.{column}")):
            expect(cell).to_be_visible()
            box = cell.bounding_box()
            assert box is not None and box["x"] >= 0
            assert box["x"] + box["width"] <= PHONE["width"]
        expect(phone.locator(f"#overview th.{column}")).to_have_text(header)
    expect(first.locator("td.risk")).to_have_text("Tinggi")
    expect(first.locator("td.out")).to_have_text(
        re.compile(rf"\d+ ({'|'.join(ID_MONTHS)}) \d{{4}}")
    )
    region = phone.locator(".table-wrap").first
    assert region.evaluate("e => e.scrollWidth <= e.clientWidth"), "the overview scrolls sideways"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "planner-overview-phone")


def test_long_text_wraps_at_a_readable_width_and_scrollers_take_the_keyboard(
    live_server: str, phone: Page, country: None
) -> None:
    sign_in(phone, live_server, PLANNER)
    phone.goto(live_server + "/peringatan")
    message = phone.locator("td", has_text="diperkirakan habis dalam 5 hari")
    box = message.bounding_box()
    assert box is not None and box["width"] >= 200, box  # not one word per line
    screenshot(phone, "planner-alerts-phone")
    scrollers = phone.locator(".table-wrap")
    for index in range(scrollers.count()):
        region = scrollers.nth(index)
        if region.evaluate("e => e.scrollWidth > e.clientWidth"):
            expect(region).to_have_attribute("tabindex", "0")
            expect(region).to_have_accessible_name(re.compile(r"\w"))
    region = scrollers.first
    region.focus()
    phone.keyboard.press("ArrowRight")  # scrolls (smoothly): wait until it has moved
    phone.wait_for_function("e => e.scrollLeft > 0", arg=region.element_handle(), timeout=5000)


def test_the_office_chart_reads_on_a_phone_in_indonesian(
    live_server: str, phone: Page, country: None
) -> None:
    sign_in(phone, live_server, OFFICER)
    phone.locator("#history-chart").scroll_into_view_if_needed()  # Chart.js loads on the way
    phone.wait_for_function("() => window.Chart && Chart.getChart('history-chart')")
    area = phone.evaluate("Chart.getChart('history-chart').chartArea")
    assert area["bottom"] - area["top"] >= 120, area
    days = phone.evaluate("Chart.getChart('history-chart').scales.x.ticks.map(t => t.label)")
    assert days and all(re.fullmatch(rf"\d{{1,2}} ({'|'.join(ID_MONTHS)})", d) for d in days), days
    stock = phone.evaluate("Chart.getChart('history-chart').scales.y1.ticks.map(t => t.label)")
    assert any(re.fullmatch(r"\d{1,3}(\.\d{3})+", s) for s in stock), stock  # 1.500, not 1,500
    screenshot(phone, "officer-dashboard-phone")


# Item 4: the chart's place is kept


def test_the_chart_space_is_reserved_before_its_script_runs(
    live_server: str, browser: Browser, country: None
) -> None:
    """The chart's box has its place and height before Chart.js runs (here: never, scripts
    off), and the drawn chart fills exactly that box: nothing below it moves."""
    where = "e => { const r = e.getBoundingClientRect(); return [r.top + scrollY, r.height]; }"
    boxes = []
    for scripts in (False, True):
        context = browser.new_context(
            java_script_enabled=scripts, viewport={"width": 1366, "height": 900}
        )
        page = context.new_page()
        sign_in(page, live_server, OFFICER)
        if scripts:
            page.locator("#history-chart").scroll_into_view_if_needed()
            page.wait_for_function("() => window.Chart && Chart.getChart('history-chart')")
            canvas = page.locator("#history-chart").evaluate(where)
        boxes.append(page.locator(".chart").evaluate(where))
        context.close()
    before, after = boxes
    assert before[1] >= 250
    assert before == after
    assert abs(canvas[1] - after[1]) <= 1
