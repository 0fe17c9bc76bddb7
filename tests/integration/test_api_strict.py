"""The API's input is strict (issue 11, item 9): a quantity is a JSON integer written as
one (``12``, not ``12.0``), a date a ``YYYY-MM-DD`` string from 2011 on; and another office's shipment or movement answers exactly like a missing one
(404), so ids cannot be probed."""

from functools import partial
from typing import Any

import pytest
from sqlalchemy import Engine

from blangko.db import session_scope
from blangko.models import Role
from blangko.shipments import dispatch
from blangko.stock import record_stock_count
from tests.integration.api_support import (
    SETUP,
    TestClient,
    add_user,
    bearer,
    client,
    refused_over_http,
    stock_office,
)
from tests.integration.ledger_support import days_ago


@pytest.fixture
def officer(sqlite_engine: Engine) -> dict[str, str]:
    stock_office(sqlite_engine, "32.16", 1000)
    return bearer(add_user(sqlite_engine, "petugas", Role.officer, "32.16"))


@pytest.mark.parametrize("quantity", ["12", True, 1.0, 12.5, None])
def test_quantities_must_be_json_integers(
    sqlite_engine: Engine, officer: dict[str, str], quantity: Any
) -> None:
    http = client()
    today = days_ago(sqlite_engine, "32.16", 0).isoformat()
    body = refused_over_http(
        sqlite_engine,
        lambda: http.post(
            "/api/v1/offices/32.16/stock-counts",
            json={"counted_quantity": quantity, "counted_on": today},
            headers=officer,
        ),
        422,
        "validation_error",
    )
    assert body["errors"][0]["field"] == "counted_quantity"
    report = refused_over_http(
        sqlite_engine,
        lambda: http.put(
            f"/api/v1/offices/32.16/daily-reports/{today}",
            json={"printed": quantity},
            headers=officer,
        ),
        422,
        "validation_error",
    )
    assert report["errors"][0]["field"] == "printed"


# 1763596800 is midnight UTC of 20 Nov 2025: lax parsing took such a timestamp for a date.
@pytest.mark.parametrize("when", [1_763_596_800, "1763596800", "20261120", "2010-12-31"])
def test_dates_must_be_iso_text_from_2011(
    sqlite_engine: Engine, officer: dict[str, str], when: Any
) -> None:
    body = refused_over_http(
        sqlite_engine,
        lambda: client().post(
            "/api/v1/offices/32.16/stock-counts",
            json={"counted_quantity": 5, "counted_on": when},
            headers=officer,
        ),
        422,
        "validation_error",
    )
    assert body["errors"][0]["field"] == "counted_on"


@pytest.mark.parametrize("query", ["from=0001-01-15", "to=1763596800", "from=2026-W01-1"])
def test_date_filters_are_checked_alike(
    sqlite_engine: Engine, officer: dict[str, str], query: str
) -> None:
    answer = client().get(f"/api/v1/offices/32.16/ledger?{query}", headers=officer)
    assert answer.status_code == 422, answer.text


def _other_office_records(engine: Engine) -> tuple[int, int]:
    """A shipment between two offices of another province, and a movement of one."""
    stock_office(engine, "12.71", 100)
    with session_scope(engine) as session:
        shipment = dispatch(
            session=session,
            from_office="12.71",
            to_office="12.72",
            quantity=10,
            expected_on=days_ago(engine, "12.71", -3),
            reference="lain",
            actor=SETUP,
        )
        count = record_stock_count(
            session=session,
            office_code="12.71",
            counted_quantity=80,
            counted_on=days_ago(engine, "12.71", 0),
            actor=SETUP,
        )
        assert shipment.id is not None and count.movement_id is not None
        return shipment.id, count.movement_id


@pytest.mark.parametrize(
    "action", ["shipments/{s}/receive", "shipments/{s}/cancel", "movements/{m}/reverse"]
)
def test_another_offices_shipment_or_movement_is_not_found_like_a_missing_one(
    sqlite_engine: Engine, officer: dict[str, str], action: str
) -> None:
    shipment_id, movement_id = _other_office_records(sqlite_engine)
    http: TestClient = client()
    today = days_ago(sqlite_engine, "12.72", 0).isoformat()
    body = {"received_quantity": 10, "received_on": today} if "receive" in action else None
    other = action.format(s=shipment_id, m=movement_id)
    missing = action.format(s=999_999, m=999_999)
    hidden = refused_over_http(
        sqlite_engine,
        partial(http.post, f"/api/v1/{other}", json=body, headers=officer),
        404,
        "not_found",
    )
    absent = refused_over_http(
        sqlite_engine,
        partial(http.post, f"/api/v1/{missing}", json=body, headers=officer),
        404,
        "not_found",
    )
    record_id = str(movement_id if "movements" in action else shipment_id)
    assert hidden["detail"] == absent["detail"].replace("999999", record_id)
    assert "12.71" not in hidden["detail"] and "12.72" not in hidden["detail"]
