"""Alerts a planner can work through (both backends): the alert page groups the open
alerts "bertindak hari ini / minggu ini / pantau" by days left minus the lead time, most
urgent first, with counts on top; an office that normally reported and went silent is
flagged however long the silence, by the morning report check only."""

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import col, select

from api.app import create_app
from blangko.db import session_scope
from blangko.ledger import SYSTEM
from blangko.models import Alert, AlertKind, AlertSeverity, Office, Role, utcnow
from blangko.offices import local_today
from blangko.reports import DailyFigures, save_daily_report
from blangko.settings import get_settings
from blangko.users import create_user
from forecast import alerts, jobs
from forecast.alert_rules import Finding
from forecast.alert_store import sync
from forecast.nightly import run_alerts
from tests.integration.test_risk_rule import finished_run
from tests.integration.test_web_pages import PASSWORD, login


@pytest.fixture
def planner(engine: Engine) -> Iterator[TestClient]:
    with session_scope(engine) as session:
        create_user(session=session, username="pusat", password=PASSWORD, role=Role.planner)
    with TestClient(create_app()) as client:
        login(client, "pusat")
        yield client


def test_the_alert_page_puts_the_most_urgent_first_in_three_groups(
    engine: Engine, planner: TestClient
) -> None:
    with session_scope(engine) as session:
        # (stock-out in days, risk probability, p90 lead time): days left − lead time.
        finished_run(
            session,
            {
                "32.73": (12, 0.9, 4),  # 8: to watch
                "12.71": (2, 1.0, 9),  # −7: far too late already
                "32.16": (9, 0.8, 9),  # 0: a request today arrives just too late
                "31.71": (13, 0.7, 7),  # 6: this week
                "32.71": (20, 0.2, 3),  # unlikely: no alert
            },
        )
        alerts.evaluate(session=session, kinds={AlertKind.stockout_risk})
        sync(
            session=session,
            findings=[
                Finding("36.71", AlertKind.backlog_high, AlertSeverity.critical, "Antrean."),
            ],
            kinds={AlertKind.backlog_high},
            now=utcnow(),
        )
    page = re.sub(r"\s+", " ", planner.get("/peringatan").text)
    counts = re.findall(r"<small>([^<]+)</small><span class=\"value\">(\d+)</span>", page)
    assert counts == [("Bertindak hari ini", "3"), ("Minggu ini", "1"), ("Pantau", "1")]
    headings = [page.index(f'id="kelompok-{key}"') for key in ("today", "week", "watch")]
    assert headings == sorted(headings)
    order = [m.group(1) for m in re.finditer(r'<td><a href="/kantor/([\d.]+)">', page)]
    assert order == ["12.71", "32.16", "36.71", "31.71", "32.73"]
    assert page.index("12.71") < headings[1] < page.index(">31.71<") < headings[2]
    assert "2 / 9 hari" in page  # days left / p90 lead time, as the order reads them
    resolved = planner.get("/peringatan", params={"status": "resolved"}).text
    assert "Bertindak hari ini" not in resolved and "Sudah pulih" in resolved


def test_an_office_silent_for_months_is_flagged_by_the_morning_check_only(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BLANGKO_SMTP_URL", raising=False)
    get_settings.cache_clear()
    silent, fresh = "32.73", "32.16"
    with session_scope(engine) as session:
        yesterday = local_today(session.get_one(Office, silent)) - timedelta(days=1)
        # Bandung reported every day for two months, then nothing for 90 days; Bekasi
        # reported until the day before yesterday.
        for back in range(90, 150):
            save_daily_report(
                session=session,
                office_code=silent,
                report_date=yesterday - timedelta(days=back),
                figures=DailyFigures(),
                actor=SYSTEM,
            )
        for back in range(1, 40):
            save_daily_report(
                session=session,
                office_code=fresh,
                report_date=yesterday - timedelta(days=back),
                figures=DailyFigures(),
                actor=SYSTEM,
            )

    run_alerts(engine, send=False)  # the nightly pipeline leaves reports to the morning
    with session_scope(engine, write=False) as session:
        assert session.exec(select(Alert)).all() == []

    jobs.report_check()
    with session_scope(engine, write=False) as session:
        found = {
            a.office_code: a
            for a in session.exec(
                select(Alert).where(
                    Alert.kind == AlertKind.report_missing, col(Alert.resolved_at).is_(None)
                )
            ).all()
        }
    assert set(found) == {silent, fresh}
    assert found[silent].severity is AlertSeverity.critical
    assert "belum diisi 90 hari" in found[silent].message
    assert found[fresh].severity is AlertSeverity.warning
    assert found[fresh].details["report_date"] == yesterday.isoformat()
