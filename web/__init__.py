"""Server-rendered pages in Bahasa Indonesia for stock officers and planners."""

import inspect
import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from blangko.errors import DomainError, Unauthenticated
from blangko.settings import secret_key
from web.assets import STATIC, VersionedStatic, favicon
from web.deps import CsrfFailed, LoginRequired
from web.templating import render

log = logging.getLogger("blangko.web")
SESSION_HOURS = 12


def install(app: FastAPI) -> None:
    """Adds the pages, their static files and the signed session cookie to ``app``."""
    from web.public_cache import PublicCache
    from web.rate_limit import RateLimit
    from web.routes import (
        account,
        admin,
        auth,
        documents,
        jobs,
        office,
        planner,
        public,
        quotas,
        tranches,
    )

    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key(),
        session_cookie="blangko_session",
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=False,
    )
    app.mount("/static", VersionedStatic(directory=STATIC), name="static")
    app.add_api_route("/favicon.ico", favicon, methods=["GET"], include_in_schema=False)
    for module in (
        auth,
        office,
        documents,
        planner,
        tranches,
        quotas,
        jobs,
        admin,
        account,
        public,
    ):
        app.include_router(module.router)
    # The public pages take the residents' load, and routes are tried in order: with
    # theirs last, matching the 80 others was half of a cached page's time.
    app.router.routes.insert(0, app.router.routes.pop())  # public, included just now
    app.state.public = PublicCache()  # one per server process
    app.state.public_limit = RateLimit()
    app.add_exception_handler(LoginRequired, _to_login)
    app.add_exception_handler(CsrfFailed, _csrf_failed)
    for kind, answer in PAGE_ERRORS.items():
        _answer_pages(app, kind, answer)


def is_page(request: Request) -> bool:
    """Whether the request is for a page (a person), not for the JSON API."""
    path = request.url.path
    return not (path.startswith("/api") or path in ("/healthz", "/openapi.json"))


def _answer_pages(
    app: FastAPI, kind: type[Exception], answer: Callable[[Request, Any], Response]
) -> None:
    """Errors on pages render the HTML error page; the API keeps its problem details."""
    api_handler = app.exception_handlers.get(kind)

    async def handle(request: Request, error: Exception) -> Response:
        if api_handler is not None and not is_page(request):
            response = api_handler(request, error)
            return await response if inspect.isawaitable(response) else response
        return answer(request, error)

    app.add_exception_handler(kind, handle)


def _domain(request: Request, error: DomainError) -> Response:
    if isinstance(error, Unauthenticated):  # the session ended (logout elsewhere, deactivated)
        request.session.pop("uid", None)
        request.session.pop("sid", None)
        return RedirectResponse("/login", status_code=303)
    return page_error(request, error.status, error.message)


def _invalid(request: Request, error: RequestValidationError) -> Response:
    if any(e.get("loc", ("",))[0] == "path" for e in error.errors()):
        return page_error(request, 404, "Data yang diminta tidak ditemukan. Periksa alamatnya.")
    return page_error(request, 422, "Isian tidak dapat dibaca. Muat ulang halaman lalu coba lagi.")


def _http(request: Request, error: StarletteHTTPException) -> Response:
    messages = {
        404: "Halaman tidak ditemukan. Periksa alamatnya.",
        405: "Alamat ini tidak menerima permintaan seperti itu.",
        429: "Terlalu banyak permintaan dari alamat Anda. Tunggu sebentar lalu muat ulang.",
    }
    message = messages.get(error.status_code, "Permintaan tidak dapat diproses.")
    response = page_error(request, error.status_code, message)
    response.headers.update(error.headers or {})
    return response


def _unexpected(request: Request, error: Exception) -> Response:
    log.error("page error at %s %s", request.method, request.url.path, exc_info=error)
    return page_error(
        request,
        500,
        "Terjadi kesalahan di server. Tidak ada yang disimpan; coba lagi atau hubungi admin.",
    )


def _unavailable(request: Request, error: OperationalError) -> Response:
    log.error("database unavailable at %s: %s", request.url.path, error.orig)
    response = page_error(
        request, 503, "Basis data sedang sibuk atau tidak terjangkau. Coba lagi sebentar lagi."
    )
    response.headers["Retry-After"] = "5"
    return response


PAGE_ERRORS: dict[type[Exception], Callable[[Request, Any], Response]] = {
    DomainError: _domain,
    RequestValidationError: _invalid,
    StarletteHTTPException: _http,
    DataError: lambda request, _error: page_error(
        request, 422, "Ada nilai di luar batas yang dapat disimpan. Periksa angka dan teks isian."
    ),
    IntegrityError: lambda request, _error: page_error(
        request, 409, "Data ini baru saja diubah oleh orang lain. Muat ulang lalu coba lagi."
    ),
    OperationalError: _unavailable,
    Exception: _unexpected,
}


def _to_login(request: Request, _error: Exception) -> Response:
    return RedirectResponse("/login", status_code=303)


def _csrf_failed(request: Request, _error: Exception) -> Response:
    return page_error(
        request,
        403,
        "Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim lagi.",
    )


def page_error(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", {"status": status, "message": message}, status)
