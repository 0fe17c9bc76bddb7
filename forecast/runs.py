"""Persisting forecast runs and their per-office results."""

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from datetime import date, timedelta
from importlib import metadata
from typing import Any

from sqlmodel import Session, col, select

from blangko import idempotency
from blangko.errors import InvalidState
from blangko.forecasts import get_run
from blangko.models import (
    ForecastModelState,
    ForecastResult,
    ForecastRun,
    ForecastRunStatus,
    utcnow,
)
from blangko.offices import get_office
from forecast import reuse
from forecast.leadtimes import LeadTime
from forecast.models import OfficeForecast
from forecast.projection import Projection

STALE_AFTER = timedelta(hours=2)
_LIBRARIES = ("blangko", "prophet", "cmdstanpy", "holidays", "numpy", "pandas")


def versions() -> dict[str, str]:
    """Versions of the libraries that shape a forecast, stored with each run."""
    found = {}
    for name in _LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "unknown"
    return found


def _plain(settings: Any) -> dict[str, Any]:
    return asdict(settings) if is_dataclass(settings) and not isinstance(settings, type) else {}


def create_run(
    *,
    session: Session,
    settings: Any,
    office_code: str | None = None,
    requested_by: int | None = None,
) -> ForecastRun:
    """A queued run; the runner picks it up (in this process or a background one)."""
    if office_code is not None:
        get_office(session=session, code=office_code)
    run = ForecastRun(
        status=ForecastRunStatus.queued,
        office_code=office_code,
        settings=_plain(settings),
        versions=versions(),
        requested_by=requested_by,
    )
    session.add(run)
    session.flush()
    return run


def active_run(*, session: Session, stale_after: timedelta = STALE_AFTER) -> ForecastRun | None:
    """A queued or running run younger than ``stale_after`` (older ones died with their
    process and do not block a new run)."""
    since = utcnow() - stale_after
    return session.exec(
        select(ForecastRun)
        .where(
            col(ForecastRun.status).in_([ForecastRunStatus.queued, ForecastRunStatus.running]),
            col(ForecastRun.created_at) >= since,
        )
        .order_by(col(ForecastRun.id).desc())
        .limit(1)
    ).first()


def queue_run(
    *,
    session: Session,
    settings: Any,
    office_code: str | None = None,
    requested_by: int | None = None,
    idempotency_key: str | None = None,
) -> tuple[ForecastRun, bool]:
    """A queued run for a background process, refused while another run is active, and
    whether it is new: the same ``idempotency_key`` again returns the first run."""
    payload = {"office": office_code}
    if (done := idempotency.replay(session, idempotency_key, "forecast_run", payload)) is not None:
        return get_run(session=session, run_id=done), False
    active = active_run(session=session)
    if active is not None:
        raise InvalidState(
            f"Prakiraan #{active.id} masih {active.status}. Tunggu sampai selesai, lalu "
            "jalankan lagi bila perlu."
        )
    run = create_run(
        session=session, settings=settings, office_code=office_code, requested_by=requested_by
    )
    idempotency.remember(session, idempotency_key, "forecast_run", payload, run.id)
    return run, True


def start_run(*, session: Session, run_id: int, offices_total: int) -> ForecastRun:
    run = get_run(session=session, run_id=run_id)
    if run.status is not ForecastRunStatus.queued:
        raise InvalidState(f"Proses prakiraan #{run_id} sudah {run.status}, tidak bisa dimulai.")
    run.status = ForecastRunStatus.running
    run.started_at = utcnow()
    run.offices_total = offices_total
    session.add(run)
    session.flush()
    return run


def save_results(
    *,
    session: Session,
    run_id: int,
    as_of: date,
    results: list[tuple[OfficeForecast, Projection, int]],
    lead_times: Mapping[str, LeadTime] | None = None,
) -> None:
    """Stores a batch of results (forecast, projection, stock on hand), each with the
    office's lead time as learned for the run (``lead_times``), and counts them as done
    on the run."""
    for forecast, projection, on_hand in results:
        lead = (lead_times or {}).get(forecast.office_code)
        session.add(
            ForecastResult(
                run_id=run_id,
                office_code=forecast.office_code,
                model=forecast.model,
                as_of=as_of,
                horizon_days=len(projection.dates),
                points=projection.points(),
                on_hand=on_hand,
                stockout_date=projection.stockout_date,
                stockout_probability=projection.stockout_probability,
                days_of_cover=projection.days_of_cover,
                mean_daily_demand=projection.mean_daily_demand,
                backtest_mase=_round(forecast.backtest_mase),
                backtest={
                    "mase": {k: _round(v) for k, v in forecast.backtest.items()},
                    "beats_seasonal_naive": forecast.beats_naive,
                },
                note=forecast.note[:500],
                lead_time_median=None if lead is None else lead.median,
                lead_time_p90=None if lead is None else lead.p90,
                lead_time_source=None if lead is None else lead.source,
                risk_horizon_days=projection.risk_horizon_days,
                risk_probability=projection.risk_probability,
            )
        )
    run = get_run(session=session, run_id=run_id)
    run.offices_done += len(results)
    session.add(run)
    session.flush()


def load_states(*, session: Session, office_codes: list[str]) -> dict[str, reuse.ModelState]:
    """The model states the offices' latest forecasts left (forecast/reuse.py)."""
    wanted = set(office_codes)
    return {
        row.office_code: reuse.from_json(
            office_code=row.office_code,
            model=row.model,
            chosen_on=row.chosen_on,
            fitted_on=row.fitted_on,
            fingerprint=row.fingerprint,
            data=row.state,
        )
        for row in session.exec(select(ForecastModelState)).all()
        if row.office_code in wanted
    }


def save_states(
    *, session: Session, run_id: int, as_of: date, forecasts: list[OfficeForecast]
) -> None:
    """Keeps what each forecast leaves for the next run and counts on the run what each
    forecast did (raced, refitted, reused; ``no_history`` for offices without reports)."""
    states = [s for f in forecasts if (s := reuse.state_of(f, as_of)) is not None]
    stored = {
        row.office_code: row
        for row in session.exec(
            select(ForecastModelState).where(
                col(ForecastModelState.office_code).in_([s.office_code for s in states])
            )
        ).all()
    }
    for state in states:
        row = stored.get(state.office_code) or ForecastModelState(
            office_code=state.office_code,
            model=state.model,
            chosen_on=state.chosen_on,
            fitted_on=state.fitted_on,
            fingerprint=state.fingerprint,
            run_id=run_id,
        )
        row.model, row.chosen_on, row.fitted_on = state.model, state.chosen_on, state.fitted_on
        row.fingerprint, row.run_id, row.updated_at = state.fingerprint, run_id, utcnow()
        row.state = reuse.to_json(state)
        session.add(row)
    run = get_run(session=session, run_id=run_id)
    counts = Counter(f.work if f.fingerprint else "no_history" for f in forecasts)
    run.stats = {k: run.stats.get(k, 0) + counts.get(k, 0) for k in {*run.stats, *counts}}
    session.add(run)
    session.flush()


def finish_run(*, session: Session, run_id: int) -> ForecastRun:
    run = get_run(session=session, run_id=run_id)
    run.status = ForecastRunStatus.finished
    run.finished_at = utcnow()
    session.add(run)
    session.flush()
    return run


def fail_run(*, session: Session, run_id: int, error: str) -> ForecastRun:
    run = get_run(session=session, run_id=run_id)
    run.status = ForecastRunStatus.failed
    run.finished_at = utcnow()
    run.error = error[:2000]
    session.add(run)
    session.flush()
    return run


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)
