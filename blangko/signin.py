"""Signing in with a password, throttled (used by the API's token endpoint and the web
login form alike).

Failed attempts are kept in the ``login_attempts`` table for a day, so that the limits
hold across server processes. Two limits apply, each with a backoff:

* per username, counted over every address: after ``USER_LIMIT`` failures the next
  attempt waits ``FIRST_WAIT``, and each further failure doubles the wait (up to
  ``LONGEST_WAIT``), so guessing one account's password from many addresses gets nowhere;
* per address, counted over every username (``ADDRESS_LIMIT``, higher, because an office
  signs in from one address), so trying one password on many accounts gets nowhere.

The address is the one ``web.security.client_address`` gives. A success clears the
failures of that username from that address."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from blangko.db import session_scope
from blangko.errors import TooManyAttempts
from blangko.models import LoginAttempt, User, utcnow
from blangko.users import authenticate

USER_LIMIT = 5
ADDRESS_LIMIT = 20
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
MEMORY = timedelta(days=1)


def sign_in(*, username: str, password: str, client: str) -> User | None:
    """The user with these credentials, or None; refuses with ``TooManyAttempts`` while
    this username or this client is throttled. Records the attempt in its own
    transaction, so failures count even though the caller answers with an error."""
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


def locked_until(failures: int, last_failure: datetime, *, limit: int) -> datetime | None:
    """When attempts may resume after ``failures`` recent failures, the latest at
    ``last_failure``; None while under ``limit``. The wait doubles with each failure past
    the limit."""
    if failures < limit:
        return None
    wait = min(FIRST_WAIT * 2 ** min(failures - limit, 20), LONGEST_WAIT)
    return last_failure + wait


def check_throttle(*, session: Session, username: str, client: str, now: datetime) -> None:
    """Refuses a sign-in while this username, or this client, failed too often."""
    by_user = _locked_until(
        session, col(LoginAttempt.username) == username, limit=USER_LIMIT, now=now
    )
    by_client = _locked_until(
        session, col(LoginAttempt.client) == client, limit=ADDRESS_LIMIT, now=now
    )
    if by_user is not None and by_user > now and (by_client is None or by_user >= by_client):
        wait, minutes = _wait(by_user, now)
        raise TooManyAttempts(
            f"Terlalu banyak percobaan masuk yang gagal untuk '{username}'. "
            f"Tunggu {minutes} menit lalu coba lagi, atau minta admin mengatur ulang kata sandi.",
            retry_after=wait,
        )
    if by_client is not None and by_client > now:
        wait, minutes = _wait(by_client, now)
        raise TooManyAttempts(
            "Terlalu banyak percobaan masuk yang gagal dari alamat ini. "
            f"Tunggu {minutes} menit lalu coba lagi.",
            retry_after=wait,
        )


def _locked_until(
    session: Session, which: sa.ColumnElement[bool], *, limit: int, now: datetime
) -> datetime | None:
    failures, last = session.execute(
        sa.select(sa.func.count(), sa.func.max(col(LoginAttempt.attempted_at))).where(
            which,
            col(LoginAttempt.succeeded).is_(False),
            col(LoginAttempt.attempted_at) > now - MEMORY,
        )
    ).one()
    return None if last is None else locked_until(failures, last, limit=limit)


def _wait(until: datetime, now: datetime) -> tuple[int, int]:
    """Seconds (for Retry-After) and whole minutes (for the message) until ``until``."""
    seconds = max(1, int((until - now).total_seconds()) + 1)
    return seconds, max(1, -(-seconds // 60))


def record_attempt(
    *, session: Session, username: str, client: str, succeeded: bool, now: datetime
) -> None:
    """Stores a failed attempt; a success clears the earlier failures of this username
    from this client. Attempts older than ``MEMORY`` are dropped."""
    stale = col(LoginAttempt.attempted_at) <= now - MEMORY
    same = sa.and_(col(LoginAttempt.username) == username, col(LoginAttempt.client) == client)
    session.execute(sa.delete(LoginAttempt).where(sa.or_(stale, same) if succeeded else stale))
    if not succeeded:
        session.add(LoginAttempt(username=username, client=client, attempted_at=now))
    session.flush()
