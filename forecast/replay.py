"""The replay that scores every warning (issue 12 §4): ``blangko alerts evaluate`` and
the weekly job.

It goes back ``months`` and, every ``step_days`` (a week: the alerts run every day, and
a replay that looked only every two weeks would see a stock-out coming at most once
between the office's lead time and its horizon), forecasts every kab/kota with only
what was known that day (the ledger as of then, lead times learned as of then) through
the same code as the nightly run (``forecast.runner``: models, projection) and the same
risk rule as the alerts (``blangko.risk``). Each origin's forecast and warning are then
compared with what followed (``forecast.scoring``), and the scores are stored
(``forecast_evaluations``) for the planner's page and the API."""

import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from blangko.db import get_engine, session_scope
from blangko.errors import ValidationFailed
from blangko.models import ForecastEvaluation
from blangko.risk import assess
from blangko.settings import get_settings
from forecast.calendar import calendar_for
from forecast.leadtimes import LeadTime, default_lead_time
from forecast.projection import Projection
from forecast.replay_data import History, load_history
from forecast.resupply import lead_times_as_of
from forecast.reuse import ModelState
from forecast.runner import (
    Inputs,
    RunSettings,
    forecast_as_of,
    forecast_series,
    model_pool,
    pending_supply,
    project_office,
)
from forecast.scoring import (
    Decision,
    Scores,
    StockOut,
    Truth,
    counterfactual_stockout,
    score,
    stockout_episodes,
)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ReplaySettings:
    months: int = 12
    step_days: int = 7
    run: RunSettings = field(default_factory=RunSettings)


@dataclass(frozen=True)
class Evaluation:
    id: int | None
    scores: Scores
    first_origin: date
    last_origin: date
    seconds: float

    def line(self) -> str:
        s = self.scores

        def show(value: float | None) -> str:
            return "–" if value is None else f"{value:.2f}"

        return (
            f"Replay of {s.origins} origins × {s.offices} offices ({self.first_origin} – "
            f"{self.last_origin}) in {self.seconds:.0f} s: {s.stockouts} stock-outs, "
            f"{s.warned} warned in time (recall {show(s.recall)}), precision "
            f"{show(s.precision)}, {s.false_alarms_per_100_offices_month:.1f} false alarms "
            f"per 100 offices a month, P30 calibration error {show(s.calibration_error_30)}."
        )


def origins_for(end: date, months: int, step_days: int) -> list[date]:
    """Origins every ``step_days`` from ``months`` before ``end``, the last one at least a
    step before ``end`` so that something followed it."""
    first = end - timedelta(days=round(months * 30.4375))
    origins = []
    day = first
    while day <= end - timedelta(days=step_days):
        origins.append(day)
        day += timedelta(days=step_days)
    return origins


def replay(
    *,
    engine: Engine | None = None,
    settings: ReplaySettings | None = None,
    progress: Progress | None = None,
    store: bool = True,
) -> Evaluation:
    """Replays the warnings of the last ``settings.months`` and stores their scores."""
    engine = engine or get_engine()
    settings = settings or ReplaySettings()
    run = settings.run
    started = time.perf_counter()
    with session_scope(engine, write=False) as session:
        end = forecast_as_of(session)
        origins = origins_for(end, settings.months, settings.step_days)
        if not origins:
            raise ValidationFailed(
                f"Riwayat terlalu pendek untuk evaluasi {settings.months} bulan: belum ada "
                f"laporan harian sejak {end - timedelta(days=round(settings.months * 30.4375))}.",
                field="months",
            )
        start = origins[0] - timedelta(days=run.history_days - 1)
        history = load_history(session=session, start=start, end=end)
        lead_times = {o: lead_times_as_of(session=session, as_of=o) for o in origins}
        # The supply the nightly run counted on that day: shipments on their way and
        # approved requests not dispatched yet.
        shipments = {o: history.incoming(o) for o in origins}
        supply = {
            o: pending_supply(session=session, as_of=o, lead=lead_times[o], in_transit=shipments[o])
            for o in origins
        }
    calendar = calendar_for(start, end + timedelta(days=run.models.horizon_days))
    pairs: list[tuple[Decision, Truth]] = []
    states: dict[str, ModelState] = {}
    modelled = sum(1 for s in history.series.values() if s.observed_days)
    with ExitStack() as stack:
        # Worker processes only when there is more to fit than a run does in process.
        pool = (
            stack.enter_context(model_pool(calendar, run))
            if modelled > run.in_process_up_to
            else None
        )
        for done, origin in enumerate(origins):
            inputs = _inputs_at(
                history, origin, run, lead_times[origin], shipments[origin], supply[origin]
            )
            # The model choices and fits of the previous origin carry over, as from one
            # nightly run to the next.
            forecasts, states = forecast_series(
                inputs.series.values(), calendar, run, previous=states, pool=pool
            )
            for code, forecast in forecasts.items():
                projection, _ = project_office(forecast, inputs, run)
                pairs.append(
                    (_decision(code, origin, projection, inputs), _truth(history, code, inputs))
                )
            if progress:
                progress(done + 1, len(origins))
    stockouts: list[StockOut] = [
        event
        for code in history.offices
        for event in stockout_episodes(code, history.empty_days(code))
        if origins[0] < event.first_day <= end
    ]
    scores = score(pairs, stockouts, origin_step_days=settings.step_days)
    seconds = round(time.perf_counter() - started, 1)
    evaluation_id = None
    if store:
        with session_scope(engine) as session:
            row = ForecastEvaluation(
                first_origin=origins[0],
                last_origin=origins[-1],
                months=settings.months,
                seconds=seconds,
                scores=scores_public(scores),
            )
            session.add(row)
            session.flush()
            evaluation_id = row.id
    return Evaluation(evaluation_id, scores, origins[0], origins[-1], seconds)


