"""The replay that scores the warnings (issue 12 §4) on hand-made offices whose stock-out
dates are known: one office runs out on a known day and stays out, one never runs out;
the replay must warn the first in time, never the second, and store its scores for the
API and the planners' page."""

import re
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from blangko.db import session_scope
from blangko.models import AllocationRequest, RequestStatus, Role
from blangko.offices import WIB
from forecast.replay import ReplaySettings, latest_evaluation, origins_for, replay
from forecast.runner import forecast_as_of
from tests.integration.api_support import PASSWORD, add_user, assert_problem, bearer, client
from tests.integration.forecast_data import report_history, stock_office
from tests.integration.ledger_support import days_ago

pytestmark = pytest.mark.slow

OUT, SAFE = "32.16", "12.71"  # Kabupaten Bekasi runs out, Kota Medan never does


def _history(engine: Engine) -> None:
    first = days_ago(engine, OUT, 120)
    # 6,000 blanks at 100 a day: out 60 days ago, and out ever since (residents wait).
    stock_office(engine, OUT, 6000, first)
    report_history(engine, OUT, first, 120, lambda _: 100, 6000)
    stock_office(engine, SAFE, 50_000, first)
    report_history(engine, SAFE, first, 120, lambda _: 100, 50_000)


def test_the_replay_warns_the_office_that_ran_out_and_not_the_other(engine: Engine) -> None:
    _history(engine)
    evaluation = replay(engine=engine, settings=ReplaySettings(months=3))
    scores = evaluation.scores
    assert scores.offices == 2
    assert scores.origins == len(evaluation_origins(engine))
    # One actual stock-out, 60 days ago, warned at least the lead time (21 days, the
    # setting: nothing was ever requested) ahead.
    assert scores.stockouts == 1 and scores.warned == 1 and scores.recall == 1.0
    # Every warning was about Bekasi, which ran out: no false alarm.
    assert scores.warnings >= 1 and scores.precision == 1.0
    assert scores.false_alarms_per_100_offices_month == 0.0
    assert scores.brier["30"] is not None and scores.brier["30"] < 0.1
    assert scores.calibration_error_30 is not None and scores.calibration_error_30 < 0.15
    assert scores.median_date_error_days is not None and scores.median_date_error_days <= 2
    with session_scope(engine, write=False) as session:
        stored = latest_evaluation(session=session)
        assert stored is not None and stored.id == evaluation.id
        assert stored.scores["recall"] == 1.0 and stored.first_origin == evaluation.first_origin
    assert "recall 1.00" in evaluation.line()


def test_the_replay_counts_an_approved_request_as_the_nightly_run_does(engine: Engine) -> None:
    _history(engine)
    approved_on = days_ago(engine, OUT, 100)
    with session_scope(engine) as session:
        # Approved before the first origin, never dispatched (written as an older system
        # would leave it: the services dispatch on approval).
        session.add(
            AllocationRequest(
                office_code=OUT,
                quantity=10_000,
                reference="470/1/BKS",
                status=RequestStatus.approved,
                requested_on=approved_on,
                approved_quantity=10_000,
                decided_at=datetime.combine(approved_on, time(10), tzinfo=ZoneInfo(WIB)),
            )
        )
    scores = replay(engine=engine, settings=ReplaySettings(months=3), store=False).scores
    # Every origin counted on the 10,000 blanks, as the nightly run would have: no warning,
    # so the stock-out that came (the blanks never left) was not warned.
    assert scores.stockouts == 1 and scores.warnings == 0 and scores.warned == 0


def evaluation_origins(engine: Engine) -> list[date]:
    with session_scope(engine, write=False) as session:
        end = forecast_as_of(session)
    return origins_for(end, 3, ReplaySettings().step_days)


def test_origins_are_a_week_apart_by_default_and_end_before_the_data() -> None:
    step = ReplaySettings().step_days
    assert step == 7  # at least every two weeks (issue 12 §4); a week, as the alerts see
    origins = origins_for(date(2026, 12, 1), 12, step)
    assert len(origins) == 52
    assert all((b - a).days == 7 for a, b in pairwise(origins))
    assert origins[-1] <= date(2026, 12, 1) - timedelta(days=7)


def test_the_evaluation_in_the_api_is_for_planners(engine: Engine) -> None:
    planner = add_user(engine, "perencana", Role.planner)
    officer = add_user(engine, "petugas.bekasi", Role.officer, OUT)
    http = client()
    missing = assert_problem(
        http.get("/api/v1/forecasts/evaluation", headers=bearer(planner)), 404, "not_found"
    )
    assert "alerts evaluate" in missing["detail"]
    _history(engine)
    replay(engine=engine, settings=ReplaySettings(months=2))
    answer = http.get("/api/v1/forecasts/evaluation", headers=bearer(planner))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    for name in (
        "origins",
        "stockouts",
        "warned",
        "recall",
        "precision",
        "false_alarms_per_100_offices_month",
        "brier",
        "calibration_error_30",
        "median_date_error_days",
        "reliability",
        "generated_at",
    ):
        assert name in body, name
    assert set(body["brier"]) == {"14", "30", "60"}
    assert all({"predicted", "observed", "count"} <= set(b) for b in body["reliability"])
    refused = http.get("/api/v1/forecasts/evaluation", headers=bearer(officer))
    assert_problem(refused, 403, "forbidden")


def test_the_planners_forecast_page_shows_the_scores(sqlite_engine: Engine) -> None:
    add_user(sqlite_engine, "perencana", Role.planner)
    _history(sqlite_engine)
    replay(engine=sqlite_engine, settings=ReplaySettings(months=3))
    with TestClient(create_app()) as http:
        token = re.search(r'name="csrf" value="([^"]+)"', http.get("/login").text)
        assert token is not None
        http.post(
            "/login",
            data={"username": "perencana", "password": PASSWORD, "csrf": token.group(1)},
        )
        page = http.get("/prakiraan").text
    assert "Seberapa sering peringatan benar?" in page
    assert "1 dari 1 (100 %)" in page  # the one stock-out, warned in time
    assert 'id="reliability-chart"' in page and "js/reliability.js" in page
    assert "Keandalan peluang habis dalam 30 hari" in page
