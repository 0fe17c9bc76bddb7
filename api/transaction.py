"""One thread per request's database work.

``TransactionRoute`` runs a plain (``def``) endpoint in a database thread together with
everything that touches the database for it: loading the signed-in user, the endpoint
itself, the commit or the rollback. The dependencies that run on the event loop touch no
database (``get_session`` makes a session that has not connected yet; ``signed_in``
only checks the token's signature).

Why: each hop between the event loop and a thread costs about as much Python as a small
query, and a write that hops holds SQLite's write queue while it waits for the event
loop; done in one thread, a write holds the queue only for its own statements, so several
web workers can share one database file.
"""

import asyncio
import contextlib
import contextvars
import functools
import inspect
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import anyio
from fastapi import Request
from fastapi.routing import APIRoute
from sqlmodel import Session

from blangko import sessions
from blangko.db import open_session, session_scope, transaction
from blangko.models import User

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Threads for the database work of requests; more would only wait for a connection of
# the pool (PostgreSQL: 10 + 20 overflow) or for SQLite's single writer.
_database_threads = ThreadPoolExecutor(max_workers=32, thread_name_prefix="blangko-db")


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session; writes take the write lock up front (SQLite ``BEGIN
    IMMEDIATE``). ``TransactionRoute`` commits it when the endpoint returns and rolls it
    back on any error, before the response is sent."""
    async with _session(write=request.method not in READ_METHODS) as session:
        yield session


async def get_write_session() -> AsyncIterator[Session]:
    """A write session for a read that must write once: a document number is given the
    first time the document is made (``GET …/bast.pdf``)."""
    async with _session(write=True) as session:
        yield session


@contextlib.asynccontextmanager
async def _session(*, write: bool) -> AsyncIterator[Session]:
    session = open_session(write=write)
    try:
        yield session
    finally:
        if session.in_transaction():  # only an endpoint outside TransactionRoute gets here
            await _in_thread(session.rollback)
        session.close()


@dataclass(frozen=True)
class SignedIn:
    """A signed-in request (a valid token's or session cookie's user and session), loaded
    in the request's thread by ``TransactionRoute`` before the endpoint runs: the session
    must still be live (``blangko.sessions``). The endpoint receives the ``User``."""

    user_id: int
    session_id: str

    def load(self, session: Session) -> User:
        return sessions.signed_in_user(
            session=session, user_id=self.user_id, session_id=self.session_id
        )


class TransactionRoute(APIRoute):
    """Runs each plain endpoint with its user, commit and rollback in one database thread.
    The ``route_class`` of every API router."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if inspect.iscoroutinefunction(endpoint):
            _refuse_database_parameters(path, endpoint)
        else:
            endpoint = _in_one_thread(endpoint)
        super().__init__(path, endpoint, **kwargs)


def _refuse_database_parameters(path: str, endpoint: Callable[..., Any]) -> None:
    """An ``async def`` endpoint would get no commit and a ``SignedIn`` for its user."""
    for parameter in inspect.signature(endpoint).parameters.values():
        annotation = parameter.annotation
        if getattr(annotation, "__origin__", annotation) in (Session, User):
            raise TypeError(
                f"{path}: endpoints that use the database must be plain 'def' functions"
            )


def _in_one_thread(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    def work(kwargs: dict[str, Any]) -> Any:
        if any(isinstance(v, SignedIn) for v in kwargs.values()):
            # A read of its own, so that a write holds SQLite's queue a little shorter.
            with session_scope(write=False) as reader:
                kwargs = _users_loaded(kwargs, reader)
        session = next((v for v in kwargs.values() if isinstance(v, Session)), None)
        if session is None:
            return endpoint(**kwargs)
        with transaction(session):
            return endpoint(**kwargs)

    @functools.wraps(endpoint)
    async def run(**kwargs: Any) -> Any:
        return await _in_thread(work, kwargs)

    return run


def _users_loaded(kwargs: dict[str, Any], session: Session) -> dict[str, Any]:
    return {k: v.load(session) if isinstance(v, SignedIn) else v for k, v in kwargs.items()}


async def _in_thread(function: Callable[..., Any], *args: Any) -> Any:
    context = contextvars.copy_context()
    call = functools.partial(context.run, function, *args)
    # Shielded: a cancelled request (client gone, shutdown) still waits for its thread to
    # finish the commit or rollback before the session dependency closes the session.
    with anyio.CancelScope(shield=True):
        return await asyncio.get_running_loop().run_in_executor(_database_threads, call)
