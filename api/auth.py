"""Bearer tokens (JWT, HS256, signed with ``BLANGKO_SECRET_KEY``). Sign-in itself, with
its throttling, is ``blangko.signin``."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from blangko.errors import Unauthenticated
from blangko.models import User, utcnow
from blangko.settings import get_settings, secret_key

ALGORITHM = "HS256"


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
    token = jwt.encode(claims, secret_key(), algorithm=ALGORITHM)
    return IssuedToken(token=token, expires_in=int(lifetime.total_seconds()))


def user_id_from_token(token: str) -> int:
    """The user id a valid, unexpired token was issued to."""
    try:
        claims = jwt.decode(
            token,
            secret_key(),
            algorithms=[ALGORITHM],
            options={"require": ["sub", "exp"]},
        )
        return int(claims["sub"])
    except jwt.ExpiredSignatureError as error:
        raise Unauthenticated("Sesi Anda sudah berakhir. Silakan masuk kembali.") from error
    except (jwt.InvalidTokenError, ValueError) as error:
        raise Unauthenticated("Token akses tidak sah. Silakan masuk kembali.") from error
