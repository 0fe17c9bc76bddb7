"""Health check for load balancers and operators (no sign-in)."""

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.errors import RETRY_AFTER_UNAVAILABLE, retry_after_header
from api.schemas import Health, HealthDatabase, HealthLastRun, HealthStatus
from api.transaction import TransactionRoute
from blangko.db import get_engine, session_scope
from blangko.forecasts import latest_run
from blangko.migrate import current_revision, head_revision
from forecast.jobs import scheduler_state

router = APIRouter(route_class=TransactionRoute, tags=["health"])


@router.get(
    "/healthz",
    response_model=Health,
    summary="Is the server healthy?",
    description="Database reachable, schema at the newest migration, scheduler state and "
    "the latest forecast run. 200 when healthy, 503 otherwise (same body).",
    responses={
        503: {
            "model": Health,
            "description": "Database unreachable or not migrated",
            "headers": retry_after_header(required=True),
        }
    },
)
def get_health() -> JSONResponse:
    head = head_revision()
    revision: str | None = None
    reachable = True
    try:
        engine = get_engine()
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        revision = current_revision(engine)
    except sa.exc.SQLAlchemyError:
        reachable = False
    at_head = reachable and revision == head
    health = Health(
        status=HealthStatus.ok if at_head else HealthStatus.degraded,
        database=HealthDatabase(reachable=reachable, revision=revision, head=head, at_head=at_head),
        scheduler=scheduler_state(),
        last_forecast_run=_last_forecast_run() if at_head else None,
    )
    if at_head:
        return JSONResponse(health.model_dump(mode="json"))
    headers = {"Retry-After": str(RETRY_AFTER_UNAVAILABLE)}
    return JSONResponse(health.model_dump(mode="json"), status_code=503, headers=headers)


def _last_forecast_run() -> HealthLastRun | None:
    with session_scope(write=False) as session:
        run = latest_run(session=session, finished_only=False)
    if run is None:
        return None
    assert run.id is not None
    return HealthLastRun(
        id=run.id,
        status=run.status,
        started_at=run.started_at,
        finished_at=run.finished_at,
        offices_done=run.offices_done,
    )
