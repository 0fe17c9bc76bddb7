"""Helpers of the HTTP API tests: the real app behind a test client, users and their
tokens, setup through the services, and checks of RFC 9457 problem responses."""

import re
import warnings
from typing import Any

import httpx
from sqlalchemy import Engine

from blangko.db import session_scope
from blangko.ledger import Actor
from blangko.models import Role, Source, User
from blangko.shipments import dispatch, receive
from blangko.stock import record_procurement
from blangko.users import create_user
from tests.integration.ledger_support import days_ago, read_state

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import issue_token

PASSWORD = "kata-sandi-rahasia"
SETUP = Actor(user_id=None, source=Source.cli)


def client() -> TestClient:
    """The whole application; server errors come back as 500 responses, not exceptions."""
    return TestClient(create_app(), raise_server_exceptions=False)


def add_user(engine: Engine, username: str, role: Role, office: str | None = None) -> User:
    with session_scope(engine) as session:
        return create_user(
            session=session, username=username, password=PASSWORD, role=role, office_code=office
        )


def sign_in_page(web: TestClient, username: str) -> None:
    """Signs ``username`` in through the web form (CSRF token and all), in place of
    whoever was signed in."""
    web.cookies.clear()
    page = web.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    answer = web.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303


def bearer(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(user).token}"}


def stock_office(engine: Engine, office: str, quantity: int) -> None:
    """Procures ``quantity`` blanks and delivers them to ``office`` in full."""
    with session_scope(engine) as session:
        record_procurement(
            session=session,
            quantity=quantity,
            received_on=days_ago(engine, "00", 30),
            reference=f"SPK/{office}",
            actor=SETUP,
        )
        if office == "00":
            return
        shipment = dispatch(
            session=session,
            from_office="00",
            to_office=office,
            quantity=quantity,
            expected_on=days_ago(engine, "00", 20),
            dispatched_on=days_ago(engine, "00", 25),
            reference="setup",
            actor=SETUP,
        )
        assert shipment.id is not None
        receive(
            session=session,
            shipment_id=shipment.id,
            received_quantity=quantity,
            received_on=days_ago(engine, office, 20),
            actor=SETUP,
        )


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status and code and an Indonesian
    message; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:blangko:problem:{code}"
    assert body["title"] and body["detail"] and body["instance"]
    assert "Traceback" not in response.text
    return body


def refused_over_http(engine: Engine, send: Any, status: int, code: str) -> dict[str, Any]:
    """Sends a request that must be refused and checks that nothing was written."""
    before = read_state(engine)
    body = assert_problem(send(), status, code)
    assert read_state(engine) == before
    return body
