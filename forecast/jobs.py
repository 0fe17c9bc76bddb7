"""Scheduled jobs (APScheduler 3): the nightly forecast + alerts + plan + digest, the
outbox sender every minute, and the morning check for missing daily reports.

Jobs are stored in the application's database (``apscheduler_jobs``). Several schedulers
may run at once (``blangko serve`` in each of several processes, or ``blangko
scheduler`` next to them); each run of a job happens once because it first inserts a
``job_locks`` row keyed by job and scheduled time, and only the scheduler whose insert
succeeds goes on. The scheduled time is recomputed from the trigger (the latest fire
time not after now), so every scheduler arrives at the same key for the same run.
"""

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import (
    STATE_PAUSED,
    STATE_RUNNING,
    STATE_STOPPED,
    BaseScheduler,
)
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import ref_to_obj
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from blangko.db import get_engine, session_scope
from blangko.models import JobLock, utcnow
from blangko.settings import get_settings

log = logging.getLogger(__name__)

JAKARTA = ZoneInfo("Asia/Jakarta")
# A fixed origin so that interval triggers of different schedulers share one grid.
GRID_ORIGIN = datetime(2024, 1, 1, tzinfo=JAKARTA)
MORNING_CHECK_CRON = "0 9 * * *"  # 09:00 WIB = 10:00 WITA = 11:00 WIT
EVALUATION_CRON = "0 4 * * 0"  # Sunday 04:00 WIB, after the nightly run


@dataclass(frozen=True)
class JobSpec:
    id: str
    name: str
    target: str
    """``module:function`` run under the lock; returns a line for the log."""
    trigger: BaseTrigger
    grace: timedelta
    """How late a run may start and still count as the scheduled one."""


def job_specs() -> list[JobSpec]:
    settings = get_settings()
    return [
        JobSpec(
            id="nightly",
            name="Prakiraan, peringatan, rencana realokasi dan ringkasan harian",
            target="forecast.jobs:nightly",
            trigger=CronTrigger.from_crontab(settings.nightly_cron, timezone=JAKARTA),
            grace=timedelta(hours=1),
        ),
        JobSpec(
            id="outbox",
            name="Kirim e-mail dari kotak keluar",
            target="forecast.jobs:send_outbox",
            trigger=IntervalTrigger(minutes=1, start_date=GRID_ORIGIN),
            grace=timedelta(seconds=30),
        ),
        JobSpec(
            id="report_check",
            name="Periksa laporan harian yang belum masuk",
            target="forecast.jobs:report_check",
            trigger=CronTrigger.from_crontab(MORNING_CHECK_CRON, timezone=JAKARTA),
            grace=timedelta(hours=1),
        ),
        JobSpec(
            id="evaluation",
            name="Evaluasi peringatan: putar ulang 12 bulan terakhir",
            target="forecast.jobs:evaluate",
            trigger=CronTrigger.from_crontab(EVALUATION_CRON, timezone=JAKARTA),
            grace=timedelta(hours=3),
        ),
    ]


# -- the jobs -----------------------------------------------------------------------------


def nightly() -> str:
    from forecast.nightly import run_alerts
    from forecast.runner import run_forecast

    try:
        run = run_forecast()
        head = f"forecast run {run.id}: {run.offices_done} offices."
    except Exception as error:
        # The alerts from records (reports, shipments) still matter on such a night, and
        # the forecast alerts keep what the previous forecasts said.
        log.exception("nightly forecast failed; alerts use the previous forecasts")
        head = f"forecast failed ({type(error).__name__}), previous forecasts used."
    return f"{head} {public_snapshot()} {national_forecast()} {run_alerts().line()}"


def public_snapshot() -> str:
    """Keeps the night's public status of every office (the open data's history, issue
    14); a failure is logged and does not keep the alerts from running."""
    from blangko.open_data import take_snapshot
    from blangko.public import public_board

    try:
        with session_scope() as session:
            kept = take_snapshot(session=session, board=public_board(session=session))
    except Exception as error:
        log.exception("public snapshot failed")
        return f"public snapshot failed ({type(error).__name__})."
    return f"public snapshot: {kept} offices."


def national_forecast() -> str:
    """The national forecast a year ahead with the procurement timing (issue 13), before
    the alerts so that the planners' digest reads tonight's; a failure is logged and does
    not keep the alerts from running."""
    from forecast.national import make_national_forecast

    try:
        return make_national_forecast().line()
    except Exception as error:
        log.exception("national forecast failed")
        return f"national forecast failed ({type(error).__name__})."


def evaluate() -> str:
    from forecast.replay import replay

    return replay().line()


def send_outbox() -> str:
    from blangko.notifications import send_due

    report = send_due()
    return f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}, waiting {report.waiting}"


def report_check() -> str:
    from forecast.alerts import REPORT_KINDS
    from forecast.nightly import run_alerts

    return run_alerts(kinds=REPORT_KINDS, with_plan=False).line()


