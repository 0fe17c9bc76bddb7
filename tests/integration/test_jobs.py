"""Scheduled jobs: two schedulers firing the same job run each scheduled time once; the
production scheduler keeps its jobs in the application's database."""

import logging
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine
from sqlmodel import select

from blangko.db import session_scope
from blangko.models import JobLock
from forecast import jobs

CALLS: list[float] = []
_CALLS_LOCK = threading.Lock()


def probe() -> str:
    """The job body of the test: counts its runs."""
    with _CALLS_LOCK:
        CALLS.append(time.monotonic())
    return "probe ran"


def test_two_schedulers_run_each_scheduled_time_once(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="forecast.jobs")
    CALLS.clear()
    url = engine.url.render_as_string(hide_password=False)
    spec = jobs.JobSpec(
        id="probe",
        name="probe",
        target="tests.integration.test_jobs:probe",
        trigger=IntervalTrigger(seconds=2, start_date=jobs.GRID_ORIGIN),
        grace=timedelta(seconds=1),
    )
    # Two independent schedulers (own job store, own engine per run): both fire every run.
    schedulers = [
        jobs.configure(BackgroundScheduler(), [spec], database_url=url, jobstore=MemoryJobStore())
        for _ in range(2)
    ]
    for scheduler in schedulers:
        scheduler.start()
    time.sleep(7)
    for scheduler in schedulers:
        scheduler.shutdown(wait=True)

    with session_scope(engine, write=False) as session:
        locks = session.exec(select(JobLock).where(JobLock.job_id == "probe")).all()
    assert len(CALLS) >= 2
    assert len(locks) == len(CALLS)
    assert len({lock.scheduled_for for lock in locks}) == len(locks)
    assert all(lock.outcome == "probe ran" and lock.finished_at for lock in locks)
    # The other scheduler did try, and stood back.
    taken = [r for r in caplog.records if "already taken" in r.getMessage()]
    assert len(taken) >= 1


def probe_to_file() -> str:
    """The job body of the two-process test: one line per run in a shared file."""
    with open(os.environ["BLANGKO_PROBE_FILE"], "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\n")
    return "probe ran"


SCHEDULER_PROCESS = """
import logging, sys, time
from datetime import timedelta
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from forecast import jobs

logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(message)s")
spec = jobs.JobSpec(
    id="probe",
    name="probe",
    target="tests.integration.test_jobs:probe_to_file",
    trigger=IntervalTrigger(seconds=2, start_date=jobs.GRID_ORIGIN),
    grace=timedelta(seconds=1),
)
scheduler = jobs.configure(BackgroundScheduler(), [spec], jobstore=MemoryJobStore())
scheduler.start()
time.sleep(8)
scheduler.shutdown(wait=True)
"""


@pytest.mark.slow
def test_two_scheduler_processes_run_each_scheduled_time_once(
    engine: Engine, tmp_path: Path
) -> None:
    probe_file = tmp_path / "runs.txt"
    env = {
        **os.environ,
        "BLANGKO_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "BLANGKO_PROBE_FILE": str(probe_file),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", SCHEDULER_PROCESS],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs

    runs = probe_file.read_text().split()
    with session_scope(engine, write=False) as session:
        locks = session.exec(select(JobLock).where(JobLock.job_id == "probe")).all()
    assert len(runs) >= 2
    assert len(locks) == len(runs)
    assert len({lock.scheduled_for for lock in locks}) == len(locks)
    # Both processes fired; whichever lost a run stood back instead of running it.
    assert sum("already taken" in out for out in outputs) >= 1


def test_a_second_claim_of_the_same_run_is_refused(engine: Engine) -> None:
    slot = datetime(2026, 11, 21, 19, 0, tzinfo=UTC)
    first = jobs.acquire(engine, "nightly", slot, "a")
    second = jobs.acquire(engine, "nightly", slot, "b")
    next_night = jobs.acquire(engine, "nightly", slot + timedelta(days=1), "b")
    assert first is not None and second is None and next_night is not None


def test_the_scheduler_keeps_its_jobs_in_the_database(engine: Engine) -> None:
    scheduler = jobs.background_scheduler()
    scheduler.start(paused=True)
    try:
        ids = {job.id for job in scheduler.get_jobs()}
        assert jobs.scheduler_state() == "paused"
        scheduler.resume()
        assert jobs.scheduler_state() == "running"
    finally:
        scheduler.shutdown(wait=False)
    assert jobs.scheduler_state() == "stopped"
    with engine.connect() as conn:
        stored = set(conn.execute(sa.text("SELECT id FROM apscheduler_jobs")).scalars())
    assert ids == stored == {"nightly", "outbox", "report_check", "evaluation"}


def test_the_scheduled_time_is_the_same_for_every_scheduler() -> None:
    nightly = CronTrigger.from_crontab("0 2 * * *", timezone=jobs.JAKARTA)
    scheduled = datetime(2026, 11, 21, 19, 0, tzinfo=UTC)  # 02:00 WIB
    for late in (timedelta(0), timedelta(seconds=3), timedelta(minutes=40)):
        assert jobs.scheduled_for(nightly, scheduled + late, timedelta(hours=1)) == scheduled
    minute = IntervalTrigger(minutes=1, start_date=jobs.GRID_ORIGIN)
    now = datetime(2026, 11, 22, 3, 4, 5, tzinfo=UTC)
    assert jobs.scheduled_for(minute, now, timedelta(seconds=30)) == now.replace(second=0)


def test_morning_report_check_opens_the_alert_and_queues_the_mail(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from blangko.ledger import SYSTEM
    from blangko.models import Alert, AlertKind, Office, OutboxMessage, Role
    from blangko.offices import local_today
    from blangko.reports import DailyFigures, save_daily_report
    from blangko.settings import get_settings
    from blangko.users import create_user

    monkeypatch.delenv("BLANGKO_SMTP_URL", raising=False)
    get_settings.cache_clear()
    with session_scope(engine) as session:
        create_user(
            session=session,
            username="bandung",
            password="kata-sandi-rahasia",
            role=Role.officer,
            office_code="32.73",
            email="stok@bandung.example",
        )
        yesterday = local_today(session.get_one(Office, "32.73")) - timedelta(days=1)
        for back in range(1, 29):
            save_daily_report(
                session=session,
                office_code="32.73",
                report_date=yesterday - timedelta(days=back),
                figures=DailyFigures(),
                actor=SYSTEM,
            )

    line = jobs.report_check()

    assert line.startswith("Alerts: 1 opened") and "plan not rebuilt" in line
    assert "1 queued, 0 sent, 1 waiting" in line
    with session_scope(engine, write=False) as session:
        [alert] = session.exec(select(Alert)).all()
        [mail] = session.exec(select(OutboxMessage)).all()
    assert alert.kind is AlertKind.report_missing
    assert mail.key.endswith(":report_missing") and mail.recipients == ["stok@bandung.example"]
