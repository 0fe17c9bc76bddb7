"""HTTP: alerts and reallocation plans through the real app (both databases)."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from api.app import create_app
from blangko.db import session_scope
from blangko.ledger import SYSTEM
from blangko.models import AlertKind, AlertSeverity, Role, Shipment
from blangko.stock import record_procurement
from blangko.users import create_user
from forecast import alert_rules, alert_store, alerts, plans
from tests.integration.test_alerts_plans import BANDUNG, BOGOR, forecast, give_stock, today

PASSWORD = "kata-sandi-rahasia"


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with session_scope(engine) as session:
        create_user(session=session, username="pusat", password=PASSWORD, role=Role.planner)
        create_user(
            session=session,
            username="bandung",
            password=PASSWORD,
            role=Role.officer,
            office_code=BANDUNG,
        )
        alert_store.sync(
            session=session,
            findings=[
                alert_rules.Finding(
                    BANDUNG, AlertKind.stockout_risk, AlertSeverity.critical, "Habis."
                ),
                alert_rules.Finding(BOGOR, AlertKind.surplus, AlertSeverity.info, "Berlebih."),
                alert_rules.Finding(
                    "00", AlertKind.national_shortage, AlertSeverity.warning, "Nasional."
                ),
            ],
            kinds=alerts.ALL_KINDS,
            now=datetime.now(UTC),
        )
    with TestClient(create_app()) as client:
        yield client


def headers(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_planner_filters_alerts_and_officer_sees_only_own_office(client: TestClient) -> None:
    planner = headers(client, "pusat")
    officer = headers(client, "bandung")

    everything = client.get("/api/v1/alerts", headers=planner).json()["items"]
    assert {a["office"] for a in everything} == {BANDUNG, BOGOR, "00"}
    critical = client.get(
        "/api/v1/alerts", params={"severity": "critical", "status": "open"}, headers=planner
    ).json()["items"]
    assert [(a["office"], a["kind"]) for a in critical] == [(BANDUNG, "stockout_risk")]
    assert (
        client.get("/api/v1/alerts", params={"kind": "surplus"}, headers=planner).json()["items"][
            0
        ]["office"]
        == BOGOR
    )
    assert (
        client.get("/api/v1/alerts", params={"status": "resolved"}, headers=planner).json()["items"]
        == []
    )

    own = client.get("/api/v1/alerts", headers=officer).json()["items"]
    assert [a["office"] for a in own] == [BANDUNG]
    other = client.get("/api/v1/alerts", params={"office": BOGOR}, headers=officer)
    assert other.status_code == 403
    assert other.headers["content-type"].startswith("application/problem+json")
    assert other.json()["code"] == "forbidden"
    bad = client.get("/api/v1/alerts", params={"kind": "nonsense"}, headers=planner)
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"


def test_acknowledge_own_alert_and_not_another_office(client: TestClient) -> None:
    planner = headers(client, "pusat")
    officer = headers(client, "bandung")
    by_office = {
        a["office"]: a for a in client.get("/api/v1/alerts", headers=planner).json()["items"]
    }

    mine = client.post(f"/api/v1/alerts/{by_office[BANDUNG]['id']}/ack", headers=officer)
    assert mine.status_code == 200
    assert mine.json()["acknowledged_at"] is not None
    again = client.post(f"/api/v1/alerts/{by_office[BANDUNG]['id']}/ack", headers=officer)
    assert again.json()["acknowledged_at"] == mine.json()["acknowledged_at"]

    theirs = client.post(f"/api/v1/alerts/{by_office[BOGOR]['id']}/ack", headers=officer)
    assert theirs.status_code == 404 and theirs.json()["code"] == "not_found"
    assert client.post("/api/v1/alerts/999999/ack", headers=planner).status_code == 404
    assert client.post(f"/api/v1/alerts/{by_office[BOGOR]['id']}/ack").status_code == 401


def test_latest_plan_and_approval_twice_makes_one_shipment(
    client: TestClient, engine: Engine
) -> None:
    planner = headers(client, "pusat")
    officer = headers(client, "bandung")
    none_yet = client.get("/api/v1/reallocation-plans/latest", headers=planner)
    assert none_yet.status_code == 404 and "blangko alerts run" in none_yet.json()["detail"]

    with session_scope(engine) as session:
        give_stock(session, BOGOR, 2_000)
        record_procurement(
            session=session, quantity=100, received_on=today(session), reference="S", actor=SYSTEM
        )
        forecast(session, {BANDUNG: 20, BOGOR: 10})
        plans.build_plan(session=session)

    latest = client.get("/api/v1/reallocation-plans/latest", headers=planner).json()
    assert latest["status"] == "proposed" and latest["coverage"] == 1.0
    assert [(x["from_office"], x["to_office"], x["quantity"]) for x in latest["lines"]] == [
        (BOGOR, BANDUNG, 700)
    ]
    refused = client.post(f"/api/v1/reallocation-plans/{latest['id']}/approve", headers=officer)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"

    first = client.post(f"/api/v1/reallocation-plans/{latest['id']}/approve", headers=planner)
    second = client.post(f"/api/v1/reallocation-plans/{latest['id']}/approve", headers=planner)

    assert first.status_code == second.status_code == 200
    assert first.json()["status"] == "approved"
    [line] = second.json()["lines"]
    assert line["shipment_id"] == first.json()["lines"][0]["shipment_id"]
    assert line["shipment_status"] == "in_transit"
    with session_scope(engine, write=False) as session:
        sent = session.exec(select(Shipment).where(Shipment.from_office == BOGOR)).all()
    assert [(s.to_office, s.quantity) for s in sent] == [(BANDUNG, 700)]
    # The officer of the receiving office sees its line of the plan.
    seen = client.get("/api/v1/reallocation-plans/latest", headers=officer).json()
    assert [x["to_office"] for x in seen["lines"]] == [BANDUNG]
