"""Business rules the schema can say (issue 17 item 4): what the API refuses for a static
reason (a date before 2011, a blank letter number, a control character) /openapi.json
refuses too, so clients and fuzzers see the rule; and what the schema accepts, the API
accepts unless the data forbid it (stock, a date still in the future)."""

from typing import Any

import jsonschema_rs
import pytest
from sqlalchemy import Engine

from api.app import create_app
from blangko.models import Role
from tests.integration.api_support import (
    add_user,
    assert_problem,
    bearer,
    client,
    stock_office,
)
from tests.integration.ledger_support import days_ago


def _schema_accepts(schema: dict[str, Any], value: Any) -> bool:
    return bool(jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(value))


def _property(model: str, name: str) -> dict[str, Any]:
    document = create_app().openapi()
    return dict(document["components"]["schemas"][model]["properties"][name])


def _query(path: str, name: str) -> dict[str, Any]:
    document = create_app().openapi()
    parameters = document["paths"][path]["get"]["parameters"]
    return dict(next(p["schema"] for p in parameters if p["name"] == name))


@pytest.fixture
def planner(sqlite_engine: Engine) -> dict[str, str]:
    stock_office(sqlite_engine, "00", 1000)
    return bearer(add_user(sqlite_engine, "perencana", Role.planner))


REQUEST = {"office": "32.16", "quantity": 5, "reference": "470/1123/Disdukcapil"}
REFUSED_TEXTS = ["", "   ", "\u3000", "surat\x01", "\x7f"]


@pytest.mark.parametrize("reference", REFUSED_TEXTS)
def test_a_blank_or_unprintable_letter_number_is_refused_by_schema_and_api(
    planner: dict[str, str], reference: str
) -> None:
    assert not _schema_accepts(_property("AllocationRequestCreate", "reference"), reference)
    assert not _schema_accepts(_property("ProcurementCreate", "reference"), reference)
    answer = client().post(
        "/api/v1/allocation-requests", json={**REQUEST, "reference": reference}, headers=planner
    )
    assert_problem(answer, 422, "validation_error")


def test_a_rejection_needs_a_reason_in_the_schema_too(planner: dict[str, str]) -> None:
    reason = _property("AllocationReject", "reason")
    for refused in REFUSED_TEXTS:
        assert not _schema_accepts(reason, refused), refused
    assert _schema_accepts(reason, "Stok nasional kosong")
    note = _property("AllocationRequestCreate", "note")
    assert _schema_accepts(note, "") and _schema_accepts(note, "baris\nkedua")
    assert not _schema_accepts(note, "bel\x07")


@pytest.mark.parametrize(
    ("received_on", "accepted"),
    [("2010-12-31", False), ("2011-01-01", True), ("2100-01-01", False), ("2026-02-30", False)],
)
def test_dates_before_2011_are_refused_by_schema_and_api(
    sqlite_engine: Engine, planner: dict[str, str], received_on: str, accepted: bool
) -> None:
    assert _schema_accepts(_property("ProcurementCreate", "received_on"), received_on) is accepted
    body = {"quantity": 10, "received_on": received_on, "reference": "SPK-1"}
    answer = client().post("/api/v1/procurements", json=body, headers=planner)
    assert (answer.status_code == 201) is accepted, answer.text
    ledger = "/api/v1/offices/{code}/ledger"
    assert _schema_accepts(_query(ledger, "from"), received_on) is accepted
    card = client().get(ledger.format(code="00"), params={"from": received_on}, headers=planner)
    assert (card.status_code == 200) is accepted, card.text


def test_what_the_schema_accepts_is_refused_only_for_the_data(
    sqlite_engine: Engine, planner: dict[str, str]
) -> None:
    """A schema-valid date still in the future of the office is refused (`future_date`):
    that rule depends on the day, not on the value."""
    tomorrow = days_ago(sqlite_engine, "00", -1).isoformat()
    assert _schema_accepts(_property("ProcurementCreate", "received_on"), tomorrow)
    body = {"quantity": 10, "received_on": tomorrow, "reference": "SPK-2"}
    answer = client().post("/api/v1/procurements", json=body, headers=planner)
    assert_problem(answer, 422, "future_date")


def test_the_national_office_asks_nobody_for_blanks_in_the_schema_too(
    planner: dict[str, str],
) -> None:
    office = _property("AllocationRequestCreate", "office")
    assert not _schema_accepts(office, "00")
    assert _schema_accepts(office, "32") and _schema_accepts(office, "32.16")
    answer = client().post(
        "/api/v1/allocation-requests", json={**REQUEST, "office": "00"}, headers=planner
    )
    assert_problem(answer, 422, "validation_error")
