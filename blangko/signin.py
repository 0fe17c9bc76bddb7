"""Signing in with a password, throttled (used by the API's token endpoint and the web
login form alike).

Attempts are kept in the ``login_attempts`` table so that the limit holds across server
processes: after ``MAX_FAILURES`` failed sign-ins for one username from one client within
``WINDOW``, further attempts are refused until the oldest failure leaves the window."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from blangko.db import session_scope
from blangko.errors import TooManyAttempts
from blangko.models import LoginAttempt, User, utcnow
from blangko.users import authenticate

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


def sign_in(*, username: str, password: str, client: str) -> User | None:
    """The user with these credentials, or None; refuses with ``TooManyAttempts`` while
    this username and client are throttled. Records the attempt in its own transaction,
    so failures count even though the caller answers with an error."""
    name = username.strip().lower()
    if not (name.isprintable() and password.isprintable()):
        return None  # no account has such a name; NUL bytes would upset PostgreSQL
    client = client[:64]
    now = utcnow()
    with session_scope(write=False) as session:
        check_throttle(session=session, username=name, client=client, now=now)
        user = authenticate(session=session, username=name, password=password)
    with session_scope() as session:
        record_attempt(
            session=session, username=name, client=client, succeeded=user is not None, now=now
        )
    return user


def check_throttle(*, session: Session, username: str, client: str, now: datetime) -> None:
    """Refuses a sign-in when this username and client failed too often recently."""
    rows = session.execute(
        sa.select(col(LoginAttempt.attempted_at))
        .where(
            col(LoginAttempt.username) == username,
            col(LoginAttempt.client) == client,
            col(LoginAttempt.succeeded).is_(False),
            col(LoginAttempt.attempted_at) > now - WINDOW,
        )
        .order_by(col(LoginAttempt.attempted_at).desc())
        .limit(MAX_FAILURES)
    ).all()
    if len(rows) < MAX_FAILURES:
        return
    oldest = rows[-1][0]
    wait = max(1, int((oldest + WINDOW - now).total_seconds()) + 1)
    minutes = max(1, -(-wait // 60))
    raise TooManyAttempts(
        f"Terlalu banyak percobaan masuk yang gagal untuk '{username}'. "
        f"Tunggu {minutes} menit lalu coba lagi, atau minta admin mengatur ulang kata sandi.",
        retry_after=wait,
    )


def record_attempt(
    *, session: Session, username: str, client: str, succeeded: bool, now: datetime
) -> None:
    """Stores the attempt; a success clears the earlier failures of this username and
    client, and attempts older than the window are dropped."""
    stale = col(LoginAttempt.attempted_at) <= now - WINDOW
    same = sa.and_(col(LoginAttempt.username) == username, col(LoginAttempt.client) == client)
    session.execute(
        sa.delete(LoginAttempt).where(sa.or_(stale, same) if succeeded else sa.and_(same, stale))
    )
    if not succeeded:
        session.add(LoginAttempt(username=username, client=client, attempted_at=now))
    session.flush()
