"""Bearer tokens (JWT, HS256, signed with ``BLANGKO_SECRET_KEY``) and sign-in throttling.

Attempts are kept in the ``login_attempts`` table so that the limit holds across server
processes: after ``MAX_FAILURES`` failed sign-ins for one username from one client within
``WINDOW``, further attempts are refused until the oldest failure leaves the window."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
import sqlalchemy as sa
from sqlmodel import Session, col

from blangko.errors import DomainError, Unauthenticated
from blangko.models import LoginAttempt, User, utcnow
from blangko.settings import get_settings

ALGORITHM = "HS256"
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    status = 429
    title = "Terlalu banyak percobaan masuk"


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int


def issue_token(user: User, *, now: datetime | None = None) -> IssuedToken:
    settings = get_settings()
    now = now or utcnow()
    lifetime = timedelta(minutes=settings.token_minutes)
    claims = {
        "sub": str(user.id),
        "role": str(user.role),
        "office": user.office_code,
        "iat": now,
        "exp": now + lifetime,
    }
    token = jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)
    return IssuedToken(token=token, expires_in=int(lifetime.total_seconds()))


def user_id_from_token(token: str) -> int:
    """The user id a valid, unexpired token was issued to."""
    try:
        claims = jwt.decode(
            token,
            get_settings().secret_key,
            algorithms=[ALGORITHM],
            options={"require": ["sub", "exp"]},
        )
        return int(claims["sub"])
    except jwt.ExpiredSignatureError as error:
        raise Unauthenticated("Sesi Anda sudah berakhir. Silakan masuk kembali.") from error
    except (jwt.InvalidTokenError, ValueError) as error:
        raise Unauthenticated("Token akses tidak sah. Silakan masuk kembali.") from error


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
