"""RFC 9457 problem details (``application/problem+json``) for every error the API returns.

Domain errors are mapped once here, with their stable ``code`` and Indonesian message;
request validation names each bad field; anything unexpected becomes a 500 that shows no
internals (the traceback goes to the log only)."""

import inspect
import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from blangko.errors import DomainError, ProblemCode

log = logging.getLogger("blangko.api")

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "urn:blangko:problem:"

TITLES = {
    400: "Permintaan tidak dapat dibaca",
    401: "Perlu masuk",
    403: "Akses ditolak",
    404: "Tidak ditemukan",
    405: "Metode tidak didukung",
    406: "Format jawaban tidak didukung",
    409: "Bertabrakan dengan data lain",
    412: "Data sudah berubah",
    413: "Berkas terlalu besar",
    415: "Jenis isi tidak didukung",
    422: "Data tidak valid",
    429: "Terlalu banyak percobaan",
    500: "Kesalahan server",
    503: "Layanan belum siap",
}
# The code of an HTTP error that no domain error names; any other status answers
# ``validation_error`` (4xx) or ``internal_error`` (5xx).
CODES = {
    400: ProblemCode.validation_error,
    401: ProblemCode.unauthenticated,
    403: ProblemCode.forbidden,
    404: ProblemCode.not_found,
    405: ProblemCode.method_not_allowed,
    413: ProblemCode.validation_error,
    415: ProblemCode.validation_error,
    422: ProblemCode.validation_error,
    429: ProblemCode.too_many_attempts,
    500: ProblemCode.internal_error,
    503: ProblemCode.unavailable,
}
DETAILS = {
    400: "Isi permintaan tidak dapat dibaca. Periksa format data yang dikirim.",
    401: "Silakan masuk terlebih dahulu dan kirim token akses (Authorization: Bearer …).",
    403: "Anda tidak berhak melakukan tindakan ini.",
    404: "Alamat atau data yang diminta tidak ditemukan. Periksa kembali alamatnya.",
    405: "Metode HTTP ini tidak didukung untuk alamat ini.",
}


def problem(
    request: Request,
    status: int,
    *,
    code: ProblemCode | None = None,
    title: str | None = None,
    detail: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    """One problem-details response; ``errors`` is always there (empty when no field is
    to blame), so a client can iterate it without a check."""
    fallback = ProblemCode.internal_error if status >= 500 else ProblemCode.validation_error
    code = code or CODES.get(status, fallback)
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": title or TITLES.get(status, "Permintaan ditolak"),
        "status": status,
        "detail": detail or DETAILS.get(status, TITLES.get(status, "Permintaan ditolak.")),
        "code": str(code),
        "instance": request.url.path,
        "errors": errors or [],
    }
    for key, value in (extra or {}).items():
        body.setdefault(key, value)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def domain_problem(request: Request, error: DomainError) -> JSONResponse:
    details = dict(error.details)
    errors = details.pop("errors", None)
    field = details.pop("field", None)
    if errors is None and field is not None:
        errors = [{"field": field, "message": error.message}]
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    retry_after = details.pop("retry_after", None)
    if retry_after is not None:
        headers = {"Retry-After": str(retry_after)}
    extra = {k: v for k, v in details.items() if isinstance(v, str | int | float | bool)}
    return problem(
        request,
        error.status,
        code=error.code,
        title=error.title,
        detail=error.message,
        errors=errors,
        headers=headers,
        extra=extra,
    )


# Indonesian wording for pydantic's error types; the field itself is named separately.
_MESSAGES = {
    "missing": "wajib diisi",
    "int_parsing": "harus bilangan bulat",
    "int_type": "harus bilangan bulat",
    "int_from_float": "harus bilangan bulat tanpa pecahan",
    "bool_parsing": "harus true atau false",
    "bool_type": "harus true atau false",
    "string_type": "harus berupa teks",
    "date_parsing": "harus tanggal dengan format YYYY-MM-DD",
    "date_from_datetime_parsing": "harus tanggal dengan format YYYY-MM-DD",
    "date_from_datetime_inexact": "harus tanggal tanpa jam (YYYY-MM-DD)",
    "date_type": "harus tanggal dengan format YYYY-MM-DD",
    "json_invalid": "isi permintaan bukan JSON yang sah",
    "model_attributes_type": "harus berupa objek JSON",
    "dict_type": "harus berupa objek JSON",
    "model_type": "harus berupa objek JSON",
    "extra_forbidden": "kolom ini tidak dikenal; hapus dari permintaan",
    "enum": "harus salah satu dari: {expected}",
    "literal_error": "harus salah satu dari: {expected}",
    "greater_than_equal": "minimal {ge}",
    "greater_than": "harus lebih dari {gt}",
    "less_than_equal": "maksimal {le}",
    "less_than": "harus kurang dari {lt}",
    "string_too_short": "minimal {min_length} karakter",
    "string_too_long": "maksimal {max_length} karakter",
    "string_pattern_mismatch": "formatnya tidak sesuai",
    "too_long": "terlalu banyak isi",
    "value_error": "{error}",
}


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = (
        [str(p) for p in loc[1:]]
        if loc and loc[0] in {"body", "query", "path", "header", "cookie", "form"}
        else [str(p) for p in loc]
    )
    return ".".join(parts) or (str(loc[0]) if loc else "body")


