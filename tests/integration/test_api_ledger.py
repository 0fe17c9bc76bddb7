"""Every ledger endpoint over HTTP on both databases: its happy path, and its refusals as
RFC 9457 problems that write nothing."""

import threading
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from blangko.models import Role
from tests.integration.api_support import (
    TestClient,
    add_user,
    assert_problem,
    bearer,
    client,
    refused_over_http,
    stock_office,
)
from tests.integration.ledger_support import assert_invariants, days_ago, read_state


@dataclass
class Api:
    engine: Engine
    http: TestClient
    planner: dict[str, str]
    officer: dict[str, str]  # officer of Kabupaten Bekasi (32.16)

    def day(self, days: int, office: str = "32.16") -> str:
        return days_ago(self.engine, office, days).isoformat()


@pytest.fixture
def api(engine: Engine) -> Api:
    planner = add_user(engine, "planner", Role.planner)
    officer = add_user(engine, "bekasi", Role.officer, "32.16")
    return Api(engine, client(), bearer(planner), bearer(officer))


def test_offices_list_and_detail(api: Api) -> None:
    http = api.http
    every = http.get("/api/v1/offices", headers=api.planner).json()["items"]
    assert len(every) == 553 and every[0]["code"] == "00"
    west_java = http.get(
        "/api/v1/offices", params={"province": "32", "kind": "kota"}, headers=api.planner
    ).json()["items"]
    assert {o["code"] for o in west_java} >= {"32.73", "32.75"}
    assert all(o["kind"] == "kota" for o in west_java)
    own = http.get("/api/v1/offices", headers=api.officer).json()["items"]
    assert [o["code"] for o in own] == ["32.16"]
    medan = http.get("/api/v1/offices/12.71", headers=api.planner).json()
    assert medan["name"] == "Kota Medan" and medan["timezone"] == "Asia/Jakarta"
    missing = http.get("/api/v1/offices/99.99", headers=api.planner)
    assert "99.99" in assert_problem(missing, 404, "not_found")["detail"]
    bad = http.get("/api/v1/offices/abc", headers=api.planner)
    assert assert_problem(bad, 422, "validation_error")["errors"][0]["field"] == "code"


def test_daily_report_saves_corrects_and_lists(api: Api) -> None:
    http = api.http
    stock_office(api.engine, "32.16", 1000)
    day = api.day(1)
    url = f"/api/v1/offices/32.16/daily-reports/{day}"
    body = {
        "print_requests": 120,
        "printed": 100,
        "spoiled": {"gagal_cetak": 2, "rusak_fisik": 1},
        "backlog": 20,
        "suket_issued": 20,
        "ikd_activations": 40,
        "note": "Printer 2 macet",
    }
    first = http.put(url, json=body, headers=api.officer)
    assert first.status_code == 200, first.text
    saved = first.json()
    assert saved["version"] == 1 and saved["spoiled_total"] == 3
    assert saved["spoiled"] == {"gagal_cetak": 2, "gagal_encode": 0, "rusak_fisik": 1, "lainnya": 0}
    stock = http.get("/api/v1/offices/32.16/stock", headers=api.officer).json()
    assert stock["on_hand"] == 897 and stock["backlog"] == 20 and stock["days_of_cover"] is None

    corrected = http.put(url, json={**body, "printed": 50}, headers=api.officer).json()
    assert corrected["version"] == 2 and corrected["printed"] == 50
    stock = http.get("/api/v1/offices/32.16/stock", headers=api.officer).json()
    assert stock["on_hand"] == 947
    current = http.get(
        "/api/v1/offices/32.16/daily-reports",
        params={"from": day, "to": day},
        headers=api.officer,
    ).json()["items"]
    assert [(r["version"], r["is_current"]) for r in current] == [(2, True)]
    history = http.get(
        "/api/v1/offices/32.16/daily-reports",
        params={"include_history": "true"},
        headers=api.officer,
    ).json()["items"]
    assert [(r["version"], r["is_current"]) for r in history] == [(1, False), (2, True)]
    assert_invariants(api.engine)


