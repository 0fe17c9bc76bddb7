"""Lead times learned from a hand-made ledger (both databases), as of a date, and where a
planner or officer meets them: the stock-out alerts and their advice, the reallocation
plan, the projection's pending supply, the API and the office page.

The history: the centre answers each of Bandung's letters in 3 days; the first three
shipments take 5 days on the road, the last two 12. Nothing else in Jawa Barat or Jawa
has history, and nothing outside Jawa."""

import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from api.app import create_app
from blangko import shipments
from blangko.db import session_scope
from blangko.ledger import SYSTEM
from blangko.models import (
    Alert,
    AlertKind,
    AlertSeverity,
    AllocationRequest,
    ForecastResult,
    ForecastRun,
    ForecastRunStatus,
    ReallocationLine,
    RequestStatus,
    Role,
)
from blangko.offices import WIB, get_office, local_today
from blangko.settings import get_settings
from blangko.stock import record_procurement
from blangko.users import create_user
from forecast import alerts, plans, runner
from forecast.resupply import lead_times_as_of, pending_requests_as_of
from tests.integration.forecast_data import flat_result
from tests.integration.test_forecast_runs import with_history

BANDUNG, BEKASI, BOGOR, MEDAN = "32.73", "32.16", "32.01", "12.71"
PASSWORD = "kata-sandi-rahasia"


def today(session: Session) -> date:
    return local_today(get_office(session=session, code=BANDUNG))


def deliver(session: Session, requested_on: date, transit_days: int, n: int) -> None:
    """A letter from Bandung, answered and dispatched 3 days later, received after
    ``transit_days``."""
    request = shipments.request_allocation(
        session=session,
        office_code=BANDUNG,
        quantity=100,
        reference=f"470/{n}/BDG",
        actor=SYSTEM,
        requested_on=requested_on,
    )
    assert request.id is not None
    dispatched = requested_on + timedelta(days=3)
    _, shipment = shipments.approve_allocation(
        session=session,
        request_id=request.id,
        quantity=100,
        expected_on=dispatched + timedelta(days=transit_days),
        dispatched_on=dispatched,
        actor=SYSTEM,
    )
    assert shipment.id is not None
    shipments.receive(
        session=session,
        shipment_id=shipment.id,
        received_quantity=100,
        received_on=dispatched + timedelta(days=transit_days),
        actor=SYSTEM,
    )


def bandung_history(engine: Engine) -> date:
    """Five answered letters, and one of Bogor's still waiting; returns today."""
    with session_scope(engine) as session:
        on = today(session)
        record_procurement(
            session=session,
            quantity=100_000,
            received_on=on - timedelta(days=200),
            reference="SPK-1",
            actor=SYSTEM,
        )
        for n, (ago, transit) in enumerate(((100, 5), (80, 5), (60, 5), (40, 12), (20, 12))):
            deliver(session, on - timedelta(days=ago), transit, n)
        shipments.request_allocation(
            session=session,
            office_code=BOGOR,
            quantity=2000,
            reference="470/77/BGR",
            actor=SYSTEM,
            requested_on=on - timedelta(days=10),
        )
    return on


def test_lead_times_are_learned_as_of_a_date(engine: Engine) -> None:
    on = bandung_history(engine)
    default = get_settings().lead_time_days
    with session_scope(engine, write=False) as session:
        now = lead_times_as_of(session=session, as_of=on)
        then = lead_times_as_of(session=session, as_of=on - timedelta(days=50))
        before = lead_times_as_of(session=session, as_of=on - timedelta(days=100))
        one = lead_times_as_of(session=session, as_of=on, office_codes=[BOGOR])
    # 3 days to decide + transit: 5 days three times, 12 days twice.
    assert (now[BANDUNG].median, now[BANDUNG].p90, now[BANDUNG].source) == (8, 15, "office")
    assert (now[BOGOR].median, now[BOGOR].p90, now[BOGOR].source) == (8, 15, "province")
    assert now["36.71"].source == "region"
    assert (now[MEDAN].median, now[MEDAN].p90, now[MEDAN].source) == (default, default, "default")
    # Fifty days ago only the three quick shipments had arrived.
    assert (then[BANDUNG].median, then[BANDUNG].p90, then[BANDUNG].shipments) == (8, 8, 3)
    assert before[BANDUNG].source == "default"
    assert one == {BOGOR: now[BOGOR]}


