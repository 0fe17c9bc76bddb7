"""What an integrator generating a client from ``/openapi.json`` relies on (issue 16 items
6 and 7): operation names, named schemas and enums, problem codes a client can switch on,
lists as ``{items, total, next}``, ``ETag``/``If-Match`` on daily reports and
``Idempotency-Key`` on every write."""

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from api import errors as api_errors
from api.app import create_app
from blangko import errors as domain_errors
from blangko import idempotency
from blangko.db import session_scope
from blangko.errors import DomainError, ProblemCode
from blangko.models import AlertKind, AlertSeverity, Role
from blangko.shipments import dispatch
from forecast import alert_rules, alert_store, alerts, runner
from forecast.runs import queue_run
from tests.integration.api_support import (
    SETUP,
    add_user,
    assert_problem,
    bearer,
    client,
    stock_office,
)
from tests.integration.ledger_support import days_ago


def _document() -> dict[str, Any]:
    return create_app().openapi()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "responses" in operation
    ]


def test_every_operation_has_a_snake_case_verb_name_of_its_own() -> None:
    document = _document()
    names = [operation["operationId"] for _, _, operation in _operations(document)]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", name) for name in names), names
    assert not [name for name in names if "api_v1" in name]
    wanted = {"sign_in", "get_office_stock", "save_daily_report", "get_daily_report"}
    assert wanted <= set(names)
    assert {"list_shipments", "receive_shipment", "create_allocation_request"} <= set(names)


def test_named_schemas_and_shared_enums() -> None:
    document = _document()
    schemas = document["components"]["schemas"]
    assert not [name for name in schemas if name.startswith("Body_") and "token" in name]
    login = document["paths"]["/api/v1/auth/token"]["post"]["requestBody"]["content"]
    assert login["application/x-www-form-urlencoded"]["schema"] == {
        "$ref": "#/components/schemas/SignInForm"
    }
    for enum in ("AlertStatus", "RiskLevel", "ForecastModel", "ForecastRunStatus", "HealthStatus"):
        assert "enum" in schemas[enum], enum
    text = str(schemas)
    # Reused, not repeated inline: the risk level of the overview and of a forecast.
    assert text.count("#/components/schemas/RiskLevel") >= 2
    assert schemas["Health"]["properties"]["last_forecast_run"]["anyOf"][0] == {
        "$ref": "#/components/schemas/HealthLastRun"
    }
    forecast = schemas["OfficeForecastPublic"]["properties"]
    assert forecast["stockout_probability"]["$ref"].endswith("/StockoutProbability")
    assert set(schemas["StockoutProbability"]["properties"]) == {"14", "30", "60"}
    assert forecast["backtest"]["$ref"].endswith("/BacktestScores")


def test_problem_code_is_an_enum_of_every_code_the_server_emits() -> None:
    document = _document()
    problem = document["components"]["schemas"]["Problem"]
    assert problem["properties"]["code"] == {
        "$ref": "#/components/schemas/ProblemCode",
        "description": "Stable code a client can act on",
    }
    listed = set(document["components"]["schemas"]["ProblemCode"]["enum"])
    assert listed == {code.value for code in ProblemCode}
    # ``errors`` is always there and never null.
    assert "errors" in problem["required"]
    assert problem["properties"]["errors"]["type"] == "array"

    def subclasses(cls: type[DomainError]) -> list[type[DomainError]]:
        return [cls, *(s for sub in cls.__subclasses__() for s in subclasses(sub))]

    emitted = {cls.code for cls in subclasses(DomainError)} | set(api_errors.CODES.values())
    assert emitted <= listed
    # Every domain error module-level class is covered (the walk above found them all).
    named = {
        getattr(domain_errors, name).code
        for name in dir(domain_errors)
        if isinstance(getattr(domain_errors, name), type)
        and issubclass(getattr(domain_errors, name), DomainError)
    }
    assert named <= listed and "precondition_failed" in listed
    assert {"method_not_allowed", "unavailable", "internal_error"} <= listed


def test_problems_carry_an_errors_list_even_when_no_field_is_to_blame(engine: Engine) -> None:
    http = client()
    missing = assert_problem(http.get("/api/v1/offices"), 401, "unauthenticated")
    assert missing["errors"] == []
    wrong = assert_problem(http.delete("/api/v1/offices"), 405, "method_not_allowed")
    assert wrong["errors"] == []
    token = http.post("/api/v1/auth/token", data={"username": "x"})
    invalid = assert_problem(token, 422, "validation_error")
    assert [e["field"] for e in invalid["errors"]] == ["password"]


def test_document_names_servers_licence_contact_and_public_operations() -> None:
    document = _document()
    assert document["servers"] and document["servers"][0]["url"] == "/"
    assert document["info"]["license"]["name"] == "MIT"
    assert document["info"]["contact"]["name"]
    public = {op["operationId"]: op["security"] for _, _, op in _operations(document)}
    assert public["sign_in"] == [] and public["get_health"] == []
    assert public["list_shipments"] == [{"OAuth2PasswordBearer": []}]
    for method, path, operation in _operations(document):
        for status in ("429", "503"):
            if status in operation["responses"]:
                headers = operation["responses"][status].get("headers", {})
                assert "Retry-After" in headers, (method, path, status)
        writes = method in ("post", "put") and path != "/api/v1/auth/token"
        if writes and "logout" not in path:
            names = {p["name"] for p in operation.get("parameters", [])}
            assert "Idempotency-Key" in names, (method, path)


