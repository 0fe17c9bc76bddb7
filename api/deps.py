"""Request dependencies: one database session per request, the signed-in user, and the
office-scope checks of SPEC §4 (``blangko.access``)."""

import threading
from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from api.auth import user_id_from_token
from api.schemas import MAX_ID, OFFICE_CODE
from blangko import access
from blangko.db import get_engine, is_sqlite, session_scope
from blangko.errors import Forbidden, Unauthenticated, ValidationFailed
from blangko.ledger import Actor
from blangko.models import Office, Source, User
from blangko.offices import get_office, list_offices

READ_METHODS = {"GET", "HEAD", "OPTIONS"}

oauth2 = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/token",
    auto_error=False,
    description="Token from `POST /api/v1/auth/token` (username and password form).",
)


# SQLite has one writer at a time. Writers of this process queue here instead of in
# SQLite's busy handler, which polls with sleeps of up to 100 ms and so turns a short
# queue into long tail latencies.
_sqlite_writer = threading.Lock()


def get_session(request: Request) -> Iterator[Session]:
    """A session whose transaction commits when the endpoint returns and rolls back on any
    error; writes take the write lock up front (SQLite ``BEGIN IMMEDIATE``)."""
    write = request.method not in READ_METHODS
    if write and is_sqlite(get_engine()):
        with _sqlite_writer, session_scope(write=True) as session:
            yield session
        return
    with session_scope(write=write) as session:
        yield session


# Function scope: the commit happens before the response is sent, so a failed commit
# becomes an error response instead of a false success.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def current_user(session: SessionDep, token: Annotated[str | None, Depends(oauth2)]) -> User:
    if not token:
        raise Unauthenticated(
            "Silakan masuk terlebih dahulu: kirim header 'Authorization: Bearer <token>' dari "
            "POST /api/v1/auth/token."
        )
    user = session.get(User, user_id_from_token(token))
    if user is None or not user.is_active:
        raise Unauthenticated("Akun ini tidak aktif lagi. Hubungi admin.")
    return user


UserDep = Annotated[User, Depends(current_user)]


async def actor(user: UserDep) -> Actor:
    """Who records the movement (async: no database work, so no thread hop)."""
    return Actor(user_id=user.id, source=Source.api)


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
