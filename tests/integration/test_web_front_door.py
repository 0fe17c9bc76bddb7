"""One front door (issue 11, item 5): the pages refuse what the API refuses, with the
Indonesian message in place and nothing written; odd addresses are pages, never a 500
or problem+json; office scope answers as the API does; the success message is a
one-time message from the session (item 8), never text from the address."""

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from api.app import create_app
from blangko.db import session_scope
from blangko.models import Alert, AlertKind, AlertSeverity, Role, Shipment
from blangko.users import create_user
from tests.integration.ledger_support import state
from tests.integration.test_web_pages import PASSWORD, client, csrf, login, on_hand, today_iso

__all__ = ["client"]  # the fixture of the page tests: 32.16 holds 1.000 blanks

HTML = "text/html"


def _refused_in_place(
    client: TestClient, path: str, data: dict[str, str], status: int = 422
) -> str:
    """Posts a form that must be refused: the page comes back with the message, writes
    nothing, and keeps what was typed."""
    before = _state()
    answer = client.post(path, data={"csrf": csrf(client, path), **data})
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(HTML)
    assert 'role="alert"' in answer.text
    assert _state() == before
    return answer.text


def _state() -> dict[str, Any]:
    """Everything a write can change (the ledger, shipments, requests, reports, keys)."""
    with session_scope(write=False) as session:
        return state(session)


def test_unicode_digits_are_refused_in_place(client: TestClient) -> None:
    login(client, "petugas.bekasi")
    for odd in ("²", "³", "１２", "1e3", "-5", "12,5"):
        page = _refused_in_place(
            client, "/kantor/32.16/laporan", {"report_date": today_iso(), "printed": odd}
        )
        assert "Tercetak harus berupa bilangan bulat" in page
        assert f'value="{odd}"' in page


def test_absurd_stock_count_does_not_become_the_book(client: TestClient) -> None:
    login(client, "petugas.bekasi")
    page = _refused_in_place(
        client,
        "/kantor/32.16/stock-opname",
        {"counted_quantity": "999999999999", "counted_on": today_iso()},
    )
    assert "terlalu besar" in page and 'value="999999999999"' in page
    page = _refused_in_place(
        client,
        "/kantor/32.16/stock-opname",
        {"counted_quantity": "100000001", "counted_on": today_iso()},
    )
    assert "maksimal 100.000.000" in page
    assert on_hand(client, "32.16") == 1000


def test_control_characters_in_notes_are_refused(client: TestClient) -> None:
    login(client, "petugas.bekasi")
    page = _refused_in_place(
        client,
        "/kantor/32.16/stock-opname",
        {"counted_quantity": "990", "counted_on": today_iso(), "note": "BA\x01-7\x1b[31m"},
    )
    assert "karakter kendali" in page
    page = _refused_in_place(
        client, "/kantor/32.16/permintaan", {"quantity": "10", "reference": "470\x00/1"}
    )
    assert "karakter kendali" in page


def test_dates_before_2011_or_malformed_are_refused_not_500(client: TestClient) -> None:
    login(client, "petugas.bekasi")
    for query in ("sampai=0001-01-15", "dari=0001-01-01", "sampai=20261120", "dari=2026-02-30"):
        card = client.get(f"/kantor/32.16/kartu-stok?{query}")
        assert card.status_code == 422, query
        assert card.headers["content-type"].startswith(HTML)
        assert "tanggal" in card.text.lower() and 'role="alert"' in card.text
        export = client.get(f"/kantor/32.16/kartu-stok.csv?{query}")
        assert export.status_code == 422 and export.headers["content-type"].startswith(HTML)
    page = _refused_in_place(
        client, "/kantor/32.16/stock-opname", {"counted_quantity": "5", "counted_on": "2010-12-31"}
    )
    assert "sebelum 1 Jan 2011" in page


def test_huge_ids_in_addresses_are_not_found_pages(client: TestClient) -> None:
    login(client, "perencana")
    token = csrf(client, "/permintaan")
    for odd in (str(2**63), str(2**70), "²", "-1", "0"):
        for path in (f"/permintaan/{odd}", f"/kiriman/{odd}/terima", f"/peringatan/{odd}/tandai"):
            answer = client.post(path, data={"csrf": token, "quantity": "1"})
            assert answer.status_code == 404, (path, answer.text)
            assert answer.headers["content-type"].startswith(HTML)


