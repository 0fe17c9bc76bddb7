"""``TransactionRoute`` refuses, when the app is built, an ``async def`` endpoint that
takes the database session or the signed-in user: it would run on the event loop, get no
commit and receive the token's user id instead of the user."""

import pytest
from fastapi import APIRouter

from api.deps import SessionDep, UserDep
from api.transaction import TransactionRoute


def test_async_endpoint_with_the_session_is_refused() -> None:
    router = APIRouter(route_class=TransactionRoute)

    async def endpoint(session: SessionDep) -> None: ...

    with pytest.raises(TypeError, match="plain 'def'"):
        router.get("/with-session")(endpoint)


def test_async_endpoint_with_the_user_is_refused() -> None:
    router = APIRouter(route_class=TransactionRoute)

    async def endpoint(user: UserDep) -> None: ...

    with pytest.raises(TypeError, match="plain 'def'"):
        router.get("/with-user")(endpoint)


def test_async_endpoint_without_the_database_is_accepted() -> None:
    router = APIRouter(route_class=TransactionRoute)

    async def endpoint(limit: int = 10) -> int:
        return limit

    router.get("/plain")(endpoint)
    assert [route.path for route in router.routes] == ["/plain"]  # type: ignore[attr-defined]
