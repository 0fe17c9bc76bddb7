"""The pages through the real app: sign-in, the officer's daily work, the planner's
decisions, refusals shown in place, CSRF, office scoping and basic accessibility."""

import re
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from blangko import shipments, stock
from blangko.db import session_scope
from blangko.ledger import SYSTEM
from blangko.models import Role
from blangko.offices import get_office, local_today
from blangko.users import create_user

PASSWORD = "rahasia-123"


@pytest.fixture
def client(sqlite_engine: Engine) -> Iterator[TestClient]:
    with session_scope() as session:
        create_user(session=session, username="perencana", password=PASSWORD, role=Role.planner)
        create_user(session=session, username="admin.pusat", password=PASSWORD, role=Role.admin)
        create_user(
            session=session,
            username="petugas.bekasi",
            password=PASSWORD,
            role=Role.officer,
            office_code="32.16",
        )
        today = local_today(get_office(session=session, code="32.16"))
        stock.record_procurement(
            session=session, quantity=5000, received_on=today, reference="PO-1", actor=SYSTEM
        )
        sent = shipments.dispatch(
            session=session,
            from_office="00",
            to_office="32.16",
            quantity=1000,
            expected_on=today + timedelta(days=2),
            reference="B-1",
            actor=SYSTEM,
            dispatched_on=today,
        )
        shipments.receive(
            session=session,
            shipment_id=sent.id or 0,
            received_quantity=1000,
            received_on=today,
            actor=SYSTEM,
        )
    with TestClient(create_app()) as test_client:
        yield test_client


def csrf(client: TestClient, path: str) -> str:
    page = client.get(path)
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: TestClient, username: str) -> None:
    token = csrf(client, "/login")
    answer = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303


def on_hand(client: TestClient, code: str) -> int:
    page = client.get(f"/kantor/{code}")
    match = re.search(r'id="on-hand">([\d.]+)<', page.text)
    assert match
    return int(match.group(1).replace(".", ""))


def today_iso(engine_code: str = "32.16") -> str:
    with session_scope(write=False) as session:
        return local_today(get_office(session=session, code=engine_code)).isoformat()


def test_visitor_is_sent_to_login_and_wrong_password_is_refused(client: TestClient) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    assert client.get("/kantor/32.16", follow_redirects=False).headers["location"] == "/login"
    token = csrf(client, "/login")
    answer = client.post(
        "/login", data={"username": "perencana", "password": "salah", "csrf": token}
    )
    assert answer.status_code == 401
    assert "Nama pengguna atau kata sandi salah" in answer.text
    assert 'value="perencana"' in answer.text  # what was typed stays


def test_homes_by_role(client: TestClient) -> None:
    login(client, "petugas.bekasi")
    assert client.get("/", follow_redirects=False).headers["location"] == "/kantor/32.16"
    client.cookies.clear()
    login(client, "perencana")
    assert client.get("/", follow_redirects=False).headers["location"] == "/nasional"
    page = client.get("/nasional")
    assert page.status_code == 200
    assert "Gambaran nasional" in page.text and "Kabupaten Bekasi" in page.text