def test_unexpected_error_on_a_page_is_the_html_error_page(sqlite_engine: Engine) -> None:
    app = create_app()

    def broken() -> None:
        raise RuntimeError("rahasia internal")

    app.add_api_route("/rusak", broken)
    app.add_api_route("/api/v1/rusak", broken)
    http = TestClient(app, raise_server_exceptions=False)
    page = http.get("/rusak")
    assert page.status_code == 500
    assert page.headers["content-type"].startswith(HTML)
    assert 'lang="id"' in page.text and "Terjadi kesalahan di server" in page.text
    assert "rahasia" not in page.text and "RuntimeError" not in page.text
    missing = http.get("/tidak-ada")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith(HTML)
    api = http.get("/api/v1/rusak")
    assert api.status_code == 500
    assert api.headers["content-type"].startswith("application/problem+json")


def test_message_after_a_form_is_shown_once_and_never_from_the_address(
    client: TestClient,
) -> None:
    login(client, "petugas.bekasi")
    forged = client.get("/kantor/32.16/stock-opname?pesan=Akun+Anda+diblokir,+hubungi+0812")
    assert forged.status_code == 200 and "diblokir" not in forged.text
    token = csrf(client, "/kantor/32.16/stock-opname")
    saved = client.post(
        "/kantor/32.16/stock-opname",
        data={"csrf": token, "counted_quantity": "1000", "counted_on": today_iso()},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "pesan" not in saved.headers["location"]
    assert "Stock opname disimpan" in client.get(saved.headers["location"]).text
    assert "Stock opname disimpan" not in client.get(saved.headers["location"]).text


def test_office_scope_answers_as_the_api(client: TestClient) -> None:
    with session_scope() as session:
        create_user(
            session=session,
            username="petugas.jabar",
            password=PASSWORD,
            role=Role.officer,
            office_code="32",
        )
        session.add(
            Alert(
                office_code="32.16",
                kind=AlertKind.backlog_high,
                severity=AlertSeverity.warning,
                message="Backlog Kabupaten Bekasi tinggi.",
            )
        )
    login(client, "petugas.bekasi")
    # An office code outside the officer's scope: 403 whether or not it exists.
    assert client.get("/kantor/12.71").status_code == 403
    assert client.get("/kantor/99.99").status_code == 403
    client.cookies.clear()
    login(client, "petugas.jabar")
    with session_scope(write=False) as session:
        alert = session.exec(select(Alert).where(Alert.office_code == "32.16")).one()
    assert "Backlog Kabupaten Bekasi" in client.get("/peringatan").text  # reads its kab/kota
    before = _state()
    refused = client.post(
        f"/peringatan/{alert.id}/tandai", data={"csrf": csrf(client, "/peringatan")}
    )
    assert refused.status_code == 403
    assert re.search(r"hanya dapat mencatat untuk kantor Anda sendiri", refused.text)
    assert _state() == before
    with session_scope(write=False) as session:
        assert session.get_one(Alert, alert.id).acknowledged_at is None


def test_form_keys_are_per_user_like_the_api(client: TestClient) -> None:
    """Two planners whose forms happen to carry the same one-time key both dispatch: a
    key belongs to the user who sent it (issue 11 item 6)."""
    with session_scope() as session:
        create_user(session=session, username="perencana.dua", password=PASSWORD, role=Role.planner)
    for username, quantity in (("perencana", "300"), ("perencana.dua", "200")):
        client.cookies.clear()
        login(client, username)
        form = {
            "csrf": csrf(client, "/kiriman/baru"),
            "from_office": "00",
            "to_office": "32.16",
            "quantity": quantity,
            "expected_on": today_iso(),
            "reference": f"B-{username}",
            "idempotency_key": "formulir-1",
        }
        sent = client.post("/kiriman/baru", data=form)
        assert sent.status_code == 200 and "dikirim ke 32.16" in sent.text, sent.text
        again = client.post("/kiriman/baru", data={**form, "csrf": csrf(client, "/kiriman/baru")})
        assert again.status_code == 200  # the same user's key again: no second shipment
    with session_scope(write=False) as session:
        shipments = session.exec(select(Shipment).where(Shipment.to_office == "32.16")).all()
    assert sorted(s.quantity for s in shipments if s.reference.startswith("B-perencana")) == [
        200,
        300,
    ]