def _inputs_at(
    history: History,
    origin: date,
    run: RunSettings,
    lead_times: dict[str, LeadTime],
    shipments: dict[str, dict[date, int]],
    supply: dict[str, dict[date, int]],
) -> Inputs:
    """What the nightly run knew at ``origin``: the stock position with the ``shipments``
    on their way, and the ``supply`` it counted on (``runner.pending_supply``)."""
    codes = history.offices
    return Inputs(
        as_of=origin,
        targets=codes,
        series={c: history.series_until(c, origin, run.history_days) for c in codes},
        positions={c: history.position(c, origin, shipments.get(c, {})) for c in codes},
        incoming=supply,
        lead_times=lead_times,
        safety_days=get_settings().safety_days,
    )


def _decision(code: str, origin: date, projection: Projection, inputs: Inputs) -> Decision:
    """What the forecast said at ``origin`` and whether the alert rule warned."""
    lead = inputs.lead_times.get(code) or default_lead_time(get_settings().lead_time_days)
    horizon = projection.risk_horizon_days or lead.p90 + inputs.safety_days
    risk = assess(
        today=origin,
        stockout_date=projection.stockout_date,
        probability=projection.risk_probability,
        lead_time_days=lead.p90,
        horizon_days=horizon,
    )
    return Decision(
        office_code=code,
        origin=origin,
        warned=risk.at_risk,
        lead_time_days=lead.p90,
        horizon_days=horizon,
        probability={int(h): float(p) for h, p in projection.stockout_probability.items()},
        stockout_date=projection.stockout_date,
    )


def _truth(history: History, code: str, inputs: Inputs) -> Truth:
    """What followed the origin: the counterfactual stock-out without new supply."""
    position = inputs.positions[code]
    return Truth(
        counterfactual_stockout=counterfactual_stockout(
            origin=inputs.as_of,
            available=position.on_hand - position.backlog,
            incoming=inputs.incoming.get(code, {}),
            demand=history.demand_after(code, inputs.as_of),
        ),
        observed_days=(history.end - inputs.as_of).days,
    )


def scores_public(scores: Scores) -> dict[str, Any]:
    """The scores as the API returns them (``GET /api/v1/forecasts/evaluation``)."""
    return {
        "origins": scores.origins,
        "offices": scores.offices,
        "months": scores.months,
        "stockouts": scores.stockouts,
        "warned": scores.warned,
        "warnings": scores.warnings,
        "true_warnings": scores.true_warnings,
        "recall": scores.recall,
        "precision": scores.precision,
        "false_alarms_per_100_offices_month": scores.false_alarms_per_100_offices_month,
        "brier": scores.brier,
        "calibration_error_30": scores.calibration_error_30,
        "median_date_error_days": scores.median_date_error_days,
        "reliability": [
            {
                "horizon": b.horizon,
                "low": b.low,
                "high": b.high,
                "predicted": b.predicted,
                "observed": b.observed,
                "count": b.count,
            }
            for b in scores.reliability
        ],
    }


def latest_evaluation(*, session: Session) -> ForecastEvaluation | None:
    return session.exec(
        select(ForecastEvaluation).order_by(col(ForecastEvaluation.id).desc()).limit(1)
    ).first()
