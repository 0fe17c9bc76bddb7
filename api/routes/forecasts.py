"""Forecasts: the latest forecast of an office, starting a run in the background and
following its progress."""

from fastapi import APIRouter, Body

from api.deps import (
    CodePath,
    IdempotencyKey,
    IdPath,
    SessionDep,
    UserDep,
    readable_office,
    require_central,
)
from api.errors import problem_responses
from api.schemas import (
    BacktestScores,
    EvaluationPublic,
    ForecastModel,
    ForecastPoint,
    ForecastRunCreate,
    ForecastRunPublic,
    LeadTimePublic,
    NationalBacktest,
    NationalForecastPublic,
    NationalModel,
    NationalMonth,
    OfficeForecastPublic,
    StockoutProbability,
)
from api.transaction import TransactionRoute
from blangko import forecasts
from blangko.errors import NotFound
from blangko.models import ForecastRun
from blangko.offices import local_today, planner_today
from forecast.national_view import latest_current, sentence
from forecast.replay import latest_evaluation
from forecast.resupply import lead_time_of

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/api/v1",
    tags=["forecasts"],
    responses=problem_responses(401, 403),
)


def run_public(run: ForecastRun) -> ForecastRunPublic:
    assert run.id is not None
    return ForecastRunPublic(
        id=run.id,
        status=run.status,
        office=run.office_code,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        offices_total=run.offices_total,
        offices_done=run.offices_done,
        settings=run.settings,
        versions=run.versions,
        error=run.error,
    )


@router.get(
    "/offices/{code}/forecast",
    response_model=OfficeForecastPublic,
    summary="Latest forecast and stock projection of one office",
    description="Daily demand (mean and 80 % band) and projected stock for the horizon, the "
    "stock-out date, the probability of a stock-out within 14, 30 and 60 days, days of cover "
    "and the backtest error, from the newest finished run that covered the office, with the "
    "office's lead time learned from the ledger. Office `00` is the national projection.",
    responses=problem_responses(404),
)
def get_office_forecast(code: CodePath, session: SessionDep, user: UserDep) -> OfficeForecastPublic:
    office = readable_office(session, user, code)
    result = forecasts.latest_result(session=session, office_code=code)
    lead = lead_time_of(session=session, office_code=code, as_of=local_today(office))
    return OfficeForecastPublic(
        office=result.office_code,
        run_id=result.run_id,
        generated_at=result.generated_at,
        as_of=result.as_of,
        model=ForecastModel(result.model),
        horizon_days=result.horizon_days,
        points=[ForecastPoint.model_validate(point) for point in result.points],
        on_hand=result.on_hand,
        stockout_date=result.stockout_date,
        stockout_probability=StockoutProbability.model_validate(result.stockout_probability),
        days_of_cover=result.days_of_cover,
        mean_daily_demand=result.mean_daily_demand,
        backtest_mase=result.backtest_mase,
        backtest=BacktestScores.model_validate(result.backtest),
        risk=forecasts.risk_level(result, today=local_today(office)),
        risk_probability=result.risk_probability,
        risk_horizon_days=result.risk_horizon_days,
        lead_time_days=LeadTimePublic.model_validate(lead.public()) if lead else None,
        note=result.note,
    )


@router.post(
    "/forecasts/run",
    response_model=ForecastRunPublic,
    status_code=202,
    summary="Start a forecast run in the background (planner, admin)",
    description="Queues a run of all offices (or of `office`) and starts it in a separate "
    "process; the response returns at once with the run id. Follow it with "
    "`GET /api/v1/forecasts/runs/{id}`. Refused (`invalid_state`) while another run is active; "
    "the same `Idempotency-Key` again answers the first run instead.",
    responses=problem_responses(404, 409, 422),
)
def start_forecast_run(
    session: SessionDep,
    user: UserDep,
    body: ForecastRunCreate | None = Body(default=None),
    idempotency_key: IdempotencyKey = None,
) -> ForecastRunPublic:
    require_central(user, "Menjalankan prakiraan")
    from forecast.runner import RunSettings, start_in_background
    from forecast.runs import queue_run

    run, new = queue_run(
        session=session,
        settings=RunSettings(),
        office_code=body.office if body else None,
        requested_by=user.id,
        idempotency_key=idempotency_key,
    )
    assert run.id is not None
    if new:
        # The run must be visible to the background process before it starts.
        session.commit()
        start_in_background(run.id)
    return run_public(run)


