"""Tokens and session cookies are signed with the installation's own key, never with the
default that earlier versions shipped in the source; changing the key ends every token
and session."""

import re
import secrets
from datetime import timedelta

import itsdangerous
import jwt
import pytest
from sqlalchemy import Engine

from blangko.models import Role, utcnow
from blangko.settings import get_settings
from tests.integration.api_support import PASSWORD, add_user, assert_problem, client

OLD_DEFAULT = "dev-only-change-me-0123456789abcdef"


def test_tokens_and_cookies_are_not_signed_with_the_old_default_key(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BLANGKO_SECRET_KEY")  # a fresh machine: nothing configured
    get_settings.cache_clear()
    add_user(sqlite_engine, "planner", Role.planner)
    http = client()
    token = http.post(
        "/api/v1/auth/token", data={"username": "planner", "password": PASSWORD}
    ).json()["access_token"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, OLD_DEFAULT, algorithms=["HS256"])
    http.get("/login")
    with pytest.raises(itsdangerous.BadSignature):
        itsdangerous.TimestampSigner(OLD_DEFAULT).unsign(http.cookies["blangko_session"])
    # Whoever reads the source can still sign a token; the server does not take it.
    now = utcnow()
    claims = {"sub": "1", "role": "admin", "iat": now, "exp": now + timedelta(hours=1)}
    forged = jwt.encode(claims, OLD_DEFAULT, "HS256")
    answer = http.get("/api/v1/offices", headers={"Authorization": f"Bearer {forged}"})
    assert_problem(answer, 401, "unauthenticated")


def test_a_new_key_ends_every_token_and_session(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(engine, "planner", Role.planner)
    before = client()
    token = before.post(
        "/api/v1/auth/token", data={"username": "planner", "password": PASSWORD}
    ).json()["access_token"]
    csrf = re.search(r'name="csrf" value="([^"]+)"', before.get("/login").text)
    assert csrf is not None
    before.post("/login", data={"csrf": csrf[1], "username": "planner", "password": PASSWORD})
    assert before.get("/nasional", follow_redirects=False).status_code == 200

    monkeypatch.setenv("BLANGKO_SECRET_KEY", secrets.token_urlsafe(48))
    get_settings.cache_clear()
    after = client()
    after.cookies = before.cookies  # the same browser, after the server's restart
    refused = after.get("/api/v1/offices", headers={"Authorization": f"Bearer {token}"})
    assert_problem(refused, 401, "unauthenticated")
    page = after.get("/nasional", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login"
