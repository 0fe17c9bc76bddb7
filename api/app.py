"""The FastAPI application: JSON API under ``/api/v1``, ``/healthz`` and the OpenAPI
document at ``/openapi.json``. ``create_app()`` is the factory ``blangko serve`` runs."""

import re
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from starlette.middleware.gzip import GZipMiddleware

import web
from api import errors
from api.routes import (
    alerts,
    auth,
    documents,
    forecasts,
    health,
    imports,
    movements,
    offices,
    procurements,
    reports,
    requests,
    shipments,
    stock,
    tranches,
)
from api.schemas import OFFICE_CODE, FieldError, Problem
from web import security

# One line per area; new areas (forecasts, alerts, web pages) add their router here.
ROUTERS: list[APIRouter] = [
    auth.router,
    offices.router,
    stock.router,
    reports.router,
    procurements.router,
    tranches.router,
    requests.router,
    shipments.router,
    movements.router,
    imports.router,
    alerts.router,
    forecasts.router,
    documents.router,
    health.router,
]

DESCRIPTION = """
JSON API of **Blangko**: stock and distribution of KTP-el blank cards (*blangko*) from
Ditjen Dukcapil to the 552 provincial and kab/kota Dinas Dukcapil.

* **Sign in** with `POST /api/v1/auth/token` (OAuth2 password form) and send the token as
  `Authorization: Bearer <token>`. Tokens expire; sign in again on 401.
* **Roles**: `officer` reads and writes only its own office (a provincial officer also reads
  its kab/kota); `planner` and `admin` see and act on every office; procurement, approving
  and rejecting requests and the national overview are for planners and admins.
* **Offices** are Kemendagri codes: `00` (national stock), `PP` (province), `PP.RR` (kab/kota).
* **Dates** are the office's local date (`YYYY-MM-DD`; WIB for national figures);
  timestamps (`*_at`) are ISO 8601 in UTC with the offset written out
  (`2026-12-01T22:42:00Z`). `as_of` is a timestamp where it is the moment figures were
  read (the stock overview) and a date where it is the last reported day a forecast starts
  after (`/forecasts/...`).
* **Writes** accept an `Idempotency-Key` header: the same key with the same body returns the
  first result and writes nothing; with another body it is refused (`idempotency_conflict`).
* **Errors** are RFC 9457 `application/problem+json` with a stable `code`
  (`insufficient_stock`, `validation_error`, `not_found`, `forbidden`, `unauthenticated`,
  `invalid_state`, `future_date`, `idempotency_conflict`, `too_many_attempts`,
  `unavailable`), a `detail` in Bahasa Indonesia and, for bad input, `errors` naming each
  field. A refused request writes nothing. While the database cannot be reached every
  operation answers 503 `unavailable` with `Retry-After`.
"""

TAGS = [
    {"name": "auth", "description": "Sign in (bearer tokens)"},
    {"name": "offices", "description": "Dinas Dukcapil and Ditjen Dukcapil"},
    {"name": "stock", "description": "Stock positions, stock card, stock counts, overview"},
    {"name": "daily reports", "description": "Prints, spoiled blanks, backlog per day"},
    {"name": "procurements", "description": "Blanks into national stock"},
    {"name": "allocation requests", "description": "Requests for blanks and decisions"},
    {"name": "shipments", "description": "Dispatch, receipt, cancellation"},
    {"name": "movements", "description": "Corrections by reversal"},
    {"name": "imports", "description": "CSV uploads, all or nothing"},
    {"name": "forecasts", "description": "Demand forecasts, stock projections, runs"},
    {"name": "alerts", "description": "Shortage and other alerts, acknowledgement"},
    {"name": "reallocation", "description": "Reallocation plans and their approval"},
    {"name": "documents", "description": "BAST, berita acara pemusnahan, monthly reports"},
    {"name": "health", "description": "Liveness and readiness"},
]


SERVERS = [{"url": "/", "description": "This server (the API is served with the web pages)"}]
LICENSE = {"name": "MIT", "identifier": "MIT"}
# Who answers for the API: the operator's address is not known to the code, so the
# contact names the team; the API's own documentation is /docs.
CONTACT = {"name": "Tim Blangko, Ditjen Dukcapil Kemendagri"}
OPERATION_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


def operation_id(route: APIRoute) -> str:
    """The operation's name in ``/openapi.json`` and in generated clients: the endpoint's
    own name, a snake_case verb phrase (``save_daily_report``)."""
    return route.name