def test_lists_answer_items_total_and_next(engine: Engine) -> None:
    stock_office(engine, "00", 1000)
    with session_scope(engine) as session:
        for n in range(3):
            dispatch(
                session=session,
                from_office="00",
                to_office="32.16",
                quantity=10 + n,
                expected_on=days_ago(engine, "00", -5),
                reference=f"page {n}",
                actor=SETUP,
            )
    planner = bearer(add_user(engine, "planner", Role.planner))
    http = client()
    first = http.get("/api/v1/shipments", params={"limit": 2}, headers=planner).json()
    assert first["total"] == 3 and first["next"] == 2 and len(first["items"]) == 2
    last = http.get("/api/v1/shipments", params={"limit": 2, "offset": 2}, headers=planner)
    assert last.json()["next"] is None and len(last.json()["items"]) == 1
    assert {s["quantity"] for s in first["items"] + last.json()["items"]} == {10, 11, 12}
    too_many = http.get("/api/v1/shipments", params={"limit": 5000}, headers=planner)
    assert_problem(too_many, 422, "validation_error")

    for path in (
        "/api/v1/offices",
        "/api/v1/allocation-requests",
        "/api/v1/alerts",
        "/api/v1/offices/32.16/daily-reports",
    ):
        body = http.get(path, headers=planner).json()
        assert set(body) == {"items", "total", "next"}, path
    offices = http.get("/api/v1/offices", params={"limit": 10}, headers=planner).json()
    assert offices["total"] > 500 and offices["next"] == 10


def test_a_stale_if_match_is_refused_with_412(engine: Engine) -> None:
    stock_office(engine, "32.16", 1000)
    officer = bearer(add_user(engine, "bekasi", Role.officer, "32.16"))
    http = client()
    url = f"/api/v1/offices/32.16/daily-reports/{days_ago(engine, '32.16', 1).isoformat()}"
    first = http.put(url, json={"printed": 10}, headers=officer)
    assert first.status_code == 200 and first.headers["etag"] == '"1"'
    read = http.get(url, headers=officer)
    assert read.json()["version"] == 1 and read.headers["etag"] == '"1"'

    # Someone else corrects the day meanwhile; our correction still names version 1.
    assert http.put(url, json={"printed": 12}, headers=officer).headers["etag"] == '"2"'
    stale = http.put(url, json={"printed": 99}, headers={**officer, "If-Match": '"1"'})
    body = assert_problem(stale, 412, "precondition_failed")
    assert "versi 2" in body["detail"] and 'If-Match: "2"' in body["detail"]
    assert http.get(url, headers=officer).json()["printed"] == 12  # nothing written

    fresh = http.put(url, json={"printed": 13}, headers={**officer, "If-Match": '"2"'})
    assert fresh.status_code == 200 and fresh.headers["etag"] == '"3"'
    new_day = url[:-10] + days_ago(engine, "32.16", 2).isoformat()
    assert_problem(
        http.put(new_day, json={"printed": 1}, headers={**officer, "If-Match": "*"}),
        412,
        "precondition_failed",
    )


def test_alert_ack_and_repeated_forecast_run_honour_the_idempotency_key(engine: Engine) -> None:
    with session_scope(engine) as session:
        alert_store.sync(
            session=session,
            findings=[
                alert_rules.Finding("32.16", AlertKind.stockout_risk, AlertSeverity.critical, "A"),
                alert_rules.Finding("32.04", AlertKind.surplus, AlertSeverity.info, "B"),
            ],
            kinds=alerts.ALL_KINDS,
            now=datetime.now(UTC),
        )
    user = add_user(engine, "planner", Role.planner)
    planner = bearer(user)
    http = client()
    listed = http.get("/api/v1/alerts", headers=planner).json()["items"]
    first, second = (a["id"] for a in listed)
    key = {**planner, "Idempotency-Key": "ack-1"}
    assert http.post(f"/api/v1/alerts/{first}/ack", headers=key).status_code == 200
    assert http.post(f"/api/v1/alerts/{first}/ack", headers=key).json()["id"] == first
    other = http.post(f"/api/v1/alerts/{second}/ack", headers=key)
    assert_problem(other, 409, "idempotency_conflict")

    # A run started with a key (and still queued): the same request again answers it.
    with session_scope(engine) as session:
        run, _ = queue_run(
            session=session,
            settings=runner.RunSettings(),
            requested_by=user.id,
            idempotency_key=idempotency.scoped(user.id, "run-1"),
        )
    again = http.post("/api/v1/forecasts/run", headers={**planner, "Idempotency-Key": "run-1"})
    assert again.status_code == 202 and again.json()["id"] == run.id
    busy = http.post("/api/v1/forecasts/run", headers={**planner, "Idempotency-Key": "run-2"})
    assert_problem(busy, 409, "invalid_state")
