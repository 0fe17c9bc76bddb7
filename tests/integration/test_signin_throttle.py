"""Password guessing is throttled per username (over every address) and per address
(over every username), with a wait that doubles; the API token endpoint and the web
login count the same failures. Each client here has its own address, as behind a
NAT-free network."""

import re
import warnings
from datetime import timedelta

from sqlalchemy import Engine

from blangko.db import session_scope
from blangko.errors import TooManyAttempts
from blangko.models import Role, utcnow
from blangko.signin import ADDRESS_LIMIT, USER_LIMIT, check_throttle, record_attempt
from tests.integration.api_support import PASSWORD, add_user, assert_problem

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from api.app import create_app

TOKEN = "/api/v1/auth/token"


def from_address(address: str) -> TestClient:
    return TestClient(create_app(), raise_server_exceptions=False, client=(address, 40000))


def test_guessing_one_password_from_many_addresses_is_throttled(engine: Engine) -> None:
    add_user(engine, "planner", Role.planner)
    add_user(engine, "other", Role.planner)
    answers = [
        from_address(f"203.0.113.{n}").post(
            TOKEN, data={"username": "planner", "password": "salah-sandi"}
        )
        for n in range(1, 9)
    ]
    assert [a.status_code for a in answers] == [401] * USER_LIMIT + [429] * (8 - USER_LIMIT)
    body = assert_problem(answers[-1], 429, "too_many_attempts")
    assert "Tunggu 1 menit" in body["detail"] and "'planner'" in body["detail"]
    assert 1 <= int(answers[-1].headers["retry-after"]) <= 61
    # The account is locked for every address, even with the right password ...
    fresh = from_address("198.51.100.7")
    locked = fresh.post(TOKEN, data={"username": "planner", "password": PASSWORD})
    assert_problem(locked, 429, "too_many_attempts")
    # ... and other accounts are not.
    ok = fresh.post(TOKEN, data={"username": "other", "password": PASSWORD})
    assert ok.status_code == 200, ok.text


def test_trying_many_usernames_from_one_address_is_throttled(engine: Engine) -> None:
    add_user(engine, "planner", Role.planner)
    sprayer = from_address("203.0.113.99")
    for n in range(ADDRESS_LIMIT):
        wrong = sprayer.post(TOKEN, data={"username": f"user{n}", "password": "sandi-umum-1"})
        assert wrong.status_code == 401, (n, wrong.text)
    refused = sprayer.post(TOKEN, data={"username": "planner", "password": PASSWORD})
    body = assert_problem(refused, 429, "too_many_attempts")
    assert "dari alamat ini" in body["detail"] and "Tunggu" in body["detail"]
    assert int(refused.headers["retry-after"]) >= 1
    # The same person from another address is not held up.
    elsewhere = from_address("198.51.100.8")
    ok = elsewhere.post(TOKEN, data={"username": "planner", "password": PASSWORD})
    assert ok.status_code == 200, ok.text


def test_web_login_and_api_count_the_same_failures(engine: Engine) -> None:
    add_user(engine, "planner", Role.planner)
    api = from_address("203.0.113.1")
    for _ in range(USER_LIMIT):
        api.post(TOKEN, data={"username": "planner", "password": "salah-sandi"})
    browser = from_address("198.51.100.9")
    form = browser.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf is not None
    page = browser.post(
        "/login",
        data={"csrf": csrf.group(1), "username": "planner", "password": PASSWORD},
        follow_redirects=False,
    )
    assert page.status_code == 429
    assert "Tunggu 1 menit" in page.text


def test_the_wait_doubles_with_each_failure_past_the_limit(engine: Engine) -> None:
    start = utcnow() - timedelta(hours=2)

    def fail_at(moment: object, client: str) -> None:
        with session_scope() as session:
            record_attempt(
                session=session, username="planner", client=client, succeeded=False, now=moment
            )

    def wait_at(moment: object) -> int | None:
        with session_scope(write=False) as session:
            try:
                check_throttle(session=session, username="planner", client="x", now=moment)
            except TooManyAttempts as refused:
                return int(refused.details["retry_after"])
        return None

    for n in range(USER_LIMIT):
        fail_at(start + timedelta(seconds=n), f"10.0.0.{n}")
    last = start + timedelta(seconds=USER_LIMIT - 1)
    assert wait_at(last) == 61
    assert wait_at(last + timedelta(minutes=1, seconds=1)) is None
    waits = []
    for n in range(4):  # each failure made once the previous wait is over
        last += timedelta(minutes=30)
        fail_at(last, f"10.0.1.{n}")
        waits.append(wait_at(last))
    assert waits == [121, 241, 481, 961]


def test_a_success_clears_the_failures_before_it(engine: Engine) -> None:
    add_user(engine, "planner", Role.planner)
    there, elsewhere = from_address("203.0.113.1"), from_address("198.51.100.1")
    for _ in range(USER_LIMIT - 1):
        there.post(TOKEN, data={"username": "planner", "password": "salah-sandi"})
    assert there.post(TOKEN, data={"username": "planner", "password": PASSWORD}).status_code == 200
    for _ in range(USER_LIMIT - 1):  # the count started again
        elsewhere.post(TOKEN, data={"username": "planner", "password": "salah-sandi"})
    assert there.post(TOKEN, data={"username": "planner", "password": PASSWORD}).status_code == 200