def test_requests_waiting_for_a_decision_as_of_a_date(engine: Engine) -> None:
    on = bandung_history(engine)
    with session_scope(engine, write=False) as session:
        waiting = pending_requests_as_of(session=session, as_of=on)
        earlier = pending_requests_as_of(session=session, as_of=on - timedelta(days=38))
        before_bogor = pending_requests_as_of(session=session, as_of=on - timedelta(days=11))
    assert set(waiting) == {BOGOR}
    assert (waiting[BOGOR].reference, waiting[BOGOR].requested_on) == (
        "470/77/BGR",
        on - timedelta(days=10),
    )
    # Bandung's fourth letter (sent 40 days ago) was answered 37 days ago.
    assert earlier[BANDUNG].reference == "470/3/BDG"
    assert BOGOR not in before_bogor and BANDUNG not in before_bogor


def finished_forecast(session: Session, stockout_in: dict[str, int | None], on: date) -> None:
    """A finished run with a flat demand of 100 a day per office."""
    run = ForecastRun(status=ForecastRunStatus.finished)
    session.add(run)
    session.flush()
    assert run.id is not None
    for code, days in stockout_in.items():
        session.add(flat_result(run.id, code, on, days))
    session.flush()


def open_alert(session: Session, code: str) -> Alert | None:
    return session.exec(
        select(Alert).where(
            Alert.office_code == code,
            Alert.kind == AlertKind.stockout_risk,
            col(Alert.resolved_at).is_(None),
        )
    ).first()


def test_stockout_alerts_use_each_office_lead_time_and_follow_up_waiting_requests(
    engine: Engine,
) -> None:
    on = bandung_history(engine)
    default = get_settings().lead_time_days
    with session_scope(engine) as session:
        finished_forecast(session, {BANDUNG: 20, BEKASI: 30, BOGOR: 12, MEDAN: 30}, on)
    with session_scope(engine) as session:
        alerts.evaluate(session=session, kinds={AlertKind.stockout_risk})
    with session_scope(engine, write=False) as session:
        bandung, bekasi, bogor, medan = (
            open_alert(session, code) for code in (BANDUNG, BEKASI, BOGOR, MEDAN)
        )
    # Bandung is resupplied within 15 days (p90): twenty days left is a warning to act
    # this week, not an emergency; Bekasi (its province's 15 days) needs no alert yet.
    assert bandung is not None and bandung.severity is AlertSeverity.warning
    assert "waktu tunggu 15 hari" in bandung.message
    assert bekasi is None
    # Medan has no history: the setting, as before.
    assert medan is not None and f"waktu tunggu {default} hari" in medan.message
    # Bogor already asked: follow the letter up instead of writing another.
    assert bogor is not None and bogor.severity is AlertSeverity.critical
    assert "Permintaan no. 470/77/BGR menunggu keputusan sejak" in bogor.message
    assert "ajukan" not in bogor.message.lower()


def test_reallocation_plan_covers_each_office_lead_time(engine: Engine) -> None:
    on = bandung_history(engine)
    default = get_settings().lead_time_days + get_settings().safety_days
    with session_scope(engine) as session:
        finished_forecast(session, {BANDUNG: 5, MEDAN: 1}, on)
    with session_scope(engine) as session:
        plan = plans.build_plan(session=session)
        assert plan is not None
        lines = {
            line.to_office: line.quantity
            for line in session.exec(
                select(ReallocationLine).where(ReallocationLine.plan_id == plan.id)
            ).all()
        }
    # Bandung holds the 500 blanks it received and needs 100 a day over 15 + 14 days.
    assert lines[BANDUNG] == 100 * (15 + get_settings().safety_days) - 500
    assert lines[MEDAN] == 100 * default


