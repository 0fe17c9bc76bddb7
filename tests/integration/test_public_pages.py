"""The public pages as a resident sees them, without signing in (issue 14 item 1): the
level of blanks today, the date it is from, the expected wait, a shipment's week, the
free-of-charge notice and the complaint channels; never stock figures or names."""

import re
from datetime import timedelta

from sqlalchemy import Engine

from blangko.fmt import day
from blangko.models import Role
from tests.integration.api_support import add_user
from tests.integration.public_support import (
    Day,
    office_with,
    public_client,
    send_blanks,
    today_of,
)

MONTH = [Day(requests=100, printed=100, backlog=0)] * 27


def text(html: str) -> str:
    """The page's words, as a screen reader or a person reads them."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_resident_sees_blanks_available_and_the_wait_without_signing_in(
    sqlite_engine: Engine,
) -> None:
    add_user(sqlite_engine, "petugas.bekasi", Role.officer, "32.16")
    last = office_with(
        sqlite_engine, "32.16", received=5800, days=[*MONTH, Day(backlog=250, suket=4)]
    )
    with public_client() as client:
        response = client.get("/publik/32.16")
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert '<html lang="id"' in response.text
    page = text(response.text)
    assert "Kabupaten Bekasi" in page and "Provinsi Jawa Barat" in page
    assert "Blangko KTP-el hari ini Tersedia" in page
    assert f"Menurut laporan harian {day(last)}" in page
    # 250 waiting, 100 printed a day over the last two weeks: three days.
    assert "Sekitar 3 hari" in page
    assert "Tidak ada kiriman blangko dalam perjalanan" in page
    assert "Pencetakan KTP-el GRATIS" in page and "Pasal 79A" in page
    assert "SP4N-LAPOR!" in page and "1708" in page
    # Levels only: neither the 3,000 blanks on hand nor the backlog, nor who reported.
    assert "3.000" not in page and "3000" not in page and "250" not in page
    assert "petugas" not in page
    assert "<script" not in response.text  # nothing needs JavaScript


def test_limited_stock_is_terbatas(sqlite_engine: Engine) -> None:
    office_with(sqlite_engine, "32.16", received=3300, days=[*MONTH, Day()])  # 5 days left
    with public_client() as client:
        page = text(client.get("/publik/32.16").text)
    assert "Blangko KTP-el hari ini Terbatas" in page
    assert "Tanpa antrean" in page


def test_out_of_stock_residents_wait_for_blanks_and_see_the_shipments_week(
    sqlite_engine: Engine,
) -> None:
    office_with(sqlite_engine, "32.16", received=2800, days=[*MONTH, Day(backlog=900)])
    arrives = today_of(sqlite_engine, "32.16") + timedelta(days=10)
    send_blanks(sqlite_engine, "32.16", 3000, arrives)
    monday = arrives - timedelta(days=arrives.weekday())
    with public_client() as client:
        page = text(client.get("/publik/32.16").text)
    assert "Blangko KTP-el hari ini Habis" in page
    assert "Menunggu kiriman blangko" in page
    assert "Suket" in page
    assert f"perkiraan tiba pada minggu {day(monday)} – {day(monday + timedelta(days=6))}" in page


def test_an_office_that_stopped_reporting_says_since_when(sqlite_engine: Engine) -> None:
    last = office_with(sqlite_engine, "32.16", received=5800, days=MONTH, silent_days=5)
    office_with(sqlite_engine, "12.71", received=5800, days=MONTH, silent_days=12)
    with public_client() as client:
        quiet = text(client.get("/publik/32.16").text)
        silent = text(client.get("/publik/12.71").text)
    assert f"Belum melapor sejak {day(last + timedelta(days=1))}" in quiet
    assert "Blangko KTP-el hari ini Tersedia" in quiet  # five days: still judged
    assert "Blangko KTP-el hari ini Tidak diketahui" in silent  # twelve: no longer
    assert "Belum melapor sejak" in silent


def test_the_index_finds_offices_by_name_and_lists_them_by_province(
    sqlite_engine: Engine,
) -> None:
    office_with(sqlite_engine, "32.16", received=5800, days=[*MONTH, Day()])
    with public_client() as client:
        index = client.get("/publik")
        found = client.get("/publik", params={"q": "  BEKASI "})
        province = client.get("/publik", params={"provinsi": "32"})
        by_code = client.get("/publik/32", follow_redirects=False)
        unknown = client.get("/publik/99.99")
    assert index.status_code == 200
    assert 'action="/publik"' in index.text and 'name="q"' in index.text  # a plain form
    assert "Provinsi Jawa Barat" in text(index.text)
    assert "1 tersedia" in text(index.text)
    names = re.findall(r'<a href="/publik/(\d\d\.\d\d)">([^<]+)</a>', found.text)
    assert names == [("32.16", "Kabupaten Bekasi"), ("32.75", "Kota Bekasi")]
    assert "Tersedia" in text(found.text)
    listed = re.findall(r'<a href="/publik/(\d\d\.\d\d)">', province.text)
    assert len(listed) == 27 and all(code.startswith("32.") for code in listed)
    assert by_code.status_code == 303 and by_code.headers["location"] == "/publik?provinsi=32"
    assert unknown.status_code == 404 and "tidak ada di daftar kab/kota" in unknown.text


def test_a_page_follows_the_ledger(sqlite_engine: Engine) -> None:
    """A report saved after the page was first served shows on the next visit."""
    office_with(sqlite_engine, "32.16", received=5800, days=[*MONTH, Day()])
    with public_client() as client:
        before = text(client.get("/publik/32.16").text)
        office_with(sqlite_engine, "32.16", received=1, days=[Day(printed=2950)], silent_days=0)
        after = text(client.get("/publik/32.16").text)
    assert "hari ini Tersedia" in before
    assert "hari ini Habis" in after
