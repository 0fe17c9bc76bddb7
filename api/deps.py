"""Request dependencies: one database session per request, the signed-in user, and the
office-scope checks of SPEC §4 (``blangko.access``). The database work of a request runs
in one thread (``api.transaction``)."""

from datetime import date
from typing import Annotated

from fastapi import Depends, Header, Path, Query
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from api.auth import token_claims
from api.schemas import MAX_ID, OFFICE_CODE, Day
from api.transaction import SignedIn, get_session
from blangko import access, fields, idempotency, paging
from blangko.errors import Unauthenticated, ValidationFailed
from blangko.ledger import Actor
from blangko.models import Source, User

oauth2 = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/token",
    auto_error=False,
    description="Token from `POST /api/v1/auth/token` (username and password form).",
)

SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def signed_in(token: Annotated[str | None, Depends(oauth2)]) -> SignedIn:
    """The token's user; the endpoint receives the ``User`` itself, loaded and checked
    (active) with the request's session (``api.transaction``)."""
    if not token:
        raise Unauthenticated(
            "Silakan masuk terlebih dahulu: kirim header 'Authorization: Bearer <token>' dari "
            "POST /api/v1/auth/token."
        )
    claims = token_claims(token)
    return SignedIn(user_id=claims.user_id, session_id=claims.session_id)


UserDep = Annotated[User, Depends(signed_in)]


async def actor(user: Annotated[SignedIn, Depends(signed_in)]) -> Actor:
    """Who records the movement."""
    return Actor(user_id=user.user_id, source=Source.api)


ActorDep = Annotated[Actor, Depends(actor)]


async def idempotency_key(
    user: Annotated[SignedIn, Depends(signed_in)],
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=fields.IDEMPOTENCY_KEY_MAX_LENGTH,
            pattern=fields.IDEMPOTENCY_KEY,
            description="Any unique string (e.g. a UUID). Sending the same key with the same body "
            "again returns the first result and writes nothing; with another body it is refused "
            "(`idempotency_conflict`). Keys are per user: another user's key never meets yours.",
            examples=["3f1c2a9e-6b7d-4c1e-9a8f-1d2e3f4a5b6c"],
        ),
    ] = None,
) -> str | None:
    """The request's ``Idempotency-Key``, kept apart from other users' keys."""
    return idempotency.scoped(user.user_id, key)


IdempotencyKey = Annotated[str | None, Depends(idempotency_key)]

CodePath = Annotated[
    str,
    Path(pattern=OFFICE_CODE, description="Kemendagri office code", examples=["32.16"]),
]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
# Every list is paged the same way; the answer's ``next`` is the following ``offset``.
Limit = Annotated[
    int,
    Query(
        ge=1,
        le=paging.MAX_LIMIT,
        description=f"Items per page (at most {paging.MAX_LIMIT})",
    ),
]
Offset = Annotated[
    int,
    Query(ge=0, le=MAX_ID, description="Items to skip: 0, or the `next` of the previous page"),
]
# ``from`` after ``to`` is refused (422): OpenAPI cannot relate two parameters, so the
# descriptions say it.
DateFrom = Annotated[
    Day | None,
    Query(alias="from", description="First business date (inclusive); not after `to`"),
]
DateTo = Annotated[
    Day | None,
    Query(alias="to", description="Last business date (inclusive); not before `from`"),
]


def check_range(date_from: date | None, date_to: date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed(
            "Tanggal 'from' harus sama dengan atau sebelum tanggal 'to'.", field="from"
        )


# The office-scope rule of SPEC §4, shared with the web pages.
readable_office = access.readable_office
writable_office = access.writable_office
office_scope = access.office_scope
require_visible = access.require_visible


def require_central(user: User, action: str) -> None:
    """Planner or admin only (procurement, approvals, the national overview)."""
    access.require_central(user, action)