def create_app() -> FastAPI:
    app = FastAPI(
        title="Blangko API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        servers=SERVERS,
        license_info=LICENSE,
        contact=CONTACT,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=operation_id,
    )
    _docs_page(app)
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    _check_operation_ids(app)
    web.install(app)  # the pages share the app, its database and its error mapping
    security.install(app)  # headers on every response; outermost, so cookies get Secure
    # Pages, JSON, CSS and JS compressed (the national overview: 160 KB of HTML, 9 KB on
    # the wire); outside the security headers, which read the docs page to hash its script.
    app.add_middleware(GZipMiddleware, minimum_size=500, compresslevel=6)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _docs_page(app: FastAPI) -> None:
    """Swagger UI from our own copy (web/static/vendor/swagger-ui): offices may be offline."""
    vendor = "/static/vendor/swagger-ui"

    @app.get(security.DOCS_PATH, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} – dokumentasi",
            swagger_js_url=f"{vendor}/swagger-ui-bundle.js",
            swagger_css_url=f"{vendor}/swagger-ui.css",
            swagger_favicon_url=f"{vendor}/favicon-32x32.png",
        )


def _check_operation_ids(app: FastAPI) -> None:
    """Each documented operation has its own snake_case name; FastAPI would only warn."""
    seen: dict[str, str] = {}
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        name = route.operation_id or route.unique_id
        if not OPERATION_ID.match(name):
            raise ValueError(f"{route.path}: operationId {name!r} is not a snake_case verb phrase")
        if len(route.methods or ()) > 1 or name in seen:
            raise ValueError(f"operationId {name!r} of {route.path} is also {seen.get(name)}")
        seen[name] = route.path


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated document plus the problem-details schemas the error responses use."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        servers=app.servers,
        license_info=app.license_info,
        contact=app.contact,
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    template = "#/components/schemas/{model}"
    for model in (Problem, FieldError):
        definition = model.model_json_schema(ref_template=template, mode="serialization")
        schemas.update(definition.pop("$defs", {}))
        schemas[model.__name__] = definition
    _problems_everywhere(document)
    _public_operations(document)
    _absent_not_null(document)
    app.openapi_schema = document
    return document


def _absent_not_null(document: dict[str, Any]) -> None:
    """An optional query or header parameter is left out, never sent as null (there is no
    null in a query string or a header; a client told it may would send the text
    ``null``): its schema keeps only the non-null branch of FastAPI's ``anyOf``."""
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                branches = [b for b in schema.get("anyOf", []) if b.get("type") != "null"]
                if "anyOf" in schema and len(branches) == 1:
                    del schema["anyOf"]
                    schema.update(branches[0])


def _problems_everywhere(document: dict[str, Any]) -> None:
    """Documents the problem responses an API operation can give because of what it is
    made of, whatever router it comes from, so that no route lists them by hand:

    * every operation: 500, and 503 `unavailable` (with Retry-After) while the database
      cannot be reached; FastAPI's default 422 body becomes the problem-details one;
    * with a token: 401; with a body: 400 (not readable: bad encoding, bad multipart);
    * with an ``Idempotency-Key``: 409 `idempotency_conflict`;
    * with an office code in the path or a query filter: 404 for an unknown office."""
    problem = errors.problem_responses(400, 401, 404, 409, 422, 500, 503, described=_SPECIFIC)
    for path, item in document.get("paths", {}).items():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            default_422 = responses.get("422", {}).get("content", {}).get("application/json")
            if default_422 is not None and "HTTPValidationError" in str(default_422):
                responses["422"] = problem[422]
            parameters = operation.get("parameters", [])
            adds = {500: True, 503: True, 400: "requestBody" in operation}
            adds[401] = path.startswith("/api/v1/") and path != "/api/v1/auth/token"
            adds[409] = any(p["name"] == "Idempotency-Key" for p in parameters)
            adds[404] = any(_office_code(p) for p in parameters)
            for status, applies in adds.items():
                if applies:
                    responses.setdefault(str(status), problem[status])
    schemas = document["components"]["schemas"]
    if "HTTPValidationError" not in str(document["paths"]):
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)


def _public_operations(document: dict[str, Any]) -> None:
    """An operation that needs no token says so (``security: []``), so that a client
    generator or a gateway does not have to guess from a missing key."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation.setdefault("security", [])


# How the responses added to every operation read where they come from one cause.
_SPECIFIC = {
    404: "No such office (`not_found`)",
    409: "`idempotency_conflict`: the Idempotency-Key was sent before with another body",
}


def _office_code(parameter: dict[str, Any]) -> bool:
    schema = parameter.get("schema", {})
    options = schema.get("anyOf", [schema])
    return any(option.get("pattern") == OFFICE_CODE for option in options)
