"""Failures the client cannot cause still answer as problem details: an unexpected error
is a 500 without internals, and health reports a database that is not migrated."""

from pathlib import Path

import pytest
from sqlalchemy import Engine

from api.app import create_app
from blangko.db import get_engine
from blangko.settings import get_settings
from tests.integration.api_support import TestClient, assert_problem


def test_unexpected_error_is_a_500_problem_without_internals(sqlite_engine: Engine) -> None:
    app = create_app()

    def broken() -> None:
        raise RuntimeError("secret connection string postgres://user:pw@db")

    app.add_api_route("/api/v1/broken", broken)
    response = TestClient(app, raise_server_exceptions=False).get("/api/v1/broken")
    body = assert_problem(response, 500, "internal_error")
    assert "tidak disimpan" in body["detail"]
    assert "secret" not in response.text and "RuntimeError" not in response.text


def test_health_is_degraded_on_an_unmigrated_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLANGKO_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        response = TestClient(create_app()).get("/healthz")
    finally:
        get_engine().dispose()
        get_engine.cache_clear()
        get_settings.cache_clear()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == {
        "reachable": True,
        "revision": None,
        "head": body["database"]["head"],
        "at_head": False,
    }
    assert body["database"]["head"]
