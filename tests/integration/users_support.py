"""Helpers of the user-management tests (CLI and pages): what the accounts, their change
history and their sessions look like in the database, to check a change and to check
that a refusal wrote nothing."""

from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from blangko import users
from blangko.db import session_scope
from blangko.models import AuthSession, User, UserEvent


def accounts_state() -> dict[str, Any]:
    """Every account (password hash and session version included), every recorded change
    and every session with its end: equal before and after a refused change."""
    with session_scope(write=False) as session:
        accounts = [u.model_dump() for u in session.exec(select(User).order_by(col(User.id))).all()]
        events = session.execute(sa.select(sa.func.count()).select_from(UserEvent)).scalar()
        live = session.exec(select(AuthSession.id).where(col(AuthSession.ended_at).is_(None))).all()
    return {"accounts": accounts, "events": events, "live_sessions": sorted(live)}


def account(username: str) -> User:
    with session_scope(write=False) as session:
        return users.get_user(session=session, username=username)


def events_of(username: str) -> list[tuple[str, str, str]]:
    """(who, what, detail) of the account's recorded changes, newest first."""
    with session_scope(write=False) as session:
        user = users.get_user(session=session, username=username)
        found = users.list_events(session=session, user_id=user.id)
        return [(e.actor, e.action, e.detail) for e in found]


def password_works(username: str, password: str) -> bool:
    with session_scope(write=False) as session:
        return users.authenticate(session=session, username=username, password=password) is not None