@router.get(
    "/forecasts/runs/{run_id}",
    response_model=ForecastRunPublic,
    summary="Status and progress of a forecast run (planner, admin)",
    responses=problem_responses(404),
)
def get_forecast_run(run_id: IdPath, session: SessionDep, user: UserDep) -> ForecastRunPublic:
    require_central(user, "Melihat proses prakiraan")
    return run_public(forecasts.get_run(session=session, run_id=run_id))


@router.get(
    "/forecasts/evaluation",
    response_model=EvaluationPublic,
    summary="How often the warnings were right: the latest replay (planner, admin)",
    description="The replay goes back 12 months and, every two weeks, forecasts every "
    "kab/kota with only what was known that day, then compares the forecast and the alert "
    "decision with what followed: recall (stock-outs warned at least the lead time ahead), "
    "precision (warnings followed by a counterfactual stock-out), false alarms, Brier scores "
    "and the reliability of P(stock-out within 14/30/60 days). Made by `blangko alerts "
    "evaluate` and the weekly job; 404 until the first replay.",
    responses=problem_responses(404),
)
def get_forecast_evaluation(session: SessionDep, user: UserDep) -> EvaluationPublic:
    require_central(user, "Melihat evaluasi peringatan")
    found = latest_evaluation(session=session)
    if found is None:
        raise NotFound(
            "Belum ada evaluasi peringatan. Jalankan 'blangko alerts evaluate' atau tunggu "
            "tugas mingguan."
        )
    return EvaluationPublic(**found.scores, generated_at=found.generated_at)


@router.get(
    "/forecasts/national",
    response_model=NationalForecastPublic,
    summary="National demand a year ahead and procurement timing (planner, admin)",
    description="Monthly totals of national demand in blanks (prints + spoiled) for the "
    "rest of the current month and the 12 full calendar months after it (13 rows, 12 when the "
    "forecast starts on the 1st; never fewer than 365 days) with their 80 % band, the "
    "national stock projected against the 80th percentile of demand (open planned "
    "tranches included), when it falls below the target cover "
    "(`BLANGKO_NATIONAL_TARGET_DAYS`), how many blanks the next tranche needs, by when it"
    " must arrive and be ordered (`BLANGKO_PROCUREMENT_LEAD_DAYS`); null where nothing is"
    " needed within that horizon. The timing and the projected stock are worked out again"
    " on every read with the tranches open now, so recording or cancelling one shows at "
    "once. With the backtest that chose the model. Made by the nightly job and `blangko "
    "forecast national`; 404 until the first one.",
    responses=problem_responses(404),
)
def get_national_forecast(session: SessionDep, user: UserDep) -> NationalForecastPublic:
    require_central(user, "Melihat prakiraan nasional")
    latest = latest_current(session=session)
    if latest is None:
        raise NotFound(
            "Belum ada prakiraan nasional. Jalankan 'blangko forecast national' atau tunggu "
            "tugas malam."
        )
    found, result = latest
    return NationalForecastPublic(
        generated_at=found.generated_at,
        as_of=found.as_of,
        model=NationalModel(found.model),
        months=[NationalMonth.model_validate(month) for month in result["months"]],
        national_stock=result["national_stock"],
        target_days=result["target_days"],
        procurement_lead_days=result["procurement_lead_days"],
        stock_below_target_on=result["stock_below_target_on"],
        next_tranche_quantity=result["next_tranche_quantity"],
        arrive_by=result["arrive_by"],
        order_by=result["order_by"],
        sentence=sentence(result, planner_today()),
        backtest=NationalBacktest.model_validate(found.backtest),
    )
