"""Bearer tokens (JWT, HS256, signed with the secret key). Each token names a server-side
session (``sid``, ``blangko.sessions``), so that logout, a password change or a
deactivation ends it at once. Sign-in itself, with its throttling, is ``blangko.signin``."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from blangko import sessions
from blangko.db import session_scope
from blangko.errors import Unauthenticated
from blangko.models import User, utcnow
from blangko.settings import get_settings, secret_key

ALGORITHM = "HS256"


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    session_id: str


def issue_token(user: User, *, client: str = "api", now: datetime | None = None) -> IssuedToken:
    """Starts an API session for ``user`` (in its own transaction) and signs its token."""
    settings = get_settings()
    now = now or utcnow()
    lifetime = timedelta(minutes=settings.token_minutes)
    with session_scope() as session:
        stored = session.get(User, user.id)
        assert stored is not None
        started = sessions.start(
            session=session, user=stored, kind="api", client=client, lifetime=lifetime, now=now
        )
    claims = {
        "sub": str(user.id),
        "sid": started.id,
        "role": str(user.role),
        "office": user.office_code,
        "iat": now,
        "exp": started.expires_at,
    }
    token = jwt.encode(claims, secret_key(), algorithm=ALGORITHM)
    return IssuedToken(token=token, expires_in=int(lifetime.total_seconds()))


def token_claims(token: str) -> TokenClaims:
    """The user and session a validly signed, unexpired token names (not yet checked
    against the database: ``blangko.sessions.signed_in_user`` does that)."""
    try:
        claims = jwt.decode(
            token,
            secret_key(),
            algorithms=[ALGORITHM],
            options={"require": ["sub", "sid", "exp"]},
        )
        user_id, session_id = int(claims["sub"]), claims["sid"]
    except jwt.ExpiredSignatureError as error:
        raise Unauthenticated("Sesi Anda sudah berakhir. Silakan masuk kembali.") from error
    except (jwt.InvalidTokenError, ValueError, TypeError) as error:
        raise Unauthenticated("Token akses tidak sah. Silakan masuk kembali.") from error
    if not (0 < user_id <= sessions.MAX_USER_ID) or not isinstance(session_id, str):
        raise Unauthenticated("Token akses tidak sah. Silakan masuk kembali.")
    return TokenClaims(user_id=user_id, session_id=session_id)
