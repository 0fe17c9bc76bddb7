"""Request dependencies: one database session per request, the signed-in user, and the
office-scope checks of SPEC §4 (``blangko.access``).

A request's database work runs in one worker thread: ``TransactionRoute`` runs the
endpoint and its commit (or rollback) there, and the session dependency itself touches
no database. Each hop between the event loop and a worker thread costs about as much as
a small query, and a SQLite write holds the write queue only for that one thread's work,
so several web workers can share the database file."""

import functools
import inspect
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Query, Request
from fastapi.routing import APIRoute
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.auth import user_id_from_token
from api.schemas import MAX_ID, OFFICE_CODE
from blangko import access
from blangko.db import open_session, session_scope, transaction
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


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session; writes take the write lock up front (SQLite ``BEGIN
    IMMEDIATE``). ``TransactionRoute`` commits it when the endpoint returns and rolls it
    back on any error, before the response is sent."""
    session = open_session(write=request.method not in READ_METHODS)
    try:
        yield session
    finally:
        if session.in_transaction():  # only an endpoint outside TransactionRoute gets here
            await run_in_threadpool(session.rollback)
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


class TransactionRoute(APIRoute):
    """Runs a plain (``def``) endpoint in a worker thread together with the commit or
    rollback of its session, so that the request's database work is one thread's work.
    Use it as the ``route_class`` of every API router."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _in_one_transaction(endpoint)
        super().__init__(path, endpoint, **kwargs)


def _in_one_transaction(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    def work(kwargs: dict[str, Any]) -> Any:
        session = next((v for v in kwargs.values() if isinstance(v, Session)), None)
        if session is None:
            return endpoint(**kwargs)
        with transaction(session):
            return endpoint(**kwargs)

    @functools.wraps(endpoint)
    async def run(**kwargs: Any) -> Any:
        return await run_in_threadpool(work, kwargs)

    return run


def current_user(token: Annotated[str | None, Depends(oauth2)]) -> User:
    """The signed-in user, read in a short transaction of its own, so that the request's
    write transaction starts only in the endpoint."""
    if not token:
        raise Unauthenticated(
            "Silakan masuk terlebih dahulu: kirim header 'Authorization: Bearer <token>' dari "
            "POST /api/v1/auth/token."
        )
    user_id = user_id_from_token(token)
    with session_scope(write=False) as session:
        user = session.get(User, user_id)
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