def _message(error: dict[str, Any]) -> str:
    template = _MESSAGES.get(error.get("type", ""))
    if template is None:
        return "nilai tidak valid"
    context = dict(error.get("ctx") or {})
    if "error" in context:
        context["error"] = str(context["error"]).removeprefix("Value error, ")
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return "nilai tidak valid"


def validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "field": "body" if e.get("type") == "json_invalid" else _field_name(tuple(e["loc"])),
            "message": _message(e),
        }
        for e in exc.errors()
    ]


# Seconds a client should wait before trying again when the database cannot be reached.
RETRY_AFTER_UNAVAILABLE = 5


def allowed_methods(request: Request) -> str:
    """Every method the request's path answers to, for the ``Allow`` of a 405. Starlette
    names only the methods of the first route whose path matched, so a path served by a
    GET route and a POST route (``/api/v1/shipments``) said ``Allow: POST``."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):  # included routers' routes too
        if route.matches(request.scope)[0] is Match.NONE:
            continue
        if isinstance(route.route, Mount) and isinstance(route.route.app, StaticFiles):
            methods |= {"GET", "HEAD"}  # what StaticFiles serves
        methods |= route.methods or set()
    return ", ".join(sorted(methods))


def install(app: FastAPI) -> None:
    """Registers the handlers on ``app``."""

    @app.exception_handler(405)
    async def _method_not_allowed(request: Request, exc: Exception) -> Response:
        """Corrects ``Allow``, then answers as any HTTP error (a problem for the API, the
        error page for a page: whichever handler of HTTP errors the app ends up with)."""
        assert isinstance(exc, StarletteHTTPException)
        allow = allowed_methods(request) or (exc.headers or {}).get("Allow", "")
        exc.headers = {**(exc.headers or {}), "Allow": allow}
        answer = request.app.exception_handlers[StarletteHTTPException](request, exc)
        return await answer if inspect.isawaitable(answer) else answer

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return domain_problem(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc)
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem(
            request,
            422,
            code=ProblemCode.validation_error,
            detail=f"Data tidak valid. Perbaiki kolom berikut: {summary}.",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code == 429 else None
        return problem(request, exc.status_code, detail=detail, headers=exc.headers)

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        log.warning("rejected value out of range at %s: %s", request.url.path, exc.orig)
        return problem(
            request,
            422,
            code=ProblemCode.validation_error,
            detail="Ada nilai yang di luar batas yang dapat disimpan. Periksa angka dan teks "
            "yang dikirim.",
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("write conflict at %s: %s", request.url.path, exc.orig)
        return problem(
            request,
            409,
            code=ProblemCode.invalid_state,
            title="Bertabrakan dengan data lain",
            detail="Data ini baru saja diubah oleh permintaan lain. Muat ulang lalu coba lagi.",
        )

    @app.exception_handler(OperationalError)
    async def _unavailable(request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable at %s: %s", request.url.path, exc.orig)
        return problem(
            request,
            503,
            code=ProblemCode.unavailable,
            detail="Basis data sedang tidak dapat dijangkau. Coba lagi beberapa saat lagi.",
            headers={"Retry-After": str(RETRY_AFTER_UNAVAILABLE)},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error at %s %s", request.method, request.url.path)
        return problem(
            request,
            500,
            detail="Terjadi kesalahan di server. Permintaan tidak disimpan; coba lagi atau "
            "hubungi admin.",
        )


_DESCRIBED = {
    400: "The body could not be read (`validation_error`): not UTF-8, bad multipart",
    401: "Not signed in, or the token expired (`unauthenticated`)",
    403: "The user may not act on this office (`forbidden`)",
    404: "No such office, shipment, request or movement (`not_found`)",
    409: "Refused by the ledger: `insufficient_stock`, `invalid_state` or `idempotency_conflict`",
    412: "`precondition_failed`: If-Match names a version that is no longer current; read it again",
    422: "Invalid input (`validation_error`, `future_date`); `errors` names each field",
    429: "Too many failed sign-ins (`too_many_attempts`); see Retry-After",
    500: "Unexpected server error; nothing was written (`internal_error`)",
    503: "The database cannot be reached (`unavailable`); nothing was written, try again "
    "after Retry-After seconds",
}
_RETRY_AFTER = {
    "description": "Seconds to wait before trying again",
    "schema": {"type": "integer", "minimum": 1},
}


def retry_after_header(*, required: bool) -> dict[str, Any]:
    """The ``Retry-After`` header of a 429 or 503, as OpenAPI declares it."""
    return {"Retry-After": {**_RETRY_AFTER, "required": required}}


def problem_responses(
    *statuses: int, described: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses a route can give; ``described`` words
    some of them for the route."""
    entries: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {
            "description": (described or {}).get(status)
            or _DESCRIBED.get(status, TITLES.get(status, "Error")),
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        if status in (429, 503):
            entry["headers"] = retry_after_header(required=True)
        entries[status] = entry
    return entries
