"""Berita Acara Serah Terima (issue 15 item 1): the BAST of a received shipment over HTTP,
read back from the PDF; its number follows the receiving office's pattern and is never
given twice, even to concurrent requests (SQLite and PostgreSQL)."""

import threading

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from typer.testing import CliRunner

from blangko.cli import app
from blangko.db import session_scope
from blangko.documents import handover, numbering
from blangko.models import HandoverRecord, Role
from blangko.offices import get_office
from blangko.shipments import dispatch, get_shipment, receive
from blangko.stock import record_procurement
from blangko.users import get_user, set_profile
from tests.integration.api_support import SETUP, add_user, assert_problem, bearer, client
from tests.integration.documents_support import has, pdf_page_size_mm, pdf_text
from tests.integration.ledger_support import days_ago

OFFICE = "32.16"  # Kabupaten Bekasi


def received_shipment(engine: Engine, quantity: int, received: int, reason: str = "") -> int:
    with session_scope(engine) as session:
        record_procurement(
            session=session,
            quantity=quantity + 100,  # and some left in national stock
            received_on=days_ago(engine, "00", 30),
            reference="SPK",
            actor=SETUP,
        )
        shipment = dispatch(
            session=session,
            from_office="00",
            to_office=OFFICE,
            quantity=quantity,
            dispatched_on=days_ago(engine, "00", 10),
            expected_on=days_ago(engine, "00", 5),
            reference="470/1234/Dukcapil",
            actor=SETUP,
        )
        assert shipment.id is not None
        receive(
            session=session,
            shipment_id=shipment.id,
            received_quantity=received,
            received_on=days_ago(engine, OFFICE, 3),
            shortfall_reason=reason,
            actor=SETUP,
        )
        return shipment.id


def test_officer_downloads_the_bast_of_a_received_shipment(engine: Engine) -> None:
    officer = add_user(engine, "petugas", Role.officer, OFFICE)
    add_user(engine, "perencana", Role.planner)
    with session_scope(engine) as session:
        user = session.get_one(type(officer), officer.id)
        set_profile(
            session=session,
            user=user,
            full_name="Siti Rahmawati, S.Kom.",
            nip="198507122010012003",
            position="Kepala Seksi Pengelolaan Informasi",
        )
    shipment_id = received_shipment(engine, 12_500, 12_000, "2 dus basah kena hujan")
    received_on = days_ago(engine, OFFICE, 3)
    web = client()

    response = web.get(f"/api/v1/shipments/{shipment_id}/bast.pdf", headers=bearer(officer))

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert pdf_page_size_mm(response.content) == (210, 297)  # A4
    text = pdf_text(response.content)
    number = f"470/1/Disdukcapil/{received_on.year}"
    assert has(text, f"Nomor: {number}")
    assert has(text, "BERITA ACARA SERAH TERIMA BLANGKO KTP-EL")
    assert has(text, "PIHAK PERTAMA") and has(text, "PIHAK KEDUA")
    assert has(text, "Ditjen Dukcapil Kemendagri (00)")
    assert has(text, "Kabupaten Bekasi (32.16)")
    assert has(text, "Siti Rahmawati, S.Kom.") and has(text, "198507122010012003")
    assert has(text, "Kepala Seksi Pengelolaan Informasi")
    assert has(text, "12.500 keping") and has(text, "12.000 keping") and has(text, "500 keping")
    assert has(text, "2 dus basah kena hujan")
    assert has(text, "470/1234/Dukcapil")  # the letter it answers
    months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus"]
    months += ["September", "Oktober", "November", "Desember"]
    assert has(text, f"{received_on.day} {months[received_on.month - 1]} {received_on.year}")

    # A copy carries the same number; names typed on the form replace the profile's.
    again = web.get(
        f"/api/v1/shipments/{shipment_id}/bast.pdf",
        params={"sender_name": "Drs. Bambang Hartono", "sender_nip": "196801011990031001"},
        headers=bearer(officer),
    )
    text = pdf_text(again.content)
    assert has(text, f"Nomor: {number}")
    assert has(text, "Drs. Bambang Hartono") and has(text, "196801011990031001")
    with session_scope(engine) as session:
        assert len(session.exec(select(HandoverRecord)).all()) == 1


