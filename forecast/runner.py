"""A forecast run: reads the ledger once, forecasts every office in worker processes,
projects stock and stores the results.

The parent process does the database work and the (cheap) projections; the models run
in a pool of spawned workers, one per core, replaced after a number of chunks so memory
stays flat (Prophet grows when fitting many models in one process). Prophet is imported
only in the workers, which start while the parent reads the ledger. The calendar is
built once in the parent and each worker builds the holiday regressors from it once.
Runs of one office stay in the calling process."""

import logging
import multiprocessing
import os
import subprocess
import sys
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from multiprocessing.pool import Pool

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from blangko.db import get_engine, session_scope
from blangko.errors import NotFound
from blangko.models import DailyReport, ForecastRun, Office
from blangko.offices import NATIONAL, planner_today
from blangko.settings import get_settings
from blangko.stock import OfficeStock, stock_positions
from forecast import runs
from forecast.calendar import WorkCalendar, calendar_for
from forecast.leadtimes import LeadTime
from forecast.models import WEEKDAY_MEDIAN, ModelSettings, OfficeForecast
from forecast.projection import (
    Projection,
    incoming_supply,
    level_sigma_per_week,
    project,
    sample_demand_paths,
)
from forecast.resupply import approved_supply_as_of, lead_times_as_of
from forecast.reuse import ModelState, cost_rank, forecast_with_state, series_end, state_of
from forecast.series import DemandSeries, incoming_shipments, load_series, national_series

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RunSettings:
    """Everything a run depends on besides the data; stored with the run."""

    models: ModelSettings = field(default_factory=ModelSettings)
    history_days: int = 3 * 365 + 31
    sample_paths: int = 200
    workers: int = 2
    chunk_size: int = 8
    # Worker processes are replaced after this many chunks, which keeps memory flat
    # (Prophet #2285) without paying the Prophet import too often.
    chunks_per_worker: int = 32
    # Runs with at most this many offices to model stay in the calling process.
    in_process_up_to: int = 3
    # Start from what the previous run left (forecast/reuse.py); False races every
    # office's models afresh.
    reuse: bool = True


@dataclass(frozen=True)
class Task:
    office_code: str
    start: date
    values: np.ndarray
    previous: ModelState | None = None


# --- worker side -------------------------------------------------------------------------

_worker: dict[str, object] = {}


def init_worker(calendar: WorkCalendar, settings: ModelSettings) -> None:
    """Per-process state: the calendar, its holiday regressors (built once per process)
    and the model settings; cmdstanpy's logging silenced."""
    from forecast.models import silence_cmdstanpy

    silence_cmdstanpy()
    _worker.update(calendar=calendar, holidays=calendar.holiday_regressors(), settings=settings)


def forecast_chunk(tasks: list[Task]) -> list[OfficeForecast]:
    calendar = _worker["calendar"]
    holidays = _worker["holidays"]
    settings = _worker["settings"]
    assert isinstance(calendar, WorkCalendar)
    assert isinstance(holidays, pd.DataFrame)
    assert isinstance(settings, ModelSettings)
    return [
        forecast_with_state(
            task.office_code, task.start, task.values, calendar, holidays, settings, task.previous
        )
        for task in tasks
    ]


# --- parent side -------------------------------------------------------------------------


@dataclass
class Inputs:
    """What a run reads from the database, in a handful of queries."""

    as_of: date
    targets: list[str]
    series: dict[str, DemandSeries]
    positions: dict[str, OfficeStock]
    incoming: dict[str, dict[date, int]]
    lead_times: dict[str, LeadTime] = field(default_factory=dict)
    """Each office's lead time learned as of ``as_of``: its risk horizon is the p90 +
    ``safety_days`` (blangko.risk)."""
    safety_days: int = 0


def forecast_as_of(session: Session) -> date:
    """The forecast origin: the newest reported date, but never after today in WIB."""
    today = planner_today()
    newest = session.execute(
        sa.select(sa.func.max(col(DailyReport.report_date))).where(col(DailyReport.is_current))
    ).scalar_one_or_none()
    return min(newest, today) if newest else today


