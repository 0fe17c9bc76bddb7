"""Sign-in over HTTP: tokens, their expiry, refusal of bad tokens and throttling of
repeated failures (kept in the database, so it holds across server processes)."""

from datetime import timedelta

from sqlalchemy import Engine

from api.auth import issue_token
from blangko.db import session_scope
from blangko.models import Role, User, utcnow
from tests.integration.api_support import PASSWORD, add_user, assert_problem, bearer, client

TOKEN = "/api/v1/auth/token"


def test_sign_in_gives_a_working_bearer_token(engine: Engine) -> None:
    add_user(engine, "bekasi", Role.officer, "32.16")
    http = client()
    response = http.post(TOKEN, data={"username": " Bekasi ", "password": PASSWORD})
    assert response.status_code == 200, response.text
    token = response.json()
    assert token["token_type"] == "bearer" and token["expires_in"] == 480 * 60
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert http.get("/api/v1/offices/32.16", headers=headers).json()["name"] == "Kabupaten Bekasi"


def test_requests_without_a_valid_token_are_unauthenticated(engine: Engine) -> None:
    user = add_user(engine, "planner", Role.planner)
    http = client()
    missing = assert_problem(http.get("/api/v1/offices"), 401, "unauthenticated")
    assert "masuk" in missing["detail"]
    assert http.get("/api/v1/offices").headers["www-authenticate"] == "Bearer"
    garbage = http.get("/api/v1/offices", headers={"Authorization": "Bearer abc.def.ghi"})
    assert_problem(garbage, 401, "unauthenticated")
    forged = issue_token(user).token[:-4] + "AAAA"
    assert_problem(
        http.get("/api/v1/offices", headers={"Authorization": f"Bearer {forged}"}),
        401,
        "unauthenticated",
    )


def test_expired_token_is_refused(engine: Engine) -> None:
    user = add_user(engine, "planner", Role.planner)
    old = issue_token(user, now=utcnow() - timedelta(minutes=481)).token
    response = client().get("/api/v1/offices", headers={"Authorization": f"Bearer {old}"})
    body = assert_problem(response, 401, "unauthenticated")
    assert "berakhir" in body["detail"]
    fresh = issue_token(user, now=utcnow() - timedelta(minutes=479)).token
    ok = client().get("/api/v1/offices", headers={"Authorization": f"Bearer {fresh}"})
    assert ok.status_code == 200


def test_deactivated_user_loses_access(engine: Engine) -> None:
    user = add_user(engine, "planner", Role.planner)
    headers = bearer(user)
    with session_scope(engine) as session:
        stored = session.get(User, user.id)
        assert stored is not None
        stored.is_active = False
        session.add(stored)
    assert_problem(client().get("/api/v1/offices", headers=headers), 401, "unauthenticated")
    refused = client().post(TOKEN, data={"username": "planner", "password": PASSWORD})
    assert_problem(refused, 401, "unauthenticated")


def test_wrong_password_is_refused_with_a_message(engine: Engine) -> None:
    add_user(engine, "planner", Role.planner)
    response = client().post(TOKEN, data={"username": "planner", "password": "salah-sandi"})
    body = assert_problem(response, 401, "unauthenticated")
    assert "kata sandi salah" in body["detail"]
    missing = client().post(TOKEN, data={"username": "planner"})
    assert assert_problem(missing, 422, "validation_error")["errors"][0]["field"] == "password"


def test_repeated_failures_are_throttled_across_app_instances(engine: Engine) -> None:
    add_user(engine, "planner", Role.planner)
    add_user(engine, "other", Role.planner)
    first, second = client(), client()  # two server processes sharing one database
    for _ in range(5):
        wrong = first.post(TOKEN, data={"username": "planner", "password": "salah-sandi"})
        assert wrong.status_code == 401
    # Even the right password is refused now, by the other instance too.
    throttled = second.post(TOKEN, data={"username": "planner", "password": PASSWORD})
    body = assert_problem(throttled, 429, "too_many_attempts")
    assert "Tunggu" in body["detail"]
    assert 1 <= int(throttled.headers["retry-after"]) <= 15 * 60 + 1
    # Another username is not affected.
    assert second.post(TOKEN, data={"username": "other", "password": PASSWORD}).status_code == 200


def test_a_success_clears_earlier_failures(engine: Engine) -> None:
    add_user(engine, "planner", Role.planner)
    http = client()
    for _ in range(2):
        for _ in range(4):
            http.post(TOKEN, data={"username": "planner", "password": "salah-sandi"})
        ok = http.post(TOKEN, data={"username": "planner", "password": PASSWORD})
        assert ok.status_code == 200, ok.text
