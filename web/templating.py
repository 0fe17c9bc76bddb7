"""Jinja2 environment of the pages: Indonesian number and date filters, the CSRF token,
the signed-in user and the one-time message in every template, versioned static
addresses (``static_url``) and the marks of a refused field (``invalid``)."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from blangko import fmt, ikd
from blangko.errors import DomainError
from web.assets import static_url

TEMPLATES = Path(__file__).parent / "templates"
FLASH = "flash"  # the session key of the one-time message
templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.filters["angka"] = fmt.number
templates.env.filters["tanggal"] = fmt.day
templates.env.filters["waktu"] = fmt.moment  # stored UTC → "2 Des 2026 05.42 WIB"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{fmt.number(value * 100, 0)} %"


templates.env.filters["persen"] = percent
templates.env.globals["static_url"] = static_url
ERROR_ID = "galat"  # the id of a refused form's message (templates/_error.html)


@pass_context
def invalid(context: Context, field: str, hint: str = "", when: bool = True) -> Markup:
    """The attributes of form field ``field``: when the refusal names it (and ``when``),
    marked invalid, described by the message (and its ``hint``) and focused on load, so
    that a screen reader lands on it and reads why; otherwise only its ``hint``."""
    if when and context.get("error") and context.get("error_field") == field:
        described = f"{ERROR_ID} {hint}".strip()
        return Markup('aria-invalid="true" aria-describedby="{}" autofocus').format(described)
    return Markup('aria-describedby="{}"').format(hint) if hint else Markup("")


templates.env.globals["invalid"] = invalid
templates.env.globals["below_ikd_target"] = ikd.below_target  # "di bawah 50 %"


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