def load_inputs(
    *, session: Session, office_code: str | None, settings: RunSettings, as_of: date
) -> Inputs:
    offices = [o for o in session.exec(select(Office.code).order_by(Office.code)).all()]
    if office_code is not None and office_code not in offices:
        raise NotFound(f"Kantor dengan kode '{office_code}' tidak ditemukan.")
    branch = [code for code in offices if code != NATIONAL]
    targets = [*branch, NATIONAL] if office_code is None else [office_code]
    start = as_of - timedelta(days=settings.history_days - 1)
    needed = branch if NATIONAL in targets else targets
    series = load_series(session=session, office_codes=needed, start=start, end=as_of)
    lead_times = lead_times_as_of(
        session=session, as_of=as_of, office_codes=None if office_code is None else targets
    )
    return Inputs(
        as_of=as_of,
        targets=targets,
        series=series,
        positions=stock_positions(session=session),
        incoming=pending_supply(session=session, as_of=as_of, lead=lead_times),
        lead_times=lead_times,
        safety_days=get_settings().safety_days,
    )


def pending_supply(
    *,
    session: Session,
    as_of: date,
    lead: Mapping[str, LeadTime],
    in_transit: Mapping[str, dict[date, int]] | None = None,
) -> dict[str, dict[date, int]]:
    """Each office's incoming supply after ``as_of``: shipments in transit (``in_transit``;
    read from the ledger when not given), and approved requests not dispatched yet, which
    arrive after the office's learned dispatch delay and transit (median, from ``lead``:
    the lead times learned as of ``as_of``)."""
    if in_transit is None:
        in_transit = incoming_shipments(session=session, after=as_of)
    approved = approved_supply_as_of(session=session, as_of=as_of)
    if not approved:
        return dict(in_transit)
    offices = {a.office_code for a in approved}
    first_day = as_of + timedelta(days=1)
    return {
        code: incoming_supply(
            first_day=first_day,
            in_transit=in_transit.get(code, {}),
            approved=[(a.approved_on, a.quantity) for a in approved if a.office_code == code],
            days_after_approval=lead[code].after_approval if code in lead else 0,
        )
        for code in set(in_transit) | offices
    }


def run_forecast(
    *,
    engine: Engine | None = None,
    run_id: int | None = None,
    office_code: str | None = None,
    settings: RunSettings | None = None,
    progress: Progress | None = None,
    as_of: date | None = None,
) -> ForecastRun:
    """Runs (or, given ``run_id``, carries out a queued) forecast of one office or of all
    offices plus the national projection, and returns the finished run. ``as_of``: the
    origin (default: the newest reported day, never after today)."""
    engine = engine or get_engine()
    settings = settings or RunSettings()
    if run_id is None:
        with session_scope(engine) as session:
            run_id = runs.create_run(session=session, settings=settings, office_code=office_code).id
            assert run_id is not None
    else:
        with session_scope(engine, write=False) as session:
            run = runs.get_run(session=session, run_id=run_id)
            office_code = run.office_code
            settings = settings_from(run.settings)
    try:
        if as_of is None:
            with session_scope(engine, write=False) as session:
                as_of = forecast_as_of(session)
        calendar = calendar_for(
            as_of - timedelta(days=settings.history_days),
            as_of + timedelta(days=settings.models.horizon_days),
        )
        with ExitStack() as stack:
            # Workers start (and import Prophet) while this process reads the ledger.
            pool = None if office_code else stack.enter_context(model_pool(calendar, settings))
            with session_scope(engine, write=False) as session:
                inputs = load_inputs(
                    session=session, office_code=office_code, settings=settings, as_of=as_of
                )
                previous = (
                    runs.load_states(session=session, office_codes=inputs.targets)
                    if settings.reuse
                    else {}
                )
            with session_scope(engine) as session:
                runs.start_run(session=session, run_id=run_id, offices_total=len(inputs.targets))
            _forecast_all(engine, run_id, inputs, calendar, settings, progress, pool, previous)
        with session_scope(engine) as session:
            return runs.finish_run(session=session, run_id=run_id)
    except BaseException as error:
        log.exception("forecast run %s failed", run_id)
        with session_scope(engine) as session:
            runs.fail_run(session=session, run_id=run_id, error=f"{type(error).__name__}: {error}")
        raise