def test_an_approved_request_not_yet_dispatched_counts_in_the_projection(
    engine: Engine,
) -> None:
    with_history(engine, BANDUNG, days=60, stock=1600)
    first = runner.run_forecast(engine=engine, office_code=BANDUNG)
    with session_scope(engine) as session:
        approved_on = today(session) - timedelta(days=2)
        noon = datetime.combine(approved_on, time(12), tzinfo=ZoneInfo(WIB))
        # Approved but not dispatched yet: the services dispatch on approval, so the row is
        # written as an older system (or a replay's "as of") would leave it.
        session.add(
            AllocationRequest(
                office_code=BANDUNG,
                quantity=700,
                reference="470/9/BDG",
                status=RequestStatus.approved,
                requested_on=approved_on - timedelta(days=5),
                approved_quantity=700,
                decided_at=noon.astimezone(ZoneInfo("UTC")),
            )
        )
    second = runner.run_forecast(engine=engine, office_code=BANDUNG)
    with session_scope(engine, write=False) as session:
        before, after = (
            session.exec(select(ForecastResult).where(ForecastResult.run_id == run.id)).one()
            for run in (first, second)
        )
    # No history of answered letters: it arrives after the setting's lead time.
    arrival = (approved_on + timedelta(days=get_settings().lead_time_days)).isoformat()
    gained = {
        p["date"]: round(q["projected_stock"] - p["projected_stock"])
        for p, q in zip(before.points, after.points, strict=True)
    }
    assert {day: gain for day, gain in gained.items() if gain} == {
        day: 700 for day in gained if day >= arrival
    }


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with session_scope(engine) as session:
        create_user(session=session, username="pusat", password=PASSWORD, role=Role.planner)
    with TestClient(create_app()) as test_client:
        yield test_client


def test_lead_time_in_the_api(client: TestClient, engine: Engine) -> None:
    on = bandung_history(engine)
    with session_scope(engine) as session:
        finished_forecast(session, {BANDUNG: 40}, on)
    token = client.post("/api/v1/auth/token", data={"username": "pusat", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    stock = client.get(f"/api/v1/offices/{BANDUNG}/stock", headers=headers).json()
    forecast = client.get(f"/api/v1/offices/{BANDUNG}/forecast", headers=headers).json()
    expected = {"median": 8, "p90": 15, "source": "office"}
    assert stock["lead_time_days"] == forecast["lead_time_days"] == expected
    default = get_settings().lead_time_days
    medan = client.get(f"/api/v1/offices/{MEDAN}/stock", headers=headers).json()
    assert medan["lead_time_days"] == {"median": default, "p90": default, "source": "default"}
    national = client.get("/api/v1/offices/00/stock", headers=headers).json()
    assert national["lead_time_days"] is None
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert "p90" in schema["LeadTimePublic"]["properties"]
    assert schema["LeadTimePublic"]["properties"]["source"]["description"]


def test_lead_time_on_the_office_page(client: TestClient, engine: Engine) -> None:
    bandung_history(engine)
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    client.post(
        "/login",
        data={"username": "pusat", "password": PASSWORD, "csrf": token.group(1)},
        follow_redirects=False,
    )
    text = re.sub(r"\s+", " ", client.get(f"/kantor/{BANDUNG}").text)
    assert (
        "Waktu tunggu kiriman: median 8 hari, p90 15 hari "
        "(sumber: riwayat kiriman ke kantor ini)" in text
    )
    bogor = re.sub(r"\s+", " ", client.get(f"/kantor/{BOGOR}").text)
    assert "p90 15 hari (sumber: riwayat kiriman se-provinsi)" in bogor
