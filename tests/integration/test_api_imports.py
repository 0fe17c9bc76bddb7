"""CSV imports over HTTP, as Excel writes them in Indonesia: comma or semicolon, with or
without BOM; all rows or none, with an error report naming line and column."""

import csv
import io

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
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator).writerows(rows)  # quotes the note's comma
    response = upload(client(), DAILY, buffer.getvalue(), officer, bom=bom)
    assert response.status_code == 201, response.text
    assert response.json()["imported"] == 2
    reports = client().get("/api/v1/offices/32.16/daily-reports", headers=officer).json()["items"]
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
    listed = client().get("/api/v1/shipments", headers=planner).json()["items"]
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


def test_an_unclosed_quote_is_refused_with_its_row(engine: Engine) -> None:
    """A quote left open would swallow the next rows into a note."""
    officer = bearer(add_user(engine, "bekasi", Role.officer, "32.16"))
    stock_office(engine, "32.16", 100)
    d3, d2, d1 = (days_ago(engine, "32.16", n).isoformat() for n in (3, 2, 1))
    text = (
        "office,date,printed,note\n"
        f"32.16,{d3},10,biasa\n"
        f'32.16,{d2},10,"lupa ditutup\n'
        f"32.16,{d1},5,baris yang tertelan\n"
    )
    body = refused_over_http(
        engine, lambda: upload(client(), DAILY, text, officer), 422, "validation_error"
    )
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(3, "file")]
    assert "tanda kutip" in body["errors"][0]["message"]
    closed_late = text.replace("baris yang tertelan", 'baris yang tertelan"')
    body = refused_over_http(
        engine, lambda: upload(client(), DAILY, closed_late, officer), 422, "validation_error"
    )
    assert [e["row"] for e in body["errors"]] == [3]


def test_cells_beyond_the_header_are_refused_with_their_row(engine: Engine) -> None:
    officer = bearer(add_user(engine, "bekasi", Role.officer, "32.16"))
    stock_office(engine, "32.16", 100)
    d2, d1 = (days_ago(engine, "32.16", n).isoformat() for n in (2, 1))
    text = (
        "office;date;printed;note\n"
        f"32.16;{d2};10;Printer baru;lancar\n"  # line 2: the note's semicolon splits it
        f"32.16;{d1};5;;\n"  # line 3: an empty cell beyond the header loses nothing
    )
    body = refused_over_http(
        engine, lambda: upload(client(), DAILY, text, officer), 422, "validation_error"
    )
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(2, "kolom 5")]
    assert "lancar" in body["errors"][0]["message"]


def test_the_import_key_covers_the_files_bytes(engine: Engine) -> None:
    planner = bearer(add_user(engine, "planner", Role.planner))
    stock_office(engine, "32.16", 1000)
    d2, d1 = (days_ago(engine, "32.16", n).isoformat() for n in (2, 1))
    text = f"office,date,printed\n32.16,{d2},10\n"
    key = {**planner, "Idempotency-Key": "impor-harian-1"}
    first = upload(client(), DAILY, text, key)
    assert first.status_code == 201, first.text
    before = read_state(engine)
    again = upload(client(), DAILY, text, key)
    assert again.status_code == 201 and again.json() == first.json()
    assert read_state(engine) == before
    # The same first row with one more row is another file, not a retry.
    longer = text + f"32.16,{d1},20\n"
    refused_over_http(
        engine, lambda: upload(client(), DAILY, longer, key), 409, "idempotency_conflict"
    )
    shipments_key = {**planner, "Idempotency-Key": "impor-kiriman-1"}
    expected = days_ago(engine, "00", -10).isoformat()
    stock_office(engine, "00", 100)
    sent = "from_office,to_office,quantity,expected_on\n" + f"00,32.16,10,{expected}\n"
    assert upload(client(), SHIPMENTS, sent, shipments_key).status_code == 201
    more = sent + f"00,12.71,10,{expected}\n"
    refused_over_http(
        engine,
        lambda: upload(client(), SHIPMENTS, more, shipments_key),
        409,
        "idempotency_conflict",
    )


def test_idempotency_keys_are_per_user(engine: Engine) -> None:
    """Two offices that pick the same key each get their own write."""
    bekasi = bearer(add_user(engine, "bekasi", Role.officer, "32.16"))
    medan = bearer(add_user(engine, "medan", Role.officer, "12.71"))
    stock_office(engine, "32.16", 100)
    stock_office(engine, "12.71", 100)
    d1 = days_ago(engine, "32.16", 1).isoformat()
    key = {"Idempotency-Key": "laporan-kemarin"}
    for code, officer, printed in (("32.16", bekasi, 10), ("12.71", medan, 20)):
        saved = client().put(
            f"/api/v1/offices/{code}/daily-reports/{d1}",
            json={"printed": printed},
            headers={**officer, **key},
        )
        assert saved.status_code == 200, saved.text
        assert saved.json()["printed"] == printed
    for code, officer in (("32.16", bekasi), ("12.71", medan)):
        text = f"office,date,printed\n{code},{days_ago(engine, code, 2).isoformat()},1\n"
        imported = upload(client(), DAILY, text, {**officer, "Idempotency-Key": "impor"})
        assert imported.status_code == 201, imported.text
    stock = client().get("/api/v1/offices/12.71/stock", headers=medan).json()
    assert stock["on_hand"] == 100 - 20 - 1
    assert_invariants(engine)


def test_an_imported_row_corrects_a_day_already_reported(engine: Engine) -> None:
    officer = bearer(add_user(engine, "bekasi", Role.officer, "32.16"))
    stock_office(engine, "32.16", 1000)
    d2, d1 = (days_ago(engine, "32.16", n).isoformat() for n in (2, 1))
    saved = client().put(
        f"/api/v1/offices/32.16/daily-reports/{d1}",
        json={"printed": 300, "spoiled": {"rusak_fisik": 5}},
        headers=officer,
    )
    assert saved.status_code == 200, saved.text
    text = f"office;date;printed;spoiled_lainnya;note\n32.16;{d2};10;0;\n32.16;{d1};100;1;koreksi\n"
    assert upload(client(), DAILY, text, officer).status_code == 201
    history = (
        client()
        .get("/api/v1/offices/32.16/daily-reports?include_history=true", headers=officer)
        .json()["items"]
    )
    assert [(r["report_date"], r["version"], r["printed"]) for r in history] == [
        (d2, 1, 10),
        (d1, 1, 300),
        (d1, 2, 100),
    ]
    stock = client().get("/api/v1/offices/32.16/stock", headers=officer).json()
    assert stock["on_hand"] == 1000 - 10 - 101
    assert_invariants(engine)
