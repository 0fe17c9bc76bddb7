"""Planned procurement (issue 13 item 2) over HTTP on both databases: planners record
tranches, mark them ordered or cancel them, and receiving one posts the procurement into
national stock; officers are refused; bad input is refused in Indonesian and writes
nothing; a retried request writes once; reversing the receipt makes the tranche expected
again."""

from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import col, select

from blangko import ledger
from blangko.db import session_scope
from blangko.errors import InvalidState
from blangko.models import AccountKind, Movement, MovementKind, PlannedProcurement, Role
from blangko.tranches import open_tranches, receive, record_tranche
from tests.integration.api_support import (
    TestClient,
    add_user,
    assert_problem,
    bearer,
    client,
    refused_over_http,
)
from tests.integration.ledger_support import PLANNER, assert_invariants, days_ago
from tests.integration.test_concurrency import THREADS, run_together

URL = "/api/v1/procurements/planned"


@dataclass
class Api:
    engine: Engine
    http: TestClient
    planner: dict[str, str]
    officer: dict[str, str]

    def day(self, days: int) -> str:
        """A date ``days`` before national today (negative: after)."""
        return days_ago(self.engine, "00", days).isoformat()

    def national_stock(self) -> int:
        answer = self.http.get("/api/v1/offices/00/stock", headers=self.planner)
        assert answer.status_code == 200, answer.text
        return int(answer.json()["on_hand"])

    def add(self, **body: Any) -> dict[str, Any]:
        body = {"quantity": 1000, "expected_on": self.day(-30), "reference": "SPK-1", **body}
        answer = self.http.post(URL, json=body, headers=self.planner)
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    def receive(self, tranche_id: int, **body: Any) -> Any:
        return self.http.post(
            f"{URL}/{tranche_id}/receive",
            json={"received_on": self.day(0), **body},
            headers=self.planner,
        )


@pytest.fixture
def api(engine: Engine) -> Api:
    planner = add_user(engine, "planner", Role.planner)
    officer = add_user(engine, "bekasi", Role.officer, "32.16")
    return Api(engine, client(), bearer(planner), bearer(officer))


def _tranches(engine: Engine) -> list[tuple[Any, ...]]:
    """Every tranche as stored, to check that a refusal wrote nothing."""
    with session_scope(engine, write=False) as session:
        rows = session.execute(
            sa.select(
                col(PlannedProcurement.id),
                col(PlannedProcurement.status),
                col(PlannedProcurement.movement_id),
                col(PlannedProcurement.note),
            ).order_by(col(PlannedProcurement.id))
        )
        return [tuple(r) for r in rows]


def refused(api: Api, send: Any, status: int, code: str) -> dict[str, Any]:
    """Refused as a problem with an Indonesian message; neither the ledger nor any
    tranche changed."""
    before = _tranches(api.engine)
    body = refused_over_http(api.engine, send, status, code)
    assert _tranches(api.engine) == before
    return body


def test_record_list_and_receive_posts_the_procurement(api: Api) -> None:
    http = api.http
    later = api.add(quantity=3_000_000, expected_on=api.day(-60), reference="SPK-2027-02")
    sooner = api.add(
        quantity=2_000_000,
        expected_on=api.day(-20),
        reference="SPK-2027-01",
        status="ordered",
        note="e-katalog tahap 1",
    )
    assert sooner["status"] == "ordered" and later["status"] == "planned"
    assert sooner["movement_id"] is None and sooner["received_quantity"] is None
    assert sooner["note"] == "e-katalog tahap 1"

    listed = http.get(URL, headers=api.planner).json()
    assert set(listed) == {"items", "total", "next"}
    assert [t["reference"] for t in listed["items"]] == ["SPK-2027-01", "SPK-2027-02"]
    assert listed["total"] == 2 and listed["next"] is None
    planned = http.get(URL, params={"status": "planned"}, headers=api.planner).json()
    assert [t["id"] for t in planned["items"]] == [later["id"]]
    with session_scope(api.engine, write=False) as session:
        assert [t.id for t in open_tranches(session=session)] == [sooner["id"], later["id"]]

    before = api.national_stock()
    answer = api.receive(sooner["id"], received_on=api.day(1))
    assert answer.status_code == 200, answer.text
    received = answer.json()
    assert received["status"] == "received" and received["received_on"] == api.day(1)
    assert received["received_quantity"] == 2_000_000 and received["movement_id"]
    assert api.national_stock() == before + 2_000_000
    card = http.get("/api/v1/offices/00/ledger", headers=api.planner).json()["entries"]
    line = next(e for e in card if e["movement_id"] == received["movement_id"])
    assert line["movement_kind"] == "procurement" and "SPK-2027-01" in line["note"]
    with session_scope(api.engine, write=False) as session:
        assert [t.id for t in open_tranches(session=session)] == [later["id"]]
    assert http.get(f"{URL}/{sooner['id']}", headers=api.planner).json() == received
    assert_invariants(api.engine)