def start_in_background(run_id: int) -> subprocess.Popen[bytes]:
    """Carries out the queued run ``run_id`` in a separate process (``blangko forecast run
    --run-id``), so that a web request returns at once and the server never fits models."""
    env = {**os.environ, "BLANGKO_DATABASE_URL": get_settings().database_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "blangko.cli", "forecast", "run", "--run-id", str(run_id)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # Reap the child when it ends, so a long-running server leaves no zombies.
    threading.Thread(target=process.wait, name=f"forecast-run-{run_id}", daemon=True).start()
    return process


def settings_from(stored: dict[str, object]) -> RunSettings:
    """The run settings stored with a queued run (defaults for anything missing)."""
    models = stored.get("models")
    model_settings = ModelSettings(**models) if isinstance(models, dict) else ModelSettings()
    known = {k: v for k, v in stored.items() if k in RunSettings.__dataclass_fields__}
    known.pop("models", None)
    return RunSettings(models=model_settings, **known)  # type: ignore[arg-type]


def _forecast_all(
    engine: Engine,
    run_id: int,
    inputs: Inputs,
    calendar: WorkCalendar,
    settings: RunSettings,
    progress: Progress | None,
    pool: Pool | None,
    previous: dict[str, ModelState],
) -> None:
    horizon = settings.models.horizon_days
    tasks: list[Task] = []
    empty: list[OfficeForecast] = []
    for code in inputs.targets:
        series = (
            national_series(list(inputs.series.values()), calendar)
            if code == NATIONAL
            else inputs.series[code]
        )
        if series is None or series.observed_days == 0:
            empty.append(_no_history(code, horizon))
        else:
            tasks.append(Task(code, series.start, series.values, previous.get(code)))
    done = 0
    total = len(inputs.targets)
    forecasts = run_models(tasks, calendar, settings, pool)
    for batch in _batches(forecasts, empty, settings.chunk_size):
        rows = [(f, *project_office(f, inputs, settings)) for f in batch]
        with session_scope(engine) as session:
            runs.save_results(
                session=session,
                run_id=run_id,
                as_of=inputs.as_of,
                results=rows,
                lead_times=inputs.lead_times,
            )
            runs.save_states(session=session, run_id=run_id, as_of=inputs.as_of, forecasts=batch)
        done += len(batch)
        if progress:
            progress(done, total)


def _batches(
    forecasts: Iterator[list[OfficeForecast]], first: list[OfficeForecast], size: int
) -> Iterator[list[OfficeForecast]]:
    if first:
        for i in range(0, len(first), size * 8):
            yield first[i : i + size * 8]
    yield from forecasts


def _warm_up() -> None:
    import prophet  # noqa: F401  (the slow import, done before the first task arrives)


@contextmanager
def model_pool(calendar: WorkCalendar, settings: RunSettings) -> Iterator[Pool]:
    """Spawned worker processes, one per core, replaced after ``chunks_per_worker``
    chunks; they start at once and import Prophet before any task arrives.

    ``multiprocessing.Pool`` rather than ``ProcessPoolExecutor``: the latter's
    ``max_tasks_per_child`` deadlocks on Python 3.11-3.13 once a worker retires with
    tasks still queued (CPython gh-115634)."""
    workers = max(1, min(settings.workers, os.cpu_count() or 1))
    context = multiprocessing.get_context("spawn")
    with context.Pool(
        processes=workers,
        initializer=init_worker,
        initargs=(calendar, settings.models),
        maxtasksperchild=settings.chunks_per_worker,
    ) as pool:
        for _ in range(workers):
            pool.apply_async(_warm_up)
        yield pool


def run_models(
    tasks: list[Task],
    calendar: WorkCalendar,
    settings: RunSettings,
    pool: Pool | None = None,
) -> Iterator[list[OfficeForecast]]:
    """Forecasts of the tasks, chunk by chunk as they finish: in this process for a
    handful of tasks, otherwise in ``pool`` (or a pool made for the purpose)."""
    if len(tasks) <= settings.in_process_up_to:
        if tasks:
            init_worker(calendar, settings.models)
            yield forecast_chunk(tasks)
        return
    # The dearest first: the last chunks are the cheap ones, so both workers stay busy
    # to the end instead of one finishing a race alone.
    tasks = sorted(
        tasks,
        key=lambda t: cost_rank(t.office_code, t.start, t.values, t.previous, settings.models),
    )
    chunks = [tasks[i : i + settings.chunk_size] for i in range(0, len(tasks), settings.chunk_size)]
    with ExitStack() as stack:
        if pool is None:
            pool = stack.enter_context(model_pool(calendar, settings))
        yield from pool.imap_unordered(forecast_chunk, chunks)


def forecast_series(
    series: Iterable[DemandSeries],
    calendar: WorkCalendar,
    settings: RunSettings,
    previous: Mapping[str, ModelState] | None = None,
    pool: Pool | None = None,
) -> tuple[dict[str, OfficeForecast], dict[str, ModelState]]:
    """Forecasts each series at its last day (the origin) without the database, doing
    only the work ``previous`` leaves (forecast/reuse.py: the states of an earlier
    forecast, by office). Returns the forecasts and the states to pass to the next
    origin. Series without any observed day are left out. ``calendar`` must cover the
    series and the horizon; ``pool`` (``model_pool``) can serve many calls."""
    previous = previous or {}
    tasks = [
        Task(s.office_code, s.start, s.values, previous.get(s.office_code))
        for s in series
        if s.observed_days
    ]
    forecasts = {
        f.office_code: f for chunk in run_models(tasks, calendar, settings, pool) for f in chunk
    }
    states = {}
    for task in tasks:
        state = state_of(forecasts[task.office_code], series_end(task.start, task.values))
        if state is not None:
            states[task.office_code] = state
    return forecasts, states


def _no_history(code: str, horizon: int) -> OfficeForecast:
    return OfficeForecast(
        office_code=code,
        model=WEEKDAY_MEDIAN,
        mean=np.zeros(horizon),
        backtest={},
        backtest_mase=None,
        beats_naive=None,
        rel_errors=np.zeros(0),
        level_log_ratios=np.zeros(0),
        note="belum ada laporan harian",
    )


def project_office(
    forecast: OfficeForecast, inputs: Inputs, settings: RunSettings
) -> tuple[Projection, int]:
    """The stock projection of one office; for ``00`` the national one: every office's
    stock plus everything in transit against national demand, less every backlog."""
    if forecast.office_code == NATIONAL:
        on_hand = sum(p.on_hand for p in inputs.positions.values())
        backlog = sum(p.backlog for p in inputs.positions.values())
        transit = sum(p.in_transit_out for p in inputs.positions.values())
        incoming = {inputs.as_of + timedelta(days=1): transit} if transit else {}
    else:
        position = inputs.positions[forecast.office_code]
        on_hand, backlog = position.on_hand, position.backlog
        incoming = inputs.incoming.get(forecast.office_code, {})
    lead = inputs.lead_times.get(forecast.office_code)
    rng = np.random.default_rng(zlib.crc32(forecast.office_code.encode()))
    paths = sample_demand_paths(
        forecast.mean,
        rel_errors=forecast.rel_errors,
        level_sigma_week=level_sigma_per_week(
            forecast.level_log_ratios, settings.models.backtest_horizon_days
        ),
        n_paths=settings.sample_paths,
        rng=rng,
    )
    projection = project(
        first_day=inputs.as_of + timedelta(days=1),
        on_hand=on_hand,
        backlog=backlog,
        incoming=incoming,
        mean=forecast.mean,
        paths=paths,
        risk_horizon_days=None if lead is None else lead.p90 + inputs.safety_days,
    )
    return projection, on_hand
