"""The planner's forecast page in Chromium with a national forecast a year ahead (issue 13
items 1 and 3): the procurement sentence, the monthly chart drawn by the vendored
Chart.js and the table. The screenshot goes to tests/e2e/screenshots/ (the README's copy
is docs/planner-forecast.png)."""

from collections.abc import Iterator
from datetime import date, timedelta

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from blangko.db import session_scope
from blangko.models import NationalForecast, PlannedProcurement, Role, TrancheStatus
from blangko.offices import planner_today
from blangko.users import create_user
from forecast.national import NationalInputs, NationalSettings, forecast_national
from forecast.series import DemandSeries
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.browser
PASSWORD = "rahasia-123"


def national_demand(end: date, days: int) -> DemandSeries:
    """Three years of a believable national demand: about 60,000 print requests a working
    day, quieter Saturdays, closed Sundays, busier in the second half of the year."""
    start = end - timedelta(days=days - 1)
    t = np.arange(days)
    weekday = (start.weekday() + t) % 7
    season = 1 + 0.1 * np.sin(2 * np.pi * (t + start.timetuple().tm_yday - 160) / 365.25)
    level = 60_000 * season * np.where(weekday == 5, 0.35, 1.0)
    values = np.random.default_rng(13).normal(level, 0.04 * level)
    values[weekday == 6] = np.nan
    return DemandSeries("32.16", start, values, np.zeros(days, dtype=bool))


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """As conftest's, but axe's script may be injected (as in test_accessibility; the
    page's own policy is checked in test_csp)."""
    context = browser.new_context(
        locale="id-ID", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def forecast(sqlite_engine: Engine) -> dict[str, object]:
    as_of = planner_today() - timedelta(days=1)
    settings = NationalSettings(sample_paths=400)
    inputs = NationalInputs(
        as_of=as_of,
        offices=[national_demand(as_of, settings.history_days)],
        on_hand=5_100_000,
        in_transit=160_000,
        backlog=40_000,
        tranches={as_of + timedelta(days=150): 3_000_000},
        spoilage_ratio=0.017,
    )
    made = forecast_national(inputs, settings)
    with session_scope() as session:
        create_user(session=session, username="perencana", password=PASSWORD, role=Role.planner)
        session.add(
            NationalForecast(
                as_of=as_of, model=made.model, result=made.result, backtest=made.backtest
            )
        )
        # The page redoes the timing with the tranches open when it is read.
        session.add(
            PlannedProcurement(
                quantity=3_000_000,
                expected_on=as_of + timedelta(days=150),
                reference="SPK/2027/1",
                status=TrancheStatus.ordered,
            )
        )
    return made.result


def test_planner_reads_the_national_forecast_and_when_to_order(
    live_server: str, page: Page, forecast: dict[str, object]
) -> None:
    page.goto(live_server + "/login")
    page.get_by_label("Nama pengguna").fill("perencana")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(live_server + "/nasional")
    page.goto(live_server + "/prakiraan")

    section = page.locator("#prakiraan-nasional")
    expect(section.get_by_role("heading", name="Prakiraan nasional 12 bulan")).to_be_visible()
    expect(page.locator("#procurement-timing")).to_contain_text(
        "Stok nasional diperkirakan di bawah cakupan 45 hari pada"
    )
    months = len(forecast["months"])  # type: ignore[arg-type]
    assert months == 12 + (planner_today().day != 1)  # the rest of this month + 12 full
    expect(page.locator("#national-months tbody tr")).to_have_count(months)
    chart = page.locator("#national-chart")
    chart.scroll_into_view_if_needed()
    page.wait_for_function("() => window.Chart && Chart.getChart('national-chart')")
    drawn = page.evaluate(
        "() => Chart.getChart('national-chart').data.datasets.map(d => d.data.length)"
    )
    assert drawn == [months] * 5  # band low, band high, mean, projected stock, target cover
    SCREENSHOTS.mkdir(exist_ok=True)
    section.screenshot(path=str(SCREENSHOTS / "planner-forecast.png"))
    # The section with its chart passes axe, as every other page does.
    assert violations(page, live_server + "/prakiraan", {}) == []
