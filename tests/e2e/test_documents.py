"""The paperwork in the browser (issue 15 item 5): Chromium opens the BAST, the monthly
report and the berita acara pemusnahan from the API and its PDF viewer shows their first
page; the screenshots are the README's (docs/dokumen-*.png)."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page
from sqlalchemy import Engine

from blangko.db import session_scope
from blangko.models import Role
from blangko.offices import get_office, local_today
from blangko.reports import DailyFigures, save_daily_report
from blangko.shipments import dispatch, receive
from blangko.users import get_user, set_profile
from tests.e2e.conftest import screenshot
from tests.integration.api_support import SETUP, add_user, bearer, stock_office

pytestmark = pytest.mark.browser
OFFICE = "32.16"


@pytest.fixture
def documents(sqlite_engine: Engine) -> tuple[dict[str, str], list[str]]:
    """A received shipment and a month of daily reports; the token of the office's
    officer and the paths of its three documents."""
    engine = sqlite_engine
    officer = add_user(engine, "petugas", Role.officer, OFFICE)
    stock_office(engine, "00", 20_000)
    with session_scope(engine) as session:
        set_profile(
            session=session,
            user=get_user(session=session, username="petugas"),
            full_name="Siti Rahmawati, S.Kom.",
            nip="198507122010012003",
            position="Kepala Seksi Pengelolaan Informasi",
        )
        today = local_today(get_office(session=session, code=OFFICE))
        first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        shipment = dispatch(
            session=session,
            from_office="00",
            to_office=OFFICE,
            quantity=12_500,
            dispatched_on=first,
            expected_on=first + timedelta(days=3),
            reference="470/1234/Dukcapil",
            actor=SETUP,
        )
        receive(
            session=session,
            shipment_id=shipment.id or 0,
            received_quantity=12_000,
            received_on=first + timedelta(days=3),
            shortfall_reason="1 dus basah kena hujan",
            actor=SETUP,
        )
        for day in range(4, 28):
            if (first + timedelta(days=day)).weekday() < 5:
                save_daily_report(
                    session=session,
                    office_code=OFFICE,
                    report_date=first + timedelta(days=day),
                    figures=DailyFigures(
                        print_requests=420,
                        printed=400,
                        spoiled_gagal_cetak=4,
                        spoiled_gagal_encode=1,
                        spoiled_rusak_fisik=day % 3,
                        backlog=150 + day,
                        suket_issued=20,
                        ikd_activations=35,
                    ),
                    actor=SETUP,
                )
    month = f"{first:%Y-%m}"
    return bearer(officer), [
        f"/api/v1/shipments/{shipment.id}/bast.pdf",
        f"/api/v1/offices/{OFFICE}/monthly/{month}.pdf",
        f"/api/v1/offices/{OFFICE}/destruction/{month}.pdf",
    ]


def test_each_document_opens_in_the_browser(
    live_server: str, page: Page, documents: tuple[dict[str, str], list[str]]
) -> None:
    headers, paths = documents
    page.set_extra_http_headers(headers)
    page.set_viewport_size({"width": 900, "height": 1250})
    for name, path in zip(["bast", "bulanan", "pemusnahan"], paths, strict=True):
        response = page.goto(live_server + path)
        assert response is not None and response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        page.wait_for_timeout(1500)  # the viewer draws the page after the load event
        screenshot(page, f"dokumen-{name}")
