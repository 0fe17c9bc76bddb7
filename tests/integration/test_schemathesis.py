"""Schema-driven fuzzing of the whole API (schemathesis): every operation of
``/openapi.json``, signed in as a planner and as an officer, with valid and invalid
inputs. No response may be a 5xx; every response must have a documented status code
(issue 17 item 3: 400, 404, 409, 503 were given but not listed), content type, headers
and schema; a method the path does not answer is a 405 whose ``Allow`` names the
path's methods.

The database holds stock, a shipment, a request and movements, so that small generated
ids and the seeded office codes reach real data."""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from sqlalchemy import Engine

from api.app import create_app
from blangko.db import session_scope
from blangko.models import Role
from blangko.shipments import dispatch, request_allocation
from tests.integration.api_support import SETUP, add_user, bearer, stock_office
from tests.integration.ledger_support import days_ago

pytestmark = pytest.mark.slow

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.response_schema_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.unsupported_method,
    checks.allow_header_conformance,
]


@pytest.fixture(params=["planner", "officer"])
def headers(request: pytest.FixtureRequest, sqlite_engine: Engine) -> dict[str, str]:
    engine = sqlite_engine
    stock_office(engine, "32.16", 5000)
    stock_office(engine, "00", 100_000)
    with session_scope(engine) as session:
        dispatch(
            session=session,
            from_office="00",
            to_office="32.16",
            quantity=100,
            expected_on=days_ago(engine, "00", -5),
            reference="fuzz",
            actor=SETUP,
        )
        request_allocation(
            session=session, office_code="32.16", quantity=50, reference="470/fuzz", actor=SETUP
        )
    if request.param == "planner":
        return bearer(add_user(engine, "planner", Role.planner))
    return bearer(add_user(engine, "bekasi", Role.officer, "32.16"))


# The document is read once; every request goes to the app, whose database is the one
# the fixture of each test points it at.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_error_and_every_response_as_documented(
    case: Any, headers: dict[str, str]
) -> None:
    case.call_and_validate(headers=headers, checks=CHECKS)
