"""The administrators' page of user accounts (pengguna): the list, a new account,
(de)activation, a password reset, role and office, and the history of account changes
(who, when in WIB, what). The rules and the history live in ``blangko.users``."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from blangko import fmt, users
from blangko.errors import DomainError, ValidationFailed
from blangko.models import User, UserEvent
from blangko.offices import list_offices
from blangko.users import ChangedBy
from web import forms
from web.deps import FormDep, IdPath, PageRoute, SessionDep, UserDep, check_csrf
from web.templating import done, refused, render

router = APIRouter(include_in_schema=False, route_class=PageRoute)
LIST = "/admin/pengguna"
ROLE_LABELS = {
    "admin": "Admin",
    "planner": "Perencana pusat (planner)",
    "officer": "Petugas kantor (officer)",
}
HISTORY = 100  # account changes shown on the list page


def _common(session: Session) -> dict[str, Any]:
    return {
        "roles": ROLE_LABELS,
        "offices": list_offices(session=session),
        "rules": users.PASSWORD_RULES,
        "values": {},
    }


def _history(session: Session, names: dict[int, str], user_id: int | None) -> list[dict[str, str]]:
    """Account changes, newest first: when (WIB), whose account, who, what."""
    events: list[UserEvent] = users.list_events(session=session, user_id=user_id, limit=HISTORY)
    return [
        {
            "at": fmt.moment(event.at),
            "account": names.get(event.user_id, f"#{event.user_id}"),
            "actor": event.actor,
            "what": f"{event.action}: {event.detail}" if event.detail else event.action,
        }
        for event in events
    ]


def _list_context(session: Session) -> dict[str, Any]:
    accounts = users.list_users(session=session)
    names = {a.id: a.username for a in accounts if a.id is not None}
    return {**_common(session), "accounts": accounts, "history": _history(session, names, None)}


@router.get(LIST)
def user_list(request: Request, user: UserDep, session: SessionDep) -> Response:
    users.require_admin(user)
    return render(request, "admin/users.html", _list_context(session))


@router.post(LIST, dependencies=[Depends(check_csrf)])
def create_user(request: Request, form: FormDep, user: UserDep, session: SessionDep) -> Response:
    users.require_admin(user)
    try:
        with session.begin_nested():
            password = forms.password(form, "password")
            users.confirm_password(password, forms.password(form, "password_repeat"))
            created = users.create_user(
                session=session,
                username=forms.text(form, "username"),
                password=password,
                role=users.parse_role(forms.text(form, "role")),
                office_code=forms.text(form, "office") or None,
                email=forms.text(form, "email") or None,
                by=ChangedBy(user),
            )
    except DomainError as error:
        return refused(request, "admin/users.html", _list_context(session), error, form)
    return done(request, f"{LIST}/{created.id}", f"Pengguna {created.username} dibuat.")


def _account_context(session: Session, account: User, admin: User) -> dict[str, Any]:
    assert account.id is not None
    return {
        **_common(session),
        "account": account,
        "own": account.id == admin.id,
        "history": _history(session, {account.id: account.username}, account.id),
    }


@router.get(LIST + "/{user_id}")
def account_page(request: Request, user_id: IdPath, user: UserDep, session: SessionDep) -> Response:
    users.require_admin(user)
    account = users.get_user_by_id(session=session, user_id=user_id)
    return render(request, "admin/user.html", _account_context(session, account, user))


def _change(
    request: Request,
    user_id: int,
    form: FormData,
    admin: User,
    session: Session,
    part: str,
    change: Callable[[User, ChangedBy], str],
) -> Response:
    """One admin change to one account: ``change`` applies it through ``blangko.users``
    (which records it and ends the account's sessions) and says what it did; a refusal
    shows the page again with the message beside the form (``part``), nothing written."""
    users.require_admin(admin)
    account = users.get_user_by_id(session=session, user_id=user_id)
    try:
        with session.begin_nested():
            message = change(account, ChangedBy(admin))
    except DomainError as error:
        context = {**_account_context(session, account, admin), "failed": part}
        return refused(request, "admin/user.html", context, error, form)
    return done(request, f"{LIST}/{account.id}", message)


@router.post(LIST + "/{user_id}/kata-sandi", dependencies=[Depends(check_csrf)])
def reset_password(
    request: Request, user_id: IdPath, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    def change(account: User, by: ChangedBy) -> str:
        if account.id == user.id:  # this page would end the admin's own session
            raise ValidationFailed(
                "Ganti kata sandi Anda sendiri di halaman Ganti kata sandi.", field="password"
            )
        password = forms.password(form, "password")
        users.confirm_password(password, forms.password(form, "password_repeat"))
        users.set_password(session=session, user=account, password=password, by=by)
        return f"Kata sandi {account.username} diatur ulang; semua sesinya berakhir."

    return _change(request, user_id, form, user, session, "password", change)


@router.post(LIST + "/{user_id}/peran", dependencies=[Depends(check_csrf)])
def change_role(
    request: Request, user_id: IdPath, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    def change(account: User, by: ChangedBy) -> str:
        role = users.parse_role(forms.text(form, "role"))
        office = forms.text(form, "office") or None
        users.set_role(session=session, user=account, role=role, office_code=office, by=by)
        where = f", kantor {account.office_code}" if account.office_code else ""
        return f"{account.username} kini {ROLE_LABELS[role.value]}{where}; semua sesinya berakhir."

    return _change(request, user_id, form, user, session, "role", change)


@router.post(LIST + "/{user_id}/nonaktifkan", dependencies=[Depends(check_csrf)])
def deactivate(
    request: Request, user_id: IdPath, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    def change(account: User, by: ChangedBy) -> str:
        users.set_active(session=session, user=account, active=False, by=by)
        return f"Akun {account.username} dinonaktifkan; semua sesinya berakhir."

    return _change(request, user_id, form, user, session, "active", change)


@router.post(LIST + "/{user_id}/aktifkan", dependencies=[Depends(check_csrf)])
def activate(
    request: Request, user_id: IdPath, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    def change(account: User, by: ChangedBy) -> str:
        users.set_active(session=session, user=account, active=True, by=by)
        return f"Akun {account.username} diaktifkan lagi."

    return _change(request, user_id, form, user, session, "active", change)
