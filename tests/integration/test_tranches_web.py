"""The planner's procurement page (issue 13 item 2): add a tranche, mark it ordered,
receive it into national stock or cancel it, with refusals shown in place in Indonesian.
National stock starts at 4.000 (the page tests' fixture)."""

import re
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlmodel import col, select

from blangko import overview
from blangko.db import session_scope
from blangko.models import PlannedProcurement, TrancheStatus
from tests.integration.test_web_pages import client, csrf, login, today_iso

__all__ = ["client"]  # the fixture of the page tests: users, national stock 4.000
PAGE = "/pengadaan"


def national_stock() -> int:
    with session_scope(write=False) as session:
        return overview.national_stock(session=session)


def stored() -> list[tuple[str, TrancheStatus, int]]:
    with session_scope(write=False) as session:
        rows = session.exec(select(PlannedProcurement).order_by(col(PlannedProcurement.id)))
        return [(t.reference, t.status, t.quantity) for t in rows]


def in_days(days: int) -> str:
    """National today plus ``days``."""
    return (date.fromisoformat(today_iso("00")) + timedelta(days=days)).isoformat()


def add(client: TestClient, **fields: str) -> object:
    form = {
        "csrf": csrf(client, PAGE),
        "quantity": "1.500",
        "expected_on": in_days(30),
        "reference": "SPK-2027-01",
        "status": "ordered",
        "note": "",
        **fields,
    }
    return client.post(PAGE, data=form)


def tranche_id(page: str, reference: str) -> int:
    match = re.search(
        rf'<article id="tahap-(\d+)">\s*<header><strong>#\d+ · {re.escape(reference)}', page
    )
    assert match, f"{reference} is not listed as still to come"
    return int(match.group(1))


def test_planner_adds_and_receives_a_tranche(client: TestClient) -> None:
    login(client, "perencana")
    home = client.get("/nasional")
    assert 'href="/pengadaan"' in home.text
    added = add(client, idempotency_key="formulir-tahap-1")
    assert added.status_code == 200  # after the redirect
    assert "Tahap pengadaan #" in added.text and "dicatat" in added.text
    assert "SPK-2027-01" in added.text and "1.500 keping" in added.text
    assert "dipesan" in added.text
    # The same form sent again (a double click, a reload) writes nothing more.
    add(client, idempotency_key="formulir-tahap-1")
    assert stored() == [("SPK-2027-01", TrancheStatus.ordered, 1500)]

    number = tranche_id(added.text, "SPK-2027-01")
    received = client.post(
        f"{PAGE}/{number}",
        data={
            "csrf": csrf(client, PAGE),
            "action": "terima",
            "received_on": today_iso("00"),
            "quantity": "1.400",
            "reason": "",
        },
    )
    assert received.status_code == 200
    assert f"Tahap #{number} diterima" in received.text
    assert national_stock() == 4000 + 1400
    assert stored()[0][1] is TrancheStatus.received
    past = received.text.split("Sudah diterima atau dibatalkan", 1)[1]
    assert "SPK-2027-01" in past and "1.400" in past and "diterima" in past
    assert "Tidak ada tahap pengadaan yang direncanakan atau dipesan" in received.text

    # The same tranche cannot be received twice: said in place, nothing posted.
    again = client.post(
        f"{PAGE}/{number}",
        data={"csrf": csrf(client, PAGE), "action": "terima", "received_on": today_iso("00")},
    )
    assert again.status_code == 409 and "tidak dapat diterima lagi" in again.text
    assert national_stock() == 5400


def test_mark_ordered_and_cancel(client: TestClient) -> None:
    login(client, "perencana")
    page = add(client, reference="DIPA-2027", status="planned", quantity="2000").text
    number = tranche_id(page, "DIPA-2027")
    assert 'value="pesan"' in page
    ordered = client.post(f"{PAGE}/{number}", data={"csrf": csrf(client, PAGE), "action": "pesan"})
    assert f"Tahap #{number} dipesan" in ordered.text
    cancelled = client.post(
        f"{PAGE}/{number}",
        data={"csrf": csrf(client, PAGE), "action": "batal", "reason": "Anggaran dialihkan"},
    )
    assert f"Tahap #{number} dibatalkan" in cancelled.text
    assert "Dibatalkan: Anggaran dialihkan" in cancelled.text
    refused = client.post(
        f"{PAGE}/{number}",
        data={"csrf": csrf(client, PAGE), "action": "terima", "received_on": today_iso("00")},
    )
    assert refused.status_code == 409 and "sudah dibatalkan" in refused.text
    assert national_stock() == 4000


def test_refusals_are_shown_in_place(client: TestClient) -> None:
    login(client, "perencana")
    zero = add(client, quantity="0", reference="SPK-Nol")
    assert zero.status_code == 422
    assert "Jumlah blangko harus lebih dari 0." in zero.text
    assert re.search(r'id="quantity"[^>]*aria-invalid="true"', zero.text)
    assert 'value="SPK-Nol"' in zero.text  # what was typed stays
    blank = add(client, reference="  ")
    assert blank.status_code == 422 and "Nomor referensi wajib diisi" in blank.text
    for typed, named in (("received", "diterima"), ("selesai", "selesai")):  # the service's words
        started = add(client, status=typed)
        assert started.status_code == 422
        assert (
            "Tahap pengadaan baru berstatus direncanakan (planned) atau dipesan (ordered), "
            f"bukan {named}. Tahap yang sudah tiba dicatat lalu diterima" in started.text
        )
        assert re.search(r'id="status"[^>]*aria-invalid="true"', started.text)
    assert stored() == []

    page = add(client, reference="SPK-Esok").text
    number = tranche_id(page, "SPK-Esok")
    future = client.post(
        f"{PAGE}/{number}",
        data={
            "csrf": csrf(client, PAGE),
            "action": "terima",
            "received_on": in_days(3),
            "quantity": "1500",
        },
    )
    assert future.status_code == 422 and "belum terjadi" in future.text
    article = future.text.split(f'<article id="tahap-{number}">', 1)[1].split("</article>")[0]
    assert 'role="alert"' in article and "belum terjadi" in article
    assert f'value="{in_days(3)}"' in article  # the date typed stays
    assert national_stock() == 4000 and stored()[0][1] is TrancheStatus.ordered


def test_officers_cannot_open_the_page(client: TestClient) -> None:
    login(client, "petugas.bekasi")
    assert client.get(PAGE).status_code == 403
    assert 'href="/pengadaan"' not in client.get("/kantor/32.16").text
