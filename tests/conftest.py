"""Shared fixtures: a fresh, migrated and seeded database per test, on SQLite and (when
``BLANGKO_TEST_POSTGRES_URL`` is set) PostgreSQL.

The schema is made by running the migrations once per session into a template (a SQLite
file, a PostgreSQL template database); each test gets its own copy, so tests are
isolated and can commit like the application does. With ``CI=true`` a PostgreSQL test
that cannot reach its server fails instead of skipping.
"""

import os
import secrets
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from blangko.db import get_engine, make_engine, session_scope
from blangko.migrate import upgrade
from blangko.offices import seed_offices
from blangko.settings import get_settings

# One signing key for the whole run, inherited by the servers the tests start; the tests
# of the key itself (tests/integration/test_secret_key.py) unset it.
os.environ.setdefault("BLANGKO_SECRET_KEY", secrets.token_urlsafe(48))
PG_URL = os.environ.get("BLANGKO_TEST_POSTGRES_URL")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
BACKENDS = ["sqlite", "postgres"]


def _prepare(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            seed_offices(session=session)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    _prepare(f"sqlite:///{path}")
    return path


def _pg_admin_engine() -> Engine:
    if not PG_URL:
        message = "BLANGKO_TEST_POSTGRES_URL is not set"
        if IN_CI:
            pytest.fail(f"{message}; PostgreSQL tests must run in CI")
        pytest.skip(message)
    engine = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        if IN_CI:
            pytest.fail(f"PostgreSQL at {PG_URL} is unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    return engine


def _pg_url(database: str) -> str:
    assert PG_URL
    return make_url(PG_URL).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    admin = _pg_admin_engine()
    name = f"blangko_tpl_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    _prepare(_pg_url(name))
    yield name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def fresh_database_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[str]:
    """A URL of a new database holding the migrated, seeded schema; dropped afterwards."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "blangko.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    template_name: str = request.getfixturevalue("pg_template")
    admin = _pg_admin_engine()
    name = f"blangko_t_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
    try:
        yield _pg_url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database on each backend (the test runs once per backend)."""
    yield from fresh_database_url(request.param, request, tmp_path)


@pytest.fixture
def sqlite_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from fresh_database_url("sqlite", request, tmp_path)


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from fresh_database_url("postgres", request, tmp_path)


@pytest.fixture
def engine(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The application's engine pointed at a fresh database (both backends)."""
    yield from _use_database(database_url, monkeypatch)


@pytest.fixture
def sqlite_engine(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    yield from _use_database(sqlite_url, monkeypatch)


def _use_database(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("BLANGKO_DATABASE_URL", url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    engine = get_engine()
    try:
        yield engine
    finally:
        engine.dispose()
        get_engine.cache_clear()
        get_settings.cache_clear()