def test_daily_report_refusals_write_nothing(api: Api) -> None:
    http = api.http
    stock_office(api.engine, "32.16", 10)
    url = f"/api/v1/offices/32.16/daily-reports/{api.day(1)}"
    too_many = refused_over_http(
        api.engine,
        lambda: http.put(url, json={"printed": 11}, headers=api.officer),
        409,
        "insufficient_stock",
    )
    assert "tinggal 10 keping" in too_many["detail"]
    future = refused_over_http(
        api.engine,
        lambda: http.put(
            f"/api/v1/offices/32.16/daily-reports/{api.day(-2)}",
            json={"printed": 1},
            headers=api.officer,
        ),
        422,
        "future_date",
    )
    assert future["errors"][0]["field"] == "report_date"
    invalid = refused_over_http(
        api.engine,
        lambda: http.put(
            url,
            json={"printed": -1, "backlog": 10**30, "spoiled": {"hilang": 1}},
            headers=api.officer,
        ),
        422,
        "validation_error",
    )
    assert {e["field"] for e in invalid["errors"]} == {"printed", "backlog", "spoiled.hilang"}
    assert all(e["message"] for e in invalid["errors"])
    bad_date = refused_over_http(
        api.engine,
        lambda: http.put(
            "/api/v1/offices/32.16/daily-reports/2026-02-30", json={}, headers=api.officer
        ),
        422,
        "validation_error",
    )
    assert bad_date["errors"][0]["field"] == "report_date"
    not_json = refused_over_http(
        api.engine,
        lambda: http.put(
            url,
            content=b'{"printed": 1',
            headers={**api.officer, "content-type": "application/json"},
        ),
        422,
        "validation_error",
    )
    assert not_json["errors"][0]["field"] == "body"
    refused_over_http(
        api.engine,
        lambda: http.put(
            url, content=b"printed=1", headers={**api.officer, "content-type": "text/plain"}
        ),
        422,
        "validation_error",
    )
    national = refused_over_http(
        api.engine,
        lambda: http.put(
            f"/api/v1/offices/00/daily-reports/{api.day(1)}", json={}, headers=api.planner
        ),
        409,
        "invalid_state",
    )
    assert "Ditjen" in national["detail"]


def test_stock_card_pages_and_date_range(api: Api) -> None:
    http = api.http
    stock_office(api.engine, "32.16", 1000)
    for days in (5, 4, 3):
        saved = http.put(
            f"/api/v1/offices/32.16/daily-reports/{api.day(days)}",
            json={"printed": 10},
            headers=api.officer,
        )
        assert saved.status_code == 200
    card = http.get("/api/v1/offices/32.16/ledger", params={"limit": 2}, headers=api.officer).json()
    assert card["total"] == 4 and len(card["entries"]) == 2
    assert [e["balance"] for e in card["entries"]] == [1000, 990]
    assert card["entries"][0]["movement_kind"] == "receipt"
    rest = http.get(
        "/api/v1/offices/32.16/ledger", params={"limit": 2, "offset": 2}, headers=api.officer
    ).json()
    assert [e["balance"] for e in rest["entries"]] == [980, 970]
    ranged = http.get(
        "/api/v1/offices/32.16/ledger",
        params={"from": api.day(4), "to": api.day(4)},
        headers=api.officer,
    ).json()
    assert ranged["from"] == api.day(4) and ranged["total"] == 1
    assert ranged["opening_balance"] == 990 and ranged["closing_balance"] == 980
    backwards = http.get(
        "/api/v1/offices/32.16/ledger",
        params={"from": api.day(1), "to": api.day(4)},
        headers=api.officer,
    )
    assert assert_problem(backwards, 422, "validation_error")["errors"][0]["field"] == "from"
    too_big = http.get("/api/v1/offices/32.16/ledger", params={"limit": 5000}, headers=api.officer)
    assert assert_problem(too_big, 422, "validation_error")["errors"][0]["field"] == "limit"


def test_stock_count_adjusts_to_the_counted_quantity(api: Api) -> None:
    http = api.http
    stock_office(api.engine, "32.16", 500)
    counted = http.post(
        "/api/v1/offices/32.16/stock-counts",
        json={"counted_quantity": 480, "counted_on": api.day(0), "note": "opname bulanan"},
        headers=api.officer,
    )
    assert counted.status_code == 201, counted.text
    assert counted.json()["book_quantity"] == 500 and counted.json()["adjustment"] == -20
    stock = http.get("/api/v1/offices/32.16/stock", headers=api.officer).json()
    assert stock["on_hand"] == 480
    refused_over_http(
        api.engine,
        lambda: http.post(
            "/api/v1/offices/32.16/stock-counts",
            json={"counted_quantity": 1, "counted_on": api.day(-3)},
            headers=api.officer,
        ),
        422,
        "future_date",
    )
    missing = refused_over_http(
        api.engine,
        lambda: http.post(
            "/api/v1/offices/32.16/stock-counts", json={"note": "x"}, headers=api.officer
        ),
        422,
        "validation_error",
    )
    assert {e["field"] for e in missing["errors"]} == {"counted_quantity", "counted_on"}


