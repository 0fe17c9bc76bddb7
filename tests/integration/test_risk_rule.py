"""The one stock-out risk rule on a real database (both backends): a forecast run stores
each office's learned lead time and its risk at its own horizon, and the overview's
level, the forecast endpoint, the alert and the planners' digest agree for offices at
and around the threshold."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.app import create_app
from blangko.db import session_scope
from blangko.forecasts import latest_result, risk_of
from blangko.models import ForecastRun, ForecastRunStatus, OutboxMessage, Role
from blangko.offices import get_office, local_today
from blangko.risk import HIGH, LOW
from blangko.settings import get_settings
from blangko.users import create_user
from forecast import runner
from forecast.nightly import run_alerts
from forecast.resupply import lead_times_as_of
from tests.integration.forecast_data import flat_result
from tests.integration.test_forecast_runs import BANDUNG, BOGOR, with_history, yesterday
from tests.integration.test_web_pages import PASSWORD, login


def test_a_run_stores_the_learned_lead_time_and_the_risk_at_the_office_horizon(
    engine: Engine,
) -> None:
    # Bogor's 300 blanks last about two weeks; Bandung's 20,000 well over a year.
    with_history(engine, BOGOR, days=30, stock=1000)
    with_history(engine, BANDUNG, days=30, stock=20_000)
    for code in (BOGOR, BANDUNG):
        runner.run_forecast(engine=engine, office_code=code)
    safety = get_settings().safety_days
    with session_scope(engine, write=False) as session:
        learned = lead_times_as_of(session=session, as_of=yesterday())
        bogor, bandung = (latest_result(session=session, office_code=c) for c in (BOGOR, BANDUNG))
    for result in (bogor, bandung):
        lead = learned[result.office_code]
        assert (result.lead_time_median, result.lead_time_p90) == (lead.median, lead.p90)
        assert result.lead_time_source == lead.source
        assert result.risk_horizon_days == lead.p90 + safety
    assert bogor.stockout_date is not None
    assert bogor.stockout_date <= yesterday() + timedelta(days=bogor.risk_horizon_days or 0)
    assert bogor.risk_probability is not None and bogor.risk_probability >= 0.9
    assert bandung.risk_probability == 0.0
    assert risk_of(bogor).level == HIGH and risk_of(bandung).level == LOW


# -- one rule, everywhere ------------------------------------------------------------------

CRITICAL, AT, BELOW, OLDER = "32.73", "12.71", "32.16", "31.71"


def finished_run(session: Session, rows: dict[str, tuple[int | None, float | None, int]]) -> None:
    """A finished run with a flat demand of 100 a day: per office the stock-out in days,
    the risk probability (None: a result of an older run, without the risk figures) and
    the p90 lead time."""
    run = ForecastRun(status=ForecastRunStatus.finished)
    session.add(run)
    session.flush()
    assert run.id is not None
    safety = get_settings().safety_days
    for code, (out_in, probability, p90) in rows.items():
        on = local_today(get_office(session=session, code=code))
        session.add(
            flat_result(
                run.id,
                code,
                on,
                out_in,
                lead_time_median=None if probability is None else p90 - 2,
                lead_time_p90=None if probability is None else p90,
                lead_time_source=None if probability is None else "office",
                risk_horizon_days=None if probability is None else p90 + safety,
                risk_probability=probability,
            )
        )
    session.flush()


@pytest.fixture
def planner(engine: Engine) -> Iterator[TestClient]:
    with session_scope(engine) as session:
        create_user(
            session=session,
            username="pusat",
            password=PASSWORD,
            role=Role.planner,
            email="perencana@kemendagri.example",
        )
    with TestClient(create_app()) as client:
        login(client, "pusat")
        yield client


def test_overview_forecast_alert_and_digest_agree_at_and_around_the_threshold(
    engine: Engine, planner: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BLANGKO_SMTP_URL", raising=False)
    get_settings.cache_clear()
    with session_scope(engine) as session:
        finished_run(
            session,
            {
                CRITICAL: (8, 0.51, 10),  # out in 8 days, a resupply takes up to 10
                AT: (15, 0.5, 10),  # exactly at the threshold, 5 days to spare
                BELOW: (15, 0.49, 10),  # just below: no risk, though the mean runs out
                OLDER: (30, None, 0),  # an older run: out within 21 + 14 days
            },
        )
    run_alerts(engine, send=False)

    token = planner.post("/api/v1/auth/token", data={"username": "pusat", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    rows = {r["code"]: r for r in planner.get("/api/v1/stock", headers=headers).json()["offices"]}
    alerts = {
        a["office"]: a["severity"]
        for a in planner.get(
            "/api/v1/alerts", params={"kind": "stockout_risk", "status": "open"}, headers=headers
        ).json()["items"]
    }
    expected = {CRITICAL: ("high", "critical"), AT: ("medium", "warning")}
    expected |= {BELOW: ("low", None), OLDER: ("medium", "warning")}
    for code, (level, severity) in expected.items():
        forecast = planner.get(f"/api/v1/offices/{code}/forecast", headers=headers).json()
        assert (rows[code]["risk"], forecast["risk"], alerts.get(code)) == (level, level, severity)
        page = planner.get("/nasional", params={"risiko": level}).text
        assert f"/kantor/{code}" in page
    with session_scope(engine, write=False) as session:
        [digest] = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "digest")).all()
        names = {c: get_office(session=session, code=c).name for c in expected}
    assert digest.subject.endswith("3 kantor berisiko kehabisan stok")
    text = digest.body_text
    groups = [text.index(f"\n{label}:\n") for label in ("Bertindak hari ini", "Minggu ini")]
    assert "Bertindak hari ini: 1 · Minggu ini: 1 · Pantau: 1" in text
    assert groups[0] < text.index(f"{names[CRITICAL]} ({CRITICAL})") < groups[1]
    assert groups[1] < text.index(f"{names[AT]} ({AT})") < text.index("\nPantau:\n")
    assert text.index("\nPantau:\n") < text.index(f"{names[OLDER]} ({OLDER})")
    assert f"({BELOW})" not in text
