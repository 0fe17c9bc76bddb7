"""Sign-in and sign-out, and the home page that sends each user where they work."""

from datetime import timedelta

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from blangko import sessions
from blangko.access import CENTRAL
from blangko.db import session_scope
from blangko.errors import TooManyAttempts
from blangko.models import User
from blangko.signin import sign_in
from web import SESSION_HOURS
from web.deps import PageRoute, UserDep, check_csrf, csrf_token
from web.security import client_address
from web.templating import render

router = APIRouter(include_in_schema=False)


def home_of(user: User) -> str:
    return "/nasional" if user.role in CENTRAL else f"/kantor/{user.office_code}"


def home(user: UserDep) -> Response:
    """Sends a signed-in user where they work; a visitor goes to /login (``LoginRequired``)."""
    return RedirectResponse(home_of(user), status_code=303)


router.add_api_route("/", home, methods=["GET"], route_class_override=PageRoute)


@router.get("/login")
def login_form(request: Request) -> Response:
    csrf_token(request)
    return render(request, "login.html", {"user": None})


@router.post("/login", dependencies=[Depends(check_csrf)])
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
) -> Response:
    client = client_address(request)
    try:
        user = sign_in(username=username, password=password, client=client)
    except TooManyAttempts as error:
        return render(
            request,
            "login.html",
            {"user": None, "username": username, "error": error.message},
            status_code=error.status,
        )
    if user is None:
        return render(
            request,
            "login.html",
            {
                "user": None,
                "username": username,
                "error": "Nama pengguna atau kata sandi salah. Periksa lalu coba lagi.",
            },
            status_code=401,
        )
    with session_scope() as session:
        started = sessions.start(
            session=session,
            user=user,
            kind="web",
            client=client,
            lifetime=timedelta(hours=SESSION_HOURS),
        )
    request.session.clear()
    request.session["uid"] = user.id
    request.session["sid"] = started.id
    csrf_token(request)  # a new token for the new session
    return RedirectResponse(home_of(user), status_code=303)


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request) -> Response:
    """Ends the session on the server too: a copy of the cookie no longer signs in."""
    session_id = request.session.get("sid")
    if isinstance(session_id, str):
        with session_scope() as session:
            sessions.end(session=session, session_id=session_id)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
