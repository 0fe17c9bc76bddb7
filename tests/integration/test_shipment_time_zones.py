"""Shipments between offices in different time zones, with the clock stopped at 16.00 UTC
on 1 Dec 2026: already 01.00 on 2 Dec in Jayapura (WIT), still 23.00 on 1 Dec in Bekasi
(WIB). Each office dates its side of a shipment in its own day (SPEC §1), and a receiver
can confirm a shipment the moment it has been dispatched."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from blangko import offices
from blangko.models import Role
from tests.integration.api_support import (
    PASSWORD,
    TestClient,
    add_user,
    bearer,
    client,
    refused_over_http,
    stock_office,
)
from tests.integration.ledger_support import assert_invariants

NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
JAYAPURA, BEKASI = "91.71", "32.16"  # Kota Jayapura (WIT), Kabupaten Bekasi (WIB)


@dataclass
class Offices:
    engine: Engine
    http: TestClient
    jayapura: dict[str, str]  # officer of Kota Jayapura
    bekasi: dict[str, str]  # officer of Kabupaten Bekasi

    def dispatch(self, sender: str, receiver: str, **extra: str) -> dict[str, Any]:
        """40 blanks sent through the API by the sender's officer."""
        sent = self.http.post(
            "/api/v1/shipments",
            json={
                "from_office": sender,
                "to_office": receiver,
                "quantity": 40,
                "expected_on": "2026-12-05",
                "reference": "470/12/Pinjam",
                **extra,
            },
            headers=self.officer(sender),
        )
        assert sent.status_code == 201, sent.text
        return dict(sent.json())

    def receive(self, shipment: dict[str, Any], received_on: str) -> Any:
        return self.http.post(
            f"/api/v1/shipments/{shipment['id']}/receive",
            json={"received_quantity": 40, "received_on": received_on},
            headers=self.officer(shipment["to_office"]),
        )

    def officer(self, code: str) -> dict[str, str]:
        return self.jayapura if code == JAYAPURA else self.bekasi

    def get(self, path: str, code: str) -> Any:
        answer = self.http.get(f"/api/v1/offices/{code}/{path}", headers=self.officer(code))
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Every office's "today" is read at NOW."""
    monkeypatch.setattr(offices, "clock", lambda: NOW)
    return NOW


@pytest.fixture
def both(engine: Engine, clock: datetime) -> Offices:
    jayapura = add_user(engine, "jayapura", Role.officer, JAYAPURA)
    bekasi = add_user(engine, "bekasi", Role.officer, BEKASI)
    stock_office(engine, JAYAPURA, 100)
    stock_office(engine, BEKASI, 100)
    return Offices(engine, client(), bearer(jayapura), bearer(bekasi))


def test_wit_dispatch_after_1500_utc_is_received_at_once_in_wib(both: Offices) -> None:
    shipment = both.dispatch(JAYAPURA, BEKASI)
    assert shipment["dispatched_on"] == "2026-12-02"  # Jayapura's day
    # 2 Dec has not begun in Bekasi.
    tomorrow = refused_over_http(
        both.engine, lambda: both.receive(shipment, "2026-12-02"), 422, "future_date"
    )
    assert tomorrow["errors"][0]["field"] == "received_on"
    # Bekasi's today, 1 Dec, is the day in Bekasi when Jayapura's 2 Dec began (22.00 WIB).
    received = both.receive(shipment, "2026-12-01")
    assert received.status_code == 200, received.text
    assert received.json()["status"] == "received"
    assert received.json()["received_on"] == "2026-12-01"

    stock = both.get("stock", BEKASI)
    assert (stock["on_hand"], stock["in_transit_in"]) == (140, 0)
    sender = both.get("stock", JAYAPURA)
    assert (sender["on_hand"], sender["in_transit_out"]) == (60, 0)
    card = both.get("ledger", BEKASI)
    last = card["entries"][-1]
    assert (last["movement_kind"], last["business_date"]) == ("receipt", "2026-12-01")
    assert (last["counterparty"], last["quantity_in"], last["balance"]) == (JAYAPURA, 40, 140)
    assert card["closing_balance"] == 140
    sender_card = both.get("ledger", JAYAPURA)["entries"][-1]
    assert (sender_card["movement_kind"], sender_card["business_date"]) == (
        "dispatch",
        "2026-12-02",
    )
    assert (sender_card["quantity_out"], sender_card["balance"]) == (40, 60)
    assert_invariants(both.engine)


def test_receipt_dated_wholly_before_the_dispatch_day_is_refused(both: Offices) -> None:
    from_wit = both.dispatch(JAYAPURA, BEKASI)
    # Bekasi's 30 Nov ended before Jayapura's 2 Dec began.
    early = refused_over_http(
        both.engine, lambda: both.receive(from_wit, "2026-11-30"), 422, "validation_error"
    )
    assert early["errors"][0]["field"] == "received_on"
    assert "tidak boleh sebelum tanggal kirim (2 Des 2026 WIT" in early["detail"]
    assert "1 Des 2026 22.00 WIB" in early["detail"]

    # The other way round the receiver's day is already later: Bekasi's 1 Dec began at
    # 02.00 on 1 Dec in Jayapura, so Jayapura's 30 Nov is before it.
    from_wib = both.dispatch(BEKASI, JAYAPURA, dispatched_on="2026-12-01")
    assert from_wib["dispatched_on"] == "2026-12-01"
    refused_over_http(
        both.engine, lambda: both.receive(from_wib, "2026-11-30"), 422, "validation_error"
    )
    received = both.receive(from_wib, "2026-12-02")  # Jayapura's today
    assert received.status_code == 200, received.text
    assert both.get("stock", JAYAPURA)["on_hand"] == 100 - 40 + 40
    assert_invariants(both.engine)


def test_expected_arrival_is_a_day_of_the_receiver(both: Offices) -> None:
    """Jayapura may say a loan sent at 01.00 WIT arrives on Bekasi's today (1 Dec), not on
    a day of Bekasi's that ended before Jayapura's day began."""
    shipment = both.dispatch(JAYAPURA, BEKASI, expected_on="2026-12-01")
    assert shipment["expected_on"] == "2026-12-01"
    early = refused_over_http(
        both.engine,
        lambda: both.http.post(
            "/api/v1/shipments",
            json={
                "from_office": JAYAPURA,
                "to_office": BEKASI,
                "quantity": 10,
                "expected_on": "2026-11-30",
            },
            headers=both.jayapura,
        ),
        422,
        "validation_error",
    )
    assert early["errors"][0]["field"] == "expected_on"


def test_web_receive_form_confirms_a_wit_dispatch_on_its_own_date(both: Offices) -> None:
    shipment = both.dispatch(JAYAPURA, BEKASI)
    web = both.http
    signin = web.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', signin.text)
    assert token
    answer = web.post(
        "/login",
        data={"username": "bekasi", "password": PASSWORD, "csrf": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = web.get(f"/kantor/{BEKASI}")
    form = re.search(
        rf'id="ro-{shipment["id"]}" name="received_on" [^>]*value="([\d-]+)"', page.text
    )
    assert form and form.group(1) == "2026-12-01"  # the form offers Bekasi's today
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    done = web.post(
        f"/kiriman/{shipment['id']}/terima",
        data={"csrf": csrf.group(1), "mode": "penuh", "received_on": form.group(1)},
    )
    assert done.status_code == 200, done.text
    assert f"Kiriman #{shipment['id']} diterima" in done.text
    assert both.get("stock", BEKASI)["on_hand"] == 140