def test_session_cookie_is_httponly_and_samesite(client: TestClient) -> None:
    token = csrf(client, "/login")
    answer = client.post(
        "/login",
        data={"username": "perencana", "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_officer_records_daily_report_and_stock_falls(client: TestClient) -> None:
    login(client, "petugas.bekasi")
    assert on_hand(client, "32.16") == 1000
    token = csrf(client, "/kantor/32.16/laporan")
    answer = client.post(
        "/kantor/32.16/laporan",
        data={
            "csrf": token,
            "report_date": today_iso(),
            "print_requests": "250",
            "printed": "200",
            "spoiled_gagal_cetak": "3",
            "backlog": "50",
        },
    )
    assert answer.status_code == 200
    assert "disimpan" in answer.text
    assert on_hand(client, "32.16") == 797
    # Saving the same date again corrects it: the earlier version is reversed.
    client.post(
        "/kantor/32.16/laporan",
        data={"csrf": token, "report_date": today_iso(), "printed": "100", "backlog": "150"},
    )
    assert on_hand(client, "32.16") == 900


def test_refused_report_shows_message_in_place_and_keeps_input(client: TestClient) -> None:
    login(client, "petugas.bekasi")
    token = csrf(client, "/kantor/32.16/laporan")
    answer = client.post(
        "/kantor/32.16/laporan",
        data={"csrf": token, "report_date": today_iso(), "printed": "5000", "backlog": "77"},
    )
    assert answer.status_code == 409
    assert "tidak cukup" in answer.text and "1.000 keping" in answer.text
    assert 'value="5000"' in answer.text and 'value="77"' in answer.text
    assert on_hand(client, "32.16") == 1000


def test_forms_without_csrf_are_refused(client: TestClient) -> None:
    login(client, "petugas.bekasi")
    answer = client.post(
        "/kantor/32.16/laporan", data={"report_date": today_iso(), "printed": "10"}
    )
    assert answer.status_code == 403
    assert on_hand(client, "32.16") == 1000


def test_officer_cannot_open_or_write_another_office(client: TestClient) -> None:
    login(client, "petugas.bekasi")
    assert client.get("/kantor/12.71").status_code == 403
    assert client.get("/nasional").status_code == 403
    token = csrf(client, "/kantor/32.16")
    answer = client.post(
        "/kantor/12.71/laporan", data={"csrf": token, "report_date": today_iso(), "printed": "1"}
    )
    assert answer.status_code == 403


def test_shipment_received_short_needs_a_reason(client: TestClient) -> None:
    login(client, "perencana")
    token = csrf(client, "/kiriman/baru")
    sent = client.post(
        "/kiriman/baru",
        data={
            "csrf": token,
            "from_office": "00",
            "to_office": "32.16",
            "quantity": "400",
            "expected_on": today_iso(),
            "reference": "B-2",
        },
    )
    assert "dikirim ke 32.16" in sent.text
    client.cookies.clear()
    login(client, "petugas.bekasi")
    page = client.get("/kantor/32.16")
    shipment_id = re.search(r"/kiriman/(\d+)/terima", page.text)
    assert shipment_id
    token = csrf(client, "/kantor/32.16")
    path = f"/kiriman/{shipment_id.group(1)}/terima"
    short = {
        "csrf": token,
        "mode": "kurang",
        "received_quantity": "390",
        "received_on": today_iso(),
    }
    refused = client.post(path, data=short)
    assert refused.status_code == 422
    assert "Alasan kekurangan wajib diisi" in refused.text
    assert 'value="390"' in refused.text
    accepted = client.post(path, data={**short, "shortfall_reason": "10 keping rusak"})
    assert "diterima" in accepted.text
    assert on_hand(client, "32.16") == 1390


def test_planner_approves_part_of_a_request(client: TestClient) -> None:
    login(client, "petugas.bekasi")
    token = csrf(client, "/kantor/32.16/permintaan")
    asked = client.post(
        "/kantor/32.16/permintaan",
        data={"csrf": token, "quantity": "3000", "reference": "470/123/Dukcapil"},
    )
    assert "dikirim" in asked.text and "menunggu" in asked.text
    client.cookies.clear()
    login(client, "perencana")
    page = client.get("/permintaan")
    request_id = re.search(r'action="/permintaan/(\d+)"', page.text)
    assert request_id
    token = csrf(client, "/permintaan")
    path = f"/permintaan/{request_id.group(1)}"
    too_much = client.post(
        path,
        data={"csrf": token, "decision": "setujui", "quantity": "5000", "expected_on": today_iso()},
    )
    assert too_much.status_code == 422 and "melebihi permintaan" in too_much.text
    approved = client.post(
        path,
        data={"csrf": token, "decision": "setujui", "quantity": "2000", "expected_on": today_iso()},
    )
    assert "disetujui" in approved.text
    client.cookies.clear()
    login(client, "petugas.bekasi")
    assert "2.000 keping dari 00" in client.get("/kantor/32.16").text


def test_stock_card_and_csv_export(client: TestClient) -> None:
    login(client, "petugas.bekasi")
    page = client.get("/kantor/32.16/kartu-stok")
    assert "Terima" in page.text and "1.000" in page.text
    export = client.get("/kantor/32.16/kartu-stok.csv")
    assert export.headers["content-type"].startswith("text/csv")
    text = export.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].split(";")[:3] == ["tanggal", "mutasi", "jenis"]
    assert lines[-1].split(";")[6] == "1000"


def test_stock_count_records_the_difference(client: TestClient) -> None:
    login(client, "petugas.bekasi")
    token = csrf(client, "/kantor/32.16/stock-opname")
    answer = client.post(
        "/kantor/32.16/stock-opname",
        data={"csrf": token, "counted_quantity": "990", "counted_on": today_iso(), "note": "BA-7"},
    )
    assert "selisih -10 dicatat" in answer.text
    assert on_hand(client, "32.16") == 990


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.labels: set[str] = set()
        self.inputs: list[str] = []
        self._label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.labels.add(a["for"] or "")
        visible = a.get("type") not in ("hidden", "submit")
        if tag in ("input", "select", "textarea") and visible and self._label_depth == 0:
            self.inputs.append(a.get("id") or f"<{tag} name={a.get('name')}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_depth -= 1


@pytest.mark.parametrize(
    ("user", "paths"),
    [
        (None, ["/login"]),
        (
            "petugas.bekasi",
            [
                "/kantor/32.16",
                "/kantor/32.16/laporan",
                "/kantor/32.16/kartu-stok",
                "/kantor/32.16/stock-opname",
                "/kantor/32.16/permintaan",
                "/akun/kata-sandi",
            ],
        ),
        ("perencana", ["/nasional", "/permintaan", "/kiriman/baru", "/akun/kata-sandi"]),
        ("admin.pusat", ["/admin/pengguna", "/admin/pengguna/1", "/akun/kata-sandi"]),
    ],
)
def test_pages_have_lang_id_and_every_input_a_label(
    client: TestClient, user: str | None, paths: list[str]
) -> None:
    if user:
        login(client, user)
    for path in paths:
        page = client.get(path)
        assert page.status_code == 200, path
        parser = _Inputs()
        parser.feed(page.text)
        assert parser.lang == "id", path
        unlabelled = [i for i in parser.inputs if i not in parser.labels]
        assert not unlabelled, f"{path}: inputs without a label: {unlabelled}"


def test_repeated_wrong_passwords_are_throttled(client: TestClient) -> None:
    token = csrf(client, "/login")
    wrong = {"username": "petugas.bekasi", "password": "salah-lagi", "csrf": token}
    for _ in range(5):
        assert client.post("/login", data=wrong).status_code == 401
    blocked = client.post("/login", data={**wrong, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan masuk" in blocked.text


def test_unprintable_username_is_just_a_failed_sign_in(client: TestClient) -> None:
    token = csrf(client, "/login")
    answer = client.post(
        "/login", data={"username": "perencana\x00", "password": PASSWORD, "csrf": token}
    )
    assert answer.status_code == 401
    assert "Nama pengguna atau kata sandi salah" in answer.text


def test_odd_page_numbers_show_the_first_page(client: TestClient) -> None:
    login(client, "petugas.bekasi")
    for odd in ("abc", "-1", "0", "99999999999"):
        page = client.get(f"/kantor/32.16/kartu-stok?halaman={odd}")
        assert page.status_code == 200, odd
