"""The open data as a re-user downloads it (issue 14 item 2): today's status of every
kab/kota office as JSON and CSV with the date of the data and the licence, the schema
documented, and the nightly snapshots downloadable by month."""

import csv
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from blangko.db import session_scope
from blangko.models import Role
from blangko.open_data import take_snapshot
from blangko.public import public_board
from forecast.jobs import public_snapshot
from tests.integration.api_support import add_user
from tests.integration.public_support import Day, office_with, public_client, send_blanks

MONTH = [Day()] * 27
REQUIRED = [
    "code",
    "name",
    "province",
    "status",
    "last_report_on",
    "expected_wait_days",
    "shipment_expected_on",
]


def test_today_as_json_and_csv_with_date_licence_and_the_same_rows(
    sqlite_engine: Engine,
) -> None:
    add_user(sqlite_engine, "petugas.bekasi", Role.officer, "32.16")
    last = office_with(sqlite_engine, "32.16", received=5800, days=[*MONTH, Day(backlog=250)])
    arrives = last + timedelta(days=12)
    send_blanks(sqlite_engine, "32.16", 2000, arrives)
    with public_client() as client:
        as_json = client.get("/publik/data.json")
        as_csv = client.get("/publik/data.csv")
        schema = client.get("/publik/data")
    assert as_json.status_code == as_csv.status_code == schema.status_code == 200
    data = as_json.json()
    assert data["licence"] == "CC BY 4.0" and "creativecommons.org" in data["licence_url"]
    as_of = datetime.fromisoformat(data["as_of"])
    assert abs(as_of - datetime.now(UTC)) < timedelta(minutes=5)
    assert len(data["offices"]) == 514
    bekasi = next(o for o in data["offices"] if o["code"] == "32.16")
    assert bekasi == {
        "code": "32.16",
        "name": "Kabupaten Bekasi",
        "kind": "kabupaten",
        "province_code": "32",
        "province": "Provinsi Jawa Barat",
        "status": "tersedia",
        "last_report_on": last.isoformat(),
        "silent_since": None,
        "expected_wait_days": 3,
        "waiting_for_blanks": False,
        "shipment_expected_on": arrives.isoformat(),
    }
    silent = next(o for o in data["offices"] if o["code"] == "12.71")
    assert silent["status"] == "tidak_diketahui" and silent["last_report_on"] is None
    assert set(REQUIRED) <= set(data["schema"])

    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["content-disposition"]
    assert "creativecommons.org" in as_csv.headers["link"]
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(rows) == 514
    assert set(REQUIRED) <= set(rows[0])
    row = next(r for r in rows if r["code"] == "32.16")
    assert row["as_of"] == data["as_of"]
    assert row["status"] == "tersedia" and row["expected_wait_days"] == "3"
    assert row["shipment_expected_on"] == arrives.isoformat()
    assert row["waiting_for_blanks"] == "false"
    # No stock figures, no people.
    for body in (as_json.text, as_csv.text):
        assert "petugas" not in body and "5800" not in body and "3000" not in body

    documented = schema.text
    for name in REQUIRED:
        assert f"<code>{name}</code>" in documented
    assert "CC BY 4.0" in documented


def test_the_nightly_snapshot_is_history_by_month(sqlite_engine: Engine) -> None:
    office_with(sqlite_engine, "32.16", received=2800, days=[*MONTH, Day(backlog=300)])
    today = (datetime.now(UTC) + timedelta(hours=7)).date()  # WIB
    before = today.replace(day=1) - timedelta(days=1)  # the last day of last month
    earlier = datetime(before.year, before.month, before.day, 19, tzinfo=UTC) - timedelta(days=1)
    last_month = f"{before.year:04d}-{before.month:02d}"
    with session_scope(sqlite_engine) as session:
        take_snapshot(session=session, board=public_board(session=session, now=earlier))
    assert public_snapshot() == "public snapshot: 514 offices."
    assert public_snapshot() == "public snapshot: 514 offices."  # the same day replaced
    with public_client() as client:
        page = client.get("/publik/data").text
        month = f"{today.year:04d}-{today.month:02d}"
        this_month = client.get(f"/publik/data/{month}.csv")
        previous = client.get(f"/publik/data/{last_month}.json")
        missing = client.get("/publik/data/1999-01.csv")
        bad = client.get("/publik/data/2026-13.csv")
    assert f'href="/publik/data/{month}.csv"' in page
    assert f'href="/publik/data/{last_month}.csv"' in page
    rows = list(csv.DictReader(io.StringIO(this_month.text)))
    assert {r["date"] for r in rows} == {today.isoformat()}
    assert len(rows) == 514
    bekasi = next(r for r in rows if r["code"] == "32.16")
    assert bekasi["status"] == "habis" and bekasi["waiting_for_blanks"] == "true"
    assert previous.status_code == 200
    history = previous.json()
    assert history["licence"] == "CC BY 4.0"
    assert {r["date"] for r in history["rows"]} == {before.isoformat()}
    assert missing.status_code == 404 and bad.status_code == 404
