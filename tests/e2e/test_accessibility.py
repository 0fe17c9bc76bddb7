"""axe-core on every page (issue 16 item 5): signed in as an officer and as a planner, and
the public pages, on a laptop (1366×900) and a phone (390×844); no serious or critical
violation. axe is our vendored copy (tests/e2e/vendor/axe-core), put into each page by
the test (the page's CSP is bypassed for that alone), never fetched."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import Engine

from blangko import tranches
from blangko.db import session_scope
from blangko.ledger import SYSTEM
from tests.e2e.people_data import OFFICE, OFFICER, PASSWORD, PLANNER, populate
from tests.integration.public_support import Day, office_with

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
VIEWPORTS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
PUBLIC = ["/login", "/publik", "/publik?q=bekasi", f"/publik/{OFFICE}", "/publik/data"]
OFFICER_PAGES = [
    f"/kantor/{OFFICE}",
    f"/kantor/{OFFICE}/laporan",
    f"/kantor/{OFFICE}/kartu-stok",
    f"/kantor/{OFFICE}/kartu-stok?dari=2026-11-30&sampai=2026-11-01",  # a refusal in place
    f"/kantor/{OFFICE}/stock-opname",
    f"/kantor/{OFFICE}/permintaan",
    "/peringatan",
    "/akun/kata-sandi",
    "/kantor/32.75",  # another office: the error page
]
PLANNER_PAGES = [
    "/nasional",
    "/nasional?peta=provinsi",
    "/nasional/kuota",
    "/permintaan",
    "/kiriman/baru",
    "/pengadaan",
    "/peringatan?status=all",
    "/rencana",
    "/prakiraan",
    "/kotak-keluar",
    f"/kantor/{OFFICE}",
]
RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
                   first: v.nodes[0].target.join(" ") + " " + v.nodes[0].failureSummary }));
}"""


@pytest.fixture
def country(sqlite_engine: Engine) -> None:
    populate(sqlite_engine)
    office_with(sqlite_engine, "32.75", received=2800, days=[Day()] * 28)
    with session_scope(sqlite_engine) as session:  # a tranche to act on (/pengadaan)
        tranches.record_tranche(
            session=session,
            quantity=2_000_000,
            expected_on=date(2099, 1, 15),
            reference="SPK-A11Y",
            actor=SYSTEM,
        )


@pytest.fixture(params=list(VIEWPORTS))
def tab(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport=VIEWPORTS[request.param], locale="id-ID", bypass_csp=True
    )
    yield context.new_page()
    context.close()


def violations(page: Page, url: str, seen: dict[str, int]) -> list[str]:
    """The serious and critical violations on ``url``; ``seen`` counts every rule that
    failed, whatever its impact (printed with ``-s``)."""
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(RUN_AXE)
    for v in found:
        seen[f"{v['id']} ({v['impact']})"] = seen.get(f"{v['id']} ({v['impact']})", 0) + 1
    return [
        f"{url}: {v['id']} ({v['impact']}, {v['nodes']}×) {v['first']}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def sign_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/login")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(lambda url: not url.endswith("/login"))


def test_no_serious_or_critical_axe_violation_on_any_page(
    live_server: str, tab: Page, country: None
) -> None:
    seen: dict[str, int] = {}
    found = [v for path in PUBLIC for v in violations(tab, live_server + path, seen)]
    for username, pages in ((OFFICER, OFFICER_PAGES), (PLANNER, PLANNER_PAGES)):
        sign_in(tab, live_server, username)
        found += [v for path in pages for v in violations(tab, live_server + path, seen)]
    pages = len(PUBLIC) + len(OFFICER_PAGES) + len(PLANNER_PAGES)
    print(f"axe {tab.viewport_size}: {pages} pages, rules failed (pages): {seen or 'none'}")
    assert found == [], "\n".join(found)
