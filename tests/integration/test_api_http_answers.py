"""Honest HTTP answers (issue 17 item 3): a 405 names every method its path answers to,
and /openapi.json lists the problem answers the app really gives: 400 for a body that
cannot be read, 404 for an unknown office in a filter, 409 for an Idempotency-Key sent
again with another body, 503 with Retry-After while the database cannot be reached."""

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from api.app import create_app
from blangko.db import get_engine
from blangko.models import Role
from blangko.settings import get_settings
from tests.integration.api_support import add_user, assert_problem, bearer, client

METHODS = {"get", "put", "post", "delete", "patch"}
# A value for each path parameter of the document.
PATH_VALUES = {"code": "32.16", "report_date": "2026-11-20"}


def _document() -> dict[str, Any]:
    return create_app().openapi()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def _concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), "1"), path)


def _allowed(response: Any) -> set[str]:
    return {method.strip() for method in response.headers["allow"].split(",")}


def test_a_405_names_every_method_of_its_path(sqlite_engine: Engine) -> None:
    """OPTIONS and DELETE on /api/v1/shipments said ``Allow: POST`` though GET exists:
    only the first route of the path was asked."""
    http = client()
    document = _document()
    for path, item in document["paths"].items():
        documented = {method.upper() for method in item if method in METHODS}
        for method in sorted({"OPTIONS", "DELETE", "PATCH", "PUT"} - documented):
            response = http.request(method, _concrete(path))
            assert_problem(response, 405, "method_not_allowed")
            assert _allowed(response) == documented, (method, path)
    for method in ("OPTIONS", "DELETE"):
        shipments = http.request(method, "/api/v1/shipments")
        assert _allowed(shipments) == {"GET", "POST"}
        login = http.request(method, "/login")  # a page: the error page, the same Allow
        assert login.status_code == 405
        assert login.headers["content-type"].startswith("text/html")
        assert _allowed(login) == {"GET", "POST"}


def test_the_document_lists_the_answers_the_app_gives(sqlite_engine: Engine) -> None:
    operations = _operations(_document())
    for method, path, operation in operations:
        responses = operation["responses"]
        where = f"{method.upper()} {path}"
        assert "503" in responses, where
        if "application/problem+json" in responses["503"]["content"]:  # /healthz: Health
            assert responses["503"]["headers"]["Retry-After"]["required"] is True, where
        if "requestBody" in operation:
            assert "400" in responses, where
        if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", [])):
            assert "409" in responses, where
    listed = {(method, path): operation["responses"] for method, path, operation in operations}
    for path in ("/api/v1/shipments", "/api/v1/allocation-requests", "/api/v1/alerts"):
        assert "404" in listed["get", path], path
    assert {"400", "409"} <= set(listed["post", "/api/v1/allocation-requests"])

    http = client()
    planner = bearer(add_user(sqlite_engine, "perencana", Role.planner))
    unreadable = http.post(
        "/api/v1/allocation-requests",
        content=b'{"office": "32.16", "quantity": 5, "reference": "\xff"}',
        headers={**planner, "Content-Type": "application/json"},
    )
    assert_problem(unreadable, 400, "validation_error")
    for path in ("/api/v1/shipments", "/api/v1/allocation-requests", "/api/v1/alerts"):
        unknown = http.get(path, params={"office": "99.99"}, headers=planner)
        assert_problem(unknown, 404, "not_found")
    key = {**planner, "Idempotency-Key": "surat-470-1"}
    body = {"office": "32.16", "quantity": 5, "reference": "470/1"}
    assert http.post("/api/v1/allocation-requests", json=body, headers=key).status_code == 201
    again = http.post("/api/v1/allocation-requests", json={**body, "quantity": 6}, headers=key)
    assert_problem(again, 409, "idempotency_conflict")


def test_every_operation_answers_503_with_retry_after_while_the_database_is_away(
    sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planner = bearer(add_user(sqlite_engine, "perencana", Role.planner))
    # The database goes away: its directory does not exist (SQLite cannot open it).
    monkeypatch.setenv("BLANGKO_DATABASE_URL", f"sqlite:///{tmp_path / 'gone' / 'blangko.db'}")
    get_settings.cache_clear()
    get_engine.cache_clear()
    http = client()
    try:
        answers = [
            http.post("/api/v1/auth/token", data={"username": "perencana", "password": "x" * 12}),
            http.get("/api/v1/shipments", headers=planner),
            http.get("/api/v1/offices/32.16/stock", headers=planner),
            http.post(
                "/api/v1/allocation-requests",
                json={"office": "32.16", "quantity": 5, "reference": "470/2"},
                headers=planner,
            ),
        ]
    finally:
        get_engine().dispose()
    for answer in answers:
        assert_problem(answer, 503, "unavailable")
        assert int(answer.headers["Retry-After"]) >= 1


def test_optional_parameters_are_left_out_never_null(sqlite_engine: Engine) -> None:
    """A query string or a header has no null: a schema allowing one made fuzzers (and
    generated clients) send the text ``null`` as an If-Match or a date filter."""
    document = create_app().openapi()
    nullable = [
        (path, parameter["name"])
        for path, operations in document["paths"].items()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if "null" in str(parameter.get("schema", {}))
    ]
    assert nullable == []
    officer = bearer(add_user(sqlite_engine, "petugas", Role.officer, "32.16"))
    answer = client().put(
        "/api/v1/offices/32.16/daily-reports/2026-11-20",
        json={"print_requests": 1, "printed": 1, "backlog": 0},
        headers={**officer, "If-Match": "null"},
    )
    assert_problem(answer, 422, "validation_error")  # still refused, now as the schema says