def test_procurement_and_its_reversal(api: Api) -> None:
    http = api.http
    made = http.post(
        "/api/v1/procurements",
        json={"quantity": 2_000_000, "received_on": api.day(1, "00"), "reference": "SPK-17"},
        headers=api.planner,
    )
    assert made.status_code == 201, made.text
    movement = made.json()
    assert movement["kind"] == "procurement" and movement["office"] == "00"
    national = http.get("/api/v1/offices/00/stock", headers=api.planner).json()
    assert national["on_hand"] == 2_000_000
    reversed_ = http.post(
        f"/api/v1/movements/{movement['id']}/reverse",
        json={"note": "salah input"},
        headers=api.planner,
    )
    assert reversed_.status_code == 201, reversed_.text
    assert reversed_.json()["reverses_id"] == movement["id"]
    national = http.get("/api/v1/offices/00/stock", headers=api.planner).json()
    assert national["on_hand"] == 0
    twice = refused_over_http(
        api.engine,
        lambda: http.post(f"/api/v1/movements/{movement['id']}/reverse", headers=api.planner),
        409,
        "invalid_state",
    )
    assert "sudah dibalik" in twice["detail"]
    refused_over_http(
        api.engine,
        lambda: http.post("/api/v1/movements/99999/reverse", headers=api.planner),
        404,
        "not_found",
    )
    refused_over_http(
        api.engine,
        lambda: http.post(
            "/api/v1/procurements",
            json={"quantity": 0, "received_on": api.day(1, "00"), "reference": ""},
            headers=api.planner,
        ),
        422,
        "validation_error",
    )
    refused_over_http(
        api.engine,
        lambda: http.post(
            "/api/v1/procurements",
            json={"quantity": 5, "received_on": api.day(1, "00"), "reference": "X"},
            headers=api.officer,
        ),
        403,
        "forbidden",
    )
    assert_invariants(api.engine)


