"""Jinja2 environment of the pages: Indonesian number and date filters, the CSRF token,
the signed-in user and the one-time message in every template."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from blangko import fmt
from blangko.errors import DomainError

TEMPLATES = Path(__file__).parent / "templates"
FLASH = "flash"  # the session key of the one-time message
templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.filters["angka"] = fmt.number
templates.env.filters["tanggal"] = fmt.day
templates.env.filters["waktu"] = fmt.moment  # stored UTC → "2 Des 2026 05.42 WIB"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{fmt.number(value * 100, 0)} %"


templates.env.filters["persen"] = percent


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    context = dict(context or {})
    context.setdefault("user", getattr(request.state, "user", None))
    # An error page rendered outside the session middleware (a 500) has no session.
    session = request.scope.get("session", {})
    context.setdefault("csrf_token", session.get("csrf", ""))
    context.setdefault("flash", session.pop(FLASH, None))
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def refused(
    request: Request,
    name: str,
    context: dict[str, Any],
    error: DomainError,
    form: Mapping[str, Any],
) -> HTMLResponse:
    """The form page again after a refusal: the domain's message in place, the field it
    names marked, and what was typed kept."""
    context = {
        **context,
        "values": dict(form),
        "error": error.message,
        "error_field": error.details.get("field"),
    }
    return render(request, name, context, status_code=error.status)


def done(request: Request, path: str, message: str, **query: str) -> RedirectResponse:
    """Back to a page after a successful form (post/redirect/get). The message is kept in
    the signed session cookie and shown once on top of the next page, never read from the
    address (where anyone could write a link with their own text)."""
    request.session[FLASH] = message
    target = f"{path}?{urlencode(query)}" if query else path
    return RedirectResponse(target, status_code=303)
