"""CSV imports over HTTP, as Excel writes them in Indonesia: comma or semicolon, with or
without BOM; all rows or none, with an error report naming line and column."""

import httpx
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

DAILY = "/api/v1/imports/daily-reports"
SHIPMENTS = "/api/v1/imports/shipments"


def upload(
    http: TestClient, url: str, text: str, headers: dict[str, str], *, bom: bool = False
) -> httpx.Response:
    data = text.encode("utf-8-sig" if bom else "utf-8")
    return http.post(url, files={"file": ("laporan.csv", data, "text/csv")}, headers=headers)


@pytest.mark.parametrize(
    ("separator", "bom"), [(",", False), (";", False), (",", True), (";", True)]
)
def test_daily_reports_import_in_every_excel_flavour(
    engine: Engine, separator: str, bom: bool
) -> None:
    officer = bearer(add_user(engine, "bekasi", Role.officer, "32.16"))
    stock_office(engine, "32.16", 1000)
    d2, d1 = days_ago(engine, "32.16", 2), days_ago(engine, "32.16", 1)
    rows = [
        ["office", "date", "print_requests", "printed", "spoiled_gagal_cetak", "backlog", "note"],
        ["32.16", d2.isoformat(), "120", "100", "2", "20", "Printer baru, lancar"],
        ["32.16", d1.strftime("%d/%m/%Y"), "1.250", "300", "", "950", ""],
    ]
    text = "\r\n".join(separator.join(r) for r in rows) + "\r\n"
    response = upload(client(), DAILY, text, officer, bom=bom)
    assert response.status_code == 201, response.text
    assert response.json()["imported"] == 2
    reports = client().get("/api/v1/offices/32.16/daily-reports", headers=officer).json()
    assert [(r["report_date"], r["print_requests"], r["printed"]) for r in reports] == [
        (d2.isoformat(), 120, 100),
        (d1.isoformat(), 1250, 300),
    ]
    stock = client().get("/api/v1/offices/32.16/stock", headers=officer).json()
    assert stock["on_hand"] == 1000 - 102 - 300 and stock["backlog"] == 950
    assert_invariants(engine)


def test_one_bad_row_rejects_the_file_with_a_row_by_row_report(engine: Engine) -> None:
    officer = bearer(add_user(engine, "bekasi", Role.officer, "32.16"))
    stock_office(engine, "32.16", 100)
    d3, d2, d1 = (days_ago(engine, "32.16", n).isoformat() for n in (3, 2, 1))
    future = days_ago(engine, "32.16", -3).isoformat()
    text = "\n".join(
        [
            "office;date;printed;backlog",
            f"32.16;{d3};10;0",  # fine
            f"32.16;{d2};sepuluh;0",  # line 3: not a number
            f"32.16;{d1};500;0",  # line 4: more than the stock left
            f"12.71;{d1};1;0",  # line 5: another office
            f"32.16;{future};1;0",  # line 6: future date
            f"32.16;{d3};1;0",  # line 7: same date twice in the file
            "32.16;32/13/2026;1;-4",  # line 8: bad date and negative number
        ]
    )
    before = read_state(engine)
    body = assert_problem(upload(client(), DAILY, text, officer), 422, "validation_error")
    assert read_state(engine) == before
    assert "Tidak ada baris yang disimpan" in body["detail"]
    found = {(e["row"], e["field"]) for e in body["errors"]}
    assert found == {
        (3, "printed"),
        (4, "printed"),
        (5, "office"),
        (6, "date"),
        (7, "date"),
        (8, "date"),
        (8, "backlog"),
    }
    by_row = {e["row"]: e["message"] for e in body["errors"]}
    assert "sepuluh" in by_row[3]
    assert "tidak cukup" in by_row[4]
    assert "baris 2" in by_row[7]


def test_a_bad_header_names_the_columns(engine: Engine) -> None:
    officer = bearer(add_user(engine, "bekasi", Role.officer, "32.16"))
    body = refused_over_http(
        engine,
        lambda: upload(client(), DAILY, "kantor,printd\n32.16,1\n", officer),
        422,
        "validation_error",
    )
    fields = {e["field"] for e in body["errors"]}
    assert {"kantor", "printd", "office", "date"} <= fields
    assert all(e["row"] == 1 for e in body["errors"])
    latin1 = client().post(
        DAILY,
        files={"file": ("x.csv", "office,date\n32.16,01/11/2026 café\n".encode("latin-1"))},
        headers=officer,
    )
    assert "UTF-8" in assert_problem(latin1, 422, "validation_error")["detail"]
    empty = client().post(DAILY, files={"file": ("x.csv", b"office,date\n")}, headers=officer)
    assert_problem(empty, 422, "validation_error")
    no_file = client().post(DAILY, headers=officer)
    assert assert_problem(no_file, 422, "validation_error")["errors"][0]["field"] == "file"


def test_shipments_import_and_idempotent_reupload(engine: Engine) -> None:
    planner = bearer(add_user(engine, "planner", Role.planner))
    stock_office(engine, "00", 10_000)
    expected = days_ago(engine, "00", -10).isoformat()
    text = (
        "from_office,to_office,quantity,expected_on,reference\n"
        f"00,32.16,4000,{expected},470/1\n"
        f'00,12.71,"1,500",{expected},"470/2, tahap 1"\n'
    )
    key = {"Idempotency-Key": "impor-kiriman-november"}
    first = upload(client(), SHIPMENTS, text, {**planner, **key})
    assert first.status_code == 201, first.text
    ids = first.json()["ids"]
    listed = client().get("/api/v1/shipments", headers=planner).json()
    assert sorted((s["to_office"], s["quantity"], s["reference"]) for s in listed) == [
        ("12.71", 1500, "470/2, tahap 1"),
        ("32.16", 4000, "470/1"),
    ]
    before = read_state(engine)
    again = upload(client(), SHIPMENTS, text, {**planner, **key})
    assert again.status_code == 201 and again.json()["ids"] == ids
    assert read_state(engine) == before
    changed = text.replace("4000", "4001")
    assert_problem(
        upload(client(), SHIPMENTS, changed, {**planner, **key}),
        409,
        "idempotency_conflict",
    )
    assert read_state(engine) == before


def test_shipments_import_refuses_what_the_stock_cannot_cover(engine: Engine) -> None:
    officer = bearer(add_user(engine, "bekasi", Role.officer, "32.16"))
    stock_office(engine, "32.16", 100)
    expected = days_ago(engine, "32.16", -3).isoformat()
    text = (
        "from_office;to_office;quantity;expected_on\n"
        f"32.16;32.01;60;{expected}\n"
        f"32.16;32.02;60;{expected}\n"
        f"32.01;32.16;5;{expected}\n"
    )
    body = refused_over_http(
        engine, lambda: upload(client(), SHIPMENTS, text, officer), 422, "validation_error"
    )
    assert {(e["row"], e["field"]) for e in body["errors"]} == {
        (3, "quantity"),
        (4, "from_office"),
    }
