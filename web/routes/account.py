"""The signed-in user's own account: "Ganti kata sandi" (change password), for every role."""

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from blangko import sessions, users
from blangko.errors import DomainError
from web import SESSION_HOURS, forms
from web.deps import FormDep, PageRoute, SessionDep, UserDep, check_csrf
from web.security import client_address
from web.templating import done, refused, render

router = APIRouter(include_in_schema=False, route_class=PageRoute)
PAGE = "/akun/kata-sandi"


def _context() -> dict[str, Any]:
    return {"rules": users.PASSWORD_RULES, "values": {}}


@router.get(PAGE)
def password_form(request: Request, user: UserDep) -> Response:
    return render(request, "account/password.html", _context())


@router.post(PAGE, dependencies=[Depends(check_csrf)])
def change_password(
    request: Request, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    """The change ends every session of the account (other browsers, API tokens, copies of
    this cookie); this browser is signed in again with a new session, so it stays in."""
    account = users.get_user_by_id(session=session, user_id=user.id or 0)
    try:
        with session.begin_nested():
            new = forms.password(form, "password")
            users.confirm_password(new, forms.password(form, "password_repeat"))
            users.change_own_password(
                session=session,
                user=account,
                current=forms.password(form, "current_password"),
                new=new,
            )
            started = sessions.start(
                session=session,
                user=account,
                kind="web",
                client=client_address(request),
                lifetime=timedelta(hours=SESSION_HOURS),
            )
    except DomainError as error:
        return refused(request, "account/password.html", _context(), error, form)
    request.session["uid"] = account.id
    request.session["sid"] = started.id
    return done(
        request,
        PAGE,
        "Kata sandi diganti. Sesi lain dengan akun ini (peramban lain, token API) sudah "
        "berakhir; di peramban ini Anda tetap masuk.",
    )
