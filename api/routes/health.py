"""Health check for load balancers and operators (no sign-in)."""

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.schemas import Health, HealthDatabase
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
    responses={503: {"model": Health, "description": "Database unreachable or not migrated"}},
)
def healthz() -> JSONResponse:
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
        status="ok" if at_head else "degraded",
        database=HealthDatabase(reachable=reachable, revision=revision, head=head, at_head=at_head),
        scheduler=scheduler_state(),
        last_forecast_run=_last_forecast_run() if at_head else None,
    )
    return JSONResponse(health.model_dump(mode="json"), status_code=200 if at_head else 503)


def _last_forecast_run() -> dict[str, Any] | None:
    with session_scope(write=False) as session:
        run = latest_run(session=session, finished_only=False)
    if run is None:
        return None
    return {
        "id": run.id,
        "status": str(run.status),
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "offices_done": run.offices_done,
    }
