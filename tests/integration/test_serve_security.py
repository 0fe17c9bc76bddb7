"""``blangko serve`` as deployed: on a fresh machine it makes one signing key that every
worker shares, it refuses weak or missing keys, and it believes forwarded headers only
from ``BLANGKO_TRUSTED_PROXIES`` (a spoofed ``X-Forwarded-For`` does not buy fresh
sign-in attempts; a trusted proxy's ``X-Forwarded-Proto: https`` turns on Secure cookies
and HSTS)."""

import contextlib
import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest
from sqlalchemy import Engine

from blangko.models import Role
from blangko.signin import ADDRESS_LIMIT, USER_LIMIT
from tests.integration.api_support import PASSWORD, add_user
from tests.net import free_port

TOKEN = "/api/v1/auth/token"
SERVE = [sys.executable, "-m", "blangko.cli", "serve", "--no-scheduler"]


def _environment(engine: Engine, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLANGKO_")}
    env["BLANGKO_DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    return {**env, **settings}


@contextlib.contextmanager
def serving(env: dict[str, str], log: Path, *options: str) -> Iterator[str]:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*SERVE, "--port", str(port), *options], env=env, stdout=out, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                        break
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"blangko serve did not start:\n{log.read_text(errors='replace')}")
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_fresh_machine_makes_one_key_that_every_worker_uses(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    add_user(sqlite_engine, "planner", Role.planner)
    log = tmp_path / "serve.log"
    with serving(_environment(sqlite_engine), log, "--workers", "2") as base:
        key_file = Path(str(sqlite_engine.url.database) + ".secret")
        key = key_file.read_text().strip()
        signed = httpx.post(base + TOKEN, data={"username": "planner", "password": PASSWORD})
        token = signed.json()["access_token"]
        # Signed with the kept key, not with anything anyone could read in the source.
        assert jwt.decode(token, key, algorithms=["HS256"])["sub"]
        headers = {"Authorization": f"Bearer {token}"}
        answers = {
            httpx.get(base + "/api/v1/offices", headers=headers).status_code for _ in range(20)
        }
        assert answers == {200}  # whichever worker answers
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert log.read_text().count(f"Kunci rahasia baru dibuat di {key_file} (mode 0600).") == 1


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"BLANGKO_SECRET_KEY": "terlalu-pendek"}, "terlalu pendek"),
        (
            {"BLANGKO_DATABASE_URL": "postgresql+psycopg://blangko@127.0.0.1:1/blangko"},
            "print(secrets.token_urlsafe(48))",
        ),
    ],
)
def test_serve_refuses_a_weak_or_missing_key(
    sqlite_engine: Engine, settings: dict[str, str], message: str
) -> None:
    env = _environment(sqlite_engine, **settings)
    port = str(free_port())
    done = subprocess.run([*SERVE, "--port", port], env=env, capture_output=True, timeout=60)
    assert done.returncode == 1
    assert message in done.stderr.decode()


def _spray(base: str, headers: dict[str, str]) -> list[int]:
    """One wrong password per username, each request claiming another address."""
    return [
        httpx.post(
            base + TOKEN,
            data={"username": f"user{n}", "password": "sandi-umum-1"},
            headers={"X-Forwarded-For": f"203.0.113.{n}", **headers},
        ).status_code
        for n in range(ADDRESS_LIMIT + 1)
    ]


def test_spoofed_forwarded_headers_are_ignored(sqlite_engine: Engine, tmp_path: Path) -> None:
    add_user(sqlite_engine, "planner", Role.planner)
    with serving(_environment(sqlite_engine), tmp_path / "serve.log") as base:
        guesses = [
            httpx.post(
                base + TOKEN,
                data={"username": "planner", "password": "salah-sandi"},
                headers={"X-Forwarded-For": f"198.51.100.{n}"},
            )
            for n in range(8)
        ]
        assert [g.status_code for g in guesses] == [401] * USER_LIMIT + [429] * 3
        assert "Tunggu" in guesses[-1].json()["detail"]
        assert int(guesses[-1].headers["retry-after"]) >= 1
        assert _spray(base, {})[-1] == 429  # all from 127.0.0.1, whatever they claim
        page = httpx.get(base + "/login", headers={"X-Forwarded-Proto": "https"})
        assert "strict-transport-security" not in page.headers
        assert "secure" not in page.headers["set-cookie"].lower()


def test_a_trusted_proxy_names_the_client_and_the_scheme(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    env = _environment(sqlite_engine, BLANGKO_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8")
    with serving(env, tmp_path / "serve.log") as base:
        assert set(_spray(base, {})) == {401}  # every address its own
        page = httpx.get(base + "/login", headers={"X-Forwarded-Proto": "https"})
        assert page.headers["strict-transport-security"].startswith("max-age=")
        assert re.search(r";\s*Secure", page.headers["set-cookie"])
