"""Request plumbing of the pages: the signed-in user from the session cookie, CSRF
checks on every form, and one database session per request."""

import secrets
from collections.abc import Iterator

from fastapi import Depends, Form, Request
from sqlmodel import Session

from blangko.db import session_scope
from blangko.models import User


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


def db(request: Request) -> Iterator[Session]:
    """One transaction per request. Used with ``scope="function"``: the commit happens
    before the response is sent, so a failed commit becomes an error page instead of a
    false "tersimpan"."""
    with session_scope(write=request.method not in ("GET", "HEAD")) as session:
        yield session


def current_user(request: Request, session: Session = Depends(db, scope="function")) -> User:
    csrf_token(request)
    user_id = request.session.get("user_id")
    user = session.get(User, user_id) if user_id else None
    if user is None or not user.is_active:
        request.session.pop("user_id", None)
        raise LoginRequired()
    # Detached with its attributes loaded, so that pages can still show who is signed
    # in after a refused form rolled the transaction back.
    session.expunge(user)
    request.state.user = user
    return user


def check_csrf(request: Request, csrf: str = Form("")) -> None:
    expected = request.session.get("csrf")
    if not expected or not secrets.compare_digest(str(expected), csrf):
        raise CsrfFailed()
