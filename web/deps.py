"""Request plumbing of the pages, the same as the API's (``api.transaction``): each page
is a plain ``def`` run by ``PageRoute`` in one database thread, with its signed-in user,
its commit or rollback; the dependencies that run on the event loop (the session cookie,
CSRF, the submitted form) touch no database."""

import functools
import inspect
import secrets
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Form, Path, Request
from sqlmodel import Session
from starlette.datastructures import FormData

from api.transaction import SignedIn, TransactionRoute, get_session
from blangko.fields import MAX_ID
from blangko.ledger import Actor
from blangko.models import Source, User


class LoginRequired(Exception):
    """Raised when a page needs a signed-in user; answered with a redirect to /login."""


class CsrfFailed(Exception):
    """Raised when a form comes without the session's CSRF token."""


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def session_marker(request: Request) -> SignedIn | None:
    """Who the session cookie says is signed in (the one place that reads it); checked
    against the server's sessions when ``PageRoute`` loads the user."""
    user_id, session_id = request.session.get("uid"), request.session.get("sid")
    if isinstance(user_id, int) and not isinstance(user_id, bool) and isinstance(session_id, str):
        return SignedIn(user_id=user_id, session_id=session_id)
    return None


async def signed_in(request: Request) -> SignedIn:
    """The page's user, as the API's ``signed_in``: the endpoint receives the ``User``,
    loaded in the request's database thread; no cookie sends the visitor to /login."""
    csrf_token(request)
    marker = session_marker(request)
    if marker is None:
        raise LoginRequired()
    return marker


async def submitted_form(request: Request) -> FormData:
    """The form as sent, read on the event loop; the page parses it with
    ``web.forms``."""
    return await request.form()


def web_actor(user: User) -> Actor:
    """Who records a movement made on a page."""
    return Actor(user_id=user.id, source=Source.web)


def check_csrf(request: Request, csrf: str = Form("")) -> None:
    expected = request.session.get("csrf")
    if not expected or not secrets.compare_digest(str(expected), csrf):
        raise CsrfFailed()


# What a page endpoint declares, like ``api.deps``.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
UserDep = Annotated[User, Depends(signed_in)]
FormDep = Annotated[FormData, Depends(submitted_form)]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


class PageRoute(TransactionRoute):
    """``TransactionRoute`` for pages: a page that refuses a form rolls its work back
    (``web.templating.refused``) and renders; the signed-in user is also handed to the
    templates (the menu shows it)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _shows_user(endpoint)
        super().__init__(path, endpoint, **kwargs)


def _shows_user(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    def page(**kwargs: Any) -> Any:
        request = next((v for v in kwargs.values() if isinstance(v, Request)), None)
        user = next((v for v in kwargs.values() if isinstance(v, User)), None)
        if request is not None and user is not None:
            request.state.user = user
        return endpoint(**kwargs)

    return page
