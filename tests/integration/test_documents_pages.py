"""The paperwork on the pages (issue 15): an officer opens "Dokumen" from the office page,
downloads the BAST of a received shipment with names typed on the form, and the month's
report; a planner the national workbook."""

import re
from datetime import timedelta

from sqlalchemy import Engine

from blangko.db import session_scope
from blangko.models import Role
from blangko.offices import get_office, local_today
from blangko.shipments import dispatch, receive
from blangko.users import get_user, set_profile
from tests.integration.api_support import SETUP, add_user, client, sign_in_page, stock_office
from tests.integration.documents_support import has, pdf_text, workbook

OFFICE = "32.16"


def test_officer_downloads_bast_and_month_from_the_office_pages(sqlite_engine: Engine) -> None:
    engine = sqlite_engine
    add_user(engine, "petugas", Role.officer, OFFICE)
    stock_office(engine, "00", 1_000)
    with session_scope(engine) as session:
        set_profile(
            session=session,
            user=get_user(session=session, username="petugas"),
            full_name="Andi Saputra",
            nip="199001012015031002",
            position="Pengelola Blangko",
        )
        today = local_today(get_office(session=session, code=OFFICE))
        shipment = dispatch(
            session=session,
            from_office="00",
            to_office=OFFICE,
            quantity=800,
            dispatched_on=today - timedelta(days=3),
            expected_on=today,
            reference="B/77/DUK",
            actor=SETUP,
        )
        receive(
            session=session,
            shipment_id=shipment.id or 0,
            received_quantity=800,
            received_on=today - timedelta(days=1),
            actor=SETUP,
        )
    web = client()
    sign_in_page(web, "petugas")

    dashboard = web.get(f"/kantor/{OFFICE}")
    assert f'href="/kantor/{OFFICE}/dokumen"' in dashboard.text
    page = web.get(f"/kantor/{OFFICE}/dokumen")
    assert page.status_code == 200
    assert f'<option value="{shipment.id}">' in page.text
    assert 'value="Andi Saputra"' in page.text  # Pihak Kedua from the profile

    response = web.get(
        f"/kantor/{OFFICE}/bast.pdf",
        params={
            "kiriman": shipment.id,
            "nama1": "Ir. Dewi Lestari",
            "nip1": "197002021995032001",
            "jabatan1": "Direktur Pendaftaran Penduduk",
            "nama2": "Andi Saputra",
            "nip2": "199001012015031002",
            "jabatan2": "Pengelola Blangko",
        },
    )
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert has(text, "Ir. Dewi Lestari") and has(text, "Direktur Pendaftaran Penduduk")
    assert has(text, "Andi Saputra") and has(text, "800 keping")
    assert has(text, f"470/1/Disdukcapil/{(today - timedelta(days=1)).year}")

    month = f"{today:%Y-%m}"
    assert f'href="/kantor/{OFFICE}/bulanan/{month}.pdf"' in page.text
    report = web.get(f"/kantor/{OFFICE}/bulanan/{month}.pdf")
    assert report.status_code == 200
    assert has(pdf_text(report.content), "Diterima dari kiriman 800")
    sheet = workbook(web.get(f"/kantor/{OFFICE}/bulanan/{month}.xlsx").content)["Kantor"]
    assert sheet["A2"].value == OFFICE
    destruction = web.get(f"/kantor/{OFFICE}/pemusnahan/{month}.pdf")
    assert has(pdf_text(destruction.content), "BERITA ACARA PEMUSNAHAN")

    assert web.get(f"/nasional/bulanan/{month}.xlsx").status_code == 403
    assert web.get("/kantor/12.71/dokumen").status_code == 403


def test_planner_downloads_the_national_workbook_from_the_page(sqlite_engine: Engine) -> None:
    add_user(sqlite_engine, "perencana", Role.planner)
    web = client()
    sign_in_page(web, "perencana")
    page = web.get("/kantor/00/dokumen")
    month = re.search(r'href="/nasional/bulanan/([0-9-]+)\.xlsx"', page.text)
    assert month
    book = workbook(web.get(f"/nasional/bulanan/{month.group(1)}.xlsx").content)
    assert book.sheetnames == ["Kantor", "Provinsi", "Nasional"]


def test_the_receive_screen_offers_the_bast_of_what_was_just_received(
    sqlite_engine: Engine,
) -> None:
    engine = sqlite_engine
    add_user(engine, "petugas", Role.officer, OFFICE)
    stock_office(engine, "00", 1_000)
    with session_scope(engine) as session:
        today = local_today(get_office(session=session, code=OFFICE))
        shipment = dispatch(
            session=session,
            from_office="00",
            to_office=OFFICE,
            quantity=600,
            dispatched_on=today - timedelta(days=2),
            expected_on=today,
            reference="B/78/DUK",
            actor=SETUP,
        )
    web = client()
    sign_in_page(web, "petugas")
    dashboard = web.get(f"/kantor/{OFFICE}")
    assert "BAST (PDF)" not in dashboard.text  # nothing received yet
    token = re.search(r'name="csrf" value="([^"]+)"', dashboard.text)
    assert token
    received = web.post(
        f"/kiriman/{shipment.id}/terima",
        data={"csrf": token.group(1), "mode": "penuh", "received_on": today.isoformat()},
    )
    assert received.status_code == 200 and f"Kiriman #{shipment.id} diterima" in received.text
    link = f"/kantor/{OFFICE}/bast.pdf?kiriman={shipment.id}"
    assert f'href="{link}"' in received.text  # on the receive screen, beside the receipt
    text = pdf_text(web.get(link).content)
    assert has(text, "600 keping") and has(text, "B/78/DUK")
    form = web.get(f"/kantor/{OFFICE}/dokumen?kiriman={shipment.id}")
    assert f'<option value="{shipment.id}" selected>' in form.text