def test_allocation_request_approved_becomes_a_shipment(api: Api) -> None:
    http = api.http
    stock_office(api.engine, "00", 50_000)
    asked = http.post(
        "/api/v1/allocation-requests",
        json={"office": "32.16", "quantity": 20_000, "reference": "470/1123", "note": "menipis"},
        headers=api.officer,
    )
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert request["status"] == "pending" and request["shipment_id"] is None
    pending = http.get(
        "/api/v1/allocation-requests", params={"status": "pending"}, headers=api.planner
    ).json()["items"]
    assert [r["id"] for r in pending] == [request["id"]]
    approved = http.post(
        f"/api/v1/allocation-requests/{request['id']}/approve",
        json={"quantity": 15_000, "expected_on": api.day(-7, "00")},
        headers=api.planner,
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["approved_quantity"] == 15_000
    shipment_id = approved.json()["shipment_id"]
    shipments = http.get(
        "/api/v1/shipments", params={"office": "32.16"}, headers=api.officer
    ).json()["items"]
    assert [(s["id"], s["quantity"], s["status"]) for s in shipments] == [
        (shipment_id, 15_000, "in_transit")
    ]
    listed = http.get(
        "/api/v1/allocation-requests", params={"office": "32.16"}, headers=api.officer
    ).json()["items"]
    assert listed[0]["status"] == "approved" and listed[0]["shipment_id"] == shipment_id
    again = refused_over_http(
        api.engine,
        lambda: http.post(
            f"/api/v1/allocation-requests/{request['id']}/reject",
            json={"reason": "terlambat"},
            headers=api.planner,
        ),
        409,
        "invalid_state",
    )
    assert "approved" in again["detail"]


def test_allocation_request_rejected_and_refusals(api: Api) -> None:
    http = api.http
    asked = http.post(
        "/api/v1/allocation-requests",
        json={"office": "32.16", "quantity": 100, "reference": "470/9"},
        headers=api.officer,
    ).json()
    more = refused_over_http(
        api.engine,
        lambda: http.post(
            f"/api/v1/allocation-requests/{asked['id']}/approve",
            json={"quantity": 101, "expected_on": api.day(-3, "00")},
            headers=api.planner,
        ),
        422,
        "validation_error",
    )
    assert more["errors"][0]["field"] == "quantity"
    refused_over_http(
        api.engine,
        lambda: http.post(
            f"/api/v1/allocation-requests/{asked['id']}/approve",
            json={"quantity": 100, "expected_on": api.day(-3, "00")},
            headers=api.planner,
        ),
        409,
        "insufficient_stock",
    )
    refused_over_http(
        api.engine,
        lambda: http.post(
            f"/api/v1/allocation-requests/{asked['id']}/reject",
            json={"reason": "x"},
            headers=api.officer,
        ),
        403,
        "forbidden",
    )
    no_reason = refused_over_http(
        api.engine,
        lambda: http.post(
            f"/api/v1/allocation-requests/{asked['id']}/reject",
            json={"reason": "  "},
            headers=api.planner,
        ),
        422,
        "validation_error",
    )
    assert no_reason["errors"][0]["field"] == "reason"
    rejected = http.post(
        f"/api/v1/allocation-requests/{asked['id']}/reject",
        json={"reason": "Stok nasional kosong"},
        headers=api.planner,
    ).json()
    assert rejected["status"] == "rejected"
    assert rejected["decision_reason"] == "Stok nasional kosong"
    refused_over_http(
        api.engine,
        lambda: http.post(
            "/api/v1/allocation-requests/424242/approve",
            json={"quantity": 1, "expected_on": api.day(0, "00")},
            headers=api.planner,
        ),
        404,
        "not_found",
    )


def test_shipment_dispatch_receive_short_and_cancel(api: Api) -> None:
    http = api.http
    stock_office(api.engine, "00", 10_000)
    sent = http.post(
        "/api/v1/shipments",
        json={
            "from_office": "00",
            "to_office": "32.16",
            "quantity": 5000,
            "expected_on": api.day(-5, "00"),
            "reference": "B-1",
            "dispatched_on": api.day(3, "00"),
        },
        headers=api.planner,
    )
    assert sent.status_code == 201, sent.text
    shipment = sent.json()
    assert shipment["status"] == "in_transit"
    incoming = http.get("/api/v1/offices/32.16/stock", headers=api.officer).json()
    assert incoming["in_transit_in"] == 5000
    short = http.post(
        f"/api/v1/shipments/{shipment['id']}/receive",
        json={"received_quantity": 4950, "received_on": api.day(1), "shortfall_reason": "basah"},
        headers=api.officer,
    )
    assert short.status_code == 200, short.text
    assert short.json()["status"] == "received_short"
    stock = http.get("/api/v1/offices/32.16/stock", headers=api.officer).json()
    assert stock["on_hand"] == 4950 and stock["in_transit_in"] == 0
    refused_over_http(
        api.engine,
        lambda: http.post(f"/api/v1/shipments/{shipment['id']}/cancel", headers=api.planner),
        409,
        "invalid_state",
    )
    second = http.post(
        "/api/v1/shipments",
        json={
            "from_office": "00",
            "to_office": "12.71",
            "quantity": 100,
            "expected_on": api.day(-5, "00"),
        },
        headers=api.planner,
    ).json()
    cancelled = http.post(
        f"/api/v1/shipments/{second['id']}/cancel",
        json={"reason": "salah alamat"},
        headers=api.planner,
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    national = http.get("/api/v1/offices/00/stock", headers=api.planner).json()
    assert national["on_hand"] == 5000
    by_status = http.get(
        "/api/v1/shipments", params={"status": "cancelled"}, headers=api.planner
    ).json()["items"]
    assert [s["id"] for s in by_status] == [second["id"]]
    assert_invariants(api.engine)


def test_shipment_refusals_write_nothing(api: Api) -> None:
    http = api.http
    stock_office(api.engine, "32.16", 100)
    base = {
        "from_office": "32.16",
        "to_office": "32.01",
        "quantity": 50,
        "expected_on": api.day(-2),
    }
    refused_over_http(
        api.engine,
        lambda: http.post("/api/v1/shipments", json={**base, "quantity": 101}, headers=api.officer),
        409,
        "insufficient_stock",
    )
    same = refused_over_http(
        api.engine,
        lambda: http.post(
            "/api/v1/shipments", json={**base, "to_office": "32.16"}, headers=api.officer
        ),
        422,
        "validation_error",
    )
    assert same["errors"][0]["field"] == "to_office"
    refused_over_http(
        api.engine,
        lambda: http.post(
            "/api/v1/shipments", json={**base, "to_office": "99.99"}, headers=api.officer
        ),
        404,
        "not_found",
    )
    early = refused_over_http(
        api.engine,
        lambda: http.post(
            "/api/v1/shipments", json={**base, "expected_on": api.day(3)}, headers=api.officer
        ),
        422,
        "validation_error",
    )
    assert early["errors"][0]["field"] == "expected_on"
    huge = refused_over_http(
        api.engine,
        lambda: http.post(
            "/api/v1/shipments", json={**base, "quantity": 2**70}, headers=api.officer
        ),
        422,
        "validation_error",
    )
    assert huge["errors"][0]["field"] == "quantity"
    loan = http.post("/api/v1/shipments", json=base, headers=api.officer).json()
    unexplained = refused_over_http(
        api.engine,
        lambda: http.post(
            f"/api/v1/shipments/{loan['id']}/receive",
            json={"received_quantity": 40, "received_on": api.day(0)},
            headers=api.planner,
        ),
        422,
        "validation_error",
    )
    assert unexplained["errors"][0]["field"] == "shortfall_reason"
    refused_over_http(
        api.engine,
        lambda: http.post(
            "/api/v1/shipments/2147483648/receive",
            json={"received_quantity": 40, "received_on": api.day(0)},
            headers=api.planner,
        ),
        422,
        "validation_error",
    )


def test_idempotency_key_replays_and_conflicts(api: Api) -> None:
    http = api.http
    stock_office(api.engine, "32.16", 1000)
    url = f"/api/v1/offices/32.16/daily-reports/{api.day(1)}"
    key = {"Idempotency-Key": "laporan-2026-11-20-bekasi"}
    first = http.put(url, json={"printed": 10}, headers={**api.officer, **key})
    assert first.status_code == 200
    before = read_state(api.engine)
    replay = http.put(url, json={"printed": 10}, headers={**api.officer, **key})
    assert replay.status_code == 200 and replay.json() == first.json()
    assert read_state(api.engine) == before
    conflict = refused_over_http(
        api.engine,
        lambda: http.put(url, json={"printed": 11}, headers={**api.officer, **key}),
        409,
        "idempotency_conflict",
    )
    assert "kunci baru" in conflict["detail"]
    ship = {"from_office": "32.16", "to_office": "32.01", "quantity": 5, "expected_on": api.day(0)}
    skey = {"Idempotency-Key": "kirim-1"}
    one = http.post("/api/v1/shipments", json=ship, headers={**api.officer, **skey}).json()
    two = http.post("/api/v1/shipments", json=ship, headers={**api.officer, **skey}).json()
    assert one["id"] == two["id"]
    too_long = http.put(
        url, json={"printed": 10}, headers={**api.officer, "Idempotency-Key": "k" * 201}
    )
    assert_problem(too_long, 422, "validation_error")


def test_national_overview_lists_every_office(api: Api) -> None:
    http = api.http
    stock_office(api.engine, "12.71", 700)
    overview = http.get("/api/v1/stock", headers=api.planner)
    assert overview.status_code == 200
    rows = {r["code"]: r for r in overview.json()["offices"]}
    assert len(rows) == 553
    medan = rows["12.71"]
    assert medan["name"] == "Kota Medan" and medan["province"] == "12"
    assert medan["on_hand"] == 700 and medan["in_transit_in"] == 0
    assert {"days_of_cover", "stockout_date", "risk"} <= medan.keys()
    assert_problem(http.get("/api/v1/stock", headers=api.officer), 403, "forbidden")


def test_unknown_routes_methods_and_health(api: Api) -> None:
    http = api.http
    assert_problem(http.get("/api/v1/nothing-here", headers=api.planner), 404, "not_found")
    assert_problem(http.delete("/api/v1/shipments", headers=api.planner), 405, "method_not_allowed")
    health = http.get("/healthz")
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "ok" and body["database"]["at_head"] is True
    assert body["database"]["revision"] == body["database"]["head"]
    assert "scheduler" in body and "last_forecast_run" in body


def test_openapi_documents_problems_and_examples(api: Api) -> None:
    document = api.http.get("/openapi.json").json()
    operation = document["paths"]["/api/v1/shipments"]["post"]
    assert operation["summary"] and operation["description"] and operation["tags"]
    problem = operation["responses"]["409"]["content"]["application/problem+json"]
    assert problem["schema"]["$ref"] == "#/components/schemas/Problem"
    assert "examples" in document["components"]["schemas"]["ShipmentCreate"]
    assert "Idempotency-Key" in {p["name"] for p in operation["parameters"]}


def test_concurrent_writers_over_http_all_succeed(api: Api) -> None:
    """Eight clients saving reports at once: none is refused for a busy database and the
    stock is exactly what the reports consumed."""
    stock_office(api.engine, "32.16", 10_000)
    days = [api.day(n) for n in range(1, 41)]
    results: list[int] = []

    def save(chunk: list[str]) -> None:
        http = client()
        for day in chunk:
            url = f"/api/v1/offices/32.16/daily-reports/{day}"
            results.append(http.put(url, json={"printed": 10}, headers=api.officer).status_code)

    threads = [threading.Thread(target=save, args=(days[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 40
    stock = api.http.get("/api/v1/offices/32.16/stock", headers=api.officer).json()
    assert stock["on_hand"] == 10_000 - 400
    assert_invariants(api.engine)
