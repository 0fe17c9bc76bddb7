"""HTTP: forecasts through the real app (both databases): the latest forecast of an
office, access rules, starting a run in a background process and following it."""

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from blangko.db import session_scope
from blangko.models import Role
from blangko.users import create_user
from forecast import runner
from forecast.runs import create_run
from tests.integration.test_forecast_runs import BANDUNG, BOGOR, with_history

PASSWORD = "kata-sandi-rahasia"


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with session_scope(engine) as session:
        create_user(session=session, username="pusat", password=PASSWORD, role=Role.planner)
        for username, office in (("bandung", BANDUNG), ("bogor", BOGOR), ("jabar", "32")):
            create_user(
                session=session,
                username=username,
                password=PASSWORD,
                role=Role.officer,
                office_code=office,
            )
    with_history(engine, BANDUNG, days=60, stock=1600)
    with TestClient(create_app()) as client:
        yield client


def headers(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_office_forecast_and_who_may_read_it(client: TestClient, engine: Engine) -> None:
    planner, own = headers(client, "pusat"), headers(client, "bandung")
    before = client.get(f"/api/v1/offices/{BANDUNG}/forecast", headers=own)
    assert before.status_code == 404
    assert before.headers["content-type"].startswith("application/problem+json")
    assert before.json()["code"] == "not_found"
    assert "blangko forecast run" in before.json()["detail"]

    run = runner.run_forecast(engine=engine, office_code=BANDUNG)

    body = client.get(f"/api/v1/offices/{BANDUNG}/forecast", headers=own).json()
    assert body["run_id"] == run.id and body["office"] == BANDUNG
    assert body["model"] == "weekday_median"
    assert body["horizon_days"] == len(body["points"]) == 90
    assert set(body["points"][0]) == {
        "date",
        "demand_mean",
        "demand_low",
        "demand_high",
        "projected_stock",
    }
    assert set(body["stockout_probability"]) == {"14", "30", "60"}
    assert body["stockout_date"] is not None and body["risk"] == "high"
    assert body["backtest_mase"] is not None
    assert body["backtest"]["mase"]["seasonal_naive"] is not None
    assert client.get(f"/api/v1/offices/{BANDUNG}/forecast", headers=planner).status_code == 200
    # The provincial officer reads its kab/kota; another kab/kota's officer may not.
    assert (
        client.get(
            f"/api/v1/offices/{BANDUNG}/forecast", headers=headers(client, "jabar")
        ).status_code
        == 200
    )
    other = client.get(f"/api/v1/offices/{BANDUNG}/forecast", headers=headers(client, "bogor"))
    assert other.status_code == 403 and other.json()["code"] == "forbidden"
    assert client.get("/api/v1/offices/99.99/forecast", headers=planner).status_code == 404
    assert client.get(f"/api/v1/offices/{BANDUNG}/forecast").status_code == 401

    stock = client.get(f"/api/v1/offices/{BANDUNG}/stock", headers=own).json()
    assert stock["days_of_cover"] == body["days_of_cover"] is not None
    health = client.get("/healthz").json()
    assert health["last_forecast_run"]["id"] == run.id
    assert health["last_forecast_run"]["status"] == "finished"

    overview = client.get("/api/v1/stock", headers=planner).json()["offices"]
    row = next(r for r in overview if r["code"] == BANDUNG)
    assert row["risk"] == "high" and row["stockout_date"] == body["stockout_date"]
    assert row["days_of_cover"] == body["days_of_cover"]


@pytest.mark.slow
def test_planner_starts_a_background_run_and_follows_it(client: TestClient) -> None:
    planner = headers(client, "pusat")
    started = time.perf_counter()
    response = client.post("/api/v1/forecasts/run", json={"office": BANDUNG}, headers=planner)
    assert response.status_code == 202, response.text
    assert time.perf_counter() - started < 5  # the request does not wait for the models
    run = response.json()
    assert run["status"] == "queued" and run["office"] == BANDUNG

    deadline = time.monotonic() + 90
    status = run
    while status["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.5)
        status = client.get(f"/api/v1/forecasts/runs/{run['id']}", headers=planner).json()
    assert status["status"] == "finished", status
    assert status["offices_done"] == status["offices_total"] == 1
    assert status["versions"]["prophet"]
    forecast = client.get(f"/api/v1/offices/{BANDUNG}/forecast", headers=planner).json()
    assert forecast["run_id"] == run["id"]


def test_run_routes_are_for_planners_and_refuse_a_second_active_run(
    client: TestClient, engine: Engine
) -> None:
    planner, officer = headers(client, "pusat"), headers(client, "bandung")
    refused = client.post("/api/v1/forecasts/run", headers=officer)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert (
        client.post("/api/v1/forecasts/run", json={"office": "99.99"}, headers=planner).status_code
        == 404
    )
    bad = client.post("/api/v1/forecasts/run", json={"office": "Bandung"}, headers=planner)
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"

    with session_scope(engine) as session:
        queued = create_run(session=session, settings=runner.RunSettings())
    busy = client.post("/api/v1/forecasts/run", headers=planner)
    assert busy.status_code == 409 and busy.json()["code"] == "invalid_state"
    assert f"#{queued.id}" in busy.json()["detail"]

    status = client.get(f"/api/v1/forecasts/runs/{queued.id}", headers=planner)
    assert status.status_code == 200 and status.json()["status"] == "queued"
    assert client.get(f"/api/v1/forecasts/runs/{queued.id}", headers=officer).status_code == 403
    assert client.get("/api/v1/forecasts/runs/999", headers=planner).status_code == 404
