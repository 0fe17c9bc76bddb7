"""Request dependencies: one database session per request, the signed-in user, and the
office-scope checks of SPEC §4 (``blangko.access``). The database work of a request runs
in one thread (``api.transaction``)."""

from datetime import date
from typing import Annotated

from fastapi import Depends, Header, Path, Query
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from api.auth import user_id_from_token
from api.schemas import MAX_ID, OFFICE_CODE
from api.transaction import SignedIn, get_session
from blangko import access
from blangko.errors import Forbidden, Unauthenticated, ValidationFailed
from blangko.ledger import Actor
from blangko.models import Office, Source, User
from blangko.offices import get_office, list_offices

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
    return SignedIn(user_id_from_token(token))


UserDep = Annotated[User, Depends(signed_in)]


async def actor(user: Annotated[SignedIn, Depends(signed_in)]) -> Actor:
    """Who records the movement."""
    return Actor(user_id=user.user_id, source=Source.api)


ActorDep = Annotated[Actor, Depends(actor)]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Any unique string (e.g. a UUID). Sending the same key with the same body "
        "again returns the first result and writes nothing; with another body it is refused "
        "(`idempotency_conflict`).",
        examples=["3f1c2a9e-6b7d-4c1e-9a8f-1d2e3f4a5b6c"],
    ),
]

CodePath = Annotated[
    str,
    Path(pattern=OFFICE_CODE, description="Kemendagri office code", examples=["32.16"]),
]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
DateFrom = Annotated[
    date | None, Query(alias="from", description="First business date (inclusive)")
]
DateTo = Annotated[date | None, Query(alias="to", description="Last business date (inclusive)")]


def check_range(date_from: date | None, date_to: date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed(
            "Tanggal 'from' harus sama dengan atau sebelum tanggal 'to'.", field="from"
        )


def readable_office(session: Session, user: User, code: str) -> Office:
    """The office ``code`` if the user may read it. Officers are checked before the lookup,
    so they cannot probe which codes exist."""
    if user.role not in access.CENTRAL and not _may_concern(user, code):
        raise Forbidden(f"Anda tidak berhak melihat data kantor {code}.")
    office = get_office(session=session, code=code)
    access.require_read(user, office)
    return office


def writable_office(session: Session, user: User, code: str) -> Office:
    """The office ``code`` if the user may record movements for it."""
    if user.role not in access.CENTRAL and code != user.office_code:
        raise Forbidden(
            f"Anda hanya dapat mencatat untuk kantor Anda sendiri ({user.office_code}), "
            f"bukan {code}."
        )
    office = get_office(session=session, code=code)
    access.require_write(user, office)
    return office


def _may_concern(user: User, code: str) -> bool:
    own = user.office_code or ""
    return bool(own) and (code == own or code.startswith(own + "."))


def require_central(user: User, action: str) -> None:
    """Planner or admin only (procurement, approvals, the national overview)."""
    access.require_central(user, action)


def office_scope(session: Session, user: User) -> list[str] | None:
    """The office codes an officer may read; None for planners and admins (all)."""
    if user.role in access.CENTRAL:
        return None
    own = user.office_code or ""
    if "." in own:
        return [own]
    return [office.code for office in list_offices(session=session, province=own)]
