"""Server-rendered pages in Bahasa Indonesia for stock officers and planners."""

import inspect
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from blangko.errors import DomainError
from blangko.settings import secret_key
from web.deps import CsrfFailed, LoginRequired
from web.templating import render

STATIC = Path(__file__).parent / "static"
SESSION_HOURS = 12


def install(app: FastAPI) -> None:
    """Adds the pages, their static files and the signed session cookie to ``app``."""
    from web.routes import auth, jobs, office, planner

    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key(),
        session_cookie="blangko_session",
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=False,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (auth, office, planner, jobs):
        app.include_router(module.router)
    app.add_exception_handler(LoginRequired, _to_login)
    app.add_exception_handler(CsrfFailed, _csrf_failed)
    api_handler = app.exception_handlers.get(DomainError)

    async def domain_error(request: Request, error: Exception) -> Response:
        # JSON clients keep the API's problem details; people get a page.
        if api_handler is not None and request.url.path.startswith("/api"):
            answer = api_handler(request, error)
            return await answer if inspect.isawaitable(answer) else answer
        assert isinstance(error, DomainError)
        return page_error(request, error.status, error.message)

    app.add_exception_handler(DomainError, domain_error)


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
