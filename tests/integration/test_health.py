"""/healthz tells an operator whether this process runs the scheduled jobs."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from forecast.jobs import background_scheduler


def test_health_reports_the_scheduler_of_this_process(sqlite_engine: Engine) -> None:
    client = TestClient(create_app())
    scheduler = background_scheduler()
    scheduler.start(paused=True)
    try:
        assert client.get("/healthz").json()["scheduler"] == "paused"
        scheduler.resume()
        body = client.get("/healthz").json()
        assert body["status"] == "ok" and body["scheduler"] == "running"
    finally:
        scheduler.shutdown(wait=False)
    assert client.get("/healthz").json()["scheduler"] == "stopped"
