"""Sessions that can end (issue 11 §2): logout ends a web session and an API token on the
server, every copy included; a password, role, office or active-flag change ends all of
the user's sessions; user ids are never reused."""

import re

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from blangko import users
from blangko.db import session_scope
from blangko.models import Role, User
from tests.integration.api_support import PASSWORD, add_user, assert_problem, client

TOKEN = "/api/v1/auth/token"


def _token(http: TestClient, username: str) -> dict[str, str]:
    response = http.post(TOKEN, data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _web_login(http: TestClient, username: str) -> None:
    page = http.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    answer = http.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf": csrf.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def _copy_cookies(source: TestClient) -> TestClient:
    thief = TestClient(create_app())
    for cookie in source.cookies.jar:
        thief.cookies.set(cookie.name, cookie.value or "")
    return thief


def _csrf_of(http: TestClient, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', http.get(path).text)
    assert found is not None
    return found.group(1)


def test_logout_ends_the_token_and_every_copy(engine: Engine) -> None:
    add_user(engine, "perencana", Role.planner)
    http = client()
    headers = _token(http, "perencana")
    other = _token(http, "perencana")  # a second sign-in stays valid
    assert http.get("/api/v1/offices", headers=headers).status_code == 200
    assert http.post("/api/v1/auth/logout", headers=headers).status_code == 204
    body = assert_problem(http.get("/api/v1/offices", headers=headers), 401, "unauthenticated")
    assert "berakhir" in body["detail"]
    assert client().get("/api/v1/offices", headers=headers).status_code == 401
    assert http.get("/api/v1/offices", headers=other).status_code == 200


def test_web_logout_ends_a_copied_cookie(sqlite_engine: Engine) -> None:
    add_user(sqlite_engine, "petugas.bekasi", Role.officer, "32.16")
    with TestClient(create_app()) as http:
        _web_login(http, "petugas.bekasi")
        thief = _copy_cookies(http)
        assert thief.get("/kantor/32.16", follow_redirects=False).status_code == 200
        csrf = _csrf_of(http, "/kantor/32.16")
        out = http.post("/logout", data={"csrf": csrf}, follow_redirects=False)
        assert out.status_code == 303
        stolen = thief.get("/kantor/32.16", follow_redirects=False)
        assert stolen.status_code == 303 and stolen.headers["location"] == "/login"


def test_password_change_ends_tokens_and_cookies(sqlite_engine: Engine) -> None:
    add_user(sqlite_engine, "petugas.bekasi", Role.officer, "32.16")
    with TestClient(create_app()) as http:
        _web_login(http, "petugas.bekasi")
        headers = _token(http, "petugas.bekasi")
        with session_scope() as session:
            user = users.get_user(session=session, username="petugas.bekasi")
            users.set_password(session=session, user=user, password="sandi-baru-yang-panjang")
        assert http.get("/kantor/32.16", follow_redirects=False).status_code == 303
        body = assert_problem(
            http.get("/api/v1/offices/32.16", headers=headers), 401, "unauthenticated"
        )
        assert "masuk kembali" in body["detail"]
        fresh = http.post(
            TOKEN, data={"username": "petugas.bekasi", "password": "sandi-baru-yang-panjang"}
        )
        assert fresh.status_code == 200


def test_deactivation_and_role_change_end_every_session(engine: Engine) -> None:
    add_user(engine, "petugas.bekasi", Role.officer, "32.16")
    add_user(engine, "perencana", Role.planner)
    http = client()
    officer, planner = _token(http, "petugas.bekasi"), _token(http, "perencana")
    with session_scope(engine) as session:
        moved = users.get_user(session=session, username="petugas.bekasi")
        users.set_role(session=session, user=moved, role=Role.officer, office_code="12.71")
        gone = users.get_user(session=session, username="perencana")
        users.set_active(session=session, user=gone, active=False)
    assert_problem(http.get("/api/v1/offices/32.16", headers=officer), 401, "unauthenticated")
    assert_problem(http.get("/api/v1/offices", headers=planner), 401, "unauthenticated")
    # The moved officer signs in again and now works for Kota Medan only.
    again = _token(http, "petugas.bekasi")
    assert http.get("/api/v1/offices/12.71/stock", headers=again).status_code == 200
    assert http.get("/api/v1/offices/32.16/stock", headers=again).status_code in (403, 404)
    refused = http.post(TOKEN, data={"username": "perencana", "password": PASSWORD})
    assert_problem(refused, 401, "unauthenticated")
    with session_scope(engine) as session:
        history = users.list_events(session=session)
        actions = [(e.actor, e.action) for e in history]
    assert ("baris perintah (cli)", "dinonaktifkan") in actions
    assert ("baris perintah (cli)", "peran diubah") in actions


def test_user_ids_are_never_reused(engine: Engine) -> None:
    first = add_user(engine, "petugas.bekasi", Role.officer, "32.16")
    http = client()
    old_token = _token(http, "petugas.bekasi")
    with session_scope(engine) as session:
        # Even if a database administrator deletes the account by hand…
        for table in ("auth_sessions", "user_events", "login_attempts"):
            column = "username" if table == "login_attempts" else "user_id"
            value = "petugas.bekasi" if table == "login_attempts" else first.id
            session.execute(sa.text(f"DELETE FROM {table} WHERE {column} = :v"), {"v": value})
        session.execute(sa.delete(User).where(User.id == first.id))  # type: ignore[arg-type]
    second = add_user(engine, "petugas.medan", Role.officer, "12.71")
    assert second.id is not None and first.id is not None and second.id > first.id
    # …the old token never reads the new user's office.
    assert_problem(http.get("/api/v1/offices/12.71", headers=old_token), 401, "unauthenticated")


def test_password_rules_are_stated_in_indonesian(engine: Engine) -> None:
    with session_scope(engine) as session:
        for password, words in (("pendek-9c", "minimal 10"), ("petugas.bekasi", "sama dengan")):
            try:
                users.create_user(
                    session=session,
                    username="petugas.bekasi",
                    password=password,
                    role=Role.officer,
                    office_code="32.16",
                )
            except users.ValidationFailed as error:
                assert words in error.message
            else:
                raise AssertionError(f"password {password!r} was accepted")