def test_a_different_quantity_is_received_as_it_arrived(api: Api) -> None:
    tranche = api.add(quantity=1_000_000, reference="SPK-9", status="ordered")
    before = api.national_stock()
    received = api.receive(tranche["id"], quantity=950_000).json()
    assert received["quantity"] == 1_000_000 and received["received_quantity"] == 950_000
    assert api.national_stock() == before + 950_000
    card = api.http.get("/api/v1/offices/00/ledger", headers=api.planner).json()["entries"]
    note = next(e["note"] for e in card if e["movement_id"] == received["movement_id"])
    assert "diterima 950.000 dari 1.000.000 yang direncanakan" in note


def test_received_and_cancelled_tranches_are_final(api: Api) -> None:
    http = api.http
    tranche = api.add(quantity=500)
    ordered = http.post(f"{URL}/{tranche['id']}/order", headers=api.planner)
    assert ordered.status_code == 200 and ordered.json()["status"] == "ordered"
    again = refused(
        api,
        lambda: http.post(f"{URL}/{tranche['id']}/order", headers=api.planner),
        409,
        "invalid_state",
    )
    assert "sudah berstatus dipesan" in again["detail"]
    assert api.receive(tranche["id"]).status_code == 200

    twice = refused(api, lambda: api.receive(tranche["id"]), 409, "invalid_state")
    assert "sudah diterima" in twice["detail"] and "tidak dapat diterima lagi" in twice["detail"]
    # the one way back, as TRANSITIONS says: reversing its procurement movement
    assert "membalikkan mutasi pengadaannya" in twice["detail"]
    late_cancel = refused(
        api,
        lambda: http.post(f"{URL}/{tranche['id']}/cancel", headers=api.planner),
        409,
        "invalid_state",
    )
    assert "tidak dapat diubah lagi" in late_cancel["detail"]

    dropped = api.add(quantity=700, reference="APBN-P")
    cancelled = http.post(
        f"{URL}/{dropped['id']}/cancel",
        json={"reason": "Anggaran dialihkan"},
        headers=api.planner,
    ).json()
    assert (
        cancelled["status"] == "cancelled"
        and "Dibatalkan: Anggaran dialihkan" in (cancelled["note"])
    )
    not_received = refused(api, lambda: api.receive(dropped["id"]), 409, "invalid_state")
    assert "sudah dibatalkan" in not_received["detail"]
    refused(
        api,
        lambda: http.post(f"{URL}/{dropped['id']}/order", headers=api.planner),
        409,
        "invalid_state",
    )
    missing = refused(api, lambda: api.receive(99999), 404, "not_found")
    assert "#99999" in missing["detail"]


def test_officers_are_refused(api: Api) -> None:
    http = api.http
    tranche = api.add()
    body = {"quantity": 10, "expected_on": api.day(-5), "reference": "X"}
    for send in (
        lambda: http.get(URL, headers=api.officer),
        lambda: http.post(URL, json=body, headers=api.officer),
        lambda: http.get(f"{URL}/{tranche['id']}", headers=api.officer),
        lambda: http.post(f"{URL}/{tranche['id']}/order", headers=api.officer),
        lambda: http.post(f"{URL}/{tranche['id']}/cancel", headers=api.officer),
        lambda: http.post(
            f"{URL}/{tranche['id']}/receive", json={"received_on": api.day(0)}, headers=api.officer
        ),
    ):
        problem = refused(api, send, 403, "forbidden")
        assert "perencana pusat" in problem["detail"]
    assert_problem(http.get(URL), 401, "unauthenticated")


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"quantity": 0}, "quantity", "minimal 1"),
        ({"quantity": "1000"}, "quantity", "bilangan bulat"),
        ({"quantity": 10.0}, "quantity", "bilangan bulat"),
        ({"expected_on": "2010-12-31"}, "expected_on", "terlalu lama"),
        ({"expected_on": "15-03-2027"}, "expected_on", "YYYY-MM-DD"),
        ({"reference": "   "}, "reference", "wajib diisi"),
        ({"reference": "x" * 101}, "reference", "maksimal 100 karakter"),
        ({"status": "received"}, "status", "harus salah satu dari"),
        ({"note": "a\x00b"}, "note", "karakter kendali"),
    ],
)
def test_bad_tranches_are_refused_in_indonesian(
    api: Api, body: dict[str, Any], field: str, words: str
) -> None:
    full = {"quantity": 1000, "expected_on": api.day(-30), "reference": "SPK-1", **body}
    problem = refused(
        api, lambda: api.http.post(URL, json=full, headers=api.planner), 422, "validation_error"
    )
    assert [e["field"] for e in problem["errors"]] == [field]
    assert words in problem["errors"][0]["message"] or words in problem["detail"]


