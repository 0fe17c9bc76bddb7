"""IKD compliance (Rakernas 2023: activate IKD for at least 50 % of the blanks received),
with the clock stopped on 16 March 2026: an office that received 1,000 blanks in the last
90 days and reported 400 IKD activations is at 40 %, below the target, in the national
overview (its column, sort and filter), on its own page, in both API answers and beside its
request on the planner's approval screen; since 1 January only the receipts and reports of
2026 count; an office that received nothing has no share."""

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from blangko import offices
from blangko.db import session_scope
from blangko.ledger import SYSTEM
from blangko.models import Role
from blangko.reports import DailyFigures, save_daily_report
from blangko.shipments import dispatch, receive, request_allocation
from blangko.stock import record_procurement
from tests.integration.api_support import add_user, bearer, client, sign_in_page

NOW = datetime(2026, 3, 16, 3, 0, tzinfo=UTC)  # 10.00 WIB, Monday 16 March 2026
LOW, HIGH, NONE = "32.16", "32.17", "32.18"  # 40 %, 80 %, nothing received


def _receive(office: str, quantity: int, on: date) -> None:
    with session_scope() as session:
        shipment = dispatch(
            session=session,
            from_office="00",
            to_office=office,
            quantity=quantity,
            expected_on=on,
            dispatched_on=on,
            reference=f"ALK/{office}/{on}",
            actor=SYSTEM,
        )
        assert shipment.id is not None
        receive(
            session=session,
            shipment_id=shipment.id,
            received_quantity=quantity,
            received_on=on,
            actor=SYSTEM,
        )


def _activations(office: str, on: date, count: int) -> None:
    with session_scope() as session:
        save_daily_report(
            session=session,
            office_code=office,
            report_date=on,
            figures=DailyFigures(ikd_activations=count),
            actor=SYSTEM,
        )


@pytest.fixture
def history(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setattr(offices, "clock", lambda: NOW)
    with session_scope() as session:
        record_procurement(
            session=session,
            quantity=20_000,
            received_on=date(2025, 10, 1),
            reference="SPK-1",
            actor=SYSTEM,
        )
    # 90 days: 17 Dec 2025 – 16 Mar 2026; since 1 January: 1 Jan – 16 Mar 2026.
    _receive(LOW, 5000, date(2025, 11, 1))  # before both windows
    _receive(LOW, 600, date(2025, 12, 20))  # 90 days only
    _receive(LOW, 400, date(2026, 2, 10))  # both
    _activations(LOW, date(2025, 11, 3), 4000)  # before both windows
    _activations(LOW, date(2025, 12, 22), 100)
    _activations(LOW, date(2026, 2, 12), 50)
    _activations(LOW, date(2026, 2, 12), 300)  # a correction: the current version counts
    _receive(HIGH, 100, date(2026, 3, 1))
    _activations(HIGH, date(2026, 3, 2), 80)
    _activations(NONE, date(2026, 3, 2), 25)  # activations, but no blanks received
    with session_scope() as session:
        request_allocation(
            session=session,
            office_code=LOW,
            quantity=2000,
            reference="470/123/Disdukcapil",
            actor=SYSTEM,
        )
    return engine


@pytest.fixture
def web(history: Engine) -> Iterator[TestClient]:
    add_user(history, "perencana", Role.planner)
    add_user(history, "petugas.bekasi", Role.officer, LOW)
    with client() as test_client:
        yield test_client


def _row(page: str, code: str) -> str:
    match = re.search(
        rf'<tr class="risk-[a-z]+">\s*<td class="code"><a href="/kantor/{code}">.*?</tr>',
        page,
        re.S,
    )
    assert match, f"no row for {code}"
    return match.group(0)


def test_overview_rows_and_office_stock_carry_the_share(history: Engine) -> None:
    planner = add_user(history, "perencana", Role.planner)
    officer = add_user(history, "petugas.bekasi", Role.officer, LOW)
    with client() as http:
        rows = {
            r["code"]: r
            for r in http.get("/api/v1/stock", headers=bearer(planner)).json()["offices"]
        }
        assert rows[LOW]["ikd_share_90d"] == 0.4
        assert rows[HIGH]["ikd_share_90d"] == 0.8
        assert rows[NONE]["ikd_share_90d"] is None
        assert rows["00"]["ikd_share_90d"] is None
        own = http.get(f"/api/v1/offices/{LOW}/stock", headers=bearer(officer)).json()
        assert own["ikd_share_90d"] == 0.4
        assert own["ikd_share_ytd"] == 0.75  # 300 of the 400 received since 1 January
        empty = http.get(f"/api/v1/offices/{NONE}/stock", headers=bearer(planner)).json()
        assert empty["ikd_share_90d"] is None and empty["ikd_share_ytd"] is None


def test_overview_shows_filters_and_sorts_by_the_share(web: TestClient) -> None:
    sign_in_page(web, "perencana")
    page = web.get("/nasional").text
    assert "IKD 90 hari" in page
    assert re.search(r'class="num minor ikd-below">40 %</td>', _row(page, LOW))
    assert ">80 %</td>" in _row(page, HIGH)
    assert ">–</td>" in _row(page, NONE)

    below = web.get("/nasional?ikd=di-bawah-50").text
    shown = re.findall(r'<td class="code"><a href="/kantor/([\d.]+)">', below)
    assert shown == [LOW]
    assert "1 kantor ditampilkan" in below

    ordered = re.findall(
        r'<td class="code"><a href="/kantor/([\d.]+)">', web.get("/nasional?urut=ikd").text
    )
    assert ordered.index(LOW) < ordered.index(HIGH) < ordered.index(NONE)


def test_office_page_shows_both_periods(web: TestClient) -> None:
    sign_in_page(web, "petugas.bekasi")
    page = web.get(f"/kantor/{LOW}").text
    card = re.search(r'<article id="ikd">.*?</article>', page, re.S)
    assert card, "no IKD figure on the office page"
    text = re.sub(r"\s+", " ", card.group(0))
    assert "ikd-below" in text and ">40 %<" in text
    assert "400 aktivasi dari 1.000 keping · di bawah 50 %" in text
    assert "Sejak 1 Januari: 75 % (300 dari 400)" in text


def test_approval_screen_shows_the_share_next_to_the_request(web: TestClient) -> None:
    sign_in_page(web, "perencana")
    page = web.get("/permintaan").text
    request = re.search(r'<article id="permintaan-\d+">.*?</article>', page, re.S)
    assert request and LOW in request.group(0)
    text = re.sub(r"\s+", " ", request.group(0))
    assert "IKD 90 hari: " in text and "40 % (di bawah 50 %)" in text
    assert "400 aktivasi dari 1.000 keping diterima" in text
    assert "sejak 1 Januari: 75 %" in text