# -- the lock -----------------------------------------------------------------------------


def scheduled_for(trigger: BaseTrigger, now: datetime, grace: timedelta) -> datetime:
    """The fire time this run belongs to: the trigger's first fire time at or after
    ``now − grace``, which is at or before ``now`` for a run that started on time."""
    slot = trigger.get_next_fire_time(None, now - grace)
    if slot is None or slot > now:
        # Started before its time or far too late: key it by the minute instead.
        slot = now.replace(second=0, microsecond=0)
    return slot.astimezone(UTC)


def owner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def acquire(engine: Engine, job_id: str, slot: datetime, owner: str) -> int | None:
    """The lock row id when this scheduler claimed the run, None when another did."""
    try:
        with session_scope(engine) as session:
            lock = JobLock(job_id=job_id, scheduled_for=slot, owner=owner)
            session.add(lock)
            session.flush()
            return lock.id
    except IntegrityError:
        return None


def release(engine: Engine, lock_id: int, outcome: str) -> None:
    with session_scope(engine) as session:
        session.execute(
            sa.update(JobLock)
            .where(col(JobLock.id) == lock_id)
            .values(finished_at=utcnow(), outcome=outcome[:1000])
        )


def run_locked(
    job_id: str,
    target: str,
    trigger: BaseTrigger,
    grace_seconds: float,
    database_url: str | None = None,
) -> str | None:
    """What the scheduler calls: claims the run, then runs ``target``. Returns the
    target's result, or None when another scheduler has the run."""
    from blangko.db import make_engine

    engine = make_engine(database_url) if database_url else get_engine()
    try:
        now = utcnow()
        slot = scheduled_for(trigger, now, timedelta(seconds=grace_seconds))
        lock_id = acquire(engine, job_id, slot, owner_name())
        if lock_id is None:
            log.info("job %s at %s: already taken by another scheduler", job_id, slot.isoformat())
            return None
        function: Callable[[], Any] = ref_to_obj(target)
        try:
            result = str(function())
        except Exception as error:
            release(engine, lock_id, f"failed: {type(error).__name__}: {error}")
            log.exception("job %s at %s failed", job_id, slot.isoformat())
            raise
        release(engine, lock_id, result)
        log.info("job %s at %s: %s", job_id, slot.isoformat(), result)
        return result
    finally:
        if database_url:
            engine.dispose()


# -- schedulers ---------------------------------------------------------------------------


def configure(
    scheduler: BaseScheduler,
    specs: list[JobSpec],
    *,
    database_url: str | None = None,
    jobstore: Any = None,
) -> BaseScheduler:
    """Adds the job store (the app's database unless one is given) and the jobs."""
    if jobstore is None:
        jobstore = SQLAlchemyJobStore(engine=get_engine(), tablename="apscheduler_jobs")
    scheduler.configure(
        jobstores={"default": jobstore},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=JAKARTA,
    )
    for spec in specs:
        scheduler.add_job(
            run_locked,
            trigger=spec.trigger,
            id=spec.id,
            name=spec.name,
            kwargs={
                "job_id": spec.id,
                "target": spec.target,
                "trigger": spec.trigger,
                "grace_seconds": spec.grace.total_seconds(),
                "database_url": database_url,
            },
            replace_existing=True,
            misfire_grace_time=int(spec.grace.total_seconds()),
        )
    return scheduler


_process_scheduler: BaseScheduler | None = None
_STATES = {STATE_RUNNING: "running", STATE_PAUSED: "paused", STATE_STOPPED: "stopped"}


def background_scheduler() -> BackgroundScheduler:
    """For ``blangko serve``: runs in threads next to the web server."""
    global _process_scheduler
    scheduler = BackgroundScheduler()
    configure(scheduler, job_specs())
    _process_scheduler = scheduler
    return scheduler


def blocking_scheduler() -> BlockingScheduler:
    """For ``blangko scheduler``: the jobs alone, in the foreground."""
    global _process_scheduler
    scheduler = BlockingScheduler()
    configure(scheduler, job_specs())
    _process_scheduler = scheduler
    return scheduler


# ``blangko serve --workers N`` runs the scheduler in its own process and the web workers
# as its children; it names itself here so that their health checks can tell.
PARENT_SCHEDULER_ENV = "BLANGKO_SCHEDULER_PARENT"


def scheduler_state() -> str:
    """The scheduler for health checks: ``running``, ``paused``, ``stopped``, ``running
    in the parent process`` (a web worker of ``serve --workers N``) or ``not running``
    (e.g. ``serve --no-scheduler``)."""
    if _process_scheduler is None:
        if os.environ.get(PARENT_SCHEDULER_ENV) == str(os.getppid()):
            return "running in the parent process"
        return "not running"
    return _STATES.get(_process_scheduler.state, "stopped")