def test_bad_receipts_are_refused_in_indonesian(api: Api) -> None:
    tranche = api.add()
    future = refused(
        api, lambda: api.receive(tranche["id"], received_on=api.day(-2)), 422, "future_date"
    )
    assert "belum terjadi" in future["detail"]
    zero = refused(api, lambda: api.receive(tranche["id"], quantity=0), 422, "validation_error")
    assert zero["errors"][0]["field"] == "quantity"
    assert _tranches(api.engine)[0][1] == "planned"


def test_a_retried_request_writes_once(api: Api) -> None:
    http = api.http
    body = {"quantity": 800, "expected_on": api.day(-10), "reference": "SPK-R"}
    key = {**api.planner, "Idempotency-Key": "tahap-1"}
    first = http.post(URL, json=body, headers=key)
    again = http.post(URL, json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert http.get(URL, headers=api.planner).json()["total"] == 1
    refused(
        api,
        lambda: http.post(URL, json={**body, "quantity": 900}, headers=key),
        409,
        "idempotency_conflict",
    )

    tranche_id = first.json()["id"]
    before = api.national_stock()
    receipt = {"received_on": api.day(0)}
    rkey = {**api.planner, "Idempotency-Key": "terima-1"}
    one = http.post(f"{URL}/{tranche_id}/receive", json=receipt, headers=rkey)
    two = http.post(f"{URL}/{tranche_id}/receive", json=receipt, headers=rkey)
    assert one.status_code == two.status_code == 200, two.text
    assert one.json()["movement_id"] == two.json()["movement_id"]
    assert api.national_stock() == before + 800
    assert_invariants(api.engine)


def test_reversing_the_receipt_makes_the_tranche_expected_again(api: Api) -> None:
    http = api.http
    tranche = api.add(quantity=1200, reference="SPK-K", status="ordered")
    before = api.national_stock()
    received = api.receive(tranche["id"], quantity=1100).json()
    movement_id = received["movement_id"]
    reversal = http.post(f"/api/v1/movements/{movement_id}/reverse", headers=api.planner)
    assert reversal.status_code == 201, reversal.text
    assert api.national_stock() == before

    reopened = http.get(f"{URL}/{tranche['id']}", headers=api.planner).json()
    assert reopened["status"] == "ordered"
    assert reopened["movement_id"] is None and reopened["received_on"] is None
    assert reopened["received_quantity"] is None
    with session_scope(api.engine, write=False) as session:
        assert [t.id for t in open_tranches(session=session)] == [tranche["id"]]

    # Received anew, with the right quantity this time: one procurement in stock.
    again = api.receive(tranche["id"]).json()
    assert again["status"] == "received" and again["movement_id"] != movement_id
    assert api.national_stock() == before + 1200
    assert_invariants(api.engine)

    # A procurement recorded without a tranche is reversed as before.
    other = http.post(
        "/api/v1/procurements",
        json={"quantity": 5, "received_on": api.day(0), "reference": "SPK-Lain"},
        headers=api.planner,
    ).json()
    assert (
        http.post(f"/api/v1/movements/{other['id']}/reverse", headers=api.planner).status_code
        == 201
    )
    assert http.get(f"{URL}/{tranche['id']}", headers=api.planner).json()["status"] == "received"


def test_racing_receipts_of_one_tranche_post_it_once(engine: Engine) -> None:
    """Two planners (or a retry without a key) press *Terima* together: one procurement."""
    with session_scope(engine) as session:
        tranche = record_tranche(
            session=session,
            quantity=1000,
            expected_on=days_ago(engine, "00", -10),
            reference="SPK-Balap",
            actor=PLANNER,
        )
    received: list[int] = []
    refusals: list[str] = []
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            with session_scope(engine) as session:
                done = receive(
                    session=session,
                    tranche_id=tranche.id or 0,
                    received_on=days_ago(engine, "00", 0),
                    quantity=1000 + index,
                    actor=PLANNER,
                )
            received.append(done.movement_id or 0)
        except InvalidState as error:
            refusals.append(error.code)
        except BaseException as error:
            errors.append(error)

    run_together(work)

    assert errors == [] and len(received) == 1 and len(refusals) == THREADS - 1
    with session_scope(engine, write=False) as session:
        on_hand = ledger.balance(session=session, office_code="00", kind=AccountKind.stock)
        procurements = session.exec(
            select(Movement).where(Movement.kind == MovementKind.procurement)
        ).all()
    assert [m.id for m in procurements] == received
    assert 1000 <= on_hand < 1000 + THREADS
    assert_invariants(engine)
