"""Signed-in sessions, kept on the server so that they can end.

Every sign-in (a web login or an API token) is one ``auth_sessions`` row whose random id
travels in the signed cookie or in the token's ``sid`` claim. A request is signed in only
while its row is not ended (logout), not expired, and was started under its user's
current ``session_version``: a password, role, office or active-flag change raises the
version and ends the user's rows, so every copy of an old cookie or token stops working.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from blangko import fields
from blangko.errors import Unauthenticated
from blangko.models import AuthSession, User, utcnow

MAX_USER_ID = fields.MAX_ID
_ENDED = "Sesi Anda sudah berakhir. Silakan masuk kembali."


@dataclass(frozen=True)
class Started:
    id: str
    expires_at: datetime


def start(
    *,
    session: Session,
    user: User,
    kind: str,
    client: str,
    lifetime: timedelta,
    now: datetime | None = None,
) -> Started:
    """A new session for ``user`` (``kind`` is ``web`` or ``api``). Also drops the user's
    rows that ended or expired more than a day ago, so the table stays small."""
    assert user.id is not None
    now = now or utcnow()
    stale = now - timedelta(days=1)
    session.execute(
        sa.delete(AuthSession).where(
            col(AuthSession.user_id) == user.id,
            sa.or_(col(AuthSession.expires_at) < stale, col(AuthSession.ended_at) < stale),
        )
    )
    row = AuthSession(
        id=secrets.token_urlsafe(32),
        user_id=user.id,
        user_version=user.session_version,
        kind=kind,
        client=client[:64],
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    session.flush()
    return Started(id=row.id, expires_at=row.expires_at)


def signed_in_user(*, session: Session, user_id: int, session_id: str) -> User:
    """The user of a live session; ``Unauthenticated`` when it ended, expired, was started
    before the user's last account change, or the user is inactive."""
    if not (0 < user_id <= MAX_USER_ID) or not session_id or len(session_id) > 64:
        raise Unauthenticated(_ENDED)
    found = session.exec(
        sa.select(User, AuthSession)  # type: ignore[call-overload]
        .join(AuthSession, col(AuthSession.user_id) == col(User.id))
        .where(col(AuthSession.id) == session_id, col(User.id) == user_id)
    ).first()
    if found is None:
        raise Unauthenticated(_ENDED)
    user, row = found
    if row.ended_at is not None or row.expires_at <= utcnow():
        raise Unauthenticated(_ENDED)
    if row.user_version != user.session_version:
        raise Unauthenticated(
            "Akun Anda diubah (kata sandi, peran atau kantor). Silakan masuk kembali."
        )
    if not user.is_active:
        raise Unauthenticated("Akun ini tidak aktif lagi. Hubungi admin.")
    return user


def end(*, session: Session, session_id: str) -> None:
    """Logout: the session stops working at once, on every copy of its cookie or token."""
    session.execute(
        sa.update(AuthSession)
        .where(col(AuthSession.id) == session_id, col(AuthSession.ended_at).is_(None))
        .values(ended_at=utcnow())
    )


def end_all(*, session: Session, user: User) -> None:
    """Ends every session of ``user`` (after an account change)."""
    user.session_version += 1
    session.add(user)
    session.execute(
        sa.update(AuthSession)
        .where(col(AuthSession.user_id) == user.id, col(AuthSession.ended_at).is_(None))
        .values(ended_at=utcnow())
    )
    session.flush()