def test_bast_access_and_state(engine: Engine) -> None:
    stranger = add_user(engine, "petugas-lain", Role.officer, "12.71")
    planner = add_user(engine, "perencana", Role.planner)
    shipment_id = received_shipment(engine, 100, 100)
    web = client()
    response = web.get(f"/api/v1/shipments/{shipment_id}/bast.pdf", headers=bearer(stranger))
    assert_problem(response, 404, "not_found")
    with session_scope(engine) as session:
        pending = dispatch(
            session=session,
            from_office="00",
            to_office=OFFICE,
            quantity=10,
            expected_on=days_ago(engine, "00", 0),
            reference="",
            actor=SETUP,
        )
    response = web.get(f"/api/v1/shipments/{pending.id}/bast.pdf", headers=bearer(planner))
    assert_problem(response, 409, "invalid_state")
    with session_scope(engine) as session:
        assert session.exec(select(HandoverRecord)).all() == []


def test_the_number_follows_the_office_pattern(engine: Engine) -> None:
    with session_scope(engine) as session:
        numbering.set_pattern(
            session=session,
            office=get_office(session=session, code=OFFICE),
            pattern="470/{seq}/BAST-{office}/{month}/{year}",
        )
    shipment_id = received_shipment(engine, 50, 50)
    on = days_ago(engine, OFFICE, 3)
    with session_scope(engine) as session:
        record = handover.handover_record(
            session=session,
            shipment=get_shipment(session=session, shipment_id=shipment_id),
            issued_by=None,
        )
    roman = numbering.ROMAN[on.month - 1]
    assert record.number == f"470/1/BAST-32.16/{roman}/{on.year}"


@pytest.mark.slow
def test_no_number_is_given_twice_under_concurrency(engine: Engine) -> None:
    ids = [received_shipment(engine, 10 + i, 10 + i) for i in range(12)]
    numbers: dict[int, set[str]] = {i: set() for i in ids}
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def work(index: int) -> None:
        barrier.wait()
        # Each thread asks for every BAST, in its own order: each number is wanted 8 times.
        for shipment_id in ids[index:] + ids[:index]:
            try:
                with session_scope(engine) as session:
                    shipment = get_shipment(session=session, shipment_id=shipment_id)
                    record = handover.handover_record(
                        session=session, shipment=shipment, issued_by=None
                    )
                with lock:
                    numbers[shipment_id].add(record.number)
            except BaseException as error:
                with lock:
                    errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert all(len(given) == 1 for given in numbers.values()), numbers
    year = days_ago(engine, OFFICE, 3).year
    given = sorted(next(iter(n)) for n in numbers.values())
    assert given == sorted(f"470/{seq}/Disdukcapil/{year}" for seq in range(1, 13))


def test_pattern_and_profile_are_set_from_the_command_line(sqlite_engine: Engine) -> None:
    add_user(sqlite_engine, "petugas", Role.officer, OFFICE)
    runner = CliRunner()
    refused = runner.invoke(app, ["number-pattern", OFFICE, "470/{nomor}/{year}"])
    assert refused.exit_code == 1 and "{seq}" in refused.output
    done = runner.invoke(app, ["number-pattern", OFFICE, "470/{seq}/Dukcapil-Bks/{year}"])
    assert done.exit_code == 0, done.output
    profile = runner.invoke(
        app,
        ["users", "set-profile", "petugas", "--full-name", "Siti R", "--nip", "1985"],
    )
    assert profile.exit_code == 1 and "18 angka" in profile.output
    runner.invoke(app, ["users", "set-profile", "petugas", "--full-name", "Siti R"])
    shipment_id = received_shipment(sqlite_engine, 20, 20)
    with session_scope(sqlite_engine) as session:
        assert get_user(session=session, username="petugas").full_name == "Siti R"
        record = handover.handover_record(
            session=session,
            shipment=get_shipment(session=session, shipment_id=shipment_id),
            issued_by=None,
        )
    assert record.number == f"470/1/Dukcapil-Bks/{days_ago(sqlite_engine, OFFICE, 3).year}"
