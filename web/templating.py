"""Jinja2 environment of the pages: Indonesian number and date filters, the CSRF token
and the signed-in user in every template."""

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from blangko import fmt
from blangko.errors import DomainError

TEMPLATES = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.filters["angka"] = fmt.number
templates.env.filters["tanggal"] = fmt.day


def percent(value: float | None) -> str:
    return "–" if value is None else f"{fmt.number(value * 100, 0)} %"


templates.env.filters["persen"] = percent


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    context = dict(context or {})
    context.setdefault("user", getattr(request.state, "user", None))
    context.setdefault("csrf_token", request.session.get("csrf", ""))
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def refused(
    request: Request, name: str, context: dict[str, Any], error: DomainError, form: FormData
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


def done(path: str, message: str, **query: str) -> RedirectResponse:
    """Back to a page after a successful form (post/redirect/get), with the message the
    page shows on top."""
    return RedirectResponse(f"{path}?{urlencode({**query, 'pesan': message})}", status_code=303)
